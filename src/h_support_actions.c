/* h_support_actions — the changes the support desk makes from its page
 * (h_support.h): POST /support/codes/revoke|extend|release|unrevoke change
 * one code: the rule (support_refusal), the conditional update, its audit
 * entry and (for a release) the e-mail to the person run in one
 * transaction; a refusal rolls back and shows the code's page again with
 * the message (422), a success redirects to the page by code id.  POST
 * /support/sperren/aufheben lifts a V11 block, POST
 * /support/bestellungen/mail sends an order's e-mail again; each with its
 * audit entry in the same transaction.  Everything lives in the request's
 * arena. */
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

/* ---- changing a code ---- */

/* One change as requested. */
struct change {
    enum support_action action;
    const char *reason;
    int64_t new_until;        /* extend: the last second of the chosen day */
    char canon[VOUCHER_CANON_SIZE];
    struct voucher vc;
    int64_t completed;        /* release: completed enrollments the voucher paid for */
    const char **titles;      /* release: the courses the person loses */
    size_t ntitles;
};

/* Shows the code's page again with why nothing was changed. */
static int refuse(struct req *r, const struct change *c, const char *message)
{
    struct support_page p = {.q = req_raw(r, F_CODE), .error = message, .error_action = (int)c->action};
    if (!p.q[0])
        p.q = NULL;
    return support_show_page(r, &p, 422);
}

/* The inputs of the form; NULL when they are fine, else what is wrong. */
static const char *read_change(struct req *r, struct change *c)
{
    int y, m, d;
    if (voucher_normalize(req_text(r, F_CODE), c->canon) != VOUCHER_OK)
        return "Das ist kein gültiger Vouchercode. Bitte suchen Sie den Code zuerst.";
    c->reason = req_text(r, F_REASON);
    if (!c->reason || strspn(c->reason, " \t") == strlen(c->reason))
        return "Bitte geben Sie einen Grund an: Er wird im Protokoll gespeichert.";
    if (c->action != SUPPORT_EXTEND)
        return NULL;
    if (!req_date(r, F_VALID_UNTIL, &y, &m, &d))
        return req_problem(r, F_VALID_UNTIL);
    c->new_until = date_end_of_day_vienna(y, m, d);
    return NULL;
}

/* What the audit log says about the change. */
static const char *audit_detail(struct req *r, const struct change *c)
{
    switch (c->action) {
    case SUPPORT_EXTEND:
        return arena_printf(r->arena, "Grund: %s; gültig bis alt %s, neu %s", c->reason,
                            fmt_date(r->arena, c->vc.valid_until), fmt_date(r->arena, c->new_until));
    case SUPPORT_RELEASE:
        return arena_printf(r->arena, "Grund: %s; eingelöst am %s von Konto %lld", c->reason,
                            fmt_datetime(r->arena, c->vc.redeemed_at), (long long)c->vc.redeemed_by);
    default:
        return arena_printf(r->arena, "Grund: %s; Status vorher %s", c->reason,
                            codes_status_label(codes_status(&c->vc, r->now)));
    }
}

static int apply(struct req *r, const struct change *c)
{
    switch (c->action) {
    case SUPPORT_REVOKE: return db_support_revoke(r->db, c->vc.id, c->reason, r->now);
    case SUPPORT_EXTEND: return db_support_extend(r->db, c->vc.id, c->new_until);
    case SUPPORT_RELEASE: return db_support_release(r->db, c->vc.id);
    case SUPPORT_UNREVOKE: return db_support_unrevoke(r->db, c->vc.id);
    }
    return DB_ERROR;
}

/* Loads the code and its completed enrollments inside the transaction;
 * NULL, or the sentence why the change may not be made. *status is DB_OK
 * or DB_ERROR. */
static const char *check(struct req *r, struct change *c, int *status)
{
    unsigned char hash[CRYPTO_HASH_SIZE];
    struct voucher_enrollment *list;
    size_t n;
    codes_hash(&r->app->keys, c->canon, hash);
    *status = db_voucher_by_hash(r->db, r->arena, hash, &c->vc);
    if (*status == DB_NOT_FOUND) {
        *status = DB_OK;
        return "Diesen Code gibt es nicht.";
    }
    if (*status == DB_OK)
        *status = db_support_voucher_enrollments(r->db, r->arena, c->vc.id, &list, &n);
    if (*status == DB_OK)
        c->titles = arena_alloc(r->arena, (n ? n : 1) * sizeof *c->titles);
    for (size_t i = 0; *status == DB_OK && i < n; i++) {
        c->completed += list[i].completed_on[0] != '\0';
        c->titles[c->ntitles++] = list[i].course_title;
    }
    return *status == DB_OK ? support_refusal(c->action, &c->vc, r->now, c->new_until, c->completed) : NULL;
}

/* Queues the e-mail telling the person whose redemption was undone. */
static int release_mail(struct req *r, const struct change *c)
{
    struct account acc;
    if (db_account_by_id(r->db, r->arena, c->vc.redeemed_by, &acc) != DB_OK)
        return DB_ERROR;
    struct mail_message m;
    support_release_mail(r->arena, &acc, c->titles, c->ntitles, c->reason, r->app->cfg->server_base_url, &m);
    return outbox_queue(r->db, &r->app->keys, r->arena, &m, r->now);
}

/* The change and its audit entry in one transaction: DB_OK, DB_CONFLICT
 * (refused: *why says why; nothing changed) or DB_ERROR. */
static int change_code(struct req *r, struct change *c, const char **why)
{
    if (db_begin(r->db) != DB_OK)
        return DB_ERROR;
    int status;
    *why = check(r, c, &status);
    if (status == DB_OK && !*why && (status = apply(r, c)) == DB_CONFLICT)
        *why = "Der Code wurde eben anderweitig geändert. Bitte prüfen Sie ihn noch einmal.";
    if (status == DB_OK && !*why && c->action == SUPPORT_RELEASE)
        status = release_mail(r, c);
    if (status == DB_OK && !*why)
        status = db_audit_add(r->db, r->who->id, support_actions[c->action].audit,
                              arena_printf(r->arena, "voucher %lld (SBA-%.6s…)", (long long)c->vc.id, c->canon),
                              audit_detail(r, c), r->remote_addr, r->now);
    if (status == DB_OK && !*why) {
        status = db_commit(r->db);
        if (status == DB_OK && c->action == SUPPORT_RELEASE)
            sender_wake(r->app->sender); /* the e-mail is committed */
        return status;
    }
    db_rollback(r->db);
    return *why ? DB_CONFLICT : DB_ERROR;
}

static int handle_change(struct req *r, enum support_action action)
{
    struct change c = {.action = action};
    const char *why = read_change(r, &c);
    if (why)
        return refuse(r, &c, why);
    int status = change_code(r, &c, &why);
    if (status == DB_CONFLICT)
        return refuse(r, &c, why);
    if (status != DB_OK)
        return 500;
    return req_redirect(r, arena_printf(r->arena, "%s&done=%s", support_code_url(r->arena, c.vc.id),
                                        support_actions[action].key));
}

int h_support_revoke(struct req *r)
{
    return handle_change(r, SUPPORT_REVOKE);
}

int h_support_extend(struct req *r)
{
    return handle_change(r, SUPPORT_EXTEND);
}

int h_support_release(struct req *r)
{
    return handle_change(r, SUPPORT_RELEASE);
}

int h_support_unrevoke(struct req *r)
{
    return handle_change(r, SUPPORT_UNREVOKE);
}

/* ---- lifting a V11 block ---- */

/* Shows /support again with why the block was not lifted (422). */
static int refuse_lift(struct req *r, const char *key, const char *message)
{
    struct support_page p = {.error = message, .error_action = -1, .lift_key = key};
    return support_show_page(r, &p, 422);
}

/* The lift and its audit entry in one transaction, if the block is active:
 * DB_OK, DB_NOT_FOUND (no active block; nothing written) or DB_ERROR. */
static int lift_block(struct req *r, bool by_ip, const char *key, const char *reason)
{
    const struct config *cfg = r->app->cfg;
    int64_t guesses_ip = 0, guesses_user = 0;
    if (db_begin(r->db) != DB_OK)
        return DB_ERROR;
    int status = db_redemption_guesses(r->db, by_ip ? key : NULL, by_ip ? "" : key,
                                       r->now - cfg->limits_redeem_window_seconds, cfg->limits_redeem_max_failures,
                                       &guesses_ip, &guesses_user);
    int64_t guesses = by_ip ? guesses_ip : guesses_user;
    if (status == DB_OK && guesses < cfg->limits_redeem_max_failures)
        status = DB_NOT_FOUND;
    if (status == DB_OK)
        status = db_redemption_block_lift(r->db, by_ip, key, r->now, r->who->id, reason);
    if (status == DB_OK)
        status = db_audit_add(r->db, r->who->id, by_ip ? AUDIT_BLOCK_LIFT_IP : AUDIT_BLOCK_LIFT_USERNAME,
                              arena_printf(r->arena, "%s %s", by_ip ? "IP-Adresse" : "Benutzername", key),
                              arena_printf(r->arena, "Grund: %s; %lld Fehlversuche im Zeitfenster", reason,
                                           (long long)guesses),
                              r->remote_addr, r->now);
    if (status == DB_OK)
        return db_commit(r->db);
    db_rollback(r->db);
    return status;
}

int h_support_lift(struct req *r)
{
    const char *ip = req_text(r, F_IP), *username = req_text(r, F_USERNAME);
    const char *reason = req_text(r, F_REASON);
    const char *key = ip ? ip : username;
    if ((ip != NULL) == (username != NULL))
        return refuse_lift(r, NULL, "Bitte wählen Sie genau eine Sperre: eine IP-Adresse oder einen Benutzernamen.");
    if (!reason || strspn(reason, " \t") == strlen(reason))
        return refuse_lift(r, key, "Bitte geben Sie einen Grund an: Er wird im Protokoll gespeichert.");
    int status = lift_block(r, ip != NULL, key, reason);
    if (status == DB_NOT_FOUND)
        return refuse_lift(r, NULL, arena_printf(r->arena, "Für %s „%s“ besteht keine aktive Sperre.",
                                                 ip ? "die IP-Adresse" : "den Benutzernamen", key));
    if (status != DB_OK)
        return 500;
    return req_redirect(r, "/support?done=lift");
}

/* ---- sending an order's e-mail again ---- */

/* POST /support/bestellungen/mail (mail = outbox id, q = order id): a
 * failed or given-up e-mail of the order goes out again, to the addresses
 * the municipality and the ordering admin have now (those that already got
 * it are skipped), with a fresh series of retries; audited; back to the
 * order on the support page. */
int h_support_mail_resend(struct req *r)
{
    const char *order = req_text(r, F_Q); /* the order's id, as the support page's form sends it */
    char *end;
    long long order_id = order ? strtoll(order, &end, 10) : 0, mail_id;
    if (!req_number(r, F_MAIL, &mail_id) || !order || *end || order_id <= 0)
        return 400;
    const char *recipients = NULL;
    if (db_begin(r->db) != DB_OK)
        return 500;
    int status = order_mail_recipients(r->db, r->arena, order_id, &recipients);
    if (status == DB_OK)
        status = db_outbox_resend(r->db, mail_id, order_id, recipients, r->now);
    if (status == DB_OK)
        status = db_audit_add(r->db, r->who->id, AUDIT_MAIL_RESEND, arena_printf(r->arena, "order %lld", order_id),
                              arena_printf(r->arena, "E-Mail %lld erneut an %s", (long long)mail_id, recipients),
                              r->remote_addr, r->now);
    if (status == DB_OK)
        status = db_commit(r->db);
    else
        db_rollback(r->db);
    if (status == DB_NOT_FOUND) {
        struct support_page p = {.q = order, .error = "Diese E-Mail ist zugestellt oder wird noch versucht: "
                                              "sie kann nicht erneut gesendet werden.", .error_action = -1};
        return support_show_page(r, &p, 422);
    }
    if (status != DB_OK)
        return 500;
    sender_wake(r->app->sender);
    return req_redirect(r, arena_printf(r->arena, "%s&done=mail", support_search_url(r->arena, order)));
}
