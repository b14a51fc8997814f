/* db_order — orders, invoice numbers and vouchers. */
#include "db_internal.h"
#include "mem.h"
#include <string.h>

int db_order_by_token(struct db *db, struct arena *a, const char *token, int64_t *id,
                      const char **invoice_number)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_BY_TOKEN);
    db_bind_text(st, 1, token);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return DB_NOT_FOUND;
    if (rc != SQLITE_ROW)
        return db_step_error(db, rc);
    *id = sqlite3_column_int64(st, 0);
    *invoice_number = db_text(a, st, 1);
    sqlite3_reset(st);
    return DB_OK;
}

int db_invoice_next(struct db *db, int64_t year, int64_t *seq)
{
    sqlite3_stmt *st = db_stmt(db, Q_INVOICE_NEXT);
    sqlite3_bind_int64(st, 1, year);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return db_step_error(db, rc);
    *seq = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return DB_OK;
}

int db_order_add(struct db *db, const struct order *o, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_ADD);
    sqlite3_bind_int64(st, 1, o->municipality_id);
    sqlite3_bind_int64(st, 2, o->account_id);
    db_bind_text(st, 3, o->idempotency_token);
    db_bind_text(st, 4, o->reference ? o->reference : "");
    sqlite3_bind_int64(st, 5, o->invoice_year);
    sqlite3_bind_int64(st, 6, o->invoice_seq);
    db_bind_text(st, 7, o->invoice_number);
    db_bind_text(st, 8, o->recipient_name);
    db_bind_text(st, 9, o->recipient_address);
    db_bind_text(st, 10, o->recipient_uid);
    sqlite3_bind_int64(st, 11, o->vat_percent);
    sqlite3_bind_int64(st, 12, o->net_cents);
    sqlite3_bind_int64(st, 13, o->vat_cents);
    sqlite3_bind_int64(st, 14, o->gross_cents);
    sqlite3_bind_int64(st, 15, o->created_at);
    return db_insert_stmt(db, st, id);
}

int db_order_line_add(struct db *db, const struct order_line *l, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_LINE_ADD);
    sqlite3_bind_int64(st, 1, l->order_id);
    sqlite3_bind_int64(st, 2, l->item_id);
    db_bind_text(st, 3, l->title);
    sqlite3_bind_int64(st, 4, l->quantity);
    sqlite3_bind_int64(st, 5, l->unit_price_cents);
    sqlite3_bind_int64(st, 6, l->line_net_cents);
    sqlite3_bind_int64(st, 7, l->position);
    return db_insert_stmt(db, st, id);
}

int db_voucher_add(struct db *db, const unsigned char hash[32], const unsigned char *sealed,
                   size_t sealed_len, const struct voucher *v, int64_t order_line_id, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_ADD);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, sealed, (int)sealed_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, v->order_id);
    sqlite3_bind_int64(st, 4, order_line_id);
    sqlite3_bind_int64(st, 5, v->item_id);
    sqlite3_bind_int64(st, 6, v->municipality_id);
    sqlite3_bind_int64(st, 7, v->created_at);
    sqlite3_bind_int64(st, 8, v->valid_until);
    return db_insert_stmt(db, st, id);
}

/* The voucher columns shared by VOUCHER_BY_HASH and ORDER_CODES (0..13). */
static void voucher_columns(sqlite3_stmt *st, struct arena *a, struct voucher *v)
{
    v->id = sqlite3_column_int64(st, 0);
    v->code_sealed_len = (size_t)sqlite3_column_bytes(st, 1);
    v->code_sealed = (const unsigned char *)arena_memdup(a, sqlite3_column_blob(st, 1), v->code_sealed_len);
    v->order_id = sqlite3_column_int64(st, 2);
    v->item_id = sqlite3_column_int64(st, 3);
    v->municipality_id = sqlite3_column_int64(st, 4);
    v->created_at = sqlite3_column_int64(st, 5);
    v->valid_until = sqlite3_column_int64(st, 6);
    v->redeemed_at = sqlite3_column_int64(st, 7);
    v->redeemed_by = sqlite3_column_int64(st, 8);
    v->revoked_at = sqlite3_column_int64(st, 9);
    v->revoke_reason = db_text(a, st, 10);
    v->issued_to = db_text(a, st, 11);
    v->item_kind = sqlite3_column_text(st, 12)[0] == 'p' ? ITEM_PACKAGE : ITEM_COURSE;
    v->item_title = db_text(a, st, 13);
}

int db_voucher_by_hash(struct db *db, struct arena *a, const unsigned char hash[32], struct voucher *v)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_BY_HASH);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return DB_NOT_FOUND;
    if (rc != SQLITE_ROW)
        return db_step_error(db, rc);
    voucher_columns(st, a, v);
    sqlite3_reset(st);
    return DB_OK;
}

int db_voucher_first_sealed(struct db *db, struct arena *a, unsigned char hash[32], struct voucher *v)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_FIRST_SEALED);
    int status = db_step_row(db, st);
    if (status != DB_OK)
        return status;
    if (sqlite3_column_bytes(st, 0) != 32) {
        sqlite3_reset(st);
        return DB_ERROR;
    }
    memcpy(hash, sqlite3_column_blob(st, 0), 32);
    v->code_sealed_len = (size_t)sqlite3_column_bytes(st, 1);
    v->code_sealed = (const unsigned char *)arena_memdup(a, sqlite3_column_blob(st, 1), v->code_sealed_len);
    sqlite3_reset(st);
    return DB_OK;
}

static void order_columns(sqlite3_stmt *st, struct arena *a, struct order *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->municipality_id = sqlite3_column_int64(st, 1);
    o->account_id = sqlite3_column_int64(st, 2);
    o->idempotency_token = db_text(a, st, 3);
    o->reference = db_text(a, st, 4);
    o->invoice_year = sqlite3_column_int64(st, 5);
    o->invoice_seq = sqlite3_column_int64(st, 6);
    o->invoice_number = db_text(a, st, 7);
    o->recipient_name = db_text(a, st, 8);
    o->recipient_address = db_text(a, st, 9);
    o->recipient_uid = db_text(a, st, 10);
    o->vat_percent = sqlite3_column_int64(st, 11);
    o->net_cents = sqlite3_column_int64(st, 12);
    o->vat_cents = sqlite3_column_int64(st, 13);
    o->gross_cents = sqlite3_column_int64(st, 14);
    o->created_at = sqlite3_column_int64(st, 15);
}

int db_order_by_id(struct db *db, struct arena *a, int64_t id, struct order *o)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_BY_ID);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return DB_NOT_FOUND;
    if (rc != SQLITE_ROW)
        return db_step_error(db, rc);
    order_columns(st, a, o);
    sqlite3_reset(st);
    return DB_OK;
}

static void line_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct order_line *l = item;
    l->id = sqlite3_column_int64(st, 0);
    l->order_id = sqlite3_column_int64(st, 1);
    l->item_id = sqlite3_column_int64(st, 2);
    l->title = db_text(a, st, 3);
    l->quantity = sqlite3_column_int64(st, 4);
    l->unit_price_cents = sqlite3_column_int64(st, 5);
    l->line_net_cents = sqlite3_column_int64(st, 6);
    l->position = sqlite3_column_int64(st, 7);
}

int db_order_lines(struct db *db, struct arena *a, int64_t order_id, struct order_line **lines, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_LINES);
    sqlite3_bind_int64(st, 1, order_id);
    return db_collect(db, a, st, sizeof **lines, line_row, (void **)lines, n);
}

/* ORDER_LIST's row; municipality_id is left 0. */
static void summary_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct order_summary *)item = (struct order_summary){
        .o = {.id = sqlite3_column_int64(st, 0), .created_at = sqlite3_column_int64(st, 1),
              .invoice_number = db_text(a, st, 2), .reference = db_text(a, st, 3),
              .net_cents = sqlite3_column_int64(st, 4), .vat_cents = sqlite3_column_int64(st, 5),
              .gross_cents = sqlite3_column_int64(st, 6)},
        .open = sqlite3_column_int64(st, 7), .redeemed = sqlite3_column_int64(st, 8),
        .expired = sqlite3_column_int64(st, 9), .revoked = sqlite3_column_int64(st, 10),
    };
}

static void bind_order_search(sqlite3_stmt *st, int64_t municipality_id, int64_t now, const char *q,
                              int64_t offset, int64_t limit)
{
    sqlite3_bind_int64(st, 1, municipality_id);
    sqlite3_bind_int64(st, 2, now);
    db_bind_text(st, 3, q ? q : "");
    sqlite3_bind_int64(st, 4, limit);
    sqlite3_bind_int64(st, 5, offset);
}

int db_order_list(struct db *db, struct arena *a, int64_t municipality_id, int64_t now, const char *q,
                  int64_t offset, int64_t limit, struct order_summary **list, size_t *n, int64_t *total)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_LIST_COUNT);
    bind_order_search(st, municipality_id, now, q, offset, limit);
    int status = db_step_row(db, st);
    if (status == DB_OK)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (status != DB_OK)
        return status;
    st = db_stmt(db, Q_ORDER_LIST);
    bind_order_search(st, municipality_id, now, q, offset, limit);
    return db_collect(db, a, st, sizeof **list, summary_row, (void **)list, n);
}

static void code_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct order_code *c = item;
    voucher_columns(st, a, &c->v);
    c->redeemer_name = db_text(a, st, 14);
    c->redeemer_username = db_text(a, st, 15);
    c->recipient_email = db_text(a, st, 16);
    c->assigned_at = sqlite3_column_int64(st, 17);
    c->mail_id = sqlite3_column_int64(st, 18);
    c->mail_sent_at = sqlite3_column_int64(st, 19);
    c->mail_given_up_at = sqlite3_column_int64(st, 20);
    c->mail_error = db_text(a, st, 21);
    c->item_slug = db_text(a, st, 22);
}

static const char *or_any(const char *s)
{
    return s ? s : "";
}

/* Binds ?4..?7 of ORDER_CODES_WHERE. */
static void bind_filter(sqlite3_stmt *st, const struct code_filter *f)
{
    static const struct code_filter all = {0};
    if (!f)
        f = &all;
    db_bind_text(st, 4, or_any(f->course));
    db_bind_text(st, 5, or_any(f->status));
    db_bind_text(st, 6, or_any(f->assigned));
    sqlite3_bind_int64(st, 7, f->now);
}

int db_order_codes(struct db *db, struct arena *a, int64_t order_id, const struct code_filter *filter,
                   int64_t offset, int64_t limit, struct order_code **codes, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_CODES);
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int64(st, 2, offset);
    sqlite3_bind_int64(st, 3, limit);
    bind_filter(st, filter);
    return db_collect(db, a, st, sizeof **codes, code_row, (void **)codes, n);
}

int db_order_code_count(struct db *db, int64_t order_id, const struct code_filter *filter, int64_t *count)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_CODE_COUNT);
    sqlite3_bind_int64(st, 1, order_id);
    bind_filter(st, filter);
    int status = db_step_row(db, st);
    if (status == DB_OK)
        *count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return status;
}

struct item_row {
    const char *slug, *title;
};

static void item_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct item_row *r = item;
    r->slug = db_text(a, st, 0);
    r->title = db_text(a, st, 1);
}

int db_order_items(struct db *db, struct arena *a, int64_t order_id, const char ***slugs, const char ***titles,
                   size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_ITEMS);
    sqlite3_bind_int64(st, 1, order_id);
    struct item_row *rows;
    int status = db_collect(db, a, st, sizeof *rows, item_row, (void **)&rows, n);
    if (status != DB_OK)
        return status;
    *slugs = arena_alloc(a, (*n + 1) * sizeof **slugs);
    *titles = arena_alloc(a, (*n + 1) * sizeof **titles);
    for (size_t i = 0; i < *n; i++) {
        (*slugs)[i] = rows[i].slug;
        (*titles)[i] = rows[i].title;
    }
    return DB_OK;
}

int db_voucher_of_municipality(struct db *db, struct arena *a, int64_t voucher_id, int64_t municipality_id,
                               struct voucher *v, const char **email)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_OF_MUNICIPALITY);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, municipality_id);
    int status = db_step_row(db, st);
    if (status == DB_OK) {
        voucher_columns(st, a, v);
        *email = db_text(a, st, 14);
    }
    sqlite3_reset(st);
    return status;
}

int db_voucher_assign(struct db *db, int64_t voucher_id, const char *name, const char *email, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_ASSIGN);
    sqlite3_bind_int64(st, 1, voucher_id);
    db_bind_text(st, 2, name);
    db_bind_text(st, 3, email);
    sqlite3_bind_int64(st, 4, now);
    return db_exec_one(db, st, DB_CONFLICT);
}

int db_voucher_set_mail(struct db *db, int64_t voucher_id, int64_t outbox_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_SET_MAIL);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, outbox_id);
    return db_exec_one(db, st, DB_NOT_FOUND);
}

static void id_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    (void)a;
    *(int64_t *)item = sqlite3_column_int64(st, 0);
}

int db_order_free_codes(struct db *db, struct arena *a, int64_t order_id, const char *slug, int64_t now,
                        int64_t limit, int64_t **ids, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_FREE_CODES);
    sqlite3_bind_int64(st, 1, order_id);
    db_bind_text(st, 2, slug);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, limit);
    return db_collect(db, a, st, sizeof **ids, id_row, (void **)ids, n);
}

int db_order_codes_for_email(struct db *db, int64_t order_id, const char *slug, const char *email,
                             int64_t *count)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_CODES_FOR_EMAIL);
    sqlite3_bind_int64(st, 1, order_id);
    db_bind_text(st, 2, slug);
    db_bind_text(st, 3, email);
    int status = db_step_row(db, st);
    if (status == DB_OK)
        *count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return status;
}

int db_voucher_delivery(struct db *db, struct arena *a, int64_t voucher_id, struct code_delivery *d)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_DELIVERY);
    sqlite3_bind_int64(st, 1, voucher_id);
    int status = db_step_row(db, st);
    if (status == DB_OK)
        *d = (struct code_delivery){.email = db_text(a, st, 0), .mail_id = sqlite3_column_int64(st, 1),
                                    .sent_at = sqlite3_column_int64(st, 2),
                                    .given_up_at = sqlite3_column_int64(st, 3), .error = db_text(a, st, 4)};
    sqlite3_reset(st);
    return status;
}

int db_reminder_due_orders(struct db *db, struct arena *a, int64_t from, int64_t to, int days_before,
                           int64_t **ids, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_REMINDER_DUE_ORDERS);
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_int(st, 3, days_before);
    return db_collect(db, a, st, sizeof **ids, id_row, (void **)ids, n);
}

int db_order_expiring_codes(struct db *db, struct arena *a, int64_t order_id, int64_t from, int64_t to,
                            struct order_code **codes, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_REMINDER_CODES);
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    return db_collect(db, a, st, sizeof **codes, code_row, (void **)codes, n);
}

int db_reminder_add(struct db *db, int64_t order_id, int days_before, int64_t at, int64_t outbox_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_REMINDER_ADD);
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int(st, 2, days_before);
    sqlite3_bind_int64(st, 3, at);
    sqlite3_bind_int64(st, 4, outbox_id);
    return db_exec_stmt(db, st);
}
