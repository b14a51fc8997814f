/* h_support — what the support desk's two page files share: the search
 * page (h_support.c: GET/POST /support) and the changes made from it
 * (h_support_actions.c: revoke, extend, release, unrevoke, lifting a V11
 * block, sending an order's e-mail again).  Pages layer. */
#ifndef H_SUPPORT_H
#define H_SUPPORT_H

#include <stdbool.h>

#include "audit_action.h"
#include "support.h"

struct req;

/* The changes of a code: path and form key (also the "done" value), audit
 * action, notice after success, and the form's heading, text and button;
 * indexed by enum support_action (SUPPORT_UNREVOKE is the last). */
struct support_action_text {
    const char *key;
    enum audit_action audit;
    const char *notice, *heading, *text, *button;
};
extern const struct support_action_text support_actions[SUPPORT_UNREVOKE + 1];

/* What the page shows around the search result. */
struct support_page {
    const char *q;         /* the search term as typed; NULL = no search */
    const char *notice;    /* what was just done, or NULL */
    const char *error;     /* why a change was refused, or NULL */
    int error_action;      /* the enum support_action the error belongs to, -1 = none */
    const char *lift_key;  /* the block whose lifting was refused (its form shows the reason again), or NULL */
};

/* Renders the support page for p with that HTTP status: 0, or a status
 * for the dispatcher's error page. */
int support_show_page(struct req *r, const struct support_page *p, int http_status);

#endif
