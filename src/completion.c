/* completion — see completion.h. */
#include "completion.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "date.h"
#include "db.h"
#include "mem.h"

#define NUMBER_ATTEMPTS 5 /* a taken number (60 random bits) is drawn again */

/* The enrollment c names; COMPLETION_REFUSED with msg when there is none. */
static enum completion_status find_enrollment(struct db *db, struct arena *a, const struct completion *c,
                                              int64_t *id, const char **completed_on, char *msg, size_t msglen)
{
    struct account acc;
    struct catalog_item course;
    int status = db_account_by_username(db, a, c->username, &acc);
    if (status == DB_NOT_FOUND) {
        snprintf(msg, msglen, "unbekannter Benutzername %s", c->username);
        return COMPLETION_UNKNOWN;
    }
    if (status == DB_OK && (status = db_catalog_item_by_slug(db, a, c->course, &course)) == DB_OK &&
        course.kind != ITEM_COURSE)
        status = DB_NOT_FOUND;
    if (status == DB_NOT_FOUND) {
        snprintf(msg, msglen, "unbekannter Kurs %s", c->course);
        return COMPLETION_UNKNOWN;
    }
    if (status == DB_OK)
        status = db_enrollment_find(db, a, acc.id, course.id, id, completed_on);
    if (status == DB_NOT_FOUND) {
        snprintf(msg, msglen, "%s ist nicht im Kurs %s eingeschrieben", c->username, c->course);
        return COMPLETION_CONFLICT;
    }
    return status == DB_OK ? COMPLETION_OK : COMPLETION_ERROR;
}

static bool date_ok(const char *iso, int64_t now)
{
    int y, m, d;
    char today[DATE_TEXT_SIZE];
    date_iso_vienna(now, today);
    return date_parse_iso(iso, &y, &m, &d) && strcmp(iso, today) <= 0;
}

/* The certificate issued before for a completion recorded again. */
static enum completion_status recorded_before(struct db *db, struct arena *a, int64_t enrollment_id,
                                              const char *stored, const char *given,
                                              char number[CERT_NUMBER_SIZE], char *msg, size_t msglen)
{
    struct certificate cert;
    if (strcmp(stored, given) != 0) {
        snprintf(msg, msglen, "Kurs ist bereits mit Datum %s abgeschlossen", stored);
        return COMPLETION_CONFLICT;
    }
    if (db_certificate_by_enrollment(db, a, enrollment_id, &cert) != DB_OK)
        return COMPLETION_ERROR;
    snprintf(number, CERT_NUMBER_SIZE, "%s", cert.number);
    return COMPLETION_OK;
}

/* Issues the certificate under a fresh random number. */
static int issue(struct db *db, int64_t enrollment_id, int64_t now, char number[CERT_NUMBER_SIZE])
{
    int status = DB_CONFLICT;
    for (int i = 0; i < NUMBER_ATTEMPTS && status == DB_CONFLICT; i++) {
        unsigned char random[CERT_NUMBER_RANDOM_BYTES];
        crypto_random(random, sizeof random);
        cert_number_from_random(random, number);
        status = db_certificate_add(db, number, enrollment_id, now);
    }
    return status;
}

enum completion_status completion_record(struct db *db, struct arena *a, const struct completion *c,
                                         const struct completion_actor *by, int64_t now,
                                         char number[CERT_NUMBER_SIZE], char *msg, size_t msglen)
{
    int64_t id;
    const char *stored;
    if (!date_ok(c->completed_on, now)) {
        snprintf(msg, msglen, "completed_on muss ein Datum JJJJ-MM-TT sein, nicht in der Zukunft");
        return COMPLETION_REFUSED;
    }
    enum completion_status cs = find_enrollment(db, a, c, &id, &stored, msg, msglen);
    if (cs != COMPLETION_OK)
        return cs;
    if (*stored)
        return recorded_before(db, a, id, stored, c->completed_on, number, msg, msglen);
    int64_t enrolled_at;
    char enrolled[DATE_TEXT_SIZE], enrolled_text[DATE_TEXT_SIZE];
    if (db_enrollment_enrolled_at(db, id, &enrolled_at) != DB_OK)
        return COMPLETION_ERROR;
    date_iso_vienna(enrolled_at, enrolled);
    if (strcmp(c->completed_on, enrolled) < 0) {
        date_iso_to_text(enrolled, enrolled_text);
        snprintf(msg, msglen, "Das Abschlussdatum liegt vor der Einschreibung in den Kurs am %s", enrolled_text);
        return COMPLETION_REFUSED;
    }
    if (db_enrollment_complete(db, id, c->completed_on) != DB_OK || issue(db, id, now, number) != DB_OK)
        return COMPLETION_ERROR;
    const char *subject = arena_printf(a, "%s %s", c->username, c->course);
    const char *detail = arena_printf(a, "%s %s via %s", number, c->completed_on, by->via);
    return db_audit_add(db, by->account_id, AUDIT_COMPLETION, subject, detail, by->ip, now) == DB_OK
               ? COMPLETION_OK : COMPLETION_ERROR;
}

enum completion_status completion_record_one(struct db *db, struct arena *a, const struct completion *c,
                                             const struct completion_actor *by, int64_t now,
                                             char number[CERT_NUMBER_SIZE], char *msg, size_t msglen)
{
    if (db_begin(db) != DB_OK)
        return COMPLETION_ERROR;
    enum completion_status cs = completion_record(db, a, c, by, now, number, msg, msglen);
    return db_end(db, (int)cs) < 0 ? COMPLETION_ERROR : cs; /* COMPLETION_OK is 0 */
}
