/* h_account — /konto/passwort: every logged-in person changes their own
 * password.  The current password is checked first, through the login rate
 * limit (session_check_password); the new one
 * follows the rule for new accounts.  The change ends every session of the
 * account (another browser that stayed logged in is logged out) and starts
 * a new one here, in the same transaction as the audit entry. */
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "manage.h"
#include "mem.h"
#include "req.h"
#include "session.h"
#include "view.h"

static int show_form(struct req *r, int status, enum field_id wrong, const char *error, const char *notice)
{
    struct view *v = view_new(r, "account_password", "Passwort ändern");
    view_text(v, "error", error);
    view_text(v, "notice", notice);
    view_int(v, "current_invalid", error && wrong == F_CURRENT_PASSWORD);
    view_int(v, "new_invalid", error && wrong == F_PASSWORD);
    view_int(v, "repeat_invalid", error && wrong == F_PASSWORD2);
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_account_password_form(struct req *r)
{
    return show_form(r, 200, F__MAX, NULL, NULL);
}

/* Sets the password, ends all sessions, audits and logs in anew: 0, 1 (msg) or -1. */
static int change(struct req *r, const char *password, char *msg, size_t msglen)
{
    struct account acc = *r->who;
    if (db_begin(r->db) != DB_OK)
        return -1;
    int rc = manage_user_set_password(r->db, &acc, password, msg, msglen);
    if (rc == 0 && db_audit_add(r->db, acc.id, AUDIT_ACCOUNT_PASSWORD, acc.username, "selbst geändert",
                                r->remote_addr, r->now) != DB_OK)
        rc = -1;
    if (rc == 0 && session_start(r, &acc) != 0)
        rc = -1;
    if (rc == 0 && db_commit(r->db) != DB_OK)
        rc = -1;
    if (rc != 0)
        db_rollback(r->db);
    return rc;
}

int h_account_password_submit(struct req *r)
{
    const char *current = req_text(r, F_CURRENT_PASSWORD);
    const char *password = req_text(r, F_PASSWORD);
    const char *repeat = req_raw(r, F_PASSWORD2);
    if (!current)
        return show_form(r, 422, F_CURRENT_PASSWORD, "Bitte geben Sie Ihr bisheriges Passwort ein.", NULL);
    struct account checked; /* through the login limiter: guesses here count as failed logins */
    switch (session_check_password(r, r->who->username, current, &checked)) {
    case LOGIN_OK:
        break;
    case LOGIN_WRONG:
        return show_form(r, 422, F_CURRENT_PASSWORD, "Das bisherige Passwort stimmt nicht.", NULL);
    case LOGIN_LIMITED:
        return show_form(r, 429, F_CURRENT_PASSWORD, "Zu viele fehlgeschlagene Versuche. Bitte versuchen Sie es "
                                                     "in einigen Minuten erneut.", NULL);
    default:
        return 500;
    }
    if (!password)
        return show_form(r, 422, F_PASSWORD, "Bitte geben Sie ein neues Passwort ein.", NULL);
    if (strcmp(password, repeat) != 0)
        return show_form(r, 422, F_PASSWORD2, "Die beiden neuen Passwörter stimmen nicht überein.", NULL);
    char msg[256];
    int rc = change(r, password, msg, sizeof msg);
    if (rc < 0)
        return 500;
    if (rc > 0)
        return show_form(r, 422, F_PASSWORD, arena_strdup(r->arena, msg), NULL);
    return show_form(r, 200, F__MAX, NULL, "Ihr Passwort wurde geändert. Andere Anmeldungen dieses Kontos sind beendet.");
}

/* ---- /konto: own first name, last name and e-mail address ---- */

static int show_profile(struct req *r, int status, bool sent, enum field_id wrong, const char *error,
                        const char *notice)
{
    const struct account *me = r->who;
    struct municipality m = {.name = ""};
    if (me->municipality_id && db_municipality_by_id(r->db, r->arena, me->municipality_id, &m) == DB_ERROR)
        return 500;
    struct view *v = view_new(r, "account_profile", "Mein Konto");
    view_text(v, "username", me->username);
    view_text(v, "municipality", m.name);
    view_text(v, "first_name", sent ? req_raw(r, F_FIRST_NAME) : me->first_name);
    view_text(v, "last_name", sent ? req_raw(r, F_LAST_NAME) : me->last_name);
    view_text(v, "email", sent ? req_raw(r, F_EMAIL) : me->email);
    view_int(v, "first_name_invalid", error && wrong == F_FIRST_NAME);
    view_int(v, "last_name_invalid", error && wrong == F_LAST_NAME);
    view_int(v, "email_invalid", error && wrong == F_EMAIL);
    view_text(v, "error", error);
    view_text(v, "notice", notice);
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_account_profile_form(struct req *r)
{
    return show_profile(r, 200, false, F__MAX, NULL, NULL);
}

int h_account_profile_submit(struct req *r)
{
    const char *first = req_text(r, F_FIRST_NAME), *last = req_text(r, F_LAST_NAME);
    const char *email = req_text(r, F_EMAIL);
    if (!first)
        return show_profile(r, 422, true, F_FIRST_NAME, "Bitte geben Sie Ihren Vornamen ein (höchstens 100 "
                                                        "Zeichen).", NULL);
    if (!last)
        return show_profile(r, 422, true, F_LAST_NAME, "Bitte geben Sie Ihren Nachnamen ein (höchstens 100 "
                                                       "Zeichen).", NULL);
    if (!email)
        return show_profile(r, 422, true, F_EMAIL, "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum "
                                                   "Beispiel vorname.nachname@gemeinde.gv.at.", NULL);
    struct account acc = *r->who;
    const char *detail = arena_printf(r->arena, "%s %s <%s> -> %s %s <%s>", acc.first_name, acc.last_name,
                                      acc.email, first, last, email);
    acc.first_name = first;
    acc.last_name = last;
    acc.email = email;
    if (db_begin(r->db) != DB_OK)
        return 500;
    int status = db_account_set_profile(r->db, &acc);
    if (status == DB_OK)
        status = db_audit_add(r->db, acc.id, AUDIT_ACCOUNT_PROFILE, acc.username, detail, r->remote_addr, r->now);
    if (db_end(r->db, status == DB_OK ? 0 : -1) != 0)
        return 500;
    *r->who = acc;
    return show_profile(r, 200, false, F__MAX, NULL, "Ihre Angaben wurden gespeichert.");
}
