/* accounts_import — see accounts_import.h. */
#include "accounts_import.h"

#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "db.h"
#include "mem.h"
#include "valid.h"

static const char *const header[] = {"username", "email", "first_name", "last_name", "gkz"};
#define NCOLS 5

/* Imports one line; NULL when done, else the problem.  *error on a database error. */
static const char *import_line(struct db *db, struct arena *a, const struct csv_record *rec, int64_t now,
                               size_t *added, size_t *updated, int *error)
{
    if (rec->nfields != NCOLS)
        return "5 Spalten erwartet: username,email,first_name,last_name,gkz";
    const char *const *f = rec->field;
    if (!valid_username(f[0]))
        return "username: 3 bis 40 Zeichen aus a–z, 0–9, Punkt, Unterstrich und Bindestrich";
    if (!valid_email(f[1]))
        return "email: keine gültige E-Mail-Adresse";
    if (!valid_person_name(f[2]))
        return "first_name: 1 bis 100 Zeichen";
    if (!valid_person_name(f[3]))
        return "last_name: 1 bis 100 Zeichen";
    struct municipality m;
    int status = db_municipality_by_gkz(db, a, f[4], &m);
    if (status == DB_NOT_FOUND)
        return arena_printf(a, "gkz: keine Gemeinde mit der Kennziffer %s", f[4]);
    struct account acc;
    if (status == DB_OK)
        status = db_account_by_username(db, a, f[0], &acc);
    if (status == DB_NOT_FOUND) {
        acc = (struct account){.username = f[0], .email = f[1], .first_name = f[2], .last_name = f[3],
                               .role = ROLE_USER, .municipality_id = m.id, .password_hash = ""};
        status = db_account_add(db, &acc, now, &acc.id);
        if (status == DB_CONFLICT)
            return "username: in dieser Datei doppelt";
        if (status == DB_OK)
            (*added)++;
    } else if (status == DB_OK) {
        if (acc.role != ROLE_USER)
            return arena_printf(a, "username: %s ist ein Konto der Rolle %s und wird nicht geändert", acc.username,
                                role_name(acc.role));
        acc.email = f[1];
        acc.first_name = f[2];
        acc.last_name = f[3];
        acc.municipality_id = m.id;
        status = db_account_import_update(db, &acc);
        if (status == DB_OK)
            (*updated)++;
    }
    if (status == DB_OK)
        status = db_audit_add(db, 0, AUDIT_ACCOUNT_IMPORT, f[0], arena_printf(a, "%s %s <%s>, GKZ %s", f[2], f[3],
                              f[1], f[4]), NULL, now);
    *error = status != DB_OK;
    return NULL;
}

static int import_lines(struct db *db, struct arena *a, const char *text, int64_t now, size_t *added,
                        size_t *updated, char *msg, size_t msglen)
{
    struct csv_reader rd;
    size_t buflen = strlen(text) + 1;
    char *buf = arena_alloc(a, buflen);
    struct csv_record rec;
    csv_reader_init(&rd, text);
    if (!csv_reader_header(&rd, header, NCOLS, buf, buflen, msg, msglen))
        return 1;
    for (;;) {
        int rc = csv_reader_next(&rd, &rec, buf, buflen), error = 0;
        if (rc == 0)
            return 0;
        const char *problem = rc < 0 ? "fehlerhaftes CSV" : import_line(db, a, &rec, now, added, updated, &error);
        if (error)
            return -1;
        if (problem) {
            snprintf(msg, msglen, "Zeile %d: %s", rd.line, problem);
            return 1;
        }
    }
}

int accounts_import_csv(struct db *db, const char *text, int64_t now, size_t *added, size_t *updated, char *msg,
                        size_t msglen)
{
    struct arena *a = arena_new();
    *added = *updated = 0;
    int rc = db_end(db, db_begin(db) == DB_OK ? import_lines(db, a, text, now, added, updated, msg, msglen) : -1);
    if (rc != 0)
        *added = *updated = 0;
    arena_free(a);
    return rc;
}
