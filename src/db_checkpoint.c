/* db_checkpoint — the checkpointer thread: copies the WAL back into the
 * database off the request path (see db.h).
 *
 * Without it, the connection whose COMMIT makes the WAL pass 1,000 pages
 * runs the checkpoint itself, fdatasync of the database file included, in
 * the middle of a request (issue 8: 13–22 % of a redemption's time).  While
 * it runs, every connection of the process carries db_wal_hook instead of
 * SQLite's automatic checkpoint: each COMMIT counts, and one that leaves the
 * WAL past DB_CHECKPOINT_PAGES wakes the thread.  The thread runs a PASSIVE
 * checkpoint (never blocks a reader or a writer, copies what no reader
 * still needs) at once when woken and every DB_CHECKPOINT_PERIOD_MS while
 * commits arrive; after DB_CHECKPOINT_IDLE_MS without a commit, and when no
 * writer of this process is busy, one TRUNCATE checkpoint (busy timeout 0:
 * it gives up at once instead of waiting for a reader such as a running
 * `voucherctl backup`) empties the WAL file.
 *
 * Durability is SQLite's own: a COMMIT is durable once its frames are in the
 * WAL (synchronous=FULL syncs them before COMMIT returns); a checkpoint only
 * copies committed frames into the database and syncs it (under the same
 * synchronous level) before the WAL may be reused.  A kill -9 at any point
 * leaves the WAL, which the next open replays. */
#include "db_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "mem.h"

struct db_checkpointer {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool woken, stop; /* under lock */
    pthread_t thread;
    struct db *db; /* the thread's own connection */
};

/* The process's one checkpointer while it runs (NULL otherwise), read by
 * the WAL hook of every connection; the counters are the thread's gauges. */
static _Atomic(struct db_checkpointer *) running;
static atomic_bool requested; /* a commit asked for a checkpoint not yet begun */
static atomic_llong commits;  /* commits of this process's connections */
static atomic_llong checkpoints, truncates;

static void wake(struct db_checkpointer *c)
{
    pthread_mutex_lock(&c->lock);
    c->woken = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

int db_wal_hook(void *arg, sqlite3 *conn, const char *name, int pages)
{
    (void)arg;
    atomic_fetch_add(&commits, 1);
    struct db_checkpointer *c = atomic_load(&running);
    if (!c) { /* no checkpointer: SQLite's automatic checkpoint, in the committing thread */
        if (pages >= DB_CHECKPOINT_PAGES)
            sqlite3_wal_checkpoint_v2(conn, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        return SQLITE_OK;
    }
    if (pages < DB_CHECKPOINT_PAGES)
        return SQLITE_OK;
    /* pending: an earlier commit woke the thread and it has not begun yet. */
    bool pending = atomic_exchange(&requested, true);
    if (!pending)
        wake(c);
    /* The thread lags far behind (no core for it on a loaded machine): this
     * commit, still holding the writer mutex, copies the WAL itself, so the
     * file stays bounded (SQLITE_BUSY when the thread is copying: it goes on).
     * Only when the thread lags: one large commit (an order of 10,000 codes
     * writes ~8,400 frames) passes the limit by itself, and copying them in
     * its request would double that request's writes. */
    if (pending && pages >= DB_CHECKPOINT_LIMIT_PAGES)
        sqlite3_wal_checkpoint_v2(conn, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

/* One checkpoint of the given mode; false when it could not complete.
 * *frames (may be NULL) receives the WAL's size in frames. */
static bool checkpoint(struct db_checkpointer *c, int mode, int *frames)
{
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(c->db->conn, NULL, mode, &log, &done);
    if (frames)
        *frames = log;
    if (rc == SQLITE_OK) {
        atomic_fetch_add(mode == SQLITE_CHECKPOINT_TRUNCATE ? &truncates : &checkpoints, 1);
        return log == done;
    }
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
        log_error("checkpointer: %s (%d)", sqlite3_errmsg(c->db->conn), rc);
    return false;
}

/* The TRUNCATE when idle: only while no writer of this process holds the
 * writer mutex (they would wait for it), and never waiting for a reader. */
static bool truncate_wal(struct db_checkpointer *c)
{
    if (!db_writer_trylock(c->db))
        return false;
    bool done = checkpoint(c, SQLITE_CHECKPOINT_TRUNCATE, NULL);
    db_writer_release(c->db);
    return done;
}

/* The PASSIVE checkpoint, done beside the writers.  Under steady writes a
 * new frame is always committed before a writer could start the WAL over
 * (SQLite does so only when every frame is copied), so the file would grow
 * without end; when it has passed DB_CHECKPOINT_PAGES, a second PASSIVE
 * pass copies the few frames committed meanwhile while holding the writer
 * mutex (the writers queue for about one commit's time), and the next
 * writer then starts the WAL from its beginning. */
static void checkpoint_passive(struct db_checkpointer *c)
{
    int frames = 0;
    checkpoint(c, SQLITE_CHECKPOINT_PASSIVE, &frames);
    if (frames < DB_CHECKPOINT_PAGES)
        return; /* short enough (or a reader still needs older frames): the next round */
    db_writer_lock(c->db);
    checkpoint(c, SQLITE_CHECKPOINT_PASSIVE, NULL);
    db_writer_release(c->db);
}

static void *run(void *arg)
{
    struct db_checkpointer *c = arg;
    long long seen = atomic_load(&commits), checkpointed = seen;
    struct timespec last_commit;
    clock_gettime(CLOCK_MONOTONIC, &last_commit);
    bool truncated = false;
    pthread_mutex_lock(&c->lock);
    while (!c->stop) {
        if (!c->woken) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += DB_CHECKPOINT_PERIOD_MS % 1000 * 1000000L;
            until.tv_sec += DB_CHECKPOINT_PERIOD_MS / 1000 + until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&c->wake, &c->lock, &until);
        }
        bool woken = c->woken;
        c->woken = false;
        if (c->stop)
            break;
        pthread_mutex_unlock(&c->lock);

        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long n = atomic_load(&commits);
        if (n != seen) {
            seen = n;
            last_commit = now;
            truncated = false;
        }
        if (woken || n != checkpointed) {
            atomic_store(&requested, false);
            checkpointed = n;
            checkpoint_passive(c);
        } else if (!truncated && (now.tv_sec - last_commit.tv_sec) * 1000 +
                                         (now.tv_nsec - last_commit.tv_nsec) / 1000000 >=
                                     DB_CHECKPOINT_IDLE_MS) {
            truncated = truncate_wal(c);
        }
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

struct db_checkpointer *db_checkpointer_start(const char *path, char *err, size_t errlen)
{
    if (atomic_load(&running)) {
        snprintf(err, errlen, "a checkpointer is already running");
        return NULL;
    }
    struct db_checkpointer *c = xcalloc(1, sizeof *c);
    c->db = db_open(path, DB_OPEN_CHECK, err, errlen);
    if (!c->db) {
        free(c);
        return NULL;
    }
    db_set_busy_timeout(c->db, 0); /* TRUNCATE never waits for a reader */
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    atomic_store(&running, c); /* before the thread: connections opened from now on wake it */
    int failed = pthread_create(&c->thread, NULL, run, c);
    if (failed != 0) {
        atomic_store(&running, NULL);
        snprintf(err, errlen, "checkpointer thread cannot start: %s", strerror(failed));
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->lock);
        db_close(c->db);
        free(c);
        return NULL;
    }
    return c;
}

void db_checkpointer_stop(struct db_checkpointer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stop = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    atomic_store(&running, NULL); /* commits from now on checkpoint themselves again */
    /* A last one, so a clean stop leaves the WAL empty (a reader still
     * running elsewhere only keeps it from being truncated). */
    if (!truncate_wal(c))
        checkpoint(c, SQLITE_CHECKPOINT_PASSIVE, NULL);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    db_close(c->db);
    free(c);
}

void db_checkpointer_counts(int64_t *passive, int64_t *truncated)
{
    *passive = atomic_load(&checkpoints);
    *truncated = atomic_load(&truncates);
}
