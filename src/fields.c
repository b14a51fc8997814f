/* fields — see fields.h. */
#include "fields.h"

#include <stdio.h>
#include <string.h>

#include "catalog_rules.h"
#include "date.h"
#include "form.h"
#include "mem.h"
#include "money.h"
#include "text.h"
#include "valid.h"




static bool valid_kind(const char *s)
{
    return strcmp(s, "course") == 0 || strcmp(s, "package") == 0;
}

static bool valid_nonempty_line(const char *s)
{
    return *s && valid_line(s);
}

static bool valid_any(const char *s)
{
    (void)s;
    return true;
}

static bool valid_flag(const char *s)
{
    return strcmp(s, "1") == 0;
}

static bool valid_mode(const char *s)
{
    return strcmp(s, "existing") == 0 || strcmp(s, "new") == 0;
}

static bool valid_token(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    return n == 43 && s[n] == '\0';
}

static bool valid_support_action(const char *s)
{
    return strcmp(s, "revoke") == 0 || strcmp(s, "extend") == 0 || strcmp(s, "release") == 0 ||
           strcmp(s, "unrevoke") == 0 || strcmp(s, "lift") == 0 ||
           strcmp(s, "mail") == 0 || strcmp(s, "paid") == 0 || strcmp(s, "storno") == 0; /* the last two: the invoice page */
}

/* A client address as the attempt log holds it: IPv4 or IPv6 characters. */
static bool valid_ip(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefABCDEF:.");
    return n >= 2 && s[n] == '\0';
}

static bool one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

static bool valid_status(const char *s)
{
    static const char *const words[] = {"offen", "eingeloest", "abgelaufen", "widerrufen",
                                        "eingeschrieben", "abgeschlossen",
                                        /* an invoice's (the journal) */
                                        "bezahlt", "ueberfaellig", "storniert", "teilstorniert", NULL};
    return one_of(s, words);
}

static bool valid_yes_no(const char *s)
{
    return strcmp(s, "ja") == 0 || strcmp(s, "nein") == 0;
}

static bool valid_hint(const char *s)
{
    static const char *const words[] = {"gespeichert", "gesendet", "verteilt", NULL};
    return one_of(s, words);
}

static bool valid_scope(const char *s)
{
    return strcmp(s, "all") == 0 || strcmp(s, "open") == 0;
}

static bool valid_password(const char *s)
{
    return *s != '\0';
}





bool field_parse_qty(const char *s, long *value)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 5 || s[n] != '\0')
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    *value = v;
    return v <= QTY_MAX;
}

/* Entries give what they need; the rest is zero: FT_TEXT with max_bytes as
 * the only limit and no label. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const struct field_spec field_specs[F__MAX] = {
    [F_CSRF] = {"csrf", 64, valid_token},
    [F_USERNAME] = {"username", 100, valid_nonempty_line},
    [F_PASSWORD] = {"password", 1024, valid_password},
    [F_PASSWORD2] = {"password2", 1024, valid_any},
    [F_CODE] = {"code", 200, valid_nonempty_line, FT_TEXT, 200, 0, 0, "Der Code"},
    [F_MODE] = {"mode", 10, valid_mode},
    [F_FIRST_NAME] = {"first_name", 400, valid_person_name, FT_TEXT, 100, 0, 0, "Der Vorname"},
    [F_LAST_NAME] = {"last_name", 400, valid_person_name, FT_TEXT, 100, 0, 0, "Der Nachname"},
    [F_EMAIL] = {"email", 254, valid_email},
    [F_PRIVACY] = {"privacy", 1, valid_flag},
    [F_REFERENCE] = {"reference", 100, valid_line, FT_TEXT, 100, 0, 0, "Das Bestellzeichen"},
    [F_CONFIRM] = {"confirm", 1, valid_flag},
    [F_ORDER_TOKEN] = {"order_token", 64, valid_token},
    [F_Q] = {"q", 200, valid_nonempty_line, FT_TEXT, 200, 0, 0, "Der Suchbegriff"},
    [F_NR] = {"nr", 100, valid_nonempty_line, FT_TEXT, 100, 0, 0, "Die Zertifikatsnummer"},
    [F_REASON] = {"reason", 500, valid_nonempty_line, FT_TEXT, 500, 0, 0, "Die Begründung"},
    [F_VALID_UNTIL] = {"valid_until", 10, valid_any, FT_DATE, 0, 0, 0, "das neue Ablaufdatum"},
    [F_NEXT] = {"next", 200, valid_local_path},
    [F_GKZ] = {"gkz", 5, valid_nonempty_line},
    [F_NAME] = {"name", 400, valid_line, FT_TEXT, 400, 0, 0, "Der Name"},
    [F_ADDRESS] = {"address", 500, valid_lines, FT_TEXT, 500, 0, 0, "Die Anschrift"},
    [F_UID] = {"uid", 20, valid_line},
    [F_SLUG] = {"slug", 40, valid_nonempty_line},
    [F_TITLE] = {"title", 300, valid_line, FT_TEXT, 300, 0, 0, "Der Titel"},
    [F_DESCRIPTION] = {"description", 1000, valid_lines, FT_TEXT, 1000, 0, 0, "Die Beschreibung"},
    [F_HOURS] = {"hours", 10, valid_any, FT_INT, 0, 0, CATALOG_HOURS_MAX, "Die Dauer in Stunden"},
    [F_PRICE] = {"price", 20, valid_any, FT_CENTS, 0, 0, CATALOG_PRICE_MAX, "Der Preis (netto)"},
    [F_KIND] = {"kind", 10, valid_kind},
    [F_ACTIVE] = {"active", 1, valid_flag},
    [F_ROLE] = {"role", 20, valid_nonempty_line},
    [F_COURSES] = {"courses", 2000, valid_line, FT_TEXT, 2000, 0, 0, "Die Kurse des Pakets"},
    [F_TENANT] = {"tenant", 5, valid_nonempty_line},
    [F_DONE] = {"done", 8, valid_support_action},
    [F_COURSE] = {"course", 40, valid_nonempty_line},
    [F_COMPLETED_ON] = {"completed_on", 10, valid_any, FT_DATE, 0, 0, 0, "das Abschlussdatum"},
    [F_PAGE] = {"seite", 6, valid_any, FT_INT, 0, 1, 999999, "Die Seitennummer"},
    [F_CURRENT_PASSWORD] = {"current_password", 1024, valid_password},
    [F_IP] = {"ip", 45, valid_ip},
    [F_LOGIN] = {"login", 254, valid_nonempty_line},
    [F_T] = {"t", 64, valid_token},
    [F_URL] = {"url", 500, valid_line},
    [F_AFTER] = {"after", 18, valid_any, FT_INT, 0, 0, 999999999999999999LL, "after"},
    [F_LIMIT] = {"limit", 18, valid_any, FT_INT, 0, 0, 999999999999999999LL, "limit"},
    [F_RECIPIENTS] = {"recipients", 1000000, valid_lines},
    [F_STATUS] = {"status", 20, valid_status},
    [F_ASSIGNED] = {"zugewiesen", 4, valid_yes_no},
    [F_HINT] = {"hinweis", 20, valid_hint},
    [F_CODE_ID] = {"code_id", 12, valid_any, FT_INT, 0, 1, 999999999999LL, "Die Code-Nummer"},
    [F_FROM] = {"from", 10, valid_any, FT_DATE, 0, 0, 0, "den Beginn des Zeitraums"},
    [F_TO] = {"to", 10, valid_any, FT_DATE, 0, 0, 0, "das Ende des Zeitraums"},
    [F_PAID_ON] = {"paid_on", 10, valid_any, FT_DATE, 0, 0, 0, "das Zahlungsdatum"},
    [F_EDIT] = {"edit", 1, valid_flag},
    [F_SCOPE] = {"scope", 4, valid_scope},
    [F_MAIL] = {"mail", 12, valid_any, FT_INT, 0, 1, 999999999999LL, "Die Nummer der E-Mail"},
};
#pragma GCC diagnostic pop

/* A copy of at most max bytes that does not end inside a UTF-8 character
 * (the input is valid UTF-8). */
static const char *copy_whole_chars(struct arena *a, const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    if (s[n] != '\0')
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    return arena_strndup(a, s, n);
}

static void read_qty(struct arena *a, const struct form_pair *p, struct qty_input *q)
{
    q->slug = arena_strdup(a, p->name + 4);
    q->text = copy_whole_chars(a, p->value, 16);
    q->valid = strlen(p->value) <= 16 && field_parse_qty(p->value, &q->value);
}

bool field_is_list(enum field_id f)
{
    return f == F_COURSES; /* one checkbox per course of a package */
}

static size_t byte_limit(const struct field_spec *s)
{
    return s->type == FT_TEXT && s->max_chars ? 4 * s->max_chars : s->max_bytes;
}

static bool parse_digits(const char *s, size_t most, long long *v)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > most || s[n] != '\0')
        return false;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = *v * 10 + (s[i] - '0');
    return true;
}

/* The type and its limits; number filled for the typed ones. */
static bool typed_ok(const struct field_spec *s, const char *text, long long *number)
{
    int y, m, d;
    switch (s->type) {
    case FT_TEXT:
        return !s->max_chars || text_utf8_length(text) <= s->max_chars;
    case FT_INT:
        return parse_digits(text, 18, number) && *number >= s->min && *number <= s->max;
    case FT_CENTS:
        return money_parse_typed(text, number) && *number >= s->min && *number <= s->max; /* "1.234,50" too */
    case FT_DATE:
        if (!date_parse_iso(text, &y, &m, &d))
            return false;
        *number = (long long)y * 10000 + m * 100 + d;
        return true;
    }
    return false;
}

static size_t digits(long long v)
{
    size_t n = 1;
    for (; v >= 10; v /= 10)
        n++;
    return n;
}

size_t field_maxlength(enum field_id f)
{
    const struct field_spec *s = &field_specs[f];
    switch (s->type) {
    case FT_INT:
        return digits(s->max);
    case FT_CENTS:
        return digits(s->max / 100) + (digits(s->max / 100) - 1) / 3 + 3; /* "1.234,50" */
    case FT_DATE:
        return 10;
    case FT_TEXT:
        break;
    }
    return s->max_chars ? s->max_chars : s->max_bytes;
}

enum field_id field_by_name(const char *name)
{
    for (int f = 0; f < F__MAX; f++)
        if (strcmp(field_specs[f].name, name) == 0)
            return (enum field_id)f;
    return F__MAX;
}

/* 10000 as "10.000" (Austrian thousands dots), in the arena. */
static const char *grouped(struct arena *a, long long v)
{
    char digits_text[32];
    int n = snprintf(digits_text, sizeof digits_text, "%lld", v < 0 ? -v : v);
    char *out = arena_alloc(a, (size_t)n + (size_t)n / 3 + 2), *o = out;
    if (v < 0)
        *o++ = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            *o++ = '.';
        *o++ = digits_text[i];
    }
    *o = '\0';
    return out;
}

const char *field_problem(struct arena *a, enum field_id f)
{
    const struct field_spec *s = &field_specs[f];
    const char *label = s->label ? s->label : "Dieses Feld";
    switch (s->type) {
    case FT_INT:
        return arena_printf(a, "%s muss eine ganze Zahl von %s bis %s sein.", label, grouped(a, s->min),
                            grouped(a, s->max));
    case FT_CENTS: {
        char lo[MONEY_TEXT_SIZE], hi[MONEY_TEXT_SIZE];
        money_format(s->min, lo);
        money_format(s->max, hi);
        return arena_printf(a, "%s muss ein Betrag von %s bis %s sein, zum Beispiel 149,00.", label, lo, hi);
    }
    case FT_DATE:
        return arena_printf(a, "Bitte geben Sie %s als Datum an (JJJJ-MM-TT, zum Beispiel 2027-12-31).", label);
    case FT_TEXT:
        break;
    }
    if (s->max_chars)
        return arena_printf(a, "%s darf höchstens %zu Zeichen lang sein und keine Steuerzeichen enthalten.", label,
                            s->max_chars);
    return arena_printf(a, "%s ist ungültig.", label);
}

void fields_read(struct arena *a, const struct form_pair *pairs, size_t n,
                 struct field_value values[F__MAX], struct qty_input **qty, size_t *nqty)
{
    const char *raw[F__MAX] = {0}; /* the value as sent (list fields: joined) */
    memset(values, 0, F__MAX * sizeof *values);
    *qty = arena_alloc(a, (n + 1) * sizeof **qty);
    *nqty = 0;
    for (size_t i = 0; i < n; i++) {
        const struct form_pair *p = &pairs[i];
        if (strncmp(p->name, "qty_", 4) == 0 && p->name[4] && strlen(p->name) <= 64) {
            read_qty(a, p, &(*qty)[(*nqty)++]);
            continue;
        }
        for (int f = 0; f < F__MAX; f++) {
            if (strcmp(p->name, field_specs[f].name) != 0)
                continue;
            if (!raw[f])
                raw[f] = p->value;
            else if (field_is_list((enum field_id)f))
                raw[f] = arena_printf(a, "%s %s", raw[f], p->value);
            break;
        }
    }
    for (int f = 0; f < F__MAX; f++) {
        if (!raw[f])
            continue;
        const struct field_spec *s = &field_specs[f];
        size_t len = strlen(raw[f]), limit = byte_limit(s);
        values[f].text = copy_whole_chars(a, raw[f], limit);
        values[f].valid = len <= limit && typed_ok(s, raw[f], &values[f].number) && s->valid(raw[f]);
    }
}
