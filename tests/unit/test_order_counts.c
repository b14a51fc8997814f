/* Unit tests for the per-order code counts (sql/012_order_counts.sql):
 * after every kind of change of a code's state the counts kept in orders
 * and order_live_codes equal a fresh sum over the vouchers, and the orders
 * list (db_order_list) shows them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "db_internal.h"
#include "demo.h"
#include "mail.h"
#include "mem.h"
#include "order.h"
#include "file_fixture.h"
#include "raw_sql.h"

struct fixture {
    struct file_fixture fx;
    int64_t admin_id, municipality_id, user_id, order_id;
    int64_t v[5]; /* the order's codes */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    *state = f;
    if (file_fixture_open(&f->fx, "voucher-counts") != 0)
        return -1;
    char msg[256];
    struct arena *a = arena_new();
    struct account acc;
    int rc = file_fixture_demo(&f->fx, a, &acc);
    f->admin_id = acc.id;
    f->municipality_id = acc.municipality_id;
    if (rc == DB_OK)
        rc = db_account_by_username(f->fx.db, a, "mitarbeiterin", &acc);
    f->user_id = acc.id;
    static const struct order_item_request items[] = {{"dsgvo-grundlagen", 3}, {"digitales-amt", 2}};
    struct order_request rq = {.account_id = f->admin_id, .municipality_id = f->municipality_id,
                               .idempotency_token = "counts-test-token-000000000000000", .reference = "",
                               .items = items, .nitems = 2};
    struct order_result res;
    if (rc == DB_OK && order_place(f->fx.db, &f->fx.keys, &f->fx.cfg, a, &rq, (int64_t)time(NULL), &res, msg, sizeof msg) !=
                           ORDER_OK)
        rc = -1;
    arena_free(a);
    if (rc != DB_OK)
        return -1;
    f->order_id = query_int(f->fx.db, "SELECT max(id) FROM orders");
    for (int i = 0; i < 5; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT id FROM vouchers WHERE order_id = %lld ORDER BY id LIMIT 1 OFFSET %d",
                 (long long)f->order_id, i);
        f->v[i] = query_int(f->fx.db, sql);
    }
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int rc = file_fixture_close(&f->fx);
    free(f);
    return rc;
}

/* The order's counts as the list shows them at now equal a fresh sum over
 * its vouchers, and every order's kept counts equal their sums. */
static void assert_counts(struct fixture *f, int64_t now, int64_t open, int64_t redeemed, int64_t expired,
                          int64_t revoked)
{
    struct arena *a = arena_new();
    struct order_summary *list;
    size_t n;
    int64_t total;
    assert_int_equal(db_order_list(f->fx.db, a, f->municipality_id, now, "", 0, 50, &list, &n, &total), DB_OK);
    struct order_summary *s = NULL;
    for (size_t i = 0; i < n; i++)
        if (list[i].o.id == f->order_id)
            s = &list[i];
    assert_non_null(s);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT sum(redeemed_at IS NULL AND revoked_at IS NULL AND valid_until >= %lld) * 1000000"
             " + sum(redeemed_at IS NOT NULL) * 10000 + sum(redeemed_at IS NULL AND revoked_at IS NULL"
             " AND valid_until < %lld) * 100 + sum(redeemed_at IS NULL AND revoked_at IS NOT NULL)"
             " FROM vouchers WHERE order_id = %lld",
             (long long)now, (long long)now, (long long)f->order_id);
    int64_t fresh = query_int(f->fx.db, sql);
    assert_int_equal(s->open * 1000000 + s->redeemed * 10000 + s->expired * 100 + s->revoked, fresh);
    assert_int_equal(s->open, open);
    assert_int_equal(s->redeemed, redeemed);
    assert_int_equal(s->expired, expired);
    assert_int_equal(s->revoked, revoked);
    /* the order page's pager counts: by status alone from the kept counts, with a course filter by a count
     * over the codes; summed over the order's courses the two agree, and each equals a fresh count */
    static const char *const statuses[] = {"", "offen", "eingeloest", "abgelaufen", "widerrufen", "anders"};
    static const char *const courses[] = {"dsgvo-grundlagen", "digitales-amt"};
    for (size_t k = 0; k < sizeof statuses / sizeof *statuses; k++) {
        int64_t kept, per_course = 0, c;
        struct code_filter by_status = {"", statuses[k], "", now};
        assert_int_equal(db_order_code_count(f->fx.db, f->order_id, &by_status, &kept), DB_OK);
        for (size_t i = 0; i < 2; i++) {
            struct code_filter by_course = {courses[i], statuses[k], "", now};
            assert_int_equal(db_order_code_count(f->fx.db, f->order_id, &by_course, &c), DB_OK);
            per_course += c;
        }
        int64_t want = k == 0 ? open + redeemed + expired + revoked : k == 1 ? open : k == 2 ? redeemed
                       : k == 3 ? expired : k == 4 ? revoked : 0;
        assert_int_equal(kept, want);
        assert_int_equal(per_course, want);
    }
    assert_int_equal(query_int(f->fx.db, "SELECT count(*) FROM orders o WHERE codes_redeemed <>"
                                      " (SELECT count(*) FROM vouchers v WHERE v.order_id = o.id AND redeemed_at IS NOT NULL)"
                                      " OR codes_revoked <> (SELECT count(*) FROM vouchers v WHERE v.order_id = o.id"
                                      " AND redeemed_at IS NULL AND revoked_at IS NOT NULL)"),
                     0);
    assert_int_equal(query_int(f->fx.db, "SELECT count(*) FROM (SELECT order_id, valid_until, count(*) AS n FROM vouchers"
                                      " WHERE redeemed_at IS NULL AND revoked_at IS NULL GROUP BY 1, 2) s"
                                      " FULL JOIN order_live_codes c USING (order_id, valid_until)"
                                      " WHERE s.n IS NOT c.n"),
                     0);
    arena_free(a);
}

static void in_transaction(int status)
{
    assert_int_equal(status, DB_OK);
}

static void test_counts_follow_every_change_of_a_code(void **state)
{
    struct fixture *f = *state;
    struct db *db = f->fx.db;
    int64_t now = (int64_t)time(NULL);
    assert_counts(f, now, 5, 0, 0, 0);

    /* redeem */
    assert_int_equal(db_begin(db), DB_OK);
    in_transaction(db_redemption_write(db, f->v[0], f->user_id, now));
    assert_int_equal(db_commit(db), DB_OK);
    assert_counts(f, now, 4, 1, 0, 0);
    /* a redemption rolled back leaves the counts as they were */
    assert_int_equal(db_begin(db), DB_OK);
    in_transaction(db_redemption_write(db, f->v[1], f->user_id, now));
    db_rollback(db);
    assert_counts(f, now, 4, 1, 0, 0);

    /* revoke, then unrevoke */
    assert_int_equal(db_support_revoke(db, f->v[1], "verloren", now), DB_OK);
    assert_counts(f, now, 3, 1, 0, 1);
    assert_int_equal(db_support_unrevoke(db, f->v[1]), DB_OK);
    assert_counts(f, now, 4, 1, 0, 0);

    /* extend one code into the past: expired at now; extended again: open */
    assert_int_equal(db_support_extend(db, f->v[2], now - 10), DB_OK);
    assert_counts(f, now, 3, 1, 1, 0);
    assert_int_equal(db_support_extend(db, f->v[2], now + 86400 * 800), DB_OK);
    assert_counts(f, now, 4, 1, 0, 0);
    /* seen two years on, every code but the extended one has expired */
    assert_counts(f, now + 86400 * 400, 1, 1, 3, 0);

    /* release a redemption (support) */
    assert_int_equal(db_support_release(db, f->v[0]), DB_OK);
    assert_counts(f, now, 5, 0, 0, 0);

    /* a redeemed code revoked stays redeemed */
    assert_int_equal(db_begin(db), DB_OK);
    in_transaction(db_redemption_write(db, f->v[3], f->user_id, now));
    assert_int_equal(db_commit(db), DB_OK);
    assert_counts(f, now, 4, 1, 0, 0);

    /* cancellation (storno by credit note): every code not redeemed is revoked */
    int64_t count = 0;
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO credit_notes (order_id, year, seq, number, scope, reason, vat_percent, net_cents,"
             " vat_cents, gross_cents, created_at) VALUES (%lld, 2026, 1, 'GS-2026-000001', 'open', 'Test', 20,"
             " 0, 0, 0, 0)",
             (long long)f->order_id);
    assert_int_equal(sqlite3_exec(db->conn, sql, NULL, NULL, NULL), SQLITE_OK);
    int64_t note = sqlite3_last_insert_rowid(db->conn);
    assert_int_equal(db_begin(db), DB_OK);
    in_transaction(db_credit_vouchers_revoke(db, f->order_id, note, now, "Storno", &count));
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(count, 4);
    assert_counts(f, now, 0, 1, 0, 4);
}

/* A page of the order's codes (db_order_codes, as the order page and
 * codes.csv read them) is in line order, then by id: every offset and
 * length gives the slice of a fresh sort, and only the order's codes. */
static void test_codes_come_by_line_then_id_at_every_offset(void **state)
{
    struct fixture *f = *state;
    /* a second order placed in between must not show up */
    static const struct order_item_request items[] = {{"digitales-amt", 1}, {"dsgvo-grundlagen", 1}};
    struct order_request rq = {.account_id = f->admin_id, .municipality_id = f->municipality_id,
                               .idempotency_token = "counts-test-token-000000000000001", .reference = "",
                               .items = items, .nitems = 2};
    struct order_result res;
    char msg[256];
    struct arena *a = arena_new();
    assert_int_equal(order_place(f->fx.db, &f->fx.keys, &f->fx.cfg, a, &rq, (int64_t)time(NULL), &res, msg,
                                 sizeof msg), ORDER_OK);
    /* the lines' positions swapped: line order is no longer id order */
    char swap[160];
    snprintf(swap, sizeof swap, "UPDATE order_lines SET position = 1 - position WHERE order_id = %lld",
             (long long)f->order_id);
    assert_int_equal(sqlite3_exec(f->fx.db->conn, swap, NULL, NULL, NULL), SQLITE_OK);
    int64_t want[5];
    for (int i = 0; i < 5; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT v.id FROM vouchers v JOIN order_lines l ON l.id = v.order_line_id"
                                  " WHERE v.order_id = %lld ORDER BY l.position, v.id LIMIT 1 OFFSET %d",
                 (long long)f->order_id, i);
        want[i] = query_int(f->fx.db, sql);
    }
    for (int64_t offset = 0; offset <= 5; offset++)
        for (int64_t limit = -1; limit <= 6; limit++) {
            struct order_code *codes;
            size_t n;
            assert_int_equal(db_order_codes(f->fx.db, a, f->order_id, NULL, offset, limit, &codes, &n), DB_OK);
            size_t expect = (size_t)(limit < 0 || offset + limit > 5 ? 5 - offset : limit);
            assert_int_equal(n, expect);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(codes[i].v.id, want[offset + (int64_t)i]);
                assert_int_equal(codes[i].v.order_id, f->order_id);
            }
        }
    arena_free(a);
}

static int64_t voucher_int(struct fixture *f, const char *fmt, int64_t id)
{
    char sql[256];
    snprintf(sql, sizeof sql, fmt, (long long)id);
    return query_int(f->fx.db, sql);
}

/* db_redemption_write, the one way a code is redeemed (h_redeem.c, demo.c):
 * the code and its enrollments together or neither, only inside a write
 * transaction. */
static void test_redemption_write_is_one_unit(void **state)
{
    struct fixture *f = *state;
    struct db *db = f->fx.db;
    int64_t now = (int64_t)time(NULL);
    const char *redeemed = "SELECT count(*) FROM vouchers WHERE id = %lld AND redeemed_at IS NOT NULL";
    const char *enrolled = "SELECT count(*) FROM enrollments WHERE voucher_id = %lld";
    int64_t courses = voucher_int(f, "SELECT count(*) FROM voucher_courses WHERE voucher_id = %lld", f->v[4]);
    assert_true(courses >= 2); /* a package */

    /* outside a transaction: refused, nothing written */
    assert_int_equal(db_redemption_write(db, f->v[4], f->user_id, now), DB_ERROR);
    assert_int_equal(voucher_int(f, redeemed, f->v[4]), 0);

    /* an enrollment that fails undoes the code's update, even when the caller commits */
    assert_int_equal(sqlite3_exec(db->conn, "CREATE TEMP TRIGGER refuse BEFORE INSERT ON enrollments"
                                            " BEGIN SELECT RAISE(ABORT, 'refused'); END", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_not_equal(db_redemption_write(db, f->v[4], f->user_id, now), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(voucher_int(f, redeemed, f->v[4]), 0);
    assert_int_equal(voucher_int(f, enrolled, f->v[4]), 0);
    assert_int_equal(sqlite3_exec(db->conn, "DROP TRIGGER temp.refuse", NULL, NULL, NULL), SQLITE_OK);

    /* redeemed: the code and every course of the package */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_redemption_write(db, f->v[4], f->user_id, now), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(voucher_int(f, redeemed, f->v[4]), 1);
    assert_int_equal(voucher_int(f, enrolled, f->v[4]), courses);

    /* a second time: DB_CONFLICT, nothing more, and the transaction goes on */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_redemption_write(db, f->v[4], f->user_id, now), DB_CONFLICT);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(voucher_int(f, enrolled, f->v[4]), courses);
    assert_counts(f, now, 4, 1, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_follow_every_change_of_a_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redemption_write_is_one_unit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_codes_come_by_line_then_id_at_every_offset, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
