/* order_docs — see order_docs.h. */
#include "order_docs.h"

#include <string.h>
#include <strings.h>

#include "codes.h"
#include "config.h"
#include "csv.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "invoice.h"
#include "log.h"
#include "mem.h"
#include "mime.h"
#include "money.h"
#include "outbox.h"
#include "recipients.h"

/* An order's codes with their display forms. */
struct shown_codes {
    struct order_code *list;
    const char **display;
    size_t n;
};

static int load_codes(struct db *db, struct arena *a, const struct crypto_keys *keys, int64_t order_id,
                      struct shown_codes *c)
{
    if (db_order_codes(db, a, order_id, NULL, 0, -1, &c->list, &c->n) != DB_OK)
        return DB_ERROR;
    c->display = arena_alloc(a, (c->n + 1) * sizeof *c->display);
    for (size_t i = 0; i < c->n; i++) {
        char *d = arena_alloc(a, VOUCHER_DISPLAY_SIZE);
        if (codes_display(keys, &c->list[i].v, d) != 0) {
            log_error("order %lld: code %lld does not open with this key file", (long long)order_id,
                      (long long)c->list[i].v.id);
            return DB_ERROR;
        }
        c->display[i] = d;
    }
    return DB_OK;
}

void excel_csv_row(struct buf *b, const char *const *fields, size_t n)
{
    if (b->len == 0)
        buf_puts(b, "\xEF\xBB\xBF"); /* the BOM: Excel then reads UTF-8 */
    for (size_t i = 0; i < n; i++) { /* quoted straight into the buffer: no copy per field */
        size_t len = csv_quote(fields[i], NULL, 0);
        csv_quote(fields[i], buf_room(b, len), len + 1);
        b->len += len;
        buf_puts(b, i + 1 < n ? ";" : "\r\n");
    }
}

const char *order_delivery_text(struct arena *a, int64_t mail_id, int64_t sent_at, int64_t given_up_at,
                                const char *error)
{
    if (!mail_id)
        return "";
    if (sent_at)
        return arena_printf(a, "versendet am %s", fmt_datetime(a, sent_at));
    if (given_up_at)
        return arena_printf(a, "nicht zustellbar: %s", error);
    if (*error)
        return arena_printf(a, "Zustellung fehlgeschlagen: %s (neuer Versuch folgt)", error);
    return "wartet auf den Versand";
}

const char *order_code_status_text(struct arena *a, const struct order_code *c, int64_t now)
{
    enum code_status st = codes_status(&c->v, now);
    if (st == CODE_REDEEMED)
        return arena_printf(a, "eingelöst am %s von %s", fmt_date(a, c->v.redeemed_at), c->redeemer_name);
    if (st != CODE_OPEN)
        return codes_status_label(st);
    if (c->mail_sent_at)
        return arena_printf(a, "versendet am %s", fmt_date(a, c->mail_sent_at));
    if (*c->v.issued_to)
        return "zugewiesen";
    return "offen";
}

static void csv_of(struct buf *b, const struct config *cfg, const struct shown_codes *c, int64_t now)
{
    static const char *const header[] = {"Kurs", "Code", "gültig bis", "Status", "eingelöst am", "eingelöst von",
                                         "ausgegeben an", "E-Mail", "versendet am", "Einlöse-Link"};
    excel_csv_row(b, header, 10);
    buf_room(b, c->n * 200); /* about a row's length: the buffer grows once, not ten times by doubling */
    int64_t valid_until = 0;
    const char *valid_until_text = "";
    for (size_t i = 0; i < c->n; i++) {
        const struct order_code *oc = &c->list[i];
        enum code_status st = codes_status(&oc->v, now);
        if (i == 0 || oc->v.valid_until != valid_until) /* an order's codes share it: formatted once */
            valid_until_text = fmt_date(b->arena, valid_until = oc->v.valid_until);
        const char *row[] = {
            oc->v.item_title, c->display[i], valid_until_text,
            codes_status_label(st),
            oc->v.redeemed_at ? fmt_date(b->arena, oc->v.redeemed_at) : "",
            oc->v.redeemed_at ? arena_printf(b->arena, "%s (%s)", oc->redeemer_name, oc->redeemer_username) : "",
            oc->v.issued_to, oc->recipient_email,
            oc->mail_sent_at ? fmt_date(b->arena, oc->mail_sent_at) : "",
            recipients_redeem_link(b->arena, cfg, c->display[i]),
        };
        excel_csv_row(b, row, 10);
    }
}

int order_codes_csv(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                    int64_t order_id, int64_t now, const char **csv, size_t *len)
{
    struct shown_codes c;
    if (load_codes(db, a, keys, order_id, &c) != DB_OK)
        return DB_ERROR;
    struct buf b;
    buf_init(&b, a);
    csv_of(&b, cfg, &c, now);
    *csv = b.data;
    *len = b.len;
    return DB_OK;
}

int order_invoice(struct db *db, struct arena *a, const struct config *cfg, const struct order *o,
                  const unsigned char **pdf, size_t *len)
{
    struct order_line *lines;
    size_t n;
    if (db_order_lines(db, a, o->id, &lines, &n) != DB_OK)
        return DB_ERROR;
    return invoice_pdf(cfg, a, o, lines, n, pdf, len) == 0 ? DB_OK : DB_ERROR;
}

/* The codes, one group per course or package with its validity. */
static void body_codes(struct buf *b, const struct shown_codes *c)
{
    for (size_t i = 0; i < c->n;) {
        size_t k = i;
        while (k < c->n && strcmp(c->list[k].v.item_title, c->list[i].v.item_title) == 0)
            k++;
        buf_printf(b, "\n%s – %zu %s, gültig bis %s\n", c->list[i].v.item_title, k - i,
                   k - i == 1 ? "Code" : "Codes", fmt_date(b->arena, c->list[i].v.valid_until));
        for (; i < k; i++)
            buf_printf(b, "  %s\n", c->display[i]);
    }
}

static const char *body(struct arena *a, const struct config *cfg, const struct order *o,
                        const struct account *admin, const struct shown_codes *c)
{
    struct buf b;
    buf_init(&b, a);
    buf_printf(&b, "Guten Tag,\n\nvielen Dank für Ihre Bestellung bei der Städtebund Academy. "
                   "Hier sind Ihre Vouchercodes.\n\n"
                   "Gemeinde: %s\nBestellt von: %s %s\nBestellung: Nr. %lld vom %s\nRechnungsnummer: %s\n",
               o->recipient_name, admin->first_name, admin->last_name, (long long)o->id,
               fmt_date(a, o->created_at), o->invoice_number);
    if (*o->reference)
        buf_printf(&b, "Ihr Bestellzeichen: %s\n", o->reference);
    buf_printf(&b, "Gesamtbetrag: %s (netto %s zuzüglich %lld %% USt %s)\n", fmt_money(a, o->gross_cents),
               fmt_money(a, o->net_cents), (long long)o->vat_percent, fmt_money(a, o->vat_cents));
    body_codes(&b, c);
    buf_printf(&b, "\nSo lösen Ihre Mitarbeiter*innen einen Code ein: unter %s/voucher/einloesen den Code "
                   "eingeben und sich mit dem bestehenden Konto anmelden oder ein neues Konto anlegen. "
                   "Jeder Code gilt einmal; an eine Person gebunden wird er erst beim Einlösen.\n\n"
                   "Die Codes stehen auch in der angehängten Datei codes.csv und jederzeit unter "
                   "%s/bestellungen/%lld; dort weisen Sie die Codes Ihren Mitarbeiter*innen zu und senden "
                   "jeder Person ihren Code per E-Mail. Die Rechnung %s liegt als PDF bei.\n\n"
                   "Mit freundlichen Grüßen\nIhre Städtebund Academy\n",
               cfg->server_base_url, cfg->server_base_url, (long long)o->id, o->invoice_number);
    return b.data;
}

/* The invoice address and the admin's, once when they are the same. */
static const char *recipients(struct arena *a, const struct municipality *m, const struct account *admin)
{
    if (strcasecmp(m->invoice_email, admin->email) == 0)
        return m->invoice_email;
    return arena_printf(a, "%s, %s", m->invoice_email, admin->email);
}

int order_mail_recipients(struct db *db, struct arena *a, int64_t order_id, const char **list)
{
    struct order o;
    struct municipality m;
    struct account admin;
    int status = db_order_by_id(db, a, order_id, &o);
    if (status == DB_OK && (status = db_municipality_by_id(db, a, o.municipality_id, &m)) == DB_OK &&
        (status = db_account_by_id(db, a, o.account_id, &admin)) == DB_OK)
        *list = recipients(a, &m, &admin);
    return status;
}

/* Everything the e-mail is made of, read inside the order's transaction. */
struct mail_parts {
    struct order o;
    struct municipality m;
    struct account admin;
    struct shown_codes codes;
    struct mail_attachment files[2];
};

static int load_parts(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                      int64_t order_id, int64_t now, struct mail_parts *p)
{
    struct buf csv;
    buf_init(&csv, a);
    p->files[0] = (struct mail_attachment){.filename = "codes.csv", .content_type = "text/csv; charset=utf-8"};
    if (db_order_by_id(db, a, order_id, &p->o) != DB_OK ||
        db_municipality_by_id(db, a, p->o.municipality_id, &p->m) != DB_OK ||
        db_account_by_id(db, a, p->o.account_id, &p->admin) != DB_OK ||
        load_codes(db, a, keys, order_id, &p->codes) != DB_OK)
        return DB_ERROR;
    csv_of(&csv, cfg, &p->codes, now);
    p->files[0].data = csv.data;
    p->files[0].len = csv.len;
    p->files[1] = (struct mail_attachment){
        .filename = arena_printf(a, "Rechnung-%s.pdf", p->o.invoice_number), .content_type = "application/pdf"};
    return order_invoice(db, a, cfg, &p->o, (const unsigned char **)&p->files[1].data, &p->files[1].len);
}

int order_mail_queue(struct db *db, struct arena *a, const struct crypto_keys *keys,
                     const struct config *cfg, int64_t order_id, int64_t now)
{
    struct mail_parts p;
    if (load_parts(db, a, keys, cfg, order_id, now, &p) != DB_OK)
        return DB_ERROR;
    struct mail_message m = {
        .recipients = recipients(a, &p.m, &p.admin),
        .subject = arena_printf(a, "Ihre Vouchercodes der Städtebund Academy – Rechnung %s", p.o.invoice_number),
        .body_text = body(a, cfg, &p.o, &p.admin, &p.codes),
        .attachments = p.files, .nattachments = 2,
    };
    return outbox_queue_for_order(db, keys, a, &m, order_id, now);
}
