-- Issue 10: whose fault a failure is, as a typed value, and sending paused on a venue problem.
--
-- `fault` says who a failure counts against (guest, venue, transient) and `fault_reason`
-- why (`unknown-user`, `authentication`, `relay-denied`...), both from src/failure.rs; only a
-- guest fault ever counts on the address. `sending_pause` holds at most one row: sending is
-- paused because the venue's own setup or server refused us (login, relay, sender, TLS,
-- size, rate, blocklist, timeout); every sender (the screen, `serve`, `send`) reads it, and
-- the first email accepted deletes it.
ALTER TABLE messages ADD COLUMN fault TEXT CHECK (fault IN ('guest', 'venue', 'transient'));
ALTER TABLE messages ADD COLUMN fault_reason TEXT;
ALTER TABLE addresses ADD COLUMN last_error_reason TEXT;
CREATE TABLE sending_pause (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    reason   TEXT NOT NULL,
    detail   TEXT NOT NULL,
    since    INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    retry_at INTEGER NOT NULL
);
