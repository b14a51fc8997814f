/* worker — one thread's accept loop: the only caller of FCGX_Accept_r. */
#ifndef WORKER_H
#define WORKER_H

#include <stddef.h>
#include <stdint.h>

struct app;

/* Thread entry: opens its own database connection, then answers requests on
 * listen_fd until accept fails (the listening socket was shut down).
 * arg is a struct worker_start. */
struct worker_start {
    const struct app *app;
    int listen_fd;
    int index;
};
void *worker_run(void *arg);

struct page_cache;
struct req;
/* Brings cache to version (read by the caller in this request) by
 * render(r, &html, &len), which mallocs html; unchanged when it already
 * holds that version.  0, or render's status (the cache is then kept). */
int page_cache_refresh(struct req *r, struct page_cache *cache, int64_t version,
                       int (*render)(struct req *r, char **html, size_t *len));

#endif
