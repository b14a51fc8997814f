/* crypto — the only user of libsodium: randomness, tokens, password
 * hashing (Argon2id), keyed hashes and authenticated encryption under the
 * server key file.  crypto_startup() must succeed once before any other call;
 * after that every function here is thread-safe. */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#define CRYPTO_HASH_SIZE 32          /* BLAKE2b-256 output */
#define CRYPTO_TOKEN_TEXT_SIZE 44    /* 32 bytes base64url, no padding, + NUL */
#define CRYPTO_PASSWORD_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */
#define CRYPTO_SEAL_OVERHEAD 40      /* nonce (24) + MAC (16) */

/* Sub-keys derived from the 32-byte master key in the key file. */
struct crypto_keys {
    unsigned char lookup[32]; /* keyed hash of voucher codes for look-up */
    unsigned char seal[32];   /* secretbox key for stored voucher codes */
    unsigned char csrf[32];   /* keyed hash binding CSRF tokens to cookies */
};

/* 0 on success, -1 when libsodium cannot start (no entropy source). */
int crypto_startup(void);

/* Fills buf with n bytes from the CSPRNG. Cannot fail. */
void crypto_random(void *buf, size_t n);
/* Overwrites n bytes with zeros in a way the compiler keeps (secrets on the stack). */
void crypto_wipe(void *buf, size_t n);
/* 32 random bytes as base64url text (43 characters). Cannot fail. */
void crypto_token(char out[CRYPTO_TOKEN_TEXT_SIZE]);
/* base64url (no padding) of n bytes into out of size outlen (at least
 * n*4/3+2). */
void crypto_base64url(const unsigned char *bin, size_t n, char *out, size_t outlen);

/* Unkeyed BLAKE2b-256 of a text (session tokens are stored only so). */
void crypto_hash_text(const char *text, unsigned char out[CRYPTO_HASH_SIZE]);
/* Keyed BLAKE2b-256 of n bytes with one of the keys above. */
void crypto_keyed_hash(const unsigned char key[32], const void *msg, size_t n,
                       unsigned char out[CRYPTO_HASH_SIZE]);

/* At most n password hashes/verifications run at once in this process
 * (each Argon2id run takes 64 MiB); callers beyond that wait their turn.
 * n <= 0: the number of online cores (also the default before any call).
 * Thread-safe; voucherd sets [limits] hash_concurrency at start. */
void crypto_set_hash_concurrency(int n);
/* The most hash computations that ran at once so far (for tests). */
int crypto_hash_peak(void);

/* Argon2id hash of a password in libsodium's string format, through the
 * hashing gate above.  -1 when the memory for hashing cannot be had. */
int crypto_password_hash(const char *password, char out[CRYPTO_PASSWORD_HASH_SIZE]);
/* True when password matches; hash may be NULL (unknown user) or "" (an
 * account without a password), in which case a dummy hash (made on first
 * need) is verified so the time taken does not reveal that, and the answer
 * is false.  Through the hashing gate. */
bool crypto_password_verify(const char *hash, const char *password);

/* HMAC-SHA256 of n bytes under a key of any length, as 64 lower-case hex
 * digits (webhook signatures).  Cannot fail. */
#define CRYPTO_HMAC_HEX_SIZE 65
void crypto_hmac_sha256_hex(const char *key, size_t keylen, const void *msg, size_t n,
                            char out[CRYPTO_HMAC_HEX_SIZE]);

/* Constant-time comparison of n bytes. */
bool crypto_equal(const void *a, const void *b, size_t n);
/* True when two texts are equal; the time taken does not depend on where
 * they differ nor on their lengths (both are hashed first). */
bool crypto_text_equal(const char *a, const char *b);

/* Creates the key file with 32 random bytes, mode 0600, unless it exists.
 * 0 on success (also when it existed), -1 with err filled. */
int crypto_key_file_create(const char *path, char *err, size_t errlen);
/* Reads the key file and derives the sub-keys. -1 with err filled when it is
 * missing, unreadable, of the wrong size or readable by group or others. */
int crypto_key_file_load(const char *path, struct crypto_keys *keys, char *err, size_t errlen);

/* Encrypts n bytes: out receives nonce || ciphertext (n + CRYPTO_SEAL_OVERHEAD
 * bytes).  Cannot fail. */
void crypto_seal(const struct crypto_keys *keys, const void *plain, size_t n, unsigned char *out);
/* As crypto_seal with a nonce the caller drew from crypto_random (24 bytes,
 * never used before): lets a batch draw its randomness at once. */
void crypto_seal_nonce(const struct crypto_keys *keys, const void *plain, size_t n,
                       const unsigned char nonce[24], unsigned char *out);
/* Decrypts what crypto_seal wrote (len bytes) into plain (len -
 * CRYPTO_SEAL_OVERHEAD bytes).  -1 when it was tampered with or too short. */
int crypto_open(const struct crypto_keys *keys, const unsigned char *sealed, size_t len, void *plain);

#endif
