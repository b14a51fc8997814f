/* session — logging in and out, and who is logged in.
 * The cookie "vp_session" holds 32 random bytes (base64url); the database
 * holds only their BLAKE2b hash.  Sessions end after
 * [security] session_idle_minutes without a request and after
 * session_max_hours in any case. */
#ifndef SESSION_H
#define SESSION_H

#include <stdint.h>

struct req;
struct account;

#define SESSION_COOKIE "vp_session"

/* Sets r->who from the session cookie when it names a live session of an
 * enabled account.  0, or 500 on a database error. */
int session_load(struct req *r);

enum login_result { LOGIN_OK, LOGIN_WRONG, LOGIN_LIMITED, LOGIN_ERROR };
/* Checks a username and password (Argon2id), counting failures per username
 * and per client address within [limits] login_window_seconds; after
 * login_max_failures for the username (or ten times as many for the address)
 * every attempt is LOGIN_LIMITED until the window passes.  On LOGIN_OK acc is
 * filled (strings in the request's arena). */
enum login_result session_check_password(struct req *r, const char *username, const char *password,
                                         struct account *acc);
/* Starts a new session for the account: new token, cookie set.  0 or 500. */
int session_start(struct req *r, const struct account *acc);
/* Ends the current session (if any) and clears the cookie.  0 or 500. */
int session_end(struct req *r);

#endif
