/* form_errors — the problems of a posted form, every one at its input: what
 * each page with a form (administration, /konto, password forms, redemption,
 * support, orders, accounting) collects before it answers, so a person sees
 * all that is wrong at once, each message by the input it is about, and a
 * summary at the top. */
#ifndef FORM_ERRORS_H
#define FORM_ERRORS_H

#include "fields.h"

struct manage_problems;
struct req;
struct view;

/* text and field of the first problem (text NULL = none yet), and one
 * message per input that is wrong. */
struct form_errors {
    const char *text;
    enum field_id field;
    const char *at[F__MAX]; /* the message at each input, NULL = fine */
    int count;              /* inputs with a message */
};

/* Records a problem at its input (F__MAX: about the form as a whole) unless
 * that input has one already. */
void form_error_set(struct form_errors *e, enum field_id field, const char *text);
/* Records each of manage.c's problems at the input it is about. */
void form_error_problems(struct form_errors *e, const struct manage_problems *p);
/* The valid value of an input, "" when absent; an input sent but refused
 * by the fields table records "<label> enthält unerlaubte Zeichen oder ist
 * zu lang." and gives "". */
const char *form_input(struct req *r, struct form_errors *e, enum field_id f, const char *label);
/* Checks a new password and its repeat (both as sent; password NULL when
 * the fields table refused it) for the account username: F_PASSWORD gets
 * a missing password or the password rule's objection, F_PASSWORD2 a
 * repeat that differs. */
void form_new_password(struct form_errors *e, const char *password, const char *raw_password, const char *repeat,
                       const char *username);
/* Puts the problems into the page: "error" (the message, or for several
 * "Bitte korrigieren Sie die N markierten Felder:"), "error_count" and the
 * list "errors" (text, id) of the messages at the inputs named in fields
 * (F__MAX-terminated), where id is var, prefix followed by the field's name:
 * the template links each to #<var>-error.  (The template shows the list
 * when error_count > 1.) */
void form_errors_summary(struct req *r, struct view *v, const struct form_errors *e, const enum field_id *fields,
                         const char *prefix);
/* form_errors_summary, and for each input in fields "<var>_invalid" (1 when
 * it has a message) and "<var>_error" (its message): the template shows
 * that message at the input as #<var>-error, which describes it. */
void form_errors_view(struct req *r, struct view *v, const struct form_errors *e, const enum field_id *fields,
                      const char *prefix);

#endif
