/* credit_note — see credit_note.h. */
#include "credit_note.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "invoice.h"
#include "mime.h"
#include "mem.h"
#include "money.h"
#include "outbox.h"

static enum credit_status refuse(char *msg, size_t msglen, const char *text)
{
    snprintf(msg, msglen, "%s", text);
    return CREDIT_REFUSED;
}

/* The credit note's document: its lines, and the order it cancels. */
int credit_note_doc(struct db *db, struct arena *a, const struct credit_note *cn, struct order *o,
                    struct invoice_doc *d)
{
    struct credit_note_line *lines;
    size_t n;
    if (db_order_by_id(db, a, cn->order_id, o) != DB_OK ||
        db_credit_note_lines(db, a, cn->id, &lines, &n) != DB_OK)
        return DB_ERROR;
    struct invoice_line *dl = arena_alloc(a, (n + 1) * sizeof *dl);
    for (size_t i = 0; i < n; i++)
        dl[i] = (struct invoice_line){.title = lines[i].title, .quantity = lines[i].quantity,
                                      .unit_price_cents = lines[i].unit_price_cents,
                                      .line_net_cents = lines[i].line_net_cents};
    *d = (struct invoice_doc){.credit = 1, .number = cn->number, .issued_at = cn->created_at, .order = o,
                              .lines = dl, .nlines = n, .vat_percent = cn->vat_percent, .net_cents = cn->net_cents,
                              .vat_cents = cn->vat_cents, .gross_cents = cn->gross_cents, .reason = cn->reason};
    return DB_OK;
}

int credit_note_pdf(struct db *db, struct arena *a, const struct config *cfg, const struct credit_note *cn,
                    const unsigned char **pdf, size_t *len)
{
    struct order o;
    struct invoice_doc d;
    if (credit_note_doc(db, a, cn, &o, &d) != DB_OK)
        return DB_ERROR;
    return invoice_doc_pdf(cfg, a, &d, pdf, len) == 0 ? DB_OK : DB_ERROR;
}

/* The e-mail to the municipality's invoice address and the ordering admin,
 * with the credit note as PDF; inside the transaction. */
static int queue_mail(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                      const struct credit_note *cn, int64_t now)
{
    struct order o;
    struct invoice_doc d;
    struct municipality m;
    struct account admin;
    if (credit_note_doc(db, a, cn, &o, &d) != DB_OK ||
        db_municipality_by_id(db, a, o.municipality_id, &m) != DB_OK ||
        db_account_by_id(db, a, o.account_id, &admin) != DB_OK)
        return DB_ERROR;
    struct mail_attachment pdf = {.filename = arena_printf(a, "Gutschrift-%s.pdf", cn->number),
                                  .content_type = "application/pdf"};
    if (invoice_doc_pdf(cfg, a, &d, (const unsigned char **)&pdf.data, &pdf.len) != 0)
        return DB_ERROR;
    struct buf b;
    buf_init(&b, a);
    buf_printf(&b, "Guten Tag,\n\nzur Rechnung %s vom %s stellen wir Ihnen die Gutschrift %s über %s aus "
                   "(netto %s zuzüglich %lld %% USt %s).\n\nGrund: %s\n\n",
               o.invoice_number, fmt_date(a, o.created_at), cn->number, fmt_money(a, cn->gross_cents),
               fmt_money(a, cn->net_cents), (long long)cn->vat_percent, fmt_money(a, cn->vat_cents), cn->reason);
    buf_puts(&b, "Storniert:\n");
    for (size_t i = 0; i < d.nlines; i++)
        buf_printf(&b, "  %lld Stk Voucher: %s zu je %s = %s\n", (long long)d.lines[i].quantity, d.lines[i].title,
                   fmt_money(a, d.lines[i].unit_price_cents), fmt_money(a, d.lines[i].line_net_cents));
    buf_printf(&b, "\nDie zugehörigen Vouchercodes sind ab sofort ungültig. Die Gutschrift liegt als PDF bei; "
                   "Sie finden sie auch unter %s/bestellungen/%lld.\n\n"
                   "Mit freundlichen Grüßen\nIhre Städtebund Academy\n",
               cfg->server_base_url, (long long)o.id);
    struct mail_message msg = {
        .recipients = strcasecmp(m.invoice_email, admin.email) == 0
                          ? m.invoice_email
                          : arena_printf(a, "%s, %s", m.invoice_email, admin.email),
        .subject = arena_printf(a, "Gutschrift %s zur Rechnung %s – Städtebund Academy", cn->number,
                                o.invoice_number),
        .body_text = b.data, .attachments = &pdf, .nattachments = 1,
    };
    return outbox_queue(db, keys, a, &msg, now);
}

/* Everything after BEGIN; the caller commits or rolls back. */
static enum credit_status issue(struct db *db, const struct crypto_keys *keys, const struct config *cfg,
                                struct arena *a, const struct credit_request *rq, int64_t now,
                                struct credit_note *cn, char *msg, size_t msglen)
{
    struct order o;
    int status = db_order_by_id(db, a, rq->order_id, &o);
    if (status == DB_NOT_FOUND)
        return refuse(msg, msglen, "Diese Rechnung gibt es nicht.");
    if (status != DB_OK)
        return CREDIT_ERROR;
    int64_t redeemed;
    struct credit_note_line *lines;
    size_t n;
    if (db_order_redeemed_count(db, o.id, &redeemed) != DB_OK ||
        db_credit_cancellable(db, a, o.id, &lines, &n) != DB_OK)
        return CREDIT_ERROR;
    if (rq->scope == CREDIT_ALL && redeemed > 0)
        return refuse(msg, msglen, "Die ganze Rechnung kann nicht storniert werden: Mindestens ein Code ist bereits "
                                   "eingelöst. Stornieren Sie die offenen Codes („nur offene Codes“).");
    if (n == 0)
        return refuse(msg, msglen, "Es gibt keine offenen Codes mehr, die storniert werden könnten.");
    *cn = (struct credit_note){.order_id = o.id, .year = date_year_vienna(now), .scope = rq->scope,
                               .reason = rq->reason, .account_id = rq->account_id, .vat_percent = o.vat_percent,
                               .created_at = now};
    for (size_t i = 0; i < n; i++)
        cn->net_cents += lines[i].line_net_cents;
    cn->vat_cents = money_percent_half_up(cn->net_cents, (int)o.vat_percent);
    cn->gross_cents = cn->net_cents + cn->vat_cents;
    if (db_credit_note_next(db, cn->year, &cn->seq) != DB_OK)
        return CREDIT_ERROR;
    cn->number = arena_printf(a, "GS-%04lld-%06lld", (long long)cn->year, (long long)cn->seq);
    if (db_credit_note_add(db, cn, &cn->id) != DB_OK)
        return CREDIT_ERROR;
    for (size_t i = 0; i < n; i++) {
        lines[i].credit_note_id = cn->id;
        lines[i].position = (int64_t)i;
        if (db_credit_note_line_add(db, &lines[i]) != DB_OK)
            return CREDIT_ERROR;
    }
    const char *why = arena_printf(a, "Storno %s: %s", cn->number, rq->reason);
    int64_t revoked;
    if (db_credit_vouchers_revoke(db, o.id, cn->id, now, why, &revoked) != DB_OK)
        return CREDIT_ERROR;
    int64_t units = 0;
    for (size_t i = 0; i < n; i++)
        units += lines[i].quantity;
    if (revoked != units) /* cannot happen inside one transaction; never issue a note that lies */
        return CREDIT_ERROR;
    const char *detail = arena_printf(a, "%s zur Rechnung %s, %lld Codes, %s brutto, %s: %s", cn->number,
                                      o.invoice_number, (long long)units, fmt_money(a, cn->gross_cents),
                                      rq->scope == CREDIT_ALL ? "ganze Rechnung" : "offene Codes", rq->reason);
    if (db_audit_add(db, rq->account_id, AUDIT_INVOICE_CANCEL, o.invoice_number, detail, rq->ip, now) != DB_OK ||
        queue_mail(db, a, keys, cfg, cn, now) != DB_OK)
        return CREDIT_ERROR;
    return CREDIT_OK;
}

enum credit_status credit_note_issue(struct db *db, const struct crypto_keys *keys, const struct config *cfg,
                                     struct arena *a, const struct credit_request *rq, int64_t now,
                                     struct credit_note *cn, char *msg, size_t msglen)
{
    if (db_begin(db) != DB_OK)
        return CREDIT_ERROR;
    enum credit_status s = issue(db, keys, cfg, a, rq, now, cn, msg, msglen);
    if (s == CREDIT_OK && db_commit(db) != DB_OK)
        s = CREDIT_ERROR;
    if (s != CREDIT_OK)
        db_rollback(db);
    return s;
}

const char *credit_status_label(const char *status)
{
    return strcmp(status, "ueberfaellig") == 0 ? "überfällig" : status;
}
