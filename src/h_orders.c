/* h_orders — a tenant_admin's orders ("Bestellungen"): the list, one order
 * with every code and its status, the "ausgegeben an" note per code, and
 * the downloads codes.csv and rechnung.pdf.  Only the admin's own
 * municipality: any other order answers 404. */
#include <stdlib.h>

#include "app.h"
#include "codes.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "handlers.h"
#include "money.h"
#include "order_docs.h"
#include "req.h"
#include "view.h"

/* Columns of table orders in orders_list.html, in the order it reads them. */
enum {
    ORDER_ID, ORDER_DATE, ORDER_INVOICE, ORDER_REFERENCE, ORDER_GROSS, ORDER_OPEN, ORDER_REDEEMED,
    ORDER_EXPIRED, ORDER_REVOKED, ORDER_COLUMNS,
};
/* Columns of table codes in orders_show.html, in the order it reads them. */
enum {
    CODE_ID, CODE_CODE, CODE_TITLE, CODE_VALID_UNTIL, CODE_STATUS, CODE_STATUS_CLASS, CODE_REDEEMER,
    CODE_REDEEMED_AT, CODE_NOTE, CODE_COLUMNS,
};

/* The order named in the path when it is the admin's municipality's:
 * 0, 404 or 500. */
static int own_order(struct req *r, struct order *o)
{
    int64_t id = req_path_id(r);
    int status = id ? db_order_by_id(r->db, r->arena, id, o) : DB_NOT_FOUND;
    if (status == DB_ERROR)
        return 500;
    return status == DB_OK && o->municipality_id == r->who->municipality_id ? 0 : 404;
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

int h_orders_list(struct req *r)
{
    struct order_summary *list;
    size_t n;
    if (db_order_list(r->db, r->arena, r->who->municipality_id, r->now, &list, &n) != DB_OK)
        return 500;
    struct view *v = view_new(r, "orders_list", "Bestellungen");
    struct view_table *t = view_table(v, "orders", ORDER_COLUMNS);
    for (size_t i = 0; i < n; i++)
        order_row(r, t, &list[i]);
    view_int(v, "count", (long)n);
    return view_render(v);
}

static void code_row(struct req *r, struct view_table *t, const struct order_code *c, const char *display)
{
    enum code_status st = codes_status(&c->v, r->now);
    view_row(t);
    view_cell_int(t, CODE_ID, (long)c->v.id);
    view_cell_text(t, CODE_CODE, display);
    view_cell_text(t, CODE_TITLE, c->v.item_title);
    view_cell_text(t, CODE_VALID_UNTIL, fmt_date(r->arena, c->v.valid_until));
    view_cell_text(t, CODE_STATUS, codes_status_label(st));
    view_cell_text(t, CODE_STATUS_CLASS, codes_status_class(st));
    view_cell_text(t, CODE_REDEEMER, c->v.redeemed_at ? arena_printf(r->arena, "%s (%s)", c->redeemer_name,
                                                                  c->redeemer_username) : "");
    view_cell_text(t, CODE_REDEEMED_AT, c->v.redeemed_at ? fmt_date(r->arena, c->v.redeemed_at) : "");
    view_cell_text(t, CODE_NOTE, c->v.issued_to);
}

/* Codes per page of an order: CTPL reads table cells from lists, so a page
 * costs the square of its rows; orders may hold tens of thousands of codes. */
#define CODES_PER_PAGE 200

/* The page asked for (?seite=, default 1), kept within 1..pages. */
static int64_t page_of(const struct req *r, int64_t pages)
{
    const char *text = req_text(r, F_PAGE);
    int64_t page = text ? strtoll(text, NULL, 10) : 1;
    return page < 1 ? 1 : page > pages ? pages : page;
}

/* The pager's variables: page, pages, the first and last code shown, total. */
static void pager(struct view *v, int64_t page, int64_t pages, int64_t total, size_t shown)
{
    view_int(v, "page", (long)page);
    view_int(v, "pages", (long)pages);
    view_int(v, "first", (long)((page - 1) * CODES_PER_PAGE + (shown ? 1 : 0)));
    view_int(v, "last", (long)((page - 1) * CODES_PER_PAGE + (int64_t)shown));
    view_int(v, "total", (long)total);
}

/* One page of the codes table; 0 or 500 (database, or a code that does not
 * open with the key file). */
static int code_rows(struct req *r, struct view *v, int64_t order_id)
{
    int64_t total;
    if (db_order_code_count(r->db, order_id, &total) != DB_OK)
        return 500;
    int64_t pages = total ? (total + CODES_PER_PAGE - 1) / CODES_PER_PAGE : 1;
    int64_t page = page_of(r, pages);
    struct order_code *codes;
    size_t n;
    if (db_order_codes(r->db, r->arena, order_id, (page - 1) * CODES_PER_PAGE, CODES_PER_PAGE, &codes, &n) !=
        DB_OK)
        return 500;
    pager(v, page, pages, total, n);
    struct view_table *t = view_table(v, "codes", CODE_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        char display[VOUCHER_DISPLAY_SIZE];
        if (codes_display(&r->app->keys, &codes[i].v, display) != 0)
            return 500;
        code_row(r, t, &codes[i], display);
    }
    return 0;
}

int h_orders_show(struct req *r)
{
    struct order o;
    int status = own_order(r, &o);
    if (status != 0)
        return status;
    struct view *v = view_new(r, "orders_show", arena_printf(r->arena, "Bestellung Nr. %lld", (long long)o.id));
    if (code_rows(r, v, o.id) != 0)
        return 500;
    view_int(v, "id", (long)o.id);
    view_text(v, "date", fmt_date(r->arena, o.created_at));
    view_text(v, "invoice", o.invoice_number);
    view_text(v, "reference", o.reference);
    view_text(v, "net", fmt_money(r->arena, o.net_cents));
    view_int(v, "vat_percent", (long)o.vat_percent);
    view_text(v, "vat", fmt_money(r->arena, o.vat_cents));
    view_text(v, "gross", fmt_money(r->arena, o.gross_cents));
    return view_render(v);
}

int h_orders_codes(struct req *r)
{
    struct order o;
    int status = own_order(r, &o);
    if (status != 0)
        return status;
    const char *csv;
    size_t len;
    if (order_codes_csv(r->db, r->arena, &r->app->keys, o.id, &csv, &len) != DB_OK)
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
    if (order_invoice(r->db, r->arena, r->app->cfg, &o, &pdf, &len) != DB_OK)
        return 500;
    return req_download(r, "application/pdf", "inline", arena_printf(r->arena, "Rechnung-%s.pdf", o.invoice_number),
                    pdf, len);
}

int h_orders_note(struct req *r)
{
    const char *note = req_text(r, F_NOTE);
    int64_t id = req_path_id(r), order_id = 0;
    if (!note)
        return 400;
    int status = id ? db_voucher_set_note(r->db, id, r->who->municipality_id, note, &order_id) : DB_NOT_FOUND;
    if (status == DB_ERROR)
        return 500;
    if (status != DB_OK)
        return 404;
    const char *page = req_text(r, F_PAGE);
    return req_redirect(r, arena_printf(r->arena, "/bestellungen/%lld%s%s#code-%lld", (long long)order_id,
                                        page ? "?seite=" : "", page ? page : "", (long long)id));
}
