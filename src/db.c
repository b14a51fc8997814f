/* db — connection, statements and migrations; entity access lives in db_<entity>.c. */
#include "db_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assets.h"
#include "log.h"
#include "mem.h"

static const char *const query_sql[Q__MAX] = {
#define Q(name, sql) [Q_##name] = sql,
#include "queries.def"
#undef Q
};

static const char *const query_name[Q__MAX] = {
#define Q(name, sql) [Q_##name] = #name,
#include "queries.def"
#undef Q
};

const int db_query_width[Q__MAX] = {
#define Q(name, sql)
#define W(name, width) [Q_##name] = (width),
#include "queries.def"
#undef W
#undef Q
};

const char *db_query_name(int id)
{
    return id >= 0 && id < Q__MAX ? query_name[id] : "?";
}

/* The number NNN of "sql/NNN_name.sql", or 0 for other assets. */
static int migration_number(const struct asset *as)
{
    if (strncmp(as->name, "sql/", 4) != 0)
        return 0;
    return atoi(as->name + 4);
}

int db_schema_latest(void)
{
    int latest = 0;
    for (size_t i = 0; i < asset_count; i++) {
        int n = migration_number(&assets[i]);
        if (n > latest)
            latest = n;
    }
    return latest;
}

static int user_version(sqlite3 *conn)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(conn, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Applies one migration and records its number, in one transaction. */
static int apply_migration(sqlite3 *conn, const struct asset *as, int number, char *err, size_t errlen)
{
    char *msg = NULL;
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", number);
    if (sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(conn, as->text, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(conn, pragma, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(conn, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "migration %s failed: %s", as->name, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* Applies the missing migrations in order (assets are sorted by name). */
static int migrate(sqlite3 *conn, char *err, size_t errlen)
{
    int have = user_version(conn);
    for (size_t i = 0; i < asset_count; i++) {
        int n = migration_number(&assets[i]);
        if (n > have && apply_migration(conn, &assets[i], n, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* [database] synchronous for every connection of the process; set once at
 * start by db_set_synchronous before any db_open. */
static const char *synchronous_level = "FULL";

int db_set_synchronous(const char *level)
{
    static const char *const levels[] = {"off", "normal", "full", "extra"};
    static const char *const upper[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++)
        if (strcmp(level, levels[i]) == 0) {
            synchronous_level = upper[i];
            return 0;
        }
    return -1;
}

static int configure(struct db *db, char *err, size_t errlen)
{
    sqlite3 *conn = db->conn;
    char *msg = NULL;
    char sql[200];
    db->busy_timeout_ms = DB_BUSY_TIMEOUT_MS;
    sqlite3_busy_handler(conn, db_on_busy, db);
    /* WAL with synchronous FULL: a COMMIT returns only after its frames are
     * fsync'ed to the WAL, so what a reply confirmed survives a power cut.
     * temp_store MEMORY: the statement journal of each write that fires a
     * trigger (sql/012's counts) stays in memory; in a temporary file
     * (Debian's default) it cost ~13 pwrite calls per voucher stored. */
    snprintf(sql, sizeof sql,
             "PRAGMA journal_mode = WAL; PRAGMA synchronous = %s; PRAGMA foreign_keys = ON;"
             " PRAGMA temp_store = MEMORY;",
             synchronous_level);
    if (sqlite3_exec(conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure database: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    /* Instead of SQLite's automatic checkpoint (wal_autocheckpoint) in the
     * committing request: the checkpointer's hook (db_checkpoint.c). */
    sqlite3_wal_hook(conn, db_wal_hook, NULL);
    return 0;
}

static int prepare_all(struct db *db, char *err, size_t errlen)
{
    for (int i = 0; i < Q__MAX; i++) {
        if (sqlite3_prepare_v3(db->conn, query_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &db->stmt[i],
                               NULL) != SQLITE_OK) {
            snprintf(err, errlen, "cannot prepare %s: %s", query_name[i], sqlite3_errmsg(db->conn));
            return -1;
        }
    }
    return 0;
}

struct db *db_open(const char *path, enum db_open_mode mode, char *err, size_t errlen)
{
    struct db *db = xcalloc(1, sizeof *db);
    db->tx = db;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (mode == DB_OPEN_MIGRATE)
        flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &db->conn, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
        goto fail;
    }
    /* The database, its WAL and shared-memory file (SQLite gives them the
     * database's mode) hold personal data: owner only, whatever the umask. */
    chmod(path, 0600);
    if (configure(db, err, errlen) != 0)
        goto fail;
    if (mode == DB_OPEN_MIGRATE && migrate(db->conn, err, errlen) != 0)
        goto fail;
    int have = user_version(db->conn);
    if (have != db_schema_latest()) {
        snprintf(err, errlen, "database %s has schema %d, this build needs %d: run 'voucherctl init'",
                 path, have, db_schema_latest());
        goto fail;
    }
    if (prepare_all(db, err, errlen) != 0)
        goto fail;
    return db;
fail:
    db_close(db);
    return NULL;
}

void db_set_busy_timeout(struct db *db, int ms)
{
    db->busy_timeout_ms = ms;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    if (db->conn)
        db_rollback(db); /* a transaction left open ends here, and so does its hold on the writer mutex */
    for (int i = 0; i < Q__MAX; i++)
        sqlite3_finalize(db->stmt[i]);
    sqlite3_close(db->conn);
    free(db);
}

sqlite3_stmt *db_stmt(struct db *db, enum query_id id)
{
    sqlite3_stmt *st = db->tx->stmt[id];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int db_step_error(struct db *db, int rc)
{
    if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT)
        return DB_CONFLICT;
    log_error("sqlite: %s (%d)", sqlite3_errmsg(db->tx->conn), rc);
    return DB_ERROR;
}

int db_exec_stmt(struct db *db, sqlite3_stmt *st)
{
    bool locked = db_step_begin(db, st);
    int rc = sqlite3_step(st);
    int status = rc == SQLITE_DONE || rc == SQLITE_ROW ? DB_OK : db_step_error(db, rc);
    sqlite3_reset(st);
    db_step_end(db, locked);
    return status;
}

int db_exec_one(struct db *db, sqlite3_stmt *st, int if_none)
{
    int status = db_exec_stmt(db, st);
    return status == DB_OK && sqlite3_changes(db->tx->conn) != 1 ? if_none : status;
}

int db_read_one(struct db *db, struct arena *a, sqlite3_stmt *st, db_row_fn row, void *item)
{
    bool locked = db_step_begin(db, st); /* an UPDATE ... RETURNING writes until the reset */
    int rc = sqlite3_step(st);
    int status = rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOT_FOUND : db_step_error(db, rc);
    if (status == DB_OK)
        row(st, a, item);
    sqlite3_reset(st);
    db_step_end(db, locked);
    return status;
}

void db_row_int(sqlite3_stmt *st, struct arena *a, void *item)
{
    (void)a;
    *(int64_t *)item = sqlite3_column_int64(st, 0);
}

void db_row_text(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(const char **)item = db_text(a, st, 0);
}

int db_read_int(struct db *db, sqlite3_stmt *st, int64_t *value)
{
    return db_read_one(db, NULL, st, db_row_int, value);
}

int db_insert_stmt(struct db *db, sqlite3_stmt *st, int64_t *id)
{
    int status = db_exec_stmt(db, st);
    if (status == DB_OK && id)
        *id = sqlite3_last_insert_rowid(db->tx->conn);
    return status;
}

int db_collect(struct db *db, struct arena *a, sqlite3_stmt *st, size_t size, db_row_fn row, void **items,
               size_t *n)
{
    size_t cap = 0;
    int rc;
    bool locked = db_step_begin(db, st);
    *items = NULL;
    for (*n = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; (*n)++) {
        *items = arena_grow(a, *items, *n, &cap, size);
        row(st, a, (char *)*items + *n * size);
    }
    sqlite3_reset(st);
    db_step_end(db, locked);
    return rc == SQLITE_DONE ? DB_OK : db_step_error(db, rc);
}

int db_collect_by_id(struct db *db, struct arena *a, enum query_id q, int64_t id, size_t size, db_row_fn row,
                     void **items, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, q);
    sqlite3_bind_int64(st, 1, id);
    return db_collect(db, a, st, size, row, items, n);
}

struct slug_title_pair {
    const char *slug, *title;
};

static void slug_title_pair_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct slug_title_pair *)item = (struct slug_title_pair){db_text(a, st, SLUG_TITLE_C_SLUG),
                                                               db_text(a, st, SLUG_TITLE_C_TITLE)};
}

int db_collect_slug_titles(struct db *db, struct arena *a, enum query_id q, int64_t id, const char ***slugs,
                           const char ***titles, size_t *n)
{
    struct slug_title_pair *rows;
    int status = db_collect_by_id(db, a, q, id, sizeof *rows, slug_title_pair_row, (void **)&rows, n);
    if (status != DB_OK)
        return status;
    *slugs = arena_alloc(a, (*n + 1) * sizeof **slugs);
    *titles = arena_alloc(a, (*n + 1) * sizeof **titles);
    for (size_t i = 0; i < *n; i++) {
        (*slugs)[i] = rows[i].slug;
        (*titles)[i] = rows[i].title;
    }
    return DB_OK;
}

const char *db_text(struct arena *a, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? arena_memdup(a, t, (size_t)sqlite3_column_bytes(st, col)) : "";
}

void db_bind_text(sqlite3_stmt *st, int idx, const char *text)
{
    if (text)
        sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, idx);
}

void db_bind_id(sqlite3_stmt *st, int idx, int64_t id)
{
    if (id)
        sqlite3_bind_int64(st, idx, id);
    else
        sqlite3_bind_null(st, idx);
}

bool db_ping(struct db *db)
{
    sqlite3_stmt *st = db_stmt(db, Q_PING);
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return ok;
}

/* fsync of a file or directory by name; -1 when it cannot be opened or synced. */
static int sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Syncs the directory holding path, so a rename into it is durable. */
static int sync_parent_dir(const char *path)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    return sync_path(dirname(copy), O_RDONLY | O_DIRECTORY);
}

/* The temporary name beside path: "<path>.partial". */
static int partial_name(const char *path, char *out, size_t outlen)
{
    return (size_t)snprintf(out, outlen, "%s.partial", path) < outlen ? 0 : -1;
}

/* VACUUM INTO tmp from conn (a read transaction: writers go on and never
 * restart it), fsync, then rename to path and sync the directory. */
static int copy_into(sqlite3 *conn, const char *path, char *err, size_t errlen)
{
    char tmp[4096];
    if (partial_name(path, tmp, sizeof tmp) != 0) {
        snprintf(err, errlen, "path too long: %s", path);
        return DB_ERROR;
    }
    unlink(tmp); /* what a killed earlier run left */
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(conn, "VACUUM INTO ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, tmp, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "copy to %s failed: %s", tmp, sqlite3_errmsg(conn));
        sqlite3_finalize(st);
        unlink(tmp);
        return DB_ERROR;
    }
    sqlite3_finalize(st);
    chmod(tmp, 0600);
    if (sync_path(tmp, O_RDONLY) != 0 || rename(tmp, path) != 0 || sync_parent_dir(path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return DB_ERROR;
    }
    return DB_OK;
}

int db_backup(struct db *db, const char *path, char *err, size_t errlen)
{
    return copy_into(db->conn, path, err, errlen);
}

int db_copy_file(const char *src, const char *dest, char *err, size_t errlen)
{
    sqlite3 *conn = NULL;
    int rc = sqlite3_open_v2(src, &conn, SQLITE_OPEN_READONLY, NULL);
    int status = DB_ERROR;
    if (rc != SQLITE_OK)
        snprintf(err, errlen, "cannot open %s: %s", src, conn ? sqlite3_errmsg(conn) : "out of memory");
    else
        status = copy_into(conn, dest, err, errlen);
    sqlite3_close(conn);
    return status;
}

int db_integrity_check(struct db *db, char *err, size_t errlen)
{
    sqlite3_stmt *st = db_stmt(db, Q_INTEGRITY_CHECK);
    int rc = sqlite3_step(st);
    const unsigned char *t = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    int status = t && strcmp((const char *)t, "ok") == 0 ? DB_OK : DB_ERROR;
    if (status != DB_OK)
        snprintf(err, errlen, "integrity check failed: %s", t ? (const char *)t : sqlite3_errmsg(db->conn));
    sqlite3_reset(st);
    return status;
}

int db_replace_file(const char *src, const char *dest, char *err, size_t errlen)
{
    char name[4200];
    /* The old database's WAL would be replayed onto the new file. */
    snprintf(name, sizeof name, "%s-wal", dest);
    unlink(name);
    snprintf(name, sizeof name, "%s-shm", dest);
    unlink(name);
    if (rename(src, dest) != 0 || sync_parent_dir(dest) != 0) {
        snprintf(err, errlen, "cannot replace %s: %s", dest, strerror(errno));
        return DB_ERROR;
    }
    return DB_OK;
}

void db_remove_file(const char *path)
{
    char name[4200];
    unlink(path);
    snprintf(name, sizeof name, "%s-wal", path);
    unlink(name);
    snprintf(name, sizeof name, "%s-shm", path);
    unlink(name);
}
