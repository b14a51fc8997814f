/* Unit tests for src/redeem.c (the rules of redeeming a code, in order) and
 * the normalisation of codes as people type them when redeeming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mem.h"
#include "redeem.h"

#define NOW 1800000000

/* A code with 0 and 1 in it, so O/0 and I/L/1 confusions can be typed. */
#define CODE "041061050R3GG28A1C60T3GJ"

static void assert_canon(const char *typed, enum voucher_status want)
{
    char canon[VOUCHER_CANON_SIZE];
    assert_int_equal(voucher_normalize(typed, canon), want);
    if (want == VOUCHER_OK)
        assert_string_equal(canon, CODE);
}

static void test_normalise_reads_O_as_zero_and_I_L_as_one(void **state)
{
    (void)state;
    assert_canon("O4IO6IO5OR3GG28AIC6OT3GJ", VOUCHER_OK);
    assert_canon("o4lo6lo5or3gg28alc6ot3gj", VOUCHER_OK);
    assert_canon("04L061050R3GG28A1C60T3GJ", VOUCHER_OK);
}

static void test_normalise_drops_prefix_spaces_dashes_and_case(void **state)
{
    (void)state;
    assert_canon("SBA-041061-050R3G-G28A1C-60T3GJ", VOUCHER_OK);
    assert_canon("sba-041061-050r3g-g28a1c-60t3gj", VOUCHER_OK);
    assert_canon("  SBA 041061 050R3G\tG28A1C 60T3GJ \n", VOUCHER_OK);
    assert_canon("Sba041061050R3GG28A1C60T3GJ", VOUCHER_OK);
    assert_canon("--041061--050R3G--G28A1C--60T3GJ--", VOUCHER_OK);
}

static void test_normalise_refuses_wrong_lengths_and_prefixes(void **state)
{
    (void)state;
    assert_canon("SBA-041061-050R3G-G28A1C-60T3G", VOUCHER_MALFORMED);   /* 23 after the prefix */
    assert_canon("SBA-041061-050R3G-G28A1C-60T3GJJ", VOUCHER_MALFORMED); /* 25 after the prefix */
    assert_canon("SBB-041061-050R3G-G28A1C-60T3GJ", VOUCHER_MALFORMED);  /* 27 without the prefix */
    assert_canon("SBA-SBA-041061-050R3G-G28A1C-60T3GJ", VOUCHER_MALFORMED);
    assert_canon("041061-050R3G-G28A1C-60T3GJ-U", VOUCHER_MALFORMED);
    assert_canon("", VOUCHER_MALFORMED);
}

static void test_normalise_reports_a_swap_as_bad_check(void **state)
{
    (void)state;
    assert_canon("SBA-401061-050R3G-G28A1C-60T3GJ", VOUCHER_BAD_CHECK);
}

/* ---- the order of checks ---- */

static const struct voucher open_voucher = {.id = 7, .valid_until = NOW + 100, .created_at = NOW - 100};

/* Facts in which every check fails: whichever comes first must answer. */
static struct redeem_facts all_bad(const struct voucher *v)
{
    return (struct redeem_facts){
        .now = NOW, .code = VOUCHER_OK, .failures_known = true, .failures_ip = 5, .failures_username = 5,
        .max_failures = 5, .voucher_known = true, .voucher = v, .account_known = true,
        .account_found = false, .enrollment_known = true, .enrolled_in_all = true,
    };
}

/* Facts in which every check passes for an existing account. */
static struct redeem_facts all_good(void)
{
    return (struct redeem_facts){
        .now = NOW, .code = VOUCHER_OK, .failures_known = true, .max_failures = 5, .voucher_known = true,
        .voucher = &open_voucher, .account_known = true, .account_found = true, .enrollment_known = true,
    };
}

static void test_malformed_code_answers_V01_before_anything_is_loaded(void **state)
{
    (void)state;
    struct redeem_facts f = {.now = NOW, .code = VOUCHER_MALFORMED};
    assert_int_equal(redeem_decide(&f), REDEEM_V01_MALFORMED);
    f = all_bad(NULL);
    f.code = VOUCHER_MALFORMED;
    assert_int_equal(redeem_decide(&f), REDEEM_V01_MALFORMED);
}

static void test_bad_check_answers_V02_before_anything_is_loaded(void **state)
{
    (void)state;
    struct redeem_facts f = {.now = NOW, .code = VOUCHER_BAD_CHECK, .new_user = true};
    assert_int_equal(redeem_decide(&f), REDEEM_V02_CHECK);
}

static void test_well_formed_code_asks_for_failures_first(void **state)
{
    (void)state;
    struct redeem_facts f = {.now = NOW, .code = VOUCHER_OK};
    assert_int_equal(redeem_decide(&f), REDEEM_NEED_FAILURES);
    f.failures_known = true;
    f.max_failures = 3;
    assert_int_equal(redeem_decide(&f), REDEEM_NEED_VOUCHER);
}

static void test_limit_by_ip_or_username_answers_V11_before_the_code_state(void **state)
{
    (void)state;
    struct redeem_facts f = all_bad(NULL);
    assert_int_equal(redeem_decide(&f), REDEEM_V11_LIMITED);
    f = all_good();
    f.failures_ip = 5;
    assert_int_equal(redeem_decide(&f), REDEEM_V11_LIMITED);
    f = all_good();
    f.failures_username = 5;
    assert_int_equal(redeem_decide(&f), REDEEM_V11_LIMITED);
    f.failures_username = 4;
    assert_int_equal(redeem_decide(&f), REDEEM_OK);
}

static void test_unknown_code_answers_V03_before_the_username(void **state)
{
    (void)state;
    struct redeem_facts f = all_bad(NULL);
    f.failures_ip = f.failures_username = 0;
    assert_int_equal(redeem_decide(&f), REDEEM_V03_UNKNOWN);
    f.account_known = false; /* never asked for */
    f.new_user = true;
    assert_int_equal(redeem_decide(&f), REDEEM_V03_UNKNOWN);
}

static void test_revoked_beats_redeemed_beats_expired(void **state)
{
    (void)state;
    struct voucher v = {.id = 1, .valid_until = NOW - 1, .redeemed_at = NOW - 5000, .redeemed_by = 3,
                        .revoked_at = NOW - 10};
    struct redeem_facts f = all_good();
    f.voucher = &v;
    f.account_found = false;
    assert_int_equal(redeem_decide(&f), REDEEM_V06_REVOKED);
    v.revoked_at = 0;
    assert_int_equal(redeem_decide(&f), REDEEM_V04_REDEEMED);
    v.redeemed_at = v.redeemed_by = 0;
    assert_int_equal(redeem_decide(&f), REDEEM_V05_EXPIRED);
}

static void test_code_is_valid_through_its_last_second(void **state)
{
    (void)state;
    struct voucher v = open_voucher;
    struct redeem_facts f = all_good();
    f.voucher = &v;
    v.valid_until = NOW;
    assert_int_equal(redeem_decide(&f), REDEEM_OK);
    v.valid_until = NOW - 1;
    assert_int_equal(redeem_decide(&f), REDEEM_V05_EXPIRED);
}

static void test_same_person_same_browser_again_soon_is_a_repeat_not_V04(void **state)
{
    (void)state;
    struct voucher v = open_voucher;
    v.redeemed_by = 3;
    v.redeemed_at = NOW - REDEEM_REPEAT_SECONDS;
    struct redeem_facts f = all_good();
    f.voucher = &v;
    f.same_person = true;
    f.same_browser = true;
    f.enrolled_in_all = true; /* a repeat does not ask about enrollments */
    assert_int_equal(redeem_decide(&f), REDEEM_REPEAT);
    v.redeemed_at = NOW - REDEEM_REPEAT_SECONDS - 1;
    assert_int_equal(redeem_decide(&f), REDEEM_V04_REDEEMED);
    v.redeemed_at = NOW - 1;
    f.same_browser = false; /* the right username from another browser: V04, it tells nothing */
    assert_int_equal(redeem_decide(&f), REDEEM_V04_REDEEMED);
    f.same_browser = true;
    f.same_person = false;
    assert_int_equal(redeem_decide(&f), REDEEM_V04_REDEEMED);
    assert_true(redeem_recent(&v, NOW));
}

static void test_new_user_form_V10_before_taken_username_V09(void **state)
{
    (void)state;
    struct redeem_facts f = all_good();
    f.new_user = true;
    f.account_known = false;
    assert_int_equal(redeem_decide(&f), REDEEM_V10_FORM);
    f.form_valid = true;
    assert_int_equal(redeem_decide(&f), REDEEM_NEED_ACCOUNT);
    f.account_known = true;
    f.account_found = true;
    assert_int_equal(redeem_decide(&f), REDEEM_V09_TAKEN);
    f.account_found = false;
    assert_int_equal(redeem_decide(&f), REDEEM_OK);
}

static void test_existing_user_V07_before_enrollment_V08(void **state)
{
    (void)state;
    struct redeem_facts f = all_good();
    f.account_known = false;
    f.enrollment_known = false;
    assert_int_equal(redeem_decide(&f), REDEEM_NEED_ACCOUNT);
    f.account_known = true;
    f.account_found = false;
    f.enrolled_in_all = true;
    assert_int_equal(redeem_decide(&f), REDEEM_V07_NO_ACCOUNT);
    f.account_found = true;
    f.account_disabled = true;
    assert_int_equal(redeem_decide(&f), REDEEM_V07_NO_ACCOUNT);
    f.account_disabled = false;
    assert_int_equal(redeem_decide(&f), REDEEM_NEED_ENROLLMENT);
    f.enrollment_known = true;
    assert_int_equal(redeem_decide(&f), REDEEM_V08_ENROLLED);
    f.enrolled_in_all = false;
    assert_int_equal(redeem_decide(&f), REDEEM_OK);
}

static void test_numbers_of_outcomes(void **state)
{
    (void)state;
    assert_string_equal(redeem_number(REDEEM_OK), "OK");
    assert_string_equal(redeem_number(REDEEM_REPEAT), "OK");
    assert_string_equal(redeem_number(REDEEM_V01_MALFORMED), "V01");
    assert_string_equal(redeem_number(REDEEM_V11_LIMITED), "V11");
    assert_false(redeem_needs_fact(REDEEM_REPEAT));
    assert_true(redeem_needs_fact(REDEEM_NEED_ENROLLMENT));
}

/* ---- the new-user form ---- */

static const struct redeem_new_user good_user = {
    .first_name = "Maria", .last_name = "Muster", .email = "maria@musterstadt.gv.at", .username = "maria.m",
    .password = "lang-genug-123", .password2 = "lang-genug-123", .privacy = true,
};

static void test_new_user_form_accepts_a_complete_form(void **state)
{
    (void)state;
    const char *errors[RF__MAX];
    assert_true(redeem_check_new_user(&good_user, errors));
    for (int i = 0; i < RF__MAX; i++)
        assert_null(errors[i]);
}

static void assert_only_error(const struct redeem_new_user *u, enum redeem_field field)
{
    const char *errors[RF__MAX];
    assert_false(redeem_check_new_user(u, errors));
    for (int i = 0; i < RF__MAX; i++) {
        if (i == (int)field)
            assert_non_null(errors[i]);
        else
            assert_null(errors[i]);
    }
}

static void test_new_user_form_names_each_wrong_field(void **state)
{
    (void)state;
    struct redeem_new_user u = good_user;
    u.username = "ab";
    assert_only_error(&u, RF_USERNAME);
    u = good_user;
    u.username = "mit leerzeichen";
    assert_only_error(&u, RF_USERNAME);
    u = good_user;
    u.email = NULL;
    assert_only_error(&u, RF_EMAIL);
    u = good_user;
    u.first_name = NULL;
    assert_only_error(&u, RF_FIRST_NAME);
    u = good_user;
    u.last_name = NULL;
    assert_only_error(&u, RF_LAST_NAME);
    u = good_user;
    u.privacy = false;
    assert_only_error(&u, RF_PRIVACY);
    u = good_user;
    u.password2 = "lang-genug-124";
    assert_only_error(&u, RF_PASSWORD2);
}

static void test_new_user_password_rules(void **state)
{
    (void)state;
    struct redeem_new_user u = good_user;
    u.password = u.password2 = "kurz12345";
    assert_only_error(&u, RF_PASSWORD);
    u.username = "Maria.Muster1";
    u.password = u.password2 = "maria.muster1";
    assert_only_error(&u, RF_PASSWORD);
    u.password = NULL;
    u.password2 = NULL;
    assert_only_error(&u, RF_PASSWORD);
}

static void test_same_person_compares_username_any_case_and_new_user_data(void **state)
{
    (void)state;
    struct account acc = {.username = "maria.m", .first_name = "Maria", .last_name = "Muster",
                          .email = "maria@musterstadt.gv.at"};
    assert_true(redeem_same_person(&acc, "MARIA.m", NULL));
    assert_false(redeem_same_person(&acc, "maria.n", NULL));
    assert_false(redeem_same_person(&acc, NULL, NULL));
    assert_true(redeem_same_person(&acc, "maria.m", &good_user));
    struct redeem_new_user u = good_user;
    u.email = "other@musterstadt.gv.at";
    assert_false(redeem_same_person(&acc, "maria.m", &u));
}

static void test_reference_is_F_and_four_code_symbols(void **state)
{
    (void)state;
    char ref[REDEEM_REF_SIZE];
    redeem_reference((const unsigned char[]){0, 31, 32 + 20, 255}, ref);
    assert_string_equal(ref, "F-0ZMZ");
}

static void test_mail_lists_courses_and_new_account(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct account acc = {.username = "maria.m", .first_name = "Maria", .last_name = "Muster",
                          .email = "maria@musterstadt.gv.at"};
    const char *titles[] = {"Kurs A", "Kurs B"};
    struct voucher_courses_split two = {.added = titles, .nadded = 2}, one = {.added = titles, .nadded = 1};
    struct mail_message m;
    redeem_mail(a, &acc, true, "Stadtgemeinde Musterstadt", &two, NULL, 0, "https://academy.example", &m);
    assert_string_equal(m.recipients, "maria@musterstadt.gv.at");
    assert_non_null(strstr(m.body_text, "  - Kurs A\n  - Kurs B\n"));
    assert_non_null(strstr(m.body_text, "Benutzername: maria.m"));
    assert_non_null(strstr(m.body_text, "Stadtgemeinde Musterstadt"));
    assert_non_null(strstr(m.body_text, "https://academy.example/meine-kurse"));
    redeem_mail(a, &acc, false, "", &one, NULL, 0, "https://academy.example", &m);
    assert_null(strstr(m.body_text, "Benutzername"));
    assert_non_null(strstr(m.body_text, "wurde dieser Kurs zugeordnet"));
    assert_null(strstr(m.body_text, "bereits"));
    arena_free(a);
}

static void test_mail_of_a_package_names_the_new_courses_and_those_held_as_such(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct account acc = {.username = "maria.m", .first_name = "Maria", .last_name = "Muster",
                          .email = "maria@musterstadt.gv.at"};
    const char *added[] = {"Kurs B", "Kurs C"}, *held[] = {"Kurs A"};
    struct voucher_courses_split c = {.added = added, .nadded = 2, .held = held, .nheld = 1};
    struct mail_message m;
    redeem_mail(a, &acc, false, "", &c, NULL, 0, "https://academy.example", &m);
    const char *body = m.body_text;
    const char *list = strstr(body, "wurden diese Kurse zugeordnet:\n\n  - Kurs B\n  - Kurs C\n");
    const char *before = strstr(body, "In diesem Kurs des Pakets waren Sie bereits vorher eingeschrieben");
    assert_non_null(list);
    assert_non_null(before);
    assert_true(before > list);
    assert_non_null(strstr(before, "  - Kurs A\n"));
    assert_null(strstr(body, "zugeordnet:\n\n  - Kurs A"));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise_reads_O_as_zero_and_I_L_as_one),
        cmocka_unit_test(test_normalise_drops_prefix_spaces_dashes_and_case),
        cmocka_unit_test(test_normalise_refuses_wrong_lengths_and_prefixes),
        cmocka_unit_test(test_normalise_reports_a_swap_as_bad_check),
        cmocka_unit_test(test_malformed_code_answers_V01_before_anything_is_loaded),
        cmocka_unit_test(test_bad_check_answers_V02_before_anything_is_loaded),
        cmocka_unit_test(test_well_formed_code_asks_for_failures_first),
        cmocka_unit_test(test_limit_by_ip_or_username_answers_V11_before_the_code_state),
        cmocka_unit_test(test_unknown_code_answers_V03_before_the_username),
        cmocka_unit_test(test_revoked_beats_redeemed_beats_expired),
        cmocka_unit_test(test_code_is_valid_through_its_last_second),
        cmocka_unit_test(test_same_person_same_browser_again_soon_is_a_repeat_not_V04),
        cmocka_unit_test(test_new_user_form_V10_before_taken_username_V09),
        cmocka_unit_test(test_existing_user_V07_before_enrollment_V08),
        cmocka_unit_test(test_numbers_of_outcomes),
        cmocka_unit_test(test_new_user_form_accepts_a_complete_form),
        cmocka_unit_test(test_new_user_form_names_each_wrong_field),
        cmocka_unit_test(test_new_user_password_rules),
        cmocka_unit_test(test_same_person_compares_username_any_case_and_new_user_data),
        cmocka_unit_test(test_reference_is_F_and_four_code_symbols),
        cmocka_unit_test(test_mail_lists_courses_and_new_account),
        cmocka_unit_test(test_mail_of_a_package_names_the_new_courses_and_those_held_as_such),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
