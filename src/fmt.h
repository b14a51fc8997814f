/* fmt — values as pages show them, as strings in an arena: Vienna dates and
 * times (date.h) and euro amounts (money.h).  Cannot fail: out of memory
 * aborts (mem.h).  Thread-safe; the strings live until the arena's reset. */
#ifndef FMT_H
#define FMT_H

#include <stdint.h>

struct arena;

const char *fmt_date(struct arena *a, int64_t utc);      /* "dd.mm.yyyy" (Vienna) */
const char *fmt_datetime(struct arena *a, int64_t utc);  /* "dd.mm.yyyy HH:MM" (Vienna) */
const char *fmt_money(struct arena *a, long long cents); /* "1.234,50 €" */
const char *fmt_hours(struct arena *a, long long hours); /* "1 Stunde", "8 Stunden" */

/* "eine Minute", "15 Minuten": a waiting time in whole minutes, rounded up. */
const char *fmt_minutes(struct arena *a, long long seconds);

#endif
