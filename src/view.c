/* view — see view.h. */
#include "view.h"

#include <ctpl/ctpl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "assets.h"
#include "fields.h"
#include "log.h"
#include "mem.h"
#include "req.h"

#define LAYOUT "templates/layout.html"
#define CONTENT_MARK "<!--content-->"

struct template {
    char *name; /* "home" for templates/home.html */
    CtplToken *tree;
    bool part;  /* templates/part_*.html: lexed alone, without the layout */
};

struct templates {
    struct template *list;
    size_t n;
};

enum cell_type { CELL_UNSET, CELL_TEXT, CELL_INT, CELL_LIST };

/* A list cell's texts (escaped), in the order they were added. */
struct text_list {
    const char **items;
    size_t n, cap;
};

struct cell {
    union {
        const char *text; /* escaped; NULL renders as "" */
        long num;
        struct text_list *list;
    } u;
};

/* Rows live in the request's arena; rows[i] points to ncols cells. */
struct view_table {
    struct view *view;
    const char *name;
    size_t ncols;
    enum cell_type *types; /* per column, fixed by its first cell */
    struct cell **rows;
    size_t nrows, cap;
    struct view_table *next;
};

struct view {
    struct req *req;
    const struct template *tpl;
    CtplEnviron *env;
    struct view_table *tables;
};

/* Stand-ins of kept pages (view_new_kept): STANDIN and one byte naming the
 * value.  No escaped value contains STANDIN (g_markup_escape_text writes
 * "&#x1;"), templates_load refuses a template with one and view_html()
 * markup with one aborts, so every STANDIN of a rendered page is a
 * stand-in. */
#define STANDIN '\x01'
enum { STANDIN_USER = 'u', STANDIN_CSRF = 'c', STANDIN_SLOT = '0' /* + slot */ };

/* ---- loading ---- */

static bool is_page_template(const struct asset *as)
{
    size_t n = strlen(as->name);
    return strncmp(as->name, "templates/", 10) == 0 && n > 15 &&
           strcmp(as->name + n - 5, ".html") == 0 && strcmp(as->name, LAYOUT) != 0 &&
           strncmp(as->name, "templates/inc_", 14) != 0; /* included into pages, never one itself */
}

/* Lex-time fills: before a template is lexed, every "@max:NAME@" becomes
 * the maxlength of input NAME of the field table (fields.c), so a form's
 * limit is the validator's, and every "@include:NAME@" becomes the text of
 * templates/inc_NAME.html (CTPL has no include), so a block many pages
 * show (the pager, the new-password fields) is written once.  Both happen
 * once, at start-up. */
struct fill {
    const char *text;
    size_t len;
};

static bool fill_maxlength(const char *name, char buf[24], struct fill *out)
{
    enum field_id f = field_by_name(name);
    if (f == F__MAX)
        return false;
    int n = snprintf(buf, 24, "%zu", field_maxlength(f));
    *out = (struct fill){buf, (size_t)n};
    return true;
}

static bool fill_include(const char *name, char buf[24], struct fill *out)
{
    (void)buf;
    char path[96];
    snprintf(path, sizeof path, "templates/inc_%s.html", name);
    const struct asset *as = asset_find(path);
    if (!as)
        return false;
    *out = (struct fill){as->text, as->len};
    return true;
}

static const struct {
    const char *mark;
    bool (*fill)(const char *name, char buf[24], struct fill *out);
    const char *unknown; /* what an unknown name means, for the start-up error */
} fills[] = {
    {"@include:", fill_include, "names no templates/inc_*.html"},
    {"@max:", fill_maxlength, "names no input of the field table"},
};

#define MAX_FILLS 4096 /* per template; more: an include that includes itself */

/* Applies every fill to s.  -1 with err filled on an unknown or
 * unterminated name (a template error, found at start-up). */
static int fill_marks(GString *s, const char *template_name, char *err, size_t errlen)
{
    int done = 0;
    for (size_t k = 0; k < sizeof fills / sizeof fills[0]; k++) {
        const char *mark = fills[k].mark;
        for (char *at = strstr(s->str, mark); at; at = strstr(s->str, mark)) {
            char *name = at + strlen(mark), *end = strchr(name, '@'), buf[24];
            struct fill f;
            bool known = false;
            if (end) {
                *end = '\0';
                known = fills[k].fill(name, buf, &f);
                *end = '@';
            }
            if (!known) {
                snprintf(err, errlen, "%s: %.40s %s", template_name, at, fills[k].unknown);
                return -1;
            }
            if (++done > MAX_FILLS) {
                snprintf(err, errlen, "%s: more than %d fills (does an include include itself?)", template_name,
                         MAX_FILLS);
                return -1;
            }
            gssize pos = at - s->str;
            g_string_erase(s, pos, end + 1 - at);
            g_string_insert_len(s, pos, f.text, (gssize)f.len);
        }
    }
    return 0;
}

/* Fills and lexes s (consumed); NULL with err filled on an error. */
static CtplToken *lex_filled(GString *s, const char *template_name, char *err, size_t errlen)
{
    CtplToken *tree = NULL;
    if (memchr(s->str, STANDIN, s->len))
        snprintf(err, errlen, "%s: contains the byte 0x01 (the stand-in of kept pages)", template_name);
    else if (fill_marks(s, template_name, err, errlen) == 0) {
        GError *e = NULL;
        tree = ctpl_lexer_lex_string(s->str, &e);
        if (!tree) {
            snprintf(err, errlen, "%s: %s", template_name, e ? e->message : "lex error");
            g_clear_error(&e);
        }
    }
    g_string_free(s, TRUE);
    return tree;
}

static CtplToken *lex_page(const struct asset *layout, const char *mark, const struct asset *page,
                           char *err, size_t errlen)
{
    size_t before = (size_t)(mark - layout->text), after_at = before + strlen(CONTENT_MARK);
    GString *s = g_string_sized_new(layout->len + page->len);
    g_string_append_len(s, layout->text, (gssize)before);
    g_string_append_len(s, page->text, (gssize)page->len);
    g_string_append(s, layout->text + after_at);
    return lex_filled(s, page->name, err, errlen);
}

static CtplToken *lex_part(const struct asset *part, char *err, size_t errlen)
{
    GString *s = g_string_new_len(part->text, (gssize)part->len);
    return lex_filled(s, part->name, err, errlen);
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
        tpl->part = strncmp(assets[i].name, "templates/part_", 15) == 0;
        tpl->tree = tpl->part ? lex_part(&assets[i], err, errlen) : lex_page(layout, mark, &assets[i], err, errlen);
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

enum { V_LOGGED_IN = 1, V_USER = 2, V_TENANT_ADMIN = 4, V_SUPPORT = 8, V_ADMIN = 16 };

unsigned view_variant(const struct req *r)
{
    const struct account *who = r->who;
    if (!who)
        return 0;
    return V_LOGGED_IN | (who->role == ROLE_USER ? V_USER : 0) | (who->role == ROLE_TENANT_ADMIN ? V_TENANT_ADMIN : 0) |
           (who->role & (ROLE_SUPPORT | ROLE_ADMIN) ? V_SUPPORT : 0) | (who->role == ROLE_ADMIN ? V_ADMIN : 0);
}

/* The layout's user_name and csrf, not yet escaped: who is logged in, and
 * the CSRF token of the logout form (a guest's only when the handler made
 * one for its own forms). */
static const char *layout_user_name(struct req *r)
{
    return r->who ? arena_printf(r->arena, "%s %s", r->who->first_name, r->who->last_name) : "";
}

static const char *layout_csrf(struct req *r)
{
    return r->who ? req_csrf_token(r) : r->csrf_token;
}

static void push_standin(struct view *v, const char *key, char which)
{
    const char standin[] = {STANDIN, which, '\0'};
    ctpl_environ_push_string(v->env, key, standin);
}

/* The layout's variables: its variant's menu flags, the title, the path
 * for marking the current menu item, and user_name and csrf (stand-ins for
 * a kept page). */
static void fill_layout(struct view *v, const char *title, bool kept)
{
    struct req *r = v->req;
    unsigned variant = view_variant(r);
    view_text(v, "page_title", title);
    view_text(v, "page_path", r->path);
    view_int(v, "logged_in", (variant & V_LOGGED_IN) != 0);
    view_int(v, "is_user", (variant & V_USER) != 0);
    view_int(v, "is_tenant_admin", (variant & V_TENANT_ADMIN) != 0);
    view_int(v, "is_support", (variant & V_SUPPORT) != 0);
    view_int(v, "is_admin", (variant & V_ADMIN) != 0);
    if (kept) {
        push_standin(v, "user_name", STANDIN_USER);
        push_standin(v, "csrf", STANDIN_CSRF);
    } else {
        view_text(v, "user_name", layout_user_name(r));
        view_text(v, "csrf", layout_csrf(r));
    }
}

/* The view of template name, which must be a page (or a part). */
static struct view *new_view(struct req *r, const char *template_name, bool part)
{
    const struct templates *t = r->app->templates;
    struct view *v = arena_alloc(r->arena, sizeof *v);
    v->req = r;
    for (size_t i = 0; i < t->n && !v->tpl; i++)
        if (strcmp(t->list[i].name, template_name) == 0)
            v->tpl = &t->list[i];
    if (!v->tpl || v->tpl->part != part) {
        log_error("unknown %s template %s", part ? "part" : "page", template_name);
        abort();
    }
    v->env = ctpl_environ_new();
    arena_defer(r->arena, env_unref, v->env);
    return v;
}

struct view *view_new(struct req *r, const char *template_name, const char *title)
{
    struct view *v = new_view(r, template_name, false);
    fill_layout(v, title, false);
    return v;
}

struct view *view_new_kept(struct req *r, const char *template_name, const char *title)
{
    struct view *v = new_view(r, template_name, false);
    fill_layout(v, title, true);
    return v;
}

struct view *view_new_part(struct req *r, const char *part_name)
{
    return new_view(r, part_name, true);
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

static void check_html_key(const char *key)
{
    size_t n = strlen(key);
    if (n < 5 || strcmp(key + n - 5, "_html") != 0) {
        log_error("view_html key %s does not end in _html", key);
        abort();
    }
}

void view_html(struct view *v, const char *key, const char *markup)
{
    check_html_key(key);
    if (markup && strchr(markup, STANDIN)) {
        log_error("view_html %s: markup contains the stand-in byte 0x01", key);
        abort();
    }
    ctpl_environ_push_string(v->env, key, markup ? markup : "");
}

void view_slot_html(struct view *v, const char *key, unsigned slot)
{
    check_html_key(key);
    if (slot >= VIEW_SLOTS) {
        log_error("view_slot_html %s: slot %u out of range", key, slot);
        abort();
    }
    push_standin(v, key, (char)(STANDIN_SLOT + slot));
}

int view_keep(struct req *r, struct page_cache *cache, int64_t version, struct view *(*make)(struct req *r))
{
    if (cache->version == version && cache->html)
        return 0;
    struct view *v = make(r);
    size_t len;
    char *html = v ? view_render_malloc(v, &len) : NULL;
    if (!html)
        return 500;
    free(cache->html);
    *cache = (struct page_cache){.version = version, .html = html, .len = len};
    return 0;
}

int view_send_kept(struct req *r, const char *html, size_t len, const char *const *slot_html)
{
    /* computed as fill_layout would, so the response's headers (a vp_csrf
     * cookie set by req_csrf_token) are the same as well */
    const char *user = escape(r->arena, layout_user_name(r));
    const char *csrf = escape(r->arena, layout_csrf(r));
    r->content_type = "text/html; charset=utf-8";
    buf_clear(&r->body);
    const char *p = html, *end = html + len, *at;
    for (; (at = memchr(p, STANDIN, (size_t)(end - p))) != NULL; p = at + 2) {
        buf_append(&r->body, p, (size_t)(at - p));
        char which = at + 1 < end ? at[1] : '\0';
        if (which == STANDIN_USER) {
            buf_puts(&r->body, user);
        } else if (which == STANDIN_CSRF) {
            buf_puts(&r->body, csrf);
        } else if (which >= STANDIN_SLOT && which < STANDIN_SLOT + VIEW_SLOTS) {
            const char *markup = slot_html ? slot_html[which - STANDIN_SLOT] : NULL;
            buf_puts(&r->body, markup ? markup : "");
        } else { /* not a page of view_render_malloc */
            log_error("kept page: unknown stand-in at byte %zu", (size_t)(at - html));
            abort();
        }
    }
    buf_append(&r->body, p, (size_t)(end - p));
    return 0;
}

/* ---- tables ---- */

struct view_table *view_table(struct view *v, const char *name, size_t ncolumns)
{
    struct arena *a = v->req->arena;
    struct view_table *t = arena_alloc(a, sizeof *t);
    t->view = v;
    t->name = name;
    t->ncols = ncolumns;
    t->types = arena_alloc(a, (ncolumns ? ncolumns : 1) * sizeof *t->types);
    for (size_t i = 0; i < ncolumns; i++)
        t->types[i] = CELL_UNSET;
    t->next = v->tables;
    v->tables = t;
    return t;
}

void view_row(struct view_table *t)
{
    struct arena *a = t->view->req->arena;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        struct cell **rows = arena_alloc(a, cap * sizeof *rows);
        if (t->nrows)
            memcpy(rows, t->rows, t->nrows * sizeof *rows);
        t->rows = rows;
        t->cap = cap;
    }
    struct cell *row = arena_alloc(a, (t->ncols ? t->ncols : 1) * sizeof *row);
    t->rows[t->nrows++] = row;
}

static struct cell *current_cell(struct view_table *t, size_t column, enum cell_type type)
{
    if (column >= t->ncols || t->nrows == 0 || (t->types[column] != CELL_UNSET && t->types[column] != type)) {
        log_error("table %s: bad use of column %zu", t->name, column);
        abort();
    }
    t->types[column] = type;
    return &t->rows[t->nrows - 1][column];
}

void view_cell_text(struct view_table *t, size_t column, const char *value)
{
    current_cell(t, column, CELL_TEXT)->u.text = escape(t->view->req->arena, value);
}

void view_cell_int(struct view_table *t, size_t column, long value)
{
    current_cell(t, column, CELL_INT)->u.num = value;
}

void view_cell_url(struct view_table *t, size_t column, const char *url)
{
    view_cell_text(t, column, safe_url(url));
}

void view_cell_list_text(struct view_table *t, size_t column, const char *value)
{
    struct arena *a = t->view->req->arena;
    struct cell *c = current_cell(t, column, CELL_LIST);
    if (!c->u.list) {
        c->u.list = arena_alloc(a, sizeof *c->u.list);
    }
    struct text_list *l = c->u.list;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        const char **items = arena_alloc(a, cap * sizeof *items);
        if (l->n)
            memcpy(items, l->items, l->n * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = escape(a, value);
}

/* A new empty CTPL array.  (An empty array of element type ARRAY cannot be
 * made: CTPL logs "Cannot build arrays of arrays this way"; the element
 * type of an empty array does not matter, every element carries its own.) */
static CtplValue *new_array(void)
{
    return ctpl_value_new_array(CTPL_VTYPE_INT, 0, NULL);
}

/* Prepends one cell to row (a CTPL array). */
static void prepend_cell(CtplValue *row, enum cell_type type, const struct cell *c)
{
    switch (type) {
    case CELL_INT:
        ctpl_value_array_prepend_int(row, c->u.num);
        break;
    case CELL_LIST: {
        CtplValue *list = new_array();
        for (size_t i = c->u.list ? c->u.list->n : 0; i-- > 0;)
            ctpl_value_array_prepend_string(list, c->u.list->items[i]);
        ctpl_value_array_prepend(row, list); /* copies */
        ctpl_value_free(list);
        break;
    }
    case CELL_TEXT:
    case CELL_UNSET:
        ctpl_value_array_prepend_string(row, c->u.text ? c->u.text : "");
        break;
    }
}

/* Pushes every table as one array of row arrays.  Built from the last row
 * and last cell backwards with prepends, so each step is O(1) on CTPL's
 * lists (appending would walk the whole list every time). */
static void push_tables(struct view *v)
{
    for (struct view_table *t = v->tables; t; t = t->next) {
        CtplValue *rows = new_array();
        for (size_t r = t->nrows; r-- > 0;) {
            CtplValue *row = new_array();
            for (size_t i = t->ncols; i-- > 0;)
                prepend_cell(row, t->types[i], &t->rows[r][i]);
            ctpl_value_array_prepend(rows, row); /* copies */
            ctpl_value_free(row);
        }
        ctpl_environ_push(v->env, t->name, rows); /* copies */
        ctpl_value_free(rows);
    }
}

/* Each thread renders into one memory stream of its own, emptied after
 * every page (a GObject made and destroyed per page cost more than
 * evaluating a small page): made on first use, unref'd when the thread
 * ends. */
static pthread_key_t stream_key;
static pthread_once_t stream_once = PTHREAD_ONCE_INIT;

static void stream_key_make(void)
{
    if (pthread_key_create(&stream_key, g_object_unref) != 0)
        abort();
}

static GMemoryOutputStream *thread_stream(void)
{
    pthread_once(&stream_once, stream_key_make);
    GOutputStream *s = pthread_getspecific(stream_key);
    if (!s) {
        s = g_memory_output_stream_new_resizable();
        pthread_setspecific(stream_key, s);
    }
    return G_MEMORY_OUTPUT_STREAM(s);
}

/* Empties the thread's stream for the next page. */
static void stream_done(GMemoryOutputStream *m)
{
    g_seekable_seek(G_SEEKABLE(m), 0, G_SEEK_SET, NULL, NULL);
    g_seekable_truncate(G_SEEKABLE(m), 0, NULL, NULL);
}

/* Renders the page into the thread's stream, which the caller reads and
 * then empties with stream_done(); NULL on a template error (logged). */
static GMemoryOutputStream *render_stream(struct view *v)
{
    push_tables(v);
    GMemoryOutputStream *mem = thread_stream();
    CtplOutputStream *out = ctpl_output_stream_new(G_OUTPUT_STREAM(mem));
    GError *e = NULL;
    gboolean ok = ctpl_parser_parse(v->tpl->tree, v->env, out, &e);
    ctpl_output_stream_unref(out);
    if (!ok) {
        log_error("template %s: %s", v->tpl->name, e ? e->message : "?");
        g_clear_error(&e);
        stream_done(mem);
        return NULL;
    }
    return mem;
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
    stream_done(m);
    return html;
}

int view_render(struct view *v)
{
    GMemoryOutputStream *m = render_stream(v);
    if (!m)
        return 500;
    req_bytes(v->req, "text/html; charset=utf-8", g_memory_output_stream_get_data(m),
              g_memory_output_stream_get_data_size(m));
    stream_done(m);
    return 0;
}
