/* ebinterface — an invoice or credit note as an Austrian e-invoice,
 * ebInterface 6.1 (the schema in tests/standards/ebinterface-6.1/), written
 * through xml.c: Biller with UID, Firmenbuch number and court, address and
 * contact; InvoiceRecipient with the municipality's UID (or "00000000"),
 * its reference as OrderReference, address, the ordering person as
 * contact and the GKZ as BillersInvoiceRecipientID; one ListLineItem per
 * line ("Voucher: <title>", quantity in pieces, unit price, tax item, line
 * amount); the tax, totals, and for an invoice the bank transfer (IBAN,
 * BIC, bank) and the due date; a credit note is a CreditMemo with
 * CancelledOriginalDocument naming the invoice.  The amounts are the PDF's:
 * both are made from the same struct invoice_doc. */
#ifndef EBINTERFACE_H
#define EBINTERFACE_H

#include <stddef.h>

struct arena;
struct config;
struct invoice_doc;

/* The XML in the arena.  -1 (logged) when it cannot be written. */
int ebinterface_xml(const struct config *cfg, struct arena *a, const struct invoice_doc *d, const char **xml,
                    size_t *len);

/* An address as ebInterface wants it, from free text ("Street 1\n1234 Town"
 * or "Street 1, 1234 Town"): the last part starting with a 4- or 5-digit
 * postal code gives ZIP and Town, the parts before it the Street.  Without
 * a postal code the last part is the Town and zip is "".  Results in the
 * arena; cannot fail. */
struct eb_address {
    const char *street, *zip, *town;
};
struct eb_address ebinterface_address(struct arena *a, const char *text);

#endif
