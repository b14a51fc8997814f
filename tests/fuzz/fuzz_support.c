/* Fuzzes support_classify (src/support.c), which reads the support desk's
 * search term: the term fits and matches its kind (reference, invoice,
 * order, code, e-mail, username, nothing); classifying the normalised term
 * again gives the same; support_search_url of the term decodes (form_parse)
 * back to exactly the term. */
#include "fuzz.h"

#include <ctype.h>

#include "fields.h"
#include "form.h"
#include "mem.h"
#include "support.h"
#include "valid.h"
#include "voucher.h"

static struct arena *arena;

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static void check_kind(const struct support_query *q)
{
    const char *t = q->term;
    size_t len = strnlen(t, SUPPORT_TERM_SIZE);
    FUZZ_CHECK(len < SUPPORT_TERM_SIZE);
    switch (q->kind) {
    case SUPPORT_REFERENCE:
        FUZZ_CHECK(len == 6 && t[0] == 'F' && t[1] == '-');
        for (int i = 2; i < 6; i++)
            FUZZ_CHECK(voucher_symbol_value(t[i]) >= 0);
        break;
    case SUPPORT_INVOICE:
        FUZZ_CHECK(len == 14 && strncmp(t, "RE-", 3) == 0 && digits(t + 3, 4) && t[7] == '-' && digits(t + 8, 6));
        break;
    case SUPPORT_ORDER:
        FUZZ_CHECK(len >= 1 && len <= 12 && digits(t, len) && q->order_id == strtoll(t, NULL, 10));
        FUZZ_CHECK(q->order_id >= 0);
        break;
    case SUPPORT_CODE:
    case SUPPORT_BAD_CODE:
        FUZZ_CHECK(len == VOUCHER_SYMBOLS);
        for (size_t i = 0; i < len; i++)
            FUZZ_CHECK(voucher_symbol_value(t[i]) >= 0);
        FUZZ_CHECK(voucher_well_formed(t) == (q->kind == SUPPORT_CODE));
        break;
    case SUPPORT_EMAIL:
        FUZZ_CHECK(valid_email(t));
        break;
    case SUPPORT_USERNAME:
        FUZZ_CHECK(valid_username(t));
        break;
    case SUPPORT_UNKNOWN:
        FUZZ_CHECK(len == 0);
        break;
    default:
        FUZZ_CHECK(!"unknown kind");
    }
    FUZZ_CHECK(support_kind_label(q->kind) != NULL);
}

/* support_search_url of s, decoded as the query string it becomes. */
static void check_url(const char *s)
{
    char *url = support_search_url(arena, s);
    FUZZ_CHECK(strncmp(url, "/support?q=", 11) == 0);
    FUZZ_CHECK(strpbrk(url + 11, "&=+# ") == NULL);
    size_t len = strlen(s);
    bool decodable = utf8_valid(s, len);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 && !strchr("\t\r\n", s[i]))
            decodable = false;
    struct form_pair pairs[2];
    size_t n;
    enum form_status st = form_parse(url + 9, pairs, 2, &n);
    if (decodable)
        FUZZ_CHECK(st == FORM_OK && n == 1 && strcmp(pairs[0].name, "q") == 0 && strcmp(pairs[0].value, s) == 0);
    else
        FUZZ_CHECK(st == FORM_BAD_UTF8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!arena)
        arena = arena_new();
    char *q = fuzz_cstr(data, size);
    struct support_query out, again;
    support_classify(q, &out);
    check_kind(&out);
    if (out.kind != SUPPORT_UNKNOWN) {
        support_classify(out.term, &again);
        FUZZ_CHECK(again.kind == out.kind && strcmp(again.term, out.term) == 0 && again.order_id == out.order_id);
    }
    check_url(q);
    check_url(out.term);
    FUZZ_CHECK(support_result_text(q) != NULL);

    support_classify(NULL, &out);
    FUZZ_CHECK(out.kind == SUPPORT_UNKNOWN && out.term[0] == '\0');
    arena_reset(arena);
    free(q);
    return 0;
}
