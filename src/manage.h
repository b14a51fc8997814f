/* manage — adding municipalities and accounts with every rule checked,
 * shared by voucherctl and the administration pages.  Each function either
 * changes the database completely or not at all, and on refusal writes a
 * one-line German message into msg. */
#ifndef MANAGE_H
#define MANAGE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* m->gkz must be 5 digits, name and invoice_email set (e-mail syntax).
 * 0 on success, 1 on refusal (msg), -1 on a database error. */
int manage_tenant_add(struct db *db, const struct municipality *m, int64_t now, char *msg, size_t msglen);

/* Changes name, address, invoice_email and uid of the municipality m->id
 * (its GKZ stays) by the same rules as manage_tenant_add.  0, 1 (msg) or -1. */
int manage_tenant_edit(struct db *db, const struct municipality *m, char *msg, size_t msglen);

/* acc: username (syntax, unique regardless of case), email, names, role;
 * tenant_gkz required for user and tenant_admin (must exist), ignored
 * otherwise; password at least 10 characters and not the username.
 * 0, 1 (msg) or -1 as above. */
int manage_user_add(struct db *db, struct account *acc, const char *tenant_gkz, const char *password,
                    int64_t now, char *msg, size_t msglen);

/* Sets a new password for acc (id and username) by the password rule and
 * ends the account's sessions.  Call inside a transaction.  0, 1 (msg) or -1. */
int manage_user_set_password(struct db *db, const struct account *acc, const char *password, char *msg,
                             size_t msglen);

/* The password rule for new accounts: NULL when acceptable, else why not. */
const char *manage_password_problem(const char *password, const char *username);

#endif
