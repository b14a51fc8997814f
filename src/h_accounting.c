/* h_accounting — the accountant's pages (admin): the invoice journal
 * /admin/rechnungen (filters by period, status and municipality, totals,
 * 100 invoices a page), its CSV export for the bookkeeping, one invoice
 * /admin/rechnungen/{nr} with its credit notes and the forms to record the
 * payment and to cancel it.  Every change is audited in its transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "credit_note.h"
#include "csv.h"
#include "ebinterface.h"
#include "invoice.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "form_errors.h"
#include "h_admin.h"
#include "handlers.h"
#include "money.h"
#include "req.h"
#include "sender.h"
#include "view.h"

#define JOURNAL_PAGE 100

#define status_label credit_status_label

/* The journal's filter as the form sent it, checked. */
struct journal_query {
    struct journal_filter f;
    const char *from, *to, *gkz, *status; /* as valid inputs, "" when absent */
    const char *qs;                       /* the same as a query string "&from=…", for links */
    const char *error;                    /* first problem, NULL = none */
};

/* An ISO date input: its first or last second in *t; "" when absent. */
static const char *date_input(struct req *r, enum field_id f, int end, int64_t *t, const char **error,
                              const char *label)
{
    const char *text = req_text(r, f);
    int y, m, d;
    if (text && date_parse_iso(text, &y, &m, &d)) {
        *t = end ? date_end_of_day_vienna(y, m, d) : date_start_of_day_vienna(y, m, d);
        return text;
    }
    if (*req_raw(r, f) && !*error)
        *error = arena_printf(r->arena, "%s ist kein gültiges Datum (JJJJ-MM-TT); der Filter wurde nicht angewandt.",
                              label);
    return "";
}

static void read_query(struct req *r, struct journal_query *q)
{
    *q = (struct journal_query){.f = {.from = 0, .to = INT64_MAX, .now = r->now}};
    q->from = date_input(r, F_FROM, 0, &q->f.from, &q->error, "„Von“");
    q->to = date_input(r, F_TO, 1, &q->f.to, &q->error, "„Bis“");
    const char *gkz = req_text(r, F_TENANT);
    q->gkz = gkz && strlen(gkz) == 5 && strspn(gkz, "0123456789") == 5 ? gkz : "";
    if (!*q->gkz && *req_raw(r, F_TENANT) && !q->error)
        q->error = "Die Gemeindekennziffer (GKZ) besteht aus genau 5 Ziffern; der Filter wurde nicht angewandt.";
    static const char *const statuses[] = {"offen", "bezahlt", "ueberfaellig", "storniert", "teilstorniert"};
    const char *status = req_text(r, F_STATUS);
    q->status = "";
    for (size_t i = 0; status && i < sizeof statuses / sizeof *statuses; i++)
        if (strcmp(status, statuses[i]) == 0)
            q->status = statuses[i];
    if (!*q->status && *req_raw(r, F_STATUS) && !q->error)
        q->error = "Diesen Status gibt es nicht; der Filter wurde nicht angewandt.";
    if (q->f.from > q->f.to && !q->error)
        q->error = "„Von“ liegt nach „Bis“: Es gibt keine Rechnungen in diesem Zeitraum.";
    q->f.gkz = q->gkz;
    q->f.status = q->status;
    q->qs = arena_printf(r->arena, "%s%s%s%s%s%s%s%s", *q->from ? "&from=" : "", q->from, *q->to ? "&to=" : "",
                         q->to, *q->gkz ? "&tenant=" : "", q->gkz, *q->status ? "&status=" : "", q->status);
}

/* The journal table's columns, in the order the template reads them. */
enum {
    J_NR, J_DATE, J_MUNICIPALITY, J_GKZ, J_NET, J_VAT, J_GROSS, J_DUE, J_STATUS, J_STATUS_LABEL, J_PAID_ON,
    J_CREDITS, J_COLUMNS
};

static void journal_row(struct req *r, struct view_table *t, const struct journal_row *j)
{
    char paid[DATE_TEXT_SIZE];
    date_iso_to_text(j->paid_on, paid);
    view_row(t);
    view_cell_text(t, J_NR, j->invoice_number);
    view_cell_text(t, J_DATE, fmt_date(r->arena, j->created_at));
    view_cell_text(t, J_MUNICIPALITY, j->recipient_name);
    view_cell_text(t, J_GKZ, j->recipient_gkz);
    view_cell_text(t, J_NET, fmt_money(r->arena, j->net_cents));
    view_cell_text(t, J_VAT, fmt_money(r->arena, j->vat_cents));
    view_cell_text(t, J_GROSS, fmt_money(r->arena, j->gross_cents));
    view_cell_text(t, J_DUE, fmt_date(r->arena, j->due_at));
    view_cell_text(t, J_STATUS, j->status);
    view_cell_text(t, J_STATUS_LABEL, status_label(j->status));
    view_cell_text(t, J_PAID_ON, paid);
    view_cell_text(t, J_CREDITS, j->credit_numbers);
}

static void totals_view(struct req *r, struct view *v, const struct journal_totals *t)
{
    view_int(v, "count", (long)t->count);
    view_text(v, "sum_net", fmt_money(r->arena, t->net_cents));
    view_text(v, "sum_vat", fmt_money(r->arena, t->vat_cents));
    view_text(v, "sum_gross", fmt_money(r->arena, t->gross_cents));
    view_text(v, "credit_net", fmt_money(r->arena, t->credit_net_cents));
    view_text(v, "credit_vat", fmt_money(r->arena, t->credit_vat_cents));
    view_text(v, "credit_gross", fmt_money(r->arena, t->credit_gross_cents));
    view_text(v, "rest_net", fmt_money(r->arena, t->net_cents - t->credit_net_cents));
    view_text(v, "rest_vat", fmt_money(r->arena, t->vat_cents - t->credit_vat_cents));
    view_text(v, "rest_gross", fmt_money(r->arena, t->gross_cents - t->credit_gross_cents));
}

int h_accounting_journal(struct req *r)
{
    struct journal_query q;
    read_query(r, &q);
    struct journal_totals t;
    if (db_journal_totals(r->db, &q.f, &t) != DB_OK)
        return 500;
    int64_t pages = t.count ? (t.count + JOURNAL_PAGE - 1) / JOURNAL_PAGE : 1;
    int64_t page = req_page(r, pages);
    struct journal_row *rows;
    size_t n;
    if (db_journal_list(r->db, r->arena, &q.f, 1, (page - 1) * JOURNAL_PAGE, JOURNAL_PAGE, &rows, &n) != DB_OK)
        return 500;
    struct view *v = view_new(r, "accounting_journal", "Rechnungsausgangsbuch");
    view_text(v, "error", q.error);
    view_text(v, "from", q.from);
    view_text(v, "to", q.to);
    view_text(v, "tenant", q.gkz);
    view_text(v, "status", q.status);
    view_text(v, "qs", q.qs);
    view_int(v, "page", (long)page);
    view_int(v, "pages", (long)pages);
    view_int(v, "shown", (long)n);
    totals_view(r, v, &t);
    struct view_table *tab = view_table(v, "rows", J_COLUMNS);
    for (size_t i = 0; i < n; i++)
        journal_row(r, tab, &rows[i]);
    return view_render(v);
}

/* An amount for the bookkeeping: "1234,50", "-0,05". */
static const char *csv_amount(struct arena *a, long long cents)
{
    long long v = cents < 0 ? -cents : cents;
    return arena_printf(a, "%s%lld,%02lld", cents < 0 ? "-" : "", v / 100, v % 100);
}

/* A text cell (quoted where needed, formula-guarded) or, raw, a number or
 * date of our own making; then ";" or the line end. */
static void csv_cell(struct buf *b, const char *field, int raw, int last)
{
    if (raw) {
        buf_puts(b, field);
    } else {
        size_t n = csv_quote(field, NULL, 0);
        char *out = arena_alloc(b->arena, n + 1);
        csv_quote(field, out, n + 1);
        buf_append(b, out, n);
    }
    buf_puts(b, last ? "\r\n" : ";");
}

/* /admin/rechnungen.csv: the filtered journal, oldest first, for Austrian
 * Excel: UTF-8 with BOM, ";", CRLF, amounts as 1234,50. */
int h_accounting_csv(struct req *r)
{
    struct journal_query q;
    read_query(r, &q);
    struct journal_row *rows;
    size_t n;
    if (db_journal_list(r->db, r->arena, &q.f, 0, 0, -1, &rows, &n) != DB_OK)
        return 500;
    struct buf b;
    buf_init(&b, r->arena);
    buf_puts(&b, "\xef\xbb\xbf"
                 "Rechnungsnummer;Rechnungsdatum;Gemeinde;GKZ;Netto;USt;Brutto;Fällig am;Status;Bezahlt am;"
                 "Gutschriften;Gutschrift netto;Gutschrift USt;Gutschrift brutto\r\n");
    for (size_t i = 0; i < n; i++) {
        const struct journal_row *j = &rows[i];
        char paid[DATE_TEXT_SIZE];
        date_iso_to_text(j->paid_on, paid);
        const char *cells[] = {j->invoice_number, fmt_date(r->arena, j->created_at), j->recipient_name,
                               j->recipient_gkz, csv_amount(r->arena, j->net_cents),
                               csv_amount(r->arena, j->vat_cents), csv_amount(r->arena, j->gross_cents),
                               fmt_date(r->arena, j->due_at), status_label(j->status), paid, j->credit_numbers,
                               csv_amount(r->arena, j->credit_net_cents), csv_amount(r->arena, j->credit_vat_cents),
                               csv_amount(r->arena, j->credit_gross_cents)};
        static const int raw[] = {0, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1};
        size_t nc = sizeof cells / sizeof *cells;
        for (size_t k = 0; k < nc; k++)
            csv_cell(&b, cells[k], raw[k], k + 1 == nc);
    }
    if (db_audit_add(r->db, r->who->id, AUDIT_DOWNLOAD_JOURNAL, "rechnungen.csv", q.qs, r->remote_addr, r->now) !=
        DB_OK)
        return 500;
    return req_download(r, "text/csv; charset=utf-8", "attachment", "rechnungen.csv", b.data, b.len);
}

/* The invoice named in the path: its order id and journal row; 0, 404, 500. */
static int invoice_of_path(struct req *r, int64_t *order_id, struct journal_row *j)
{
    int status = r->path_arg ? db_invoice_by_number(r->db, r->path_arg, order_id) : DB_NOT_FOUND;
    if (status == DB_OK)
        status = db_journal_one(r->db, r->arena, *order_id, r->now, j);
    return status == DB_OK ? 0 : status == DB_NOT_FOUND ? 404 : 500;
}

/* The credit notes table's columns (accounting_invoice.html, orders_show.html). */
enum { C_NR, C_DATE, C_SCOPE, C_REASON, C_NET, C_GROSS, C_LINES, C_COLUMNS };

/* The credit notes of an order as the table "credits" of v. 0 or 500. */
static int credit_rows(struct req *r, struct view *v, int64_t order_id)
{
    struct credit_note *list;
    size_t n;
    if (db_credit_notes_of_order(r->db, r->arena, order_id, &list, &n) != DB_OK)
        return 500;
    struct view_table *t = view_table(v, "credits", C_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        struct credit_note_line *lines;
        size_t nl;
        if (db_credit_note_lines(r->db, r->arena, list[i].id, &lines, &nl) != DB_OK)
            return 500;
        struct buf b;
        buf_init(&b, r->arena);
        for (size_t k = 0; k < nl; k++)
            buf_printf(&b, "%s%lld Stk %s", k ? "; " : "", (long long)lines[k].quantity, lines[k].title);
        view_row(t);
        view_cell_text(t, C_NR, list[i].number);
        view_cell_text(t, C_DATE, fmt_date(r->arena, list[i].created_at));
        view_cell_text(t, C_SCOPE, list[i].scope == CREDIT_ALL ? "ganze Rechnung" : "offene Codes");
        view_cell_text(t, C_REASON, list[i].reason);
        view_cell_text(t, C_NET, fmt_money(r->arena, list[i].net_cents));
        view_cell_text(t, C_GROSS, fmt_money(r->arena, list[i].gross_cents));
        view_cell_text(t, C_LINES, b.data ? b.data : "");
    }
    view_int(v, "credit_count", (long)n);
    return 0;
}

int accounting_credit_rows(struct req *r, struct view *v, int64_t order_id)
{
    return credit_rows(r, v, order_id);
}

/* The inputs of the invoice page's two forms (payment, storno). */
static const enum field_id invoice_fields[] = {F_PAID_ON, F_SCOPE, F_REASON, F__MAX};

/* The invoice page, with a notice or the problems of a form sent (status 422). */
static int show_invoice(struct req *r, int status, const struct form_errors *e)
{
    int64_t id;
    struct journal_row j;
    int rc = invoice_of_path(r, &id, &j);
    if (rc != 0)
        return rc;
    char paid[DATE_TEXT_SIZE], today[DATE_TEXT_SIZE];
    date_iso_to_text(j.paid_on, paid);
    date_iso_vienna(r->now, today);
    struct view *v = view_new(r, "accounting_invoice", arena_printf(r->arena, "Rechnung %s", j.invoice_number));
    const char *done = req_text(r, F_DONE);
    view_text(v, "notice", !done                          ? ""
                           : strcmp(done, "paid") == 0   ? "Die Zahlung ist vermerkt."
                           : strcmp(done, "storno") == 0 ? "Die Gutschrift ist ausgestellt und geht per E-Mail an die Gemeinde."
                                                         : "");
    if (credit_rows(r, v, id) != 0)
        return 500;
    view_text(v, "reason", req_raw(r, F_REASON));
    form_errors_view(r, v, e, invoice_fields, "");
    view_int(v, "id", (long)id);
    view_text(v, "nr", j.invoice_number);
    view_text(v, "date", fmt_date(r->arena, j.created_at));
    view_text(v, "municipality", j.recipient_name);
    view_text(v, "gkz", j.recipient_gkz);
    view_text(v, "net", fmt_money(r->arena, j.net_cents));
    view_text(v, "vat", fmt_money(r->arena, j.vat_cents));
    view_text(v, "gross", fmt_money(r->arena, j.gross_cents));
    view_text(v, "due", fmt_date(r->arena, j.due_at));
    view_text(v, "status", j.status);
    view_text(v, "status_label", status_label(j.status));
    view_text(v, "paid_on", paid);
    view_text(v, "paid_value", *j.paid_on ? j.paid_on : today);
    view_text(v, "credit_numbers", j.credit_numbers);
    int vr = view_render(v);
    if (vr == 0)
        r->status = status;
    return vr;
}

int h_accounting_invoice(struct req *r)
{
    return show_invoice(r, 200, &(struct form_errors){0});
}

/* The payment to record, checked inside the transaction. */
struct paid_change {
    int64_t order_id;
    const char *paid_on;
};

static int record_paid(struct req *r, void *ctx, char *msg, size_t msglen)
{
    struct paid_change *c = ctx;
    struct journal_row j;
    int status = db_journal_one(r->db, r->arena, c->order_id, r->now, &j);
    if (status != DB_OK)
        return -1;
    char issued[DATE_TEXT_SIZE], today[DATE_TEXT_SIZE];
    date_iso_vienna(j.created_at, issued);
    date_iso_vienna(r->now, today);
    if (strcmp(j.status, "storniert") == 0) {
        snprintf(msg, msglen, "Die Rechnung ist zur Gänze storniert; eine Zahlung kann nicht vermerkt werden.");
        return 1;
    }
    if (strcmp(c->paid_on, issued) < 0 || strcmp(c->paid_on, today) > 0) {
        snprintf(msg, msglen, "Das Zahlungsdatum muss zwischen dem Rechnungsdatum (%s) und heute liegen.",
                 fmt_date(r->arena, j.created_at));
        return 1;
    }
    return db_invoice_set_paid(r->db, c->order_id, c->paid_on) == DB_OK ? 0 : -1;
}

int h_accounting_paid(struct req *r)
{
    int64_t id;
    struct journal_row j;
    int rc = invoice_of_path(r, &id, &j);
    if (rc != 0)
        return rc;
    const char *paid_on = req_text(r, F_PAID_ON);
    struct form_errors e = {0};
    if (!paid_on) {
        form_error_set(&e, F_PAID_ON, "Bitte geben Sie das Zahlungsdatum an (JJJJ-MM-TT).");
        return show_invoice(r, 422, &e);
    }
    struct paid_change c = {.order_id = id, .paid_on = paid_on};
    char msg[200];
    struct admin_change change = {
        .change = record_paid, .ctx = &c, .action = AUDIT_INVOICE_PAID, .subject = j.invoice_number,
        .detail = *j.paid_on ? arena_printf(r->arena, "bezahlt am %s (vorher %s)", paid_on, j.paid_on)
                             : arena_printf(r->arena, "bezahlt am %s", paid_on),
    };
    rc = admin_write(r, &change, msg, sizeof msg);
    if (rc == 1) { /* a cancelled invoice, or a date outside its range */
        form_error_set(&e, strcmp(j.status, "storniert") == 0 ? F__MAX : F_PAID_ON, arena_strdup(r->arena, msg));
        return show_invoice(r, 422, &e);
    }
    if (rc != 0)
        return rc;
    return req_redirect(r, arena_printf(r->arena, "/admin/rechnungen/%s?done=paid", j.invoice_number));
}

int h_accounting_storno(struct req *r)
{
    int64_t id;
    struct journal_row j;
    int rc = invoice_of_path(r, &id, &j);
    if (rc != 0)
        return rc;
    const char *reason = req_text(r, F_REASON), *scope = req_text(r, F_SCOPE);
    struct form_errors e = {0};
    if (!scope)
        form_error_set(&e, F_SCOPE, "Bitte wählen Sie, was storniert wird: die ganze Rechnung oder nur die offenen "
                                    "Codes.");
    if (!reason)
        form_error_set(&e, F_REASON, "Bitte geben Sie den Grund des Stornos an (höchstens 500 Zeichen, eine Zeile).");
    if (!scope || !reason)
        return show_invoice(r, 422, &e);
    struct credit_request rq = {.order_id = id, .scope = strcmp(scope, "all") == 0 ? CREDIT_ALL : CREDIT_OPEN,
                                .reason = reason, .account_id = r->who->id, .ip = r->remote_addr};
    struct credit_note cn;
    char msg[300];
    enum credit_status s = credit_note_issue(r->db, &r->app->keys, r->app->cfg, r->arena, &rq, r->now, &cn, msg,
                                             sizeof msg);
    if (s == CREDIT_REFUSED) { /* nothing of that scope can be cancelled */
        form_error_set(&e, F_SCOPE, arena_strdup(r->arena, msg));
        return show_invoice(r, 422, &e);
    }
    if (s != CREDIT_OK)
        return 500;
    sender_wake(r->app->sender); /* the credit note's e-mail is committed */
    return req_redirect(r, arena_printf(r->arena, "/admin/rechnungen/%s?done=storno", j.invoice_number));
}

/* The credit note named in the path, when the caller may see it: staff any,
 * a tenant_admin their municipality's.  0, 404 or 500. */
static int visible_credit_note(struct req *r, struct credit_note *cn, struct order *o)
{
    int status = r->path_arg ? db_credit_note_by_number(r->db, r->arena, r->path_arg, cn) : DB_NOT_FOUND;
    if (status == DB_OK)
        status = db_order_by_id(r->db, r->arena, cn->order_id, o);
    if (status == DB_ERROR)
        return 500;
    if (status != DB_OK)
        return 404;
    if (!(r->who->role & (ROLE_SUPPORT | ROLE_ADMIN)) && o->municipality_id != r->who->municipality_id)
        return 404;
    return 0;
}

/* A download by support or admin is audited (the municipality's own are not). */
int accounting_audit_download(struct req *r, const char *what, const char *subject)
{
    if (!(r->who->role & (ROLE_SUPPORT | ROLE_ADMIN)))
        return 0;
    return db_audit_add(r->db, r->who->id, AUDIT_DOWNLOAD_DOCUMENT, subject, what, r->remote_addr, r->now) == DB_OK
               ? 0
               : 500;
}

int h_accounting_credit_pdf(struct req *r)
{
    struct credit_note cn;
    struct order o;
    int rc = visible_credit_note(r, &cn, &o);
    if (rc != 0)
        return rc;
    const unsigned char *pdf;
    size_t len;
    if (credit_note_pdf(r->db, r->arena, r->app->cfg, &cn, &pdf, &len) != DB_OK ||
        accounting_audit_download(r, "Gutschrift (PDF)", cn.number) != 0)
        return 500;
    return req_download(r, "application/pdf", "inline", arena_printf(r->arena, "Gutschrift-%s.pdf", cn.number),
                        pdf, len);
}

/* ---- ebInterface XML ---- */

static int send_xml(struct req *r, const struct invoice_doc *d, const char *subject)
{
    const char *xml;
    size_t len;
    if (ebinterface_xml(r->app->cfg, r->arena, d, &xml, &len) != 0 ||
        accounting_audit_download(r, d->credit ? "Gutschrift (ebInterface XML)" : "Rechnung (ebInterface XML)",
                                  subject) != 0)
        return 500;
    return req_download(r, "application/xml; charset=utf-8", "attachment",
                        arena_printf(r->arena, "%s-%s.xml", d->credit ? "Gutschrift" : "Rechnung", d->number), xml,
                        len);
}

static int invoice_xml(struct req *r, const struct order *o)
{
    struct order_line *lines;
    size_t n;
    struct invoice_doc d;
    if (db_order_lines(r->db, r->arena, o->id, &lines, &n) != DB_OK)
        return 500;
    invoice_doc_of_order(r->arena, o, lines, n, &d);
    return send_xml(r, &d, o->invoice_number);
}

static int credit_xml(struct req *r, const struct credit_note *cn)
{
    struct order o;
    struct invoice_doc d;
    if (credit_note_doc(r->db, r->arena, cn, &o, &d) != DB_OK)
        return 500;
    return send_xml(r, &d, cn->number);
}

/* GET /bestellungen/{id}/rechnung.xml: the order's municipality's admin,
 * support and admin. */
int h_accounting_order_xml(struct req *r)
{
    int64_t id = req_path_id(r);
    struct order o;
    int status = id ? db_order_by_id(r->db, r->arena, id, &o) : DB_NOT_FOUND;
    if (status == DB_ERROR)
        return 500;
    if (status != DB_OK ||
        (!(r->who->role & (ROLE_SUPPORT | ROLE_ADMIN)) && o.municipality_id != r->who->municipality_id))
        return 404;
    return invoice_xml(r, &o);
}

/* GET /admin/rechnungen/{nr}.xml: an invoice (RE-…) or credit note (GS-…). */
int h_accounting_number_xml(struct req *r)
{
    int64_t id;
    int status = r->path_arg ? db_invoice_by_number(r->db, r->path_arg, &id) : DB_NOT_FOUND;
    if (status == DB_OK) {
        struct order o;
        if (db_order_by_id(r->db, r->arena, id, &o) != DB_OK)
            return 500;
        return invoice_xml(r, &o);
    }
    if (status == DB_ERROR)
        return 500;
    struct credit_note cn;
    status = r->path_arg ? db_credit_note_by_number(r->db, r->arena, r->path_arg, &cn) : DB_NOT_FOUND;
    return status == DB_OK ? credit_xml(r, &cn) : status == DB_NOT_FOUND ? 404 : 500;
}

/* GET /gutschriften/{nr}.xml: like its PDF. */
int h_accounting_credit_xml(struct req *r)
{
    struct credit_note cn;
    struct order o;
    int rc = visible_credit_note(r, &cn, &o);
    return rc != 0 ? rc : credit_xml(r, &cn);
}
