/* sender — voucherd's background thread: delivers the outbox (see
 * outbox.h) with its own database connection, when woken after an order
 * and whenever a retry falls due (at least every 30 s it looks again), and
 * runs the housekeeping (housekeeping.h) at start and every 10 minutes. */
#ifndef SENDER_H
#define SENDER_H

struct app;
struct sender;

/* Starts the thread.  NULL (logged) when its database cannot be opened. */
struct sender *sender_start(const struct app *app);
/* Asks the thread to look at the outbox now.  Harmless with NULL. */
void sender_wake(struct sender *s);
/* Stops the thread (a transfer in flight is aborted) within about a
 * second, joins it and frees s.  Harmless with NULL. */
void sender_stop(struct sender *s);

#endif
