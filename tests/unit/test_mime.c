/* Unit tests for src/mime.c (RFC 5322 / MIME message text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mem.h"
#include "mime.h"

static const struct mime_envelope env = {
    .date = 1795000000, /* Sat, 18 Nov 2026 ... UTC */
    .message_id = "<outbox-1.abc@staedtebund-academy.at>",
    .boundary = "=_sba_test",
};

static const struct mail_attachment files[] = {
    {.filename = "codes.csv", .content_type = "text/csv; charset=utf-8", .data = "Kurs,Code\r\n", .len = 11},
    {.filename = "Rechnung-RE-2026-000001.pdf", .content_type = "application/pdf", .data = "%PDF\0\xff", .len = 6},
};

static struct mail_message sample(void)
{
    return (struct mail_message){
        .from = "Städtebund Academy <noreply@staedtebund-academy.at>",
        .recipients = "buchhaltung@musterstadt.gv.at, gerda@musterstadt.gv.at",
        .subject = "Ihre Vouchercodes – Rechnung RE-2026-000001",
        .body_text = "Guten Tag,\n\nSBA-AAAAAA-BBBBBB\n",
        .attachments = files, .nattachments = 2,
    };
}

static int b64_value(char c)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* Decodes base64 text (line breaks skipped) into out; returns the length. */
static size_t b64_decode(const char *text, size_t n, unsigned char *out)
{
    size_t len = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(text[i]);
        if (v < 0)
            continue;
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[len++] = (unsigned char)(acc >> bits & 0xff);
        }
    }
    return len;
}

static int new_arena(void **state)
{
    *state = arena_new();
    return 0;
}

static int free_arena(void **state)
{
    arena_free(*state);
    return 0;
}

static const char *build(struct arena *a, const struct mail_message *m, int *rc)
{
    struct buf out;
    buf_init(&out, a);
    *rc = mime_build(&out, m, &env);
    return out.data;
}

/* The message built in the test's arena; fails the test when refused. */
static const char *built(void **state, struct mail_message m)
{
    int rc;
    const char *msg = build(*state, &m, &rc);
    assert_int_equal(rc, 0);
    return msg;
}

/* The decoded content of the part whose headers contain marker. */
static size_t part_content(const char *msg, const char *marker, unsigned char *out)
{
    const char *p = strstr(msg, marker);
    assert_non_null(p);
    const char *start = strstr(p, "\r\n\r\n") + 4;
    const char *end = strstr(start, "--=_sba_test");
    return b64_decode(start, (size_t)(end - start), out);
}

static void test_message_has_crlf_lines_of_at_most_78_characters(void **state)
{
    struct mail_message m = sample();
    const char *msg = built(state, m);
    for (const char *line = msg; *line;) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl);
        assert_true(nl > line && nl[-1] == '\r');
        assert_true(nl - line - 1 <= 78);
        line = nl + 1;
    }
    assert_non_null(strstr(msg, "Date: Wed, 18 Nov 2026 "));
    assert_non_null(strstr(msg, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(msg, "\r\nMessage-ID: <outbox-1.abc@staedtebund-academy.at>\r\n"));
    assert_non_null(strstr(msg, "\r\nContent-Type: multipart/mixed;\r\n boundary=\"=_sba_test\"\r\n"));
    assert_non_null(strstr(msg, "\r\n--=_sba_test--\r\n"));
}

static void test_subject_and_name_are_rfc2047_encoded_words(void **state)
{
    struct mail_message m = sample();
    m.subject = "Grüße";
    const char *msg = built(state, m);
    assert_non_null(strstr(msg, "\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"));
    assert_non_null(strstr(msg, "\r\nFrom: =?UTF-8?B?U3TDpGR0ZWJ1bmQgQWNhZGVteQ==?=\r\n <noreply@staedtebund-academy.at>\r\n"));
    assert_non_null(strstr(msg, "\r\nTo: buchhaltung@musterstadt.gv.at, gerda@musterstadt.gv.at\r\n"));
}

static void test_ascii_subject_and_name_stay_readable(void **state)
{
    struct mail_message m = sample();
    m.subject = "Ihre Codes";
    m.from = "Academy <noreply@example.at>";
    const char *msg = built(state, m);
    assert_non_null(strstr(msg, "\r\nSubject: Ihre Codes\r\n"));
    assert_non_null(strstr(msg, "\r\nFrom: \"Academy\" <noreply@example.at>\r\n"));
}

static void test_subject_of_invalid_utf8_continuation_bytes_still_ends(void **state)
{
    struct mail_message m = sample();
    char subject[80];
    memset(subject, 0x80, sizeof subject - 1);
    subject[sizeof subject - 1] = '\0';
    m.subject = subject;
    int rc;
    const char *msg = build(*state, &m, &rc); /* must return, refused or built */
    assert_non_null(msg);
}

static void test_long_subject_splits_words_on_character_boundaries(void **state)
{
    struct mail_message m = sample();
    m.subject = "ÄÖÜäöüß€ ÄÖÜäöüß€ ÄÖÜäöüß€ ÄÖÜäöüß€ ÄÖÜäöüß€ ÄÖÜäöüß€ ÄÖÜäöüß€";
    const char *msg = built(state, m);
    const char *p = strstr(msg, "Subject: ") + 9;
    unsigned char decoded[256];
    size_t total = 0;
    int words = 0;
    while (strncmp(p, "=?UTF-8?B?", 10) == 0) {
        const char *end = strstr(p, "?=");
        assert_true(end + 2 - p <= 75);
        size_t n = b64_decode(p + 10, (size_t)(end - p - 10), decoded + total);
        assert_true((decoded[total] & 0xC0) != 0x80); /* starts on a character */
        total += n;
        words++;
        p = end + 2;
        if (strncmp(p, "\r\n ", 3) == 0)
            p += 3;
    }
    assert_true(words > 1);
    decoded[total] = '\0';
    assert_string_equal((char *)decoded, m.subject);
}

static void test_body_is_utf8_with_crlf_line_ends(void **state)
{
    struct mail_message m = sample();
    m.body_text = "Grüß Gott\nZeile 2\r\nEnde";
    const char *msg = built(state, m);
    unsigned char body[128];
    size_t n = part_content(msg, "Content-Type: text/plain; charset=utf-8", body);
    body[n] = '\0';
    assert_string_equal((char *)body, "Grüß Gott\r\nZeile 2\r\nEnde");
}

static void test_attachments_round_trip_in_base64(void **state)
{
    struct mail_message m = sample();
    const char *msg = built(state, m);
    assert_non_null(strstr(msg, "Content-Disposition: attachment;\r\n filename=\"codes.csv\"\r\n"));
    unsigned char data[64];
    assert_int_equal(part_content(msg, "filename=\"Rechnung-RE-2026-000001.pdf\"", data), 6);
    assert_memory_equal(data, "%PDF\0\xff", 6);
    assert_int_equal(part_content(msg, "filename=\"codes.csv\"", data), 11);
    assert_memory_equal(data, "Kurs,Code\r\n", 11);
}

static void assert_refused(void **state, struct mail_message m, const char *what)
{
    int rc;
    build(*state, &m, &rc);
    if (rc != -1)
        fail_msg("not refused: %s", what);
}

static void test_header_injection_is_refused(void **state)
{
    static const struct {
        const char *subject, *from, *recipients;
    } bad[] = {
        {.subject = "Codes\r\nBcc: evil@example.com"},
        {.subject = "Codes\nBcc: evil@example.com"},
        {.from = "Academy <noreply@example.at>\r\nBcc: evil@example.com"},
        {.from = "Acad\remy <noreply@example.at>"},
        {.recipients = "a@b.at\r\nBcc: evil@example.com"},
        {.recipients = "a@b.at, evil@example.com\r\n"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct mail_message m = sample();
        m.subject = bad[i].subject ? bad[i].subject : m.subject;
        m.from = bad[i].from ? bad[i].from : m.from;
        m.recipients = bad[i].recipients ? bad[i].recipients : m.recipients;
        assert_refused(state, m, bad[i].subject ? bad[i].subject : bad[i].from ? bad[i].from : bad[i].recipients);
    }
}

static void test_unsafe_attachment_headers_are_refused(void **state)
{
    struct mail_attachment bad[] = {
        {.filename = "codes.csv\r\nX-Evil: 1", .content_type = "text/csv", .data = "x", .len = 1},
        {.filename = "co\"des.csv", .content_type = "text/csv", .data = "x", .len = 1},
        {.filename = "codes.csv", .content_type = "text/csv\r\nX-Evil: 1", .data = "x", .len = 1},
        {.filename = "Größe.csv", .content_type = "text/csv", .data = "x", .len = 1},
        {.filename = "", .content_type = "text/csv", .data = "x", .len = 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct mail_message m = sample();
        m.attachments = &bad[i];
        m.nattachments = 1;
        assert_refused(state, m, bad[i].filename);
    }
}

static void test_recipients_and_addresses_parse(void **state)
{
    struct arena *a = *state;
    size_t n;
    const char **list = mime_recipients(a, "a@b.at, c@d.at", &n);
    assert_non_null(list);
    assert_int_equal(n, 2);
    assert_string_equal(list[0], "a@b.at");
    assert_string_equal(list[1], "c@d.at");
    assert_null(mime_recipients(a, "", &n));
    assert_null(mime_recipients(a, "a@b.at, not an address", &n));
    assert_string_equal(mime_address(a, "Städtebund Academy <noreply@x.at>"), "noreply@x.at");
    assert_string_equal(mime_address(a, "noreply@x.at"), "noreply@x.at");
    assert_null(mime_address(a, "Name <noreply@x.at> trailing"));
    assert_null(mime_address(a, "Name <no reply@x.at>"));
}

#define WITH_ARENA(test) cmocka_unit_test_setup_teardown(test, new_arena, free_arena)

int main(void)
{
    const struct CMUnitTest tests[] = {
        WITH_ARENA(test_message_has_crlf_lines_of_at_most_78_characters),
        WITH_ARENA(test_subject_and_name_are_rfc2047_encoded_words),
        WITH_ARENA(test_ascii_subject_and_name_stay_readable),
        WITH_ARENA(test_subject_of_invalid_utf8_continuation_bytes_still_ends),
        WITH_ARENA(test_long_subject_splits_words_on_character_boundaries),
        WITH_ARENA(test_body_is_utf8_with_crlf_line_ends),
        WITH_ARENA(test_attachments_round_trip_in_base64),
        WITH_ARENA(test_header_injection_is_refused),
        WITH_ARENA(test_unsafe_attachment_headers_are_refused),
        WITH_ARENA(test_recipients_and_addresses_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
