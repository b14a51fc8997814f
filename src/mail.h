/* mail — delivering one finished message (see mime.h for building it):
 * through SMTP with libcurl (smtp:// upgrades with STARTTLS when the server
 * offers it, smtps:// is TLS from the start, AUTH when [mail] smtp_user is
 * set), or, when [mail] smtp_url is empty, as a .eml file in spool_dir.
 * The only user of libcurl.  mail_startup() once before any thread starts;
 * then mail_deliver is thread-safe. */
#ifndef MAIL_H
#define MAIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct config;

/* 0, or -1 when libcurl cannot start. */
int mail_startup(void);
void mail_cleanup(void);

struct mail_delivery {
    const char *from;          /* envelope sender address */
    const char *const *rcpts;  /* envelope recipient addresses */
    size_t nrcpts;
    const char *text;          /* the whole message, CRLF line ends */
    size_t len;
    const char *spool_name;    /* file name without ".eml" when spooling */
    const atomic_bool *stop;   /* when set during a transfer, it is aborted; may be NULL */
};

enum mail_outcome {
    MAIL_OK = 0,          /* the server accepted it (or the spool file is complete) */
    MAIL_TEMPORARY = -1,  /* not now: server down, 4xx, connection dropped; try again later */
    MAIL_PERMANENT = -2,  /* refused for good (SMTP 550-554 for the recipient or message) */
};

/* Delivers the message in one transfer to all of d's recipients: an
 * enum mail_outcome, with a one-line reason in err when not MAIL_OK. */
int mail_deliver(const struct config *cfg, const struct mail_delivery *d, char *err, size_t errlen);
/* True when messages go out by SMTP: the outbox then delivers each
 * recipient in a transfer of its own, so one refusing address does not
 * stop the others (false: spooling writes one file for all). */
bool mail_per_recipient(const struct config *cfg);

/* POSTs body[0..len) to an http:// or https:// url with the given header
 * lines (NULL-terminated), within timeout_seconds; the answer's body is
 * read and dropped.  0 with *http_status set when an HTTP answer came
 * (whatever its status), else -1 with a one-line reason in err (no
 * connection, timeout, aborted by *stop, a URL of another scheme).  Lives
 * here because this is the one module that uses libcurl (the webhook). */
int mail_http_post(const char *url, const char *body, size_t len, const char *const *headers, long timeout_seconds,
                   const atomic_bool *stop, long *http_status, char *err, size_t errlen);

#endif
