/* Fuzzes config_parse_text (the INI file) and config_apply_env (the
 * VOUCHER_* environment) of src/config.c on NUL-terminated copies of the
 * input: whatever happens, every string member stays non-NULL, every INT key
 * within its range, an error names its line, and config_free releases all
 * (libFuzzer's leak check runs on every input). */
#include "fuzz.h"

#include "config.h"

static const struct {
    const char *section, *key;
    long min, max;
} INT_RANGES[] = {
    {"server", "threads", 1, 64},
    {"security", "session_idle_minutes", 5, 1440},
    {"security", "session_max_hours", 1, 168},
    {"security", "password_reset_seconds", 1, 604800},
    {"mail", "retry_base_seconds", 1, 3600},
    {"invoice", "vat_percent", 0, 100},
    {"invoice", "payment_days", 0, 365},
    {"limits", "redeem_max_failures", 1, 1000},
    {"limits", "redeem_window_seconds", 1, 604800},
    {"limits", "login_max_failures", 1, 1000},
    {"limits", "login_window_seconds", 1, 604800},
    {"limits", "verify_max_failures", 1, 1000},
    {"limits", "verify_window_seconds", 1, 604800},
    {"limits", "reset_max_requests", 1, 1000},
    {"limits", "body_max_bytes", 1024, 10485760},
    {"privacy", "ip_retention_days", 1, 3650},
    {"limits", "hash_concurrency", 0, 64},
};

static void check_config(const struct config *cfg, const char *base_dir)
{
    const char *section, *key;
    char buf[32];
    size_t i = 0;
    for (; config_key_at(i, &section, &key); i++) {
        const char *v = config_get_text(cfg, section, key, buf, sizeof buf);
        FUZZ_CHECK(v != NULL);
        for (size_t k = 0; k < sizeof INT_RANGES / sizeof *INT_RANGES; k++) {
            if (strcmp(INT_RANGES[k].section, section) != 0 || strcmp(INT_RANGES[k].key, key) != 0)
                continue;
            char *end;
            long n = strtol(v, &end, 10);
            FUZZ_CHECK(*v && *end == '\0' && n >= INT_RANGES[k].min && n <= INT_RANGES[k].max);
        }
    }
    FUZZ_CHECK(i == 40);
    /* CHOICE keys hold one of their words. */
    FUZZ_CHECK(strcmp(cfg->database_synchronous, "off") == 0 || strcmp(cfg->database_synchronous, "normal") == 0 ||
               strcmp(cfg->database_synchronous, "full") == 0 || strcmp(cfg->database_synchronous, "extra") == 0);
    /* PATH keys are absolute when a base directory is given (or empty). */
    if (base_dir) {
        FUZZ_CHECK(cfg->database_path[0] == '/' || cfg->database_path[0] == '\0');
        FUZZ_CHECK(cfg->server_socket[0] == '/' || cfg->server_socket[0] == '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *base_dir = size && (data[0] & 1) ? "/etc/voucher" : NULL;
    char *text = fuzz_cstr(data, size);
    char err[160];

    struct config cfg;
    config_init_defaults(&cfg, base_dir);
    err[0] = '\0';
    int rc = config_parse_text(&cfg, text, base_dir, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == -1)
        FUZZ_CHECK(strncmp(err, "line ", 5) == 0 && strlen(err) < sizeof err);
    check_config(&cfg, base_dir);
    /* A tiny error buffer is truncated, never overrun. */
    char *small = malloc(4);
    rc = config_parse_text(&cfg, text, base_dir, small, 4);
    FUZZ_CHECK(rc == 0 || strlen(small) < 4);
    free(small);
    config_free(&cfg);
    config_free(&cfg); /* harmless twice */

    /* The same bytes as an environment: one "NAME=value" per line. */
    size_t lines = 1;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    char **envp = calloc(lines + 1, sizeof *envp);
    size_t n = 0;
    for (char *p = text, *nl; p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        envp[n++] = p;
    }
    config_init_defaults(&cfg, base_dir);
    err[0] = '\0';
    rc = config_apply_env(&cfg, envp, base_dir, err, sizeof err);
    FUZZ_CHECK(rc == 0 || (rc == -1 && strncmp(err, "VOUCHER_", 8) == 0));
    check_config(&cfg, base_dir);
    config_free(&cfg);

    free(envp);
    free(text);
    return 0;
}
