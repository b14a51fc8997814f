/* Unit tests for src/cert_number.c: certificate numbers from random bytes
 * and normalisation of numbers as people type them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cert_number.h"
#include "voucher.h"

static void test_number_from_random_uses_low_five_bits_in_groups_of_four(void **state)
{
    (void)state;
    const unsigned char random[CERT_NUMBER_RANDOM_BYTES] = {0, 1, 2, 31, 32, 33, 255, 10, 17, 18, 20, 27};
    char out[CERT_NUMBER_SIZE];
    cert_number_from_random(random, out);
    assert_string_equal(out, "Z-012Z-01ZA-HJMV");
}

static void test_number_from_random_is_always_well_formed(void **state)
{
    (void)state;
    unsigned char random[CERT_NUMBER_RANDOM_BYTES];
    for (int b = 0; b < 256; b++) {
        memset(random, b, sizeof random);
        char out[CERT_NUMBER_SIZE], again[CERT_NUMBER_SIZE];
        cert_number_from_random(random, out);
        assert_int_equal(strlen(out), CERT_NUMBER_SIZE - 1);
        assert_true(cert_number_normalize(out, again));
        assert_string_equal(out, again);
    }
}

static void test_normalize_accepts_any_case_spaces_and_missing_dashes(void **state)
{
    (void)state;
    static const char *const typed[] = {
        "Z-7K3Q-DM9X-WR2H", "z-7k3q-dm9x-wr2h", "7K3QDM9XWR2H", "7k3qdm9xwr2h", "Z7K3QDM9XWR2H",
        " z 7K3Q DM9X WR2H ", "Z--7K3Q--DM9X-WR2H", "7K3Q-DM9X-WR2H", "\tZ-7K3Q-DM9X-WR2H\n",
    };
    for (size_t i = 0; i < sizeof typed / sizeof *typed; i++) {
        char out[CERT_NUMBER_SIZE];
        if (!cert_number_normalize(typed[i], out))
            fail_msg("refused: %s", typed[i]);
        assert_string_equal(out, "Z-7K3Q-DM9X-WR2H");
    }
}

/* typed is accepted and reads as the number want. */
static void assert_normalizes(const char *typed, const char *want)
{
    char out[CERT_NUMBER_SIZE];
    assert_true(cert_number_normalize(typed, out));
    assert_string_equal(out, want);
}

static void test_normalize_maps_o_to_zero_and_i_l_to_one(void **state)
{
    (void)state;
    assert_normalizes("Z-OoIi-LlO0-1111", "Z-0011-1100-1111");
}

static void test_normalize_keeps_a_z_that_is_part_of_the_number(void **state)
{
    (void)state;
    assert_normalizes("ZZZZZZZZZZZZ", "Z-ZZZZ-ZZZZ-ZZZZ");
    assert_normalizes("ZZZZZZZZZZZZZ", "Z-ZZZZ-ZZZZ-ZZZZ");
}

static void test_normalize_refuses_wrong_length_or_symbols(void **state)
{
    (void)state;
    static const char *const bad[] = {
        NULL, "", "Z", "Z-7K3Q-DM9X-WR", "Z-7K3Q-DM9X-WR2HH", "A7K3QDM9XWR2H", "Z-7K3Q-DM9X-WR2U",
        "Z-7K3Q-DM9X-WR2!", "Z-7K3Q-DM9X-WR2ä", "SBA-7K3Q-DM9X-WR2H", "Z_7K3Q_DM9X_WR2H",
        "ZZ7K3QDM9XWR2H",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char out[CERT_NUMBER_SIZE] = "x";
        if (cert_number_normalize(bad[i], out))
            fail_msg("accepted: %s", bad[i] ? bad[i] : "(null)");
        assert_string_equal(out, "");
    }
}

/* "Z-7K3Q-DM9X-WR2" (one symbol short) reads as the 12 symbols
 * Z7K3QDM9XWR2: well-formed, and simply not found. */
static void test_normalize_reads_a_short_number_with_prefix_as_twelve_symbols(void **state)
{
    (void)state;
    assert_normalizes("Z-7K3Q-DM9X-WR2", "Z-Z7K3-QDM9-XWR2");
}

static void test_normalize_refuses_overlong_input_unscanned(void **state)
{
    (void)state;
    char typed[CERT_NUMBER_MAX_INPUT + 20], out[CERT_NUMBER_SIZE];
    memset(typed, ' ', sizeof typed - 1);
    typed[sizeof typed - 1] = '\0';
    memcpy(typed, "Z-7K3Q-DM9X-WR2H", 16);
    assert_false(cert_number_normalize(typed, out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_from_random_uses_low_five_bits_in_groups_of_four),
        cmocka_unit_test(test_number_from_random_is_always_well_formed),
        cmocka_unit_test(test_normalize_accepts_any_case_spaces_and_missing_dashes),
        cmocka_unit_test(test_normalize_maps_o_to_zero_and_i_l_to_one),
        cmocka_unit_test(test_normalize_keeps_a_z_that_is_part_of_the_number),
        cmocka_unit_test(test_normalize_refuses_wrong_length_or_symbols),
        cmocka_unit_test(test_normalize_reads_a_short_number_with_prefix_as_twelve_symbols),
        cmocka_unit_test(test_normalize_refuses_overlong_input_unscanned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
