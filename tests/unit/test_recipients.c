/* Unit tests for the pasted recipient list of src/recipients.c (pure parsing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mem.h"
#include "recipients.h"

struct parsed {
    struct recipient *list;
    struct recipient_error *errors;
    size_t n, nerrors;
};

static struct parsed parse(struct arena *a, const char *text)
{
    struct parsed p;
    recipients_parse(a, text, &p.list, &p.n, &p.errors, &p.nerrors);
    return p;
}

static void test_reads_semicolon_comma_and_tab_lines(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct parsed p = parse(a, "Anna Huber; anna@x.at\r\nHuber, Max\tmax@x.at\nEva Egger,eva@x.at\n");
    assert_int_equal(p.nerrors, 0);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.list[0].name, "Anna Huber");
    assert_string_equal(p.list[0].email, "anna@x.at");
    assert_string_equal(p.list[1].name, "Huber, Max");
    assert_string_equal(p.list[1].email, "max@x.at");
    assert_string_equal(p.list[2].name, "Eva Egger");
    assert_int_equal(p.list[2].line, 3);
    arena_free(a);
}

static void test_blank_lines_are_skipped_but_counted(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct parsed p = parse(a, "\n  \r\nAnna; anna@x.at\n\nBert; bert@x.at");
    assert_int_equal(p.nerrors, 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.list[0].line, 3);
    assert_int_equal(p.list[1].line, 5);
    arena_free(a);
}

static void test_names_each_bad_line_by_number(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct parsed p = parse(a, "Anna; anna@x.at\nnur ein Name\n; leer@x.at\nBert; kein-at\nCarla; anna@x.at\n");
    assert_int_equal(p.nerrors, 4);
    assert_int_equal(p.errors[0].line, 2);
    assert_non_null(strstr(p.errors[0].message, "getrennt"));
    assert_int_equal(p.errors[1].line, 3);
    assert_non_null(strstr(p.errors[1].message, "Name fehlt"));
    assert_int_equal(p.errors[2].line, 4);
    assert_non_null(strstr(p.errors[2].message, "E-Mail-Adresse ist ungültig"));
    assert_int_equal(p.errors[3].line, 5);
    assert_non_null(strstr(p.errors[3].message, "Zeile 1"));
    arena_free(a);
}

static void test_empty_text_gives_nothing(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct parsed p = parse(a, "");
    assert_int_equal(p.n, 0);
    assert_int_equal(p.nerrors, 0);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_semicolon_comma_and_tab_lines),
        cmocka_unit_test(test_blank_lines_are_skipped_but_counted),
        cmocka_unit_test(test_names_each_bad_line_by_number),
        cmocka_unit_test(test_empty_text_gives_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
