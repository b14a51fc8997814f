/* catalog_rules — the rules every catalog item keeps, shared by the CSV
 * import (voucherctl) and the administration pages, and writing a package's
 * course list by slugs.  One place for the rules, so both ways into the
 * catalog refuse the same things with the same words. */
#ifndef CATALOG_RULES_H
#define CATALOG_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct catalog_item;
struct db;

#define CATALOG_HOURS_MAX 10000
#define CATALOG_PRICE_MAX 100000000 /* cents: 1.000.000,00 € */

/* Which value of an item a problem is about. */
enum catalog_field { CATALOG_SLUG, CATALOG_TITLE, CATALOG_DESCRIPTION, CATALOG_HOURS, CATALOG_PRICE,
                     CATALOG_COURSES, CATALOG_URL };

/* A broken rule: the field and a German sentence saying what is allowed.
 * Static storage; never freed. */
struct catalog_problem {
    enum catalog_field field;
    const char *text;
};

/* The first rule item breaks, or NULL when it keeps them all: slug, title,
 * description, hours, price_cents and url (when not NULL) as set, kind with ncourses course
 * slugs given (a course none, a package at least one).  Pure. */
const struct catalog_problem *catalog_item_problem(const struct catalog_item *item, size_t ncourses);
/* Every rule item breaks, in the same order, at most one per field, into
 * out (room for CATALOG_PROBLEMS_MAX); returns how many.  Pure. */
#define CATALOG_PROBLEMS_MAX 7
size_t catalog_item_problems(const struct catalog_item *item, size_t ncourses,
                             const struct catalog_problem *out[CATALOG_PROBLEMS_MAX]);
/* The rule of a course's address in the LMS: "" (none) or "https://" and a
 * host, at most 500 bytes, no spaces or control characters.  Pure. */
bool catalog_url_valid(const char *url);
extern const struct catalog_problem catalog_bad_url;
/* The problems of values that did not even parse. */
extern const struct catalog_problem catalog_bad_hours, catalog_bad_price;

/* "0".."10000" (digits only) into *hours; false otherwise. */
bool catalog_parse_hours(const char *text, int64_t *hours);
/* Splits space-separated slugs ("a b  c") into an arena array.  Cannot fail. */
void catalog_split_slugs(struct arena *a, const char *text, const char ***slugs, size_t *n);

/* Makes the package's courses exactly the courses with these slugs, in
 * this order.  0; 1 with a German sentence in msg when a slug names no
 * course or a course twice; -1 on a database error.  Call inside the
 * caller's transaction: on 1 or -1 the caller rolls back. */
int catalog_package_courses_set(struct db *db, struct arena *a, int64_t package_id, const char *const *slugs,
                                size_t n, char *msg, size_t msglen);

#endif
