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
        .name = db_text(a, st, TOKEN_C_NAME), .created_at = sqlite3_column_int64(st, TOKEN_C_CREATED_AT),
        .last_used_at = sqlite3_column_int64(st, TOKEN_C_LAST_USED_AT),
        .revoked_at = sqlite3_column_int64(st, TOKEN_C_REVOKED_AT)};
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

struct token_lookup {
    int64_t id, last_used_at;
    const unsigned char *hash; /* 32 bytes, or NULL when the stored one is not */
};

static void lookup_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct token_lookup *t = item;
    t->id = sqlite3_column_int64(st, LOOKUP_C_ID);
    t->last_used_at = sqlite3_column_int64(st, LOOKUP_C_LAST_USED_AT);
    t->hash = sqlite3_column_bytes(st, LOOKUP_C_HASH) == 32
                  ? (const unsigned char *)arena_memdup(a, sqlite3_column_blob(st, LOOKUP_C_HASH), 32) : NULL;
}

int db_api_token_use(struct db *db, const unsigned char hash[32], int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_API_TOKEN_LOOKUP);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    struct arena *a = arena_new();
    struct token_lookup t = {0};
    int status = db_read_one(db, a, st, lookup_row, &t);
    bool same = status == DB_OK && t.hash && crypto_equal(t.hash, hash, 32);
    arena_free(a);
    if (status != DB_OK)
        return status;
    if (!same)
        return DB_NOT_FOUND;
    int64_t id = t.id, last = t.last_used_at;
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
        .seq = sqlite3_column_int64(st, FEED_C_SEQ), .event = db_text(a, st, FEED_C_EVENT),
        .username = db_text(a, st, FEED_C_USERNAME), .email = db_text(a, st, FEED_C_EMAIL),
        .first_name = db_text(a, st, FEED_C_FIRST_NAME), .last_name = db_text(a, st, FEED_C_LAST_NAME),
        .municipality_gkz = db_text(a, st, FEED_C_GKZ), .course = db_text(a, st, FEED_C_COURSE),
        .at = sqlite3_column_int64(st, FEED_C_AT)};
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
    return db_read_one(db, a, st, feed_row, e);
}

static void enrollment_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct api_enrollment *)item = (struct api_enrollment){
        .course = db_text(a, st, AENR_C_COURSE), .title = db_text(a, st, AENR_C_TITLE),
        .url = db_text(a, st, AENR_C_URL), .enrolled_at = sqlite3_column_int64(st, AENR_C_ENROLLED_AT),
        .completed_on = db_text(a, st, AENR_C_COMPLETED_ON)};
}

int db_api_enrollments(struct db *db, struct arena *a, int64_t account_id, struct api_enrollment **list,
                       size_t *n)
{
    return db_collect_by_id(db, a, Q_LMS_ACCOUNT_ENROLLMENTS, account_id, sizeof **list, enrollment_row,
                            (void **)list, n);
}

int db_lms_webhook_enable(struct db *db, bool enabled)
{
    sqlite3_stmt *st = db_stmt(db, Q_LMS_WEBHOOK_SET);
    sqlite3_bind_int(st, 1, enabled ? 1 : 0);
    return db_exec_stmt(db, st);
}

struct webhook_failing {
    int64_t count, since;
    const char *error;
};

static void failing_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct webhook_failing *)item = (struct webhook_failing){
        sqlite3_column_int64(st, WFAIL_C_COUNT), sqlite3_column_int64(st, WFAIL_C_SINCE),
        db_text(a, st, WFAIL_C_ERROR)};
}

int db_lms_webhook_failing(struct db *db, struct arena *a, int64_t *count, int64_t *since, const char **error)
{
    struct webhook_failing f = {0, 0, ""};
    int status = db_read_one(db, a, db_stmt(db, Q_LMS_WEBHOOK_FAILING), failing_row, &f);
    *count = f.count;
    *since = f.since;
    *error = f.error;
    return status;
}

int db_catalog_url(struct db *db, struct arena *a, int64_t item_id, const char **url)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_URL_GET);
    sqlite3_bind_int64(st, 1, item_id);
    return db_read_one(db, a, st, db_row_text, url);
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
    *(struct course_link *)item = (struct course_link){db_text(a, st, LINK_C_TITLE), db_text(a, st, LINK_C_URL)};
}

int db_voucher_course_links(struct db *db, struct arena *a, int64_t voucher_id, int64_t account_id,
                            struct course_link **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_COURSE_LINKS);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, account_id);
    return db_collect(db, a, st, sizeof **list, link_row, (void **)list, n);
}
