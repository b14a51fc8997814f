/* db_catalog — courses, packages and the catalog version. */
#include <string.h>

#include "db_internal.h"
#include "mem.h"

int db_catalog_version(struct db *db, int64_t *version)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_VERSION);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return db_step_error(db, rc);
    *version = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return DB_OK;
}

static void item_columns(sqlite3_stmt *st, struct arena *a, struct catalog_item *it)
{
    it->id = sqlite3_column_int64(st, 0);
    it->kind = strcmp((const char *)sqlite3_column_text(st, 1), "package") == 0 ? ITEM_PACKAGE
                                                                                : ITEM_COURSE;
    it->slug = db_text(a, st, 2);
    it->title = db_text(a, st, 3);
    it->description = db_text(a, st, 4);
    it->hours = sqlite3_column_int64(st, 5);
    it->price_cents = sqlite3_column_int64(st, 6);
    it->active = sqlite3_column_int(st, 7) != 0;
}

static struct catalog_item *find_item(struct catalog *cat, int64_t id)
{
    for (size_t i = 0; i < cat->nitems; i++)
        if (cat->items[i].id == id)
            return &cat->items[i];
    return NULL;
}

/* Fills each package's course_titles (two passes: count, then copy). */
static int attach_package_courses(struct db *db, struct arena *a, struct catalog *cat)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_PACKAGE_COURSES);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct catalog_item *p = find_item(cat, sqlite3_column_int64(st, 0));
        if (p)
            p->ncourse_titles++;
    }
    if (rc != SQLITE_DONE)
        return db_step_error(db, rc);
    for (size_t i = 0; i < cat->nitems; i++) {
        cat->items[i].course_titles = arena_alloc(a, (cat->items[i].ncourse_titles + 1) * sizeof(char *));
        cat->items[i].ncourse_titles = 0;
    }
    sqlite3_reset(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct catalog_item *p = find_item(cat, sqlite3_column_int64(st, 0));
        if (p)
            p->course_titles[p->ncourse_titles++] = db_text(a, st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? DB_OK : db_step_error(db, rc);
}

int db_catalog_list(struct db *db, struct arena *a, bool active_only, struct catalog *cat)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_ITEMS);
    sqlite3_bind_int(st, 1, active_only ? 1 : 0);
    size_t cap = 16;
    cat->items = arena_alloc(a, cap * sizeof *cat->items);
    cat->nitems = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (cat->nitems == cap) {
            struct catalog_item *more = arena_alloc(a, 2 * cap * sizeof *more);
            memcpy(more, cat->items, cap * sizeof *more);
            cat->items = more;
            cap *= 2;
        }
        item_columns(st, a, &cat->items[cat->nitems++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_step_error(db, rc);
    return attach_package_courses(db, a, cat);
}

int db_catalog_item_by_slug(struct db *db, struct arena *a, const char *slug, struct catalog_item *item)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_ITEM_BY_SLUG);
    db_bind_text(st, 1, slug);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return DB_NOT_FOUND;
    if (rc != SQLITE_ROW)
        return db_step_error(db, rc);
    memset(item, 0, sizeof *item);
    item_columns(st, a, item);
    sqlite3_reset(st);
    return DB_OK;
}

int db_catalog_upsert(struct db *db, const struct catalog_item *item, int64_t position, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_UPSERT);
    db_bind_text(st, 1, item->kind == ITEM_PACKAGE ? "package" : "course");
    db_bind_text(st, 2, item->slug);
    db_bind_text(st, 3, item->title);
    db_bind_text(st, 4, item->description);
    sqlite3_bind_int64(st, 5, item->hours);
    sqlite3_bind_int64(st, 6, item->price_cents);
    sqlite3_bind_int64(st, 7, position);
    int rc = sqlite3_step(st);
    int status = DB_OK;
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        status = DB_CONFLICT; /* the slug is taken by the other kind */
    else
        status = db_step_error(db, rc);
    sqlite3_reset(st);
    return status;
}

int db_catalog_package_set_courses(struct db *db, int64_t package_id, const int64_t *course_ids,
                                   size_t n)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_PACKAGE_CLEAR);
    sqlite3_bind_int64(st, 1, package_id);
    int status = db_exec_stmt(db, st);
    for (size_t i = 0; i < n && status == DB_OK; i++) {
        st = db_stmt(db, Q_CATALOG_PACKAGE_ADD_COURSE);
        sqlite3_bind_int64(st, 1, package_id);
        sqlite3_bind_int64(st, 2, course_ids[i]);
        sqlite3_bind_int64(st, 3, (int64_t)i);
        status = db_exec_stmt(db, st);
    }
    return status;
}
