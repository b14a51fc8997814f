/* db_privacy — an account's personal data read out as one JSON document,
 * and the statements that anonymise it (privacy.c runs them in one
 * transaction). */
#include "db_internal.h"

int db_privacy_export(struct db *db, struct arena *a, const char *username, const char **json)
{
    sqlite3_stmt *st = db_stmt(db, Q_PRIVACY_EXPORT);
    db_bind_text(st, 1, username);
    return db_read_one(db, a, st, db_row_text, json);
}

int db_privacy_erase(struct db *db, const struct privacy_erase *e, int64_t now)
{
    static const enum query_id steps[] = {
        Q_PRIVACY_ERASE_AUDIT,     Q_PRIVACY_ERASE_ATTEMPTS,
        Q_PRIVACY_ERASE_SESSIONS,  Q_PRIVACY_ERASE_RESETS,     Q_PRIVACY_ERASE_CERTS,
        Q_PRIVACY_ERASE_RECIPIENT, Q_PRIVACY_ERASE_MAIL_ALONE, Q_PRIVACY_ERASE_MAIL_SHARED,
        Q_PRIVACY_ERASE_ACCOUNT,
    };
    int status = DB_OK;
    for (size_t i = 0; status == DB_OK && i < sizeof steps / sizeof steps[0]; i++) {
        sqlite3_stmt *st = db_stmt(db, steps[i]);
        /* Every step numbers its parameters as the list in queries.def
         * (?1 .. ?8); binding one a step does not use is harmless. */
        const char *text[] = {NULL, e->old_username, e->new_username, e->email, e->full_name, e->first_name,
                              e->last_name};
        int n = sqlite3_bind_parameter_count(st);
        for (int p = 1; p <= n; p++) {
            if (p == 1)
                sqlite3_bind_int64(st, p, e->account_id);
            else if (p == 8)
                sqlite3_bind_int64(st, p, now);
            else
                db_bind_text(st, p, text[p - 1]);
        }
        status = db_exec_stmt(db, st);
    }
    return status;
}
