/* db_internal — shared by db.c and the db_<entity>.c modules only. */
#ifndef DB_INTERNAL_H
#define DB_INTERNAL_H

#include <sqlite3.h>

#include "db.h"

enum query_id {
#define Q(name, sql) Q_##name,
#include "queries.def"
#undef Q
    Q__MAX
};

struct db {
    sqlite3 *conn;
    sqlite3_stmt *stmt[Q__MAX]; /* prepared once at open, finalized at close */
    /* Where db's statements run: db itself, or during a grouped write
     * transaction (db_writer.c) the shared writer connection.  Every
     * statement and every per-connection answer (changes, last rowid,
     * error message) goes through tx, never through conn directly. */
    struct db *tx;
    bool writing;               /* holds the process's writer mutex (db_writer.c): in db_begin..commit/rollback */
    int busy_timeout_ms;        /* how long db_on_busy waits for another process's lock */
    int64_t busy_since_ms;      /* when the current wait began (CLOCK_MONOTONIC) */
};

/* The connection db's statements run on now (see tx). */
static inline sqlite3 *db_conn(struct db *db)
{
    return db->tx->conn;
}

/* ---- the writer mutex (db_writer.c) ----
 * Taken by every write of the process; taking it outside a transaction
 * commits an open group-commit batch first. */
void db_writer_lock(struct db *db);
/* Without waiting: true when db now holds it (then db_writer_release gives
 * it back).  For the checkpointer's TRUNCATE. */
bool db_writer_trylock(struct db *db);
void db_writer_release(struct db *db);
/* Around one statement: a write outside a transaction (an UPDATE or INSERT
 * stepped in autocommit mode) takes the mutex; true when it did, to be
 * passed to db_step_end. */
bool db_step_begin(struct db *db, sqlite3_stmt *st);
void db_step_end(struct db *db, bool locked);
/* SQLite's busy handler of every connection (arg: its struct db): a lock
 * held in this process is waited for on the mutex (no sleep), another
 * process's with SQLite's growing sleeps; 0 (give up) after the
 * connection's busy timeout. */
int db_on_busy(void *arg, int count);

/* The WAL hook of every connection (db_checkpoint.c): counts the commit and
 * wakes the checkpointer when the WAL passed DB_CHECKPOINT_PAGES; with no
 * checkpointer running it checkpoints there like SQLite's automatic one. */
int db_wal_hook(void *arg, sqlite3 *conn, const char *name, int pages);

/* The prepared statement, reset and with its bindings cleared. */
sqlite3_stmt *db_stmt(struct db *db, enum query_id id);
/* Steps a statement that returns no rows: DB_OK, DB_CONFLICT or DB_ERROR. */
int db_exec_stmt(struct db *db, sqlite3_stmt *st);
/* Steps a statement that must change exactly one row: DB_OK; if_none
 * (DB_CONFLICT when a condition refused it, DB_NOT_FOUND when no row has
 * that id) when it changed none; DB_CONFLICT when a constraint refused it;
 * DB_ERROR. */
int db_exec_one(struct db *db, sqlite3_stmt *st, int if_none);
/* A row reader: fills *item from the current row of st (text and blobs
 * copied into the arena).  Column positions are the named constants of its
 * row below; the statements it reads declare its width in queries.def.
 * Cannot fail. */
typedef void (*db_row_fn)(sqlite3_stmt *st, struct arena *a, void *item);
/* The one-row read: steps a query that answers at most one row and reads
 * it with row() into item.  DB_OK, DB_NOT_FOUND (item untouched),
 * DB_CONFLICT or DB_ERROR.  st is reset in every case. */
int db_read_one(struct db *db, struct arena *a, sqlite3_stmt *st, db_row_fn row, void *item);
/* The one-column readers, for any statement whose reader width is ONE_COL:
 * column 0 as an int64_t (an id, a count) or as arena text ("" for NULL). */
void db_row_int(sqlite3_stmt *st, struct arena *a, void *item);
void db_row_text(sqlite3_stmt *st, struct arena *a, void *item);
/* The one-integer read: column 0 of the one row of st.  DB_OK,
 * DB_NOT_FOUND (no row; *value untouched), DB_CONFLICT or DB_ERROR.  st is
 * reset in every case. */
int db_read_int(struct db *db, sqlite3_stmt *st, int64_t *value);
/* Steps an INSERT; *id (when not NULL) receives the new row's id. */
int db_insert_stmt(struct db *db, sqlite3_stmt *st, int64_t *id);
/* Maps a step result that is neither ROW nor DONE to DB_CONFLICT/DB_ERROR, logging errors. */
int db_step_error(struct db *db, int rc);
/* Steps st to its end, reading each row with row() into a new element of
 * an array of elements of `size` bytes in the arena: *items (NULL when
 * empty) and *n.  DB_OK or DB_ERROR. */
int db_collect(struct db *db, struct arena *a, sqlite3_stmt *st, size_t size, db_row_fn row, void **items,
               size_t *n);
/* db_collect of query q with ?1 bound to id (the common "rows of one
 * order / account / voucher" read). */
int db_collect_by_id(struct db *db, struct arena *a, enum query_id q, int64_t id, size_t size, db_row_fn row,
                     void **items, size_t *n);
/* Rows of (slug, title) (enum slug_title_col) of query q with ?1 = id, as two
 * parallel arrays (NULL-terminated, in the arena): the course choices of a
 * filter.  DB_OK or DB_ERROR. */
int db_collect_slug_titles(struct db *db, struct arena *a, enum query_id q, int64_t id, const char ***slugs,
                           const char ***titles, size_t *n);
/* Column text copied into the arena; "" for NULL. */
const char *db_text(struct arena *a, sqlite3_stmt *st, int col);
/* Binds text (NULL binds SQL NULL). */
void db_bind_text(sqlite3_stmt *st, int idx, const char *text);
/* Binds an id, with 0 as SQL NULL. */
void db_bind_id(sqlite3_stmt *st, int idx, int64_t id);

/* ---- the rows the readers read: named column positions ----
 * Each enum lists one reader's columns in the order of its SELECT; its
 * *_COLS is the reader's width, which the statements it reads declare with
 * W(NAME, WIDTH) next to their SQL in queries.def (test_db checks every
 * statement's real column count against it).  A reader of a row that
 * continues another (a session with its account) starts at an offset. */
enum municipality_col {
    MUNICIPALITY_C_ID, MUNICIPALITY_C_GKZ, MUNICIPALITY_C_NAME, MUNICIPALITY_C_ADDRESS,
    MUNICIPALITY_C_INVOICE_EMAIL, MUNICIPALITY_C_UID, MUNICIPALITY_COLS
};
enum account_col {
    ACCOUNT_C_ID, ACCOUNT_C_USERNAME, ACCOUNT_C_EMAIL, ACCOUNT_C_FIRST_NAME, ACCOUNT_C_LAST_NAME,
    ACCOUNT_C_ROLE, ACCOUNT_C_MUNICIPALITY_ID, ACCOUNT_C_PASSWORD_HASH, ACCOUNT_C_DISABLED, ACCOUNT_COLS
};
enum session_col { SESSION_C_ID, SESSION_C_LAST_SEEN, SESSION_C_ACCOUNT, SESSION_COLS = SESSION_C_ACCOUNT + ACCOUNT_COLS };
enum catalog_item_col {
    ITEM_C_ID, ITEM_C_KIND, ITEM_C_SLUG, ITEM_C_TITLE, ITEM_C_DESCRIPTION, ITEM_C_HOURS, ITEM_C_PRICE,
    ITEM_C_ACTIVE, CATALOG_ITEM_COLS
};
enum package_course_col { PACKAGE_COURSE_C_PACKAGE_ID, PACKAGE_COURSE_C_TITLE, PACKAGE_COURSE_COLS };
enum order_token_col { ORDER_TOKEN_C_ID, ORDER_TOKEN_C_INVOICE_NUMBER, ORDER_TOKEN_COLS };
enum order_col {
    ORDER_C_ID, ORDER_C_MUNICIPALITY_ID, ORDER_C_ACCOUNT_ID, ORDER_C_TOKEN, ORDER_C_REFERENCE,
    ORDER_C_INVOICE_YEAR, ORDER_C_INVOICE_SEQ, ORDER_C_INVOICE_NUMBER, ORDER_C_RECIPIENT_NAME,
    ORDER_C_RECIPIENT_ADDRESS, ORDER_C_RECIPIENT_UID, ORDER_C_VAT_PERCENT, ORDER_C_NET, ORDER_C_VAT,
    ORDER_C_GROSS, ORDER_C_CREATED_AT, ORDER_C_RECIPIENT_GKZ, ORDER_C_ORDERED_BY, ORDER_C_DUE_AT, ORDER_C_PAID_ON,
    ORDER_COLS
};
/* accounting (db_accounting.c) */
enum journal_col {
    JOURNAL_C_ORDER_ID, JOURNAL_C_NUMBER, JOURNAL_C_CREATED_AT, JOURNAL_C_NAME, JOURNAL_C_GKZ, JOURNAL_C_NET,
    JOURNAL_C_VAT, JOURNAL_C_GROSS, JOURNAL_C_DUE_AT, JOURNAL_C_PAID_ON, JOURNAL_C_CREDIT_NUMBERS,
    JOURNAL_C_CREDIT_NET, JOURNAL_C_CREDIT_VAT, JOURNAL_C_CREDIT_GROSS, JOURNAL_C_STATUS, JOURNAL_COLS
};
enum journal_totals_col {
    JTOTAL_C_COUNT, JTOTAL_C_NET, JTOTAL_C_VAT, JTOTAL_C_GROSS, JTOTAL_C_CREDIT_NET, JTOTAL_C_CREDIT_VAT,
    JTOTAL_C_CREDIT_GROSS, JOURNAL_TOTALS_COLS
};
enum cancellable_col { CANCEL_C_LINE_ID, CANCEL_C_TITLE, CANCEL_C_COUNT, CANCEL_C_UNIT_PRICE, CANCELLABLE_COLS };
enum credit_note_col {
    CN_C_ID, CN_C_ORDER_ID, CN_C_YEAR, CN_C_SEQ, CN_C_NUMBER, CN_C_SCOPE, CN_C_REASON, CN_C_ACCOUNT_ID,
    CN_C_VAT_PERCENT, CN_C_NET, CN_C_VAT, CN_C_GROSS, CN_C_CREATED_AT, CREDIT_NOTE_COLS
};
enum credit_line_col {
    CL_C_NOTE_ID, CL_C_ORDER_LINE_ID, CL_C_TITLE, CL_C_QUANTITY, CL_C_UNIT_PRICE, CL_C_LINE_NET, CL_C_POSITION,
    CREDIT_LINE_COLS
};
enum order_counts_col { OC_C_OPEN, OC_C_REDEEMED, OC_C_EXPIRED, OC_C_REVOKED, ORDER_COUNTS_COLS };
enum order_summary_col {
    SUMMARY_C_ID, SUMMARY_C_CREATED_AT, SUMMARY_C_INVOICE_NUMBER, SUMMARY_C_REFERENCE, SUMMARY_C_NET,
    SUMMARY_C_VAT, SUMMARY_C_GROSS, SUMMARY_C_OPEN, /* then the rest of enum order_counts_col */
    ORDER_SUMMARY_COLS = SUMMARY_C_OPEN + ORDER_COUNTS_COLS
};
enum order_line_col {
    LINE_C_ID, LINE_C_ORDER_ID, LINE_C_ITEM_ID, LINE_C_TITLE, LINE_C_QUANTITY, LINE_C_UNIT_PRICE,
    LINE_C_LINE_NET, LINE_C_POSITION, ORDER_LINE_COLS
};
enum voucher_col {
    VOUCHER_C_ID, VOUCHER_C_CODE_SEALED, VOUCHER_C_ORDER_ID, VOUCHER_C_ITEM_ID, VOUCHER_C_MUNICIPALITY_ID,
    VOUCHER_C_CREATED_AT, VOUCHER_C_VALID_UNTIL, VOUCHER_C_REDEEMED_AT, VOUCHER_C_REDEEMED_BY,
    VOUCHER_C_REVOKED_AT, VOUCHER_C_REVOKE_REASON, VOUCHER_C_ISSUED_TO, VOUCHER_C_ITEM_KIND,
    VOUCHER_C_ITEM_TITLE, VOUCHER_COLS
};
enum order_code_col {
    CODE_C_VOUCHER, CODE_C_REDEEMER_NAME = VOUCHER_COLS, CODE_C_REDEEMER_USERNAME, CODE_C_RECIPIENT_EMAIL,
    CODE_C_ASSIGNED_AT, CODE_C_MAIL_ID, CODE_C_MAIL_SENT_AT, CODE_C_MAIL_GIVEN_UP_AT, CODE_C_MAIL_ERROR,
    CODE_C_ITEM_SLUG, ORDER_CODE_COLS
};
enum first_sealed_col { FIRST_SEALED_C_HASH, FIRST_SEALED_C_CODE_SEALED, FIRST_SEALED_COLS };
/* (slug, title): db_collect_slug_titles; ORDER_ITEMS continues it with the
 * position it is sorted by. */
enum slug_title_col { SLUG_TITLE_C_SLUG, SLUG_TITLE_C_TITLE, SLUG_TITLE_COLS };
enum order_item_col { ORDER_ITEM_C_POSITION = SLUG_TITLE_COLS, ORDER_ITEM_COLS };
enum municipality_voucher_col { MVOUCHER_C_VOUCHER, MVOUCHER_C_EMAIL = VOUCHER_COLS, MUNICIPALITY_VOUCHER_COLS };
enum delivery_col {
    DELIVERY_C_EMAIL, DELIVERY_C_MAIL_ID, DELIVERY_C_SENT_AT, DELIVERY_C_GIVEN_UP_AT, DELIVERY_C_ERROR, DELIVERY_COLS
};
enum outbox_mail_col {
    MAIL_C_ID, MAIL_C_CREATED_AT, MAIL_C_ATTEMPTS, MAIL_C_RECIPIENTS, MAIL_C_SUBJECT, MAIL_C_BODY_SEALED,
    MAIL_C_DELIVERED_TO, MAIL_C_REFUSED_TO, MAIL_C_EVENT_SEQ, OUTBOX_MAIL_COLS
};
enum outbox_status_col {
    OSTATUS_C_ID, OSTATUS_C_CREATED_AT, OSTATUS_C_RECIPIENTS, OSTATUS_C_ATTEMPTS, OSTATUS_C_SENT_AT,
    OSTATUS_C_GIVEN_UP_AT, OSTATUS_C_LAST_ERROR, OSTATUS_C_DELIVERED_TO, OSTATUS_C_REFUSED_TO, OUTBOX_STATUS_COLS
};
enum outbox_attachment_col { ATTACHMENT_C_FILENAME, ATTACHMENT_C_CONTENT_TYPE, ATTACHMENT_C_SEALED, OUTBOX_ATTACHMENT_COLS };
enum enrollment_col {
    ENROLLMENT_C_COURSE_TITLE, ENROLLMENT_C_ENROLLED_AT, ENROLLMENT_C_COMPLETED_ON, ENROLLMENT_C_CERTIFICATE_ID,
    ENROLLMENT_C_URL, ENROLLMENT_COLS
};
enum enrollment_find_col { ENROLLMENT_FIND_C_ID, ENROLLMENT_FIND_C_COMPLETED_ON, ENROLLMENT_FIND_COLS };
enum failure_counts_col { COUNTS_C_FIRST, COUNTS_C_SECOND, FAILURE_COUNTS_COLS };
enum redemption_block_col { BLOCK_C_KIND, BLOCK_C_KEY, BLOCK_C_GUESSES, BLOCK_C_LAST_AT, REDEMPTION_BLOCK_COLS };
enum title_flag_col { TITLE_FLAG_C_TITLE, TITLE_FLAG_C_ADDED, TITLE_FLAG_COLS };
enum open_enrollment_col { OPEN_C_SLUG, OPEN_C_TITLE, OPEN_C_ENROLLED_AT, OPEN_ENROLLMENT_COLS };
enum municipality_summary_col {
    MSUMMARY_C_MUNICIPALITY, MSUMMARY_C_ACCOUNTS = MUNICIPALITY_COLS, MSUMMARY_C_ORDERS, MUNICIPALITY_SUMMARY_COLS
};
enum municipality_name_col { MNAME_C_GKZ, MNAME_C_NAME, MUNICIPALITY_NAME_COLS };
enum account_summary_col {
    ASUMMARY_C_ACCOUNT, ASUMMARY_C_GKZ = ACCOUNT_COLS, ASUMMARY_C_MUNICIPALITY_NAME, ACCOUNT_SUMMARY_COLS
};
enum voucher_enrollment_col {
    VENROLLMENT_C_COURSE_TITLE, VENROLLMENT_C_USERNAME, VENROLLMENT_C_ENROLLED_AT, VENROLLMENT_C_COMPLETED_ON,
    VOUCHER_ENROLLMENT_COLS
};
enum attempt_col {
    ATTEMPT_C_AT, ATTEMPT_C_IP, ATTEMPT_C_USERNAME, ATTEMPT_C_CODE_HASH, ATTEMPT_C_RESULT, ATTEMPT_C_REFERENCE,
    ATTEMPT_C_VOUCHER_ID, ATTEMPT_COLS
};
enum certificate_col {
    CERT_C_ID, CERT_C_NUMBER, CERT_C_ENROLLMENT_ID, CERT_C_ACCOUNT_ID, CERT_C_ISSUED_AT, CERT_C_HOLDER_NAME,
    CERT_C_MUNICIPALITY_NAME, CERT_C_COURSE_TITLE, CERT_C_HOURS, CERT_C_COMPLETED_ON, CERTIFICATE_COLS
};
enum audit_col { AUDIT_C_AT, AUDIT_C_USERNAME, AUDIT_C_ACTION, AUDIT_C_SUBJECT, AUDIT_C_DETAIL, AUDIT_C_IP, AUDIT_COLS };
enum training_col {
    TRAINING_C_LAST_NAME, TRAINING_C_FIRST_NAME, TRAINING_C_USERNAME, TRAINING_C_EMAIL, TRAINING_C_COURSE_TITLE,
    TRAINING_C_ENROLLED_AT, TRAINING_C_COMPLETED_ON, TRAINING_C_CERTIFICATE, TRAINING_COLS
};
/* A reader of column 0 alone (an id, a count, a title, a hash). */
/* readers of 007 (db_reset.c, db_lms.c) */
enum reset_col { RESET_C_ID, RESET_C_EXPIRES_AT, RESET_C_USED_AT, RESET_C_ACCOUNT, RESET_COLS = RESET_C_ACCOUNT + ACCOUNT_COLS };
enum api_token_col { TOKEN_C_NAME, TOKEN_C_CREATED_AT, TOKEN_C_LAST_USED_AT, TOKEN_C_REVOKED_AT, API_TOKEN_COLS };
enum token_lookup_col { LOOKUP_C_ID, LOOKUP_C_HASH, LOOKUP_C_LAST_USED_AT, TOKEN_LOOKUP_COLS };
enum feed_col {
    FEED_C_SEQ, FEED_C_EVENT, FEED_C_USERNAME, FEED_C_EMAIL, FEED_C_FIRST_NAME, FEED_C_LAST_NAME, FEED_C_GKZ,
    FEED_C_COURSE, FEED_C_AT, FEED_COLS
};
enum api_enrollment_col { AENR_C_COURSE, AENR_C_TITLE, AENR_C_URL, AENR_C_ENROLLED_AT, AENR_C_COMPLETED_ON, API_ENROLLMENT_COLS };
enum webhook_failing_col { WFAIL_C_COUNT, WFAIL_C_SINCE, WFAIL_C_ERROR, WEBHOOK_FAILING_COLS };
enum course_link_col { LINK_C_TITLE, LINK_C_URL, COURSE_LINK_COLS };
#define ONE_COL 1

/* The width each statement declares (W in queries.def); 0 for a statement
 * that returns no rows. */
extern const int db_query_width[];
/* "NAME" of statement id (for messages), "?" when out of range. */
const char *db_query_name(int id);

/* Reads an account's columns (id, username, email, first_name, last_name,
 * role, municipality_id, password_hash, disabled) starting at column col. */
void db_account_columns(sqlite3_stmt *st, int col, struct arena *a, struct account *acc);
/* Reads a municipality's columns (id, gkz, name, address, invoice_email,
 * uid) starting at column col. */
void db_municipality_columns(sqlite3_stmt *st, int col, struct arena *a, struct municipality *m);

#endif
