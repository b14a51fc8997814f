/* sender — see sender.h. */
#include "sender.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mem.h"
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
    const struct sender_job *jobs; /* borrowed from the starter, njobs of them */
    size_t njobs;
    int64_t *last_run; /* per job: when it last ran (0 = never) */
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

/* Runs every periodic job that is due (at start, then every period). */
static void run_due_jobs(struct sender *s)
{
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < s->njobs; i++) {
        const struct sender_job *job = &s->jobs[i];
        if (s->last_run[i] != 0 && now - s->last_run[i] < job->period_seconds)
            continue;
        if (job->run(s->db, s->app->cfg, &s->app->keys, now) != DB_OK)
            log_error("%s: database error, trying again later", job->name);
        s->last_run[i] = now;
    }
}

static void *run(void *arg)
{
    struct sender *s = arg;
    while (!atomic_load(&s->stop)) {
        run_due_jobs(s);
        struct outbox_run done = {0};
        if (outbox_send_due(s->db, &s->app->keys, s->app->cfg, OUTBOX_DUE_NOW, &s->stop, &done) != 0)
            log_error("mail sender: database error, trying again later");
        if (done.sent || done.failed)
            log_info("mail sender: %d sent, %d failed", done.sent, done.failed);
        wait_for_work(s, sleep_seconds(s));
    }
    return NULL;
}

struct sender *sender_start(const struct app *app, const struct sender_job *jobs, size_t njobs)
{
    char err[512];
    struct sender *s = xcalloc(1, sizeof *s);
    s->app = app;
    s->jobs = jobs;
    s->njobs = njobs;
    s->last_run = xcalloc(njobs ? njobs : 1, sizeof *s->last_run);
    s->db = db_open(app->cfg->database_path, DB_OPEN_CHECK, err, sizeof err);
    if (!s->db) {
        log_error("mail sender: %s", err);
        free(s->last_run);
        free(s);
        return NULL;
    }
    if (outbox_release_dead_claims(s->db) != 0)
        log_error("mail sender: cannot release the claims of ended senders (they wait out their time)");
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    atomic_init(&s->stop, false);
    int failed = pthread_create(&s->thread, NULL, run, s);
    if (failed != 0) {
        log_error("mail sender: thread cannot start: %s", strerror(failed));
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        db_close(s->db);
        free(s->last_run);
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
    free(s->last_run);
    free(s);
}
