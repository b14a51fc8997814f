/* Fuzzes the small parsers of typed form values that have no fuzzer of
 * their own: money_parse_cents (prices, src/money.c), date_parse_iso
 * (valid_until, completed_on, src/date.c) and cert_number_normalize (the
 * certificate check, src/cert_number.c), each against its header's rules. */
#include "fuzz.h"

#include <ctype.h>

#include "cert_number.h"
#include "date.h"
#include "money.h"

/* Reference for money.h: digits, optionally ',' or '.' and 1-2 digits. */
static bool ref_money(const char *s, long long *cents)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 15)
        return false;
    long long euros = 0;
    for (size_t i = 0; i < n; i++)
        euros = euros * 10 + (s[i] - '0');
    long long c = 0;
    if (s[n] == ',' || s[n] == '.') {
        size_t m = strspn(s + n + 1, "0123456789");
        if (m < 1 || m > 2 || s[n + 1 + m] != '\0')
            return false;
        c = (s[n + 1] - '0') * 10 + (m == 2 ? s[n + 2] - '0' : 0);
    } else if (s[n] != '\0') {
        return false;
    }
    if (euros > MONEY_PARSE_MAX / 100 || euros * 100 + c > MONEY_PARSE_MAX)
        return false;
    *cents = euros * 100 + c;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);

    long long cents = -7, want = -7;
    bool ok = money_parse_cents(s, &cents);
    bool wok = ref_money(s, &want);
    /* Very long digit runs: the reference gives up at 15 digits, which are
     * over the limit anyway unless they are leading zeros. */
    if (strspn(s, "0") == 0 || strspn(s, "0123456789") <= 15) {
        FUZZ_CHECK(ok == wok);
        FUZZ_CHECK(cents == (ok ? want : -7));
    }
    if (ok)
        FUZZ_CHECK(cents >= 0 && cents <= MONEY_PARSE_MAX);
    char money[MONEY_TEXT_SIZE];
    money_format(ok ? cents : (long long)size * 1234567, money);
    FUZZ_CHECK(strlen(money) < MONEY_TEXT_SIZE);

    int y = -1, m = -1, d = -1;
    if (date_parse_iso(s, &y, &m, &d)) {
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        FUZZ_CHECK(y >= 2000 && y <= 2999 && m >= 1 && m <= 12 && d >= 1);
        FUZZ_CHECK(d <= days[m - 1] + (m == 2 && leap(y)));
        char again[16];
        snprintf(again, sizeof again, "%04d-%02d-%02d", y, m, d);
        FUZZ_CHECK(strcmp(again, s) == 0);
        char text[DATE_TEXT_SIZE];
        FUZZ_CHECK(date_iso_to_text(s, text) && strlen(text) == 10);
    } else {
        FUZZ_CHECK(y == -1 && m == -1 && d == -1);
        char text[DATE_TEXT_SIZE];
        FUZZ_CHECK(!date_iso_to_text(s, text) && text[0] == '\0');
    }

    char nr[CERT_NUMBER_SIZE];
    if (cert_number_normalize(s, nr)) {
        FUZZ_CHECK(strlen(nr) == CERT_NUMBER_SIZE - 1 && nr[0] == 'Z' && nr[1] == '-' && nr[6] == '-' &&
                   nr[11] == '-');
        char again[CERT_NUMBER_SIZE];
        FUZZ_CHECK(cert_number_normalize(nr, again) && strcmp(again, nr) == 0);
        for (char *p = nr; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        FUZZ_CHECK(cert_number_normalize(nr, again) && strcmp(again, nr) != 0);
    } else {
        FUZZ_CHECK(nr[0] == '\0');
    }
    free(s);
    return 0;
}
