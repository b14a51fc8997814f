/* date.h -- UTC epoch seconds shown as Europe/Vienna civil time, without
 * tzdata, mktime, localtime or TZ.
 *
 * Vienna follows the EU rule: CET = UTC+1; CEST = UTC+2 from the last Sunday
 * of March 01:00 UTC until the last Sunday of October 01:00 UTC.  Calendar
 * arithmetic is proleptic Gregorian (days-from-civil, H. Hinnant) and is
 * exact for any year that fits an int; the DST rule is applied to every year.
 * The text formats assume four-digit years (0..9999).
 *
 * Pure functions: no globals, no allocation, no I/O, thread-safe. */
#ifndef DATE_H
#define DATE_H

#include <stdbool.h>
#include <stdint.h>

#define DATE_TEXT_SIZE 11      /* "dd.mm.yyyy" or "yyyy-mm-dd" + NUL */
#define DATETIME_TEXT_SIZE 17  /* "dd.mm.yyyy HH:MM" + NUL */

/* Vienna's offset from UTC at instant utc: 3600 (CET) or 7200 (CEST). */
int vienna_utc_offset(int64_t utc);

/* "dd.mm.yyyy" of the Vienna calendar date at instant utc. */
void date_format_vienna(int64_t utc, char out[DATE_TEXT_SIZE]);

/* "dd.mm.yyyy HH:MM" of the Vienna wall-clock time at instant utc. */
void datetime_format_vienna(int64_t utc, char out[DATETIME_TEXT_SIZE]);

/* "yyyy-mm-dd" of the Vienna calendar date at instant utc. */
void date_iso_vienna(int64_t utc, char out[DATE_TEXT_SIZE]);

/* Year of the Vienna calendar date at instant utc. */
int date_year_vienna(int64_t utc);

/* Strict "YYYY-MM-DD" (exactly 10 chars, nothing around it) naming a real
 * calendar date (leap years honoured) in the years 2000..2999.  On success
 * sets *year, *month, *day and returns true; otherwise returns false and
 * leaves them untouched.  text may be NULL (false). */
bool date_parse_iso(const char *text, int *year, int *month, int *day);

/* "dd.mm.yyyy" of a stored "YYYY-MM-DD" (as date_parse_iso reads it); out is
 * "" and the result false when iso is not such a date (NULL, "" included). */
bool date_iso_to_text(const char *iso, char out[DATE_TEXT_SIZE]);

/* The last second (23:59:59 local time) of the given Vienna calendar day, as
 * UTC epoch seconds.  The date must be valid (see date_parse_iso). */
int64_t date_end_of_day_vienna(int year, int month, int day);

/* Validity end of a voucher created at created_utc: the last second of the
 * same Vienna calendar day one year later.  A code created on 29 February is
 * valid until the end of 1 March of the next year, so validity is never less
 * than a full year. */
int64_t date_valid_until(int64_t created_utc);

/* The first second (00:00:00 local time) of the given Vienna calendar day,
 * as UTC epoch seconds.  The date must be valid (see date_parse_iso). */
int64_t date_start_of_day_vienna(int year, int month, int day);

/* The due date of an invoice issued at issued_utc payable within days:
 * the last second of the Vienna calendar day `days` days later. */
int64_t date_due_at(int64_t issued_utc, int days);

#endif
