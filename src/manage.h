/* manage — adding municipalities and accounts with every rule checked,
 * shared by voucherctl and the administration pages.  Each function either
 * changes the database completely or not at all.  A refusal names every
 * rule broken at once: as a list of problems, each tied to its input (the
 * forms show each at its field), or for voucherctl as one line in msg (the
 * sentences one after another). */
#ifndef MANAGE_H
#define MANAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct arena;

/* Which input a problem is about. */
enum manage_field {
    MANAGE_GKZ, MANAGE_NAME, MANAGE_INVOICE_EMAIL, MANAGE_UID,                      /* a municipality */
    MANAGE_USERNAME, MANAGE_FIRST_NAME, MANAGE_LAST_NAME, MANAGE_EMAIL, MANAGE_ROLE, /* an account */
    MANAGE_TENANT, MANAGE_PASSWORD,
};
/* A broken rule: the input and a German sentence (static, or in the arena
 * the check was given). */
struct manage_problem {
    enum manage_field field;
    const char *text;
};
/* Every broken rule of one change, at most one per input, in the order of
 * the form's inputs. */
#define MANAGE_PROBLEMS_MAX 8
struct manage_problems {
    size_t n;
    struct manage_problem at[MANAGE_PROBLEMS_MAX];
};

/* Every rule m breaks: when adding, the GKZ (5 digits, not taken yet);
 * name, invoice_email (e-mail syntax) and uid (ATU and 8 digits, or empty).
 * Reads the database only.  0 (none), 1 (out filled) or -1 on a database
 * error; texts in a. */
int manage_tenant_problems(struct db *db, struct arena *a, const struct municipality *m, bool adding,
                           struct manage_problems *out);
/* Checks m as above and adds it (adding) or changes name, address,
 * invoice_email and uid of the municipality with m->gkz (its GKZ stays).
 * 0 when written; 1 when refused (out: every problem, nothing written; a
 * GKZ taken meanwhile or an unknown municipality included); -1 on a
 * database error. */
int manage_tenant_save(struct db *db, struct arena *a, const struct municipality *m, bool adding, int64_t now,
                       struct manage_problems *out);
/* manage_tenant_save for voucherctl: 0, 1 (every problem in msg, one line)
 * or -1. */
int manage_tenant_add(struct db *db, const struct municipality *m, int64_t now, char *msg, size_t msglen);
int manage_tenant_edit(struct db *db, const struct municipality *m, char *msg, size_t msglen);

/* Every rule a new account breaks: username (syntax, not taken regardless
 * of case), names, email, role; tenant_gkz required for user and
 * tenant_admin (must exist; acc->municipality_id is set to it, 0 for the
 * other roles); password at least 10 characters and not the username.
 * Reads the database only.  0, 1 (out filled) or -1; texts in a. */
int manage_user_problems(struct db *db, struct arena *a, struct account *acc, const char *tenant_gkz,
                         const char *password, struct manage_problems *out);
/* Checks acc as above and adds it with the password's hash; acc->id is
 * set.  0, 1 (out: every problem, nothing written; a username taken
 * meanwhile included) or -1. */
int manage_user_create(struct db *db, struct arena *a, struct account *acc, const char *tenant_gkz,
                       const char *password, int64_t now, struct manage_problems *out);
/* manage_user_create for voucherctl: 0, 1 (every problem in msg) or -1. */
int manage_user_add(struct db *db, struct account *acc, const char *tenant_gkz, const char *password,
                    int64_t now, char *msg, size_t msglen);

/* Sets a new password for acc (id and username) by the password rule and
 * ends the account's sessions.  Call inside a transaction.  0, 1 (msg) or -1. */
int manage_user_set_password(struct db *db, const struct account *acc, const char *password, char *msg,
                             size_t msglen);

/* The password rule for new accounts: NULL when acceptable, else why not. */
const char *manage_password_problem(const char *password, const char *username);

#endif
