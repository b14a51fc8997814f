/* voucher.c -- see voucher.h for the contract. */
#include "voucher.h"

#include <string.h>

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static const char PREFIX[] = "SBA";
#define PREFIX_LEN 3
#define GF32_REDUCE 0x25 /* x^5 + x^2 + 1 */
#define SYMBOL_BITS 5
#define GROUP_LEN 6

/* Multiplication by 2 (that is, by x) in GF(32). */
static int gf32_double(int s)
{
    s <<= 1;
    return (s & 0x20) ? (s ^ GF32_REDUCE) : s;
}

/* Folds s = 2*s XOR v over n symbols; -1 when one is not in the alphabet. */
static int check_fold(const char *symbols, size_t n)
{
    int s = 0;
    for (size_t i = 0; i < n; i++) {
        int v = voucher_symbol_value(symbols[i]);
        if (v < 0)
            return -1;
        s = gf32_double(s) ^ v;
    }
    return s;
}

int voucher_symbol_value(char c)
{
    if (c == '\0')
        return -1;
    const char *hit = strchr(ALPHABET, c);
    return hit ? (int)(hit - ALPHABET) : -1;
}

char voucher_symbol(unsigned value)
{
    return ALPHABET[value & 31];
}

char voucher_check_symbol(const char data[VOUCHER_DATA_SYMBOLS])
{
    int s = check_fold(data, VOUCHER_DATA_SYMBOLS);
    return s < 0 ? '\0' : ALPHABET[gf32_double(s)];
}

bool voucher_well_formed(const char canon[VOUCHER_SYMBOLS])
{
    return check_fold(canon, VOUCHER_SYMBOLS) == 0;
}

static bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static char ascii_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static char fix_confusable(char c)
{
    switch (c) {
    case 'O': return '0';
    case 'I':
    case 'L': return '1';
    default: return c;
    }
}

/* Copies typed without whitespace and dashes, upper-cased; returns length. */
static size_t strip_and_upcase(const char *typed, char *out)
{
    size_t n = 0;
    for (; *typed; typed++)
        if (!is_ascii_space(*typed) && *typed != '-')
            out[n++] = ascii_upper(*typed);
    out[n] = '\0';
    return n;
}

enum voucher_status voucher_normalize(const char *typed,
                                      char canon[VOUCHER_CANON_SIZE])
{
    char work[VOUCHER_MAX_INPUT + 1];
    canon[0] = '\0';
    if (typed == NULL || strnlen(typed, VOUCHER_MAX_INPUT + 1) > VOUCHER_MAX_INPUT)
        return VOUCHER_MALFORMED;

    size_t n = strip_and_upcase(typed, work);
    const char *symbols = work;
    if (n == VOUCHER_SYMBOLS + PREFIX_LEN && strncmp(work, PREFIX, PREFIX_LEN) == 0) {
        symbols += PREFIX_LEN;
        n -= PREFIX_LEN;
    }
    if (n != VOUCHER_SYMBOLS)
        return VOUCHER_MALFORMED;

    char code[VOUCHER_CANON_SIZE];
    for (size_t i = 0; i < VOUCHER_SYMBOLS; i++) {
        code[i] = fix_confusable(symbols[i]);
        if (voucher_symbol_value(code[i]) < 0)
            return VOUCHER_MALFORMED;
    }
    code[VOUCHER_SYMBOLS] = '\0';
    memcpy(canon, code, VOUCHER_CANON_SIZE);
    return voucher_well_formed(canon) ? VOUCHER_OK : VOUCHER_BAD_CHECK;
}

/* The 5 bits starting at bit position 'bit' (MSB of random[0] is bit 0). */
static int bits_at(const unsigned char *random, size_t bit)
{
    size_t byte = bit / 8;
    unsigned window = (unsigned)random[byte] << 8;
    if (byte + 1 < VOUCHER_RANDOM_BYTES)
        window |= random[byte + 1];
    return (int)((window >> (16 - SYMBOL_BITS - bit % 8)) & 0x1f);
}

void voucher_from_random(const unsigned char random[VOUCHER_RANDOM_BYTES],
                         char canon[VOUCHER_CANON_SIZE])
{
    for (size_t i = 0; i < VOUCHER_DATA_SYMBOLS; i++)
        canon[i] = ALPHABET[bits_at(random, i * SYMBOL_BITS)];
    canon[VOUCHER_DATA_SYMBOLS] = voucher_check_symbol(canon);
    canon[VOUCHER_SYMBOLS] = '\0';
}

void voucher_format(const char canon[VOUCHER_SYMBOLS],
                    char display[VOUCHER_DISPLAY_SIZE])
{
    char *p = display;
    memcpy(p, PREFIX, PREFIX_LEN);
    p += PREFIX_LEN;
    for (size_t i = 0; i < VOUCHER_SYMBOLS; i += GROUP_LEN) {
        *p++ = '-';
        memcpy(p, canon + i, GROUP_LEN);
        p += GROUP_LEN;
    }
    *p = '\0';
}

/* Appends candidate to out when it is well-formed and room is left. */
static void collect_if_well_formed(const char *candidate,
                                   char (*out)[VOUCHER_CANON_SIZE],
                                   size_t max, size_t *count)
{
    if (*count < max && voucher_well_formed(candidate))
        memcpy(out[(*count)++], candidate, VOUCHER_CANON_SIZE);
}

size_t voucher_neighbours(const char canon[VOUCHER_SYMBOLS],
                          char (*out)[VOUCHER_CANON_SIZE], size_t max)
{
    char candidate[VOUCHER_CANON_SIZE];
    size_t count = 0;
    memcpy(candidate, canon, VOUCHER_SYMBOLS);
    candidate[VOUCHER_SYMBOLS] = '\0';

    for (size_t i = 0; i < VOUCHER_SYMBOLS; i++) {
        char original = candidate[i];
        for (const char *sym = ALPHABET; *sym; sym++) {
            if (*sym == original)
                continue;
            candidate[i] = *sym;
            collect_if_well_formed(candidate, out, max, &count);
        }
        candidate[i] = original;
    }
    for (size_t i = 0; i + 1 < VOUCHER_SYMBOLS; i++) {
        char a = candidate[i], b = candidate[i + 1];
        if (a == b)
            continue;
        candidate[i] = b;
        candidate[i + 1] = a;
        collect_if_well_formed(candidate, out, max, &count);
        candidate[i] = a;
        candidate[i + 1] = b;
    }
    return count;
}
