/* h_admin — what the administration handlers (h_admin*.c) share: writing a
 * change with its audit entry in one transaction, and long lists a page at a
 * time.  Their forms' problems go through form_errors.h. */
#ifndef H_ADMIN_H
#define H_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "audit_action.h"

struct req;
struct view;

/* A change to write: change() returns 0, 1 (refused, message in msg) or
 * -1 (database error); the audit entry is written after it. */
struct admin_change {
    int (*change)(struct req *r, void *ctx, char *msg, size_t msglen);
    void *ctx;
    enum audit_action action;            /* the audit entry */
    const char *subject, *detail;
};
/* Runs the change and its audit entry in one transaction: 0 when
 * committed; 1 when refused (msg, nothing written); 500 on an error
 * (nothing written). */
int admin_write(struct req *r, const struct admin_change *c, char *msg, size_t msglen);

/* A long list shown a page at a time (?seite=N, 1..; a page past the end is
 * empty and links back).  Ask the database for `limit` rows from `offset`:
 * one more than a page, so the pager knows whether a next page exists. */
struct list_page {
    int64_t page, per_page, offset, limit;
};
struct list_page admin_list_page(struct req *r, int64_t per_page);
/* Puts the page navigation into v ("page", "has_prev", "has_next", "first_url",
 * "prev_url", "next_url", "paged" = either link exists, "from", "to" = the
 * positions shown) for a list at path whose filters are the NULL-terminated
 * name/value pairs of query (empty values left out); returns how many of the
 * n rows fetched belong on this page. */
size_t admin_pager(struct req *r, struct view *v, const struct list_page *p, size_t n, const char *path,
                   const char *const *query);

#endif
