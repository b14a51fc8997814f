/* voucherd — the FastCGI server: loads the configuration, key and
 * templates, opens the unix socket, runs [server] threads workers, the
 * mail sender thread and the database checkpointer thread and waits for
 * SIGTERM/SIGINT; then stops accepting, lets requests in flight finish,
 * stops the sender, then the checkpointer (a last checkpoint) and exits 0. */
#include <fcgiapp.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "housekeeping.h"
#include "reminders.h"
#include "log.h"
#include "mail.h"
#include "mem.h"
#include "sender.h"
#include "view.h"
#include "worker.h"

/* Checks the database once in the main thread, so a wrong schema stops the
 * start with a clear message instead of in every worker. */
static int check_database(const struct config *cfg)
{
    char err[512];
    struct db *db = db_open(cfg->database_path, DB_OPEN_CHECK, err, sizeof err);
    if (!db) {
        log_error("%s", err);
        return -1;
    }
    /* enrollment changes are queued for the LMS webhook while it is configured */
    int status = db_lms_webhook_enable(db, cfg->lms_webhook_url[0] != '\0');
    db_close(db);
    return status == DB_OK ? 0 : -1;
}

/* The listen queue: bursts of new connections wait here for a free worker
 * instead of being refused (nginx answers 502 to a refused connect).  The
 * kernel caps it at net.core.somaxconn (4096 on Debian 12). */
#define LISTEN_BACKLOG 4096

/* Opens the socket with mode 0660: nginx reaches it as the same user or as
 * a member of [server] socket_group (e.g. www-data); nobody else can. */
static int open_socket(const char *path, const char *group)
{
    gid_t gid = (gid_t)-1;
    if (*group) {
        struct group *g = getgrnam(group);
        if (!g) {
            log_error("[server] socket_group: no group %s", group);
            return -1;
        }
        gid = g->gr_gid;
    }
    unlink(path);
    int fd = FCGX_OpenSocket(path, LISTEN_BACKLOG);
    if (fd < 0) {
        log_error("cannot listen on %s", path);
        return -1;
    }
    if (chmod(path, 0660) != 0 || (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) != 0)) {
        log_error("cannot give %s mode 0660 and group %s", path, *group ? group : "(own)");
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}

static int serve(struct app *app)
{
    const struct config *cfg = app->cfg;
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* inherited by the workers */
    signal(SIGPIPE, SIG_IGN);

    int days[REMINDERS_MAX];
    size_t ndays;
    if (reminders_thresholds(cfg->reminders_days_before, days, &ndays) != 0) {
        log_error("voucherd: [reminders] days_before = %s is not a list such as 30,7", cfg->reminders_days_before);
        return 1;
    }
    int fd = open_socket(cfg->server_socket, cfg->server_socket_group);
    if (fd < 0)
        return 1;
    static const struct sender_job jobs[] = {
        {"housekeeping", HOUSEKEEPING_SECONDS, housekeeping_run},
        {"reminders", 86400, reminders_job},
    };
    /* Before every connection that writes (sender, workers): from then on
     * their COMMITs leave checkpoints to it.  Without it they checkpoint
     * themselves, as SQLite does by default: slower, but correct. */
    char err[512];
    struct db_checkpointer *checkpointer = db_checkpointer_start(cfg->database_path, err, sizeof err);
    if (!checkpointer)
        log_error("voucherd: no checkpointer thread (%s); requests checkpoint the WAL themselves", err);
    /* Group commit, before every writer too: concurrent write transactions
     * share one COMMIT (one fsync) instead of one each (db_writer.c). */
    if (db_group_start(cfg->database_path, err, sizeof err) != 0)
        log_error("voucherd: no group commit (%s); each transaction commits alone", err);
    /* Before the workers, which wake it.  Without it no mail would ever
     * leave: refuse to serve rather than queue silently. */
    app->sender = sender_start(app, jobs, sizeof jobs / sizeof jobs[0]);
    if (!app->sender) {
        log_error("voucherd: the mail sender thread cannot start; not serving");
        db_group_stop();
        db_checkpointer_stop(checkpointer);
        close(fd);
        unlink(cfg->server_socket);
        return 1;
    }
    int n = cfg->server_threads, started = 0, rc = 0;
    pthread_t *threads = xcalloc((size_t)n, sizeof *threads);
    struct worker_start *starts = xcalloc((size_t)n, sizeof *starts);
    for (; started < n; started++) {
        starts[started] = (struct worker_start){.app = app, .listen_fd = fd, .index = started};
        int err = pthread_create(&threads[started], NULL, worker_run, &starts[started]);
        if (err != 0) {
            log_error("voucherd: worker thread %d cannot start: %s; stopping", started, strerror(err));
            rc = 1;
            break;
        }
    }
    if (rc == 0) {
        log_info("voucherd listening on %s with %d threads", cfg->server_socket, n);
        int sig;
        sigwait(&stop, &sig);
        log_info("signal %d: finishing requests in flight", sig);
    }
    shutdown(fd, SHUT_RDWR); /* wakes every accept(); requests in flight finish */
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    sender_stop(app->sender);
    db_group_stop(); /* after every writer, before the checkpointer's last checkpoint */
    int64_t commits, transactions;
    db_group_counts(&commits, &transactions);
    log_info("group commit: %lld write transactions in %lld commits", (long long)transactions, (long long)commits);
    db_checkpointer_stop(checkpointer); /* after every writer: its last checkpoint empties the WAL */
    close(fd);
    unlink(cfg->server_socket);
    free(threads);
    free(starts);
    log_info("voucherd stopped");
    return rc;
}

int main(int argc, char **argv)
{
    /* Two malloc arenas instead of glibc's eight per core: each worker
     * thread's arena otherwise keeps its own high-water mark (issue 8:
     * 71 MB RSS after a benchmark run).  Threads share them; the request
     * memory is the per-thread arena of mem.c anyway. */
    mallopt(M_ARENA_MAX, 2);
    /* A request's arena grows by 64 KiB blocks (mem.c) and frees them at
     * its end; from the heap, a long page's blocks left holes that the
     * other threads' small allocations pinned (41 MB RSS after a load of
     * codes.csv downloads, 31 MB after a malloc_trim).  Fixed thresholds
     * (they also stop glibc raising them after each large free): blocks
     * of 64 KiB and more are mapped and unmapped on their own, and a heap
     * gives back a free top of 256 KiB at once. */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024);
    struct config cfg;
    if (cli_load_config(argc, argv, &cfg) < 0)
        return 1;
    db_set_synchronous(cfg.database_synchronous); /* a CHOICE key: always one of its words */
    struct app app = {.cfg = &cfg, .secure_cookies = strncmp(cfg.server_base_url, "https:", 6) == 0};
    char err[512];
    int rc = 1;
    crypto_set_hash_concurrency(cfg.limits_hash_concurrency);
    if (crypto_startup() != 0) {
        log_error("libsodium cannot start");
    } else if (crypto_key_file_load(cfg.security_key_file, &app.keys, err, sizeof err) != 0) {
        log_error("%s", err);
    } else if (!(app.templates = templates_load(err, sizeof err))) {
        log_error("%s", err);
    } else if (mail_startup() != 0) {
        log_error("libcurl cannot start");
    } else {
        if (check_database(&cfg) == 0 && FCGX_Init() == 0)
            rc = serve(&app);
        mail_cleanup();
    }
    templates_free((struct templates *)app.templates);
    config_free(&cfg);
    return rc;
}
