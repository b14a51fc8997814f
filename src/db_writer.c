/* db_writer — who writes when: the process's writer mutex, the busy
 * handler, write transactions (db_begin/db_commit/db_rollback) and
 * voucherd's group commit.
 *
 * One writer at a time.  SQLite lets one connection write at a time; a
 * second one waiting for the lock sleeps in the busy handler (1, 2, 5 ...
 * 100 ms) and often sleeps on after the lock is free (issue 8: 0.75 sleeps
 * per redemption).  Within this process the writers instead queue on one
 * pthread mutex, held from BEGIN to COMMIT/ROLLBACK and around each write
 * outside a transaction, so the lock passes to the next writer the moment
 * it is released.  Other processes (voucherctl, a second voucherd) are
 * still waited for by on_busy's sleeps, up to the busy timeout.
 *
 * Group commit (voucherd, db_group_start).  With synchronous=FULL every
 * COMMIT waits for an fsync of the WAL (~1.5 ms here), and one write
 * transaction after the other could not pass ~650 redemptions/s however
 * fast the rest became.  In group mode every db_begin..db_commit runs on
 * one shared writer connection as a member of the batch open there (the
 * first member's BEGIN IMMEDIATE opens it; a member that joins it is a
 * SAVEPOINT, released at its db_commit, undone at its db_rollback); then, if
 * another thread is already queued for the writer mutex, the member hands
 * the mutex on and waits, and the last member of a batch (nobody queued
 * behind it, or GROUP_MAX members) COMMITs for all of them: one fsync per
 * batch.  db_commit returns only after that COMMIT is durable, with its
 * outcome: a member is confirmed exactly when its writes are on disk, and a
 * batch whose COMMIT fails fails every member (none of them was confirmed,
 * none is kept).  A member that rolls back undoes its savepoint alone.  A
 * writer outside a transaction (an autocommit UPDATE, the checkpointer)
 * commits the open batch before it writes, so nothing waits behind it.
 * The members are serialised by the mutex, as before: each sees what the
 * members before it wrote, as it would after their COMMITs. */
#include "db_internal.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"

/* Members of one batch at most: bounds the wait of the first one. */
#define GROUP_MAX 32

static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;
static atomic_int writer_held; /* 1 while this process holds SQLite's write lock (a writer or an open batch) */
static atomic_int queued;      /* threads waiting for writer */

/* A member whose savepoint is released, waiting for its batch's COMMIT;
 * lives on that member's stack. */
struct member {
    int status; /* the COMMIT's outcome, once done */
    bool done;  /* under group.mx */
    struct member *next;
};

static struct {
    struct db *db;          /* the shared writer connection; NULL: group commit off */
    bool open;              /* BEGIN IMMEDIATE done on db and not yet ended (under writer) */
    bool savepoint;         /* the running member joined an open batch: it is SAVEPOINT member (under writer) */
    int held;               /* members waiting in the open batch (under writer) */
    struct member *members; /* those members (under writer) */
    pthread_mutex_t mx;     /* with done: a member's wait for its COMMIT */
    pthread_cond_t done;
    atomic_llong commits, transactions; /* batches committed, member transactions in them */
} group = {.mx = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

static int exec_simple(struct db *db, const char *sql)
{
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? DB_OK : db_step_error(db, rc);
}

/* After a db_begin_large transaction on c: the page cache back to its size,
 * and the pages the transaction kept (clean once it ended) given back to
 * the heap.  Harmless on any other connection. */
static void end_large(struct db *c)
{
    if (!c->cache_size_before)
        return;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)c->cache_size_before);
    c->cache_size_before = 0;
    if (sqlite3_exec(c->conn, sql, NULL, NULL, NULL) != SQLITE_OK)
        log_error("sqlite: %s: %s", sql, sqlite3_errmsg(c->conn));
    sqlite3_db_release_memory(c->conn);
    /* ... and the heap gives them back to the system: thousands of 4 KiB
     * pages freed amid live allocations stay resident otherwise (after a
     * bench run: 47.8 MB of heap, 9.7 MB of it in use). */
    malloc_trim(0);
}

/* Ends the open batch, if any (caller holds writer): COMMIT when it holds members,
 * ROLLBACK when it holds none; tells each member the outcome.  A batch
 * SQLite already rolled back (an I/O error, a full disk) fails them all. */
static void batch_end(void)
{
    int status = DB_OK;
    struct db *g = group.db;
    if (!g || !group.open)
        return; /* nothing open: every writer outside a batch calls it on taking writer */
    if (group.held == 0)
        sqlite3_exec(g->conn, "ROLLBACK", NULL, NULL, NULL);
    else if (sqlite3_get_autocommit(g->conn)) {
        log_error("sqlite: a group commit's transaction was rolled back; %d transactions fail", group.held);
        status = DB_ERROR;
    } else if ((status = exec_simple(g, "COMMIT")) != DB_OK)
        sqlite3_exec(g->conn, "ROLLBACK", NULL, NULL, NULL);
    if (status == DB_OK && group.held > 0) {
        atomic_fetch_add(&group.commits, 1);
        atomic_fetch_add(&group.transactions, group.held);
    }
    pthread_mutex_lock(&group.mx);
    for (struct member *m = group.members; m; m = m->next) {
        m->status = status;
        m->done = true;
    }
    pthread_cond_broadcast(&group.done);
    pthread_mutex_unlock(&group.mx);
    group.members = NULL;
    group.held = 0;
    group.open = false;
    end_large(g);
}

static void take(void)
{
    atomic_fetch_add(&queued, 1);
    pthread_mutex_lock(&writer);
    atomic_fetch_sub(&queued, 1);
}

/* Releases writer.  An open batch stays open past it only while it holds
 * members and another thread is queued to take writer next (which joins or
 * ends it); otherwise it ends here. */
static void give(void)
{
    if (group.open && (group.held == 0 || group.held >= GROUP_MAX || atomic_load(&queued) == 0))
        batch_end();
    atomic_store(&writer_held, group.open);
    pthread_mutex_unlock(&writer);
}

/* db now holds writer (taken by the caller). */
static void writer_taken(struct db *db)
{
    atomic_store(&writer_held, 1);
    db->writing = true;
}

void db_writer_lock(struct db *db)
{
    take();
    batch_end();
    writer_taken(db);
}

bool db_writer_trylock(struct db *db)
{
    if (db->writing || pthread_mutex_trylock(&writer) != 0)
        return false;
    batch_end();
    writer_taken(db);
    return true;
}

void db_writer_release(struct db *db)
{
    if (!db->writing)
        return;
    db->writing = false;
    give();
}

bool db_step_begin(struct db *db, sqlite3_stmt *st)
{
    if (db->writing || !sqlite3_get_autocommit(db->tx->conn) || sqlite3_stmt_readonly(st))
        return false;
    db_writer_lock(db);
    return true;
}

void db_step_end(struct db *db, bool locked)
{
    if (locked)
        db_writer_release(db);
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int db_on_busy(void *arg, int count)
{
    static const int delays_ms[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
    struct db *db = arg;
    int64_t now = monotonic_ms();
    if (count == 0)
        db->busy_since_ms = now;
    int64_t left = db->busy_timeout_ms - (now - db->busy_since_ms);
    if (left <= 0)
        return 0;
    if (!db->writing && atomic_load(&writer_held)) {
        take(); /* returns when that writer is done; an open batch ends here */
        batch_end();
        give();
        return 1;
    }
    int64_t ms = delays_ms[count < 12 ? count : 11];
    if (ms > left)
        ms = left;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
    return 1;
}

/* ---- write transactions ---- */

/* Opens the batch on the shared connection, or joins the open one; writer
 * is held.  Only a member that joins needs a savepoint: the one that opens
 * it is alone in it until it ends (the others queue for writer meanwhile),
 * and its rollback is the transaction's. */
static int member_begin(struct db *db)
{
    struct db *g = group.db;
    if (group.open && sqlite3_get_autocommit(g->conn))
        batch_end(); /* SQLite rolled it back: its members fail */
    group.savepoint = group.open;
    int status = group.open ? exec_simple(g, "SAVEPOINT member") : exec_simple(g, "BEGIN IMMEDIATE");
    if (status == DB_OK) {
        group.open = true;
        db->tx = g;
    }
    return status;
}

static int int_of_row(void *out, int ncols, char **values, char **names)
{
    (void)names;
    if (ncols == 1 && values[0])
        *(int64_t *)out = strtoll(values[0], NULL, 10);
    return 0;
}

/* Raises the page cache of c (the connection the transaction will run on)
 * to pages + DB_LARGE_CACHE_PAGES; end_large restores it.  Left as it is
 * when the size cannot be read or set. */
static void begin_large(struct db *c, size_t pages)
{
    int64_t before = 0; /* as SQLite gives it: pages, or -KiB (its default -2000) */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %zu", pages + DB_LARGE_CACHE_PAGES);
    if (!c->cache_size_before && sqlite3_exec(c->conn, "PRAGMA cache_size", int_of_row, &before, NULL) == SQLITE_OK &&
        before != 0 && exec_simple(c, sql) == DB_OK)
        c->cache_size_before = before;
}

/* db_begin and db_begin_large (pages > 0).  A large transaction opens a
 * batch of its own (the open one is committed first): it never runs inside
 * a savepoint, and the page cache it raises is the shared connection's. */
static int begin(struct db *db, size_t pages)
{
    if (db->writing) { /* a transaction already open on this connection */
        log_error("sqlite: db_begin inside a write transaction");
        return DB_ERROR;
    }
    take();
    writer_taken(db);
    struct db *c = group.db ? group.db : db;
    if (pages > 0) {
        batch_end();
        begin_large(c, pages);
    }
    int status = group.db ? member_begin(db) : exec_simple(db, "BEGIN IMMEDIATE");
    if (status != DB_OK) {
        if (!group.open)
            end_large(c);
        db_writer_release(db);
    }
    return status;
}

int db_begin(struct db *db)
{
    return begin(db, 0);
}

int db_begin_large(struct db *db, size_t pages)
{
    return begin(db, pages > 0 ? pages : 1);
}

/* Ends a member's savepoint (undoing it unless keep) and gives writer on;
 * kept, waits for the batch's COMMIT and returns its outcome. */
static int member_end(struct db *db, bool keep)
{
    struct db *g = db->tx;
    struct member me = {.status = DB_OK};
    db->tx = db;
    int status = DB_ERROR;
    if (!sqlite3_get_autocommit(g->conn)) {
        if (keep)
            status = group.savepoint ? exec_simple(g, "RELEASE member") : DB_OK;
        if (status != DB_OK && group.savepoint) {
            sqlite3_exec(g->conn, "ROLLBACK TO member", NULL, NULL, NULL);
            sqlite3_exec(g->conn, "RELEASE member", NULL, NULL, NULL);
        } else if (status != DB_OK) { /* the member that opened the batch: alone in it */
            sqlite3_exec(g->conn, "ROLLBACK", NULL, NULL, NULL);
            group.open = false;
            end_large(g);
        }
    }
    if (status == DB_OK) {
        me.next = group.members;
        group.members = &me;
        group.held++;
    }
    db_writer_release(db);
    if (status != DB_OK)
        return keep ? DB_ERROR : DB_OK;
    pthread_mutex_lock(&group.mx);
    while (!me.done)
        pthread_cond_wait(&group.done, &group.mx);
    pthread_mutex_unlock(&group.mx);
    return me.status;
}

int db_commit(struct db *db)
{
    if (db->tx != db)
        return member_end(db, true);
    int status = exec_simple(db, "COMMIT");
    if (status != DB_OK) {
        db_rollback(db); /* releases the writer mutex too */
    } else {
        db_writer_release(db);
        end_large(db);
    }
    return status;
}

void db_rollback(struct db *db)
{
    if (db->tx != db) {
        member_end(db, false);
        return;
    }
    if (!sqlite3_get_autocommit(db->conn))
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
    db_writer_release(db);
    end_large(db);
}

int db_end(struct db *db, int rc)
{
    if (rc == 0)
        return db_commit(db) == DB_OK ? 0 : -1;
    db_rollback(db);
    return rc;
}

int db_read_begin(struct db *db)
{
    return exec_simple(db->tx, "BEGIN DEFERRED");
}

void db_read_end(struct db *db)
{
    if (!sqlite3_get_autocommit(db->tx->conn))
        sqlite3_exec(db->tx->conn, "COMMIT", NULL, NULL, NULL);
}

/* ---- group commit ---- */

int db_group_start(const char *path, char *err, size_t errlen)
{
    struct db *g = db_open(path, DB_OPEN_CHECK, err, errlen);
    if (!g)
        return -1;
    g->writing = true; /* its busy handler waits only for other processes: writer is held whenever it runs */
    /* A joining member's savepoint keeps the original of every page it
     * changes in the sub-journal.  In memory (temp_store MEMORY, as the
     * other connections have it) SQLite 3.40 walks that journal's 1 KiB
     * chunks from the start each time a statement with a trigger (every
     * voucher INSERT) releases its own savepoint: 10,000 codes inserted in
     * a savepoint took 205 s instead of 0.6 s.  In a temporary file,
     * truncated in place, they take 0.85 s; statement journals under
     * 64 KiB stay in memory either way. */
    if (sqlite3_exec(g->conn, "PRAGMA temp_store = FILE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure the group commit connection: %s", sqlite3_errmsg(g->conn));
        db_close(g);
        return -1;
    }
    take();
    group.db = g;
    give();
    return 0;
}

void db_group_stop(void)
{
    take();
    batch_end();
    struct db *g = group.db;
    group.db = NULL;
    give();
    if (g) {
        g->writing = false;
        db_close(g);
    }
}

void db_group_counts(int64_t *commits, int64_t *transactions)
{
    *commits = atomic_load(&group.commits);
    *transactions = atomic_load(&group.transactions);
}

int db_group_queued(void)
{
    return atomic_load(&queued);
}
