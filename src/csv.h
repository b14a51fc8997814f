/* csv.h -- RFC 4180 CSV reading and writing.
 *
 * Pure functions: no globals, no allocation, no I/O, thread-safe. */
#ifndef CSV_H
#define CSV_H

#include <stdbool.h>
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

/* Reads a whole text record by record, counting physical lines, for
 * messages such as "Zeile 7: ...". */
struct csv_reader {
    const char *cursor;  /* next unread character */
    const char *counted; /* newlines are counted up to here */
    int line;            /* physical line (1-based) where the last record read starts */
};

void csv_reader_init(struct csv_reader *rd, const char *text);
/* csv_next_record on the reader's text; afterwards rd->line is the line the
 * record starts on (blank lines before it counted). */
int csv_reader_next(struct csv_reader *rd, struct csv_record *rec, char *buf, size_t buflen);
/* Reads the first record with buf (buflen bytes): true when it is exactly
 * the n fields names[0..n); else false with msg "Zeile 1: Kopfzeile muss
 * a,b,c sein". */
bool csv_reader_header(struct csv_reader *rd, const char *const *names, size_t n, char *buf, size_t buflen,
                       char *msg, size_t msglen);
/* Like csv_reader_header, for a header of names[0..nmin) followed by at
 * most nmax - nmin optional ones, in order: the number of columns (0 with
 * msg naming the longest header when it is neither). */
size_t csv_reader_header_upto(struct csv_reader *rd, const char *const *names, size_t nmin, size_t nmax,
                              char *buf, size_t buflen, char *msg, size_t msglen);

/* Writes one field for a CSV file into out (outlen bytes).
 * Formula guard: a field starting with '=', '+', '-', '@', TAB or CR gets a
 * leading "'" so that spreadsheets show it as text instead of running it
 * (CSV injection); readers see the "'" as part of the value.
 * The (guarded) text is enclosed in '"' (with '"' doubled) only when it
 * contains ',', ';', '"', CR or LF.  Returns the length of the complete output
 * without NUL, like snprintf; the output is truncated when that is >= outlen
 * and is always NUL-terminated when outlen > 0.  out may be NULL when
 * outlen is 0 (to measure). */
size_t csv_quote(const char *field, char *out, size_t outlen);

#endif
