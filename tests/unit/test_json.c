/* Unit tests for src/json.c: the flat-object reader and the writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "json.h"
#include "mem.h"

#define MAX 4

struct parsed {
    struct form_pair m[MAX];
    size_t n;
    char buf[256];
};

static int parse(const char *text, struct parsed *p)
{
    return json_parse_flat(text, strlen(text), p->m, MAX, &p->n, p->buf, strlen(text) + 1);
}

static void test_json_reads_a_flat_object_with_whitespace(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse(" {\"username\" : \"anna\",\n\t\"course\":\"dsgvo\" , \"completed_on\":\"2026-01-01\"}\r\n", &p), 0);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.m[0].name, "username");
    assert_string_equal(p.m[0].value, "anna");
    assert_string_equal(p.m[1].value, "dsgvo");
    assert_string_equal(p.m[2].name, "completed_on");
    assert_string_equal(p.m[2].value, "2026-01-01");
}

static void test_json_reads_an_empty_object_and_empty_strings(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse("{}", &p), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(parse("{\"\":\"\"}", &p), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.m[0].name, "");
    assert_string_equal(p.m[0].value, "");
}

static void test_json_decodes_every_escape(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse("{\"a\":\"q\\\" b\\\\ s\\/ n\\n t\\t r\\r b\\b f\\f\"}", &p), 0);
    assert_string_equal(p.m[0].value, "q\" b\\ s/ n\n t\t r\r b\b f\f");
}

static void test_json_decodes_unicode_escapes_to_utf8(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse("{\"n\":\"\\u0041\\u00e4\\u20AC\\ud83d\\ude00\"}", &p), 0);
    assert_string_equal(p.m[0].value, "A\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80");
    assert_int_equal(parse("{\"n\":\"Österreich\"}", &p), 0);
    assert_string_equal(p.m[0].value, "Österreich");
}

static void test_json_refuses_what_is_not_a_flat_object_of_strings(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", " ", "[]", "\"a\"", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1}", "{\"a\":true}",
        "{\"a\":null}", "{\"a\":{\"b\":\"c\"}}", "{\"a\":[\"b\"]}", "{\"a\":\"b\",}", "{,\"a\":\"b\"}",
        "{\"a\":\"b\" \"c\":\"d\"}", "{\"a\":\"b\"} x", "{\"a\":\"b\"}{}", "{'a':'b'}", "{a:\"b\"}",
        "{\"a\":\"b}", "{\"a\":\"b\\\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud83d\"}", "{\"a\":\"\\ude00\"}", "{\"a\":\"\\ud83d\\u0041\"}",
        "{\"a\":\"tab\there\"}", "{\"a\":\"line\nbreak\"}", "{\"a\":\"b\",\"a\":\"c\"}",
        "{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct parsed p;
        if (parse(bad[i], &p) != -1)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_json_refuses_more_members_than_room(void **state)
{
    (void)state;
    struct parsed p;
    assert_int_equal(parse("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\"}", &p), 0);
    assert_int_equal(parse("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\",\"e\":\"5\"}", &p), -1);
}

static void test_json_refuses_a_nul_byte_inside_the_text(void **state)
{
    (void)state;
    struct parsed p;
    static const char text[] = "{\"a\":\"b\0c\"}";
    assert_int_equal(json_parse_flat(text, sizeof text - 1, p.m, MAX, &p.n, p.buf, sizeof p.buf), -1);
}

static void test_json_object_escapes_quotes_backslashes_and_controls(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *const kv[] = {"error", "say \"hi\" \\ \n\x01 ä", "status", "ok", NULL};
    assert_string_equal(json_object(a, kv), "{\"error\":\"say \\\"hi\\\" \\\\ \\u000a\\u0001 ä\",\"status\":\"ok\"}");
    const char *const none[] = {NULL};
    assert_string_equal(json_object(a, none), "{}");
    arena_free(a);
}

static void test_json_object_round_trips_through_the_reader(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *const kv[] = {"x", "\"\\/\t\x1f€", NULL};
    const char *text = json_object(a, kv);
    struct parsed p;
    assert_int_equal(parse(text, &p), 0);
    assert_string_equal(p.m[0].value, kv[1]);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_reads_a_flat_object_with_whitespace),
        cmocka_unit_test(test_json_reads_an_empty_object_and_empty_strings),
        cmocka_unit_test(test_json_decodes_every_escape),
        cmocka_unit_test(test_json_decodes_unicode_escapes_to_utf8),
        cmocka_unit_test(test_json_refuses_what_is_not_a_flat_object_of_strings),
        cmocka_unit_test(test_json_refuses_more_members_than_room),
        cmocka_unit_test(test_json_refuses_a_nul_byte_inside_the_text),
        cmocka_unit_test(test_json_object_escapes_quotes_backslashes_and_controls),
        cmocka_unit_test(test_json_object_round_trips_through_the_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
