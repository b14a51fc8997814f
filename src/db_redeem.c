/* db_redeem — redeeming vouchers, enrollments and the redemption attempt log. */
#include <string.h>

#include "db_internal.h"
#include "log.h"
#include "mem.h"


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

int db_voucher_course_titles(struct db *db, struct arena *a, int64_t voucher_id, const char ***titles,
                             size_t *n)
{
    void *list;
    int status = db_collect_by_id(db, a, Q_VOUCHER_COURSE_TITLES, voucher_id, sizeof **titles, db_row_text, &list, n);
    *titles = list;
    return status;
}

struct title_flag {
    const char *title;
    bool added;
};

static void title_flag_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct title_flag *t = item;
    t->title = db_text(a, st, TITLE_FLAG_C_TITLE);
    t->added = sqlite3_column_int(st, TITLE_FLAG_C_ADDED) != 0;
}

int db_voucher_courses_for_account(struct db *db, struct arena *a, int64_t voucher_id, int64_t account_id,
                                   struct voucher_courses_split *out)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_COURSES_FOR_ACCOUNT);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, account_id);
    struct title_flag *list;
    size_t n;
    int status = db_collect(db, a, st, sizeof *list, title_flag_row, (void **)&list, &n);
    *out = (struct voucher_courses_split){0};
    if (status != DB_OK)
        return status;
    out->added = arena_alloc(a, (n ? n : 1) * sizeof *out->added);
    out->held = arena_alloc(a, (n ? n : 1) * sizeof *out->held);
    for (size_t i = 0; i < n; i++) {
        if (list[i].added)
            out->added[out->nadded++] = list[i].title;
        else
            out->held[out->nheld++] = list[i].title;
    }
    return DB_OK;
}

/* ---- enrollments ---- */

int db_enrollment_missing(struct db *db, int64_t voucher_id, int64_t account_id, int64_t *missing)
{
    sqlite3_stmt *st = db_stmt(db, Q_ENROLLMENT_MISSING);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, account_id);
    return db_read_int(db, st, missing);
}

/* The one way a code is redeemed: the conditional update of the voucher
 * and the enrollments in its courses, under a savepoint, so that neither
 * is ever kept without the other, whatever the caller does next. */
int db_redemption_write(struct db *db, int64_t voucher_id, int64_t account_id, int64_t now)
{
    if (!db->writing) {
        log_error("sqlite: db_redemption_write outside a write transaction");
        return DB_ERROR;
    }
    int status = db_exec_stmt(db, db_stmt(db, Q_REDEMPTION_SAVEPOINT));
    if (status != DB_OK)
        return status;
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_REDEEM);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_int64(st, 3, now);
    status = db_exec_one(db, st, DB_CONFLICT);
    if (status == DB_OK) {
        st = db_stmt(db, Q_ENROLLMENT_ADD_FOR_VOUCHER);
        sqlite3_bind_int64(st, 1, voucher_id);
        sqlite3_bind_int64(st, 2, account_id);
        sqlite3_bind_int64(st, 3, now);
        status = db_exec_stmt(db, st);
    }
    if (status != DB_OK && db_exec_stmt(db, db_stmt(db, Q_REDEMPTION_SAVEPOINT_UNDO)) != DB_OK)
        return DB_ERROR;
    return db_exec_stmt(db, db_stmt(db, Q_REDEMPTION_SAVEPOINT_RELEASE)) == DB_OK ? status : DB_ERROR;
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
    int status = db_collect_by_id(db, a, Q_ENROLLMENT_LIST, account_id, sizeof **list, enrollment_row, &items, n);
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
    if (at->browser)
        sqlite3_bind_blob(st, 8, at->browser, 32, SQLITE_TRANSIENT);
    return db_exec_stmt(db, st);
}

int db_redemption_browser_seen(struct db *db, const unsigned char code_hash[32], const unsigned char browser[32],
                               int64_t since, bool *seen)
{
    sqlite3_stmt *st = db_stmt(db, Q_REDEMPTION_BROWSER_SEEN);
    sqlite3_bind_blob(st, 1, code_hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, browser, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, since);
    int64_t n = 0;
    int status = db_read_int(db, st, &n);
    *seen = status == DB_OK && n > 0;
    return status;
}

int db_redemption_guesses(struct db *db, const char *ip, const char *username, int64_t since, int64_t limit,
                          int64_t *by_ip, int64_t *by_username)
{
    sqlite3_stmt *st = db_stmt(db, Q_REDEMPTION_GUESSES);
    db_bind_text(st, 1, ip);
    db_bind_text(st, 2, username ? username : "");
    sqlite3_bind_int64(st, 3, since);
    sqlite3_bind_int64(st, 4, limit);
    struct counts c;
    int status = db_read_one(db, NULL, st, counts_row, &c);
    if (status == DB_OK) {
        *by_ip = c.first;
        *by_username = c.second;
    }
    return status;
}

static void block_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct redemption_block *b = item;
    b->by_ip = strcmp(db_text(a, st, BLOCK_C_KIND), "ip") == 0;
    b->key = db_text(a, st, BLOCK_C_KEY);
    b->guesses = sqlite3_column_int64(st, BLOCK_C_GUESSES);
    b->last_at = sqlite3_column_int64(st, BLOCK_C_LAST_AT);
}

int db_redemption_blocks(struct db *db, struct arena *a, int64_t since, int64_t limit,
                         struct redemption_block **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_REDEMPTION_BLOCKS);
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, limit);
    return db_collect(db, a, st, sizeof **list, block_row, (void **)list, n);
}

int db_redemption_block_lift(struct db *db, bool by_ip, const char *key, int64_t now, int64_t account_id,
                             const char *reason)
{
    sqlite3_stmt *st = db_stmt(db, Q_REDEMPTION_BLOCK_LIFT);
    db_bind_text(st, 1, by_ip ? "ip" : "username");
    db_bind_text(st, 2, key);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, account_id);
    db_bind_text(st, 5, reason);
    return db_exec_stmt(db, st);
}

int db_redemption_block_lift_purge(struct db *db, int64_t before)
{
    sqlite3_stmt *st = db_stmt(db, Q_REDEMPTION_BLOCK_LIFT_PURGE);
    sqlite3_bind_int64(st, 1, before);
    return db_exec_stmt(db, st);
}

int db_redemption_ip_erase(struct db *db, int64_t before)
{
    sqlite3_stmt *st = db_stmt(db, Q_REDEMPTION_IP_ERASE);
    sqlite3_bind_int64(st, 1, before);
    return db_exec_stmt(db, st);
}

/* ---- the attempt log as support reads it ---- */

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
