/* db_cert — completed enrollments and their certificates. */
#include "db_internal.h"

int db_enrollment_find(struct db *db, struct arena *a, int64_t account_id, int64_t course_id, int64_t *id,
                       const char **completed_on)
{
    sqlite3_stmt *st = db_stmt(db, Q_ENROLLMENT_FIND);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, course_id);
    int status = db_step_row(db, st);
    if (status != DB_OK)
        return status;
    *id = sqlite3_column_int64(st, 0);
    *completed_on = db_text(a, st, 1);
    sqlite3_reset(st);
    return DB_OK;
}

static void open_enrollment_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct open_enrollment *e = item;
    e->slug = db_text(a, st, 0);
    e->title = db_text(a, st, 1);
    e->enrolled_at = sqlite3_column_int64(st, 2);
}

int db_enrollments_open(struct db *db, struct arena *a, int64_t account_id, struct open_enrollment **list,
                        size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ENROLLMENTS_OPEN);
    sqlite3_bind_int64(st, 1, account_id);
    return db_collect(db, a, st, sizeof **list, open_enrollment_row, (void **)list, n);
}

int db_enrollment_enrolled_at(struct db *db, int64_t enrollment_id, int64_t *at)
{
    sqlite3_stmt *st = db_stmt(db, Q_ENROLLMENT_ENROLLED_AT);
    sqlite3_bind_int64(st, 1, enrollment_id);
    int status = db_step_row(db, st);
    if (status != DB_OK)
        return status;
    *at = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return DB_OK;
}


int db_enrollment_complete(struct db *db, int64_t enrollment_id, const char *completed_on)
{
    sqlite3_stmt *st = db_stmt(db, Q_ENROLLMENT_COMPLETE);
    sqlite3_bind_int64(st, 1, enrollment_id);
    db_bind_text(st, 2, completed_on);
    return db_exec_one(db, st, DB_CONFLICT);
}

int db_certificate_add(struct db *db, const char *number, int64_t enrollment_id, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_CERTIFICATE_ADD);
    db_bind_text(st, 1, number);
    sqlite3_bind_int64(st, 2, enrollment_id);
    sqlite3_bind_int64(st, 3, now);
    return db_exec_one(db, st, DB_CONFLICT);
}

/* The certificate with this id, number or enrollment (the others 0 / NULL). */
static int find(struct db *db, struct arena *a, int64_t id, const char *number, int64_t enrollment_id,
                struct certificate *c)
{
    sqlite3_stmt *st = db_stmt(db, Q_CERTIFICATE_FIND);
    sqlite3_bind_int64(st, 1, id);
    db_bind_text(st, 2, number);
    sqlite3_bind_int64(st, 3, enrollment_id);
    int status = db_step_row(db, st);
    if (status != DB_OK)
        return status;
    *c = (struct certificate){
        .id = sqlite3_column_int64(st, 0),
        .number = db_text(a, st, 1),
        .enrollment_id = sqlite3_column_int64(st, 2),
        .account_id = sqlite3_column_int64(st, 3),
        .issued_at = sqlite3_column_int64(st, 4),
        .holder_name = db_text(a, st, 5),
        .municipality_name = db_text(a, st, 6),
        .course_title = db_text(a, st, 7),
        .hours = sqlite3_column_int64(st, 8),
        .completed_on = db_text(a, st, 9),
    };
    sqlite3_reset(st);
    return DB_OK;
}

int db_certificate_by_id(struct db *db, struct arena *a, int64_t id, struct certificate *c)
{
    return find(db, a, id, NULL, 0, c);
}

int db_certificate_by_number(struct db *db, struct arena *a, const char *number, struct certificate *c)
{
    return find(db, a, 0, number, 0, c);
}

int db_certificate_by_enrollment(struct db *db, struct arena *a, int64_t enrollment_id, struct certificate *c)
{
    return find(db, a, 0, NULL, enrollment_id, c);
}
