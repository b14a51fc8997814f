/* db_accounting — the invoice journal, payments and credit notes. */
#include <string.h>

#include "db_internal.h"
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
