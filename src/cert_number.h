/* cert_number — certificate numbers "Z-XXXX-XXXX-XXXX": 12 random symbols
 * of the voucher code alphabet (60 bits), no check symbol.
 *
 * Pure functions: no globals, no allocation, no I/O, thread-safe.
 * Randomness comes from the caller. */
#ifndef CERT_NUMBER_H
#define CERT_NUMBER_H

#include <stdbool.h>

#define CERT_NUMBER_SYMBOLS 12
#define CERT_NUMBER_SIZE 17        /* "Z-XXXX-XXXX-XXXX" + NUL */
#define CERT_NUMBER_RANDOM_BYTES 12 /* one byte per symbol, its low 5 bits used */
#define CERT_NUMBER_MAX_INPUT 100  /* longer typed input is refused unscanned */

/* The number made of the given random bytes. */
void cert_number_from_random(const unsigned char random[CERT_NUMBER_RANDOM_BYTES],
                             char out[CERT_NUMBER_SIZE]);

/* A number as a person typed it: ASCII whitespace and '-' dropped, upper
 * case, a leading "Z" dropped when 13 symbols remain, O->0, I->1, L->1; the
 * 12 symbols left must be of the alphabet.  True with out in the form
 * "Z-XXXX-XXXX-XXXX"; false (out = "") otherwise.  typed may be NULL. */
bool cert_number_normalize(const char *typed, char out[CERT_NUMBER_SIZE]);

#endif
