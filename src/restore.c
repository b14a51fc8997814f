/* restore — see restore.h. */
#include "restore.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "codes.h"
#include "db.h"

bool restore_server_running(const char *socket_path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof addr.sun_path)
        return false;
    strcpy(addr.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool up = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return up;
}

/* Opens the copy (migrating it), checks integrity and key; 0 or -1 with msg. */
static int check_copy(const char *copy, const struct crypto_keys *keys, const char *file, char *msg,
                      size_t msglen)
{
    char err[512];
    struct db *db = db_open(copy, DB_OPEN_MIGRATE, err, sizeof err);
    if (!db) {
        snprintf(msg, msglen, "%s is not a usable backup: %s", file, err);
        return -1;
    }
    int rc = 0;
    if (db_integrity_check(db, err, sizeof err) != DB_OK) {
        snprintf(msg, msglen, "%s is damaged: %s", file, err);
        rc = -1;
    } else if (codes_key_fits(db, keys) != 0) {
        snprintf(msg, msglen, "%s does not belong to this key file: its codes do not open with it", file);
        rc = -1;
    }
    db_close(db); /* the last connection: checkpoints and removes the copy's WAL */
    return rc;
}

int restore_database(const struct config *cfg, const struct crypto_keys *keys, const char *file,
                     char *msg, size_t msglen)
{
    if (restore_server_running(cfg->server_socket)) {
        snprintf(msg, msglen, "voucherd is running (it answers on %s): stop it first", cfg->server_socket);
        return -1;
    }
    if (access(file, R_OK) != 0) {
        snprintf(msg, msglen, "cannot read %s", file);
        return -1;
    }
    char copy[4200], err[512];
    snprintf(copy, sizeof copy, "%s.restore", cfg->database_path);
    db_remove_file(copy);
    if (db_copy_file(file, copy, err, sizeof err) != DB_OK) {
        snprintf(msg, msglen, "%s is not a database: %s", file, err);
        db_remove_file(copy);
        return -1;
    }
    if (check_copy(copy, keys, file, msg, msglen) != 0 ||
        db_replace_file(copy, cfg->database_path, msg, msglen) != DB_OK) {
        db_remove_file(copy);
        return -1;
    }
    return 0;
}
