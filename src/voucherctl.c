/* voucherctl — the command line: database set-up, demo data, tenants,
 * accounts, catalog import, completions import, orders, the mail outbox, nginx configuration,
 * backup and restore.  Every command
 * exits 0 on success, 1 with a one-line message on stderr otherwise, and
 * changes nothing when it refuses. */
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounts_import.h"
#include "catalog_import.h"
#include "cli.h"
#include "completions_import.h"
#include "config.h"
#include "crypto.h"
#include "date.h"
#include "db.h"
#include "demo.h"
#include "fmt.h"
#include "housekeeping.h"
#include "mail.h"
#include "manage.h"
#include "mem.h"
#include "nginx_conf.h"
#include "order.h"
#include "outbox.h"
#include "privacy.h"
#include "reminders.h"
#include "valid.h"
#include "restore.h"
#include "voucher.h"

struct ctl {
    struct config cfg;
    int argc;    /* arguments after the command word(s) */
    char **argv;
};

static int fail(const char *fmt, const char *arg)
{
    fputs("voucherctl: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 1;
}

/* Opens the database; whether enrollment changes are queued for the LMS
 * webhook follows this configuration's [lms] webhook_url. */
static struct db *open_db(struct ctl *c)
{
    char err[512];
    struct db *db = db_open(c->cfg.database_path, DB_OPEN_CHECK, err, sizeof err);
    if (!db)
        fail("%s", err);
    else if (db_lms_webhook_enable(db, c->cfg.lms_webhook_url[0] != '\0') != DB_OK) {
        db_close(db);
        fail("%s", "database error (see above)");
        return NULL;
    }
    return db;
}

/* Reads "--name value" options into values[] by the names in names[]. */
static int read_options(struct ctl *c, const char *const *names, const char **values)
{
    for (int i = 0; i < c->argc; i += 2) {
        int k = 0;
        while (names[k] && strcmp(c->argv[i], names[k]) != 0)
            k++;
        if (!names[k])
            return fail("unknown option %s", c->argv[i]);
        if (i + 1 >= c->argc)
            return fail("option %s needs a value", c->argv[i]);
        values[k] = c->argv[i + 1];
    }
    return 0;
}

static int cmd_init(struct ctl *c)
{
    char err[512];
    if (crypto_key_file_create(c->cfg.security_key_file, err, sizeof err) != 0)
        return fail("%s", err);
    if (c->cfg.mail_spool_dir[0])
        mkdir(c->cfg.mail_spool_dir, 0700);
    struct db *db = db_open(c->cfg.database_path, DB_OPEN_MIGRATE, err, sizeof err);
    if (!db)
        return fail("%s", err);
    int status = db_lms_webhook_enable(db, c->cfg.lms_webhook_url[0] != '\0');
    db_close(db);
    if (status != DB_OK)
        return fail("%s", "database error (see above)");
    printf("database %s is at schema %d\n", c->cfg.database_path, db_schema_latest());
    return 0;
}

/* demo [--scale[=FACTOR]]: FACTOR (default 1; 0.0001..10) scales the
 * real-size data set, e.g. --scale=0.01 for a test. */
static int cmd_demo(struct ctl *c)
{
    double factor = 0;
    if (c->argc > 1)
        return fail("%s", "usage: demo [--scale[=FACTOR]]");
    if (c->argc == 1) {
        char *end = NULL;
        if (strcmp(c->argv[0], "--scale") == 0)
            factor = 1;
        else if (strncmp(c->argv[0], "--scale=", 8) == 0)
            factor = strtod(c->argv[0] + 8, &end);
        if (factor == 0 || (end && *end) || factor < 0.0001 || factor > 10)
            return fail("%s", "usage: demo [--scale[=FACTOR]] (FACTOR 0.0001 to 10)");
    }
    struct db *db = open_db(c);
    if (!db)
        return 1;
    struct crypto_keys keys;
    char msg[512];
    int rc;
    if (factor == 0)
        rc = demo_load(db, stdout) == 0 ? 0 : 1;
    else if (crypto_key_file_load(c->cfg.security_key_file, &keys, msg, sizeof msg) != 0)
        rc = fail("%s", msg);
    else
        rc = demo_scale(db, &keys, &c->cfg, factor, stdout) == 0 ? 0 : 1;
    db_close(db);
    return rc;
}

static int finish(struct db *db, int rc, const char *msg)
{
    db_close(db);
    if (rc > 0)
        return fail("%s", msg);
    if (rc < 0)
        return fail("%s", "database error (see above)");
    return 0;
}

static int cmd_tenant_add(struct ctl *c)
{
    static const char *const names[] = {"--gkz", "--name", "--email", "--address", "--uid", NULL};
    const char *v[5] = {0};
    if (read_options(c, names, v) != 0)
        return 1;
    struct municipality m = {.gkz = v[0], .name = v[1], .invoice_email = v[2], .address = v[3], .uid = v[4]};
    struct db *db = open_db(c);
    if (!db)
        return 1;
    char msg[256];
    int rc = manage_tenant_add(db, &m, (int64_t)time(NULL), msg, sizeof msg);
    return finish(db, rc, msg);
}

/* The password from standard input: its first line, without the newline. */
static char *read_password(char *line, int size)
{
    if (!fgets(line, size, stdin))
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return line;
}

static int cmd_user_add(struct ctl *c)
{
    static const char *const names[] = {"--username", "--email", "--first-name", "--last-name",
                                        "--role", "--tenant", NULL};
    const char *v[6] = {0};
    if (read_options(c, names, v) != 0)
        return 1;
    if (!v[4])
        return fail("%s", "--role is required (user, tenant_admin, support, admin)");
    struct account acc = {.username = v[0], .email = v[1], .first_name = v[2], .last_name = v[3],
                          .role = role_from_name(v[4])};
    char line[1100];
    const char *password = read_password(line, sizeof line);
    if (!password)
        return fail("%s", "no password on standard input");
    struct db *db = open_db(c);
    if (!db)
        return 1;
    char msg[256];
    int rc = manage_user_add(db, &acc, v[5], password, (int64_t)time(NULL), msg, sizeof msg);
    return finish(db, rc, msg);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *text = xmalloc(cap);
    size_t n;
    while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2)
            text = xrealloc(text, cap *= 2);
    }
    fclose(f);
    text[len] = '\0';
    return text;
}

/* An importer fills up to two counts (e.g. added and updated). */
typedef int (*importer)(struct db *db, const char *text, size_t count[2], char *msg, size_t msglen);

/* "USAGE": reads FILE and runs import on its text (in one transaction, see
 * the importers); prints done_fmt with the two counts. */
static int run_import(struct ctl *c, const char *usage, importer import, const char *done_fmt)
{
    if (c->argc != 1)
        return fail("usage: %s", usage);
    char *text = read_file(c->argv[0]);
    if (!text)
        return fail("cannot read %s", c->argv[0]);
    struct db *db = open_db(c);
    if (!db) {
        free(text);
        return 1;
    }
    char msg[512];
    size_t count[2] = {0, 0};
    int rc = import(db, text, count, msg, sizeof msg);
    free(text);
    if (rc == 0)
        printf(done_fmt, count[0], count[1]);
    return finish(db, rc, msg);
}

static int import_catalog(struct db *db, const char *text, size_t count[2], char *msg, size_t msglen)
{
    return catalog_import_csv(db, text, &count[0], msg, msglen);
}

static int cmd_catalog_import(struct ctl *c)
{
    return run_import(c, "catalog import FILE.csv", import_catalog, "%zu Katalogeinträge importiert\n");
}

static int import_completions_now(struct db *db, const char *text, size_t count[2], char *msg, size_t msglen)
{
    return completions_import_csv(db, text, (int64_t)time(NULL), &count[0], msg, msglen);
}

static int import_accounts_now(struct db *db, const char *text, size_t count[2], char *msg, size_t msglen)
{
    return accounts_import_csv(db, text, (int64_t)time(NULL), &count[0], &count[1], msg, msglen);
}

/* accounts import FILE.csv: LMS accounts (no password), all lines or none. */
static int cmd_accounts_import(struct ctl *c)
{
    return run_import(c, "accounts import FILE.csv (username,email,first_name,last_name,gkz)",
                      import_accounts_now, "%zu Konten angelegt, %zu aktualisiert\n");
}

static int cmd_completions_import(struct ctl *c)
{
    return run_import(c, "completions import FILE.csv", import_completions_now, "%zu Abschlüsse erfasst\n");
}

/* --item slug=qty into an order line; 0 or 1 (message printed). */
static int parse_item(const char *text, struct order_item_request *item, struct arena *a)
{
    const char *eq = strchr(text, '=');
    char *end;
    if (!eq || eq == text || !eq[1])
        return fail("--item wants SLUG=QUANTITY, not %s", text);
    item->slug = arena_strndup(a, text, (size_t)(eq - text));
    item->quantity = strtol(eq + 1, &end, 10);
    return *end ? fail("--item wants SLUG=QUANTITY, not %s", text) : 0;
}

static void print_order(const struct order_request *rq, const struct order_result *res)
{
    printf("order %lld %s\n", (long long)res->order_id, res->invoice_number);
    for (size_t i = 0; i < res->ncodes; i++) {
        char display[VOUCHER_DISPLAY_SIZE];
        voucher_format(res->codes[i].canon, display);
        printf("%s\t%s\n", rq->items[res->codes[i].line].slug, display);
    }
}

/* order add --username ADMIN --item SLUG=QTY [--item ...] [--reference R]:
 * places an order as that tenant_admin exactly as the order form does and
 * prints "order ID INVOICE" and one "SLUG<TAB>CODE" line per voucher. */
static int cmd_order_add(struct ctl *c)
{
    struct arena *a = arena_new();
    struct order_item_request *items = arena_alloc(a, (size_t)(c->argc + 1) * sizeof *items);
    struct order_request rq = {.reference = ""};
    const char *username = NULL;
    int rc = c->argc % 2 ? fail("option %s needs a value", c->argv[c->argc - 1]) : 0;
    for (int i = 0; i + 1 < c->argc && rc == 0; i += 2) {
        if (strcmp(c->argv[i], "--item") == 0)
            rc = parse_item(c->argv[i + 1], &items[rq.nitems++], a);
        else if (strcmp(c->argv[i], "--username") == 0)
            username = c->argv[i + 1];
        else if (strcmp(c->argv[i], "--reference") == 0)
            rq.reference = c->argv[i + 1];
        else
            rc = fail("unknown option %s", c->argv[i]);
    }
    rq.items = items;
    struct db *db = rc == 0 ? open_db(c) : NULL;
    struct crypto_keys keys;
    char msg[512];
    struct account acc;
    if (db && crypto_key_file_load(c->cfg.security_key_file, &keys, msg, sizeof msg) != 0)
        rc = fail("%s", msg);
    else if (db && (!username || db_account_by_username(db, a, username, &acc) != DB_OK ||
                    acc.role != ROLE_TENANT_ADMIN))
        rc = fail("%s", "--username must name a tenant_admin");
    else if (db) {
        char token[CRYPTO_TOKEN_TEXT_SIZE];
        crypto_token(token);
        rq.account_id = acc.id;
        rq.municipality_id = acc.municipality_id;
        rq.idempotency_token = token;
        struct order_result res;
        enum order_status os = order_place(db, &keys, &c->cfg, a, &rq, (int64_t)time(NULL), &res, msg, sizeof msg);
        if (os == ORDER_OK)
            print_order(&rq, &res);
        rc = os == ORDER_OK ? 0 : fail("%s", os == ORDER_REFUSED ? msg : "database error");
    }
    db_close(db);
    arena_free(a);
    return rc || !db;
}

/* mail send: delivers every unsent message now, whatever its retry time;
 * what fails again waits for its next retry. */
/* housekeeping: the clean-up voucherd's background thread does every 10
 * minutes (expired sessions, old login failures, old client addresses). */
static int cmd_housekeeping(struct ctl *c)
{
    if (c->argc != 0)
        return fail("%s", "usage: housekeeping");
    struct db *db = open_db(c);
    if (!db)
        return 1;
    int status = housekeeping_run(db, &c->cfg, NULL, (int64_t)time(NULL));
    db_close(db);
    return status == DB_OK ? 0 : fail("%s", "database error (see above)");
}

static int cmd_mail_send(struct ctl *c)
{
    char err[512];
    struct crypto_keys keys;
    if (c->argc != 0)
        return fail("%s", "usage: mail send");
    if (crypto_key_file_load(c->cfg.security_key_file, &keys, err, sizeof err) != 0)
        return fail("%s", err);
    if (mail_startup() != 0)
        return fail("%s", "libcurl cannot start");
    struct db *db = open_db(c);
    struct outbox_run run = {0};
    int rc = db && outbox_release_dead_claims(db) == 0 ? outbox_send_due(db, &keys, &c->cfg, OUTBOX_ALL_UNSENT, NULL, &run)
                                                        : -1;
    db_close(db);
    mail_cleanup();
    if (!db)
        return 1;
    printf("%d sent, %d failed\n", run.sent, run.failed);
    if (rc != 0)
        return fail("%s", "database error (see above)");
    return run.failed ? fail("%s", "some messages failed and wait for their retry (see above)") : 0;
}

/* reminders send [--as-of YYYY-MM-DD]: queues the expiry reminders due
 * (as if it were noon of that Vienna day) and delivers the outbox. */
static int cmd_reminders_send(struct ctl *c)
{
    static const char *const names[] = {"--as-of", NULL};
    const char *values[1] = {NULL};
    char err[512];
    struct crypto_keys keys;
    if (read_options(c, names, values) != 0)
        return 1;
    int64_t as_of = (int64_t)time(NULL);
    int y, m, d;
    if (values[0]) {
        if (!date_parse_iso(values[0], &y, &m, &d))
            return fail("--as-of wants a date YYYY-MM-DD, not %s", values[0]);
        as_of = date_end_of_day_vienna(y, m, d) - 12 * 3600;
    }
    if (crypto_key_file_load(c->cfg.security_key_file, &keys, err, sizeof err) != 0)
        return fail("%s", err);
    struct db *db = open_db(c);
    if (!db)
        return 1;
    struct arena *a = arena_new();
    int sent = 0;
    int status = reminders_send(db, a, &keys, &c->cfg, as_of, (int64_t)time(NULL), &sent);
    arena_free(a);
    struct outbox_run run = {0};
    int rc = -1;
    if (status == DB_OK && mail_startup() == 0) {
        rc = outbox_send_due(db, &keys, &c->cfg, OUTBOX_DUE_NOW, NULL, &run);
        mail_cleanup();
    }
    db_close(db);
    if (status != DB_OK)
        return fail("%s", "reminders failed (see above)");
    printf("%d reminders queued; %d sent, %d failed\n", sent, run.sent, run.failed);
    return rc == 0 ? 0 : fail("%s", "database or mail error (see above)");
}

static int cmd_nginx_conf(struct ctl *c)
{
    static const char *const names[] = {"--port", "--prefix", "--static", NULL};
    const char *v[3] = {0};
    if (read_options(c, names, v) != 0)
        return 1;
    int port = v[0] ? atoi(v[0]) : 8080;
    if (port < 1 || port > 65535)
        return fail("bad port %s", v[0] ? v[0] : "");
    char static_dir[PATH_MAX], prefix[PATH_MAX];
    if (!realpath(v[2] ? v[2] : "static", static_dir))
        return fail("no static directory %s (give --static DIR)", v[2] ? v[2] : "static");
    if (!realpath(v[1] ? v[1] : ".", prefix))
        return fail("no such directory %s", v[1]);
    nginx_conf_write(stdout, &c->cfg, port, prefix, static_dir);
    return 0;
}

/* Keys whose values are secrets: `config` prints them masked. */
static bool secret_key(const char *key)
{
    return strcmp(key, "smtp_password") == 0 || strcmp(key, "webhook_secret") == 0;
}

/* config: the effective configuration (file, defaults and VOUCHER_* overrides) as INI. */
static int cmd_config(struct ctl *c)
{
    if (c->argc != 0)
        return fail("%s", "usage: config");
    const char *section, *key, *last = "";
    for (size_t i = 0; config_key_at(i, &section, &key); i++) {
        char buf[32];
        const char *value = config_get_text(&c->cfg, section, key, buf, sizeof buf);
        if (strcmp(section, last) != 0)
            printf("%s[%s]\n", *last ? "\n" : "", section);
        printf("%s = %s\n", key, secret_key(key) && *value ? "********" : value);
        last = section;
    }
    return 0;
}

/* api-token add NAME: a new bearer token for the LMS, printed once; only
 * its hash is stored. */
static int cmd_api_token_add(struct ctl *c)
{
    if (c->argc != 1 || !valid_person_name(c->argv[0]))
        return fail("%s", "usage: api-token add NAME (1-100 printable characters, e.g. moodle)");
    struct db *db = open_db(c);
    if (!db)
        return 1;
    char token[CRYPTO_TOKEN_TEXT_SIZE];
    unsigned char hash[CRYPTO_HASH_SIZE];
    crypto_token(token);
    crypto_hash_text(token, hash);
    int64_t now = (int64_t)time(NULL);
    int status = db_begin(db);
    if (status == DB_OK)
        status = db_api_token_add(db, c->argv[0], hash, now);
    if (status == DB_OK)
        status = db_audit_add(db, 0, AUDIT_API_TOKEN_ADD, c->argv[0], "", NULL, now);
    if (db_end(db, status == DB_OK ? 0 : -1) != 0 || status != DB_OK) {
        db_close(db);
        return status == DB_CONFLICT ? fail("a valid token named %s exists: revoke it first", c->argv[0])
                                     : fail("%s", "database error (see above)");
    }
    db_close(db);
    printf("%s\n", token);
    return 0;
}

static const char *when(struct arena *a, int64_t t)
{
    return t ? fmt_datetime(a, t) : "-";
}

/* api-token list: name, created, last used, revoked (tab-separated). */
static int cmd_api_token_list(struct ctl *c)
{
    if (c->argc != 0)
        return fail("%s", "usage: api-token list");
    struct db *db = open_db(c);
    if (!db)
        return 1;
    struct arena *a = arena_new();
    struct api_token *list;
    size_t n;
    int status = db_api_token_list(db, a, &list, &n);
    if (status == DB_OK) {
        printf("name\tcreated\tlast_used\trevoked\n");
        for (size_t i = 0; i < n; i++)
            printf("%s\t%s\t%s\t%s\n", list[i].name, when(a, list[i].created_at), when(a, list[i].last_used_at),
                   when(a, list[i].revoked_at));
    }
    arena_free(a);
    return finish(db, status == DB_OK ? 0 : -1, "");
}

/* api-token revoke NAME: the token stops working at once. */
static int cmd_api_token_revoke(struct ctl *c)
{
    if (c->argc != 1)
        return fail("%s", "usage: api-token revoke NAME");
    struct db *db = open_db(c);
    if (!db)
        return 1;
    int64_t now = (int64_t)time(NULL);
    int status = db_begin(db);
    if (status == DB_OK)
        status = db_api_token_revoke(db, c->argv[0], now);
    if (status == DB_OK)
        status = db_audit_add(db, 0, AUDIT_API_TOKEN_REVOKE, c->argv[0], "", NULL, now);
    int rc = db_end(db, status == DB_OK ? 0 : -1);
    if (status == DB_NOT_FOUND) {
        db_close(db);
        return fail("no valid token is named %s", c->argv[0]);
    }
    return finish(db, rc, "");
}

/* backup FILE: a consistent copy while voucherd runs; FILE appears only
 * complete (an existing FILE is replaced at the end, atomically). */
static int cmd_backup(struct ctl *c)
{
    if (c->argc != 1)
        return fail("%s", "usage: backup FILE");
    struct db *db = open_db(c);
    if (!db)
        return 1;
    char err[512];
    int rc = db_backup(db, c->argv[0], err, sizeof err);
    db_close(db);
    return rc == DB_OK ? 0 : fail("%s", err);
}

/* restore FILE: puts a backup back while voucherd is stopped (see restore.h). */
static int cmd_restore(struct ctl *c)
{
    if (c->argc != 1)
        return fail("%s", "usage: restore FILE");
    char msg[1024];
    struct crypto_keys keys;
    if (crypto_key_file_load(c->cfg.security_key_file, &keys, msg, sizeof msg) != 0)
        return fail("%s", msg);
    if (restore_database(&c->cfg, &keys, c->argv[0], msg, sizeof msg) != 0)
        return fail("%s", msg);
    printf("restored %s from %s\n", c->cfg.database_path, c->argv[0]);
    return 0;
}

/* user export USERNAME: every personal datum of the account as JSON. */
static int cmd_user_export(struct ctl *c)
{
    if (c->argc != 1)
        return fail("%s", "usage: user export USERNAME");
    struct db *db = open_db(c);
    if (!db)
        return 1;
    struct arena *a = arena_new();
    const char *json;
    char err[512];
    int rc = privacy_export(db, a, c->argv[0], &json, err, sizeof err);
    if (rc == 0)
        printf("%s\n", json);
    arena_free(a);
    db_close(db);
    return rc == 0 ? 0 : fail("%s", err);
}

/* Who runs voucherctl, for the audit: the user behind sudo, else the
 * effective user. */
static const char *operator_name(void)
{
    const char *sudo = getenv("SUDO_USER");
    if (sudo && *sudo)
        return sudo;
    struct passwd *pw = getpwuid(geteuid());
    return pw ? pw->pw_name : "unbekannt";
}

/* user erase USERNAME: anonymises the account (see privacy.h). */
static int cmd_user_erase(struct ctl *c)
{
    if (c->argc != 1)
        return fail("%s", "usage: user erase USERNAME");
    struct db *db = open_db(c);
    if (!db)
        return 1;
    struct arena *a = arena_new();
    const char *now_named;
    char err[512];
    int rc = privacy_erase(db, a, c->argv[0], operator_name(), (int64_t)time(NULL), &now_named, err, sizeof err);
    if (rc == 0)
        printf("anonymised: the account is now %s\n", now_named);
    arena_free(a);
    db_close(db);
    return rc == 0 ? 0 : fail("%s", err);
}

struct command {
    const char *word1, *word2; /* word2 NULL for one-word commands */
    int (*run)(struct ctl *c);
    const char *usage;
};

static const struct command commands[] = {
    {"init", NULL, cmd_init, "init"},
    {"demo", NULL, cmd_demo, "demo [--scale] (a real-size data set: 2,100 municipalities, 200,000 accounts, 1,000,000 vouchers)"},
    {"tenant", "add", cmd_tenant_add, "tenant add --gkz 30604 --name NAME --email E [--address T] [--uid U]"},
    {"user", "add", cmd_user_add,
     "user add --username U --email E --first-name F --last-name L --role R [--tenant GKZ] < password"},
    {"user", "export", cmd_user_export, "user export USERNAME (every personal datum as JSON)"},
    {"user", "erase", cmd_user_erase, "user erase USERNAME (anonymise: name, e-mail, username; audited)"},
    {"catalog", "import", cmd_catalog_import, "catalog import FILE.csv"},
    {"accounts", "import", cmd_accounts_import, "accounts import FILE.csv (username,email,first_name,last_name,gkz)"},
    {"completions", "import", cmd_completions_import, "completions import FILE.csv (username,course,completed_on)"},
    {"order", "add", cmd_order_add, "order add --username ADMIN --item SLUG=QTY [--item ...] [--reference R]"},
    {"mail", "send", cmd_mail_send, "mail send"},
    {"reminders", "send", cmd_reminders_send, "reminders send [--as-of YYYY-MM-DD]"},
    {"housekeeping", NULL, cmd_housekeeping, "housekeeping (erase old sessions, failures and client addresses)"},
    {"nginx-conf", NULL, cmd_nginx_conf, "nginx-conf [--port 8080] [--prefix DIR] [--static DIR (default ./static)]"},
    {"config", NULL, cmd_config, "config (prints the effective configuration, secrets masked)"},
    {"backup", NULL, cmd_backup, "backup FILE"},
    {"api-token", "add", cmd_api_token_add, "api-token add NAME (prints a new LMS API token once)"},
    {"api-token", "list", cmd_api_token_list, "api-token list"},
    {"api-token", "revoke", cmd_api_token_revoke, "api-token revoke NAME"},
    {"restore", NULL, cmd_restore, "restore FILE (voucherd stopped; checks the file and the key first)"},
};

/* The full list, for voucherctl without a command.  Returns 1. */
static int usage(void)
{
    fputs("usage: voucherctl [-c CONFIG] COMMAND (or set VOUCHER_CONF)\ncommands:\n", stderr);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(stderr, "  %s\n", commands[i].usage);
    return 1;
}

/* The command named by argv[next...], or NULL. */
static const struct command *find_command(int argc, char **argv, int next)
{
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        const struct command *cmd = &commands[i];
        int words = cmd->word2 ? 2 : 1;
        if (argc - next >= words && strcmp(argv[next], cmd->word1) == 0 &&
            (!cmd->word2 || strcmp(argv[next + 1], cmd->word2) == 0))
            return cmd;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    /* The command is looked up before the configuration is read: an unknown
     * one gets one line (and exit status 1) whatever the configuration. */
    int first = argc >= 3 && strcmp(argv[1], "-c") == 0 ? 3 : 1;
    const struct command *cmd = find_command(argc, argv, first);
    if (!cmd && argc <= first)
        return usage();
    if (!cmd) {
        fprintf(stderr, "voucherctl: unknown command '%s%s%s' (voucherctl without a command lists them)\n",
                argv[first], argc > first + 1 ? " " : "", argc > first + 1 ? argv[first + 1] : "");
        return 1;
    }
    struct ctl c = {0};
    int next = cli_load_config(argc, argv, &c.cfg);
    if (next < 0)
        return 1;
    db_set_synchronous(c.cfg.database_synchronous); /* a CHOICE key: always one of its words */
    if (crypto_startup() != 0)
        return fail("%s", "libsodium cannot start");
    int words = cmd->word2 ? 2 : 1;
    c.argc = argc - next - words;
    c.argv = argv + next + words;
    int rc = cmd->run(&c);
    config_free(&c.cfg);
    return rc;
}
