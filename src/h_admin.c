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
#include "req.h"
#include "view.h"

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
