/* codes — see codes.h. */
#include "codes.h"

#include <string.h>

#include "mem.h"

void codes_hash(const struct crypto_keys *keys, const char canon[VOUCHER_SYMBOLS],
                unsigned char hash[CRYPTO_HASH_SIZE])
{
    crypto_keyed_hash(keys->lookup, canon, VOUCHER_SYMBOLS, hash);
}

void codes_generate(const struct crypto_keys *keys, struct new_code *out, size_t n)
{
    enum { PER_CODE = VOUCHER_RANDOM_BYTES + 24 }; /* symbols, then the seal's nonce */
    unsigned char random[CODES_BATCH * PER_CODE];
    for (size_t done = 0; done < n;) {
        size_t m = n - done < CODES_BATCH ? n - done : CODES_BATCH;
        crypto_random(random, m * PER_CODE);
        for (size_t i = 0; i < m; i++) {
            struct new_code *c = &out[done + i];
            const unsigned char *r = random + i * PER_CODE;
            voucher_from_random(r, c->canon);
            codes_hash(keys, c->canon, c->hash);
            crypto_seal_nonce(keys, c->canon, VOUCHER_SYMBOLS, r + VOUCHER_RANDOM_BYTES, c->sealed);
        }
        done += m;
    }
    crypto_wipe(random, sizeof random);
}

int codes_store(struct db *db, const struct new_code *c, const struct voucher *v, int64_t order_line_id)
{
    return db_voucher_add(db, c->hash, c->sealed, sizeof c->sealed, v, order_line_id, NULL);
}

int codes_issue(struct db *db, const struct crypto_keys *keys, const struct voucher *v,
                int64_t order_line_id, char canon[VOUCHER_CANON_SIZE])
{
    /* A collision of 115 random bits will not happen; retrying keeps the
     * UNIQUE index from ever failing an order if it did. */
    for (int attempt = 0; attempt < 3; attempt++) {
        struct new_code c;
        codes_generate(keys, &c, 1);
        int status = codes_store(db, &c, v, order_line_id);
        memcpy(canon, c.canon, VOUCHER_CANON_SIZE);
        if (status != DB_CONFLICT)
            return status;
    }
    return DB_ERROR;
}

int codes_reveal(const struct crypto_keys *keys, const struct voucher *v, char canon[VOUCHER_CANON_SIZE])
{
    if (v->code_sealed_len != VOUCHER_SYMBOLS + CRYPTO_SEAL_OVERHEAD ||
        crypto_open(keys, v->code_sealed, v->code_sealed_len, canon) != 0)
        return -1;
    canon[VOUCHER_SYMBOLS] = '\0';
    return 0;
}

int codes_display(const struct crypto_keys *keys, const struct voucher *v, char display[VOUCHER_DISPLAY_SIZE])
{
    char canon[VOUCHER_CANON_SIZE];
    if (codes_reveal(keys, v, canon) != 0)
        return -1;
    voucher_format(canon, display);
    return 0;
}

enum code_status codes_status(const struct voucher *v, int64_t now)
{
    if (v->redeemed_at)
        return CODE_REDEEMED;
    if (v->revoked_at)
        return CODE_REVOKED;
    return now > v->valid_until ? CODE_EXPIRED : CODE_OPEN;
}

const char *codes_status_label(enum code_status status)
{
    static const char *const labels[] = {
        [CODE_OPEN] = "offen", [CODE_REDEEMED] = "eingelöst",
        [CODE_EXPIRED] = "abgelaufen", [CODE_REVOKED] = "widerrufen",
    };
    return labels[status];
}

const char *codes_status_class(enum code_status status)
{
    static const char *const classes[] = {
        [CODE_OPEN] = "status-open", [CODE_REDEEMED] = "status-redeemed",
        [CODE_EXPIRED] = "status-expired", [CODE_REVOKED] = "status-revoked",
    };
    return classes[status];
}

int codes_key_fits(struct db *db, const struct crypto_keys *keys)
{
    struct arena *a = arena_new();
    unsigned char stored[CRYPTO_HASH_SIZE], hash[CRYPTO_HASH_SIZE];
    struct voucher v = {0};
    char canon[VOUCHER_CANON_SIZE];
    int status = db_voucher_first_sealed(db, a, stored, &v);
    int rc = status == DB_NOT_FOUND ? 0 : -1;
    if (status == DB_OK && codes_reveal(keys, &v, canon) == 0) {
        codes_hash(keys, canon, hash);
        rc = crypto_equal(hash, stored, sizeof hash) ? 0 : -1;
    }
    arena_free(a);
    return rc;
}
