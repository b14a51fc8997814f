/* Fuzzes fields_read (src/fields.c), the one table of accepted inputs, on
 * what form_parse makes of a request body, as req.c does: every field kept
 * is within its byte limit, valid UTF-8 cut on a character boundary, a
 * prefix of the first pair with its name (for a list field, of all its
 * values joined by ' '), and valid only when whole and accepted by its
 * validator; qty_ inputs within their limits. */
#include "fuzz.h"

#include "fields.h"
#include "valid.h"
#include "form.h"
#include "mem.h"
#include "text.h"

static struct arena *arena;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!arena)
        arena = arena_new();
    char *text = fuzz_cstr(data, size);
    size_t len = strlen(text);
    size_t max = len / 2 + 2;
    struct form_pair *pairs = malloc(max * sizeof *pairs);
    size_t n = 0;
    if (form_parse(text, pairs, max, &n) != FORM_OK)
        n = 0;

    struct field_value values[F__MAX];
    struct qty_input *qty = NULL;
    size_t nqty = 99;
    fields_read(arena, pairs, n, values, &qty, &nqty);
    FUZZ_CHECK(nqty <= n);

    for (int f = 0; f < F__MAX; f++) {
        const struct field_spec *spec = &field_specs[f];
        const struct form_pair *first = NULL;
        char *joined = NULL;
        for (size_t i = 0; i < n && (!first || field_is_list((enum field_id)f)); i++) {
            if (strcmp(pairs[i].name, spec->name) != 0)
                continue;
            if (!first) {
                first = &pairs[i];
                joined = arena_strdup(arena, pairs[i].value);
            } else {
                joined = arena_printf(arena, "%s %s", joined, pairs[i].value);
            }
        }
        if (!first) {
            FUZZ_CHECK(values[f].text == NULL && !values[f].valid);
            continue;
        }
        struct form_pair whole = {.name = first->name, .value = joined};
        first = &whole;
        const char *t = values[f].text;
        FUZZ_CHECK(t != NULL);
        size_t tlen = strlen(t), vlen = strlen(first->value);
        size_t limit = spec->type == FT_TEXT && spec->max_chars ? 4 * spec->max_chars : spec->max_bytes;
        FUZZ_CHECK(tlen <= limit && tlen <= vlen);
        FUZZ_CHECK(memcmp(t, first->value, tlen) == 0);
        FUZZ_CHECK(utf8_valid(t, tlen));
        /* Cut only as far as needed: at most 3 bytes of a character short of the limit. */
        FUZZ_CHECK(tlen == vlen || tlen + 3 >= limit);
        if (spec->type == FT_TEXT && !spec->max_chars)
            FUZZ_CHECK(values[f].valid == (vlen <= limit && spec->valid(first->value)));
        if (values[f].valid) {
            FUZZ_CHECK(tlen == vlen && spec->valid(first->value));
            if (spec->type == FT_TEXT && spec->max_chars)
                FUZZ_CHECK(text_utf8_length(t) <= spec->max_chars);
            if (spec->type == FT_INT || spec->type == FT_CENTS)
                FUZZ_CHECK(values[f].number >= spec->min && values[f].number <= spec->max);
            if (spec->type == FT_INT) /* digits only, and they read back as the number */
                FUZZ_CHECK(strspn(t, "0123456789") == tlen && strtoll(t, NULL, 10) == values[f].number);
        }
    }

    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = pairs[i].name;
        if (strncmp(name, "qty_", 4) != 0 || !name[4] || strlen(name) > 64)
            continue;
        FUZZ_CHECK(k < nqty);
        const struct qty_input *q = &qty[k++];
        FUZZ_CHECK(strcmp(q->slug, name + 4) == 0);
        FUZZ_CHECK(strlen(q->text) <= 16 && strncmp(q->text, pairs[i].value, strlen(q->text)) == 0);
        FUZZ_CHECK(strlen(q->text) + 4 > 16 || strlen(q->text) == strlen(pairs[i].value)); /* cut only by at most a character */
        FUZZ_CHECK(utf8_valid(q->text, strlen(q->text))); /* re-shown in the order form */
        if (q->valid) {
            FUZZ_CHECK(q->value >= 0 && q->value <= QTY_MAX);
            FUZZ_CHECK(strcmp(q->text, pairs[i].value) == 0);
            char again[16];
            snprintf(again, sizeof again, "%ld", q->value);
            size_t zeros = strspn(q->text, "0");
            FUZZ_CHECK(strcmp(again, q->text[zeros] ? q->text + zeros : "0") == 0);
        }
    }
    FUZZ_CHECK(k == nqty);

    /* The exported validators on the raw text itself (any bytes). */
    long v;
    (void)valid_line(text);
    (void)valid_lines(text);
    (void)valid_person_name(text);
    if (valid_username(text))
        FUZZ_CHECK(strlen(text) >= 3 && strlen(text) <= 40);
    if (valid_email(text))
        FUZZ_CHECK(strchr(text, '@') && strlen(text) <= 254 && !strpbrk(text, " \t\r\n<>,;\""));
    if (valid_local_path(text))
        FUZZ_CHECK(text[0] == '/' && text[1] != '/');
    if (field_parse_qty(text, &v))
        FUZZ_CHECK(v >= 0 && v <= QTY_MAX);

    arena_reset(arena);
    free(pairs);
    free(text);
    return 0;
}
