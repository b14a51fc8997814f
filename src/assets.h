/* assets — the migrations (sql/) and templates (templates/) compiled into the
 * binaries by src/embed.sh, sorted by name.  Read-only, static lifetime. */
#ifndef ASSETS_H
#define ASSETS_H

#include <stddef.h>

struct asset {
    const char *name; /* path relative to the project root, e.g. "sql/001_foundation.sql" */
    const char *text; /* NUL-terminated contents */
    size_t len;       /* length of text in bytes */
};

extern const struct asset assets[];
extern const size_t asset_count;

/* The asset with that exact name, or NULL. */
const struct asset *asset_find(const char *name);

#endif
