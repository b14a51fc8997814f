/* fields — the one table of every input name the application accepts, each
 * with a length limit and a pure validator.  Handlers read inputs only
 * through it (req_text / req_raw), so an unvalidated value cannot reach them.
 * Names not in the table are ignored. */
#ifndef FIELDS_H
#define FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "order.h"

struct arena;
struct form_pair;

enum field_id {
    F_CSRF,        /* anti-CSRF token of every POST form */
    F_USERNAME,    /* login name */
    F_PASSWORD,    /* password (never re-shown) */
    F_PASSWORD2,   /* password repeated (new accounts) */
    F_CODE,        /* voucher code as typed */
    F_MODE,        /* redeem form: "existing" or "new" */
    F_FIRST_NAME,
    F_LAST_NAME,
    F_EMAIL,
    F_PRIVACY,     /* "1" = consent to the privacy notice */
    F_REFERENCE,   /* the municipality's own order reference */
    F_CONFIRM,     /* "1" = place the order now */
    F_ORDER_TOKEN, /* idempotency token of an order form */
    F_Q,           /* support search */
    F_NR,          /* certificate number to verify */
    F_REASON,      /* why support changed a code */
    F_VALID_UNTIL, /* YYYY-MM-DD */
    F_NEXT,        /* local path to return to after login */
    /* administration */
    F_GKZ,         /* Gemeindekennziffer (5 digits, checked by manage.c) */
    F_NAME,        /* municipality name */
    F_ADDRESS,     /* postal address, several lines */
    F_UID,         /* UID number (ATU...) */
    F_SLUG,        /* catalog item slug (rules in catalog_rules.c) */
    F_TITLE,
    F_DESCRIPTION,
    F_HOURS,       /* duration in hours, as typed */
    F_PRICE,       /* net price in euro as typed, "149,00" */
    F_KIND,        /* "course" or "package" */
    F_ACTIVE,      /* "1" = on sale (a checkbox) */
    F_ROLE,        /* "user", "tenant_admin", "support", "admin" (checked by role_from_name) */
    F_COURSES,     /* a package's course slugs, separated by spaces */
    F_TENANT,      /* GKZ of an account's municipality (account form, filter) */
    F_DONE,        /* support: the action just done ("revoke", "extend", "release", "mail"), for its notice */
    F_COURSE,      /* course slug (completions) */
    F_COMPLETED_ON, /* YYYY-MM-DD (completions) */
    F_PAGE,        /* "seite": page number of a long list, 1.. */
    F_CURRENT_PASSWORD, /* the password in use, to change it */
    F_IP,          /* support: the client address of a V11 block to lift */
    F_LOGIN,       /* "Passwort vergessen": a username or an e-mail address */
    F_T,           /* the token of a password reset link */
    F_URL,         /* a course's address in the learning platform (https://...) */
    F_AFTER,       /* LMS feed: the last seq seen (digits) */
    F_LIMIT,       /* LMS feed: how many entries at most (digits) */
    F_RECIPIENTS,  /* pasted lines "Name; E-Mail" (distributing codes) */
    F_STATUS,      /* list filter: a code's, an enrollment's or an invoice's status (see valid_status) */
    F_ASSIGNED,    /* list filter: "ja" or "nein" (code given to someone) */
    F_HINT,        /* "hinweis": what was just done, for its notice after a redirect */
    F_CODE_ID,     /* "code_id": the code a notice is about */
    F_EDIT,        /* "1" = back from the order review to the form, quantities kept ("Ändern") */
    /* accounting (issue 11) */
    F_FROM,        /* journal: first invoice date, YYYY-MM-DD */
    F_TO,          /* journal: last invoice date, YYYY-MM-DD */
    F_PAID_ON,     /* payment date, YYYY-MM-DD */
    F_SCOPE,       /* credit note: "all" or "open" */
    F_MAIL,        /* "mail": the outbox id of an order's e-mail support sends again */
    F__MAX
};

/* What an input holds.  fields_read checks the type and its limits before
 * valid(); a typed input that fails them is invalid (its text kept for
 * re-showing), and field_problem() says in German what is wrong. */
enum field_type {
    FT_TEXT = 0, /* text; with max_chars set, at most that many characters (max_bytes = 4 per character) */
    FT_INT,      /* a whole number min..max, digits only */
    FT_CENTS,    /* a euro amount as people type it ("1.234,50", "149", "149,5"), min..max cents */
    FT_DATE,     /* YYYY-MM-DD, a real calendar day (number = yyyymmdd) */
};

struct field_spec {
    const char *name;
    size_t max_bytes;                 /* FT_TEXT without max_chars: the limit in bytes */
    bool (*valid)(const char *value); /* pure; value is valid UTF-8 within the limits */
    enum field_type type;
    size_t max_chars;                 /* FT_TEXT: most characters (0 = max_bytes decides); forms' maxlength */
    long long min, max;               /* FT_INT, FT_CENTS: the accepted range */
    const char *label; /* how messages name it: nominative for numbers and text ("Die Dauer"),
                        * accusative for dates ("das Abschlussdatum") */
};

/* True for an input sent repeatedly (checkboxes: F_COURSES): its values
 * joined by ' ' make the input.  For every other input the first counts. */
bool field_is_list(enum field_id f);

extern const struct field_spec field_specs[F__MAX];

/* One input as received: text NULL when absent; valid false when present
 * but refused by its validator (text still holds it, for re-showing). */
struct field_value {
    const char *text;
    bool valid;
    long long number; /* FT_INT, FT_CENTS, FT_DATE when valid */
};

/* A quantity field qty_{slug}: slug and value (valid when 0..10000). */
#define QTY_MAX ORDER_QTY_MAX
struct qty_input {
    const char *slug;
    const char *text;
    long value;
    bool valid;
};

/* Fills values[F__MAX] (first occurrence wins) and the qty_ list (allocated
 * in the arena) from decoded pairs.  Cannot fail. */
void fields_read(struct arena *a, const struct form_pair *pairs, size_t n,
                 struct field_value values[F__MAX], struct qty_input **qty, size_t *nqty);

/* The German sentence for field f when it is invalid ("Der Preis muss ein
 * Betrag von 0,00 € bis … sein."), in the arena; a generic one for text. */
const char *field_problem(struct arena *a, enum field_id f);
/* The forms' maxlength of field f: its characters for text, its digits for
 * numbers and dates.  Templates write it as @max:NAME@ (view.c fills it in
 * when it lexes them), so the form and the validator cannot disagree. */
size_t field_maxlength(enum field_id f);
/* The field named name, or F__MAX. */
enum field_id field_by_name(const char *name);

/* The quantity rule of qty_{slug} (0..QTY_MAX), exported for the unit tests;
 * the text checks shared with other layers are in valid.h. */
bool field_parse_qty(const char *s, long *value);

#endif
