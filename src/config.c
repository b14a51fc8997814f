/* config.c -- see config.h for the contract. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath */
#endif
#include "config.h"
#include "mem.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern char **environ;

enum value_type { TYPE_STRING, TYPE_PATH, TYPE_INT, TYPE_CHOICE };

/* One configuration key.  INT ranges are non-negative and fit an int; the
 * default is text so that defaults go through the same setter as input. */
struct key_spec {
    const char *section;
    const char *key;
    enum value_type type;
    long min, max;
    const char *default_value;
    size_t offset;
    const char *choices; /* TYPE_CHOICE: the allowed values, "|"-separated */
};

#define STRING_KEY(sec, name, def) \
    {#sec, #name, TYPE_STRING, 0, 0, def, offsetof(struct config, sec##_##name), NULL}
#define PATH_KEY(sec, name, def) \
    {#sec, #name, TYPE_PATH, 0, 0, def, offsetof(struct config, sec##_##name), NULL}
#define INT_KEY(sec, name, lo, hi, def) \
    {#sec, #name, TYPE_INT, lo, hi, #def, offsetof(struct config, sec##_##name), NULL}
#define CHOICE_KEY(sec, name, choices, def) \
    {#sec, #name, TYPE_CHOICE, 0, 0, def, offsetof(struct config, sec##_##name), choices}

static const struct key_spec KEYS[] = {
    PATH_KEY(server, socket, "voucherd.sock"),
    STRING_KEY(server, socket_group, ""),
    INT_KEY(server, threads, 1, 64, 4),
    STRING_KEY(server, base_url, "http://127.0.0.1:8080"),
    PATH_KEY(database, path, "voucher.db"),
    CHOICE_KEY(database, synchronous, "off|normal|full|extra", "full"),
    PATH_KEY(security, key_file, "voucher.key"),
    INT_KEY(security, session_idle_minutes, 5, 1440, 60),
    INT_KEY(security, session_max_hours, 1, 168, 12),
    INT_KEY(security, password_reset_seconds, 1, 604800, 86400),
    STRING_KEY(mail, smtp_url, ""),
    STRING_KEY(mail, smtp_user, ""),
    STRING_KEY(mail, smtp_password, ""),
    STRING_KEY(mail, from,
               "St\xc3\xa4" "dtebund Academy <noreply@staedtebund-academy.at>"),
    PATH_KEY(mail, spool_dir, "mail-spool"),
    INT_KEY(mail, retry_base_seconds, 1, 3600, 60),
    STRING_KEY(invoice, seller_name, "IT-Kommunal GmbH"),
    STRING_KEY(invoice, seller_address, "Rathausplatz 1, 1010 Wien"),
    STRING_KEY(invoice, seller_uid, "ATU12345678"),
    STRING_KEY(invoice, iban, "AT61 1904 3002 3457 3201"),
    STRING_KEY(invoice, bic, "GIBAATWWXXX"),
    STRING_KEY(invoice, bank_name, "Erste Bank der oesterreichischen Sparkassen AG"),
    STRING_KEY(invoice, seller_fn, "FN 123456a"),
    STRING_KEY(invoice, seller_fn_court, "Handelsgericht Wien"),
    STRING_KEY(invoice, contact, "Buchhaltung IT-Kommunal, buchhaltung@it-kommunal.at, +43 1 234 56 78"),
    INT_KEY(invoice, vat_percent, 0, 100, 20),
    INT_KEY(invoice, payment_days, 0, 365, 14),
    INT_KEY(limits, redeem_max_failures, 1, 1000, 10),
    INT_KEY(limits, redeem_window_seconds, 1, 604800, 900),
    INT_KEY(limits, login_max_failures, 1, 1000, 5),
    INT_KEY(limits, login_window_seconds, 1, 604800, 900),
    INT_KEY(limits, verify_max_failures, 1, 1000, 30),
    INT_KEY(limits, verify_window_seconds, 1, 604800, 900),
    INT_KEY(limits, reset_max_requests, 1, 1000, 3),
    INT_KEY(limits, body_max_bytes, 1024, 10485760, 1048576),
    INT_KEY(limits, hash_concurrency, 0, 64, 0),
    INT_KEY(privacy, ip_retention_days, 1, 3650, 90),
    STRING_KEY(lms, webhook_url, ""),
    STRING_KEY(lms, webhook_secret, ""),
    STRING_KEY(reminders, days_before, "30,7"),
};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

static const char ENV_PREFIX[] = "VOUCHER_";
static const char UTF8_BOM[] = "\xef\xbb\xbf";
#define WHERE_SIZE 128

/* Keys that existed once: naming one is an error that says what replaced it. */
static const struct {
    const char *section, *key, *instead;
} RETIRED[] = {
    {"lms", "api_token",
     "was removed with /api/completions: create a named token with 'voucherctl api-token add NAME' "
     "(the LMS then calls /api/v1/ with it) and delete this key"},
};

/* ---- memory and errors ---- */

static void set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- table access ---- */

/* "KEY <what replaced it>" of a retired key (any case), or NULL. */
static const char *retired_key(const char *section, const char *key, size_t key_len)
{
    static _Thread_local char text[512];
    for (size_t i = 0; i < sizeof RETIRED / sizeof RETIRED[0]; i++)
        if (strcmp(RETIRED[i].section, section) == 0 && strlen(RETIRED[i].key) == key_len &&
            strncasecmp(RETIRED[i].key, key, key_len) == 0) {
            snprintf(text, sizeof text, "%s %s", RETIRED[i].key, RETIRED[i].instead);
            return text;
        }
    return NULL;
}

static const struct key_spec *find_key(const char *section, const char *key)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(KEYS[i].section, section) == 0 && strcmp(KEYS[i].key, key) == 0)
            return &KEYS[i];
    return NULL;
}

/* The table's own spelling of a known section, or NULL. */
static const char *find_section(const char *section)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(KEYS[i].section, section) == 0)
            return KEYS[i].section;
    return NULL;
}

static char **string_member(struct config *cfg, const struct key_spec *spec)
{
    return (char **)((char *)cfg + spec->offset);
}

static int *int_member(struct config *cfg, const struct key_spec *spec)
{
    return (int *)((char *)cfg + spec->offset);
}

static const char *string_value(const struct config *cfg,
                                const struct key_spec *spec)
{
    return *(char *const *)((const char *)cfg + spec->offset);
}

static int int_value(const struct config *cfg, const struct key_spec *spec)
{
    return *(const int *)((const char *)cfg + spec->offset);
}

/* ---- setting one value ---- */

/* Decimal digits only, within [min, max]; *out untouched on failure. */
static bool parse_int_in_range(const char *text, long min, long max, int *out)
{
    long long value = 0;
    if (*text == '\0')
        return false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        value = value * 10 + (*p - '0');
        if (value > max)
            return false;
    }
    if (value < min)
        return false;
    *out = (int)value;
    return true;
}

static char *resolve_path(const char *value, const char *base_dir)
{
    if (base_dir == NULL || value[0] == '\0' || value[0] == '/')
        return xstrndup(value, strlen(value));
    size_t dir_len = strlen(base_dir), value_len = strlen(value);
    char *path = xmalloc(dir_len + 1 + value_len + 1);
    memcpy(path, base_dir, dir_len);
    path[dir_len] = '/';
    memcpy(path + dir_len + 1, value, value_len + 1);
    return path;
}

/* Whether value is one of the "|"-separated choices (exactly, lower case). */
static bool is_choice(const char *choices, const char *value)
{
    size_t len = strlen(value);
    for (const char *p = choices; *p;) {
        size_t n = strcspn(p, "|");
        if (n == len && len > 0 && strncmp(p, value, n) == 0)
            return true;
        p += n + (p[n] == '|');
    }
    return false;
}

/* where names the source for messages ("line 3", "VOUCHER_SERVER_THREADS"). */
static int set_value(struct config *cfg, const struct key_spec *spec,
                     const char *value, const char *base_dir,
                     const char *where, char *err, size_t errlen)
{
    if (spec->type == TYPE_INT) {
        if (parse_int_in_range(value, spec->min, spec->max, int_member(cfg, spec)))
            return 0;
        set_error(err, errlen, "%s: [%s] %s must be an integer from %ld to %ld",
                  where, spec->section, spec->key, spec->min, spec->max);
        return -1;
    }
    if (spec->type == TYPE_CHOICE && !is_choice(spec->choices, value)) {
        set_error(err, errlen, "%s: [%s] %s must be one of %s",
                  where, spec->section, spec->key, spec->choices);
        return -1;
    }
    char *text = spec->type == TYPE_PATH ? resolve_path(value, base_dir)
                                         : xstrndup(value, strlen(value));
    char **member = string_member(cfg, spec);
    free(*member);
    *member = text;
    return 0;
}

void config_init_defaults(struct config *cfg, const char *base_dir)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NKEYS; i++)
        if (set_value(cfg, &KEYS[i], KEYS[i].default_value, base_dir,
                      "default", NULL, 0) != 0)
            abort(); /* the table itself is wrong */
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (KEYS[i].type == TYPE_INT)
            continue;
        char **member = string_member(cfg, &KEYS[i]);
        free(*member);
        *member = NULL;
    }
}

/* ---- INI text ---- */

#define INI_SPACE " \t\r\n\v\f"

struct ini_state {
    const char *section; /* points into KEYS, NULL before the first [..] */
    char where[WHERE_SIZE];
    const char *base_dir;
    char *err;
    size_t errlen;
};

static int parse_section_line(char *line, struct ini_state *st)
{
    size_t len = strlen(line);
    if (line[len - 1] != ']') {
        set_error(st->err, st->errlen, "%s: expected [section]", st->where);
        return -1;
    }
    line[len - 1] = '\0';
    char *name = text_trim(line + 1, INI_SPACE);
    st->section = find_section(name);
    if (st->section == NULL) {
        set_error(st->err, st->errlen, "%s: unknown section [%s]", st->where, name);
        return -1;
    }
    return 0;
}

static int parse_key_line(struct config *cfg, char *line, struct ini_state *st)
{
    char *eq = strchr(line, '=');
    if (eq == NULL) {
        set_error(st->err, st->errlen, "%s: expected key = value", st->where);
        return -1;
    }
    *eq = '\0';
    char *key = text_trim(line, INI_SPACE);
    char *value = text_unquote(text_trim(eq + 1, INI_SPACE));
    if (st->section == NULL) {
        set_error(st->err, st->errlen, "%s: key outside of a section", st->where);
        return -1;
    }
    const struct key_spec *spec = find_key(st->section, key);
    const char *instead = spec ? NULL : retired_key(st->section, key, strlen(key));
    if (instead) {
        set_error(st->err, st->errlen, "%s: [%s] %s", st->where, st->section, instead);
        return -1;
    }
    if (spec == NULL) {
        set_error(st->err, st->errlen, "%s: unknown key [%s] %s", st->where,
                  st->section, key);
        return -1;
    }
    return set_value(cfg, spec, value, st->base_dir, st->where, st->err,
                     st->errlen);
}

static int parse_line(struct config *cfg, char *raw, struct ini_state *st)
{
    char *line = text_trim(raw, INI_SPACE);
    if (*line == '\0' || *line == '#' || *line == ';')
        return 0;
    if (*line == '[')
        return parse_section_line(line, st);
    return parse_key_line(cfg, line, st);
}

int config_parse_text(struct config *cfg, const char *text,
                      const char *base_dir, char *err, size_t errlen)
{
    struct ini_state st = {.base_dir = base_dir, .err = err, .errlen = errlen};
    int line_no = 1;
    const char *start = text;
    if (strncmp(start, UTF8_BOM, sizeof UTF8_BOM - 1) == 0)
        start += sizeof UTF8_BOM - 1;
    for (; *start; line_no++) {
        size_t len = strcspn(start, "\n");
        char *line = xstrndup(start, len);
        snprintf(st.where, sizeof st.where, "line %d", line_no);
        int rc = parse_line(cfg, line, &st);
        free(line);
        if (rc != 0)
            return -1;
        start += len + (start[len] == '\n');
    }
    return 0;
}

/* ---- environment ---- */

/* True when upper[0..len-1] is lower spelled in upper case. */
static bool upper_equals(const char *lower, const char *upper, size_t len)
{
    if (strlen(lower) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = lower[i];
        if ((c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c) != upper[i])
            return false;
    }
    return true;
}

/* The section whose upper-case name and '_' start name[0..len-1], or NULL. */
static const char *env_section(const char *name, size_t len)
{
    for (size_t i = 0; i < NKEYS; i++) {
        size_t n = strlen(KEYS[i].section);
        if (n < len && name[n] == '_' && upper_equals(KEYS[i].section, name, n))
            return KEYS[i].section;
    }
    return NULL;
}

static const struct key_spec *env_key(const char *section, const char *key,
                                      size_t len)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(KEYS[i].section, section) == 0 &&
            upper_equals(KEYS[i].key, key, len))
            return &KEYS[i];
    return NULL;
}

/* Applies one "VOUCHER_..=value" entry; other entries are no-ops. */
static int apply_env_entry(struct config *cfg, const char *entry,
                           const char *base_dir, char *err, size_t errlen)
{
    size_t prefix_len = sizeof ENV_PREFIX - 1;
    const char *eq = strchr(entry, '=');
    if (eq == NULL || strncmp(entry, ENV_PREFIX, prefix_len) != 0)
        return 0;
    const char *name = entry + prefix_len;
    size_t name_len = (size_t)(eq - name);
    const char *section = env_section(name, name_len);
    if (section == NULL)
        return 0;
    const char *key = name + strlen(section) + 1;
    size_t key_len = (size_t)(eq - key);
    char where[WHERE_SIZE];
    snprintf(where, sizeof where, "%.*s", (int)(eq - entry), entry);
    const struct key_spec *spec = env_key(section, key, key_len);
    const char *instead = spec ? NULL : retired_key(section, key, key_len);
    if (instead) {
        set_error(err, errlen, "%s: [%s] %s", where, section, instead);
        return -1;
    }
    if (spec == NULL) {
        set_error(err, errlen, "%s: unknown key [%s] %.*s", where, section,
                  (int)key_len, key);
        return -1;
    }
    return set_value(cfg, spec, eq + 1, base_dir, where, err, errlen);
}

int config_apply_env(struct config *cfg, char *const *envp,
                     const char *base_dir, char *err, size_t errlen)
{
    for (; envp != NULL && *envp != NULL; envp++)
        if (apply_env_entry(cfg, *envp, base_dir, err, errlen) != 0)
            return -1;
    return 0;
}

/* ---- file ---- */

/* Absolute directory of path (malloc'd), or NULL with errno set. */
static char *absolute_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == NULL   ? xstrndup(".", 1)
                : slash == path ? xstrndup("/", 1)
                                : xstrndup(path, (size_t)(slash - path));
    char *absolute = realpath(dir, NULL);
    int saved = errno;
    free(dir);
    errno = saved;
    return absolute;
}

/* Whole file as a NUL-terminated string (malloc'd), or NULL with errno. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t len = 0, cap = 4096;
    char *text = xmalloc(cap);
    size_t got;
    while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            cap *= 2;
            text = xrealloc(text, cap);
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(text);
        errno = EIO;
        return NULL;
    }
    text[len] = '\0';
    return text;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
    char *base_dir = absolute_dir_of(path);
    int saved_errno = errno;
    config_init_defaults(cfg, base_dir);
    char *text = base_dir != NULL ? read_file(path) : NULL;
    if (text == NULL) {
        if (base_dir != NULL)
            saved_errno = errno;
        set_error(err, errlen, "%s: %s", path, strerror(saved_errno));
        free(base_dir);
        return -1;
    }
    char inner[256] = "";
    int rc = config_parse_text(cfg, text, base_dir, inner, sizeof inner);
    if (rc != 0)
        set_error(err, errlen, "%s: %s", path, inner);
    else
        rc = config_apply_env(cfg, environ, NULL, err, errlen);
    free(text);
    free(base_dir);
    return rc;
}

/* ---- reading back ---- */

const char *config_get_text(const struct config *cfg, const char *section,
                            const char *key, char *buf, size_t buflen)
{
    const struct key_spec *spec = find_key(section, key);
    if (spec == NULL)
        return NULL;
    if (spec->type != TYPE_INT)
        return string_value(cfg, spec);
    snprintf(buf, buflen, "%d", int_value(cfg, spec));
    return buf;
}

bool config_key_at(size_t index, const char **section, const char **key)
{
    if (index >= NKEYS)
        return false;
    *section = KEYS[index].section;
    *key = KEYS[index].key;
    return true;
}
