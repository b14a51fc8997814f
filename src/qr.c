/* qr — see qr.h. */
#include "qr.h"

#include <qrencode.h>
#include <string.h>

#include "log.h"
#include "mem.h"

int qr_encode(struct arena *a, const char *text, struct qr *q)
{
    QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!code) {
        log_error("libqrencode could not encode a text of %zu bytes", strlen(text));
        return -1;
    }
    q->width = code->width;
    q->dark = arena_alloc(a, (size_t)code->width * (size_t)code->width);
    for (int i = 0; i < code->width * code->width; i++)
        q->dark[i] = code->data[i] & 1; /* bit 0: dark module; the other bits describe its role */
    QRcode_free(code);
    return 0;
}
