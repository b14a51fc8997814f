/* Unit tests for src/catalog_import.c (CSV -> catalog, all or nothing),
 * against an in-memory database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "db_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_import.h"
#include "db.h"
#include "mem.h"

#define HEADER "kind,slug,title,description,hours,price_cents,courses\n"

static int import(struct db_fixture *f, const char *csv)
{
    f->msg[0] = '\0';
    f->count = 999;
    return catalog_import_csv(f->db, csv, &f->count, f->msg, sizeof f->msg);
}

static int64_t version(struct db_fixture *f)
{
    int64_t v = 0;
    assert_int_equal(db_catalog_version(f->db, &v), DB_OK);
    return v;
}

static struct catalog list(struct db_fixture *f)
{
    struct catalog cat;
    assert_int_equal(db_catalog_list(f->db, f->a, false, &cat), DB_OK);
    return cat;
}

static void assert_starts_with(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

/* Imports csv and expects a refusal: the message starts with prefix and
 * mentions word (unless word is NULL). */
static void assert_refused(struct db_fixture *f, const char *csv, const char *prefix, const char *word)
{
    assert_int_equal(import(f, csv), 1);
    assert_starts_with(f->msg, prefix);
    if (word)
        assert_non_null(strstr(f->msg, word));
}

/* assert_refused on an empty catalog, which stays empty at its version. */
static void assert_refused_nothing_written(struct db_fixture *f, const char *csv, const char *prefix,
                                           const char *word)
{
    int64_t v = version(f);
    assert_refused(f, csv, prefix, word);
    assert_int_equal(list(f).nitems, 0);
    assert_int_equal(version(f), v);
}

static const char *const good_csv =
    HEADER
    "course,dsgvo,DSGVO-Grundlagen,\"Datenschutz: Grundsätze, Rechte\",8,14900,\n"
    "course,avg,Verwaltungsverfahren,Vom Antrag zum Bescheid,16,29000,\n"
    "course,egov,Einstieg E-Government,,2,0,\n"
    "package,paket,Paket Digitales Amt,Drei Kurse,26,39900,egov dsgvo  avg\n";

static void test_valid_csv_imports_courses_and_packages(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(import(f, good_csv), 0);
    assert_int_equal(f->count, 4);
    struct catalog cat = list(f);
    assert_int_equal(cat.nitems, 4);
    assert_string_equal(cat.items[0].slug, "dsgvo");
    assert_int_equal(cat.items[0].kind, ITEM_COURSE);
    assert_string_equal(cat.items[0].title, "DSGVO-Grundlagen");
    assert_string_equal(cat.items[0].description, "Datenschutz: Grundsätze, Rechte");
    assert_int_equal(cat.items[0].hours, 8);
    assert_int_equal(cat.items[0].price_cents, 14900);
    assert_string_equal(cat.items[1].slug, "avg");
    assert_string_equal(cat.items[2].slug, "egov");
    assert_string_equal(cat.items[2].description, "");
    assert_int_equal(cat.items[2].price_cents, 0);
    assert_string_equal(cat.items[3].slug, "paket");
    assert_int_equal(cat.items[3].kind, ITEM_PACKAGE);
    assert_int_equal(cat.items[3].price_cents, 39900);
    assert_int_equal(cat.items[3].hours, 26);
}

static void test_package_courses_keep_their_order(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(import(f, good_csv), 0);
    struct catalog cat = list(f);
    const struct catalog_item *p = &cat.items[3];
    assert_int_equal(p->ncourse_titles, 3);
    assert_string_equal(p->course_titles[0], "Einstieg E-Government");
    assert_string_equal(p->course_titles[1], "DSGVO-Grundlagen");
    assert_string_equal(p->course_titles[2], "Verwaltungsverfahren");
}

static void test_package_may_name_courses_defined_further_down(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(import(f, HEADER "package,p,Paket,,2,100,a b\n"
                                      "course,a,Kurs A,,1,50,\n"
                                      "course,b,Kurs B,,1,50,\n"),
                     0);
    assert_int_equal(f->count, 3);
    struct catalog_item it;
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "p", &it), DB_OK);
    assert_int_equal(it.kind, ITEM_PACKAGE);
    struct catalog cat = list(f);
    assert_int_equal(cat.nitems, 3);
    assert_int_equal(cat.items[2].ncourse_titles, 2);
    assert_string_equal(cat.items[2].course_titles[0], "Kurs A");
}

static void test_crlf_line_ends_are_accepted(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(import(f, "kind,slug,title,description,hours,price_cents,courses\r\n"
                               "course,a,Kurs A,,1,50,\r\n"),
                     0);
    assert_int_equal(f->count, 1);
    struct catalog_item it;
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "a", &it), DB_OK);
    assert_string_equal(it.title, "Kurs A");
}

static void test_header_only_imports_nothing(void **state)
{
    struct db_fixture *f = *state;
    int64_t v = version(f);
    assert_int_equal(import(f, HEADER), 0);
    assert_int_equal(f->count, 0);
    assert_int_equal(list(f).nitems, 0);
    assert_int_equal(version(f), v);
}

static void test_bad_header_is_refused_as_line_1(void **state)
{
    struct db_fixture *f = *state;
    assert_refused_nothing_written(f, "kind,slug,title,description,hours,price,courses\n"
                                      "course,a,Kurs A,,1,50,\n",
                                   "Zeile 1", NULL);
}

static void test_empty_text_is_refused_as_line_1(void **state)
{
    struct db_fixture *f = *state;
    assert_refused(f, "", "Zeile 1", NULL);
}

static void test_header_with_extra_column_is_refused(void **state)
{
    struct db_fixture *f = *state;
    assert_refused(f, "kind,slug,title,description,hours,price_cents,courses,x\n", "Zeile 1", NULL);
}

static void test_bad_line_3_writes_nothing(void **state)
{
    struct db_fixture *f = *state;
    assert_refused_nothing_written(f, HEADER "course,a,Kurs A,,1,50,\n"
                                             "course,b,Kurs B,,viele,50,\n"
                                             "course,c,Kurs C,,1,50,\n",
                                   "Zeile 3: ", "hours");
}

static void test_bad_line_leaves_earlier_catalog_unchanged(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(import(f, good_csv), 0);
    int64_t v = version(f);
    assert_refused(f, HEADER "course,dsgvo,Neuer Titel,,8,14900,\n"
                             "course,neu,Neu,,1,-5,\n",
                   "Zeile 3: ", NULL);
    assert_int_equal(version(f), v);
    struct catalog cat = list(f);
    assert_int_equal(cat.nitems, 4);
    assert_string_equal(cat.items[0].title, "DSGVO-Grundlagen");
    struct catalog_item it;
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "neu", &it), DB_NOT_FOUND);
}

static void test_each_kind_of_bad_line_is_refused_with_its_number(void **state)
{
    struct db_fixture *f = *state;
    static const struct {
        const char *line;
        const char *problem;
    } cases[] = {
        {"kurs,a,A,,1,1,\n", "kind"},
        {"course,A-Gross,A,,1,1,\n", "slug"},
        {"course,a b,A,,1,1,\n", "slug"},
        {"course,,A,,1,1,\n", "slug"},
        {"course,a,,,1,1,\n", "title"},
        {"course,a,A,,10001,1,\n", "hours"},
        {"course,a,A,,1,100000001,\n", "price_cents"},
        {"course,a,A,,1,1.5,\n", "price_cents"},
        {"course,a,A,,1,1,b\n", "courses"},
        {"package,p,P,,1,1,\n", "Kurs"},
        {"course,a,A,,1,1\n", "Spalten"},
        {"course,a,\"A,,1,1,\n", "CSV"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char csv[512];
        snprintf(csv, sizeof csv, HEADER "course,ok,OK,,1,1,\n%s", cases[i].line);
        if (import(f, csv) != 1)
            fail_msg("accepted: %s", cases[i].line);
        assert_starts_with(f->msg, "Zeile 3: ");
        if (!strstr(f->msg, cases[i].problem))
            fail_msg("%s: message \"%s\" does not mention %s", cases[i].line, f->msg,
                     cases[i].problem);
    }
    assert_int_equal(list(f).nitems, 0);
}

static void test_unknown_course_in_package_is_refused_and_nothing_written(void **state)
{
    struct db_fixture *f = *state;
    assert_refused_nothing_written(f, HEADER "course,a,Kurs A,,1,50,\n"
                                             "package,p,Paket,,2,100,a fehlt\n",
                                   "Zeile 3: ", "fehlt");
}

static void test_package_naming_a_package_is_refused(void **state)
{
    struct db_fixture *f = *state;
    assert_refused(f, HEADER "course,a,Kurs A,,1,50,\n"
                             "package,p,Paket,,2,100,a\n"
                             "package,q,Paket Q,,2,100,a p\n",
                   "Zeile 4: ", " p");
    assert_int_equal(list(f).nitems, 0);
}

static void test_reimport_updates_title_without_duplicate(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(import(f, good_csv), 0);
    struct catalog_item before;
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "avg", &before), DB_OK);
    int64_t v = version(f);
    assert_int_equal(import(f, HEADER "course,avg,AVG kompakt,Neu,12,19000,\n"), 0);
    assert_int_equal(f->count, 1);
    assert_true(version(f) > v);
    struct catalog_item after;
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "avg", &after), DB_OK);
    assert_int_equal(after.id, before.id);
    assert_string_equal(after.title, "AVG kompakt");
    assert_string_equal(after.description, "Neu");
    assert_int_equal(after.hours, 12);
    assert_int_equal(after.price_cents, 19000);
    assert_int_equal(list(f).nitems, 4);
}

static void test_reimport_replaces_package_courses(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(import(f, good_csv), 0);
    assert_int_equal(import(f, HEADER "package,paket,Paket Digitales Amt,,26,39900,avg\n"), 0);
    struct catalog cat = list(f);
    assert_int_equal(cat.nitems, 4);
    assert_string_equal(cat.items[3].slug, "paket");
    assert_int_equal(cat.items[3].ncourse_titles, 1);
    assert_string_equal(cat.items[3].course_titles[0], "Verwaltungsverfahren");
}

static void test_slug_of_course_reused_for_package_is_refused(void **state)
{
    struct db_fixture *f = *state;
    assert_int_equal(import(f, good_csv), 0);
    int64_t v = version(f);
    assert_refused(f, HEADER "course,neu,Neu,,1,1,\n"
                             "package,avg,Paket AVG,,16,29000,dsgvo\n",
                   "Zeile 3: ", "avg");
    assert_int_equal(version(f), v);
    struct catalog_item it;
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "avg", &it), DB_OK);
    assert_int_equal(it.kind, ITEM_COURSE);
    assert_string_equal(it.title, "Verwaltungsverfahren");
    assert_int_equal(db_catalog_item_by_slug(f->db, f->a, "neu", &it), DB_NOT_FOUND);
}

static void test_slug_as_course_and_package_in_one_file_is_refused(void **state)
{
    struct db_fixture *f = *state;
    assert_refused(f, HEADER "course,x,Kurs X,,1,1,\n"
                             "package,x,Paket X,,1,1,x\n",
                   "Zeile 3: ", NULL);
    assert_int_equal(list(f).nitems, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, db_fixture_setup, db_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_valid_csv_imports_courses_and_packages),
        T(test_package_courses_keep_their_order),
        T(test_package_may_name_courses_defined_further_down),
        T(test_crlf_line_ends_are_accepted),
        T(test_header_only_imports_nothing),
        T(test_bad_header_is_refused_as_line_1),
        T(test_empty_text_is_refused_as_line_1),
        T(test_header_with_extra_column_is_refused),
        T(test_bad_line_3_writes_nothing),
        T(test_bad_line_leaves_earlier_catalog_unchanged),
        T(test_each_kind_of_bad_line_is_refused_with_its_number),
        T(test_unknown_course_in_package_is_refused_and_nothing_written),
        T(test_package_naming_a_package_is_refused),
        T(test_reimport_updates_title_without_duplicate),
        T(test_reimport_replaces_package_courses),
        T(test_slug_of_course_reused_for_package_is_refused),
        T(test_slug_as_course_and_package_in_one_file_is_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
