/* mime — see mime.h. */
#include "mime.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "valid.h"

#define ENCODED_WORD_BYTES 36 /* 48 base64 characters: a word of 60, a line within 78 */
#define LINE_MAX_CHARS 78
#define FILENAME_MAX_CHARS 60

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of up to 3 bytes as 4 characters. */
static void b64_quad(const unsigned char *p, size_t n, char q[4])
{
    unsigned v = (unsigned)p[0] << 16 | (n > 1 ? (unsigned)p[1] << 8 : 0) | (n > 2 ? p[2] : 0);
    q[0] = b64[v >> 18 & 63];
    q[1] = b64[v >> 12 & 63];
    q[2] = n > 1 ? b64[v >> 6 & 63] : '=';
    q[3] = n > 2 ? b64[v & 63] : '=';
}

/* Base64 without line breaks. */
static void b64_run(struct buf *out, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i += 3) {
        char q[4];
        b64_quad(p + i, len - i < 3 ? len - i : 3, q);
        buf_append(out, q, 4);
    }
}

/* Appends base64 of data, lines of 76 characters ending in CRLF. */
static void mime_base64(struct buf *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i += 57) {
        b64_run(out, p + i, len - i < 57 ? len - i : 57);
        buf_puts(out, "\r\n");
    }
}

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

static bool printable_ascii(const char *s, const char *forbidden)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || strchr(forbidden, *s))
            return false;
    return true;
}

/* Length of the longest prefix of s within max bytes that ends on a UTF-8
 * character boundary; max itself when there is none (invalid UTF-8), so the
 * caller always advances. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n > 0 ? n : max;
}

/* Text as RFC 2047 "B" encoded words, folded onto continuation lines. */
static void encoded_words(struct buf *out, const char *text)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < len;) {
        size_t n = utf8_prefix(text + i, len - i, ENCODED_WORD_BYTES);
        if (i)
            buf_puts(out, "\r\n ");
        buf_puts(out, "=?UTF-8?B?");
        b64_run(out, (const unsigned char *)text + i, n);
        buf_puts(out, "?=");
        i += n;
    }
}

/* Characters on the last line of out so far. */
static size_t line_length(const struct buf *out)
{
    size_t n = 0;
    while (n < out->len && out->data[out->len - 1 - n] != '\n')
        n++;
    return n;
}

/* sep, or sep without its trailing space and a fold, when next would not fit the line. */
static void fold(struct buf *out, const char *sep, const char *next)
{
    if (line_length(out) + strlen(sep) + strlen(next) <= LINE_MAX_CHARS) {
        buf_puts(out, sep);
        return;
    }
    buf_append(out, sep, strlen(sep) - (sep[strlen(sep) - 1] == ' '));
    buf_puts(out, "\r\n ");
}

/* An unstructured header value: as it is when short ASCII, else encoded words. */
static void header_text(struct buf *out, const char *name, const char *value)
{
    buf_printf(out, "%s: ", name);
    if (is_ascii(value) && strlen(value) + strlen(name) < 76)
        buf_puts(out, value);
    else
        encoded_words(out, value);
    buf_puts(out, "\r\n");
}

const char *mime_address(struct arena *a, const char *mailbox)
{
    const char *lt = strrchr(mailbox, '<');
    const char *addr = lt ? arena_strndup(a, lt + 1, strcspn(lt + 1, ">")) : mailbox;
    if (lt && (strchr(lt, '>') == NULL || strchr(lt, '>')[1] != '\0'))
        return NULL;
    return valid_email(addr) ? arena_strdup(a, addr) : NULL;
}

const char **mime_recipients(struct arena *a, const char *list, size_t *n)
{
    size_t cap = strlen(list) / 3 + 2;
    const char **addrs = arena_alloc(a, cap * sizeof *addrs);
    *n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        const char *one = arena_strndup(a, p + strspn(p, " "), len - strspn(p, " "));
        if (!valid_email(one))
            return NULL;
        addrs[(*n)++] = one;
        p += len + (p[len] == ',');
    }
    return *n ? addrs : NULL;
}

/* From: an ASCII display name quoted, any other encoded. */
static int header_from(struct buf *out, struct arena *a, const char *from)
{
    const char *addr = mime_address(a, from);
    if (!addr || !valid_line(from))
        return -1;
    const char *lt = strrchr(from, '<');
    size_t name_len = lt ? (size_t)(lt - from) : 0;
    while (name_len && from[name_len - 1] == ' ')
        name_len--;
    const char *name = arena_strndup(a, from, name_len);
    buf_puts(out, "From: ");
    if (!*name) {
        buf_puts(out, addr);
    } else if (is_ascii(name) && !strpbrk(name, "\"\\")) {
        buf_printf(out, "\"%s\"", name);
    } else {
        encoded_words(out, name);
    }
    if (*name) {
        const char *angle = arena_printf(a, "<%s>", addr);
        fold(out, " ", angle);
        buf_puts(out, angle);
    }
    buf_puts(out, "\r\n");
    return 0;
}

static int header_to(struct buf *out, struct arena *a, const char *recipients)
{
    size_t n;
    const char **addrs = mime_recipients(a, recipients, &n);
    if (!addrs)
        return -1;
    buf_puts(out, "To: ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            fold(out, ", ", addrs[i]);
        buf_puts(out, addrs[i]);
    }
    buf_puts(out, "\r\n");
    return 0;
}

static void header_date(struct buf *out, int64_t date)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)date;
    struct tm tm;
    gmtime_r(&t, &tm);
    buf_printf(out, "Date: %s, %d %s %d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The body text with every line end made CRLF. */
static const char *crlf_text(struct arena *a, const char *text)
{
    struct buf b;
    buf_init(&b, a);
    for (const char *p = text; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r'))
            buf_putc(&b, '\r');
        buf_putc(&b, *p);
    }
    return b.data;
}

static void part_text(struct buf *out, const char *boundary, const char *body)
{
    const char *text = crlf_text(out->arena, body);
    buf_printf(out, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
    mime_base64(out, text, strlen(text));
}

static int part_attachment(struct buf *out, const char *boundary, const struct mail_attachment *at)
{
    if (!*at->filename || strlen(at->filename) > FILENAME_MAX_CHARS || strlen(at->content_type) > FILENAME_MAX_CHARS ||
        !printable_ascii(at->filename, "\"\\") || !printable_ascii(at->content_type, "\""))
        return -1;
    buf_printf(out, "--%s\r\nContent-Type: %s;\r\n name=\"%s\"\r\n"
                    "Content-Disposition: attachment;\r\n filename=\"%s\"\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\n",
               boundary, at->content_type, at->filename, at->filename);
    mime_base64(out, at->data, at->len);
    return 0;
}

static int headers(struct buf *out, const struct mail_message *m, const struct mime_envelope *env)
{
    if (!valid_line(m->subject) || !printable_ascii(env->message_id, "") || strlen(env->message_id) > 200 ||
        !printable_ascii(env->boundary, "\"") || strlen(env->boundary) > 60 || strncmp(env->boundary, "=_", 2) != 0)
        return -1;
    header_date(out, env->date);
    if (header_from(out, out->arena, m->from) != 0 || header_to(out, out->arena, m->recipients) != 0)
        return -1;
    header_text(out, "Subject", m->subject);
    buf_printf(out, "Message-ID: %s\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
                    "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n",
               env->message_id, env->boundary);
    return 0;
}

int mime_build(struct buf *out, const struct mail_message *m, const struct mime_envelope *env)
{
    if (headers(out, m, env) != 0)
        return -1;
    buf_puts(out, "This is a multi-part message in MIME format.\r\n");
    part_text(out, env->boundary, m->body_text);
    for (size_t i = 0; i < m->nattachments; i++)
        if (part_attachment(out, env->boundary, &m->attachments[i]) != 0)
            return -1;
    buf_printf(out, "--%s--\r\n", env->boundary);
    return 0;
}
