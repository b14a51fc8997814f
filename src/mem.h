/* mem — per-thread arenas and growable byte buffers.
 *
 * An arena owns every allocation made from it; arena_reset() releases them
 * all at once (after running the registered cleanups, newest first), so
 * request code never calls free().  An arena is used by one thread only.
 * Out of memory is not recoverable here: every allocator aborts instead of
 * returning NULL, so callers never check. */
#ifndef MEM_H
#define MEM_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* The one checked allocator for memory outside arenas (long-lived state,
 * libraries' buffers): like malloc/calloc/realloc/strndup, but out of memory
 * aborts with a message instead of returning NULL, so callers never check.
 * The caller owns the result and frees it with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);

/* A new, empty arena; owned by the caller, released with arena_free(). */
struct arena *arena_new(void);
/* Runs the cleanups and frees the arena and all it holds. NULL is fine. */
void arena_free(struct arena *a);
/* Runs the cleanups and forgets every allocation; keeps the first block.
 * Returns the bytes of the other blocks it gave back to malloc. */
size_t arena_reset(struct arena *a);

/* Zeroed memory of `size` bytes, 16-byte aligned, alive until reset. */
void *arena_alloc(struct arena *a, size_t size);
/* Copies of strings into the arena; arena_strndup copies at most n bytes
 * and always NUL-terminates.  NULL in gives NULL out. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_memdup(struct arena *a, const void *p, size_t n);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Room for element n of an array of elements of `size` bytes with
 * capacity *cap (0 for items NULL): returns items, or a copy twice as large
 * when it is full (the old copy stays until reset). */
void *arena_grow(struct arena *a, void *items, size_t n, size_t *cap, size_t size);
/* The n strings joined with sep between them, in the arena ("" for n = 0). */
char *arena_join(struct arena *a, const char *const *items, size_t n, const char *sep);
/* Calls fn(p) at the next reset or free: for objects with destructors
 * (GLib, libharu, ...) whose lifetime is the request. */
void arena_defer(struct arena *a, void (*fn)(void *), void *p);

/* A byte buffer growing inside an arena.  `data` is always NUL-terminated
 * (the NUL is not counted in `len`). */
struct buf {
    struct arena *arena;
    char *data;
    size_t len;
    size_t cap;
};

void buf_init(struct buf *b, struct arena *a);
void buf_append(struct buf *b, const void *p, size_t n);
/* Room for n more bytes and the NUL after them at b->data + b->len (the
 * caller writes them, then adds n to b->len); the pointer to that room. */
char *buf_room(struct buf *b, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its storage. */
void buf_clear(struct buf *b);

#endif
