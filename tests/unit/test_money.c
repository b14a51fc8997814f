/* Unit tests for src/money.c (cents formatting, VAT rounding, parsing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "money.h"

static void assert_formats(long long cents, const char *want)
{
    char out[MONEY_TEXT_SIZE];
    memset(out, 'x', sizeof out);
    money_format(cents, out);
    assert_string_equal(out, want);
}

static void test_format_small_amounts(void **state)
{
    (void)state;
    assert_formats(0, "0,00 \xe2\x82\xac");
    assert_formats(5, "0,05 \xe2\x82\xac");
    assert_formats(100, "1,00 \xe2\x82\xac");
    assert_formats(99999, "999,99 \xe2\x82\xac");
}

static void test_format_groups_thousands_with_dots(void **state)
{
    (void)state;
    assert_formats(123456, "1.234,56 \xe2\x82\xac");
    assert_formats(100000, "1.000,00 \xe2\x82\xac");
    assert_formats(100000000, "1.000.000,00 \xe2\x82\xac");
    assert_formats(12345678901, "123.456.789,01 \xe2\x82\xac");
}

static void test_format_negative_amounts(void **state)
{
    (void)state;
    assert_formats(-100, "-1,00 \xe2\x82\xac");
    assert_formats(-5, "-0,05 \xe2\x82\xac");
    assert_formats(-123456, "-1.234,56 \xe2\x82\xac");
}

static void test_format_extremes_fit_buffer(void **state)
{
    (void)state;
    assert_formats(LLONG_MAX, "92.233.720.368.547.758,07 \xe2\x82\xac");
    assert_formats(LLONG_MIN, "-92.233.720.368.547.758,08 \xe2\x82\xac");
}

static void test_vat_rounds_half_up(void **state)
{
    (void)state;
    assert_int_equal(money_percent_half_up(1, 20), 0);   /* 0.2 */
    assert_int_equal(money_percent_half_up(3, 20), 1);   /* 0.6 */
    assert_int_equal(money_percent_half_up(25, 20), 5);  /* exact */
    assert_int_equal(money_percent_half_up(25, 10), 3);  /* 2.5 -> 3 */
    assert_int_equal(money_percent_half_up(24, 10), 2);  /* 2.4 -> 2 */
    assert_int_equal(money_percent_half_up(0, 20), 0);
    assert_int_equal(money_percent_half_up(123456, 0), 0);
    assert_int_equal(money_percent_half_up(123456, 100), 123456);
    assert_int_equal(money_percent_half_up(1000000000000LL, 20), 200000000000LL);
}

static void test_vat_negative_net_rounds_symmetrically(void **state)
{
    (void)state;
    assert_int_equal(money_percent_half_up(-25, 10), -3);
    assert_int_equal(money_percent_half_up(-1, 20), 0);
}

static void assert_parses(const char *text, long long want)
{
    long long cents = -1;
    assert_true(money_parse_cents(text, &cents));
    assert_int_equal(cents, want);
}

static void test_parse_accepts_comma_dot_and_whole_euros(void **state)
{
    (void)state;
    assert_parses("12,50", 1250);
    assert_parses("12.50", 1250);
    assert_parses("12,5", 1250);
    assert_parses("12", 1200);
    assert_parses("0,05", 5);
    assert_parses("0", 0);
    assert_parses("007", 700);
    assert_parses("10000000000", 1000000000000LL);
}

static void test_parse_rejects_everything_else(void **state)
{
    (void)state;
    const char *bad[] = {"", ",50", "12,", "12,505", "12,999", "-1", "+1",
                         " 12", "12 ", "1.234,50", "12 \xe2\x82\xac", "1e3",
                         "12,5x", "10000000000,01", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long cents = 42;
        assert_false(money_parse_cents(bad[i], &cents));
        assert_int_equal(cents, 42);
    }
}

static void test_parse_typed_takes_the_display_format_with_thousands_dots_and_euro_sign(void **state)
{
    (void)state;
    const struct {
        const char *text;
        long long cents;
    } good[] = {{"1.234,50", 123450}, {"1.234,50 \xe2\x82\xac", 123450}, {" 1.234,50\xe2\x82\xac ", 123450},
                {"1.234", 123400}, {"12.345.678,00", 1234567800}, {"149,00", 14900}, {"12.50", 1250},
                {"1234,50", 123450}, {"0,05", 5}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        long long cents = -1;
        assert_true(money_parse_typed(good[i].text, &cents));
        assert_int_equal(cents, good[i].cents);
    }
    const char *bad[] = {"", "1.23,50", "1.2345,00", ".234,50", "1..234", "1.234.5", "12,505", "-1", "1,234.50",
                         "\xe2\x82\xac", "1 234,50"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long cents = 42;
        assert_false(money_parse_typed(bad[i], &cents));
        assert_int_equal(cents, 42);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_small_amounts),
        cmocka_unit_test(test_format_groups_thousands_with_dots),
        cmocka_unit_test(test_format_negative_amounts),
        cmocka_unit_test(test_format_extremes_fit_buffer),
        cmocka_unit_test(test_vat_rounds_half_up),
        cmocka_unit_test(test_vat_negative_net_rounds_symmetrically),
        cmocka_unit_test(test_parse_accepts_comma_dot_and_whole_euros),
        cmocka_unit_test(test_parse_rejects_everything_else),
        cmocka_unit_test(test_parse_typed_takes_the_display_format_with_thousands_dots_and_euro_sign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
