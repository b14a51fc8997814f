/* h_catalog — the public catalog "Kurse".  For guests the whole page is
 * rendered once per catalog version and kept by the worker (the catalog
 * version is bumped by triggers on every catalog change). */
#include <stdlib.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "money.h"
#include "req.h"
#include "view.h"

/* The columns of catalog_list.html's tables "courses" and "packages";
 * ITEM_COURSES (the titles of a package's courses) is set for packages. */
enum { ITEM_TITLE, ITEM_DESCRIPTION, ITEM_HOURS, ITEM_NET, ITEM_GROSS, ITEM_FREE, ITEM_COURSES, ITEM_COLUMNS };

static void item_row(struct view_table *t, const struct catalog_item *it, int vat_percent)
{
    char net[MONEY_TEXT_SIZE], gross[MONEY_TEXT_SIZE];
    money_format(it->price_cents, net);
    money_format(it->price_cents + money_percent_half_up(it->price_cents, vat_percent), gross);
    view_row(t);
    view_cell_text(t, ITEM_TITLE, it->title);
    view_cell_text(t, ITEM_DESCRIPTION, it->description);
    view_cell_int(t, ITEM_HOURS, (long)it->hours);
    view_cell_text(t, ITEM_NET, net);
    view_cell_text(t, ITEM_GROSS, gross);
    view_cell_int(t, ITEM_FREE, it->price_cents == 0);
    for (size_t k = 0; it->kind == ITEM_PACKAGE && k < it->ncourse_titles; k++)
        view_cell_list_text(t, ITEM_COURSES, it->course_titles[k]);
}

static int render_catalog(struct req *r, char **html, size_t *len)
{
    struct catalog cat;
    if (db_catalog_list(r->db, r->arena, true, &cat) != DB_OK)
        return 500;
    int vat = r->app->cfg->invoice_vat_percent;
    struct view *v = view_new(r, "catalog_list", "Kurse");
    struct view_table *courses = view_table(v, "courses", ITEM_COLUMNS);
    struct view_table *packages = view_table(v, "packages", ITEM_COLUMNS);
    for (size_t i = 0; i < cat.nitems; i++) {
        const struct catalog_item *it = &cat.items[i];
        item_row(it->kind == ITEM_PACKAGE ? packages : courses, it, vat);
    }
    view_int(v, "vat_percent", vat);
    *html = view_render_malloc(v, len);
    return *html ? 0 : 500;
}

int h_catalog_list(struct req *r)
{
    char *html;
    size_t len;
    if (r->who) {
        int status = render_catalog(r, &html, &len);
        if (status == 0) {
            req_bytes(r, "text/html; charset=utf-8", html, len);
            free(html);
        }
        return status;
    }
    struct page_cache *cache = &r->worker->catalog_for_guests;
    int64_t version;
    if (db_catalog_version(r->db, &version) != DB_OK)
        return 500;
    if (cache->version != version) {
        int status = render_catalog(r, &html, &len);
        if (status != 0)
            return status;
        free(cache->html);
        cache->html = html;
        cache->len = len;
        cache->version = version;
    }
    return req_bytes(r, "text/html; charset=utf-8", cache->html, cache->len);
}
