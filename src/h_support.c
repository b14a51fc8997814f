/* h_support — the support desk ("Mein Vouchercode funktioniert nicht").
 *
 * GET /support?q= decides what q names (support_classify) and shows it on
 * one page (templates/support_search.html), block by block: a code with its
 * order, municipality, status, redemption, the forms that change it and the
 * failed attempts around it; for a mistyped or unknown code the stored codes
 * one symbol or one swap away ("Meinten Sie …?"); the accounts with a
 * username or e-mail address; an order with its codes; the attempt behind an
 * error reference, followed by its code.  Codes are shown in clear (support
 * may look up any code, as the owning tenant_admin may).
 *
 * Every page also lists the active V11 blocks (addresses and usernames with
 * [limits] redeem_max_failures guesses in the window).  The changes made
 * from this page (revoke, extend, release, unrevoke, lifting a block,
 * sending an order's e-mail again) are in h_support_actions.c; what the two
 * share is h_support.h.
 * Everything lives in the request's arena. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "codes.h"
#include "config.h"
#include "credit_note.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "h_admin.h"
#include "h_support.h"
#include "handlers.h"
#include "mem.h"
#include "order_docs.h"
#include "outbox.h"
#include "req.h"
#include "sender.h"
#include "support.h"
#include "view.h"

const struct support_action_text support_actions[SUPPORT_UNREVOKE + 1] = {
    [SUPPORT_REVOKE] = {"revoke", AUDIT_CODE_REVOKE, "Der Code wurde widerrufen.", "Widerrufen",
                        "Ein widerrufener Code kann nie mehr eingelöst werden.", "Code widerrufen"},
    [SUPPORT_EXTEND] = {"extend", AUDIT_CODE_EXTEND, "Die Gültigkeit des Codes wurde verlängert.", "Verlängern",
                        "Der Code gilt dann bis zum Ende des gewählten Tages (Wiener Zeit).",
                        "Gültigkeit verlängern"},
    [SUPPORT_RELEASE] = {"release", AUDIT_CODE_RELEASE,
                         "Die Einlösung wurde rückgängig gemacht: Der Code ist wieder offen.",
                         "Einlösung rückgängig machen",
                         "Der Code wird wieder offen; die Einschreibungen durch diesen Code werden gelöscht, "
                         "und die Person erhält eine E-Mail darüber.",
                         "Einlösung rückgängig machen"},
    [SUPPORT_UNREVOKE] = {"unrevoke", AUDIT_CODE_UNREVOKE, "Der Widerruf wurde aufgehoben: Der Code gilt wieder.",
                          "Widerruf aufheben",
                          "Der Code kann dann wieder eingelöst werden (bis zum Ende seiner Gültigkeit).",
                          "Widerruf aufheben"},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The notice after lifting a block (done=lift). */
#define LIFT_NOTICE "Die Sperre wurde aufgehoben: Einlöseversuche sind wieder möglich."

/* One search being rendered: which blocks of the template it fills. */
struct search {
    struct req *r;
    struct view *v;
    int error_action; /* the change that was refused (its form shows the input again), -1 = none */
    const char *q;    /* the search term (page links keep it) */
    bool reference, code, similar, accounts, account, order, attempts;
};

/* ---- small helpers (strings in the request's arena) ---- */

/* The stored code of v in display form, or NULL when it does not open. */
static const char *display_of(struct req *r, const struct voucher *v)
{
    char *out = arena_alloc(r->arena, VOUCHER_DISPLAY_SIZE);
    return codes_display(&r->app->keys, v, out) == 0 ? out : NULL;
}

/* ---- attempts ---- */

enum {
    ATTEMPT_AT, ATTEMPT_USERNAME, ATTEMPT_RESULT, ATTEMPT_EXPLANATION, ATTEMPT_REFERENCE, ATTEMPT_IP,
    ATTEMPT_COLUMNS,
};

/* Fills table `name` with attempts, newest first. */
static void attempt_rows(struct search *s, const char *name, const struct redemption_attempt *list, size_t n)
{
    struct view_table *t = view_table(s->v, name, ATTEMPT_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        view_row(t);
        view_cell_text(t, ATTEMPT_AT, fmt_datetime(s->r->arena, list[i].at));
        view_cell_text(t, ATTEMPT_USERNAME, list[i].username[0] ? list[i].username : "–");
        view_cell_text(t, ATTEMPT_RESULT, list[i].result);
        view_cell_text(t, ATTEMPT_EXPLANATION, support_result_text(list[i].result));
        view_cell_text(t, ATTEMPT_REFERENCE, list[i].reference);
        view_cell_text(t, ATTEMPT_IP, list[i].ip ? list[i].ip : "gelöscht");
    }
}

/* The failed-attempts block; status is the look-up's, returned as 0 or 500. */
static int show_attempts(struct search *s, int status, const char *heading, const struct redemption_attempt *list,
                         size_t n)
{
    if (status != DB_OK)
        return 500;
    s->attempts = true;
    attempt_rows(s, "attempts", list, n);
    view_text(s->v, "attempts_heading", heading);
    view_int(s->v, "attempts_count", (long)n);
    return 0;
}

/* ---- a code ---- */

static int code_facts(struct search *s, const struct voucher *vc)
{
    struct req *r = s->r;
    struct municipality m;
    struct order o;
    const char **titles;
    size_t n;
    if (db_municipality_by_id(r->db, r->arena, vc->municipality_id, &m) != DB_OK ||
        db_order_by_id(r->db, r->arena, vc->order_id, &o) != DB_OK ||
        db_voucher_course_titles(r->db, r->arena, vc->id, &titles, &n) != DB_OK)
        return 500;
    enum code_status st = codes_status(vc, r->now);
    view_text(s->v, "code_title", vc->item_title);
    view_text(s->v, "code_courses", vc->item_kind == ITEM_PACKAGE ? arena_join(r->arena, titles, n, ", ") : "");
    view_text(s->v, "code_municipality", m.name);
    view_text(s->v, "code_gkz", m.gkz);
    view_int(s->v, "code_order", (long)o.id);
    view_url(s->v, "code_order_url", support_search_url(r->arena, arena_printf(r->arena, "%lld", (long long)o.id)));
    view_text(s->v, "code_invoice", o.invoice_number);
    view_text(s->v, "code_created", fmt_date(r->arena, vc->created_at));
    view_text(s->v, "code_valid_until", fmt_date(r->arena, vc->valid_until));
    view_text(s->v, "code_status", codes_status_label(st));
    view_text(s->v, "code_status_class", codes_status_class(st));
    view_text(s->v, "code_revoked_at", vc->revoked_at ? fmt_date(r->arena, vc->revoked_at) : "");
    view_text(s->v, "code_revoke_reason", vc->revoke_reason);
    view_text(s->v, "code_issued_to", vc->issued_to);
    struct code_delivery d;
    if (db_voucher_delivery(r->db, r->arena, vc->id, &d) != DB_OK)
        return 500;
    view_text(s->v, "code_recipient_email", d.email);
    view_text(s->v, "code_delivery", order_delivery_text(r->arena, d.mail_id, d.sent_at, d.given_up_at, d.error));
    return 0;
}

/* Columns of table enrolled in support_search.html, in the order it reads them. */
enum { ENROLLED_TITLE, ENROLLED_USERNAME, ENROLLED_ON, ENROLLED_COMPLETED, ENROLLED_COLUMNS };

/* Who redeemed the code and the enrollments it paid for; *completed counts
 * the completed ones.  0 or 500. */
static int code_redemption(struct search *s, const struct voucher *vc, int64_t *completed)
{
    struct req *r = s->r;
    struct account acc = {.username = "", .first_name = "", .last_name = ""};
    struct voucher_enrollment *list;
    size_t n;
    if ((vc->redeemed_by && db_account_by_id(r->db, r->arena, vc->redeemed_by, &acc) != DB_OK) ||
        db_support_voucher_enrollments(r->db, r->arena, vc->id, &list, &n) != DB_OK)
        return 500;
    view_int(s->v, "code_redeemed", vc->redeemed_at != 0);
    view_text(s->v, "code_redeemed_at", vc->redeemed_at ? fmt_datetime(r->arena, vc->redeemed_at) : "");
    view_text(s->v, "code_redeemer", arena_printf(r->arena, "%s %s", acc.first_name, acc.last_name));
    view_text(s->v, "code_redeemer_username", acc.username);
    view_url(s->v, "code_redeemer_url", support_search_url(r->arena, acc.username));
    struct view_table *t = view_table(s->v, "enrolled", ENROLLED_COLUMNS);
    *completed = 0;
    for (size_t i = 0; i < n; i++) {
        char done[DATE_TEXT_SIZE];
        *completed += date_iso_to_text(list[i].completed_on, done);
        view_row(t);
        view_cell_text(t, ENROLLED_TITLE, list[i].course_title);
        view_cell_text(t, ENROLLED_USERNAME, list[i].username);
        view_cell_text(t, ENROLLED_ON, fmt_date(r->arena, list[i].enrolled_at));
        view_cell_text(t, ENROLLED_COMPLETED, done[0] ? done : "–");
    }
    view_int(s->v, "enrolled_count", (long)n);
    return 0;
}

/* Columns of table forms in support_search.html, in the order it reads them. */
enum { FORM_KEY, FORM_HEADING, FORM_TEXT, FORM_BUTTON, FORM_REASON, FORM_INVALID, FORM_COLUMNS };

/* The forms of the changes the code's state allows; after a refusal the
 * refused form shows what was entered.  Without any, a note says why. */
static void code_actions(struct search *s, const struct voucher *vc, int64_t completed)
{
    struct req *r = s->r;
    struct view_table *t = view_table(s->v, "forms", FORM_COLUMNS);
    for (size_t a = 0; a < N(support_actions); a++) {
        if (support_refusal((enum support_action)a, vc, r->now, r->now + 1, completed))
            continue;
        bool refused = (int)a == s->error_action;
        view_row(t);
        view_cell_text(t, FORM_KEY, support_actions[a].key);
        view_cell_text(t, FORM_HEADING, support_actions[a].heading);
        view_cell_text(t, FORM_TEXT, support_actions[a].text);
        view_cell_text(t, FORM_BUTTON, support_actions[a].button);
        view_cell_text(t, FORM_REASON, refused ? req_raw(r, F_REASON) : "");
        view_cell_int(t, FORM_INVALID, refused);
    }
    const char *release = support_refusal(SUPPORT_RELEASE, vc, r->now, 0, completed);
    view_text(s->v, "actions_note", vc->redeemed_at ? release : "");
    char today[DATE_TEXT_SIZE];
    date_iso_vienna(r->now, today);
    view_text(s->v, "today", today);
    view_text(s->v, "extend_until", s->error_action == SUPPORT_EXTEND ? req_raw(r, F_VALID_UNTIL) : "");
}

/* The whole code block for a stored voucher, and the failed attempts around it. */
static int show_code(struct search *s, const struct voucher *vc)
{
    struct req *r = s->r;
    char canon[VOUCHER_CANON_SIZE], display[VOUCHER_DISPLAY_SIZE];
    unsigned char hash[CRYPTO_HASH_SIZE];
    int64_t completed = 0;
    if (codes_reveal(&r->app->keys, vc, canon) != 0 || code_facts(s, vc) != 0 ||
        code_redemption(s, vc, &completed) != 0)
        return 500;
    s->code = true;
    voucher_format(canon, display);
    view_text(s->v, "code", display);
    code_actions(s, vc, completed);
    codes_hash(&r->app->keys, canon, hash);
    struct redemption_attempt *list;
    size_t n;
    int status = db_support_attempts_for_code(r->db, r->arena, hash, vc->redeemed_by, &list, &n);
    return show_attempts(s, status, "Fehlgeschlagene Einlöseversuche mit diesem Code oder diesen Benutzernamen",
                         list, n);
}

/* Columns of table similar in support_search.html, in the order it reads them. */
enum { SIMILAR_CODE, SIMILAR_URL, SIMILAR_TITLE, SIMILAR_STATUS, SIMILAR_STATUS_CLASS, SIMILAR_COLUMNS };

/* One stored code a mistyped one may have meant. */
static int similar_row(struct search *s, struct view_table *t, const struct voucher *vc)
{
    const char *display = display_of(s->r, vc);
    if (!display)
        return 500;
    enum code_status st = codes_status(vc, s->r->now);
    view_row(t);
    view_cell_text(t, SIMILAR_CODE, display);
    view_cell_url(t, SIMILAR_URL, support_code_url(s->r->arena, vc->id));
    view_cell_text(t, SIMILAR_TITLE, vc->item_title);
    view_cell_text(t, SIMILAR_STATUS, codes_status_label(st));
    view_cell_text(t, SIMILAR_STATUS_CLASS, codes_status_class(st));
    return 0;
}

/* "Meinten Sie …?": the stored codes one symbol or one swap away from a code
 * that has no voucher (canon: its 24 symbols), and the attempts with it. */
static int show_similar(struct search *s, const char *canon, bool bad_check)
{
    struct req *r = s->r;
    char (*near)[VOUCHER_CANON_SIZE] = arena_alloc(r->arena, VOUCHER_MAX_NEIGHBOURS * sizeof *near);
    size_t n = voucher_neighbours(canon, near, VOUCHER_MAX_NEIGHBOURS);
    struct view_table *t = view_table(s->v, "similar", SIMILAR_COLUMNS);
    long found = 0;
    /* The ~25 look-ups share one read transaction (one snapshot, one lock
     * acquisition) instead of one each. */
    if (db_read_begin(r->db) != DB_OK)
        return 500;
    for (size_t i = 0; i < n; i++) {
        unsigned char hash[CRYPTO_HASH_SIZE];
        struct voucher vc;
        codes_hash(&r->app->keys, near[i], hash);
        int status = db_voucher_by_hash(r->db, r->arena, hash, &vc);
        if (status == DB_ERROR || (status == DB_OK && similar_row(s, t, &vc) != 0)) {
            db_read_end(r->db);
            return 500;
        }
        found += status == DB_OK;
    }
    db_read_end(r->db);
    char typed[VOUCHER_DISPLAY_SIZE];
    voucher_format(canon, typed);
    s->similar = true;
    view_text(s->v, "typed", typed);
    view_text(s->v, "typed_problem", bad_check ? "Das Prüfzeichen stimmt nicht (Fehler V02): Der Code ist vertippt."
                                               : "Diesen Code gibt es nicht (Fehler V03).");
    view_int(s->v, "similar_count", found);
    unsigned char hash[CRYPTO_HASH_SIZE];
    codes_hash(&r->app->keys, canon, hash);
    struct redemption_attempt *list;
    size_t na;
    int status = db_support_attempts_for_code(r->db, r->arena, hash, 0, &list, &na);
    return show_attempts(s, status, "Fehlgeschlagene Einlöseversuche mit diesem Code", list, na);
}

/* A code as typed (canon: 24 symbols): its voucher, or what it may have meant. */
static int show_typed_code(struct search *s, const char *canon, bool bad_check, bool *found)
{
    unsigned char hash[CRYPTO_HASH_SIZE];
    struct voucher vc;
    codes_hash(&s->r->app->keys, canon, hash);
    int status = bad_check ? DB_NOT_FOUND : db_voucher_by_hash(s->r->db, s->r->arena, hash, &vc);
    if (status == DB_ERROR)
        return 500;
    *found = true; /* an unknown code still gets its "Meinten Sie" block */
    return status == DB_OK ? show_code(s, &vc) : show_similar(s, canon, bad_check);
}

/* ---- accounts ---- */

enum {
    ACCOUNT_NAME, ACCOUNT_USERNAME, ACCOUNT_URL, ACCOUNT_EMAIL, ACCOUNT_ROLE, ACCOUNT_MUNICIPALITY,
    ACCOUNT_STATE, ACCOUNT_COLUMNS,
};

static int account_row(struct search *s, struct view_table *t, int64_t id, struct account *acc)
{
    struct req *r = s->r;
    struct municipality m = {.name = "–"};
    if (db_account_by_id(r->db, r->arena, id, acc) != DB_OK ||
        (acc->municipality_id && db_municipality_by_id(r->db, r->arena, acc->municipality_id, &m) != DB_OK))
        return 500;
    view_row(t);
    view_cell_text(t, ACCOUNT_NAME, arena_printf(r->arena, "%s %s", acc->first_name, acc->last_name));
    view_cell_text(t, ACCOUNT_USERNAME, acc->username);
    view_cell_url(t, ACCOUNT_URL, support_search_url(r->arena, acc->username));
    view_cell_text(t, ACCOUNT_EMAIL, acc->email);
    view_cell_text(t, ACCOUNT_ROLE, support_role_label(acc->role));
    view_cell_text(t, ACCOUNT_MUNICIPALITY, m.gkz ? arena_printf(r->arena, "%s (GKZ %s)", m.name, m.gkz) : m.name);
    view_cell_text(t, ACCOUNT_STATE, acc->disabled ? "gesperrt" : "aktiv");
    return 0;
}

/* Columns of table courses in support_search.html, in the order it reads them. */
enum { COURSE_TITLE, COURSE_ENROLLED, COURSE_COMPLETED, COURSE_COLUMNS };

static int account_courses(struct search *s, const struct account *acc)
{
    struct enrollment *list;
    size_t n;
    if (db_enrollment_list(s->r->db, s->r->arena, acc->id, &list, &n) != DB_OK)
        return 500;
    struct view_table *t = view_table(s->v, "courses", COURSE_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        char done[DATE_TEXT_SIZE];
        date_iso_to_text(list[i].completed_on, done);
        view_row(t);
        view_cell_text(t, COURSE_TITLE, list[i].course_title);
        view_cell_text(t, COURSE_ENROLLED, fmt_date(s->r->arena, list[i].enrolled_at));
        view_cell_text(t, COURSE_COMPLETED, done[0] ? done : "–");
    }
    view_int(s->v, "courses_count", (long)n);
    return 0;
}

/* Columns of table redeemed in support_search.html, in the order it reads them. */
enum { REDEEMED_CODE, REDEEMED_URL, REDEEMED_TITLE, REDEEMED_AT, REDEEMED_COLUMNS };

static int account_codes(struct search *s, const struct account *acc)
{
    struct req *r = s->r;
    unsigned char (*hashes)[32];
    size_t n;
    if (db_support_redeemed_by(r->db, r->arena, acc->id, &hashes, &n) != DB_OK)
        return 500;
    struct view_table *t = view_table(s->v, "redeemed", REDEEMED_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        struct voucher vc;
        const char *display = db_voucher_by_hash(r->db, r->arena, hashes[i], &vc) == DB_OK ? display_of(r, &vc) : NULL;
        if (!display)
            return 500;
        view_row(t);
        view_cell_text(t, REDEEMED_CODE, display);
        view_cell_url(t, REDEEMED_URL, support_code_url(r->arena, vc.id));
        view_cell_text(t, REDEEMED_TITLE, vc.item_title);
        view_cell_text(t, REDEEMED_AT, fmt_datetime(r->arena, vc.redeemed_at));
    }
    view_int(s->v, "redeemed_count", (long)n);
    return 0;
}

static int attempts_by_username(struct search *s, const char *username)
{
    struct redemption_attempt *list;
    size_t n;
    int status = db_support_attempts_by_username(s->r->db, s->r->arena, username, &list, &n);
    return show_attempts(s, status, "Fehlgeschlagene Einlöseversuche mit diesem Benutzernamen", list, n);
}

/* The accounts with this username or e-mail address; for exactly one its
 * courses and codes; the failed attempts with the username. */
static int show_accounts(struct search *s, const struct support_query *q, bool *found)
{
    struct req *r = s->r;
    int64_t *ids;
    size_t n;
    struct account acc = {.username = q->term};
    if (db_support_accounts(r->db, r->arena, q->term, &ids, &n) != DB_OK)
        return 500;
    struct view_table *t = view_table(s->v, "accounts", ACCOUNT_COLUMNS);
    for (size_t i = 0; i < n; i++)
        if (account_row(s, t, ids[i], &acc) != 0)
            return 500;
    s->accounts = true;
    s->account = n == 1;
    view_int(s->v, "accounts_count", (long)n);
    if (s->account && (account_courses(s, &acc) != 0 || account_codes(s, &acc) != 0))
        return 500;
    *found = n > 0 || q->kind == SUPPORT_USERNAME;
    return n <= 1 && *found ? attempts_by_username(s, acc.username) : 0;
}

/* ---- an order ---- */

enum {
    CODE_CODE, CODE_URL, CODE_TITLE, CODE_VALID_UNTIL, CODE_STATUS, CODE_STATUS_CLASS, CODE_REDEEMER,
    CODE_COLUMNS,
};

/* Codes of an order listed a page at a time (?seite=). */
#define ORDER_CODES_PER_PAGE 200

/* One page of the order's codes in the table with its page links; total:
 * all of its codes (for "von N"). */
static int order_codes(struct search *s, int64_t order_id, int64_t total)
{
    struct req *r = s->r;
    struct order_code *codes;
    size_t n;
    struct list_page p = admin_list_page(r, ORDER_CODES_PER_PAGE);
    if (db_order_codes(r->db, r->arena, order_id, NULL, p.offset, p.limit, &codes, &n) != DB_OK)
        return 500;
    size_t shown = admin_pager(r, s->v, &p, n, "/support", (const char *const[]){"q", s->q, NULL});
    struct view_table *t = view_table(s->v, "codes", CODE_COLUMNS);
    for (size_t i = 0; i < shown; i++) {
        enum code_status st = codes_status(&codes[i].v, r->now);
        const char *display = display_of(r, &codes[i].v);
        if (!display)
            return 500;
        view_row(t);
        view_cell_text(t, CODE_CODE, display);
        view_cell_url(t, CODE_URL, support_code_url(r->arena, codes[i].v.id));
        view_cell_text(t, CODE_TITLE, codes[i].v.item_title);
        view_cell_text(t, CODE_VALID_UNTIL, fmt_date(r->arena, codes[i].v.valid_until));
        view_cell_text(t, CODE_STATUS, codes_status_label(st));
        view_cell_text(t, CODE_STATUS_CLASS, codes_status_class(st));
        view_cell_text(t, CODE_REDEEMER, codes[i].v.redeemed_at ? arena_printf(r->arena, "%s (%s)",
                                                                            codes[i].redeemer_name,
                                                                            codes[i].redeemer_username) : "");
    }
    view_int(s->v, "codes_total", (long)total);
    return 0;
}

/* The order's e-mails with their state; a failed one offers "Erneut senden". */
enum { MAIL_ID, MAIL_CREATED, MAIL_RECIPIENTS, MAIL_STATE, MAIL_ERROR, MAIL_RESEND, MAIL_COLUMNS };

static int order_mails(struct search *s, int64_t order_id)
{
    struct req *r = s->r;
    struct outbox_status *list;
    size_t n;
    if (db_outbox_of_order(r->db, r->arena, order_id, &list, &n) != DB_OK)
        return 500;
    struct view_table *t = view_table(s->v, "mails", MAIL_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        const struct outbox_status *m = &list[i];
        const char *state =
            m->sent_at ? arena_printf(r->arena, "zugestellt am %s", fmt_date(r->arena, m->sent_at))
            : m->given_up_at ? (m->refused_to[0] ? arena_printf(r->arena, "fehlgeschlagen: abgelehnt für %s%s%s",
                                                                m->refused_to, m->delivered_to[0] ? "; zugestellt an " : "",
                                                                m->delivered_to)
                                                 : "aufgegeben nach 5 Tagen Zustellversuchen")
            : m->attempts ? arena_printf(r->arena, "noch nicht zugestellt, %lld Versuch(e), wird wiederholt",
                                         (long long)m->attempts)
            : "wartet auf Versand";
        view_row(t);
        view_cell_int(t, MAIL_ID, (long)m->id);
        view_cell_text(t, MAIL_CREATED, fmt_date(r->arena, m->created_at));
        view_cell_text(t, MAIL_RECIPIENTS, m->recipients);
        view_cell_text(t, MAIL_STATE, state);
        view_cell_text(t, MAIL_ERROR, m->last_error);
        view_cell_text(t, MAIL_RESEND, m->given_up_at && !m->sent_at ? "1" : "");
    }
    view_int(s->v, "mails_count", (long)n);
    return 0;
}

static int show_order(struct search *s, int64_t order_id, bool *found)
{
    struct req *r = s->r;
    struct order o;
    struct municipality m;
    struct order_summary c; /* the counts kept per order (migration 012), not a count over its codes */
    int status = db_order_by_id(r->db, r->arena, order_id, &o);
    if (status == DB_NOT_FOUND)
        return 0;
    if (status != DB_OK || db_municipality_by_id(r->db, r->arena, o.municipality_id, &m) != DB_OK ||
        db_order_counts(r->db, o.id, r->now, &c) != DB_OK ||
        order_codes(s, o.id, c.open + c.redeemed + c.expired + c.revoked) != 0 || order_mails(s, o.id) != 0)
        return 500;
    *found = s->order = true;
    view_int(s->v, "order_id", (long)o.id);
    view_text(s->v, "order_municipality", m.name);
    view_text(s->v, "order_gkz", m.gkz);
    view_text(s->v, "order_date", fmt_date(r->arena, o.created_at));
    view_text(s->v, "order_invoice", o.invoice_number);
    view_text(s->v, "order_reference", o.reference);
    view_text(s->v, "order_net", fmt_money(r->arena, o.net_cents));
    view_int(s->v, "order_vat_percent", (long)o.vat_percent);
    view_text(s->v, "order_vat", fmt_money(r->arena, o.vat_cents));
    view_text(s->v, "order_gross", fmt_money(r->arena, o.gross_cents));
    view_int(s->v, "order_open", (long)c.open);
    view_int(s->v, "order_redeemed", (long)c.redeemed);
    view_int(s->v, "order_expired", (long)c.expired);
    view_int(s->v, "order_revoked", (long)c.revoked);
    struct journal_row j; /* the invoice's status and credit notes (accounting) */
    if (db_journal_one(r->db, r->arena, o.id, r->now, &j) != DB_OK)
        return 500;
    view_text(s->v, "order_invoice_status", credit_status_label(j.status));
    view_text(s->v, "order_credits", j.credit_numbers);
    return 0;
}

static int show_invoice(struct search *s, const char *invoice_number, bool *found)
{
    int64_t id;
    int status = db_support_order_by_invoice(s->r->db, invoice_number, &id);
    if (status == DB_NOT_FOUND)
        return 0;
    return status == DB_OK ? show_order(s, id, found) : 500;
}

/* ---- an error reference ---- */

/* The attempts shown with this reference, then the code of the newest one
 * when it is stored. */
static int show_reference(struct search *s, const char *reference, bool *found)
{
    struct req *r = s->r;
    struct redemption_attempt *list;
    size_t n;
    if (db_support_attempts_by_reference(r->db, r->arena, reference, &list, &n) != DB_OK)
        return 500;
    if (n == 0)
        return 0;
    *found = s->reference = true;
    view_text(s->v, "reference", reference);
    attempt_rows(s, "refs", list, n);
    struct voucher vc;
    int status = list[0].code_hash ? db_voucher_by_hash(r->db, r->arena, list[0].code_hash, &vc) : DB_NOT_FOUND;
    if (status == DB_ERROR)
        return 500;
    view_text(s->v, "ref_note", status == DB_OK ? ""
                                : list[0].code_hash ? "Der eingegebene Code gehört zu keinem Voucher (vertippt oder unbekannt)."
                                                    : "Der eingegebene Code war unvollständig; er wurde nicht gespeichert.");
    return status == DB_OK ? show_code(s, &vc) : 0;
}

/* ---- the page ---- */

static int find(struct search *s, const struct support_query *q, bool *found)
{
    switch (q->kind) {
    case SUPPORT_REFERENCE: return show_reference(s, q->term, found);
    case SUPPORT_INVOICE: return show_invoice(s, q->term, found);
    case SUPPORT_ORDER: return show_order(s, q->order_id, found);
    case SUPPORT_CODE: return show_typed_code(s, q->term, false, found);
    case SUPPORT_BAD_CODE: return show_typed_code(s, q->term, true, found);
    case SUPPORT_EMAIL:
    case SUPPORT_USERNAME: return show_accounts(s, q, found);
    case SUPPORT_UNKNOWN: break;
    }
    return 0;
}

/* "dem Code „SBA-…“": what was searched, for the summary and the not-found sentence. */
static const char *searched_text(struct req *r, const struct support_query *q)
{
    char display[VOUCHER_DISPLAY_SIZE];
    const char *term = q->term;
    if (q->kind == SUPPORT_CODE || q->kind == SUPPORT_BAD_CODE) {
        voucher_format(q->term, display);
        term = display;
    }
    return arena_printf(r->arena, "%s „%s“", support_kind_label(q->kind), term);
}

/* ---- active V11 blocks ---- */

/* Columns of table blocks in support_search.html, in the order it reads them. */
enum { BLOCK_KIND, BLOCK_FIELD, BLOCK_KEY, BLOCK_GUESSES, BLOCK_LAST, BLOCK_UNTIL, BLOCK_REASON, BLOCK_INVALID,
       BLOCK_ID, BLOCK_COLUMNS };

/* The blocks active now, each with its form to lift it.  0 or 500. */
static int show_blocks(struct req *r, struct view *v, const struct support_page *p)
{
    const struct config *cfg = r->app->cfg;
    struct redemption_block *list;
    size_t n;
    if (db_redemption_blocks(r->db, r->arena, r->now - cfg->limits_redeem_window_seconds,
                             cfg->limits_redeem_max_failures, &list, &n) != DB_OK)
        return 500;
    struct view_table *t = view_table(v, "blocks", BLOCK_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        bool refused = p->lift_key && strcmp(p->lift_key, list[i].key) == 0;
        view_row(t);
        view_cell_text(t, BLOCK_KIND, list[i].by_ip ? "IP-Adresse" : "Benutzername");
        view_cell_text(t, BLOCK_FIELD, list[i].by_ip ? "ip" : "username");
        view_cell_text(t, BLOCK_KEY, list[i].key);
        view_cell_int(t, BLOCK_GUESSES, (long)list[i].guesses);
        view_cell_text(t, BLOCK_LAST, fmt_datetime(r->arena, list[i].last_at));
        view_cell_text(t, BLOCK_UNTIL, fmt_datetime(r->arena, list[i].last_at + cfg->limits_redeem_window_seconds));
        view_cell_text(t, BLOCK_REASON, refused ? req_raw(r, F_REASON) : "");
        view_cell_int(t, BLOCK_INVALID, refused);
        view_cell_int(t, BLOCK_ID, (long)i + 1);
    }
    view_int(v, "blocks_count", (long)n);
    view_int(v, "blocks_shown", n > 0 || !p->q); /* the plain /support page says "none" too */
    view_int(v, "blocks_limit", (long)cfg->limits_redeem_max_failures);
    int minutes = (cfg->limits_redeem_window_seconds + 59) / 60;
    view_text(v, "blocks_window", minutes == 1 ? "einer Minute" : arena_printf(r->arena, "%d Minuten", minutes));
    return 0;
}

/* Pushes which blocks the search filled (every flag the template asks). */
static void push_blocks(const struct search *s)
{
    view_int(s->v, "has_reference", s->reference);
    view_int(s->v, "has_code", s->code);
    view_int(s->v, "has_similar", s->similar);
    view_int(s->v, "has_accounts", s->accounts);
    view_int(s->v, "has_account", s->account);
    view_int(s->v, "has_order", s->order);
    view_int(s->v, "has_attempts", s->attempts);
}

int support_show_page(struct req *r, const struct support_page *p, int http_status)
{
    struct support_query q;
    bool found = false;
    support_classify(p->q, &q);
    struct search s = {.r = r, .v = view_new(r, "support_search", p->q ? "Support: Suchergebnis" : "Support"),
                       .error_action = p->error_action, .q = p->q};
    view_int(s.v, "paged", 0); /* set again by an order's code list */
    if ((p->q && find(&s, &q, &found) != 0) || show_blocks(r, s.v, p) != 0)
        return 500;
    view_text(s.v, "q", p->q);
    view_text(s.v, "notice", p->notice);
    view_text(s.v, "error", p->error);
    view_text(s.v, "searched", p->q && q.kind != SUPPORT_UNKNOWN ? searched_text(r, &q) : "");
    view_text(s.v, "nothing",
              !p->q || found ? ""
              : q.kind == SUPPORT_UNKNOWN
                  ? arena_printf(r->arena, "Der Suchbegriff „%s“ hat keine der gesuchten Formen: Vouchercode, "
                                           "Benutzername, E-Mail-Adresse, Bestellnummer, Rechnungsnummer "
                                           "(RE-2026-000001) oder Fehlerreferenz (F-XXXX).", p->q)
                  : arena_printf(r->arena, "Zu %s wurde nichts gefunden.", searched_text(r, &q)));
    push_blocks(&s);
    int64_t failing = 0, since = 0;
    const char *last_error = "";
    if (db_lms_webhook_failing(r->db, r->arena, &failing, &since, &last_error) != DB_OK)
        return 500;
    view_int(s.v, "webhook_failing", (long)failing);
    view_text(s.v, "webhook_since", since ? fmt_datetime(r->arena, since) : "");
    view_text(s.v, "webhook_error", last_error);
    int status = view_render(s.v);
    r->status = http_status;
    return status;
}

/* The notice for done=<action> after a redirect. */
static const char *done_notice(const char *done)
{
    if (done && strcmp(done, "lift") == 0)
        return LIFT_NOTICE;
    if (done && strcmp(done, "mail") == 0)
        return "Die E-Mail wird erneut gesendet, an die Adressen, die jetzt hinterlegt sind.";
    for (size_t i = 0; done && i < N(support_actions); i++)
        if (strcmp(done, support_actions[i].key) == 0)
            return support_actions[i].notice;
    return NULL;
}

/* GET /support (q, or code_id from the page's own links and redirects) and
 * POST /support (the search form: a code typed in never goes into a URL). */
int h_support_search(struct req *r)
{
    struct support_page p = {.q = req_text(r, F_Q), .notice = done_notice(req_text(r, F_DONE)), .error_action = -1};
    long long code_id;
    if (!p.q && req_number(r, F_CODE_ID, &code_id)) {
        struct voucher vc;
        int status = db_voucher_by_id(r->db, r->arena, code_id, &vc);
        if (status == DB_ERROR)
            return 500;
        if (status == DB_OK && !(p.q = display_of(r, &vc)))
            return 500;
    }
    return support_show_page(r, &p, 200);
}

