/* Unit tests for src/mem.c (arenas and growable buffers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "mem.h"

#define MB (1024 * 1024)

static int setup(void **state)
{
    *state = arena_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* ---- arena_alloc ---- */

static void test_arena_alloc_is_16_byte_aligned_for_odd_sizes(void **state)
{
    struct arena *a = *state;
    static const size_t sizes[] = {1, 3, 7, 15, 16, 17, 33, 100, 4095, 20000, 1};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        void *p = arena_alloc(a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
}

static void test_arena_alloc_pieces_do_not_overlap(void **state)
{
    struct arena *a = *state;
    unsigned char *p = arena_alloc(a, 5);
    unsigned char *q = arena_alloc(a, 5);
    assert_true(q >= p + 5 || p >= q + 5);
    memset(p, 'p', 5);
    memset(q, 'q', 5);
    assert_int_equal(p[4], 'p');
    assert_int_equal(q[0], 'q');
}

static void test_arena_alloc_returns_zeroed_memory_also_after_reset(void **state)
{
    struct arena *a = *state;
    unsigned char *p = arena_alloc(a, 1000);
    assert_true(all_zero(p, 1000));
    memset(p, 0xAB, 1000);
    arena_reset(a);
    unsigned char *q = arena_alloc(a, 1000);
    assert_ptr_equal(q, p); /* the first block is kept and reused */
    assert_true(all_zero(q, 1000));
}

static void test_arena_alloc_spills_into_new_blocks(void **state)
{
    struct arena *a = *state;
    /* 200 pieces of 1000 bytes need more than one 64 KiB block. */
    unsigned char *pieces[200];
    for (int i = 0; i < 200; i++) {
        pieces[i] = arena_alloc(a, 1000);
        assert_true(all_zero(pieces[i], 1000));
        memset(pieces[i], i, 1000);
    }
    for (int i = 0; i < 200; i++) {
        assert_int_equal(pieces[i][0], (unsigned char)i);
        assert_int_equal(pieces[i][999], (unsigned char)i);
    }
}

static void test_arena_alloc_one_megabyte_works(void **state)
{
    struct arena *a = *state;
    unsigned char *small = arena_alloc(a, 32);
    memset(small, 's', 32);
    unsigned char *big = arena_alloc(a, MB);
    assert_non_null(big);
    assert_int_equal((uintptr_t)big % 16, 0);
    assert_true(all_zero(big, MB));
    memset(big, 0x5A, MB);
    assert_int_equal(big[0], 0x5A);
    assert_int_equal(big[MB - 1], 0x5A);
    /* the block in use before is still usable and untouched */
    unsigned char *after = arena_alloc(a, 32);
    assert_true(all_zero(after, 32));
    assert_int_equal(small[31], 's');
}

static void test_arena_alloc_zero_bytes_gives_aligned_pointer(void **state)
{
    struct arena *a = *state;
    void *p = arena_alloc(a, 0);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
}

static void test_arena_reset_after_large_allocation_leaves_arena_usable(void **state)
{
    struct arena *a = *state;
    arena_alloc(a, 16);
    arena_alloc(a, 2 * MB);
    arena_reset(a);
    unsigned char *p = arena_alloc(a, 100);
    assert_true(all_zero(p, 100));
    unsigned char *q = arena_alloc(a, MB);
    assert_true(all_zero(q, MB));
    arena_reset(a);
    char *s = arena_strdup(a, "still fine");
    assert_string_equal(s, "still fine");
}

/* ---- deferred cleanups ---- */

static int order[8];
static int norder;

static void record(void *p)
{
    order[norder++] = *(int *)p;
}

static void test_arena_reset_runs_cleanups_newest_first(void **state)
{
    struct arena *a = *state;
    static int one = 1, two = 2, three = 3;
    norder = 0;
    arena_defer(a, record, &one);
    arena_defer(a, record, &two);
    arena_defer(a, record, &three);
    assert_int_equal(norder, 0);
    arena_reset(a);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 3);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 1);
}

static void test_arena_reset_runs_each_cleanup_once(void **state)
{
    struct arena *a = *state;
    static int seven = 7;
    norder = 0;
    arena_defer(a, record, &seven);
    arena_reset(a);
    arena_reset(a);
    assert_int_equal(norder, 1);
    assert_int_equal(order[0], 7);
}

static void test_arena_free_runs_cleanups(void **state)
{
    (void)state;
    static int five = 5;
    struct arena *a = arena_new();
    norder = 0;
    arena_defer(a, record, &five);
    arena_free(a);
    assert_int_equal(norder, 1);
    assert_int_equal(order[0], 5);
}

static void test_arena_free_accepts_null(void **state)
{
    (void)state;
    arena_free(NULL);
}

/* ---- strings ---- */

static void test_arena_printf_formats(void **state)
{
    struct arena *a = *state;
    char *s = arena_printf(a, "%s-%04d-%c|%5.2f", "RE", 42, 'x', 3.14159);
    assert_string_equal(s, "RE-0042-x| 3.14");
}

static void test_arena_printf_long_output(void **state)
{
    struct arena *a = *state;
    char *s = arena_printf(a, "%0*d", 100000, 7);
    assert_int_equal(strlen(s), 100000);
    assert_int_equal(s[0], '0');
    assert_int_equal(s[99999], '7');
}

static void test_arena_strdup_and_strndup_copy(void **state)
{
    struct arena *a = *state;
    char src[] = "Gemeinde";
    char *d = arena_strdup(a, src);
    char *n = arena_strndup(a, src, 3);
    char *m = arena_strndup(a, src, 100);
    src[0] = 'X';
    assert_string_equal(d, "Gemeinde");
    assert_string_equal(n, "Gem");
    assert_string_equal(m, "Gemeinde");
    assert_null(arena_strdup(a, NULL));
    assert_null(arena_strndup(a, NULL, 5));
}

static void test_arena_memdup_terminates(void **state)
{
    struct arena *a = *state;
    char *s = arena_memdup(a, "ab\0cd", 5);
    assert_memory_equal(s, "ab\0cd", 5);
    assert_int_equal(s[5], '\0');
}

/* ---- buf ---- */

static void test_arena_join_puts_separator_between_items_only(void **state)
{
    struct arena *a = *state;
    const char *items[] = {"dsgvo", "avg", "wcag"};
    assert_string_equal(arena_join(a, items, 3, ", "), "dsgvo, avg, wcag");
    assert_string_equal(arena_join(a, items, 1, ", "), "dsgvo");
    assert_string_equal(arena_join(a, items, 0, ", "), "");
}

static void test_buf_starts_empty_and_terminated(void **state)
{
    struct buf b;
    buf_init(&b, *state);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
}

static void test_buf_appends_puts_putc_printf(void **state)
{
    struct buf b;
    buf_init(&b, *state);
    buf_puts(&b, "Hallo");
    buf_putc(&b, ' ');
    buf_append(&b, "Welt!!", 4);
    buf_printf(&b, " %d%%", 100);
    assert_string_equal(b.data, "Hallo Welt 100%");
    assert_int_equal(b.len, strlen("Hallo Welt 100%"));
}

static void test_buf_grows_past_one_megabyte_keeping_content(void **state)
{
    struct buf b;
    buf_init(&b, *state);
    char chunk[1000];
    size_t rounds = (MB / sizeof chunk) + 50; /* a bit more than 1 MiB */
    for (size_t r = 0; r < rounds; r++) {
        memset(chunk, 'a' + (int)(r % 26), sizeof chunk);
        buf_append(&b, chunk, sizeof chunk);
    }
    assert_int_equal(b.len, rounds * sizeof chunk);
    assert_true(b.len > MB);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(strlen(b.data), b.len);
    for (size_t r = 0; r < rounds; r++) {
        assert_int_equal(b.data[r * sizeof chunk], 'a' + (int)(r % 26));
        assert_int_equal(b.data[r * sizeof chunk + sizeof chunk - 1], 'a' + (int)(r % 26));
    }
}

static void test_buf_grows_with_single_characters(void **state)
{
    struct buf b;
    buf_init(&b, *state);
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, (char)('0' + i % 10));
    assert_int_equal(b.len, 5000);
    assert_int_equal(b.data[5000], '\0');
    assert_int_equal(b.data[4999], '9');
    assert_int_equal(b.data[1234], '4');
}

static void test_buf_one_large_append(void **state)
{
    struct buf b;
    buf_init(&b, *state);
    buf_puts(&b, "x");
    char *big = arena_alloc(*state, 3 * MB);
    memset(big, 'y', 3 * MB);
    buf_append(&b, big, 3 * MB);
    assert_int_equal(b.len, 3 * MB + 1);
    assert_int_equal(b.data[0], 'x');
    assert_int_equal(b.data[3 * MB], 'y');
    assert_int_equal(b.data[3 * MB + 1], '\0');
}

static void test_buf_clear_empties_and_keeps_storage(void **state)
{
    struct buf b;
    buf_init(&b, *state);
    buf_puts(&b, "something longer than nothing");
    size_t cap = b.cap;
    char *data = b.data;
    buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(b.cap, cap);
    assert_ptr_equal(b.data, data);
    buf_puts(&b, "neu");
    assert_string_equal(b.data, "neu");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_arena_alloc_is_16_byte_aligned_for_odd_sizes),
        T(test_arena_alloc_pieces_do_not_overlap),
        T(test_arena_alloc_returns_zeroed_memory_also_after_reset),
        T(test_arena_alloc_spills_into_new_blocks),
        T(test_arena_alloc_one_megabyte_works),
        T(test_arena_alloc_zero_bytes_gives_aligned_pointer),
        T(test_arena_reset_after_large_allocation_leaves_arena_usable),
        T(test_arena_reset_runs_cleanups_newest_first),
        T(test_arena_reset_runs_each_cleanup_once),
        cmocka_unit_test(test_arena_free_runs_cleanups),
        cmocka_unit_test(test_arena_free_accepts_null),
        T(test_arena_printf_formats),
        T(test_arena_printf_long_output),
        T(test_arena_strdup_and_strndup_copy),
        T(test_arena_memdup_terminates),
        T(test_arena_join_puts_separator_between_items_only),
        T(test_buf_starts_empty_and_terminated),
        T(test_buf_appends_puts_putc_printf),
        T(test_buf_grows_past_one_megabyte_keeping_content),
        T(test_buf_grows_with_single_characters),
        T(test_buf_one_large_append),
        T(test_buf_clear_empties_and_keeps_storage),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
