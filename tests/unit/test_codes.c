/* Unit tests for codes_generate (src/codes.c): codes made in batches are
 * well formed, their look-up hash is the hash of the code, their sealed
 * copy opens to the code, and neither codes nor nonces repeat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "crypto.h"
#include "voucher.h"

static struct crypto_keys keys;

static int setup(void **state)
{
    (void)state;
    if (crypto_startup() != 0)
        return -1;
    crypto_random(&keys, sizeof keys);
    return 0;
}

static int cmp_canon(const void *a, const void *b)
{
    return memcmp(((const struct new_code *)a)->canon, ((const struct new_code *)b)->canon, VOUCHER_SYMBOLS);
}

/* More than two batches (and a partial one): every code checks out. */
static void test_generated_codes_hash_and_open_to_themselves(void **state)
{
    (void)state;
    size_t n = 2 * CODES_BATCH + 7;
    struct new_code *c = calloc(n, sizeof *c);
    assert_non_null(c);
    codes_generate(&keys, c, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strlen(c[i].canon), VOUCHER_SYMBOLS);
        assert_true(voucher_well_formed(c[i].canon));
        unsigned char hash[CRYPTO_HASH_SIZE];
        codes_hash(&keys, c[i].canon, hash);
        assert_memory_equal(hash, c[i].hash, sizeof hash);
        char plain[VOUCHER_SYMBOLS];
        assert_int_equal(crypto_open(&keys, c[i].sealed, sizeof c[i].sealed, plain), 0);
        assert_memory_equal(plain, c[i].canon, VOUCHER_SYMBOLS);
    }
    for (size_t i = 1; i < n; i++) /* nonces differ (the first 24 bytes of each sealed copy) */
        assert_memory_not_equal(c[i].sealed, c[i - 1].sealed, 24);
    qsort(c, n, sizeof *c, cmp_canon);
    for (size_t i = 1; i < n; i++)
        assert_memory_not_equal(c[i].canon, c[i - 1].canon, VOUCHER_SYMBOLS);
    free(c);
}

/* A sealed copy does not open with another key (the batch uses the given keys). */
static void test_generated_code_does_not_open_with_another_key(void **state)
{
    (void)state;
    struct new_code c;
    codes_generate(&keys, &c, 1);
    struct crypto_keys other;
    crypto_random(&other, sizeof other);
    char plain[VOUCHER_SYMBOLS];
    assert_int_equal(crypto_open(&other, c.sealed, sizeof c.sealed, plain), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_codes_hash_and_open_to_themselves),
        cmocka_unit_test(test_generated_code_does_not_open_with_another_key),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
