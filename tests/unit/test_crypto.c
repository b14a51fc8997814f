/* Unit tests for src/crypto.c: the password-hashing gate ([limits]
 * hash_concurrency) and the lazily made dummy hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "crypto.h"

static void *hash_one(void *arg)
{
    char *out = arg;
    return (void *)(intptr_t)crypto_password_hash("ein-gutes-passwort", out);
}

static void *verify_unknown(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)crypto_password_verify(NULL, "geraten");
}

/* 8 threads hashing and verifying at once under a gate of 2: never more
 * than 2 Argon2id runs (2 × 64 MiB) at a time, every result still right. */
static void test_gate_bounds_concurrent_hashing(void **state)
{
    (void)state;
    assert_int_equal(crypto_startup(), 0);
    crypto_set_hash_concurrency(2);
    enum { N = 8 };
    pthread_t t[N];
    static char out[N][CRYPTO_PASSWORD_HASH_SIZE];
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, i % 2 ? verify_unknown : hash_one, out[i]), 0);
    for (int i = 0; i < N; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_int_equal((intptr_t)rc, 0); /* hash ok (0) / unknown user refused (false) */
    }
    assert_true(crypto_hash_peak() >= 1);
    assert_true(crypto_hash_peak() <= 2);
    for (int i = 0; i < N; i += 2)
        assert_true(crypto_password_verify(out[i], "ein-gutes-passwort"));
    assert_false(crypto_password_verify(out[0], "ein-schlechtes-passwort"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gate_bounds_concurrent_hashing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
