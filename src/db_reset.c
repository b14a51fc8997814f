/* db_reset — password reset links (only their hashes) and own account data. */
#include "db_internal.h"
#include "mem.h"

static void account_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    db_account_columns(st, ACCOUNT_C_ID, a, item);
}

int db_reset_accounts(struct db *db, struct arena *a, const char *login, struct account **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_RESET_ACCOUNTS_BY_LOGIN);
    db_bind_text(st, 1, login);
    return db_collect(db, a, st, sizeof **list, account_row, (void **)list, n);
}

int db_reset_add(struct db *db, const unsigned char hash[32], int64_t account_id, int64_t now, int64_t expires_at)
{
    sqlite3_stmt *st = db_stmt(db, Q_RESET_ADD);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, expires_at);
    return db_exec_stmt(db, st);
}

int db_reset_count(struct db *db, int64_t account_id, int64_t since, int64_t *count)
{
    sqlite3_stmt *st = db_stmt(db, Q_RESET_COUNT);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, since);
    return db_read_int(db, st, count);
}

static void reset_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct password_reset *pr = item;
    pr->id = sqlite3_column_int64(st, RESET_C_ID);
    pr->expires_at = sqlite3_column_int64(st, RESET_C_EXPIRES_AT);
    pr->used_at = sqlite3_column_int64(st, RESET_C_USED_AT);
    db_account_columns(st, RESET_C_ACCOUNT, a, &pr->acc);
}

int db_reset_by_hash(struct db *db, struct arena *a, const unsigned char hash[32], struct password_reset *pr)
{
    sqlite3_stmt *st = db_stmt(db, Q_RESET_BY_HASH);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    return db_read_one(db, a, st, reset_row, pr);
}

int db_reset_use_all(struct db *db, int64_t account_id, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_RESET_USE_ALL);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, now);
    return db_exec_stmt(db, st);
}

int db_account_set_profile(struct db *db, const struct account *acc)
{
    sqlite3_stmt *st = db_stmt(db, Q_ACCOUNT_SET_PROFILE);
    sqlite3_bind_int64(st, 1, acc->id);
    db_bind_text(st, 2, acc->first_name);
    db_bind_text(st, 3, acc->last_name);
    db_bind_text(st, 4, acc->email);
    return db_exec_one(db, st, DB_NOT_FOUND);
}

int db_account_import_update(struct db *db, const struct account *acc)
{
    sqlite3_stmt *st = db_stmt(db, Q_ACCOUNT_IMPORT_UPDATE);
    sqlite3_bind_int64(st, 1, acc->id);
    db_bind_text(st, 2, acc->email);
    db_bind_text(st, 3, acc->first_name);
    db_bind_text(st, 4, acc->last_name);
    db_bind_id(st, 5, acc->municipality_id);
    return db_exec_one(db, st, DB_NOT_FOUND);
}
