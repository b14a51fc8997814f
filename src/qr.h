/* qr — the only user of libqrencode: a text as the module matrix of a QR
 * code (error correction level M, 8-bit mode, the smallest version that
 * holds it).  Drawing it is the caller's (pdf.c draws squares). */
#ifndef QR_H
#define QR_H

#include <stdbool.h>

struct arena;

struct qr {
    int width;           /* modules per side, without the quiet zone */
    unsigned char *dark; /* width × width, row by row from the top: 1 = dark; in the arena */
};

/* Encodes text (UTF-8) into q.  0, or -1 (logged) when libqrencode fails
 * (out of memory, or text too long for any QR version). */
int qr_encode(struct arena *a, const char *text, struct qr *q);

static inline bool qr_dark(const struct qr *q, int row, int col)
{
    return q->dark[row * q->width + col] != 0;
}

#endif
