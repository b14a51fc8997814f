/* sender — see sender.h. */
#include "sender.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "housekeeping.h"
#include "log.h"
#include "outbox.h"

#define MAX_SLEEP_SECONDS 30

struct sender {
    const struct app *app;
    struct db *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool woken;        /* under lock: look again at once */
    atomic_bool stop;  /* set once by sender_stop */
};

/* Seconds until the next message falls due, within 1..MAX_SLEEP_SECONDS. */
static int64_t sleep_seconds(struct sender *s)
{
    int64_t when = 0, now = (int64_t)time(NULL);
    if (db_outbox_next_due(s->db, &when) != DB_OK || when == 0 || when - now > MAX_SLEEP_SECONDS)
        return MAX_SLEEP_SECONDS;
    return when > now ? when - now : 1;
}

static void wait_for_work(struct sender *s, int64_t seconds)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)seconds;
    pthread_mutex_lock(&s->lock);
    while (!s->woken && !atomic_load(&s->stop) &&
           pthread_cond_timedwait(&s->wake, &s->lock, &until) == 0)
        ;
    s->woken = false;
    pthread_mutex_unlock(&s->lock);
}

/* The clean-up of housekeeping.h when it is due. */
static void tidy(struct sender *s, int64_t *last)
{
    int64_t now = (int64_t)time(NULL);
    if (now - *last < HOUSEKEEPING_SECONDS)
        return;
    if (housekeeping_run(s->db, s->app->cfg, now) != DB_OK)
        log_error("housekeeping: database error, trying again later");
    *last = now;
}

static void *run(void *arg)
{
    struct sender *s = arg;
    int64_t last_tidy = 0;
    while (!atomic_load(&s->stop)) {
        tidy(s, &last_tidy);
        struct outbox_run done = {0};
        if (outbox_send_due(s->db, &s->app->keys, s->app->cfg, OUTBOX_DUE_NOW, &s->stop, &done) != 0)
            log_error("mail sender: database error, trying again later");
        if (done.sent || done.failed)
            log_info("mail sender: %d sent, %d failed", done.sent, done.failed);
        wait_for_work(s, sleep_seconds(s));
    }
    return NULL;
}

struct sender *sender_start(const struct app *app)
{
    char err[512];
    struct sender *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->app = app;
    s->db = db_open(app->cfg->database_path, DB_OPEN_CHECK, err, sizeof err);
    if (!s->db) {
        log_error("mail sender: %s", err);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    atomic_init(&s->stop, false);
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        log_error("mail sender: cannot start its thread");
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        db_close(s->db);
        free(s);
        return NULL;
    }
    return s;
}

void sender_wake(struct sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->woken = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void sender_stop(struct sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stop, true);
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    db_close(s->db);
    free(s);
}
