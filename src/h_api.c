/* h_api — the LMS API v1 (JSON; the bearer token is checked by the
 * dispatcher): the enrollment change feed and the account look-up.
 * POST /api/v1/completions is h_certs_api_complete (the support form's
 * path).  Errors are JSON {"error": "..."}. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "json.h"
#include "mem.h"
#include "req.h"
#include "webhook.h"

#define FEED_DEFAULT_LIMIT 100
#define FEED_MAX_LIMIT 1000

static int json_error(struct req *r, int status, const char *message)
{
    return req_json(r, status, (const char *const[]){"error", message, NULL});
}

/* A number query parameter: *value (def when absent); false when malformed. */
static bool number_param(struct req *r, enum field_id f, long long def, long long *value)
{
    if (!*req_raw(r, f)) {
        *value = def;
        return true;
    }
    return req_number(r, f, value); /* digits within the table's range */
}

int h_api_enrollments(struct req *r)
{
    long long after, limit;
    if (!number_param(r, F_AFTER, 0, &after))
        return json_error(r, 400, "after must be a number (the last seq seen, 0 at start)");
    if (!number_param(r, F_LIMIT, FEED_DEFAULT_LIMIT, &limit))
        return json_error(r, 400, "limit must be a number");
    if (limit < 1 || limit > FEED_MAX_LIMIT)
        return json_error(r, 422, "limit must be from 1 to 1000");
    struct feed_entry *list;
    size_t n;
    if (db_feed_list(r->db, r->arena, after, limit, &list, &n) != DB_OK)
        return 500;
    struct buf b;
    buf_init(&b, r->arena);
    buf_puts(&b, "{\"enrollments\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        webhook_entry_json(&b, &list[i]);
    }
    buf_printf(&b, "],\"next\":%lld}", n ? (long long)list[n - 1].seq : after);
    r->status = 200;
    return req_bytes(r, "application/json", b.data, b.len);
}

static void member(struct buf *b, const char *name, const char *value)
{
    json_append_string(b, name);
    buf_putc(b, ':');
    json_append_string(b, value);
}

int h_api_account(struct req *r)
{
    struct account acc;
    int status = db_account_by_username(r->db, r->arena, r->path_arg, &acc);
    if (status == DB_NOT_FOUND)
        return json_error(r, 404, "no such account");
    if (status != DB_OK)
        return 500;
    struct municipality m = {.gkz = ""};
    if (acc.municipality_id && db_municipality_by_id(r->db, r->arena, acc.municipality_id, &m) != DB_OK)
        return 500;
    struct api_enrollment *list;
    size_t n;
    if (db_api_enrollments(r->db, r->arena, acc.id, &list, &n) != DB_OK)
        return 500;
    struct buf b;
    buf_init(&b, r->arena);
    buf_putc(&b, '{');
    member(&b, "username", acc.username);
    buf_putc(&b, ',');
    member(&b, "email", acc.email);
    buf_putc(&b, ',');
    member(&b, "first_name", acc.first_name);
    buf_putc(&b, ',');
    member(&b, "last_name", acc.last_name);
    buf_putc(&b, ',');
    member(&b, "municipality_gkz", m.gkz);
    buf_printf(&b, ",\"active\":%s,\"enrollments\":[", acc.disabled ? "false" : "true");
    for (size_t i = 0; i < n; i++) {
        buf_puts(&b, i ? ",{" : "{");
        member(&b, "course", list[i].course);
        buf_putc(&b, ',');
        member(&b, "title", list[i].title);
        buf_putc(&b, ',');
        member(&b, "url", list[i].url);
        char at[WEBHOOK_TIME_SIZE];
        webhook_time(list[i].enrolled_at, at);
        buf_putc(&b, ',');
        member(&b, "enrolled_at", at);
        buf_puts(&b, ",\"completed_on\":");
        if (*list[i].completed_on)
            json_append_string(&b, list[i].completed_on);
        else
            buf_puts(&b, "null");
        buf_putc(&b, '}');
    }
    buf_puts(&b, "]}");
    r->status = 200;
    return req_bytes(r, "application/json", b.data, b.len);
}
