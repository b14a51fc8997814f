/* restore — putting a backup back (voucherctl restore FILE). */
#ifndef RESTORE_H
#define RESTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "crypto.h"

/* True when something accepts connections on the unix socket path (a
 * running voucherd); false when nothing listens or there is no socket. */
bool restore_server_running(const char *socket_path);

/* Replaces cfg's database with the backup file: refused (-1, msg in English)
 * while voucherd answers on [server] socket; the backup is copied beside the
 * database ("<database>.restore"), migrated to this build's schema
 * if it is older, checked (PRAGMA integrity_check "ok", and keys open its
 * codes), and only then renamed over the database (its old -wal/-shm gone).
 * On any refusal the database is untouched and the copy removed.  0 on success. */
int restore_database(const struct config *cfg, const struct crypto_keys *keys, const char *file,
                     char *msg, size_t msglen);

#endif
