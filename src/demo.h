/* demo — loads the demo catalog, two municipalities and one account per
 * role (password "demo-passwort") and prints the logins.  Idempotent: what
 * exists already is left as it is. */
#ifndef DEMO_H
#define DEMO_H

#include <stdio.h>

struct db;

/* 0 on success, -1 (message on stderr). */
int demo_load(struct db *db, FILE *out);

#endif
