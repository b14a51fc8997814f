/* Unit tests for src/csv.c (RFC 4180 reading and writing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "csv.h"

struct reader {
    const char *cursor;
    struct csv_record rec;
    char buf[256];
};

static int next(struct reader *r)
{
    return csv_next_record(&r->cursor, &r->rec, r->buf, sizeof r->buf);
}

/* Reads one record and compares it field by field with want[0..n-1]. */
static void assert_record(struct reader *r, size_t n, const char *const *want)
{
    assert_int_equal(next(r), 1);
    assert_int_equal(r->rec.nfields, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(r->rec.field[i], want[i]);
}

#define ASSERT_RECORD(r, ...)                                                  \
    do {                                                                       \
        const char *const want_[] = {__VA_ARGS__};                             \
        assert_record((r), sizeof want_ / sizeof want_[0], want_);             \
    } while (0)

static void test_reads_plain_records_with_lf(void **state)
{
    (void)state;
    struct reader r = {.cursor = "kind,slug,title\ncourse,dsgvo,Datenschutz\n"};
    ASSERT_RECORD(&r, "kind", "slug", "title");
    ASSERT_RECORD(&r, "course", "dsgvo", "Datenschutz");
    assert_int_equal(next(&r), 0);
    assert_int_equal(next(&r), 0);
}

static void test_reads_crlf_and_last_line_without_newline(void **state)
{
    (void)state;
    struct reader r = {.cursor = "a,b\r\nc,d\r\ne,f"};
    ASSERT_RECORD(&r, "a", "b");
    ASSERT_RECORD(&r, "c", "d");
    ASSERT_RECORD(&r, "e", "f");
    assert_int_equal(next(&r), 0);
}

static void test_skips_empty_lines(void **state)
{
    (void)state;
    struct reader r = {.cursor = "\r\na\n\nb\r\n\r\n"};
    ASSERT_RECORD(&r, "a");
    ASSERT_RECORD(&r, "b");
    assert_int_equal(next(&r), 0);
    struct reader empty = {.cursor = ""};
    assert_int_equal(next(&empty), 0);
}

static void test_reads_empty_fields(void **state)
{
    (void)state;
    struct reader r = {.cursor = ",x,\n\"\",\n"};
    ASSERT_RECORD(&r, "", "x", "");
    ASSERT_RECORD(&r, "", "");
}

static void test_quoted_field_keeps_commas(void **state)
{
    (void)state;
    struct reader r = {.cursor = "\"Rathausplatz 1, 1010 Wien\",x\n"};
    ASSERT_RECORD(&r, "Rathausplatz 1, 1010 Wien", "x");
}

static void test_quoted_field_unescapes_doubled_quotes(void **state)
{
    (void)state;
    struct reader r = {.cursor = "\"Kurs \"\"Excel\"\"\",\"\"\"\"\n"};
    ASSERT_RECORD(&r, "Kurs \"Excel\"", "\"");
}

static void test_quoted_field_keeps_embedded_newlines(void **state)
{
    (void)state;
    struct reader r = {.cursor = "\"Zeile 1\nZeile 2\r\nZeile 3\",b\r\nc,d"};
    ASSERT_RECORD(&r, "Zeile 1\nZeile 2\r\nZeile 3", "b");
    ASSERT_RECORD(&r, "c", "d");
}

static void test_keeps_utf8_text(void **state)
{
    (void)state;
    struct reader r = {.cursor = "St\xc3\xa4" "dtebund,Gr\xc3\xbc\xc3\x9f" "e\n"};
    ASSERT_RECORD(&r, "St\xc3\xa4" "dtebund", "Gr\xc3\xbc\xc3\x9f" "e");
}

static void assert_malformed(const char *text)
{
    struct reader r = {.cursor = text};
    assert_int_equal(next(&r), -1);
    assert_ptr_equal(r.cursor, text);
}

static void test_rejects_unterminated_quote(void **state)
{
    (void)state;
    assert_malformed("a,\"open\n");
    assert_malformed("\"");
}

static void test_rejects_text_after_closing_quote(void **state)
{
    (void)state;
    assert_malformed("\"a\"b,c\n");
    assert_malformed("\"a\" ,c\n");
}

static void test_rejects_quote_inside_unquoted_field(void **state)
{
    (void)state;
    assert_malformed("ab\"c\",d\n");
}

static void test_rejects_too_many_fields(void **state)
{
    (void)state;
    struct reader ok = {.cursor = "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n"};
    assert_int_equal(next(&ok), 1);
    assert_int_equal(ok.rec.nfields, CSV_MAX_FIELDS);
    assert_string_equal(ok.rec.field[15], "16");
    assert_malformed("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n");
}

static void test_rejects_record_larger_than_buffer(void **state)
{
    (void)state;
    const char *cursor = "abc,de\n";
    struct csv_record rec;
    char buf[7];
    assert_int_equal(csv_next_record(&cursor, &rec, buf, 6), -1);
    assert_int_equal(csv_next_record(&cursor, &rec, buf, 7), 1); /* abc0de0 */
    assert_string_equal(rec.field[1], "de");
}

static void assert_quotes(const char *field, const char *want)
{
    char out[64];
    assert_int_equal(csv_quote(field, out, sizeof out), strlen(want));
    assert_string_equal(out, want);
}

static void test_quote_only_when_needed(void **state)
{
    (void)state;
    assert_quotes("plain text", "plain text");
    assert_quotes("", "");
    assert_quotes("a,b", "\"a,b\"");
    assert_quotes("a;b", "\"a;b\"");
    assert_quotes("say \"hi\"", "\"say \"\"hi\"\"\"");
    assert_quotes("line\nbreak", "\"line\nbreak\"");
    assert_quotes("cr\rhere", "\"cr\rhere\"");
}

static void test_quote_guards_formula_injection(void **state)
{
    (void)state;
    assert_quotes("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
    assert_quotes("+43 1 234", "'+43 1 234");
    assert_quotes("-5", "'-5");
    assert_quotes("@SUM(A1)", "'@SUM(A1)");
    assert_quotes("\tx", "'\tx");
    assert_quotes("a=b", "a=b");
}

static void test_quote_truncates_like_snprintf(void **state)
{
    (void)state;
    char out[4] = "zzz";
    assert_int_equal(csv_quote("a,bcdef", out, sizeof out), 9);
    assert_string_equal(out, "\"a,");
    assert_int_equal(csv_quote("a,bcdef", NULL, 0), 9);
    char one[1] = {'z'};
    assert_int_equal(csv_quote("abc", one, 1), 3);
    assert_int_equal(one[0], '\0');
}

static void test_quote_round_trips_through_reader(void **state)
{
    (void)state;
    const char *fields[] = {"plain", "with, comma", "\"quoted\"", "multi\r\nline",
                            "", "\xc3\xbc"};
    char line[256] = "";
    for (size_t i = 0; i < 6; i++) {
        char quoted[64];
        csv_quote(fields[i], quoted, sizeof quoted);
        strcat(line, quoted);
        strcat(line, i < 5 ? "," : "\r\n");
    }
    struct reader r = {.cursor = line};
    assert_int_equal(next(&r), 1);
    assert_int_equal(r.rec.nfields, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(r.rec.field[i], fields[i]);
    assert_int_equal(next(&r), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_plain_records_with_lf),
        cmocka_unit_test(test_reads_crlf_and_last_line_without_newline),
        cmocka_unit_test(test_skips_empty_lines),
        cmocka_unit_test(test_reads_empty_fields),
        cmocka_unit_test(test_quoted_field_keeps_commas),
        cmocka_unit_test(test_quoted_field_unescapes_doubled_quotes),
        cmocka_unit_test(test_quoted_field_keeps_embedded_newlines),
        cmocka_unit_test(test_keeps_utf8_text),
        cmocka_unit_test(test_rejects_unterminated_quote),
        cmocka_unit_test(test_rejects_text_after_closing_quote),
        cmocka_unit_test(test_rejects_quote_inside_unquoted_field),
        cmocka_unit_test(test_rejects_too_many_fields),
        cmocka_unit_test(test_rejects_record_larger_than_buffer),
        cmocka_unit_test(test_quote_only_when_needed),
        cmocka_unit_test(test_quote_guards_formula_injection),
        cmocka_unit_test(test_quote_truncates_like_snprintf),
        cmocka_unit_test(test_quote_round_trips_through_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
