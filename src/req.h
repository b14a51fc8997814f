/* req — one request as handlers see it, and its buffered response.
 * The only reader of FastCGI parameters and bodies and the only writer of
 * responses (req.c is the only user of libfcgi besides the accept loop).
 * Everything here lives in the worker's arena and dies with the request. */
#ifndef REQ_H
#define REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "fields.h"
#include "form.h"
#include "mem.h"

struct app;
struct worker;
typedef struct FCGX_Request FCGX_Request;

enum method { M_GET = 1, M_HEAD = 2, M_POST = 4, M_OTHER = 8 };

struct req {
    const struct app *app;
    struct worker *worker;
    struct db *db;
    struct arena *arena;
    int64_t now;             /* UTC epoch seconds at arrival */

    enum method method;
    const char *path;        /* decoded by nginx, without the query string */
    const char *remote_addr;
    const char *authorization; /* the Authorization header, or NULL */
    const char *path_arg;    /* what the route's '*' matched, or NULL */
    struct form_pair *cookies;
    size_t ncookies;
    struct field_value in[F__MAX]; /* query (GET) or body (POST: urlencoded or JSON) inputs */
    struct qty_input *qty;
    size_t nqty;
    bool input_malformed;    /* body or query was not valid urlencoded UTF-8 or flat JSON */

    struct account *who;     /* logged-in account, or NULL */
    const char *csrf_token;  /* token for forms, made by req_csrf_token() */
    const char *new_session; /* session token this response sets (login), or NULL */
    const char *new_csrf;    /* vp_csrf value this response sets (req_csrf_rotate), or NULL */

    int status;              /* response */
    const char *content_type;
    struct buf headers;      /* extra header lines, each ending in \r\n */
    struct buf body;
};

/* Reads method, path, cookies, the Authorization header and inputs (query,
 * or a urlencoded or JSON body).  Returns 0, or an HTTP status (413 body
 * too large, 400 body cut short or a malformed form body: then no input at
 * all is read) with the request still usable for rendering an error page.
 * A malformed query or JSON body returns 0 with input_malformed set: the
 * dispatcher answers 400 in its fixed order (routes.c). */
int req_read(struct req *r, FCGX_Request *f, size_t max_body);
/* Writes status, security headers, extra headers and body (no body for
 * HEAD) to the client.  -1 when the client went away. */
int req_send(struct req *r, FCGX_Request *f);

/* The value of a valid input, or NULL when absent or invalid. */
const char *req_text(const struct req *r, enum field_id f);
/* A typed input (FT_INT, FT_CENTS, FT_DATE in fields.c): true with its
 * value when present and valid, else false (req_problem says why). */
bool req_number(const struct req *r, enum field_id f, long long *value);
/* The page of a long list asked for (?seite=): 1 when absent or invalid,
 * at most pages (pages 0: no upper bound). */
int64_t req_page(const struct req *r, int64_t pages);
/* An FT_DATE input as year, month, day: true when present and valid. */
bool req_date(const struct req *r, enum field_id f, int *y, int *m, int *d);
/* What is wrong with input f, in German, for the form to show at that
 * field: NULL when it is valid, the field table's sentence otherwise
 * (also when it is missing). */
const char *req_problem(struct req *r, enum field_id f);
/* The input as sent (for re-showing in a form), "" when absent. */
const char *req_raw(const struct req *r, enum field_id f);
const char *req_cookie(const struct req *r, const char *name);

/* Adds a response header; name and value must not contain CR or LF (aborts
 * otherwise: a programming error, never user input). */
void req_header(struct req *r, const char *name, const char *value);
/* Sets a cookie (HttpOnly, SameSite=Lax, Path=/, Secure on https);
 * max_age < 0 = session cookie, 0 = delete. */
void req_cookie_set(struct req *r, const char *name, const char *value, long max_age);
/* 303 See Other to a local path; returns 0 for the handler to return. */
int req_redirect(struct req *r, const char *location);
/* Sends bytes as the response body with the given type; returns 0. */
int req_bytes(struct req *r, const char *content_type, const void *data, size_t len);

/* The route's '*' part as a positive id ("17"), 0 when it is none. */
int64_t req_path_id(const struct req *r);
/* req_bytes with Content-Disposition (disposition "inline" or
 * "attachment"; filename must not contain '"', CR or LF). */
int req_download(struct req *r, const char *content_type, const char *disposition, const char *filename,
                 const void *data, size_t len);
/* Sends a flat JSON object {kv[0]: kv[1], ...} (kv NULL-terminated) with
 * the given status; returns 0. */
int req_json(struct req *r, int status, const char *const *kv);
/* The CSRF token for this request's forms, bound to the "vp_session" cookie
 * when there is one, else to a "vp_csrf" cookie set now if missing. */
const char *req_csrf_token(struct req *r);
/* True when the posted csrf field is the token of this request's secret:
 * the session cookie's when there is one, else the vp_csrf cookie's.  A
 * guest's token is worthless once the browser has logged in. */
bool req_csrf_valid(struct req *r);
/* A fresh vp_csrf cookie (at login and logout): every token this browser
 * had before is worthless afterwards; forms rendered later in this response
 * get the new token. */
void req_csrf_rotate(struct req *r);

#endif
