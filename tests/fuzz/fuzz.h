/* fuzz.h -- helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * Each target is one file fuzz_<name>.c defining LLVMFuzzerTestOneInput; it
 * calls the parser on the fuzzer's bytes and checks the parser's documented
 * contract with FUZZ_CHECK.  A broken invariant prints where and aborts, so
 * libFuzzer keeps the input as a crash artifact (like a sanitizer report). */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

/* A malloc'd NUL-terminated copy of data[0..size) (an embedded NUL simply
 * ends the C string early, as it would for the real callers). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_CHECK(s != NULL);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Splits fuzz input into pieces: each piece is one length byte then up to
 * that many bytes (fewer at the end of input). */
struct fuzz_reader {
    const uint8_t *p;
    size_t left;
};

static inline char *fuzz_take_cstr(struct fuzz_reader *r)
{
    size_t n = 0;
    if (r->left) {
        n = *r->p++;
        r->left--;
    }
    if (n > r->left)
        n = r->left;
    char *s = fuzz_cstr(r->p, n);
    r->p += n;
    r->left -= n;
    return s;
}

static inline uint64_t fuzz_take_u64(struct fuzz_reader *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8 && r->left; i++, r->p++, r->left--)
        v = v << 8 | *r->p;
    return v;
}

/* True when [p, p + strlen(p)] lies inside [lo, lo + len). */
static inline bool fuzz_inside(const char *p, const char *lo, size_t len)
{
    return p >= lo && p < lo + len && p + strlen(p) < lo + len;
}

#endif
