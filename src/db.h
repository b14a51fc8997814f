/* db — the database: one connection per thread, all SQL in queries.def,
 * migrations from sql/ (embedded), and the data access functions
 * db_<entity>_<verb> implemented in db_<entity>.c.  The only user of SQLite.
 *
 * Conventions for every db_* function below:
 *  - returns DB_OK (0), DB_NOT_FOUND, DB_CONFLICT (a UNIQUE or CHECK
 *    constraint refused the write) or DB_ERROR (logged);
 *  - strings it returns are copied into the given arena;
 *  - a multi-statement write runs inside db_begin()/db_commit() (by the
 *    caller when it says so), and on any error nothing is changed. */
#ifndef DB_H
#define DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit_action.h"

struct arena;
struct db;

enum db_status { DB_OK = 0, DB_NOT_FOUND = 1, DB_CONFLICT = 2, DB_ERROR = -1 };

enum db_open_mode {
    DB_OPEN_CHECK,   /* refuse a database whose migrations are not all applied */
    DB_OPEN_MIGRATE, /* create the file if needed and apply missing migrations */
};

/* Opens path (WAL, foreign keys, busy timeout) and prepares every statement.
 * NULL with err filled on failure.  The connection belongs to one thread. */
struct db *db_open(const char *path, enum db_open_mode mode, char *err, size_t errlen);
void db_close(struct db *db);
/* How long a statement waits for another connection's lock before it fails
 * with DB_BUSY (db_open sets DB_BUSY_TIMEOUT_MS).  Cannot fail. */
#define DB_BUSY_TIMEOUT_MS 5000
void db_set_busy_timeout(struct db *db, int ms);
/* Number of the newest migration built in, and the one the file has. */
int db_schema_latest(void);

/* BEGIN IMMEDIATE (waits for the write lock up to the busy timeout). */
int db_begin(struct db *db);
int db_commit(struct db *db);
/* A read transaction (BEGIN DEFERRED): the reads until db_read_end see one
 * snapshot and take it once, instead of once per statement.  Takes no write
 * lock.  DB_OK or DB_ERROR; db_read_end cannot fail (it only ends a read). */
int db_read_begin(struct db *db);
void db_read_end(struct db *db);
/* Rolls back if a transaction is open; harmless otherwise. */
void db_rollback(struct db *db);
/* Ends what db_begin started by the caller's outcome rc: commits when rc is
 * 0 (-1 when the commit fails), rolls back otherwise; returns the outcome. */
int db_end(struct db *db, int rc);
/* True when the database answers a query. */
bool db_ping(struct db *db);
/* [database] synchronous ("off", "normal", "full", "extra") for every
 * connection opened afterwards; -1 for another word.  Default "full". */
int db_set_synchronous(const char *level);
/* Online backup of the whole database into path (replaced if it exists):
 * VACUUM INTO "<path>.partial" in one read transaction (concurrent writes
 * neither block nor restart it), fsync, rename to path.  A backup killed
 * half-way leaves only the .partial file, which the next run removes.
 * DB_OK, or DB_ERROR with err filled. */
int db_backup(struct db *db, const char *path, char *err, size_t errlen);
/* The same copy from the database file src (opened read-only, never
 * changed) into dest.  DB_OK or DB_ERROR (err: src unreadable or no database). */
int db_copy_file(const char *src, const char *dest, char *err, size_t errlen);
/* PRAGMA integrity_check answered "ok": DB_OK; DB_ERROR with its first complaint. */
int db_integrity_check(struct db *db, char *err, size_t errlen);
/* Renames src over dest after removing dest's -wal and -shm files (which
 * belong to the old contents).  DB_OK or DB_ERROR. */
int db_replace_file(const char *src, const char *dest, char *err, size_t errlen);
/* Removes a database file with its -wal and -shm files; missing ones are fine. */
void db_remove_file(const char *path);

/* ---- the checkpointer (voucherd) ----
 * A thread with its own connection that copies the WAL into the database
 * off the request path (db_checkpoint.c): while it runs, no connection of
 * the process checkpoints in its own COMMIT; a COMMIT that leaves the WAL
 * past DB_CHECKPOINT_PAGES wakes it for a PASSIVE checkpoint, it runs one
 * every DB_CHECKPOINT_PERIOD_MS while commits arrive, and truncates the WAL
 * after DB_CHECKPOINT_IDLE_MS without commits.  Without a checkpointer
 * (voucherctl) a COMMIT past DB_CHECKPOINT_PAGES checkpoints itself, as
 * SQLite's default does. */
#define DB_CHECKPOINT_PAGES 1000
#define DB_CHECKPOINT_PERIOD_MS 1000
#define DB_CHECKPOINT_IDLE_MS 5000
/* ... and should the thread fall this far behind, the committing request checkpoints itself */
#define DB_CHECKPOINT_LIMIT_PAGES 4000
struct db_checkpointer;
/* Opens its connection and starts the thread; one per process.  NULL with
 * err filled when the database does not open or the thread cannot start. */
struct db_checkpointer *db_checkpointer_start(const char *path, char *err, size_t errlen);
/* Stops the thread, runs a last checkpoint (truncating the WAL when no
 * reader holds it) and closes.  Call after the threads that write have
 * stopped; harmless with NULL. */
void db_checkpointer_stop(struct db_checkpointer *c);
/* How many PASSIVE and TRUNCATE checkpoints the checkpointer ran so far in
 * this process (for tests and logs).  Cannot fail. */
void db_checkpointer_counts(int64_t *passive, int64_t *truncated);

/* ---- group commit (voucherd) ----
 * From db_group_start on, every db_begin..db_commit of the process runs on
 * one shared writer connection, and transactions that queue for the writer
 * while one runs are committed together with a single COMMIT (one fsync of
 * the WAL for all of them; db_writer.c).  db_commit still returns only once
 * that transaction is durable, with its own outcome.  Start it before the
 * threads that write and stop it after they stopped (voucherd); voucherctl
 * and the tests that do not start it commit one transaction at a time. */
/* Opens the shared connection.  -1 with err filled when it does not open. */
int db_group_start(const char *path, char *err, size_t errlen);
/* Commits what is open and closes the shared connection; harmless when not started. */
void db_group_stop(void);
/* Batches committed so far and the transactions they held (tests, logs). */
void db_group_counts(int64_t *commits, int64_t *transactions);
/* Threads waiting for the writer mutex right now (tests). */
int db_group_queued(void);

/* ---- municipalities ---- */
struct municipality {
    int64_t id;
    const char *gkz, *name, *address, *invoice_email, *uid;
};
int db_municipality_add(struct db *db, const struct municipality *m, int64_t now, int64_t *id);
int db_municipality_by_gkz(struct db *db, struct arena *a, const char *gkz, struct municipality *m);
int db_municipality_by_id(struct db *db, struct arena *a, int64_t id, struct municipality *m);

/* ---- accounts ---- */
enum role { ROLE_USER = 1, ROLE_TENANT_ADMIN = 2, ROLE_SUPPORT = 4, ROLE_ADMIN = 8 };
struct account {
    int64_t id;
    const char *username, *email, *first_name, *last_name;
    enum role role;
    int64_t municipality_id; /* 0 for support and admin */
    const char *password_hash;
    bool disabled;
};
/* "user", "tenant_admin", ... <-> enum role; role_from_name returns 0 when unknown. */
const char *role_name(enum role role);
enum role role_from_name(const char *name);

int db_account_add(struct db *db, const struct account *acc, int64_t now, int64_t *id);
int db_account_by_username(struct db *db, struct arena *a, const char *username, struct account *acc);
int db_account_by_id(struct db *db, struct arena *a, int64_t id, struct account *acc);

/* ---- sessions (token hashes only) ---- */
int db_session_add(struct db *db, const unsigned char hash[32], int64_t account_id, int64_t now);
/* The account of a live session: last seen after idle_since and created
 * after created_since; renews last_seen_at when older than a minute. */
int db_session_lookup(struct db *db, struct arena *a, const unsigned char hash[32], int64_t now,
                      int64_t idle_since, int64_t created_since, struct account *acc);
int db_session_delete(struct db *db, const unsigned char hash[32]);
int db_session_purge(struct db *db, int64_t idle_since, int64_t created_since);

/* ---- failures counted per key within a window: logins ("a:<account id>",
 * "ip:<address>"), reset requests ("reset-ip:<address>") and wrong
 * certificate numbers ("verify-ip:<address>"); never a typed username.
 * *id (may be NULL) receives the row's id.  A count stops at `limit`
 * (it reads at most that many index entries). ---- */
/* The login_failures key of an account (printf format of its id, long long);
 * an address is counted as "ip:" followed by it. */
#define DB_LOGIN_ACCOUNT_KEY "a:%lld"
int db_login_failure_add(struct db *db, const char *key, int64_t now, int64_t *id);
int db_login_failure_delete(struct db *db, int64_t id);
int db_login_failure_count(struct db *db, const char *key, int64_t since, int64_t limit, int64_t *count);
/* Inside the caller's write transaction (so concurrent requests never get
 * past the limit): one failure more under key at now, unless the window
 * after since holds limit already (then *at_limit, nothing added). */
int db_login_failure_add_below(struct db *db, const char *key, int64_t since, int64_t limit, int64_t now,
                               bool *at_limit);
int db_login_failure_clear(struct db *db, const char *key);
int db_login_failure_purge(struct db *db, int64_t before);

/* ---- audit log; account_id 0 = system, ip NULL = not from the web ---- */
int db_audit_add(struct db *db, int64_t account_id, enum audit_action action, const char *subject,
                 const char *detail, const char *ip, int64_t now);
/* Erases the client addresses of entries older than `before` (privacy). */
int db_audit_erase_ips(struct db *db, int64_t before);

/* ---- catalog ---- */
enum item_kind { ITEM_COURSE, ITEM_PACKAGE };
struct catalog_item {
    int64_t id;
    enum item_kind kind;
    const char *slug, *title, *description;
    int64_t hours, price_cents;
    bool active;
    const char *url;            /* the course in the LMS ("Zum Kurs"), "" = none; NULL = not read/keep */
    const char **course_titles; /* packages: their courses, in order */
    size_t ncourse_titles;
};
struct catalog {
    struct catalog_item *items; /* courses first, then packages */
    size_t nitems;
};
int db_catalog_version(struct db *db, int64_t *version);
/* active_only: only what is on sale. */
int db_catalog_list(struct db *db, struct arena *a, bool active_only, struct catalog *cat);
int db_catalog_item_by_slug(struct db *db, struct arena *a, const char *slug, struct catalog_item *item);
/* Inserts or updates by slug (and re-activates); DB_CONFLICT when the slug
 * belongs to an item of the other kind.  Call inside a transaction. */
int db_catalog_upsert(struct db *db, const struct catalog_item *item, int64_t position, int64_t *id);
/* Replaces a package's courses. Call inside a transaction. */
int db_catalog_package_set_courses(struct db *db, int64_t package_id, const int64_t *course_ids,
                                   size_t n);

/* ---- orders (see order.h for placing one) ---- */
struct order {
    int64_t id, municipality_id, account_id;
    const char *idempotency_token, *reference;
    int64_t invoice_year, invoice_seq;
    const char *invoice_number;
    const char *recipient_name, *recipient_address, *recipient_uid;
    int64_t vat_percent, net_cents, vat_cents, gross_cents, created_at;
    const char *recipient_gkz, *ordered_by; /* snapshots: the municipality's GKZ, "first last" of the admin */
    int64_t due_at;                         /* last second (Vienna) of the due date */
    const char *paid_on;                    /* "YYYY-MM-DD", "" = unpaid (read only) */
};
struct order_line {
    int64_t id, order_id, item_id;
    const char *title;
    int64_t quantity, unit_price_cents, line_net_cents, position;
};
/* The order placed with this idempotency token: id and invoice number. */
int db_order_by_token(struct db *db, struct arena *a, const char *token, int64_t *id,
                      const char **invoice_number);
/* The next gapless invoice number of the year (call inside the order's transaction). */
int db_invoice_next(struct db *db, int64_t year, int64_t *seq);
int db_order_add(struct db *db, const struct order *o, int64_t *id);
int db_order_line_add(struct db *db, const struct order_line *l, int64_t *id);
/* The order with this id, whatever its municipality (callers check). */
int db_order_by_id(struct db *db, struct arena *a, int64_t id, struct order *o);
/* The lines of an order in invoice order (array in the arena). */
int db_order_lines(struct db *db, struct arena *a, int64_t order_id, struct order_line **lines, size_t *n);
/* An order in the municipality's list, with its codes counted by status at now. */
struct order_summary {
    struct order o; /* id, created_at, invoice_number, reference and totals */
    int64_t open, redeemed, expired, revoked;
};
/* One page of the municipality's orders whose reference, invoice number or
 * a line's title contains q ("" = all; ASCII letters in any case), newest
 * first (array in the arena); *total counts all that match. */
/* One order's codes by status (open, redeemed, expired, revoked as of now)
 * from the counts kept per order (migration 012): no voucher is read. */
int db_order_counts(struct db *db, int64_t order_id, int64_t now, struct order_summary *counts);
int db_order_list(struct db *db, struct arena *a, int64_t municipality_id, int64_t now, const char *q,
                  int64_t offset, int64_t limit, struct order_summary **list, size_t *n, int64_t *total);

/* ---- vouchers ---- */
struct voucher {
    int64_t id, order_id, item_id, municipality_id;
    int64_t created_at, valid_until;
    int64_t redeemed_at, redeemed_by; /* 0 = not redeemed */
    int64_t revoked_at;               /* 0 = not revoked */
    const char *revoke_reason, *issued_to;
    enum item_kind item_kind;
    const char *item_title;
    const unsigned char *code_sealed;
    size_t code_sealed_len;
};
/* hash: keyed hash of the canonical code; sealed: its encryption. */
int db_voucher_add(struct db *db, const unsigned char hash[32], const unsigned char *sealed,
                   size_t sealed_len, const struct voucher *v, int64_t order_line_id, int64_t *id);
int db_voucher_by_hash(struct db *db, struct arena *a, const unsigned char hash[32], struct voucher *v);
int db_voucher_by_id(struct db *db, struct arena *a, int64_t id, struct voucher *v);
/* The oldest voucher's look-up hash and sealed code (only code_sealed* of v
 * set): DB_OK, DB_NOT_FOUND when there is none, DB_ERROR. */
int db_voucher_first_sealed(struct db *db, struct arena *a, unsigned char hash[32], struct voucher *v);
/* A code of an order as its page lists it: v.item_title is the order line's
 * title, v.issued_to the recipient's name ("" = not assigned). */
struct order_code {
    struct voucher v;
    const char *redeemer_name, *redeemer_username; /* "" when not redeemed */
    const char *recipient_email;                   /* "" when not assigned */
    int64_t assigned_at;                           /* 0 = never */
    /* the last e-mail to the recipient: mail_id 0 = none since assigned */
    int64_t mail_id, mail_sent_at, mail_given_up_at; /* 0 = not (yet) */
    const char *mail_error;                          /* why the last attempt failed, "" */
    const char *item_slug;
};
/* Which codes of an order: each field NULL or "" = any.  status is one of
 * "offen", "eingeloest", "abgelaufen", "widerrufen" (at now), assigned
 * "ja" or "nein". */
struct code_filter {
    const char *course, *status, *assigned;
    int64_t now;
};
/* The codes of an order by line matching filter (NULL = all), skipping
 * offset and at most limit of them (limit < 0: all); array in the arena. */
int db_order_codes(struct db *db, struct arena *a, int64_t order_id, const struct code_filter *filter,
                   int64_t offset, int64_t limit, struct order_code **codes, size_t *n);
/* How many codes of the order match filter (NULL = all). */
int db_order_code_count(struct db *db, int64_t order_id, const struct code_filter *filter, int64_t *count);
/* The items an order has codes of, in invoice order: slugs and titles. */
int db_order_items(struct db *db, struct arena *a, int64_t order_id, const char ***slugs, const char ***titles,
                   size_t *n);

/* ---- recipients of codes (db_order.c; the rules are in recipients.h) ---- */
/* A code of the municipality with its recipient (v.issued_to the name,
 * *email the address); DB_NOT_FOUND when it is not the municipality's. */
int db_voucher_of_municipality(struct db *db, struct arena *a, int64_t voucher_id, int64_t municipality_id,
                               struct voucher *v, const char **email);
/* Sets (name and email "" clears) the recipient of a code that is open at
 * now, forgetting the last mail; DB_CONFLICT when it is not open. */
int db_voucher_assign(struct db *db, int64_t voucher_id, const char *name, const char *email, int64_t now);
/* The recipient's address and the state of the last e-mail to them
 * (mail_id 0 = none since assigned; times 0 = not (yet)). */
struct code_delivery {
    const char *email, *error;
    int64_t mail_id, sent_at, given_up_at;
};
int db_voucher_delivery(struct db *db, struct arena *a, int64_t voucher_id, struct code_delivery *d);
/* Records the e-mail that told the recipient. */
int db_voucher_set_mail(struct db *db, int64_t voucher_id, int64_t outbox_id);
/* At most limit open, unassigned codes of the item (slug) in the order, in
 * list order: *ids an arena array of *n. */
int db_order_free_codes(struct db *db, struct arena *a, int64_t order_id, const char *slug, int64_t now,
                        int64_t limit, int64_t **ids, size_t *n);
/* How many open codes of the item in the order this address holds (any case). */
int db_order_codes_for_email(struct db *db, int64_t order_id, const char *slug, const char *email,
                             int64_t *count);

/* ---- proof of training (db_account.c) ---- */
struct training_row {
    const char *last_name, *first_name, *username, *email, *course_title;
    int64_t enrolled_at;
    const char *completed_on;       /* "YYYY-MM-DD", "" = not completed */
    const char *certificate_number; /* "" = none */
};
/* The enrollments of the municipality's accounts by name and course,
 * course (slug) and status ("eingeschrieben", "abgeschlossen") each ""
 * = any; offset/limit as db_order_codes.  *count: all that match. */
int db_training_list(struct db *db, struct arena *a, int64_t municipality_id, const char *course,
                     const char *status, int64_t offset, int64_t limit, struct training_row **rows, size_t *n);
int db_training_count(struct db *db, int64_t municipality_id, const char *course, const char *status,
                      int64_t *count);
/* The courses the municipality's staff are enrolled in, by title. */
int db_training_courses(struct db *db, struct arena *a, int64_t municipality_id, const char ***slugs,
                        const char ***titles, size_t *n);

/* ---- expiry reminders (db_order.c; the rules are in reminders.h) ---- */
/* Orders with open codes valid until from..to (inclusive) that have no
 * reminder for this threshold yet: *ids an arena array of *n. */
int db_reminder_due_orders(struct db *db, struct arena *a, int64_t from, int64_t to, int days_before,
                           int64_t **ids, size_t *n);
/* The order's open codes valid until from..to, as the order page lists them. */
int db_order_expiring_codes(struct db *db, struct arena *a, int64_t order_id, int64_t from, int64_t to,
                            struct order_code **codes, size_t *n);
/* Records the reminder (nothing when one is recorded for the threshold). */
int db_reminder_add(struct db *db, int64_t order_id, int days_before, int64_t at, int64_t outbox_id);

/* ---- outbox: e-mail written in the caller's transaction, sent later (see outbox.h) ---- */
struct outbox_blob {
    const unsigned char *data;
    size_t len;
};
struct outbox_attachment {
    const char *filename, *content_type;
    struct outbox_blob sealed;
};
struct outbox_mail {
    int64_t id, created_at, attempts; /* created_at: when the current series of retries began */
    int64_t order_id;                 /* the order it reports, 0 for other mail */
    const char *recipients, *subject; /* in clear: they hold no code */
    const char *delivered_to, *refused_to; /* recipients done ("" none), ", " separated */
    struct outbox_blob body_sealed;   /* the UTF-8 body text, sealed */
    const struct outbox_attachment *attachments;
    size_t nattachments;
    int64_t event_seq;                /* a webhook delivery of this feed entry (see webhook.h); 0 = e-mail */
};
/* Stores a message due at once.  Call inside the caller's transaction. */
int db_outbox_add(struct db *db, const struct outbox_mail *m, int64_t now, int64_t *id);
/* Claims up to max messages due at now that no sender holds, holding them
 * until claimed_until, and reads them with their attachments: one
 * conditional UPDATE (one write transaction for a sender's batch), so two
 * senders never claim the same message.  *mails an arena array of *n (0
 * when none is due), in no particular order.  DB_OK or DB_ERROR. */
int db_outbox_claim_batch(struct db *db, struct arena *a, int64_t now, int64_t claimed_until, int64_t claimed_by,
                          int64_t max, struct outbox_mail **mails, size_t *n);
/* Gives back a claim of claimed_by that was not tried (attempts as before). */
int db_outbox_unclaim(struct db *db, int64_t id, int64_t claimed_by);
/* Stores which recipients accepted and which refused a message for good. */
int db_outbox_progress(struct db *db, int64_t id, const char *delivered_to, const char *refused_to);
/* The process ids holding claims at now (*pids in the arena, *n of them). */
int db_outbox_claimers(struct db *db, struct arena *a, int64_t now, int64_t **pids, size_t *n);
/* Releases every claim process pid holds at now (it died): its messages are due again. */
int db_outbox_release(struct db *db, int64_t pid, int64_t now);
/* One message of an order as support sees it. */
struct outbox_status {
    int64_t id, created_at, attempts, sent_at, given_up_at; /* 0 = not (yet) */
    const char *recipients, *last_error, *delivered_to, *refused_to;
};
/* The messages of an order, newest first. */
int db_outbox_of_order(struct db *db, struct arena *a, int64_t order_id, struct outbox_status **list, size_t *n);
/* Makes a given-up message of order_id due again at now, to recipients, with
 * a fresh series of retries: DB_OK, DB_NOT_FOUND when it is no given-up
 * message of that order. */
int db_outbox_resend(struct db *db, int64_t id, int64_t order_id, const char *recipients, int64_t now);
/* Makes every unsent message that is waiting for a retry due at now. */
int db_outbox_reschedule(struct db *db, int64_t now);
int db_outbox_sent(struct db *db, int64_t id, int64_t now);
/* Records a failed attempt: retry at next_attempt_at, or given_up_at != 0 = stop trying. */
int db_outbox_failed(struct db *db, int64_t id, const char *error, int64_t next_attempt_at,
                     int64_t given_up_at);
/* When the next unsent message becomes due (*when = 0: none). */
int db_outbox_next_due(struct db *db, int64_t *when);

/* ---- redemption (db_redeem.c; the rules are in redeem.h) ---- */
/* Redeems an open voucher for account_id at now, as one unit: marks it
 * redeemed (a conditional update: only when it is not redeemed, not revoked
 * and still valid) and enrolls the account in each of its courses it does
 * not hold yet.  DB_CONFLICT when the voucher is not open, DB_ERROR on a
 * failure: then nothing of it is kept (a savepoint).  Only inside a write
 * transaction (db_begin; else DB_ERROR), which the caller commits with the
 * rest of the redemption (account, e-mail, attempt log). */
int db_redemption_write(struct db *db, int64_t voucher_id, int64_t account_id, int64_t now);
/* Titles of the courses a voucher is good for (its course, or every course
 * of its package in order, active or not): *titles an arena array of *n. */
int db_voucher_course_titles(struct db *db, struct arena *a, int64_t voucher_id, const char ***titles,
                             size_t *n);

/* The courses of a voucher redeemed by an account, split: enrolled by this
 * voucher (added), and held before (held); arena arrays of titles. */
struct voucher_courses_split {
    const char **added, **held;
    size_t nadded, nheld;
};
/* Reads that split for voucher_id and account_id, in the package's order. */
int db_voucher_courses_for_account(struct db *db, struct arena *a, int64_t voucher_id, int64_t account_id,
                                   struct voucher_courses_split *out);

struct enrollment {
    const char *course_title;
    int64_t enrolled_at;
    const char *completed_on; /* "YYYY-MM-DD", "" = not completed */
    int64_t certificate_id;   /* 0 = no certificate */
    const char *url;          /* the course in the LMS, "" = none */
};
/* Number of the voucher's courses the account is not enrolled in yet. */
int db_enrollment_missing(struct db *db, int64_t voucher_id, int64_t account_id, int64_t *missing);
/* The account's enrollments, newest first: *list an arena array of *n. */
int db_enrollment_list(struct db *db, struct arena *a, int64_t account_id, struct enrollment **list,
                       size_t *n);

struct redemption_attempt {
    int64_t at;
    const char *ip;               /* NULL = unknown */
    const char *username;         /* as sent, "" when none */
    const unsigned char *code_hash; /* 32 bytes, NULL when the code was malformed */
    const char *result;           /* "OK", "V01" .. "V11" */
    const char *reference;        /* "F-XXXX" */
    int64_t voucher_id;           /* 0 = no voucher found */
    const unsigned char *browser; /* 32 bytes: hash of the form's csrf token, on successes; NULL otherwise */
};
int db_redemption_attempt_add(struct db *db, const struct redemption_attempt *at);
/* *seen: the browser (hash of its csrf token) had a success with the code
 * (its keyed hash) at or after since. */
int db_redemption_browser_seen(struct db *db, const unsigned char code_hash[32], const unsigned char browser[32],
                               int64_t since, bool *seen);
/* The guesses the rate limit counts after since (and after the block's last
 * lift): V03 and V07 from this ip, V03 with this username (any case; 0 for
 * ""); each count stops at limit, so the cost does not grow with traffic. */
int db_redemption_guesses(struct db *db, const char *ip, const char *username, int64_t since, int64_t limit,
                          int64_t *by_ip, int64_t *by_username);

/* An active V11 block: an address or a username with enough guesses. */
struct redemption_block {
    bool by_ip;             /* true: key is an address; false: a username */
    const char *key;
    int64_t guesses;        /* counted guesses in the window */
    int64_t last_at;        /* the newest of them */
};
/* The blocks active now: at least `limit` guesses after since (and after
 * their last lift), newest first, at most 100: *list an arena array of *n. */
int db_redemption_blocks(struct db *db, struct arena *a, int64_t since, int64_t limit,
                         struct redemption_block **list, size_t *n);
/* Records that support lifted the block of an address (by_ip) or a
 * username.  Call inside a transaction with the audit entry. */
int db_redemption_block_lift(struct db *db, bool by_ip, const char *key, int64_t now, int64_t account_id,
                             const char *reason);
/* Deletes lift records older than `before` (privacy: they hold addresses). */
int db_redemption_block_lift_purge(struct db *db, int64_t before);
/* Forgets the client address of attempts made before `before` (privacy). */
int db_redemption_ip_erase(struct db *db, int64_t before);

/* ---- administration (catalog changes in db_catalog.c, municipalities and accounts in db_account.c) ---- */
/* Adds an item (active as set) at the end of its kind; *id the new row.
 * DB_CONFLICT when the slug is taken.  Call inside a transaction. */
int db_catalog_add(struct db *db, const struct catalog_item *item, int64_t *id);
/* Sets title, description, hours, price and active of item->id (kind and
 * slug never change).  DB_NOT_FOUND when there is no such item. */
int db_catalog_update(struct db *db, const struct catalog_item *item);
/* The course slugs of a package in order: *slugs an arena array of *n. */
int db_package_slugs(struct db *db, struct arena *a, int64_t package_id, const char ***slugs, size_t *n);

/* A municipality with how many accounts and orders it has. */
struct municipality_summary {
    struct municipality m;
    int64_t accounts, orders;
};
/* At most limit municipalities by name and GKZ from offset: q "" = all, else
 * those whose GKZ starts with q or whose name contains q (any ASCII case).
 * *list an arena array of *n. */
int db_municipality_list(struct db *db, struct arena *a, const char *q, int64_t offset, int64_t limit,
                         struct municipality_summary **list, size_t *n);
/* Every municipality's GKZ and name by name (suggestions of a GKZ field). */
struct municipality_name {
    const char *gkz, *name;
};
int db_municipality_names(struct db *db, struct arena *a, struct municipality_name **list, size_t *n);
/* Changes with every change of a municipality's GKZ or name (the list above). */
int db_municipality_names_version(struct db *db, int64_t *version);
/* Sets name, address, invoice_email and uid of m->id (the GKZ never changes). */
int db_municipality_update(struct db *db, const struct municipality *m);

/* An account as the admin list shows it (password_hash is ""). */
struct account_summary {
    struct account acc;
    const char *gkz, *municipality_name; /* "" for support and admin */
};
/* At most limit accounts by username from offset: q ("" = any) the start of
 * the username, e-mail, first or last name regardless of case; role ("" =
 * any); gkz ("" = any).  Each combination is answered from an index. */
int db_account_list(struct db *db, struct arena *a, const char *q, const char *role, const char *gkz,
                    int64_t offset, int64_t limit, struct account_summary **list, size_t *n);
int db_account_set_disabled(struct db *db, int64_t account_id, bool disabled);
int db_account_set_password(struct db *db, int64_t account_id, const char *password_hash);
/* Ends every session of the account. */
int db_account_sessions_end(struct db *db, int64_t account_id);

/* ---- support desk (accounts in db_account.c, vouchers in db_order.c, attempts in db_redeem.c; the rules are in support.h) ---- */
/* Accounts whose username or e-mail address is term (any case), by username,
 * at most 20: *ids an arena array of *n. */
int db_support_accounts(struct db *db, struct arena *a, const char *term, int64_t **ids, size_t *n);
/* The id of the order with this invoice number ("RE-2026-000001"). */
int db_support_order_by_invoice(struct db *db, const char *invoice_number, int64_t *order_id);
/* Look-up hashes of the codes the account redeemed, newest first, at most
 * 100: *hashes an arena array of *n. */
int db_support_redeemed_by(struct db *db, struct arena *a, int64_t account_id,
                           unsigned char (**hashes)[32], size_t *n);
/* An enrollment a voucher paid for (enrollments.voucher_id). */
struct voucher_enrollment {
    const char *course_title, *username;
    int64_t enrolled_at;
    const char *completed_on; /* "YYYY-MM-DD", "" = not completed */
};
int db_support_voucher_enrollments(struct db *db, struct arena *a, int64_t voucher_id,
                                   struct voucher_enrollment **list, size_t *n);
/* The newest 50 failed attempts (result not OK) with this code hash or by a
 * username that tried it or that redeemed it (redeemer_id, 0 = none). */
int db_support_attempts_for_code(struct db *db, struct arena *a, const unsigned char hash[32],
                                 int64_t redeemer_id, struct redemption_attempt **list, size_t *n);
/* The newest 50 failed attempts with this username (any case). */
int db_support_attempts_by_username(struct db *db, struct arena *a, const char *username,
                                    struct redemption_attempt **list, size_t *n);
/* The newest 50 attempts, failed or not, shown with this reference ("F-7K3Q"). */
int db_support_attempts_by_reference(struct db *db, struct arena *a, const char *reference,
                                     struct redemption_attempt **list, size_t *n);
/* Conditional changes, each DB_CONFLICT (nothing changed) when the code is no
 * longer in the state the rule needs; call inside the action's transaction.
 * Revoke and extend: only a code neither redeemed nor revoked.  Release:
 * only a redeemed code none of whose enrollments is completed; deletes the
 * enrollments the voucher paid for.  Unrevoke: only a revoked code that no
 * credit note cancelled. */
int db_support_revoke(struct db *db, int64_t voucher_id, const char *reason, int64_t now);
int db_support_unrevoke(struct db *db, int64_t voucher_id);
int db_support_extend(struct db *db, int64_t voucher_id, int64_t valid_until);
int db_support_release(struct db *db, int64_t voucher_id);

/* ---- certificates (db_cert.c; recording a completion is completion.h's) ---- */
struct certificate {
    int64_t id, enrollment_id, account_id, issued_at, hours;
    const char *number, *holder_name, *municipality_name, *course_title, *completed_on;
};
/* The account's enrollment in the course: *id and *completed_on
 * ("YYYY-MM-DD", "" = not completed); DB_NOT_FOUND when not enrolled. */
int db_enrollment_find(struct db *db, struct arena *a, int64_t account_id, int64_t course_id, int64_t *id,
                       const char **completed_on);
/* An enrollment not completed yet, as the support completion form offers it. */
struct open_enrollment {
    const char *slug, *title;
    int64_t enrolled_at;
};
/* The account's enrollments not completed yet, by title (at most 200). */
int db_enrollments_open(struct db *db, struct arena *a, int64_t account_id, struct open_enrollment **list,
                        size_t *n);
/* When the enrollment was made (UTC epoch seconds); DB_NOT_FOUND if none. */
int db_enrollment_enrolled_at(struct db *db, int64_t enrollment_id, int64_t *at);
/* Sets the completion date of an enrollment not completed yet; DB_CONFLICT
 * when it is completed already.  Call inside the completion's transaction. */
int db_enrollment_complete(struct db *db, int64_t enrollment_id, const char *completed_on);
/* Issues the certificate of a completed enrollment under this number,
 * copying holder, municipality, course title, hours and date; DB_CONFLICT
 * when the number is taken (or the enrollment is not completed, or has a
 * certificate).  Call inside the completion's transaction. */
int db_certificate_add(struct db *db, const char *number, int64_t enrollment_id, int64_t now);
int db_certificate_by_id(struct db *db, struct arena *a, int64_t id, struct certificate *c);
/* number in the form "Z-XXXX-XXXX-XXXX" (see cert_number.h). */
int db_certificate_by_number(struct db *db, struct arena *a, const char *number, struct certificate *c);
int db_certificate_by_enrollment(struct db *db, struct arena *a, int64_t enrollment_id, struct certificate *c);

/* ---- audit log reading (db_account.c) ---- */
struct audit_entry {
    int64_t at;
    const char *username; /* "" for the system or the command line */
    const char *action, *subject, *detail;
    const char *ip;       /* "" once erased */
};
/* The newest entries first, at most limit from offset; term ("" = all)
 * found in action, subject, detail or username regardless of case (read
 * from the newest back until the page is full). */
int db_audit_list(struct db *db, struct arena *a, const char *term, int64_t offset, int64_t limit,
                  struct audit_entry **list, size_t *n);

/* ---- password reset links and own account data (db_reset.c) ---- */
/* Enabled accounts whose username or e-mail address is login (any case), by
 * id, at most 20: *list an arena array of *n. */
int db_reset_accounts(struct db *db, struct arena *a, const char *login, struct account **list, size_t *n);
/* Stores a link (hash of its token) for the account.  Call inside a transaction. */
int db_reset_add(struct db *db, const unsigned char hash[32], int64_t account_id, int64_t now, int64_t expires_at);
/* How many links the account was sent after since. */
int db_reset_count(struct db *db, int64_t account_id, int64_t since, int64_t *count);
struct password_reset {
    int64_t id, expires_at, used_at; /* used_at 0 = not used */
    struct account acc;              /* whose it is */
};
int db_reset_by_hash(struct db *db, struct arena *a, const unsigned char hash[32], struct password_reset *pr);
/* Uses up every unused link of the account.  Call inside a transaction. */
int db_reset_use_all(struct db *db, int64_t account_id, int64_t now);
/* Sets first_name, last_name and email of acc->id. */
int db_account_set_profile(struct db *db, const struct account *acc);
/* Sets email, names and municipality_id of acc->id (accounts import). */
int db_account_import_update(struct db *db, const struct account *acc);

/* ---- the LMS API (db_lms.c) ---- */
struct api_token {
    const char *name;
    int64_t created_at, last_used_at, revoked_at; /* 0 = never / not revoked */
};
/* DB_CONFLICT when a valid token has this name. */
int db_api_token_add(struct db *db, const char *name, const unsigned char hash[32], int64_t now);
/* Valid tokens first, then revoked ones, by name: *list an arena array of *n. */
int db_api_token_list(struct db *db, struct arena *a, struct api_token **list, size_t *n);
/* DB_NOT_FOUND when no valid token has this name. */
int db_api_token_revoke(struct db *db, const char *name, int64_t now);
/* DB_OK when a valid token has this hash (compared again in constant time);
 * records its use (at most once a minute). */
int db_api_token_use(struct db *db, const unsigned char hash[32], int64_t now);

/* An entry of the enrollment change feed, with the account as it is now. */
struct feed_entry {
    int64_t seq, at;
    const char *event; /* "enrolled", "released", "completed" */
    const char *username, *email, *first_name, *last_name, *municipality_gkz, *course;
};
/* The entries after seq `after`, oldest first, at most limit: *list an arena array of *n. */
int db_feed_list(struct db *db, struct arena *a, int64_t after, int64_t limit, struct feed_entry **list,
                 size_t *n);
/* The entry with this seq. */
int db_feed_entry(struct db *db, struct arena *a, int64_t seq, struct feed_entry *e);
/* An account's enrollment as the API shows it. */
struct api_enrollment {
    const char *course, *title, *url, *completed_on; /* completed_on "" = not completed */
    int64_t enrolled_at;
};
int db_api_enrollments(struct db *db, struct arena *a, int64_t account_id, struct api_enrollment **list,
                       size_t *n);
/* ---- the course's address in the LMS (db_lms.c) ---- */
/* *url "" when none. */
int db_catalog_url(struct db *db, struct arena *a, int64_t item_id, const char **url);
/* Sets it (the rule is catalog_rules.h's).  Call inside the catalog change's transaction. */
int db_catalog_set_url(struct db *db, int64_t item_id, const char *url);
/* The courses a voucher enrolled this account in that have a url, in order. */
struct course_link {
    const char *title, *url;
};
int db_voucher_course_links(struct db *db, struct arena *a, int64_t voucher_id, int64_t account_id,
                            struct course_link **list, size_t *n);

/* Whether feed entries are queued as webhook deliveries (set at start from [lms] webhook_url). */
int db_lms_webhook_enable(struct db *db, bool enabled);
/* Webhook deliveries that failed and are not delivered yet: how many, since
 * when (created_at of the oldest) and the newest error. */
int db_lms_webhook_failing(struct db *db, struct arena *a, int64_t *count, int64_t *since, const char **error);

/* ---- accounting (db_accounting.c): the invoice journal, payments, credit notes ---- */
/* An invoice as the journal lists it. */
struct journal_row {
    int64_t order_id;
    const char *invoice_number;
    int64_t created_at;
    const char *recipient_name, *recipient_gkz;
    int64_t net_cents, vat_cents, gross_cents, due_at;
    const char *paid_on;         /* "YYYY-MM-DD" or "" */
    const char *credit_numbers;  /* "GS-2026-000001 GS-2026-000002" or "" */
    int64_t credit_net_cents, credit_vat_cents, credit_gross_cents;
    const char *status;          /* offen, bezahlt, ueberfaellig, storniert, teilstorniert */
};
struct journal_filter {
    int64_t from, to;    /* invoice dates within [from, to] (epoch seconds) */
    const char *gkz;     /* "" = every municipality */
    const char *status;  /* "" = any, else one of journal_row.status */
    int64_t now;         /* for ueberfaellig */
};
struct journal_totals {
    int64_t count, net_cents, vat_cents, gross_cents, credit_net_cents, credit_vat_cents, credit_gross_cents;
};
/* One page of the journal (newest first when newest_first, else by date);
 * limit -1 = all.  Array in the arena. */
int db_journal_list(struct db *db, struct arena *a, const struct journal_filter *f, int newest_first,
                    int64_t offset, int64_t limit, struct journal_row **rows, size_t *n);
int db_journal_totals(struct db *db, const struct journal_filter *f, struct journal_totals *t);
/* The journal row of one order (now for its status); DB_NOT_FOUND. */
int db_journal_one(struct db *db, struct arena *a, int64_t order_id, int64_t now, struct journal_row *row);
/* The order id of an invoice number; DB_NOT_FOUND. */
int db_invoice_by_number(struct db *db, const char *number, int64_t *order_id);
/* Records the payment date ("YYYY-MM-DD"). */
int db_invoice_set_paid(struct db *db, int64_t order_id, const char *paid_on);

/* A credit note (Gutschrift); amounts positive, what is credited. */
enum credit_scope { CREDIT_ALL, CREDIT_OPEN };
struct credit_note {
    int64_t id, order_id, year, seq;
    const char *number;          /* "GS-2026-000001" */
    enum credit_scope scope;
    const char *reason;
    int64_t account_id;          /* 0 = none (command line) */
    int64_t vat_percent, net_cents, vat_cents, gross_cents, created_at;
};
struct credit_note_line {
    int64_t credit_note_id, order_line_id;
    const char *title;
    int64_t quantity, unit_price_cents, line_net_cents, position;
};
/* The next gapless credit note number of the year (inside the transaction). */
int db_credit_note_next(struct db *db, int64_t year, int64_t *seq);
int db_credit_note_add(struct db *db, const struct credit_note *cn, int64_t *id);
int db_credit_note_line_add(struct db *db, const struct credit_note_line *l);
/* What can still be cancelled of an order: its codes neither redeemed nor
 * credited, one line per order line with their count (credit_note_id 0). */
int db_credit_cancellable(struct db *db, struct arena *a, int64_t order_id, struct credit_note_line **lines,
                          size_t *n);
int db_order_redeemed_count(struct db *db, int64_t order_id, int64_t *count);
/* Marks those codes with the credit note and revokes them (a code revoked
 * before keeps its time and reason); *count = codes marked. */
int db_credit_vouchers_revoke(struct db *db, int64_t order_id, int64_t credit_note_id, int64_t now,
                              const char *reason, int64_t *count);
/* A credit note by number; DB_NOT_FOUND. */
int db_credit_note_by_number(struct db *db, struct arena *a, const char *number, struct credit_note *cn);
/* The credit notes of an order, oldest first (array in the arena). */
int db_credit_notes_of_order(struct db *db, struct arena *a, int64_t order_id, struct credit_note **list,
                             size_t *n);
int db_credit_note_lines(struct db *db, struct arena *a, int64_t credit_note_id, struct credit_note_line **lines,
                         size_t *n);

/* ---- privacy: user export and erase (db_privacy.c) ---- */
/* *json = every personal datum of the account named username (case-
 * insensitive) as one JSON object, in the arena; DB_NOT_FOUND when none. */
int db_privacy_export(struct db *db, struct arena *a, const char *username, const char **json);
/* What erasing one account replaces; all strings borrowed. */
struct privacy_erase {
    int64_t account_id;
    const char *old_username, *new_username, *email, *full_name, *first_name, *last_name;
};
/* Anonymises the account everywhere (audit texts, attempts, failures,
 * sessions, reset links, certificates' holder name, codes handed to its
 * address, mails to it, the account row).  Invoices (orders) are left as
 * issued.  Call inside a transaction; on failure roll it back. */
int db_privacy_erase(struct db *db, const struct privacy_erase *e, int64_t now);

#endif
