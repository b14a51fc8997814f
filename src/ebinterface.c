/* ebinterface — see ebinterface.h. */
#include "ebinterface.h"

#include <string.h>

#include "config.h"
#include "date.h"
#include "db.h"
#include "invoice.h"
#include "mem.h"
#include "xml.h"

#define EB_NAMESPACE "http://www.ebinterface.at/schema/6p1/"

/* "1234.50": cents as a decimal with two places (Decimal2Type). */
static const char *amount(struct arena *a, long long cents)
{
    long long v = cents < 0 ? -cents : cents;
    return arena_printf(a, "%s%lld.%02lld", cents < 0 ? "-" : "", v / 100, v % 100);
}

static const char *iso_date(struct arena *a, int64_t utc)
{
    char *out = arena_alloc(a, DATE_TEXT_SIZE);
    date_iso_vienna(utc, out);
    return out;
}

/* Trims spaces and commas at both ends of s[0..n). */
static const char *trimmed(struct arena *a, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == ',' || *s == '\r')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == ',' || s[n - 1] == '\r'))
        n--;
    return arena_strndup(a, s, n);
}

struct eb_address ebinterface_address(struct arena *a, const char *text)
{
    struct eb_address out = {.street = "", .zip = "", .town = ""};
    if (!text)
        return out;
    /* parts separated by newlines or ", " */
    const char *parts[64];
    size_t nparts = 0;
    for (const char *p = text; *p && nparts < 64;) {
        size_t n = 0;
        while (p[n] && p[n] != '\n' && !(p[n] == ',' && p[n + 1] == ' '))
            n++;
        const char *part = trimmed(a, p, n);
        if (*part)
            parts[nparts++] = part;
        p += n;
        while (*p == '\n' || *p == ',' || *p == ' ')
            p++;
    }
    if (nparts == 0)
        return out;
    size_t town = nparts - 1;
    for (size_t i = nparts; i-- > 0;) {
        size_t digits = strspn(parts[i], "0123456789");
        if ((digits == 4 || digits == 5) && parts[i][digits] == ' ') {
            town = i;
            out.zip = arena_strndup(a, parts[i], digits);
            out.town = trimmed(a, parts[i] + digits, strlen(parts[i] + digits));
            break;
        }
    }
    if (!*out.zip)
        out.town = parts[town];
    struct buf b;
    buf_init(&b, a);
    for (size_t i = 0; i < nparts; i++)
        if (i != town)
            buf_printf(&b, "%s%s", b.len ? ", " : "", parts[i]);
    out.street = b.data ? b.data : "";
    return out;
}

static void address(struct xml *x, struct arena *a, const char *name, const char *text)
{
    struct eb_address ad = ebinterface_address(a, text);
    xml_start(x, "Address");
    xml_element(x, "Name", name);
    if (*ad.street)
        xml_element(x, "Street", ad.street);
    xml_element(x, "Town", ad.town);
    xml_element(x, "ZIP", ad.zip);
    xml_element_attr(x, "Country", "CountryCode", "AT", "Österreich");
    xml_end(x);
}

/* IBAN without the spaces it is printed with. */
static const char *iban(struct arena *a, const char *text)
{
    char *out = arena_alloc(a, strlen(text) + 1), *o = out;
    for (const char *p = text; *p; p++)
        if (*p != ' ')
            *o++ = *p;
    *o = '\0';
    return out;
}

/* The company register number without its "FN " prefix. */
static const char *fn_number(const char *fn)
{
    return strncmp(fn, "FN ", 3) == 0 ? fn + 3 : fn;
}

static void biller(struct xml *x, struct arena *a, const struct config *c)
{
    xml_start(x, "Biller");
    xml_element(x, "VATIdentificationNumber", c->invoice_seller_uid);
    if (*c->invoice_seller_fn)
        xml_element_attr(x, "FurtherIdentification", "IdentificationType", "FN", fn_number(c->invoice_seller_fn));
    if (*c->invoice_seller_fn_court)
        xml_element_attr(x, "FurtherIdentification", "IdentificationType", "FBG", c->invoice_seller_fn_court);
    address(x, a, c->invoice_seller_name, c->invoice_seller_address);
    if (*c->invoice_contact) {
        xml_start(x, "Contact");
        xml_element(x, "Name", c->invoice_contact);
        xml_end(x);
    }
    xml_end(x);
}

static void recipient(struct xml *x, struct arena *a, const struct order *o)
{
    xml_start(x, "InvoiceRecipient");
    /* ebInterface's value for a recipient without a UID number */
    xml_element(x, "VATIdentificationNumber", *o->recipient_uid ? o->recipient_uid : "00000000");
    xml_start(x, "OrderReference");
    xml_element(x, "OrderID", *o->reference ? o->reference : arena_printf(a, "Bestellung Nr. %lld", (long long)o->id));
    xml_element(x, "ReferenceDate", iso_date(a, o->created_at));
    xml_element(x, "Description", arena_printf(a, "Bestellung Nr. %lld im Voucher-Portal", (long long)o->id));
    xml_end(x);
    address(x, a, o->recipient_name, o->recipient_address);
    if (*o->ordered_by) {
        xml_start(x, "Contact");
        xml_element(x, "Name", o->ordered_by);
        xml_end(x);
    }
    if (*o->recipient_gkz)
        xml_element(x, "BillersInvoiceRecipientID", o->recipient_gkz);
    xml_end(x);
}

static void tax_percent(struct xml *x, struct arena *a, long long percent)
{
    xml_element_attr(x, "TaxPercent", "TaxCategoryCode", percent ? "S" : "Z", arena_printf(a, "%lld", percent));
}

static void details(struct xml *x, struct arena *a, const struct invoice_doc *d)
{
    xml_start(x, "Details");
    xml_start(x, "ItemList");
    for (size_t i = 0; i < d->nlines; i++) {
        const struct invoice_line *l = &d->lines[i];
        xml_start(x, "ListLineItem");
        xml_element(x, "PositionNumber", arena_printf(a, "%zu", i + 1));
        xml_element(x, "Description", arena_printf(a, "Voucher: %s", l->title));
        xml_element_attr(x, "Quantity", "Unit", "C62", arena_printf(a, "%lld", (long long)l->quantity));
        xml_element(x, "UnitPrice", amount(a, l->unit_price_cents));
        xml_start(x, "TaxItem"); /* USt is rounded on the total, so the lines carry none of their own */
        xml_element(x, "TaxableAmount", amount(a, l->line_net_cents));
        tax_percent(x, a, d->vat_percent);
        xml_end(x);
        xml_element(x, "LineItemAmount", amount(a, l->line_net_cents));
        xml_end(x);
    }
    xml_end(x);
    xml_end(x);
}

static void totals(struct xml *x, struct arena *a, const struct invoice_doc *d)
{
    xml_start(x, "Tax");
    xml_start(x, "TaxItem");
    xml_element(x, "TaxableAmount", amount(a, d->net_cents));
    tax_percent(x, a, d->vat_percent);
    xml_element(x, "TaxAmount", amount(a, d->vat_cents));
    xml_end(x);
    xml_end(x);
    xml_element(x, "TotalGrossAmount", amount(a, d->gross_cents));
    xml_element(x, "PayableAmount", amount(a, d->gross_cents));
}

static void payment(struct xml *x, struct arena *a, const struct config *c, const struct invoice_doc *d)
{
    xml_start(x, "PaymentMethod");
    xml_element(x, "Comment", "Überweisung");
    xml_start(x, "UniversalBankTransaction");
    xml_start(x, "BeneficiaryAccount");
    if (*c->invoice_bank_name)
        xml_element(x, "BankName", c->invoice_bank_name);
    if (*c->invoice_bic)
        xml_element(x, "BIC", c->invoice_bic);
    xml_element(x, "IBAN", iban(a, c->invoice_iban));
    xml_element(x, "BankAccountOwner", c->invoice_seller_name);
    xml_end(x);
    xml_element(x, "PaymentReference", d->number);
    xml_end(x);
    xml_end(x);
    xml_start(x, "PaymentConditions");
    xml_element(x, "DueDate", iso_date(a, d->order->due_at));
    xml_element(x, "Comment", arena_printf(a, "Zahlbar ohne Abzug bis %s.", iso_date(a, d->order->due_at)));
    xml_end(x);
}

int ebinterface_xml(const struct config *cfg, struct arena *a, const struct invoice_doc *d, const char **out,
                    size_t *len)
{
    struct xml *x = xml_new(a);
    if (!x)
        return -1;
    const struct order *o = d->order;
    xml_start(x, "Invoice");
    xml_attr(x, "xmlns", EB_NAMESPACE);
    xml_attr(x, "GeneratingSystem", "Voucher-Portal der Städtebund Academy");
    xml_attr(x, "DocumentType", d->credit ? "CreditMemo" : "Invoice");
    xml_attr(x, "InvoiceCurrency", "EUR");
    xml_attr(x, "DocumentTitle", arena_printf(a, "%s %s", d->credit ? "Gutschrift" : "Rechnung", d->number));
    xml_attr(x, "Language", "de");
    xml_element(x, "InvoiceNumber", d->number);
    xml_element(x, "InvoiceDate", iso_date(a, d->issued_at));
    if (d->credit) {
        xml_start(x, "CancelledOriginalDocument");
        xml_element(x, "InvoiceNumber", o->invoice_number);
        xml_element(x, "InvoiceDate", iso_date(a, o->created_at));
        xml_element(x, "DocumentType", "Invoice");
        xml_element(x, "Comment", arena_printf(a, "Storno: %s", d->reason ? d->reason : ""));
        xml_end(x);
    }
    xml_start(x, "Delivery"); /* the service date: codes are valid from the order */
    xml_element(x, "Date", iso_date(a, o->created_at));
    xml_end(x);
    biller(x, a, cfg);
    recipient(x, a, o);
    details(x, a, d);
    totals(x, a, d);
    if (!d->credit)
        payment(x, a, cfg, d);
    xml_end(x);
    return xml_finish(x, out, len);
}
