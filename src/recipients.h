/* recipients — handing an order's codes out to named people: the pasted
 * list "Name; E-Mail" (pure parsing), assigning codes to people one by one
 * or in bulk, and the e-mail that tells each person their code (queued in
 * the outbox in the assignment's transaction).  A code can be (re)assigned
 * only while it is open; every change is audited.  Used by the order page;
 * the reminders (reminders.h) read what it writes. */
#ifndef RECIPIENTS_H
#define RECIPIENTS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct arena;
struct config;
struct db;

/* Most lines one pasted list may have. */
#define RECIPIENTS_MAX 10000

struct recipient {
    size_t line;               /* 1-based line number in the pasted text */
    const char *name, *email;  /* trimmed, in the arena */
};

/* A line that could not be read: its number and a German message. */
struct recipient_error {
    size_t line;
    const char *message;
};

/* Reads text (UTF-8, LF or CRLF lines): each non-blank line is "Name;
 * E-Mail", or with "," or a tab in place of ";" (split at the last such
 * separator, so "Huber, Anna; anna@x.at" works).  Blank lines are skipped
 * but counted.  *list and *errors are arena arrays; the list is usable only
 * when *nerrors is 0.  Pure; cannot fail. */
void recipients_parse(struct arena *a, const char *text, struct recipient **list, size_t *n,
                      struct recipient_error **errors, size_t *nerrors);

/* Who does it (for the audit log and "whom to ask" in the e-mail). */
struct recipients_actor {
    int64_t account_id, municipality_id;
    const char *first_name, *last_name, *email;
    const char *ip; /* NULL = not from the web */
};

enum recipients_status {
    RECIPIENTS_OK = 0,
    RECIPIENTS_REFUSED = 1,   /* *message says why; nothing changed */
    RECIPIENTS_NOT_FOUND = 2, /* no such code or order of the actor's municipality */
    RECIPIENTS_ERROR = -1,    /* database or key file (logged); nothing changed */
};

/* Assigns the first n open, unassigned codes of the item `slug` in the
 * order, in order, to list[0..n) and queues one e-mail per person, all in
 * one transaction: fewer such codes than people, or a person already
 * holding an open code of that item in the order, refuses the whole list. */
enum recipients_status recipients_assign_bulk(struct db *db, struct arena *a, const struct crypto_keys *keys,
                                              const struct config *cfg, int64_t order_id, const char *slug,
                                              const struct recipient *list, size_t n,
                                              const struct recipients_actor *by, int64_t now,
                                              const char **message);

/* The checks of recipients_assign_bulk without writing anything (for the
 * preview): RECIPIENTS_OK, REFUSED with *message, or ERROR. */
enum recipients_status recipients_check(struct db *db, struct arena *a, int64_t order_id, const char *slug,
                                        const struct recipient *list, size_t n, int64_t now, const char **message);

/* Sets the recipient of one open code (name and email both "" clear it; a
 * name without a valid address or the reverse is refused).  No e-mail is
 * sent.  *order_id receives the code's order. */
enum recipients_status recipients_assign_one(struct db *db, struct arena *a, int64_t voucher_id,
                                             const char *name, const char *email,
                                             const struct recipients_actor *by, int64_t now,
                                             int64_t *order_id, const char **message);

/* (Re)sends an assigned, open code to its recipient (queued in the outbox,
 * audited).  *order_id receives the code's order. */
enum recipients_status recipients_send(struct db *db, struct arena *a, const struct crypto_keys *keys,
                                       const struct config *cfg, int64_t voucher_id,
                                       const struct recipients_actor *by, int64_t now, int64_t *order_id,
                                       const char **message);

/* BASE/voucher/einloesen?code=SBA-... for a code in display form, in the arena. */
const char *recipients_redeem_link(struct arena *a, const struct config *cfg, const char *display);

#endif
