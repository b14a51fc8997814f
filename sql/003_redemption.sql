-- 003 redemption: enrollments of accounts in courses, and the log of every redemption attempt.

-- An account enrolled in one course.  Redeeming a course code gives one row, a package code one row per course
-- of the package.  Never two rows for the same account and course.
CREATE TABLE enrollments (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),      -- who is enrolled
    course_id    INTEGER NOT NULL REFERENCES catalog_items(id), -- always a course, never a package
    voucher_id   INTEGER REFERENCES vouchers(id),               -- the code that paid for it; NULL = enrolled otherwise
    enrolled_at  INTEGER NOT NULL,                              -- when (UTC epoch seconds)
    completed_on TEXT,                                          -- 'YYYY-MM-DD' (Vienna date) of completion; NULL = not yet
    UNIQUE (account_id, course_id)
);
CREATE INDEX enrollments_voucher ON enrollments(voucher_id);
CREATE INDEX enrollments_course ON enrollments(course_id);

-- The courses a voucher is good for: its course, or every course of its package (in the package's order).
-- Read at redemption time, so a course since taken out of the catalog still counts.
CREATE VIEW voucher_courses AS
    SELECT v.id AS voucher_id, v.item_id AS course_id, 0 AS position
      FROM vouchers v JOIN catalog_items i ON i.id = v.item_id
     WHERE i.kind = 'course'
    UNION ALL
    SELECT v.id, pc.course_id, pc.position
      FROM vouchers v JOIN package_courses pc ON pc.package_id = v.item_id;

-- Every attempt to redeem a code, successful or not: for support ("why did my code fail?") and for the
-- rate limit (failures per IP and per username within [limits] redeem_window_seconds).
CREATE TABLE redemption_attempts (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,                          -- when (UTC epoch seconds)
    ip         TEXT,                                      -- client address; set to NULL after [privacy] ip_retention_days
    username   TEXT NOT NULL DEFAULT '' COLLATE NOCASE,   -- the username sent (existing or new account), '' when none
    code_hash  BLOB,                                      -- keyed hash of the normalised code; NULL when it was malformed (V01)
    result     TEXT NOT NULL                              -- 'OK' (redeemed, or shown again to the same person) or 'V01'..'V11'
               CHECK (result = 'OK' OR (length(result) = 3 AND result GLOB 'V[01][0-9]')),
    reference  TEXT NOT NULL,                             -- 'F-XXXX' shown to the person with the error, for support
    voucher_id INTEGER REFERENCES vouchers(id)            -- the code's voucher when it was found; NULL otherwise
);
CREATE INDEX redemption_attempts_ip ON redemption_attempts(ip, at);
CREATE INDEX redemption_attempts_username ON redemption_attempts(username, at);
CREATE INDEX redemption_attempts_code ON redemption_attempts(code_hash, at);
CREATE INDEX redemption_attempts_reference ON redemption_attempts(reference);
CREATE INDEX redemption_attempts_ip_kept ON redemption_attempts(at) WHERE ip IS NOT NULL;
