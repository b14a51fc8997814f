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

/* What is certified: holder, course, hours and date. */
static void body(struct pdf *p, struct arena *a, const struct certificate *c)
{
    char completed[DATE_TEXT_SIZE];
    date_iso_to_text(c->completed_on, completed);
    pdf_text_center(p, CENTER, 760, PDF_BOLD, 16, TEXT_WIDTH, "Städtebund Academy");
    pdf_text_center(p, CENTER, 742, PDF_REGULAR, 10, TEXT_WIDTH, "Weiterbildung für Österreichs Gemeinden");
    pdf_text_center(p, CENTER, 640, PDF_BOLD, 40, TEXT_WIDTH, "Zertifikat");
    pdf_text_center(p, CENTER, 585, PDF_REGULAR, 12, TEXT_WIDTH, "Hiermit wird bestätigt, dass");
    pdf_text_center(p, CENTER, 545, PDF_BOLD, 24, TEXT_WIDTH, c->holder_name);
    if (*c->municipality_name)
        pdf_text_center(p, CENTER, 520, PDF_REGULAR, 12, TEXT_WIDTH, c->municipality_name);
    pdf_text_center(p, CENTER, 475, PDF_REGULAR, 12, TEXT_WIDTH, "den Kurs");
    pdf_text_center(p, CENTER, 440, PDF_BOLD, 18, TEXT_WIDTH, c->course_title);
    pdf_text_center(p, CENTER, 405, PDF_REGULAR, 12, TEXT_WIDTH,
                    arena_printf(a, "im Umfang von %lld %s", (long long)c->hours,
                                 c->hours == 1 ? "Stunde" : "Stunden"));
    pdf_text_center(p, CENTER, 385, PDF_REGULAR, 12, TEXT_WIDTH,
                    arena_printf(a, "am %s erfolgreich abgeschlossen hat.", completed));
}

/* Number, issuer and where to check it. */
static void footer(struct pdf *p, struct arena *a, const struct config *cfg, const struct certificate *c)
{
    char issued[DATE_TEXT_SIZE];
    date_format_vienna(c->issued_at, issued);
    pdf_rule(p, CENTER - 150, CENTER + 150, 215);
    pdf_text_center(p, CENTER, 195, PDF_BOLD, 11, TEXT_WIDTH, arena_printf(a, "Zertifikatsnummer %s", c->number));
    pdf_text_center(p, CENTER, 177, PDF_REGULAR, 10, TEXT_WIDTH,
                    arena_printf(a, "Ausgestellt am %s von %s", issued, cfg->invoice_seller_name));
    pdf_text_center(p, CENTER, 150, PDF_REGULAR, 9, TEXT_WIDTH,
                    arena_printf(a, "Prüfen unter %s", certificate_verify_url(a, cfg, c->number)));
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
