/* date.c -- see date.h for the contract. */
#include "date.h"

#include <stdio.h>

#define SECONDS_PER_DAY 86400
#define CET_OFFSET 3600
#define CEST_OFFSET 7200
#define DST_SWITCH_UTC_SECOND 3600 /* 01:00 UTC */

struct civil {
    int year, month, day, hour, minute;
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant). */
static int64_t days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil (Hinnant); sets year, month, day only. */
static void civil_from_days(int64_t days, struct civil *c)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c->year = (int)(yoe + era * 400 + (c->month <= 2));
}

static bool is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : DAYS[month - 1];
}

/* 0 = Sunday .. 6 = Saturday; 1970-01-01 was a Thursday. */
static int weekday_from_days(int64_t days)
{
    int64_t weekday = (days + 4) % 7;
    return (int)(weekday < 0 ? weekday + 7 : weekday);
}

static int64_t last_sunday_utc_switch(int year, int month)
{
    int64_t last_day = days_from_civil(year, month, days_in_month(year, month));
    int64_t sunday = last_day - weekday_from_days(last_day);
    return sunday * SECONDS_PER_DAY + DST_SWITCH_UTC_SECOND;
}

int vienna_utc_offset(int64_t utc)
{
    struct civil utc_date;
    civil_from_days(floor_div(utc, SECONDS_PER_DAY), &utc_date);
    bool summer = utc >= last_sunday_utc_switch(utc_date.year, 3) &&
                  utc < last_sunday_utc_switch(utc_date.year, 10);
    return summer ? CEST_OFFSET : CET_OFFSET;
}

static void vienna_civil(int64_t utc, struct civil *c)
{
    int64_t local = utc + vienna_utc_offset(utc);
    int64_t days = floor_div(local, SECONDS_PER_DAY);
    int64_t second_of_day = local - days * SECONDS_PER_DAY;
    civil_from_days(days, c);
    c->hour = (int)(second_of_day / 3600);
    c->minute = (int)(second_of_day % 3600 / 60);
}

/* The fields are range-limited by construction; the casts to unsigned
 * and the modulo keep gcc's -Wformat-truncation analysis satisfied. */
void date_format_vienna(int64_t utc, char out[DATE_TEXT_SIZE])
{
    struct civil c;
    vienna_civil(utc, &c);
    snprintf(out, DATE_TEXT_SIZE, "%02u.%02u.%04u", (unsigned)c.day % 100u,
             (unsigned)c.month % 100u, (unsigned)c.year % 10000u);
}

void datetime_format_vienna(int64_t utc, char out[DATETIME_TEXT_SIZE])
{
    struct civil c;
    vienna_civil(utc, &c);
    snprintf(out, DATETIME_TEXT_SIZE, "%02u.%02u.%04u %02u:%02u",
             (unsigned)c.day % 100u, (unsigned)c.month % 100u,
             (unsigned)c.year % 10000u, (unsigned)c.hour % 100u,
             (unsigned)c.minute % 100u);
}

void date_iso_vienna(int64_t utc, char out[DATE_TEXT_SIZE])
{
    struct civil c;
    vienna_civil(utc, &c);
    snprintf(out, DATE_TEXT_SIZE, "%04u-%02u-%02u", (unsigned)c.year % 10000u,
             (unsigned)c.month % 100u, (unsigned)c.day % 100u);
}

int date_year_vienna(int64_t utc)
{
    struct civil c;
    vienna_civil(utc, &c);
    return c.year;
}

/* Reads n ASCII digits at text into *value; false on any non-digit. */
static bool read_fixed_digits(const char *text, int n, int *value)
{
    *value = 0;
    for (int i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        *value = *value * 10 + (text[i] - '0');
    }
    return true;
}

bool date_parse_iso(const char *text, int *year, int *month, int *day)
{
    int y, m, d;
    if (text == NULL || !read_fixed_digits(text, 4, &y) || text[4] != '-' ||
        !read_fixed_digits(text + 5, 2, &m) || text[7] != '-' ||
        !read_fixed_digits(text + 8, 2, &d) || text[10] != '\0')
        return false;
    if (y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 ||
        d > days_in_month(y, m))
        return false;
    *year = y;
    *month = m;
    *day = d;
    return true;
}

bool date_iso_to_text(const char *iso, char out[DATE_TEXT_SIZE])
{
    int y, m, d;
    out[0] = '\0';
    if (!date_parse_iso(iso, &y, &m, &d))
        return false;
    snprintf(out, DATE_TEXT_SIZE, "%02d.%02d.%04d", d, m, y);
    return true;
}

int64_t date_end_of_day_vienna(int year, int month, int day)
{
    int64_t local = days_from_civil(year, month, day) * SECONDS_PER_DAY +
                    SECONDS_PER_DAY - 1;
    /* 23:59:59 is never inside a switch hour, so exactly one offset fits */
    int64_t as_summer = local - CEST_OFFSET;
    return vienna_utc_offset(as_summer) == CEST_OFFSET ? as_summer
                                                       : local - CET_OFFSET;
}

int64_t date_valid_until(int64_t created_utc)
{
    struct civil c;
    vienna_civil(created_utc, &c);
    int year = c.year + 1, month = c.month, day = c.day;
    if (month == 2 && day == 29) {
        month = 3;
        day = 1;
    }
    return date_end_of_day_vienna(year, month, day);
}

int64_t date_due_at(int64_t issued_utc, int days)
{
    char iso[DATE_TEXT_SIZE];
    int y, m, d;
    date_iso_vienna(issued_utc + (int64_t)days * 86400, iso);
    if (!date_parse_iso(iso, &y, &m, &d)) /* outside 2000..2999: the instant itself */
        return issued_utc + (int64_t)days * 86400;
    return date_end_of_day_vienna(y, m, d);
}

int64_t date_start_of_day_vienna(int year, int month, int day)
{
    /* Two hours before the end of the day 24 h earlier lies in the day
     * before, whether that day had 23, 24 or 25 hours. */
    int64_t before = date_end_of_day_vienna(year, month, day) - 86400 - 7200;
    char iso[DATE_TEXT_SIZE];
    int y, m, d;
    date_iso_vienna(before, iso);
    if (!date_parse_iso(iso, &y, &m, &d)) /* 1 January 2000: its day before is out of range */
        return date_end_of_day_vienna(year, month, day) - 86399;
    return date_end_of_day_vienna(y, m, d) + 1;
}
