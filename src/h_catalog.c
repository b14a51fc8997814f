/* h_catalog — the public catalog "Kurse".  Its body (the courses and
 * packages) is rendered once per catalog version and kept by the worker (the
 * catalog version is bumped by triggers on every catalog change), and so is
 * the whole page for each variant of the layout (guest, or the menu of a
 * role): a request only splices in the user name and the CSRF token of the
 * logout form (view_send_kept). */
#include <stdio.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "money.h"
#include "req.h"
#include "view.h"
#include "worker.h"

/* The columns of catalog_list.html's tables "courses" and "packages";
 * ITEM_COURSES (the titles of a package's courses) is set for packages. */
enum { ITEM_TITLE, ITEM_DESCRIPTION, ITEM_HOURS, ITEM_NET, ITEM_GROSS, ITEM_FREE, ITEM_COURSES, ITEM_COLUMNS };

static void item_row(struct view_table *t, const struct catalog_item *it, int vat_percent)
{
    char net[MONEY_TEXT_SIZE], gross[MONEY_TEXT_SIZE], hours[32];
    money_format(it->price_cents, net);
    snprintf(hours, sizeof hours, "%lld %s", (long long)it->hours, it->hours == 1 ? "Stunde" : "Stunden");
    money_format(it->price_cents + money_percent_half_up(it->price_cents, vat_percent), gross);
    view_row(t);
    view_cell_text(t, ITEM_TITLE, it->title);
    view_cell_text(t, ITEM_DESCRIPTION, it->description);
    view_cell_text(t, ITEM_HOURS, hours);
    view_cell_text(t, ITEM_NET, net);
    view_cell_text(t, ITEM_GROSS, gross);
    view_cell_int(t, ITEM_FREE, it->price_cents == 0);
    for (size_t k = 0; it->kind == ITEM_PACKAGE && k < it->ncourse_titles; k++)
        view_cell_list_text(t, ITEM_COURSES, it->course_titles[k]);
}

/* The catalog body (templates/part_catalog.html) of the catalog version
 * into *html (malloc'd, the caller owns it).  0 or 500. */
static int render_body(struct req *r, char **html, size_t *len)
{
    struct catalog cat;
    if (db_catalog_list(r->db, r->arena, true, &cat) != DB_OK)
        return 500;
    int vat = r->app->cfg->invoice_vat_percent;
    struct view *v = view_new_part(r, "part_catalog");
    struct view_table *courses = view_table(v, "courses", ITEM_COLUMNS);
    struct view_table *packages = view_table(v, "packages", ITEM_COLUMNS);
    for (size_t i = 0; i < cat.nitems; i++) {
        const struct catalog_item *it = &cat.items[i];
        item_row(it->kind == ITEM_PACKAGE ? packages : courses, it, vat);
    }
    view_int(v, "vat_percent", vat);
    return view_render_into(v, html, len);
}

/* The whole page around the kept body, with stand-ins for the user name and
 * the CSRF token of the logout form (a guest's page has neither). */
static int render_page(struct req *r, char **html, size_t *len)
{
    struct view *v = view_new_kept(r, "catalog_list", "Kurse");
    view_html(v, "catalog_html", r->worker->catalog_body.html);
    return view_render_into(v, html, len);
}

int h_catalog_list(struct req *r)
{
    int64_t version;
    if (db_catalog_version(r->db, &version) != DB_OK)
        return 500;
    struct page_cache *page = &r->worker->catalog_page[view_variant(r)];
    int status = page_cache_refresh(r, &r->worker->catalog_body, version, render_body);
    if (status == 0)
        status = page_cache_refresh(r, page, version, render_page);
    return status != 0 ? status : view_send_kept(r, page->html, page->len, NULL);
}
