/* csv.c -- see csv.h for the contract. */
#include "csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Bounded output into the caller's buffer. */
struct sink {
    char *buf;
    size_t len, cap;
};

static bool sink_put(struct sink *s, char c)
{
    if (s->len >= s->cap)
        return false;
    s->buf[s->len++] = c;
    return true;
}

/* Length of the line end at p: 1 for LF, 2 for CRLF, 0 otherwise. */
static size_t line_end_length(const char *p)
{
    if (p[0] == '\n')
        return 1;
    if (p[0] == '\r' && p[1] == '\n')
        return 2;
    return 0;
}

static bool at_field_end(const char *p)
{
    return *p == ',' || *p == '\0' || line_end_length(p) > 0;
}

static const char *skip_empty_lines(const char *p)
{
    size_t n;
    while ((n = line_end_length(p)) > 0)
        p += n;
    return p;
}

/* Copies a quoted field (p at the opening '"'); NULL when malformed. */
static const char *read_quoted(const char *p, struct sink *out)
{
    for (p++;; p++) {
        if (*p == '\0')
            return NULL;
        if (*p == '"') {
            if (p[1] != '"')
                break;
            p++;
        }
        if (!sink_put(out, *p))
            return NULL;
    }
    p++; /* closing quote */
    return at_field_end(p) ? p : NULL;
}

static const char *read_unquoted(const char *p, struct sink *out)
{
    for (; !at_field_end(p); p++)
        if (*p == '"' || !sink_put(out, *p))
            return NULL;
    return p;
}

int csv_next_record(const char **cursor, struct csv_record *rec, char *buf,
                    size_t buflen)
{
    const char *p = skip_empty_lines(*cursor);
    struct sink out = {buf, 0, buflen};
    if (*p == '\0') {
        *cursor = p;
        return 0;
    }
    rec->nfields = 0;
    for (;;) {
        if (rec->nfields == CSV_MAX_FIELDS)
            return -1;
        rec->field[rec->nfields++] = buf + out.len;
        p = *p == '"' ? read_quoted(p, &out) : read_unquoted(p, &out);
        if (p == NULL || !sink_put(&out, '\0'))
            return -1;
        if (*p != ',')
            break;
        p++;
    }
    *cursor = p + line_end_length(p);
    return 1;
}

static bool needs_formula_guard(const char *field)
{
    return field[0] != '\0' && strchr("=+-@\t\r", field[0]) != NULL;
}

static bool needs_quotes(const char *field)
{
    return strpbrk(field, ",;\"\r\n") != NULL; /* ";" too: the same writer serves ";" files (Excel) */
}

/* Counts every char; stores it while room for a NUL is left. */
static void emit(struct sink *s, char c)
{
    if (s->len + 1 < s->cap)
        s->buf[s->len] = c;
    s->len++;
}

size_t csv_quote(const char *field, char *out, size_t outlen)
{
    struct sink s = {out, 0, outlen};
    bool quoted = needs_quotes(field);
    if (quoted)
        emit(&s, '"');
    if (needs_formula_guard(field))
        emit(&s, '\'');
    for (const char *p = field; *p; p++) {
        if (*p == '"')
            emit(&s, '"');
        emit(&s, *p);
    }
    if (quoted)
        emit(&s, '"');
    if (outlen > 0)
        out[s.len < outlen ? s.len : outlen - 1] = '\0';
    return s.len;
}

void csv_reader_init(struct csv_reader *rd, const char *text)
{
    *rd = (struct csv_reader){.cursor = text, .counted = text, .line = 1};
}

int csv_reader_next(struct csv_reader *rd, struct csv_record *rec, char *buf, size_t buflen)
{
    while (*rd->cursor == '\n' || *rd->cursor == '\r')
        rd->cursor++; /* blank lines: the record starts after them */
    for (; rd->counted < rd->cursor; rd->counted++)
        rd->line += *rd->counted == '\n';
    return csv_next_record(&rd->cursor, rec, buf, buflen);
}

static bool header_is(const struct csv_record *rec, const char *const *names, size_t n)
{
    if (rec->nfields != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rec->field[i], names[i]) != 0)
            return false;
    return true;
}

bool csv_reader_header(struct csv_reader *rd, const char *const *names, size_t n, char *buf, size_t buflen,
                       char *msg, size_t msglen)
{
    struct csv_record rec;
    if (csv_reader_next(rd, &rec, buf, buflen) == 1 && header_is(&rec, names, n))
        return true;
    int len = snprintf(msg, msglen, "Zeile 1: Kopfzeile muss ");
    for (size_t i = 0; i < n && len >= 0 && (size_t)len < msglen; i++)
        len += snprintf(msg + len, msglen - (size_t)len, "%s%s", i ? "," : "", names[i]);
    if (len >= 0 && (size_t)len < msglen)
        snprintf(msg + len, msglen - (size_t)len, " sein");
    return false;
}

size_t csv_reader_header_upto(struct csv_reader *rd, const char *const *names, size_t nmin, size_t nmax,
                              char *buf, size_t buflen, char *msg, size_t msglen)
{
    struct csv_record rec;
    if (csv_reader_next(rd, &rec, buf, buflen) == 1)
        for (size_t n = nmin; n <= nmax; n++)
            if (header_is(&rec, names, n))
                return n;
    int len = snprintf(msg, msglen, "Zeile 1: Kopfzeile muss ");
    for (size_t i = 0; i < nmax && len >= 0 && (size_t)len < msglen; i++)
        len += snprintf(msg + len, msglen - (size_t)len, "%s%s", i ? "," : "", names[i]);
    if (len >= 0 && (size_t)len < msglen)
        snprintf(msg + len, msglen - (size_t)len, " sein (die letzte%s Spalte%s darf fehlen)",
                 nmax - nmin > 1 ? "n" : "", nmax - nmin > 1 ? "n" : "");
    return 0;
}
