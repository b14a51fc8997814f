/* reset — "Passwort vergessen": one-time links to set a new password.
 *
 * A request names a login (username or e-mail address).  Every enabled
 * account that matches gets a link /passwort-neu?t=TOKEN by e-mail (through
 * the outbox, in the request's transaction): TOKEN is 32 bytes from the
 * CSPRNG, only its BLAKE2b hash is stored, it is valid for [security]
 * password_reset_seconds (24 h) and usable once.  The caller answers the
 * same whether or not an account matched, and no password is hashed on
 * this path, so neither the answer nor its cost tells who has an account.
 * Limits: at most [limits] reset_max_requests links per account within
 * [limits] login_window_seconds (beyond that nothing is sent, silently),
 * and ten times as many requests per client address (the caller says so). */
#ifndef RESET_H
#define RESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "db.h"

struct arena;
struct config;

struct reset_env {
    struct db *db;
    const struct crypto_keys *keys;
    const struct config *cfg;
    struct arena *a;
    const char *ip; /* client address, NULL = unknown */
    int64_t now;
};

/* Handles one request, in a transaction of its own.  *ip_limited: the
 * address asked too often (nothing done).  *queued: how many e-mails were
 * queued.  0, or -1 on a database error (nothing changed). */
int reset_request(const struct reset_env *env, const char *login, bool *ip_limited, int *queued);

enum reset_state { RESET_VALID, RESET_UNKNOWN, RESET_USED, RESET_EXPIRED };

/* What the link with this token is (token as in the link; NULL = none).
 * On RESET_VALID pr is filled.  0, or -1 on a database error. */
int reset_check(const struct reset_env *env, const char *token, struct password_reset *pr,
                enum reset_state *state);

/* Sets the password through the link, in one transaction: the account rule
 * for passwords, every session of the account ended, every link of the
 * account used up, the failed logins of the username forgotten, audited.
 * 0 (done, *state RESET_VALID), 1 (refused: *state says why, or msg holds
 * the password rule's German sentence with *state RESET_VALID), -1 on a
 * database error (nothing changed). */
int reset_use(const struct reset_env *env, const char *token, const char *password, enum reset_state *state,
              char *msg, size_t msglen);

#endif
