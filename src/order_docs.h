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

/* codes.csv for Austrian Excel (";", UTF-8 with BOM, CRLF): header
 * "Kurs;Code;gültig bis;Status;eingelöst am;eingelöst von;ausgegeben an;
 * E-Mail;versendet am;Einlöse-Link", one line per code, status at now. */
int order_codes_csv(struct db *db, struct arena *a, const struct crypto_keys *keys, const struct config *cfg,
                    int64_t order_id, int64_t now, const char **csv, size_t *len);

/* Appends one line of an Excel CSV to b (the BOM first when b is empty):
 * the n fields quoted by csv_quote, ";" between them, CRLF at the end. */
struct buf;
void excel_csv_row(struct buf *b, const char *const *fields, size_t n);

/* How far a code has got: "offen", "zugewiesen", "versendet am dd.mm.yyyy",
 * "eingelöst am dd.mm.yyyy von Name", "abgelaufen" or "widerrufen". */
struct order_code;
/* The state of the e-mail that tells a recipient their code, in German:
 * "" (none), "wartet auf den Versand", "versendet am dd.mm.yyyy HH:MM",
 * "Zustellung fehlgeschlagen: <error> (neuer Versuch folgt)" or "nicht
 * zustellbar: <error>". */
const char *order_delivery_text(struct arena *a, int64_t mail_id, int64_t sent_at, int64_t given_up_at,
                                const char *error);
const char *order_code_status_text(struct arena *a, const struct order_code *c, int64_t now);

/* Queues the order's e-mail to the municipality's invoice address and the
 * ordering admin: the codes by course with their validity in the body,
 * codes.csv and Rechnung-<number>.pdf attached.  Call inside the order's
 * transaction. */
int order_mail_queue(struct db *db, struct arena *a, const struct crypto_keys *keys,
                     const struct config *cfg, int64_t order_id, int64_t now);

/* The addresses an order's e-mail goes to as they are now (the
 * municipality's invoice address and the ordering admin's, once if equal):
 * DB_OK with *list in the arena, DB_NOT_FOUND, DB_ERROR. */
int order_mail_recipients(struct db *db, struct arena *a, int64_t order_id, const char **list);

#endif
