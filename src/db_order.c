/* db_order — orders, invoice numbers and vouchers (also as support finds and changes them). */
#include "db_internal.h"
#include "mem.h"
#include <stdbool.h>
#include <string.h>

struct token_row {
    int64_t id;
    const char *invoice_number;
};

static void token_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct token_row *t = item;
    t->id = sqlite3_column_int64(st, ORDER_TOKEN_C_ID);
    t->invoice_number = db_text(a, st, ORDER_TOKEN_C_INVOICE_NUMBER);
}

int db_order_by_token(struct db *db, struct arena *a, const char *token, int64_t *id,
                      const char **invoice_number)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_BY_TOKEN);
    db_bind_text(st, 1, token);
    struct token_row t;
    int status = db_read_one(db, a, st, token_row, &t);
    if (status == DB_OK) {
        *id = t.id;
        *invoice_number = t.invoice_number;
    }
    return status;
}

int db_invoice_next(struct db *db, int64_t year, int64_t *seq)
{
    sqlite3_stmt *st = db_stmt(db, Q_INVOICE_NEXT);
    sqlite3_bind_int64(st, 1, year);
    return db_read_int(db, st, seq);
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
    db_bind_text(st, 16, o->recipient_gkz);
    db_bind_text(st, 17, o->ordered_by);
    sqlite3_bind_int64(st, 18, o->due_at);
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

/* The voucher columns shared by VOUCHER_BY_HASH, ORDER_CODES and
 * VOUCHER_OF_MUNICIPALITY (their first VOUCHER_COLS). */
static void voucher_columns(sqlite3_stmt *st, struct arena *a, struct voucher *v)
{
    v->id = sqlite3_column_int64(st, VOUCHER_C_ID);
    v->code_sealed_len = (size_t)sqlite3_column_bytes(st, VOUCHER_C_CODE_SEALED);
    v->code_sealed = (const unsigned char *)arena_memdup(a, sqlite3_column_blob(st, VOUCHER_C_CODE_SEALED),
                                                         v->code_sealed_len);
    v->order_id = sqlite3_column_int64(st, VOUCHER_C_ORDER_ID);
    v->item_id = sqlite3_column_int64(st, VOUCHER_C_ITEM_ID);
    v->municipality_id = sqlite3_column_int64(st, VOUCHER_C_MUNICIPALITY_ID);
    v->created_at = sqlite3_column_int64(st, VOUCHER_C_CREATED_AT);
    v->valid_until = sqlite3_column_int64(st, VOUCHER_C_VALID_UNTIL);
    v->redeemed_at = sqlite3_column_int64(st, VOUCHER_C_REDEEMED_AT);
    v->redeemed_by = sqlite3_column_int64(st, VOUCHER_C_REDEEMED_BY);
    v->revoked_at = sqlite3_column_int64(st, VOUCHER_C_REVOKED_AT);
    v->revoke_reason = db_text(a, st, VOUCHER_C_REVOKE_REASON);
    v->issued_to = db_text(a, st, VOUCHER_C_ISSUED_TO);
    v->item_kind = sqlite3_column_text(st, VOUCHER_C_ITEM_KIND)[0] == 'p' ? ITEM_PACKAGE : ITEM_COURSE;
    v->item_title = db_text(a, st, VOUCHER_C_ITEM_TITLE);
}

static void voucher_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    voucher_columns(st, a, item);
}

int db_voucher_by_hash(struct db *db, struct arena *a, const unsigned char hash[32], struct voucher *v)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_BY_HASH);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    return db_read_one(db, a, st, voucher_row, v);
}

int db_voucher_by_id(struct db *db, struct arena *a, int64_t id, struct voucher *v)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_BY_ID);
    sqlite3_bind_int64(st, 1, id);
    return db_read_one(db, a, st, voucher_row, v);
}

struct first_sealed {
    unsigned char *hash;
    struct voucher *v;
    bool ok;
};

static void first_sealed_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct first_sealed *f = item;
    f->ok = sqlite3_column_bytes(st, FIRST_SEALED_C_HASH) == 32;
    if (!f->ok)
        return;
    memcpy(f->hash, sqlite3_column_blob(st, FIRST_SEALED_C_HASH), 32);
    f->v->code_sealed_len = (size_t)sqlite3_column_bytes(st, FIRST_SEALED_C_CODE_SEALED);
    f->v->code_sealed = (const unsigned char *)arena_memdup(a, sqlite3_column_blob(st, FIRST_SEALED_C_CODE_SEALED),
                                                            f->v->code_sealed_len);
}

int db_voucher_first_sealed(struct db *db, struct arena *a, unsigned char hash[32], struct voucher *v)
{
    struct first_sealed f = {.hash = hash, .v = v};
    int status = db_read_one(db, a, db_stmt(db, Q_VOUCHER_FIRST_SEALED), first_sealed_row, &f);
    return status == DB_OK && !f.ok ? DB_ERROR : status;
}

static void order_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct order *o = item;
    o->id = sqlite3_column_int64(st, ORDER_C_ID);
    o->municipality_id = sqlite3_column_int64(st, ORDER_C_MUNICIPALITY_ID);
    o->account_id = sqlite3_column_int64(st, ORDER_C_ACCOUNT_ID);
    o->idempotency_token = db_text(a, st, ORDER_C_TOKEN);
    o->reference = db_text(a, st, ORDER_C_REFERENCE);
    o->invoice_year = sqlite3_column_int64(st, ORDER_C_INVOICE_YEAR);
    o->invoice_seq = sqlite3_column_int64(st, ORDER_C_INVOICE_SEQ);
    o->invoice_number = db_text(a, st, ORDER_C_INVOICE_NUMBER);
    o->recipient_name = db_text(a, st, ORDER_C_RECIPIENT_NAME);
    o->recipient_address = db_text(a, st, ORDER_C_RECIPIENT_ADDRESS);
    o->recipient_uid = db_text(a, st, ORDER_C_RECIPIENT_UID);
    o->vat_percent = sqlite3_column_int64(st, ORDER_C_VAT_PERCENT);
    o->net_cents = sqlite3_column_int64(st, ORDER_C_NET);
    o->vat_cents = sqlite3_column_int64(st, ORDER_C_VAT);
    o->gross_cents = sqlite3_column_int64(st, ORDER_C_GROSS);
    o->created_at = sqlite3_column_int64(st, ORDER_C_CREATED_AT);
    o->recipient_gkz = db_text(a, st, ORDER_C_RECIPIENT_GKZ);
    o->ordered_by = db_text(a, st, ORDER_C_ORDERED_BY);
    o->due_at = sqlite3_column_int64(st, ORDER_C_DUE_AT);
    o->paid_on = db_text(a, st, ORDER_C_PAID_ON);
}

int db_order_by_id(struct db *db, struct arena *a, int64_t id, struct order *o)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_BY_ID);
    sqlite3_bind_int64(st, 1, id);
    return db_read_one(db, a, st, order_row, o);
}

static void line_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct order_line *l = item;
    l->id = sqlite3_column_int64(st, LINE_C_ID);
    l->order_id = sqlite3_column_int64(st, LINE_C_ORDER_ID);
    l->item_id = sqlite3_column_int64(st, LINE_C_ITEM_ID);
    l->title = db_text(a, st, LINE_C_TITLE);
    l->quantity = sqlite3_column_int64(st, LINE_C_QUANTITY);
    l->unit_price_cents = sqlite3_column_int64(st, LINE_C_UNIT_PRICE);
    l->line_net_cents = sqlite3_column_int64(st, LINE_C_LINE_NET);
    l->position = sqlite3_column_int64(st, LINE_C_POSITION);
}

int db_order_lines(struct db *db, struct arena *a, int64_t order_id, struct order_line **lines, size_t *n)
{
    return db_collect_by_id(db, a, Q_ORDER_LINES, order_id, sizeof **lines, line_row, (void **)lines, n);
}

/* ORDER_LIST's row; municipality_id is left 0. */
/* The four counts of ORDER_CODE_COUNTS, read from column `first` on. */
static void read_code_counts(sqlite3_stmt *st, int first, struct order_summary *c)
{
    c->open = sqlite3_column_int64(st, first + OC_C_OPEN);
    c->redeemed = sqlite3_column_int64(st, first + OC_C_REDEEMED);
    c->expired = sqlite3_column_int64(st, first + OC_C_EXPIRED);
    c->revoked = sqlite3_column_int64(st, first + OC_C_REVOKED);
}

static void summary_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct order_summary *)item = (struct order_summary){
        .o = {.id = sqlite3_column_int64(st, SUMMARY_C_ID),
              .created_at = sqlite3_column_int64(st, SUMMARY_C_CREATED_AT),
              .invoice_number = db_text(a, st, SUMMARY_C_INVOICE_NUMBER),
              .reference = db_text(a, st, SUMMARY_C_REFERENCE),
              .net_cents = sqlite3_column_int64(st, SUMMARY_C_NET),
              .vat_cents = sqlite3_column_int64(st, SUMMARY_C_VAT),
              .gross_cents = sqlite3_column_int64(st, SUMMARY_C_GROSS)},
    };
    read_code_counts(st, SUMMARY_C_OPEN, item);
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
    int status = db_read_int(db, st, total);
    if (status != DB_OK)
        return status;
    st = db_stmt(db, Q_ORDER_LIST);
    bind_order_search(st, municipality_id, now, q, offset, limit);
    return db_collect(db, a, st, sizeof **list, summary_row, (void **)list, n);
}

static void counts_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    (void)a;
    read_code_counts(st, 0, item);
}

int db_order_counts(struct db *db, int64_t order_id, int64_t now, struct order_summary *counts)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_COUNTS);
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int64(st, 2, now);
    return db_read_one(db, NULL, st, counts_row, counts);
}

static void code_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct order_code *c = item;
    voucher_columns(st, a, &c->v);
    c->redeemer_name = db_text(a, st, CODE_C_REDEEMER_NAME);
    c->redeemer_username = db_text(a, st, CODE_C_REDEEMER_USERNAME);
    c->recipient_email = db_text(a, st, CODE_C_RECIPIENT_EMAIL);
    c->assigned_at = sqlite3_column_int64(st, CODE_C_ASSIGNED_AT);
    c->mail_id = sqlite3_column_int64(st, CODE_C_MAIL_ID);
    c->mail_sent_at = sqlite3_column_int64(st, CODE_C_MAIL_SENT_AT);
    c->mail_given_up_at = sqlite3_column_int64(st, CODE_C_MAIL_GIVEN_UP_AT);
    c->mail_error = db_text(a, st, CODE_C_MAIL_ERROR);
    c->item_slug = db_text(a, st, CODE_C_ITEM_SLUG);
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

/* The count of a filter by status alone ("" = all) from the counts kept per
 * order (sql/012, ORDER_COUNTS): no read over the order's codes. */
static int kept_code_count(struct db *db, int64_t order_id, const char *status, int64_t now, int64_t *count)
{
    struct order_summary c;
    int rc = db_order_counts(db, order_id, now, &c);
    if (rc == DB_NOT_FOUND) { /* no such order: no codes, as a count over them says */
        *count = 0;
        return DB_OK;
    }
    if (rc != DB_OK)
        return rc;
    *count = !*status                            ? c.open + c.redeemed + c.expired + c.revoked
             : strcmp(status, "offen") == 0      ? c.open
             : strcmp(status, "eingeloest") == 0 ? c.redeemed
             : strcmp(status, "abgelaufen") == 0 ? c.expired
             : strcmp(status, "widerrufen") == 0 ? c.revoked
                                                 : 0; /* as ORDER_CODES_WHERE: no code has another status */
    return DB_OK;
}

int db_order_code_count(struct db *db, int64_t order_id, const struct code_filter *filter, int64_t *count)
{
    if (!filter || (!*or_any(filter->course) && !*or_any(filter->assigned)))
        return kept_code_count(db, order_id, filter ? or_any(filter->status) : "", filter ? filter->now : 0, count);
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_CODE_COUNT);
    sqlite3_bind_int64(st, 1, order_id);
    bind_filter(st, filter);
    return db_read_int(db, st, count);
}

int db_order_items(struct db *db, struct arena *a, int64_t order_id, const char ***slugs, const char ***titles,
                   size_t *n)
{
    return db_collect_slug_titles(db, a, Q_ORDER_ITEMS, order_id, slugs, titles, n);
}

struct municipality_voucher {
    struct voucher *v;
    const char *email;
};

static void municipality_voucher_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct municipality_voucher *mv = item;
    voucher_columns(st, a, mv->v);
    mv->email = db_text(a, st, MVOUCHER_C_EMAIL);
}

int db_voucher_of_municipality(struct db *db, struct arena *a, int64_t voucher_id, int64_t municipality_id,
                               struct voucher *v, const char **email)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_OF_MUNICIPALITY);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, municipality_id);
    struct municipality_voucher mv = {.v = v};
    int status = db_read_one(db, a, st, municipality_voucher_row, &mv);
    if (status == DB_OK)
        *email = mv.email;
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

int db_order_free_codes(struct db *db, struct arena *a, int64_t order_id, const char *slug, int64_t now,
                        int64_t limit, int64_t **ids, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_FREE_CODES);
    sqlite3_bind_int64(st, 1, order_id);
    db_bind_text(st, 2, slug);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, limit);
    return db_collect(db, a, st, sizeof **ids, db_row_int, (void **)ids, n);
}

int db_order_codes_for_email(struct db *db, int64_t order_id, const char *slug, const char *email,
                             int64_t *count)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_CODES_FOR_EMAIL);
    sqlite3_bind_int64(st, 1, order_id);
    db_bind_text(st, 2, slug);
    db_bind_text(st, 3, email);
    return db_read_int(db, st, count);
}

static void delivery_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct code_delivery *)item = (struct code_delivery){
        .email = db_text(a, st, DELIVERY_C_EMAIL), .mail_id = sqlite3_column_int64(st, DELIVERY_C_MAIL_ID),
        .sent_at = sqlite3_column_int64(st, DELIVERY_C_SENT_AT),
        .given_up_at = sqlite3_column_int64(st, DELIVERY_C_GIVEN_UP_AT),
        .error = db_text(a, st, DELIVERY_C_ERROR)};
}

int db_voucher_delivery(struct db *db, struct arena *a, int64_t voucher_id, struct code_delivery *d)
{
    sqlite3_stmt *st = db_stmt(db, Q_VOUCHER_DELIVERY);
    sqlite3_bind_int64(st, 1, voucher_id);
    return db_read_one(db, a, st, delivery_row, d);
}

int db_reminder_due_orders(struct db *db, struct arena *a, int64_t from, int64_t to, int days_before,
                           int64_t **ids, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_REMINDER_DUE_ORDERS);
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_int(st, 3, days_before);
    return db_collect(db, a, st, sizeof **ids, db_row_int, (void **)ids, n);
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

/* ---- support: vouchers found and changed ---- */

int db_support_order_by_invoice(struct db *db, const char *invoice_number, int64_t *order_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_ORDER_BY_INVOICE);
    db_bind_text(st, 1, invoice_number);
    return db_read_int(db, st, order_id);
}

static void hash_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    (void)a;
    if (sqlite3_column_bytes(st, 0) == 32)
        memcpy(item, sqlite3_column_blob(st, 0), 32);
}

int db_support_redeemed_by(struct db *db, struct arena *a, int64_t account_id,
                           unsigned char (**hashes)[32], size_t *n)
{
    return db_collect_by_id(db, a, Q_SUPPORT_VOUCHERS_REDEEMED_BY, account_id, sizeof **hashes, hash_row,
                            (void **)hashes, n);
}

static void voucher_enrollment_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct voucher_enrollment *e = item;
    e->course_title = db_text(a, st, VENROLLMENT_C_COURSE_TITLE);
    e->username = db_text(a, st, VENROLLMENT_C_USERNAME);
    e->enrolled_at = sqlite3_column_int64(st, VENROLLMENT_C_ENROLLED_AT);
    e->completed_on = db_text(a, st, VENROLLMENT_C_COMPLETED_ON);
}

int db_support_voucher_enrollments(struct db *db, struct arena *a, int64_t voucher_id,
                                   struct voucher_enrollment **list, size_t *n)
{
    return db_collect_by_id(db, a, Q_SUPPORT_VOUCHER_ENROLLMENTS, voucher_id, sizeof **list, voucher_enrollment_row,
                            (void **)list, n);
}

/* ---- changes ---- */

/* Steps a conditional UPDATE that must change exactly one row. */
int db_support_revoke(struct db *db, int64_t voucher_id, const char *reason, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHER_REVOKE);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, now);
    db_bind_text(st, 3, reason);
    return db_exec_one(db, st, DB_CONFLICT);
}

int db_support_unrevoke(struct db *db, int64_t voucher_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHER_UNREVOKE);
    sqlite3_bind_int64(st, 1, voucher_id);
    return db_exec_one(db, st, DB_CONFLICT);
}

int db_support_extend(struct db *db, int64_t voucher_id, int64_t valid_until)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHER_EXTEND);
    sqlite3_bind_int64(st, 1, voucher_id);
    sqlite3_bind_int64(st, 2, valid_until);
    return db_exec_one(db, st, DB_CONFLICT);
}

int db_support_release(struct db *db, int64_t voucher_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_SUPPORT_VOUCHER_RELEASE);
    sqlite3_bind_int64(st, 1, voucher_id);
    int status = db_exec_one(db, st, DB_CONFLICT);
    if (status != DB_OK)
        return status;
    st = db_stmt(db, Q_SUPPORT_VOUCHER_ENROLLMENTS_DELETE);
    sqlite3_bind_int64(st, 1, voucher_id);
    return db_exec_stmt(db, st);
}
