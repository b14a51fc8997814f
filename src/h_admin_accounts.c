/* h_admin_accounts — /admin/konten: accounts with a filter, adding one
 * (/admin/konten/neu, by manage_user_create: a refused form shows every
 * problem at once, each at its input), and per account
 * (/admin/konten/{id}) disabling or enabling it and setting a new password
 * (manage_user_set_password).  Disabling ends the account's sessions; a
 * disabled account can neither log in nor redeem (session.c, redeem.c).
 * An admin cannot disable themself.  Every change is one transaction with
 * its audit entry (account.add, account.disable, account.enable,
 * account.password). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "form_errors.h"
#include "h_admin.h"
#include "handlers.h"
#include "manage.h"
#include "mem.h"
#include "req.h"
#include "support.h"
#include "view.h"
#include "worker.h"

#define ACCOUNTS_PER_PAGE 100

/* Columns of table accounts in admin_accounts_list.html, in the order it reads them. */
enum {
    ACCOUNT_ID, ACCOUNT_USERNAME, ACCOUNT_NAME, ACCOUNT_EMAIL, ACCOUNT_ROLE, ACCOUNT_TENANT, ACCOUNT_DISABLED,
    ACCOUNT_COLUMNS,
};
/* Columns of table tenants in part_municipality_options.html, in the order it reads them. */
enum { TENANT_GKZ, TENANT_NAME, TENANT_COLUMNS };
static const enum field_id form_fields[] = {F_USERNAME, F_FIRST_NAME, F_LAST_NAME, F_EMAIL, F_ROLE,
                                            F_TENANT, F_PASSWORD, F__MAX};

static const enum role roles[] = {ROLE_USER, ROLE_TENANT_ADMIN, ROLE_SUPPORT, ROLE_ADMIN};
/* Columns of table roles in admin_accounts_list and admin_account_form.html, in the order it reads them. */
enum { ROLE_VALUE, ROLE_LABEL, ROLE_COLUMNS };

/* The roles for a select (table "roles"). */
static void role_options(struct view *v)
{
    struct view_table *t = view_table(v, "roles", ROLE_COLUMNS);
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++) {
        view_row(t);
        view_cell_text(t, ROLE_VALUE, role_name(roles[i]));
        view_cell_text(t, ROLE_LABEL, support_role_label(roles[i]));
    }
}

/* The <option>s of every municipality (templates/part_municipality_options)
 * into *html (malloc'd, the caller owns it).  0 or 500. */
static int render_municipality_options(struct req *r, char **html, size_t *len)
{
    struct municipality_name *list;
    size_t n;
    if (db_municipality_names(r->db, r->arena, &list, &n) != DB_OK)
        return 500;
    struct view *v = view_new_part(r, "part_municipality_options");
    struct view_table *t = view_table(v, "tenants", TENANT_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        view_row(t);
        view_cell_text(t, TENANT_GKZ, list[i].gkz);
        view_cell_text(t, TENANT_NAME, list[i].name);
    }
    return view_render_into(v, html, len);
}

/* The roles for the select (table "roles") and the municipalities the GKZ
 * field suggests ("municipality_options_html": the template puts them into
 * a <datalist>, so the field is typed into, not a select of 2,100).  The
 * options are rendered once per version of the municipalities' names
 * (triggers of sql/015 bump it) and kept by the worker.  0 or 500. */
static int select_options(struct req *r, struct view *v)
{
    role_options(v);
    int64_t version;
    struct page_cache *options = &r->worker->municipality_options;
    if (db_municipality_names_version(r->db, &version) != DB_OK)
        return 500;
    int status = page_cache_refresh(r, options, version, render_municipality_options);
    if (status != 0)
        return status;
    view_html(v, "municipality_options_html", options->html);
    return 0;
}

static void account_row(struct req *r, struct view_table *t, const struct account_summary *s)
{
    view_row(t);
    view_cell_int(t, ACCOUNT_ID, (long)s->acc.id);
    view_cell_text(t, ACCOUNT_USERNAME, s->acc.username);
    view_cell_text(t, ACCOUNT_NAME, arena_printf(r->arena, "%s %s", s->acc.first_name, s->acc.last_name));
    view_cell_text(t, ACCOUNT_EMAIL, s->acc.email);
    view_cell_text(t, ACCOUNT_ROLE, support_role_label(s->acc.role));
    view_cell_text(t, ACCOUNT_TENANT, *s->gkz ? arena_printf(r->arena, "%s (%s)", s->municipality_name, s->gkz) : "");
    view_cell_int(t, ACCOUNT_DISABLED, s->acc.disabled);
}

/* /admin/konten?q=&role=&tenant=&seite=: a page of accounts by username;
 * q the start of a username, e-mail, first or last name. */
int h_admin_accounts_list(struct req *r)
{
    const char *q = req_text(r, F_Q), *role = req_text(r, F_ROLE), *tenant = req_text(r, F_TENANT);
    struct list_page p = admin_list_page(r, ACCOUNTS_PER_PAGE);
    struct account_summary *list;
    size_t n;
    if (db_account_list(r->db, r->arena, q, role, tenant, p.offset, p.limit, &list, &n) != DB_OK)
        return 500;
    struct view *v = view_new(r, "admin_accounts_list", "Konten verwalten");
    if (select_options(r, v) != 0)
        return 500;
    n = admin_pager(r, v, &p, n, "/admin/konten",
                    (const char *const[]){"q", q, "role", role, "tenant", tenant, NULL});
    struct view_table *t = view_table(v, "accounts", ACCOUNT_COLUMNS);
    for (size_t i = 0; i < n; i++)
        account_row(r, t, &list[i]);
    view_text(v, "q", req_raw(r, F_Q));
    view_text(v, "role", req_raw(r, F_ROLE));
    view_text(v, "tenant", req_raw(r, F_TENANT));
    view_int(v, "count", (long)n);
    return view_render(v);
}

/* ---- adding ---- */

static int show_form(struct req *r, int status, const struct form_errors *e)
{
    struct view *v = view_new(r, "admin_account_form", "Konto anlegen");
    if (select_options(r, v) != 0)
        return 500;
    view_text(v, "username", req_raw(r, F_USERNAME));
    view_text(v, "first_name", req_raw(r, F_FIRST_NAME));
    view_text(v, "last_name", req_raw(r, F_LAST_NAME));
    view_text(v, "email", req_raw(r, F_EMAIL));
    view_text(v, "role", req_raw(r, F_ROLE));
    view_text(v, "tenant", req_raw(r, F_TENANT));
    form_errors_view(r, v, e, form_fields, "");
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_admin_accounts_new(struct req *r)
{
    return show_form(r, 200, &(struct form_errors){0});
}

struct new_account {
    struct account acc;
    const char *tenant, *password;
    struct manage_problems problems; /* of a refusal inside the transaction */
};

static int add_account(struct req *r, void *ctx, char *msg, size_t msglen)
{
    struct new_account *n = ctx;
    int rc = manage_user_create(r->db, r->arena, &n->acc, n->tenant, n->password, r->now, &n->problems);
    if (rc == 1)
        snprintf(msg, msglen, "%s", n->problems.at[0].text);
    return rc;
}

/* Every problem of the posted account at its input (inputs the fields
 * table refuses first, then every rule manage.c finds broken), or the new
 * account's page. */
int h_admin_accounts_add(struct req *r)
{
    const char *role = req_raw(r, F_ROLE);
    struct new_account n = {
        .acc = {.username = req_text(r, F_USERNAME), .email = req_raw(r, F_EMAIL),
                .first_name = req_raw(r, F_FIRST_NAME), .last_name = req_raw(r, F_LAST_NAME),
                .role = role_from_name(role)},
        /* as sent, so that a wrong GKZ is named as such */
        .tenant = *req_raw(r, F_TENANT) ? req_raw(r, F_TENANT) : NULL, .password = req_raw(r, F_PASSWORD),
    };
    struct form_errors e = {0};
    struct manage_problems p;
    if (manage_user_problems(r->db, r->arena, &n.acc, n.tenant, n.password, &p) < 0)
        return 500;
    form_error_problems(&e, &p);
    if (e.text)
        return show_form(r, 422, &e);
    struct admin_change c = {
        .change = add_account, .ctx = &n, .action = AUDIT_ACCOUNT_ADD, .subject = n.acc.username,
        .detail = arena_printf(r->arena, "%s, %s%s", role, n.tenant ? "GKZ " : "", n.tenant ? n.tenant : ""),
    };
    char msg[256];
    int rc = admin_write(r, &c, msg, sizeof msg);
    if (rc == 1) {
        form_error_problems(&e, &n.problems);
        return show_form(r, 422, &e);
    }
    return rc != 0 ? rc : req_redirect(r, arena_printf(r->arena, "/admin/konten/%lld", (long long)n.acc.id));
}

/* ---- one account ---- */

/* The account named by the id in the path: 0, 404 or 500. */
static int load_account(struct req *r, struct account *acc)
{
    int64_t id = req_path_id(r);
    int status = id ? db_account_by_id(r->db, r->arena, id, acc) : DB_NOT_FOUND;
    return status == DB_OK ? 0 : status == DB_NOT_FOUND ? 404 : 500;
}

/* The account page with the refusal e (or none) or a notice. */
static int show_account(struct req *r, int status, const struct account *acc, const struct form_errors *e,
                        const char *notice)
{
    struct municipality m = {.gkz = "", .name = ""};
    if (acc->municipality_id && db_municipality_by_id(r->db, r->arena, acc->municipality_id, &m) != DB_OK)
        return 500;
    struct view *v = view_new(r, "admin_account_show", arena_printf(r->arena, "Konto %s", acc->username));
    view_int(v, "id", (long)acc->id);
    view_text(v, "username", acc->username);
    view_text(v, "name", arena_printf(r->arena, "%s %s", acc->first_name, acc->last_name));
    view_text(v, "email", acc->email);
    view_text(v, "role", support_role_label(acc->role));
    view_text(v, "tenant", *m.gkz ? arena_printf(r->arena, "%s (%s)", m.name, m.gkz) : "");
    view_int(v, "disabled", acc->disabled);
    view_int(v, "is_self", acc->id == r->who->id);
    static const enum field_id fields[] = {F_PASSWORD, F__MAX};
    form_errors_view(r, v, e, fields, "");
    view_text(v, "notice", notice);
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_admin_accounts_show(struct req *r)
{
    struct account acc;
    int status = load_account(r, &acc);
    return status ? status : show_account(r, 200, &acc, &(struct form_errors){0}, NULL);
}

struct account_change {
    struct account *acc;
    bool disabled;
    const char *password;
};

static int set_disabled(struct req *r, void *ctx, char *msg, size_t msglen)
{
    (void)msg, (void)msglen;
    struct account_change *c = ctx;
    int status = db_account_set_disabled(r->db, c->acc->id, c->disabled);
    if (status == DB_OK && c->disabled)
        status = db_account_sessions_end(r->db, c->acc->id);
    return status == DB_OK ? 0 : -1;
}

static int set_password(struct req *r, void *ctx, char *msg, size_t msglen)
{
    struct account_change *c = ctx;
    return manage_user_set_password(r->db, c->acc, c->password, msg, msglen);
}

/* Loads the account, writes the change fn with the audit action, and shows
 * the account again with notice, or with the refusal. */
static int change_account(struct req *r, struct account_change *ac, int (*fn)(struct req *, void *, char *, size_t),
                          enum audit_action action, const char *notice)
{
    /* In the arena: ac (the caller's) keeps a pointer to it past this call. */
    struct account *acc = arena_alloc(r->arena, sizeof *acc);
    int status = load_account(r, acc);
    if (status)
        return status;
    ac->acc = acc;
    struct form_errors *e = arena_alloc(r->arena, sizeof *e); /* zeroed: no problem yet */
    if (fn == set_disabled && ac->disabled && acc->id == r->who->id) {
        form_error_set(e, F__MAX, "Sie können Ihr eigenes Konto nicht sperren.");
        return show_account(r, 422, acc, e, NULL);
    }
    struct admin_change c = {.change = fn, .ctx = ac, .action = action, .subject = acc->username,
                             .detail = ""};
    char msg[256];
    int rc = admin_write(r, &c, msg, sizeof msg);
    if (rc == 1) {
        form_error_set(e, F_PASSWORD, arena_strdup(r->arena, msg));
        return show_account(r, 422, acc, e, NULL);
    }
    if (rc != 0)
        return rc;
    acc->disabled = fn == set_disabled ? ac->disabled : acc->disabled;
    return show_account(r, 200, acc, &(struct form_errors){0}, notice);
}

int h_admin_accounts_disable(struct req *r)
{
    struct account_change c = {.disabled = true};
    return change_account(r, &c, set_disabled, AUDIT_ACCOUNT_DISABLE,
                          "Das Konto ist gesperrt; seine Sitzungen sind beendet.");
}

int h_admin_accounts_enable(struct req *r)
{
    struct account_change c = {.disabled = false};
    return change_account(r, &c, set_disabled, AUDIT_ACCOUNT_ENABLE, "Das Konto ist wieder freigegeben.");
}

int h_admin_accounts_password(struct req *r)
{
    struct account_change c = {.password = req_raw(r, F_PASSWORD)};
    return change_account(r, &c, set_password, AUDIT_ACCOUNT_PASSWORD,
                          "Das neue Passwort ist gesetzt; bestehende Sitzungen des Kontos sind beendet.");
}
