/* db_cert — completed enrollments and their certificates. */
#include "db_internal.h"

struct enrollment_found {
    int64_t id;
    const char *completed_on;
};

static void enrollment_found_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct enrollment_found *e = item;
    e->id = sqlite3_column_int64(st, ENROLLMENT_FIND_C_ID);
    e->completed_on = db_text(a, st, ENROLLMENT_FIND_C_COMPLETED_ON);
}

int db_enrollment_find(struct db *db, struct arena *a, int64_t account_id, int64_t course_id, int64_t *id,
                       const char **completed_on)
{
    sqlite3_stmt *st = db_stmt(db, Q_ENROLLMENT_FIND);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, course_id);
    struct enrollment_found e;
    int status = db_read_one(db, a, st, enrollment_found_row, &e);
    if (status == DB_OK) {
        *id = e.id;
        *completed_on = e.completed_on;
    }
    return status;
}

static void open_enrollment_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct open_enrollment *e = item;
    e->slug = db_text(a, st, OPEN_C_SLUG);
    e->title = db_text(a, st, OPEN_C_TITLE);
    e->enrolled_at = sqlite3_column_int64(st, OPEN_C_ENROLLED_AT);
}

int db_enrollments_open(struct db *db, struct arena *a, int64_t account_id, struct open_enrollment **list,
                        size_t *n)
{
    return db_collect_by_id(db, a, Q_ENROLLMENTS_OPEN, account_id, sizeof **list, open_enrollment_row,
                            (void **)list, n);
}

int db_enrollment_enrolled_at(struct db *db, int64_t enrollment_id, int64_t *at)
{
    sqlite3_stmt *st = db_stmt(db, Q_ENROLLMENT_ENROLLED_AT);
    sqlite3_bind_int64(st, 1, enrollment_id);
    return db_read_int(db, st, at);
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

static void certificate_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct certificate *)item = (struct certificate){
        .id = sqlite3_column_int64(st, CERT_C_ID),
        .number = db_text(a, st, CERT_C_NUMBER),
        .enrollment_id = sqlite3_column_int64(st, CERT_C_ENROLLMENT_ID),
        .account_id = sqlite3_column_int64(st, CERT_C_ACCOUNT_ID),
        .issued_at = sqlite3_column_int64(st, CERT_C_ISSUED_AT),
        .holder_name = db_text(a, st, CERT_C_HOLDER_NAME),
        .municipality_name = db_text(a, st, CERT_C_MUNICIPALITY_NAME),
        .course_title = db_text(a, st, CERT_C_COURSE_TITLE),
        .hours = sqlite3_column_int64(st, CERT_C_HOURS),
        .completed_on = db_text(a, st, CERT_C_COMPLETED_ON),
    };
}

/* The certificate with this id, number or enrollment (the others 0 / NULL). */
static int find(struct db *db, struct arena *a, int64_t id, const char *number, int64_t enrollment_id,
                struct certificate *c)
{
    sqlite3_stmt *st = db_stmt(db, Q_CERTIFICATE_FIND);
    sqlite3_bind_int64(st, 1, id);
    db_bind_text(st, 2, number);
    sqlite3_bind_int64(st, 3, enrollment_id);
    return db_read_one(db, a, st, certificate_row, c);
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
