/* invoice — see invoice.h.  Layout on A4 in points, x from the left edge,
 * y from the bottom.  Every text that can be long goes through
 * pdf_text_box into its own column, and each block starts below the one
 * above it, so nothing is printed over anything. */
#include "invoice.h"

#include <string.h>

#include "config.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "mem.h"
#include "money.h"
#include "pdf.h"

#define LEFT 50.0
#define RIGHT 545.0
#define WIDTH (RIGHT - LEFT)
#define TOP 800.0
#define HEAD_SPLIT 330.0     /* seller and recipient left of it, title and facts right */
#define FACT_VALUE 420.0     /* facts: label from HEAD_SPLIT, value from here to RIGHT */
#define COL_QTY_RIGHT 85.0
#define COL_UNIT 90.0        /* "Stk" */
#define COL_TITLE 126.0
#define COL_TITLE_WIDTH 250.0
#define COL_PRICE_RIGHT 450.0
#define BOTTOM 105.0         /* content stays above this; the footer lies below */
#define GAP 4.0

struct layout {
    struct pdf *pdf;
    struct arena *a;
    const struct config *cfg;
    const struct invoice_doc *d;
    double y; /* the next free line's top */
};

/* The seller's line at the foot of every page: company register, bank, contact. */
static void footer(struct layout *l)
{
    const struct config *c = l->cfg;
    const char *text = arena_printf(
        l->a, "%s · %s · UID %s · %s, %s\nBank: %s · IBAN %s · BIC %s\nFragen zur Rechnung: %s",
        c->invoice_seller_name, c->invoice_seller_address, c->invoice_seller_uid, c->invoice_seller_fn,
        c->invoice_seller_fn_court, c->invoice_bank_name, c->invoice_iban, c->invoice_bic, c->invoice_contact);
    pdf_rule(l->pdf, LEFT, RIGHT, BOTTOM - 12);
    pdf_text_box(l->pdf, LEFT, BOTTOM - 16, WIDTH, BOTTOM - 16 - 25, PDF_REGULAR, 7, PDF_LEFT, text);
}

static void new_page(struct layout *l)
{
    pdf_page(l->pdf);
    footer(l);
    l->y = TOP;
}

/* Room for h more points on this page, or a new page. */
static void need(struct layout *l, double h)
{
    if (l->y - h < BOTTOM)
        new_page(l);
}

static void head(struct layout *l)
{
    const struct config *c = l->cfg;
    double y = l->y;
    pdf_text_box(l->pdf, HEAD_SPLIT, y, RIGHT - HEAD_SPLIT, 26, PDF_BOLD, 20, PDF_RIGHT,
                 l->d->credit ? "Gutschrift" : "Rechnung");
    y -= pdf_text_box(l->pdf, LEFT, y, HEAD_SPLIT - LEFT - 10, 40, PDF_BOLD, 15, PDF_LEFT, c->invoice_seller_name);
    y -= 2;
    y -= pdf_text_box(l->pdf, LEFT, y, HEAD_SPLIT - LEFT - 10, 60, PDF_REGULAR, 9, PDF_LEFT,
                      arena_printf(l->a, "%s\nUID: %s\n%s, %s", c->invoice_seller_address, c->invoice_seller_uid,
                                   c->invoice_seller_fn, c->invoice_seller_fn_court));
    l->y = y - 24;
}

static double max2(double a, double b)
{
    return a > b ? a : b;
}

/* Left column: the municipality.  Returns the bottom of the block. */
static double recipient(struct layout *l)
{
    const struct order *o = l->d->order;
    double w = HEAD_SPLIT - LEFT - 15, y = l->y;
    y -= pdf_text_box(l->pdf, LEFT, y, w, 0, PDF_BOLD, 8, PDF_LEFT,
                      l->d->credit ? "Gutschrift an" : "Rechnungsempfänger");
    y -= 3;
    y -= pdf_text_box(l->pdf, LEFT, y, w, 0, PDF_BOLD, 11, PDF_LEFT, o->recipient_name);
    y -= pdf_text_box(l->pdf, LEFT, y, w, 0, PDF_REGULAR, 10, PDF_LEFT, o->recipient_address);
    if (*o->recipient_gkz)
        y -= pdf_text_box(l->pdf, LEFT, y, w, 0, PDF_REGULAR, 10, PDF_LEFT,
                          arena_printf(l->a, "GKZ: %s", o->recipient_gkz));
    if (*o->recipient_uid)
        y -= pdf_text_box(l->pdf, LEFT, y, w, 30, PDF_REGULAR, 10, PDF_LEFT,
                          arena_printf(l->a, "UID: %s", o->recipient_uid));
    return y;
}

/* Right column: number, dates, order, ordering person, reference, each
 * value wrapped in its own box beside its label.  Returns the bottom. */
static double facts(struct layout *l)
{
    const struct invoice_doc *d = l->d;
    const struct order *o = d->order;
    const char *order_nr = arena_printf(l->a, "Nr. %lld", (long long)o->id);
    const char *rows[][2] = {
        {d->credit ? "Gutschriftnummer" : "Rechnungsnummer", d->number},
        {d->credit ? "Gutschriftdatum" : "Rechnungsdatum", fmt_date(l->a, d->issued_at)},
        {d->credit ? "zur Rechnung" : "Leistungsdatum",
         d->credit ? o->invoice_number : fmt_date(l->a, o->created_at)},
        {d->credit ? "vom" : NULL, d->credit ? fmt_date(l->a, o->created_at) : NULL},
        {"Bestellung", order_nr},
        {"Bestellt von", o->ordered_by},
        {"Ihr Bestellzeichen", o->reference},
        {d->credit ? NULL : "Fällig am", d->credit ? NULL : fmt_date(l->a, o->due_at)},
    };
    double y = l->y;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        if (!rows[i][0] || !rows[i][1] || !*rows[i][1])
            continue;
        double hl = pdf_text_box(l->pdf, HEAD_SPLIT, y, FACT_VALUE - HEAD_SPLIT - 4, 0, PDF_REGULAR, 8.5, PDF_LEFT,
                                 rows[i][0]);
        double hv = pdf_text_box(l->pdf, FACT_VALUE, y, RIGHT - FACT_VALUE, 0, PDF_BOLD, 9, PDF_LEFT,
                                 rows[i][1]);
        y -= max2(hl, hv) + 2;
    }
    return y;
}

static void table_head(struct layout *l)
{
    double y = l->y, h = 0;
    h = max2(h, pdf_text_box(l->pdf, LEFT, y, COL_QTY_RIGHT - LEFT, 0, PDF_BOLD, 9, PDF_RIGHT, "Menge"));
    h = max2(h, pdf_text_box(l->pdf, COL_UNIT, y, COL_TITLE - COL_UNIT - 4, 0, PDF_BOLD, 9, PDF_LEFT, "Einh."));
    h = max2(h, pdf_text_box(l->pdf, COL_TITLE, y, COL_TITLE_WIDTH, 0, PDF_BOLD, 9, PDF_LEFT, "Bezeichnung"));
    h = max2(h, pdf_text_box(l->pdf, COL_TITLE + COL_TITLE_WIDTH + 4, y,
                             COL_PRICE_RIGHT - COL_TITLE - COL_TITLE_WIDTH - 4, 0, PDF_BOLD, 9, PDF_RIGHT,
                             "Einzelpreis netto"));
    h = max2(h, pdf_text_box(l->pdf, COL_PRICE_RIGHT + 4, y, RIGHT - COL_PRICE_RIGHT - 4, 0, PDF_BOLD, 9,
                             PDF_RIGHT, "Gesamt netto"));
    pdf_rule(l->pdf, LEFT, RIGHT, y - h - 2);
    l->y = y - h - 6;
}

static void table(struct layout *l)
{
    const struct invoice_doc *d = l->d;
    need(l, 60);
    table_head(l);
    for (size_t i = 0; i < d->nlines; i++) {
        const struct invoice_line *ln = &d->lines[i];
        const char *title = arena_printf(l->a, "Voucher: %s", ln->title);
        double h = pdf_text_box_height(l->pdf, COL_TITLE_WIDTH, PDF_REGULAR, 10, title);
        if (l->y - h < BOTTOM) {
            new_page(l);
            table_head(l);
        }
        double y = l->y;
        pdf_text_box(l->pdf, LEFT, y, COL_QTY_RIGHT - LEFT, 0, PDF_REGULAR, 10, PDF_RIGHT,
                     arena_printf(l->a, "%lld", (long long)ln->quantity));
        pdf_text_box(l->pdf, COL_UNIT, y, COL_TITLE - COL_UNIT - 4, 0, PDF_REGULAR, 10, PDF_LEFT, "Stk");
        pdf_text_box(l->pdf, COL_TITLE, y, COL_TITLE_WIDTH, 0, PDF_REGULAR, 10, PDF_LEFT, title);
        pdf_text_box(l->pdf, COL_TITLE + COL_TITLE_WIDTH + 4, y, COL_PRICE_RIGHT - COL_TITLE - COL_TITLE_WIDTH - 4,
                     0, PDF_REGULAR, 10, PDF_RIGHT, fmt_money(l->a, ln->unit_price_cents));
        pdf_text_box(l->pdf, COL_PRICE_RIGHT + 4, y, RIGHT - COL_PRICE_RIGHT - 4, 0, PDF_REGULAR, 10, PDF_RIGHT,
                     fmt_money(l->a, ln->line_net_cents));
        l->y = y - h - 3;
    }
    pdf_rule(l->pdf, LEFT, RIGHT, l->y + 1);
    l->y -= 4;
}

static void totals(struct layout *l)
{
    const struct invoice_doc *d = l->d;
    const char *labels[] = {d->credit ? "Gutschrift netto" : "Summe netto",
                            arena_printf(l->a, "USt %lld %%", (long long)d->vat_percent),
                            d->credit ? "Gutschrift brutto" : "Gesamtbetrag brutto"};
    const long long amounts[] = {d->net_cents, d->vat_cents, d->gross_cents};
    need(l, 3 * 16);
    for (int i = 0; i < 3; i++) {
        enum pdf_font f = i == 2 ? PDF_BOLD : PDF_REGULAR;
        pdf_text_box(l->pdf, COL_TITLE + COL_TITLE_WIDTH - 100, l->y, COL_PRICE_RIGHT - COL_TITLE - COL_TITLE_WIDTH + 100,
                     0, f, 10, PDF_RIGHT, labels[i]);
        l->y -= pdf_text_box(l->pdf, COL_PRICE_RIGHT + 4, l->y, RIGHT - COL_PRICE_RIGHT - 4, 0, f, 10, PDF_RIGHT,
                             fmt_money(l->a, amounts[i])) + 3;
    }
}

/* Payment terms (invoice) or what happens with the credit (credit note). */
static void closing(struct layout *l)
{
    const struct config *c = l->cfg;
    const struct invoice_doc *d = l->d;
    const struct order *o = d->order;
    const char *text;
    if (d->credit)
        text = arena_printf(l->a,
                            "Diese Gutschrift storniert die oben genannten Positionen der Rechnung %s vom %s; "
                            "die zugehörigen Vouchercodes sind ungültig.\nGrund: %s\n"
                            "Bereits bezahlte Beträge erstatten wir auf das Konto, von dem die Zahlung kam; "
                            "sonst verringert sich der offene Betrag der Rechnung um den Gutschriftbetrag.",
                            o->invoice_number, fmt_date(l->a, o->created_at), d->reason);
    else
        text = arena_printf(l->a,
                            "Zahlbar ohne Abzug innerhalb von %d Tagen, bis %s.\n"
                            "Bank: %s\nIBAN: %s · BIC: %s · Verwendungszweck: %s\n"
                            "Die Vouchercodes zu dieser Rechnung erhalten Sie mit derselben E-Mail.",
                            c->invoice_payment_days, fmt_date(l->a, o->due_at), c->invoice_bank_name,
                            c->invoice_iban, c->invoice_bic, o->invoice_number);
    l->y -= 10;
    double h = pdf_text_box_height(l->pdf, WIDTH, PDF_REGULAR, 10, text);
    need(l, h);
    l->y -= pdf_text_box(l->pdf, LEFT, l->y, WIDTH, 0, PDF_REGULAR, 10, PDF_LEFT, text);
}

int invoice_doc_pdf(const struct config *cfg, struct arena *a, const struct invoice_doc *d,
                    const unsigned char **data, size_t *len)
{
    struct layout l = {.pdf = pdf_new(a, arena_printf(a, "%s %s", d->credit ? "Gutschrift" : "Rechnung", d->number)),
                       .a = a, .cfg = cfg, .d = d, .y = TOP};
    if (!l.pdf)
        return -1;
    footer(&l);
    head(&l);
    double left = recipient(&l), right = facts(&l);
    l.y = (left < right ? left : right) - 20;
    table(&l);
    totals(&l);
    closing(&l);
    return pdf_finish(l.pdf, data, len);
}

void invoice_doc_of_order(struct arena *a, const struct order *o, const struct order_line *lines, size_t nlines,
                          struct invoice_doc *d)
{
    struct invoice_line *dl = arena_alloc(a, (nlines + 1) * sizeof *dl);
    for (size_t i = 0; i < nlines; i++)
        dl[i] = (struct invoice_line){.title = lines[i].title, .quantity = lines[i].quantity,
                                      .unit_price_cents = lines[i].unit_price_cents,
                                      .line_net_cents = lines[i].line_net_cents};
    *d = (struct invoice_doc){.credit = 0, .number = o->invoice_number, .issued_at = o->created_at, .order = o,
                              .lines = dl, .nlines = nlines, .vat_percent = o->vat_percent, .net_cents = o->net_cents,
                              .vat_cents = o->vat_cents, .gross_cents = o->gross_cents};
}

int invoice_pdf(const struct config *cfg, struct arena *a, const struct order *o,
                const struct order_line *lines, size_t nlines, const unsigned char **data, size_t *len)
{
    struct invoice_doc d;
    invoice_doc_of_order(a, o, lines, nlines, &d);
    return invoice_doc_pdf(cfg, a, &d, data, len);
}
