/* h_courses — "Meine Kurse": the logged-in account's enrollments with the
 * date and status of each, and the certificate of each completed one.  Only
 * the table (templates/part_courses_mine.html) is rendered per request; the
 * page around it is kept per layout variant (view_new_kept). */
#include <stdlib.h>

#include "app.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "handlers.h"
#include "req.h"
#include "view.h"
#include "worker.h"

/* Columns of table courses in part_courses_mine.html, in the order it reads them. */
enum { COURSES_TITLE, COURSES_ENROLLED, COURSES_COMPLETED, COURSES_CERTIFICATE, COURSES_URL, COURSES_COLUMNS };

/* The page around the table, the same for every account of a layout
 * variant: the table's slot and stand-ins for the user name and token. */
static int render_page(struct req *r, char **html, size_t *len)
{
    struct view *v = view_new_kept(r, "courses_mine", "Meine Kurse");
    view_slot_html(v, "courses_html", 0);
    return view_render_into(v, html, len);
}

int h_courses_mine(struct req *r)
{
    struct enrollment *list;
    size_t n;
    if (db_enrollment_list(r->db, r->arena, r->who->id, &list, &n) != DB_OK)
        return 500;
    struct page_cache *page = &r->worker->courses_page[view_variant(r)];
    if (page_cache_refresh(r, page, 1, render_page) != 0)
        return 500;
    struct view *v = view_new_part(r, "part_courses_mine");
    struct view_table *t = view_table(v, "courses", COURSES_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        char completed[DATE_TEXT_SIZE];
        date_iso_to_text(list[i].completed_on, completed);
        view_row(t);
        view_cell_text(t, COURSES_TITLE, list[i].course_title);
        view_cell_text(t, COURSES_ENROLLED, fmt_date(r->arena, list[i].enrolled_at));
        view_cell_text(t, COURSES_COMPLETED, completed);
        view_cell_int(t, COURSES_CERTIFICATE, (long)list[i].certificate_id);
        view_cell_url(t, COURSES_URL, list[i].url); /* https:// by the catalog rule, or "" */
    }
    view_int(v, "count", (long)n);
    size_t len;
    char *table = view_render_malloc(v, &len);
    if (!table)
        return 500;
    view_send_kept(r, page->html, page->len, (const char *const[]){table});
    free(table);
    return 0;
}
