/* routes — the route table and the one dispatcher that applies the whole
 * security policy in a fixed order.  See routes.c: the table and the
 * policy fit on one screen. */
#ifndef ROUTES_H
#define ROUTES_H

struct req;

/* Answers the request: route, session, role, CSRF, handler, error page.
 * Always leaves a complete response in r (status, headers, body). */
void routes_dispatch(struct req *r);

/* Renders the error page for an HTTP status into r (used by the dispatcher
 * and by the worker when reading the request failed: 400 for a malformed
 * form body, 413); under /api/ the JSON error instead. */
void routes_error_page(struct req *r, int status);

#endif
