/* Unit tests for src/db.c, db_account.c and db_catalog.c against SQLite
 * databases in memory and in temporary files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "db_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "db_internal.h"
#include "mem.h"
#include "raw_sql.h"

/* A temporary file name (the empty file exists) and removal of it and its WAL files. */
static void temp_path(char *path, size_t n)
{
    snprintf(path, n, "/tmp/test_db_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void remove_db_files(const char *path)
{
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static int64_t add_municipality(struct db *db, const char *gkz)
{
    struct municipality m = {.gkz = gkz, .name = "Musterstadt", .address = "Hauptplatz 1",
                             .invoice_email = "rechnung@musterstadt.gv.at", .uid = "ATU12345678"};
    int64_t id = 0;
    assert_int_equal(db_municipality_add(db, &m, 1000, &id), DB_OK);
    assert_true(id > 0);
    return id;
}

static int64_t add_account(struct db *db, const char *username, enum role role, int64_t mid)
{
    struct account acc = {.username = username, .email = "anna@example.at", .first_name = "Anna",
                          .last_name = "Maier", .role = role, .municipality_id = mid,
                          .password_hash = "$argon2id$dummy"};
    int64_t id = 0;
    assert_int_equal(db_account_add(db, &acc, 1000, &id), DB_OK);
    assert_true(id > 0);
    return id;
}

/* ---- opening and migrations ---- */

static void test_open_memory_applies_migrations_and_prepares_statements(void **state)
{
    struct db_fixture *f = *state;
    assert_non_null(f->db);
    assert_true(db_ping(f->db));
    for (int i = 0; i < Q__MAX; i++)
        assert_non_null(f->db->stmt[i]);
}

/* Every statement of queries.def answers exactly as many columns as the
 * reader its W() names reads; a statement without W() answers none. */
static void test_every_statement_has_the_width_of_its_reader(void **state)
{
    struct db_fixture *f = *state;
    int wrong = 0;
    for (int i = 0; i < Q__MAX; i++) {
        int real = sqlite3_column_count(f->db->stmt[i]);
        if (real != db_query_width[i]) {
            fprintf(stderr, "queries.def: %s returns %d columns but declares %d (%s)\n", db_query_name(i), real,
                    db_query_width[i],
                    db_query_width[i] ? "fix the SQL or its reader's *_COLS"
                                      : "add W(NAME, WIDTH) after it with its reader's width");
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

/* The widths are the readers' own constants, composed where a row
 * continues another reader's (a session with its account). */
static void test_declared_widths_are_the_readers_constants(void **state)
{
    (void)state;
    assert_int_equal(db_query_width[Q_VOUCHER_BY_HASH], VOUCHER_COLS);
    assert_int_equal(db_query_width[Q_SESSION_LOOKUP], 2 + ACCOUNT_COLS);
    assert_int_equal(db_query_width[Q_ORDER_CODES], ORDER_CODE_COLS);
    assert_int_equal(CODE_C_REDEEMER_NAME, VOUCHER_COLS); /* a code row continues the voucher reader */
    assert_int_equal(db_query_width[Q_SESSION_ADD], 0);
}

static void test_read_one_answers_not_found_and_leaves_the_item(void **state)
{
    struct db_fixture *f = *state;
    struct account acc = {.id = 4711};
    assert_int_equal(db_account_by_username(f->db, f->a, "niemand", &acc), DB_NOT_FOUND);
    assert_int_equal(acc.id, 4711);
    int64_t version = -1;
    assert_int_equal(db_catalog_version(f->db, &version), DB_OK);
    assert_true(version >= 0);
}

static void test_user_version_equals_latest_migration(void **state)
{
    struct db_fixture *f = *state;
    assert_true(db_schema_latest() >= 2);
    assert_int_equal(query_int(f->db, "PRAGMA user_version"), db_schema_latest());
}

static void test_migrations_create_tables_and_catalog_version_row(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                      " AND name IN ('municipalities', 'accounts', 'catalog_items',"
                                      " 'package_courses', 'sessions', 'login_failures', 'orders',"
                                      " 'vouchers', 'outbox')"),
                     9);
    int64_t version = 0;
    assert_int_equal(db_catalog_version(f->db, &version), DB_OK);
    assert_int_equal(version, 1);
}

static void test_open_migrate_twice_on_file_is_idempotent(void **state)
{
    (void)state;
    char path[64], err[256] = "";
    temp_path(path, sizeof path);
    struct db *db = db_open(path, DB_OPEN_MIGRATE, err, sizeof err);
    assert_non_null(db);
    add_municipality(db, "10101");
    db_close(db);

    db = db_open(path, DB_OPEN_MIGRATE, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(query_int(db, "PRAGMA user_version"), db_schema_latest());
    assert_int_equal(query_int(db, "SELECT count(*) FROM municipalities"), 1);
    db_close(db);

    db = db_open(path, DB_OPEN_CHECK, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(query_int(db, "SELECT count(*) FROM municipalities WHERE gkz = '10101'"), 1);
    db_close(db);
    remove_db_files(path);
}

static void test_open_check_refuses_empty_file_naming_voucherctl_init(void **state)
{
    (void)state;
    char path[64], err[256] = "";
    temp_path(path, sizeof path);
    struct db *db = db_open(path, DB_OPEN_CHECK, err, sizeof err);
    assert_null(db);
    assert_non_null(strstr(err, "'voucherctl init'"));
    assert_non_null(strstr(err, path));
    remove_db_files(path);
}

static void test_open_check_refuses_missing_file(void **state)
{
    (void)state;
    char err[256] = "";
    const char *path = "/tmp/test_db_surely_missing_dir/x.db";
    struct db *db = db_open(path, DB_OPEN_CHECK, err, sizeof err);
    assert_null(db);
    assert_non_null(strstr(err, path));
    assert_int_equal(access(path, F_OK), -1);
}

/* Durability and privacy of the files: synchronous FULL by default (the
 * configured level otherwise), database and WAL 0600 whatever the umask. */
static void test_open_is_synchronous_full_and_owner_only(void **state)
{
    (void)state;
    char path[64], wal[80], err[256] = "";
    struct stat st;
    temp_path(path, sizeof path);
    mode_t old = umask(022);
    struct db *db = db_open(path, DB_OPEN_MIGRATE, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(query_int(db, "PRAGMA synchronous"), 2); /* FULL */
    add_municipality(db, "10101");
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(wal, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    db_close(db);

    assert_int_equal(db_set_synchronous("normal"), 0);
    db = db_open(path, DB_OPEN_CHECK, err, sizeof err);
    assert_int_equal(query_int(db, "PRAGMA synchronous"), 1);
    db_close(db);
    assert_int_equal(db_set_synchronous("NORMAL"), -1);
    assert_int_equal(db_set_synchronous("full"), 0);
    umask(old);
    remove_db_files(path);
}

/* A backup replaces what a killed earlier run left (<path>.partial) and an
 * older backup at the same path; the copy is complete and owner-only. */
static void test_backup_retries_over_leftovers_and_replaces_atomically(void **state)
{
    (void)state;
    char path[64], copy[80], partial[96], err[256] = "";
    struct stat st;
    temp_path(path, sizeof path);
    snprintf(copy, sizeof copy, "%s.bak", path);
    snprintf(partial, sizeof partial, "%s.partial", copy);
    struct db *db = db_open(path, DB_OPEN_MIGRATE, err, sizeof err);
    assert_non_null(db);
    add_municipality(db, "10101");
    FILE *fp = fopen(partial, "w");
    fputs("half a backup", fp);
    fclose(fp);
    assert_int_equal(db_backup(db, copy, err, sizeof err), DB_OK);
    assert_int_equal(access(partial, F_OK), -1);
    add_municipality(db, "10102");
    assert_int_equal(db_backup(db, copy, err, sizeof err), DB_OK); /* same path again */
    db_close(db);

    assert_int_equal(stat(copy, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    db = db_open(copy, DB_OPEN_CHECK, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(db_integrity_check(db, err, sizeof err), DB_OK);
    assert_int_equal(query_int(db, "SELECT count(*) FROM municipalities"), 2);
    db_close(db);
    remove_db_files(copy);
    remove_db_files(path);
}

/* ---- municipalities ---- */

static void test_municipality_add_and_find_by_gkz_and_id(void **state)
{
    struct db_fixture *f = *state;
    int64_t id = add_municipality(f->db, "30101");
    struct municipality m;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "30101", &m), DB_OK);
    assert_int_equal(m.id, id);
    assert_string_equal(m.gkz, "30101");
    assert_string_equal(m.name, "Musterstadt");
    assert_string_equal(m.address, "Hauptplatz 1");
    assert_string_equal(m.invoice_email, "rechnung@musterstadt.gv.at");
    assert_string_equal(m.uid, "ATU12345678");
    struct municipality m2;
    assert_int_equal(db_municipality_by_id(f->db, f->a, id, &m2), DB_OK);
    assert_string_equal(m2.gkz, "30101");
}

static void test_municipality_unknown_gkz_is_not_found(void **state)
{
    struct db_fixture *f = *state;
    add_municipality(f->db, "30101");
    struct municipality m;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "30102", &m), DB_NOT_FOUND);
    assert_int_equal(db_municipality_by_id(f->db, f->a, 9999, &m), DB_NOT_FOUND);
}

static void test_municipality_duplicate_gkz_is_conflict(void **state)
{
    struct db_fixture *f = *state;
    add_municipality(f->db, "30101");
    struct municipality m = {.gkz = "30101", .name = "Andere", .invoice_email = "x@y.at"};
    assert_int_equal(db_municipality_add(f->db, &m, 1000, NULL), DB_CONFLICT);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM municipalities"), 1);
}

static void test_municipality_malformed_gkz_refused_by_check(void **state)
{
    struct db_fixture *f = *state;
    static const char *const bad[] = {"123", "1234a", "123456", "", "12 34"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct municipality m = {.gkz = bad[i], .name = "X", .invoice_email = "x@y.at"};
        assert_int_equal(db_municipality_add(f->db, &m, 1000, NULL), DB_CONFLICT);
    }
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM municipalities"), 0);
}

static void test_municipality_missing_address_and_uid_stored_empty(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = {.gkz = "40101", .name = "Linz", .invoice_email = "x@linz.at"};
    assert_int_equal(db_municipality_add(f->db, &m, 1000, NULL), DB_OK);
    struct municipality got;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "40101", &got), DB_OK);
    assert_string_equal(got.address, "");
    assert_string_equal(got.uid, "");
}

/* ---- accounts ---- */

static void test_account_add_and_find_by_username_ignoring_case(void **state)
{
    struct db_fixture *f = *state;
    int64_t mid = add_municipality(f->db, "30101");
    int64_t id = add_account(f->db, "Anna.Maier", ROLE_TENANT_ADMIN, mid);
    struct account acc;
    assert_int_equal(db_account_by_username(f->db, f->a, "anna.maier", &acc), DB_OK);
    assert_int_equal(acc.id, id);
    assert_string_equal(acc.username, "Anna.Maier");
    assert_string_equal(acc.email, "anna@example.at");
    assert_string_equal(acc.first_name, "Anna");
    assert_string_equal(acc.last_name, "Maier");
    assert_int_equal(acc.role, ROLE_TENANT_ADMIN);
    assert_int_equal(acc.municipality_id, mid);
    assert_string_equal(acc.password_hash, "$argon2id$dummy");
    assert_false(acc.disabled);
    assert_int_equal(db_account_by_username(f->db, f->a, "ANNA.MAIER", &acc), DB_OK);
    assert_int_equal(acc.id, id);
    struct account by_id;
    assert_int_equal(db_account_by_id(f->db, f->a, id, &by_id), DB_OK);
    assert_string_equal(by_id.username, "Anna.Maier");
}

static void test_account_unknown_username_is_not_found(void **state)
{
    struct db_fixture *f = *state;
    add_account(f->db, "support1", ROLE_SUPPORT, 0);
    struct account acc;
    assert_int_equal(db_account_by_username(f->db, f->a, "support2", &acc), DB_NOT_FOUND);
}

static void test_account_duplicate_username_in_other_case_is_conflict(void **state)
{
    struct db_fixture *f = *state;
    add_account(f->db, "anna", ROLE_SUPPORT, 0);
    struct account acc = {.username = "ANNA", .email = "b@example.at", .first_name = "B",
                          .last_name = "C", .role = ROLE_ADMIN, .password_hash = "h"};
    assert_int_equal(db_account_add(f->db, &acc, 1000, NULL), DB_CONFLICT);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM accounts"), 1);
}

static void test_account_user_without_municipality_is_conflict(void **state)
{
    struct db_fixture *f = *state;
    struct account acc = {.username = "loner", .email = "b@example.at", .first_name = "B",
                          .last_name = "C", .role = ROLE_USER, .password_hash = "h"};
    assert_int_equal(db_account_add(f->db, &acc, 1000, NULL), DB_CONFLICT);
}

static void test_account_support_has_no_municipality(void **state)
{
    struct db_fixture *f = *state;
    int64_t id = add_account(f->db, "helpdesk", ROLE_SUPPORT, 0);
    struct account acc;
    assert_int_equal(db_account_by_id(f->db, f->a, id, &acc), DB_OK);
    assert_int_equal(acc.role, ROLE_SUPPORT);
    assert_int_equal(acc.municipality_id, 0);
}

static void test_role_names_round_trip(void **state)
{
    (void)state;
    static const enum role roles[] = {ROLE_USER, ROLE_TENANT_ADMIN, ROLE_SUPPORT, ROLE_ADMIN};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(role_from_name(role_name(roles[i])), roles[i]);
    assert_string_equal(role_name(ROLE_TENANT_ADMIN), "tenant_admin");
    assert_int_equal(role_from_name("root"), 0);
    assert_string_equal(role_name((enum role)3), "?");
}

/* ---- sessions ---- */

static void hash_of(unsigned char h[32], unsigned char fill)
{
    memset(h, fill, 32);
}

/* The support account "helpdesk" with one session: hash h (all 0x11), created at 10000. */
static int64_t helpdesk_session(struct db_fixture *f, unsigned char h[32])
{
    int64_t id = add_account(f->db, "helpdesk", ROLE_SUPPORT, 0);
    hash_of(h, 0x11);
    assert_int_equal(db_session_add(f->db, h, id, 10000), DB_OK);
    return id;
}

/* db_session_lookup of hash h at now, with the account discarded. */
static int lookup(struct db_fixture *f, const unsigned char h[32], int64_t now, int64_t idle_since,
                  int64_t created_since)
{
    struct account acc;
    return db_session_lookup(f->db, f->a, h, now, idle_since, created_since, &acc);
}

static void test_session_add_and_lookup_returns_account(void **state)
{
    struct db_fixture *f = *state;
    unsigned char h[32];
    int64_t id = helpdesk_session(f, h);
    struct account acc;
    assert_int_equal(db_session_lookup(f->db, f->a, h, 10010, 10010 - 1800, 10010 - 43200, &acc),
                     DB_OK);
    assert_int_equal(acc.id, id);
    assert_string_equal(acc.username, "helpdesk");
    unsigned char other[32];
    hash_of(other, 0x22);
    assert_int_equal(lookup(f, other, 10010, 0, 0), DB_NOT_FOUND);
}

static void test_session_idle_expiry(void **state)
{
    struct db_fixture *f = *state;
    unsigned char h[32];
    helpdesk_session(f, h);
    /* last seen at 10000 (a look-up within the minute does not renew it):
     * alive while idle_since < 10000 */
    assert_int_equal(lookup(f, h, 10030, 9999, 0), DB_OK);
    assert_int_equal(lookup(f, h, 11800, 10000, 0), DB_NOT_FOUND);
    assert_int_equal(lookup(f, h, 11900, 10500, 0), DB_NOT_FOUND);
}

static void test_session_lookup_renews_last_seen_after_a_minute(void **state)
{
    struct db_fixture *f = *state;
    unsigned char h[32];
    helpdesk_session(f, h);
    assert_int_equal(lookup(f, h, 10030, 0, 0), DB_OK);
    assert_int_equal(query_int(f->db, "SELECT last_seen_at FROM sessions"), 10000);
    assert_int_equal(lookup(f, h, 10100, 0, 0), DB_OK);
    assert_int_equal(query_int(f->db, "SELECT last_seen_at FROM sessions"), 10100);
    /* renewed: an idle limit after the creation time no longer ends it */
    assert_int_equal(lookup(f, h, 10110, 10050, 0), DB_OK);
}

static void test_session_absolute_expiry(void **state)
{
    struct db_fixture *f = *state;
    unsigned char h[32];
    helpdesk_session(f, h);
    /* seen at 49990 (renews last_seen_at) */
    assert_int_equal(lookup(f, h, 49990, 9999, 9999), DB_OK);
    assert_int_equal(lookup(f, h, 50010, 49000, 9999), DB_OK);
    /* recently seen, but created too long ago */
    assert_int_equal(lookup(f, h, 50020, 49000, 10000), DB_NOT_FOUND);
}

static void test_session_delete_ends_it(void **state)
{
    struct db_fixture *f = *state;
    unsigned char h[32], h2[32];
    int64_t id = helpdesk_session(f, h);
    hash_of(h2, 0x22);
    assert_int_equal(db_session_add(f->db, h2, id, 10000), DB_OK);
    assert_int_equal(db_session_delete(f->db, h), DB_OK);
    assert_int_equal(lookup(f, h, 10001, 0, 0), DB_NOT_FOUND);
    assert_int_equal(lookup(f, h2, 10001, 0, 0), DB_OK);
}

static void test_session_of_disabled_account_is_not_found(void **state)
{
    struct db_fixture *f = *state;
    unsigned char h[32];
    helpdesk_session(f, h);
    assert_int_equal(sqlite3_exec(f->db->conn, "UPDATE accounts SET disabled = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(lookup(f, h, 10001, 0, 0), DB_NOT_FOUND);
}

static void test_session_purge_removes_expired_only(void **state)
{
    struct db_fixture *f = *state;
    int64_t id = add_account(f->db, "helpdesk", ROLE_SUPPORT, 0);
    unsigned char old[32], fresh[32];
    hash_of(old, 0x11);
    hash_of(fresh, 0x22);
    assert_int_equal(db_session_add(f->db, old, id, 1000), DB_OK);
    assert_int_equal(db_session_add(f->db, fresh, id, 5000), DB_OK);
    assert_int_equal(db_session_purge(f->db, 2000, 0), DB_OK);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM sessions"), 1);
    assert_int_equal(lookup(f, fresh, 5001, 0, 0), DB_OK);
}

/* ---- login failures ---- */

/* The number of failures under key since the given time (counted up to 1000). */
static int64_t failures(struct db_fixture *f, const char *key, int64_t since)
{
    int64_t n = -1;
    assert_int_equal(db_login_failure_count(f->db, key, since, 1000, &n), DB_OK);
    return n;
}

static void test_login_failure_count_within_window(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(db_login_failure_add(f->db, "u:anna", 100, NULL), DB_OK);
    assert_int_equal(db_login_failure_add(f->db, "u:anna", 200, NULL), DB_OK);
    assert_int_equal(db_login_failure_add(f->db, "u:anna", 300, NULL), DB_OK);
    assert_int_equal(db_login_failure_add(f->db, "ip:10.0.0.1", 300, NULL), DB_OK);
    assert_int_equal(failures(f, "u:anna", 0), 3);
    assert_int_equal(failures(f, "u:anna", 150), 2);
    assert_int_equal(failures(f, "u:anna", 300), 0);
    assert_int_equal(failures(f, "ip:10.0.0.1", 0), 1);
    assert_int_equal(failures(f, "u:bert", 0), 0);
    int64_t n = -1; /* the count stops at the limit */
    assert_int_equal(db_login_failure_count(f->db, "u:anna", 0, 2, &n), DB_OK);
    assert_int_equal(n, 2);
}

static void test_login_failure_clear_and_purge(void **state)
{
    struct db_fixture *f = *state;
    db_login_failure_add(f->db, "u:anna", 100, NULL);
    db_login_failure_add(f->db, "u:bert", 100, NULL);
    db_login_failure_add(f->db, "u:bert", 500, NULL);
    assert_int_equal(db_login_failure_clear(f->db, "u:anna"), DB_OK);
    assert_int_equal(failures(f, "u:anna", 0), 0);
    assert_int_equal(db_login_failure_purge(f->db, 100), DB_OK);
    assert_int_equal(failures(f, "u:bert", 0), 1);
}

/* ---- catalog ---- */

static int64_t upsert(struct db *db, enum item_kind kind, const char *slug, const char *title,
                      int64_t price, int64_t position)
{
    struct catalog_item it = {.kind = kind, .slug = slug, .title = title, .description = "Beschreibung",
                              .hours = 8, .price_cents = price};
    int64_t id = 0;
    assert_int_equal(db_catalog_upsert(db, &it, position, &id), DB_OK);
    assert_true(id > 0);
    return id;
}

static int64_t version_of(struct db *db)
{
    int64_t v = 0;
    assert_int_equal(db_catalog_version(db, &v), DB_OK);
    return v;
}

/* The catalog, all items or the active ones only. */
static struct catalog list(struct db_fixture *f, bool active_only)
{
    struct catalog cat;
    assert_int_equal(db_catalog_list(f->db, f->a, active_only, &cat), DB_OK);
    return cat;
}

static void test_catalog_upsert_and_list_with_package_course_titles(void **state)
{
    struct db_fixture *f = *state;
    int64_t a = upsert(f->db, ITEM_COURSE, "a", "Kurs A", 1000, 0);
    int64_t b = upsert(f->db, ITEM_COURSE, "b", "Kurs B", 0, 1);
    int64_t p = upsert(f->db, ITEM_PACKAGE, "p", "Paket P", 1500, 0);
    int64_t ids[] = {b, a};
    assert_int_equal(db_catalog_package_set_courses(f->db, p, ids, 2), DB_OK);

    struct catalog cat = list(f, true);
    assert_int_equal(cat.nitems, 3);
    assert_string_equal(cat.items[0].slug, "a");
    assert_int_equal(cat.items[0].kind, ITEM_COURSE);
    assert_int_equal(cat.items[0].price_cents, 1000);
    assert_int_equal(cat.items[0].hours, 8);
    assert_string_equal(cat.items[0].description, "Beschreibung");
    assert_true(cat.items[0].active);
    assert_int_equal(cat.items[0].ncourse_titles, 0);
    assert_string_equal(cat.items[1].slug, "b");
    assert_int_equal(cat.items[1].price_cents, 0);
    assert_string_equal(cat.items[2].slug, "p");
    assert_int_equal(cat.items[2].kind, ITEM_PACKAGE);
    assert_int_equal(cat.items[2].id, p);
    assert_int_equal(cat.items[2].ncourse_titles, 2);
    assert_string_equal(cat.items[2].course_titles[0], "Kurs B");
    assert_string_equal(cat.items[2].course_titles[1], "Kurs A");
}

static void test_catalog_list_grows_past_sixteen_items(void **state)
{
    struct db_fixture *f = *state;
    char slug[16], title[32];
    for (int i = 0; i < 40; i++) {
        snprintf(slug, sizeof slug, "k%02d", i);
        snprintf(title, sizeof title, "Kurs %02d", i);
        upsert(f->db, ITEM_COURSE, slug, title, 100, i);
    }
    struct catalog cat = list(f, false);
    assert_int_equal(cat.nitems, 40);
    assert_string_equal(cat.items[0].title, "Kurs 00");
    assert_string_equal(cat.items[39].title, "Kurs 39");
}

static void test_catalog_upsert_updates_existing_slug(void **state)
{
    struct db_fixture *f = *state;
    int64_t id1 = upsert(f->db, ITEM_COURSE, "a", "Alt", 1000, 0);
    int64_t id2 = upsert(f->db, ITEM_COURSE, "a", "Neu", 2000, 0);
    assert_int_equal(id1, id2);
    struct catalog_item it;
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "a", &it), DB_OK);
    assert_string_equal(it.title, "Neu");
    assert_int_equal(it.price_cents, 2000);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM catalog_items"), 1);
}

static void test_catalog_upsert_other_kind_is_conflict(void **state)
{
    struct db_fixture *f = *state;
    upsert(f->db, ITEM_COURSE, "a", "Kurs A", 1000, 0);
    struct catalog_item it = {.kind = ITEM_PACKAGE, .slug = "a", .title = "Paket A", .description = "",
                              .hours = 1, .price_cents = 1};
    int64_t id = -7;
    assert_int_equal(db_catalog_upsert(f->db, &it, 0, &id), DB_CONFLICT);
    struct catalog_item got;
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "a", &got), DB_OK);
    assert_int_equal(got.kind, ITEM_COURSE);
    assert_string_equal(got.title, "Kurs A");
}

static void test_catalog_item_by_unknown_slug_is_not_found(void **state)
{
    struct db_fixture *f = *state;
    struct catalog_item it;
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "nix", &it), DB_NOT_FOUND);
}

static void test_catalog_version_increases_on_every_change(void **state)
{
    struct db_fixture *f = *state;
    int64_t v0 = version_of(f->db);
    int64_t a = upsert(f->db, ITEM_COURSE, "a", "Kurs A", 1000, 0);
    int64_t v1 = version_of(f->db);
    assert_true(v1 > v0);
    upsert(f->db, ITEM_COURSE, "a", "Kurs A neu", 1000, 0);
    int64_t v2 = version_of(f->db);
    assert_true(v2 > v1);
    int64_t p = upsert(f->db, ITEM_PACKAGE, "p", "Paket", 1000, 0);
    int64_t v3 = version_of(f->db);
    assert_true(v3 > v2);
    assert_int_equal(db_catalog_package_set_courses(f->db, p, &a, 1), DB_OK);
    int64_t v4 = version_of(f->db);
    assert_true(v4 > v3);
    assert_int_equal(db_catalog_package_set_courses(f->db, p, NULL, 0), DB_OK);
    int64_t v5 = version_of(f->db);
    assert_true(v5 > v4);
}

static void test_catalog_version_unchanged_by_reading(void **state)
{
    struct db_fixture *f = *state;
    upsert(f->db, ITEM_COURSE, "a", "Kurs A", 1000, 0);
    int64_t v = version_of(f->db);
    list(f, true);
    assert_int_equal(version_of(f->db), v);
}

static void test_catalog_list_active_only_hides_inactive(void **state)
{
    struct db_fixture *f = *state;
    upsert(f->db, ITEM_COURSE, "a", "Kurs A", 1000, 0);
    upsert(f->db, ITEM_COURSE, "b", "Kurs B", 1000, 1);
    assert_int_equal(sqlite3_exec(f->db->conn, "UPDATE catalog_items SET active = 0 WHERE slug = 'b'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    struct catalog cat = list(f, true);
    assert_int_equal(cat.nitems, 1);
    assert_string_equal(cat.items[0].slug, "a");
    cat = list(f, false);
    assert_int_equal(cat.nitems, 2);
    assert_false(cat.items[1].active);
    /* an upsert re-activates */
    upsert(f->db, ITEM_COURSE, "b", "Kurs B", 1000, 1);
    cat = list(f, true);
    assert_int_equal(cat.nitems, 2);
}

/* ---- transactions ---- */

static void test_begin_rollback_leaves_nothing_behind(void **state)
{
    struct db_fixture *f = *state;
    int64_t v = version_of(f->db);
    assert_int_equal(db_begin(f->db), DB_OK);
    add_municipality(f->db, "50101");
    add_account(f->db, "helpdesk", ROLE_SUPPORT, 0);
    upsert(f->db, ITEM_COURSE, "a", "Kurs A", 1000, 0);
    db_rollback(f->db);
    struct municipality m;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "50101", &m), DB_NOT_FOUND);
    struct account acc;
    assert_int_equal(db_account_by_username(f->db, f->a, "helpdesk", &acc), DB_NOT_FOUND);
    assert_int_equal(list(f, false).nitems, 0);
    assert_int_equal(version_of(f->db), v);
}

static void test_begin_commit_keeps_changes(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(db_begin(f->db), DB_OK);
    add_municipality(f->db, "50101");
    assert_int_equal(db_commit(f->db), DB_OK);
    db_rollback(f->db); /* harmless without a transaction */
    struct municipality m;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "50101", &m), DB_OK);
}

static void test_begin_large_raises_the_page_cache_until_the_transaction_ends(void **state)
{
    struct db_fixture *f = *state;
    int64_t before = query_int(f->db, "PRAGMA cache_size");
    assert_true(before != 0);
    assert_int_equal(db_begin_large(f->db, 10000), DB_OK);
    assert_int_equal(query_int(f->db, "PRAGMA cache_size"), 10000 + DB_LARGE_CACHE_PAGES);
    add_municipality(f->db, "50101");
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(query_int(f->db, "PRAGMA cache_size"), before);
    struct municipality m;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "50101", &m), DB_OK);

    /* A rollback ends it too, and nothing of it stays. */
    assert_int_equal(db_begin_large(f->db, 50), DB_OK);
    assert_int_equal(query_int(f->db, "PRAGMA cache_size"), 50 + DB_LARGE_CACHE_PAGES);
    add_municipality(f->db, "50102");
    db_rollback(f->db);
    assert_int_equal(query_int(f->db, "PRAGMA cache_size"), before);
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "50102", &m), DB_NOT_FOUND);

    /* Inside a transaction it is refused like db_begin, and changes nothing. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(db_begin_large(f->db, 50), DB_ERROR);
    assert_int_equal(query_int(f->db, "PRAGMA cache_size"), before);
    db_rollback(f->db);
}

static void test_audit_add_writes_a_row(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(db_audit_add(f->db, 0, AUDIT_TENANT_ADD, "30101", NULL, NULL, 1234), DB_OK);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM audit_log WHERE action = 'tenant.add'"
                                      " AND subject = '30101' AND detail = '' AND account_id IS NULL"
                                      " AND ip IS NULL AND at = 1234"),
                     1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, db_fixture_setup, db_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_open_memory_applies_migrations_and_prepares_statements),
        T(test_every_statement_has_the_width_of_its_reader),
        T(test_declared_widths_are_the_readers_constants),
        T(test_read_one_answers_not_found_and_leaves_the_item),
        T(test_user_version_equals_latest_migration),
        T(test_migrations_create_tables_and_catalog_version_row),
        cmocka_unit_test(test_open_migrate_twice_on_file_is_idempotent),
        cmocka_unit_test(test_open_is_synchronous_full_and_owner_only),
        cmocka_unit_test(test_backup_retries_over_leftovers_and_replaces_atomically),
        cmocka_unit_test(test_open_check_refuses_empty_file_naming_voucherctl_init),
        cmocka_unit_test(test_open_check_refuses_missing_file),
        T(test_municipality_add_and_find_by_gkz_and_id),
        T(test_municipality_unknown_gkz_is_not_found),
        T(test_municipality_duplicate_gkz_is_conflict),
        T(test_municipality_malformed_gkz_refused_by_check),
        T(test_municipality_missing_address_and_uid_stored_empty),
        T(test_account_add_and_find_by_username_ignoring_case),
        T(test_account_unknown_username_is_not_found),
        T(test_account_duplicate_username_in_other_case_is_conflict),
        T(test_account_user_without_municipality_is_conflict),
        T(test_account_support_has_no_municipality),
        cmocka_unit_test(test_role_names_round_trip),
        T(test_session_add_and_lookup_returns_account),
        T(test_session_idle_expiry),
        T(test_session_lookup_renews_last_seen_after_a_minute),
        T(test_session_absolute_expiry),
        T(test_session_delete_ends_it),
        T(test_session_of_disabled_account_is_not_found),
        T(test_session_purge_removes_expired_only),
        T(test_login_failure_count_within_window),
        T(test_login_failure_clear_and_purge),
        T(test_catalog_upsert_and_list_with_package_course_titles),
        T(test_catalog_list_grows_past_sixteen_items),
        T(test_catalog_upsert_updates_existing_slug),
        T(test_catalog_upsert_other_kind_is_conflict),
        T(test_catalog_item_by_unknown_slug_is_not_found),
        T(test_catalog_version_increases_on_every_change),
        T(test_catalog_version_unchanged_by_reading),
        T(test_catalog_list_active_only_hides_inactive),
        T(test_begin_rollback_leaves_nothing_behind),
        T(test_begin_commit_keeps_changes),
        T(test_begin_large_raises_the_page_cache_until_the_transaction_ends),
        T(test_audit_add_writes_a_row),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
