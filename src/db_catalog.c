/* db_catalog — courses, packages, their administration and the catalog version. */
#include <string.h>

#include "db_internal.h"
#include "mem.h"

int db_catalog_version(struct db *db, int64_t *version)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_VERSION);
    return db_read_int(db, st, version);
}

static void item_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct catalog_item *it = item;
    memset(it, 0, sizeof *it);
    it->id = sqlite3_column_int64(st, ITEM_C_ID);
    it->kind = strcmp((const char *)sqlite3_column_text(st, ITEM_C_KIND), "package") == 0 ? ITEM_PACKAGE
                                                                                        : ITEM_COURSE;
    it->slug = db_text(a, st, ITEM_C_SLUG);
    it->title = db_text(a, st, ITEM_C_TITLE);
    it->description = db_text(a, st, ITEM_C_DESCRIPTION);
    it->hours = sqlite3_column_int64(st, ITEM_C_HOURS);
    it->price_cents = sqlite3_column_int64(st, ITEM_C_PRICE);
    it->active = sqlite3_column_int(st, ITEM_C_ACTIVE) != 0;
}

static struct catalog_item *find_item(struct catalog *cat, int64_t id)
{
    for (size_t i = 0; i < cat->nitems; i++)
        if (cat->items[i].id == id)
            return &cat->items[i];
    return NULL;
}

struct package_course {
    int64_t package_id;
    const char *title;
};

static void package_course_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct package_course *)item = (struct package_course){
        sqlite3_column_int64(st, PACKAGE_COURSE_C_PACKAGE_ID), db_text(a, st, PACKAGE_COURSE_C_TITLE)};
}

/* Fills each package's course_titles: all (package, title) rows read once,
 * then counted and handed out in their order. */
static int attach_package_courses(struct db *db, struct arena *a, struct catalog *cat)
{
    struct package_course *rows;
    size_t n;
    int status = db_collect(db, a, db_stmt(db, Q_CATALOG_PACKAGE_COURSES), sizeof *rows, package_course_row,
                            (void **)&rows, &n);
    if (status != DB_OK)
        return status;
    for (size_t i = 0; i < n; i++) {
        struct catalog_item *p = find_item(cat, rows[i].package_id);
        if (p)
            p->ncourse_titles++;
    }
    for (size_t i = 0; i < cat->nitems; i++) {
        cat->items[i].course_titles = arena_alloc(a, (cat->items[i].ncourse_titles + 1) * sizeof(char *));
        cat->items[i].ncourse_titles = 0;
    }
    for (size_t i = 0; i < n; i++) {
        struct catalog_item *p = find_item(cat, rows[i].package_id);
        if (p)
            p->course_titles[p->ncourse_titles++] = rows[i].title;
    }
    return DB_OK;
}

int db_catalog_list(struct db *db, struct arena *a, bool active_only, struct catalog *cat)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_ITEMS);
    sqlite3_bind_int(st, 1, active_only ? 1 : 0);
    void *items;
    int status = db_collect(db, a, st, sizeof *cat->items, item_row, &items, &cat->nitems);
    cat->items = items;
    return status == DB_OK ? attach_package_courses(db, a, cat) : status;
}

int db_catalog_item_by_slug(struct db *db, struct arena *a, const char *slug, struct catalog_item *item)
{
    sqlite3_stmt *st = db_stmt(db, Q_CATALOG_ITEM_BY_SLUG);
    db_bind_text(st, 1, slug);
    return db_read_one(db, a, st, item_row, item);
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
    int status = db_read_int(db, st, id);
    return status == DB_NOT_FOUND ? DB_CONFLICT : status; /* no row: the slug is taken by the other kind */
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

/* ---- administration: adding and changing items ---- */

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

int db_package_slugs(struct db *db, struct arena *a, int64_t package_id, const char ***slugs, size_t *n)
{
    return db_collect_by_id(db, a, Q_ADMIN_PACKAGE_SLUGS, package_id, sizeof **slugs, db_row_text, (void **)slugs,
                            n);
}
