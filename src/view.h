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
void templates_free(struct templates *t);

/* A page to fill: template name without ".html", and the <title>.  Aborts
 * on an unknown template name (a programming error).  Lives in the
 * request's arena. */
struct view *view_new(struct req *r, const char *template_name, const char *title);

void view_text(struct view *v, const char *key, const char *value); /* escaped; NULL = "" */
void view_int(struct view *v, const char *key, long value);
/* A link target: local paths ("/...") and http(s) URLs pass (escaped),
 * anything else becomes "#". */
void view_url(struct view *v, const char *key, const char *url);
/* Markup built by our own code; aborts unless key ends in "_html". */
void view_html(struct view *v, const char *key, const char *markup);

/* A table as parallel column arrays: the template loops `{for i in NAME}` and
 * reads `{NAME_COLUMN[i]}`.  columns is NULL-terminated; each must be filled
 * in every row (a column not set in a row renders as "" or 0).
 * Cost: CTPL keeps arrays as lists, so reading cell i walks i steps and a
 * table costs the square of its rows: page lists that can grow past a few
 * hundred rows (the order page shows 200 codes a page). */
struct view_table *view_table(struct view *v, const char *name, const char *const *columns);
void view_row(struct view_table *t);  /* starts a new row */
void view_cell_text(struct view_table *t, const char *column, const char *value); /* escaped */
void view_cell_int(struct view_table *t, const char *column, long value);
void view_cell_url(struct view_table *t, const char *column, const char *url);

/* Renders into the response body (text/html). 0, or 500 (logged). */
int view_render(struct view *v);
/* Renders into a malloc'd string the caller frees (for page caches). NULL
 * on error (logged). */
char *view_render_malloc(struct view *v, size_t *len);

#endif
