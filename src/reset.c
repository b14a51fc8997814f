/* reset — see reset.h. */
#include "reset.h"

#include <string.h>

#include "config.h"
#include "fmt.h"
#include "manage.h"
#include "mem.h"
#include "mime.h"
#include "outbox.h"

static void mail_for(const struct reset_env *env, const struct account *acc, const char *token,
                     int64_t expires_at, struct mail_message *m)
{
    struct buf b;
    buf_init(&b, env->a);
    buf_printf(&b, "Guten Tag %s %s,\n\n"
                   "für Ihr Konto „%s“ bei der Städtebund Academy wurde ein neues Passwort angefordert.\n"
                   "Mit diesem Link setzen Sie es (einmal verwendbar, gültig bis %s Uhr):\n\n"
                   "%s/passwort-neu?t=%s\n\n"
                   "Wenn Sie das nicht selbst angefordert haben, können Sie diese E-Mail ignorieren: "
                   "Ihr bisheriges Passwort bleibt gültig.\n\n"
                   "Mit freundlichen Grüßen\nIhre Städtebund Academy\n",
               acc->first_name, acc->last_name, acc->username, fmt_datetime(env->a, expires_at),
               env->cfg->server_base_url, token);
    *m = (struct mail_message){
        .recipients = acc->email, .subject = "Neues Passwort für die Städtebund Academy", .body_text = b.data};
}

/* Stores a link for acc and queues its mail, unless the account had its share. */
static int send_link(const struct reset_env *env, const struct account *acc, int *queued)
{
    int64_t count = 0;
    int status = db_reset_count(env->db, acc->id, env->now - env->cfg->limits_login_window_seconds, &count);
    if (status != DB_OK || count >= env->cfg->limits_reset_max_requests)
        return status;
    char token[CRYPTO_TOKEN_TEXT_SIZE];
    unsigned char hash[CRYPTO_HASH_SIZE];
    crypto_token(token);
    crypto_hash_text(token, hash);
    int64_t expires_at = env->now + env->cfg->security_password_reset_seconds;
    status = db_reset_add(env->db, hash, acc->id, env->now, expires_at);
    struct mail_message m;
    if (status == DB_OK) {
        mail_for(env, acc, token, expires_at, &m);
        status = outbox_queue(env->db, env->keys, env->a, &m, env->now);
    }
    if (status == DB_OK)
        status = db_audit_add(env->db, acc->id, AUDIT_ACCOUNT_RESET_REQUESTED, acc->username, "", env->ip, env->now);
    if (status == DB_OK)
        (*queued)++;
    return status;
}

int reset_request(const struct reset_env *env, const char *login, bool *ip_limited, int *queued)
{
    *ip_limited = false;
    *queued = 0;
    const char *ip_key = arena_printf(env->a, "reset-ip:%s", env->ip ? env->ip : "");
    if (db_begin(env->db) != DB_OK)
        return -1;
    int status = db_login_failure_add_below(env->db, ip_key, env->now - env->cfg->limits_login_window_seconds,
                                            10 * (int64_t)env->cfg->limits_reset_max_requests, env->now,
                                            ip_limited);
    if (status == DB_OK && *ip_limited) {
        db_rollback(env->db);
        return 0;
    }
    struct account *list = NULL;
    size_t n = 0;
    if (status == DB_OK)
        status = db_reset_accounts(env->db, env->a, login, &list, &n);
    for (size_t i = 0; i < n && status == DB_OK; i++)
        status = send_link(env, &list[i], queued);
    if (status == DB_OK)
        status = db_commit(env->db);
    if (status != DB_OK) {
        db_rollback(env->db);
        *queued = 0;
        return -1;
    }
    return 0;
}

static bool token_shape(const char *token)
{
    return token && strlen(token) == CRYPTO_TOKEN_TEXT_SIZE - 1;
}

int reset_check(const struct reset_env *env, const char *token, struct password_reset *pr,
                enum reset_state *state)
{
    *state = RESET_UNKNOWN;
    if (!token_shape(token))
        return 0;
    unsigned char hash[CRYPTO_HASH_SIZE];
    crypto_hash_text(token, hash);
    int status = db_reset_by_hash(env->db, env->a, hash, pr);
    if (status == DB_ERROR)
        return -1;
    if (status != DB_OK || pr->acc.disabled)
        return 0;
    *state = pr->used_at ? RESET_USED : env->now > pr->expires_at ? RESET_EXPIRED : RESET_VALID;
    return 0;
}

int reset_use(const struct reset_env *env, const char *token, const char *password, enum reset_state *state,
              char *msg, size_t msglen)
{
    struct password_reset pr;
    if (db_begin(env->db) != DB_OK)
        return -1;
    int rc = reset_check(env, token, &pr, state);
    if (rc == 0 && *state != RESET_VALID)
        rc = 1;
    if (rc == 0)
        rc = manage_user_set_password(env->db, &pr.acc, password, msg, msglen);
    if (rc == 0 && db_reset_use_all(env->db, pr.acc.id, env->now) != DB_OK)
        rc = -1;
    /* A new password lifts the account's login block (the key as session.c counts it). */
    if (rc == 0 && db_login_failure_clear(env->db, arena_printf(env->a, DB_LOGIN_ACCOUNT_KEY, (long long)pr.acc.id)) != DB_OK)
        rc = -1;
    if (rc == 0 && db_audit_add(env->db, pr.acc.id, AUDIT_ACCOUNT_PASSWORD_RESET, pr.acc.username,
                                "über den Link aus der E-Mail", env->ip, env->now) != DB_OK)
        rc = -1;
    if (rc == 0 && db_commit(env->db) != DB_OK)
        rc = -1;
    if (rc != 0)
        db_rollback(env->db);
    return rc;
}
