/* Unit tests for src/manage.c (adding municipalities and accounts with every
 * rule checked), against an in-memory database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "db_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "manage.h"
#include "mem.h"

static int group_setup(void **state)
{
    (void)state;
    return crypto_startup();
}

static struct municipality tenant(const char *gkz)
{
    return (struct municipality){.gkz = gkz, .name = "Stadtgemeinde Musterstadt",
                                 .address = "Hauptplatz 1\n1234 Musterstadt",
                                 .invoice_email = "rechnung@musterstadt.gv.at", .uid = ""};
}

static struct account person(const char *username, enum role role)
{
    return (struct account){.username = username, .email = "anna@musterstadt.gv.at",
                            .first_name = "Anna", .last_name = "M\xc3\xbcller", .role = role};
}

static int tenant_add(struct db_fixture *f, const struct municipality *m)
{
    f->msg[0] = '\0';
    return manage_tenant_add(f->db, m, 1000, f->msg, sizeof f->msg);
}

static int user_add(struct db_fixture *f, struct account *acc, const char *gkz, const char *password)
{
    f->msg[0] = '\0';
    return manage_user_add(f->db, acc, gkz, password, 1000, f->msg, sizeof f->msg);
}

static void assert_contains(const char *s, const char *needle)
{
    if (!strstr(s, needle))
        fail_msg("\"%s\" does not contain \"%s\"", s, needle);
}

static void assert_no_municipality(struct db_fixture *f, const char *gkz)
{
    struct municipality m;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, gkz, &m), DB_NOT_FOUND);
}

/* ---- tenants ---- */

static void test_tenant_add_stores_municipality(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = tenant("30101");
    assert_int_equal(tenant_add(f, &m), 0);
    struct municipality got;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "30101", &got), DB_OK);
    assert_string_equal(got.name, "Stadtgemeinde Musterstadt");
    assert_string_equal(got.invoice_email, "rechnung@musterstadt.gv.at");
    assert_string_equal(got.address, "Hauptplatz 1\n1234 Musterstadt");
}

static void test_tenant_add_refuses_gkz_of_three_digits(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = tenant("123");
    assert_int_equal(tenant_add(f, &m), 1);
    assert_contains(f->msg, "Gemeindekennziffer (GKZ) muss aus genau 5 Ziffern bestehen");
    assert_no_municipality(f, "123");
}

static void test_tenant_add_refuses_malformed_uid(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = tenant("30102");
    m.uid = "ATU1234";
    assert_int_equal(tenant_add(f, &m), 1);
    assert_contains(f->msg, "ATU12345678");
    assert_no_municipality(f, "30102");
    m.uid = "ATU12345678";
    assert_int_equal(tenant_add(f, &m), 0);
}

static void test_tenant_add_refuses_gkz_with_letter(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = tenant("1234a");
    assert_int_equal(tenant_add(f, &m), 1);
    assert_contains(f->msg, "5 Ziffern");
    assert_no_municipality(f, "1234a");
}

static void test_tenant_add_refuses_missing_or_long_gkz(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = tenant(NULL);
    assert_int_equal(tenant_add(f, &m), 1);
    assert_contains(f->msg, "5 Ziffern");
    m = tenant("123456");
    assert_int_equal(tenant_add(f, &m), 1);
    assert_contains(f->msg, "5 Ziffern");
}

static void test_tenant_add_refuses_duplicate_gkz(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = tenant("30101");
    assert_int_equal(tenant_add(f, &m), 0);
    struct municipality other = tenant("30101");
    other.name = "Andere Gemeinde";
    assert_int_equal(tenant_add(f, &other), 1);
    assert_contains(f->msg, "GKZ 30101 gibt es bereits");
    struct municipality got;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "30101", &got), DB_OK);
    assert_string_equal(got.name, "Stadtgemeinde Musterstadt");
}

static void test_tenant_add_refuses_bad_invoice_email(void **state)
{
    struct db_fixture *f = *state;
    static const char *const bad[] = {"rechnung", "a@b@c.at", "a b@c.at", "<a@b.at>", "a@b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct municipality m = tenant("30101");
        m.invoice_email = bad[i];
        assert_int_equal(tenant_add(f, &m), 1);
        assert_contains(f->msg, "E-Mail-Adresse ist ungültig");
    }
    struct municipality m = tenant("30101");
    m.invoice_email = NULL;
    assert_int_equal(tenant_add(f, &m), 1);
    assert_contains(f->msg, "E-Mail");
    assert_no_municipality(f, "30101");
}

static void test_tenant_add_refuses_missing_name(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = tenant("30101");
    m.name = "";
    assert_int_equal(tenant_add(f, &m), 1);
    assert_contains(f->msg, "Name der Gemeinde");
    m.name = NULL;
    assert_int_equal(tenant_add(f, &m), 1);
    assert_contains(f->msg, "Name der Gemeinde");
    assert_no_municipality(f, "30101");
}

/* ---- password rule ---- */

static void test_password_of_nine_characters_is_refused(void **state)
{
    (void)state;
    const char *p = manage_password_problem("123456789", "anna");
    assert_non_null(p);
    assert_contains(p, "mindestens 10 Zeichen");
}

static void test_password_of_ten_characters_is_accepted(void **state)
{
    (void)state;
    assert_null(manage_password_problem("1234567890", "anna"));
    assert_null(manage_password_problem("korrekt-pferd-batterie", NULL));
}

static void test_password_equal_to_username_is_refused_in_any_case(void **state)
{
    (void)state;
    const char *p = manage_password_problem("anna.maier", "anna.maier");
    assert_non_null(p);
    assert_contains(p, "Benutzernamen");
    assert_non_null(manage_password_problem("Anna.Maier", "anna.maier"));
}

static void test_password_over_1024_bytes_is_refused(void **state)
{
    (void)state;
    char long_pw[1100];
    memset(long_pw, 'x', 1025);
    long_pw[1025] = '\0';
    assert_non_null(manage_password_problem(long_pw, "anna"));
    long_pw[1024] = '\0';
    assert_null(manage_password_problem(long_pw, "anna"));
}

/* ---- users ---- */

static void add_tenant_30101(struct db_fixture *f)
{
    struct municipality m = tenant("30101");
    assert_int_equal(tenant_add(f, &m), 0);
}

static void test_user_add_creates_account_whose_password_verifies(void **state)
{
    struct db_fixture *f = *state;
    add_tenant_30101(f);
    struct account acc = person("anna.maier", ROLE_TENANT_ADMIN);
    assert_int_equal(user_add(f, &acc, "30101", "sehr-geheim-2024"), 0);
    assert_true(acc.id > 0);
    assert_null(acc.password_hash); /* the hash on the stack is not left behind */

    struct municipality m;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "30101", &m), DB_OK);
    struct account got;
    assert_int_equal(db_account_by_username(f->db, f->a, "anna.maier", &got), DB_OK);
    assert_int_equal(got.id, acc.id);
    assert_int_equal(got.role, ROLE_TENANT_ADMIN);
    assert_int_equal(got.municipality_id, m.id);
    assert_string_equal(got.last_name, "M\xc3\xbcller");
    assert_false(got.disabled);
    assert_true(strncmp(got.password_hash, "$argon2id$", 10) == 0);
    assert_true(crypto_password_verify(got.password_hash, "sehr-geheim-2024"));
    assert_false(crypto_password_verify(got.password_hash, "sehr-geheim-2025"));
}

static void test_user_add_support_needs_no_tenant(void **state)
{
    struct db_fixture *f = *state;
    struct account acc = person("helpdesk", ROLE_SUPPORT);
    assert_int_equal(user_add(f, &acc, "99999", "support-passwort"), 0);
    struct account got;
    assert_int_equal(db_account_by_username(f->db, f->a, "helpdesk", &got), DB_OK);
    assert_int_equal(got.role, ROLE_SUPPORT);
    assert_int_equal(got.municipality_id, 0);
}

static void test_user_add_tenant_admin_with_unknown_gkz_is_refused(void **state)
{
    struct db_fixture *f = *state;
    add_tenant_30101(f);
    struct account acc = person("anna", ROLE_TENANT_ADMIN);
    assert_int_equal(user_add(f, &acc, "30102", "sehr-geheim-2024"), 1);
    assert_contains(f->msg, "Unbekannte Gemeinde (GKZ 30102)");
    struct account got;
    assert_int_equal(db_account_by_username(f->db, f->a, "anna", &got), DB_NOT_FOUND);
}

static void test_user_add_user_without_gkz_is_refused(void **state)
{
    struct db_fixture *f = *state;
    add_tenant_30101(f);
    struct account acc = person("anna", ROLE_USER);
    assert_int_equal(user_add(f, &acc, NULL, "sehr-geheim-2024"), 1);
    assert_contains(f->msg, "wählen Sie bitte eine Gemeinde");
}

static void test_user_add_short_password_is_refused(void **state)
{
    struct db_fixture *f = *state;
    add_tenant_30101(f);
    struct account acc = person("anna", ROLE_USER);
    assert_int_equal(user_add(f, &acc, "30101", "kurz12345"), 1);
    assert_contains(f->msg, "mindestens 10 Zeichen");
    struct account got;
    assert_int_equal(db_account_by_username(f->db, f->a, "anna", &got), DB_NOT_FOUND);
}

static void test_user_add_password_equal_to_username_is_refused(void **state)
{
    struct db_fixture *f = *state;
    add_tenant_30101(f);
    struct account acc = person("anna.maier.1", ROLE_USER);
    assert_int_equal(user_add(f, &acc, "30101", "ANNA.MAIER.1"), 1);
    assert_contains(f->msg, "Benutzernamen");
}

static void test_user_add_duplicate_username_in_other_case_is_refused(void **state)
{
    struct db_fixture *f = *state;
    add_tenant_30101(f);
    struct account first = person("anna", ROLE_USER);
    assert_int_equal(user_add(f, &first, "30101", "sehr-geheim-2024"), 0);
    struct account second = person("ANNA", ROLE_SUPPORT);
    assert_int_equal(user_add(f, &second, NULL, "anderes-passwort"), 1);
    assert_contains(f->msg, "Den Benutzernamen ANNA gibt es bereits");
    struct account got;
    assert_int_equal(db_account_by_username(f->db, f->a, "Anna", &got), DB_OK);
    assert_int_equal(got.id, first.id);
    assert_int_equal(got.role, ROLE_USER);
    assert_true(crypto_password_verify(got.password_hash, "sehr-geheim-2024"));
}

static void test_user_add_bad_username_is_refused(void **state)
{
    struct db_fixture *f = *state;
    static const char *const bad[] = {"ab", "anna maier", "j\xc3\xbcrgen", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct account acc = person(bad[i], ROLE_SUPPORT);
        assert_int_equal(user_add(f, &acc, NULL, "sehr-geheim-2024"), 1);
        assert_contains(f->msg, "Benutzername muss 3–40 Zeichen");
    }
}

static void test_user_add_bad_email_is_refused(void **state)
{
    struct db_fixture *f = *state;
    struct account acc = person("anna", ROLE_SUPPORT);
    acc.email = "anna@@example.at";
    assert_int_equal(user_add(f, &acc, NULL, "sehr-geheim-2024"), 1);
    assert_contains(f->msg, "E-Mail-Adresse ist ungültig");
    struct account got;
    assert_int_equal(db_account_by_username(f->db, f->a, "anna", &got), DB_NOT_FOUND);
}

static void test_user_add_missing_names_are_refused(void **state)
{
    struct db_fixture *f = *state;
    struct account acc = person("anna", ROLE_SUPPORT);
    acc.first_name = "";
    assert_int_equal(user_add(f, &acc, NULL, "sehr-geheim-2024"), 1);
    assert_contains(f->msg, "Vor- und Nachname");
    acc = person("anna", ROLE_SUPPORT);
    acc.last_name = "Maier\nX";
    assert_int_equal(user_add(f, &acc, NULL, "sehr-geheim-2024"), 1);
    assert_contains(f->msg, "Vor- und Nachname");
}

static void test_user_add_unknown_role_is_refused(void **state)
{
    struct db_fixture *f = *state;
    struct account acc = person("anna", 0);
    assert_int_equal(user_add(f, &acc, NULL, "sehr-geheim-2024"), 1);
    assert_contains(f->msg, "Unbekannte Rolle");
}

/* ---- editing a municipality, setting a password ---- */

static void test_tenant_edit_changes_all_but_the_gkz_by_the_same_rules(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = tenant("30101");
    assert_int_equal(tenant_add(f, &m), 0);
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "30101", &m), DB_OK);
    m.name = "Marktgemeinde Neu";
    m.invoice_email = "kein-email";
    assert_int_equal(manage_tenant_edit(f->db, &m, f->msg, sizeof f->msg), 1);
    assert_contains(f->msg, "E-Mail");
    m.invoice_email = "neu@markt.gv.at";
    m.gkz = "99999"; /* ignored: the GKZ stays */
    assert_int_equal(manage_tenant_edit(f->db, &m, f->msg, sizeof f->msg), 0);
    struct municipality got;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "30101", &got), DB_OK);
    assert_string_equal(got.name, "Marktgemeinde Neu");
    assert_string_equal(got.invoice_email, "neu@markt.gv.at");
    assert_no_municipality(f, "99999");
}

static void test_set_password_keeps_the_rule_and_ends_sessions(void **state)
{
    struct db_fixture *f = *state;
    struct account acc = person("anna", ROLE_SUPPORT);
    assert_int_equal(user_add(f, &acc, NULL, "erstes-passwort"), 0);
    unsigned char token[32] = {1};
    assert_int_equal(db_session_add(f->db, token, acc.id, 1000), DB_OK);
    assert_int_equal(manage_user_set_password(f->db, &acc, "kurz", f->msg, sizeof f->msg), 1);
    assert_contains(f->msg, "mindestens 10 Zeichen");
    assert_int_equal(manage_user_set_password(f->db, &acc, "zweites-passwort", f->msg, sizeof f->msg), 0);
    struct account got;
    assert_int_equal(db_account_by_username(f->db, f->a, "anna", &got), DB_OK);
    assert_true(crypto_password_verify(got.password_hash, "zweites-passwort"));
    assert_false(crypto_password_verify(got.password_hash, "erstes-passwort"));
    assert_int_equal(db_session_lookup(f->db, f->a, token, 1001, 0, 0, &got), DB_NOT_FOUND);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, db_fixture_setup, db_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_tenant_add_stores_municipality),
        T(test_tenant_add_refuses_gkz_of_three_digits),
        T(test_tenant_add_refuses_gkz_with_letter),
        T(test_tenant_add_refuses_malformed_uid),
        T(test_tenant_add_refuses_missing_or_long_gkz),
        T(test_tenant_add_refuses_duplicate_gkz),
        T(test_tenant_add_refuses_bad_invoice_email),
        T(test_tenant_add_refuses_missing_name),
        cmocka_unit_test(test_password_of_nine_characters_is_refused),
        cmocka_unit_test(test_password_of_ten_characters_is_accepted),
        cmocka_unit_test(test_password_equal_to_username_is_refused_in_any_case),
        cmocka_unit_test(test_password_over_1024_bytes_is_refused),
        T(test_user_add_creates_account_whose_password_verifies),
        T(test_user_add_support_needs_no_tenant),
        T(test_user_add_tenant_admin_with_unknown_gkz_is_refused),
        T(test_user_add_user_without_gkz_is_refused),
        T(test_user_add_short_password_is_refused),
        T(test_user_add_password_equal_to_username_is_refused),
        T(test_user_add_duplicate_username_in_other_case_is_refused),
        T(test_user_add_bad_username_is_refused),
        T(test_user_add_bad_email_is_refused),
        T(test_user_add_missing_names_are_refused),
        T(test_user_add_unknown_role_is_refused),
        T(test_tenant_edit_changes_all_but_the_gkz_by_the_same_rules),
        T(test_set_password_keeps_the_rule_and_ends_sessions),
    };
#undef T
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
