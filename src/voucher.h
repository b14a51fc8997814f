/* voucher.h -- voucher code format: alphabet, check symbol, normalisation.
 *
 * A code is 23 data symbols plus 1 check symbol from the Crockford base32
 * alphabet "0123456789ABCDEFGHJKMNPQRSTVWXYZ".  Each symbol is read as its
 * index, an element of GF(32) with field polynomial x^5 + x^2 + 1.  The fold
 * s = 0; for each symbol v: s = 2*s XOR v  ends at 0 over all 24 symbols of a
 * well-formed code, so the check symbol is 2*s over the 23 data symbols.  This
 * catches every single wrong symbol, every swap of two neighbours and every
 * swap across one symbol.
 *
 * "canon" is the canonical form: 24 alphabet symbols (plus NUL where the
 * array is VOUCHER_CANON_SIZE).  "display" is SBA-XXXXXX-XXXXXX-XXXXXX-XXXXXX.
 *
 * Pure functions: no globals, no allocation, no I/O, thread-safe.  Randomness
 * comes from the caller (voucher_from_random). */
#ifndef VOUCHER_H
#define VOUCHER_H

#include <stdbool.h>
#include <stddef.h>

#define VOUCHER_DATA_SYMBOLS 23
#define VOUCHER_SYMBOLS 24
#define VOUCHER_CANON_SIZE 25    /* 24 symbols + NUL */
#define VOUCHER_DISPLAY_SIZE 32  /* "SBA-XXXXXX-XXXXXX-XXXXXX-XXXXXX" + NUL */
#define VOUCHER_RANDOM_BYTES 15  /* 120 bits, of which the first 115 are used */
#define VOUCHER_MAX_NEIGHBOURS 47 /* 24 substitutions + 23 swaps, see below */
#define VOUCHER_MAX_INPUT 200    /* longer typed input is rejected unscanned */

enum voucher_status {
    VOUCHER_OK,         /* canon holds a well-formed code */
    VOUCHER_MALFORMED,  /* wrong length or characters (V01); canon is "" */
    VOUCHER_BAD_CHECK   /* 24 symbols but check fails (V02); canon filled */
};

/* Index of upper-case alphabet symbol c (0..31), or -1 for any other char
 * (lower case included: normalise first). */
int voucher_symbol_value(char c);

/* The alphabet symbol of value & 31 (for other random identifiers in the
 * same alphabet, such as certificate numbers). */
char voucher_symbol(unsigned value);

/* Check symbol (an alphabet char) for 23 data symbols.  Returns '\0' when a
 * data symbol is not in the alphabet.  data need not be NUL-terminated. */
char voucher_check_symbol(const char data[VOUCHER_DATA_SYMBOLS]);

/* True when all 24 symbols are in the alphabet and the fold ends at 0. */
bool voucher_well_formed(const char canon[VOUCHER_SYMBOLS]);

/* Normalise a code as typed by a person: drop ASCII whitespace and '-',
 * upper-case (ASCII), drop a leading "SBA" when 27 symbols remain, then map
 * O->0, I->1, L->1.  The result must be exactly 24 alphabet symbols.
 * typed may be NULL or of any length; more than VOUCHER_MAX_INPUT chars is
 * MALFORMED without scanning further.  canon is always NUL-terminated:
 * "" for MALFORMED, the 24 symbols for OK and BAD_CHECK. */
enum voucher_status voucher_normalize(const char *typed,
                                      char canon[VOUCHER_CANON_SIZE]);

/* Build a well-formed code from caller-supplied random bytes (e.g. from
 * randombytes_buf): the first 115 bits, most significant bit of random[0]
 * first, become 23 5-bit data symbols; the check symbol is appended.
 * canon is NUL-terminated. */
void voucher_from_random(const unsigned char random[VOUCHER_RANDOM_BYTES],
                         char canon[VOUCHER_CANON_SIZE]);

/* Display form "SBA-XXXXXX-XXXXXX-XXXXXX-XXXXXX" (NUL-terminated) of 24
 * canonical symbols.  The symbols are copied as they are, not validated. */
void voucher_format(const char canon[VOUCHER_SYMBOLS],
                    char display[VOUCHER_DISPLAY_SIZE]);

/* Support look-up of a mistyped code: writes into out[0..max-1] every
 * well-formed code that is one symbol substitution or one swap of two
 * adjacent (different) symbols away from canon, each NUL-terminated, without
 * duplicates, substitutions first (by position), then swaps.  Returns the
 * number written (at most max; never more than VOUCHER_MAX_NEIGHBOURS).
 * A well-formed canon has no substituted neighbour (distance >= 2), so this
 * is meant for codes that failed with VOUCHER_BAD_CHECK. */
size_t voucher_neighbours(const char canon[VOUCHER_SYMBOLS],
                          char (*out)[VOUCHER_CANON_SIZE], size_t max);

#endif
