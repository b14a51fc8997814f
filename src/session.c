/* session — see session.h. */
#include "session.h"

#include <string.h>

#include "app.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "mem.h"
#include "req.h"

static int64_t idle_since(const struct req *r)
{
    return r->now - (int64_t)r->app->cfg->security_session_idle_minutes * 60;
}

static int64_t created_since(const struct req *r)
{
    return r->now - (int64_t)r->app->cfg->security_session_max_hours * 3600;
}

int session_load(struct req *r)
{
    const char *token = req_cookie(r, SESSION_COOKIE);
    if (!token || strlen(token) != CRYPTO_TOKEN_TEXT_SIZE - 1)
        return 0;
    unsigned char hash[CRYPTO_HASH_SIZE];
    crypto_hash_text(token, hash);
    struct account *acc = arena_alloc(r->arena, sizeof *acc);
    int status = db_session_lookup(r->db, r->arena, hash, r->now, idle_since(r), created_since(r), acc);
    if (status == DB_OK)
        r->who = acc;
    return status == DB_ERROR ? 500 : 0;
}

/* True when key has had `max` failures within the window. */
static int over_limit(struct req *r, const char *key, int64_t max, bool *limited)
{
    int64_t count = 0;
    int64_t since = r->now - r->app->cfg->limits_login_window_seconds;
    int status = key ? db_login_failure_count(r->db, key, since, max, &count) : DB_OK;
    *limited = key && count >= max;
    return status;
}

/* In one transaction: refuses (LOGIN_LIMITED) when the account or the
 * address is at its limit, else counts this attempt as a failure before the
 * password is tested (the test takes 100 ms; counting after it let 40
 * concurrent guesses through a limit of 5).  A success takes the failure
 * back.  *ip_row: the address's row, to delete on success. */
static enum login_result reserve_attempt(struct req *r, const char *user_key, const char *ip_key,
                                         int64_t *ip_row)
{
    int64_t max = r->app->cfg->limits_login_max_failures;
    bool user_limited = false, ip_limited = false;
    if (db_begin(r->db) != DB_OK)
        return LOGIN_ERROR;
    int status = over_limit(r, user_key, max, &user_limited);
    if (status == DB_OK)
        status = over_limit(r, ip_key, 10 * max, &ip_limited);
    bool limited = status == DB_OK && (user_limited || ip_limited);
    if (status == DB_OK && !limited && user_key)
        status = db_login_failure_add(r->db, user_key, r->now, NULL);
    if (status == DB_OK && !limited)
        status = db_login_failure_add(r->db, ip_key, r->now, ip_row);
    if (status != DB_OK || db_commit(r->db) != DB_OK) {
        db_rollback(r->db);
        return LOGIN_ERROR;
    }
    return limited ? LOGIN_LIMITED : LOGIN_OK;
}

enum login_result session_check_password(struct req *r, const char *username, const char *password,
                                         struct account *acc)
{
    int status = db_account_by_username(r->db, r->arena, username, acc);
    if (status == DB_ERROR)
        return LOGIN_ERROR;
    bool found = status == DB_OK;
    /* Only existing accounts are named in what is stored: a password typed
     * into the username field never reaches the database. */
    const char *user_key = found ? arena_printf(r->arena, DB_LOGIN_ACCOUNT_KEY, (long long)acc->id) : NULL;
    const char *ip_key = arena_printf(r->arena, "ip:%s", r->remote_addr ? r->remote_addr : "");
    int64_t ip_row = 0;
    enum login_result reserved = reserve_attempt(r, user_key, ip_key, &ip_row);
    if (reserved != LOGIN_OK)
        return reserved;
    bool match = crypto_password_verify(found ? acc->password_hash : NULL, password);
    if (!found || !match || acc->disabled) {
        db_audit_add(r->db, found ? acc->id : 0, AUDIT_LOGIN_FAILED, found ? acc->username : "(unbekannter Benutzername)",
                     "", r->remote_addr, r->now);
        return LOGIN_WRONG;
    }
    return db_login_failure_clear(r->db, user_key) == DB_OK && db_login_failure_delete(r->db, ip_row) == DB_OK
               ? LOGIN_OK : LOGIN_ERROR;
}

int session_start(struct req *r, const struct account *acc)
{
    char token[CRYPTO_TOKEN_TEXT_SIZE];
    unsigned char hash[CRYPTO_HASH_SIZE];
    crypto_token(token);
    crypto_hash_text(token, hash);
    if (db_session_add(r->db, hash, acc->id, r->now) != DB_OK)
        return 500;
    req_cookie_set(r, SESSION_COOKIE, token, -1);
    req_csrf_rotate(r); /* the guest token dies with the login */
    r->new_session = arena_strdup(r->arena, token); /* forms on this page bind to it */
    r->who = (struct account *)arena_memdup(r->arena, acc, sizeof *acc);
    db_audit_add(r->db, acc->id, AUDIT_LOGIN, acc->username, "", r->remote_addr, r->now);
    return 0;
}

int session_end(struct req *r)
{
    const char *token = req_cookie(r, SESSION_COOKIE);
    if (token) {
        unsigned char hash[CRYPTO_HASH_SIZE];
        crypto_hash_text(token, hash);
        if (db_session_delete(r->db, hash) != DB_OK)
            return 500;
        if (r->who)
            db_audit_add(r->db, r->who->id, AUDIT_LOGOUT, r->who->username, "", r->remote_addr, r->now);
    }
    req_cookie_set(r, SESSION_COOKIE, "", 0);
    req_csrf_rotate(r); /* nor does a token from before the login come back to life */
    r->who = NULL;
    return 0;
}
