/* h_login — the login form, logging in and out. */
#include "db.h"
#include "handlers.h"
#include "req.h"
#include "session.h"
#include "view.h"

static int show_form(struct req *r, int status, const char *error)
{
    req_csrf_token(r); /* before view_new: the layout takes it */
    struct view *v = view_new(r, "login_form", "Anmelden");
    view_text(v, "username", req_raw(r, F_USERNAME));
    view_text(v, "next", req_text(r, F_NEXT) ? req_text(r, F_NEXT) : "");
    view_text(v, "error", error);
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_login_form(struct req *r)
{
    if (r->who)
        return req_redirect(r, "/");
    return show_form(r, 200, NULL);
}

int h_login_submit(struct req *r)
{
    const char *username = req_text(r, F_USERNAME);
    const char *password = req_text(r, F_PASSWORD);
    if (!*req_raw(r, F_USERNAME) || !password)
        return show_form(r, 422, "Bitte geben Sie Benutzername und Passwort ein.");
    if (!username) /* too long or with control characters: no such account can exist */
        return show_form(r, 401, "Benutzername oder Passwort ist falsch.");
    struct account acc;
    switch (session_check_password(r, username, password, &acc)) {
    case LOGIN_OK:
        break;
    case LOGIN_WRONG:
        return show_form(r, 401, "Benutzername oder Passwort ist falsch.");
    case LOGIN_LIMITED:
        return show_form(r, 429, "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es "
                                 "in einigen Minuten erneut.");
    default:
        return 500;
    }
    if (session_start(r, &acc) != 0)
        return 500;
    const char *next = req_text(r, F_NEXT);
    return req_redirect(r, next ? next : "/");
}

int h_login_logout(struct req *r)
{
    if (session_end(r) != 0)
        return 500;
    return req_redirect(r, "/");
}
