/* catalog_rules — see catalog_rules.h. */
#include "catalog_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mem.h"

static const struct catalog_problem bad_slug = {
    CATALOG_SLUG, "Das Kürzel muss 1–40 Zeichen aus a–z, 0–9 und - haben."};
static const struct catalog_problem bad_title = {
    CATALOG_TITLE, "Der Titel fehlt oder ist länger als 300 Zeichen."};
static const struct catalog_problem bad_description = {
    CATALOG_DESCRIPTION, "Die Beschreibung ist länger als 1000 Zeichen."};
const struct catalog_problem catalog_bad_hours = {
    CATALOG_HOURS, "Die Dauer muss eine ganze Zahl von 0 bis 10000 Stunden sein."};
const struct catalog_problem catalog_bad_price = {
    CATALOG_PRICE, "Der Preis muss ein Betrag von 0 bis 1.000.000,00 € sein, zum Beispiel 149,00."};
static const struct catalog_problem course_with_courses = {
    CATALOG_COURSES, "Ein Kurs enthält keine weiteren Kurse."};
static const struct catalog_problem package_without_courses = {
    CATALOG_COURSES, "Ein Paket braucht mindestens einen Kurs."};

const struct catalog_problem catalog_bad_url = {
    CATALOG_URL, "Die Adresse in der Lernplattform muss leer sein oder mit https:// beginnen (höchstens 500 "
                 "Zeichen, ohne Leerzeichen), zum Beispiel https://lernen.staedtebund.at/course/17."};

bool catalog_url_valid(const char *url)
{
    if (!*url)
        return true;
    size_t n = strlen(url);
    if (n > 500 || strncmp(url, "https://", 8) != 0 || n == 8 || url[8] == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7F || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    return true;
}

static bool valid_slug(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
    return n >= 1 && n <= 40 && s[n] == '\0';
}

size_t catalog_item_problems(const struct catalog_item *item, size_t ncourses,
                             const struct catalog_problem *out[CATALOG_PROBLEMS_MAX])
{
    size_t n = 0;
    if (!item->slug || !valid_slug(item->slug))
        out[n++] = &bad_slug;
    if (!item->title || !item->title[0] || strlen(item->title) > 300)
        out[n++] = &bad_title;
    if (item->description && strlen(item->description) > 1000)
        out[n++] = &bad_description;
    if (item->hours < 0 || item->hours > CATALOG_HOURS_MAX)
        out[n++] = &catalog_bad_hours;
    if (item->price_cents < 0 || item->price_cents > CATALOG_PRICE_MAX)
        out[n++] = &catalog_bad_price;
    if (item->url && !catalog_url_valid(item->url))
        out[n++] = &catalog_bad_url;
    if (item->kind == ITEM_COURSE && ncourses)
        out[n++] = &course_with_courses;
    else if (item->kind == ITEM_PACKAGE && !ncourses)
        out[n++] = &package_without_courses;
    return n;
}

const struct catalog_problem *catalog_item_problem(const struct catalog_item *item, size_t ncourses)
{
    const struct catalog_problem *all[CATALOG_PROBLEMS_MAX];
    return catalog_item_problems(item, ncourses, all) ? all[0] : NULL;
}

bool catalog_parse_hours(const char *text, int64_t *hours)
{
    size_t n = strspn(text, "0123456789");
    if (n == 0 || n > 5 || text[n])
        return false;
    *hours = strtoll(text, NULL, 10);
    return *hours <= CATALOG_HOURS_MAX;
}

void catalog_split_slugs(struct arena *a, const char *text, const char ***slugs, size_t *n)
{
    char *copy = arena_strdup(a, text);
    *slugs = arena_alloc(a, (strlen(text) / 2 + 1) * sizeof **slugs);
    *n = 0;
    for (char *save, *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        (*slugs)[(*n)++] = tok;
}

int catalog_package_courses_set(struct db *db, struct arena *a, int64_t package_id, const char *const *slugs,
                                size_t n, char *msg, size_t msglen)
{
    int64_t *ids = arena_alloc(a, (n + 1) * sizeof *ids);
    for (size_t k = 0; k < n; k++) {
        struct catalog_item course;
        int status = db_catalog_item_by_slug(db, a, slugs[k], &course);
        if (status == DB_ERROR)
            return -1;
        if (status != DB_OK || course.kind != ITEM_COURSE) {
            snprintf(msg, msglen, "Es gibt keinen Kurs mit dem Kürzel %s.", slugs[k]);
            return 1;
        }
        for (size_t j = 0; j < k; j++) {
            if (ids[j] == course.id) {
                snprintf(msg, msglen, "Der Kurs %s steht doppelt im Paket.", slugs[k]);
                return 1;
            }
        }
        ids[k] = course.id;
    }
    return db_catalog_package_set_courses(db, package_id, ids, n) == DB_OK ? 0 : -1;
}
