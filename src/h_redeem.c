/* h_redeem — /voucher/einloesen: the two forms ("Ich habe bereits ein
 * Konto", "Ich bin neu hier") and redeeming a code.
 *
 * The rules are redeem_decide() (redeem.c); here its facts are loaded as it
 * asks for them.  A POST is decided twice: first by a read-only pre-check,
 * so that the expensive password hash of a new account is computed only
 * when the attempt will succeed, and without holding the write lock; then
 * again, authoritatively, inside one BEGIN IMMEDIATE transaction that also
 * writes everything: the account (new users), the conditional update of the
 * voucher, the enrollments, the confirmation e-mail, the session (new users)
 * and the attempt log.  Either all of it is committed or none of it.
 *
 * The success is shown again (REDEEM_REPEAT: a double click, Back and send)
 * only to the browser that redeemed the code: a success keeps the hash of
 * the form's csrf token (bound to that browser's session or pre-login
 * cookie), and only a request sending that token again is recognised.
 * Anyone else with the code and the right username gets V04.  A new user's
 * login rotates the token (req_csrf_rotate), so the form sent again after
 * it fails the CSRF check: the dispatcher then calls h_redeem_repeat, which
 * shows that repeat and nothing else, writing nothing. */
#include <string.h>

#include "app.h"
#include "config.h"
#include "codes.h"
#include "crypto.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "form_errors.h"
#include "handlers.h"
#include "mem.h"
#include "outbox.h"
#include "redeem.h"
#include "req.h"
#include "sender.h"
#include "session.h"
#include "view.h"
#include "worker.h"

/* The input field each of redeem.c's new-user fields is shown at. */
static const enum field_id new_user_field[RF__MAX] = {
    [RF_FIRST_NAME] = F_FIRST_NAME, [RF_LAST_NAME] = F_LAST_NAME, [RF_EMAIL] = F_EMAIL,
    [RF_USERNAME] = F_USERNAME,     [RF_PASSWORD] = F_PASSWORD,   [RF_PASSWORD2] = F_PASSWORD2,
    [RF_PRIVACY] = F_PRIVACY,
};

/* One attempt, in the request's arena. */
struct attempt {
    const char *username;            /* as sent (valid text) or NULL */
    struct redeem_new_user form;     /* new users */
    struct form_errors errs;         /* what is wrong with each field of the form sent */
    char canon[VOUCHER_CANON_SIZE];
    unsigned char hash[CRYPTO_HASH_SIZE];
    unsigned char browser[CRYPTO_HASH_SIZE]; /* hash of the csrf field sent */
    bool has_browser;
    struct redeem_facts f;
    struct voucher voucher;
    struct account acc;              /* the account the code goes (or went) to */
    int64_t verified_id;             /* account whose password was checked for a repeat, 0 = none */
    bool verified_ok;
    char password_hash[CRYPTO_PASSWORD_HASH_SIZE]; /* new users, "" until computed */
    struct voucher_courses_split courses; /* on success: the code's courses, newly enrolled or held before */
    struct course_link *links;       /* its courses in the LMS ("Zum Kurs"), on success */
    size_t nlinks;
    bool links_known;
    char reference[REDEEM_REF_SIZE];
};

/* ---- loading the facts redeem_decide() asks for ---- */

static int load_failures(struct req *r, struct attempt *a)
{
    const struct config *cfg = r->app->cfg;
    a->f.max_failures = cfg->limits_redeem_max_failures;
    a->f.failures_known = true;
    return db_redemption_guesses(r->db, r->remote_addr, a->username, r->now - cfg->limits_redeem_window_seconds,
                                 cfg->limits_redeem_max_failures, &a->f.failures_ip, &a->f.failures_username);
}

/* Whether the code's redeemer is the sender (a double click): the same
 * browser (its csrf token was sent with the success), then the same
 * account; for a new account the password must match too (checked once
 * per request, and never for another browser). */
static int load_same_person(struct req *r, struct attempt *a)
{
    bool seen = false;
    int status = a->has_browser ? db_redemption_browser_seen(r->db, a->hash, a->browser, a->voucher.redeemed_at, &seen)
                                : DB_OK;
    a->f.same_browser = seen;
    if (status != DB_OK || !seen)
        return status;
    struct account redeemer;
    status = db_account_by_id(r->db, r->arena, a->voucher.redeemed_by, &redeemer);
    if (status != DB_OK || !redeem_same_person(&redeemer, a->username, a->f.new_user ? &a->form : NULL))
        return status == DB_ERROR ? DB_ERROR : DB_OK;
    if (a->f.new_user && a->verified_id != redeemer.id) {
        a->verified_ok = crypto_password_verify(redeemer.password_hash, a->form.password);
        a->verified_id = redeemer.id;
    }
    a->f.same_person = !a->f.new_user || a->verified_ok;
    if (a->f.same_person)
        a->acc = redeemer;
    return DB_OK;
}

static int load_voucher(struct req *r, struct attempt *a)
{
    int status = db_voucher_by_hash(r->db, r->arena, a->hash, &a->voucher);
    if (status == DB_ERROR)
        return status;
    a->f.voucher_known = true;
    a->f.voucher = status == DB_OK ? &a->voucher : NULL;
    if (a->f.voucher && redeem_recent(&a->voucher, r->now))
        return load_same_person(r, a);
    return DB_OK;
}

static int load_account(struct req *r, struct attempt *a)
{
    int status = a->username ? db_account_by_username(r->db, r->arena, a->username, &a->acc) : DB_NOT_FOUND;
    if (status == DB_ERROR)
        return status;
    a->f.account_known = true;
    a->f.account_found = status == DB_OK;
    a->f.account_disabled = a->f.account_found && a->acc.disabled;
    return DB_OK;
}

static int load_enrollment(struct req *r, struct attempt *a)
{
    int64_t missing = 0;
    int status = db_enrollment_missing(r->db, a->voucher.id, a->acc.id, &missing);
    a->f.enrollment_known = true;
    a->f.enrolled_in_all = missing == 0;
    return status;
}

/* Starts the facts afresh from what was sent. */
static void reset_facts(struct req *r, struct attempt *a)
{
    a->f = (struct redeem_facts){
        .now = r->now, .new_user = a->f.new_user, .code = a->f.code, .form_valid = a->f.form_valid,
    };
}

/* Asks redeem_decide() until it answers, loading what it needs.  DB_OK or
 * DB_ERROR. */
static int evaluate(struct req *r, struct attempt *a, enum redeem_outcome *o)
{
    int status = DB_OK;
    reset_facts(r, a);
    while (status == DB_OK && redeem_needs_fact(*o = redeem_decide(&a->f))) {
        switch (*o) {
        case REDEEM_NEED_FAILURES: status = load_failures(r, a); break;
        case REDEEM_NEED_VOUCHER: status = load_voucher(r, a); break;
        case REDEEM_NEED_ACCOUNT: status = load_account(r, a); break;
        default: status = load_enrollment(r, a); break;
        }
    }
    return status;
}

/* ---- writing ---- */

/* Hashes the new account's password once.  0, or -1 without memory for it. */
static int ensure_password_hash(struct attempt *a)
{
    if (a->password_hash[0])
        return 0;
    return crypto_password_hash(a->form.password, a->password_hash);
}

static int add_account(struct req *r, struct attempt *a)
{
    if (ensure_password_hash(a) != 0)
        return DB_ERROR;
    a->acc = (struct account){
        .username = a->form.username, .email = a->form.email, .first_name = a->form.first_name,
        .last_name = a->form.last_name, .role = ROLE_USER, .municipality_id = a->voucher.municipality_id,
        .password_hash = a->password_hash,
    };
    return db_account_add(r->db, &a->acc, r->now, &a->acc.id);
}

static int queue_mail(struct req *r, struct attempt *a, bool new_account)
{
    struct municipality m = {.name = ""};
    if (new_account && db_municipality_by_id(r->db, r->arena, a->acc.municipality_id, &m) != DB_OK)
        return DB_ERROR;
    struct mail_message mail;
    redeem_mail(r->arena, &a->acc, new_account, m.name, &a->courses, a->links, a->nlinks,
                r->app->cfg->server_base_url, &mail);
    return outbox_queue(r->db, &r->app->keys, r->arena, &mail, r->now);
}

/* The voucher's courses of this account with an address in the LMS. */
static int load_links(struct req *r, struct attempt *a)
{
    if (a->links_known)
        return DB_OK;
    a->links_known = true;
    return db_voucher_course_links(r->db, r->arena, a->voucher.id, a->acc.id, &a->links, &a->nlinks);
}

/* Everything a success writes (inside the transaction). */
static int write_redemption(struct req *r, struct attempt *a)
{
    int status = a->f.new_user ? add_account(r, a) : DB_OK;
    if (status == DB_OK)
        status = db_redemption_write(r->db, a->voucher.id, a->acc.id, r->now);
    if (status == DB_OK)
        status = db_voucher_courses_for_account(r->db, r->arena, a->voucher.id, a->acc.id, &a->courses);
    if (status == DB_OK)
        status = load_links(r, a);
    if (status == DB_OK)
        status = queue_mail(r, a, a->f.new_user);
    return status == DB_CONFLICT ? DB_ERROR : status; /* a conflict here cannot happen under the lock */
}

static bool succeeded(enum redeem_outcome o)
{
    return o == REDEEM_OK || o == REDEEM_REPEAT;
}

static int log_attempt(struct req *r, struct attempt *a, enum redeem_outcome o)
{
    unsigned char random[REDEEM_REF_RANDOM];
    crypto_random(random, sizeof random);
    redeem_reference(random, a->reference);
    /* Only a username that names an account is kept: whatever else was
     * typed (a password in the wrong field) never reaches the database. */
    const char *username = NULL;
    if (o == REDEEM_OK || o == REDEEM_REPEAT || (a->f.account_known && a->f.account_found)) {
        username = a->acc.username;
    } else if (!a->f.account_known && a->username) { /* decided before the account was looked up */
        struct account acc;
        int status = db_account_by_username(r->db, r->arena, a->username, &acc);
        if (status == DB_ERROR)
            return status;
        username = status == DB_OK ? acc.username : NULL;
    }
    struct redemption_attempt at = {
        .at = r->now, .ip = r->remote_addr, .username = username,
        .code_hash = a->f.code == VOUCHER_MALFORMED ? NULL : a->hash,
        .result = redeem_number(o), .reference = a->reference,
        .voucher_id = a->f.voucher ? a->f.voucher->id : 0,
        .browser = succeeded(o) && a->has_browser ? a->browser : NULL,
    };
    return db_redemption_attempt_add(r->db, &at);
}

/* What the transaction does after deciding. */
static int act(struct req *r, struct attempt *a, enum redeem_outcome o)
{
    int status = DB_OK;
    if (o == REDEEM_REPEAT) /* shown again as it was: the enrollments this code made */
        status = db_voucher_courses_for_account(r->db, r->arena, a->voucher.id, a->acc.id, &a->courses);
    if (o == REDEEM_OK)
        status = write_redemption(r, a);
    if (status == DB_OK && succeeded(o) && a->f.new_user)
        status = session_start(r, &a->acc) == 0 ? DB_OK : DB_ERROR;
    return status == DB_OK ? log_attempt(r, a, o) : status;
}

/* The authoritative decision and all its writes, in one transaction. */
static int decide_and_write(struct req *r, struct attempt *a, enum redeem_outcome *o)
{
    if (db_begin(r->db) != DB_OK)
        return DB_ERROR;
    int status = evaluate(r, a, o);
    if (status == DB_OK)
        status = act(r, a, *o);
    if (status == DB_OK)
        status = db_commit(r->db);
    if (status != DB_OK)
        db_rollback(r->db);
    else if (*o == REDEEM_OK)
        sender_wake(r->app->sender); /* the confirmation e-mail is committed */
    return status;
}

/* ---- the page ---- */

/* One input of a form: the template variable var (the input's id is var
 * with '_' as '-'), its field, whether its value is shown again after an
 * error (never passwords), and the id of its help text. */
struct form_input {
    const char *var;
    enum field_id field;
    bool keep;
    const char *hint_id;
};

static const struct form_input existing_inputs[] = {
    {"ex_username", F_USERNAME, true, NULL},
    {"ex_code", F_CODE, true, "code-help"},
};

static const struct form_input new_inputs[] = {
    {"nw_code", F_CODE, true, "code-help"},
    {"nw_first_name", F_FIRST_NAME, true, NULL},
    {"nw_last_name", F_LAST_NAME, true, NULL},
    {"nw_email", F_EMAIL, true, NULL},
    {"nw_username", F_USERNAME, true, "nw-username-hint"},
    {"nw_password", F_PASSWORD, false, "nw-password-hint"},
    {"nw_password2", F_PASSWORD2, false, NULL},
    {"nw_privacy", F_PRIVACY, true, NULL},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What the page says after an attempt (NULL members: a fresh form). */
struct page_state {
    const struct attempt *a;
    enum redeem_outcome outcome;
    const char *message;      /* the sentence for the outcome */
    enum field_id about;      /* the field the message is about, or F__MAX */
};

/* The ids that describe an input: its help text, its own message
 * (#<var>-error), the message at the top of the page. */
static const char *described_by(struct arena *ar, const char *hint_id, const char *var, bool error, bool about)
{
    struct buf b;
    buf_init(&b, ar);
    if (hint_id)
        buf_puts(&b, hint_id);
    if (error)
        buf_printf(&b, "%s%s-error", b.len ? " " : "", var);
    if (about)
        buf_printf(&b, "%sredeem-error-text", b.len ? " " : "");
    return b.data;
}

/* What a fresh form shows in a field: the code of a link
 * /voucher/einloesen?code=C (normalised for display when well-formed, else
 * as typed) and, in the existing-user form, the logged-in person's username. */
static const char *prefill(struct req *r, const struct form_input *in, const struct page_state *ps)
{
    if (ps->a)
        return "";
    if (in->field == F_CODE) {
        const char *typed = req_text(r, F_CODE);
        char canon[VOUCHER_CANON_SIZE];
        if (!typed || voucher_normalize(typed, canon) == VOUCHER_MALFORMED)
            return typed ? typed : "";
        char *display = arena_alloc(r->arena, VOUCHER_DISPLAY_SIZE);
        voucher_format(canon, display);
        return display;
    }
    if (in->field == F_USERNAME && strcmp(in->var, "ex_username") == 0 && r->who)
        return r->who->username;
    return "";
}

/* Sets var (the value), var_error, var_invalid and var_describedby. */
static void fill_input(struct view *v, struct req *r, const struct form_input *in, bool sent,
                       const struct page_state *ps)
{
    const char *error = sent ? ps->a->errs.at[in->field] : NULL;
    bool about = sent && ps->about == in->field;
    view_text(v, in->var, sent && in->keep ? req_raw(r, in->field) : prefill(r, in, ps));
    view_text(v, arena_printf(r->arena, "%s_error", in->var), error);
    view_int(v, arena_printf(r->arena, "%s_invalid", in->var), error || about);
    view_text(v, arena_printf(r->arena, "%s_describedby", in->var),
              described_by(r->arena, in->hint_id, in->var, error != NULL, about));
}

/* The inputs of a form; for the form sent, the list of its fields'
 * messages at the top of the page (prefix: "ex_" or "nw_"). */
static void fill_form(struct view *v, struct req *r, const struct form_input *inputs, size_t n, bool sent,
                      const struct page_state *ps, const char *prefix)
{
    enum field_id *fields = arena_alloc(r->arena, (n + 1) * sizeof *fields);
    for (size_t i = 0; i < n; i++) {
        fill_input(v, r, &inputs[i], sent, ps);
        fields[i] = inputs[i].field;
    }
    fields[n] = F__MAX;
    if (sent)
        form_errors_summary(r, v, &ps->a->errs, fields, prefix);
}

/* The form page; with stand-ins for the layout's user name and CSRF token
 * when kept. */
static struct view *form_view(struct req *r, const struct page_state *ps, bool kept)
{
    bool new_user = ps->a && ps->a->f.new_user;
    const char *number = ps->a ? redeem_number(ps->outcome) : "";
    const char *title = ps->a ? arena_printf(r->arena, "Fehler %s: Voucher einlösen", number) : "Voucher einlösen";
    struct view *v = kept ? view_new_kept(r, "redeem_form", title) : view_new(r, "redeem_form", title);
    if (!ps->a)
        form_errors_summary(r, v, &(struct form_errors){0}, (const enum field_id[]){F__MAX}, "");
    fill_form(v, r, existing_inputs, N(existing_inputs), ps->a && !new_user, ps, "ex_");
    fill_form(v, r, new_inputs, N(new_inputs), new_user, ps, "nw_");
    view_text(v, "error_number", number);
    view_text(v, "error_text", ps->message);
    view_text(v, "error_reference", ps->a ? ps->a->reference : "");
    return v;
}

/* The fresh form of a guest (no ?code= to fill in): the same page for
 * every guest but for the CSRF token, kept with a stand-in for it. */
static int render_fresh_guest_form(struct req *r, char **html, size_t *len)
{
    return view_render_into(form_view(r, &(struct page_state){.about = F__MAX}, true), html, len);
}

static int show_form(struct req *r, const struct page_state *ps)
{
    req_csrf_token(r); /* before the layout: it takes it */
    r->status = ps->outcome == REDEEM_V11_LIMITED ? 429 : ps->a ? 422 : 200;
    if (!ps->a && !r->who && !req_text(r, F_CODE)) {
        struct page_cache *kept = &r->worker->redeem_form;
        if (page_cache_refresh(r, kept, 1, render_fresh_guest_form) != 0)
            return 500;
        return view_send_kept(r, kept->html, kept->len, NULL);
    }
    return view_render(form_view(r, ps, false));
}

int h_redeem_form(struct req *r)
{
    struct page_state ps = {.about = F__MAX};
    return show_form(r, &ps);
}

/* The sentence for each refusal; %s is the date or wait time where needed. */
static const struct {
    enum field_id about;
    const char *text;
} refusals[] = {
    [REDEEM_V01_MALFORMED] = {F_CODE, "Das ist kein vollständiger Vouchercode: Ein Code hat 24 Zeichen aus "
                                      "Buchstaben und Ziffern, zum Beispiel SBA-7K3QDM-9XWR2H-F8NC4T-JPZ5AH. "
                                      "Bitte kopieren Sie den Code aus der E-Mail und fügen Sie ihn hier ein."},
    [REDEEM_V02_CHECK] = {F_CODE, "Der Code ist vermutlich vertippt: Ein Zeichen stimmt nicht. Bitte vergleichen "
                                  "Sie ihn mit der E-Mail oder kopieren Sie ihn direkt aus der E-Mail."},
    [REDEEM_V03_UNKNOWN] = {F_CODE, "Diesen Code gibt es nicht. Bitte prüfen Sie, ob Sie den ganzen Code kopiert "
                                    "haben. Stimmt er, wenden Sie sich bitte an den Support."},
    [REDEEM_V04_REDEEMED] = {F_CODE, "Dieser Code wurde bereits am %s eingelöst und gilt nicht noch einmal. "
                                     "Wenn Sie ihn nicht selbst eingelöst haben, wenden Sie sich bitte an die "
                                     "Mandanten-Administration Ihrer Gemeinde."},
    [REDEEM_V05_EXPIRED] = {F_CODE, "Dieser Code ist abgelaufen (gültig bis %s). Bitte wenden Sie sich an die "
                                    "Mandanten-Administration Ihrer Gemeinde: Der Support kann die Gültigkeit "
                                    "verlängern."},
    [REDEEM_V06_REVOKED] = {F_CODE, "Dieser Code wurde widerrufen und kann nicht mehr eingelöst werden. Bitte "
                                    "wenden Sie sich an die Mandanten-Administration Ihrer Gemeinde."},
    [REDEEM_V07_NO_ACCOUNT] = {F_USERNAME, "Zu diesem Benutzernamen gibt es kein aktives Konto. Bitte prüfen Sie "
                                           "die Schreibweise, oder legen Sie unter „Ich bin neu hier“ ein "
                                           "neues Konto an. Benutzername vergessen? Unter „Passwort "
                                           "vergessen“ schicken wir ihn mit einem Link an die E-Mail-Adresse "
                                           "Ihres Kontos."},
    [REDEEM_V08_ENROLLED] = {F__MAX, "Sie sind in diesem Kurs (bei einem Paket: in allen seinen Kursen) bereits "
                                     "eingeschrieben. Der Code wurde nicht verbraucht: Geben Sie ihn bitte an die Mandanten-Administration Ihrer "
                                     "Gemeinde zurück, damit eine andere Person ihn nutzen kann."},
    [REDEEM_V09_TAKEN] = {F_USERNAME, "Diesen Benutzernamen gibt es bereits. Bitte wählen Sie einen anderen, oder "
                                      "lösen Sie den Code unter „Ich habe bereits ein Konto“ ein, wenn es "
                                      "Ihr Konto ist."},
    [REDEEM_V10_FORM] = {F__MAX, "Bitte korrigieren Sie die markierten Felder im Formular „Ich bin neu hier“ und "
                                 "senden Sie es noch einmal."},
    [REDEEM_V11_LIMITED] = {F__MAX, "Zu viele fehlgeschlagene Versuche. Bitte warten Sie %s und versuchen Sie es "
                                    "dann noch einmal."},
};

/* The %s of a refusal's sentence. */
static const char *refusal_detail(struct req *r, const struct attempt *a, enum redeem_outcome o)
{
    switch (o) {
    case REDEEM_V04_REDEEMED:
        return fmt_date(r->arena, a->voucher.redeemed_at);
    case REDEEM_V05_EXPIRED:
        return fmt_date(r->arena, a->voucher.valid_until);
    case REDEEM_V11_LIMITED:
        return fmt_minutes(r->arena, r->app->cfg->limits_redeem_window_seconds);
    default:
        return "";
    }
}

/* The problems of the form sent besides the one the outcome names, so the
 * page shows them all at once: a username missing from the existing-user
 * form while the code is at fault, and in a new-user form refused as V10 a
 * username that is taken (the code passed its checks, as for V09).  The
 * outcome, and with it the error number, stays.  DB_OK or DB_ERROR. */
static int other_problems(struct req *r, struct attempt *a, enum redeem_outcome o)
{
    if (!a->f.new_user && !a->username && refusals[o].about != F_USERNAME)
        form_error_set(&a->errs, F_USERNAME, "Bitte geben Sie Ihren Benutzernamen ein.");
    if (o != REDEEM_V10_FORM || !a->form.username || a->errs.at[F_USERNAME])
        return DB_OK;
    struct account acc;
    int status = db_account_by_username(r->db, r->arena, a->form.username, &acc);
    if (status == DB_OK)
        form_error_set(&a->errs, F_USERNAME, refusals[REDEEM_V09_TAKEN].text);
    return status == DB_ERROR ? DB_ERROR : DB_OK;
}

static int show_refusal(struct req *r, struct attempt *a, enum redeem_outcome o)
{
    if (other_problems(r, a, o) != DB_OK)
        return 500;
    struct page_state ps = {.a = a, .outcome = o, .about = refusals[o].about};
    ps.message = arena_printf(r->arena, refusals[o].text, refusal_detail(r, a, o));
    return show_form(r, &ps);
}

static int show_success(struct req *r, struct attempt *a)
{
    if (load_links(r, a) != DB_OK) /* a repeat: read now */
        return 500;
    if (a->f.new_user)
        return req_redirect(r, "/meine-kurse");
    struct view *v = view_new(r, "redeem_done", "Voucher eingelöst");
    /* Columns of tables courses and held in redeem_done.html, in the order it reads them. */
    enum { COURSES_TITLE, COURSES_COLUMNS };
    struct view_table *added = view_table(v, "courses", COURSES_COLUMNS);
    for (size_t i = 0; i < a->courses.nadded; i++) {
        view_row(added);
        view_cell_text(added, COURSES_TITLE, a->courses.added[i]);
    }
    struct view_table *held = view_table(v, "held", COURSES_COLUMNS);
    for (size_t i = 0; i < a->courses.nheld; i++) {
        view_row(held);
        view_cell_text(held, COURSES_TITLE, a->courses.held[i]);
    }
    view_int(v, "held_count", (long)a->courses.nheld);
    view_text(v, "course", a->voucher.item_title); /* the course, or the package */
    view_int(v, "package", a->voucher.item_kind == ITEM_PACKAGE);
    view_text(v, "account", a->acc.username);
    view_int(v, "is_owner", r->who && r->who->id == a->acc.id);
    enum { LINK_TITLE, LINK_URL, LINK_COLUMNS }; /* table links in redeem_done.html */
    struct view_table *lt = view_table(v, "links", LINK_COLUMNS);
    for (size_t i = 0; i < a->nlinks; i++) {
        view_row(lt);
        view_cell_text(lt, LINK_TITLE, a->links[i].title);
        view_cell_url(lt, LINK_URL, a->links[i].url);
    }
    view_int(v, "nlinks", (long)a->nlinks);
    return view_render(v);
}

/* Reads the form into a new attempt; NULL when mode is missing or wrong. */
static struct attempt *read_attempt(struct req *r)
{
    const char *mode = req_text(r, F_MODE);
    if (!mode)
        return NULL;
    struct attempt *a = arena_alloc(r->arena, sizeof *a);
    a->username = req_text(r, F_USERNAME);
    a->f.new_user = strcmp(mode, "new") == 0;
    a->f.code = voucher_normalize(req_text(r, F_CODE), a->canon);
    const char *token = req_text(r, F_CSRF);
    a->has_browser = token != NULL;
    if (token)
        crypto_hash_text(token, a->browser);
    if (a->f.code != VOUCHER_MALFORMED)
        codes_hash(&r->app->keys, a->canon, a->hash);
    if (a->f.new_user) {
        a->form = (struct redeem_new_user){
            .first_name = req_text(r, F_FIRST_NAME), .last_name = req_text(r, F_LAST_NAME),
            .email = req_text(r, F_EMAIL), .username = a->username, .password = req_text(r, F_PASSWORD),
            .password2 = req_text(r, F_PASSWORD2), .privacy = req_text(r, F_PRIVACY) != NULL,
        };
        const char *errors[RF__MAX];
        a->f.form_valid = redeem_check_new_user(&a->form, errors);
        for (int i = 0; i < RF__MAX; i++)
            form_error_set(&a->errs, new_user_field[i], errors[i]);
    }
    return a;
}

int h_redeem_submit(struct req *r)
{
    struct attempt *a = read_attempt(r);
    if (!a)
        return 400;
    enum redeem_outcome o;
    if (evaluate(r, a, &o) != DB_OK)
        return 500;
    if (o == REDEEM_OK && a->f.new_user && ensure_password_hash(a) != 0)
        return 500;
    if (decide_and_write(r, a, &o) != DB_OK)
        return 500;
    return succeeded(o) ? show_success(r, a) : show_refusal(r, a, o);
}

int h_redeem_repeat(struct req *r)
{
    struct attempt *a = read_attempt(r);
    if (!a || !a->has_browser)
        return CSRF_FAILED;
    enum redeem_outcome o;
    if (evaluate(r, a, &o) != DB_OK)
        return 500;
    /* a new account is shown only to its own session: this writes no login */
    if (o != REDEEM_REPEAT || (a->f.new_user && !(r->who && r->who->id == a->acc.id)))
        return CSRF_FAILED;
    if (db_voucher_courses_for_account(r->db, r->arena, a->voucher.id, a->acc.id, &a->courses) != DB_OK)
        return 500;
    return show_success(r, a);
}
