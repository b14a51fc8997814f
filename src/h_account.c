/* h_account — /konto/passwort: every logged-in person changes their own
 * password.  The current password is checked first, through the login rate
 * limit (session_check_password); the new one
 * follows the rule for new accounts.  The change ends every session of the
 * account (another browser that stayed logged in is logged out) and starts
 * a new one here, in the same transaction as the audit entry. */
#include <string.h>

#include "db.h"
#include "form_errors.h"
#include "handlers.h"
#include "manage.h"
#include "mem.h"
#include "req.h"
#include "session.h"
#include "view.h"

static const enum field_id password_fields[] = {F_CURRENT_PASSWORD, F_PASSWORD, F_PASSWORD2, F__MAX};

static int show_form(struct req *r, int status, const struct form_errors *e, const char *notice)
{
    struct view *v = view_new(r, "account_password", "Passwort ändern");
    form_errors_view(r, v, e, password_fields, "");
    view_text(v, "notice", notice);
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_account_password_form(struct req *r)
{
    return show_form(r, 200, &(struct form_errors){0}, NULL);
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
    struct form_errors e = {0};
    if (!current)
        form_error_set(&e, F_CURRENT_PASSWORD, "Bitte geben Sie Ihr bisheriges Passwort ein.");
    form_new_password(&e, password, req_raw(r, F_PASSWORD), req_raw(r, F_PASSWORD2), r->who->username);
    struct account checked; /* through the login limiter: guesses here count as failed logins */
    switch (current ? session_check_password(r, r->who->username, current, &checked) : LOGIN_OK) {
    case LOGIN_OK:
        break;
    case LOGIN_WRONG:
        form_error_set(&e, F_CURRENT_PASSWORD, "Das bisherige Passwort stimmt nicht.");
        break;
    case LOGIN_LIMITED:
        form_error_set(&e, F_CURRENT_PASSWORD, "Zu viele fehlgeschlagene Versuche. Bitte versuchen Sie es in "
                                               "einigen Minuten erneut.");
        return show_form(r, 429, &e, NULL);
    default:
        return 500;
    }
    if (e.count)
        return show_form(r, 422, &e, NULL);
    char msg[256];
    int rc = change(r, password, msg, sizeof msg);
    if (rc < 0)
        return 500;
    if (rc > 0) {
        form_error_set(&e, F_PASSWORD, arena_strdup(r->arena, msg));
        return show_form(r, 422, &e, NULL);
    }
    return show_form(r, 200, &(struct form_errors){0},
                     "Ihr Passwort wurde geändert. Andere Anmeldungen dieses Kontos sind beendet.");
}

/* ---- /konto: own first name, last name and e-mail address ---- */

static const enum field_id profile_fields[] = {F_FIRST_NAME, F_LAST_NAME, F_EMAIL, F__MAX};

static int show_profile(struct req *r, int status, bool sent, const struct form_errors *e, const char *notice)
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
    form_errors_view(r, v, e, profile_fields, "");
    view_text(v, "notice", notice);
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_account_profile_form(struct req *r)
{
    return show_profile(r, 200, false, &(struct form_errors){0}, NULL);
}

int h_account_profile_submit(struct req *r)
{
    const char *first = req_text(r, F_FIRST_NAME), *last = req_text(r, F_LAST_NAME);
    const char *email = req_text(r, F_EMAIL);
    struct form_errors e = {0};
    if (!first)
        form_error_set(&e, F_FIRST_NAME, "Bitte geben Sie Ihren Vornamen ein (höchstens 100 Zeichen).");
    if (!last)
        form_error_set(&e, F_LAST_NAME, "Bitte geben Sie Ihren Nachnamen ein (höchstens 100 Zeichen).");
    if (!email)
        form_error_set(&e, F_EMAIL, "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel "
                                    "vorname.nachname@gemeinde.gv.at.");
    if (e.count)
        return show_profile(r, 422, true, &e, NULL);
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
    return show_profile(r, 200, false, &(struct form_errors){0}, "Ihre Angaben wurden gespeichert.");
}
