#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(CRYPTO_PASSWORD_HASH_SIZE == crypto_pwhash_STRBYTES, "pwhash size");
_Static_assert(CRYPTO_SEAL_OVERHEAD == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES,
               "seal overhead");

#define KDF_CONTEXT "voucherk"

/* A valid Argon2id hash of a random password, verified for unknown users
 * so that they cost as much as known ones.  Made on first use: commands
 * that never verify a password do not pay its 64 MiB and 100 ms. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* The hashing gate: at most `gate_limit` Argon2id computations at once
 * (each takes 64 MiB), the others wait their turn. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_free = PTHREAD_COND_INITIALIZER;
static int gate_limit, gate_busy, gate_peak;

static int hash_now(const char *password, char out[CRYPTO_PASSWORD_HASH_SIZE])
{
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

static void make_dummy(void)
{
    char password[CRYPTO_TOKEN_TEXT_SIZE];
    crypto_token(password);
    if (hash_now(password, dummy_hash) != 0)
        abort(); /* out of memory: no safe way to answer unknown users */
}

void crypto_set_hash_concurrency(int n)
{
    if (n <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 0 ? (int)cores : 1;
    }
    pthread_mutex_lock(&gate_lock);
    gate_limit = n;
    pthread_cond_broadcast(&gate_free);
    pthread_mutex_unlock(&gate_lock);
}

int crypto_hash_peak(void)
{
    pthread_mutex_lock(&gate_lock);
    int peak = gate_peak;
    pthread_mutex_unlock(&gate_lock);
    return peak;
}

static void gate_enter(void)
{
    pthread_mutex_lock(&gate_lock);
    if (gate_limit == 0) {
        pthread_mutex_unlock(&gate_lock);
        crypto_set_hash_concurrency(0);
        pthread_mutex_lock(&gate_lock);
    }
    while (gate_busy >= gate_limit)
        pthread_cond_wait(&gate_free, &gate_lock);
    if (++gate_busy > gate_peak)
        gate_peak = gate_busy;
    pthread_mutex_unlock(&gate_lock);
}

static void gate_leave(void)
{
    pthread_mutex_lock(&gate_lock);
    gate_busy--;
    pthread_cond_signal(&gate_free);
    pthread_mutex_unlock(&gate_lock);
}

int crypto_startup(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void crypto_random(void *buf, size_t n)
{
    randombytes_buf(buf, n);
}

void crypto_wipe(void *buf, size_t n)
{
    sodium_memzero(buf, n);
}

void crypto_base64url(const unsigned char *bin, size_t n, char *out, size_t outlen)
{
    sodium_bin2base64(out, outlen, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void crypto_token(char out[CRYPTO_TOKEN_TEXT_SIZE])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    crypto_base64url(raw, sizeof raw, out, CRYPTO_TOKEN_TEXT_SIZE);
}

void crypto_hash_text(const char *text, unsigned char out[CRYPTO_HASH_SIZE])
{
    crypto_generichash(out, CRYPTO_HASH_SIZE, (const unsigned char *)text, strlen(text), NULL, 0);
}

void crypto_keyed_hash(const unsigned char key[32], const void *msg, size_t n,
                       unsigned char out[CRYPTO_HASH_SIZE])
{
    crypto_generichash(out, CRYPTO_HASH_SIZE, msg, n, key, 32);
}

int crypto_password_hash(const char *password, char out[CRYPTO_PASSWORD_HASH_SIZE])
{
    gate_enter();
    int rc = hash_now(password, out);
    gate_leave();
    return rc;
}

bool crypto_password_verify(const char *hash, const char *password)
{
    bool known = hash != NULL && *hash; /* "" = an account without a password (LMS import) */
    gate_enter();
    if (!known) {
        pthread_once(&dummy_once, make_dummy);
        hash = dummy_hash;
    }
    bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    gate_leave();
    return known && ok;
}

bool crypto_equal(const void *a, const void *b, size_t n)
{
    return sodium_memcmp(a, b, n) == 0;
}

bool crypto_text_equal(const char *a, const char *b)
{
    unsigned char ha[CRYPTO_HASH_SIZE], hb[CRYPTO_HASH_SIZE];
    crypto_hash_text(a, ha);
    crypto_hash_text(b, hb);
    return crypto_equal(ha, hb, sizeof ha);
}

int crypto_key_file_create(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno == EEXIST)
        return 0;
    if (fd < 0) {
        snprintf(err, errlen, "cannot create key file %s: %s", path, strerror(errno));
        return -1;
    }
    unsigned char key[crypto_kdf_KEYBYTES];
    crypto_kdf_keygen(key);
    bool ok = write(fd, key, sizeof key) == (ssize_t)sizeof key && fsync(fd) == 0;
    sodium_memzero(key, sizeof key);
    if (close(fd) != 0 || !ok) {
        snprintf(err, errlen, "cannot write key file %s", path);
        unlink(path);
        return -1;
    }
    return 0;
}

int crypto_key_file_load(const char *path, struct crypto_keys *keys, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open key file %s: %s (run 'voucherctl init')", path,
                 strerror(errno));
        return -1;
    }
    struct stat st;
    unsigned char key[crypto_kdf_KEYBYTES + 1];
    ssize_t n = -1;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077) == 0)
        n = read(fd, key, sizeof key);
    close(fd);
    if (n != crypto_kdf_KEYBYTES) {
        snprintf(err, errlen, "key file %s must hold %d bytes and have mode 0600", path,
                 crypto_kdf_KEYBYTES);
        return -1;
    }
    crypto_kdf_derive_from_key(keys->lookup, sizeof keys->lookup, 1, KDF_CONTEXT, key);
    crypto_kdf_derive_from_key(keys->seal, sizeof keys->seal, 2, KDF_CONTEXT, key);
    crypto_kdf_derive_from_key(keys->csrf, sizeof keys->csrf, 3, KDF_CONTEXT, key);
    sodium_memzero(key, sizeof key);
    return 0;
}

void crypto_seal(const struct crypto_keys *keys, const void *plain, size_t n, unsigned char *out)
{
    randombytes_buf(out, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, n, out, keys->seal);
}

void crypto_seal_nonce(const struct crypto_keys *keys, const void *plain, size_t n,
                       const unsigned char nonce[24], unsigned char *out)
{
    memcpy(out, nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, n, out, keys->seal);
}

int crypto_open(const struct crypto_keys *keys, const unsigned char *sealed, size_t len, void *plain)
{
    if (len < CRYPTO_SEAL_OVERHEAD)
        return -1;
    return crypto_secretbox_open_easy(plain, sealed + crypto_secretbox_NONCEBYTES,
                                      len - crypto_secretbox_NONCEBYTES, sealed, keys->seal);
}

void crypto_hmac_sha256_hex(const char *key, size_t keylen, const void *msg, size_t n,
                            char out[CRYPTO_HMAC_HEX_SIZE])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, keylen);
    crypto_auth_hmacsha256_update(&st, msg, n);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, CRYPTO_HMAC_HEX_SIZE, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}
