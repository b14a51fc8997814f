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

/* A table loop `{for VAR in NAME}BODY{end}` that view.c runs itself (see
 * "Table loops" below): BODY lexed alone with every VAR[k] read as the plain
 * symbol VAR__k, the loop replaced in the page by the symbol slot. */
struct loop {
    char *table;      /* NAME */
    char *slot;       /* "view__loopK": the rows' markup is pushed under this name */
    CtplToken *body;
    char **cols;      /* cols[k] = "VAR__k", NULL for a k the body never reads */
    size_t ncols;     /* the highest k read + 1 */
};

struct template {
    char *name; /* "home" for templates/home.html */
    CtplToken *tree;
    bool part;  /* templates/part_*.html: lexed alone, without the layout */
    struct loop *loops;
    size_t nloops;
    char **symbols; /* every symbol the page and its loop bodies read (tables not read are not pushed) */
    size_t nsymbols;
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

/* ---- table loops ----
 *
 * CTPL copies a value whenever it reads one: `{for r in NAME}` copies the
 * whole table, then pushes a copy of each row, and every `{r[k]}` copies
 * the row and turns all of it into a string (for an error message it
 * rarely needs) before taking cell k — a row of C cells read C times costs
 * C² copies, the order page's 200 rows of 12 cells read 20 times each about
 * 100,000.  So at load every loop over a table that no other loop encloses,
 * `{for VAR in NAME}BODY{end}` with NAME a plain symbol and BODY reading VAR
 * only as VAR[k] (k a number), is cut out of the page: BODY is lexed alone
 * with each VAR[k] renamed VAR__k, and the page reads the symbol
 * view__loopN instead.  At render (run_loops) BODY runs once per row with
 * that row's cells pushed as the plain symbols VAR__k into the page's
 * environment, and the rows' markup is pushed as view__loopN.  The output is
 * the same: BODY reads the page's variables as before; a body that fails
 * leaves view__loopN unset, so the page fails exactly where CTPL would have
 * reached the loop (and nowhere else, e.g. under a false {if}).  A loop of
 * another shape stays CTPL's own. */

#define MAX_LOOP_COLS 64

static bool symbol_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The index of the '}' closing the token that opens at s[i] ('{'), skipping
 * "strings"; 0 when it is not closed (the lexer reports that). */
static size_t token_close(const char *s, size_t i)
{
    bool quoted = false;
    for (size_t j = i + 1; s[j]; j++) {
        if (s[j] == '\\' && s[j + 1])
            j++;
        else if (s[j] == '"')
            quoted = !quoted;
        else if (s[j] == '}' && !quoted)
            return j;
    }
    return 0;
}

/* Whether the token text t (after '{', len bytes) starts with keyword kw. */
static bool token_is(const char *t, size_t len, const char *kw)
{
    size_t n = strlen(kw);
    return len >= n && strncmp(t, kw, n) == 0 && (len == n || !symbol_char(t[n]));
}

/* Reads "for VAR in NAME" with NAME a plain symbol; false otherwise. */
static bool parse_for(const char *t, size_t len, char var[32], char name[64])
{
    char rest[8];
    int n = 0;
    char buf[128];
    if (len >= sizeof buf)
        return false;
    memcpy(buf, t, len);
    buf[len] = '\0';
    if (sscanf(buf, "for %31[A-Za-z0-9_] in %63[A-Za-z0-9_]%n%7s", var, name, &n, rest) != 2 || n <= 0)
        return false;
    for (const char *c = buf + n; *c; c++)
        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
            return false;
    return true;
}

/* Calls f for every symbol read inside the tokens of text[0..len) (outside
 * "strings"), with its offset and length; stops when f returns false. */
static bool each_symbol(const char *text, size_t len, bool (*f)(const char *at, size_t n, void *ctx), void *ctx)
{
    bool in_token = false, quoted = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\\' && i + 1 < len) {
            i++;
        } else if (!in_token) {
            in_token = c == '{';
        } else if (quoted) {
            quoted = c != '"';
        } else if (c == '"') {
            quoted = true;
        } else if (c == '}') {
            in_token = false;
        } else if (symbol_char(c) && (i == 0 || !symbol_char(text[i - 1]))) {
            size_t n = 1;
            while (i + n < len && symbol_char(text[i + n]))
                n++;
            if (!f(text + i, n, ctx))
                return false;
            i += n - 1;
        }
    }
    return true;
}

static bool add_symbol(const char *at, size_t n, void *ctx);

/* A loop body being renamed: VAR[k] -> VAR__k. */
struct rename {
    const char *body, *var;
    GString *out;
    size_t copied;             /* body[0..copied) is in out */
    bool used[MAX_LOOP_COLS];  /* k read */
    size_t ncols;
};

static bool rename_symbol(const char *at, size_t n, void *ctx)
{
    struct rename *rn = ctx;
    if (n != strlen(rn->var) || strncmp(at, rn->var, n) != 0)
        return true;
    const char *p = at + n;
    char *end;
    if (*p != '[' || !(p[1] >= '0' && p[1] <= '9'))
        return false; /* VAR read whole, or by a computed index: CTPL's loop */
    unsigned long k = strtoul(p + 1, &end, 10);
    if (*end != ']' || end[1] == '[' || k >= MAX_LOOP_COLS)
        return false;
    g_string_append_len(rn->out, rn->body + rn->copied, at - (rn->body + rn->copied));
    g_string_append_printf(rn->out, "%s__%lu", rn->var, k);
    rn->copied = (size_t)(end + 1 - rn->body);
    rn->used[k] = true;
    if (k + 1 > rn->ncols)
        rn->ncols = k + 1;
    return true;
}

/* Adds the loop VAR over NAME with body text[0..len) to tpl and appends its
 * slot to page; false when the body does not fit (the caller keeps the loop
 * as it is), or on a lex error (err filled, *failed set). */
static bool cut_loop(struct template *tpl, GString *page, const char *var, const char *name, const char *body,
                     size_t len, const char *template_name, bool *failed, char *err, size_t errlen)
{
    struct rename rn = {.body = body, .var = var, .out = g_string_sized_new(len + 16)};
    bool fits = each_symbol(body, len, rename_symbol, &rn);
    if (fits) {
        g_string_append_len(rn.out, body + rn.copied, (gssize)(len - rn.copied));
        GError *e = NULL;
        CtplToken *tree = *rn.out->str ? ctpl_lexer_lex_string(rn.out->str, &e) : NULL;
        if (*rn.out->str && !tree) {
            snprintf(err, errlen, "%s: loop over %s: %s", template_name, name, e ? e->message : "lex error");
            g_clear_error(&e);
            *failed = true;
            fits = false;
        } else {
            tpl->loops = xrealloc(tpl->loops, (tpl->nloops + 1) * sizeof *tpl->loops);
            struct loop *l = &tpl->loops[tpl->nloops];
            *l = (struct loop){.table = g_strdup(name), .body = tree, .ncols = rn.ncols,
                               .cols = xcalloc(rn.ncols ? rn.ncols : 1, sizeof *l->cols)};
            l->slot = g_strdup_printf("view__loop%zu", tpl->nloops);
            for (size_t k = 0; k < rn.ncols; k++)
                if (rn.used[k])
                    l->cols[k] = g_strdup_printf("%s__%zu", var, k);
            g_string_append_printf(page, "{%s}", l->slot);
            tpl->nloops++;
            each_symbol(rn.out->str, rn.out->len, add_symbol, tpl);
        }
    }
    g_string_free(rn.out, TRUE);
    return fits;
}
/* s's text with every loop cut_loop takes replaced by its slot; NULL on a
 * lex error of a body (err filled).  Tokens that do not pair up are left
 * to the lexer to report. */
static GString *cut_loops(struct template *tpl, const GString *s, const char *template_name, char *err,
                          size_t errlen)
{
    const char *text = s->str;
    GString *page = g_string_sized_new(s->len);
    size_t copied = 0, depth = 0, loops_open = 0; /* {for}/{if} open; of them {for} */
    bool is_for[64];
    size_t cut_depth = 0, cut_at = 0, body_at = 0; /* the loop being collected (cut_depth 0: none) */
    char var[32], name[64];
    bool failed = false;
    for (size_t i = 0; text[i] && !failed; i++) {
        if (text[i] == '\\' && text[i + 1]) {
            i++;
            continue;
        }
        size_t close = text[i] == '{' ? token_close(text, i) : 0;
        if (!close)
            continue;
        const char *t = text + i + 1;
        size_t len = close - i - 1;
        bool opens_for = token_is(t, len, "for");
        if (opens_for || token_is(t, len, "if")) {
            if (depth == sizeof is_for / sizeof *is_for)
                break; /* deeper than any page: the rest stays CTPL's */
            if (opens_for && loops_open == 0 && parse_for(t, len, var, name)) {
                cut_depth = depth + 1;
                cut_at = i;
                body_at = close + 1;
            }
            is_for[depth++] = opens_for;
            loops_open += opens_for;
        } else if (token_is(t, len, "end")) {
            if (depth == 0)
                break; /* an {end} too many: the lexer's error */
            if (depth == cut_depth) {
                g_string_append_len(page, text + copied, (gssize)(cut_at - copied));
                copied = cut_loop(tpl, page, var, name, text + body_at, i - body_at, template_name, &failed,
                                  err, errlen) ? close + 1 : cut_at;
                cut_depth = 0;
            }
            loops_open -= is_for[--depth];
        }
        i = close;
    }
    g_string_append(page, text + copied);
    if (failed) {
        g_string_free(page, TRUE);
        return NULL;
    }
    return page;
}

static bool add_symbol(const char *at, size_t n, void *ctx)
{
    struct template *tpl = ctx;
    for (size_t i = 0; i < tpl->nsymbols; i++)
        if (strlen(tpl->symbols[i]) == n && strncmp(tpl->symbols[i], at, n) == 0)
            return true;
    tpl->symbols = xrealloc(tpl->symbols, (tpl->nsymbols + 1) * sizeof *tpl->symbols);
    tpl->symbols[tpl->nsymbols++] = xstrndup(at, n);
    return true;
}

/* Whether the page or one of its loop bodies reads symbol name. */
static bool template_reads(const struct template *tpl, const char *name)
{
    for (size_t i = 0; i < tpl->nsymbols; i++)
        if (strcmp(tpl->symbols[i], name) == 0)
            return true;
    return false;
}

/* Fills s (consumed), cuts its table loops and lexes it into tpl; false
 * with err filled on an error. */
static bool lex_filled(struct template *tpl, GString *s, bool cut, const char *template_name, char *err,
                       size_t errlen)
{
    if (memchr(s->str, STANDIN, s->len)) {
        snprintf(err, errlen, "%s: contains the byte 0x01 (the stand-in of kept pages)", template_name);
        g_string_free(s, TRUE);
        return false;
    }
    GString *page = fill_marks(s, template_name, err, errlen) != 0 ? NULL
                    : cut ? cut_loops(tpl, s, template_name, err, errlen)
                          : g_string_new_len(s->str, (gssize)s->len);
    g_string_free(s, TRUE);
    if (!page)
        return false;
    each_symbol(page->str, page->len, add_symbol, tpl); /* the bodies' symbols: below */
    GError *e = NULL;
    tpl->tree = ctpl_lexer_lex_string(page->str, &e);
    if (!tpl->tree) {
        snprintf(err, errlen, "%s: %s", template_name, e ? e->message : "lex error");
        g_clear_error(&e);
    }
    g_string_free(page, TRUE);
    return tpl->tree != NULL;
}

static bool lex_page(struct template *tpl, const struct asset *layout, const char *mark, const struct asset *page,
                     bool cut, char *err, size_t errlen)
{
    size_t before = (size_t)(mark - layout->text), after_at = before + strlen(CONTENT_MARK);
    GString *s = g_string_sized_new(layout->len + page->len);
    g_string_append_len(s, layout->text, (gssize)before);
    g_string_append_len(s, page->text, (gssize)page->len);
    g_string_append(s, layout->text + after_at);
    return lex_filled(tpl, s, cut, page->name, err, errlen);
}

static bool lex_part(struct template *tpl, const struct asset *part, bool cut, char *err, size_t errlen)
{
    GString *s = g_string_new_len(part->text, (gssize)part->len);
    return lex_filled(tpl, s, cut, part->name, err, errlen);
}

static struct templates *load(bool cut, char *err, size_t errlen)
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
        tpl->name = xstrndup(assets[i].name + 10, strlen(assets[i].name) - 15);
        t->n++;
        if (!(tpl->part ? lex_part(tpl, &assets[i], cut, err, errlen)
                        : lex_page(tpl, layout, mark, &assets[i], cut, err, errlen))) {
            templates_free(t);
            return NULL;
        }
    }
    return t;
}

struct templates *templates_load(char *err, size_t errlen)
{
    return load(true, err, errlen);
}

struct templates *templates_load_uncut(char *err, size_t errlen)
{
    return load(false, err, errlen);
}

void templates_free(struct templates *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        struct template *tpl = &t->list[i];
        if (tpl->tree)
            ctpl_token_free(tpl->tree);
        free(tpl->name);
        for (size_t j = 0; j < tpl->nloops; j++) {
            struct loop *l = &tpl->loops[j];
            if (l->body)
                ctpl_token_free(l->body);
            g_free(l->table);
            g_free(l->slot);
            for (size_t k = 0; k < l->ncols; k++)
                g_free(l->cols[k]);
            free(l->cols);
        }
        free(tpl->loops);
        for (size_t j = 0; j < tpl->nsymbols; j++)
            free(tpl->symbols[j]);
        free(tpl->symbols);
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
        if (!template_reads(v->tpl, t->name))
            continue; /* read only by cut loops (run_loops), or not at all */
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

/* The table named name as CTPL would find it (of two, the one pushed last:
 * push_tables pushes the list from its head), or NULL. */
static const struct view_table *find_table(const struct view *v, const char *name)
{
    const struct view_table *found = NULL;
    for (const struct view_table *t = v->tables; t; t = t->next)
        if (strcmp(t->name, name) == 0)
            found = t;
    return found;
}

/* Pushes row cell c (of a column of type) under symbol. */
static void push_cell(CtplEnviron *env, const char *symbol, enum cell_type type, const struct cell *c)
{
    switch (type) {
    case CELL_INT:
        ctpl_environ_push_int(env, symbol, c->u.num);
        break;
    case CELL_LIST: {
        CtplValue *list = new_array();
        for (size_t i = c->u.list ? c->u.list->n : 0; i-- > 0;)
            ctpl_value_array_prepend_string(list, c->u.list->items[i]);
        ctpl_environ_push(env, symbol, list); /* copies */
        ctpl_value_free(list);
        break;
    }
    case CELL_TEXT:
    case CELL_UNSET:
        ctpl_environ_push_string(env, symbol, c->u.text ? c->u.text : "");
        break;
    }
}

/* Runs cut loop l (see "Table loops") over its table's rows and pushes
 * their markup as l->slot.  A missing table pushes nothing; so does a body
 * that fails, whose error goes to *e (the page fails only if it reads the
 * slot). */
static void run_loop(struct view *v, const struct loop *l, GError **e)
{
    const struct view_table *t = find_table(v, l->table);
    if (!t) {
        g_set_error(e, CTPL_EVAL_ERROR, CTPL_EVAL_ERROR_SYMBOL_NOT_FOUND,
                    "Symbol '%s' cannot be found in the environment", l->table);
        return;
    }
    GMemoryOutputStream *mem = thread_stream();
    CtplOutputStream *out = ctpl_output_stream_new(G_OUTPUT_STREAM(mem));
    gboolean ok = TRUE;
    size_t ncols = l->ncols < t->ncols ? l->ncols : t->ncols; /* a cell past the row: its symbol is missing */
    for (size_t r = 0; ok && r < t->nrows; r++) {
        for (size_t k = 0; k < ncols; k++)
            if (l->cols[k])
                push_cell(v->env, l->cols[k], t->types[k], &t->rows[r][k]);
        ok = ctpl_parser_parse(l->body, v->env, out, e);
        for (size_t k = 0; k < ncols; k++)
            if (l->cols[k])
                ctpl_environ_pop(v->env, l->cols[k], NULL);
    }
    ctpl_output_stream_unref(out);
    if (ok && g_output_stream_write_all(G_OUTPUT_STREAM(mem), "", 1, NULL, NULL, NULL)) /* the NUL */
        ctpl_environ_push_string(v->env, l->slot, g_memory_output_stream_get_data(mem)); /* copies */
    stream_done(mem);
}

/* Renders the page into the thread's stream, which the caller reads and
 * then empties with stream_done(); NULL on a template error (logged, with
 * the failed loop body's error if any). */
static GMemoryOutputStream *render_stream(struct view *v)
{
    push_tables(v);
    GError *loop_error = NULL;
    for (size_t i = 0; i < v->tpl->nloops; i++) {
        GError *e = NULL;
        run_loop(v, &v->tpl->loops[i], &e);
        if (e && !loop_error)
            loop_error = e;
        else
            g_clear_error(&e);
    }
    GMemoryOutputStream *mem = thread_stream();
    CtplOutputStream *out = ctpl_output_stream_new(G_OUTPUT_STREAM(mem));
    GError *e = NULL;
    gboolean ok = ctpl_parser_parse(v->tpl->tree, v->env, out, &e);
    ctpl_output_stream_unref(out);
    if (!ok) {
        log_error("template %s: %s%s%s", v->tpl->name, e ? e->message : "?", loop_error ? "; in a loop: " : "",
                  loop_error ? loop_error->message : "");
        g_clear_error(&e);
        g_clear_error(&loop_error);
        stream_done(mem);
        return NULL;
    }
    g_clear_error(&loop_error);
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

int view_render_into(struct view *v, char **html, size_t *len)
{
    *html = view_render_malloc(v, len);
    return *html ? 0 : 500;
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
