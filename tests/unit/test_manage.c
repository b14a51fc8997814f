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
    assert_string_equal(f->msg, "Der Vorname muss 1–100 Zeichen lang sein.");
    acc = person("anna", ROLE_SUPPORT);
    acc.last_name = "Maier\nX";
    assert_int_equal(user_add(f, &acc, NULL, "sehr-geheim-2024"), 1);
    assert_string_equal(f->msg, "Der Nachname muss 1–100 Zeichen lang sein.");
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

/* ---- every problem at once ---- */

/* The fields of p, in order, as a string of their numbers ("0 1 3"). */
static const char *fields_of(struct db_fixture *f, const struct manage_problems *p)
{
    const char *s = "";
    for (size_t i = 0; i < p->n; i++)
        s = arena_printf(f->a, "%s%s%d", s, i ? " " : "", (int)p->at[i].field);
    return s;
}

static void test_tenant_problems_name_every_broken_rule_at_its_field(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = {.gkz = "12a", .name = "", .address = "", .invoice_email = "kein-email", .uid = "AT1"};
    struct manage_problems p;
    assert_int_equal(manage_tenant_problems(f->db, f->a, &m, true, &p), 1);
    assert_int_equal(p.n, 4);
    assert_string_equal(fields_of(f, &p), arena_printf(f->a, "%d %d %d %d", MANAGE_GKZ, MANAGE_NAME,
                                                        MANAGE_INVOICE_EMAIL, MANAGE_UID));
    assert_contains(p.at[0].text, "5 Ziffern");
    assert_contains(p.at[1].text, "Name der Gemeinde");
    assert_contains(p.at[2].text, "Rechnungs-E-Mail-Adresse ist ungültig");
    assert_contains(p.at[3].text, "ATU12345678");
    /* editing: the GKZ is not checked (it stays) */
    assert_int_equal(manage_tenant_problems(f->db, f->a, &m, false, &p), 1);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.at[0].field, MANAGE_NAME);
    /* a valid one has none */
    m = tenant("30101");
    assert_int_equal(manage_tenant_problems(f->db, f->a, &m, true, &p), 0);
    assert_int_equal(p.n, 0);
}

static void test_tenant_save_refuses_a_taken_gkz_with_the_other_problems_and_writes_nothing(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = tenant("30101");
    assert_int_equal(tenant_add(f, &m), 0);
    struct municipality again = tenant("30101");
    again.name = "Marktgemeinde Zwei";
    again.invoice_email = "@";
    struct manage_problems p;
    assert_int_equal(manage_tenant_save(f->db, f->a, &again, true, 1000, &p), 1);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.at[0].field, MANAGE_GKZ);
    assert_string_equal(p.at[0].text, "Eine Gemeinde mit der GKZ 30101 gibt es bereits.");
    assert_int_equal(p.at[1].field, MANAGE_INVOICE_EMAIL);
    struct municipality got;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "30101", &got), DB_OK);
    assert_string_equal(got.name, "Stadtgemeinde Musterstadt");
}

static void test_tenant_add_message_for_voucherctl_holds_every_problem_on_one_line(void **state)
{
    struct db_fixture *f = *state;
    struct municipality m = {.gkz = "1", .name = "Gemeinde", .address = "", .invoice_email = "x", .uid = "U"};
    assert_int_equal(tenant_add(f, &m), 1);
    assert_string_equal(f->msg, "Die Gemeindekennziffer (GKZ) muss aus genau 5 Ziffern bestehen. "
                                "Die Rechnungs-E-Mail-Adresse ist ungültig. "
                                "Die UID-Nummer muss die Form ATU12345678 haben (oder leer bleiben).");
    assert_no_municipality(f, "1");
    /* a message longer than the room is cut, still terminated */
    char small[20];
    assert_int_equal(manage_tenant_add(f->db, &m, 1000, small, sizeof small), 1);
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void test_user_problems_name_every_broken_rule_at_its_field(void **state)
{
    struct db_fixture *f = *state;
    struct account acc = {.username = "a", .email = "nicht-gültig", .first_name = "", .last_name = "Maier",
                          .role = ROLE_USER};
    struct manage_problems p;
    assert_int_equal(manage_user_problems(f->db, f->a, &acc, "99999", "kurz", &p), 1);
    assert_int_equal(p.n, 5);
    assert_string_equal(fields_of(f, &p), arena_printf(f->a, "%d %d %d %d %d", MANAGE_USERNAME, MANAGE_FIRST_NAME,
                                                        MANAGE_EMAIL, MANAGE_TENANT, MANAGE_PASSWORD));
    assert_contains(p.at[0].text, "Benutzername muss 3–40 Zeichen");
    assert_string_equal(p.at[1].text, "Der Vorname muss 1–100 Zeichen lang sein.");
    assert_string_equal(p.at[2].text, "Die E-Mail-Adresse ist ungültig.");
    assert_string_equal(p.at[3].text, "Unbekannte Gemeinde (GKZ 99999): bitte zuerst die Gemeinde anlegen.");
    assert_contains(p.at[4].text, "mindestens 10 Zeichen");
    /* an unknown role with a missing last name: both, and no municipality asked for */
    acc = person("anna", 0);
    acc.last_name = "";
    assert_int_equal(manage_user_problems(f->db, f->a, &acc, NULL, "sehr-geheim-2024", &p), 1);
    assert_string_equal(fields_of(f, &p), arena_printf(f->a, "%d %d", MANAGE_LAST_NAME, MANAGE_ROLE));
}

static void test_user_create_refuses_a_taken_username_with_the_other_problems_and_writes_nothing(void **state)
{
    struct db_fixture *f = *state;
    add_tenant_30101(f);
    struct account acc = person("anna", ROLE_SUPPORT);
    assert_int_equal(user_add(f, &acc, NULL, "sehr-geheim-2024"), 0);
    struct account again = person("ANNA", ROLE_TENANT_ADMIN);
    again.email = "anna-at-nowhere";
    struct manage_problems p;
    assert_int_equal(manage_user_create(f->db, f->a, &again, "", "anna", 1000, &p), 1);
    assert_string_equal(fields_of(f, &p), arena_printf(f->a, "%d %d %d %d", MANAGE_USERNAME, MANAGE_EMAIL,
                                                        MANAGE_TENANT, MANAGE_PASSWORD));
    assert_string_equal(p.at[0].text, "Den Benutzernamen ANNA gibt es bereits.");
    assert_string_equal(p.at[2].text, "Für diese Rolle wählen Sie bitte eine Gemeinde.");
    assert_int_equal(again.id, 0);
    struct account got;
    assert_int_equal(db_account_by_username(f->db, f->a, "anna", &got), DB_OK);
    assert_int_equal(got.role, ROLE_SUPPORT);
    /* a user with a known municipality gets its id */
    struct account u = person("berta", ROLE_USER);
    assert_int_equal(manage_user_problems(f->db, f->a, &u, "30101", "sehr-geheim-2024", &p), 0);
    struct municipality m;
    assert_int_equal(db_municipality_by_gkz(f->db, f->a, "30101", &m), DB_OK);
    assert_int_equal(u.municipality_id, m.id);
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
        T(test_tenant_problems_name_every_broken_rule_at_its_field),
        T(test_tenant_save_refuses_a_taken_gkz_with_the_other_problems_and_writes_nothing),
        T(test_tenant_add_message_for_voucherctl_holds_every_problem_on_one_line),
        T(test_user_problems_name_every_broken_rule_at_its_field),
        T(test_user_create_refuses_a_taken_username_with_the_other_problems_and_writes_nothing),
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
