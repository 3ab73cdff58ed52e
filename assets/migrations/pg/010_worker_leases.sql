-- Liveness of `guestmail serve` workers sharing one PostgreSQL database (issue 14), in place
-- of SQLite's lock files beside the database file: each worker holds a lease that its
-- heartbeat renews; a lease past its expiry means the worker is gone, and any other worker
-- (or the next start) deals with the rows it left in `sending`. Times are the server's clock
-- (UTC ms), so workers on machines whose clocks differ agree on what "expired" means.
CREATE TABLE worker_leases (
    worker_id  TEXT PRIMARY KEY,
    host       TEXT NOT NULL,
    pid        BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- The in-flight markers: a row per email a worker started putting on the wire (before its
-- first byte), `accepted` once the server said 250 after DATA; removed in the transaction
-- that records the results. Read by recovery to tell "may have gone" (uncertain) from
-- "never started" (back to the outbox) and "arrived" (sent).
CREATE TABLE worker_marks (
    worker_id  TEXT NOT NULL,
    message_id BIGINT NOT NULL,
    accepted   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (worker_id, message_id)
);
