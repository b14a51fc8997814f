/* pdf — see pdf.h. */
#include "pdf.h"

#include <hpdf.h>
#include <stdbool.h>
#include <string.h>

#include "log.h"
#include "mem.h"

#define MIN_FONT_SIZE 6.0

struct pdf {
    struct arena *arena;
    HPDF_Doc doc;
    HPDF_Page page;
    HPDF_Font fonts[3]; /* by enum pdf_font; the monospace face is loaded on first use */
    HPDF_STATUS error; /* first error libharu reported, 0 = none */
};

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *arg)
{
    struct pdf *p = arg;
    if (!p->error) {
        p->error = error;
        log_error("libharu error 0x%04X (detail %u)", (unsigned)error, (unsigned)detail);
    }
}

static void free_doc(void *doc)
{
    HPDF_Free(doc);
}

static HPDF_Font load_font(struct pdf *p, const char *file)
{
    const char *name = HPDF_LoadTTFontFromFile(p->doc, file, HPDF_TRUE);
    return name ? HPDF_GetFont(p->doc, name, "UTF-8") : NULL;
}

struct pdf *pdf_new(struct arena *a, const char *title)
{
    struct pdf *p = arena_alloc(a, sizeof *p);
    p->arena = a;
    p->doc = HPDF_New(on_error, p);
    if (!p->doc)
        return NULL;
    arena_defer(a, free_doc, p->doc);
    HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(p->doc);
    HPDF_SetInfoAttr(p->doc, HPDF_INFO_TITLE, title);
    p->fonts[PDF_REGULAR] = load_font(p, PDF_FONT_FILE);
    p->fonts[PDF_BOLD] = load_font(p, PDF_BOLD_FONT_FILE);
    p->fonts[PDF_MONO] = NULL;
    pdf_page(p);
    return p->error ? NULL : p;
}

void pdf_page(struct pdf *p)
{
    p->page = HPDF_AddPage(p->doc);
    HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
}

/* The font, loading the monospace face the first time it is asked for
 * (only voucher sheets use it: other documents do not embed it). */
static HPDF_Font font_of(struct pdf *p, enum pdf_font font)
{
    if (font == PDF_MONO && !p->fonts[PDF_MONO])
        p->fonts[PDF_MONO] = load_font(p, PDF_MONO_FONT_FILE);
    return p->fonts[font];
}

static void text_at(struct pdf *p, double x, double y, enum pdf_font font, double size, const char *text)
{
    if (p->error || !font_of(p, font))
        return;
    HPDF_Page_BeginText(p->page);
    HPDF_Page_SetFontAndSize(p->page, font_of(p, font), (HPDF_REAL)size);
    HPDF_Page_TextOut(p->page, (HPDF_REAL)x, (HPDF_REAL)y, text);
    HPDF_Page_EndText(p->page);
}

/* Width of text at size (the page's current font is set to font). */
static double width(struct pdf *p, enum pdf_font font, double size, const char *text)
{
    if (p->error || !font_of(p, font))
        return 0;
    HPDF_Page_SetFontAndSize(p->page, font_of(p, font), (HPDF_REAL)size);
    return HPDF_Page_TextWidth(p->page, text);
}

/* The size, at most size, at which text fits max_width (when > 0). */
static double fit(struct pdf *p, enum pdf_font font, double size, double max_width, const char *text)
{
    while (max_width > 0 && size > MIN_FONT_SIZE && width(p, font, size, text) > max_width)
        size -= 0.5;
    return size;
}

void pdf_text(struct pdf *p, double x, double y, enum pdf_font font, double size, double max_width,
              const char *text)
{
    text_at(p, x, y, font, fit(p, font, size, max_width, text), text);
}

void pdf_text_center(struct pdf *p, double center_x, double y, enum pdf_font font, double size,
                     double max_width, const char *text)
{
    size = fit(p, font, size, max_width, text);
    text_at(p, center_x - width(p, font, size, text) / 2, y, font, size, text);
}

void pdf_text_right(struct pdf *p, double right_x, double y, enum pdf_font font, double size,
                    const char *text)
{
    text_at(p, right_x - width(p, font, size, text), y, font, size, text);
}

#define LINE_FACTOR 1.25

/* Lines of wrapped text (arena strings). */
struct lines {
    const char **line;
    size_t n, cap;
};

static void add_line(struct pdf *p, struct lines *l, const char *s, size_t len)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        const char **more = arena_alloc(p->arena, cap * sizeof *more);
        if (l->n)
            memcpy(more, l->line, l->n * sizeof *more);
        l->line = more;
        l->cap = cap;
    }
    l->line[l->n++] = arena_strndup(p->arena, s, len);
}

static bool fits(struct pdf *p, enum pdf_font font, double size, double w, const char *s, size_t len)
{
    return width(p, font, size, arena_strndup(p->arena, s, len)) <= w;
}

/* Bytes of the first whole UTF-8 characters of s[0..len) that fit w, at
 * least one character. */
static size_t fitting_prefix(struct pdf *p, enum pdf_font font, double size, double w, const char *s, size_t len)
{
    size_t best = 0;
    for (size_t i = 1; i <= len; i++) {
        if (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (!fits(p, font, size, w, s, i))
            break;
        best = i;
    }
    if (best == 0) /* not even one character: take it anyway */
        for (best = 1; best < len && ((unsigned char)s[best] & 0xC0) == 0x80; best++)
            ;
    return best;
}

/* One paragraph (no '\n') broken into lines of at most w points. */
static void wrap_paragraph(struct pdf *p, struct lines *l, enum pdf_font font, double size, double w,
                           const char *s, size_t len)
{
    size_t start = 0, end = 0; /* current line s[start..end) */
    size_t i = 0;
    while (i < len && s[i] == ' ')
        i++;
    start = end = i;
    while (i < len) {
        size_t word = i;
        while (i < len && s[i] != ' ')
            i++;
        size_t word_end = i;
        while (i < len && s[i] == ' ')
            i++;
        if (fits(p, font, size, w, s + start, word_end - start)) {
            end = word_end;
            continue;
        }
        if (end > start)
            add_line(p, l, s + start, end - start);
        start = word;
        while (!fits(p, font, size, w, s + start, word_end - start)) { /* a word wider than the box */
            size_t k = fitting_prefix(p, font, size, w, s + start, word_end - start);
            add_line(p, l, s + start, k);
            start += k;
        }
        end = word_end;
    }
    if (end > start || l->n == 0)
        add_line(p, l, s + start, end - start);
}

static struct lines wrap(struct pdf *p, enum pdf_font font, double size, double w, const char *text)
{
    struct lines l = {0};
    for (const char *s = text ? text : "";;) {
        size_t n = strcspn(s, "\n");
        size_t trimmed = n;
        while (trimmed > 0 && (s[trimmed - 1] == '\r' || s[trimmed - 1] == ' '))
            trimmed--;
        wrap_paragraph(p, &l, font, size, w, s, trimmed);
        if (!s[n])
            break;
        s += n + 1;
    }
    return l;
}

double pdf_text_box_height(struct pdf *p, double w, enum pdf_font font, double size, const char *text)
{
    if (p->error)
        return 0;
    return (double)wrap(p, font, size, w, text).n * size * LINE_FACTOR;
}

double pdf_text_box(struct pdf *p, double x, double top, double w, double max_height, enum pdf_font font,
                    double size, enum pdf_align align, const char *text)
{
    if (p->error)
        return 0;
    struct lines l = wrap(p, font, size, w, text);
    while (max_height > 0 && size > MIN_FONT_SIZE && (double)l.n * size * LINE_FACTOR > max_height) {
        size -= 0.5;
        l = wrap(p, font, size, w, text);
    }
    size_t n = l.n;
    if (max_height > 0)
        while (n > 0 && (double)n * size * LINE_FACTOR > max_height)
            n--;
    for (size_t i = 0; i < n; i++) {
        double y = top - size - (double)i * size * LINE_FACTOR;
        double lw = align == PDF_LEFT ? 0 : width(p, font, size, l.line[i]);
        double lx = align == PDF_LEFT ? x : align == PDF_CENTER ? x + (w - lw) / 2 : x + w - lw;
        text_at(p, lx, y, font, size, l.line[i]);
    }
    return (double)n * size * LINE_FACTOR;
}

void pdf_rule(struct pdf *p, double x1, double x2, double y)
{
    if (p->error)
        return;
    HPDF_Page_SetLineWidth(p->page, 0.5);
    HPDF_Page_MoveTo(p->page, (HPDF_REAL)x1, (HPDF_REAL)y);
    HPDF_Page_LineTo(p->page, (HPDF_REAL)x2, (HPDF_REAL)y);
    HPDF_Page_Stroke(p->page);
}

void pdf_frame(struct pdf *p, double x, double y, double w, double h, double line_width)
{
    if (p->error)
        return;
    HPDF_Page_SetLineWidth(p->page, (HPDF_REAL)line_width);
    HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
    HPDF_Page_Stroke(p->page);
}

void pdf_fill_rect(struct pdf *p, double x, double y, double w, double h)
{
    if (p->error)
        return;
    HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
    HPDF_Page_Fill(p->page);
}

void pdf_dashed_line(struct pdf *p, double x1, double y1, double x2, double y2)
{
    if (p->error)
        return;
    static const HPDF_UINT16 dash[] = {4, 3};
    HPDF_Page_SetLineWidth(p->page, 0.5);
    HPDF_Page_SetDash(p->page, dash, 2, 0);
    HPDF_Page_MoveTo(p->page, (HPDF_REAL)x1, (HPDF_REAL)y1);
    HPDF_Page_LineTo(p->page, (HPDF_REAL)x2, (HPDF_REAL)y2);
    HPDF_Page_Stroke(p->page);
    HPDF_Page_SetDash(p->page, NULL, 0, 0);
}

int pdf_finish(struct pdf *p, const unsigned char **data, size_t *len)
{
    if (p->error || HPDF_SaveToStream(p->doc) != HPDF_OK)
        return -1;
    HPDF_UINT32 size = HPDF_GetStreamSize(p->doc);
    unsigned char *out = arena_alloc(p->arena, size + 1);
    HPDF_UINT32 got = size;
    HPDF_STATUS rc = HPDF_ReadFromStream(p->doc, out, &got);
    if ((rc != HPDF_OK && rc != HPDF_STREAM_EOF) || got != size)
        return -1;
    *data = out;
    *len = size;
    return 0;
}
