-- 005 redemption limits: V11 counts only attempts that could be guessing (an unknown code, V03, per address and
-- per username; an unknown username with a valid code, V07, per address), read from indexes that hold only those
-- rows, so a request costs at most [limits] redeem_max_failures index entries per count, however busy the
-- address is; and the blocks support has lifted.

-- The guesses of one address or one username, newest last (the only rows the limit counts).
CREATE INDEX redemption_guesses_ip ON redemption_attempts(ip, at) WHERE result IN ('V03', 'V07');
CREATE INDEX redemption_guesses_username ON redemption_attempts(username, at) WHERE result IN ('V03', 'V07');
-- Every guess by time: the active blocks support sees.
CREATE INDEX redemption_guesses_at ON redemption_attempts(at) WHERE result IN ('V03', 'V07');

-- A V11 block that support lifted: guesses of that address or username up to lifted_at no longer count.
-- Rows are deleted by housekeeping once they are older than [privacy] ip_retention_days (the audit log keeps
-- who lifted what and why).
CREATE TABLE redemption_block_lifts (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('ip', 'username')), -- what was blocked
    key        TEXT NOT NULL COLLATE NOCASE,                      -- the address, or the username (any case)
    lifted_at  INTEGER NOT NULL,                                  -- when (UTC epoch seconds)
    account_id INTEGER NOT NULL REFERENCES accounts(id),          -- the support or admin account that lifted it
    reason     TEXT NOT NULL                                      -- why, as entered
);
CREATE INDEX redemption_block_lifts_key ON redemption_block_lifts(kind, key, lifted_at);
CREATE INDEX redemption_block_lifts_at ON redemption_block_lifts(lifted_at);
