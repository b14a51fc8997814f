/* Unit tests for src/date.c (Europe/Vienna civil time without tzdata).
 * Expected instants were computed with Python's zoneinfo (Europe/Vienna). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "date.h"

#define DST_START_2026 INT64_C(1774746000) /* 2026-03-29 01:00:00 UTC */
#define DST_END_2026 INT64_C(1792890000)   /* 2026-10-25 01:00:00 UTC */
#define NEW_YEAR_2026 INT64_C(1767225600)  /* 2026-01-01 00:00:00 UTC */

static void assert_datetime(int64_t utc, const char *want)
{
    char out[DATETIME_TEXT_SIZE];
    datetime_format_vienna(utc, out);
    assert_string_equal(out, want);
}

static void assert_date(int64_t utc, const char *want)
{
    char out[DATE_TEXT_SIZE];
    date_format_vienna(utc, out);
    assert_string_equal(out, want);
}

static void test_offset_switches_to_summer_time_last_sunday_of_march(void **state)
{
    (void)state;
    assert_int_equal(vienna_utc_offset(DST_START_2026 - 3600), 3600);
    assert_int_equal(vienna_utc_offset(DST_START_2026 - 1), 3600);
    assert_int_equal(vienna_utc_offset(DST_START_2026), 7200);
    assert_int_equal(vienna_utc_offset(DST_START_2026 + 3600), 7200);
    assert_datetime(DST_START_2026 - 60, "29.03.2026 01:59");
    assert_datetime(DST_START_2026, "29.03.2026 03:00");
}

static void test_offset_switches_back_last_sunday_of_october(void **state)
{
    (void)state;
    assert_int_equal(vienna_utc_offset(DST_END_2026 - 3600), 7200);
    assert_int_equal(vienna_utc_offset(DST_END_2026 - 1), 7200);
    assert_int_equal(vienna_utc_offset(DST_END_2026), 3600);
    assert_int_equal(vienna_utc_offset(DST_END_2026 + 3600), 3600);
    assert_datetime(DST_END_2026 - 60, "25.10.2026 02:59");
    assert_datetime(DST_END_2026, "25.10.2026 02:00");
}

static void test_offset_in_deep_winter_and_summer(void **state)
{
    (void)state;
    assert_int_equal(vienna_utc_offset(NEW_YEAR_2026), 3600);
    assert_int_equal(vienna_utc_offset(INT64_C(1784109600)), 7200); /* 2026-07-15 */
    assert_int_equal(vienna_utc_offset(0), 3600);
}

static void test_new_year_in_vienna_starts_before_utc(void **state)
{
    (void)state;
    int64_t utc_2330 = NEW_YEAR_2026 - 1800; /* 2025-12-31 23:30 UTC */
    assert_datetime(utc_2330, "01.01.2026 00:30");
    assert_date(utc_2330, "01.01.2026");
    assert_int_equal(date_year_vienna(utc_2330), 2026);
    assert_datetime(NEW_YEAR_2026 - 3601, "31.12.2025 23:59");
    assert_int_equal(date_year_vienna(NEW_YEAR_2026 - 3601), 2025);
    char iso[DATE_TEXT_SIZE];
    date_iso_vienna(utc_2330, iso);
    assert_string_equal(iso, "2026-01-01");
    date_iso_vienna(NEW_YEAR_2026 - 3601, iso);
    assert_string_equal(iso, "2025-12-31");
}

static void test_epoch_and_pre_epoch_format(void **state)
{
    (void)state;
    assert_datetime(0, "01.01.1970 01:00");
    assert_datetime(-3601, "31.12.1969 23:59");
}

static void assert_parse(const char *text, int y, int m, int d)
{
    int year = 0, month = 0, day = 0;
    assert_true(date_parse_iso(text, &year, &month, &day));
    assert_int_equal(year, y);
    assert_int_equal(month, m);
    assert_int_equal(day, d);
}

static void test_parse_iso_accepts_real_dates(void **state)
{
    (void)state;
    assert_parse("2026-11-27", 2026, 11, 27);
    assert_parse("2028-02-29", 2028, 2, 29);
    assert_parse("2000-02-29", 2000, 2, 29);
    assert_parse("2999-12-31", 2999, 12, 31);
    assert_parse("2000-01-01", 2000, 1, 1);
}

static void test_parse_iso_rejects_impossible_dates_and_garbage(void **state)
{
    (void)state;
    const char *bad[] = {"2026-02-30", "2027-02-29", "2100-02-29", "2026-04-31",
                         "2026-13-01", "2026-00-10", "2026-01-00", "1999-12-31",
                         "3000-01-01", "2026-1-01", "2026/01/01", "26-01-01",
                         "2026-01-01 ", " 2026-01-01", "2026-01-011", "",
                         "2026-01-0x", "abcd-ef-gh", "2026-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int year = -1, month = -1, day = -1;
        assert_false(date_parse_iso(bad[i], &year, &month, &day));
        assert_int_equal(year, -1);
        assert_int_equal(month, -1);
        assert_int_equal(day, -1);
    }
    int y, m, d;
    assert_false(date_parse_iso(NULL, &y, &m, &d));
}

static void test_end_of_day_in_winter_and_summer(void **state)
{
    (void)state;
    assert_int_equal(date_end_of_day_vienna(2027, 1, 1), INT64_C(1798844399));
    assert_int_equal(date_end_of_day_vienna(2027, 7, 15), INT64_C(1815688799));
    /* the switch days themselves */
    assert_int_equal(date_end_of_day_vienna(2027, 3, 28), INT64_C(1806271199));
    assert_int_equal(date_end_of_day_vienna(2027, 10, 31), INT64_C(1825023599));
}

/* For every real day 2000..2100: end formats as that day 23:59 and the next
 * second is 00:00 -- so end is the last second of the day in both offsets. */
static void test_end_of_day_is_last_second_of_every_day(void **state)
{
    (void)state;
    char iso[48], got[DATE_TEXT_SIZE], next[DATETIME_TEXT_SIZE];
    int days = 0;
    for (int year = 2000; year <= 2100; year++) {
        for (int month = 1; month <= 12; month++) {
            for (int day = 1; day <= 31; day++) {
                int y, m, d;
                snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, month, day);
                if (!date_parse_iso(iso, &y, &m, &d))
                    continue;
                int64_t end = date_end_of_day_vienna(year, month, day);
                date_iso_vienna(end, got);
                assert_string_equal(got, iso);
                datetime_format_vienna(end, next);
                assert_string_equal(next + 10, " 23:59");
                datetime_format_vienna(end + 1, next);
                assert_string_equal(next + 10, " 00:00");
                days++;
            }
        }
    }
    assert_int_equal(days, 36890); /* 101 years, 25 leap days */
}

static void test_valid_until_is_end_of_same_day_next_year(void **state)
{
    (void)state;
    int64_t created = INT64_C(1784109600); /* 2026-07-15 12:00 Vienna */
    assert_int_equal(date_valid_until(created), INT64_C(1815688799));
    assert_datetime(date_valid_until(created), "15.07.2027 23:59");
}

static void test_valid_until_across_dst_change(void **state)
{
    (void)state;
    /* created in winter time, expires on the day summer time starts */
    int64_t created = INT64_C(1774699200); /* 2026-03-28 12:00 UTC */
    int64_t until = date_valid_until(created);
    assert_int_equal(until, INT64_C(1806271199));
    assert_datetime(until, "28.03.2027 23:59");
    assert_int_equal(vienna_utc_offset(until), 7200);
}

static void test_valid_until_of_29_february_is_1_march(void **state)
{
    (void)state;
    int64_t created = INT64_C(1835438400); /* 2028-02-29 12:00 UTC */
    int64_t until = date_valid_until(created);
    assert_int_equal(until, INT64_C(1867100399));
    assert_date(until, "01.03.2029");
    assert_datetime(until + 1, "02.03.2029 00:00");
}

static void test_valid_until_uses_vienna_date_at_new_year(void **state)
{
    (void)state;
    int64_t created = NEW_YEAR_2026 - 1800; /* 31.12.2025 23:30 UTC */
    int64_t until = date_valid_until(created);
    assert_date(until, "01.01.2027");
    assert_int_equal(until, INT64_C(1798844399));
}

static void test_iso_to_text_shows_stored_dates_as_dd_mm_yyyy(void **state)
{
    (void)state;
    char out[DATE_TEXT_SIZE];
    assert_true(date_iso_to_text("2026-01-09", out));
    assert_string_equal(out, "09.01.2026");
    assert_false(date_iso_to_text("", out));
    assert_string_equal(out, "");
    assert_false(date_iso_to_text("2026-02-30", out));
    assert_false(date_iso_to_text(NULL, out));
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offset_switches_to_summer_time_last_sunday_of_march),
        cmocka_unit_test(test_offset_switches_back_last_sunday_of_october),
        cmocka_unit_test(test_offset_in_deep_winter_and_summer),
        cmocka_unit_test(test_new_year_in_vienna_starts_before_utc),
        cmocka_unit_test(test_epoch_and_pre_epoch_format),
        cmocka_unit_test(test_parse_iso_accepts_real_dates),
        cmocka_unit_test(test_parse_iso_rejects_impossible_dates_and_garbage),
        cmocka_unit_test(test_end_of_day_in_winter_and_summer),
        cmocka_unit_test(test_end_of_day_is_last_second_of_every_day),
        cmocka_unit_test(test_valid_until_is_end_of_same_day_next_year),
        cmocka_unit_test(test_valid_until_across_dst_change),
        cmocka_unit_test(test_valid_until_of_29_february_is_1_march),
        cmocka_unit_test(test_valid_until_uses_vienna_date_at_new_year),
        cmocka_unit_test(test_iso_to_text_shows_stored_dates_as_dd_mm_yyyy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
