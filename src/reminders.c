/* reminders — see reminders.h. */
#include "reminders.h"

#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "config.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "log.h"
#include "mem.h"
#include "mime.h"
#include "order_docs.h"
#include "outbox.h"

static int ascending(const void *x, const void *y)
{
    return *(const int *)x - *(const int *)y;
}

int reminders_thresholds(const char *text, int days[REMINDERS_MAX], size_t *n)
{
    *n = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p < '0' || *p > '9')
            return -1;
        char *end;
        long v = strtol(p, &end, 10);
        if (v < 1 || v > 365 || *n == REMINDERS_MAX)
            return -1;
        for (size_t i = 0; i < *n; i++)
            if (days[i] == v)
                return -1;
        days[(*n)++] = (int)v;
        p = end;
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (*p++ != ',')
            return -1;
    }
    qsort(days, *n, sizeof *days, ascending);
    return 0;
}

/* The last second of the Vienna day `days` days after the day of as_of. */
static int64_t end_of_day_after(int64_t as_of, int days)
{
    char iso[DATE_TEXT_SIZE];
    int y, m, d;
    date_iso_vienna(as_of, iso);
    date_parse_iso(iso, &y, &m, &d);
    int64_t noon = date_end_of_day_vienna(y, m, d) - 12 * 3600; /* DST moves it by an hour at most */
    date_iso_vienna(noon + (int64_t)days * 86400, iso);
    date_parse_iso(iso, &y, &m, &d);
    return date_end_of_day_vienna(y, m, d);
}

static const char *body(struct arena *a, const struct config *cfg, const struct crypto_keys *keys,
                        const struct order *o, const struct account *admin, const struct order_code *codes,
                        size_t n, int days)
{
    struct buf b;
    buf_init(&b, a);
    buf_printf(&b, "Guten Tag %s %s,\n\nvon Ihrer Bestellung Nr. %lld vom %s (Rechnung %s) %s %zu %s noch nicht "
                   "eingelöst und %s in höchstens %d Tagen ab:\n\n",
               admin->first_name, admin->last_name, (long long)o->id, fmt_date(a, o->created_at),
               o->invoice_number, n == 1 ? "ist" : "sind", n, n == 1 ? "Code" : "Codes",
               n == 1 ? "läuft" : "laufen", days);
    for (size_t i = 0; i < n; i++) {
        char display[VOUCHER_DISPLAY_SIZE];
        if (codes_display(keys, &codes[i].v, display) != 0) {
            log_error("order %lld: code %lld does not open with this key file", (long long)o->id,
                      (long long)codes[i].v.id);
            return NULL;
        }
        buf_printf(&b, "  %s  %s, gültig bis %s\n", display, codes[i].v.item_title,
                   fmt_date(a, codes[i].v.valid_until));
        if (*codes[i].v.issued_to)
            buf_printf(&b, "    ausgegeben an %s <%s>%s%s\n", codes[i].v.issued_to, codes[i].recipient_email,
                       codes[i].mail_sent_at ? ", E-Mail versendet am " : "",
                       codes[i].mail_sent_at ? fmt_date(a, codes[i].mail_sent_at) : "");
        else
            buf_puts(&b, "    noch niemandem zugewiesen\n");
    }
    buf_printf(&b, "\nErinnern Sie die Personen daran, ihren Code unter %s/voucher/einloesen einzulösen, oder "
                   "geben Sie Codes, die noch niemand hat, weiter: %s/bestellungen/%lld\n\n"
                   "Mit freundlichen Grüßen\nIhre Städtebund Academy\n",
               cfg->server_base_url, cfg->server_base_url, (long long)o->id);
    return b.data;
}

/* One order's reminder for threshold days[k], inside its transaction:
 * the e-mail, and the record for days[k] and every farther threshold. */
static int remind(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                  int64_t order_id, int64_t as_of, int64_t now, const int *days, size_t ndays, size_t k)
{
    struct order o;
    struct account admin;
    struct order_code *codes;
    size_t n;
    if (db_order_by_id(db, a, order_id, &o) != DB_OK || db_account_by_id(db, a, o.account_id, &admin) != DB_OK ||
        db_order_expiring_codes(db, a, order_id, as_of, end_of_day_after(as_of, days[k]), &codes, &n) != DB_OK)
        return DB_ERROR;
    if (n == 0)
        return DB_OK; /* redeemed since the look-up */
    const char *text = body(a, cfg, keys, &o, &admin, codes, n, days[k]);
    if (!text)
        return DB_ERROR;
    struct mail_message m = {
        .recipients = admin.email,
        .subject = arena_printf(a, "Erinnerung: %zu %s der Bestellung Nr. %lld %s bald ab", n,
                                n == 1 ? "Vouchercode" : "Vouchercodes", (long long)o.id, n == 1 ? "läuft" : "laufen"),
        .body_text = text,
    };
    int64_t mail_id;
    if (outbox_queue_id(db, keys, a, &m, now, &mail_id) != DB_OK)
        return DB_ERROR;
    for (size_t j = k; j < ndays; j++)
        if (db_reminder_add(db, order_id, days[j], now, mail_id) != DB_OK)
            return DB_ERROR;
    return db_audit_add(db, 0, AUDIT_REMINDER, arena_printf(a, "Bestellung %lld", (long long)o.id),
                        arena_printf(a, "%zu Codes, %d Tage vor Ablauf, an %s", n, days[k], admin.email), NULL,
                        now) == DB_OK ? DB_OK : DB_ERROR;
}

int reminders_send(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                   int64_t as_of, int64_t now, int *sent)
{
    int days[REMINDERS_MAX];
    size_t ndays;
    *sent = 0;
    if (reminders_thresholds(cfg->reminders_days_before, days, &ndays) != 0) {
        log_error("[reminders] days_before = %s is not a list such as 30,7", cfg->reminders_days_before);
        return DB_ERROR;
    }
    for (size_t k = 0; k < ndays; k++) {
        int64_t *orders;
        size_t n;
        if (db_reminder_due_orders(db, a, as_of, end_of_day_after(as_of, days[k]), days[k], &orders, &n) != DB_OK)
            return DB_ERROR;
        for (size_t i = 0; i < n; i++) {
            if (db_begin(db) != DB_OK)
                return DB_ERROR;
            if (db_end(db, remind(db, a, keys, cfg, orders[i], as_of, now, days, ndays, k)) != DB_OK)
                return DB_ERROR;
            (*sent)++;
        }
    }
    return DB_OK;
}

int reminders_job(struct db *db, const struct config *cfg, const struct crypto_keys *keys, int64_t now)
{
    struct arena *a = arena_new();
    int sent;
    int status = reminders_send(db, a, keys, cfg, now, now, &sent);
    if (status == DB_OK && sent)
        log_info("reminders: %d e-mails queued", sent);
    arena_free(a);
    return status;
}
