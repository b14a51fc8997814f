/* invoice — the invoice of an order as a PDF (Austrian UStG §11): supplier
 * name, address and UID from [invoice]; the municipality as recipient with
 * its UID when set; number, issue and service date, the order and its
 * reference; each line with quantity, description, unit and line net
 * price; net total, USt and gross total; payment terms and IBAN.  Built only
 * from the order's snapshot, so it is the same PDF whenever it is made. */
#ifndef INVOICE_H
#define INVOICE_H

#include <stddef.h>

struct arena;
struct config;
struct order;
struct order_line;

/* The PDF in the arena.  -1 (logged) when it cannot be made. */
int invoice_pdf(const struct config *cfg, struct arena *a, const struct order *o,
                const struct order_line *lines, size_t nlines, const unsigned char **data, size_t *len);

#endif
