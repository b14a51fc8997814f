/* completion — recording that an account completed a course, which issues
 * its certificate in the same transaction.  The one path used by
 * `voucherctl completions import`, the support form and the LMS endpoint.
 *
 * Rules: the username must name an account, the course slug a course (not a
 * package), the account must be enrolled in it, and completed_on must be an
 * ISO date (YYYY-MM-DD) not after today in Vienna and not before the day
 * of the enrollment.  Recording the same
 * completion again is harmless and answers the certificate already issued;
 * a different date for a completed enrollment is refused (its certificate
 * is out already). */
#ifndef COMPLETION_H
#define COMPLETION_H

#include <stddef.h>
#include <stdint.h>

#include "cert_number.h"

struct arena;
struct db;

struct completion {
    const char *username, *course, *completed_on; /* as given: username, course slug, "YYYY-MM-DD" */
};

/* Who recorded it, for the audit log. */
struct completion_actor {
    int64_t account_id; /* 0 = not a person (CSV import, LMS) */
    const char *via;    /* "csv", "form" or "lms" */
    const char *ip;     /* NULL = not from the web */
};

/* REFUSED, UNKNOWN and CONFLICT are all refusals with msg: UNKNOWN when the
 * username or course names nothing, CONFLICT when the account is not
 * enrolled in it or it is completed already with another date, REFUSED
 * for a bad date.  (The API answers them 422, 404 and 409.) */
enum completion_status { COMPLETION_OK = 0, COMPLETION_REFUSED, COMPLETION_ERROR, COMPLETION_UNKNOWN,
                         COMPLETION_CONFLICT };

/* Records c inside the caller's transaction.  OK: number holds the
 * certificate number (new, or the one issued before).  REFUSED: msg (German)
 * says why and this call changed nothing.  ERROR: a database error (logged);
 * the caller rolls back.  Strings it reads are copied into a. */
enum completion_status completion_record(struct db *db, struct arena *a, const struct completion *c,
                                         const struct completion_actor *by, int64_t now,
                                         char number[CERT_NUMBER_SIZE], char *msg, size_t msglen);

/* completion_record in a transaction of its own: committed on OK, rolled
 * back otherwise. */
enum completion_status completion_record_one(struct db *db, struct arena *a, const struct completion *c,
                                             const struct completion_actor *by, int64_t now,
                                             char number[CERT_NUMBER_SIZE], char *msg, size_t msglen);

#endif
