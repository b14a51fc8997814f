/* catalog_import — see catalog_import.h. */
#include "catalog_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_rules.h"
#include "csv.h"
#include "db.h"
#include "mem.h"

static const char *const header[] = {"kind", "slug", "title", "description", "hours", "price_cents", "courses",
                                     "url"};
#define NCOLS 7 /* without the optional last column url */

struct line {
    int number;
    struct catalog_item item;
    const char **course_slugs;
    size_t ncourses;
};

static bool parse_price_cents(const char *s, int64_t *out)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 12 || s[n])
        return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

/* The column a problem is about, for "Zeile N: column: ...". */
static const char *const problem_column[] = {
    [CATALOG_SLUG] = "slug", [CATALOG_TITLE] = "title", [CATALOG_DESCRIPTION] = "description",
    [CATALOG_HOURS] = "hours", [CATALOG_PRICE] = "price_cents", [CATALOG_COURSES] = "courses",
    [CATALOG_URL] = "url",
};

static const char *problem_text(struct arena *a, const struct catalog_problem *p)
{
    return arena_printf(a, "%s: %s", problem_column[p->field], p->text);
}

/* Checks one record; NULL when fine, else the problem. */
static const char *parse_line(struct arena *a, const struct csv_record *rec, struct line *l, size_t ncols)
{
    if (rec->nfields != ncols)
        return ncols == NCOLS ? "7 Spalten erwartet" : "8 Spalten erwartet";
    const char *const *f = rec->field;
    if (strcmp(f[0], "course") != 0 && strcmp(f[0], "package") != 0)
        return "kind muss course oder package sein";
    l->item.kind = strcmp(f[0], "package") == 0 ? ITEM_PACKAGE : ITEM_COURSE;
    if (!catalog_parse_hours(f[4], &l->item.hours))
        return problem_text(a, &catalog_bad_hours);
    if (!parse_price_cents(f[5], &l->item.price_cents))
        return problem_text(a, &catalog_bad_price);
    l->item.slug = arena_strdup(a, f[1]);
    l->item.title = arena_strdup(a, f[2]);
    l->item.description = arena_strdup(a, f[3]);
    l->item.url = ncols > NCOLS ? arena_strdup(a, f[7]) : NULL; /* without the column: unchanged */
    catalog_split_slugs(a, f[6], &l->course_slugs, &l->ncourses);
    const struct catalog_problem *p = catalog_item_problem(&l->item, l->ncourses);
    return p ? problem_text(a, p) : NULL;
}

/* Reads every line; 0, or 1 with msg. */
static int read_lines(struct arena *a, const char *text, struct line **lines, size_t *n, char *msg,
                      size_t msglen)
{
    struct csv_reader rd;
    size_t buflen = strlen(text) + 1, cap = 0;
    char *buf = arena_alloc(a, buflen);
    struct csv_record rec;
    csv_reader_init(&rd, text);
    size_t ncols = csv_reader_header_upto(&rd, header, NCOLS, NCOLS + 1, buf, buflen, msg, msglen);
    if (!ncols)
        return 1;
    *lines = NULL;
    for (*n = 0;; (*n)++) { /* one buffer: parse_line copies what it keeps */
        int rc = csv_reader_next(&rd, &rec, buf, buflen);
        if (rc == 0)
            return 0;
        *lines = arena_grow(a, *lines, *n, &cap, sizeof **lines);
        struct line *l = &(*lines)[*n];
        l->number = rd.line;
        const char *problem = rc < 0 ? "fehlerhaftes CSV" : parse_line(a, &rec, l, ncols);
        if (problem) {
            snprintf(msg, msglen, "Zeile %d: %s", rd.line, problem);
            return 1;
        }
    }
}

static int write_package_courses(struct db *db, struct arena *a, const struct line *l, int64_t id,
                                 char *msg, size_t msglen)
{
    char problem[200];
    int rc = catalog_package_courses_set(db, a, id, l->course_slugs, l->ncourses, problem, sizeof problem);
    if (rc == 1)
        snprintf(msg, msglen, "Zeile %d: %s", l->number, problem);
    return rc;
}

/* Writes courses (pass 0) then packages (pass 1). */
static int write_lines(struct db *db, struct arena *a, const struct line *lines, size_t n, char *msg,
                       size_t msglen)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            const struct line *l = &lines[i];
            if ((l->item.kind == ITEM_PACKAGE) != pass)
                continue;
            int64_t id;
            int status = db_catalog_upsert(db, &l->item, (int64_t)i, &id);
            if (status == DB_CONFLICT) {
                snprintf(msg, msglen, "Zeile %d: slug %s ist schon für die andere Art vergeben",
                         l->number, l->item.slug);
                return 1;
            }
            if (status == DB_OK && l->item.url)
                status = db_catalog_set_url(db, id, l->item.url);
            if (status != DB_OK)
                return -1;
            int rc = pass ? write_package_courses(db, a, l, id, msg, msglen) : 0;
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int catalog_import_csv(struct db *db, const char *text, size_t *count, char *msg, size_t msglen)
{
    struct arena *a = arena_new();
    struct line *lines;
    size_t n = 0;
    int rc = read_lines(a, text, &lines, &n, msg, msglen);
    if (rc == 0)
        rc = db_end(db, db_begin(db) == DB_OK ? write_lines(db, a, lines, n, msg, msglen) : -1);
    *count = n;
    arena_free(a);
    return rc;
}
