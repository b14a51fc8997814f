/* support — see support.h. */
#include "support.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "valid.h"

/* Copies q without surrounding white space into out (cut at the size). */
static void trim_into(const char *q, char out[SUPPORT_TERM_SIZE])
{
    while (q && isspace((unsigned char)*q))
        q++;
    size_t n = q ? strnlen(q, SUPPORT_TERM_SIZE - 1) : 0;
    while (n > 0 && isspace((unsigned char)q[n - 1]))
        n--;
    memcpy(out, q ? q : "", n);
    out[n] = '\0';
}

static bool all_digits(const char *s, size_t min, size_t max)
{
    size_t n = strspn(s, "0123456789");
    return s[n] == '\0' && n >= min && n <= max;
}

/* "F-" and four code symbols, read as codes are (any case, O = 0, I = L = 1). */
static bool read_reference(char term[SUPPORT_TERM_SIZE])
{
    if (strlen(term) != 6 || toupper((unsigned char)term[0]) != 'F' || term[1] != '-')
        return false;
    term[0] = 'F';
    for (char *p = term + 2; *p; p++) {
        char c = (char)toupper((unsigned char)*p);
        *p = c == 'O' ? '0' : c == 'I' || c == 'L' ? '1' : c;
        if (voucher_symbol_value(*p) < 0)
            return false;
    }
    return true;
}

/* "RE-YYYY-N" with one to six digits N, written back as "RE-YYYY-NNNNNN". */
static bool read_invoice(char term[SUPPORT_TERM_SIZE])
{
    if (strncasecmp(term, "RE-", 3) != 0 || strlen(term) < 9 || term[7] != '-')
        return false;
    char year[5] = {0};
    memcpy(year, term + 3, 4);
    if (!all_digits(year, 4, 4) || !all_digits(term + 8, 1, 6))
        return false;
    snprintf(term, SUPPORT_TERM_SIZE, "RE-%s-%06ld", year, strtol(term + 8, NULL, 10));
    return true;
}

void support_classify(const char *q, struct support_query *out)
{
    char canon[VOUCHER_CANON_SIZE];
    *out = (struct support_query){.kind = SUPPORT_UNKNOWN};
    trim_into(q, out->term);
    if (read_reference(out->term)) {
        out->kind = SUPPORT_REFERENCE;
    } else if (read_invoice(out->term)) {
        out->kind = SUPPORT_INVOICE;
    } else if (all_digits(out->term, 1, 12)) {
        out->kind = SUPPORT_ORDER;
        out->order_id = strtoll(out->term, NULL, 10);
    } else if (voucher_normalize(out->term, canon) != VOUCHER_MALFORMED) {
        out->kind = voucher_well_formed(canon) ? SUPPORT_CODE : SUPPORT_BAD_CODE;
        memcpy(out->term, canon, VOUCHER_CANON_SIZE);
    } else if (valid_email(out->term)) {
        out->kind = SUPPORT_EMAIL;
    } else if (valid_username(out->term)) {
        out->kind = SUPPORT_USERNAME;
    } else {
        out->term[0] = '\0';
    }
}

const char *support_kind_label(enum support_kind kind)
{
    static const char *const labels[] = {
        [SUPPORT_REFERENCE] = "der Fehlerreferenz", [SUPPORT_INVOICE] = "der Rechnungsnummer",
        [SUPPORT_ORDER] = "der Bestellnummer", [SUPPORT_CODE] = "dem Code",
        [SUPPORT_BAD_CODE] = "dem (vertippten) Code", [SUPPORT_EMAIL] = "der E-Mail-Adresse",
        [SUPPORT_USERNAME] = "dem Benutzernamen", [SUPPORT_UNKNOWN] = "dem Suchbegriff",
    };
    return labels[kind];
}

const char *support_result_text(const char *result)
{
    static const char *const texts[] = {
        "eingelöst",
        "Code hat falsche Länge oder Zeichen",
        "Prüfzeichen falsch: vermutlich vertippt",
        "Code unbekannt",
        "Code bereits eingelöst",
        "Code abgelaufen",
        "Code widerrufen",
        "Benutzername unbekannt oder Konto gesperrt",
        "bereits in diesem Kurs eingeschrieben (Code nicht verbraucht)",
        "Benutzername bereits vergeben",
        "Formular für neues Konto unvollständig oder fehlerhaft",
        "zu viele Fehlversuche (Sperre)",
    };
    if (result && strcmp(result, "OK") == 0)
        return texts[0];
    if (!result || result[0] != 'V' || !all_digits(result + 1, 2, 2))
        return "unbekanntes Ergebnis";
    long n = strtol(result + 1, NULL, 10);
    return n >= 1 && n <= 11 ? texts[n] : "unbekanntes Ergebnis";
}

const char *support_role_label(enum role role)
{
    switch (role) {
    case ROLE_USER: return "Mitarbeiter*in";
    case ROLE_TENANT_ADMIN: return "Mandanten-Administrator*in";
    case ROLE_SUPPORT: return "Support";
    case ROLE_ADMIN: return "Administration";
    }
    return "unbekannt";
}

const char *support_refusal(enum support_action a, const struct voucher *v, int64_t now, int64_t new_until,
                            int64_t completed)
{
    switch (a) {
    case SUPPORT_REVOKE:
        if (v->redeemed_at)
            return "Dieser Code ist bereits eingelöst. Geben Sie ihn zuerst frei, wenn er nicht mehr gelten soll.";
        return v->revoked_at ? "Dieser Code ist bereits widerrufen." : NULL;
    case SUPPORT_EXTEND:
        if (v->redeemed_at)
            return "Dieser Code ist bereits eingelöst; eine Verlängerung ist nicht nötig.";
        if (v->revoked_at)
            return "Ein widerrufener Code kann nicht verlängert werden.";
        return new_until <= now ? "Das neue Ablaufdatum muss heute oder später liegen." : NULL;
    case SUPPORT_UNREVOKE:
        return v->revoked_at ? NULL : "Dieser Code ist nicht widerrufen.";
    case SUPPORT_RELEASE:
        if (!v->redeemed_at)
            return "Dieser Code ist nicht eingelöst; es gibt keine Einlösung, die freigegeben werden könnte.";
        return completed > 0 ? "Die Einlösung kann nicht rückgängig gemacht werden: Ein Kurs dieses Codes "
                               "wurde bereits abgeschlossen."
                             : NULL;
    }
    return "Unbekannte Aktion.";
}

void support_release_mail(struct arena *a, const struct account *acc, const char *const *titles, size_t ntitles,
                          const char *reason, const char *base_url, struct mail_message *m)
{
    struct buf b;
    buf_init(&b, a);
    buf_printf(&b, "Guten Tag %s %s,\n\n", acc->first_name, acc->last_name);
    buf_printf(&b, "der Support der Städtebund Academy hat die Einlösung Ihres Vouchercodes rückgängig gemacht. "
                   "Dem Konto „%s“ %s nicht mehr zugeordnet:\n\n", acc->username,
               ntitles == 1 ? "ist dieser Kurs" : "sind diese Kurse");
    for (size_t i = 0; i < ntitles; i++)
        buf_printf(&b, "  - %s\n", titles[i]);
    if (ntitles == 0)
        buf_puts(&b, "  (keine: Sie waren schon vorher in allen Kursen des Codes eingeschrieben)\n");
    buf_printf(&b, "\nGrund: %s\n\n"
                   "Der Code ist wieder offen. Bei Fragen wenden Sie sich bitte an die Mandanten-Administration "
                   "Ihrer Gemeinde.\nIhre Kurse: %s/meine-kurse\n\n"
                   "Mit freundlichen Grüßen\nIhre Städtebund Academy\n", reason, base_url);
    *m = (struct mail_message){
        .recipients = acc->email,
        .subject = "Einlösung Ihres Vouchercodes rückgängig gemacht",
        .body_text = b.data,
    };
}

char *support_search_url(struct arena *a, const char *term)
{
    struct buf b;
    buf_init(&b, a);
    buf_puts(&b, "/support?q=");
    for (const unsigned char *p = (const unsigned char *)term; *p; p++) {
        if (isalnum(*p) || *p == '.' || *p == '_' || *p == '-')
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    return b.data;
}

char *support_code_url(struct arena *a, int64_t voucher_id)
{
    return arena_printf(a, "/support?code_id=%lld", (long long)voucher_id);
}
