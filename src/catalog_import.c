/* catalog_import — see catalog_import.h. */
#include "catalog_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "db.h"
#include "fields.h"
#include "mem.h"

static const char *const header[] = {"kind", "slug", "title", "description", "hours", "price_cents", "courses"};
#define NCOLS 7

struct line {
    int number;
    struct catalog_item item;
    const char **course_slugs;
    size_t ncourses;
};

static bool parse_int(const char *s, int64_t max, int64_t *out)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 12 || s[n])
        return false;
    *out = strtoll(s, NULL, 10);
    return *out <= max;
}

static bool valid_slug(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
    return n >= 1 && n <= 40 && s[n] == '\0';
}

/* Splits "a b  c" into slugs in the arena. */
static void split_courses(struct arena *a, const char *text, struct line *l)
{
    char *copy = arena_strdup(a, text);
    l->course_slugs = arena_alloc(a, (strlen(text) / 2 + 1) * sizeof(char *));
    for (char *save, *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        l->course_slugs[l->ncourses++] = tok;
}

/* Checks one record; NULL when fine, else the problem. */
static const char *parse_line(struct arena *a, const struct csv_record *rec, struct line *l)
{
    if (rec->nfields != NCOLS)
        return "7 Spalten erwartet";
    const char *const *f = rec->field;
    if (strcmp(f[0], "course") != 0 && strcmp(f[0], "package") != 0)
        return "kind muss course oder package sein";
    l->item.kind = strcmp(f[0], "package") == 0 ? ITEM_PACKAGE : ITEM_COURSE;
    if (!valid_slug(f[1]))
        return "slug muss 1–40 Zeichen aus a–z, 0–9 und - haben";
    if (!f[2][0] || strlen(f[2]) > 300)
        return "title fehlt oder ist länger als 300 Zeichen";
    if (strlen(f[3]) > 1000)
        return "description ist länger als 1000 Zeichen";
    if (!parse_int(f[4], 10000, &l->item.hours))
        return "hours muss eine ganze Zahl von 0 bis 10000 sein";
    if (!parse_int(f[5], 100000000, &l->item.price_cents))
        return "price_cents muss eine ganze Zahl von 0 bis 100000000 sein";
    l->item.slug = arena_strdup(a, f[1]);
    l->item.title = arena_strdup(a, f[2]);
    l->item.description = arena_strdup(a, f[3]);
    split_courses(a, f[6], l);
    if (l->item.kind == ITEM_COURSE && l->ncourses)
        return "ein Kurs hat keine courses";
    if (l->item.kind == ITEM_PACKAGE && !l->ncourses)
        return "ein Paket braucht mindestens einen Kurs in courses";
    return NULL;
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
    if (!csv_reader_header(&rd, header, NCOLS, buf, buflen, msg, msglen))
        return 1;
    *lines = NULL;
    for (*n = 0;; (*n)++) {
        buf = arena_alloc(a, buflen);
        int rc = csv_reader_next(&rd, &rec, buf, buflen);
        if (rc == 0)
            return 0;
        *lines = arena_grow(a, *lines, *n, &cap, sizeof **lines);
        struct line *l = &(*lines)[*n];
        l->number = rd.line;
        const char *problem = rc < 0 ? "fehlerhaftes CSV" : parse_line(a, &rec, l);
        if (problem) {
            snprintf(msg, msglen, "Zeile %d: %s", rd.line, problem);
            return 1;
        }
    }
}

static int write_package_courses(struct db *db, struct arena *a, const struct line *l, int64_t id,
                                 char *msg, size_t msglen)
{
    int64_t *ids = arena_alloc(a, (l->ncourses + 1) * sizeof *ids);
    for (size_t k = 0; k < l->ncourses; k++) {
        struct catalog_item course;
        int status = db_catalog_item_by_slug(db, a, l->course_slugs[k], &course);
        if (status == DB_ERROR)
            return -1;
        if (status != DB_OK || course.kind != ITEM_COURSE) {
            snprintf(msg, msglen, "Zeile %d: unbekannter Kurs %s", l->number, l->course_slugs[k]);
            return 1;
        }
        for (size_t j = 0; j < k; j++) {
            if (ids[j] == course.id) {
                snprintf(msg, msglen, "Zeile %d: Kurs %s steht doppelt im Paket", l->number,
                         l->course_slugs[k]);
                return 1;
            }
        }
        ids[k] = course.id;
    }
    return db_catalog_package_set_courses(db, id, ids, l->ncourses) == DB_OK ? 0 : -1;
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
