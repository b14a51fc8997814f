/* config.h -- INI configuration file with environment overrides.
 *
 * Every key has a section, a name, a type and a default (see the table in
 * config.c; the members below are named <section>_<key>).  Sources, later
 * ones winning: built-in defaults, the INI file, environment variables
 * VOUCHER_<SECTION>_<KEY> in upper case (e.g. VOUCHER_MAIL_SMTP_URL).
 *
 * INI syntax: "[section]" lines, "key = value" lines, blank lines, comment
 * lines starting with '#' or ';'.  Whitespace around sections, keys and
 * values is trimmed and one pair of surrounding double quotes is removed
 * from a value.  There are no inline comments ('#' inside a value is kept).
 * Section and key names are lower case and matched exactly.  A leading
 * UTF-8 byte order mark is ignored.
 *
 * Types: STRING is kept as given; PATH is a string that, when relative and
 * non-empty, is resolved against base_dir if base_dir != NULL ("" stays "");
 * INT is a decimal integer within the key's range; CHOICE is one of a fixed
 * set of lower-case words.
 *
 * Ownership: the char * members are malloc'd and owned by the struct; after
 * config_init_defaults they are never NULL ("" when empty).  Release them
 * with config_free.  Out of memory aborts the process (as redis' zmalloc).
 *
 * Errors: functions returning int return 0 on success and -1 on error with a
 * one-line English message in err (truncated to errlen; err may be NULL when
 * errlen is 0).  After an error the struct holds the values applied before
 * the failing one and is still valid to use and to free. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
    char *server_socket;                /* PATH "voucherd.sock" */
    char *server_socket_group;          /* "" = voucherd's own group; else the group given the socket (mode 0660) */
    int server_threads;                 /* 1..64, 4 */
    char *server_base_url;              /* "http://127.0.0.1:8080" */
    char *database_path;                /* PATH "voucher.db" */
    char *database_synchronous;         /* off|normal|full|extra, "full": SQLite's PRAGMA synchronous */
    char *security_key_file;            /* PATH "voucher.key" */
    int security_session_idle_minutes;  /* 5..1440, 60 */
    int security_session_max_hours;     /* 1..168, 12 */
    int security_password_reset_seconds; /* 1..604800, 86400: lifetime of a reset link */
    char *mail_smtp_url;                /* "" = spool .eml files */
    char *mail_smtp_user;               /* "" */
    char *mail_smtp_password;           /* "" (secret) */
    char *mail_from;                    /* "Städtebund Academy <noreply@...>" */
    char *mail_spool_dir;               /* PATH "mail-spool" */
    int mail_retry_base_seconds;        /* 1..3600, 60: first retry delay of failed mail */
    char *invoice_seller_name;          /* "IT-Kommunal GmbH" */
    char *invoice_seller_address;       /* "Rathausplatz 1, 1010 Wien" */
    char *invoice_seller_uid;           /* "ATU12345678" */
    char *invoice_iban;                 /* "AT61 1904 3002 3457 3201" */
    char *invoice_bic;                  /* "GIBAATWWXXX" */
    char *invoice_bank_name;            /* the bank of the IBAN */
    char *invoice_seller_fn;            /* Firmenbuchnummer "FN 123456a" */
    char *invoice_seller_fn_court;      /* Firmenbuchgericht "Handelsgericht Wien" */
    char *invoice_contact;              /* who answers questions about invoices */
    int invoice_vat_percent;            /* 0..100, 20 */
    int invoice_payment_days;           /* 0..365, 14 */
    int limits_redeem_max_failures;     /* 1..1000, 10 */
    int limits_redeem_window_seconds;   /* 1..604800, 900 */
    int limits_login_max_failures;      /* 1..1000, 5 */
    int limits_login_window_seconds;    /* 1..604800, 900 */
    int limits_verify_max_failures;     /* 1..1000, 30: wrong certificate numbers per IP before 429 */
    int limits_verify_window_seconds;   /* 1..604800, 900 */
    int limits_reset_max_requests;      /* 1..1000, 3: reset links per account per login window (10x per IP) */
    int limits_body_max_bytes;          /* 1024..10485760, 1048576 */
    int limits_hash_concurrency;        /* 0..64, 0 = the number of cores: password hashes at once */
    int privacy_ip_retention_days;      /* 1..3650, 90 */
    char *lms_webhook_url;              /* "" = no webhook; else http(s) URL each feed entry is POSTed to */
    char *lms_webhook_secret;           /* HMAC-SHA256 key of X-Voucher-Signature (secret) */
    char *reminders_days_before;        /* "30,7": expiry reminders that many days before (reminders.h) */
};

/* Sets every member to its default; relative default PATHs are resolved
 * against base_dir when it is not NULL.  cfg must not own memory yet (its
 * previous contents are overwritten, not freed). */
void config_init_defaults(struct config *cfg, const char *base_dir);

/* Applies INI text on top of cfg (which must be initialised).  Errors:
 * "line N: unknown section [s]", "line N: unknown key [s] k",
 * "line N: key outside of a section", "line N: expected key = value",
 * "line N: [s] k must be an integer from MIN to MAX". */
int config_parse_text(struct config *cfg, const char *text,
                      const char *base_dir, char *err, size_t errlen);

/* Applies the variables VOUCHER_<SECTION>_<KEY>=value of envp (a
 * NULL-terminated "NAME=value" array such as environ) on top of cfg.
 * VOUCHER_ variables naming no known section (e.g. VOUCHER_CONF) are
 * ignored; a known section with an unknown key is an error.  Relative PATH
 * values are resolved against base_dir only when it is not NULL, otherwise
 * kept as given (relative to the process's working directory). */
int config_apply_env(struct config *cfg, char *const *envp,
                     const char *base_dir, char *err, size_t errlen);

/* Initialises cfg with defaults, then applies the file at path, then the
 * process environment (environ, with base_dir NULL).  base_dir for the
 * defaults and the file is the file's directory made absolute (realpath).
 * The only I/O of this module.  cfg is initialised even on error (free it
 * with config_free); errors are prefixed with path. */
int config_load(struct config *cfg, const char *path, char *err,
                size_t errlen);

/* Frees the strings and sets them to NULL; calling it twice is harmless. */
void config_free(struct config *cfg);

/* Effective value of [section] key as text: a STRING/PATH member itself, or
 * an INT written in decimal into buf (buflen >= 12 suffices).  Returns NULL
 * for an unknown key.  The result lives as long as cfg's member or buf. */
const char *config_get_text(const struct config *cfg, const char *section,
                            const char *key, char *buf, size_t buflen);

/* Enumerates the keys in table order: sets *section and *key of key number
 * index and returns true, or returns false when index is past the last. */
bool config_key_at(size_t index, const char **section, const char **key);

#endif
