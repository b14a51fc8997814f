/* hello — the ceiling for `make bench`: a plain libfcgi responder with the
 * same thread count as voucherd that answers every request with a fixed
 * page of N bytes.  Usage: hello SOCKET BYTES THREADS */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct page {
    int fd;
    char *response;
    int len;
};

static void *serve(void *arg)
{
    const struct page *p = arg;
    FCGX_Request r;
    FCGX_InitRequest(&r, p->fd, 0);
    while (FCGX_Accept_r(&r) >= 0) {
        FCGX_PutStr(p->response, p->len, r.out);
        FCGX_Finish_r(&r);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: hello SOCKET BYTES THREADS\n");
        return 1;
    }
    int bytes = atoi(argv[2]), threads = atoi(argv[3]);
    if (bytes < 1 || threads < 1 || threads > 64 || FCGX_Init() != 0)
        return 1;
    signal(SIGTERM, SIG_DFL); /* libfcgi installed a handler that only sets a flag */
    struct page p = {.fd = FCGX_OpenSocket(argv[1], 128)};
    if (p.fd < 0)
        return 1;
    chmod(argv[1], 0666);
    char head[128];
    int hlen = snprintf(head, sizeof head,
                        "Content-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n", bytes);
    p.response = malloc((size_t)(hlen + bytes));
    memcpy(p.response, head, (size_t)hlen);
    memset(p.response + hlen, 'x', (size_t)bytes);
    p.len = hlen + bytes;
    pthread_t t[64];
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, serve, &p);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    return 0;
}
