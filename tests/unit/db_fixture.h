/* db_fixture — for the unit tests that need a database: each test gets a
 * freshly migrated in-memory database (every statement prepared) and an
 * arena, released after the test.  Include after cmocka.h, once per program. */
#ifndef DB_FIXTURE_H
#define DB_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "mem.h"

struct db_fixture {
    struct db *db;
    struct arena *a;
    char msg[256];  /* for functions that explain a refusal */
    size_t count;   /* for functions that count what they did */
};

static int db_fixture_setup(void **state)
{
    struct db_fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    f->db = db_open(":memory:", DB_OPEN_MIGRATE, err, sizeof err);
    if (!f->db) {
        fprintf(stderr, "db_open: %s\n", err);
        free(f);
        return -1;
    }
    f->a = arena_new();
    *state = f;
    return 0;
}

static int db_fixture_teardown(void **state)
{
    struct db_fixture *f = *state;
    db_close(f->db);
    arena_free(f->a);
    free(f);
    return 0;
}

#endif
