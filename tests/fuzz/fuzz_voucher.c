/* Fuzzes voucher_normalize (src/voucher.c), which reads every code a person
 * types: the canon is always NUL-terminated; OK means 24 alphabet symbols
 * that are well formed; BAD_CHECK 24 symbols that are not; the display form
 * (voucher_format) normalises back to the same canon, also in lower case;
 * normalising is idempotent; voucher_neighbours only yields well-formed
 * codes one substitution or one adjacent swap away. */
#include "fuzz.h"

#include <ctype.h>

#include "voucher.h"

static bool all_symbols(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (voucher_symbol_value(s[i]) < 0)
            return false;
    return true;
}

static void check_neighbours(const char *canon)
{
    char out[VOUCHER_MAX_NEIGHBOURS][VOUCHER_CANON_SIZE];
    size_t n = voucher_neighbours(canon, out, VOUCHER_MAX_NEIGHBOURS);
    FUZZ_CHECK(n <= VOUCHER_MAX_NEIGHBOURS);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(strlen(out[i]) == VOUCHER_SYMBOLS && voucher_well_formed(out[i]));
        size_t diff = 0, first = VOUCHER_SYMBOLS;
        for (size_t k = 0; k < VOUCHER_SYMBOLS; k++)
            if (out[i][k] != canon[k]) {
                diff++;
                if (first == VOUCHER_SYMBOLS)
                    first = k;
            }
        FUZZ_CHECK(diff == 1 || (diff == 2 && first + 1 < VOUCHER_SYMBOLS && out[i][first] == canon[first + 1] &&
                                 out[i][first + 1] == canon[first]));
    }
    /* A smaller max is a prefix of the same list. */
    char few[2][VOUCHER_CANON_SIZE];
    size_t m = voucher_neighbours(canon, few, 2);
    FUZZ_CHECK(m == (n < 2 ? n : 2));
    for (size_t i = 0; i < m; i++)
        FUZZ_CHECK(strcmp(few[i], out[i]) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *typed = fuzz_cstr(data, size);
    char canon[VOUCHER_CANON_SIZE];
    memset(canon, 'x', sizeof canon);
    enum voucher_status st = voucher_normalize(typed, canon);
    FUZZ_CHECK(st == VOUCHER_OK || st == VOUCHER_MALFORMED || st == VOUCHER_BAD_CHECK);
    if (strlen(typed) > VOUCHER_MAX_INPUT)
        FUZZ_CHECK(st == VOUCHER_MALFORMED);
    if (st == VOUCHER_MALFORMED) {
        FUZZ_CHECK(canon[0] == '\0');
        free(typed);
        return 0;
    }
    FUZZ_CHECK(strlen(canon) == VOUCHER_SYMBOLS && all_symbols(canon, VOUCHER_SYMBOLS));
    FUZZ_CHECK(voucher_well_formed(canon) == (st == VOUCHER_OK));
    FUZZ_CHECK(voucher_check_symbol(canon) != '\0');
    FUZZ_CHECK((voucher_check_symbol(canon) == canon[VOUCHER_DATA_SYMBOLS]) == (st == VOUCHER_OK));

    char again[VOUCHER_CANON_SIZE];
    FUZZ_CHECK(voucher_normalize(canon, again) == st && strcmp(again, canon) == 0);

    char display[VOUCHER_DISPLAY_SIZE];
    voucher_format(canon, display);
    FUZZ_CHECK(strlen(display) == VOUCHER_DISPLAY_SIZE - 1 && strncmp(display, "SBA-", 4) == 0);
    FUZZ_CHECK(voucher_normalize(display, again) == st && strcmp(again, canon) == 0);
    for (char *p = display; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    FUZZ_CHECK(voucher_normalize(display, again) == st && strcmp(again, canon) == 0);

    check_neighbours(canon);
    free(typed);
    return 0;
}
