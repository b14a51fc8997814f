#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "config.h"

int cli_load_config(int argc, char **argv, struct config *cfg)
{
    const char *path = getenv("VOUCHER_CONF");
    int next = 1;
    if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
        path = argv[2];
        next = 3;
    }
    if (!path || !*path) {
        fprintf(stderr, "%s: no configuration: use -c FILE or set VOUCHER_CONF\n", argv[0]);
        return -1;
    }
    char err[512];
    /* Everything the programs create (database, WAL, key, spool, backups)
     * is for their own user only; the socket is opened up explicitly. */
    umask(077);
    if (config_load(cfg, path, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", argv[0], path, err);
        config_free(cfg);
        return -1;
    }
    return next;
}
