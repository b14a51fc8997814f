/* json — see json.h. */
#include "json.h"

#include <stdbool.h>
#include <string.h>

#include "mem.h"

struct parser {
    const char *p, *end; /* unread input */
    char *out, *out_end; /* decoded text goes here */
};

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' || *ps->p == '\n'))
        ps->p++;
}

/* Skips whitespace and takes c; false when the next token is not c. */
static bool take(struct parser *ps, char c)
{
    skip_ws(ps);
    if (ps->p == ps->end || *ps->p != c)
        return false;
    ps->p++;
    return true;
}

static bool put(struct parser *ps, char c)
{
    if (ps->out == ps->out_end)
        return false;
    *ps->out++ = c;
    return true;
}

/* The value of 4 hex digits, or -1. */
static long hex4(struct parser *ps)
{
    if (ps->end - ps->p < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static bool put_utf8(struct parser *ps, long cp)
{
    if (cp < 0x80)
        return put(ps, (char)cp);
    if (cp < 0x800)
        return put(ps, (char)(0xC0 | cp >> 6)) && put(ps, (char)(0x80 | (cp & 0x3F)));
    if (cp < 0x10000)
        return put(ps, (char)(0xE0 | cp >> 12)) && put(ps, (char)(0x80 | (cp >> 6 & 0x3F))) &&
               put(ps, (char)(0x80 | (cp & 0x3F)));
    return put(ps, (char)(0xF0 | cp >> 18)) && put(ps, (char)(0x80 | (cp >> 12 & 0x3F))) &&
           put(ps, (char)(0x80 | (cp >> 6 & 0x3F))) && put(ps, (char)(0x80 | (cp & 0x3F)));
}

/* After "\u": one code point, a surrogate pair joined; -1 for \u0000 or a
 * lone surrogate. */
static long code_point(struct parser *ps)
{
    long cp = hex4(ps);
    if (cp <= 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
        return -1;
    if (cp < 0xD800 || cp > 0xDBFF)
        return cp;
    if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
        return -1;
    ps->p += 2;
    long low = hex4(ps);
    if (low < 0xDC00 || low > 0xDFFF)
        return -1;
    return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
}

/* After '\': decodes one escape. */
static bool escape(struct parser *ps)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (ps->p == ps->end)
        return false;
    char c = *ps->p++;
    if (c == 'u') {
        long cp = code_point(ps);
        return cp > 0 && put_utf8(ps, cp);
    }
    const char *hit = c ? strchr(from, c) : NULL;
    return hit && put(ps, to[hit - from]);
}

/* A string token, decoded NUL-terminated into the output; NULL when malformed. */
static const char *string(struct parser *ps)
{
    if (!take(ps, '"'))
        return NULL;
    const char *start = ps->out;
    while (ps->p < ps->end && *ps->p != '"') {
        char c = *ps->p++;
        if ((unsigned char)c < 0x20)
            return NULL;
        if (!(c == '\\' ? escape(ps) : put(ps, c)))
            return NULL;
    }
    if (ps->p == ps->end || !put(ps, '\0'))
        return NULL;
    ps->p++; /* the closing quote */
    return start;
}

static bool member(struct parser *ps, struct form_pair *members, size_t max, size_t *n)
{
    const char *name = string(ps);
    const char *value = name && take(ps, ':') ? string(ps) : NULL;
    if (!value || *n == max || form_get(members, *n, name))
        return false;
    members[(*n)++] = (struct form_pair){name, value};
    return true;
}

int json_parse_flat(const char *text, size_t len, struct form_pair *members, size_t max, size_t *n,
                    char *buf, size_t buflen)
{
    struct parser ps = {text, text + len, buf, buf + buflen};
    *n = 0;
    if (!utf8_valid(text, len) || !take(&ps, '{'))
        return -1;
    if (!take(&ps, '}')) {
        do {
            if (!member(&ps, members, max, n))
                return -1;
        } while (take(&ps, ','));
        if (!take(&ps, '}'))
            return -1;
    }
    skip_ws(&ps);
    return ps.p == ps.end ? 0 : -1;
}

void json_append_string(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            buf_printf(b, "\\u%04x", c);
        else
            buf_putc(b, (char)c);
    }
    buf_putc(b, '"');
}

const char *json_object(struct arena *a, const char *const *kv)
{
    struct buf b;
    buf_init(&b, a);
    buf_putc(&b, '{');
    for (size_t i = 0; kv[i]; i += 2) {
        if (i)
            buf_putc(&b, ',');
        json_append_string(&b, kv[i]);
        buf_putc(&b, ':');
        json_append_string(&b, kv[i + 1]);
    }
    buf_putc(&b, '}');
    return b.data;
}
