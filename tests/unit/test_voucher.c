/* Unit tests for src/voucher.c (code format, check symbol, normalisation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "voucher.h"

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Well-formed sample codes: the SPEC vectors with their check symbols. */
static const char *const SAMPLES[] = {
    "000000000000000000000012",
    "7K3QDM9XWR2HF8NC4TJPZ5AH",
    "K7QMD2XHD9PRAWE4TNB3CQ5X",
    "041061050R3GG28A1C60T3GJ",
};
#define NSAMPLES (sizeof SAMPLES / sizeof SAMPLES[0])

static void test_check_symbol_matches_spec_vectors(void **state)
{
    (void)state;
    assert_int_equal(voucher_check_symbol("00000000000000000000001"), '2');
    assert_int_equal(voucher_check_symbol("7K3QDM9XWR2HF8NC4TJPZ5A"), 'H');
    assert_int_equal(voucher_check_symbol("K7QMD2XHD9PRAWE4TNB3CQ5"), 'X');
}

static void test_check_symbol_rejects_foreign_symbol(void **state)
{
    (void)state;
    assert_int_equal(voucher_check_symbol("7K3QDM9XWR2HF8NC4TJPZ5U"), '\0');
}

static void test_symbol_value_is_alphabet_index(void **state)
{
    (void)state;
    for (int i = 0; i < 32; i++)
        assert_int_equal(voucher_symbol_value(ALPHABET[i]), i);
    const char *foreign = "ILOUilou-* \0";
    for (const char *c = foreign; *c; c++)
        assert_int_equal(voucher_symbol_value(*c), -1);
    assert_int_equal(voucher_symbol_value('\0'), -1);
}

static void test_well_formed_accepts_sample_codes(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSAMPLES; i++)
        assert_true(voucher_well_formed(SAMPLES[i]));
}

static void test_code_rejects_every_single_wrong_symbol(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSAMPLES; s++) {
        char code[VOUCHER_CANON_SIZE];
        for (size_t pos = 0; pos < VOUCHER_SYMBOLS; pos++) {
            for (const char *sym = ALPHABET; *sym; sym++) {
                strcpy(code, SAMPLES[s]);
                if (code[pos] == *sym)
                    continue;
                code[pos] = *sym;
                assert_false(voucher_well_formed(code));
            }
        }
    }
}

/* Swaps code[pos] and code[pos + distance] and asserts the check catches it. */
static void assert_swaps_caught(size_t distance)
{
    size_t tested = 0;
    for (size_t s = 0; s < NSAMPLES; s++) {
        for (size_t pos = 0; pos + distance < VOUCHER_SYMBOLS; pos++) {
            char code[VOUCHER_CANON_SIZE];
            strcpy(code, SAMPLES[s]);
            char tmp = code[pos];
            if (tmp == code[pos + distance])
                continue;
            code[pos] = code[pos + distance];
            code[pos + distance] = tmp;
            assert_false(voucher_well_formed(code));
            tested++;
        }
    }
    assert_true(tested > 60);
}

static void test_code_rejects_swapped_neighbours(void **state)
{
    (void)state;
    assert_swaps_caught(1);
}

static void test_code_rejects_swap_across_one(void **state)
{
    (void)state;
    assert_swaps_caught(2);
}

static void assert_normalizes(const char *typed, enum voucher_status want,
                              const char *want_canon)
{
    char canon[VOUCHER_CANON_SIZE] = "garbage";
    assert_int_equal(voucher_normalize(typed, canon), want);
    assert_string_equal(canon, want_canon);
}

static void test_normalize_accepts_display_form(void **state)
{
    (void)state;
    assert_normalizes("SBA-7K3QDM-9XWR2H-F8NC4T-JPZ5AH", VOUCHER_OK,
                      "7K3QDM9XWR2HF8NC4TJPZ5AH");
    assert_normalizes("7K3QDM9XWR2HF8NC4TJPZ5AH", VOUCHER_OK,
                      "7K3QDM9XWR2HF8NC4TJPZ5AH");
}

static void test_normalize_ignores_case_spaces_and_dashes(void **state)
{
    (void)state;
    assert_normalizes(" sba 7k3qdm-9xwr2h\tf8nc4t--jpz5ah\r\n", VOUCHER_OK,
                      "7K3QDM9XWR2HF8NC4TJPZ5AH");
}

static void test_normalize_maps_O_to_zero_and_I_L_to_one(void **state)
{
    (void)state;
    assert_normalizes("OOOOOO-OOOOOO-OOOOOO-OOOOi2", VOUCHER_OK,
                      "000000000000000000000012");
    assert_normalizes("ooooooooooooooooooooooL2", VOUCHER_OK,
                      "000000000000000000000012");
    assert_normalizes("0000000000000000000000l2", VOUCHER_OK,
                      "000000000000000000000012");
}

static void test_normalize_keeps_SBA_symbols_of_a_24_symbol_code(void **state)
{
    (void)state;
    /* A code that itself starts with S, B, A: nothing may be dropped. */
    assert_normalizes("SBA7K3QDM9XWR2HF8NC4TJPG", VOUCHER_OK,
                      "SBA7K3QDM9XWR2HF8NC4TJPG");
    assert_normalizes("SBA-SBA7K3-QDM9XW-R2HF8N-C4TJPG", VOUCHER_OK,
                      "SBA7K3QDM9XWR2HF8NC4TJPG");
}

static void test_normalize_rejects_wrong_lengths(void **state)
{
    (void)state;
    assert_normalizes("7K3QDM9XWR2HF8NC4TJPZ5A", VOUCHER_MALFORMED, "");   /* 23 */
    assert_normalizes("7K3QDM9XWR2HF8NC4TJPZ5AH0", VOUCHER_MALFORMED, ""); /* 25 */
    assert_normalizes("SBA7K3QDM9XWR2HF8NC4TJPZ5A", VOUCHER_MALFORMED, "");
    assert_normalizes("XYZ7K3QDM9XWR2HF8NC4TJPZ5AH", VOUCHER_MALFORMED, "");
    assert_normalizes("", VOUCHER_MALFORMED, "");
    assert_normalizes(" - - ", VOUCHER_MALFORMED, "");
}

static void test_normalize_rejects_wrong_characters(void **state)
{
    (void)state;
    assert_normalizes("7K3QDM9XWR2HF8NC4TJPZ5AU", VOUCHER_MALFORMED, "");
    assert_normalizes("7K3QDM9XWR2HF8NC4TJPZ5A*", VOUCHER_MALFORMED, "");
    assert_normalizes("7K3QDM9XWR2HF8NC4TJPZ5\xc3\xa4", VOUCHER_MALFORMED, "");
    assert_normalizes("7K3QDM9XWR2HF8NC4TJPZ5A_H", VOUCHER_MALFORMED, "");
}

static void test_normalize_reports_bad_check_with_canon(void **state)
{
    (void)state;
    assert_normalizes("7K3QDM9XWR2HF8NC4TJPZ5AJ", VOUCHER_BAD_CHECK,
                      "7K3QDM9XWR2HF8NC4TJPZ5AJ");
}

static void test_normalize_rejects_null_and_overlong_input(void **state)
{
    (void)state;
    char typed[VOUCHER_MAX_INPUT + 2];
    memset(typed, ' ', sizeof typed);
    memcpy(typed, "7K3QDM9XWR2HF8NC4TJPZ5AH", VOUCHER_SYMBOLS);
    typed[VOUCHER_MAX_INPUT] = '\0';
    assert_normalizes(typed, VOUCHER_OK, "7K3QDM9XWR2HF8NC4TJPZ5AH");
    typed[VOUCHER_MAX_INPUT] = ' ';
    typed[VOUCHER_MAX_INPUT + 1] = '\0';
    assert_normalizes(typed, VOUCHER_MALFORMED, "");
    assert_normalizes(NULL, VOUCHER_MALFORMED, "");
}

static void test_from_random_uses_first_115_bits(void **state)
{
    (void)state;
    unsigned char random[VOUCHER_RANDOM_BYTES];
    char canon[VOUCHER_CANON_SIZE];
    for (int i = 0; i < VOUCHER_RANDOM_BYTES; i++)
        random[i] = (unsigned char)(i + 1);
    voucher_from_random(random, canon);
    assert_string_equal(canon, "041061050R3GG28A1C60T3GJ");

    random[14] ^= 0x1f; /* the last 5 bits are not used */
    voucher_from_random(random, canon);
    assert_string_equal(canon, "041061050R3GG28A1C60T3GJ");

    random[14] ^= 0x20;
    voucher_from_random(random, canon);
    assert_string_not_equal(canon, "041061050R3GG28A1C60T3GJ");
    assert_true(voucher_well_formed(canon));
}

static void test_from_random_extremes(void **state)
{
    (void)state;
    unsigned char random[VOUCHER_RANDOM_BYTES];
    char canon[VOUCHER_CANON_SIZE];
    memset(random, 0, sizeof random);
    voucher_from_random(random, canon);
    assert_string_equal(canon, "000000000000000000000000");
    memset(random, 0xff, sizeof random);
    voucher_from_random(random, canon);
    assert_memory_equal(canon, "ZZZZZZZZZZZZZZZZZZZZZZZ", VOUCHER_DATA_SYMBOLS);
    assert_int_equal(canon[23], voucher_check_symbol(canon));
    assert_int_equal(strlen(canon), VOUCHER_SYMBOLS);
}

static void test_format_groups_by_six_with_prefix(void **state)
{
    (void)state;
    char display[VOUCHER_DISPLAY_SIZE];
    voucher_format("7K3QDM9XWR2HF8NC4TJPZ5AH", display);
    assert_string_equal(display, "SBA-7K3QDM-9XWR2H-F8NC4T-JPZ5AH");
    assert_int_equal(strlen(display), VOUCHER_DISPLAY_SIZE - 1);
}

static bool contains(char (*list)[VOUCHER_CANON_SIZE], size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], code) == 0)
            return true;
    return false;
}

static void test_neighbours_find_original_of_wrong_symbol(void **state)
{
    (void)state;
    char found[VOUCHER_MAX_NEIGHBOURS][VOUCHER_CANON_SIZE];
    for (size_t s = 0; s < NSAMPLES; s++) {
        for (size_t pos = 0; pos < VOUCHER_SYMBOLS; pos += 5) {
            char typo[VOUCHER_CANON_SIZE];
            strcpy(typo, SAMPLES[s]);
            typo[pos] = typo[pos] == 'W' ? 'V' : 'W';
            size_t n = voucher_neighbours(typo, found, VOUCHER_MAX_NEIGHBOURS);
            assert_true(n >= 1 && n <= VOUCHER_MAX_NEIGHBOURS);
            assert_true(contains(found, n, SAMPLES[s]));
            for (size_t i = 0; i < n; i++)
                assert_true(voucher_well_formed(found[i]));
        }
    }
}

static void test_neighbours_find_original_of_every_swap(void **state)
{
    (void)state;
    char found[VOUCHER_MAX_NEIGHBOURS][VOUCHER_CANON_SIZE];
    const char *original = "7K3QDM9XWR2HF8NC4TJPZ5AH";
    for (size_t pos = 0; pos + 1 < VOUCHER_SYMBOLS; pos++) {
        char typo[VOUCHER_CANON_SIZE];
        strcpy(typo, original);
        typo[pos] = original[pos + 1];
        typo[pos + 1] = original[pos];
        size_t n = voucher_neighbours(typo, found, VOUCHER_MAX_NEIGHBOURS);
        assert_true(contains(found, n, original));
    }
}

static void test_neighbours_respects_max(void **state)
{
    (void)state;
    char found[2][VOUCHER_CANON_SIZE];
    assert_int_equal(voucher_neighbours("7K3QDM9XWR2HF8NC4TJPZ5AJ", found, 2), 2);
    assert_int_equal(voucher_neighbours("7K3QDM9XWR2HF8NC4TJPZ5AJ", found, 0), 0);
    /* one fix per position: exactly 24 substitutions, never duplicates */
    char all[VOUCHER_MAX_NEIGHBOURS][VOUCHER_CANON_SIZE];
    size_t n = voucher_neighbours("7K3QDM9XWR2HF8NC4TJPZ5AJ", all,
                                  VOUCHER_MAX_NEIGHBOURS);
    assert_true(n >= 24);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(all[i], all[j]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_symbol_matches_spec_vectors),
        cmocka_unit_test(test_check_symbol_rejects_foreign_symbol),
        cmocka_unit_test(test_symbol_value_is_alphabet_index),
        cmocka_unit_test(test_well_formed_accepts_sample_codes),
        cmocka_unit_test(test_code_rejects_every_single_wrong_symbol),
        cmocka_unit_test(test_code_rejects_swapped_neighbours),
        cmocka_unit_test(test_code_rejects_swap_across_one),
        cmocka_unit_test(test_normalize_accepts_display_form),
        cmocka_unit_test(test_normalize_ignores_case_spaces_and_dashes),
        cmocka_unit_test(test_normalize_maps_O_to_zero_and_I_L_to_one),
        cmocka_unit_test(test_normalize_keeps_SBA_symbols_of_a_24_symbol_code),
        cmocka_unit_test(test_normalize_rejects_wrong_lengths),
        cmocka_unit_test(test_normalize_rejects_wrong_characters),
        cmocka_unit_test(test_normalize_reports_bad_check_with_canon),
        cmocka_unit_test(test_normalize_rejects_null_and_overlong_input),
        cmocka_unit_test(test_from_random_uses_first_115_bits),
        cmocka_unit_test(test_from_random_extremes),
        cmocka_unit_test(test_format_groups_by_six_with_prefix),
        cmocka_unit_test(test_neighbours_find_original_of_wrong_symbol),
        cmocka_unit_test(test_neighbours_find_original_of_every_swap),
        cmocka_unit_test(test_neighbours_respects_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
