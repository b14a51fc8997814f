/* redeem — the rules of redeeming a voucher code, as pure functions: no
 * database, no I/O, no globals, thread-safe.  The caller (h_redeem.c) loads
 * the facts the rules ask for, one kind at a time, so the database is asked
 * only what the decision needs (nothing at all for V01/V02), and every
 * refusal comes out in the order the SPEC demands:
 *
 *   1. the typed code: V01 malformed, V02 check symbol wrong;
 *   2. the rate limit: V11 after [limits] redeem_max_failures guesses
 *      within the window from this IP (V03, V07) or with this username
 *      (V03); typos (V01, V02) and V04-V06, V08-V10 never count;
 *   3. the code's state, before anything about the username, so a stranger
 *      without a valid code learns nothing about accounts: V03 unknown,
 *      V06 revoked, V04 redeemed (but the same person sending it again
 *      from the same browser within REDEEM_REPEAT_SECONDS of their own
 *      success: REPEAT; anyone else with the code and the username gets
 *      V04, so the code says nothing about who redeemed it), V05 expired;
 *   4. new users: V10 form invalid, V09 username taken;
 *      existing users: V07 unknown or disabled account, V08 already enrolled
 *      in every course of the code (the code stays open);
 *   5. OK: redeem. */
#ifndef REDEEM_H
#define REDEEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "mime.h"
#include "voucher.h"

/* A second request of the same person from the same browser this soon
 * after their success shows the success again (a double click, Back and
 * send), instead of V04. */
#define REDEEM_REPEAT_SECONDS 600

enum redeem_outcome {
    REDEEM_OK = 0,          /* redeem now */
    REDEEM_V01_MALFORMED = 1,
    REDEEM_V02_CHECK,
    REDEEM_V03_UNKNOWN,
    REDEEM_V04_REDEEMED,
    REDEEM_V05_EXPIRED,
    REDEEM_V06_REVOKED,
    REDEEM_V07_NO_ACCOUNT,
    REDEEM_V08_ENROLLED,
    REDEEM_V09_TAKEN,
    REDEEM_V10_FORM,
    REDEEM_V11_LIMITED,
    REDEEM_REPEAT,          /* this person redeemed it moments ago in this browser: show the success again, change nothing */
    /* Not an answer yet: load this kind of fact and ask again. */
    REDEEM_NEED_FAILURES,
    REDEEM_NEED_VOUCHER,
    REDEEM_NEED_ACCOUNT,
    REDEEM_NEED_ENROLLMENT,
};

/* What is known about one attempt.  The *_known flags start false; the
 * caller sets a group (and its flag) when redeem_decide() asks for it. */
struct redeem_facts {
    int64_t now;
    bool new_user;               /* mode=new */
    enum voucher_status code;    /* voucher_normalize() of the typed code */
    bool form_valid;             /* new users: redeem_check_new_user() passed */

    bool failures_known;         /* REDEEM_NEED_FAILURES */
    int64_t failures_ip, failures_username, max_failures;

    bool voucher_known;          /* REDEEM_NEED_VOUCHER */
    const struct voucher *voucher; /* NULL = no such code */
    bool same_browser;           /* it was redeemed from the browser of this very request (its csrf token) */
    bool same_person;            /* it was redeemed by the account of this very request (see redeem_same_person) */

    bool account_known;          /* REDEEM_NEED_ACCOUNT: the account named by the username */
    bool account_found;
    bool account_disabled;

    bool enrollment_known;       /* REDEEM_NEED_ENROLLMENT (existing users) */
    bool enrolled_in_all;        /* already enrolled in every course of the code */
};

/* The outcome for the facts known so far, or a REDEEM_NEED_* asking for
 * more.  Cannot fail. */
enum redeem_outcome redeem_decide(const struct redeem_facts *f);
/* True for the REDEEM_NEED_* values. */
bool redeem_needs_fact(enum redeem_outcome o);
/* "V01" .. "V11" for refusals, "OK" for REDEEM_OK and REDEEM_REPEAT. */
const char *redeem_number(enum redeem_outcome o);

/* True when v was redeemed recently enough that its redeemer sending it
 * again counts as a double click. */
bool redeem_recent(const struct voucher *v, int64_t now);

/* The new-user form as received: NULL for a field absent or refused by its
 * validator in fields.c. */
struct redeem_new_user {
    const char *first_name, *last_name, *email, *username, *password, *password2;
    bool privacy;
};
/* The fields of the new-user form, as this module names them (the HTTP
 * input names are the page's business). */
enum redeem_field {
    RF_FIRST_NAME,
    RF_LAST_NAME,
    RF_EMAIL,
    RF_USERNAME,
    RF_PASSWORD,
    RF_PASSWORD2,
    RF_PRIVACY,
    RF__MAX
};
/* Checks every rule of the new-user form; errors[f] gets a German sentence
 * for each field f that is wrong (NULL for the others).  True when all pass. */
bool redeem_check_new_user(const struct redeem_new_user *u, const char *errors[RF__MAX]);

/* True when `redeemer` is the person sending this request: the same username
 * (any case), and for a new-user form (u not NULL) also the same names and
 * e-mail address.  The password of a new-user form is the caller's to check. */
bool redeem_same_person(const struct account *redeemer, const char *username, const struct redeem_new_user *u);

/* The reference shown with an error, "F-XXXX": four symbols of the code
 * alphabet from four random bytes. */
#define REDEEM_REF_RANDOM 4
#define REDEEM_REF_SIZE 7
void redeem_reference(const unsigned char random[REDEEM_REF_RANDOM], char out[REDEEM_REF_SIZE]);

/* The confirmation e-mail after a redemption, to acc's address: the courses
 * the code newly enrolled the account in, those of a package it held
 * already (named as such), the links to its courses in the learning
 * platform ("Zum Kurs", nlinks of them, may be 0), and for a new account its
 * username and municipality.  Strings in a; base_url without a trailing
 * slash. */
void redeem_mail(struct arena *a, const struct account *acc, bool new_account, const char *municipality,
                 const struct voucher_courses_split *courses, const struct course_link *links, size_t nlinks,
                 const char *base_url, struct mail_message *m);

#endif
