/* privacy — user export and erase (see privacy.h). */
#include "privacy.h"
#include "db.h"
#include "mem.h"

#include <stdbool.h>
#include <stdio.h>

/* The message of a refusal: no such account (DB_NOT_FOUND), or a database
 * error while reading or (changing) erasing.  Returns -1. */
static int refuse(int status, const char *username, bool changing, char *err, size_t errlen)
{
    if (status == DB_NOT_FOUND)
        snprintf(err, errlen, "Es gibt kein Konto mit dem Benutzernamen %s.", username);
    else if (changing)
        snprintf(err, errlen, "Datenbankfehler: das Konto %s wurde nicht verändert.", username);
    else
        snprintf(err, errlen, "Datenbankfehler beim Lesen des Kontos %s.", username);
    return -1;
}

int privacy_export(struct db *db, struct arena *a, const char *username, const char **json, char *err,
                   size_t errlen)
{
    int status = db_privacy_export(db, a, username, json);
    if (status == DB_OK)
        return 0;
    return refuse(status, username, false, err, errlen);
}

int privacy_erase(struct db *db, struct arena *a, const char *username, const char *operator, int64_t now,
                  const char **new_username, char *err, size_t errlen)
{
    struct account acc;
    int status = db_begin(db);
    if (status == DB_OK)
        status = db_account_by_username(db, a, username, &acc);
    struct privacy_erase e = {0};
    if (status == DB_OK) {
        e = (struct privacy_erase){
            .account_id = acc.id,
            .old_username = acc.username,
            .new_username = arena_printf(a, "geloescht-%lld", (long long)acc.id),
            .email = acc.email,
            .full_name = arena_printf(a, "%s %s", acc.first_name, acc.last_name),
            .first_name = acc.first_name,
            .last_name = acc.last_name,
        };
        status = db_privacy_erase(db, &e, now);
    }
    if (status == DB_OK)
        status = db_audit_add(db, 0, AUDIT_ACCOUNT_ERASE, e.new_username,
                              arena_printf(a, "anonymisiert mit voucherctl durch %s", operator), NULL, now);
    if (db_end(db, status == DB_OK ? 0 : -1) != 0 || status != DB_OK)
        return refuse(status, username, true, err, errlen);
    *new_username = e.new_username;
    return 0;
}
