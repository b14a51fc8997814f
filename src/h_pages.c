/* h_pages — the start page, the static information pages and /healthz. */
#include "db.h"
#include "handlers.h"
#include "req.h"
#include "view.h"

static int static_page(struct req *r, const char *template_name, const char *title)
{
    return view_render(view_new(r, template_name, title));
}

int h_pages_home(struct req *r)
{
    return static_page(r, "home", "Willkommen");
}

int h_pages_faq(struct req *r)
{
    return static_page(r, "faq", "Häufige Fragen");
}

int h_pages_impressum(struct req *r)
{
    return static_page(r, "impressum", "Impressum");
}

int h_pages_datenschutz(struct req *r)
{
    return static_page(r, "datenschutz", "Datenschutz");
}

int h_pages_health(struct req *r)
{
    if (db_ping(r->db))
        return req_bytes(r, "text/plain; charset=utf-8", "ok\n", 3);
    r->status = 503; /* for monitoring: plain text, not an error page */
    return req_bytes(r, "text/plain; charset=utf-8", "database unavailable\n", 21);
}
