/* vouchers_pdf — printable vouchers of an order (voucher.pdf): A4, eight
 * cards a page (two columns, four rows) with dashed cut lines between
 * them; each card names the course, the code in a large monospace face,
 * "gültig bis", the recipient when there is one, a QR code of the
 * redemption link BASE/voucher/einloesen?code=… and a three-line how-to.
 * Only open codes are printed (a redeemed, expired or revoked code is of no
 * use on paper). */
#ifndef VOUCHERS_PDF_H
#define VOUCHERS_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct arena;
struct code_filter;
struct config;
struct db;

/* The PDF of the order's open codes matching filter (its status is
 * ignored; NULL = all), in the arena.  DB_OK, DB_NOT_FOUND when no code is
 * left to print, or DB_ERROR (logged: database, key file, QR or PDF). */
int vouchers_pdf(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                 int64_t order_id, const struct code_filter *filter, int64_t now, const unsigned char **pdf,
                 size_t *len);

#endif
