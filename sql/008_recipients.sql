-- 008 recipients: who each code is handed to, the e-mail that told them, and expiry reminders.
-- vouchers.issued_to (until now the admin's free "ausgegeben an" note) is from here on the recipient's
-- name, so every note written before carries over as the name; the address is new.

ALTER TABLE vouchers ADD COLUMN recipient_email TEXT NOT NULL DEFAULT ''; -- the recipient's address, '' = none
ALTER TABLE vouchers ADD COLUMN assigned_at INTEGER;     -- when name and address were last set (NULL = never)
ALTER TABLE vouchers ADD COLUMN mail_id INTEGER REFERENCES outbox(id); -- the last e-mail to the recipient, NULL = not sent since assigned

-- Open codes by expiry, for the reminders.
CREATE INDEX vouchers_open_expiry ON vouchers(valid_until) WHERE redeemed_at IS NULL AND revoked_at IS NULL;

-- Expiry reminders sent: one per order and threshold ([reminders] days_before), never twice.
CREATE TABLE reminders_sent (
    order_id    INTEGER NOT NULL REFERENCES orders(id),
    days_before INTEGER NOT NULL,              -- the threshold the reminder was for (30, 7, ...)
    sent_at     INTEGER NOT NULL,              -- when it was queued (the as-of time)
    outbox_id   INTEGER REFERENCES outbox(id), -- the e-mail
    PRIMARY KEY (order_id, days_before)
);
