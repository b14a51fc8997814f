/* h_admin_tenants — /admin/gemeinden: every municipality with its number
 * of accounts and orders, adding one (/admin/gemeinden/neu) and changing
 * one (/admin/gemeinden/{gkz}/bearbeiten; the GKZ is fixed), both by
 * manage_tenant_save.  A refused form shows every problem at once, each at
 * its input.  Each change is one transaction with its audit entry
 * (tenant.add / tenant.edit). */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "form_errors.h"
#include "h_admin.h"
#include "handlers.h"
#include "manage.h"
#include "req.h"
#include "view.h"

struct tenant_form {
    struct municipality m;
    struct form_errors error;
};

/* Columns of table tenants in admin_tenants_list.html, in the order it reads them. */
enum { TENANT_GKZ, TENANT_NAME, TENANT_EMAIL, TENANT_UID, TENANT_ACCOUNTS, TENANT_ORDERS, TENANT_COLUMNS };
static const enum field_id form_fields[] = {F_GKZ, F_NAME, F_ADDRESS, F_EMAIL, F_UID, F__MAX};

#define TENANTS_PER_PAGE 100

/* /admin/gemeinden?q=&seite=: a page of municipalities by name; q the start
 * of a GKZ or a part of a name. */
int h_admin_tenants_list(struct req *r)
{
    const char *q = req_text(r, F_Q) ? req_text(r, F_Q) : "";
    struct list_page p = admin_list_page(r, TENANTS_PER_PAGE);
    struct municipality_summary *list;
    size_t n;
    if (db_municipality_list(r->db, r->arena, q, p.offset, p.limit, &list, &n) != DB_OK)
        return 500;
    struct view *v = view_new(r, "admin_tenants_list", "Gemeinden verwalten");
    view_text(v, "q", req_raw(r, F_Q));
    n = admin_pager(r, v, &p, n, "/admin/gemeinden", (const char *const[]){"q", q, NULL});
    view_int(v, "count", (long)n);
    struct view_table *t = view_table(v, "tenants", TENANT_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        view_row(t);
        view_cell_text(t, TENANT_GKZ, list[i].m.gkz);
        view_cell_text(t, TENANT_NAME, list[i].m.name);
        view_cell_text(t, TENANT_EMAIL, list[i].m.invoice_email);
        view_cell_text(t, TENANT_UID, list[i].m.uid);
        view_cell_int(t, TENANT_ACCOUNTS, (long)list[i].accounts);
        view_cell_int(t, TENANT_ORDERS, (long)list[i].orders);
    }
    return view_render(v);
}

static int show_form(struct req *r, int status, bool adding, const struct tenant_form *f)
{
    const struct municipality *m = &f->m;
    struct view *v = view_new(r, "admin_tenant_form", adding ? "Gemeinde anlegen"
                                                             : arena_printf(r->arena, "%s bearbeiten", m->name));
    view_int(v, "adding", adding);
    view_url(v, "action", adding ? "/admin/gemeinden/neu" : arena_printf(r->arena, "/admin/gemeinden/%s/bearbeiten", m->gkz));
    view_text(v, "gkz", m->gkz);
    view_text(v, "name", m->name);
    view_text(v, "address", m->address);
    view_text(v, "email", m->invoice_email);
    view_text(v, "uid", m->uid);
    form_errors_view(r, v, &f->error, form_fields, "");
    int rc = view_render(v);
    r->status = status;
    return rc;
}

/* Reads the posted values (the GKZ only when adding) and records every
 * problem at its input: inputs the fields table refuses, then every rule
 * manage.c finds broken (the first message per input counts).  0 or 500. */
static int read_form(struct req *r, struct tenant_form *f, bool adding)
{
    struct form_errors *e = &f->error;
    if (adding)
        f->m.gkz = req_raw(r, F_GKZ);
    f->m.name = form_input(r, e, F_NAME, "Der Name");
    f->m.address = form_input(r, e, F_ADDRESS, "Die Adresse");
    f->m.invoice_email = req_raw(r, F_EMAIL);
    f->m.uid = form_input(r, e, F_UID, "Die UID");
    struct manage_problems p;
    if (manage_tenant_problems(r->db, r->arena, &f->m, adding, &p) < 0)
        return 500;
    form_error_problems(e, &p);
    return 0;
}

/* The change of an admin_change: manage.c's write with its problems kept. */
struct tenant_change {
    struct tenant_form *f;
    bool adding;
    struct manage_problems problems;
};

static int save_tenant(struct req *r, void *ctx, char *msg, size_t msglen)
{
    struct tenant_change *c = ctx;
    int rc = manage_tenant_save(r->db, r->arena, &c->f->m, c->adding, r->now, &c->problems);
    if (rc == 1)
        snprintf(msg, msglen, "%s", c->problems.at[0].text);
    return rc;
}

/* Writes the form's change with its audit entry; a refusal (a GKZ taken
 * meanwhile) re-shows the form with every problem at its input. */
static int write_tenant(struct req *r, struct tenant_form *f, bool adding, enum audit_action action,
                        const char *subject,
                        const char *detail)
{
    struct tenant_change tc = {.f = f, .adding = adding};
    struct admin_change c = {.change = save_tenant, .ctx = &tc, .action = action, .subject = subject,
                             .detail = detail};
    char msg[256];
    int rc = admin_write(r, &c, msg, sizeof msg);
    if (rc == 1) {
        form_error_problems(&f->error, &tc.problems);
        return show_form(r, 422, adding, f);
    }
    return rc != 0 ? rc : req_redirect(r, "/admin/gemeinden");
}

int h_admin_tenants_new(struct req *r)
{
    struct tenant_form f = {.m = {.gkz = "", .name = "", .address = "", .invoice_email = "", .uid = ""}};
    return show_form(r, 200, true, &f);
}

int h_admin_tenants_add(struct req *r)
{
    struct tenant_form f = {0};
    if (read_form(r, &f, true) != 0)
        return 500;
    if (f.error.text)
        return show_form(r, 422, true, &f);
    return write_tenant(r, &f, true, AUDIT_TENANT_ADD, f.m.gkz,
                        arena_printf(r->arena, "%s, Rechnungen an %s", f.m.name, f.m.invoice_email));
}

/* The municipality named in the path: 0, 404 or 500. */
static int load_tenant(struct req *r, struct municipality *m)
{
    int status = db_municipality_by_gkz(r->db, r->arena, r->path_arg, m);
    return status == DB_OK ? 0 : status == DB_NOT_FOUND ? 404 : 500;
}

int h_admin_tenants_edit_form(struct req *r)
{
    struct tenant_form f = {0};
    int status = load_tenant(r, &f.m);
    return status ? status : show_form(r, 200, false, &f);
}

/* "Name „a“ → „b“; ..." for the audit log. */
static const char *changes(struct req *r, const struct municipality *a, const struct municipality *b)
{
    struct buf d;
    buf_init(&d, r->arena);
    const char *const labels[] = {"Name", "Adresse", "Rechnungs-E-Mail", "UID"};
    const char *const before[] = {a->name, a->address, a->invoice_email, a->uid};
    const char *const after[] = {b->name, b->address, b->invoice_email, b->uid};
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        if (strcmp(before[i], after[i]) != 0)
            buf_printf(&d, "%s „%s“ → „%s“; ", labels[i], before[i], after[i]);
    return d.len ? arena_strndup(r->arena, d.data, d.len - 2) : "keine Änderung";
}

int h_admin_tenants_edit(struct req *r)
{
    struct municipality old;
    int status = load_tenant(r, &old);
    if (status)
        return status;
    struct tenant_form f = {.m = old};
    if (read_form(r, &f, false) != 0)
        return 500;
    if (f.error.text)
        return show_form(r, 422, false, &f);
    return write_tenant(r, &f, false, AUDIT_TENANT_EDIT, old.gkz, changes(r, &old, &f.m));
}
