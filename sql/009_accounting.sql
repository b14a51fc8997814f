-- 009 accounting: what the invoice also shows (GKZ, ordering person, due date), payments, and credit notes
-- (Storno/Gutschrift) with their own gapless series.  An invoice is never changed or deleted: it is cancelled,
-- wholly or in part, only by a credit note that refers to it.

-- Snapshots taken when the order is placed, so a renamed or erased account never changes an invoice.
ALTER TABLE orders ADD COLUMN recipient_gkz TEXT NOT NULL DEFAULT '';  -- the municipality's GKZ then
ALTER TABLE orders ADD COLUMN ordered_by TEXT NOT NULL DEFAULT '';     -- "first last" of the ordering admin then
ALTER TABLE orders ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0;       -- last second (Vienna) of the due date
ALTER TABLE orders ADD COLUMN paid_on TEXT;                            -- 'YYYY-MM-DD' when paid; NULL = unpaid
-- Orders placed before this migration: the same values as they showed then ([invoice] payment_days was 14).
UPDATE orders SET
    recipient_gkz = coalesce((SELECT gkz FROM municipalities m WHERE m.id = orders.municipality_id), ''),
    ordered_by = coalesce((SELECT first_name || ' ' || last_name FROM accounts a WHERE a.id = orders.account_id), ''),
    due_at = created_at + 14 * 86400;
CREATE INDEX orders_created ON orders(created_at);

-- A credit note (Gutschrift) cancelling codes of one invoice.  Amounts are positive: what is credited.
CREATE TABLE credit_notes (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders(id),  -- the invoice it cancels (part of)
    year        INTEGER NOT NULL,                        -- calendar year (Europe/Vienna) of the credit note
    seq         INTEGER NOT NULL,                        -- 1, 2, ... within the year, without gaps
    number      TEXT NOT NULL UNIQUE,                    -- 'GS-2026-000001'
    scope       TEXT NOT NULL CHECK (scope IN ('all', 'open')), -- the whole invoice, or its open codes
    reason      TEXT NOT NULL,                           -- why, as the admin wrote it
    account_id  INTEGER REFERENCES accounts(id),         -- the admin who cancelled
    vat_percent INTEGER NOT NULL,                        -- the invoice's USt rate
    net_cents   INTEGER NOT NULL,                        -- sum of the lines
    vat_cents   INTEGER NOT NULL,                        -- USt on the net total, rounded half up
    gross_cents INTEGER NOT NULL,                        -- net + vat
    created_at  INTEGER NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX credit_notes_order ON credit_notes(order_id);

-- A line of a credit note: how many codes of an invoice line it cancels.
CREATE TABLE credit_note_lines (
    id               INTEGER PRIMARY KEY,
    credit_note_id   INTEGER NOT NULL REFERENCES credit_notes(id),
    order_line_id    INTEGER NOT NULL REFERENCES order_lines(id),
    title            TEXT NOT NULL,                      -- the invoice line's title
    quantity         INTEGER NOT NULL CHECK (quantity >= 1),
    unit_price_cents INTEGER NOT NULL,                   -- the invoice line's net unit price
    line_net_cents   INTEGER NOT NULL,                   -- quantity * unit price
    position         INTEGER NOT NULL                    -- order of the lines on the credit note
);
CREATE INDEX credit_note_lines_note ON credit_note_lines(credit_note_id);

-- The last credit note number used per year; incremented in the credit note's transaction (no gaps).
CREATE TABLE credit_note_counters (
    year     INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

-- The credit note that cancelled a code (NULL = not cancelled).  Such a code is revoked in the same transaction.
ALTER TABLE vouchers ADD COLUMN credit_note_id INTEGER REFERENCES credit_notes(id);

-- A code cancelled by a credit note stays revoked and unredeemed: it was credited to the municipality.
CREATE TRIGGER vouchers_credited_stay_revoked BEFORE UPDATE OF revoked_at, redeemed_at ON vouchers
WHEN OLD.credit_note_id IS NOT NULL AND (NEW.revoked_at IS NULL OR NEW.redeemed_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'a code cancelled by a credit note stays revoked'); END;
