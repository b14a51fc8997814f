-- 007 from the code to the course: password reset links, the course's address in the learning platform (LMS),
-- named API tokens of the LMS, the enrollment change feed and its webhook deliveries through the outbox.

-- A one-time link to set a new password (/passwort-neu?t=TOKEN), sent by /passwort-vergessen.
-- Only the BLAKE2b hash of the 32 random bytes is stored; a link is usable once, until expires_at.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,                       -- BLAKE2b-256 of the token text in the link
    account_id INTEGER NOT NULL REFERENCES accounts(id),   -- whose password it sets
    created_at INTEGER NOT NULL,                           -- when it was asked for (also counted for the rate limit)
    expires_at INTEGER NOT NULL,                           -- not usable after this ([security] password_reset_seconds)
    used_at    INTEGER                                     -- NULL = not used yet; set when used or made void by another
);
CREATE INDEX password_resets_account ON password_resets(account_id, created_at);

-- The course's address in the learning platform ("Zum Kurs"); '' = none known.
ALTER TABLE catalog_items ADD COLUMN url TEXT NOT NULL DEFAULT ''
    CHECK (url = '' OR (url GLOB 'https://?*' AND length(url) <= 500));

-- A bearer token of the LMS API (/api/v1/), created by 'voucherctl api-token add NAME'.  Only its hash is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,                            -- who uses it, e.g. 'moodle'
    token_hash   BLOB NOT NULL UNIQUE,                     -- BLAKE2b-256 of the token text
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,                                  -- NULL = never used; renewed at most once a minute
    revoked_at   INTEGER                                   -- NULL = valid
);
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens(name) WHERE revoked_at IS NULL;

-- The enrollment change feed (GET /api/v1/enrollments).  Rows are written by the triggers below, so every
-- redemption, release and completion gets its row in the very transaction that makes the change, whichever code
-- path makes it.  seq is an INTEGER PRIMARY KEY without AUTOINCREMENT and rows are never deleted: each new row
-- takes max(seq) + 1 while its transaction holds SQLite's single write lock, so seq follows commit order and a
-- rolled-back change leaves no gap.
CREATE TABLE enrollment_events (
    seq        INTEGER PRIMARY KEY,
    event      TEXT NOT NULL CHECK (event IN ('enrolled', 'released', 'completed')),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    course_id  INTEGER NOT NULL REFERENCES catalog_items(id),
    at         INTEGER NOT NULL                            -- when the change happened (UTC epoch seconds)
);

-- Enrollments made before this migration start the feed, oldest first.
INSERT INTO enrollment_events (event, account_id, course_id, at)
    SELECT 'enrolled', account_id, course_id, enrolled_at FROM enrollments ORDER BY enrolled_at, id;
INSERT INTO enrollment_events (event, account_id, course_id, at)
    SELECT 'completed', account_id, course_id, enrolled_at FROM enrollments WHERE completed_on IS NOT NULL
     ORDER BY enrolled_at, id;

CREATE TRIGGER enrollments_event_enrolled AFTER INSERT ON enrollments
BEGIN
    INSERT INTO enrollment_events (event, account_id, course_id, at)
    VALUES ('enrolled', NEW.account_id, NEW.course_id, NEW.enrolled_at);
END;
CREATE TRIGGER enrollments_event_released AFTER DELETE ON enrollments
BEGIN
    INSERT INTO enrollment_events (event, account_id, course_id, at)
    VALUES ('released', OLD.account_id, OLD.course_id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER enrollments_event_completed AFTER UPDATE OF completed_on ON enrollments
WHEN OLD.completed_on IS NULL AND NEW.completed_on IS NOT NULL
BEGIN
    INSERT INTO enrollment_events (event, account_id, course_id, at)
    VALUES ('completed', NEW.account_id, NEW.course_id, CAST(strftime('%s', 'now') AS INTEGER));
END;

-- Whether feed entries are also POSTed to [lms] webhook_url: set from the configuration by voucherd and voucherctl
-- when they start, so the trigger below can queue the delivery in the transaction of the change.
CREATE TABLE lms_webhook (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1))
);
INSERT INTO lms_webhook (id, enabled) VALUES (1, 0);

-- A webhook delivery is an outbox row with event_seq set (no recipients, subject or body: the JSON is built from
-- the feed entry when it is sent, signed with [lms] webhook_secret).  Retried on the outbox's schedule.
ALTER TABLE outbox ADD COLUMN event_seq INTEGER REFERENCES enrollment_events(seq); -- NULL = an e-mail
CREATE INDEX outbox_event ON outbox(event_seq) WHERE event_seq IS NOT NULL;

CREATE TRIGGER enrollment_events_webhook AFTER INSERT ON enrollment_events
WHEN (SELECT enabled FROM lms_webhook WHERE id = 1) = 1
BEGIN
    INSERT INTO outbox (created_at, recipients, subject, body_sealed, next_attempt_at, event_seq)
    VALUES (CAST(strftime('%s', 'now') AS INTEGER), '', 'webhook', X'', 0, NEW.seq);
END;
