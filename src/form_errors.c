/* form_errors — see form_errors.h. */
#include "form_errors.h"

#include <string.h>

#include "manage.h"
#include "mem.h"
#include "req.h"
#include "view.h"

void form_error_set(struct form_errors *e, enum field_id field, const char *text)
{
    if (!text)
        return;
    if (!e->text) {
        e->text = text;
        e->field = field;
    }
    if (field < F__MAX && !e->at[field]) {
        e->at[field] = text;
        e->count++;
    }
}

/* The input of each of manage.c's fields (both e-mail fields are F_EMAIL
 * on their forms). */
static const enum field_id problem_input[] = {
    [MANAGE_GKZ] = F_GKZ,           [MANAGE_NAME] = F_NAME,         [MANAGE_INVOICE_EMAIL] = F_EMAIL,
    [MANAGE_UID] = F_UID,           [MANAGE_USERNAME] = F_USERNAME, [MANAGE_FIRST_NAME] = F_FIRST_NAME,
    [MANAGE_LAST_NAME] = F_LAST_NAME, [MANAGE_EMAIL] = F_EMAIL,     [MANAGE_ROLE] = F_ROLE,
    [MANAGE_TENANT] = F_TENANT,     [MANAGE_PASSWORD] = F_PASSWORD,
};

void form_error_problems(struct form_errors *e, const struct manage_problems *p)
{
    for (size_t i = 0; i < p->n; i++) {
        enum manage_field field = p->at[i].field;
        form_error_set(e, field < sizeof problem_input / sizeof *problem_input ? problem_input[field] : F__MAX,
                       p->at[i].text);
    }
}

const char *form_input(struct req *r, struct form_errors *e, enum field_id f, const char *label)
{
    const char *text = req_text(r, f);
    if (text)
        return text;
    if (*req_raw(r, f))
        form_error_set(e, f, arena_printf(r->arena, "%s enthält unerlaubte Zeichen oder ist zu lang.", label));
    return "";
}

void form_new_password(struct form_errors *e, const char *password, const char *raw_password, const char *repeat,
                       const char *username)
{
    form_error_set(e, F_PASSWORD, !password ? "Bitte geben Sie ein neues Passwort mit mindestens 10 Zeichen ein."
                                            : manage_password_problem(password, username));
    if (strcmp(raw_password, repeat) != 0)
        form_error_set(e, F_PASSWORD2, "Die beiden neuen Passwörter stimmen nicht überein. Bitte geben Sie das "
                                       "neue Passwort zweimal gleich ein.");
}

/* Columns of table errors in the form templates, in the order they read them. */
enum { ERROR_TEXT, ERROR_ID, ERROR_COLUMNS };

void form_errors_summary(struct req *r, struct view *v, const struct form_errors *e, const enum field_id *fields,
                         const char *prefix)
{
    view_text(v, "error", e->count > 1 ? arena_printf(r->arena, "Bitte korrigieren Sie die %d markierten Felder:",
                                                      e->count)
                                       : e->text);
    view_int(v, "error_count", e->count);
    struct view_table *t = view_table(v, "errors", ERROR_COLUMNS);
    for (const enum field_id *f = fields; *f != F__MAX; f++) {
        if (e->at[*f]) {
            view_row(t);
            view_cell_text(t, ERROR_TEXT, e->at[*f]);
            view_cell_text(t, ERROR_ID, arena_printf(r->arena, "%s%s", prefix, field_specs[*f].name));
        }
    }
}

void form_errors_view(struct req *r, struct view *v, const struct form_errors *e, const enum field_id *fields,
                      const char *prefix)
{
    form_errors_summary(r, v, e, fields, prefix);
    for (const enum field_id *f = fields; *f != F__MAX; f++) {
        const char *var = arena_printf(r->arena, "%s%s", prefix, field_specs[*f].name);
        /* a message not tied to one of the form's inputs stays in the box alone */
        view_int(v, arena_printf(r->arena, "%s_invalid", var), e->at[*f] != NULL);
        view_text(v, arena_printf(r->arena, "%s_error", var), e->at[*f]);
    }
}
