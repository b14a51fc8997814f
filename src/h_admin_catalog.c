/* h_admin_catalog — /admin/kurse: every catalog item (on sale or not), the
 * form to add a course or package (/admin/kurse/neu) and to change one
 * (/admin/kurse/{slug}/bearbeiten).  Kind and slug are fixed once created;
 * an item leaves the catalog by "active" off, never by deletion, so codes
 * already sold still redeem.  The rules are catalog_rules.c's; every change
 * is one transaction with its audit entry (catalog.add / catalog.edit), and
 * the catalog_version triggers renew the guest page cache of /kurse. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "catalog_rules.h"
#include "db.h"
#include "fmt.h"
#include "form_errors.h"
#include "h_admin.h"
#include "handlers.h"
#include "money.h"
#include "req.h"
#include "view.h"

/* The item form as posted (or as loaded for editing). */
struct item_form {
    struct catalog_item item;
    const char *hours, *price, *courses; /* as typed */
    const char **slugs;                  /* courses split, packages only */
    size_t nslugs;
    struct form_errors error;
};

/* Columns of table items in admin_catalog_list.html, in the order it reads them. */
enum { ITEM_KIND, ITEM_SLUG, ITEM_TITLE, ITEM_HOURS, ITEM_NET, ITEM_ACTIVE, ITEM_COLUMNS };
/* Columns of table course_options (checkboxes) in admin_catalog_form.html, in the order it reads them. */
enum { COURSE_SLUG, COURSE_TITLE, COURSE_CHECKED, COURSE_COLUMNS };
static const enum field_id form_fields[] = {F_KIND, F_SLUG, F_TITLE, F_DESCRIPTION, F_HOURS, F_PRICE,
                                            F_COURSES, F_URL, F__MAX};
static const enum field_id problem_input[] = {
    [CATALOG_SLUG] = F_SLUG, [CATALOG_TITLE] = F_TITLE, [CATALOG_DESCRIPTION] = F_DESCRIPTION,
    [CATALOG_HOURS] = F_HOURS, [CATALOG_PRICE] = F_PRICE, [CATALOG_COURSES] = F_COURSES,
    [CATALOG_URL] = F_URL,
};

static const char *kind_label(enum item_kind kind)
{
    return kind == ITEM_PACKAGE ? "Paket" : "Kurs";
}

#define ITEMS_PER_PAGE 100

/* Whether needle occurs in haystack, ASCII letters of either case alike. */
static bool contains_ascii_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = haystack; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return n == 0;
}

/* Whether item matches q: q "" or found in its slug or title. */
static bool item_matches(const struct catalog_item *it, const char *q)
{
    return !*q || contains_ascii_nocase(it->slug, q) || contains_ascii_nocase(it->title, q);
}

/* /admin/kurse?q=&seite=: a page of the catalog in its order (courses, then
 * packages, each by position).  The catalog is read whole (tens of items,
 * the same read the order form does) and filtered here. */
int h_admin_catalog_list(struct req *r)
{
    const char *q = req_text(r, F_Q) ? req_text(r, F_Q) : "";
    struct list_page p = admin_list_page(r, ITEMS_PER_PAGE);
    struct catalog cat;
    if (db_catalog_list(r->db, r->arena, false, &cat) != DB_OK)
        return 500;
    const struct catalog_item **page = arena_alloc(r->arena, (size_t)p.limit * sizeof *page);
    size_t n = 0;
    int64_t skip = p.offset;
    for (size_t i = 0; i < cat.nitems && (int64_t)n < p.limit; i++) {
        if (!item_matches(&cat.items[i], q))
            continue;
        if (skip > 0)
            skip--;
        else
            page[n++] = &cat.items[i];
    }
    struct view *v = view_new(r, "admin_catalog_list", "Kurse und Pakete verwalten");
    view_text(v, "q", req_raw(r, F_Q));
    n = admin_pager(r, v, &p, n, "/admin/kurse", (const char *const[]){"q", q, NULL});
    view_int(v, "count", (long)n);
    struct view_table *t = view_table(v, "items", ITEM_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        const struct catalog_item *it = page[i];
        view_row(t);
        view_cell_text(t, ITEM_KIND, kind_label(it->kind));
        view_cell_text(t, ITEM_SLUG, it->slug);
        view_cell_text(t, ITEM_TITLE, it->title);
        view_cell_text(t, ITEM_HOURS, fmt_hours(r->arena, it->hours));
        view_cell_text(t, ITEM_NET, fmt_money(r->arena, it->price_cents));
        view_cell_int(t, ITEM_ACTIVE, it->active);
    }
    return view_render(v);
}

static bool has_slug(const struct item_form *f, const char *slug)
{
    for (size_t i = 0; i < f->nslugs; i++)
        if (strcmp(f->slugs[i], slug) == 0)
            return true;
    return false;
}

/* The courses a package may consist of, as checkboxes ("course_options"):
 * every course by title, checked when f names it. */
static int course_table(struct req *r, struct view *v, const struct item_form *f)
{
    struct catalog cat;
    if (db_catalog_list(r->db, r->arena, false, &cat) != DB_OK)
        return 500;
    struct view_table *t = view_table(v, "course_options", COURSE_COLUMNS);
    for (size_t i = 0; i < cat.nitems; i++) {
        if (cat.items[i].kind != ITEM_COURSE)
            continue;
        view_row(t);
        view_cell_text(t, COURSE_SLUG, cat.items[i].slug);
        view_cell_text(t, COURSE_TITLE, cat.items[i].title);
        view_cell_int(t, COURSE_CHECKED, has_slug(f, cat.items[i].slug));
    }
    return 0;
}

/* The add form (adding) or the edit form, with the values and error of f. */
static int show_form(struct req *r, int status, bool adding, const struct item_form *f)
{
    const struct catalog_item *it = &f->item;
    struct view *v = view_new(r, "admin_catalog_form", adding ? "Kurs oder Paket anlegen"
                                                              : arena_printf(r->arena, "%s bearbeiten", it->title));
    if (course_table(r, v, f) != 0)
        return 500;
    view_int(v, "adding", adding);
    view_int(v, "with_courses", adding || it->kind == ITEM_PACKAGE);
    view_text(v, "kind", it->kind == ITEM_PACKAGE ? "package" : "course");
    view_text(v, "kind_label", kind_label(it->kind));
    view_text(v, "slug", it->slug);
    view_url(v, "action", adding ? "/admin/kurse/neu" : arena_printf(r->arena, "/admin/kurse/%s/bearbeiten", it->slug));
    view_text(v, "title", it->title);
    view_text(v, "description", it->description);
    view_text(v, "hours", f->hours);
    view_text(v, "price", f->price);
    view_text(v, "url", it->url ? it->url : "");
    view_int(v, "active", it->active);
    form_errors_view(r, v, &f->error, form_fields, "");
    int rc = view_render(v);
    r->status = status;
    return rc;
}

/* Reads the posted values into f (kind and slug only when adding; else
 * they stay as loaded) and checks them by the catalog rules. */
static void read_form(struct req *r, struct item_form *f, bool adding)
{
    struct form_errors *e = &f->error;
    struct catalog_item *it = &f->item;
    if (adding) {
        const char *kind = req_text(r, F_KIND);
        if (!kind)
            form_error_set(e, F_KIND, "Bitte wählen Sie, ob Sie einen Kurs oder ein Paket anlegen.");
        it->kind = kind && strcmp(kind, "package") == 0 ? ITEM_PACKAGE : ITEM_COURSE;
        it->slug = req_raw(r, F_SLUG);
    }
    it->title = form_input(r, e, F_TITLE, "Der Titel");
    it->description = form_input(r, e, F_DESCRIPTION, "Die Beschreibung");
    it->url = form_input(r, e, F_URL, "Die Adresse in der Lernplattform");
    it->active = req_text(r, F_ACTIVE) != NULL;
    f->hours = req_raw(r, F_HOURS);
    f->price = req_raw(r, F_PRICE);
    f->courses = it->kind == ITEM_PACKAGE ? form_input(r, e, F_COURSES, "Die Kursliste") : "";
    catalog_split_slugs(r->arena, f->courses, &f->slugs, &f->nslugs);
    long long hours = 0, cents = 0; /* typed and range-checked by the input table */
    if (!req_number(r, F_HOURS, &hours))
        form_error_set(e, F_HOURS, req_problem(r, F_HOURS));
    if (!req_number(r, F_PRICE, &cents))
        form_error_set(e, F_PRICE, req_problem(r, F_PRICE));
    it->hours = hours;
    it->price_cents = cents;
    const struct catalog_problem *all[CATALOG_PROBLEMS_MAX];
    size_t n = catalog_item_problems(it, f->nslugs, all);
    for (size_t i = 0; i < n; i++) /* every field that is wrong says so (the first message per field counts) */
        form_error_set(e, problem_input[all[i]->field], all[i]->text);
}

/* ---- adding ---- */

/* Writes a package's courses (nothing for a course): 0, 1 (msg) or -1. */
static int write_courses(struct req *r, struct item_form *f, char *msg, size_t msglen)
{
    if (f->item.kind != ITEM_PACKAGE)
        return 0;
    f->error.field = F_COURSES;
    return catalog_package_courses_set(r->db, r->arena, f->item.id, f->slugs, f->nslugs, msg, msglen);
}

static int add_item(struct req *r, void *ctx, char *msg, size_t msglen)
{
    struct item_form *f = ctx;
    int status = db_catalog_add(r->db, &f->item, &f->item.id);
    if (status == DB_OK)
        status = db_catalog_set_url(r->db, f->item.id, f->item.url);
    if (status == DB_CONFLICT) {
        snprintf(msg, msglen, "Das Kürzel %s ist schon vergeben.", f->item.slug);
        f->error.field = F_SLUG;
        return 1;
    }
    return status == DB_OK ? write_courses(r, f, msg, msglen) : -1;
}

int h_admin_catalog_new(struct req *r)
{
    struct item_form f = {.item = {.slug = "", .title = "", .url = "", .active = true}, .hours = "", .price = "",
                          .courses = ""};
    return show_form(r, 200, true, &f);
}

/* Writes the change c of f; a refusal re-shows the form with its message. */
static int write_item(struct req *r, struct item_form *f, bool adding, const struct admin_change *c)
{
    char msg[256];
    int rc = admin_write(r, c, msg, sizeof msg);
    if (rc == 1) {
        enum field_id field = f->error.field; /* set by the refusing step (no input problem came before) */
        f->error = (struct form_errors){0};
        form_error_set(&f->error, field, arena_strdup(r->arena, msg));
        return show_form(r, 422, adding, f);
    }
    return rc != 0 ? rc : req_redirect(r, "/admin/kurse");
}

int h_admin_catalog_add(struct req *r)
{
    struct item_form f = {0};
    read_form(r, &f, true);
    if (f.error.text)
        return show_form(r, 422, true, &f);
    struct admin_change c = {
        .change = add_item, .ctx = &f, .action = AUDIT_CATALOG_ADD, .subject = f.item.slug,
        .detail = arena_printf(r->arena, "%s „%s“, %s, %s, %s%s%s", kind_label(f.item.kind),
                               f.item.title, fmt_money(r->arena, f.item.price_cents),
                               fmt_hours(r->arena, f.item.hours),
                               f.item.active ? "aktiv" : "nicht aktiv", f.nslugs ? ", Kurse " : "", f.courses),
    };
    return write_item(r, &f, true, &c);
}

/* ---- editing ---- */

/* The item named in the path with its course slugs joined: 0, 404 or 500. */
static int load_item(struct req *r, struct item_form *f)
{
    int status = db_catalog_item_by_slug(r->db, r->arena, r->path_arg, &f->item);
    if (status == DB_OK)
        status = db_catalog_url(r->db, r->arena, f->item.id, &f->item.url);
    if (status != DB_OK)
        return status == DB_NOT_FOUND ? 404 : 500;
    const char **slugs = NULL;
    size_t n = 0;
    if (f->item.kind == ITEM_PACKAGE && db_package_slugs(r->db, r->arena, f->item.id, &slugs, &n) != DB_OK)
        return 500;
    f->courses = arena_join(r->arena, slugs, n, " ");
    f->slugs = slugs;
    f->nslugs = n;
    f->hours = arena_printf(r->arena, "%lld", (long long)f->item.hours);
    /* the app's own format without " €" ("1.234,50"), as money_parse_typed reads it back */
    char price[MONEY_TEXT_SIZE];
    money_format(f->item.price_cents, price);
    price[strlen(price) - strlen(" \xe2\x82\xac")] = '\0';
    f->price = arena_strdup(r->arena, price);
    return 0;
}

int h_admin_catalog_edit_form(struct req *r)
{
    struct item_form f = {0};
    int status = load_item(r, &f);
    return status ? status : show_form(r, 200, false, &f);
}

static int edit_item(struct req *r, void *ctx, char *msg, size_t msglen)
{
    struct item_form *f = ctx;
    int status = db_catalog_update(r->db, &f->item);
    if (status == DB_OK)
        status = db_catalog_set_url(r->db, f->item.id, f->item.url);
    return status == DB_OK ? write_courses(r, f, msg, msglen) : -1;
}

/* "Preis 149,00 € → 159,00 €; aktiv ja → nein; ..." for the audit log. */
static const char *changes(struct req *r, const struct item_form *old, const struct item_form *now)
{
    const struct catalog_item *a = &old->item, *b = &now->item;
    struct buf d;
    buf_init(&d, r->arena);
    if (strcmp(a->title, b->title) != 0)
        buf_printf(&d, "Titel „%s“ → „%s“; ", a->title, b->title);
    if (strcmp(a->description, b->description) != 0)
        buf_puts(&d, "Beschreibung geändert; ");
    if (strcmp(a->url ? a->url : "", b->url ? b->url : "") != 0)
        buf_printf(&d, "Lernplattform „%s“ → „%s“; ", a->url ? a->url : "", b->url ? b->url : "");
    if (a->hours != b->hours)
        buf_printf(&d, "Dauer %lld → %s; ", (long long)a->hours, fmt_hours(r->arena, b->hours));
    if (a->price_cents != b->price_cents)
        buf_printf(&d, "Preis %s → %s; ", fmt_money(r->arena, a->price_cents), fmt_money(r->arena, b->price_cents));
    if (a->active != b->active)
        buf_printf(&d, "aktiv %s → %s; ", a->active ? "ja" : "nein", b->active ? "ja" : "nein");
    const char *courses = arena_join(r->arena, now->slugs, now->nslugs, " ");
    if (strcmp(old->courses, courses) != 0)
        buf_printf(&d, "Kurse %s → %s; ", old->courses, courses);
    return d.len ? arena_strndup(r->arena, d.data, d.len - 2) : "keine Änderung";
}

int h_admin_catalog_edit(struct req *r)
{
    struct item_form old = {0};
    int status = load_item(r, &old);
    if (status)
        return status;
    struct item_form f = {.item = old.item};
    read_form(r, &f, false);
    if (f.error.text)
        return show_form(r, 422, false, &f);
    struct admin_change c = {.change = edit_item, .ctx = &f, .action = AUDIT_CATALOG_EDIT,
                             .subject = f.item.slug, .detail = changes(r, &old, &f)};
    return write_item(r, &f, false, &c);
}
