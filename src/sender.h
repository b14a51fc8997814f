/* sender — voucherd's background thread: delivers the outbox (see
 * outbox.h) with its own database connection, when woken after an order
 * and whenever a retry falls due (at least every 30 s it looks again), and
 * runs the periodic jobs its starter hands it (voucherd: the housekeeping)
 * at start and every job's period.  It knows no job itself: the jobs belong
 * to the domain layer above it, the starter wires them in. */
#ifndef SENDER_H
#define SENDER_H

#include <stddef.h>
#include <stdint.h>

struct app;
struct config;
struct crypto_keys;
struct db;
struct sender;

/* A periodic job: run(db, cfg, keys, now) on the sender's own connection at
 * start and then every period_seconds (keys: for jobs that queue mail); it
 * returns DB_OK, or a DB_* error (logged under name, tried again a period
 * later). */
struct sender_job {
    const char *name;
    int64_t period_seconds;
    int (*run)(struct db *db, const struct config *cfg, const struct crypto_keys *keys, int64_t now);
};

/* Starts the thread with njobs periodic jobs (borrowed: they must outlive
 * the sender).  NULL (logged) when its database cannot be opened or the
 * thread cannot start; voucherd then refuses to serve. */
struct sender *sender_start(const struct app *app, const struct sender_job *jobs, size_t njobs);
/* Asks the thread to look at the outbox now.  Harmless with NULL. */
void sender_wake(struct sender *s);
/* Stops the thread (a transfer in flight is aborted) within about a
 * second, joins it and frees s.  Harmless with NULL. */
void sender_stop(struct sender *s);

#endif
