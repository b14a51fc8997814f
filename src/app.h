/* app — what the server shares between threads (read-only after start-up)
 * and what each worker thread owns. */
#ifndef APP_H
#define APP_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto.h"

struct config;
struct sender;
struct templates;

struct app {
    const struct config *cfg;
    struct crypto_keys keys;
    const struct templates *templates; /* lexed once at start-up */
    bool secure_cookies;               /* base_url is https: cookies get Secure */
    struct sender *sender;             /* the mail sender thread, to wake after an order */
};

/* Markup rendered once and served until what it shows changes (a version
 * the database's triggers bump); owned by one worker (no locking), its html
 * malloc'd and replaced when stale (worker.h: page_cache_refresh). */
struct page_cache {
    int64_t version; /* version it was rendered for (catalog_version, municipality_names_version); 0 = empty */
    char *html;
    size_t len;
};

struct worker {
    const struct app *app;
    struct db *db;          /* this thread's connection */
    struct arena *arena;    /* reset after every request */
    struct page_cache catalog_for_guests; /* the whole /kurse page of a guest */
    struct page_cache catalog_body;       /* its body (part_catalog), also for logged-in pages */
    struct page_cache municipality_options; /* the account pages' <datalist> (part_municipality_options) */
};

#endif
