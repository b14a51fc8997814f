/* h_orders — a tenant_admin's orders ("Bestellungen"): the list, one order
 * with its codes (filtered and paged), handing codes out to people (one by
 * one, or a pasted list with a preview), sending a code to its recipient,
 * and the downloads codes.csv, voucher.pdf and rechnung.pdf.  Only the
 * admin's own municipality: any other order or code answers 404.  Support
 * and admin open every order's page and downloads (audited), read only. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "codes.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "form_errors.h"
#include "handlers.h"
#include "money.h"
#include "order_docs.h"
#include "recipients.h"
#include "req.h"
#include "sender.h"
#include "view.h"
#include "vouchers_pdf.h"

/* Columns of table orders in orders_list.html, in the order it reads them. */
enum {
    ORDER_ID, ORDER_DATE, ORDER_INVOICE, ORDER_REFERENCE, ORDER_GROSS, ORDER_OPEN, ORDER_REDEEMED,
    ORDER_EXPIRED, ORDER_REVOKED, ORDER_COLUMNS,
};
/* Columns of table codes in orders_show.html, in the order it reads them. */
enum {
    CODE_ID, CODE_CODE, CODE_TITLE, CODE_VALID_UNTIL, CODE_STATUS, CODE_STATUS_CLASS, CODE_OPEN_CELL, CODE_NAME,
    CODE_EMAIL, CODE_DELIVERY, CODE_SENDABLE, CODE_SAVED, CODE_COLUMNS,
};
/* Columns of table items in orders_show.html, in the order it reads them. */
enum { ITEM_SLUG, ITEM_TITLE, ITEM_COLUMNS };
/* Columns of table pagelinks in orders_show.html, in the order it reads them. */
enum { PAGELINK_N, PAGELINK_CURRENT, PAGELINK_COLUMNS };

/* True for support and admin, who may open every order's page and
 * documents (read only; their downloads are audited). */
static bool staff(const struct req *r)
{
    return (r->who->role & (ROLE_SUPPORT | ROLE_ADMIN)) != 0;
}

/* The order named in the path when it is the admin's municipality's (any
 * order for support and admin): 0, 404 or 500. */
static int own_order(struct req *r, struct order *o)
{
    int64_t id = req_path_id(r);
    int status = id ? db_order_by_id(r->db, r->arena, id, o) : DB_NOT_FOUND;
    if (status == DB_ERROR)
        return 500;
    return status == DB_OK && (staff(r) || o->municipality_id == r->who->municipality_id) ? 0 : 404;
}

static void order_row(struct req *r, struct view_table *t, const struct order_summary *s)
{
    view_row(t);
    view_cell_int(t, ORDER_ID, (long)s->o.id);
    view_cell_text(t, ORDER_DATE, fmt_date(r->arena, s->o.created_at));
    view_cell_text(t, ORDER_INVOICE, s->o.invoice_number);
    view_cell_text(t, ORDER_REFERENCE, s->o.reference);
    view_cell_text(t, ORDER_GROSS, fmt_money(r->arena, s->o.gross_cents));
    view_cell_int(t, ORDER_OPEN, (long)s->open);
    view_cell_int(t, ORDER_REDEEMED, (long)s->redeemed);
    view_cell_int(t, ORDER_EXPIRED, (long)s->expired);
    view_cell_int(t, ORDER_REVOKED, (long)s->revoked);
}

/* text percent-encoded for a query string value (all but A-Z a-z 0-9 . _ -). */
static const char *query_escape(struct arena *a, const char *text)
{
    struct buf b;
    buf_init(&b, a);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '.' ||
            *p == '_' || *p == '-')
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    return b.data;
}

/* Orders per page of the list. */
#define ORDERS_PER_PAGE 50

int h_orders_list(struct req *r)
{
    struct order_summary *list;
    size_t n;
    int64_t total;
    const char *q = req_text(r, F_Q);
    int64_t page = req_page(r, 0);
    if (db_order_list(r->db, r->arena, r->who->municipality_id, r->now, q, (page - 1) * ORDERS_PER_PAGE,
                      ORDERS_PER_PAGE, &list, &n, &total) != DB_OK)
        return 500;
    int64_t pages = total ? (total + ORDERS_PER_PAGE - 1) / ORDERS_PER_PAGE : 1;
    if (page > pages) { /* past the end: the last page */
        page = pages;
        if (db_order_list(r->db, r->arena, r->who->municipality_id, r->now, q, (page - 1) * ORDERS_PER_PAGE,
                          ORDERS_PER_PAGE, &list, &n, &total) != DB_OK)
            return 500;
    }
    struct view *v = view_new(r, "orders_list", "Bestellungen");
    struct view_table *t = view_table(v, "orders", ORDER_COLUMNS);
    for (size_t i = 0; i < n; i++)
        order_row(r, t, &list[i]);
    view_int(v, "count", (long)n);
    view_int(v, "total", (long)total);
    view_int(v, "page", (long)page);
    view_int(v, "pages", (long)pages);
    view_int(v, "first", (long)((page - 1) * ORDERS_PER_PAGE + (n ? 1 : 0)));
    view_int(v, "last", (long)((page - 1) * ORDERS_PER_PAGE + (int64_t)n));
    view_text(v, "q", q ? q : "");
    view_url(v, "page_base", q ? arena_printf(r->arena, "/bestellungen?q=%s&", query_escape(r->arena, q))
                               : "/bestellungen?");
    return view_render(v);
}

/* Codes per page of an order: CTPL reads table cells from lists, so a page
 * costs the square of its rows; orders may hold tens of thousands of codes. */
#define CODES_PER_PAGE 200

/* What the order page shows besides the order: a notice or an error, the
 * code a notice is about, and the distribute form's entries. */
struct page_state {
    const char *notice, *error;
    const struct form_errors *form; /* the distribute form's problems at its inputs, or NULL (then error alone) */
    int64_t code_id;
    const char *dist_course, *dist_recipients;
    int status; /* HTTP status of the page (200, or 422 with an error) */
};

static void code_row(struct req *r, struct view_table *t, const struct order_code *c, const char *display,
                     int64_t saved_id)
{
    enum code_status st = codes_status(&c->v, r->now);
    view_row(t);
    view_cell_int(t, CODE_ID, (long)c->v.id);
    view_cell_text(t, CODE_CODE, display);
    view_cell_text(t, CODE_TITLE, c->v.item_title);
    view_cell_text(t, CODE_VALID_UNTIL, fmt_date(r->arena, c->v.valid_until));
    view_cell_text(t, CODE_STATUS, order_code_status_text(r->arena, c, r->now));
    view_cell_text(t, CODE_STATUS_CLASS, codes_status_class(st));
    view_cell_int(t, CODE_OPEN_CELL, st == CODE_OPEN && !staff(r)); /* staff read only */
    view_cell_text(t, CODE_NAME, c->v.issued_to);
    view_cell_text(t, CODE_EMAIL, c->recipient_email);
    view_cell_text(t, CODE_DELIVERY, order_delivery_text(r->arena, c->mail_id, c->mail_sent_at, c->mail_given_up_at,
                                                      c->mail_error));
    view_cell_int(t, CODE_SENDABLE, st == CODE_OPEN && *c->recipient_email && !staff(r));
    view_cell_int(t, CODE_SAVED, c->v.id == saved_id);
}

/* The numbered page links: the first, the last, and two either side of
 * the current one; 0 stands for a gap ("…"). */
static void page_links(struct view *v, int64_t page, int64_t pages)
{
    struct view_table *t = view_table(v, "pagelinks", PAGELINK_COLUMNS);
    int64_t last = 0;
    for (int64_t p = 1; p <= pages; p++) {
        if (p != 1 && p != pages && (p < page - 2 || p > page + 2))
            continue;
        if (p > last + 1) {
            view_row(t);
            view_cell_int(t, PAGELINK_N, 0);
            view_cell_int(t, PAGELINK_CURRENT, 0);
        }
        view_row(t);
        view_cell_int(t, PAGELINK_N, (long)p);
        view_cell_int(t, PAGELINK_CURRENT, p == page);
        last = p;
    }
}

/* The pager's variables: page, pages, the first and last code shown, total. */
static void pager(struct view *v, int64_t page, int64_t pages, int64_t total, size_t shown)
{
    view_int(v, "page", (long)page);
    view_int(v, "pages", (long)pages);
    view_int(v, "first", (long)((page - 1) * CODES_PER_PAGE + (shown ? 1 : 0)));
    view_int(v, "last", (long)((page - 1) * CODES_PER_PAGE + (int64_t)shown));
    view_int(v, "total", (long)total);
    page_links(v, page, pages);
}

/* The list filter from the query (GET) or the form (POST); each "" = any. */
static struct code_filter filter_of(const struct req *r)
{
    const char *course = req_text(r, F_COURSE), *status = req_text(r, F_STATUS);
    const char *assigned = req_text(r, F_ASSIGNED);
    return (struct code_filter){course ? course : "", status ? status : "", assigned ? assigned : "", r->now};
}

/* The page links' start: "/bestellungen/ID?" with the filters set, each
 * followed by "&" (slugs, statuses and ja/nein need no escaping). */
static const char *page_base(struct req *r, int64_t order_id, const struct code_filter *f)
{
    struct buf b;
    buf_init(&b, r->arena);
    buf_printf(&b, "/bestellungen/%lld?", (long long)order_id);
    if (*f->course)
        buf_printf(&b, "course=%s&", f->course);
    if (*f->status)
        buf_printf(&b, "status=%s&", f->status);
    if (*f->assigned)
        buf_printf(&b, "zugewiesen=%s&", f->assigned);
    return b.data;
}

/* One page of the codes table; 0 or 500 (database, or a code that does not
 * open with the key file). */
static int code_rows(struct req *r, struct view *v, int64_t order_id, const struct code_filter *f,
                     int64_t saved_id)
{
    int64_t total;
    if (db_order_code_count(r->db, order_id, f, &total) != DB_OK)
        return 500;
    int64_t pages = total ? (total + CODES_PER_PAGE - 1) / CODES_PER_PAGE : 1;
    int64_t page = req_page(r, pages);
    struct order_code *codes;
    size_t n;
    if (db_order_codes(r->db, r->arena, order_id, f, (page - 1) * CODES_PER_PAGE, CODES_PER_PAGE, &codes, &n) !=
        DB_OK)
        return 500;
    pager(v, page, pages, total, n);
    view_url(v, "page_base", page_base(r, order_id, f));
    view_text(v, "f_course", f->course);
    view_text(v, "f_status", f->status);
    view_text(v, "f_assigned", f->assigned);
    struct view_table *t = view_table(v, "codes", CODE_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        char display[VOUCHER_DISPLAY_SIZE];
        if (codes_display(&r->app->keys, &codes[i].v, display) != 0)
            return 500;
        code_row(r, t, &codes[i], display, saved_id);
    }
    return 0;
}

/* The items of the order for the course selects; *first the first slug. */
static int item_rows(struct req *r, struct view *v, int64_t order_id, const char **first)
{
    const char **slugs, **titles;
    size_t n;
    if (db_order_items(r->db, r->arena, order_id, &slugs, &titles, &n) != DB_OK)
        return 500;
    struct view_table *t = view_table(v, "items", ITEM_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        view_row(t);
        view_cell_text(t, ITEM_SLUG, slugs[i]);
        view_cell_text(t, ITEM_TITLE, titles[i]);
    }
    *first = n ? slugs[0] : "";
    return 0;
}

static const char *notice_of(const struct req *r)
{
    const char *hint = req_text(r, F_HINT);
    if (!hint)
        return "";
    if (strcmp(hint, "gespeichert") == 0)
        return "Gespeichert.";
    if (strcmp(hint, "gesendet") == 0)
        return "Die E-Mail mit dem Code ist unterwegs; ihr Stand steht in der Spalte „E-Mail an die Person“.";
    return "Die Codes sind zugewiesen, jede Person bekommt ihren Code per E-Mail.";
}

static int show(struct req *r, const struct order *o, const struct page_state *ps)
{
    struct view *v = view_new(r, "orders_show", arena_printf(r->arena, "Bestellung Nr. %lld", (long long)o->id));
    struct code_filter f = filter_of(r);
    const char *first;
    if (item_rows(r, v, o->id, &first) != 0 || code_rows(r, v, o->id, &f, ps->code_id) != 0 ||
        accounting_credit_rows(r, v, o->id) != 0)
        return 500;
    view_int(v, "staff", staff(r));
    view_int(v, "admin", (r->who->role & ROLE_ADMIN) != 0);
    view_int(v, "id", (long)o->id);
    view_text(v, "date", fmt_date(r->arena, o->created_at));
    view_text(v, "invoice", o->invoice_number);
    view_text(v, "reference", o->reference);
    view_text(v, "net", fmt_money(r->arena, o->net_cents));
    view_int(v, "vat_percent", (long)o->vat_percent);
    view_text(v, "vat", fmt_money(r->arena, o->vat_cents));
    view_text(v, "gross", fmt_money(r->arena, o->gross_cents));
    view_text(v, "notice", ps->notice);
    struct form_errors alone = {.text = ps->error, .field = F__MAX};
    form_errors_view(r, v, ps->form ? ps->form : &alone, (const enum field_id[]){F_COURSE, F_RECIPIENTS, F__MAX},
                     "");
    view_text(v, "dist_course", ps->dist_course ? ps->dist_course : first);
    view_text(v, "dist_recipients", ps->dist_recipients);
    int status = view_render(v);
    if (status == 0 && ps->status)
        r->status = ps->status;
    return status;
}

int h_orders_show(struct req *r)
{
    struct order o;
    int status = own_order(r, &o);
    if (status != 0)
        return status;
    long long code_id = 0; /* the code just changed, to mark its row; none when absent */
    req_number(r, F_CODE_ID, &code_id);
    struct page_state ps = {.notice = notice_of(r), .error = "", .dist_recipients = "", .code_id = code_id};
    return show(r, &o, &ps);
}

int h_orders_codes(struct req *r)
{
    struct order o;
    int status = own_order(r, &o);
    if (status != 0)
        return status;
    const char *csv;
    size_t len;
    if (order_codes_csv(r->db, r->arena, &r->app->keys, r->app->cfg, o.id, r->now, &csv, &len) != DB_OK ||
        accounting_audit_download(r, "codes.csv", o.invoice_number) != 0)
        return 500;
    return req_download(r, "text/csv; charset=utf-8", "attachment",
                    arena_printf(r->arena, "codes-%s.csv", o.invoice_number), csv, len);
}

int h_orders_invoice(struct req *r)
{
    struct order o;
    int status = own_order(r, &o);
    if (status != 0)
        return status;
    const unsigned char *pdf;
    size_t len;
    if (order_invoice(r->db, r->arena, r->app->cfg, &o, &pdf, &len) != DB_OK ||
        accounting_audit_download(r, "Rechnung (PDF)", o.invoice_number) != 0)
        return 500;
    return req_download(r, "application/pdf", "inline", arena_printf(r->arena, "Rechnung-%s.pdf", o.invoice_number),
                    pdf, len);
}

int h_orders_vouchers(struct req *r)
{
    struct order o;
    int status = own_order(r, &o);
    if (status != 0)
        return status;
    struct code_filter f = filter_of(r);
    const unsigned char *pdf;
    size_t len;
    status = vouchers_pdf(r->db, r->arena, &r->app->keys, r->app->cfg, o.id, &f, r->now, &pdf, &len);
    if (status == DB_NOT_FOUND) {
        struct page_state ps = {.notice = "", .error = "Es gibt keine offenen Codes zum Ausdrucken.",
                                .dist_recipients = "", .status = 404};
        return show(r, &o, &ps);
    }
    if (status != DB_OK)
        return 500;
    return req_download(r, "application/pdf", "inline", arena_printf(r->arena, "Voucher-%s.pdf", o.invoice_number),
                        pdf, len);
}

static struct recipients_actor actor_of(const struct req *r)
{
    return (struct recipients_actor){
        .account_id = r->who->id, .municipality_id = r->who->municipality_id, .first_name = r->who->first_name,
        .last_name = r->who->last_name, .email = r->who->email, .ip = r->remote_addr};
}

/* Back to the code's row on its page of the order, with a notice. */
static int back_to_code(struct req *r, int64_t order_id, int64_t code_id, const char *hint)
{
    const char *page = req_text(r, F_PAGE);
    return req_redirect(r, arena_printf(r->arena, "/bestellungen/%lld?hinweis=%s&code_id=%lld%s%s#code-%lld",
                                        (long long)order_id, hint, (long long)code_id, page ? "&seite=" : "",
                                        page ? page : "", (long long)code_id));
}

/* A refusal about one code: the order page again with the message (422). */
static int refuse_code(struct req *r, int64_t order_id, const char *message)
{
    struct order o;
    if (db_order_by_id(r->db, r->arena, order_id, &o) != DB_OK)
        return 500;
    struct page_state ps = {.notice = "", .error = message, .dist_recipients = "", .status = 422};
    return show(r, &o, &ps);
}

static int code_outcome(struct req *r, enum recipients_status st, int64_t order_id, int64_t code_id,
                        const char *hint, const char *message)
{
    switch (st) {
    case RECIPIENTS_OK: return back_to_code(r, order_id, code_id, hint);
    case RECIPIENTS_REFUSED: return refuse_code(r, order_id, message);
    case RECIPIENTS_NOT_FOUND: return 404;
    case RECIPIENTS_ERROR: break;
    }
    return 500;
}

int h_orders_assign(struct req *r)
{
    int64_t id = req_path_id(r), order_id = 0;
    if (!id)
        return 404;
    struct recipients_actor by = actor_of(r);
    const char *message = "";
    enum recipients_status st = recipients_assign_one(r->db, r->arena, id, req_raw(r, F_NAME), req_raw(r, F_EMAIL),
                                                      &by, r->now, &order_id, &message);
    return code_outcome(r, st, order_id, id, "gespeichert", message);
}

int h_orders_send(struct req *r)
{
    int64_t id = req_path_id(r), order_id = 0;
    if (!id)
        return 404;
    struct recipients_actor by = actor_of(r);
    const char *message = "";
    enum recipients_status st = recipients_send(r->db, r->arena, &r->app->keys, r->app->cfg, id, &by, r->now,
                                                &order_id, &message);
    if (st == RECIPIENTS_OK)
        sender_wake(r->app->sender);
    return code_outcome(r, st, order_id, id, "gesendet", message);
}

/* Columns of table people in orders_distribute.html, in the order it reads them. */
enum { PREVIEW_LINE, PREVIEW_NAME, PREVIEW_EMAIL, PREVIEW_COLUMNS };
/* Columns of table errors in orders_distribute.html, in the order it reads them. */
enum { ERROR_LINE, ERROR_MESSAGE, ERROR_COLUMNS };

/* The list's errors as one message at its input: "Bitte korrigieren Sie
 * Zeile 2 und 5." (each with its reason when full). */
static const char *lines_message(struct req *r, const struct recipient_error *errors, size_t n, bool full)
{
    struct buf b;
    buf_init(&b, r->arena);
    buf_printf(&b, "Bitte korrigieren Sie Zeile ");
    for (size_t i = 0; i < n; i++) {
        buf_printf(&b, "%s%zu", i == 0 ? "" : i + 1 == n ? " und " : ", ", errors[i].line);
        if (full)
            buf_printf(&b, " (%s)", errors[i].message);
    }
    buf_puts(&b, ".");
    return b.data;
}

/* The distribute page: the preview of the list (errors empty) or the list's
 * errors with the form to correct it. */
static int distribute_page(struct req *r, const struct order *o, const char *slug, const char *title,
                           const char *text, const struct recipient *list, size_t n,
                           const struct recipient_error *errors, size_t nerrors, const char *refusal)
{
    struct view *v = view_new(r, "orders_distribute",
                              arena_printf(r->arena, "Codes verteilen – Bestellung Nr. %lld", (long long)o->id));
    view_int(v, "id", (long)o->id);
    view_text(v, "course", slug);
    view_text(v, "course_title", title);
    view_text(v, "recipients", text);
    view_text(v, "refusal", refusal);
    view_int(v, "count", (long)n);
    view_int(v, "error_count", (long)nerrors);
    view_text(v, "recipients_error", nerrors ? lines_message(r, errors, nerrors, false) : "");
    struct view_table *t = view_table(v, "people", PREVIEW_COLUMNS);
    for (size_t i = 0; i < n && nerrors == 0 && !*refusal; i++) {
        view_row(t);
        view_cell_int(t, PREVIEW_LINE, (long)list[i].line);
        view_cell_text(t, PREVIEW_NAME, list[i].name);
        view_cell_text(t, PREVIEW_EMAIL, list[i].email);
    }
    struct view_table *e = view_table(v, "errors", ERROR_COLUMNS);
    for (size_t i = 0; i < nerrors; i++) {
        view_row(e);
        view_cell_int(e, ERROR_LINE, (long)errors[i].line);
        view_cell_text(e, ERROR_MESSAGE, errors[i].message);
    }
    int status = view_render(v);
    if (status == 0 && (nerrors || *refusal))
        r->status = 422;
    return status;
}

/* The title of the order's item with this slug; NULL when it has none. */
static const char *item_title(struct req *r, int64_t order_id, const char *slug)
{
    const char **slugs, **titles;
    size_t n;
    if (!slug || db_order_items(r->db, r->arena, order_id, &slugs, &titles, &n) != DB_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(slugs[i], slug) == 0)
            return titles[i];
    return NULL;
}

int h_orders_distribute(struct req *r)
{
    struct order o;
    int status = own_order(r, &o);
    if (status != 0)
        return status;
    const char *slug = req_text(r, F_COURSE), *text = req_raw(r, F_RECIPIENTS);
    const char *title = item_title(r, o.id, slug);
    struct recipient *list = NULL;
    struct recipient_error *errors = NULL;
    size_t n = 0, nerrors = 0;
    bool readable = req_text(r, F_RECIPIENTS) || !*text;
    if (readable)
        recipients_parse(r->arena, text, &list, &n, &errors, &nerrors);
    if (readable && nerrors == 0 && n == 0) {
        errors = &(struct recipient_error){1, "Bitte geben Sie mindestens eine Zeile „Name; E-Mail“ ein."};
        nerrors = 1;
    }
    if (!title || !readable) { /* back to the order's form, with every problem of both inputs */
        struct form_errors *e = arena_alloc(r->arena, sizeof *e);
        if (!title)
            form_error_set(e, F_COURSE, "Bitte wählen Sie einen Kurs dieser Bestellung.");
        form_error_set(e, F_RECIPIENTS, !readable ? "Die Liste ist zu lang oder enthält unzulässige Zeichen."
                                        : nerrors ? lines_message(r, errors, nerrors, true)
                                                  : NULL);
        struct page_state ps = {.notice = "", .error = "", .form = e, .dist_course = title ? slug : NULL,
                                .dist_recipients = readable ? text : "", .status = 422};
        return show(r, &o, &ps);
    }
    if (nerrors)
        return distribute_page(r, &o, slug, title, text, list, n, errors, nerrors, "");
    const char *message = "";
    if (!req_text(r, F_CONFIRM)) {
        enum recipients_status st = recipients_check(r->db, r->arena, o.id, slug, list, n, r->now, &message);
        if (st == RECIPIENTS_ERROR)
            return 500;
        return distribute_page(r, &o, slug, title, text, list, n, errors, 0, st == RECIPIENTS_OK ? "" : message);
    }
    struct recipients_actor by = actor_of(r);
    enum recipients_status st = recipients_assign_bulk(r->db, r->arena, &r->app->keys, r->app->cfg, o.id, slug,
                                                       list, n, &by, r->now, &message);
    if (st == RECIPIENTS_REFUSED)
        return distribute_page(r, &o, slug, title, text, list, n, errors, 0, message);
    if (st != RECIPIENTS_OK)
        return st == RECIPIENTS_NOT_FOUND ? 404 : 500;
    sender_wake(r->app->sender);
    return req_redirect(r, arena_printf(r->arena, "/bestellungen/%lld?hinweis=verteilt&course=%s&zugewiesen=ja#codes",
                                        (long long)o.id, slug));
}
