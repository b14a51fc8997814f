/* money.c -- see money.h for the contract. */
#include "money.h"

#include <string.h>

static const char EURO_SUFFIX[] = " \xe2\x82\xac"; /* " €" */

/* Writes the decimal digits of v, most significant first, with a '.' before
 * every group of three; returns the number of chars written (no NUL). */
static size_t format_grouped(unsigned long long v, char *out)
{
    char reversed[32];
    size_t n = 0;
    int digits = 0;
    do {
        if (digits > 0 && digits % 3 == 0)
            reversed[n++] = '.';
        reversed[n++] = (char)('0' + v % 10);
        digits++;
        v /= 10;
    } while (v > 0);
    for (size_t i = 0; i < n; i++)
        out[i] = reversed[n - 1 - i];
    return n;
}

void money_format(long long cents, char out[MONEY_TEXT_SIZE])
{
    /* magnitude in unsigned arithmetic so that LLONG_MIN works too */
    unsigned long long magnitude =
        cents < 0 ? 0ULL - (unsigned long long)cents : (unsigned long long)cents;
    char *p = out;
    if (cents < 0)
        *p++ = '-';
    p += format_grouped(magnitude / 100, p);
    *p++ = ',';
    *p++ = (char)('0' + magnitude % 100 / 10);
    *p++ = (char)('0' + magnitude % 10);
    memcpy(p, EURO_SUFFIX, sizeof EURO_SUFFIX);
}

long long money_percent_half_up(long long net_cents, int percent)
{
    long long product = net_cents * percent;
    if (product < 0)
        return -((-product + 50) / 100);
    return (product + 50) / 100;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Accumulates digits at *p into *value; false when none or above limit. */
static bool read_digits(const char **p, long long *value, long long limit)
{
    const char *start = *p;
    for (; is_digit(**p); (*p)++) {
        *value = *value * 10 + (**p - '0');
        if (*value > limit)
            return false;
    }
    return *p > start;
}

bool money_parse_cents(const char *text, long long *cents)
{
    long long euros = 0, fraction = 0;
    const char *p = text;
    if (!read_digits(&p, &euros, MONEY_PARSE_MAX / 100))
        return false;
    if (*p == ',' || *p == '.') {
        const char *fraction_start = ++p;
        if (!read_digits(&p, &fraction, 99) || p - fraction_start > 2)
            return false;
        if (p - fraction_start == 1)
            fraction *= 10;
    }
    long long total = euros * 100 + fraction;
    if (*p != '\0' || total > MONEY_PARSE_MAX)
        return false;
    *cents = total;
    return true;
}

/* True when s[0..len) is "d{1,3}(.ddd)+": digits with thousands dots. */
static bool thousands_grouped(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && is_digit(s[i]))
        i++;
    if (i < 1 || i > 3 || i == len)
        return false;
    for (; i < len; i += 4)
        if (s[i] != '.' || i + 4 > len || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) || !is_digit(s[i + 3]))
            return false;
    return true;
}

bool money_parse_typed(const char *text, long long *cents)
{
    char plain[64];
    size_t len = strlen(text), n = 0;
    while (len > 0 && text[len - 1] == ' ')
        len--;
    if (len >= 3 && memcmp(text + len - 3, "\xe2\x82\xac", 3) == 0) /* "€" */
        for (len -= 3; len > 0 && text[len - 1] == ' '; len--)
            ;
    while (len > 0 && *text == ' ')
        text++, len--;
    if (len >= sizeof plain)
        return false;
    const char *comma = memchr(text, ',', len);
    size_t whole = comma ? (size_t)(comma - text) : len;
    bool grouped = thousands_grouped(text, whole);
    if (comma && !grouped && memchr(text, '.', whole))
        return false; /* "1.23,50": dots before a comma must group thousands */
    for (size_t i = 0; i < len; i++)
        if (!(grouped && i < whole && text[i] == '.'))
            plain[n++] = text[i];
    plain[n] = '\0';
    return money_parse_cents(plain, cents);
}
