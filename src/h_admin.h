/* h_admin — what the administration handlers (h_admin*.c) share: the first
 * error of a form, marking its input, reading inputs, and writing a change
 * with its audit entry in one transaction. */
#ifndef H_ADMIN_H
#define H_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "audit_action.h"
#include "fields.h"

struct manage_problems;
struct req;
struct view;

/* The problems of a posted form: text and field of the first (text NULL =
 * none yet), and one message per input that is wrong. */
struct admin_error {
    const char *text;
    enum field_id field;
    const char *at[F__MAX]; /* the message at each input, NULL = fine */
    int count;              /* inputs with a message */
};

/* Records a problem at its input unless that input has one already. */
void admin_error_set(struct admin_error *e, enum field_id field, const char *text);
/* Records each of manage.c's problems at the input it is about. */
void admin_error_problems(struct admin_error *e, const struct manage_problems *p);
/* The valid value of an input, "" when absent; an input sent but refused
 * by the fields table records "<label> enthält unerlaubte Zeichen oder ist
 * zu lang." and gives "". */
const char *admin_input(struct req *r, struct admin_error *e, enum field_id f, const char *label);
/* Puts the problems into the page: "error" (shown as #admin-error: the
 * message, or for several "Bitte korrigieren Sie die N markierten Felder."
 * with the list "errors" (text, id)), and for each input named in fields
 * (F__MAX-terminated) "<name>_invalid" (1 when it has a message) and
 * "<name>_error" (its message, shown at the input as #<name>-error, which
 * describes it). */
void admin_view_error(struct req *r, struct view *v, const struct admin_error *e, const enum field_id *fields);

/* A change to write: change() returns 0, 1 (refused, message in msg) or
 * -1 (database error); the audit entry is written after it. */
struct admin_change {
    int (*change)(struct req *r, void *ctx, char *msg, size_t msglen);
    void *ctx;
    enum audit_action action;            /* the audit entry */
    const char *subject, *detail;
};
/* Runs the change and its audit entry in one transaction: 0 when
 * committed; 1 when refused (msg, nothing written); 500 on an error
 * (nothing written). */
int admin_write(struct req *r, const struct admin_change *c, char *msg, size_t msglen);

/* A long list shown a page at a time (?seite=N, 1..; a page past the end is
 * empty and links back).  Ask the database for `limit` rows from `offset`:
 * one more than a page, so the pager knows whether a next page exists. */
struct list_page {
    int64_t page, per_page, offset, limit;
};
struct list_page admin_list_page(struct req *r, int64_t per_page);
/* Puts the page navigation into v ("page", "has_prev", "has_next", "first_url",
 * "prev_url", "next_url", "paged" = either link exists, "from", "to" = the
 * positions shown) for a list at path whose filters are the NULL-terminated
 * name/value pairs of query (empty values left out); returns how many of the
 * n rows fetched belong on this page. */
size_t admin_pager(struct req *r, struct view *v, const struct list_page *p, size_t n, const char *path,
                   const char *const *query);

#endif
