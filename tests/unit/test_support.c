/* Unit tests for src/support.c: what a support search term names, the rules
 * for revoking, extending and releasing a code, and the small texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mem.h"
#include "support.h"

#define NOW 1800000000
#define CODE "041061050R3GG28A1C60T3GJ" /* well-formed, with 0 and 1 in it */

static void assert_kind(const char *q, enum support_kind kind, const char *term)
{
    struct support_query sq;
    support_classify(q, &sq);
    assert_int_equal(sq.kind, kind);
    assert_string_equal(sq.term, term);
}

static void test_classify_reads_codes_as_people_type_them(void **state)
{
    (void)state;
    assert_kind("SBA-041061-050R3G-G28A1C-60T3GJ", SUPPORT_CODE, CODE);
    assert_kind("  sba 04io6i o5or3g g28alc 6ot3gj ", SUPPORT_CODE, CODE);
    assert_kind("o4lo6lo5or3gg28alc6ot3gj", SUPPORT_CODE, CODE);
}

static void test_classify_reports_a_typo_or_swap_as_bad_code(void **state)
{
    (void)state;
    assert_kind("SBA-401061-050R3G-G28A1C-60T3GJ", SUPPORT_BAD_CODE, "401061050R3GG28A1C60T3GJ");
    assert_kind("141061050R3GG28A1C60T3GJ", SUPPORT_BAD_CODE, "141061050R3GG28A1C60T3GJ");
}

static void test_classify_reads_references_with_code_confusions(void **state)
{
    (void)state;
    assert_kind("F-7K3Q", SUPPORT_REFERENCE, "F-7K3Q");
    assert_kind(" f-7k3q ", SUPPORT_REFERENCE, "F-7K3Q");
    assert_kind("F-OIL1", SUPPORT_REFERENCE, "F-0111");
    assert_kind("F-7K3U", SUPPORT_USERNAME, "F-7K3U"); /* U is no code symbol */
    assert_kind("F-7K3QX", SUPPORT_USERNAME, "F-7K3QX");
}

static void test_classify_pads_invoice_numbers(void **state)
{
    (void)state;
    assert_kind("RE-2026-000001", SUPPORT_INVOICE, "RE-2026-000001");
    assert_kind("re-2026-17", SUPPORT_INVOICE, "RE-2026-000017");
    assert_kind("RE-26-000001", SUPPORT_USERNAME, "RE-26-000001");
    assert_kind("RE-2026-1234567", SUPPORT_USERNAME, "RE-2026-1234567");
}

static void test_classify_reads_short_digit_runs_as_order_numbers(void **state)
{
    (void)state;
    struct support_query sq;
    support_classify(" 42 ", &sq);
    assert_int_equal(sq.kind, SUPPORT_ORDER);
    assert_int_equal(sq.order_id, 42);
    assert_kind("123456789012", SUPPORT_ORDER, "123456789012");
    assert_kind("1234567890123", SUPPORT_USERNAME, "1234567890123");
}

static void test_classify_tells_email_username_and_nonsense_apart(void **state)
{
    (void)state;
    assert_kind("Maria.Mitarbeiterin@Musterstadt.gv.at", SUPPORT_EMAIL, "Maria.Mitarbeiterin@Musterstadt.gv.at");
    assert_kind("mitarbeiterin", SUPPORT_USERNAME, "mitarbeiterin");
    assert_kind("?? !!", SUPPORT_UNKNOWN, "");
    assert_kind("<script>", SUPPORT_UNKNOWN, "");
    assert_kind("", SUPPORT_UNKNOWN, "");
    assert_kind(NULL, SUPPORT_UNKNOWN, "");
}

static void test_result_texts_cover_every_number(void **state)
{
    (void)state;
    assert_string_equal(support_result_text("OK"), "eingelöst");
    assert_string_equal(support_result_text("V03"), "Code unbekannt");
    assert_string_equal(support_result_text("V11"), "zu viele Fehlversuche (Sperre)");
    for (const char *bad[] = {"V00", "V12", "V1", "X03", "", NULL}, **p = bad; p < bad + 6; p++)
        assert_string_equal(support_result_text(*p), "unbekanntes Ergebnis");
}

static const struct voucher open_code = {.id = 1, .valid_until = NOW + 100};
static const struct voucher expired_code = {.id = 2, .valid_until = NOW - 100};
static const struct voucher revoked_code = {.id = 3, .valid_until = NOW + 100, .revoked_at = NOW - 5};
static const struct voucher redeemed_code = {.id = 4, .valid_until = NOW + 100, .redeemed_at = NOW - 5,
                                             .redeemed_by = 9};

static void test_revoke_only_a_code_neither_revoked_nor_redeemed(void **state)
{
    (void)state;
    assert_null(support_refusal(SUPPORT_REVOKE, &open_code, NOW, 0, 0));
    assert_null(support_refusal(SUPPORT_REVOKE, &expired_code, NOW, 0, 0));
    assert_non_null(strstr(support_refusal(SUPPORT_REVOKE, &revoked_code, NOW, 0, 0), "bereits widerrufen"));
    assert_non_null(strstr(support_refusal(SUPPORT_REVOKE, &redeemed_code, NOW, 0, 0), "bereits eingelöst"));
}

static void test_extend_needs_a_future_end_and_a_live_code(void **state)
{
    (void)state;
    assert_null(support_refusal(SUPPORT_EXTEND, &expired_code, NOW, NOW + 1, 0));
    assert_null(support_refusal(SUPPORT_EXTEND, &open_code, NOW, NOW + 1, 0)); /* earlier than before is fine */
    assert_non_null(support_refusal(SUPPORT_EXTEND, &expired_code, NOW, NOW, 0));
    assert_non_null(strstr(support_refusal(SUPPORT_EXTEND, &revoked_code, NOW, NOW + 9, 0), "widerrufen"));
    assert_non_null(strstr(support_refusal(SUPPORT_EXTEND, &redeemed_code, NOW, NOW + 9, 0), "eingelöst"));
}

static void test_release_only_a_redeemed_code_without_completed_courses(void **state)
{
    (void)state;
    assert_null(support_refusal(SUPPORT_RELEASE, &redeemed_code, NOW, 0, 0));
    assert_non_null(strstr(support_refusal(SUPPORT_RELEASE, &redeemed_code, NOW, 0, 1), "abgeschlossen"));
    assert_non_null(strstr(support_refusal(SUPPORT_RELEASE, &open_code, NOW, 0, 0), "nicht eingelöst"));
}

static void test_search_url_encodes_all_but_safe_characters(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(support_search_url(a, "SBA-7K3Q_x.y"), "/support?q=SBA-7K3Q_x.y");
    assert_string_equal(support_search_url(a, "a b<&>\"ä"), "/support?q=a%20b%3C%26%3E%22%C3%A4");
    assert_string_equal(support_search_url(a, ""), "/support?q=");
    arena_free(a);
}

static void test_role_labels_are_german(void **state)
{
    (void)state;
    assert_string_equal(support_role_label(ROLE_USER), "Mitarbeiter*in");
    assert_string_equal(support_role_label(ROLE_TENANT_ADMIN), "Mandanten-Administrator*in");
    assert_string_equal(support_role_label((enum role)0), "unbekannt");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_reads_codes_as_people_type_them),
        cmocka_unit_test(test_classify_reports_a_typo_or_swap_as_bad_code),
        cmocka_unit_test(test_classify_reads_references_with_code_confusions),
        cmocka_unit_test(test_classify_pads_invoice_numbers),
        cmocka_unit_test(test_classify_reads_short_digit_runs_as_order_numbers),
        cmocka_unit_test(test_classify_tells_email_username_and_nonsense_apart),
        cmocka_unit_test(test_result_texts_cover_every_number),
        cmocka_unit_test(test_revoke_only_a_code_neither_revoked_nor_redeemed),
        cmocka_unit_test(test_extend_needs_a_future_end_and_a_live_code),
        cmocka_unit_test(test_release_only_a_redeemed_code_without_completed_courses),
        cmocka_unit_test(test_search_url_encodes_all_but_safe_characters),
        cmocka_unit_test(test_role_labels_are_german),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
