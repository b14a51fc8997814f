/* db_support — the support desk's look-ups and its changes to codes (see db.h). */
#include <string.h>

#include "db_internal.h"
#include "mem.h"

/* ---- look-ups ---- */

static void id_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    (void)a;
    *(int64_t *)item = sqlite3_column_int64(st, 0);
}

int db_support_accounts(struct db *db, struct arena *a, const char *term, int64_t **ids, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_ACCOUNT_FIND);
    db_bind_text(st, 1, term);
    return db_collect(db, a, st, sizeof **ids, id_row, (void **)ids, n);
}

int db_support_order_by_invoice(struct db *db, const char *invoice_number, int64_t *order_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_ORDER_BY_INVOICE);
    db_bind_text(st, 1, invoice_number);
    return db_read_int(db, st, order_id);
}

static void hash_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    (void)a;
    if (sqlite3_column_bytes(st, 0) == 32)
        memcpy(item, sqlite3_column_blob(st, 0), 32);
}

int db_support_redeemed_by(struct db *db, struct arena *a, int64_t account_id,
                           unsigned char (**hashes)[32], size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHERS_REDEEMED_BY);
    sqlite3_bind_int64(st, 1, account_id);
    return db_collect(db, a, st, sizeof **hashes, hash_row, (void **)hashes, n);
}

static void voucher_enrollment_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct voucher_enrollment *e = item;
    e->course_title = db_text(a, st, VENROLLMENT_C_COURSE_TITLE);
    e->username = db_text(a, st, VENROLLMENT_C_USERNAME);
    e->enrolled_at = sqlite3_column_int64(st, VENROLLMENT_C_ENROLLED_AT);
    e->completed_on = db_text(a, st, VENROLLMENT_C_COMPLETED_ON);
}

int db_support_voucher_enrollments(struct db *db, struct arena *a, int64_t voucher_id,
                                   struct voucher_enrollment **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHER_ENROLLMENTS);
    sqlite3_bind_int64(st, 1, voucher_id);
    return db_collect(db, a, st, sizeof **list, voucher_enrollment_row, (void **)list, n);
}

/* A row of the SUPPORT_ATTEMPTS_* queries; ip NULL and code_hash NULL stay NULL. */
static void attempt_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct redemption_attempt *at = item;
    at->at = sqlite3_column_int64(st, ATTEMPT_C_AT);
    at->ip = sqlite3_column_type(st, ATTEMPT_C_IP) == SQLITE_NULL ? NULL : db_text(a, st, ATTEMPT_C_IP);
    at->username = db_text(a, st, ATTEMPT_C_USERNAME);
    if (sqlite3_column_bytes(st, ATTEMPT_C_CODE_HASH) == 32)
        at->code_hash = (const unsigned char *)arena_memdup(a, sqlite3_column_blob(st, ATTEMPT_C_CODE_HASH), 32);
    at->result = db_text(a, st, ATTEMPT_C_RESULT);
    at->reference = db_text(a, st, ATTEMPT_C_REFERENCE);
    at->voucher_id = sqlite3_column_int64(st, ATTEMPT_C_VOUCHER_ID);
}

int db_support_attempts_for_code(struct db *db, struct arena *a, const unsigned char hash[32],
                                 int64_t redeemer_id, struct redemption_attempt **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_ATTEMPTS_FOR_CODE);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    db_bind_id(st, 2, redeemer_id);
    return db_collect(db, a, st, sizeof **list, attempt_row, (void **)list, n);
}

/* Attempts by one text value (?1) with query q. */
static int attempts_by_text(struct db *db, struct arena *a, enum query_id q, const char *text,
                            struct redemption_attempt **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, q);
    db_bind_text(st, 1, text);
    return db_collect(db, a, st, sizeof **list, attempt_row, (void **)list, n);
}

int db_support_attempts_by_username(struct db *db, struct arena *a, const char *username,
                                    struct redemption_attempt **list, size_t *n)
{
    return attempts_by_text(db, a, Q_SUPPORT_ATTEMPTS_BY_USERNAME, username, list, n);
}

int db_support_attempts_by_reference(struct db *db, struct arena *a, const char *reference,
                                     struct redemption_attempt **list, size_t *n)
{
    return attempts_by_text(db, a, Q_SUPPORT_ATTEMPTS_BY_REFERENCE, reference, list, n);
}

/* ---- changes ---- */

/* Steps a conditional UPDATE that must change exactly one row. */
int db_support_revoke(struct db *db, int64_t voucher_id, const char *reason, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHER_REVOKE);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, now);
    db_bind_text(st, 3, reason);
    return db_exec_one(db, st, DB_CONFLICT);
}

int db_support_unrevoke(struct db *db, int64_t voucher_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHER_UNREVOKE);
    sqlite3_bind_int64(st, 1, voucher_id);
    return db_exec_one(db, st, DB_CONFLICT);
}

int db_support_extend(struct db *db, int64_t voucher_id, int64_t valid_until)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHER_EXTEND);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, valid_until);
    return db_exec_one(db, st, DB_CONFLICT);
}

int db_support_release(struct db *db, int64_t voucher_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHER_RELEASE);
    sqlite3_bind_int64(st, 1, voucher_id);
    int status = db_exec_one(db, st, DB_CONFLICT);
    if (status != DB_OK)
        return status;
    st = db_stmt(db, Q_SUPPORT_VOUCHER_ENROLLMENTS_DELETE);
    sqlite3_bind_int64(st, 1, voucher_id);
    return db_exec_stmt(db, st);
}
