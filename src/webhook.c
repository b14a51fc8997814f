/* webhook — see webhook.h. */
#include "webhook.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "mail.h"
#include "mem.h"

#define TIMEOUT_SECONDS 10L

void webhook_time(int64_t t, char out[WEBHOOK_TIME_SIZE])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, WEBHOOK_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void member(struct buf *b, const char *name, const char *value, bool first)
{
    if (!first)
        buf_putc(b, ',');
    json_append_string(b, name);
    buf_putc(b, ':');
    json_append_string(b, value);
}

void webhook_entry_json(struct buf *b, const struct feed_entry *e)
{
    char at[WEBHOOK_TIME_SIZE];
    webhook_time(e->at, at);
    buf_printf(b, "{\"seq\":%lld,", (long long)e->seq);
    member(b, "event", e->event, true);
    member(b, "username", e->username, false);
    member(b, "email", e->email, false);
    member(b, "first_name", e->first_name, false);
    member(b, "last_name", e->last_name, false);
    member(b, "municipality_gkz", e->municipality_gkz, false);
    member(b, "course", e->course, false);
    member(b, "at", at, false);
    buf_putc(b, '}');
}

int webhook_deliver(struct db *db, const struct config *cfg, int64_t seq, const atomic_bool *stop, char *err,
                    size_t errlen)
{
    if (!cfg->lms_webhook_url[0]) {
        snprintf(err, errlen, "no [lms] webhook_url configured");
        return -1;
    }
    struct arena *a = arena_new();
    struct feed_entry e;
    int rc = -1;
    int status = db_feed_entry(db, a, seq, &e);
    if (status != DB_OK) {
        snprintf(err, errlen, "feed entry %lld: %s", (long long)seq,
                 status == DB_NOT_FOUND ? "not found" : "database error");
        goto done;
    }
    struct buf body;
    buf_init(&body, a);
    webhook_entry_json(&body, &e);
    char mac[CRYPTO_HMAC_HEX_SIZE];
    crypto_hmac_sha256_hex(cfg->lms_webhook_secret, strlen(cfg->lms_webhook_secret), body.data, body.len, mac);
    const char *headers[] = {
        "Content-Type: application/json",
        arena_printf(a, "X-Voucher-Signature: sha256=%s", mac),
        arena_printf(a, "X-Voucher-Event-Id: %lld", (long long)seq),
        NULL,
    };
    long http_status = 0;
    if (mail_http_post(cfg->lms_webhook_url, body.data, body.len, headers, TIMEOUT_SECONDS, stop, &http_status,
                       err, errlen) != 0)
        goto done;
    if (http_status < 200 || http_status > 299) {
        snprintf(err, errlen, "webhook answered HTTP %ld", http_status);
        goto done;
    }
    rc = 0;
done:
    arena_free(a);
    return rc;
}
