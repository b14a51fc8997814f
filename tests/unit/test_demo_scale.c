/* Unit test of voucherctl demo --scale (demo_scale) at a small factor
 * (0.005: 1,000 accounts, 5,000 vouchers): the counts it promises and the
 * data set's invariants — GKZ unique and plausible, accounts without
 * passwords, orders of at most 10,000 codes with gapless invoice numbers,
 * every redeemed code with its enrollment and its "OK" attempt, the kept
 * per-order counts equal to the sums, no attempt inside a rate-limit window,
 * most codes left open.  No timing is asserted. */
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
#include "file_fixture.h"
#include "raw_sql.h"

struct fixture {
    struct file_fixture fx;
    char out[4096]; /* what demo_scale printed */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    *state = f;
    if (file_fixture_open(&f->fx, "voucher-scale") != 0)
        return -1;
    FILE *out = fmemopen(f->out, sizeof f->out - 1, "w");
    int rc = out ? demo_scale(f->fx.db, &f->fx.keys, &f->fx.cfg, 0.005, out) : -1;
    if (out)
        fclose(out);
    return rc;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int rc = file_fixture_close(&f->fx);
    free(f);
    return rc;
}

static void prints_logins_and_counts(void **state)
{
    struct fixture *f = *state;
    assert_non_null(strstr(f->out, "gemeinde       tenant_admin  30604"));
    assert_non_null(strstr(f->out, "admin          admin"));
    assert_non_null(strstr(f->out, "1000 Konten"));
    assert_non_null(strstr(f->out, "5000 Voucher"));
    assert_non_null(strstr(f->out, "insgesamt"));
}

static void municipalities_have_unique_plausible_gkz(void **state)
{
    struct db *db = ((struct fixture *)*state)->fx.db;
    int64_t n = query_int(db, "SELECT count(*) FROM municipalities");
    assert_true(n >= 12); /* 0.005 × 2,100 and the two demo ones; every Bundesland at least one */
    assert_int_equal(query_int(db, "SELECT count(DISTINCT gkz) FROM municipalities"), n);
    assert_int_equal(query_int(db, "SELECT count(*) FROM municipalities WHERE NOT (gkz GLOB '[1-9][0-9][0-9][0-9][0-9]'"
                                   " AND (substr(gkz, 2, 2) <> '00' OR gkz = '90001') AND substr(gkz, 4, 2) <> '00')"), 0);
    assert_int_equal(query_int(db, "SELECT count(DISTINCT substr(gkz, 1, 1)) FROM municipalities"), 9);
    assert_int_equal(query_int(db, "SELECT count(DISTINCT name) FROM municipalities"), n);
    assert_int_equal(query_int(db, "SELECT count(*) FROM municipalities WHERE gkz = '90001' AND name = 'Stadt Wien'"), 1);
}

static void accounts_without_passwords_and_a_tenant_admin_each(void **state)
{
    struct db *db = ((struct fixture *)*state)->fx.db;
    assert_int_equal(query_int(db, "SELECT count(*) FROM accounts WHERE password_hash = ''"), 1000);
    assert_int_equal(query_int(db, "SELECT count(*) FROM accounts"), 1005); /* and the five demo logins */
    assert_int_equal(query_int(db, "SELECT count(DISTINCT username) FROM accounts"), 1005);
    assert_int_equal(query_int(db, "SELECT count(*) FROM municipalities m WHERE NOT EXISTS (SELECT 1 FROM accounts a"
                                   " WHERE a.municipality_id = m.id AND a.role = 'tenant_admin')"), 0);
}

static void orders_with_gapless_invoice_numbers(void **state)
{
    struct db *db = ((struct fixture *)*state)->fx.db;
    assert_int_equal(query_int(db, "SELECT count(*) FROM vouchers"), 5000);
    int64_t orders = query_int(db, "SELECT count(*) FROM orders");
    assert_true(orders >= 8);
    assert_int_equal(query_int(db, "SELECT count(*) FROM (SELECT order_id FROM vouchers GROUP BY order_id"
                                   " HAVING count(*) > 10000)"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM orders o WHERE NOT EXISTS"
                                   " (SELECT 1 FROM vouchers v WHERE v.order_id = o.id)"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM (SELECT invoice_year FROM orders GROUP BY invoice_year"
                                   " HAVING min(invoice_seq) <> 1 OR max(invoice_seq) <> count(*))"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM outbox"), orders); /* each order's invoice e-mail */
}

static void every_redeemed_code_has_its_enrollment_and_attempt(void **state)
{
    struct db *db = ((struct fixture *)*state)->fx.db;
    int64_t redeemed = query_int(db, "SELECT count(*) FROM vouchers WHERE redeemed_at IS NOT NULL");
    assert_true(redeemed >= 700 && redeemed <= 750); /* 15 % of each order */
    assert_int_equal(query_int(db, "SELECT count(*) FROM vouchers v WHERE v.redeemed_at IS NOT NULL AND NOT EXISTS"
                                   " (SELECT 1 FROM enrollments e WHERE e.voucher_id = v.id"
                                   " AND e.account_id = v.redeemed_by)"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM enrollments e JOIN vouchers v ON v.id = e.voucher_id"
                                   " WHERE v.redeemed_at IS NULL OR v.redeemed_by <> e.account_id"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM redemption_attempts a JOIN vouchers v ON v.id = a.voucher_id"
                                   " JOIN accounts c ON c.id = v.redeemed_by"
                                   " WHERE a.result = 'OK' AND a.username = c.username"), redeemed);
    assert_int_equal(query_int(db, "SELECT sum(codes_redeemed) FROM orders"), redeemed);
    assert_int_equal(query_int(db, "SELECT count(*) FROM orders o WHERE codes_redeemed <> (SELECT count(*)"
                                   " FROM vouchers v WHERE v.order_id = o.id AND v.redeemed_at IS NOT NULL)"), 0);
    assert_true(query_int(db, "SELECT count(*) FROM redemption_attempts WHERE result = 'V03'") > 0);
    /* Old enough that no rate limit counts them, and redeemed within validity. */
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM redemption_attempts WHERE at > %lld",
             (long long)time(NULL) - 86400);
    assert_int_equal(query_int(db, sql), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM vouchers WHERE redeemed_at > valid_until"
                                   " OR redeemed_at < created_at"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM vouchers WHERE redeemed_at IS NULL"), 5000 - redeemed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prints_logins_and_counts),
        cmocka_unit_test(municipalities_have_unique_plausible_gkz),
        cmocka_unit_test(accounts_without_passwords_and_a_tenant_admin_each),
        cmocka_unit_test(orders_with_gapless_invoice_numbers),
        cmocka_unit_test(every_redeemed_code_has_its_enrollment_and_attempt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
