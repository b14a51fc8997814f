/* json — a deliberately small JSON reader and writer for the LMS endpoint.
 *
 * The reader accepts exactly one object whose members all have string
 * values: {"name": "value", ...} with any JSON whitespace around tokens.
 * Strings may use every JSON escape (\" \\ \/ \b \f \n \r \t \uXXXX,
 * surrogate pairs joined into one code point).  Refused, as malformed:
 * anything but such an object (arrays, numbers, true/false/null, nesting),
 * text after the closing brace, invalid UTF-8, raw control characters in a
 * string, \u0000, lone surrogates, duplicate member names, more than max
 * members.
 *
 * Pure functions: no globals, no I/O, thread-safe. */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>

#include "form.h"

struct arena;
struct buf;

/* Parses text[0..len).  The decoded names and values are written
 * NUL-terminated into buf (buflen >= len + 1 always suffices: decoding
 * never lengthens a string) and members[0..*n) point into it.  Returns 0,
 * or -1 when malformed (members and buf then hold garbage). */
int json_parse_flat(const char *text, size_t len, struct form_pair *members, size_t max, size_t *n,
                    char *buf, size_t buflen);


/* {"k1":"v1","k2":"v2",...} of a NULL-terminated list k1, v1, k2, v2, ...,
 * NUL-terminated in the arena.  Cannot fail. */
const char *json_object(struct arena *a, const char *const *kv);

/* Appends s (valid UTF-8) as a quoted JSON string to b: '"' and '\\' and
 * control characters escaped.  Cannot fail. */
void json_append_string(struct buf *b, const char *s);

#endif
