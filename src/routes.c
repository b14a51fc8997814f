/* routes — the route table and the dispatcher.
 *
 * Policy, in this order, for every request:
 *   1. path matches no route            -> 404
 *   2. method not allowed for the path  -> 405 (with Allow)
 *   3. route for the LMS (roles = LMS), instead of 4 and 5: no session and no
 *      CSRF field; "Authorization: Bearer TOKEN" with a valid token of
 *      'voucherctl api-token add' (stored hashed, compared in constant time)
 *      or 401.  Errors under /api/ are JSON {"error": "..."}.  Only
 *      bearer-token routes may skip CSRF: a browser never sends that header
 *      on its own.
 *   4. session cookie -> r->who (unknown or expired = guest);
 *      route needs a role: guest -> 303 to /login (GET) or 403 (POST);
 *      logged in without the role -> 403
 *   5. POST without a valid csrf field  -> 403 (its page says the form
 *      expired; a 403 of step 4 says "nicht berechtigt"); only a route's
 *      stale_token handler may still answer, with what writes nothing (the
 *      redemption form sent again after its own success, whose login
 *      rotated the token: h_redeem_repeat)
 *   6. malformed query or JSON body     -> 400
 *   7. handler; a returned status becomes the error page.
 * Before all of this, req_read answers a malformed form body (bad
 * %-escape, invalid UTF-8, control characters) with 400 itself: nothing of
 * it is read, so there is no csrf field to judge. */
#include "routes.h"

#include <string.h>

#include "app.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "handlers.h"
#include "req.h"
#include "session.h"
#include "view.h"

#define PUBLIC 0
#define ANY_ACCOUNT (ROLE_USER | ROLE_TENANT_ADMIN | ROLE_SUPPORT | ROLE_ADMIN)
#define STAFF (ROLE_SUPPORT | ROLE_ADMIN)
#define LMS 0x100u /* not a role: the LMS, by bearer token (policy step 3) */

struct route {
    unsigned methods;    /* M_GET also allows HEAD */
    const char *pattern; /* literal, '*' matches one run of [A-Za-z0-9-], '~' one of [A-Za-z0-9._-] (usernames) */
    int (*handler)(struct req *r);
    unsigned roles;      /* PUBLIC, the roles allowed, or LMS */
    /* Step 5's one exception, or NULL: called instead of the 403 when the
     * POST's csrf field fails; it may only answer what writes nothing, else
     * it returns CSRF_FAILED. */
    int (*stale_token)(struct req *r);
};

/* A row names its stale_token handler only where there is one. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct route routes[] = {
    {M_GET, "/", h_pages_home, PUBLIC},
    {M_GET, "/kurse", h_catalog_list, PUBLIC},
    {M_GET, "/faq", h_pages_faq, PUBLIC},
    {M_GET, "/impressum", h_pages_impressum, PUBLIC},
    {M_GET, "/datenschutz", h_pages_datenschutz, PUBLIC},
    {M_GET, "/healthz", h_pages_health, PUBLIC},
    {M_GET, "/login", h_login_form, PUBLIC},
    {M_POST, "/login", h_login_submit, PUBLIC},
    {M_POST, "/logout", h_login_logout, PUBLIC},
    {M_GET, "/passwort-vergessen", h_reset_ask_form, PUBLIC},
    {M_POST, "/passwort-vergessen", h_reset_ask_submit, PUBLIC},
    {M_GET, "/passwort-neu", h_reset_new_form, PUBLIC},
    {M_POST, "/passwort-neu", h_reset_new_submit, PUBLIC},
    {M_GET, "/konto", h_account_profile_form, ANY_ACCOUNT},
    {M_POST, "/konto", h_account_profile_submit, ANY_ACCOUNT},
    {M_GET, "/konto/passwort", h_account_password_form, ANY_ACCOUNT},
    {M_POST, "/konto/passwort", h_account_password_submit, ANY_ACCOUNT},
    {M_GET, "/voucher/einloesen", h_redeem_form, PUBLIC},
    /* sent again after its own success, whose login rotated the token */
    {M_POST, "/voucher/einloesen", h_redeem_submit, PUBLIC, h_redeem_repeat},
    {M_GET, "/meine-kurse", h_courses_mine, ANY_ACCOUNT},
    {M_GET, "/bestellen", h_order_form, ROLE_TENANT_ADMIN},
    {M_POST, "/bestellen", h_order_submit, ROLE_TENANT_ADMIN},
    {M_GET, "/bestellungen", h_orders_list, ROLE_TENANT_ADMIN},
    /* an order's page and documents: its municipality's admin, and support and admin (any order, downloads audited) */
    {M_GET, "/bestellungen/*", h_orders_show, ROLE_TENANT_ADMIN | STAFF},
    {M_GET, "/bestellungen/*/codes.csv", h_orders_codes, ROLE_TENANT_ADMIN | STAFF},
    {M_GET, "/bestellungen/*/rechnung.pdf", h_orders_invoice, ROLE_TENANT_ADMIN | STAFF},
    {M_GET, "/bestellungen/*/rechnung.xml", h_accounting_order_xml, ROLE_TENANT_ADMIN | STAFF},
    {M_GET, "/bestellungen/*/voucher.pdf", h_orders_vouchers, ROLE_TENANT_ADMIN},
    {M_POST, "/bestellungen/*/verteilen", h_orders_distribute, ROLE_TENANT_ADMIN},
    {M_POST, "/bestellungen/codes/*", h_orders_assign, ROLE_TENANT_ADMIN},
    {M_POST, "/bestellungen/codes/*/senden", h_orders_send, ROLE_TENANT_ADMIN},
    {M_GET, "/gemeinde/schulungen", h_training_list, ROLE_TENANT_ADMIN},
    {M_GET, "/gemeinde/schulungen.csv", h_training_csv, ROLE_TENANT_ADMIN},
    /* administration: an item is changed under .../{slug or gkz}/bearbeiten,
     * so ".../neu" (the add forms) never hides one; account ids are digits */
    {M_GET, "/admin", h_admin_home, ROLE_ADMIN},
    {M_GET, "/admin/protokoll", h_admin_audit, ROLE_ADMIN},
    /* accounting: {nr} is an invoice number RE-YYYY-NNNNNN */
    {M_GET, "/admin/rechnungen", h_accounting_journal, ROLE_ADMIN},
    {M_GET, "/admin/rechnungen.csv", h_accounting_csv, ROLE_ADMIN},
    {M_GET, "/admin/rechnungen/*", h_accounting_invoice, ROLE_ADMIN},
    {M_POST, "/admin/rechnungen/*/bezahlt", h_accounting_paid, ROLE_ADMIN},
    {M_POST, "/admin/rechnungen/*/storno", h_accounting_storno, ROLE_ADMIN},
    {M_GET, "/admin/rechnungen/*.xml", h_accounting_number_xml, STAFF}, /* an invoice or a credit note */
    {M_GET, "/gutschriften/*.pdf", h_accounting_credit_pdf, ROLE_TENANT_ADMIN | STAFF},
    {M_GET, "/gutschriften/*.xml", h_accounting_credit_xml, ROLE_TENANT_ADMIN | STAFF},
    {M_GET, "/admin/kurse", h_admin_catalog_list, ROLE_ADMIN},
    {M_GET, "/admin/kurse/neu", h_admin_catalog_new, ROLE_ADMIN},
    {M_POST, "/admin/kurse/neu", h_admin_catalog_add, ROLE_ADMIN},
    {M_GET, "/admin/kurse/*/bearbeiten", h_admin_catalog_edit_form, ROLE_ADMIN},
    {M_POST, "/admin/kurse/*/bearbeiten", h_admin_catalog_edit, ROLE_ADMIN},
    {M_GET, "/admin/gemeinden", h_admin_tenants_list, ROLE_ADMIN},
    {M_GET, "/admin/gemeinden/neu", h_admin_tenants_new, ROLE_ADMIN},
    {M_POST, "/admin/gemeinden/neu", h_admin_tenants_add, ROLE_ADMIN},
    {M_GET, "/admin/gemeinden/*/bearbeiten", h_admin_tenants_edit_form, ROLE_ADMIN},
    {M_POST, "/admin/gemeinden/*/bearbeiten", h_admin_tenants_edit, ROLE_ADMIN},
    {M_GET, "/admin/konten", h_admin_accounts_list, ROLE_ADMIN},
    {M_GET, "/admin/konten/neu", h_admin_accounts_new, ROLE_ADMIN},
    {M_POST, "/admin/konten/neu", h_admin_accounts_add, ROLE_ADMIN},
    {M_GET, "/admin/konten/*", h_admin_accounts_show, ROLE_ADMIN},
    {M_POST, "/admin/konten/*/sperren", h_admin_accounts_disable, ROLE_ADMIN},
    {M_POST, "/admin/konten/*/freigeben", h_admin_accounts_enable, ROLE_ADMIN},
    {M_POST, "/admin/konten/*/passwort", h_admin_accounts_password, ROLE_ADMIN},
    {M_GET, "/support", h_support_search, STAFF},
    {M_POST, "/support", h_support_search, STAFF},
    {M_POST, "/support/codes/revoke", h_support_revoke, STAFF},
    {M_POST, "/support/codes/extend", h_support_extend, STAFF},
    {M_POST, "/support/codes/release", h_support_release, STAFF},
    {M_POST, "/support/codes/unrevoke", h_support_unrevoke, STAFF},
    {M_POST, "/support/sperren/aufheben", h_support_lift, STAFF},
    {M_POST, "/support/bestellungen/mail", h_support_mail_resend, STAFF},
    {M_GET, "/zertifikat/pruefen", h_certs_verify, PUBLIC},
    {M_GET, "/zertifikat/*.pdf", h_certs_pdf, ANY_ACCOUNT},
    {M_GET, "/support/abschluss", h_certs_complete_form, STAFF},
    {M_POST, "/support/abschluss", h_certs_complete_submit, STAFF},
    /* the LMS API v1: bearer tokens of 'voucherctl api-token add', JSON errors */
    {M_GET, "/api/v1/enrollments", h_api_enrollments, LMS},
    {M_POST, "/api/v1/completions", h_certs_api_complete, LMS},
    {M_GET, "/api/v1/accounts/~", h_api_account, LMS},
};
#pragma GCC diagnostic pop

#define NROUTES (sizeof routes / sizeof routes[0])

static bool arg_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
}

static bool username_char(char c)
{
    return arg_char(c) || c == '.' || c == '_';
}

/* Matches path against pattern; on success *arg is the '*' or '~' part (or NULL). */
static bool match(struct req *r, const char *pattern, const char *path, const char **arg)
{
    *arg = NULL;
    while (*pattern) {
        if (*pattern == '*' || *pattern == '~') {
            bool (*allowed)(char) = *pattern == '*' ? arg_char : username_char;
            const char *start = path;
            while (allowed(*path))
                path++;
            if (path == start || path - start > 64)
                return false;
            *arg = arena_strndup(r->arena, start, (size_t)(path - start));
            pattern++;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *path == '\0';
}

static void set_allow(struct req *r, unsigned methods)
{
    req_header(r, "Allow", (methods & M_POST) ? (methods & M_GET ? "GET, HEAD, POST" : "POST")
                                               : "GET, HEAD");
}

/* The route for this path and method; *status is 404/405 when none. */
static const struct route *find_route(struct req *r, int *status)
{
    unsigned allowed = 0;
    enum method m = r->method == M_HEAD ? M_GET : r->method;
    for (size_t i = 0; i < NROUTES; i++) {
        const char *arg;
        if (!match(r, routes[i].pattern, r->path, &arg))
            continue;
        allowed |= routes[i].methods;
        if (routes[i].methods & m) {
            r->path_arg = arg;
            return &routes[i];
        }
    }
    *status = allowed ? 405 : 404;
    if (allowed)
        set_allow(r, allowed);
    return NULL;
}

static int check_role(struct req *r, const struct route *rt)
{
    if (rt->roles == PUBLIC || (r->who && (r->who->role & rt->roles)))
        return 0;
    if (r->who || r->method == M_POST)
        return 403;
    char *next = arena_printf(r->arena, "/login?next=%s", r->path);
    req_redirect(r, next);
    return 303;
}

/* "Authorization: Bearer TOKEN" naming a valid token of api_tokens (only
 * hashes are stored; the hash is compared again in constant time). */
static int check_lms_token(struct req *r)
{
    static const char scheme[] = "Bearer ";
    const char *sent = r->authorization;
    if (sent && strncmp(sent, scheme, sizeof scheme - 1) == 0 &&
        strlen(sent + sizeof scheme - 1) == CRYPTO_TOKEN_TEXT_SIZE - 1) {
        unsigned char hash[CRYPTO_HASH_SIZE];
        crypto_hash_text(sent + sizeof scheme - 1, hash);
        int status = db_api_token_use(r->db, hash, r->now);
        if (status == DB_OK)
            return 0;
        if (status == DB_ERROR)
            return 500;
    }
    req_header(r, "WWW-Authenticate", "Bearer");
    return 401;
}

static int check_session(struct req *r, const struct route *rt)
{
    int status = session_load(r);
    if (status == 0)
        status = check_role(r, rt);
    if (status == 0 && r->method == M_POST && !req_csrf_valid(r))
        status = CSRF_FAILED;
    return status;
}

static int dispatch(struct req *r, const struct route *rt)
{
    int status = rt->roles == LMS ? check_lms_token(r) : check_session(r, rt);
    if (status == CSRF_FAILED && rt->stale_token && !r->input_malformed)
        return rt->stale_token(r);
    if (status != 0)
        return status;
    if (r->input_malformed)
        return 400;
    return rt->handler(r);
}

static void json_error(struct req *r, int status);

void routes_dispatch(struct req *r)
{
    int status = 0;
    const struct route *rt = find_route(r, &status);
    if (rt)
        status = dispatch(r, rt);
    if (status == 303 || status == 0)
        return;
    db_rollback(r->db); /* a handler that failed half-way leaves nothing behind */
    if (rt && rt->roles == LMS)
        json_error(r, status);
    else
        routes_error_page(r, status);
}

struct error_text {
    int status;
    const char *title, *message;
};

static const struct error_text error_texts[] = {
    {400, "Ungültige Anfrage", "Die Anfrage enthielt ungültige Zeichen. Bitte prüfen Sie Ihre Eingabe."},
    {401, "Nicht berechtigt", "Für diese Anfrage fehlen gültige Zugangsdaten."},
    {403, "Nicht berechtigt",
     "Sie sind für diese Seite nicht berechtigt. Bitte melden Sie sich mit einem Konto an, das diese"
     " Aufgabe hat, oder wenden Sie sich an die Administration."},
    {CSRF_FAILED, "Sicherheitsprüfung fehlgeschlagen",
     "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."},
    {404, "Seite nicht gefunden", "Die aufgerufene Seite gibt es nicht. Vielleicht hilft die Startseite weiter."},
    {405, "Methode nicht erlaubt", "Diese Seite kann so nicht aufgerufen werden."},
    {413, "Anfrage zu groß", "Die gesendeten Daten sind zu umfangreich."},
    {500, "Interner Fehler",
     "Leider ist ein Fehler aufgetreten. Es wurde nichts verändert. Bitte versuchen Sie es später noch einmal."},
};

static const struct error_text *error_text(int status)
{
    const struct error_text *t = &error_texts[sizeof error_texts / sizeof *error_texts - 1];
    for (size_t i = 0; i < sizeof error_texts / sizeof *error_texts; i++)
        if (error_texts[i].status == status)
            t = &error_texts[i];
    return t;
}

static void json_error(struct req *r, int status)
{
    req_json(r, status == CSRF_FAILED ? 403 : status, (const char *const[]){"error", error_text(status)->title, NULL});
}

void routes_error_page(struct req *r, int status)
{
    if (strncmp(r->path, "/api/", 5) == 0) { /* errors under /api/ are JSON */
        json_error(r, status);
        return;
    }
    const struct error_text *t = error_text(status);
    struct view *v = view_new(r, "error", t->title);
    view_text(v, "heading", t->title);
    view_text(v, "message", t->message);
    if (view_render(v) != 0) {
        r->content_type = "text/plain; charset=utf-8";
        buf_clear(&r->body);
        buf_puts(&r->body, t->title);
    }
    r->status = status == CSRF_FAILED ? 403 : status;
}
