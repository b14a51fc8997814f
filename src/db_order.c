/* db_order — orders, invoice numbers, vouchers and the outbox. */
#include "db_internal.h"
#include "mem.h"

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

/* Runs an INSERT and hands back the new row's id. */
static int insert(struct db *db, sqlite3_stmt *st, int64_t *id)
{
    int status = db_exec_stmt(db, st);
    if (status == DB_OK && id)
        *id = sqlite3_last_insert_rowid(db->conn);
    return status;
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
    return insert(db, st, id);
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
    return insert(db, st, id);
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
    return insert(db, st, id);
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
    sqlite3_reset(st);
    return DB_OK;
}

int db_outbox_add(struct db *db, const struct mail_message *m, int64_t now, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_ADD);
    sqlite3_bind_int64(st, 1, now);
    db_bind_text(st, 2, m->recipients);
    db_bind_text(st, 3, m->subject);
    db_bind_text(st, 4, m->body_text);
    int64_t outbox_id;
    int status = insert(db, st, &outbox_id);
    for (size_t i = 0; i < m->nattachments && status == DB_OK; i++) {
        const struct mail_attachment *at = &m->attachments[i];
        st = db_stmt(db, Q_OUTBOX_ATTACHMENT_ADD);
        sqlite3_bind_int64(st, 1, outbox_id);
        db_bind_text(st, 2, at->filename);
        db_bind_text(st, 3, at->content_type);
        sqlite3_bind_blob(st, 4, at->data, (int)at->len, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, (int64_t)i);
        status = db_exec_stmt(db, st);
    }
    if (status == DB_OK && id)
        *id = outbox_id;
    return status;
}
