/* Fuzzes form_parse (urlencoded bodies and query strings) and cookie_parse
 * (the Cookie header) of src/form.c against small reference
 * implementations written from form.h, and checks the invariants every
 * caller relies on: each name and value is valid UTF-8 (utf8_valid) with no
 * NUL inside and no C0 control but TAB, LF, CR. */
#include "fuzz.h"

#include "form.h"

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Reference decoding of s[0..len) into out (len bytes suffice); returns the
 * status form_parse must give for it and the decoded length in *outlen. */
static enum form_status ref_decode(const char *s, size_t len, char *out, size_t *outlen)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            out[n++] = ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= len || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
                return FORM_BAD_ESCAPE;
            out[n++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    *outlen = n;
    if (!utf8_valid(out, n))
        return FORM_BAD_UTF8;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 && out[i] != '\t' && out[i] != '\n' && out[i] != '\r')
            return FORM_BAD_UTF8;
    return FORM_OK;
}

static bool clean(const char *s)
{
    size_t len = strlen(s);
    if (!utf8_valid(s, len))
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

/* form_parse on a copy of text with room for max pairs, checked against
 * the reference. */
static void check_form(const char *text, size_t max)
{
    size_t len = strlen(text);
    char *copy = fuzz_cstr((const uint8_t *)text, len);
    struct form_pair *pairs = malloc((max ? max : 1) * sizeof *pairs);
    char *dec = malloc(len + 1);
    size_t n = 12345;
    enum form_status st = form_parse(copy, pairs, max, &n);

    /* Reference: segments split on '&', empty ones skipped, name=value at the
     * first '='; the first problem from left to right wins. */
    enum form_status want = FORM_OK;
    size_t count = 0;
    for (size_t start = 0; start <= len && want == FORM_OK;) {
        size_t seg = strcspn(text + start, "&");
        if (seg > 0) {
            if (count == max) {
                want = FORM_TOO_MANY;
                break;
            }
            const char *s = text + start;
            const char *eq = memchr(s, '=', seg);
            size_t nlen = eq ? (size_t)(eq - s) : seg, dlen;
            want = ref_decode(s, nlen, dec, &dlen);
            if (want == FORM_OK && st == FORM_OK) {
                FUZZ_CHECK(count < n);
                FUZZ_CHECK(strlen(pairs[count].name) == dlen); /* no NUL inside */
                FUZZ_CHECK(memcmp(pairs[count].name, dec, dlen) == 0);
            }
            if (want == FORM_OK && eq) {
                want = ref_decode(eq + 1, seg - nlen - 1, dec, &dlen);
            } else {
                dlen = 0;
            }
            if (want == FORM_OK && st == FORM_OK) {
                FUZZ_CHECK(strlen(pairs[count].value) == dlen);
                FUZZ_CHECK(memcmp(pairs[count].value, dec, dlen) == 0);
            }
            count++;
        }
        start += seg + 1;
    }
    FUZZ_CHECK(st == want);
    if (st == FORM_OK) {
        FUZZ_CHECK(n == count && n <= max);
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(fuzz_inside(pairs[i].name, copy, len + 1));
            FUZZ_CHECK(*pairs[i].value == '\0' || fuzz_inside(pairs[i].value, copy, len + 1));
            FUZZ_CHECK(*pairs[i].name != '\0' || *pairs[i].value != '\0' || strchr(text, '=') != NULL);
            FUZZ_CHECK(clean(pairs[i].name) && clean(pairs[i].value));
            FUZZ_CHECK(form_get(pairs, n, pairs[i].name) != NULL);
        }
    }
    free(dec);
    free(pairs);
    free(copy);
}

/* Reference trim of " \t" on s[0..*len) (returns new start, updates *len). */
static const char *ref_trim(const char *s, size_t *len)
{
    while (*len && (*s == ' ' || *s == '\t'))
        s++, (*len)--;
    while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
        (*len)--;
    return s;
}

static void check_cookies(const char *text, size_t max)
{
    size_t len = strlen(text);
    char *copy = fuzz_cstr((const uint8_t *)text, len);
    struct form_pair *pairs = malloc((max ? max : 1) * sizeof *pairs);
    size_t n = cookie_parse(copy, pairs, max);
    FUZZ_CHECK(n <= max);

    size_t count = 0;
    for (size_t start = 0; start <= len && count < max;) {
        size_t piece = strcspn(text + start, ";");
        const char *s = text + start;
        const char *eq = memchr(s, '=', piece);
        if (eq) {
            size_t nlen = (size_t)(eq - s), vlen = piece - nlen - 1;
            const char *name = ref_trim(s, &nlen);
            const char *value = ref_trim(eq + 1, &vlen);
            if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"')
                value++, vlen -= 2;
            if (nlen > 0) {
                FUZZ_CHECK(count < n);
                FUZZ_CHECK(strlen(pairs[count].name) == nlen && memcmp(pairs[count].name, name, nlen) == 0);
                FUZZ_CHECK(strlen(pairs[count].value) == vlen && memcmp(pairs[count].value, value, vlen) == 0);
                count++;
            }
        }
        start += piece + 1;
    }
    FUZZ_CHECK(n == count);
    bool utf8 = utf8_valid(text, len);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(fuzz_inside(pairs[i].name, copy, len + 1));
        FUZZ_CHECK(*pairs[i].value == '\0' || fuzz_inside(pairs[i].value, copy, len + 1));
        FUZZ_CHECK(!strchr(pairs[i].name, ';') && !strchr(pairs[i].name, '='));
        FUZZ_CHECK(!strchr(pairs[i].value, ';'));
        /* Trimming ASCII off valid UTF-8 keeps it valid. */
        if (utf8)
            FUZZ_CHECK(utf8_valid(pairs[i].name, strlen(pairs[i].name)) &&
                       utf8_valid(pairs[i].value, strlen(pairs[i].value)));
    }
    free(pairs);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    size_t len = strlen(text);
    check_form(text, len / 2 + 2); /* as req.c sizes it: never too many */
    check_form(text, 3);
    check_form(text, 0);
    check_cookies(text, 32); /* req.c's MAX_COOKIES */
    check_cookies(text, 2);
    /* utf8_valid must agree with itself on every prefix boundary. */
    FUZZ_CHECK(utf8_valid(text, 0));
    free(text);
    return 0;
}
