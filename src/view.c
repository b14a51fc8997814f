/* view — see view.h. */
#include "view.h"

#include <ctpl/ctpl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "assets.h"
#include "log.h"
#include "mem.h"
#include "req.h"

#define LAYOUT "templates/layout.html"
#define CONTENT_MARK "<!--content-->"

struct template {
    char *name; /* "home" for templates/home.html */
    CtplToken *tree;
};

struct templates {
    struct template *list;
    size_t n;
};

enum cell_type { CELL_UNSET, CELL_TEXT, CELL_INT };

struct column {
    const char *name;
    enum cell_type type;
    const char **texts; /* escaped, per row */
    long *ints;
};

struct view_table {
    struct view *view;
    const char *name;
    struct column *cols;
    size_t ncols;
    size_t nrows, cap;
    struct view_table *next;
};

struct view {
    struct req *req;
    const struct template *tpl;
    CtplEnviron *env;
    struct view_table *tables;
};

/* ---- loading ---- */

static bool is_page_template(const struct asset *as)
{
    size_t n = strlen(as->name);
    return strncmp(as->name, "templates/", 10) == 0 && n > 15 &&
           strcmp(as->name + n - 5, ".html") == 0 && strcmp(as->name, LAYOUT) != 0;
}

static CtplToken *lex_page(const struct asset *layout, const char *mark, const struct asset *page,
                           char *err, size_t errlen)
{
    size_t before = (size_t)(mark - layout->text), after_at = before + strlen(CONTENT_MARK);
    GString *s = g_string_sized_new(layout->len + page->len);
    g_string_append_len(s, layout->text, (gssize)before);
    g_string_append_len(s, page->text, (gssize)page->len);
    g_string_append(s, layout->text + after_at);
    GError *e = NULL;
    CtplToken *tree = ctpl_lexer_lex_string(s->str, &e);
    g_string_free(s, TRUE);
    if (!tree) {
        snprintf(err, errlen, "%s: %s", page->name, e ? e->message : "lex error");
        g_clear_error(&e);
    }
    return tree;
}

struct templates *templates_load(char *err, size_t errlen)
{
    const struct asset *layout = asset_find(LAYOUT);
    const char *mark = layout ? strstr(layout->text, CONTENT_MARK) : NULL;
    if (!mark) {
        snprintf(err, errlen, "%s with a %s line is missing", LAYOUT, CONTENT_MARK);
        return NULL;
    }
    struct templates *t = xcalloc(1, sizeof *t);
    t->list = xcalloc(asset_count, sizeof *t->list);
    for (size_t i = 0; i < asset_count; i++) {
        if (!is_page_template(&assets[i]))
            continue;
        struct template *tpl = &t->list[t->n];
        tpl->tree = lex_page(layout, mark, &assets[i], err, errlen);
        if (!tpl->tree) {
            templates_free(t);
            return NULL;
        }
        tpl->name = xstrndup(assets[i].name + 10, strlen(assets[i].name) - 15);
        t->n++;
    }
    return t;
}

void templates_free(struct templates *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        ctpl_token_free(t->list[i].tree);
        free(t->list[i].name);
    }
    free(t->list);
    free(t);
}

/* ---- filling ---- */

static const char *escape(struct arena *a, const char *s)
{
    if (!s || !*s)
        return "";
    gchar *e = g_markup_escape_text(s, -1);
    char *copy = arena_strdup(a, e);
    g_free(e);
    return copy;
}

static const char *safe_url(const char *url)
{
    if (!url)
        return "#";
    if ((url[0] == '/' && url[1] != '/') || strncmp(url, "https://", 8) == 0 ||
        strncmp(url, "http://", 7) == 0)
        return url;
    return "#";
}

static void env_unref(void *env)
{
    ctpl_environ_unref(env);
}

/* The layout's variables: who is logged in, the CSRF token of the logout
 * form, and the path for marking the current menu item. */
static void fill_layout(struct view *v, const char *title)
{
    struct req *r = v->req;
    struct account *who = r->who;
    view_text(v, "page_title", title);
    view_text(v, "page_path", r->path);
    view_int(v, "logged_in", who != NULL);
    view_text(v, "user_name", who ? arena_printf(r->arena, "%s %s", who->first_name, who->last_name)
                                  : "");
    view_int(v, "is_user", who && who->role == ROLE_USER);
    view_int(v, "is_tenant_admin", who && who->role == ROLE_TENANT_ADMIN);
    view_int(v, "is_support", who && (who->role & (ROLE_SUPPORT | ROLE_ADMIN)));
    view_int(v, "is_admin", who && who->role == ROLE_ADMIN);
    view_text(v, "csrf", who ? req_csrf_token(r) : r->csrf_token);
}

struct view *view_new(struct req *r, const char *template_name, const char *title)
{
    const struct templates *t = r->app->templates;
    struct view *v = arena_alloc(r->arena, sizeof *v);
    v->req = r;
    for (size_t i = 0; i < t->n && !v->tpl; i++)
        if (strcmp(t->list[i].name, template_name) == 0)
            v->tpl = &t->list[i];
    if (!v->tpl) {
        log_error("unknown template %s", template_name);
        abort();
    }
    v->env = ctpl_environ_new();
    arena_defer(r->arena, env_unref, v->env);
    fill_layout(v, title);
    return v;
}

void view_text(struct view *v, const char *key, const char *value)
{
    ctpl_environ_push_string(v->env, key, escape(v->req->arena, value));
}

void view_int(struct view *v, const char *key, long value)
{
    ctpl_environ_push_int(v->env, key, value);
}

void view_url(struct view *v, const char *key, const char *url)
{
    view_text(v, key, safe_url(url));
}

void view_html(struct view *v, const char *key, const char *markup)
{
    size_t n = strlen(key);
    if (n < 5 || strcmp(key + n - 5, "_html") != 0) {
        log_error("view_html key %s does not end in _html", key);
        abort();
    }
    ctpl_environ_push_string(v->env, key, markup ? markup : "");
}

/* ---- tables ---- */

struct view_table *view_table(struct view *v, const char *name, const char *const *columns)
{
    struct arena *a = v->req->arena;
    struct view_table *t = arena_alloc(a, sizeof *t);
    t->view = v;
    t->name = name;
    while (columns[t->ncols])
        t->ncols++;
    t->cols = arena_alloc(a, t->ncols * sizeof *t->cols);
    for (size_t i = 0; i < t->ncols; i++)
        t->cols[i].name = columns[i];
    t->next = v->tables;
    v->tables = t;
    return t;
}

void view_row(struct view_table *t)
{
    struct arena *a = t->view->req->arena;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        for (size_t i = 0; i < t->ncols; i++) {
            const char **texts = arena_alloc(a, cap * sizeof *texts);
            long *ints = arena_alloc(a, cap * sizeof *ints);
            if (t->nrows) {
                memcpy(texts, t->cols[i].texts, t->nrows * sizeof *texts);
                memcpy(ints, t->cols[i].ints, t->nrows * sizeof *ints);
            }
            t->cols[i].texts = texts;
            t->cols[i].ints = ints;
        }
        t->cap = cap;
    }
    t->nrows++;
}

static struct column *current_cell(struct view_table *t, const char *column, enum cell_type type)
{
    for (size_t i = 0; i < t->ncols; i++) {
        if (strcmp(t->cols[i].name, column) != 0)
            continue;
        if (t->nrows == 0 || (t->cols[i].type != CELL_UNSET && t->cols[i].type != type))
            break;
        t->cols[i].type = type;
        return &t->cols[i];
    }
    log_error("table %s: bad use of column %s", t->name, column);
    abort();
}

void view_cell_text(struct view_table *t, const char *column, const char *value)
{
    struct column *c = current_cell(t, column, CELL_TEXT);
    c->texts[t->nrows - 1] = escape(t->view->req->arena, value);
}

void view_cell_int(struct view_table *t, const char *column, long value)
{
    struct column *c = current_cell(t, column, CELL_INT);
    c->ints[t->nrows - 1] = value;
}

void view_cell_url(struct view_table *t, const char *column, const char *url)
{
    view_cell_text(t, column, safe_url(url));
}

/* Pushes every table as its index array plus one array per column. */
static void push_tables(struct view *v)
{
    for (struct view_table *t = v->tables; t; t = t->next) {
        CtplValue *index = ctpl_value_new_array(CTPL_VTYPE_INT, 0, NULL);
        for (size_t r = 0; r < t->nrows; r++)
            ctpl_value_array_append_int(index, (glong)r);
        ctpl_environ_push(v->env, t->name, index);
        ctpl_value_free(index);
        for (size_t i = 0; i < t->ncols; i++) {
            struct column *c = &t->cols[i];
            CtplValue *col = ctpl_value_new_array(c->type == CELL_INT ? CTPL_VTYPE_INT : CTPL_VTYPE_STRING,
                                                  0, NULL);
            for (size_t r = 0; r < t->nrows; r++) {
                if (c->type == CELL_INT)
                    ctpl_value_array_append_int(col, c->ints[r]);
                else
                    ctpl_value_array_append_string(col, c->texts[r] ? c->texts[r] : "");
            }
            ctpl_environ_push(v->env, arena_printf(v->req->arena, "%s_%s", t->name, c->name), col);
            ctpl_value_free(col);
        }
    }
}

/* Renders the page into a new memory stream the caller unrefs; NULL on a
 * template error (logged). */
static GMemoryOutputStream *render_stream(struct view *v)
{
    push_tables(v);
    GOutputStream *mem = g_memory_output_stream_new_resizable();
    CtplOutputStream *out = ctpl_output_stream_new(mem);
    GError *e = NULL;
    gboolean ok = ctpl_parser_parse(v->tpl->tree, v->env, out, &e);
    ctpl_output_stream_unref(out);
    if (!ok) {
        log_error("template %s: %s", v->tpl->name, e ? e->message : "?");
        g_clear_error(&e);
        g_object_unref(mem);
        return NULL;
    }
    return G_MEMORY_OUTPUT_STREAM(mem);
}

char *view_render_malloc(struct view *v, size_t *len)
{
    GMemoryOutputStream *m = render_stream(v);
    if (!m)
        return NULL;
    *len = g_memory_output_stream_get_data_size(m);
    char *html = xmalloc(*len + 1);
    memcpy(html, g_memory_output_stream_get_data(m), *len);
    html[*len] = '\0';
    g_object_unref(m);
    return html;
}

int view_render(struct view *v)
{
    GMemoryOutputStream *m = render_stream(v);
    if (!m)
        return 500;
    req_bytes(v->req, "text/html; charset=utf-8", g_memory_output_stream_get_data(m),
              g_memory_output_stream_get_data_size(m));
    g_object_unref(m);
    return 0;
}
