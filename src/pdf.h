/* pdf — the only user of libharu: A4 pages with text in DejaVu Sans
 * (embedded TrueType, UTF-8, so umlauts and € come out right), right-aligned
 * text and rules.  Coordinates in points from the bottom left (A4 is
 * 595 × 842).  A document belongs to one thread; documents on different
 * threads are independent. */
#ifndef PDF_H
#define PDF_H

#include <stddef.h>

struct arena;
struct pdf;

#define PDF_FONT_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define PDF_BOLD_FONT_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define PDF_MONO_FONT_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
#define PDF_PAGE_WIDTH 595.0
#define PDF_PAGE_HEIGHT 842.0

enum pdf_font { PDF_REGULAR, PDF_BOLD, PDF_MONO };

/* A new document with one empty page; freed at the arena's reset.  NULL
 * (logged) when libharu or the font files fail. */
struct pdf *pdf_new(struct arena *a, const char *title);
/* Starts a new page. */
void pdf_page(struct pdf *p);
/* One line of UTF-8 text starting at x, shrunk (down to 6 pt) to fit
 * max_width when max_width > 0. */
void pdf_text(struct pdf *p, double x, double y, enum pdf_font font, double size, double max_width,
              const char *text);
/* One line of text ending at right_x. */
void pdf_text_right(struct pdf *p, double right_x, double y, enum pdf_font font, double size,
                    const char *text);
/* One line of text centred on center_x, shrunk like pdf_text. */
void pdf_text_center(struct pdf *p, double center_x, double y, enum pdf_font font, double size,
                     double max_width, const char *text);
/* Wrapped text: the one way long text goes into a box.  text is broken at
 * spaces (a word wider than the box at its characters) and at '\n' into
 * lines of at most width points; the first baseline lies size below top,
 * each further one 1.25 × size lower.  When max_height > 0 the size shrinks
 * in 0.5 pt steps (down to 6 pt) until every line fits that height; at 6 pt
 * the lines that still do not fit are left out (never printed over what
 * lies below).  Returns the height taken (lines × 1.25 × size); cannot fail
 * (errors surface in pdf_finish). */
enum pdf_align { PDF_LEFT, PDF_CENTER, PDF_RIGHT };
double pdf_text_box(struct pdf *p, double x, double top, double width, double max_height, enum pdf_font font,
                    double size, enum pdf_align align, const char *text);
/* The height pdf_text_box would take without a height limit, drawing
 * nothing (to decide on a page break first). */
double pdf_text_box_height(struct pdf *p, double width, enum pdf_font font, double size, const char *text);
/* A horizontal rule from x1 to x2. */
void pdf_rule(struct pdf *p, double x1, double x2, double y);
/* The outline of a rectangle (bottom left x, y) with the given line width. */
void pdf_frame(struct pdf *p, double x, double y, double w, double h, double line_width);
/* A filled black rectangle (bottom left x, y), e.g. a QR code's module. */
void pdf_fill_rect(struct pdf *p, double x, double y, double w, double h);
/* A dashed line (a cut line) from (x1, y1) to (x2, y2). */
void pdf_dashed_line(struct pdf *p, double x1, double y1, double x2, double y2);
/* The finished document, in the arena.  -1 (logged) when libharu reported
 * an error at any step. */
int pdf_finish(struct pdf *p, const unsigned char **data, size_t *len);

#endif
