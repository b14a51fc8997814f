/* order — placing an order: in one transaction the order with a snapshot
 * of prices and recipient, its lines, one voucher per unit, the next gapless
 * invoice number of the year and the outgoing e-mail.  Any failure writes
 * nothing.  Used by the order form and by `voucherctl order add`. */
#ifndef ORDER_H
#define ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "voucher.h"

/* Most units of one item in one order (SPEC: 0-10,000 per item). */
#define ORDER_QTY_MAX 10000

struct arena;
struct config;
struct db;

struct order_item_request {
    const char *slug;
    long quantity; /* 1..10000; lines with 0 are left out by the caller */
};

struct order_request {
    int64_t account_id;          /* the ordering tenant_admin */
    int64_t municipality_id;     /* their municipality */
    const char *idempotency_token; /* one order per token, however often sent */
    const char *reference;       /* Bestellzeichen, may be "" */
    const struct order_item_request *items;
    size_t nitems;
};

/* One issued code and the line it belongs to. */
struct issued_code {
    size_t line;                        /* index into the request's items */
    char canon[VOUCHER_CANON_SIZE];
};

struct order_result {
    int64_t order_id;
    const char *invoice_number;
    int already_placed;          /* 1: the token had placed this order before; nothing new written */
    struct issued_code *codes;   /* in the arena; NULL when already_placed */
    size_t ncodes;
};

enum order_status { ORDER_OK = 0, ORDER_REFUSED = 1, ORDER_ERROR = -1 };

/* Places the order.  ORDER_REFUSED with a German message in msg when an item
 * is unknown, inactive or free, a quantity is out of range or nothing is
 * ordered. */
enum order_status order_place(struct db *db, const struct crypto_keys *keys, const struct config *cfg,
                              struct arena *a, const struct order_request *rq, int64_t now,
                              struct order_result *res, char *msg, size_t msglen);

#endif
