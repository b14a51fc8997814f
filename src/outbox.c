/* outbox — see outbox.h. */
#include "outbox.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "mem.h"
#include "mime.h"
#include "webhook.h"

#define CLAIM_SECONDS 600 /* longer than any SMTP transfer may take */
#define GIVE_UP_FACTOR 7200

static struct outbox_blob seal(struct arena *a, const struct crypto_keys *keys, const void *data, size_t len)
{
    unsigned char *out = arena_alloc(a, len + CRYPTO_SEAL_OVERHEAD);
    crypto_seal(keys, data, len, out);
    return (struct outbox_blob){out, len + CRYPTO_SEAL_OVERHEAD};
}

int outbox_queue(struct db *db, const struct crypto_keys *keys, struct arena *a,
                 const struct mail_message *m, int64_t now)
{
    return outbox_queue_id(db, keys, a, m, now, NULL);
}

int outbox_queue_id(struct db *db, const struct crypto_keys *keys, struct arena *a,
                    const struct mail_message *m, int64_t now, int64_t *id)
{
    struct outbox_attachment *at = arena_alloc(a, (m->nattachments + 1) * sizeof *at);
    for (size_t i = 0; i < m->nattachments; i++)
        at[i] = (struct outbox_attachment){m->attachments[i].filename, m->attachments[i].content_type,
                                           seal(a, keys, m->attachments[i].data, m->attachments[i].len)};
    struct outbox_mail om = {
        .recipients = m->recipients, .subject = m->subject,
        .body_sealed = seal(a, keys, m->body_text, strlen(m->body_text)),
        .attachments = at, .nattachments = m->nattachments,
    };
    return db_outbox_add(db, &om, now, id);
}

int64_t outbox_retry_delay(int64_t attempts, int base)
{
    static const int64_t factors[] = {1, 5, 15, 60};
    int64_t factor = attempts >= 1 && attempts <= 4 ? factors[attempts - 1] : 360;
    return factor * base;
}

bool outbox_give_up(int64_t created_at, int64_t now, int base)
{
    return now - created_at >= (int64_t)GIVE_UP_FACTOR * base;
}

/* Opens a sealed blob into the arena (NUL-terminated); NULL when it does not open. */
static char *open_blob(struct arena *a, const struct crypto_keys *keys, const struct outbox_blob *b,
                       size_t *len)
{
    if (b->len < CRYPTO_SEAL_OVERHEAD)
        return NULL;
    *len = b->len - CRYPTO_SEAL_OVERHEAD;
    char *plain = arena_alloc(a, *len + 1);
    return crypto_open(keys, b->data, b->len, plain) == 0 ? plain : NULL;
}

/* The message as MIME text, or NULL with err filled (a wrong key file or
 * [mail] from: retried like a delivery, in case they are mended). */
static const char *compose(struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                           const struct outbox_mail *om, size_t *len, char *err, size_t errlen)
{
    struct mail_message m = {.from = cfg->mail_from, .recipients = om->recipients, .subject = om->subject};
    struct mail_attachment *at = arena_alloc(a, (om->nattachments + 1) * sizeof *at);
    size_t body_len;
    m.body_text = open_blob(a, keys, &om->body_sealed, &body_len);
    bool opened = m.body_text != NULL;
    for (size_t i = 0; i < om->nattachments && opened; i++) {
        at[i] = (struct mail_attachment){.filename = om->attachments[i].filename,
                                         .content_type = om->attachments[i].content_type};
        at[i].data = open_blob(a, keys, &om->attachments[i].sealed, &at[i].len);
        opened = at[i].data != NULL;
    }
    m.attachments = at;
    m.nattachments = om->nattachments;
    char token[CRYPTO_TOKEN_TEXT_SIZE];
    crypto_token(token);
    token[22] = '\0'; /* 132 random bits keep the headers short */
    const char *from = mime_address(a, cfg->mail_from);
    struct mime_envelope env = {
        .date = (int64_t)time(NULL), .boundary = arena_printf(a, "=_sba_%s", token),
        .message_id = arena_printf(a, "<outbox-%lld.%s@%s>", (long long)om->id, token,
                                   from ? strchr(from, '@') + 1 : "localhost"),
    };
    struct buf out;
    buf_init(&out, a);
    if (!opened || mime_build(&out, &m, &env) != 0) {
        snprintf(err, errlen, "%s", opened ? "unsafe header, address or file name" : "sealed data does not open");
        return NULL;
    }
    *len = out.len;
    return out.data;
}

/* Builds and delivers one claimed message: 0, or -1 with err filled. */
static int deliver(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                   const struct outbox_mail *om, const atomic_bool *stop, char *err, size_t errlen)
{
    if (om->event_seq) /* a webhook delivery, not an e-mail */
        return webhook_deliver(db, cfg, om->event_seq, stop, err, errlen);
    size_t len;
    const char *text = compose(a, keys, cfg, om, &len, err, errlen);
    if (!text)
        return -1;
    struct mail_delivery d = {.from = mime_address(a, cfg->mail_from), .text = text, .len = len,
                              .spool_name = arena_printf(a, "outbox-%lld", (long long)om->id), .stop = stop};
    d.rcpts = mime_recipients(a, om->recipients, &d.nrcpts);
    return mail_deliver(cfg, &d, err, errlen);
}

/* Records the outcome of one attempt (0 = delivered). */
static int settle(struct db *db, const struct config *cfg, const struct outbox_mail *om, int outcome,
                  const char *err, struct outbox_run *run)
{
    int64_t now = (int64_t)time(NULL);
    if (outcome == 0) {
        run->sent++;
        return db_outbox_sent(db, om->id, now);
    }
    run->failed++;
    int base = cfg->mail_retry_base_seconds;
    bool give_up = !om->event_seq && outbox_give_up(om->created_at, now, base); /* webhooks: never lost */
    log_error("mail %lld, attempt %lld: %s%s", (long long)om->id, (long long)om->attempts, err,
              give_up ? " (given up)" : "");
    return db_outbox_failed(db, om->id, err, now + outbox_retry_delay(om->attempts, base), give_up ? now : 0);
}

int outbox_send_due(struct db *db, const struct crypto_keys *keys, const struct config *cfg,
                    enum outbox_due due, const atomic_bool *stop, struct outbox_run *run)
{
    int status = due == OUTBOX_ALL_UNSENT ? db_outbox_reschedule(db, (int64_t)time(NULL)) : DB_OK;
    struct arena *a = arena_new();
    while (status == DB_OK && !(stop && atomic_load(stop))) {
        int64_t now = (int64_t)time(NULL);
        struct outbox_mail om;
        status = db_outbox_claim(db, a, now, now + CLAIM_SECONDS, &om);
        if (status != DB_OK)
            break;
        char err[512] = "";
        int outcome = deliver(db, a, keys, cfg, &om, stop, err, sizeof err);
        status = settle(db, cfg, &om, outcome, err, run);
        arena_reset(a);
    }
    arena_free(a);
    return status == DB_NOT_FOUND || status == DB_OK ? 0 : -1;
}
