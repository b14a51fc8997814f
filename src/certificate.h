/* certificate — a certificate of a completed course as a PDF (A4
 * portrait, DejaVu fonts embedded): "Zertifikat", holder, municipality,
 * course, hours, completion date, number, issuer and the address where the
 * number can be checked.  Built only from the certificate's snapshot, so it
 * is the same PDF whenever it is made. */
#ifndef CERTIFICATE_H
#define CERTIFICATE_H

#include <stddef.h>

struct arena;
struct certificate;
struct config;


/* The PDF in the arena.  -1 (logged) when it cannot be made. */
int certificate_pdf(const struct config *cfg, struct arena *a, const struct certificate *c,
                    const unsigned char **data, size_t *len);

#endif
