/* h_reset — /passwort-vergessen and /passwort-neu (the rules are reset.h's).
 * The request page answers the same sentence whether or not an account
 * matched; only a client address that asked too often is told so (which
 * says nothing about accounts). */
#include <string.h>

#include "app.h"
#include "config.h"
#include "fmt.h"
#include "form_errors.h"
#include "handlers.h"
#include "mem.h"
#include "req.h"
#include "reset.h"
#include "sender.h"
#include "view.h"

#define ANSWER "Wenn ein Konto zu dieser Angabe passt, ist eine E-Mail mit einem Link zum Setzen eines neuen " \
               "Passworts an seine Adresse unterwegs. Bitte sehen Sie auch im Spam-Ordner nach."

static struct reset_env env_of(struct req *r)
{
    return (struct reset_env){.db = r->db, .keys = &r->app->keys, .cfg = r->app->cfg, .a = r->arena,
                              .ip = r->remote_addr, .now = r->now};
}

static const char *lifetime(struct req *r)
{
    int seconds = r->app->cfg->security_password_reset_seconds;
    if (seconds >= 3600) {
        int hours = (seconds + 1800) / 3600;
        return hours == 1 ? "eine Stunde" : arena_printf(r->arena, "%d Stunden", hours);
    }
    return fmt_minutes(r->arena, seconds);
}

static int show_ask(struct req *r, int status, const char *answer, const char *error)
{
    req_csrf_token(r); /* before view_new: the layout takes it */
    struct view *v = view_new(r, "reset_ask", "Passwort vergessen");
    view_text(v, "answer", answer);
    view_text(v, "error", error);
    view_text(v, "login", answer ? "" : req_raw(r, F_LOGIN));
    view_text(v, "lifetime", lifetime(r));
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_reset_ask_form(struct req *r)
{
    return show_ask(r, 200, NULL, NULL);
}

int h_reset_ask_submit(struct req *r)
{
    const char *login = req_text(r, F_LOGIN);
    if (!*req_raw(r, F_LOGIN))
        return show_ask(r, 422, NULL, "Bitte geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein.");
    bool ip_limited = false;
    int queued = 0;
    struct reset_env env = env_of(r);
    if (login && reset_request(&env, login, &ip_limited, &queued) != 0)
        return 500;
    if (ip_limited)
        return show_ask(r, 429, NULL, "Von Ihrer Adresse kamen zu viele Anfragen. Bitte versuchen Sie es in "
                                      "einer Stunde noch einmal.");
    if (queued)
        sender_wake(r->app->sender);
    return show_ask(r, 200, ANSWER, NULL);
}

static const char *state_text(enum reset_state s)
{
    switch (s) {
    case RESET_USED:
        return "Dieser Link wurde bereits verwendet. Jeder Link gilt nur einmal. Fordern Sie bitte einen neuen "
               "an, wenn Sie Ihr Passwort noch einmal setzen möchten.";
    case RESET_EXPIRED:
        return "Dieser Link ist abgelaufen. Fordern Sie bitte einen neuen an.";
    default:
        return "Dieser Link ist ungültig. Bitte kopieren Sie ihn vollständig aus der E-Mail, oder fordern Sie "
               "einen neuen an.";
    }
}

static const enum field_id new_fields[] = {F_PASSWORD, F_PASSWORD2, F__MAX};

static int show_new(struct req *r, int status, const char *token, const struct password_reset *pr,
                    enum reset_state state, const struct form_errors *e, bool done)
{
    req_csrf_token(r);
    struct view *v = view_new(r, "reset_new", "Neues Passwort setzen");
    view_int(v, "done", done);
    view_text(v, "invalid", !done && state != RESET_VALID ? state_text(state) : "");
    view_text(v, "token", state == RESET_VALID ? token : "");
    view_text(v, "username", state == RESET_VALID && pr ? pr->acc.username : "");
    form_errors_view(r, v, e ? e : &(struct form_errors){0}, new_fields, "");
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_reset_new_form(struct req *r)
{
    const char *token = req_text(r, F_T);
    struct password_reset pr;
    enum reset_state state;
    struct reset_env env = env_of(r);
    if (reset_check(&env, token, &pr, &state) != 0)
        return 500;
    return show_new(r, state == RESET_VALID ? 200 : 410, token, &pr, state, NULL, false);
}

int h_reset_new_submit(struct req *r)
{
    const char *token = req_text(r, F_T);
    const char *password = req_text(r, F_PASSWORD);
    struct password_reset pr;
    enum reset_state state;
    struct reset_env env = env_of(r);
    if (reset_check(&env, token, &pr, &state) != 0)
        return 500;
    if (state != RESET_VALID)
        return show_new(r, 410, token, &pr, state, NULL, false);
    struct form_errors e = {0};
    form_new_password(&e, password, req_raw(r, F_PASSWORD), req_raw(r, F_PASSWORD2), pr.acc.username);
    if (e.count)
        return show_new(r, 422, token, &pr, state, &e, false);
    char msg[256] = "";
    int rc = reset_use(&env, token, password, &state, msg, sizeof msg);
    if (rc < 0)
        return 500;
    if (rc > 0 && state != RESET_VALID)
        return show_new(r, 410, token, &pr, state, NULL, false);
    if (rc > 0) {
        form_error_set(&e, F_PASSWORD, arena_strdup(r->arena, msg));
        return show_new(r, 422, token, &pr, state, &e, false);
    }
    return show_new(r, 200, token, &pr, state, NULL, true);
}
