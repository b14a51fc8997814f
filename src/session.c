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
    int status = db_login_failure_count(r->db, key, since, &count);
    *limited = count >= max;
    return status;
}

static enum login_result record_failure(struct req *r, const char *user_key, const char *ip_key)
{
    if (db_login_failure_add(r->db, user_key, r->now) != DB_OK ||
        db_login_failure_add(r->db, ip_key, r->now) != DB_OK)
        return LOGIN_ERROR;
    db_audit_add(r->db, 0, "login.failed", strchr(user_key, ':') + 1, "", r->remote_addr, r->now);
    return LOGIN_WRONG;
}

enum login_result session_check_password(struct req *r, const char *username, const char *password,
                                         struct account *acc)
{
    int64_t max = r->app->cfg->limits_login_max_failures;
    char *lower = arena_strdup(r->arena, username);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    const char *user_key = arena_printf(r->arena, "u:%s", lower);
    const char *ip_key = arena_printf(r->arena, "ip:%s", r->remote_addr ? r->remote_addr : "");
    bool user_limited, ip_limited;
    if (over_limit(r, user_key, max, &user_limited) != DB_OK ||
        over_limit(r, ip_key, 10 * max, &ip_limited) != DB_OK)
        return LOGIN_ERROR;
    if (user_limited || ip_limited)
        return LOGIN_LIMITED;
    int status = db_account_by_username(r->db, r->arena, username, acc);
    if (status == DB_ERROR)
        return LOGIN_ERROR;
    bool found = status == DB_OK;
    bool match = crypto_password_verify(found ? acc->password_hash : NULL, password);
    if (!found || !match || acc->disabled)
        return record_failure(r, user_key, ip_key);
    return db_login_failure_clear(r->db, user_key) == DB_OK ? LOGIN_OK : LOGIN_ERROR;
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
    r->new_session = arena_strdup(r->arena, token); /* forms on this page bind to it */
    r->csrf_token = NULL;
    r->who = (struct account *)arena_memdup(r->arena, acc, sizeof *acc);
    db_audit_add(r->db, acc->id, "login", acc->username, "", r->remote_addr, r->now);
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
            db_audit_add(r->db, r->who->id, "logout", r->who->username, "", r->remote_addr, r->now);
    }
    req_cookie_set(r, SESSION_COOKIE, "", 0);
    r->who = NULL;
    return 0;
}
