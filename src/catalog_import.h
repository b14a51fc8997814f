/* catalog_import — upserts courses and packages from CSV text with the
 * header `kind,slug,title,description,hours,price_cents,courses`, in one
 * transaction: every line is checked, and on the first bad line nothing
 * changes and msg says "Zeile N: ...".  Courses are written before packages,
 * so a package may name courses defined further down. */
#ifndef CATALOG_IMPORT_H
#define CATALOG_IMPORT_H

#include <stddef.h>

struct db;

/* 0 on success (*count = lines imported), 1 on refusal (msg), -1 on a
 * database error. */
int catalog_import_csv(struct db *db, const char *text, size_t *count, char *msg, size_t msglen);

#endif
