/* db_lms — the LMS API: named tokens (hashes only), the enrollment change
 * feed written by the triggers of migration 007, the account look-up, and
 * the webhook switch and failures. */
#include <string.h>

#include "crypto.h"
#include "db_internal.h"
#include "mem.h"

int db_api_token_add(struct db *db, const char *name, const unsigned char hash[32], int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_API_TOKEN_ADD);
    db_bind_text(st, 1, name);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, now);
    return db_exec_stmt(db, st);
}

static void token_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct api_token *)item = (struct api_token){
        .name = db_text(a, st, 0), .created_at = sqlite3_column_int64(st, 1),
        .last_used_at = sqlite3_column_int64(st, 2), .revoked_at = sqlite3_column_int64(st, 3)};
}

int db_api_token_list(struct db *db, struct arena *a, struct api_token **list, size_t *n)
{
    return db_collect(db, a, db_stmt(db, Q_API_TOKEN_LIST), sizeof **list, token_row, (void **)list, n);
}

int db_api_token_revoke(struct db *db, const char *name, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_API_TOKEN_REVOKE);
    db_bind_text(st, 1, name);
    sqlite3_bind_int64(st, 2, now);
    return db_exec_one(db, st, DB_NOT_FOUND);
}

int db_api_token_use(struct db *db, const unsigned char hash[32], int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_API_TOKEN_LOOKUP);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    int status = db_step_row(db, st);
    if (status != DB_OK)
        return status;
    int64_t id = sqlite3_column_int64(st, 0);
    bool same = sqlite3_column_bytes(st, 1) == 32 && crypto_equal(sqlite3_column_blob(st, 1), hash, 32);
    int64_t last = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    if (!same)
        return DB_NOT_FOUND;
    if (now - last < 60)
        return DB_OK;
    st = db_stmt(db, Q_API_TOKEN_TOUCH);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return db_exec_stmt(db, st);
}

static void feed_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct feed_entry *)item = (struct feed_entry){
        .seq = sqlite3_column_int64(st, 0), .event = db_text(a, st, 1), .username = db_text(a, st, 2),
        .email = db_text(a, st, 3), .first_name = db_text(a, st, 4), .last_name = db_text(a, st, 5),
        .municipality_gkz = db_text(a, st, 6), .course = db_text(a, st, 7), .at = sqlite3_column_int64(st, 8)};
}

int db_feed_list(struct db *db, struct arena *a, int64_t after, int64_t limit, struct feed_entry **list,
                 size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_LMS_FEED);
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, 0);
    return db_collect(db, a, st, sizeof **list, feed_row, (void **)list, n);
}

int db_feed_entry(struct db *db, struct arena *a, int64_t seq, struct feed_entry *e)
{
    sqlite3_stmt *st = db_stmt(db, Q_LMS_FEED);
    sqlite3_bind_int64(st, 1, seq - 1);
    sqlite3_bind_int64(st, 2, 1);
    sqlite3_bind_int64(st, 3, seq);
    int status = db_step_row(db, st);
    if (status != DB_OK)
        return status;
    feed_row(st, a, e);
    sqlite3_reset(st);
    return DB_OK;
}

static void enrollment_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct api_enrollment *)item = (struct api_enrollment){
        .course = db_text(a, st, 0), .title = db_text(a, st, 1), .url = db_text(a, st, 2),
        .enrolled_at = sqlite3_column_int64(st, 3), .completed_on = db_text(a, st, 4)};
}

int db_api_enrollments(struct db *db, struct arena *a, int64_t account_id, struct api_enrollment **list,
                       size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_LMS_ACCOUNT_ENROLLMENTS);
    sqlite3_bind_int64(st, 1, account_id);
    return db_collect(db, a, st, sizeof **list, enrollment_row, (void **)list, n);
}

int db_lms_webhook_enable(struct db *db, bool enabled)
{
    sqlite3_stmt *st = db_stmt(db, Q_LMS_WEBHOOK_SET);
    sqlite3_bind_int(st, 1, enabled ? 1 : 0);
    return db_exec_stmt(db, st);
}

int db_lms_webhook_failing(struct db *db, struct arena *a, int64_t *count, int64_t *since, const char **error)
{
    sqlite3_stmt *st = db_stmt(db, Q_LMS_WEBHOOK_FAILING);
    int status = db_step_row(db, st);
    if (status != DB_OK)
        return status;
    *count = sqlite3_column_int64(st, 0);
    *since = sqlite3_column_int64(st, 1);
    *error = db_text(a, st, 2);
    sqlite3_reset(st);
    return DB_OK;
}

int db_catalog_url(struct db *db, struct arena *a, int64_t item_id, const char **url)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_URL_GET);
    sqlite3_bind_int64(st, 1, item_id);
    int status = db_step_row(db, st);
    if (status != DB_OK)
        return status;
    *url = db_text(a, st, 0);
    sqlite3_reset(st);
    return DB_OK;
}

int db_catalog_set_url(struct db *db, int64_t item_id, const char *url)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_URL_SET);
    sqlite3_bind_int64(st, 1, item_id);
    db_bind_text(st, 2, url);
    return db_exec_stmt(db, st);
}

static void link_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct course_link *)item = (struct course_link){db_text(a, st, 0), db_text(a, st, 1)};
}

int db_voucher_course_links(struct db *db, struct arena *a, int64_t voucher_id, int64_t account_id,
                            struct course_link **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_COURSE_LINKS);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, account_id);
    return db_collect(db, a, st, sizeof **list, link_row, (void **)list, n);
}
