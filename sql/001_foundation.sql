-- 001 foundation: municipalities, accounts, catalog, sessions, rate limits, audit log.
-- Times are UTC epoch seconds (INTEGER); money is integer euro cents.

-- A municipality (Gemeinde): the tenant that orders vouchers and whose staff redeem them.
CREATE TABLE municipalities (
    id            INTEGER PRIMARY KEY,          -- internal id
    gkz           TEXT NOT NULL UNIQUE          -- Gemeindekennziffer, 5 digits
                  CHECK (length(gkz) = 5 AND gkz NOT GLOB '*[^0-9]*'),
    name          TEXT NOT NULL,                -- official name, e.g. "Stadtgemeinde Musterstadt"
    address       TEXT NOT NULL DEFAULT '',     -- postal address, lines separated by newlines
    invoice_email TEXT NOT NULL,                -- where invoices and codes are sent
    uid           TEXT NOT NULL DEFAULT '',     -- UID number (ATU...), '' when it has none
    created_at    INTEGER NOT NULL              -- when it was added
);

-- A person who can log in. Usernames are ASCII, so NOCASE makes them unique regardless of case.
CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE COLLATE NOCASE, -- login name, 3-40 of a-z 0-9 . _ -
    email           TEXT NOT NULL,                       -- contact address for confirmations
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('user', 'tenant_admin', 'support', 'admin')),
    municipality_id INTEGER REFERENCES municipalities(id), -- required for user and tenant_admin
    password_hash   TEXT NOT NULL,                       -- Argon2id, libsodium string format
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)), -- 1 = may not log in or redeem
    created_at      INTEGER NOT NULL,
    CHECK (role IN ('support', 'admin') OR municipality_id IS NOT NULL)
);
CREATE INDEX accounts_municipality ON accounts(municipality_id);

-- The catalog: courses and packages share one table so that slugs are unique across both.
CREATE TABLE catalog_items (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('course', 'package')),
    slug        TEXT NOT NULL UNIQUE,           -- stable short name, used in qty_{slug} form fields
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',       -- short description shown in the catalog
    hours       INTEGER NOT NULL CHECK (hours >= 0), -- duration in hours
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0), -- net price; 0 = free course
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)), -- 0 = taken out of the catalog
    position    INTEGER NOT NULL DEFAULT 0      -- display order within its kind
);

-- Which courses a package contains.
CREATE TABLE package_courses (
    package_id INTEGER NOT NULL REFERENCES catalog_items(id) ON DELETE CASCADE,
    course_id  INTEGER NOT NULL REFERENCES catalog_items(id),
    position   INTEGER NOT NULL DEFAULT 0,      -- order of the courses within the package
    PRIMARY KEY (package_id, course_id)
);

-- One row: bumped by triggers on every catalog change, so caches of rendered catalog pages know when to renew.
CREATE TABLE catalog_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 1);
CREATE TRIGGER catalog_items_ins AFTER INSERT ON catalog_items
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_items_upd AFTER UPDATE ON catalog_items
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_items_del AFTER DELETE ON catalog_items
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER package_courses_ins AFTER INSERT ON package_courses
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER package_courses_del AFTER DELETE ON package_courses
BEGIN UPDATE catalog_version SET version = version + 1; END;

-- A login session. Only the BLAKE2b hash of the cookie token is stored.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,          -- BLAKE2b-256 of the cookie value
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,              -- for the absolute expiry
    last_seen_at INTEGER NOT NULL               -- for the idle expiry (renewed at most once a minute)
);
CREATE INDEX sessions_account ON sessions(account_id);

-- Failed logins, counted per username and per IP within [limits] login_window_seconds.
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,                          -- 'u:' || lower(username) or 'ip:' || address
    at  INTEGER NOT NULL                        -- when it failed
);
CREATE INDEX login_failures_key_at ON login_failures(key, at);

-- What support and administrators did, and security-relevant events.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    account_id INTEGER REFERENCES accounts(id), -- who acted; NULL for the system or the command line
    action     TEXT NOT NULL,                   -- e.g. 'login', 'logout', 'tenant.add', 'code.revoke'
    subject    TEXT NOT NULL DEFAULT '',        -- what it was done to (username, code reference, ...)
    detail     TEXT NOT NULL DEFAULT '',        -- free text: reason, old and new values
    ip         TEXT                             -- client address when from the web; erased after the retention period
);
CREATE INDEX audit_log_at ON audit_log(at);
