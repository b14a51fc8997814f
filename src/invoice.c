/* invoice — see invoice.h.  Layout on A4 in points, x from the left edge. */
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
#define COL_QTY_RIGHT 85.0
#define COL_TITLE 100.0
#define COL_UNIT_RIGHT 450.0
#define ROW 16.0
#define BOTTOM 150.0 /* below this a new page starts */

struct layout {
    struct pdf *pdf;
    struct arena *a;
    double y;
};

/* Text with '\n' line breaks, one line per row; y moves down. */
static void block(struct layout *l, double x, double size, const char *text)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        pdf_text(l->pdf, x, l->y, PDF_REGULAR, size, RIGHT - x, arena_strndup(l->a, p, n));
        l->y -= size + 4;
        p += n + (p[n] == '\n');
    }
}

static void head(struct layout *l, const struct config *cfg)
{
    l->y = 790;
    pdf_text(l->pdf, LEFT, l->y, PDF_BOLD, 15, 300, cfg->invoice_seller_name);
    pdf_text_right(l->pdf, RIGHT, l->y, PDF_BOLD, 20, "Rechnung");
    l->y -= 16;
    block(l, LEFT, 9, cfg->invoice_seller_address);
    block(l, LEFT, 9, arena_printf(l->a, "UID: %s", cfg->invoice_seller_uid));
}

static void facts(struct layout *l, const struct order *o)
{
    const char *rows[][2] = {
        {"Rechnungsnummer", o->invoice_number},
        {"Rechnungsdatum", fmt_date(l->a, o->created_at)},
        {"Leistungsdatum", fmt_date(l->a, o->created_at)},
        {"Bestellung", arena_printf(l->a, "Nr. %lld", (long long)o->id)},
        {"Ihr Bestellzeichen", o->reference},
    };
    double y = 700;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++, y -= 14) {
        if (!rows[i][1] || !*rows[i][1])
            continue;
        pdf_text(l->pdf, 330, y, PDF_REGULAR, 9, 0, rows[i][0]);
        pdf_text_right(l->pdf, RIGHT, y, PDF_BOLD, 9, rows[i][1]);
    }
}

static void recipient(struct layout *l, const struct order *o)
{
    l->y = 700;
    pdf_text(l->pdf, LEFT, l->y, PDF_BOLD, 8, 0, "Rechnungsempfänger");
    l->y -= 15;
    pdf_text(l->pdf, LEFT, l->y, PDF_BOLD, 11, 260, o->recipient_name);
    l->y -= 15;
    block(l, LEFT, 10, o->recipient_address);
    if (o->recipient_uid && *o->recipient_uid)
        block(l, LEFT, 10, arena_printf(l->a, "UID: %s", o->recipient_uid));
}

static void table_head(struct layout *l)
{
    pdf_text_right(l->pdf, COL_QTY_RIGHT, l->y, PDF_BOLD, 9, "Menge");
    pdf_text(l->pdf, COL_TITLE, l->y, PDF_BOLD, 9, 0, "Bezeichnung");
    pdf_text_right(l->pdf, COL_UNIT_RIGHT, l->y, PDF_BOLD, 9, "Einzelpreis netto");
    pdf_text_right(l->pdf, RIGHT, l->y, PDF_BOLD, 9, "Gesamt netto");
    pdf_rule(l->pdf, LEFT, RIGHT, l->y - 5);
    l->y -= ROW + 2;
}

static void table(struct layout *l, const struct order_line *lines, size_t n)
{
    l->y = 580;
    table_head(l);
    for (size_t i = 0; i < n; i++) {
        if (l->y < BOTTOM) {
            pdf_page(l->pdf);
            l->y = 790;
            table_head(l);
        }
        pdf_text_right(l->pdf, COL_QTY_RIGHT, l->y, PDF_REGULAR, 10,
                       arena_printf(l->a, "%lld", (long long)lines[i].quantity));
        pdf_text(l->pdf, COL_TITLE, l->y, PDF_REGULAR, 10, 250, lines[i].title);
        pdf_text_right(l->pdf, COL_UNIT_RIGHT, l->y, PDF_REGULAR, 10, fmt_money(l->a, lines[i].unit_price_cents));
        pdf_text_right(l->pdf, RIGHT, l->y, PDF_REGULAR, 10, fmt_money(l->a, lines[i].line_net_cents));
        l->y -= ROW;
    }
    pdf_rule(l->pdf, LEFT, RIGHT, l->y + ROW - 5);
}

static void totals(struct layout *l, const struct order *o)
{
    const char *labels[] = {"Summe netto", arena_printf(l->a, "USt %lld %%", (long long)o->vat_percent),
                            "Gesamtbetrag brutto"};
    const long long amounts[] = {o->net_cents, o->vat_cents, o->gross_cents};
    l->y -= 6;
    for (int i = 0; i < 3; i++, l->y -= ROW) {
        enum pdf_font f = i == 2 ? PDF_BOLD : PDF_REGULAR;
        pdf_text_right(l->pdf, COL_UNIT_RIGHT, l->y, f, 10, labels[i]);
        pdf_text_right(l->pdf, RIGHT, l->y, f, 10, fmt_money(l->a, amounts[i]));
    }
}

static void payment(struct layout *l, const struct config *cfg, const struct order *o)
{
    l->y -= 14;
    int64_t due = o->created_at + (int64_t)cfg->invoice_payment_days * 86400;
    block(l, LEFT, 10, arena_printf(l->a, "Zahlbar ohne Abzug innerhalb von %d Tagen, bis %s.",
                                    cfg->invoice_payment_days, fmt_date(l->a, due)));
    block(l, LEFT, 10, arena_printf(l->a, "IBAN: %s, Verwendungszweck: %s", cfg->invoice_iban,
                                    o->invoice_number));
    block(l, LEFT, 10, "Die Vouchercodes zu dieser Rechnung erhalten Sie mit derselben E-Mail.");
    pdf_text(l->pdf, LEFT, 40, PDF_REGULAR, 7, RIGHT - LEFT,
             arena_printf(l->a, "%s · %s · UID %s", cfg->invoice_seller_name, cfg->invoice_seller_address,
                          cfg->invoice_seller_uid));
}

int invoice_pdf(const struct config *cfg, struct arena *a, const struct order *o,
                const struct order_line *lines, size_t nlines, const unsigned char **data, size_t *len)
{
    struct layout l = {.pdf = pdf_new(a, arena_printf(a, "Rechnung %s", o->invoice_number)), .a = a};
    if (!l.pdf)
        return -1;
    head(&l, cfg);
    recipient(&l, o);
    facts(&l, o);
    table(&l, lines, nlines);
    if (l.y < BOTTOM) {
        pdf_page(l.pdf);
        l.y = 790;
    }
    totals(&l, o);
    payment(&l, cfg, o);
    return pdf_finish(l.pdf, data, len);
}
