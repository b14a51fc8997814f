/* vouchers_pdf — see vouchers_pdf.h. */
#include "vouchers_pdf.h"

#include "codes.h"
#include "config.h"
#include "db.h"
#include "fmt.h"
#include "log.h"
#include "mem.h"
#include "pdf.h"
#include "qr.h"
#include "recipients.h"

#define COLS 2
#define ROWS 4
#define CARD_W (PDF_PAGE_WIDTH / COLS)
#define CARD_H (PDF_PAGE_HEIGHT / ROWS)
#define PAD 16.0
#define QR_SIDE 100.0

/* The QR code with its top left corner at (x, top): each run of dark
 * modules in a row is one filled rectangle. */
static void draw_qr(struct pdf *p, const struct qr *q, double x, double top, double side)
{
    double m = side / q->width;
    for (int row = 0; row < q->width; row++) {
        for (int col = 0; col < q->width;) {
            if (!qr_dark(q, row, col)) {
                col++;
                continue;
            }
            int start = col;
            while (col < q->width && qr_dark(q, row, col))
                col++;
            pdf_fill_rect(p, x + start * m, top - (row + 1) * m, (col - start) * m, m);
        }
    }
}

/* One card with its bottom left corner at (x, y). */
static int card(struct pdf *p, struct arena *a, const struct config *cfg, const struct order_code *c,
                const char *display, double x, double y)
{
    const char *link = recipients_redeem_link(a, cfg, display);
    struct qr q;
    if (qr_encode(a, link, &q) != 0)
        return -1;
    double top = y + CARD_H - PAD, text_w = CARD_W - 2 * PAD - QR_SIDE - 12;
    draw_qr(p, &q, x + CARD_W - PAD - QR_SIDE, top, QR_SIDE);
    pdf_text(p, x + PAD, top - 10, PDF_REGULAR, 9, text_w, "Voucher der Städtebund Academy");
    pdf_text(p, x + PAD, top - 28, PDF_BOLD, 12, text_w, c->v.item_title);
    pdf_text(p, x + PAD, top - 46, PDF_REGULAR, 10, text_w,
             arena_printf(a, "gültig bis %s", fmt_date(a, c->v.valid_until)));
    if (*c->v.issued_to)
        pdf_text(p, x + PAD, top - 62, PDF_REGULAR, 10, text_w, arena_printf(a, "für %s", c->v.issued_to));
    pdf_text(p, x + PAD, top - QR_SIDE - 26, PDF_MONO, 14, CARD_W - 2 * PAD, display);
    static const char *const how[] = {
        "1. QR-Code scannen oder %s/voucher/einloesen öffnen.",
        "2. Code eingeben, mit dem Benutzernamen anmelden oder ein Konto anlegen.",
        "3. Der Kurs steht danach unter „Meine Kurse“.",
    };
    for (int i = 0; i < 3; i++)
        pdf_text(p, x + PAD, top - QR_SIDE - 48 - i * 12, PDF_REGULAR, 8, CARD_W - 2 * PAD,
                 i == 0 ? arena_printf(a, how[0], cfg->server_base_url) : how[i]);
    return 0;
}

/* Dashed cut lines between the cards of a page. */
static void cut_lines(struct pdf *p)
{
    for (int col = 1; col < COLS; col++)
        pdf_dashed_line(p, col * CARD_W, 0, col * CARD_W, PDF_PAGE_HEIGHT);
    for (int row = 1; row < ROWS; row++)
        pdf_dashed_line(p, 0, row * CARD_H, PDF_PAGE_WIDTH, row * CARD_H);
}

int vouchers_pdf(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                 int64_t order_id, const struct code_filter *filter, int64_t now, const unsigned char **pdf,
                 size_t *len)
{
    struct code_filter f = filter ? *filter : (struct code_filter){0};
    f.status = "offen";
    f.now = now;
    struct order_code *codes;
    size_t n;
    if (db_order_codes(db, a, order_id, &f, 0, -1, &codes, &n) != DB_OK)
        return DB_ERROR;
    if (n == 0)
        return DB_NOT_FOUND;
    struct pdf *p = pdf_new(a, "Voucher der Städtebund Academy");
    if (!p)
        return DB_ERROR;
    for (size_t i = 0; i < n; i++) {
        size_t slot = i % (COLS * ROWS);
        if (slot == 0) {
            if (i > 0)
                pdf_page(p);
            cut_lines(p);
        }
        char display[VOUCHER_DISPLAY_SIZE];
        if (codes_display(keys, &codes[i].v, display) != 0) {
            log_error("order %lld: code %lld does not open with this key file", (long long)order_id,
                      (long long)codes[i].v.id);
            return DB_ERROR;
        }
        double x = (double)(slot % COLS) * CARD_W, y = PDF_PAGE_HEIGHT - (double)(slot / COLS + 1) * CARD_H;
        if (card(p, a, cfg, &codes[i], display, x, y) != 0)
            return DB_ERROR;
    }
    return pdf_finish(p, pdf, len) == 0 ? DB_OK : DB_ERROR;
}
