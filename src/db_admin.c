/* db_admin — what the administration pages read and change: catalog items,
 * municipalities and accounts (see the administration section of db.h). */
#include "db_internal.h"
#include "mem.h"

int db_catalog_add(struct db *db, const struct catalog_item *item, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_CATALOG_ADD);
    db_bind_text(st, 1, item->kind == ITEM_PACKAGE ? "package" : "course");
    db_bind_text(st, 2, item->slug);
    db_bind_text(st, 3, item->title);
    db_bind_text(st, 4, item->description ? item->description : "");
    sqlite3_bind_int64(st, 5, item->hours);
    sqlite3_bind_int64(st, 6, item->price_cents);
    sqlite3_bind_int(st, 7, item->active ? 1 : 0);
    return db_insert_stmt(db, st, id);
}

/* DB_OK when the last statement changed a row, else DB_NOT_FOUND. */
int db_catalog_update(struct db *db, const struct catalog_item *item)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_CATALOG_UPDATE);
    sqlite3_bind_int64(st, 1, item->id);
    db_bind_text(st, 2, item->title);
    db_bind_text(st, 3, item->description ? item->description : "");
    sqlite3_bind_int64(st, 4, item->hours);
    sqlite3_bind_int64(st, 5, item->price_cents);
    sqlite3_bind_int(st, 6, item->active ? 1 : 0);
    return db_exec_one(db, st, DB_NOT_FOUND);
}

static void slug_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(const char **)item = db_text(a, st, 0);
}

int db_package_slugs(struct db *db, struct arena *a, int64_t package_id, const char ***slugs, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ADMIN_PACKAGE_SLUGS);
    sqlite3_bind_int64(st, 1, package_id);
    return db_collect(db, a, st, sizeof **slugs, slug_row, (void **)slugs, n);
}

static void municipality_row(sqlite3_stmt *st, struct arena *a, void *item)
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
    return db_collect(db, a, st, sizeof **list, municipality_row, (void **)list, n);
}

static void municipality_name_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct municipality_name *m = item;
    m->gkz = db_text(a, st, MNAME_C_GKZ);
    m->name = db_text(a, st, MNAME_C_NAME);
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

static void account_row(sqlite3_stmt *st, struct arena *a, void *item)
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
    return db_collect(db, a, st, sizeof **list, account_row, (void **)list, n);
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
