/* money.h -- amounts in integer euro cents (long long), Austrian format.
 *
 * Pure functions: no globals, no allocation, no I/O, no locale, thread-safe. */
#ifndef MONEY_H
#define MONEY_H

#include <stdbool.h>

#define MONEY_TEXT_SIZE 32       /* enough for LLONG_MIN formatted + NUL */
#define MONEY_PARSE_MAX 1000000000000LL /* largest amount parsed, in cents */

/* Writes cents as "1.234,50 €": '.' groups thousands, ',' before the two
 * cent digits, one normal space (U+0020) and "€" (UTF-8, 3 bytes) follow.
 * Negative amounts start with '-' ("-1,00 €"); 0 is "0,00 €".  Every
 * long long value fits; out is always NUL-terminated. */
void money_format(long long cents, char out[MONEY_TEXT_SIZE]);

/* net_cents * percent / 100 rounded half up (0.5 cent -> 1 cent), e.g. the
 * VAT of a net amount.  Negative net rounds symmetrically (half away from
 * zero).  The caller keeps |net_cents * percent| within long long. */
long long money_percent_half_up(long long net_cents, int percent);

/* Parses a non-negative euro amount as typed: one or more ASCII digits,
 * optionally ',' or '.' followed by one or two digits ("12", "12,5",
 * "12.50").  No sign, spaces, thousands separators or currency sign.
 * Returns true and sets *cents when valid and <= MONEY_PARSE_MAX cents;
 * otherwise returns false and leaves *cents untouched. */
bool money_parse_cents(const char *text, long long *cents);

/* Parses an amount as people type it into a price field: what
 * money_parse_cents accepts, and the app's own display format with
 * thousands dots in groups of three ("1.234,50", "1.234", "12.345.678,00"),
 * with or without a trailing "€" (spaces around allowed).  Same result
 * rules as money_parse_cents. */
bool money_parse_typed(const char *text, long long *cents);

#endif
