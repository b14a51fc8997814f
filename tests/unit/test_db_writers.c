/* Unit tests for the writers of one process (src/db_writer.c: the writer
 * mutex and group commit) and the checkpointer thread (src/db_checkpoint.c),
 * on database files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db_internal.h"
#include "mem.h"
#include "raw_sql.h"

/* A new, migrated database file in a fresh temporary directory. */
static void new_database(char *dir, size_t dirlen, char *path, size_t pathlen)
{
    snprintf(dir, dirlen, "/tmp/test_db_writers_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, pathlen, "%s/voucher.db", dir);
    char err[256] = "";
    struct db *db = db_open(path, DB_OPEN_MIGRATE, err, sizeof err);
    if (!db)
        fail_msg("db_open: %s", err);
    db_close(db);
}

static void remove_database(const char *dir, const char *path)
{
    db_remove_file(path);
    rmdir(dir);
}

static off_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* A short pause between two looks at a condition that another thread
 * brings about (polling, not a timed wait for it). */
static void pause_briefly(void)
{
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* ---- several writer threads of one process ---- */

#define WRITERS 8
#define ROUNDS 60

struct writer_job {
    const char *path;
    int index;
    int failures; /* writes that did not commit */
};

/* Each thread: its own connection with a busy timeout of 0, so any write
 * that met another thread's lock would fail at once with SQLITE_BUSY
 * (without the writer mutex they do, within a few rounds); per round one
 * transaction of two audit rows and one write outside a transaction. */
static void *writer_thread(void *arg)
{
    struct writer_job *job = arg;
    char err[256];
    struct db *db = db_open(job->path, DB_OPEN_CHECK, err, sizeof err);
    if (!db) {
        job->failures = ROUNDS * 3;
        return NULL;
    }
    db_set_busy_timeout(db, 0);
    for (int i = 0; i < ROUNDS; i++) {
        char subject[64];
        snprintf(subject, sizeof subject, "w%d-%d", job->index, i);
        if (db_begin(db) != DB_OK) {
            job->failures += 2;
        } else {
            int status = db_audit_add(db, 0, AUDIT_CATALOG_EDIT, subject, "a", NULL, i);
            if (status == DB_OK)
                status = db_audit_add(db, 0, AUDIT_CATALOG_EDIT, subject, "b", NULL, i);
            if (db_end(db, status == DB_OK ? 0 : -1) != 0)
                job->failures += 2;
        }
        if (db_audit_add(db, 0, AUDIT_CATALOG_ADD, subject, "", NULL, i) != DB_OK)
            job->failures++;
    }
    db_close(db);
    return NULL;
}

/* WRITERS threads of writer_thread on a new database; group: with group commit. */
static void run_writer_threads(bool group)
{
    char dir[64], path[128], err[256] = "";
    new_database(dir, sizeof dir, path, sizeof path);
    int64_t commits0, transactions0, commits, transactions;
    db_group_counts(&commits0, &transactions0);
    if (group && db_group_start(path, err, sizeof err) != 0)
        fail_msg("db_group_start: %s", err);
    pthread_t threads[WRITERS];
    struct writer_job jobs[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        jobs[i] = (struct writer_job){.path = path, .index = i};
        assert_int_equal(pthread_create(&threads[i], NULL, writer_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(jobs[i].failures, 0);
    }
    db_group_stop();
    db_group_counts(&commits, &transactions);
    if (group) { /* every transaction in some batch; how many batches depends on scheduling */
        assert_int_equal(transactions - transactions0, WRITERS * ROUNDS);
        assert_in_range(commits - commits0, 1, WRITERS * ROUNDS);
        fprintf(stderr, "group commit: %d transactions in %lld commits\n", WRITERS * ROUNDS,
                (long long)(commits - commits0));
    } else {
        assert_int_equal(transactions, transactions0);
    }
    struct db *db = db_open(path, DB_OPEN_CHECK, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'catalog.edit'"), WRITERS * ROUNDS * 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'catalog.add'"), WRITERS * ROUNDS);
    /* both rows of each transaction, none alone */
    assert_int_equal(query_int(db, "SELECT count(*) FROM (SELECT subject FROM audit_log WHERE action = 'catalog.edit'"
                                   " GROUP BY subject HAVING count(*) <> 2)"),
                     0);
    db_close(db);
    remove_database(dir, path);
}

static void test_writer_threads_queue_on_the_mutex_and_every_write_lands(void **state)
{
    (void)state;
    run_writer_threads(false);
}

static void test_writer_threads_with_group_commit_every_write_lands_once(void **state)
{
    (void)state;
    run_writer_threads(true);
}

/* ---- group commit, step by step ---- */

#define MEMBERS 8

struct member_job {
    const char *path;
    int index;
    bool roll_back;  /* ends its transaction with db_rollback */
    bool autocommit; /* writes outside a transaction instead */
    bool large;      /* begins with db_begin_large */
    int status;      /* what db_commit (or the write) answered */
};

static void *member_thread(void *arg)
{
    struct member_job *job = arg;
    char err[256], subject[32];
    snprintf(subject, sizeof subject, "m%d", job->index);
    struct db *db = db_open(job->path, DB_OPEN_CHECK, err, sizeof err);
    if (!db) {
        job->status = DB_ERROR;
        return NULL;
    }
    if (job->autocommit) {
        job->status = db_audit_add(db, 0, AUDIT_CATALOG_ADD, subject, "", NULL, 1);
    } else if ((job->status = job->large ? db_begin_large(db, 5000) : db_begin(db)) == DB_OK) {
        job->status = db_audit_add(db, 0, AUDIT_CATALOG_EDIT, subject, "", NULL, 1);
        if (job->roll_back)
            db_rollback(db);
        else if (job->status == DB_OK)
            job->status = db_commit(db);
    }
    db_close(db);
    return NULL;
}

/* Starts n member threads and waits until all of them queue for the writer
 * mutex, which db (in a transaction) holds. */
static void queue_members(pthread_t *threads, struct member_job *jobs, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, member_thread, &jobs[i]), 0);
    while (db_group_queued() < n)
        pause_briefly();
}

/* A new database with group commit started, the counters as they were, and
 * a connection whose transaction (one audit row, subject "first") is open. */
struct group_fixture {
    char dir[64], path[128];
    int64_t commits0, transactions0;
    struct db *db;
};

static void group_setup(struct group_fixture *f)
{
    char err[256] = "";
    new_database(f->dir, sizeof f->dir, f->path, sizeof f->path);
    assert_int_equal(db_group_start(f->path, err, sizeof err), 0);
    db_group_counts(&f->commits0, &f->transactions0);
    f->db = db_open(f->path, DB_OPEN_CHECK, err, sizeof err);
    assert_non_null(f->db);
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(db_audit_add(f->db, 0, AUDIT_CATALOG_EDIT, "first", "", NULL, 1), DB_OK);
}

/* The batches committed and the transactions in them since group_setup. */
static void assert_group_counts(const struct group_fixture *f, int64_t commits, int64_t transactions)
{
    int64_t c, t;
    db_group_counts(&c, &t);
    assert_int_equal(c - f->commits0, commits);
    assert_int_equal(t - f->transactions0, transactions);
}

static void group_teardown(struct group_fixture *f)
{
    db_close(f->db);
    db_group_stop();
    remove_database(f->dir, f->path);
}

static void test_group_commit_puts_the_queued_transactions_into_one_commit(void **state)
{
    (void)state;
    struct group_fixture f;
    group_setup(&f); /* the first transaction is open while the others queue behind it */
    struct db *db = f.db;
    const char *path = f.path;
    pthread_t threads[MEMBERS - 1];
    struct member_job jobs[MEMBERS - 1];
    for (int i = 0; i < MEMBERS - 1; i++)
        jobs[i] = (struct member_job){.path = path, .index = i, .roll_back = i == 3};
    queue_members(threads, jobs, MEMBERS - 1);
    /* its COMMIT waits for theirs, and one COMMIT makes all of them durable */
    assert_int_equal(db_commit(db), DB_OK);
    for (int i = 0; i < MEMBERS - 1; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(jobs[i].status, DB_OK);
    }
    assert_group_counts(&f, 1, MEMBERS - 1); /* the one that rolled back is not in it */
    /* what the others wrote is there, on another connection; the rolled back row is not */
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'catalog.edit'"), MEMBERS - 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE subject = 'm3'"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE subject = 'first'"), 1);

    /* the transaction that opened a batch rolls back: the ones queued behind it still commit, together */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_audit_add(db, 0, AUDIT_CATALOG_EDIT, "opener", "", NULL, 1), DB_OK);
    for (int i = 0; i < 3; i++)
        jobs[i] = (struct member_job){.path = path, .index = 10 + i};
    queue_members(threads, jobs, 3);
    db_rollback(db);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(jobs[i].status, DB_OK);
    }
    assert_group_counts(&f, 2, MEMBERS - 1 + 3);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE subject IN ('m10', 'm11', 'm12')"), 3);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE subject = 'opener'"), 0);
    group_teardown(&f);
}

static void test_group_commit_write_outside_a_transaction_commits_the_batch_first(void **state)
{
    (void)state;
    struct group_fixture f;
    group_setup(&f);
    struct db *db = f.db;
    pthread_t t;
    struct member_job job = {.path = f.path, .autocommit = true};
    queue_members(&t, &job, 1);
    /* hands the mutex to the autocommit write, which commits the batch
     * (this transaction alone) before it writes on its own connection */
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(job.status, DB_OK);
    assert_group_counts(&f, 1, 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE subject IN ('first', 'm0')"), 2);
    /* a transaction with nobody queued behind it commits at once */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_audit_add(db, 0, AUDIT_CATALOG_EDIT, "alone", "", NULL, 1), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_group_counts(&f, 2, 2);
    /* a rollback with nobody queued ends the batch without a commit */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_audit_add(db, 0, AUDIT_CATALOG_EDIT, "undone", "", NULL, 1), DB_OK);
    db_rollback(db);
    assert_group_counts(&f, 2, 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE subject = 'undone'"), 0);
    assert_int_equal(db_begin(db), DB_OK); /* the mutex and the shared connection are free again */
    db_rollback(db);
    group_teardown(&f);
}

/* PRAGMA cache_size of the connection db's statements run on now. */
static int64_t cache_size_in_use(struct db *db)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db_conn(db), "PRAGMA cache_size", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_group_commit_large_transaction_runs_in_a_batch_of_its_own_with_a_larger_cache(void **state)
{
    (void)state;
    struct group_fixture f;
    group_setup(&f);
    struct db *db = f.db;
    int64_t normal = cache_size_in_use(db); /* the shared connection's, SQLite's default */
    pthread_t t;
    struct member_job job = {.path = f.path, .large = true};
    queue_members(&t, &job, 1);
    /* the large one, queued behind, commits this batch before it begins */
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(job.status, DB_OK);
    assert_group_counts(&f, 2, 2);
    /* its cache: raised while it runs, restored when its batch ended */
    assert_int_equal(db_begin_large(db, 5000), DB_OK);
    assert_int_equal(cache_size_in_use(db), 5000 + DB_LARGE_CACHE_PAGES);
    assert_int_equal(db_audit_add(db, 0, AUDIT_CATALOG_EDIT, "large", "", NULL, 1), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(cache_size_in_use(db), normal);
    db_rollback(db);
    assert_int_equal(db_begin_large(db, 5000), DB_OK);
    db_rollback(db); /* alone in its batch: the rollback restores it too */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(cache_size_in_use(db), normal);
    db_rollback(db);
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE subject IN ('first', 'm0', 'large')"), 3);
    group_teardown(&f);
}

static void test_rollback_and_close_give_the_writer_mutex_back(void **state)
{
    (void)state;
    char dir[64], path[128], err[256];
    new_database(dir, sizeof dir, path, sizeof path);
    struct db *a = db_open(path, DB_OPEN_CHECK, err, sizeof err), *b = db_open(path, DB_OPEN_CHECK, err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(db_begin(a), DB_OK);
    assert_int_equal(db_begin(a), DB_ERROR); /* not twice on one connection */
    db_rollback(a);
    assert_int_equal(db_begin(b), DB_OK); /* would wait for ever had the rollback kept it */
    assert_int_equal(db_audit_add(b, 0, AUDIT_CATALOG_EDIT, "b", "", NULL, 1), DB_OK);
    assert_int_equal(db_commit(b), DB_OK);
    assert_int_equal(db_begin(a), DB_OK);
    db_close(a); /* a transaction left open: rolled back, mutex given back */
    assert_int_equal(db_audit_add(b, 0, AUDIT_CATALOG_ADD, "b", "", NULL, 2), DB_OK);
    assert_int_equal(query_int(b, "SELECT count(*) FROM audit_log WHERE action IN ('catalog.edit', 'catalog.add')"), 2);
    db_close(b);
    remove_database(dir, path);
}

/* ---- the checkpointer ---- */

struct stream_job {
    const char *path;
    volatile int stop; /* set by the test; read by the thread */
    int written, failures;
};

/* Commits rows of ~3 KB (about one WAL page each) until told to stop. */
static void *stream_thread(void *arg)
{
    struct stream_job *job = arg;
    char err[256], detail[3000];
    memset(detail, 'x', sizeof detail - 1);
    detail[sizeof detail - 1] = '\0';
    struct db *db = db_open(job->path, DB_OPEN_CHECK, err, sizeof err);
    if (!db) {
        job->failures++;
        return NULL;
    }
    while (!__atomic_load_n(&job->stop, __ATOMIC_SEQ_CST) && job->written < 200000) {
        int status = db_begin(db);
        if (status == DB_OK)
            status = db_audit_add(db, 0, AUDIT_REMINDER, "s", detail, NULL, job->written);
        if (status != DB_OK || db_end(db, 0) != 0)
            job->failures++;
        else
            __atomic_add_fetch(&job->written, 1, __ATOMIC_SEQ_CST); /* read by the test meanwhile */
    }
    db_close(db);
    return NULL;
}

static void test_checkpointer_copies_the_wal_while_writes_arrive_and_truncates_it_when_idle(void **state)
{
    (void)state;
    char dir[64], path[128], wal[160], err[256] = "";
    /* synchronous NORMAL only to make the 20,000 commits quick: FULL adds an
     * fsync of the WAL to each COMMIT and changes nothing the checkpointer does. */
    assert_int_equal(db_set_synchronous("normal"), 0);
    new_database(dir, sizeof dir, path, sizeof path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    int64_t passive0, truncated0;
    db_checkpointer_counts(&passive0, &truncated0);
    struct db_checkpointer *c = db_checkpointer_start(path, err, sizeof err);
    if (!c)
        fail_msg("db_checkpointer_start: %s", err);
    assert_null(db_checkpointer_start(path, err, sizeof err)); /* one per process */

    struct stream_job job = {.path = path};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stream_thread, &job), 0);
    /* While the writes go on, the checkpointer copies the WAL: wait for
     * 3 checkpoints and writes worth twenty times DB_CHECKPOINT_PAGES. */
    int64_t passive = passive0, truncated = truncated0;
    int written = 0;
    while ((passive < passive0 + 3 || written < 20 * DB_CHECKPOINT_PAGES) && written < 200000) {
        pause_briefly();
        db_checkpointer_counts(&passive, &truncated);
        written = __atomic_load_n(&job.written, __ATOMIC_SEQ_CST);
    }
    assert_true(passive >= passive0 + 3);
    /* The WAL was started over rather than growing with every commit:
     * without a restart each commit appends at least one frame (a 4 KiB
     * page and its 24-byte header), so the file (its size is its
     * high-water mark) would be larger than written × 4 KiB.  How soon the
     * thread catches up with a writer that never pauses depends on
     * scheduling (on a loaded machine it did not, and a tighter bound
     * failed); since then a commit that finds the WAL past
     * DB_CHECKPOINT_LIMIT_PAGES copies it itself, which bounds the file at
     * about 16 MB, far below this. */
    off_t wal_size = file_size(wal);
    /* Held open so that the writer's close is not the last one (which
     * would checkpoint and remove the WAL itself). */
    struct db *db = db_open(path, DB_OPEN_CHECK, err, sizeof err);
    assert_non_null(db);
    __atomic_store_n(&job.stop, 1, __ATOMIC_SEQ_CST);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(job.failures, 0);
    assert_true(wal_size >= 0);
    assert_true(wal_size < (off_t)job.written * 4096);

    /* Idle now: the WAL file is emptied (TRUNCATE) within the idle time. */
    while (truncated == truncated0) { /* counted just after the TRUNCATE returned */
        pause_briefly();
        db_checkpointer_counts(&passive, &truncated);
    }
    assert_int_equal(file_size(wal), 0);
    fprintf(stderr, "checkpointer test: %d commits, WAL at most %lld bytes while writing, %lld checkpoints\n",
            job.written, (long long)wal_size, (long long)(passive - passive0));

    /* Everything written is in the database file itself now. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'reminder'"), job.written);
    assert_int_equal(db_integrity_check(db, err, sizeof err), DB_OK);
    db_checkpointer_stop(c);
    db_close(db);

    /* Stopped: a new checkpointer can start; without one, commits checkpoint themselves. */
    c = db_checkpointer_start(path, err, sizeof err);
    assert_non_null(c);
    db_checkpointer_stop(c);
    remove_database(dir, path);
    db_set_synchronous("full");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_threads_queue_on_the_mutex_and_every_write_lands),
        cmocka_unit_test(test_writer_threads_with_group_commit_every_write_lands_once),
        cmocka_unit_test(test_group_commit_puts_the_queued_transactions_into_one_commit),
        cmocka_unit_test(test_group_commit_write_outside_a_transaction_commits_the_batch_first),
        cmocka_unit_test(test_group_commit_large_transaction_runs_in_a_batch_of_its_own_with_a_larger_cache),
        cmocka_unit_test(test_rollback_and_close_give_the_writer_mutex_back),
        cmocka_unit_test(test_checkpointer_copies_the_wal_while_writes_arrive_and_truncates_it_when_idle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
