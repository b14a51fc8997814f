/* h_admin — the administration overview /admin and the helpers of
 * h_admin.h. */
#include "h_admin.h"

#include <stdbool.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_action.h"
#include "db.h"
#include "fmt.h"
#include "handlers.h"
#include "manage.h"
#include "req.h"
#include "view.h"

void admin_error_set(struct admin_error *e, enum field_id field, const char *text)
{
    if (!e->text) {
        e->text = text;
        e->field = field;
    }
    if (field < F__MAX && !e->at[field]) {
        e->at[field] = text;
        e->count++;
    }
}

/* The input of each of manage.c's fields (both e-mail fields are F_EMAIL
 * on their forms). */
static const enum field_id problem_input[] = {
    [MANAGE_GKZ] = F_GKZ,           [MANAGE_NAME] = F_NAME,         [MANAGE_INVOICE_EMAIL] = F_EMAIL,
    [MANAGE_UID] = F_UID,           [MANAGE_USERNAME] = F_USERNAME, [MANAGE_FIRST_NAME] = F_FIRST_NAME,
    [MANAGE_LAST_NAME] = F_LAST_NAME, [MANAGE_EMAIL] = F_EMAIL,     [MANAGE_ROLE] = F_ROLE,
    [MANAGE_TENANT] = F_TENANT,     [MANAGE_PASSWORD] = F_PASSWORD,
};

void admin_error_problems(struct admin_error *e, const struct manage_problems *p)
{
    for (size_t i = 0; i < p->n; i++) {
        enum manage_field field = p->at[i].field;
        admin_error_set(e, field < sizeof problem_input / sizeof *problem_input ? problem_input[field] : F__MAX,
                        p->at[i].text);
    }
}

const char *admin_input(struct req *r, struct admin_error *e, enum field_id f, const char *label)
{
    const char *text = req_text(r, f);
    if (text)
        return text;
    if (*req_raw(r, f))
        admin_error_set(e, f, arena_printf(r->arena, "%s enthält unerlaubte Zeichen oder ist zu lang.", label));
    return "";
}

/* Columns of table errors in the admin form templates, in the order they read them. */
enum { ERROR_TEXT, ERROR_ID, ERROR_COLUMNS };

void admin_view_error(struct req *r, struct view *v, const struct admin_error *e, const enum field_id *fields)
{
    view_text(v, "error", e->count > 1 ? arena_printf(r->arena, "Bitte korrigieren Sie die %d markierten Felder:",
                                                      e->count)
                                       : e->text);
    view_int(v, "error_count", e->count);
    struct view_table *t = view_table(v, "errors", ERROR_COLUMNS);
    for (const enum field_id *f = fields; *f != F__MAX; f++) {
        const char *name = field_specs[*f].name;
        const char *text = e->at[*f];
        /* a message not tied to one of the form's inputs stays in the box alone */
        view_int(v, arena_printf(r->arena, "%s_invalid", name), text != NULL);
        view_text(v, arena_printf(r->arena, "%s_error", name), text);
        if (text && e->count > 1) {
            view_row(t);
            view_cell_text(t, ERROR_TEXT, text);
            view_cell_text(t, ERROR_ID, name);
        }
    }
}

int admin_write(struct req *r, const struct admin_change *c, char *msg, size_t msglen)
{
    if (db_begin(r->db) != DB_OK)
        return 500;
    int rc = c->change(r, c->ctx, msg, msglen);
    if (rc == 0 && db_audit_add(r->db, r->who->id, c->action, c->subject, c->detail, r->remote_addr,
                                r->now) != DB_OK)
        rc = -1;
    if (rc == 0 && db_commit(r->db) != DB_OK)
        rc = -1;
    if (rc != 0)
        db_rollback(r->db);
    return rc < 0 ? 500 : rc;
}


int h_admin_home(struct req *r)
{
    return view_render(view_new(r, "admin_home", "Verwaltung"));
}

#define AUDIT_PER_PAGE 100

/* Columns of table entries in admin_audit.html, in the order it reads them. */
enum { AUDIT_AT, AUDIT_USERNAME, AUDIT_ACTION, AUDIT_SUBJECT, AUDIT_DETAIL, AUDIT_IP, AUDIT_COLUMNS };

/* /admin/protokoll?q=&seite=: a page of audit entries, newest first,
 * filtered by q. */
int h_admin_audit(struct req *r)
{
    const char *q = req_text(r, F_Q) ? req_text(r, F_Q) : "";
    struct list_page p = admin_list_page(r, AUDIT_PER_PAGE);
    struct audit_entry *list;
    size_t n;
    if (db_audit_list(r->db, r->arena, q, p.offset, p.limit, &list, &n) != DB_OK)
        return 500;
    struct view *v = view_new(r, "admin_audit", "Protokoll");
    view_text(v, "q", q);
    n = admin_pager(r, v, &p, n, "/admin/protokoll", (const char *const[]){"q", q, NULL});
    view_int(v, "count", (long)n);
    struct view_table *t = view_table(v, "entries", AUDIT_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        view_row(t);
        view_cell_text(t, AUDIT_AT, fmt_datetime(r->arena, list[i].at));
        view_cell_text(t, AUDIT_USERNAME, *list[i].username ? list[i].username : "System");
        view_cell_text(t, AUDIT_ACTION, audit_action_label(list[i].action));
        view_cell_text(t, AUDIT_SUBJECT, list[i].subject);
        view_cell_text(t, AUDIT_DETAIL, list[i].detail);
        view_cell_text(t, AUDIT_IP, *list[i].ip ? list[i].ip : "–");
    }
    return view_render(v);
}

/* ---- paging ---- */

struct list_page admin_list_page(struct req *r, int64_t per_page)
{
    int64_t page = req_page(r, 0);
    return (struct list_page){
        .page = page, .per_page = per_page, .offset = (page - 1) * per_page, .limit = per_page + 1};
}

/* path?name=value&…&seite=page, values percent-encoded. */
static const char *page_url(struct req *r, const char *path, const char *const *query, int64_t page)
{
    size_t cap = strlen(path) + 32;
    for (const char *const *q = query; q && q[0]; q += 2)
        cap += strlen(q[0]) + 3 * strlen(q[1] ? q[1] : "") + 2;
    char *url = arena_alloc(r->arena, cap), *p = url;
    p += sprintf(p, "%s", path);
    char sep = '?';
    for (const char *const *q = query; q && q[0]; q += 2) {
        if (!q[1] || !*q[1])
            continue;
        p += sprintf(p, "%c%s=", sep, q[0]);
        sep = '&';
        for (const unsigned char *c = (const unsigned char *)q[1]; *c; c++) {
            if (isalnum(*c) || *c == '.' || *c == '_' || *c == '-')
                *p++ = (char)*c;
            else
                p += sprintf(p, "%%%02X", *c);
        }
    }
    if (page > 1)
        p += sprintf(p, "%cseite=%lld", sep, (long long)page);
    *p = '\0';
    return url;
}

size_t admin_pager(struct req *r, struct view *v, const struct list_page *p, size_t n, const char *path,
                   const char *const *query)
{
    bool has_next = (int64_t)n > p->per_page, has_prev = p->page > 1;
    size_t shown = has_next ? (size_t)p->per_page : n;
    view_int(v, "page", (long)p->page);
    view_int(v, "has_prev", has_prev);
    view_int(v, "has_next", has_next);
    view_int(v, "paged", has_prev || has_next);
    view_int(v, "from", (long)(shown ? p->offset + 1 : 0));
    view_int(v, "to", (long)(p->offset + (int64_t)shown));
    view_url(v, "first_url", page_url(r, path, query, 1));
    view_url(v, "prev_url", page_url(r, path, query, p->page - 1));
    view_url(v, "next_url", page_url(r, path, query, p->page + 1));
    return shown;
}
