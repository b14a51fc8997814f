/* h_admin — the administration overview /admin and the helpers of
 * h_admin.h. */
#include "h_admin.h"

#include <stdbool.h>

#include <stdio.h>

#include "db.h"
#include "fmt.h"
#include "handlers.h"
#include "req.h"
#include "view.h"

void admin_error_set(struct admin_error *e, enum field_id field, const char *text)
{
    if (!e->text) {
        e->text = text;
        e->field = field;
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

void admin_view_error(struct req *r, struct view *v, const struct admin_error *e, const enum field_id *fields)
{
    view_text(v, "error", e->text);
    for (const enum field_id *f = fields; *f != F__MAX; f++) {
        const char *key = arena_printf(r->arena, "%s_invalid", field_specs[*f].name);
        view_int(v, key, e->text && e->field == *f);
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

#define AUDIT_LIMIT 300

/* Columns of table entries in admin_audit.html, in the order it reads them. */
enum { AUDIT_AT, AUDIT_USERNAME, AUDIT_ACTION, AUDIT_SUBJECT, AUDIT_DETAIL, AUDIT_IP, AUDIT_COLUMNS };

/* /admin/protokoll: the newest audit entries, filtered by q. */
int h_admin_audit(struct req *r)
{
    const char *q = req_text(r, F_Q) ? req_text(r, F_Q) : "";
    struct audit_entry *list;
    size_t n;
    if (db_audit_list(r->db, r->arena, q, AUDIT_LIMIT, &list, &n) != DB_OK)
        return 500;
    struct view *v = view_new(r, "admin_audit", "Protokoll");
    view_text(v, "q", q);
    view_int(v, "count", (long)n);
    view_int(v, "limit", AUDIT_LIMIT);
    struct view_table *t = view_table(v, "entries", AUDIT_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        view_row(t);
        view_cell_text(t, AUDIT_AT, fmt_datetime(r->arena, list[i].at));
        view_cell_text(t, AUDIT_USERNAME, *list[i].username ? list[i].username : "System");
        view_cell_text(t, AUDIT_ACTION, list[i].action);
        view_cell_text(t, AUDIT_SUBJECT, list[i].subject);
        view_cell_text(t, AUDIT_DETAIL, list[i].detail);
        view_cell_text(t, AUDIT_IP, *list[i].ip ? list[i].ip : "–");
    }
    return view_render(v);
}
