/* worker — one thread's accept loop: the only caller of FCGX_Accept_r. */
#ifndef WORKER_H
#define WORKER_H

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

#endif
