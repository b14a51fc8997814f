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
 * the database's triggers bump, or 1 for what depends on no data); owned by
 * one worker (no locking), its html malloc'd and replaced when stale
 * (worker.h: page_cache_refresh). */
struct page_cache {
    int64_t version; /* version it was rendered for (catalog_version, municipality_names_version, 1); 0 = empty */
    char *html;
    size_t len;
};

/* The layout's variants (view_variant() in view.h): a guest, or one bit per
 * menu flag of the logged-in account's role (logged_in, is_user,
 * is_tenant_admin, is_support, is_admin). */
#define LAYOUT_VARIANTS 32

struct worker {
    const struct app *app;
    struct db *db;          /* this thread's connection */
    struct arena *arena;    /* reset after every request */
    struct page_cache catalog_body;       /* the body of /kurse (part_catalog) */
    struct page_cache municipality_options; /* the account pages' <datalist> (part_municipality_options) */
    /* Pages kept with stand-ins for the user name and the CSRF token
     * (view_new_kept in view.h), one per layout variant: */
    struct page_cache catalog_page[LAYOUT_VARIANTS]; /* the whole /kurse page */
    struct page_cache courses_page[LAYOUT_VARIANTS]; /* /meine-kurse around its table (version 1) */
    struct page_cache redeem_form;        /* the fresh form of /voucher/einloesen for a guest (version 1) */
};

#endif
