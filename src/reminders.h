/* reminders — e-mails to the ordering admin before codes expire: for every
 * threshold of [reminders] days_before (default "30,7") and every order
 * with open codes that expire within that many days, one e-mail listing
 * those codes with their recipients, once per order and threshold (table
 * reminders_sent).  When several thresholds are due at once (the job did
 * not run for a while), only the nearest one is sent and the farther ones
 * count as done.  Run daily by voucherd's sender thread and by `voucherctl
 * reminders send [--as-of YYYY-MM-DD]`. */
#ifndef REMINDERS_H
#define REMINDERS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct arena;
struct config;
struct db;

#define REMINDERS_MAX 8

/* Reads "30,7" (1..REMINDERS_MAX distinct whole numbers 1..365, separated
 * by commas, spaces allowed) into days[], ascending.  0, or -1 when text is
 * not such a list. */
int reminders_thresholds(const char *text, int days[REMINDERS_MAX], size_t *n);

/* Queues (at now) every reminder due as of the instant as_of (now, or a
 * day to test with), each order's in its own transaction; *sent counts
 * them.  DB_OK, or DB_ERROR (logged; the reminders queued before stay
 * queued). */
int reminders_send(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                   int64_t as_of, int64_t now, int *sent);

/* reminders_send as of now with its own arena: the sender thread's daily job. */
int reminders_job(struct db *db, const struct config *cfg, const struct crypto_keys *keys, int64_t now);

#endif
