/* housekeeping — the periodic clean-up the data needs: expired sessions,
 * login failures older than their window, and client addresses in the audit
 * and redemption logs older than [privacy] ip_retention_days.  Run by
 * voucherd's sender thread (at start and every HOUSEKEEPING_SECONDS) and by
 * `voucherctl housekeeping`, never on the request path. */
#ifndef HOUSEKEEPING_H
#define HOUSEKEEPING_H

#include <stdint.h>

struct config;
struct crypto_keys;
struct db;

#define HOUSEKEEPING_SECONDS 600

/* One transaction; DB_OK or DB_ERROR (logged), nothing changed on error. */
int housekeeping_run(struct db *db, const struct config *cfg, const struct crypto_keys *keys, int64_t now);

#endif
