/* db_accounting — the invoice journal, payments and credit notes. */
#include <string.h>

#include "db_internal.h"
#include <string.h>

#include "mem.h"

static void bind_filter(sqlite3_stmt *st, const struct journal_filter *f)
{
    sqlite3_bind_int64(st, 1, f->from);
    sqlite3_bind_int64(st, 2, f->to);
    db_bind_text(st, 3, f->gkz ? f->gkz : "");
    sqlite3_bind_int64(st, 4, f->now);
    db_bind_text(st, 5, f->status ? f->status : "");
}

static void journal_columns(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct journal_row *)item = (struct journal_row){
        .order_id = sqlite3_column_int64(st, JOURNAL_C_ORDER_ID),
        .invoice_number = db_text(a, st, JOURNAL_C_NUMBER),
        .created_at = sqlite3_column_int64(st, JOURNAL_C_CREATED_AT),
        .recipient_name = db_text(a, st, JOURNAL_C_NAME),
        .recipient_gkz = db_text(a, st, JOURNAL_C_GKZ),
        .net_cents = sqlite3_column_int64(st, JOURNAL_C_NET),
        .vat_cents = sqlite3_column_int64(st, JOURNAL_C_VAT),
        .gross_cents = sqlite3_column_int64(st, JOURNAL_C_GROSS),
        .due_at = sqlite3_column_int64(st, JOURNAL_C_DUE_AT),
        .paid_on = db_text(a, st, JOURNAL_C_PAID_ON),
        .credit_numbers = db_text(a, st, JOURNAL_C_CREDIT_NUMBERS),
        .credit_net_cents = sqlite3_column_int64(st, JOURNAL_C_CREDIT_NET),
        .credit_vat_cents = sqlite3_column_int64(st, JOURNAL_C_CREDIT_VAT),
        .credit_gross_cents = sqlite3_column_int64(st, JOURNAL_C_CREDIT_GROSS),
        .status = db_text(a, st, JOURNAL_C_STATUS),
    };
}

int db_journal_list(struct db *db, struct arena *a, const struct journal_filter *f, int newest_first,
                    int64_t offset, int64_t limit, struct journal_row **rows, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_JOURNAL_LIST);
    bind_filter(st, f);
    sqlite3_bind_int(st, 6, newest_first ? 1 : 0);
    sqlite3_bind_int64(st, 7, limit);
    sqlite3_bind_int64(st, 8, offset);
    return db_collect(db, a, st, sizeof **rows, journal_columns, (void **)rows, n);
}

static void totals_columns(sqlite3_stmt *st, struct arena *a, void *item)
{
    (void)a;
    *(struct journal_totals *)item = (struct journal_totals){
        .count = sqlite3_column_int64(st, JTOTAL_C_COUNT),
        .net_cents = sqlite3_column_int64(st, JTOTAL_C_NET),
        .vat_cents = sqlite3_column_int64(st, JTOTAL_C_VAT),
        .gross_cents = sqlite3_column_int64(st, JTOTAL_C_GROSS),
        .credit_net_cents = sqlite3_column_int64(st, JTOTAL_C_CREDIT_NET),
        .credit_vat_cents = sqlite3_column_int64(st, JTOTAL_C_CREDIT_VAT),
        .credit_gross_cents = sqlite3_column_int64(st, JTOTAL_C_CREDIT_GROSS),
    };
}

int db_journal_totals(struct db *db, const struct journal_filter *f, struct journal_totals *t)
{
    sqlite3_stmt *st = db_stmt(db, Q_JOURNAL_TOTALS);
    bind_filter(st, f);
    int status = db_read_one(db, NULL, st, totals_columns, t);
    return status == DB_OK ? DB_OK : DB_ERROR; /* an aggregate always answers one row */
}

int db_journal_one(struct db *db, struct arena *a, int64_t order_id, int64_t now, struct journal_row *row)
{
    sqlite3_stmt *st = db_stmt(db, Q_JOURNAL_ONE);
    sqlite3_bind_int64(st, 1, 0);
    sqlite3_bind_int64(st, 2, INT64_MAX);
    db_bind_text(st, 3, "");
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, order_id);
    return db_read_one(db, a, st, journal_columns, row);
}

int db_invoice_by_number(struct db *db, const char *number, int64_t *order_id)
{
    sqlite3_stmt *st = db_stmt(db, Q_INVOICE_BY_NUMBER);
    db_bind_text(st, 1, number);
    return db_read_int(db, st, order_id);
}

int db_invoice_set_paid(struct db *db, int64_t order_id, const char *paid_on)
{
    sqlite3_stmt *st = db_stmt(db, Q_INVOICE_SET_PAID);
    sqlite3_bind_int64(st, 1, order_id);
    db_bind_text(st, 2, paid_on);
    return db_exec_one(db, st, DB_NOT_FOUND);
}

int db_credit_note_next(struct db *db, int64_t year, int64_t *seq)
{
    sqlite3_stmt *st = db_stmt(db, Q_CREDIT_NOTE_NEXT);
    sqlite3_bind_int64(st, 1, year);
    return db_read_int(db, st, seq) == DB_OK ? DB_OK : DB_ERROR;
}

int db_credit_note_add(struct db *db, const struct credit_note *cn, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_CREDIT_NOTE_ADD);
    sqlite3_bind_int64(st, 1, cn->order_id);
    sqlite3_bind_int64(st, 2, cn->year);
    sqlite3_bind_int64(st, 3, cn->seq);
    db_bind_text(st, 4, cn->number);
    db_bind_text(st, 5, cn->scope == CREDIT_ALL ? "all" : "open");
    db_bind_text(st, 6, cn->reason);
    db_bind_id(st, 7, cn->account_id);
    sqlite3_bind_int64(st, 8, cn->vat_percent);
    sqlite3_bind_int64(st, 9, cn->net_cents);
    sqlite3_bind_int64(st, 10, cn->vat_cents);
    sqlite3_bind_int64(st, 11, cn->gross_cents);
    sqlite3_bind_int64(st, 12, cn->created_at);
    return db_insert_stmt(db, st, id);
}

int db_credit_note_line_add(struct db *db, const struct credit_note_line *l)
{
    sqlite3_stmt *st = db_stmt(db, Q_CREDIT_NOTE_LINE_ADD);
    sqlite3_bind_int64(st, 1, l->credit_note_id);
    sqlite3_bind_int64(st, 2, l->order_line_id);
    db_bind_text(st, 3, l->title);
    sqlite3_bind_int64(st, 4, l->quantity);
    sqlite3_bind_int64(st, 5, l->unit_price_cents);
    sqlite3_bind_int64(st, 6, l->line_net_cents);
    sqlite3_bind_int64(st, 7, l->position);
    return db_insert_stmt(db, st, NULL);
}

static void cancellable_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct credit_note_line *l = item;
    *l = (struct credit_note_line){.order_line_id = sqlite3_column_int64(st, CANCEL_C_LINE_ID),
                                   .title = db_text(a, st, CANCEL_C_TITLE),
                                   .quantity = sqlite3_column_int64(st, CANCEL_C_COUNT),
                                   .unit_price_cents = sqlite3_column_int64(st, CANCEL_C_UNIT_PRICE)};
    l->line_net_cents = l->quantity * l->unit_price_cents;
}

int db_credit_cancellable(struct db *db, struct arena *a, int64_t order_id, struct credit_note_line **lines,
                          size_t *n)
{
    return db_collect_by_id(db, a, Q_CREDIT_CANCELLABLE, order_id, sizeof **lines, cancellable_row, (void **)lines, n);
}

int db_order_redeemed_count(struct db *db, int64_t order_id, int64_t *count)
{
    sqlite3_stmt *st = db_stmt(db, Q_ORDER_REDEEMED_COUNT);
    sqlite3_bind_int64(st, 1, order_id);
    return db_read_int(db, st, count) == DB_OK ? DB_OK : DB_ERROR;
}

int db_credit_vouchers_revoke(struct db *db, int64_t order_id, int64_t credit_note_id, int64_t now,
                              const char *reason, int64_t *count)
{
    sqlite3_stmt *st = db_stmt(db, Q_CREDIT_VOUCHERS_REVOKE);
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int64(st, 2, credit_note_id);
    sqlite3_bind_int64(st, 3, now);
    db_bind_text(st, 4, reason);
    int status = db_exec_stmt(db, st);
    if (status == DB_OK)
        *count = sqlite3_changes(db_conn(db));
    return status;
}

static void credit_note_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    struct credit_note *cn = item;
    *cn = (struct credit_note){
        .id = sqlite3_column_int64(st, CN_C_ID), .order_id = sqlite3_column_int64(st, CN_C_ORDER_ID),
        .year = sqlite3_column_int64(st, CN_C_YEAR), .seq = sqlite3_column_int64(st, CN_C_SEQ),
        .number = db_text(a, st, CN_C_NUMBER),
        .scope = strcmp(db_text(a, st, CN_C_SCOPE), "all") == 0 ? CREDIT_ALL : CREDIT_OPEN,
        .reason = db_text(a, st, CN_C_REASON), .account_id = sqlite3_column_int64(st, CN_C_ACCOUNT_ID),
        .vat_percent = sqlite3_column_int64(st, CN_C_VAT_PERCENT), .net_cents = sqlite3_column_int64(st, CN_C_NET),
        .vat_cents = sqlite3_column_int64(st, CN_C_VAT), .gross_cents = sqlite3_column_int64(st, CN_C_GROSS),
        .created_at = sqlite3_column_int64(st, CN_C_CREATED_AT),
    };
}

int db_credit_note_by_number(struct db *db, struct arena *a, const char *number, struct credit_note *cn)
{
    sqlite3_stmt *st = db_stmt(db, Q_CREDIT_NOTE_BY_NUMBER);
    db_bind_text(st, 1, number);
    return db_read_one(db, a, st, credit_note_row, cn);
}

int db_credit_notes_of_order(struct db *db, struct arena *a, int64_t order_id, struct credit_note **list,
                             size_t *n)
{
    return db_collect_by_id(db, a, Q_CREDIT_NOTES_OF_ORDER, order_id, sizeof **list, credit_note_row, (void **)list, n);
}

static void credit_line_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct credit_note_line *)item = (struct credit_note_line){
        .credit_note_id = sqlite3_column_int64(st, CL_C_NOTE_ID),
        .order_line_id = sqlite3_column_int64(st, CL_C_ORDER_LINE_ID), .title = db_text(a, st, CL_C_TITLE),
        .quantity = sqlite3_column_int64(st, CL_C_QUANTITY),
        .unit_price_cents = sqlite3_column_int64(st, CL_C_UNIT_PRICE),
        .line_net_cents = sqlite3_column_int64(st, CL_C_LINE_NET),
        .position = sqlite3_column_int64(st, CL_C_POSITION),
    };
}

int db_credit_note_lines(struct db *db, struct arena *a, int64_t credit_note_id, struct credit_note_line **lines,
                         size_t *n)
{
    return db_collect_by_id(db, a, Q_CREDIT_NOTE_LINES, credit_note_id, sizeof **lines, credit_line_row,
                            (void **)lines, n);
}
