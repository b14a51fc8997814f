/* Unit tests for placing orders and delivering their e-mail (src/order.c,
 * src/order_docs.c, src/outbox.c) on a real database file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codes.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "demo.h"
#include "mail.h"
#include "mem.h"
#include "order.h"
#include "outbox.h"
#include "file_fixture.h"
#include "raw_sql.h"

/* Each test opens its own connections (open_db); the fixture's stays open
 * throughout, for count().  Were it closed, the last of a test's worker
 * threads to close would be the database's last connection: SQLite then
 * copies the WAL into the database and deletes it under an EXCLUSIVE lock,
 * and a thread still opening its connection meets that lock while db_open's
 * default busy timeout (5 s, not open_db's 120 s) applies: under load, "cannot
 * configure database: database is locked". */
struct fixture {
    struct file_fixture fx;
    int64_t admin_id, municipality_id;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    *state = f;
    if (file_fixture_open(&f->fx, "voucher-unit") != 0)
        return -1;
    struct arena *a = arena_new();
    struct account acc;
    int rc = file_fixture_demo(&f->fx, a, &acc);
    f->admin_id = acc.id;
    f->municipality_id = acc.municipality_id;
    arena_free(a);
    db_set_busy_timeout(f->fx.db, 120000);
    return rc;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int rc = file_fixture_close(&f->fx);
    free(f);
    return rc;
}

static struct db *open_db(const struct fixture *f)
{
    char err[256];
    struct db *db = db_open(f->fx.cfg.database_path, DB_OPEN_CHECK, err, sizeof err);
    if (!db)
        fail_msg("%s", err);
    /* The concurrency tests wait for the write lock, never for time: under
     * valgrind (make valgrind, ~30x slower) four writers need far more than
     * the server's 5 s, and a lock that is never released still fails. */
    db_set_busy_timeout(db, 120000);
    return db;
}

/* One number from SQL (read-only checks of what the code wrote), on the
 * fixture's own connection: it waits for locks like every other (a fresh raw
 * connection had no busy handler at all), and staying open it keeps the
 * database from ever losing its last connection during a test. */
static long long count(const struct fixture *f, const char *sql)
{
    return query_int(f->fx.db, sql);
}

static enum order_status place(const struct fixture *f, struct db *db, const char *token,
                               const struct order_item_request *items, size_t n, struct order_result *res)
{
    struct arena *a = arena_new();
    struct order_request rq = {.account_id = f->admin_id, .municipality_id = f->municipality_id,
                               .idempotency_token = token, .reference = "", .items = items, .nitems = n};
    char msg[256];
    enum order_status st = order_place(db, &f->fx.keys, &f->fx.cfg, a, &rq, (int64_t)time(NULL), res, msg, sizeof msg);
    res->codes = NULL;
    res->invoice_number = NULL;
    arena_free(a);
    return st;
}

static const struct order_item_request two_items[] = {{"dsgvo-grundlagen", 3}, {"digitales-amt", 2}};

struct worker_arg {
    const struct fixture *f;
    int index;
    int64_t orders[5];
};

static void *order_five(void *p)
{
    struct worker_arg *w = p;
    struct db *db = open_db(w->f);
    for (int i = 0; i < 5; i++) {
        char token[CRYPTO_TOKEN_TEXT_SIZE];
        crypto_token(token);
        struct order_result res;
        if (place(w->f, db, token, two_items, 1, &res) == ORDER_OK)
            w->orders[i] = res.order_id;
    }
    db_close(db);
    return NULL;
}

static void test_invoice_numbers_stay_gapless_under_concurrent_orders(void **state)
{
    struct fixture *f = *state;
    long long before = count(f, "SELECT count(*) FROM orders");
    pthread_t threads[4];
    struct worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct worker_arg){.f = f, .index = i};
        pthread_create(&threads[i], NULL, order_five, &args[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 5; k++)
            assert_true(args[i].orders[k] > 0);
    assert_int_equal(count(f, "SELECT count(*) FROM orders"), before + 20);
    assert_int_equal(count(f, "SELECT max(invoice_seq) - min(invoice_seq) + 1 FROM orders"),
                     count(f, "SELECT count(DISTINCT invoice_seq) FROM orders"));
    assert_int_equal(count(f, "SELECT min(invoice_seq) FROM orders"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM orders WHERE invoice_number <> printf('RE-%04d-%06d',"
                              " invoice_year, invoice_seq)"), 0);
}

static void test_same_token_places_one_order(void **state)
{
    struct fixture *f = *state;
    struct db *db = open_db(f);
    struct order_result first, second;
    assert_int_equal(place(f, db, "token-same-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", two_items, 2, &first), ORDER_OK);
    assert_int_equal(place(f, db, "token-same-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", two_items, 2, &second), ORDER_OK);
    assert_int_equal(second.already_placed, 1);
    assert_int_equal(second.order_id, first.order_id);
    assert_int_equal(count(f, "SELECT count(*) FROM orders WHERE idempotency_token LIKE 'token-same-%'"), 1);
    db_close(db);
}

static void test_order_writes_lines_codes_and_one_mail_in_one_go(void **state)
{
    struct fixture *f = *state;
    struct db *db = open_db(f);
    struct order_result res;
    assert_int_equal(place(f, db, "token-whole-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", two_items, 2, &res), ORDER_OK);
    assert_int_equal(res.ncodes, 5);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM vouchers WHERE order_id = %lld", (long long)res.order_id);
    assert_int_equal(count(f, sql), 5);
    snprintf(sql, sizeof sql, "SELECT sum(quantity) FROM order_lines WHERE order_id = %lld", (long long)res.order_id);
    assert_int_equal(count(f, sql), 5);
    snprintf(sql, sizeof sql, "SELECT gross_cents FROM orders WHERE id = %lld", (long long)res.order_id);
    assert_int_equal(count(f, sql), 125400); /* (3 × 149 + 2 × 299) × 1.2 */
    assert_int_equal(count(f, "SELECT count(*) FROM outbox_attachments WHERE outbox_id = (SELECT max(id) FROM outbox)"), 2);
    db_close(db);
}

/* More codes than one batch of codes_generate, on two lines: each code is
 * stored once, under its own line and item, line by line and within a line
 * in the order of its look-up hash (ids ascending with code_hash: one sweep
 * over the UNIQUE index), the result grouped by line as before, and
 * the connection's page cache is back to its size afterwards. */
static void test_order_stores_its_codes_in_hash_order_under_their_lines(void **state)
{
    struct fixture *f = *state;
    struct db *db = open_db(f);
    long long cache_before = query_int(db, "PRAGMA cache_size");
    const struct order_item_request items[] = {{"dsgvo-grundlagen", 300}, {"digitales-amt", 200}};
    struct arena *a = arena_new();
    struct order_request rq = {.account_id = f->admin_id, .municipality_id = f->municipality_id,
                               .idempotency_token = "token-sorted-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", .reference = "",
                               .items = items, .nitems = 2};
    struct order_result res;
    char msg[256];
    assert_int_equal(order_place(db, &f->fx.keys, &f->fx.cfg, a, &rq, (int64_t)time(NULL), &res, msg, sizeof msg),
                     ORDER_OK);
    assert_int_equal(res.ncodes, 500);
    assert_int_equal(query_int(db, "PRAGMA cache_size"), cache_before);
    size_t per_line[2] = {0, 0};
    for (size_t i = 0; i < res.ncodes; i++) {
        assert_true(res.codes[i].line < 2);
        assert_true(i == 0 || res.codes[i].line >= res.codes[i - 1].line); /* grouped by line, in the items' order */
        per_line[res.codes[i].line]++;
        unsigned char hash[CRYPTO_HASH_SIZE];
        codes_hash(&f->fx.keys, res.codes[i].canon, hash);
        struct voucher v;
        assert_int_equal(db_voucher_by_hash(db, a, hash, &v), DB_OK);
        assert_int_equal(v.order_id, res.order_id);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM vouchers v JOIN order_lines l ON l.id = v.order_line_id"
                 " JOIN catalog_items i ON i.id = v.item_id WHERE v.id = %lld AND l.position = %zu"
                 " AND l.item_id = v.item_id AND i.slug = '%s'",
                 (long long)v.id, res.codes[i].line, items[res.codes[i].line].slug);
        assert_int_equal(count(f, sql), 1);
    }
    assert_int_equal(per_line[0], 300);
    assert_int_equal(per_line[1], 200);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(DISTINCT code_hash) FROM vouchers WHERE order_id = %lld", (long long)res.order_id);
    assert_int_equal(count(f, sql), 500);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM vouchers v JOIN vouchers b ON b.order_id = v.order_id AND b.id > v.id"
             " AND (b.order_line_id < v.order_line_id OR (b.order_line_id = v.order_line_id"
             " AND b.code_hash < v.code_hash)) WHERE v.order_id = %lld",
             (long long)res.order_id);
    assert_int_equal(count(f, sql), 0);
    crypto_wipe(res.codes, res.ncodes * sizeof *res.codes);
    arena_free(a);
    db_close(db);
}

static void test_refused_order_writes_nothing(void **state)
{
    struct fixture *f = *state;
    struct db *db = open_db(f);
    const char *tables[] = {"orders", "order_lines", "vouchers", "outbox", "invoice_counters"};
    long long before[5];
    char sql[64];
    for (int i = 0; i < 5; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        before[i] = count(f, sql);
    }
    long long seq = count(f, "SELECT coalesce(max(last_seq), 0) FROM invoice_counters");
    const struct order_item_request bad[][2] = {
        {{"dsgvo-grundlagen", 3}, {"gibt-es-nicht", 1}},
        {{"dsgvo-grundlagen", 3}, {"e-government-einstieg", 1}}, /* free */
        {{"dsgvo-grundlagen", 3}, {"digitales-amt", 10001}},
        {{"dsgvo-grundlagen", 0}, {"digitales-amt", 1}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct order_result res;
        assert_int_equal(place(f, db, "token-refused-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", bad[i], 2, &res), ORDER_REFUSED);
    }
    for (int i = 0; i < 5; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        assert_int_equal(count(f, sql), before[i]);
    }
    assert_int_equal(count(f, "SELECT coalesce(max(last_seq), 0) FROM invoice_counters"), seq);
    db_close(db);
}

static void test_retry_delays_grow_and_give_up_after_five_days(void **state)
{
    (void)state;
    const int64_t want[] = {60, 300, 900, 3600, 21600, 21600, 21600};
    for (int i = 0; i < 7; i++)
        assert_int_equal(outbox_retry_delay(i + 1, 60), want[i]);
    assert_int_equal(outbox_retry_delay(2, 1), 5);
    assert_false(outbox_give_up(0, 5 * 86400 - 1, 60));
    assert_true(outbox_give_up(0, 5 * 86400, 60));
}

struct sender_arg {
    const struct fixture *f;
    struct outbox_run run;
};

static void *send_all(void *p)
{
    struct sender_arg *s = p;
    struct db *db = open_db(s->f);
    outbox_send_due(db, &s->f->fx.keys, &s->f->fx.cfg, OUTBOX_DUE_NOW, NULL, &s->run);
    db_close(db);
    return NULL;
}

static size_t spooled_files(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strstr(e->d_name, ".eml") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_two_senders_never_send_one_message_twice(void **state)
{
    struct fixture *f = *state;
    mkdir(f->fx.cfg.mail_spool_dir, 0700);
    long long unsent = count(f, "SELECT count(*) FROM outbox WHERE sent_at IS NULL");
    assert_true(unsent >= 20);
    struct sender_arg a = {.f = f}, b = {.f = f};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, send_all, &a);
    pthread_create(&tb, NULL, send_all, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.run.failed + b.run.failed, 0);
    assert_int_equal(a.run.sent + b.run.sent, unsent);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE attempts <> 1"), 0);
    assert_int_equal(spooled_files(f->fx.cfg.mail_spool_dir), (size_t)unsent);
}

static void test_failed_delivery_records_error_and_waits_for_retry(void **state)
{
    struct fixture *f = *state;
    struct db *db = open_db(f);
    struct order_result res;
    assert_int_equal(place(f, db, "token-smtp-down-aaaaaaaaaaaaaaaaaaaaaaaaaaaa", two_items, 1, &res), ORDER_OK);
    free(f->fx.cfg.mail_smtp_url);
    f->fx.cfg.mail_smtp_url = strdup("smtp://127.0.0.1:1"); /* nothing listens there */
    struct outbox_run run = {0};
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(outbox_send_due(db, &f->fx.keys, &f->fx.cfg, OUTBOX_DUE_NOW, NULL, &run), 0);
    assert_int_equal(run.failed, 1);
    assert_int_equal(run.sent, 0);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL"
                              " AND attempts = 1 AND last_error <> '' AND claimed_until = 0"), 1);
    assert_true(count(f, "SELECT next_attempt_at FROM outbox WHERE sent_at IS NULL") >= now + 60);
    struct outbox_run again = {0};
    assert_int_equal(outbox_send_due(db, &f->fx.keys, &f->fx.cfg, OUTBOX_DUE_NOW, NULL, &again), 0);
    assert_int_equal(again.sent + again.failed, 0); /* not due yet */
    assert_int_equal(outbox_send_due(db, &f->fx.keys, &f->fx.cfg, OUTBOX_ALL_UNSENT, NULL, &again), 0);
    assert_int_equal(again.failed, 1); /* voucherctl mail send: tried now, once */
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invoice_numbers_stay_gapless_under_concurrent_orders),
        cmocka_unit_test(test_same_token_places_one_order),
        cmocka_unit_test(test_order_writes_lines_codes_and_one_mail_in_one_go),
        cmocka_unit_test(test_order_stores_its_codes_in_hash_order_under_their_lines),
        cmocka_unit_test(test_refused_order_writes_nothing),
        cmocka_unit_test(test_retry_delays_grow_and_give_up_after_five_days),
        cmocka_unit_test(test_two_senders_never_send_one_message_twice),
        cmocka_unit_test(test_failed_delivery_records_error_and_waits_for_retry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
