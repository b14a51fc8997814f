/* db — connection, statements and migrations; entity access lives in db_<entity>.c. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int configure(sqlite3 *conn, char *err, size_t errlen)
{
    char *msg = NULL;
    sqlite3_busy_timeout(conn, 5000);
    if (sqlite3_exec(conn,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                     " PRAGMA foreign_keys = ON;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure database: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
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
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (mode == DB_OPEN_MIGRATE)
        flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &db->conn, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
        goto fail;
    }
    if (configure(db->conn, err, errlen) != 0)
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

void db_close(struct db *db)
{
    if (!db)
        return;
    for (int i = 0; i < Q__MAX; i++)
        sqlite3_finalize(db->stmt[i]);
    sqlite3_close(db->conn);
    free(db);
}

sqlite3_stmt *db_stmt(struct db *db, enum query_id id)
{
    sqlite3_stmt *st = db->stmt[id];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int db_step_error(struct db *db, int rc)
{
    if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT)
        return DB_CONFLICT;
    log_error("sqlite: %s (%d)", sqlite3_errmsg(db->conn), rc);
    return DB_ERROR;
}

int db_exec_stmt(struct db *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    int status = rc == SQLITE_DONE || rc == SQLITE_ROW ? DB_OK : db_step_error(db, rc);
    sqlite3_reset(st);
    return status;
}

int db_exec_one(struct db *db, sqlite3_stmt *st, int if_none)
{
    int status = db_exec_stmt(db, st);
    return status == DB_OK && sqlite3_changes(db->conn) != 1 ? if_none : status;
}

int db_step_row(struct db *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return DB_OK;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? DB_NOT_FOUND : db_step_error(db, rc);
}

int db_insert_stmt(struct db *db, sqlite3_stmt *st, int64_t *id)
{
    int status = db_exec_stmt(db, st);
    if (status == DB_OK && id)
        *id = sqlite3_last_insert_rowid(db->conn);
    return status;
}

int db_collect(struct db *db, struct arena *a, sqlite3_stmt *st, size_t size,
               void (*row)(sqlite3_stmt *st, struct arena *a, void *item), void **items, size_t *n)
{
    size_t cap = 0;
    int rc;
    *items = NULL;
    for (*n = 0; (rc = sqlite3_step(st)) == SQLITE_ROW; (*n)++) {
        *items = arena_grow(a, *items, *n, &cap, size);
        row(st, a, (char *)*items + *n * size);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? DB_OK : db_step_error(db, rc);
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

static int exec_simple(struct db *db, const char *sql)
{
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? DB_OK : db_step_error(db, rc);
}

int db_begin(struct db *db)
{
    return exec_simple(db, "BEGIN IMMEDIATE");
}

int db_commit(struct db *db)
{
    int status = exec_simple(db, "COMMIT");
    if (status != DB_OK)
        db_rollback(db);
    return status;
}

void db_rollback(struct db *db)
{
    if (!sqlite3_get_autocommit(db->conn))
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}

int db_end(struct db *db, int rc)
{
    if (rc == 0)
        return db_commit(db) == DB_OK ? 0 : -1;
    db_rollback(db);
    return rc;
}

bool db_ping(struct db *db)
{
    sqlite3_stmt *st = db_stmt(db, Q_PING);
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return ok;
}

int db_backup(struct db *db, const char *path, char *err, size_t errlen)
{
    sqlite3 *dest;
    int rc = sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(dest, "main", db->conn, "main");
        if (b) {
            while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
                   rc == SQLITE_LOCKED)
                sqlite3_sleep(20);
            sqlite3_backup_finish(b);
        }
        rc = sqlite3_errcode(dest);
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        snprintf(err, errlen, "backup to %s failed: %s", path, sqlite3_errmsg(dest));
        sqlite3_close(dest);
        return DB_ERROR;
    }
    sqlite3_close(dest);
    return DB_OK;
}
