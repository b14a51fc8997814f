/* certificate — see certificate.h.  Layout on A4 portrait in points, from
 * the bottom left. */
#include "certificate.h"

#include "config.h"
#include "date.h"
#include "db.h"
#include "mem.h"
#include "pdf.h"

#define CENTER (PDF_PAGE_WIDTH / 2)
#define TEXT_WIDTH 460.0

/* "<base_url>/zertifikat/pruefen?nr=<number>", in the arena. */
static const char *certificate_verify_url(struct arena *a, const struct config *cfg, const char *number)
{
    return arena_printf(a, "%s/zertifikat/pruefen?nr=%s", cfg->server_base_url, number);
}

static void frame(struct pdf *p)
{
    pdf_frame(p, 30, 30, PDF_PAGE_WIDTH - 60, PDF_PAGE_HEIGHT - 60, 2);
    pdf_frame(p, 38, 38, PDF_PAGE_WIDTH - 76, PDF_PAGE_HEIGHT - 76, 0.5);
}

/* Centred, wrapped text from top in the text column, at most max_height
 * high (0 = no limit); returns the next top with gap points below. */
static double centred(struct pdf *p, double top, double max_height, enum pdf_font font, double size,
                      const char *text, double gap)
{
    return top - pdf_text_box(p, CENTER - TEXT_WIDTH / 2, top, TEXT_WIDTH, max_height, font, size, PDF_CENTER,
                              text) - gap;
}

/* What is certified: holder, course, hours and date, each block below the
 * one before, long names and titles wrapped (and shrunk) within their box. */
static void body(struct pdf *p, struct arena *a, const struct certificate *c)
{
    char completed[DATE_TEXT_SIZE];
    date_iso_to_text(c->completed_on, completed);
    double y = centred(p, 780, 24, PDF_BOLD, 16, "Städtebund Academy", 2);
    centred(p, y, 16, PDF_REGULAR, 10, "Weiterbildung für Österreichs Gemeinden", 0);
    centred(p, 690, 52, PDF_BOLD, 40, "Zertifikat", 0);
    y = centred(p, 605, 0, PDF_REGULAR, 12, "Hiermit wird bestätigt, dass", 12);
    y = centred(p, y, 66, PDF_BOLD, 24, c->holder_name, 6);
    if (*c->municipality_name)
        y = centred(p, y, 48, PDF_REGULAR, 12, c->municipality_name, 0);
    y = centred(p, y - 16, 0, PDF_REGULAR, 12, "den Kurs", 10);
    y = centred(p, y, 92, PDF_BOLD, 18, c->course_title, 10);
    y = centred(p, y, 0, PDF_REGULAR, 12,
                arena_printf(a, "im Umfang von %lld %s", (long long)c->hours, c->hours == 1 ? "Stunde" : "Stunden"),
                4);
    centred(p, y, 0, PDF_REGULAR, 12, arena_printf(a, "am %s erfolgreich abgeschlossen hat.", completed), 0);
}

/* Number, issuer and where to check it. */
static void footer(struct pdf *p, struct arena *a, const struct config *cfg, const struct certificate *c)
{
    char issued[DATE_TEXT_SIZE];
    date_format_vienna(c->issued_at, issued);
    pdf_rule(p, CENTER - 150, CENTER + 150, 215);
    double y = centred(p, 207, 0, PDF_BOLD, 11, arena_printf(a, "Zertifikatsnummer %s", c->number), 4);
    y = centred(p, y, 26, PDF_REGULAR, 10,
                arena_printf(a, "Ausgestellt am %s von %s", issued, cfg->invoice_seller_name), 10);
    centred(p, y, 60, PDF_REGULAR, 9, arena_printf(a, "Prüfen unter %s", certificate_verify_url(a, cfg, c->number)),
            0);
}

int certificate_pdf(const struct config *cfg, struct arena *a, const struct certificate *c,
                    const unsigned char **data, size_t *len)
{
    struct pdf *p = pdf_new(a, arena_printf(a, "Zertifikat %s", c->number));
    if (!p)
        return -1;
    frame(p);
    body(p, a, c);
    footer(p, a, cfg, c);
    return pdf_finish(p, data, len);
}
