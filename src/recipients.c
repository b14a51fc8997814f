/* recipients — see recipients.h. */
#include "recipients.h"

#include <string.h>
#include <strings.h>

#include "codes.h"
#include "config.h"
#include "db.h"
#include "fmt.h"
#include "log.h"
#include "mem.h"
#include "mime.h"
#include "outbox.h"
#include "text.h"
#include "valid.h"

static void add_error(struct arena *a, struct recipient_error **errors, size_t *n, size_t *cap, size_t line,
                      const char *message)
{
    *errors = arena_grow(a, *errors, *n, cap, sizeof **errors);
    (*errors)[(*n)++] = (struct recipient_error){line, message};
}

/* The last ';' of the line, else the last tab, else the last ','; NULL when none. */
static char *separator(char *line)
{
    char *sep = strrchr(line, ';');
    if (!sep)
        sep = strrchr(line, '\t');
    if (!sep)
        sep = strrchr(line, ',');
    return sep;
}

/* Checks one line; NULL when it is fine (r filled), else the message. */
static const char *read_line(char *line, struct recipient *r)
{
    char *sep = separator(line);
    if (!sep)
        return "Name und E-Mail-Adresse müssen durch „;“, „,“ oder einen Tabulator getrennt sein.";
    *sep = '\0';
    r->name = text_trim(line, " \t\"");
    r->email = text_trim(sep + 1, " \t\"<>");
    if (!*r->name)
        return "Der Name fehlt.";
    if (!valid_person_name(r->name) || text_utf8_length(r->name) > 100)
        return "Der Name ist zu lang oder enthält unzulässige Zeichen.";
    if (!valid_email(r->email))
        return "Die E-Mail-Adresse ist ungültig.";
    return NULL;
}

void recipients_parse(struct arena *a, const char *text, struct recipient **list, size_t *n,
                      struct recipient_error **errors, size_t *nerrors)
{
    size_t cap = 0, ecap = 0, lineno = 0;
    *list = NULL;
    *errors = NULL;
    *n = *nerrors = 0;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *line = arena_strndup(a, p, len);
        p += len + (end ? 1 : 0);
        lineno++;
        if (!*text_trim(line, " \t\r"))
            continue;
        line = text_trim(line, " \t\r");
        struct recipient r = {.line = lineno};
        const char *why = read_line(line, &r);
        if (why) {
            add_error(a, errors, nerrors, &ecap, lineno, why);
            continue;
        }
        for (size_t i = 0; i < *n && !why; i++)
            if (strcasecmp((*list)[i].email, r.email) == 0)
                why = arena_printf(a, "Die E-Mail-Adresse steht schon in Zeile %zu.", (*list)[i].line);
        if (why) {
            add_error(a, errors, nerrors, &ecap, lineno, why);
            continue;
        }
        *list = arena_grow(a, *list, *n, &cap, sizeof **list);
        (*list)[(*n)++] = r;
    }
    if (*n + *nerrors > RECIPIENTS_MAX)
        add_error(a, errors, nerrors, &ecap, lineno,
                  arena_printf(a, "Höchstens %d Zeilen auf einmal.", RECIPIENTS_MAX));
}

const char *recipients_redeem_link(struct arena *a, const struct config *cfg, const char *display)
{
    return arena_printf(a, "%s/voucher/einloesen?code=%s", cfg->server_base_url, display);
}

/* The e-mail that gives one person their code. */
static const char *mail_body(struct arena *a, const struct config *cfg, const struct voucher *v,
                             const char *name, const char *display, const char *municipality,
                             const struct recipients_actor *by)
{
    struct buf b;
    buf_init(&b, a);
    buf_printf(&b, "Guten Tag %s,\n\n%s schenkt Ihnen einen Kurs der Städtebund Academy:\n\n"
                   "Kurs: %s\nIhr Vouchercode: %s\ngültig bis %s\n\n",
               name, municipality, v->item_title, display, fmt_date(a, v->valid_until));
    buf_printf(&b, "So lösen Sie den Code ein:\n"
                   "1. Öffnen Sie %s\n"
                   "2. Melden Sie sich mit Ihrem Benutzernamen an oder legen Sie ein neues Konto an.\n"
                   "3. Danach finden Sie den Kurs unter „Meine Kurse“.\n\n",
               recipients_redeem_link(a, cfg, display));
    buf_printf(&b, "Der Code gilt einmal und nur bis zum angegebenen Tag. Fragen beantwortet Ihnen %s %s "
                   "(%s) von %s.\n\nMit freundlichen Grüßen\nIhre Städtebund Academy\n",
               by->first_name, by->last_name, by->email, municipality);
    return b.data;
}

/* Queues the mail for code v to name <email> and records it on the code. */
static int queue_mail(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                      const struct voucher *v, const char *name, const char *email, const char *municipality,
                      const struct recipients_actor *by, int64_t now)
{
    char display[VOUCHER_DISPLAY_SIZE];
    if (codes_display(keys, v, display) != 0) {
        log_error("code %lld does not open with this key file", (long long)v->id);
        return DB_ERROR;
    }
    struct mail_message m = {
        .recipients = email,
        .subject = arena_printf(a, "Ihr Voucher für „%s“ – Städtebund Academy", v->item_title),
        .body_text = mail_body(a, cfg, v, name, display, municipality, by),
    };
    int64_t id;
    if (outbox_queue_id(db, keys, a, &m, now, &id) != DB_OK)
        return DB_ERROR;
    return db_voucher_set_mail(db, v->id, id);
}

static const char *municipality_name(struct db *db, struct arena *a, int64_t id)
{
    struct municipality m;
    return db_municipality_by_id(db, a, id, &m) == DB_OK ? m.name : NULL;
}

static enum recipients_status refused(const char **message, const char *text)
{
    *message = text;
    return RECIPIENTS_REFUSED;
}

/* Whether the list can be assigned: enough open, unassigned codes of the
 * item (*ids, *nfree of them) and no person holding one already. */
static enum recipients_status check(struct db *db, struct arena *a, int64_t order_id, const char *slug,
                                    const struct recipient *list, size_t n, int64_t now, int64_t **ids,
                                    size_t *nfree, const char **message)
{
    if (db_order_free_codes(db, a, order_id, slug, now, (int64_t)n, ids, nfree) != DB_OK)
        return RECIPIENTS_ERROR;
    if (*nfree < n)
        return refused(message, arena_printf(a, "Diese Bestellung hat für diesen Kurs nur %zu offene, noch nicht "
                                                "zugewiesene %s, Sie haben %zu Personen eingegeben. Es wurde "
                                                "nichts zugewiesen.", *nfree, *nfree == 1 ? "Code" : "Codes", n));
    for (size_t i = 0; i < n; i++) {
        int64_t held;
        if (db_order_codes_for_email(db, order_id, slug, list[i].email, &held) != DB_OK)
            return RECIPIENTS_ERROR;
        if (held)
            return refused(message, arena_printf(a, "Zeile %zu: %s hat in dieser Bestellung schon einen offenen "
                                                    "Code für diesen Kurs. Es wurde nichts zugewiesen.",
                                                 list[i].line, list[i].email));
    }
    return RECIPIENTS_OK;
}

enum recipients_status recipients_check(struct db *db, struct arena *a, int64_t order_id, const char *slug,
                                        const struct recipient *list, size_t n, int64_t now, const char **message)
{
    int64_t *ids;
    size_t nfree;
    return check(db, a, order_id, slug, list, n, now, &ids, &nfree, message);
}

/* The bulk assignment inside its transaction. */
static enum recipients_status assign_bulk(struct db *db, struct arena *a, const struct crypto_keys *keys,
                                          const struct config *cfg, int64_t order_id, const char *slug,
                                          const struct recipient *list, size_t n,
                                          const struct recipients_actor *by, int64_t now, const char **message)
{
    struct order o;
    int status = db_order_by_id(db, a, order_id, &o);
    if (status == DB_NOT_FOUND || (status == DB_OK && o.municipality_id != by->municipality_id))
        return RECIPIENTS_NOT_FOUND;
    const char *town = status == DB_OK ? municipality_name(db, a, o.municipality_id) : NULL;
    int64_t *ids;
    size_t nfree;
    if (!town)
        return RECIPIENTS_ERROR;
    enum recipients_status st = check(db, a, order_id, slug, list, n, now, &ids, &nfree, message);
    if (st != RECIPIENTS_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        struct voucher v;
        const char *old;
        if (db_voucher_of_municipality(db, a, ids[i], by->municipality_id, &v, &old) != DB_OK ||
            db_voucher_assign(db, ids[i], list[i].name, list[i].email, now) != DB_OK ||
            queue_mail(db, a, keys, cfg, &v, list[i].name, list[i].email, town, by, now) != DB_OK)
            return RECIPIENTS_ERROR;
    }
    const char *subject = arena_printf(a, "Bestellung %lld", (long long)order_id);
    const char *detail = arena_printf(a, "%zu Codes (%s) zugewiesen und versendet", n, slug);
    return db_audit_add(db, by->account_id, AUDIT_CODES_ASSIGN, subject, detail, by->ip, now) == DB_OK
               ? RECIPIENTS_OK : RECIPIENTS_ERROR;
}

/* Ends a transaction by the outcome: commit on OK, else roll back. */
static enum recipients_status finish(struct db *db, enum recipients_status st)
{
    return db_end(db, st == RECIPIENTS_OK ? 0 : 1) < 0 ? RECIPIENTS_ERROR : st;
}

enum recipients_status recipients_assign_bulk(struct db *db, struct arena *a, const struct crypto_keys *keys,
                                              const struct config *cfg, int64_t order_id, const char *slug,
                                              const struct recipient *list, size_t n,
                                              const struct recipients_actor *by, int64_t now,
                                              const char **message)
{
    if (n == 0)
        return refused(message, "Bitte geben Sie mindestens eine Zeile „Name; E-Mail“ ein.");
    if (db_begin(db) != DB_OK)
        return RECIPIENTS_ERROR;
    return finish(db, assign_bulk(db, a, keys, cfg, order_id, slug, list, n, by, now, message));
}

/* A refusal when code v cannot be given out (any more): NULL when it is open. */
static const char *not_open(const struct voucher *v, int64_t now)
{
    switch (codes_status(v, now)) {
    case CODE_REDEEMED: return "Dieser Code ist schon eingelöst und kann nicht mehr vergeben werden.";
    case CODE_REVOKED: return "Dieser Code ist widerrufen und kann nicht mehr vergeben werden.";
    case CODE_EXPIRED: return "Dieser Code ist abgelaufen und kann nicht mehr vergeben werden.";
    case CODE_OPEN: break;
    }
    return NULL;
}

/* The municipality's code voucher_id, still open: RECIPIENTS_OK with v, its
 * recipient's e-mail and its order; else NOT_FOUND, ERROR, or REFUSED with
 * the reason in *message. */
static enum recipients_status load_open_code(struct db *db, struct arena *a, int64_t voucher_id,
                                             const struct recipients_actor *by, int64_t now, struct voucher *v,
                                             const char **email, int64_t *order_id, const char **message)
{
    int status = db_voucher_of_municipality(db, a, voucher_id, by->municipality_id, v, email);
    if (status == DB_NOT_FOUND)
        return RECIPIENTS_NOT_FOUND;
    if (status != DB_OK)
        return RECIPIENTS_ERROR;
    *order_id = v->order_id;
    const char *why = not_open(v, now);
    return why ? refused(message, why) : RECIPIENTS_OK;
}

static enum recipients_status assign_one(struct db *db, struct arena *a, int64_t voucher_id, const char *name,
                                         const char *email, const struct recipients_actor *by, int64_t now,
                                         int64_t *order_id, const char **message)
{
    struct voucher v;
    const char *old_email;
    enum recipients_status rs = load_open_code(db, a, voucher_id, by, now, &v, &old_email, order_id, message);
    if (rs != RECIPIENTS_OK)
        return rs;
    if (*name && !*email)
        return refused(message, "Bitte geben Sie auch die E-Mail-Adresse der Person ein.");
    if (*email && !*name)
        return refused(message, "Bitte geben Sie auch den Namen der Person ein.");
    if (*email && !valid_email(email))
        return refused(message, "Die E-Mail-Adresse ist ungültig.");
    if (*name && (!valid_person_name(name) || text_utf8_length(name) > 100))
        return refused(message, "Der Name ist zu lang oder enthält unzulässige Zeichen.");
    if (strcmp(v.issued_to, name) == 0 && strcmp(old_email, email) == 0)
        return RECIPIENTS_OK; /* saved again unchanged: nothing to record */
    if (db_voucher_assign(db, voucher_id, name, email, now) != DB_OK)
        return RECIPIENTS_ERROR;
    const char *subject = arena_printf(a, "Bestellung %lld, Code-Nr. %lld", (long long)v.order_id,
                                       (long long)voucher_id);
    const char *detail = !*name ? arena_printf(a, "Zuweisung an %s <%s> aufgehoben", v.issued_to, old_email)
                         : *v.issued_to ? arena_printf(a, "neu an %s <%s> (vorher %s <%s>)", name, email,
                                                       v.issued_to, old_email)
                                        : arena_printf(a, "an %s <%s>", name, email);
    return db_audit_add(db, by->account_id, AUDIT_CODE_ASSIGN, subject, detail, by->ip, now) == DB_OK
               ? RECIPIENTS_OK : RECIPIENTS_ERROR;
}

enum recipients_status recipients_assign_one(struct db *db, struct arena *a, int64_t voucher_id,
                                             const char *name, const char *email,
                                             const struct recipients_actor *by, int64_t now,
                                             int64_t *order_id, const char **message)
{
    if (db_begin(db) != DB_OK)
        return RECIPIENTS_ERROR;
    return finish(db, assign_one(db, a, voucher_id, name, email, by, now, order_id, message));
}

static enum recipients_status send_one(struct db *db, struct arena *a, const struct crypto_keys *keys,
                                       const struct config *cfg, int64_t voucher_id,
                                       const struct recipients_actor *by, int64_t now, int64_t *order_id,
                                       const char **message)
{
    struct voucher v;
    const char *email;
    enum recipients_status rs = load_open_code(db, a, voucher_id, by, now, &v, &email, order_id, message);
    if (rs != RECIPIENTS_OK)
        return rs;
    if (!*email)
        return refused(message, "Dieser Code ist noch niemandem zugewiesen: tragen Sie zuerst Name und "
                                "E-Mail-Adresse ein.");
    const char *town = municipality_name(db, a, v.municipality_id);
    if (!town || queue_mail(db, a, keys, cfg, &v, v.issued_to, email, town, by, now) != DB_OK)
        return RECIPIENTS_ERROR;
    const char *subject = arena_printf(a, "Bestellung %lld, Code-Nr. %lld", (long long)v.order_id,
                                       (long long)voucher_id);
    return db_audit_add(db, by->account_id, AUDIT_CODE_SEND, subject, arena_printf(a, "an %s <%s>", v.issued_to, email),
                        by->ip, now) == DB_OK ? RECIPIENTS_OK : RECIPIENTS_ERROR;
}

enum recipients_status recipients_send(struct db *db, struct arena *a, const struct crypto_keys *keys,
                                       const struct config *cfg, int64_t voucher_id,
                                       const struct recipients_actor *by, int64_t now, int64_t *order_id,
                                       const char **message)
{
    if (db_begin(db) != DB_OK)
        return RECIPIENTS_ERROR;
    return finish(db, send_one(db, a, keys, cfg, voucher_id, by, now, order_id, message));
}
