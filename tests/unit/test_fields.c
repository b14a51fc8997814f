/* Unit tests for src/fields.c (the input table, its validators, fields_read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "valid.h"
#include "form.h"
#include "mem.h"

/* A string of n copies of the UTF-8 sequence unit (at most 1200 bytes). */
static const char *repeat(char *out, const char *unit, size_t n)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        strcat(out, unit);
    return out;
}

/* ---- username ---- */

static void test_username_accepts_three_characters(void **state)
{
    (void)state;
    assert_true(valid_username("abc"));
}

static void test_username_rejects_two_characters(void **state)
{
    (void)state;
    assert_false(valid_username("ab"));
    assert_false(valid_username(""));
}

static void test_username_accepts_forty_characters(void **state)
{
    (void)state;
    char s[1200];
    assert_true(valid_username(repeat(s, "a", 40)));
}

static void test_username_rejects_forty_one_characters(void **state)
{
    (void)state;
    char s[1200];
    assert_false(valid_username(repeat(s, "a", 41)));
}

static void test_username_accepts_letters_digits_dot_underscore_hyphen(void **state)
{
    (void)state;
    assert_true(valid_username("Anna.Maier_1-x"));
    assert_true(valid_username("0123456789"));
}

static void test_username_rejects_other_characters(void **state)
{
    (void)state;
    assert_false(valid_username("anna maier"));
    assert_false(valid_username("anna@x"));
    assert_false(valid_username("anna/x"));
    assert_false(valid_username("anna'x"));
    assert_false(valid_username("anna\tx"));
}

static void test_username_rejects_umlaut(void **state)
{
    (void)state;
    assert_false(valid_username("j\xc3\xbcrgen")); /* jürgen */
}

/* ---- e-mail ---- */

static void test_email_accepts_ordinary_addresses(void **state)
{
    (void)state;
    assert_true(valid_email("anna@example.at"));
    assert_true(valid_email("a.b+c@gemeinde.example.gv.at"));
    assert_true(valid_email("x@y.co"));
}

static void test_email_rejects_non_ascii_and_del(void **state)
{
    (void)state;
    assert_false(valid_email("jörg@example.at"));
    assert_false(valid_email("a\x7f@example.at"));
}

static void test_qty_text_is_cut_on_a_character_boundary(void **state)
{
    struct arena *a = arena_new();
    char text[] = "qty_kurs=000000000000000%C3%A4";
    struct form_pair pairs[4];
    size_t n = 0;
    assert_int_equal(form_parse(text, pairs, 4, &n), FORM_OK);
    struct field_value values[F__MAX];
    struct qty_input *qty;
    size_t nqty;
    fields_read(a, pairs, n, values, &qty, &nqty);
    assert_int_equal(nqty, 1);
    assert_false(qty[0].valid);
    assert_string_equal(qty[0].text, "000000000000000");
    arena_free(a);
    (void)state;
}

static void test_read_joins_the_checkboxes_of_a_list_field_and_keeps_the_first_of_others(void **state)
{
    struct arena *a = arena_new();
    char text[] = "courses=dsgvo-grundlagen&username=erste&courses=buergerservice&username=zweite";
    struct form_pair pairs[8];
    size_t n = 0;
    assert_int_equal(form_parse(text, pairs, 8, &n), FORM_OK);
    struct field_value values[F__MAX];
    struct qty_input *qty;
    size_t nqty;
    fields_read(a, pairs, n, values, &qty, &nqty);
    assert_string_equal(values[F_COURSES].text, "dsgvo-grundlagen buergerservice");
    assert_true(values[F_COURSES].valid);
    assert_string_equal(values[F_USERNAME].text, "erste");
    arena_free(a);
    (void)state;
}

static void test_email_rejects_two_at_signs(void **state)
{
    (void)state;
    assert_false(valid_email("anna@x@example.at"));
    assert_false(valid_email("anna@@example.at"));
}

static void test_email_rejects_missing_at_or_local_part(void **state)
{
    (void)state;
    assert_false(valid_email("anna.example.at"));
    assert_false(valid_email("@example.at"));
    assert_false(valid_email(""));
}

static void test_email_rejects_domain_without_dot(void **state)
{
    (void)state;
    assert_false(valid_email("anna@localhost"));
    assert_false(valid_email("an.na@localhost"));
}

static void test_email_rejects_bad_dots_in_domain(void **state)
{
    (void)state;
    assert_false(valid_email("anna@.example"));
    assert_false(valid_email("anna@example."));
    assert_false(valid_email("anna@example..at"));
}

static void test_email_rejects_spaces(void **state)
{
    (void)state;
    assert_false(valid_email("anna maier@example.at"));
    assert_false(valid_email(" anna@example.at"));
    assert_false(valid_email("anna@example.at "));
}

static void test_email_rejects_angle_bracket_and_specials(void **state)
{
    (void)state;
    assert_false(valid_email("<anna@example.at"));
    assert_false(valid_email("anna@example.at>"));
    assert_false(valid_email("an\"na@example.at"));
    assert_false(valid_email("anna,b@example.at"));
    assert_false(valid_email("anna;b@example.at"));
}

static void test_email_rejects_overlong_local_part(void **state)
{
    (void)state;
    char s[1200];
    repeat(s, "a", 65);
    strcat(s, "@example.at");
    assert_false(valid_email(s));
    repeat(s, "a", 64);
    strcat(s, "@example.at");
    assert_true(valid_email(s));
}

/* ---- person name ---- */

static void test_person_name_accepts_one_character(void **state)
{
    (void)state;
    assert_true(valid_person_name("A"));
}

static void test_person_name_rejects_empty(void **state)
{
    (void)state;
    assert_false(valid_person_name(""));
}

static void test_person_name_accepts_hundred_umlauts_of_two_hundred_bytes(void **state)
{
    (void)state;
    char s[1200];
    repeat(s, "\xc3\xa4", 100); /* ä */
    assert_int_equal(strlen(s), 200);
    assert_true(valid_person_name(s));
}

static void test_person_name_rejects_hundred_and_one_characters(void **state)
{
    (void)state;
    char s[1200];
    assert_false(valid_person_name(repeat(s, "\xc3\xa4", 101)));
    assert_false(valid_person_name(repeat(s, "a", 101)));
    assert_true(valid_person_name(repeat(s, "a", 100)));
}

static void test_person_name_rejects_control_characters(void **state)
{
    (void)state;
    assert_false(valid_person_name("Anna\nMaier"));
    assert_false(valid_person_name("Anna\tMaier"));
    assert_false(valid_person_name("Anna\x7f"));
    assert_false(valid_person_name("\x1b[31m"));
}

static void test_person_name_accepts_space_hyphen_and_apostrophe(void **state)
{
    (void)state;
    assert_true(valid_person_name("Anna-Lena O'Brien M\xc3\xbcller"));
}

/* ---- local path ---- */

static void test_local_path_accepts_slash_path(void **state)
{
    (void)state;
    assert_true(valid_local_path("/x"));
    assert_true(valid_local_path("/"));
    assert_true(valid_local_path("/bestellen?x=1"));
}

static void test_local_path_rejects_protocol_relative(void **state)
{
    (void)state;
    assert_false(valid_local_path("//evil"));
    assert_false(valid_local_path("/\\evil"));
}

static void test_local_path_rejects_absolute_url_and_relative(void **state)
{
    (void)state;
    assert_false(valid_local_path("http://x"));
    assert_false(valid_local_path("javascript:alert(1)"));
    assert_false(valid_local_path("x/y"));
    assert_false(valid_local_path(""));
}

static void test_local_path_rejects_control_characters(void **state)
{
    (void)state;
    assert_false(valid_local_path("/x\r\nSet-Cookie: a=b"));
}

/* ---- quantity ---- */

static void test_qty_accepts_zero_and_ten_thousand(void **state)
{
    (void)state;
    long v = -1;
    assert_true(field_parse_qty("0", &v));
    assert_int_equal(v, 0);
    assert_true(field_parse_qty("10000", &v));
    assert_int_equal(v, 10000);
    assert_true(field_parse_qty("007", &v));
    assert_int_equal(v, 7);
}

static void test_qty_rejects_ten_thousand_and_one(void **state)
{
    (void)state;
    long v;
    assert_false(field_parse_qty("10001", &v));
    assert_false(field_parse_qty("99999", &v));
    assert_false(field_parse_qty("100000", &v));
}

static void test_qty_rejects_sign_exponent_empty_and_space(void **state)
{
    (void)state;
    long v;
    assert_false(field_parse_qty("-1", &v));
    assert_false(field_parse_qty("+1", &v));
    assert_false(field_parse_qty("1e3", &v));
    assert_false(field_parse_qty("", &v));
    assert_false(field_parse_qty(" 5", &v));
    assert_false(field_parse_qty("5 ", &v));
    assert_false(field_parse_qty("1.5", &v));
}

/* ---- fields_read ---- */

struct read_result {
    struct arena *a;
    struct field_value in[F__MAX];
    struct qty_input *qty;
    size_t nqty;
};

static int setup_arena(void **state)
{
    struct read_result *r = calloc(1, sizeof *r);
    r->a = arena_new();
    *state = r;
    return 0;
}

static int teardown_arena(void **state)
{
    struct read_result *r = *state;
    arena_free(r->a);
    free(r);
    return 0;
}

static void read_pairs(struct read_result *r, const struct form_pair *pairs, size_t n)
{
    fields_read(r->a, pairs, n, r->in, &r->qty, &r->nqty);
}

static void test_fields_read_absent_field_has_null_text(void **state)
{
    struct read_result *r = *state;
    struct form_pair pairs[] = {{"username", "anna"}};
    read_pairs(r, pairs, 1);
    assert_non_null(r->in[F_USERNAME].text);
    assert_null(r->in[F_EMAIL].text);
    assert_false(r->in[F_EMAIL].valid);
    assert_int_equal(r->nqty, 0);
}

static void test_fields_read_first_occurrence_wins(void **state)
{
    struct read_result *r = *state;
    struct form_pair pairs[] = {{"username", "anna"}, {"username", "bert"}, {"email", "a@b.at"},
                                {"email", "bad"}};
    read_pairs(r, pairs, 4);
    assert_string_equal(r->in[F_USERNAME].text, "anna");
    assert_true(r->in[F_USERNAME].valid);
    assert_string_equal(r->in[F_EMAIL].text, "a@b.at");
    assert_true(r->in[F_EMAIL].valid);
}

static void test_fields_read_first_occurrence_wins_even_when_invalid(void **state)
{
    struct read_result *r = *state;
    struct form_pair pairs[] = {{"email", "bad"}, {"email", "a@b.at"}};
    read_pairs(r, pairs, 2);
    assert_string_equal(r->in[F_EMAIL].text, "bad");
    assert_false(r->in[F_EMAIL].valid);
}

static void test_fields_read_keeps_invalid_value_as_text(void **state)
{
    struct read_result *r = *state;
    struct form_pair pairs[] = {{"email", "anna@@x.at"}, {"mode", "other"}, {"next", "//evil"}};
    read_pairs(r, pairs, 3);
    assert_string_equal(r->in[F_EMAIL].text, "anna@@x.at");
    assert_false(r->in[F_EMAIL].valid);
    assert_string_equal(r->in[F_MODE].text, "other");
    assert_false(r->in[F_MODE].valid);
    assert_string_equal(r->in[F_NEXT].text, "//evil");
    assert_false(r->in[F_NEXT].valid);
}

static void test_fields_read_copies_value_into_arena(void **state)
{
    struct read_result *r = *state;
    char value[] = "anna";
    struct form_pair pairs[] = {{"username", value}};
    read_pairs(r, pairs, 1);
    value[0] = 'X';
    assert_string_equal(r->in[F_USERNAME].text, "anna");
}

static void test_fields_read_overlong_value_is_invalid_and_truncated(void **state)
{
    struct read_result *r = *state;
    char s[1200];
    repeat(s, "a", field_specs[F_USERNAME].max_bytes + 1); /* 101 bytes, no control characters */
    struct form_pair pairs[] = {{"username", s}};
    read_pairs(r, pairs, 1);
    assert_non_null(r->in[F_USERNAME].text);
    assert_false(r->in[F_USERNAME].valid);
    assert_int_equal(strlen(r->in[F_USERNAME].text), field_specs[F_USERNAME].max_bytes);
}

/* ---- typed inputs: the table's type and limits ---- */

static void test_typed_int_within_range_gives_its_number(void **state)
{
    struct read_result *r = *state;
    struct form_pair pairs[] = {{"hours", "10000"}, {"seite", "7"}};
    read_pairs(r, pairs, 2);
    assert_true(r->in[F_HOURS].valid);
    assert_int_equal(r->in[F_HOURS].number, 10000);
    assert_true(r->in[F_PAGE].valid);
    assert_int_equal(r->in[F_PAGE].number, 7);
}

static void test_typed_int_out_of_range_or_not_digits_is_invalid(void **state)
{
    struct read_result *r = *state;
    const char *bad[] = {"10001", "-1", "3 ", "1e3", "", "abc"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct form_pair pairs[] = {{"hours", bad[i]}};
        read_pairs(r, pairs, 1);
        assert_false(r->in[F_HOURS].valid);
        assert_string_equal(r->in[F_HOURS].text, bad[i]); /* kept for re-showing */
    }
    struct form_pair zero_page[] = {{"seite", "0"}};
    read_pairs(r, zero_page, 1);
    assert_false(r->in[F_PAGE].valid);
}

static void test_typed_cents_reads_amounts_as_typed(void **state)
{
    struct read_result *r = *state;
    struct form_pair pairs[] = {{"price", "149,5"}};
    read_pairs(r, pairs, 1);
    assert_true(r->in[F_PRICE].valid);
    assert_int_equal(r->in[F_PRICE].number, 14950);
    struct form_pair too_much[] = {{"price", "1000000,01"}};
    read_pairs(r, too_much, 1);
    assert_false(r->in[F_PRICE].valid);
}

static void test_typed_date_is_a_real_day(void **state)
{
    struct read_result *r = *state;
    struct form_pair good[] = {{"valid_until", "2028-02-29"}};
    read_pairs(r, good, 1);
    assert_true(r->in[F_VALID_UNTIL].valid);
    assert_int_equal(r->in[F_VALID_UNTIL].number, 20280229);
    struct form_pair bad[] = {{"valid_until", "2027-02-29"}};
    read_pairs(r, bad, 1);
    assert_false(r->in[F_VALID_UNTIL].valid);
}

static void test_text_limit_counts_characters_not_bytes(void **state)
{
    struct read_result *r = *state;
    char s[1300];
    /* 300 umlauts are 600 bytes: a title of 300 characters, as the form allows */
    repeat(s, "\xc3\xa4", field_specs[F_TITLE].max_chars);
    struct form_pair pairs[] = {{"title", s}};
    read_pairs(r, pairs, 1);
    assert_true(r->in[F_TITLE].valid);
    strcat(s, "a");
    read_pairs(r, pairs, 1);
    assert_false(r->in[F_TITLE].valid);
}

static void test_maxlength_of_the_form_is_the_validators_limit(void **state)
{
    (void)state;
    assert_int_equal(field_maxlength(F_TITLE), field_specs[F_TITLE].max_chars);
    assert_int_equal(field_maxlength(F_FIRST_NAME), 100);
    assert_int_equal(field_maxlength(F_HOURS), 5);          /* 10000 */
    assert_int_equal(field_maxlength(F_PRICE), strlen("1.000.000,00"));
    assert_int_equal(field_maxlength(F_VALID_UNTIL), 10);
    assert_int_equal(field_maxlength(F_USERNAME), field_specs[F_USERNAME].max_bytes);
    assert_int_equal(field_by_name("title"), F_TITLE);
    assert_int_equal(field_by_name("no_such_input"), F__MAX);
}

static void test_problem_names_the_field_and_its_limits_in_german(void **state)
{
    struct read_result *r = *state;
    assert_string_equal(field_problem(r->a, F_HOURS), "Die Dauer in Stunden muss eine ganze Zahl von 0 bis 10.000 sein.");
    assert_string_equal(field_problem(r->a, F_PRICE),
                        "Der Preis (netto) muss ein Betrag von 0,00 € bis 1.000.000,00 € sein, zum Beispiel 149,00.");
    assert_non_null(strstr(field_problem(r->a, F_VALID_UNTIL), "das neue Ablaufdatum als Datum an"));
    assert_non_null(strstr(field_problem(r->a, F_TITLE), "höchstens 300 Zeichen"));
}

static void test_fields_read_value_at_limit_is_valid(void **state)
{
    struct read_result *r = *state;
    char s[1200];
    repeat(s, "a", field_specs[F_USERNAME].max_bytes);
    struct form_pair pairs[] = {{"username", s}};
    read_pairs(r, pairs, 1);
    assert_true(r->in[F_USERNAME].valid);
    assert_string_equal(r->in[F_USERNAME].text, s);
}

static void test_fields_read_ignores_unknown_names(void **state)
{
    struct read_result *r = *state;
    struct form_pair pairs[] = {{"is_admin", "1"}, {"Username", "x"}, {"usernam", "y"},
                                {"qty_", "3"}, {"code", "SBA-1"}};
    read_pairs(r, pairs, 5);
    for (int f = 0; f < F__MAX; f++) {
        if (f == F_CODE)
            continue;
        assert_null(r->in[f].text);
        assert_false(r->in[f].valid);
    }
    assert_string_equal(r->in[F_CODE].text, "SBA-1");
    assert_true(r->in[F_CODE].valid);
    assert_int_equal(r->nqty, 0);
}

static void test_fields_read_collects_qty_fields_with_slug(void **state)
{
    struct read_result *r = *state;
    struct form_pair pairs[] = {{"qty_dsgvo-grundlagen", "3"}, {"reference", "B-17"},
                                {"qty_digitales-amt", "10000"}, {"qty_bad", "10001"},
                                {"qty_neg", "-1"}};
    read_pairs(r, pairs, 5);
    assert_int_equal(r->nqty, 4);
    assert_string_equal(r->qty[0].slug, "dsgvo-grundlagen");
    assert_string_equal(r->qty[0].text, "3");
    assert_true(r->qty[0].valid);
    assert_int_equal(r->qty[0].value, 3);
    assert_string_equal(r->qty[1].slug, "digitales-amt");
    assert_true(r->qty[1].valid);
    assert_int_equal(r->qty[1].value, 10000);
    assert_string_equal(r->qty[2].slug, "bad");
    assert_string_equal(r->qty[2].text, "10001");
    assert_false(r->qty[2].valid);
    assert_string_equal(r->qty[3].slug, "neg");
    assert_false(r->qty[3].valid);
    assert_string_equal(r->in[F_REFERENCE].text, "B-17");
}

static void test_fields_read_qty_overlong_value_is_invalid(void **state)
{
    struct read_result *r = *state;
    struct form_pair pairs[] = {{"qty_a", "00000000000000000001"}}; /* 20 digits */
    read_pairs(r, pairs, 1);
    assert_int_equal(r->nqty, 1);
    assert_false(r->qty[0].valid);
    assert_int_equal(strlen(r->qty[0].text), 16);
}

static void test_fields_read_with_no_pairs_leaves_everything_absent(void **state)
{
    struct read_result *r = *state;
    read_pairs(r, NULL, 0);
    for (int f = 0; f < F__MAX; f++)
        assert_null(r->in[f].text);
    assert_non_null(r->qty);
    assert_int_equal(r->nqty, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_joins_the_checkboxes_of_a_list_field_and_keeps_the_first_of_others),
        cmocka_unit_test(test_email_rejects_non_ascii_and_del),
        cmocka_unit_test(test_qty_text_is_cut_on_a_character_boundary),
        cmocka_unit_test(test_username_accepts_three_characters),
        cmocka_unit_test(test_username_rejects_two_characters),
        cmocka_unit_test(test_username_accepts_forty_characters),
        cmocka_unit_test(test_username_rejects_forty_one_characters),
        cmocka_unit_test(test_username_accepts_letters_digits_dot_underscore_hyphen),
        cmocka_unit_test(test_username_rejects_other_characters),
        cmocka_unit_test(test_username_rejects_umlaut),
        cmocka_unit_test(test_email_accepts_ordinary_addresses),
        cmocka_unit_test(test_email_rejects_two_at_signs),
        cmocka_unit_test(test_email_rejects_missing_at_or_local_part),
        cmocka_unit_test(test_email_rejects_domain_without_dot),
        cmocka_unit_test(test_email_rejects_bad_dots_in_domain),
        cmocka_unit_test(test_email_rejects_spaces),
        cmocka_unit_test(test_email_rejects_angle_bracket_and_specials),
        cmocka_unit_test(test_email_rejects_overlong_local_part),
        cmocka_unit_test(test_person_name_accepts_one_character),
        cmocka_unit_test(test_person_name_rejects_empty),
        cmocka_unit_test(test_person_name_accepts_hundred_umlauts_of_two_hundred_bytes),
        cmocka_unit_test(test_person_name_rejects_hundred_and_one_characters),
        cmocka_unit_test(test_person_name_rejects_control_characters),
        cmocka_unit_test(test_person_name_accepts_space_hyphen_and_apostrophe),
        cmocka_unit_test(test_local_path_accepts_slash_path),
        cmocka_unit_test(test_local_path_rejects_protocol_relative),
        cmocka_unit_test(test_local_path_rejects_absolute_url_and_relative),
        cmocka_unit_test(test_local_path_rejects_control_characters),
        cmocka_unit_test(test_qty_accepts_zero_and_ten_thousand),
        cmocka_unit_test(test_qty_rejects_ten_thousand_and_one),
        cmocka_unit_test(test_qty_rejects_sign_exponent_empty_and_space),
        cmocka_unit_test_setup_teardown(test_fields_read_absent_field_has_null_text, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_first_occurrence_wins, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_first_occurrence_wins_even_when_invalid,
                                        setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_keeps_invalid_value_as_text, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_copies_value_into_arena, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_overlong_value_is_invalid_and_truncated,
                                        setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_typed_int_within_range_gives_its_number, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_typed_int_out_of_range_or_not_digits_is_invalid, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_typed_cents_reads_amounts_as_typed, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_typed_date_is_a_real_day, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_text_limit_counts_characters_not_bytes, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_maxlength_of_the_form_is_the_validators_limit, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_problem_names_the_field_and_its_limits_in_german, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_value_at_limit_is_valid, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_ignores_unknown_names, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_collects_qty_fields_with_slug, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_qty_overlong_value_is_invalid, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_fields_read_with_no_pairs_leaves_everything_absent,
                                        setup_arena, teardown_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
