/* outbox — e-mail that must not be lost.  It is queued in the transaction
 * of what it reports (body and attachments sealed under the key file, as
 * they hold voucher codes) and delivered later by a sender: voucherd's
 * sender thread or `voucherctl mail send`.  Each message is claimed by one
 * sender at a time; a failed delivery is retried with growing delays and
 * given up after 7200 × [mail] retry_base_seconds (5 days at the default),
 * with the error kept in the outbox.  By SMTP each recipient gets its own
 * transfer: one that refuses for good (550-554) is not retried and does not
 * keep the others from their copy; such a message is given up at once (for
 * support to see and resend).  Every attempt carries the same Message-ID. */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "crypto.h"

struct arena;
struct config;
struct db;
struct mail_message;

/* Stores m (its from is ignored: the sender uses [mail] from) due at once.
 * Call inside the caller's transaction.  DB_OK or DB_ERROR. */
int outbox_queue(struct db *db, const struct crypto_keys *keys, struct arena *a,
                 const struct mail_message *m, int64_t now);
/* outbox_queue, and *id (when not NULL) receives the message's id, e.g. to
 * show its delivery state later. */
int outbox_queue_id(struct db *db, const struct crypto_keys *keys, struct arena *a,
                    const struct mail_message *m, int64_t now, int64_t *id);

/* The same for the mail of an order (support sees it on the order and can
 * send it again). */
int outbox_queue_for_order(struct db *db, const struct crypto_keys *keys, struct arena *a,
                           const struct mail_message *m, int64_t order_id, int64_t now);

/* Releases the claims of senders that are no longer running (a voucherd or
 * voucherctl killed during a delivery), so their messages go out now rather
 * than after the claim's 600 s.  Call at a sender's start.  0 or -1. */
int outbox_release_dead_claims(struct db *db);

struct outbox_run {
    int sent, failed;
};

enum outbox_due {
    OUTBOX_DUE_NOW,   /* the messages whose (retry) time has come */
    OUTBOX_ALL_UNSENT /* every unsent message not given up, retry time or not */
};

/* Delivers the messages that are due and that no other sender holds, until
 * none is left or *stop (may be NULL) is set: claimed 32 at a time in one
 * write, tried one by one, their outcomes stored in one transaction; a
 * message that fails now waits for its retry.  Adds to run.  0, or -1 on a database
 * error. */
int outbox_send_due(struct db *db, const struct crypto_keys *keys, const struct config *cfg,
                    enum outbox_due due, const atomic_bool *stop, struct outbox_run *run);

/* Seconds from a failed attempt to the next one after `attempts` attempts:
 * 1, 5, 15, 60 × base, then 360 × base. */
int64_t outbox_retry_delay(int64_t attempts, int base);
/* True when a message created at created_at is given up after failing at now. */
bool outbox_give_up(int64_t created_at, int64_t now, int base);

#endif
