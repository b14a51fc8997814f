/* db_account — municipalities, accounts, sessions, login failures, audit log. */
#include <string.h>

#include "db_internal.h"
#include "mem.h"

static const char *const role_names[] = {
    [ROLE_USER] = "user",
    [ROLE_TENANT_ADMIN] = "tenant_admin",
    [ROLE_SUPPORT] = "support",
    [ROLE_ADMIN] = "admin",
};

const char *role_name(enum role role)
{
    return (size_t)role < sizeof role_names / sizeof *role_names && role_names[role]
               ? role_names[role]
               : "?";
}

enum role role_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof role_names / sizeof *role_names; i++)
        if (role_names[i] && strcmp(role_names[i], name) == 0)
            return (enum role)i;
    return 0;
}

/* ---- municipalities ---- */

int db_municipality_add(struct db *db, const struct municipality *m, int64_t now, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_MUNICIPALITY_ADD);
    db_bind_text(st, 1, m->gkz);
    db_bind_text(st, 2, m->name);
    db_bind_text(st, 3, m->address ? m->address : "");
    db_bind_text(st, 4, m->invoice_email);
    db_bind_text(st, 5, m->uid ? m->uid : "");
    sqlite3_bind_int64(st, 6, now);
    int status = db_exec_stmt(db, st);
    if (status == DB_OK && id)
        *id = sqlite3_last_insert_rowid(db_conn(db));
    return status;
}

void db_municipality_columns(sqlite3_stmt *st, int col, struct arena *a, struct municipality *m)
{
    m->id = sqlite3_column_int64(st, col + MUNICIPALITY_C_ID);
    m->gkz = db_text(a, st, col + MUNICIPALITY_C_GKZ);
    m->name = db_text(a, st, col + MUNICIPALITY_C_NAME);
    m->address = db_text(a, st, col + MUNICIPALITY_C_ADDRESS);
    m->invoice_email = db_text(a, st, col + MUNICIPALITY_C_INVOICE_EMAIL);
    m->uid = db_text(a, st, col + MUNICIPALITY_C_UID);
}

static void municipality_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    db_municipality_columns(st, 0, a, item);
}

int db_municipality_by_gkz(struct db *db, struct arena *a, const char *gkz, struct municipality *m)
{
    sqlite3_stmt *st = db_stmt(db, Q_MUNICIPALITY_BY_GKZ);
    db_bind_text(st, 1, gkz);
    return db_read_one(db, a, st, municipality_row, m);
}

int db_municipality_by_id(struct db *db, struct arena *a, int64_t id, struct municipality *m)
{
    sqlite3_stmt *st = db_stmt(db, Q_MUNICIPALITY_BY_ID);
    sqlite3_bind_int64(st, 1, id);
    return db_read_one(db, a, st, municipality_row, m);
}

/* ---- accounts ---- */

int db_account_add(struct db *db, const struct account *acc, int64_t now, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_ACCOUNT_ADD);
    db_bind_text(st, 1, acc->username);
    db_bind_text(st, 2, acc->email);
    db_bind_text(st, 3, acc->first_name);
    db_bind_text(st, 4, acc->last_name);
    db_bind_text(st, 5, role_name(acc->role));
    db_bind_id(st, 6, acc->municipality_id);
    db_bind_text(st, 7, acc->password_hash);
    sqlite3_bind_int64(st, 8, now);
    int status = db_exec_stmt(db, st);
    if (status == DB_OK && id)
        *id = sqlite3_last_insert_rowid(db_conn(db));
    return status;
}

void db_account_columns(sqlite3_stmt *st, int col, struct arena *a, struct account *acc)
{
    acc->id = sqlite3_column_int64(st, col + ACCOUNT_C_ID);
    acc->username = db_text(a, st, col + ACCOUNT_C_USERNAME);
    acc->email = db_text(a, st, col + ACCOUNT_C_EMAIL);
    acc->first_name = db_text(a, st, col + ACCOUNT_C_FIRST_NAME);
    acc->last_name = db_text(a, st, col + ACCOUNT_C_LAST_NAME);
    acc->role = role_from_name((const char *)sqlite3_column_text(st, col + ACCOUNT_C_ROLE));
    acc->municipality_id = sqlite3_column_int64(st, col + ACCOUNT_C_MUNICIPALITY_ID);
    acc->password_hash = db_text(a, st, col + ACCOUNT_C_PASSWORD_HASH);
    acc->disabled = sqlite3_column_int(st, col + ACCOUNT_C_DISABLED) != 0;
}

static void account_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    db_account_columns(st, 0, a, item);
}

int db_account_by_username(struct db *db, struct arena *a, const char *username, struct account *acc)
{
    sqlite3_stmt *st = db_stmt(db, Q_ACCOUNT_BY_USERNAME);
    db_bind_text(st, 1, username);
    return db_read_one(db, a, st, account_row, acc);
}

int db_account_by_id(struct db *db, struct arena *a, int64_t id, struct account *acc)
{
    sqlite3_stmt *st = db_stmt(db, Q_ACCOUNT_BY_ID);
    sqlite3_bind_int64(st, 1, id);
    return db_read_one(db, a, st, account_row, acc);
}

/* ---- sessions ---- */

int db_session_add(struct db *db, const unsigned char hash[32], int64_t account_id, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_SESSION_ADD);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_int64(st, 3, now);
    return db_exec_stmt(db, st);
}

struct session_row {
    int64_t id, last_seen;
    struct account *acc;
};

static void session_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct session_row *s = item;
    s->id = sqlite3_column_int64(st, SESSION_C_ID);
    s->last_seen = sqlite3_column_int64(st, SESSION_C_LAST_SEEN);
    db_account_columns(st, SESSION_C_ACCOUNT, a, s->acc);
}

int db_session_lookup(struct db *db, struct arena *a, const unsigned char hash[32], int64_t now,
                      int64_t idle_since, int64_t created_since, struct account *acc)
{
    sqlite3_stmt *st = db_stmt(db, Q_SESSION_LOOKUP);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, idle_since);
    sqlite3_bind_int64(st, 3, created_since);
    struct session_row s = {.acc = acc};
    int status = db_read_one(db, a, st, session_row, &s);
    if (status != DB_OK || now - s.last_seen < 60)
        return status;
    st = db_stmt(db, Q_SESSION_TOUCH);
    sqlite3_bind_int64(st, 1, s.id);
    sqlite3_bind_int64(st, 2, now);
    return db_exec_stmt(db, st);
}

int db_session_delete(struct db *db, const unsigned char hash[32])
{
    sqlite3_stmt *st = db_stmt(db, Q_SESSION_DELETE);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    return db_exec_stmt(db, st);
}

int db_session_purge(struct db *db, int64_t idle_since, int64_t created_since)
{
    sqlite3_stmt *st = db_stmt(db, Q_SESSION_PURGE);
    sqlite3_bind_int64(st, 1, idle_since);
    sqlite3_bind_int64(st, 2, created_since);
    return db_exec_stmt(db, st);
}

/* ---- login failures ---- */

int db_login_failure_add(struct db *db, const char *key, int64_t now, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_LOGIN_FAILURE_ADD);
    db_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, now);
    return db_insert_stmt(db, st, id);
}

int db_login_failure_delete(struct db *db, int64_t id)
{
    sqlite3_stmt *st = db_stmt(db, Q_LOGIN_FAILURE_DELETE);
    sqlite3_bind_int64(st, 1, id);
    return db_exec_stmt(db, st);
}

int db_login_failure_count(struct db *db, const char *key, int64_t since, int64_t limit, int64_t *count)
{
    sqlite3_stmt *st = db_stmt(db, Q_LOGIN_FAILURE_COUNT);
    db_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, limit);
    return db_read_int(db, st, count);
}

int db_login_failure_add_below(struct db *db, const char *key, int64_t since, int64_t limit, int64_t now,
                               bool *at_limit)
{
    int64_t n = 0;
    int status = db_login_failure_count(db, key, since, limit, &n);
    *at_limit = status == DB_OK && n >= limit;
    return status == DB_OK && !*at_limit ? db_login_failure_add(db, key, now, NULL) : status;
}

int db_login_failure_clear(struct db *db, const char *key)
{
    sqlite3_stmt *st = db_stmt(db, Q_LOGIN_FAILURE_CLEAR);
    db_bind_text(st, 1, key);
    return db_exec_stmt(db, st);
}

int db_login_failure_purge(struct db *db, int64_t before)
{
    sqlite3_stmt *st = db_stmt(db, Q_LOGIN_FAILURE_PURGE);
    sqlite3_bind_int64(st, 1, before);
    return db_exec_stmt(db, st);
}

/* ---- audit log ---- */

int db_audit_add(struct db *db, int64_t account_id, enum audit_action action, const char *subject,
                 const char *detail, const char *ip, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_AUDIT_ADD);
    sqlite3_bind_int64(st, 1, now);
    db_bind_id(st, 2, account_id);
    db_bind_text(st, 3, audit_action_code(action));
    db_bind_text(st, 4, subject ? subject : "");
    db_bind_text(st, 5, detail ? detail : "");
    db_bind_text(st, 6, ip);
    return db_exec_stmt(db, st);
}

int db_audit_erase_ips(struct db *db, int64_t before)
{
    sqlite3_stmt *st = db_stmt(db, Q_AUDIT_IP_ERASE);
    sqlite3_bind_int64(st, 1, before);
    return db_exec_stmt(db, st);
}

static void training_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct training_row *)item = (struct training_row){
        .last_name = db_text(a, st, TRAINING_C_LAST_NAME), .first_name = db_text(a, st, TRAINING_C_FIRST_NAME),
        .username = db_text(a, st, TRAINING_C_USERNAME), .email = db_text(a, st, TRAINING_C_EMAIL),
        .course_title = db_text(a, st, TRAINING_C_COURSE_TITLE),
        .enrolled_at = sqlite3_column_int64(st, TRAINING_C_ENROLLED_AT),
        .completed_on = db_text(a, st, TRAINING_C_COMPLETED_ON),
        .certificate_number = db_text(a, st, TRAINING_C_CERTIFICATE)};
}

static void bind_training(sqlite3_stmt *st, int64_t municipality_id, const char *course, const char *status)
{
    sqlite3_bind_int64(st, 1, municipality_id);
    db_bind_text(st, 2, course ? course : "");
    db_bind_text(st, 3, status ? status : "");
}

int db_training_list(struct db *db, struct arena *a, int64_t municipality_id, const char *course,
                     const char *status, int64_t offset, int64_t limit, struct training_row **rows, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_TRAINING_LIST);
    bind_training(st, municipality_id, course, status);
    sqlite3_bind_int64(st, 4, limit);
    sqlite3_bind_int64(st, 5, offset);
    return db_collect(db, a, st, sizeof **rows, training_row, (void **)rows, n);
}

int db_training_count(struct db *db, int64_t municipality_id, const char *course, const char *status,
                      int64_t *count)
{
    sqlite3_stmt *st = db_stmt(db, Q_TRAINING_COUNT);
    bind_training(st, municipality_id, course, status);
    return db_read_int(db, st, count);
}

int db_training_courses(struct db *db, struct arena *a, int64_t municipality_id, const char ***slugs,
                        const char ***titles, size_t *n)
{
    return db_collect_slug_titles(db, a, Q_TRAINING_COURSES, municipality_id, slugs, titles, n);
}

/* ---- lists and changes of the administration ---- */

static void municipality_summary_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct municipality_summary *s = item;
    db_municipality_columns(st, 0, a, &s->m);
    s->accounts = sqlite3_column_int64(st, MSUMMARY_C_ACCOUNTS);
    s->orders = sqlite3_column_int64(st, MSUMMARY_C_ORDERS);
}

int db_municipality_list(struct db *db, struct arena *a, const char *q, int64_t offset, int64_t limit,
                         struct municipality_summary **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_MUNICIPALITY_LIST);
    db_bind_text(st, 1, q ? q : "");
    sqlite3_bind_int64(st, 2, offset);
    sqlite3_bind_int64(st, 3, limit);
    return db_collect(db, a, st, sizeof **list, municipality_summary_row, (void **)list, n);
}

static void municipality_name_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct municipality_name *m = item;
    m->gkz = db_text(a, st, MNAME_C_GKZ);
    m->name = db_text(a, st, MNAME_C_NAME);
}

int db_municipality_names_version(struct db *db, int64_t *version)
{
    return db_read_int(db, db_stmt(db, Q_MUNICIPALITY_NAMES_VERSION), version);
}

int db_municipality_names(struct db *db, struct arena *a, struct municipality_name **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_MUNICIPALITY_NAMES);
    return db_collect(db, a, st, sizeof **list, municipality_name_row, (void **)list, n);
}

int db_municipality_update(struct db *db, const struct municipality *m)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_MUNICIPALITY_UPDATE);
    sqlite3_bind_int64(st, 1, m->id);
    db_bind_text(st, 2, m->name);
    db_bind_text(st, 3, m->address ? m->address : "");
    db_bind_text(st, 4, m->invoice_email);
    db_bind_text(st, 5, m->uid ? m->uid : "");
    return db_exec_one(db, st, DB_NOT_FOUND);
}

static void account_summary_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct account_summary *s = item;
    db_account_columns(st, 0, a, &s->acc);
    s->gkz = db_text(a, st, ASUMMARY_C_GKZ);
    s->municipality_name = db_text(a, st, ASUMMARY_C_MUNICIPALITY_NAME);
}

int db_account_list(struct db *db, struct arena *a, const char *q, const char *role, const char *gkz,
                    int64_t offset, int64_t limit, struct account_summary **list, size_t *n)
{
    q = q ? q : "";
    role = role ? role : "";
    gkz = gkz ? gkz : "";
    enum query_id id = *q     ? Q_ADMIN_ACCOUNT_SEARCH
                       : *gkz ? Q_ADMIN_ACCOUNT_PAGE_TENANT
                       : *role ? Q_ADMIN_ACCOUNT_PAGE_ROLE
                               : Q_ADMIN_ACCOUNT_PAGE;
    sqlite3_stmt *st = db_stmt(db, id);
    db_bind_text(st, 1, role);
    sqlite3_bind_int64(st, 2, offset);
    sqlite3_bind_int64(st, 3, limit);
    if (id == Q_ADMIN_ACCOUNT_PAGE_TENANT || id == Q_ADMIN_ACCOUNT_SEARCH)
        db_bind_text(st, 4, gkz);
    if (id == Q_ADMIN_ACCOUNT_SEARCH) {
        db_bind_text(st, 5, q);
        db_bind_text(st, 6, arena_printf(a, "%s\xf4\x8f\xbf\xbf", q)); /* q followed by U+10FFFF */
    }
    return db_collect(db, a, st, sizeof **list, account_summary_row, (void **)list, n);
}

int db_account_set_disabled(struct db *db, int64_t account_id, bool disabled)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_ACCOUNT_SET_DISABLED);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int(st, 2, disabled ? 1 : 0);
    return db_exec_one(db, st, DB_NOT_FOUND);
}

int db_account_set_password(struct db *db, int64_t account_id, const char *password_hash)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_ACCOUNT_SET_PASSWORD);
    sqlite3_bind_int64(st, 1, account_id);
    db_bind_text(st, 2, password_hash);
    return db_exec_one(db, st, DB_NOT_FOUND);
}

int db_account_sessions_end(struct db *db, int64_t account_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_SESSIONS_END);
    sqlite3_bind_int64(st, 1, account_id);
    return db_exec_stmt(db, st);
}

static void audit_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct audit_entry *e = item;
    e->at = sqlite3_column_int64(st, AUDIT_C_AT);
    e->username = db_text(a, st, AUDIT_C_USERNAME);
    e->action = db_text(a, st, AUDIT_C_ACTION);
    e->subject = db_text(a, st, AUDIT_C_SUBJECT);
    e->detail = db_text(a, st, AUDIT_C_DETAIL);
    e->ip = db_text(a, st, AUDIT_C_IP);
}

int db_audit_list(struct db *db, struct arena *a, const char *term, int64_t offset, int64_t limit,
                  struct audit_entry **list, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_AUDIT_LIST);
    db_bind_text(st, 1, term);
    sqlite3_bind_int64(st, 2, offset);
    sqlite3_bind_int64(st, 3, limit);
    return db_collect(db, a, st, sizeof **list, audit_row, (void **)list, n);
}


/* ---- support look-ups ---- */

int db_support_accounts(struct db *db, struct arena *a, const char *term, int64_t **ids, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_ACCOUNT_FIND);
    db_bind_text(st, 1, term);
    return db_collect(db, a, st, sizeof **ids, db_row_int, (void **)ids, n);
}
