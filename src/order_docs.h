/* order_docs — the documents of a placed order, always read back from the
 * database so they are the same whenever they are made: the invoice PDF,
 * codes.csv, and the e-mail queued in the order's transaction.  Every
 * function returns DB_OK, or DB_ERROR (logged) when the database, a sealed
 * code or the PDF fails; results live in the arena. */
#ifndef ORDER_DOCS_H
#define ORDER_DOCS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct arena;
struct config;
struct db;
struct order;

/* The invoice of order o (see invoice.h). */
int order_invoice(struct db *db, struct arena *a, const struct config *cfg, const struct order *o,
                  const unsigned char **pdf, size_t *len);

/* codes.csv: header "Kurs,Code,gültig bis", one line per code. */
int order_codes_csv(struct db *db, struct arena *a, const struct crypto_keys *keys, int64_t order_id,
                    const char **csv, size_t *len);

/* Queues the order's e-mail to the municipality's invoice address and the
 * ordering admin: the codes by course with their validity in the body,
 * codes.csv and Rechnung-<number>.pdf attached.  Call inside the order's
 * transaction. */
int order_mail_queue(struct db *db, struct arena *a, const struct crypto_keys *keys,
                     const struct config *cfg, int64_t order_id, int64_t now);

#endif
