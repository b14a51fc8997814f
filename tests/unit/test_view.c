/* Unit tests for src/view.c (embedded templates, escaping, URLs, tables)
 * rendered for a guest request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "mem.h"
#include "req.h"
#include "view.h"

static struct templates *templates;
static struct templates *uncut; /* every loop CTPL's own: what cut loops must render alike */

struct fixture {
    struct app app;
    struct req req;
    struct arena *a;
    char *html;
};

static int group_setup(void **state)
{
    (void)state;
    char err[256] = "";
    templates = templates_load(err, sizeof err);
    uncut = templates_load_uncut(err, sizeof err);
    if (!templates || !uncut) {
        print_error("templates_load: %s\n", err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    templates_free(templates);
    templates_free(uncut);
    return 0;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->a = arena_new();
    f->app.templates = templates;
    f->req.app = &f->app;
    f->req.arena = f->a;
    f->req.path = "/kurse";
    f->req.who = NULL;
    f->req.csrf_token = "TOKEN-abc";
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    free(f->html);
    arena_free(f->a);
    free(f);
    return 0;
}

static const char *render(struct fixture *f, struct view *v)
{
    size_t len = 0;
    f->html = view_render_malloc(v, &len);
    assert_non_null(f->html);
    assert_int_equal(strlen(f->html), len);
    return f->html;
}

static void assert_contains(const char *html, const char *needle)
{
    if (!strstr(html, needle))
        fail_msg("expected to find %s", needle);
}

static void assert_lacks(const char *html, const char *needle)
{
    if (strstr(html, needle))
        fail_msg("did not expect to find %s", needle);
}

static void test_templates_load_succeeds(void **state)
{
    (void)state;
    char err[256] = "";
    struct templates *t = templates_load(err, sizeof err);
    assert_non_null(t);
    assert_string_equal(err, "");
    templates_free(t);
}

static void test_error_page_renders_heading_and_message(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "error", "Fehler");
    view_text(v, "heading", "Seite nicht gefunden");
    view_text(v, "message", "Die Adresse gibt es nicht.");
    const char *html = render(f, v);
    assert_contains(html, "<h1>Seite nicht gefunden</h1>");
    assert_contains(html, "<p>Die Adresse gibt es nicht.</p>");
    assert_contains(html, "<title>Fehler – Städtebund Academy</title>");
}

static void test_view_text_escapes_markup_and_quotes(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "error", "<t>");
    view_text(v, "heading", "<script>alert(1)</script>");
    view_text(v, "message", "a & b \"c\" 'd'");
    const char *html = render(f, v);
    assert_contains(html, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
    assert_lacks(html, "<script>");
    assert_contains(html, "a &amp; b &quot;c&quot; ");
    /* g_markup_escape_text writes &apos; (an HTML5 named reference) */
    if (!strstr(html, "&#39;d&#39;") && !strstr(html, "&#x27;d&#x27;") &&
        !strstr(html, "&apos;d&apos;"))
        fail_msg("single quotes not escaped");
    assert_lacks(html, "'d'");
    assert_contains(html, "<title>&lt;t&gt; – ");
}

static void test_view_text_null_renders_empty(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "error", "Fehler");
    view_text(v, "heading", NULL);
    view_text(v, "message", "");
    const char *html = render(f, v);
    assert_contains(html, "<h1></h1>");
    assert_contains(html, "<p></p>");
}

static void test_view_url_turns_javascript_into_hash(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "error", "Fehler");
    view_url(v, "heading", "javascript:alert(1)");
    view_url(v, "message", "//evil.example/x");
    const char *html = render(f, v);
    assert_contains(html, "<h1>#</h1>");
    assert_contains(html, "<p>#</p>");
    assert_lacks(html, "javascript:");
    assert_lacks(html, "evil.example");
}

static void test_view_url_keeps_local_path_and_https(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "error", "Fehler");
    view_url(v, "heading", "/kurse");
    view_url(v, "message", "https://example.at/a?b=1&c=2");
    const char *html = render(f, v);
    assert_contains(html, "<h1>/kurse</h1>");
    assert_contains(html, "<p>https://example.at/a?b=1&amp;c=2</p>");
}

static void test_view_url_null_becomes_hash(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "error", "Fehler");
    view_url(v, "heading", NULL);
    view_text(v, "message", "x");
    const char *html = render(f, v);
    assert_contains(html, "<h1>#</h1>");
}

static void test_view_int_renders_number(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "error", "Fehler");
    view_int(v, "heading", -42);
    view_int(v, "message", 1234567);
    const char *html = render(f, v);
    assert_contains(html, "<h1>-42</h1>");
    assert_contains(html, "<p>1234567</p>");
}

static void test_includes_and_limits_are_filled_before_lexing(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "account_password", "Passwort ändern");
    view_text(v, "error", "");
    view_text(v, "notice", "");
    view_int(v, "current_password_invalid", 0);
    view_int(v, "password_invalid", 1);
    view_text(v, "password_error", "zu kurz");
    view_int(v, "password2_invalid", 0);
    const char *html = render(f, v);
    /* the new-password fields come from templates/inc_new_password.html, their
     * limits from the field table, and no marker is left */
    assert_contains(html, "<label for=\"new-password\">Neues Passwort</label>");
    assert_contains(html, "name=\"password2\" type=\"password\" autocomplete=\"new-password\" required maxlength=\"1024\"");
    assert_contains(html, "aria-describedby=\"new-password-hint password-error\" aria-invalid=\"true\"");
    assert_lacks(html, "@include:");
    assert_lacks(html, "@max:");
}

static void test_layout_has_lang_de_and_redeem_button(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "error", "Fehler");
    view_text(v, "heading", "h");
    view_text(v, "message", "m");
    const char *html = render(f, v);
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_contains(html, "<html lang=\"de\">");
    assert_contains(html, "<a class=\"btn-redeem\" href=\"/voucher/einloesen\">");
    assert_contains(html, "</html>");
}

static void test_layout_for_guest_shows_login_not_logout(void **state)
{
    struct fixture *f = *state;
    f->req.path = "/login";
    struct view *v = view_new(&f->req, "error", "Fehler");
    view_text(v, "heading", "h");
    view_text(v, "message", "m");
    const char *html = render(f, v);
    assert_contains(html, "<a href=\"/login\" aria-current=\"page\">Anmelden</a>");
    assert_lacks(html, "action=\"/logout\"");
    assert_lacks(html, "TOKEN-abc");
}

static void test_layout_marks_current_menu_item(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new(&f->req, "error", "Fehler");
    view_text(v, "heading", "h");
    view_text(v, "message", "m");
    const char *html = render(f, v);
    assert_contains(html, "<a href=\"/kurse\" aria-current=\"page\">Kurse</a>");
    assert_contains(html, "<a href=\"/faq\">FAQ</a>");
}

/* The tables part_catalog.html reads, filled as h_catalog.c fills them. */
enum { ITEM_TITLE, ITEM_DESCRIPTION, ITEM_HOURS, ITEM_NET, ITEM_GROSS, ITEM_FREE, ITEM_COURSES, ITEM_COLUMNS };

static void item_row(struct view_table *t, const char *title, const char *description, long hours,
                     const char *net, const char *gross, bool free_)
{
    view_row(t);
    view_cell_text(t, ITEM_TITLE, title);
    view_cell_text(t, ITEM_DESCRIPTION, description);
    char text[32]; /* as h_catalog.c writes it */
    snprintf(text, sizeof text, "%ld %s", hours, hours == 1 ? "Stunde" : "Stunden");
    view_cell_text(t, ITEM_HOURS, text);
    view_cell_text(t, ITEM_NET, net);
    view_cell_text(t, ITEM_GROSS, gross);
    view_cell_int(t, ITEM_FREE, free_);
}

static void test_catalog_table_cells_are_escaped(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new_part(&f->req, "part_catalog");
    struct view_table *courses = view_table(v, "courses", ITEM_COLUMNS);
    view_table(v, "packages", ITEM_COLUMNS);
    item_row(courses, "<b>x</b>", "\"quoted\" & <i>", 8, "€ 149,00", "€ 178,80", false);
    view_int(v, "vat_percent", 20);
    const char *html = render(f, v);
    assert_contains(html, "<h3>&lt;b&gt;x&lt;/b&gt;</h3>");
    assert_lacks(html, "<b>x</b>");
    assert_contains(html, "<p>&quot;quoted&quot; &amp; &lt;i&gt;</p>");
    assert_contains(html, "<dd>8 Stunden</dd>");
    assert_contains(html, "<dd class=\"price\">€ 149,00</dd>");
    assert_contains(html, "<dd>€ 178,80</dd>");
    assert_contains(html, "brutto inklusive 20 % USt.");
}

static void test_catalog_free_course_and_package_with_courses(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new_part(&f->req, "part_catalog");
    struct view_table *courses = view_table(v, "courses", ITEM_COLUMNS);
    struct view_table *packages = view_table(v, "packages", ITEM_COLUMNS);
    item_row(courses, "Kurs A", "", 2, "€ 0,00", "€ 0,00", true);
    item_row(courses, "Kurs B", "", 4, "€ 10,00", "€ 12,00", false);
    item_row(packages, "Paket 1", "", 6, "€ 9,00", "€ 10,80", false);
    view_cell_list_text(packages, ITEM_COURSES, "Kurs B");
    view_cell_list_text(packages, ITEM_COURSES, "Kurs A");
    item_row(packages, "Paket 2", "", 6, "€ 9,00", "€ 10,80", false);
    view_cell_list_text(packages, ITEM_COURSES, "Kurs <C>");
    item_row(packages, "Paket 3", "", 6, "€ 9,00", "€ 10,80", false); /* list cell unset: empty */
    view_int(v, "vat_percent", 20);
    const char *html = render(f, v);
    assert_contains(html, "<dd class=\"price\">kostenlos</dd>");
    const char *p1 = strstr(html, "<h3>Paket 1</h3>");
    const char *p2 = strstr(html, "<h3>Paket 2</h3>");
    const char *p3 = strstr(html, "<h3>Paket 3</h3>");
    assert_non_null(p1);
    assert_non_null(p2);
    assert_non_null(p3);
    const char *b = strstr(p1, "<li>Kurs B</li>");
    const char *a = strstr(p1, "<li>Kurs A</li>");
    const char *c = strstr(p1, "<li>Kurs &lt;C&gt;</li>");
    assert_non_null(b);
    assert_non_null(a);
    assert_non_null(c);
    assert_true(b < a && a < p2);  /* package 1 lists B then A */
    assert_true(c > p2 && c < p3); /* package 2 lists C */
    assert_non_null(strstr(p3, "<ul>\n</ul>"));
}

static void test_catalog_with_empty_tables_renders(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new_part(&f->req, "part_catalog");
    view_table(v, "courses", ITEM_COLUMNS);
    view_table(v, "packages", ITEM_COLUMNS);
    view_int(v, "vat_percent", 20);
    const char *html = render(f, v);
    assert_contains(html, "<h1>Kurse</h1>");
    assert_lacks(html, "catalog-item");
}

/* A part has no layout; a page takes its markup unescaped through view_html. */
static void test_part_renders_without_layout_into_a_page(void **state)
{
    struct fixture *f = *state;
    struct view *part = view_new_part(&f->req, "part_catalog");
    struct view_table *courses = view_table(part, "courses", ITEM_COLUMNS);
    view_table(part, "packages", ITEM_COLUMNS);
    item_row(courses, "Kurs <A>", "", 2, "€ 1,00", "€ 1,20", false);
    view_int(part, "vat_percent", 20);
    size_t len;
    char *body = view_render_malloc(part, &len);
    assert_non_null(body);
    assert_lacks(body, "<!DOCTYPE html>");
    assert_contains(body, "<h3>Kurs &lt;A&gt;</h3>");
    struct view *v = view_new(&f->req, "catalog_list", "Kurse");
    view_html(v, "catalog_html", body);
    const char *html = render(f, v);
    free(body);
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_contains(html, "<h3>Kurs &lt;A&gt;</h3>");
    assert_contains(html, "<title>Kurse – Städtebund Academy</title>");
}

static void test_view_cell_url_filters_link_targets(void **state)
{
    struct fixture *f = *state;
    struct view *v = view_new_part(&f->req, "part_catalog");
    struct view_table *courses = view_table(v, "courses", ITEM_COLUMNS);
    view_table(v, "packages", ITEM_COLUMNS);
    view_row(courses);
    view_cell_url(courses, ITEM_TITLE, "javascript:alert(1)");
    view_cell_url(courses, ITEM_DESCRIPTION, "/kurse");
    view_int(v, "vat_percent", 20);
    const char *html = render(f, v);
    assert_contains(html, "<h3>#</h3>");
    assert_contains(html, "<p>/kurse</p>");
    assert_contains(html, "<dt>Dauer</dt><dd></dd>"); /* a column never set renders "" */
}

/* ---- the table's cost is linear in its rows ---- */

enum { AUDIT_AT, AUDIT_USERNAME, AUDIT_ACTION, AUDIT_SUBJECT, AUDIT_DETAIL, AUDIT_IP, AUDIT_COLUMNS };

static double thread_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Builds and renders the audit page with n rows in a fresh arena; returns
 * the CPU time it took and checks the first, last and count of rows. */
static double render_audit_rows(struct fixture *f, size_t n)
{
    struct arena *a = arena_new();
    f->req.arena = a;
    double t0 = thread_seconds();
    struct view *v = view_new(&f->req, "admin_audit", "Protokoll");
    view_text(v, "q", "");
    view_int(v, "count", (long)n);
    view_int(v, "paged", 0);
    view_int(v, "from", 1);
    view_int(v, "to", (long)n);
    struct view_table *t = view_table(v, "entries", AUDIT_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        view_row(t);
        view_cell_text(t, AUDIT_AT, "01.02.2026 10:00");
        view_cell_text(t, AUDIT_USERNAME, arena_printf(a, "user%zu", i));
        view_cell_text(t, AUDIT_ACTION, "account.create");
        view_cell_text(t, AUDIT_SUBJECT, "account 1");
        view_cell_text(t, AUDIT_DETAIL, "<detail>");
        view_cell_text(t, AUDIT_IP, "192.0.2.1");
    }
    size_t len = 0;
    char *html = view_render_malloc(v, &len);
    double took = thread_seconds() - t0;
    assert_non_null(html);
    char first[64], last[64];
    snprintf(first, sizeof first, "<td>user0</td>");
    snprintf(last, sizeof last, "<td>user%zu</td>", n - 1);
    const char *p = strstr(html, first), *q = strstr(html, last);
    assert_non_null(p);
    assert_non_null(q);
    assert_true(p < q);
    static const char row_mark[] = "<td>account.create</td>"; /* the action as the handler names it */
    size_t rows = 0;
    for (size_t i = 0; i + sizeof row_mark - 1 <= len; i++) /* one pass (strstr in a loop is quadratic) */
        rows += html[i] == '<' && memcmp(html + i, row_mark, sizeof row_mark - 1) == 0;
    assert_int_equal(rows, n);
    assert_non_null(strstr(html, "<td>&lt;detail&gt;</td>"));
    free(html);
    f->req.arena = f->a;
    arena_free(a);
    return took;
}

/* ---- cut loops (view.c, "Table loops") render what CTPL's own loops render ---- */

/* The order page's tables (orders_show.html reads codes r[0]..r[11], items
 * twice with a page variable compared, pagelinks with ints); fill(v) sets
 * the rest.  Rendered with the cut templates and with the uncut ones; NULL
 * when rendering fails. */
static char *render_order_page(struct fixture *f, const struct templates *with, int error_count, bool errors_table)
{
    f->app.templates = with;
    struct view *v = view_new(&f->req, "orders_show", "Bestellung Nr. 7");
    struct view_table *items = view_table(v, "items", 2);
    const char *slugs[] = {"kurs-a", "paket-<b>"};
    for (size_t i = 0; i < 2; i++) {
        view_row(items);
        view_cell_text(items, 0, slugs[i]);
        view_cell_text(items, 1, i ? "Paket \"B\" & C" : "Kurs A");
    }
    struct view_table *codes = view_table(v, "codes", 12);
    for (long i = 0; i < 5; i++) {
        view_row(codes);
        view_cell_int(codes, 0, 100 + i);
        view_cell_text(codes, 1, "SBA-AAAAAA-BBBBBB-CCCCCC-DDDDDD");
        view_cell_text(codes, 2, i % 2 ? "Kurs <A>" : "Paket");
        view_cell_text(codes, 3, "31.12.2027");
        view_cell_text(codes, 4, i == 3 ? "eingelöst" : "offen");
        view_cell_text(codes, 5, "status-open");
        view_cell_int(codes, 6, i % 2);
        if (i != 2) /* row 2: name and e-mail unset */
            view_cell_text(codes, 7, "Anna & Bernd");
        view_cell_text(codes, 9, i == 4 ? "gesendet" : "");
        view_cell_int(codes, 10, i < 2);
        view_cell_int(codes, 11, i == 1);
    }
    struct view_table *links = view_table(v, "pagelinks", 2);
    for (long p = 0; p < 4; p++) {
        view_row(links);
        view_cell_int(links, 0, p);
        view_cell_int(links, 1, p == 2);
    }
    view_table(v, "credits", 7);
    if (errors_table) {
        struct view_table *e = view_table(v, "errors", 2);
        view_row(e);
        view_cell_text(e, 0, "Bitte wählen");
        view_cell_text(e, 1, "course");
    }
    view_int(v, "error_count", error_count);
    view_text(v, "error", error_count ? "Fehler" : "");
    view_text(v, "notice", "");
    view_int(v, "id", 7);
    view_int(v, "staff", 0);
    view_int(v, "admin", 0);
    view_int(v, "credit_count", 0);
    view_int(v, "course_invalid", 0);
    view_int(v, "recipients_invalid", 0);
    view_text(v, "course_error", "");
    view_text(v, "recipients_error", "");
    view_text(v, "dist_course", "paket-<b>");
    view_text(v, "dist_recipients", "");
    view_text(v, "f_course", "kurs-a");
    view_text(v, "f_status", "offen");
    view_text(v, "f_assigned", "");
    view_text(v, "date", "01.12.2026");
    view_text(v, "invoice", "RE-2026-000007");
    view_text(v, "reference", "");
    view_text(v, "gross", "€ 1,00");
    view_text(v, "net", "€ 0,83");
    view_text(v, "vat", "€ 0,17");
    view_int(v, "vat_percent", 20);
    view_int(v, "total", 5);
    view_int(v, "first", 1);
    view_int(v, "last", 5);
    view_int(v, "page", 2);
    view_int(v, "pages", 3);
    view_url(v, "page_base", "/bestellungen/7?");
    size_t len;
    char *html = view_render_malloc(v, &len);
    f->app.templates = templates;
    return html;
}

static void test_cut_loops_render_as_ctpl_loops(void **state)
{
    struct fixture *f = *state;
    char *cut = render_order_page(f, templates, 0, false), *own = render_order_page(f, uncut, 0, false);
    assert_non_null(cut);
    assert_non_null(own);
    assert_string_equal(cut, own);
    assert_contains(cut, "<tr id=\"code-103\">");
    assert_contains(cut, "<option value=\"paket-&lt;b&gt;\" selected>Paket &quot;B&quot; &amp; C</option>");
    assert_contains(cut, "<strong class=\"saved\" role=\"status\">gespeichert</strong>");
    assert_contains(cut, "<span aria-current=\"page\">Seite 2</span>");
    free(cut);
    free(own);
    cut = render_order_page(f, templates, 2, true);
    own = render_order_page(f, uncut, 2, true);
    assert_non_null(cut);
    assert_non_null(own);
    assert_string_equal(cut, own);
    assert_contains(cut, "<li><a href=\"#course-error\">Bitte wählen</a></li>");
    free(cut);
    free(own);
}

/* A loop over a table the handler never made: under a false {if} the page
 * renders (CTPL never reaches the loop), where it is reached the page fails
 * — with cut loops as with CTPL's own. */
static void test_cut_loop_over_a_missing_table_fails_only_where_reached(void **state)
{
    struct fixture *f = *state;
    char *cut = render_order_page(f, templates, 1, false), *own = render_order_page(f, uncut, 1, false);
    assert_non_null(cut);
    assert_non_null(own);
    assert_string_equal(cut, own);
    free(cut);
    free(own);
    assert_null(render_order_page(f, templates, 2, false)); /* {if error_count > 1} reads the errors */
    assert_null(render_order_page(f, uncut, 2, false));
}

/* The nested list cell of the catalog (a cut loop with CTPL's loop inside)
 * and the accounts page (its datalist part, and a table with ints and empty
 * cells). */
static void test_cut_loops_with_list_cells_and_the_accounts_page(void **state)
{
    struct fixture *f = *state;
    char *bodies[2], *pages[2], *options[2];
    const struct templates *sets[2] = {templates, uncut};
    for (int k = 0; k < 2; k++) {
        f->app.templates = sets[k];
        struct view *part = view_new_part(&f->req, "part_catalog");
        view_table(part, "courses", ITEM_COLUMNS);
        struct view_table *packages = view_table(part, "packages", ITEM_COLUMNS);
        item_row(packages, "Paket 1", "", 6, "€ 9,00", "€ 10,80", false);
        view_cell_list_text(packages, ITEM_COURSES, "Kurs B");
        view_cell_list_text(packages, ITEM_COURSES, "Kurs <A>");
        item_row(packages, "Paket 2", "", 6, "€ 9,00", "€ 10,80", true);
        view_int(part, "vat_percent", 20);
        size_t len;
        char *body = view_render_malloc(part, &len);
        assert_non_null(body);
        struct view *o = view_new_part(&f->req, "part_municipality_options");
        struct view_table *tenants = view_table(o, "tenants", 2);
        for (int i = 0; i < 3; i++) {
            view_row(tenants);
            view_cell_text(tenants, 0, i ? "10101" : "<1>");
            view_cell_text(tenants, 1, "Eisenstadt");
        }
        options[k] = view_render_malloc(o, &len);
        assert_non_null(options[k]);
        struct view *v = view_new(&f->req, "admin_accounts_list", "Konten");
        struct view_table *roles = view_table(v, "roles", 2), *accounts = view_table(v, "accounts", 7);
        view_row(roles);
        view_cell_text(roles, 0, "user");
        view_cell_text(roles, 1, "Mitarbeiter*in");
        view_html(v, "municipality_options_html", options[k]);
        for (int i = 0; i < 3; i++) {
            view_row(accounts);
            view_cell_int(accounts, 0, i + 1);
            view_cell_text(accounts, 1, "anna");
            view_cell_text(accounts, 3, "a@b.at");
            view_cell_int(accounts, 6, i == 1);
        }
        view_text(v, "q", "");
        view_text(v, "role", "user");
        view_text(v, "tenant", "");
        view_int(v, "count", 3);
        view_int(v, "from", 1);
        view_int(v, "to", 3);
        view_int(v, "paged", 0);
        view_int(v, "has_prev", 0);
        view_int(v, "has_next", 0);
        view_int(v, "page", 1);
        view_url(v, "first_url", "/admin/konten");
        view_url(v, "prev_url", "/admin/konten");
        view_url(v, "next_url", "/admin/konten?seite=2");
        pages[k] = view_render_malloc(v, &len);
        assert_non_null(pages[k]);
        bodies[k] = body;
    }
    f->app.templates = templates;
    assert_string_equal(bodies[0], bodies[1]);
    assert_string_equal(options[0], options[1]);
    assert_string_equal(pages[0], pages[1]);
    assert_contains(bodies[0], "<li>Kurs &lt;A&gt;</li>");
    assert_contains(pages[0], "<datalist id=\"gemeinden\">\n<option value=\"&lt;1&gt;\">Eisenstadt</option>\n"
                              "<option value=\"10101\">Eisenstadt</option>\n<option value=\"10101\">Eisenstadt</option>\n"
                              "</datalist>");
    assert_contains(pages[0], "gesperrt");
    for (int k = 0; k < 2; k++) {
        free(bodies[k]);
        free(pages[k]);
        free(options[k]);
    }
}

/* 20,000 and 40,000 rows: twice the rows may cost at most three times the
 * CPU time (a quadratic table costs four times).  The best of three runs
 * each keeps a busy machine from deciding; no absolute time is asserted
 * (make bench reports figures). */
static void test_table_of_20000_rows_costs_linear_time(void **state)
{
    struct fixture *f = *state;
    double small = 1e9, big = 1e9;
    for (int run = 0; run < 3; run++) {
        double s = render_audit_rows(f, 20000), b = render_audit_rows(f, 40000);
        small = s < small ? s : small;
        big = b < big ? b : big;
    }
    print_message("20,000 rows %.3f s, 40,000 rows %.3f s (CPU, this build)\n", small, big);
    assert_true(big <= 3.0 * small);
}

/* ---- kept pages: the kept page with this request's values spliced in is
 * byte for byte the page view_render gives ---- */

static struct account kept_accounts[] = {
    {.id = 1, .first_name = "Maria", .last_name = "<Mit&arbeiterin>", .role = ROLE_USER},
    {.id = 2, .first_name = "Bernd", .last_name = "Beispiel", .role = ROLE_USER},
    {.id = 3, .first_name = "Gerda", .last_name = "\"Gemeinde\"", .role = ROLE_TENANT_ADMIN},
    {.id = 4, .first_name = "Sami", .last_name = "Support", .role = ROLE_SUPPORT},
    {.id = 5, .first_name = "Alexandra", .last_name = "Admin", .role = ROLE_ADMIN},
};

static const char catalog_markup[] = "<section><h2>Kurse</h2><p>DSGVO &amp; Co</p></section>\n";

static struct view *kept_catalog(struct req *r)
{
    struct view *v = view_new_kept(r, "catalog_list", "Kurse");
    view_html(v, "catalog_html", catalog_markup);
    return v;
}

static struct view *direct_catalog(struct req *r)
{
    struct view *v = view_new(r, "catalog_list", "Kurse");
    view_html(v, "catalog_html", catalog_markup);
    return v;
}

static struct view *kept_courses(struct req *r)
{
    struct view *v = view_new_kept(r, "courses_mine", "Meine Kurse");
    view_slot_html(v, "courses_html", 0);
    return v;
}

/* The page as view_render gives it for f's request (a copy in the arena). */
static const char *rendered(struct fixture *f, struct view *v)
{
    assert_int_equal(view_render(v), 0);
    return arena_strndup(f->a, f->req.body.data, f->req.body.len);
}

static const char *sent_kept(struct fixture *f, struct page_cache *c, struct view *(*make)(struct req *),
                             const char *const *slots)
{
    if (!c->html) /* kept by the first request of its variant */
        assert_non_null(c->html = view_render_malloc(make(&f->req), &c->len));
    assert_int_equal(view_send_kept(&f->req, c->html, c->len, slots), 0);
    assert_string_equal(f->req.content_type, "text/html; charset=utf-8");
    return arena_strndup(f->a, f->req.body.data, f->req.body.len);
}

/* Fails at the first byte where the kept page differs from the rendered one. */
static void assert_same_page(const char *sent, const char *direct)
{
    size_t i = 0;
    while (sent[i] && sent[i] == direct[i])
        i++;
    if (sent[i] != direct[i])
        fail_msg("kept page differs at byte %zu: \"%.40s\" instead of \"%.40s\"", i, sent + i, direct + i);
}

static void use_account(struct fixture *f, struct account *who, const char *csrf)
{
    f->req.who = who;
    f->req.csrf_token = csrf;
    buf_init(&f->req.body, f->a);
    buf_init(&f->req.headers, f->a);
}

static void free_kept(struct page_cache *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].html);
}

static void test_kept_catalog_page_is_the_rendered_page_for_every_account(void **state)
{
    struct fixture *f = *state;
    struct page_cache kept[LAYOUT_VARIANTS] = {{0}};
    /* each page is kept by the first account of its variant and sent to the
     * others; guests first, then every account twice with other tokens */
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i <= sizeof kept_accounts / sizeof *kept_accounts; i++) {
            struct account *who = i == 0 ? NULL : &kept_accounts[i - 1];
            const char *csrf = arena_printf(f->a, "tok%zu-%d_<&>", i, round);
            use_account(f, who, csrf);
            const char *direct = rendered(f, direct_catalog(&f->req));
            use_account(f, who, csrf);
            const char *sent = sent_kept(f, &kept[view_variant(&f->req)], kept_catalog, NULL);
            assert_same_page(sent, direct);
            assert_contains(sent, catalog_markup);
            if (who) {
                assert_contains(sent, arena_printf(f->a, "value=\"tok%zu-%d_&lt;&amp;&gt;\"", i, round));
                assert_lacks(sent, "<Mit&arbeiterin>");
            }
            assert_null(memchr(sent, 0x01, strlen(sent)));
        }
    }
    /* guest, user, tenant admin, support, admin: five variants kept */
    size_t n = 0;
    for (size_t i = 0; i < LAYOUT_VARIANTS; i++)
        n += kept[i].html != NULL;
    assert_int_equal(n, 5);
    free_kept(kept, LAYOUT_VARIANTS);
}

static void test_kept_page_with_a_slot_is_the_rendered_page(void **state)
{
    struct fixture *f = *state;
    struct page_cache kept[LAYOUT_VARIANTS] = {{0}};
    f->req.path = "/meine-kurse";
    const char *tables[] = {"<table><tr><td>A &amp; B</td></tr></table>", "", "<p>\u00e4</p>"};
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
        for (size_t i = 0; i < sizeof kept_accounts / sizeof *kept_accounts; i++) {
            use_account(f, &kept_accounts[i], "TOKEN");
            struct view *v = view_new(&f->req, "courses_mine", "Meine Kurse");
            view_html(v, "courses_html", tables[t]);
            const char *direct = rendered(f, v);
            use_account(f, &kept_accounts[i], "TOKEN");
            const char *sent = sent_kept(f, &kept[view_variant(&f->req)], kept_courses, (const char *const[]){tables[t]});
            assert_same_page(sent, direct);
            if (kept_accounts[i].role == ROLE_USER)
                assert_contains(sent, "aria-current=\"page\">Meine Kurse</a>");
        }
    }
    free_kept(kept, LAYOUT_VARIANTS);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates_load_succeeds),
        T(test_error_page_renders_heading_and_message),
        T(test_view_text_escapes_markup_and_quotes),
        T(test_view_text_null_renders_empty),
        T(test_view_url_turns_javascript_into_hash),
        T(test_view_url_keeps_local_path_and_https),
        T(test_view_url_null_becomes_hash),
        T(test_view_int_renders_number),
        T(test_includes_and_limits_are_filled_before_lexing),
        T(test_layout_has_lang_de_and_redeem_button),
        T(test_layout_for_guest_shows_login_not_logout),
        T(test_layout_marks_current_menu_item),
        T(test_catalog_table_cells_are_escaped),
        T(test_catalog_free_course_and_package_with_courses),
        T(test_catalog_with_empty_tables_renders),
        T(test_view_cell_url_filters_link_targets),
        T(test_part_renders_without_layout_into_a_page),
        T(test_cut_loops_render_as_ctpl_loops),
        T(test_cut_loop_over_a_missing_table_fails_only_where_reached),
        T(test_cut_loops_with_list_cells_and_the_accounts_page),
        T(test_table_of_20000_rows_costs_linear_time),
        T(test_kept_catalog_page_is_the_rendered_page_for_every_account),
        T(test_kept_page_with_a_slot_is_the_rendered_page),
    };
#undef T
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
