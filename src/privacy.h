/* privacy — what the GDPR asks of the operator for one account:
 * `voucherctl user export USERNAME` (every personal datum as JSON) and
 * `voucherctl user erase USERNAME` (anonymised in one transaction,
 * audited with who erased; invoices stay as issued). */
#ifndef PRIVACY_H
#define PRIVACY_H
#include <stddef.h>
#include <stdint.h>
struct arena;
struct db;

/* *json = the account's data (arena-owned).  Returns 0, or -1 with a
 * message in err (unknown account, database error). */
int privacy_export(struct db *db, struct arena *a, const char *username, const char **json, char *err,
                   size_t errlen);
/* Anonymises the account; operator names who erased (for the audit).
 * *new_username = the placeholder it now has ("geloescht-ID", arena-owned).
 * Returns 0, or -1 with a message in err and nothing changed. */
int privacy_erase(struct db *db, struct arena *a, const char *username, const char *operator, int64_t now,
                  const char **new_username, char *err, size_t errlen);
#endif
