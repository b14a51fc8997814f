/* outbox — see outbox.h. */
#include "outbox.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "mem.h"
#include "mime.h"
#include "webhook.h"

#define CLAIM_SECONDS 600 /* longer than any SMTP transfer may take */
#define OUTBOX_BATCH 32   /* messages claimed, and settled, per write transaction */
#define GIVE_UP_FACTOR 7200

static struct outbox_blob seal(struct arena *a, const struct crypto_keys *keys, const void *data, size_t len)
{
    unsigned char *out = arena_alloc(a, len + CRYPTO_SEAL_OVERHEAD);
    crypto_seal(keys, data, len, out);
    return (struct outbox_blob){out, len + CRYPTO_SEAL_OVERHEAD};
}

static int outbox_queue_full(struct db *db, const struct crypto_keys *keys, struct arena *a,
                             const struct mail_message *m, int64_t order_id, int64_t now, int64_t *id);

int outbox_queue(struct db *db, const struct crypto_keys *keys, struct arena *a,
                 const struct mail_message *m, int64_t now)
{
    return outbox_queue_full(db, keys, a, m, 0, now, NULL);
}

int outbox_queue_id(struct db *db, const struct crypto_keys *keys, struct arena *a,
                    const struct mail_message *m, int64_t now, int64_t *id)
{
    return outbox_queue_full(db, keys, a, m, 0, now, id);
}

int outbox_queue_for_order(struct db *db, const struct crypto_keys *keys, struct arena *a,
                           const struct mail_message *m, int64_t order_id, int64_t now)
{
    return outbox_queue_full(db, keys, a, m, order_id, now, NULL);
}

/* The one way into the outbox: order_id 0 for mail of no order, id may be NULL. */
static int outbox_queue_full(struct db *db, const struct crypto_keys *keys, struct arena *a,
                             const struct mail_message *m, int64_t order_id, int64_t now, int64_t *id)
{
    struct outbox_attachment *at = arena_alloc(a, (m->nattachments + 1) * sizeof *at);
    for (size_t i = 0; i < m->nattachments; i++)
        at[i] = (struct outbox_attachment){m->attachments[i].filename, m->attachments[i].content_type,
                                           seal(a, keys, m->attachments[i].data, m->attachments[i].len)};
    struct outbox_mail om = {
        .recipients = m->recipients, .subject = m->subject,
        .body_sealed = seal(a, keys, m->body_text, strlen(m->body_text)),
        .attachments = at, .nattachments = m->nattachments, .order_id = order_id,
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
    /* The Message-ID is the same for every attempt of this outbox row (a
     * keyed hash of its id): a copy sent again after a crash between the
     * server's receipt and its "250" is recognised as the same message. */
    char token[CRYPTO_TOKEN_TEXT_SIZE];
    unsigned char mac[CRYPTO_HASH_SIZE];
    char *what = arena_printf(a, "message-id/%lld", (long long)om->id);
    crypto_keyed_hash(keys->lookup, what, strlen(what), mac);
    crypto_base64url(mac, 16, token, sizeof token); /* 128 bits keep the headers short */
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

/* Whether addr is one of the ", "-separated addresses of list. */
static bool listed(const char *list, const char *addr)
{
    size_t n = strlen(addr);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, addr, n) == 0)
            return true;
        p += len;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return false;
}

static const char *list_add(struct arena *a, const char *list, const char *addr)
{
    return *list ? arena_printf(a, "%s, %s", list, addr) : addr;
}

/* What one attempt at a message came to. */
struct attempt {
    int outcome;      /* MAIL_OK: every recipient done and none refused; MAIL_TEMPORARY: some to retry;
                         MAIL_PERMANENT: every recipient done, some refused for good */
    char err[1024];
};

/* Builds one claimed message and delivers it: by SMTP to each recipient not
 * done yet in a transfer of its own (each success or refusal stored at once,
 * so a crash never sends to a recipient twice with our knowledge), else as
 * one spool file. */
static void deliver(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                    struct outbox_mail *om, const atomic_bool *stop, struct attempt *at)
{
    size_t len, nrcpts;
    at->outcome = MAIL_TEMPORARY;
    if (om->event_seq) { /* a webhook delivery, not an e-mail: retried until it succeeds */
        at->outcome = webhook_deliver(db, cfg, om->event_seq, stop, at->err, sizeof at->err) == 0 ? MAIL_OK
                                                                                                  : MAIL_TEMPORARY;
        return;
    }
    const char *text = compose(a, keys, cfg, om, &len, at->err, sizeof at->err);
    if (!text)
        return;
    struct mail_delivery d = {.from = mime_address(a, cfg->mail_from), .text = text, .len = len,
                              .spool_name = arena_printf(a, "outbox-%lld", (long long)om->id), .stop = stop};
    const char *const *rcpts = mime_recipients(a, om->recipients, &nrcpts);
    if (!mail_per_recipient(cfg)) {
        d.rcpts = rcpts;
        d.nrcpts = nrcpts;
        at->outcome = mail_deliver(cfg, &d, at->err, sizeof at->err);
        return;
    }
    bool retry = false, refused = false;
    char err[300];
    for (size_t i = 0; i < nrcpts && !(stop && atomic_load(stop)); i++) {
        if (listed(om->delivered_to, rcpts[i]) || listed(om->refused_to, rcpts[i])) {
            refused = refused || listed(om->refused_to, rcpts[i]);
            continue;
        }
        d.rcpts = &rcpts[i];
        d.nrcpts = 1;
        int outcome = mail_deliver(cfg, &d, err, sizeof err);
        if (outcome == MAIL_TEMPORARY) {
            retry = true;
            snprintf(at->err, sizeof at->err, "%s: %s", rcpts[i], err);
            continue;
        }
        if (outcome == MAIL_OK) {
            om->delivered_to = list_add(a, om->delivered_to, rcpts[i]);
        } else {
            refused = true;
            om->refused_to = list_add(a, om->refused_to, rcpts[i]);
            snprintf(at->err, sizeof at->err, "%s refused for good: %s", rcpts[i], err);
        }
        if (db_outbox_progress(db, om->id, om->delivered_to, om->refused_to) != DB_OK)
            log_error("mail %lld: cannot record the delivery to %s", (long long)om->id, rcpts[i]);
    }
    if (stop && atomic_load(stop) && !retry) {
        retry = true;
        snprintf(at->err, sizeof at->err, "stopped before every recipient was tried");
    }
    if (refused && !at->err[0])
        snprintf(at->err, sizeof at->err, "refused for good by: %s", om->refused_to);
    at->outcome = retry ? MAIL_TEMPORARY : refused ? MAIL_PERMANENT : MAIL_OK;
}

/* Records the outcome of one attempt: sent; given up now (a permanent
 * refusal, or retries for 7200 × base); or retried later. */
static int settle(struct db *db, const struct config *cfg, const struct outbox_mail *om,
                  const struct attempt *at, struct outbox_run *run)
{
    int64_t now = (int64_t)time(NULL);
    if (at->outcome == MAIL_OK) {
        run->sent++;
        return db_outbox_sent(db, om->id, now);
    }
    run->failed++;
    int base = cfg->mail_retry_base_seconds;
    bool give_up = !om->event_seq && /* webhooks: never lost */
                   (at->outcome == MAIL_PERMANENT || outbox_give_up(om->created_at, now, base));
    log_error("mail %lld, attempt %lld: %s%s", (long long)om->id, (long long)om->attempts, at->err,
              give_up ? " (given up)" : "");
    return db_outbox_failed(db, om->id, at->err, now + outbox_retry_delay(om->attempts, base), give_up ? now : 0);
}

int outbox_release_dead_claims(struct db *db)
{
    struct arena *a = arena_new();
    int64_t now = (int64_t)time(NULL), *pids;
    size_t n;
    int status = db_outbox_claimers(db, a, now, &pids, &n);
    for (size_t i = 0; i < n && status == DB_OK; i++) {
        /* A claim under our own id is a dead predecessor's (we hold none yet). */
        bool dead = pids[i] == (int64_t)getpid() || (kill((pid_t)pids[i], 0) != 0 && errno == ESRCH);
        if (dead) {
            log_info("mail: releasing the claims of process %lld, which ended", (long long)pids[i]);
            status = db_outbox_release(db, pids[i], now);
        }
    }
    arena_free(a);
    return status == DB_OK ? 0 : -1;
}

int outbox_send_due(struct db *db, const struct crypto_keys *keys, const struct config *cfg,
                    enum outbox_due due, const atomic_bool *stop, struct outbox_run *run)
{
    int status = due == OUTBOX_ALL_UNSENT ? db_outbox_reschedule(db, (int64_t)time(NULL)) : DB_OK;
    struct arena *a = arena_new();
    int64_t pid = (int64_t)getpid();
    while (status == DB_OK && !(stop && atomic_load(stop))) {
        /* One write claims the batch, one transaction settles it (issue 8:
         * a claim and a settle per message were 11 % of a redemption's
         * time).  A crash before the settle sends none twice: SMTP
         * recipients done are stored at once (db_outbox_progress) and a
         * spool file is written again under the same name. */
        int64_t claimed_at = (int64_t)time(NULL);
        struct outbox_mail *mails;
        size_t n, tried = 0;
        status = db_outbox_claim_batch(db, a, claimed_at, claimed_at + CLAIM_SECONDS, pid, OUTBOX_BATCH, &mails, &n);
        if (status != DB_OK || n == 0)
            break;
        struct attempt *at = arena_alloc(a, n * sizeof *at);
        /* the claim covers CLAIM_SECONDS: what is not begun within half of it goes back */
        for (; tried < n && !(stop && atomic_load(stop)) && (int64_t)time(NULL) - claimed_at < CLAIM_SECONDS / 2;
             tried++) {
            at[tried].err[0] = '\0';
            deliver(db, a, keys, cfg, &mails[tried], stop, &at[tried]);
        }
        status = db_begin(db);
        for (size_t i = 0; i < tried && status == DB_OK; i++)
            status = settle(db, cfg, &mails[i], &at[i], run);
        for (size_t i = tried; i < n && status == DB_OK; i++)
            status = db_outbox_unclaim(db, mails[i].id, pid);
        status = db_end(db, status == DB_OK ? 0 : -1) == 0 ? DB_OK : DB_ERROR;
        arena_reset(a);
        if (n < OUTBOX_BATCH)
            break; /* every due message was claimed; new ones wake the sender */
    }
    arena_free(a);
    return status == DB_OK ? 0 : -1;
}
