/* Unit tests for src/config.c (INI file, environment overrides). */
#define _XOPEN_SOURCE 700 /* realpath, mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define BASE "/srv/voucher/conf"

struct fixture {
    struct config cfg;
    char err[256];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    config_init_defaults(&f->cfg, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    config_free(&f->cfg);
    free(f);
    return 0;
}

static int parse(struct fixture *f, const char *text)
{
    f->err[0] = '\0';
    return config_parse_text(&f->cfg, text, BASE, f->err, sizeof f->err);
}

static int apply_env(struct fixture *f, char *const *envp, const char *base_dir)
{
    f->err[0] = '\0';
    return config_apply_env(&f->cfg, envp, base_dir, f->err, sizeof f->err);
}

static void test_defaults_match_documented_values(void **state)
{
    struct config *c = &((struct fixture *)*state)->cfg;
    assert_string_equal(c->server_socket, "voucherd.sock");
    assert_int_equal(c->server_threads, 4);
    assert_string_equal(c->server_base_url, "http://127.0.0.1:8080");
    assert_string_equal(c->database_path, "voucher.db");
    assert_string_equal(c->security_key_file, "voucher.key");
    assert_int_equal(c->security_session_idle_minutes, 60);
    assert_int_equal(c->security_session_max_hours, 12);
    assert_string_equal(c->mail_smtp_url, "");
    assert_string_equal(c->mail_smtp_user, "");
    assert_string_equal(c->mail_smtp_password, "");
    assert_string_equal(c->mail_from,
                        "St\xc3\xa4" "dtebund Academy <noreply@staedtebund-academy.at>");
    assert_string_equal(c->mail_spool_dir, "mail-spool");
    assert_int_equal(c->mail_retry_base_seconds, 60);
    assert_string_equal(c->invoice_seller_name, "IT-Kommunal GmbH");
    assert_string_equal(c->invoice_seller_address, "Rathausplatz 1, 1010 Wien");
    assert_string_equal(c->invoice_seller_uid, "ATU12345678");
    assert_string_equal(c->invoice_iban, "AT61 1904 3002 3457 3201");
    assert_int_equal(c->invoice_vat_percent, 20);
    assert_int_equal(c->invoice_payment_days, 14);
    assert_int_equal(c->limits_redeem_max_failures, 10);
    assert_int_equal(c->limits_redeem_window_seconds, 900);
    assert_int_equal(c->limits_login_max_failures, 5);
    assert_int_equal(c->limits_login_window_seconds, 900);
    assert_int_equal(c->limits_body_max_bytes, 1048576);
    assert_int_equal(c->privacy_ip_retention_days, 90);
    assert_string_equal(c->database_synchronous, "full");
    assert_int_equal(c->limits_hash_concurrency, 0);
    assert_string_equal(c->server_socket_group, "");
}

/* [database] synchronous takes exactly one of its four words. */
static void test_synchronous_is_one_of_its_words(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "[database]\nsynchronous = normal\n"), 0);
    assert_string_equal(f->cfg.database_synchronous, "normal");
    assert_int_equal(parse(f, "[database]\nsynchronous = FULL\n"), -1);
    assert_string_equal(f->err, "line 2: [database] synchronous must be one of off|normal|full|extra");
    assert_int_equal(parse(f, "[database]\nsynchronous = ful\n"), -1);
    assert_int_equal(parse(f, "[database]\nsynchronous =\n"), -1);
    assert_string_equal(f->cfg.database_synchronous, "normal");
}

static void test_default_paths_resolve_against_base_dir(void **state)
{
    (void)state;
    struct config c;
    config_init_defaults(&c, BASE);
    assert_string_equal(c.server_socket, BASE "/voucherd.sock");
    assert_string_equal(c.database_path, BASE "/voucher.db");
    assert_string_equal(c.security_key_file, BASE "/voucher.key");
    assert_string_equal(c.mail_spool_dir, BASE "/mail-spool");
    assert_string_equal(c.server_base_url, "http://127.0.0.1:8080"); /* STRING */
    config_free(&c);
    assert_null(c.database_path);
    config_free(&c); /* twice is harmless */
}

static void test_parse_sets_values_ignoring_comments_and_blanks(void **state)
{
    struct fixture *f = *state;
    const char *text = "# example\n"
                       "; another comment\n"
                       "\n"
                       "[server]\n"
                       "  threads   =   8  \n"
                       "base_url=https://voucher.example.at\n"
                       "  [ mail ]  \n"
                       "smtp_url = smtps://mail.example.at:465\n"
                       "from = Academy # not a comment\n"
                       "[invoice]\n"
                       "vat_percent = 0\n";
    assert_int_equal(parse(f, text), 0);
    assert_int_equal(f->cfg.server_threads, 8);
    assert_string_equal(f->cfg.server_base_url, "https://voucher.example.at");
    assert_string_equal(f->cfg.mail_smtp_url, "smtps://mail.example.at:465");
    assert_string_equal(f->cfg.mail_from, "Academy # not a comment");
    assert_int_equal(f->cfg.invoice_vat_percent, 0);
    assert_int_equal(f->cfg.invoice_payment_days, 14); /* untouched */
}

static void test_parse_strips_surrounding_quotes_only(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "[invoice]\n"
                              "seller_name = \"  Stadt \"Graz\"  \"\n"
                              "iban = \"\n"
                              "seller_uid = \"\"\n"),
                     0);
    assert_string_equal(f->cfg.invoice_seller_name, "  Stadt \"Graz\"  ");
    assert_string_equal(f->cfg.invoice_iban, "\"");
    assert_string_equal(f->cfg.invoice_seller_uid, "");
}

static void test_parse_handles_crlf_bom_and_missing_final_newline(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "\xef\xbb\xbf[server]\r\nthreads = 2\r\n"
                              "[limits]\r\nlogin_max_failures=7"),
                     0);
    assert_int_equal(f->cfg.server_threads, 2);
    assert_int_equal(f->cfg.limits_login_max_failures, 7);
}

static void test_parse_rejects_unknown_section(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "[server]\nthreads = 2\n\n[smtp]\nurl = x\n"), -1);
    assert_string_equal(f->err, "line 4: unknown section [smtp]");
    assert_int_equal(f->cfg.server_threads, 2); /* applied before the error */
}

static void test_parse_rejects_unknown_key(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "[mail]\nsmtp_host = x\n"), -1);
    assert_string_equal(f->err, "line 2: unknown key [mail] smtp_host");
    /* a key of another section is unknown here */
    assert_int_equal(parse(f, "[mail]\nthreads = 2\n"), -1);
    assert_string_equal(f->err, "line 2: unknown key [mail] threads");
}

static void test_parse_rejects_malformed_lines(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "threads = 2\n"), -1);
    assert_string_equal(f->err, "line 1: key outside of a section");
    assert_int_equal(parse(f, "[server]\nthreads 2\n"), -1);
    assert_string_equal(f->err, "line 2: expected key = value");
    assert_int_equal(parse(f, "[server\n"), -1);
    assert_string_equal(f->err, "line 1: expected [section]");
}

static void test_parse_rejects_bad_and_out_of_range_ints(void **state)
{
    struct fixture *f = *state;
    const char *bad[] = {"abc", "", "0", "65", "-1", "+4", "4x", "4 4", "0x10",
                         "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "[server]\nthreads = %s\n", bad[i]);
        assert_int_equal(parse(f, text), -1);
        assert_string_equal(f->err,
                            "line 2: [server] threads must be an integer from 1 to 64");
        assert_int_equal(f->cfg.server_threads, 4);
    }
    assert_int_equal(parse(f, "[server]\nthreads = 64\n"), 0);
    assert_int_equal(f->cfg.server_threads, 64);
    assert_int_equal(parse(f, "[limits]\nbody_max_bytes = 1023\n"), -1);
    assert_string_equal(f->err, "line 2: [limits] body_max_bytes must be an "
                                "integer from 1024 to 10485760");
}

static void test_parse_resolves_relative_paths(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "[database]\npath = ../var/voucher.db\n"
                              "[security]\nkey_file = /etc/voucher/key\n"
                              "[server]\nsocket = \"\"\n"
                              "base_url = relative/not/a/path\n"),
                     0);
    assert_string_equal(f->cfg.database_path, BASE "/../var/voucher.db");
    assert_string_equal(f->cfg.security_key_file, "/etc/voucher/key");
    assert_string_equal(f->cfg.server_socket, "");
    assert_string_equal(f->cfg.server_base_url, "relative/not/a/path");
}

static void test_parse_without_base_dir_keeps_relative_path(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(config_parse_text(&f->cfg, "[database]\npath = x.db\n",
                                       NULL, f->err, sizeof f->err),
                     0);
    assert_string_equal(f->cfg.database_path, "x.db");
}

static void test_env_overrides_values(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "[mail]\nsmtp_url = smtp://file:25\n"), 0);
    char *envp[] = {"PATH=/usr/bin",
                    "VOUCHER_MAIL_SMTP_URL=smtp://env:2525",
                    "VOUCHER_SERVER_THREADS=16",
                    "VOUCHER_INVOICE_SELLER_NAME=  Stadt Wien  ",
                    "VOUCHER_PRIVACY_IP_RETENTION_DAYS=30",
                    NULL};
    assert_int_equal(apply_env(f, envp, NULL), 0);
    assert_string_equal(f->cfg.mail_smtp_url, "smtp://env:2525");
    assert_int_equal(f->cfg.server_threads, 16);
    assert_string_equal(f->cfg.invoice_seller_name, "  Stadt Wien  ");
    assert_int_equal(f->cfg.privacy_ip_retention_days, 30);
}

static void test_env_ignores_unrelated_variables(void **state)
{
    struct fixture *f = *state;
    char *envp[] = {"VOUCHER_CONF=/etc/voucher.conf", "VOUCHER=1", "VOUCHER_",
                    "VOUCHER_SERVER=1", "voucher_server_threads=9",
                    "XVOUCHER_SERVER_THREADS=9", NULL};
    assert_int_equal(apply_env(f, envp, NULL), 0);
    assert_int_equal(f->cfg.server_threads, 4);
    assert_int_equal(apply_env(f, NULL, NULL), 0);
}

static void test_retired_api_token_says_what_replaced_it(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "[lms]\napi_token = geheim\n"), -1);
    assert_non_null(strstr(f->err, "line 2: [lms] api_token was removed"));
    assert_non_null(strstr(f->err, "voucherctl api-token add NAME"));
    assert_null(strstr(f->err, "geheim"));
    char *envp[] = {"VOUCHER_LMS_API_TOKEN=geheim", NULL};
    assert_int_equal(apply_env(f, envp, NULL), -1);
    assert_non_null(strstr(f->err, "VOUCHER_LMS_API_TOKEN: [lms] api_token was removed"));
    assert_null(strstr(f->err, "geheim"));
}

static void test_env_rejects_unknown_key_of_known_section(void **state)
{
    struct fixture *f = *state;
    char *envp[] = {"VOUCHER_MAIL_SMTP_HOST=x", NULL};
    assert_int_equal(apply_env(f, envp, NULL), -1);
    assert_string_equal(f->err, "VOUCHER_MAIL_SMTP_HOST: unknown key [mail] SMTP_HOST");
    char *lower[] = {"VOUCHER_MAIL_smtp_url=x", NULL};
    assert_int_equal(apply_env(f, lower, NULL), -1);
}

static void test_env_rejects_bad_int(void **state)
{
    struct fixture *f = *state;
    char *envp[] = {"VOUCHER_LIMITS_REDEEM_MAX_FAILURES=0", NULL};
    assert_int_equal(apply_env(f, envp, NULL), -1);
    assert_string_equal(f->err, "VOUCHER_LIMITS_REDEEM_MAX_FAILURES: [limits] "
                                "redeem_max_failures must be an integer from 1 to 1000");
    assert_int_equal(f->cfg.limits_redeem_max_failures, 10);
}

static void test_env_paths_resolve_only_with_base_dir(void **state)
{
    struct fixture *f = *state;
    char *envp[] = {"VOUCHER_DATABASE_PATH=var/test.db", NULL};
    assert_int_equal(apply_env(f, envp, NULL), 0);
    assert_string_equal(f->cfg.database_path, "var/test.db");
    assert_int_equal(apply_env(f, envp, "/opt"), 0);
    assert_string_equal(f->cfg.database_path, "/opt/var/test.db");
}

static void test_get_text_returns_effective_values(void **state)
{
    struct fixture *f = *state;
    char buf[16];
    char *envp[] = {"VOUCHER_SERVER_SOCKET=/run/v.sock", NULL};
    assert_int_equal(apply_env(f, envp, NULL), 0);
    assert_string_equal(config_get_text(&f->cfg, "server", "socket", buf, sizeof buf),
                        "/run/v.sock");
    assert_string_equal(config_get_text(&f->cfg, "limits", "body_max_bytes", buf,
                                        sizeof buf),
                        "1048576");
    assert_null(config_get_text(&f->cfg, "server", "nope", buf, sizeof buf));
    assert_null(config_get_text(&f->cfg, "nope", "socket", buf, sizeof buf));
}

static void test_key_at_enumerates_every_key(void **state)
{
    struct fixture *f = *state;
    const char *section, *key;
    char buf[16];
    size_t n = 0;
    while (config_key_at(n, &section, &key)) {
        assert_non_null(config_get_text(&f->cfg, section, key, buf, sizeof buf));
        n++;
    }
    assert_int_equal(n, 40);
    assert_true(config_key_at(0, &section, &key));
    assert_string_equal(section, "server");
    assert_string_equal(key, "socket");
}

/* Writes text to the file dir/name; its path goes to out. */
static void write_file(const char *dir, const char *name, const char *text,
                       char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", dir, name);
    FILE *fp = fopen(out, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_load_resolves_paths_against_file_directory(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/test_config_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *dir = realpath(tmpl, NULL);
    char path[512], expected[600], err[256] = "";
    write_file(dir, "voucher.conf",
               "[database]\npath = data/v.db\n[server]\nthreads = 3\n", path,
               sizeof path);
    struct config c;
    assert_int_equal(config_load(&c, path, err, sizeof err), 0);
    snprintf(expected, sizeof expected, "%s/data/v.db", dir);
    assert_string_equal(c.database_path, expected);
    snprintf(expected, sizeof expected, "%s/voucher.key", dir);
    assert_string_equal(c.security_key_file, expected);
    assert_int_equal(c.server_threads, 3);
    config_free(&c);
    unlink(path);
    rmdir(dir);
    free(dir);
}

static void test_load_reports_errors_with_file_name(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/test_config_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char path[512], expected[600], err[256] = "";
    write_file(tmpl, "bad.conf", "[server]\nthreads = many\n", path, sizeof path);
    struct config c;
    assert_int_equal(config_load(&c, path, err, sizeof err), -1);
    snprintf(expected, sizeof expected,
             "%s: line 2: [server] threads must be an integer from 1 to 64", path);
    assert_string_equal(err, expected);
    assert_string_equal(c.mail_smtp_url, ""); /* still initialised */
    config_free(&c);

    assert_int_equal(config_load(&c, "/nonexistent-dir/x.conf", err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent-dir/x.conf: No such file or directory");
    assert_string_equal(c.database_path, "voucher.db");
    config_free(&c);
    snprintf(expected, sizeof expected, "%s/missing.conf", tmpl);
    assert_int_equal(config_load(&c, expected, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file or directory"));
    config_free(&c);
    unlink(path);
    rmdir(tmpl);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_defaults_match_documented_values),
        T(test_default_paths_resolve_against_base_dir),
        T(test_parse_sets_values_ignoring_comments_and_blanks),
        T(test_parse_strips_surrounding_quotes_only),
        T(test_parse_handles_crlf_bom_and_missing_final_newline),
        T(test_parse_rejects_unknown_section),
        T(test_parse_rejects_unknown_key),
        T(test_parse_rejects_malformed_lines),
        T(test_parse_rejects_bad_and_out_of_range_ints),
        T(test_parse_resolves_relative_paths),
        T(test_parse_without_base_dir_keeps_relative_path),
        T(test_env_overrides_values),
        T(test_env_ignores_unrelated_variables),
        T(test_env_rejects_unknown_key_of_known_section),
        T(test_env_rejects_bad_int),
        T(test_env_paths_resolve_only_with_base_dir),
        T(test_get_text_returns_effective_values),
        T(test_key_at_enumerates_every_key),
        T(test_synchronous_is_one_of_its_words),
        T(test_load_resolves_paths_against_file_directory),
        T(test_load_reports_errors_with_file_name),
        T(test_retired_api_token_says_what_replaced_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
