/* credit_note — cancelling (part of) an invoice by a credit note
 * (Storno/Gutschrift).  An invoice is never changed: a credit note with its
 * own gapless series GS-YYYY-NNNNNN refers to it and lists the cancelled
 * codes' lines.  In one transaction: the next number of the year, the note
 * and its lines, the cancelled codes revoked (marked with the note, so they
 * stay revoked), the audit entry and the e-mail with the note's PDF to the
 * municipality's invoice address and the ordering admin.  Any failure
 * writes nothing. */
#ifndef CREDIT_NOTE_H
#define CREDIT_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "db.h"

struct arena;
struct config;
struct invoice_doc;

struct credit_request {
    int64_t order_id;
    enum credit_scope scope; /* CREDIT_ALL is refused once any code is redeemed */
    const char *reason;      /* non-empty */
    int64_t account_id;      /* the admin */
    const char *ip;          /* for the audit log; NULL from the command line */
};

enum credit_status { CREDIT_OK = 0, CREDIT_REFUSED = 1, CREDIT_ERROR = -1 };

/* Issues the credit note (filled into *cn, in the arena).  CREDIT_REFUSED
 * with a German message when the invoice is unknown, scope all meets a
 * redeemed code, or no open code is left to cancel. */
enum credit_status credit_note_issue(struct db *db, const struct crypto_keys *keys, const struct config *cfg,
                                     struct arena *a, const struct credit_request *rq, int64_t now,
                                     struct credit_note *cn, char *msg, size_t msglen);

/* The credit note as a document (see invoice.h), with the order it cancels
 * read into *o.  DB_OK or DB_ERROR. */
int credit_note_doc(struct db *db, struct arena *a, const struct credit_note *cn, struct order *o,
                    struct invoice_doc *d);
/* Its PDF in the arena.  DB_OK or DB_ERROR (logged). */
int credit_note_pdf(struct db *db, struct arena *a, const struct config *cfg, const struct credit_note *cn,
                    const unsigned char **pdf, size_t *len);

/* German label of an invoice's journal status ("ueberfaellig" → "überfällig"). */
const char *credit_status_label(const char *status);

#endif
