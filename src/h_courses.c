/* h_courses — "Meine Kurse": the logged-in account's enrollments with the
 * date and status of each, and the certificate of each completed one. */

#include "date.h"
#include "db.h"
#include "fmt.h"
#include "handlers.h"
#include "req.h"
#include "view.h"

/* Columns of table courses in courses_mine.html, in the order it reads them. */
enum { COURSES_TITLE, COURSES_ENROLLED, COURSES_COMPLETED, COURSES_CERTIFICATE, COURSES_URL, COURSES_COLUMNS };

int h_courses_mine(struct req *r)
{
    struct enrollment *list;
    size_t n;
    if (db_enrollment_list(r->db, r->arena, r->who->id, &list, &n) != DB_OK)
        return 500;
    struct view *v = view_new(r, "courses_mine", "Meine Kurse");
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
    return view_render(v);
}
