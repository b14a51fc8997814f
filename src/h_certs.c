/* h_certs — certificates: the PDF for its holder only (anyone else: 404),
 * the public verification page, and recording a completion, which issues
 * the certificate: by support or admin through a form, and by the LMS as
 * JSON with a bearer token (routes.c checks the token; no CSRF field).
 * Both ways go through completion_record_one (completion.h). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cert_number.h"
#include "certificate.h"
#include "completion.h"
#include "config.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "form_errors.h"
#include "handlers.h"
#include "req.h"
#include "view.h"

int h_certs_pdf(struct req *r)
{
    struct certificate c;
    int64_t id = req_path_id(r);
    int status = id ? db_certificate_by_id(r->db, r->arena, id, &c) : DB_NOT_FOUND;
    if (status == DB_ERROR)
        return 500;
    if (status != DB_OK || c.account_id != r->who->id)
        return 404;
    const unsigned char *pdf;
    size_t len;
    if (certificate_pdf(r->app->cfg, r->arena, &c, &pdf, &len) != 0)
        return 500;
    return req_download(r, "application/pdf", "inline", arena_printf(r->arena, "Zertifikat-%s.pdf", c.number),
                        pdf, len);
}

/* The certificate with the number as typed; DB_NOT_FOUND also for a
 * number that cannot be one. */
static int find_typed(struct req *r, const char *typed, struct certificate *c)
{
    char number[CERT_NUMBER_SIZE];
    return cert_number_normalize(typed, number) ? db_certificate_by_number(r->db, r->arena, number, c)
                                                : DB_NOT_FOUND;
}

/* Wrong numbers are counted per address ([limits] verify_max_failures
 * within verify_window_seconds) in login_failures, like failed logins, and
 * read as V11 reads its guesses: a count stopped at the limit.  A number
 * that is found never counts; once the address is at its limit, every
 * look-up from it answers 429 until its oldest wrong numbers leave the
 * window (answering found numbers then would tell which ones exist). */
static const char *verify_key(struct req *r)
{
    return arena_printf(r->arena, "verify-ip:%s", r->remote_addr ? r->remote_addr : "");
}

static int verify_limited(struct req *r, const char *key, bool *limited)
{
    const struct config *cfg = r->app->cfg;
    int64_t n = 0;
    int status = db_login_failure_count(r->db, key, r->now - cfg->limits_verify_window_seconds,
                                        cfg->limits_verify_max_failures, &n);
    *limited = status == DB_OK && n >= cfg->limits_verify_max_failures;
    return status;
}

/* Counts one wrong number, in one transaction with the check, so that
 * concurrent wrong numbers never get past the limit: *limited when another
 * request reached it meanwhile (then nothing is counted). */
static int count_wrong_number(struct req *r, const char *key, bool *limited)
{
    const struct config *cfg = r->app->cfg;
    if (db_begin(r->db) != DB_OK)
        return DB_ERROR;
    int status = db_login_failure_add_below(r->db, key, r->now - cfg->limits_verify_window_seconds,
                                            cfg->limits_verify_max_failures, r->now, limited);
    if (status == DB_OK)
        status = db_commit(r->db);
    if (status != DB_OK)
        db_rollback(r->db);
    return status;
}

int h_certs_verify(struct req *r)
{
    const char *typed = req_text(r, F_NR);
    const char *key = verify_key(r);
    bool limited = false;
    struct certificate c;
    int status = typed ? verify_limited(r, key, &limited) : DB_NOT_FOUND;
    if (typed && status == DB_OK && !limited) {
        status = find_typed(r, typed, &c);
        if (status == DB_NOT_FOUND && count_wrong_number(r, key, &limited) != DB_OK)
            status = DB_ERROR;
    }
    if (status == DB_ERROR)
        return 500;
    struct view *v = view_new(r, "certs_verify", "Zertifikat prüfen");
    view_text(v, "nr", req_raw(r, F_NR));
    view_int(v, "asked", typed != NULL);
    view_int(v, "limited", limited);
    view_int(v, "found", !limited && status == DB_OK);
    view_text(v, "wait", fmt_minutes(r->arena, r->app->cfg->limits_verify_window_seconds));
    if (!limited && status == DB_OK) {
        char completed[DATE_TEXT_SIZE];
        date_iso_to_text(c.completed_on, completed);
        view_text(v, "number", c.number);
        view_text(v, "holder", c.holder_name);
        view_text(v, "municipality", c.municipality_name);
        view_text(v, "course", c.course_title);
        view_int(v, "hours", (long)c.hours);
        view_text(v, "completed", completed);
    }
    int rendered = view_render(v);
    if (limited)
        r->status = 429;
    return rendered;
}

/* Records the completion the inputs name, as `via` says. */
static enum completion_status record(struct req *r, const char *via, char number[CERT_NUMBER_SIZE], char *msg,
                                     size_t msglen)
{
    struct completion c = {req_text(r, F_USERNAME), req_text(r, F_COURSE), req_text(r, F_COMPLETED_ON)};
    const char *missing = !c.username       ? "Bitte geben Sie den Benutzernamen an."
                          : !c.course       ? "Bitte wählen Sie den Kurs."
                          : !c.completed_on ? "Bitte geben Sie das Abschlussdatum als JJJJ-MM-TT an."
                                            : NULL;
    if (missing) {
        snprintf(msg, msglen, "%s", missing);
        return COMPLETION_REFUSED;
    }
    struct completion_actor by = {r->who ? r->who->id : 0, via, r->remote_addr};
    return completion_record_one(r->db, r->arena, &c, &by, r->now, number, msg, msglen);
}

/* Columns of table options in certs_complete_form.html, in the order it reads them. */
enum { OPTION_SLUG, OPTION_LABEL, OPTION_SELECTED, OPTION_COLUMNS };

/* Step 2 of the form: the open courses of the account named by username,
 * as a choice (never a typed slug).  Sets "chosen" (the account exists) and
 * "options"; 0 or 500. */
static int course_choice(struct req *r, struct view *v, const char *username, const char *selected)
{
    struct account acc;
    struct open_enrollment *list = NULL;
    size_t n = 0;
    int status = username ? db_account_by_username(r->db, r->arena, username, &acc) : DB_NOT_FOUND;
    if (status == DB_OK)
        status = db_enrollments_open(r->db, r->arena, acc.id, &list, &n);
    if (status == DB_ERROR)
        return 500;
    struct view_table *t = view_table(v, "options", OPTION_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        view_row(t);
        view_cell_text(t, OPTION_SLUG, list[i].slug);
        view_cell_text(t, OPTION_LABEL, arena_printf(r->arena, "%s (eingeschrieben am %s)", list[i].title,
                                                fmt_date(r->arena, list[i].enrolled_at)));
        view_cell_int(t, OPTION_SELECTED, selected && strcmp(selected, list[i].slug) == 0);
    }
    view_int(v, "chosen", status == DB_OK);
    view_int(v, "options_count", (long)n);
    view_text(v, "person", status == DB_OK ? arena_printf(r->arena, "%s %s (%s)", acc.first_name, acc.last_name,
                                                         acc.username)
                                           : "");
    view_text(v, "unknown", username && status == DB_NOT_FOUND
                                ? arena_printf(r->arena, "Es gibt kein Konto mit dem Benutzernamen „%s“.", username)
                                : "");
    return 0;
}

/* The support form: step 1 asks for the username, step 2 (once it names an
 * account) offers that person's open courses.  After success it starts
 * again with the new number; after a refusal it keeps the values and says
 * why. */
static const enum field_id complete_fields[] = {F_COURSE, F_COMPLETED_ON, F__MAX};

static int complete_page(struct req *r, int status, const struct form_errors *e, const char *number)
{
    char today[DATE_TEXT_SIZE];
    date_iso_vienna(r->now, today);
    struct view *v = view_new(r, "certs_complete_form", "Kursabschluss eintragen");
    const char *username = req_text(r, F_USERNAME);
    if (course_choice(r, v, username, number ? NULL : req_text(r, F_COURSE)) != 0)
        return 500;
    view_text(v, "username", req_raw(r, F_USERNAME));
    view_text(v, "completed_on", number ? "" : req_raw(r, F_COMPLETED_ON));
    view_text(v, "today", today);
    form_errors_view(r, v, e, complete_fields, "");
    view_text(v, "number", number);
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_certs_complete_form(struct req *r)
{
    return complete_page(r, 200, &(struct form_errors){0}, NULL);
}

/* The form's own checks, every one: the person, the course, the date (a
 * valid date, not in the future; before the enrollment is completion.c's). */
static void check_completion(struct req *r, struct form_errors *e)
{
    if (!req_text(r, F_USERNAME))
        form_error_set(e, F__MAX, "Bitte wählen Sie zuerst die Person über ihren Benutzernamen.");
    if (!req_text(r, F_COURSE))
        form_error_set(e, F_COURSE, "Bitte wählen Sie den Kurs.");
    const char *on = req_text(r, F_COMPLETED_ON);
    char today[DATE_TEXT_SIZE];
    date_iso_vienna(r->now, today);
    if (!on)
        form_error_set(e, F_COMPLETED_ON, *req_raw(r, F_COMPLETED_ON) ? req_problem(r, F_COMPLETED_ON)
                                                                      : "Bitte geben Sie das Abschlussdatum an.");
    else if (strcmp(on, today) > 0)
        form_error_set(e, F_COMPLETED_ON, "Das Abschlussdatum darf nicht in der Zukunft liegen.");
}

int h_certs_complete_submit(struct req *r)
{
    char number[CERT_NUMBER_SIZE], msg[256];
    struct form_errors e = {0};
    check_completion(r, &e);
    if (e.count || e.text)
        return complete_page(r, 422, &e, NULL);
    enum completion_status cs = record(r, "form", number, msg, sizeof msg);
    const char *text = arena_strdup(r->arena, msg);
    switch (cs) {
    case COMPLETION_OK:
        return complete_page(r, 200, &e, number);
    case COMPLETION_REFUSED: /* the date before the enrollment */
        form_error_set(&e, F_COMPLETED_ON, text);
        return complete_page(r, 422, &e, NULL);
    case COMPLETION_UNKNOWN:
    case COMPLETION_CONFLICT: /* no such course, not enrolled in it, completed before */
        form_error_set(&e, F_COURSE, text);
        return complete_page(r, 422, &e, NULL);
    default:
        return 500;
    }
}

int h_certs_api_complete(struct req *r)
{
    char number[CERT_NUMBER_SIZE], msg[256];
    switch (record(r, "lms", number, msg, sizeof msg)) {
    case COMPLETION_OK:
        return req_json(r, 200, (const char *const[]){"status", "ok", "certificate", number, NULL});
    case COMPLETION_REFUSED:
        return req_json(r, 422, (const char *const[]){"error", msg, NULL});
    case COMPLETION_UNKNOWN:
        return req_json(r, 404, (const char *const[]){"error", msg, NULL});
    case COMPLETION_CONFLICT:
        return req_json(r, 409, (const char *const[]){"error", msg, NULL});
    default:
        return 500;
    }
}
