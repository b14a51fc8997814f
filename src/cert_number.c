/* cert_number — see cert_number.h. */
#include "cert_number.h"

#include <string.h>

#include "voucher.h"

/* "Z-" and the 12 symbols in groups of four. */
static void format(const char symbols[CERT_NUMBER_SYMBOLS], char out[CERT_NUMBER_SIZE])
{
    char *o = out;
    *o++ = 'Z';
    for (int i = 0; i < CERT_NUMBER_SYMBOLS; i++) {
        if (i % 4 == 0)
            *o++ = '-';
        *o++ = symbols[i];
    }
    *o = '\0';
}

void cert_number_from_random(const unsigned char random[CERT_NUMBER_RANDOM_BYTES],
                             char out[CERT_NUMBER_SIZE])
{
    char symbols[CERT_NUMBER_SYMBOLS];
    for (int i = 0; i < CERT_NUMBER_SYMBOLS; i++)
        symbols[i] = voucher_symbol(random[i]);
    format(symbols, out);
}

static char canonical_symbol(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    return c == 'O' ? '0' : c == 'I' || c == 'L' ? '1' : c;
}

bool cert_number_normalize(const char *typed, char out[CERT_NUMBER_SIZE])
{
    char kept[CERT_NUMBER_SYMBOLS + 1];
    size_t n = 0;
    out[0] = '\0';
    if (!typed || strlen(typed) > CERT_NUMBER_MAX_INPUT)
        return false;
    for (const char *p = typed; *p; p++) {
        if (strchr(" \t\r\n\f\v-", *p))
            continue;
        if (n == sizeof kept)
            return false;
        kept[n++] = canonical_symbol(*p);
    }
    const char *symbols = n == CERT_NUMBER_SYMBOLS + 1 && kept[0] == 'Z' ? kept + 1 : kept;
    if (kept + n - symbols != CERT_NUMBER_SYMBOLS)
        return false;
    for (int i = 0; i < CERT_NUMBER_SYMBOLS; i++)
        if (voucher_symbol_value(symbols[i]) < 0)
            return false;
    format(symbols, out);
    return true;
}
