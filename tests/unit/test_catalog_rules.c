/* Unit tests for src/catalog_rules.c: the rules of a catalog item (shared
 * by the CSV import and the admin pages) and hours parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "catalog_rules.h"
#include "db.h"
#include "mem.h"

static struct catalog_item course(void)
{
    return (struct catalog_item){.kind = ITEM_COURSE, .slug = "dsgvo-1", .title = "DSGVO", .description = "",
                                 .hours = 8, .price_cents = 14900};
}

static void assert_problem(const struct catalog_item *it, size_t ncourses, enum catalog_field field)
{
    const struct catalog_problem *p = catalog_item_problem(it, ncourses);
    assert_non_null(p);
    assert_int_equal(p->field, field);
    assert_true(p->text[0] != '\0');
}

static void test_a_plain_course_keeps_every_rule(void **state)
{
    (void)state;
    struct catalog_item it = course();
    assert_null(catalog_item_problem(&it, 0));
    it.price_cents = 0; /* free */
    assert_null(catalog_item_problem(&it, 0));
    it.price_cents = CATALOG_PRICE_MAX;
    it.hours = CATALOG_HOURS_MAX;
    assert_null(catalog_item_problem(&it, 0));
}

static void test_slug_outside_lowercase_digits_and_dash_is_refused(void **state)
{
    (void)state;
    const char *bad[] = {"", "Gross", "mit leer", "umlaut-ä", "a_b",
                         "sehr-langes-kuerzel-mit-mehr-als-vierzig-z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct catalog_item it = course();
        it.slug = bad[i];
        assert_problem(&it, 0, CATALOG_SLUG);
    }
}

static void test_empty_or_long_title_and_long_description_are_refused(void **state)
{
    (void)state;
    char longer[1002];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    struct catalog_item it = course();
    it.title = "";
    assert_problem(&it, 0, CATALOG_TITLE);
    it.title = longer + 700; /* 301 characters */
    assert_problem(&it, 0, CATALOG_TITLE);
    it = course();
    it.description = longer;
    assert_problem(&it, 0, CATALOG_DESCRIPTION);
}

static void test_hours_and_price_out_of_range_are_refused(void **state)
{
    (void)state;
    struct catalog_item it = course();
    it.hours = CATALOG_HOURS_MAX + 1;
    assert_problem(&it, 0, CATALOG_HOURS);
    it = course();
    it.price_cents = CATALOG_PRICE_MAX + 1;
    assert_problem(&it, 0, CATALOG_PRICE);
    it.price_cents = -1;
    assert_problem(&it, 0, CATALOG_PRICE);
}

static void test_a_package_needs_courses_and_a_course_has_none(void **state)
{
    (void)state;
    struct catalog_item it = course();
    assert_problem(&it, 1, CATALOG_COURSES);
    it.kind = ITEM_PACKAGE;
    assert_problem(&it, 0, CATALOG_COURSES);
    assert_null(catalog_item_problem(&it, 2));
}

static void test_hours_parse_digits_up_to_the_limit_only(void **state)
{
    (void)state;
    int64_t h = -1;
    assert_true(catalog_parse_hours("0", &h));
    assert_int_equal(h, 0);
    assert_true(catalog_parse_hours("10000", &h));
    assert_int_equal(h, 10000);
    const char *bad[] = {"", "10001", "-1", "1.5", "acht", " 8", "8 ", "999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(catalog_parse_hours(bad[i], &h));
}

static void test_slugs_split_on_any_run_of_spaces(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char **slugs;
    size_t n;
    catalog_split_slugs(a, "  a  bb c ", &slugs, &n);
    assert_int_equal(n, 3);
    assert_string_equal(slugs[0], "a");
    assert_string_equal(slugs[1], "bb");
    assert_string_equal(slugs[2], "c");
    catalog_split_slugs(a, "", &slugs, &n);
    assert_int_equal(n, 0);
    arena_free(a);
}

static void test_every_broken_rule_is_reported_at_once_in_order(void **state)
{
    (void)state;
    struct catalog_item it = course();
    it.slug = "Gross";
    it.title = "";
    it.price_cents = -1;
    const struct catalog_problem *all[CATALOG_PROBLEMS_MAX];
    size_t n = catalog_item_problems(&it, 2, all);
    assert_int_equal(n, 4);
    assert_int_equal(all[0]->field, CATALOG_SLUG);
    assert_int_equal(all[1]->field, CATALOG_TITLE);
    assert_int_equal(all[2]->field, CATALOG_PRICE);
    assert_int_equal(all[3]->field, CATALOG_COURSES); /* a course with courses */
    assert_ptr_equal(catalog_item_problem(&it, 2), all[0]);
    it = course();
    assert_int_equal(catalog_item_problems(&it, 0, all), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_plain_course_keeps_every_rule),
        cmocka_unit_test(test_every_broken_rule_is_reported_at_once_in_order),
        cmocka_unit_test(test_slug_outside_lowercase_digits_and_dash_is_refused),
        cmocka_unit_test(test_empty_or_long_title_and_long_description_are_refused),
        cmocka_unit_test(test_hours_and_price_out_of_range_are_refused),
        cmocka_unit_test(test_a_package_needs_courses_and_a_course_has_none),
        cmocka_unit_test(test_hours_parse_digits_up_to_the_limit_only),
        cmocka_unit_test(test_slugs_split_on_any_run_of_spaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
