/* raw_sql — one integer from a query on a connection's raw SQLite handle,
 * for unit tests that check what the store wrote.  Include after cmocka.h. */
#ifndef RAW_SQL_H
#define RAW_SQL_H

#include "db_internal.h"

/* The first column of the first row of sql; fails the test when there is none. */
static int64_t query_int(struct db *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

#endif
