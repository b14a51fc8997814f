/* support — the rules of the support desk (/support) as pure functions: what
 * a search term is, whether support may change a code, and the short German
 * texts support reads.  No database, no I/O, no globals, thread-safe; the
 * handlers are in h_support.c. */
#ifndef SUPPORT_H
#define SUPPORT_H

#include <stdint.h>

#include "db.h"
#include "mime.h"
#include "voucher.h"

struct arena;

/* What a search term names.  The order is the order of the checks: an
 * error reference, an invoice number, an order number, a code (well-formed
 * or with a wrong check symbol), an e-mail address, a username. */
enum support_kind {
    SUPPORT_REFERENCE, /* "F-7K3Q" (any case, O/0 and I/L/1 read as in codes) */
    SUPPORT_INVOICE,   /* "RE-2026-000001" (any case, leading zeros optional) */
    SUPPORT_ORDER,     /* 1 to 12 digits: an order number */
    SUPPORT_CODE,      /* a well-formed code as voucher_normalize() reads it */
    SUPPORT_BAD_CODE,  /* 24 code symbols whose check symbol is wrong (V02) */
    SUPPORT_EMAIL,
    SUPPORT_USERNAME,
    SUPPORT_UNKNOWN,   /* none of these */
};

#define SUPPORT_TERM_SIZE 201 /* fields.c limits q to 200 bytes */

struct support_query {
    enum support_kind kind;
    char term[SUPPORT_TERM_SIZE]; /* normalised: "F-7K3Q", "RE-2026-000001", the code's 24 symbols,
                                     the trimmed address or username; "" for SUPPORT_UNKNOWN */
    int64_t order_id;             /* SUPPORT_ORDER */
};

/* Decides what q (as typed; NULL = "") names and normalises it.  Cannot fail. */
void support_classify(const char *q, struct support_query *out);

/* What support searched for, in the dative for "Suche nach …" and "Zu …":
 * "dem Code", "der Fehlerreferenz", ... */
const char *support_kind_label(enum support_kind kind);

/* The meaning of a result of the attempt log ("OK", "V01" .. "V11") in a few
 * German words; "unbekanntes Ergebnis" for anything else. */
const char *support_result_text(const char *result);

/* The German name of a role ("Mitarbeiter*in", ...). */
const char *support_role_label(enum role role);

/* The changes support may make to a code. */
enum support_action { SUPPORT_REVOKE, SUPPORT_EXTEND, SUPPORT_RELEASE, SUPPORT_UNREVOKE };

/* NULL when action a may change voucher v at now, else the German sentence
 * why not.  new_until: the new validity end (extend only); completed: how
 * many of the enrollments the voucher paid for are completed (release only). */
const char *support_refusal(enum support_action a, const struct voucher *v, int64_t now, int64_t new_until,
                            int64_t completed);

/* The e-mail to acc after support undid the redemption of their code: the
 * courses they are no longer enrolled in (titles), the reason, whom to ask.
 * Strings in a; base_url without a trailing slash. */
void support_release_mail(struct arena *a, const struct account *acc, const char *const *titles, size_t ntitles,
                          const char *reason, const char *base_url, struct mail_message *m);

/* "/support?q=" with term percent-encoded (all but A-Z a-z 0-9 . _ -), in a. */
char *support_search_url(struct arena *a, const char *term);
/* "/support?code_id=ID": the support page of one code, named by its id so
 * that the code itself never travels in a URL (access logs, histories). */
char *support_code_url(struct arena *a, int64_t voucher_id);

#endif
