/* worker — see worker.h. */
#include "worker.h"

#include <fcgiapp.h>
#include <malloc.h>
#include <stdlib.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "req.h"
#include "routes.h"

static void answer(struct worker *w, FCGX_Request *f)
{
    struct req r = {
        .app = w->app,
        .worker = w,
        .db = w->db,
        .arena = w->arena,
        .now = (int64_t)time(NULL),
    };
    int status = req_read(&r, f, (size_t)w->app->cfg->limits_body_max_bytes);
    if (status != 0)
        routes_error_page(&r, status);
    else
        routes_dispatch(&r);
    req_send(&r, f);
}

/* Arena growth past its first block that makes a worker trim the heap. */
#define TRIM_AFTER_BYTES (4u << 20)

int page_cache_refresh(struct req *r, struct page_cache *cache, int64_t version,
                       int (*render)(struct req *r, char **html, size_t *len))
{
    if (cache->version == version)
        return 0;
    char *html;
    size_t len;
    int status = render(r, &html, &len);
    if (status != 0)
        return status;
    free(cache->html);
    *cache = (struct page_cache){.version = version, .html = html, .len = len};
    return 0;
}

void *worker_run(void *arg)
{
    struct worker_start *start = arg;
    char err[512];
    struct worker w = {.app = start->app, .arena = arena_new()};
    w.db = db_open(start->app->cfg->database_path, DB_OPEN_CHECK, err, sizeof err);
    if (!w.db) {
        log_error("worker %d: %s", start->index, err);
        exit(1);
    }
    FCGX_Request f;
    FCGX_InitRequest(&f, start->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
    while (FCGX_Accept_r(&f) >= 0) {
        answer(&w, &f);
        FCGX_Finish_r(&f);
        /* After a large request (a long page, an order's PDF) the freed
         * memory goes back to the system instead of staying in this
         * thread's malloc arena. */
        if (arena_reset(w.arena) >= TRIM_AFTER_BYTES)
            malloc_trim(0);
    }
    FCGX_Free(&f, 0);
    free(w.catalog_body.html);
    free(w.municipality_options.html);
    free(w.redeem_form.html);
    for (size_t i = 0; i < LAYOUT_VARIANTS; i++) {
        free(w.catalog_page[i].html);
        free(w.courses_page[i].html);
    }
    db_close(w.db);
    arena_free(w.arena);
    return NULL;
}
