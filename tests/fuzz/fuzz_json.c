/* Fuzzes json_parse_flat (src/json.c), the reader of the LMS endpoint's
 * JSON body, on the raw bytes (not NUL-terminated, exactly sized as req.c
 * passes them, with buflen len + 1 as req.c does): members are valid UTF-8
 * without NUL, names distinct, at most max; json_object of the members
 * parses back to the same members; a smaller max refuses exactly the
 * objects with more members. */
#include "fuzz.h"

#include "form.h"
#include "json.h"
#include "mem.h"

#define MAX 16

static struct arena *arena;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!arena)
        arena = arena_new();
    const char *text = (const char *)data;
    struct form_pair members[MAX];
    size_t n = 99;
    char *buf = malloc(size + 1);
    int rc = json_parse_flat(text, size, members, MAX, &n, buf, size + 1);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        FUZZ_CHECK(n <= MAX);
        FUZZ_CHECK(utf8_valid(text, size));
        const char *kv[2 * MAX + 1];
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(fuzz_inside(members[i].name, buf, size + 1));
            FUZZ_CHECK(fuzz_inside(members[i].value, buf, size + 1));
            FUZZ_CHECK(utf8_valid(members[i].name, strlen(members[i].name)));
            FUZZ_CHECK(utf8_valid(members[i].value, strlen(members[i].value)));
            for (size_t k = 0; k < i; k++)
                FUZZ_CHECK(strcmp(members[i].name, members[k].name) != 0);
            kv[2 * i] = members[i].name;
            kv[2 * i + 1] = members[i].value;
        }
        kv[2 * n] = NULL;

        /* Written back and read again: the same members. */
        const char *out = json_object(arena, kv);
        size_t olen = strlen(out);
        struct form_pair back[MAX];
        size_t m = 99;
        char *buf2 = malloc(olen + 1);
        FUZZ_CHECK(json_parse_flat(out, olen, back, MAX, &m, buf2, olen + 1) == 0 && m == n);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(strcmp(back[i].name, members[i].name) == 0 && strcmp(back[i].value, members[i].value) == 0);
        free(buf2);

        /* With room for two members only. */
        struct form_pair two[2];
        size_t t = 99;
        rc = json_parse_flat(text, size, two, 2, &t, buf, size + 1);
        FUZZ_CHECK((rc == 0) == (n <= 2));
        if (rc == 0)
            FUZZ_CHECK(t == n);
    }
    free(buf);
    arena_reset(arena);
    return 0;
}
