/* view — the only user of CTPL and the only code that puts values into a
 * template environment.  Its ordinary setters HTML-escape; markup our own
 * code built goes in only through view_html(), whose key must end in "_html"
 * so every such place is easy to find.  Every page template
 * (templates/<name>.html) is spliced into templates/layout.html at the
 * <!--content--> line and lexed once at start-up. */
#ifndef VIEW_H
#define VIEW_H

#include <stddef.h>

struct req;
struct templates;
struct view;
struct view_table;

/* Lexes every embedded template.  NULL with err filled on a lex error.
 * The result is read-only and shared by all threads. */
struct templates *templates_load(char *err, size_t errlen);
/* The same templates with every loop left to CTPL (none cut out, see
 * "Table loops" in view.c): for tests comparing the two renderings. */
struct templates *templates_load_uncut(char *err, size_t errlen);
void templates_free(struct templates *t);

/* A page to fill: template name without ".html", and the <title>.  Aborts
 * on an unknown template name (a programming error).  Lives in the
 * request's arena. */
struct view *view_new(struct req *r, const char *template_name, const char *title);

/* A part of a page: templates/part_<name>.html (part_name "part_<name>"),
 * lexed alone without the layout and filled like a page; its
 * view_render_malloc() markup goes into a page with view_html().  For a part
 * that is the same for everyone and cached (the catalog body of /kurse).
 * Aborts on an unknown part name. */
struct view *view_new_part(struct req *r, const char *part_name);

void view_text(struct view *v, const char *key, const char *value); /* escaped; NULL = "" */
void view_int(struct view *v, const char *key, long value);
/* A link target: local paths ("/...") and http(s) URLs pass (escaped),
 * anything else becomes "#". */
void view_url(struct view *v, const char *key, const char *url);
/* Markup built by our own code; aborts unless key ends in "_html". */
void view_html(struct view *v, const char *key, const char *markup);

/* A table: one array of rows, each row an array of cells in column order.
 * The template walks it with `{for r in NAME}` and reads `{r[0]}`, `{r[1]}`…;
 * the handler names the positions with an enum whose last member is the
 * column count, in the order the template reads them, e.g.
 *     enum { TENANT_GKZ, TENANT_NAME, TENANT_COLUMNS };
 *     t = view_table(v, "tenants", TENANT_COLUMNS);
 *     view_row(t); view_cell_text(t, TENANT_GKZ, gkz); ...
 * Building and rendering cost O(rows × columns): the rows are kept in the
 * request's arena; a loop `{for r in NAME}` that no other loop encloses and
 * that reads r only as r[N] is run by view.c itself, one row at a time with
 * its cells as plain symbols (CTPL would copy the table, each row, and the
 * whole row again for every r[N]); other uses get the table as one CTPL
 * array of row arrays, prepended last row first (CTPL keeps arrays as lists:
 * appending or reading {col[i]} would walk them).
 * A column holds one kind of cell (text, int or list); a cell not set in a
 * row renders as "", 0 or an empty list.  Misuse (a column out of range, a
 * cell before view_row, two kinds in one column) is a programming error
 * and aborts. */
struct view_table *view_table(struct view *v, const char *name, size_t ncolumns);
void view_row(struct view_table *t); /* starts a new row */
void view_cell_text(struct view_table *t, size_t column, const char *value); /* escaped */
void view_cell_int(struct view_table *t, size_t column, long value);
void view_cell_url(struct view_table *t, size_t column, const char *url); /* as view_url */
/* Appends an escaped text to a list cell, read as `{for x in r[N]}{x}{end}`. */
void view_cell_list_text(struct view_table *t, size_t column, const char *value);

/* ---- pages kept between requests ----
 * A page that is the same for many requests but for a few values is
 * rendered once with stand-ins for those values, kept by the worker (a
 * struct page_cache of app.h), and each request only splices its own values
 * in: the layout's user_name and csrf (escaped, as view_new fills them) and
 * the markup of each view_slot_html() key.  The result is byte for byte
 * what view_render() gives with the same values, because a template only
 * prints these values: they must never be compared in a template (an {if}
 * would see the stand-in).  What the stand-ins do not cover is baked in: the
 * title, the path (one route, one title per kept page), the layout's
 * variant (view_variant(): keep one page per variant) and every other
 * value set; the caller keys the cache by whatever those depend on. */

/* The layout's variant for this request, 0 .. LAYOUT_VARIANTS - 1 (app.h):
 * guest (0), or the flags of the menu the logged-in account's role sees.
 * Index a cache of kept pages by it. */
unsigned view_variant(const struct req *r);
/* view_new() with stand-ins for the layout's user_name and csrf; render it
 * with view_render_malloc() into the page to keep (page_cache_refresh in
 * worker.h). */
struct view *view_new_kept(struct req *r, const char *template_name, const char *title);
/* A stand-in for markup given to view_send_kept() as slot_html[slot]
 * (slot < VIEW_SLOTS); key must end in "_html", as for view_html(). */
#define VIEW_SLOTS 4
void view_slot_html(struct view *v, const char *key, unsigned slot);
/* Answers the request (text/html) with a kept page, its stand-ins replaced
 * by this request's user name and CSRF token (as view_new() would fill them)
 * and by slot_html[slot] (NULL entries and a NULL slot_html: "").  Returns 0. */
int view_send_kept(struct req *r, const char *html, size_t len, const char *const *slot_html);

/* Renders into the response body (text/html). 0, or 500 (logged). */
int view_render(struct view *v);
/* Renders into a malloc'd string the caller frees (for page caches). NULL
 * on error (logged). */
char *view_render_malloc(struct view *v, size_t *len);
/* view_render_malloc in the shape of a page_cache_refresh render: *html
 * (malloc'd) and *len; 0, or 500 with *html NULL. */
int view_render_into(struct view *v, char **html, size_t *len);

#endif
