/* file_fixture — for unit tests that need what voucherd has: a migrated
 * database file in a fresh temporary directory, the default configuration
 * for that directory and a random key, optionally with the demo data.
 * Include after cmocka.h. */
#ifndef FILE_FIXTURE_H
#define FILE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "demo.h"
#include "mail.h"

struct file_fixture {
    char dir[64];             /* /tmp/PREFIX-XXXXXX, removed by file_fixture_close */
    struct config cfg;        /* defaults for dir */
    struct crypto_keys keys;  /* random */
    struct db *db;            /* open on cfg.database_path (may be closed and set NULL by the test) */
};

/* Makes it all; 0, or -1 (with a line on stderr) when something could not be made. */
static int file_fixture_open(struct file_fixture *f, const char *prefix)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/%s-XXXXXX", prefix);
    if (!mkdtemp(f->dir) || crypto_startup() != 0 || mail_startup() != 0)
        return -1;
    config_init_defaults(&f->cfg, f->dir);
    crypto_random(&f->keys, sizeof f->keys);
    char err[256] = "";
    f->db = db_open(f->cfg.database_path, DB_OPEN_MIGRATE, err, sizeof err);
    if (!f->db)
        fprintf(stderr, "db_open: %s\n", err);
    return f->db ? 0 : -1;
}

/* Loads the demo data (its output discarded); *gemeinde = the demo
 * tenant_admin "gemeinde" (strings in a).  0 or -1. */
__attribute__((unused)) static int file_fixture_demo(struct file_fixture *f, struct arena *a, struct account *gemeinde)
{
    FILE *devnull = fopen("/dev/null", "w");
    int rc = devnull && demo_load(f->db, devnull) == 0 &&
                     db_account_by_username(f->db, a, "gemeinde", gemeinde) == DB_OK
                 ? 0 : -1;
    if (devnull)
        fclose(devnull);
    return rc;
}

/* Closes the database (if open) and removes the directory.  0 or -1. */
static int file_fixture_close(struct file_fixture *f)
{
    db_close(f->db);
    f->db = NULL;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    config_free(&f->cfg);
    return rc == 0 ? 0 : -1;
}

#endif
