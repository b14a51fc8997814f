/* Fuzzes mime_build and the address readers of src/mime.c, which put
 * configured and stored text (mail_from, the subject, recipients, the
 * attachment names) into e-mail headers.  The input is cut into pieces
 * (fuzz_take_cstr): from, recipients, subject, body, message id, boundary,
 * date and up to two attachments.  From, subject and body must be UTF-8
 * (mime.h); inputs that are not are only given to the address readers.
 * Checked: CR, LF or another control character in a header value is refused;
 * a message built is 7-bit, has CRLF line ends only, no header line the
 * builder did not write (no injection), header lines within 998 characters
 * and encoded lines within 78, and the Subject decodes back to the subject. */
#include "fuzz.h"

#include "form.h"
#include "mem.h"
#include "mime.h"

static struct arena *arena;

/* C0 controls (CR, LF, ...), which would break a header line.  DEL is left
 * out: valid_email accepts it today (the 7-bit check of the message
 * built still refuses it in a header). */
static bool has_c0(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            return true;
    return false;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static int b64_value(char c)
{
    const char *digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *hit = c ? strchr(digits, c) : NULL;
    return hit ? (int)(hit - digits) : -1;
}

/* Appends the base64 text[0..len) decoded to out. */
static void b64_decode(struct buf *out, const char *text, size_t len)
{
    FUZZ_CHECK(len % 4 == 0);
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = text[i + k] == '=' ? 0 : b64_value(text[i + k]);
        FUZZ_CHECK(v[0] >= 0 && v[1] >= 0 && v[2] >= 0 && v[3] >= 0);
        unsigned bits = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        buf_putc(out, (char)(bits >> 16));
        if (text[i + 2] != '=')
            buf_putc(out, (char)(bits >> 8 & 0xff));
        if (text[i + 3] != '=')
            buf_putc(out, (char)(bits & 0xff));
    }
}

/* The Subject header of msg, unfolded and decoded, must be subject. */
static void check_subject(const char *msg, const char *subject)
{
    const char *h = strstr(msg, "\r\nSubject: ");
    FUZZ_CHECK(h != NULL);
    h += 11;
    struct buf value;
    buf_init(&value, arena);
    bool ascii = true;
    for (const char *c = subject; *c; c++)
        ascii = ascii && (unsigned char)*c < 0x80;
    /* Short ASCII is written as it is (even when it looks like an encoded
     * word); anything else as encoded words. */
    if ((ascii && strlen(subject) < 69) || !*subject) {
        size_t n = strcspn(h, "\r");
        buf_append(&value, h, n);
    } else {
        for (;;) {
            FUZZ_CHECK(strncmp(h, "=?UTF-8?B?", 10) == 0);
            h += 10;
            const char *end = strstr(h, "?=");
            FUZZ_CHECK(end != NULL);
            b64_decode(&value, h, (size_t)(end - h));
            h = end + 2;
            if (strncmp(h, "\r\n ", 3) != 0)
                break;
            h += 3;
        }
        FUZZ_CHECK(strncmp(h, "\r\n", 2) == 0);
    }
    FUZZ_CHECK(strcmp(value.data, subject) == 0);
}

static const char *const HEADERS[] = {"Date: ", "From: ", "To: ", "Subject: ", "Message-ID: ", "MIME-Version: ",
                                      "Auto-Submitted: ", "Content-Type: ", NULL};

static void check_message(const char *msg, size_t len)
{
    bool in_headers = true;
    for (size_t start = 0; start < len;) {
        const char *line = msg + start;
        const char *crlf = strstr(line, "\r\n");
        FUZZ_CHECK(crlf != NULL); /* every line ends in CRLF */
        size_t n = (size_t)(crlf - line);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(line[i] >= 0x20 && line[i] < 0x7f); /* 7-bit, no bare CR or LF */
        if (in_headers) {
            if (n == 0) {
                in_headers = false;
            } else if (line[0] != ' ') {
                bool known = false;
                for (int k = 0; HEADERS[k] && !known; k++)
                    known = strncmp(line, HEADERS[k], strlen(HEADERS[k])) == 0;
                FUZZ_CHECK(known);
            }
            FUZZ_CHECK(n <= 998);
            if (strncmp(line, "Subject: ", 9) == 0 || strncmp(line, " =?UTF-8?B?", 11) == 0)
                FUZZ_CHECK(n <= 78);
        } else {
            FUZZ_CHECK(n <= 78);
        }
        start += n + 2;
    }
    FUZZ_CHECK(!in_headers);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!arena)
        arena = arena_new();
    struct fuzz_reader r = {data, size};
    char *from = fuzz_take_cstr(&r), *recipients = fuzz_take_cstr(&r), *subject = fuzz_take_cstr(&r);
    char *body = fuzz_take_cstr(&r), *message_id = fuzz_take_cstr(&r), *boundary = fuzz_take_cstr(&r);
    int64_t date = (int64_t)(fuzz_take_u64(&r) % 253402300800ULL); /* years 1970..9999 */
    struct mail_attachment at[2];
    char *names[2], *types[2];
    size_t nat = r.left ? *r.p % 3 : 0;
    for (size_t i = 0; i < 2; i++) {
        names[i] = fuzz_take_cstr(&r);
        types[i] = fuzz_take_cstr(&r);
        at[i] = (struct mail_attachment){names[i], types[i], body, strlen(body)};
    }

    /* The address readers take any bytes. */
    const char *addr = mime_address(arena, from);
    if (addr)
        FUZZ_CHECK(*addr && !has_c0(addr) && !strpbrk(addr, "<> ,"));
    size_t n = 99;
    const char **list = mime_recipients(arena, recipients, &n);
    if (list) {
        FUZZ_CHECK(n >= 1);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(list[i] && strchr(list[i], '@') && !has_c0(list[i]) && !strpbrk(list[i], "<> ,"));
        FUZZ_CHECK(list[n] == NULL || n < strlen(recipients) / 3 + 2);
    }

    if (utf8_valid(from, strlen(from)) && utf8_valid(subject, strlen(subject)) && utf8_valid(body, strlen(body))) {
        struct mail_message m = {from, recipients, subject, body, at, nat};
        struct mime_envelope env = {date, message_id, boundary};
        struct buf out;
        buf_init(&out, arena);
        int rc = mime_build(&out, &m, &env);
        FUZZ_CHECK(rc == 0 || rc == -1);
        if (has_control(from) || has_control(subject) || has_control(message_id) || has_control(boundary))
            FUZZ_CHECK(rc == -1);
        if (rc == 0) {
            FUZZ_CHECK(addr != NULL && list != NULL);
            check_message(out.data, out.len);
            check_subject(out.data, subject);
        }
    }

    char *all[] = {from, recipients, subject, body, message_id, boundary, names[0], types[0], names[1], types[1]};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
    arena_reset(arena);
    return 0;
}
