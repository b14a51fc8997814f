/* db_redeem — redeeming vouchers, enrollments and the redemption attempt log. */
#include <string.h>

#include "db_internal.h"
#include "mem.h"

typedef void (*row_fn)(sqlite3_stmt *st, struct arena *a, void *item);

/* Runs query q with ?1 = id; db_collect's result (*items NULL when none). */
static int collect_by_id(struct db *db, enum query_id q, int64_t id, struct arena *a, size_t size, row_fn fill,
                         void **items, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, q);
    sqlite3_bind_int64(st, 1, id);
    return db_collect(db, a, st, size, fill, items, n);
}

struct counts {
    int64_t first, second;
};

static void counts_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    (void)a;
    *(struct counts *)item = (struct counts){sqlite3_column_int64(st, COUNTS_C_FIRST),
                                             sqlite3_column_int64(st, COUNTS_C_SECOND)};
}

/* ---- vouchers ---- */

int db_voucher_redeem(struct db *db, int64_t voucher_id, int64_t account_id, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_REDEEM);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_int64(st, 3, now);
    return db_exec_one(db, st, DB_CONFLICT);
}

static void title_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(const char **)item = db_text(a, st, 0);
}

int db_voucher_course_titles(struct db *db, struct arena *a, int64_t voucher_id, const char ***titles,
                             size_t *n)
{
    void *list;
    int status = collect_by_id(db, Q_VOUCHER_COURSE_TITLES, voucher_id, a, sizeof **titles, title_row, &list, n);
    *titles = list;
    return status;
}

/* ---- enrollments ---- */

int db_enrollment_missing(struct db *db, int64_t voucher_id, int64_t account_id, int64_t *missing)
{
    sqlite3_stmt *st = db_stmt(db, Q_ENROLLMENT_MISSING);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, account_id);
    return db_read_int(db, st, missing);
}

int db_enrollment_add_for_voucher(struct db *db, int64_t voucher_id, int64_t account_id, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_ENROLLMENT_ADD_FOR_VOUCHER);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_int64(st, 3, now);
    return db_exec_stmt(db, st);
}

static void enrollment_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct enrollment *e = item;
    e->course_title = db_text(a, st, ENROLLMENT_C_COURSE_TITLE);
    e->enrolled_at = sqlite3_column_int64(st, ENROLLMENT_C_ENROLLED_AT);
    e->completed_on = db_text(a, st, ENROLLMENT_C_COMPLETED_ON);
    e->certificate_id = sqlite3_column_int64(st, ENROLLMENT_C_CERTIFICATE_ID);
    e->url = db_text(a, st, ENROLLMENT_C_URL);
}

int db_enrollment_list(struct db *db, struct arena *a, int64_t account_id, struct enrollment **list,
                       size_t *n)
{
    void *items;
    int status = collect_by_id(db, Q_ENROLLMENT_LIST, account_id, a, sizeof **list, enrollment_row, &items, n);
    *list = items;
    return status;
}

/* ---- the attempt log ---- */

int db_redemption_attempt_add(struct db *db, const struct redemption_attempt *at)
{
    sqlite3_stmt *st = db_stmt(db, Q_REDEMPTION_ATTEMPT_ADD);
    sqlite3_bind_int64(st, 1, at->at);
    db_bind_text(st, 2, at->ip);
    db_bind_text(st, 3, at->username ? at->username : "");
    if (at->code_hash)
        sqlite3_bind_blob(st, 4, at->code_hash, 32, SQLITE_TRANSIENT);
    db_bind_text(st, 5, at->result);
    db_bind_text(st, 6, at->reference);
    db_bind_id(st, 7, at->voucher_id);
    return db_exec_stmt(db, st);
}

int db_redemption_failures(struct db *db, const char *ip, const char *username, int64_t since,
                           int64_t *by_ip, int64_t *by_username)
{
    sqlite3_stmt *st = db_stmt(db, Q_REDEMPTION_FAILURES);
    db_bind_text(st, 1, ip);
    db_bind_text(st, 2, username ? username : "");
    sqlite3_bind_int64(st, 3, since);
    struct counts c;
    int status = db_read_one(db, NULL, st, counts_row, &c);
    if (status == DB_OK) {
        *by_ip = c.first;
        *by_username = c.second;
    }
    return status;
}

int db_redemption_ip_erase(struct db *db, int64_t before)
{
    sqlite3_stmt *st = db_stmt(db, Q_REDEMPTION_IP_ERASE);
    sqlite3_bind_int64(st, 1, before);
    return db_exec_stmt(db, st);
}
