/* fmt — see fmt.h. */
#include "fmt.h"


#include "date.h"
#include "mem.h"
#include "money.h"

const char *fmt_date(struct arena *a, int64_t utc)
{
    char *out = arena_alloc(a, DATE_TEXT_SIZE);
    date_format_vienna(utc, out);
    return out;
}

const char *fmt_datetime(struct arena *a, int64_t utc)
{
    char *out = arena_alloc(a, DATETIME_TEXT_SIZE);
    datetime_format_vienna(utc, out);
    return out;
}

const char *fmt_money(struct arena *a, long long cents)
{
    char *out = arena_alloc(a, MONEY_TEXT_SIZE);
    money_format(cents, out);
    return out;
}

const char *fmt_minutes(struct arena *a, long long seconds)
{
    long long minutes = (seconds + 59) / 60;
    return minutes == 1 ? "eine Minute" : arena_printf(a, "%lld Minuten", minutes);
}

const char *fmt_hours(struct arena *a, long long hours)
{
    return arena_printf(a, "%lld %s", hours, hours == 1 ? "Stunde" : "Stunden");
}
