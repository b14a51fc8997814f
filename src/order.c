/* order — see order.h. */
#include "order.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "config.h"
#include "date.h"
#include "db.h"
#include "mem.h"
#include "money.h"
#include "order_docs.h"

/* What the order will hold, checked and priced inside the transaction. */
struct priced_line {
    struct catalog_item item;
    long quantity;
};

static enum order_status refuse(char *msg, size_t msglen, const char *fmt, const char *arg)
{
    snprintf(msg, msglen, fmt, arg);
    return ORDER_REFUSED;
}

static enum order_status price_lines(struct db *db, struct arena *a, const struct order_request *rq,
                                     struct priced_line *lines, char *msg, size_t msglen)
{
    if (rq->nitems == 0)
        return refuse(msg, msglen, "%s", "Bitte geben Sie bei mindestens einem Kurs eine Anzahl an.");
    for (size_t i = 0; i < rq->nitems; i++) {
        const struct order_item_request *it = &rq->items[i];
        if (it->quantity < 1 || it->quantity > ORDER_QTY_MAX)
            return refuse(msg, msglen, "Die Anzahl für %s muss zwischen 1 und 10.000 liegen.", it->slug);
        int status = db_catalog_item_by_slug(db, a, it->slug, &lines[i].item);
        if (status == DB_ERROR)
            return ORDER_ERROR;
        if (status != DB_OK || !lines[i].item.active || lines[i].item.price_cents == 0)
            return refuse(msg, msglen, "„%s“ kann nicht bestellt werden (nicht mehr im Katalog oder kostenlos).",
                          status == DB_OK ? lines[i].item.title : it->slug);
        lines[i].quantity = it->quantity;
    }
    return ORDER_OK;
}

static void fill_totals(struct order *o, const struct priced_line *lines, size_t n, int vat_percent)
{
    o->net_cents = 0;
    for (size_t i = 0; i < n; i++)
        o->net_cents += lines[i].item.price_cents * lines[i].quantity;
    o->vat_percent = vat_percent;
    o->vat_cents = money_percent_half_up(o->net_cents, vat_percent);
    o->gross_cents = o->net_cents + o->vat_cents;
}

static int write_order(struct db *db, struct arena *a, const struct order_request *rq, int64_t now,
                       const struct config *cfg, const struct priced_line *lines, struct order *o)
{
    struct municipality m;
    struct account who;
    int status = db_municipality_by_id(db, a, rq->municipality_id, &m);
    if (status != DB_OK || db_account_by_id(db, a, rq->account_id, &who) != DB_OK)
        return DB_ERROR;
    *o = (struct order){
        .municipality_id = m.id, .account_id = rq->account_id,
        .idempotency_token = rq->idempotency_token, .reference = rq->reference,
        .invoice_year = date_year_vienna(now), .recipient_name = m.name,
        .recipient_address = m.address, .recipient_uid = m.uid, .created_at = now,
        .recipient_gkz = m.gkz, .ordered_by = arena_printf(a, "%s %s", who.first_name, who.last_name),
        .due_at = date_due_at(now, cfg->invoice_payment_days),
    };
    fill_totals(o, lines, rq->nitems, cfg->invoice_vat_percent);
    if ((status = db_invoice_next(db, o->invoice_year, &o->invoice_seq)) != DB_OK)
        return status;
    o->invoice_number = arena_printf(a, "RE-%04lld-%06lld", (long long)o->invoice_year,
                                     (long long)o->invoice_seq);
    return db_order_add(db, o, &o->id);
}

/* A code of the order not stored yet, with the line it belongs to. */
struct pending_code {
    struct new_code c;
    size_t line;
};

static int by_hash(const void *x, const void *y)
{
    return memcmp(((const struct pending_code *)x)->c.hash, ((const struct pending_code *)y)->c.hash,
                  CRYPTO_HASH_SIZE);
}

/* The order's lines, then its codes.  The codes are all generated first and
 * stored line by line, each line's in the order of their look-up hash: the
 * UNIQUE index on code_hash
 * (about 15,000 leaf pages at 1,000,000 vouchers) then takes them in one
 * sweep, each leaf page fetched, changed and left once, instead of random
 * inserts that fetch pages again after SQLite's page cache (2 MB) has
 * spilled them to the WAL (docs/performance.md, "Storing an order").
 * pending (arena) holds the plain codes until they are stored; it is wiped
 * before returning, whatever the outcome. */
static int write_lines_and_codes(struct db *db, struct arena *a, const struct crypto_keys *keys,
                                 const struct order *o, const struct priced_line *lines, size_t n,
                                 size_t units, struct order_result *res)
{
    int64_t valid_until = date_valid_until(o->created_at);
    int64_t *line_ids = arena_alloc(a, (n + 1) * sizeof *line_ids);
    for (size_t i = 0; i < n; i++) {
        const struct catalog_item *item = &lines[i].item;
        struct order_line line = {
            .order_id = o->id, .item_id = item->id, .title = item->title,
            .quantity = lines[i].quantity, .unit_price_cents = item->price_cents,
            .line_net_cents = item->price_cents * lines[i].quantity, .position = (int64_t)i,
        };
        if (db_order_line_add(db, &line, &line_ids[i]) != DB_OK)
            return DB_ERROR;
    }
    struct pending_code *pending = arena_alloc(a, (units + 1) * sizeof *pending);
    struct new_code batch[CODES_BATCH];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t first = k;
        for (long q = 0; q < lines[i].quantity;) {
            size_t m = (size_t)(lines[i].quantity - q) < CODES_BATCH ? (size_t)(lines[i].quantity - q) : CODES_BATCH;
            codes_generate(keys, batch, m);
            for (size_t j = 0; j < m; j++, q++, k++)
                pending[k] = (struct pending_code){.c = batch[j], .line = i};
        }
        /* sorted per line: the codes (ids, res->codes) stay grouped by line in the items' order */
        qsort(pending + first, k - first, sizeof *pending, by_hash);
    }
    crypto_wipe(batch, sizeof batch);
    int status = DB_OK;
    for (size_t j = 0; j < k && status == DB_OK; j++) {
        const struct catalog_item *item = &lines[pending[j].line].item;
        struct voucher v = {.order_id = o->id, .item_id = item->id, .municipality_id = o->municipality_id,
                            .created_at = o->created_at, .valid_until = valid_until};
        res->codes[j].line = pending[j].line;
        memcpy(res->codes[j].canon, pending[j].c.canon, VOUCHER_CANON_SIZE);
        status = codes_store(db, &pending[j].c, &v, line_ids[pending[j].line]);
        /* one whose hash exists already (it will not happen) is replaced */
        if (status == DB_CONFLICT)
            status = codes_issue(db, keys, &v, line_ids[pending[j].line], res->codes[j].canon);
    }
    crypto_wipe(pending, k * sizeof *pending);
    if (status != DB_OK)
        return status;
    res->ncodes = k;
    return DB_OK;
}

static size_t total_units(const struct order_request *rq)
{
    size_t units = 0;
    for (size_t i = 0; i < rq->nitems; i++)
        units += rq->items[i].quantity > 0 ? (size_t)rq->items[i].quantity : 0;
    return units;
}

/* Everything after BEGIN; the caller commits or rolls back. */
static enum order_status place_in_transaction(struct db *db, const struct crypto_keys *keys,
                                              const struct config *cfg, struct arena *a,
                                              const struct order_request *rq, int64_t now,
                                              struct order_result *res, char *msg, size_t msglen)
{
    int status = db_order_by_token(db, a, rq->idempotency_token, &res->order_id, &res->invoice_number);
    if (status == DB_OK) {
        res->already_placed = 1;
        return ORDER_OK;
    }
    if (status != DB_NOT_FOUND)
        return ORDER_ERROR;
    struct priced_line *lines = arena_alloc(a, (rq->nitems + 1) * sizeof *lines);
    enum order_status os = price_lines(db, a, rq, lines, msg, msglen);
    if (os != ORDER_OK)
        return os;
    struct order o;
    if (write_order(db, a, rq, now, cfg, lines, &o) != DB_OK)
        return ORDER_ERROR;
    res->order_id = o.id;
    res->invoice_number = o.invoice_number;
    size_t units = total_units(rq);
    res->codes = arena_alloc(a, (units + 1) * sizeof *res->codes);
    if (write_lines_and_codes(db, a, keys, &o, lines, rq->nitems, units, res) != DB_OK ||
        order_mail_queue(db, a, keys, cfg, o.id, now) != DB_OK)
        return ORDER_ERROR;
    return ORDER_OK;
}

enum order_status order_place(struct db *db, const struct crypto_keys *keys, const struct config *cfg,
                              struct arena *a, const struct order_request *rq, int64_t now,
                              struct order_result *res, char *msg, size_t msglen)
{
    memset(res, 0, sizeof *res);
    /* about one page of the code_hash index per code (docs/performance.md) */
    if (db_begin_large(db, total_units(rq)) != DB_OK)
        return ORDER_ERROR;
    enum order_status os = place_in_transaction(db, keys, cfg, a, rq, now, res, msg, msglen);
    if (os == ORDER_OK && db_commit(db) != DB_OK)
        os = ORDER_ERROR;
    if (os != ORDER_OK)
        db_rollback(db);
    return os;
}
