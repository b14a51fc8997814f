/* csv.h -- RFC 4180 CSV reading and writing.
 *
 * Pure functions: no globals, no allocation, no I/O, thread-safe. */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 16

/* One record; field[i] point into the caller's buf (see csv_next_record). */
struct csv_record {
    size_t nfields;
    const char *field[CSV_MAX_FIELDS];
};

/* Reads the record starting at *cursor in a NUL-terminated text.
 * Fields are separated by ','; records end with LF, CRLF or the end of the
 * text.  A field starting with '"' is quoted: it may hold ',', CR, LF and
 * "" (one '"'), and must be followed by ',', a line end or the end of text.
 * An unquoted field may not contain '"'.  Empty lines (anywhere, also the
 * last one) are skipped, so a record never has zero fields.
 *
 * The field texts are written NUL-terminated into buf (buflen bytes) and
 * rec->field[] points at them; they stay valid until buf is reused.
 * Returns 1 for a record (and advances *cursor past its line end), 0 at the
 * end of input (*cursor at the final NUL), -1 when malformed: unterminated
 * quote, text after a closing quote, '"' inside an unquoted field, more than
 * CSV_MAX_FIELDS fields, or buf too small.  On -1 *cursor is unchanged and
 * rec/buf hold garbage. */
int csv_next_record(const char **cursor, struct csv_record *rec, char *buf,
                    size_t buflen);

/* Writes one field for a CSV file into out (outlen bytes).
 * Formula guard: a field starting with '=', '+', '-', '@', TAB or CR gets a
 * leading "'" so that spreadsheets show it as text instead of running it
 * (CSV injection); readers see the "'" as part of the value.
 * The (guarded) text is enclosed in '"' (with '"' doubled) only when it
 * contains ',', '"', CR or LF.  Returns the length of the complete output
 * without NUL, like snprintf; the output is truncated when that is >= outlen
 * and is always NUL-terminated when outlen > 0.  out may be NULL when
 * outlen is 0 (to measure). */
size_t csv_quote(const char *field, char *out, size_t outlen);

#endif
