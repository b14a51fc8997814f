/* codes — voucher codes as stored: issuing one (CSPRNG, check symbol,
 * keyed hash for look-up, sealed copy for the owner) and reading one back.
 * The database never holds a code in plain text. */
#ifndef CODES_H
#define CODES_H

#include <stdint.h>

#include "crypto.h"
#include "db.h"
#include "voucher.h"

/* The look-up hash of a canonical code (24 symbols). */
void codes_hash(const struct crypto_keys *keys, const char canon[VOUCHER_SYMBOLS],
                unsigned char hash[CRYPTO_HASH_SIZE]);

/* Creates a new random code for v (order_id, item_id, municipality_id,
 * created_at, valid_until set by the caller) and stores it; canon receives
 * the 24 symbols.  Call inside the order's transaction.  DB_OK or DB_ERROR. */
int codes_issue(struct db *db, const struct crypto_keys *keys, const struct voucher *v,
                int64_t order_line_id, char canon[VOUCHER_CANON_SIZE]);

/* A code made by codes_generate, not stored yet. */
struct new_code {
    char canon[VOUCHER_CANON_SIZE];
    unsigned char hash[CRYPTO_HASH_SIZE];
    unsigned char sealed[VOUCHER_SYMBOLS + CRYPTO_SEAL_OVERHEAD];
};
/* Makes n new random codes with their look-up hash and sealed copy.  The
 * randomness of up to CODES_BATCH codes (symbols and nonces) is drawn from
 * the CSPRNG at once: one system call per code cost more than hashing and
 * sealing it.  Pure apart from the CSPRNG; cannot fail. */
#define CODES_BATCH 128
void codes_generate(const struct crypto_keys *keys, struct new_code *out, size_t n);
/* Stores a generated code for v (as codes_issue); DB_OK, DB_CONFLICT (its
 * hash exists: generate another) or DB_ERROR. */
int codes_store(struct db *db, const struct new_code *c, const struct voucher *v, int64_t order_line_id);

/* Decrypts a stored code into canon.  -1 when the sealed copy does not open
 * with this key file (wrong key or tampered data). */
int codes_reveal(const struct crypto_keys *keys, const struct voucher *v, char canon[VOUCHER_CANON_SIZE]);

/* The stored code in display form (SBA-XXXXXX-...); -1 as codes_reveal. */
int codes_display(const struct crypto_keys *keys, const struct voucher *v, char display[VOUCHER_DISPLAY_SIZE]);

/* 0 when keys open this database's codes (its oldest code decrypts and
 * hashes to its stored look-up hash, or it has no code yet); -1 otherwise
 * (another key file, or a database error). */
int codes_key_fits(struct db *db, const struct crypto_keys *keys);

enum code_status { CODE_OPEN, CODE_REDEEMED, CODE_EXPIRED, CODE_REVOKED };
/* The status of a code at now: redeemed wins over revoked, revoked over expired. */
enum code_status codes_status(const struct voucher *v, int64_t now);
/* "offen", "eingelöst", "abgelaufen", "widerrufen". */
const char *codes_status_label(enum code_status status);
/* The CSS class of a status badge: "status-open", "status-redeemed", ... */
const char *codes_status_class(enum code_status status);

#endif
