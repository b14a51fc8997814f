/* form.h -- request input: urlencoded forms, query strings, cookies, UTF-8.
 *
 * Parsing happens in place: the caller's text is modified and the returned
 * pairs point into it, so they live as long as that text.  No allocation,
 * no globals, no I/O, thread-safe. */
#ifndef FORM_H
#define FORM_H

#include <stdbool.h>
#include <stddef.h>

struct form_pair {
    const char *name;
    const char *value;
};

enum form_status {
    FORM_OK = 0,
    FORM_BAD_ESCAPE, /* '%' not followed by two hex digits */
    FORM_BAD_UTF8,   /* invalid UTF-8, NUL or a C0 control other than TAB/LF/CR */
    FORM_TOO_MANY    /* more than max_pairs pairs */
};

/* Parses application/x-www-form-urlencoded text (also a query string) in
 * place.  Segments are split on '&'; empty segments are skipped.  Each
 * segment is name=value split at the first '=' (no '=' -> value "").  In
 * names and values '+' becomes a space and %XX (either hex case) a byte; the
 * decoded bytes must be valid UTF-8 (see utf8_valid) without C0 controls
 * other than TAB, LF and CR.  Pairs are stored in order (duplicates kept)
 * and *npairs is set to their number.  On an error the first problem found
 * from left to right is returned; text and pairs are then partly processed
 * and must not be used.  text must not be NULL. */
enum form_status form_parse(char *text, struct form_pair *pairs,
                            size_t max_pairs, size_t *npairs);

/* True when s[0..len-1] is valid UTF-8: shortest form only, no UTF-16
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, and no NUL byte. */
bool utf8_valid(const char *s, size_t len);

/* Parses a Cookie header "a=b; c=d" in place (no decoding).  Spaces and
 * tabs around names and values are trimmed; a value in double quotes loses
 * them.  Pieces without '=' or with an empty name are skipped.  Stores at
 * most max_pairs pairs (the rest is ignored) and returns their number. */
size_t cookie_parse(char *header, struct form_pair *pairs, size_t max_pairs);

/* Value of the first pair named name (exact, case-sensitive), or NULL. */
const char *form_get(const struct form_pair *pairs, size_t n,
                     const char *name);

#endif
