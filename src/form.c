/* form.c -- see form.h for the contract. */
#include "form.h"
#include "text.h"

#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes '+' and %XX of the NUL-terminated s in place and terminates the
 * result; *len gets the decoded length (it may contain NUL bytes). */
static enum form_status url_decode(char *s, size_t *len)
{
    char *out = s;
    for (const char *in = s; *in; in++) {
        if (*in == '+') {
            *out++ = ' ';
        } else if (*in == '%') {
            int high = hex_value(in[1]);
            int low = high < 0 ? -1 : hex_value(in[2]);
            if (low < 0)
                return FORM_BAD_ESCAPE;
            *out++ = (char)(high * 16 + low);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *len = (size_t)(out - s);
    *out = '\0';
    return FORM_OK;
}

static bool has_forbidden_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return true;
    }
    return false;
}

static enum form_status decode_text(char *s)
{
    size_t len;
    enum form_status status = url_decode(s, &len);
    if (status != FORM_OK)
        return status;
    if (!utf8_valid(s, len) || has_forbidden_control(s, len))
        return FORM_BAD_UTF8;
    return FORM_OK;
}

/* Splits a NUL-terminated segment at its first '=' and decodes both parts. */
static enum form_status parse_pair(char *segment, struct form_pair *pair)
{
    char *eq = strchr(segment, '=');
    if (eq != NULL)
        *eq = '\0';
    enum form_status status = decode_text(segment);
    if (status == FORM_OK && eq != NULL)
        status = decode_text(eq + 1);
    pair->name = segment;
    pair->value = eq != NULL ? eq + 1 : "";
    return status;
}

enum form_status form_parse(char *text, struct form_pair *pairs,
                            size_t max_pairs, size_t *npairs)
{
    *npairs = 0;
    for (char *segment = text; segment != NULL;) {
        char *amp = strchr(segment, '&');
        if (amp != NULL)
            *amp = '\0';
        if (*segment != '\0') {
            if (*npairs == max_pairs)
                return FORM_TOO_MANY;
            enum form_status status = parse_pair(segment, &pairs[*npairs]);
            if (status != FORM_OK)
                return status;
            (*npairs)++;
        }
        segment = amp != NULL ? amp + 1 : NULL;
    }
    return FORM_OK;
}

/* Length of the UTF-8 sequence starting at s[0..avail-1], or 0 if invalid. */
static size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char lead = s[0];
    size_t len;
    unsigned char min2 = 0x80, max2 = 0xbf; /* allowed range of 2nd byte */
    if (lead >= 0x01 && lead <= 0x7f)
        return 1;
    if (lead >= 0xc2 && lead <= 0xdf)
        len = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
        len = 3;
        if (lead == 0xe0)
            min2 = 0xa0; /* overlong */
        if (lead == 0xed)
            max2 = 0x9f; /* surrogates */
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        len = 4;
        if (lead == 0xf0)
            min2 = 0x90; /* overlong */
        if (lead == 0xf4)
            max2 = 0x8f; /* above U+10FFFF */
    } else {
        return 0; /* NUL, continuation byte, 0xc0/0xc1, 0xf5.. */
    }
    if (avail < len || s[1] < min2 || s[1] > max2)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

bool utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    while (len > 0) {
        size_t n = utf8_sequence_length(p, len);
        if (n == 0)
            return false;
        p += n;
        len -= n;
    }
    return true;
}

size_t cookie_parse(char *header, struct form_pair *pairs, size_t max_pairs)
{
    size_t n = 0;
    for (char *piece = header; piece != NULL && n < max_pairs;) {
        char *semicolon = strchr(piece, ';');
        if (semicolon != NULL)
            *semicolon = '\0';
        char *eq = strchr(piece, '=');
        if (eq != NULL) {
            *eq = '\0';
            char *name = text_trim(piece, " \t");
            if (*name != '\0') {
                pairs[n].name = name;
                pairs[n].value = text_unquote(text_trim(eq + 1, " \t"));
                n++;
            }
        }
        piece = semicolon != NULL ? semicolon + 1 : NULL;
    }
    return n;
}

const char *form_get(const struct form_pair *pairs, size_t n,
                     const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(pairs[i].name, name) == 0)
            return pairs[i].value;
    return NULL;
}
