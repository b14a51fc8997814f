/* db_internal — shared by db.c and the db_<entity>.c modules only. */
#ifndef DB_INTERNAL_H
#define DB_INTERNAL_H

#include <sqlite3.h>

#include "db.h"

enum query_id {
#define Q(name, sql) Q_##name,
#include "queries.def"
#undef Q
    Q__MAX
};

struct db {
    sqlite3 *conn;
    sqlite3_stmt *stmt[Q__MAX]; /* prepared once at open, finalized at close */
};

/* The prepared statement, reset and with its bindings cleared. */
sqlite3_stmt *db_stmt(struct db *db, enum query_id id);
/* Steps a statement that returns no rows: DB_OK, DB_CONFLICT or DB_ERROR. */
int db_exec_stmt(struct db *db, sqlite3_stmt *st);
/* Steps a statement that must change exactly one row: DB_OK; if_none
 * (DB_CONFLICT when a condition refused it, DB_NOT_FOUND when no row has
 * that id) when it changed none; DB_CONFLICT when a constraint refused it;
 * DB_ERROR. */
int db_exec_one(struct db *db, sqlite3_stmt *st, int if_none);
/* Steps a query that answers at most one row: DB_OK with the row to read
 * (the caller resets st after reading), DB_NOT_FOUND, DB_ERROR. */
int db_step_row(struct db *db, sqlite3_stmt *st);
/* Steps an INSERT; *id (when not NULL) receives the new row's id. */
int db_insert_stmt(struct db *db, sqlite3_stmt *st, int64_t *id);
/* Maps a step result that is neither ROW nor DONE to DB_CONFLICT/DB_ERROR, logging errors. */
int db_step_error(struct db *db, int rc);
/* Steps st to its end, reading each row with row() into a new element of
 * an array of elements of `size` bytes in the arena: *items (NULL when
 * empty) and *n.  DB_OK or DB_ERROR. */
int db_collect(struct db *db, struct arena *a, sqlite3_stmt *st, size_t size,
               void (*row)(sqlite3_stmt *st, struct arena *a, void *item), void **items, size_t *n);
/* Column text copied into the arena; "" for NULL. */
const char *db_text(struct arena *a, sqlite3_stmt *st, int col);
/* Binds text (NULL binds SQL NULL). */
void db_bind_text(sqlite3_stmt *st, int idx, const char *text);
/* Binds an id, with 0 as SQL NULL. */
void db_bind_id(sqlite3_stmt *st, int idx, int64_t id);

/* Reads an account's columns (id, username, email, first_name, last_name,
 * role, municipality_id, password_hash, disabled) starting at column col. */
void db_account_columns(sqlite3_stmt *st, int col, struct arena *a, struct account *acc);
/* Reads a municipality's columns (id, gkz, name, address, invoice_email,
 * uid) starting at column col. */
void db_municipality_columns(sqlite3_stmt *st, int col, struct arena *a, struct municipality *m);

#endif
