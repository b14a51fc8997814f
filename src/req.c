/* req — see req.h. */
#include "req.h"

#include <fcgiapp.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "crypto.h"
#include "json.h"

#define MAX_PAIRS 20100 /* an order form has a qty field per catalog item */
#define MAX_COOKIES 32
#define JSON_MAX_MEMBERS 16

static const char security_headers[] =
    "Content-Security-Policy: default-src 'self'; img-src 'self' data:; style-src 'self';"
    " script-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none';"
    " frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n";

static enum method parse_method(const char *m)
{
    if (!m)
        return M_OTHER;
    if (strcmp(m, "GET") == 0)
        return M_GET;
    if (strcmp(m, "HEAD") == 0)
        return M_HEAD;
    if (strcmp(m, "POST") == 0)
        return M_POST;
    return M_OTHER;
}

static const char *param(struct req *r, FCGX_Request *f, const char *name)
{
    return arena_strdup(r->arena, FCGX_GetParam(name, f->envp));
}

/* Decodes urlencoded text (copied: form_parse works in place) into inputs;
 * false when it is malformed (bad %-escape, invalid UTF-8, a NUL or other
 * control character, too many pairs): then no input at all is read, and
 * r->input_malformed is set. */
static bool read_inputs(struct req *r, const char *text, size_t len)
{
    char *copy = arena_memdup(r->arena, text, len);
    size_t max = len / 2 + 2 < MAX_PAIRS ? len / 2 + 2 : MAX_PAIRS;
    struct form_pair *pairs = arena_alloc(r->arena, max * sizeof *pairs);
    size_t n = 0;
    /* form_parse reads up to a NUL: a raw NUL byte would cut the text short */
    if (memchr(text, '\0', len) || form_parse(copy, pairs, max, &n) != FORM_OK) {
        r->input_malformed = true;
        n = 0;
    }
    fields_read(r->arena, pairs, n, r->in, &r->qty, &r->nqty);
    return !r->input_malformed;
}

/* Decodes a JSON body (a flat object of strings, see json.h) into inputs
 * by the same field table.  Malformed JSON only marks the request: the
 * dispatcher answers 400 after authentication, in the route's format. */
static void read_json_inputs(struct req *r, const char *text, size_t len)
{
    struct form_pair members[JSON_MAX_MEMBERS];
    size_t n = 0;
    char *buf = arena_alloc(r->arena, len + 1);
    if (json_parse_flat(text, len, members, JSON_MAX_MEMBERS, &n, buf, len + 1) != 0) {
        r->input_malformed = true;
        n = 0;
    }
    fields_read(r->arena, members, n, r->in, &r->qty, &r->nqty);
}

static bool has_type(const char *type, const char *wanted)
{
    return type && strncmp(type, wanted, strlen(wanted)) == 0;
}

static int read_body(struct req *r, FCGX_Request *f, size_t max_body)
{
    const char *length = FCGX_GetParam("CONTENT_LENGTH", f->envp);
    const char *type = FCGX_GetParam("CONTENT_TYPE", f->envp);
    char *end;
    unsigned long long len = length && *length ? strtoull(length, &end, 10) : 0;
    if (len > max_body)
        return 413;
    bool json = has_type(type, "application/json");
    if (!json && !has_type(type, "application/x-www-form-urlencoded")) {
        read_inputs(r, "", 0);
        return 0;
    }
    char *body = arena_alloc(r->arena, (size_t)len + 1);
    size_t got = 0;
    while (got < len) {
        int n = FCGX_GetStr(body + got, (int)(len - got), f->in);
        if (n <= 0)
            return 400;
        got += (size_t)n;
    }
    if (json) {
        read_json_inputs(r, body, got);
        return 0;
    }
    /* A malformed form body is refused here, 400, before routing: its
     * fields (the csrf field among them) are not read at all, so no
     * handler and no check ever sees part of it. */
    return read_inputs(r, body, got) ? 0 : 400;
}

int req_read(struct req *r, FCGX_Request *f, size_t max_body)
{
    buf_init(&r->headers, r->arena);
    buf_init(&r->body, r->arena);
    r->status = 200;
    r->content_type = "text/html; charset=utf-8";
    r->method = parse_method(FCGX_GetParam("REQUEST_METHOD", f->envp));
    r->path = param(r, f, "DOCUMENT_URI");
    if (!r->path)
        r->path = "/";
    r->remote_addr = param(r, f, "REMOTE_ADDR");
    r->authorization = param(r, f, "HTTP_AUTHORIZATION");
    char *cookie = (char *)param(r, f, "HTTP_COOKIE");
    r->cookies = arena_alloc(r->arena, MAX_COOKIES * sizeof *r->cookies);
    r->ncookies = cookie ? cookie_parse(cookie, r->cookies, MAX_COOKIES) : 0;
    if (r->method == M_POST)
        return read_body(r, f, max_body);
    /* A malformed query only marks the request: the dispatcher answers 400
     * in its fixed order, after routing (404/405), session and role. */
    const char *query = FCGX_GetParam("QUERY_STRING", f->envp);
    read_inputs(r, query ? query : "", query ? strlen(query) : 0);
    return 0;
}

static const char *status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "Error";
    }
}

int req_send(struct req *r, FCGX_Request *f)
{
    struct buf head;
    buf_init(&head, r->arena);
    buf_printf(&head, "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n", r->status,
               status_text(r->status), r->content_type, r->body.len);
    buf_puts(&head, security_headers);
    if (!strstr(r->headers.data, "Cache-Control:"))
        buf_puts(&head, "Cache-Control: no-store\r\n");
    buf_append(&head, r->headers.data, r->headers.len);
    buf_puts(&head, "\r\n");
    if (FCGX_PutStr(head.data, (int)head.len, f->out) < 0)
        return -1;
    if (r->method != M_HEAD && r->body.len &&
        FCGX_PutStr(r->body.data, (int)r->body.len, f->out) < 0)
        return -1;
    return 0;
}

const char *req_text(const struct req *r, enum field_id f)
{
    return r->in[f].valid ? r->in[f].text : NULL;
}

bool req_number(const struct req *r, enum field_id f, long long *value)
{
    if (!r->in[f].valid || field_specs[f].type == FT_TEXT)
        return false;
    *value = r->in[f].number;
    return true;
}

int64_t req_page(const struct req *r, int64_t pages)
{
    long long page = 1;
    req_number(r, F_PAGE, &page); /* 1..999999 by the field table */
    return pages > 0 && page > pages ? pages : page;
}

bool req_date(const struct req *r, enum field_id f, int *y, int *m, int *d)
{
    long long n;
    if (field_specs[f].type != FT_DATE || !req_number(r, f, &n))
        return false;
    *y = (int)(n / 10000);
    *m = (int)(n / 100 % 100);
    *d = (int)(n % 100);
    return true;
}

const char *req_problem(struct req *r, enum field_id f)
{
    return r->in[f].valid ? NULL : field_problem(r->arena, f);
}

const char *req_raw(const struct req *r, enum field_id f)
{
    return r->in[f].text ? r->in[f].text : "";
}

const char *req_cookie(const struct req *r, const char *name)
{
    return form_get(r->cookies, r->ncookies, name);
}

void req_header(struct req *r, const char *name, const char *value)
{
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
        abort();
    buf_printf(&r->headers, "%s: %s\r\n", name, value);
}

void req_cookie_set(struct req *r, const char *name, const char *value, long max_age)
{
    char *c = arena_printf(r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", name, value,
                           r->app->secure_cookies ? "; Secure" : "");
    if (max_age >= 0)
        c = arena_printf(r->arena, "%s; Max-Age=%ld", c, max_age);
    req_header(r, "Set-Cookie", c);
}

int req_redirect(struct req *r, const char *location)
{
    r->status = 303;
    req_header(r, "Location", location);
    buf_clear(&r->body);
    return 0;
}

int req_bytes(struct req *r, const char *content_type, const void *data, size_t len)
{
    r->content_type = content_type;
    buf_clear(&r->body);
    buf_append(&r->body, data, len);
    return 0;
}

int64_t req_path_id(const struct req *r)
{
    char *end;
    long long id = r->path_arg ? strtoll(r->path_arg, &end, 10) : 0;
    return id > 0 && *end == '\0' ? (int64_t)id : 0;
}

int req_download(struct req *r, const char *content_type, const char *disposition, const char *filename,
                 const void *data, size_t len)
{
    req_header(r, "Content-Disposition", arena_printf(r->arena, "%s; filename=\"%s\"", disposition, filename));
    return req_bytes(r, content_type, data, len);
}

int req_json(struct req *r, int status, const char *const *kv)
{
    const char *body = json_object(r->arena, kv);
    r->status = status;
    return req_bytes(r, "application/json", body, strlen(body));
}

static const char *csrf_for_secret(struct req *r, const char *secret)
{
    unsigned char mac[CRYPTO_HASH_SIZE];
    char *msg = arena_printf(r->arena, "csrf|%s", secret);
    crypto_keyed_hash(r->app->keys.csrf, msg, strlen(msg), mac);
    char *token = arena_alloc(r->arena, CRYPTO_TOKEN_TEXT_SIZE);
    crypto_base64url(mac, sizeof mac, token, CRYPTO_TOKEN_TEXT_SIZE);
    return token;
}

/* The secret a CSRF token is bound to: the session cookie (valid or not, so
 * that a form still posts after its session expired), else vp_csrf; what
 * this response sets when it logs in or out. */
static const char *csrf_secret(const struct req *r)
{
    if (r->new_session)
        return r->new_session;
    if (r->new_csrf) /* logged out */
        return r->new_csrf;
    const char *session = req_cookie(r, "vp_session");
    return session ? session : req_cookie(r, "vp_csrf");
}

const char *req_csrf_token(struct req *r)
{
    if (r->csrf_token)
        return r->csrf_token;
    const char *secret = csrf_secret(r);
    if (!secret || strlen(secret) != CRYPTO_TOKEN_TEXT_SIZE - 1) {
        char *fresh = arena_alloc(r->arena, CRYPTO_TOKEN_TEXT_SIZE);
        crypto_token(fresh);
        req_cookie_set(r, "vp_csrf", fresh, -1);
        secret = fresh;
    }
    r->csrf_token = csrf_for_secret(r, secret);
    return r->csrf_token;
}

static bool csrf_matches(struct req *r, const char *sent, const char *secret)
{
    if (!secret)
        return false;
    const char *expected = csrf_for_secret(r, secret);
    return strlen(sent) == strlen(expected) && crypto_equal(sent, expected, strlen(expected));
}

/* Only the token of the current secret: a guest form (its vp_csrf) sent
 * after the browser logged in is refused, so a token known before a login
 * (planted or read) authorises nothing after it.  The one exception is the
 * dispatcher's: the redemption form sent again after its own success
 * (routes.c, h_redeem_repeat), which writes nothing. */
bool req_csrf_valid(struct req *r)
{
    const char *sent = req_text(r, F_CSRF);
    return sent && csrf_matches(r, sent, csrf_secret(r));
}

void req_csrf_rotate(struct req *r)
{
    char *fresh = arena_alloc(r->arena, CRYPTO_TOKEN_TEXT_SIZE);
    crypto_token(fresh);
    req_cookie_set(r, "vp_csrf", fresh, -1);
    r->new_csrf = fresh;
    r->csrf_token = NULL;
}
