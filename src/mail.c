/* mail — see mail.h. */
#include "mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#define CONNECT_TIMEOUT_SECONDS 10L
#define TRANSFER_TIMEOUT_SECONDS 120L

int mail_startup(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void mail_cleanup(void)
{
    curl_global_cleanup();
}

/* Writes the message to spool_dir/NAME.eml through a temporary file, so a
 * reader never sees half a message. */
static int spool(const struct config *cfg, const struct mail_delivery *d, char *err, size_t errlen)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s.eml", cfg->mail_spool_dir, d->spool_name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(d->text, 1, d->len, f) == d->len;
    if (f && fclose(f) != 0)
        ok = false;
    if (ok && rename(tmp, path) == 0)
        return 0;
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    remove(tmp);
    return -1;
}

struct upload {
    const char *text;
    size_t len, pos;
};

static size_t read_cb(char *out, size_t size, size_t nitems, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nitems;
    if (n > u->len - u->pos)
        n = u->len - u->pos;
    memcpy(out, u->text + u->pos, n);
    u->pos += n;
    return n;
}

static int progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const atomic_bool *stop = arg;
    return stop && atomic_load(stop) ? 1 : 0; /* non-zero aborts the transfer */
}

/* Sets every option; the recipient list is returned for freeing. */
static struct curl_slist *configure(CURL *c, const struct config *cfg, const struct mail_delivery *d,
                                    struct upload *u, char *errbuf)
{
    struct curl_slist *rcpts = NULL;
    char addr[512];
    for (size_t i = 0; i < d->nrcpts; i++) {
        snprintf(addr, sizeof addr, "<%s>", d->rcpts[i]);
        rcpts = curl_slist_append(rcpts, addr);
    }
    snprintf(addr, sizeof addr, "<%s>", d->from);
    curl_easy_setopt(c, CURLOPT_URL, cfg->mail_smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    /* With a login the password must never travel in clear: TLS is required
     * then; without one, STARTTLS is used when the server offers it. */
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(cfg->mail_smtp_user[0] ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (cfg->mail_smtp_user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->mail_smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->mail_smtp_password);
    }
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, u);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_SECONDS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT_SECONDS);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)d->stop);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    return rcpts;
}

static int smtp(const struct config *cfg, const struct mail_delivery *d, char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "libcurl: cannot create a handle");
        return MAIL_TEMPORARY;
    }
    struct upload u = {.text = d->text, .len = d->len};
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *rcpts = configure(c, cfg, d, &u, errbuf);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK)
        snprintf(err, errlen, "%s: %s", curl_easy_strerror(rc), errbuf);
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(c);
    if (rc == CURLE_OK)
        return MAIL_OK;
    /* RFC 5321: 550-554 say the mailbox or the message is refused for good;
     * every other failure (4xx, a dropped connection, a server down, also
     * 5xx about the session such as 530 login needed) may mend itself. */
    return code >= 550 && code <= 554 ? MAIL_PERMANENT : MAIL_TEMPORARY;
}

bool mail_per_recipient(const struct config *cfg)
{
    return cfg->mail_smtp_url[0] != '\0';
}

int mail_deliver(const struct config *cfg, const struct mail_delivery *d, char *err, size_t errlen)
{
    return cfg->mail_smtp_url[0] ? smtp(cfg, d, err, errlen) : spool(cfg, d, err, errlen) == 0 ? MAIL_OK : MAIL_TEMPORARY;
}

static size_t discard_cb(char *data, size_t size, size_t nitems, void *arg)
{
    (void)data, (void)arg;
    return size * nitems;
}

int mail_http_post(const char *url, const char *body, size_t len, const char *const *headers, long timeout_seconds,
                   const atomic_bool *stop, long *http_status, char *err, size_t errlen)
{
    *http_status = 0;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        snprintf(err, errlen, "not an http(s) URL");
        return -1;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errlen, "libcurl: cannot create a handle");
        return -1;
    }
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_seconds);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_seconds);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)stop);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http_status);
    else
        snprintf(err, errlen, "%s: %s", curl_easy_strerror(rc), errbuf);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}
