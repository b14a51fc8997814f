/* mem — arenas as a list of blocks; see mem.h for the contract. */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer the free part of every block is poisoned, so a read
 * or write past an allocation is caught even though it stays in the block. */
#if defined(__SANITIZE_ADDRESS__)
#define MEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_ASAN 1
#endif
#endif
#ifdef MEM_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define BLOCK_SIZE (64 * 1024)
#define ALIGN 16

struct block {
    struct block *next;
    size_t size;
    size_t used;
    _Alignas(ALIGN) unsigned char data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *p;
};

struct arena {
    struct block *blocks; /* newest first */
    struct block *first;  /* the block made with the arena: kept on reset */
    struct cleanup *cleanups;
};

static _Noreturn void out_of_memory(void)
{
    fputs("out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory();
    return q;
}

char *xstrndup(const char *s, size_t n)
{
    char *copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

static struct block *block_new(size_t size, struct block *next)
{
    struct block *b = xmalloc(sizeof *b + size);
    b->next = next;
    b->size = size;
    b->used = 0;
    POISON(b->data, size);
    return b;
}

struct arena *arena_new(void)
{
    struct arena *a = xmalloc(sizeof *a);
    a->blocks = a->first = block_new(BLOCK_SIZE, NULL);
    a->cleanups = NULL;
    return a;
}

static void run_cleanups(struct arena *a)
{
    while (a->cleanups) {
        struct cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->p);
    }
}

size_t arena_reset(struct arena *a)
{
    run_cleanups(a);
    size_t freed = 0;
    for (struct block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        if (b != a->first) {
            UNPOISON(b->data, b->size);
            freed += b->size;
            free(b);
        }
    }
    a->blocks = a->first;
    a->first->next = NULL;
    a->first->used = 0;
    POISON(a->first->data, a->first->size);
    return freed;
}

void arena_free(struct arena *a)
{
    if (!a)
        return;
    arena_reset(a);
    UNPOISON(a->blocks->data, a->blocks->size);
    free(a->blocks);
    free(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
    size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need < size)
        abort();
    struct block *b = a->blocks;
    if (b->size - b->used < need) {
        size_t bsize = need > BLOCK_SIZE ? need : BLOCK_SIZE;
        if (need > BLOCK_SIZE / 4) {
            /* A large piece gets a block of its own behind the current one,
             * so the current block's free space is not wasted. */
            b->next = block_new(bsize, b->next);
            UNPOISON(b->next->data, size);
            memset(b->next->data, 0, size);
            b->next->used = need;
            return b->next->data;
        }
        b = a->blocks = block_new(bsize, a->blocks);
    }
    void *p = b->data + b->used;
    b->used += need;
    UNPOISON(p, size);
    memset(p, 0, size);
    return p;
}

char *arena_memdup(struct arena *a, const void *p, size_t n)
{
    char *s = arena_alloc(a, n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

void *arena_grow(struct arena *a, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    size_t more = *cap ? 2 * *cap : 16;
    void *bigger = arena_alloc(a, more * size);
    if (n)
        memcpy(bigger, items, n * size);
    *cap = more;
    return bigger;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    return arena_memdup(a, s, strnlen(s, n));
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_memdup(a, s, strlen(s)) : NULL;
}

static char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        abort();
    char *s = arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

char *arena_join(struct arena *a, const char *const *items, size_t n, const char *sep)
{
    size_t len = 0, seplen = strlen(sep);
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + (i ? seplen : 0);
    char *out = arena_alloc(a, len + 1), *p = out;
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(p, sep, seplen);
            p += seplen;
        }
        size_t k = strlen(items[i]);
        memcpy(p, items[i], k);
        p += k;
    }
    *p = '\0';
    return out;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
    struct cleanup *c = arena_alloc(a, sizeof *c);
    c->fn = fn;
    c->p = p;
    c->next = a->cleanups;
    a->cleanups = c;
}

void buf_init(struct buf *b, struct arena *a)
{
    b->arena = a;
    b->cap = 256;
    b->len = 0;
    b->data = arena_alloc(a, b->cap);
}

static void buf_reserve(struct buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap * 2;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *data = arena_alloc(b->arena, cap);
    memcpy(data, b->data, b->len);
    b->data = data;
    b->cap = cap;
}

char *buf_room(struct buf *b, size_t n)
{
    buf_reserve(b, n);
    return b->data + b->len;
}

void buf_append(struct buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
    buf_append(b, &c, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(b->arena, fmt, ap);
    va_end(ap);
    buf_puts(b, s);
}

void buf_clear(struct buf *b)
{
    b->len = 0;
    b->data[0] = '\0';
}
