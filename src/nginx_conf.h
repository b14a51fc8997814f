/* nginx_conf — writes the nginx configuration that fronts voucherd for
 * `make run` and the tests: the effective socket path and body limit of
 * the loaded configuration, static files with cache headers. */
#ifndef NGINX_CONF_H
#define NGINX_CONF_H

#include <stdio.h>

struct config;

/* prefix: directory for pid, logs and temp files; static_dir: absolute path
 * of static/.  Runs nginx's workers as root when started as root (so they
 * can reach a socket in a private directory). */
void nginx_conf_write(FILE *out, const struct config *cfg, int port, const char *prefix,
                      const char *static_dir);

#endif
