/* Unit tests for src/form.c (urlencoded forms, UTF-8 rules, cookies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "form.h"

#define MAX_PAIRS 8

struct parsed {
    char text[256];
    struct form_pair pairs[MAX_PAIRS];
    size_t n;
};

static enum form_status parse(struct parsed *p, const char *input)
{
    strcpy(p->text, input);
    p->n = 99;
    return form_parse(p->text, p->pairs, MAX_PAIRS, &p->n);
}

static void assert_pair(const struct parsed *p, size_t i, const char *name,
                        const char *value)
{
    assert_true(i < p->n);
    assert_string_equal(p->pairs[i].name, name);
    assert_string_equal(p->pairs[i].value, value);
}

static void test_parses_pairs_in_order(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "mode=existing&username=anna&code=SBA-1"), FORM_OK);
    assert_int_equal(p.n, 3);
    assert_pair(&p, 0, "mode", "existing");
    assert_pair(&p, 1, "username", "anna");
    assert_pair(&p, 2, "code", "SBA-1");
}

static void test_decodes_plus_and_percent_escapes(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "a=x+y&b=x%20y&c=Gr%C3%BC%c3%9Fe&d=%2B%26%3D"),
                     FORM_OK);
    assert_pair(&p, 0, "a", "x y");
    assert_pair(&p, 1, "b", "x y");
    assert_pair(&p, 2, "c", "Gr\xc3\xbc\xc3\x9f" "e");
    assert_pair(&p, 3, "d", "+&=");
}

static void test_decodes_names_too(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "qty%5Fexcel=2&first+name=A"), FORM_OK);
    assert_pair(&p, 0, "qty_excel", "2");
    assert_pair(&p, 1, "first name", "A");
}

static void test_allows_tab_and_newlines(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "t=a%09b%0D%0Ac"), FORM_OK);
    assert_pair(&p, 0, "t", "a\tb\r\nc");
}

static void test_missing_equals_gives_empty_value(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "confirm&x=1&empty="), FORM_OK);
    assert_int_equal(p.n, 3);
    assert_pair(&p, 0, "confirm", "");
    assert_pair(&p, 2, "empty", "");
}

static void test_value_keeps_later_equals_signs(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "k=a=b"), FORM_OK);
    assert_pair(&p, 0, "k", "a=b");
}

static void test_skips_empty_segments(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "&a=1&&b=2&"), FORM_OK);
    assert_int_equal(p.n, 2);
    assert_pair(&p, 0, "a", "1");
    assert_pair(&p, 1, "b", "2");
    assert_int_equal(parse(&p, ""), FORM_OK);
    assert_int_equal(p.n, 0);
}

static void test_rejects_bad_escapes(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "a=%G1"), FORM_BAD_ESCAPE);
    assert_int_equal(parse(&p, "a=%4"), FORM_BAD_ESCAPE);
    assert_int_equal(parse(&p, "a=%4&b=1"), FORM_BAD_ESCAPE);
    assert_int_equal(parse(&p, "a=x%"), FORM_BAD_ESCAPE);
    assert_int_equal(parse(&p, "%zz=1"), FORM_BAD_ESCAPE);
}

static void test_rejects_invalid_utf8(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "a=%C0%AF"), FORM_BAD_UTF8);    /* overlong '/' */
    assert_int_equal(parse(&p, "a=%E0%80%AF"), FORM_BAD_UTF8); /* overlong */
    assert_int_equal(parse(&p, "a=%ED%A0%80"), FORM_BAD_UTF8); /* surrogate */
    assert_int_equal(parse(&p, "a=%F4%90%80%80"), FORM_BAD_UTF8); /* > 10FFFF */
    assert_int_equal(parse(&p, "a=%C3"), FORM_BAD_UTF8);       /* truncated */
    assert_int_equal(parse(&p, "a=%BC"), FORM_BAD_UTF8);       /* lone cont. */
    assert_int_equal(parse(&p, "a=\xff"), FORM_BAD_UTF8);      /* raw byte */
}

static void test_rejects_nul_and_control_characters(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "a=x%00y"), FORM_BAD_UTF8);
    assert_int_equal(parse(&p, "a%00=1"), FORM_BAD_UTF8);
    assert_int_equal(parse(&p, "a=%1B"), FORM_BAD_UTF8);
    assert_int_equal(parse(&p, "a=%01"), FORM_BAD_UTF8);
}

static void test_rejects_too_many_pairs(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8"), FORM_OK);
    assert_int_equal(p.n, MAX_PAIRS);
    assert_int_equal(parse(&p, "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9"),
                     FORM_TOO_MANY);
    assert_int_equal(parse(&p, "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&&"), FORM_OK);
}

static void test_utf8_valid_boundaries(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("abc", 3));
    assert_true(utf8_valid("\xc2\x80", 2));             /* U+0080 */
    assert_true(utf8_valid("\xe0\xa0\x80", 3));         /* U+0800 */
    assert_true(utf8_valid("\xed\x9f\xbf", 3));         /* U+D7FF */
    assert_true(utf8_valid("\xee\x80\x80", 3));         /* U+E000 */
    assert_true(utf8_valid("\xf0\x90\x80\x80", 4));     /* U+10000 */
    assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4));     /* U+10FFFF */
    assert_true(utf8_valid("\xe2\x82\xac", 3));         /* euro sign */
    assert_false(utf8_valid("\xc1\xbf", 2));
    assert_false(utf8_valid("\xf0\x8f\xbf\xbf", 4));
    assert_false(utf8_valid("\xed\xbf\xbf", 3));
    assert_false(utf8_valid("\xf5\x80\x80\x80", 4));
    assert_false(utf8_valid("\xe2\x82", 2));
    assert_false(utf8_valid("\xe2\x28\xac", 3));
    assert_false(utf8_valid("a\0b", 3));
}

static void test_cookie_parse_trims_and_skips_malformed(void **state)
{
    (void)state;
    char header[] = " sid=abc123 ; lang = de;broken; =nameless;csrf=\"q=1\";x=";
    struct form_pair pairs[8];
    size_t n = cookie_parse(header, pairs, 8);
    assert_int_equal(n, 4);
    assert_string_equal(pairs[0].name, "sid");
    assert_string_equal(pairs[0].value, "abc123");
    assert_string_equal(pairs[1].name, "lang");
    assert_string_equal(pairs[1].value, "de");
    assert_string_equal(pairs[2].name, "csrf");
    assert_string_equal(pairs[2].value, "q=1");
    assert_string_equal(pairs[3].name, "x");
    assert_string_equal(pairs[3].value, "");
}

static void test_cookie_parse_stops_at_max(void **state)
{
    (void)state;
    char header[] = "a=1; b=2; c=3";
    struct form_pair pairs[2];
    assert_int_equal(cookie_parse(header, pairs, 2), 2);
    assert_string_equal(pairs[1].value, "2");
    char empty[] = "";
    assert_int_equal(cookie_parse(empty, pairs, 2), 0);
}

static void test_form_get_returns_first_match(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(&p, "a=1&b=2&a=3"), FORM_OK);
    assert_string_equal(form_get(p.pairs, p.n, "a"), "1");
    assert_string_equal(form_get(p.pairs, p.n, "b"), "2");
    assert_null(form_get(p.pairs, p.n, "A"));
    assert_null(form_get(p.pairs, 0, "a"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parses_pairs_in_order),
        cmocka_unit_test(test_decodes_plus_and_percent_escapes),
        cmocka_unit_test(test_decodes_names_too),
        cmocka_unit_test(test_allows_tab_and_newlines),
        cmocka_unit_test(test_missing_equals_gives_empty_value),
        cmocka_unit_test(test_value_keeps_later_equals_signs),
        cmocka_unit_test(test_skips_empty_segments),
        cmocka_unit_test(test_rejects_bad_escapes),
        cmocka_unit_test(test_rejects_invalid_utf8),
        cmocka_unit_test(test_rejects_nul_and_control_characters),
        cmocka_unit_test(test_rejects_too_many_pairs),
        cmocka_unit_test(test_utf8_valid_boundaries),
        cmocka_unit_test(test_cookie_parse_trims_and_skips_malformed),
        cmocka_unit_test(test_cookie_parse_stops_at_max),
        cmocka_unit_test(test_form_get_returns_first_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
