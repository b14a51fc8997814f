/* demo — loads the demo catalog, two municipalities and one account per
 * role (password "demo-passwort") and prints the logins.  Idempotent: what
 * exists already is left as it is. */
#ifndef DEMO_H
#define DEMO_H

#include <stdio.h>

struct db;
struct config;
struct crypto_keys;

/* 0 on success, -1 (message on stderr). */
int demo_load(struct db *db, FILE *out);

/* demo --scale: demo_load, then a real-size data set through the product's
 * own store and order paths, scaled by factor (1.0: 2,100 municipalities with
 * plausible unique GKZ, 200,000 accounts without passwords, 1,000,000
 * vouchers in orders of up to 10,000 placed by order_place (invoices with
 * gapless numbers), 15 % of them redeemed with their enrollments and "OK"
 * attempts, plus failed attempts three days old (outside any rate-limit
 * window)).  Each accounts batch and each order's redemptions are one
 * transaction.  Prints the logins, the counts and the seconds it took to out.
 * 0, or -1 (message on stderr; what was committed stays). */
int demo_scale(struct db *db, const struct crypto_keys *keys, const struct config *cfg, double factor,
               FILE *out);

#endif
