/* accounts_import — accounts that exist in the learning platform, from CSV
 * text with the header `username,email,first_name,last_name,gkz`: a new
 * username becomes an account of role user in that municipality without a
 * password (the person redeems with the username and sets a password
 * through "Passwort vergessen" if ever needed); a known username (any case)
 * of role user gets the e-mail, names and municipality of the line.  Staff
 * accounts (tenant_admin, support, admin) are never changed by it.  All in
 * one transaction: on the first bad line nothing changes and msg says
 * "Zeile N: ..." (N = physical line). */
#ifndef ACCOUNTS_IMPORT_H
#define ACCOUNTS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* 0 on success (*added and *updated counted), 1 on refusal (msg), -1 on a
 * database error. */
int accounts_import_csv(struct db *db, const char *text, int64_t now, size_t *added, size_t *updated, char *msg,
                        size_t msglen);

#endif
