-- 002 orders: orders and their lines, gapless invoice numbers, voucher codes, the mail outbox.

-- An order of a municipality, with a snapshot of everything the invoice shows.
CREATE TABLE orders (
    id                   INTEGER PRIMARY KEY,
    municipality_id      INTEGER NOT NULL REFERENCES municipalities(id),
    account_id           INTEGER NOT NULL REFERENCES accounts(id), -- the tenant_admin who ordered
    idempotency_token    TEXT NOT NULL UNIQUE,   -- from the order form: a second confirmation finds this order
    reference            TEXT NOT NULL DEFAULT '', -- the municipality's own reference (Bestellzeichen)
    invoice_year         INTEGER NOT NULL,       -- calendar year (Europe/Vienna) of the invoice
    invoice_seq          INTEGER NOT NULL,       -- 1, 2, ... within the year, without gaps
    invoice_number       TEXT NOT NULL UNIQUE,   -- 'RE-2026-000001'
    recipient_name       TEXT NOT NULL,          -- municipality name at the time of the order
    recipient_address    TEXT NOT NULL,          -- its address then
    recipient_uid        TEXT NOT NULL DEFAULT '', -- its UID then ('' = none)
    vat_percent          INTEGER NOT NULL,       -- USt rate applied
    net_cents            INTEGER NOT NULL,       -- sum of the lines
    vat_cents            INTEGER NOT NULL,       -- USt on the net total, rounded half up
    gross_cents          INTEGER NOT NULL,       -- net + vat
    created_at           INTEGER NOT NULL,
    UNIQUE (invoice_year, invoice_seq)
);
CREATE INDEX orders_municipality ON orders(municipality_id, created_at);

-- One line of an order: an item and how many vouchers of it.
CREATE TABLE order_lines (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    item_id          INTEGER NOT NULL REFERENCES catalog_items(id), -- course or package
    title            TEXT NOT NULL,              -- item title at the time of the order
    quantity         INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    unit_price_cents INTEGER NOT NULL,           -- net unit price then
    line_net_cents   INTEGER NOT NULL,           -- quantity * unit price
    position         INTEGER NOT NULL            -- order of the lines on the invoice
);
CREATE INDEX order_lines_order ON order_lines(order_id);

-- The last invoice number used per year; incremented in the order's transaction, so numbers have no gaps.
CREATE TABLE invoice_counters (
    year     INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

-- A voucher code: bound to an item (course or package), to no person until redeemed. Never deleted.
CREATE TABLE vouchers (
    id              INTEGER PRIMARY KEY,
    code_hash       BLOB NOT NULL UNIQUE,        -- keyed BLAKE2b-256 of the 24 canonical symbols (look-up)
    code_sealed     BLOB NOT NULL,               -- the 24 symbols, secretbox-encrypted under the key file
    order_id        INTEGER NOT NULL REFERENCES orders(id),
    order_line_id   INTEGER NOT NULL REFERENCES order_lines(id),
    item_id         INTEGER NOT NULL REFERENCES catalog_items(id), -- what it is good for
    municipality_id INTEGER NOT NULL REFERENCES municipalities(id), -- who bought it
    created_at      INTEGER NOT NULL,
    valid_until     INTEGER NOT NULL,            -- last valid second: end of the day one year later, Vienna time
    redeemed_at     INTEGER,                     -- NULL = not redeemed
    redeemed_by     INTEGER REFERENCES accounts(id), -- who redeemed it
    revoked_at      INTEGER,                     -- NULL = not revoked; revoked codes never redeem
    revoke_reason   TEXT NOT NULL DEFAULT '',
    issued_to       TEXT NOT NULL DEFAULT '',    -- the admin's free "ausgegeben an" note
    CHECK ((redeemed_at IS NULL) = (redeemed_by IS NULL))
);
CREATE INDEX vouchers_order ON vouchers(order_id);
CREATE INDEX vouchers_redeemed_by ON vouchers(redeemed_by);

-- Outgoing e-mail, written in the same transaction as what it reports; a sender delivers it later.
-- Body and attachments hold voucher codes, so they are stored sealed (secretbox under the key file).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    recipients      TEXT NOT NULL,               -- addresses separated by ", "
    subject         TEXT NOT NULL,               -- UTF-8, encoded at sending
    body_sealed     BLOB NOT NULL,               -- UTF-8 plain text, sealed
    attempts        INTEGER NOT NULL DEFAULT 0,  -- delivery attempts so far
    next_attempt_at INTEGER NOT NULL,            -- not before this time
    claimed_until   INTEGER NOT NULL DEFAULT 0,  -- a sender holds it until then (two senders never send one message)
    sent_at         INTEGER,                     -- NULL = not yet delivered
    given_up_at     INTEGER,                     -- NULL = still trying; set when retrying ended without success
    last_error      TEXT NOT NULL DEFAULT ''     -- why the last attempt failed
);
CREATE INDEX outbox_due ON outbox(sent_at, given_up_at, next_attempt_at);

-- Files attached to an outgoing e-mail.
CREATE TABLE outbox_attachments (
    id           INTEGER PRIMARY KEY,
    outbox_id    INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,                  -- e.g. 'codes.csv'
    content_type TEXT NOT NULL,                  -- e.g. 'text/csv; charset=utf-8'
    data_sealed  BLOB NOT NULL,                  -- the file, sealed
    position     INTEGER NOT NULL
);
CREATE INDEX outbox_attachments_outbox ON outbox_attachments(outbox_id, position);
