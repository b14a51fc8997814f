/* invoice — the invoice of an order as a PDF (Austrian UStG §11): supplier
 * name, address and UID from [invoice]; the municipality as recipient with
 * its UID when set; number, issue and service date, the order and its
 * reference, GKZ and ordering person; each line "Voucher: <title>" with
 * quantity, unit Stk, unit and line net price; net total, USt and gross
 * total; payment terms with due date, bank (IBAN, BIC, bank name),
 * Firmenbuch number and court, and a contact.  Built only
 * from the order's snapshot, so it is the same PDF whenever it is made. */
#ifndef INVOICE_H
#define INVOICE_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct config;
struct order;
struct order_line;

/* A line of an invoice or credit note, printed "Voucher: <title>", unit Stk. */
struct invoice_line {
    const char *title;
    int64_t quantity, unit_price_cents, line_net_cents;
};

/* An invoice or a credit note (Gutschrift) of an order: the recipient,
 * reference, GKZ and ordering person come from the order's snapshot. */
struct invoice_doc {
    int credit;                       /* 0 = invoice, 1 = credit note */
    const char *number;               /* "RE-2026-000001" or "GS-2026-000001" */
    int64_t issued_at;
    const struct order *order;        /* the invoice (for a credit note: the one it cancels) */
    const struct invoice_line *lines;
    size_t nlines;
    int64_t vat_percent, net_cents, vat_cents, gross_cents;
    const char *reason;               /* credit note: why */
};

/* The invoice of order o with its lines as a document (d points into o and
 * an array in the arena).  Cannot fail. */
void invoice_doc_of_order(struct arena *a, const struct order *o, const struct order_line *lines, size_t nlines,
                          struct invoice_doc *d);

/* The PDF of d in the arena.  -1 (logged) when it cannot be made. */
int invoice_doc_pdf(const struct config *cfg, struct arena *a, const struct invoice_doc *d,
                    const unsigned char **data, size_t *len);

/* The invoice of order o.  -1 (logged) when it cannot be made. */
int invoice_pdf(const struct config *cfg, struct arena *a, const struct order *o,
                const struct order_line *lines, size_t nlines, const unsigned char **data, size_t *len);

#endif
