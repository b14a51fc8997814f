/* fmt — see fmt.h. */
#include "fmt.h"

#include <string.h>

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

const char *fmt_hours(struct arena *a, long long hours)
{
    return arena_printf(a, "%lld %s", hours, hours == 1 ? "Stunde" : "Stunden");
}

static const struct {
    const char *action, *label;
} audit_actions[] = {
    {"account.add", "Konto angelegt"},
    {"account.disable", "Konto gesperrt"},
    {"account.enable", "Konto freigegeben"},
    {"account.erase", "Konto anonymisiert"},
    {"account.import", "Konto aus der Lernplattform übernommen"},
    {"account.password", "Passwort geändert"},
    {"account.password_reset", "Passwort über den Link aus der E-Mail neu gesetzt"},
    {"account.profile", "Eigene Kontodaten geändert"},
    {"account.reset_requested", "Neues Passwort angefordert"},
    {"api_token.add", "Zugang für die Lernplattform angelegt"},
    {"api_token.revoke", "Zugang für die Lernplattform widerrufen"},
    {"block.lift_ip", "Sperre einer IP-Adresse aufgehoben"},
    {"block.lift_username", "Sperre eines Benutzernamens aufgehoben"},
    {"catalog.add", "Katalogeintrag angelegt"},
    {"catalog.edit", "Katalogeintrag geändert"},
    {"code.assign", "Code ausgegeben"},
    {"code.extend", "Code verlängert"},
    {"code.release", "Einlösung rückgängig gemacht"},
    {"code.revoke", "Code widerrufen"},
    {"code.send", "Code versendet"},
    {"code.unrevoke", "Widerruf aufgehoben"},
    {"codes.assign", "Codes verteilt"},
    {"completion", "Kursabschluss eingetragen"},
    {"demo.scale", "Demo-Datensatz angelegt"},
    {"download.document", "Dokument heruntergeladen"},
    {"download.journal", "Rechnungsjournal heruntergeladen"},
    {"invoice.cancel", "Rechnung storniert (Gutschrift)"},
    {"invoice.paid", "Rechnung als bezahlt markiert"},
    {"login", "Anmeldung"},
    {"login.failed", "Anmeldung fehlgeschlagen"},
    {"logout", "Abmeldung"},
    {"mail.resend", "E-Mail erneut gesendet"},
    {"reminder", "Erinnerung an ablaufende Codes versendet"},
    {"tenant.add", "Gemeinde angelegt"},
    {"tenant.edit", "Gemeinde geändert"},
};

const char *fmt_audit_action(const char *action)
{
    for (size_t i = 0; i < sizeof audit_actions / sizeof *audit_actions; i++)
        if (strcmp(audit_actions[i].action, action) == 0)
            return audit_actions[i].label;
    return action;
}
