/* webhook — the LMS webhook: each entry of the enrollment feed POSTed as
 * JSON to [lms] webhook_url, with "X-Voucher-Signature: sha256=HEX"
 * (HMAC-SHA256 of the body under [lms] webhook_secret) and
 * "X-Voucher-Event-Id: SEQ".  Deliveries are outbox rows (outbox.c claims,
 * retries and settles them like mail); this module builds and sends one.
 * Also the one writer of a feed entry's JSON, shared with the API. */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct config;
struct db;
struct feed_entry;

/* A time as the API writes it: UTC "YYYY-MM-DDTHH:MM:SSZ". */
#define WEBHOOK_TIME_SIZE 32
void webhook_time(int64_t t, char out[WEBHOOK_TIME_SIZE]);

/* Appends the entry as a JSON object {"seq", "event", "username", "email",
 * "first_name", "last_name", "municipality_gkz", "course", "at"} ("at" as
 * UTC "YYYY-MM-DDTHH:MM:SSZ").  Cannot fail. */
void webhook_entry_json(struct buf *b, const struct feed_entry *e);

/* Sends the feed entry seq once.  0 when the receiver answered 2xx, else -1
 * with a one-line reason in err (no webhook_url, entry missing, connection,
 * timeout, or the HTTP status). */
int webhook_deliver(struct db *db, const struct config *cfg, int64_t seq, const atomic_bool *stop, char *err,
                    size_t errlen);

#endif
