-- 010 mail faults: each recipient is delivered on its own, so one refusing address no longer stops the
-- others; permanent refusals are not retried; a dead sender's claims are released at start; support resends.
ALTER TABLE outbox ADD COLUMN delivered_to TEXT NOT NULL DEFAULT '';   -- addresses that accepted it, ", " separated
ALTER TABLE outbox ADD COLUMN refused_to TEXT NOT NULL DEFAULT '';     -- addresses that refused it for good (SMTP 550-554): never retried
ALTER TABLE outbox ADD COLUMN claimed_by INTEGER NOT NULL DEFAULT 0;   -- process id of the sender holding claimed_until (0 = none)
ALTER TABLE outbox ADD COLUMN order_id INTEGER REFERENCES orders(id);  -- the order the message reports; NULL for other mail
ALTER TABLE outbox ADD COLUMN retry_since INTEGER;                     -- a resend starts the 5 days of retries again from here; NULL = created_at
CREATE INDEX outbox_order ON outbox(order_id);
