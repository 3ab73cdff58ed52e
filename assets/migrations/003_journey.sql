-- guestmail: foreign-keys-off
-- Issue 9, the journey policy. An email that no longer fits its reservation is kept as
-- `withdrawn` (with the reason, shown in the history) instead of being sent, and every
-- email has the moment it fell due (`due_at`): a reminder is queued when the reservation is
-- confirmed but falls due 24 h before it, a thank-you 3 h after the meal, and a retry gives
-- up 24 h after the email fell due, not after it was queued.
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt the documented
-- way (new table, copy, drop, rename) with foreign keys off for this migration only; the
-- runner checks `PRAGMA foreign_key_check` before it commits.
CREATE TABLE messages_new (
    id               INTEGER PRIMARY KEY,
    reservation_id   INTEGER REFERENCES reservations (id),
    guest_id         INTEGER NOT NULL REFERENCES guests (id),
    kind             TEXT NOT NULL CHECK (kind IN ('pending', 'confirmed', 'reminder', 'cancelled', 'completed', 'manual')),
    recipient        TEXT NOT NULL COLLATE NOCASE,
    subject          TEXT NOT NULL DEFAULT '',
    message_id       TEXT NOT NULL UNIQUE,
    token            TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed', 'bounced', 'suppressed', 'uncertain', 'withdrawn')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    claimed_by       TEXT,
    created_at       INTEGER NOT NULL,
    last_attempt_at  INTEGER,
    sent_at          INTEGER,
    server_reply     TEXT,
    last_error       TEXT,
    resend_of        INTEGER REFERENCES messages (id),
    open_count       INTEGER NOT NULL DEFAULT 0,
    human_open_count INTEGER NOT NULL DEFAULT 0,
    first_opened_at  INTEGER,
    last_opened_at   INTEGER,
    due_at           INTEGER,
    withdrawn_reason TEXT
);
INSERT INTO messages_new (id, reservation_id, guest_id, kind, recipient, subject, message_id, token, state, attempts,
                          next_attempt_at, claimed_by, created_at, last_attempt_at, sent_at, server_reply, last_error,
                          resend_of, open_count, human_open_count, first_opened_at, last_opened_at, due_at)
SELECT id, reservation_id, guest_id, kind, recipient, subject, message_id, token, state, attempts,
       next_attempt_at, claimed_by, created_at, last_attempt_at, sent_at, server_reply, last_error,
       resend_of, open_count, human_open_count, first_opened_at, last_opened_at, created_at
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_by_reservation ON messages (reservation_id, kind, id);
CREATE INDEX messages_due ON messages (next_attempt_at, id) WHERE state IN ('queued', 'deferred');
CREATE INDEX messages_in_flight ON messages (state) WHERE state IN ('sending', 'uncertain');
CREATE INDEX messages_by_guest ON messages (guest_id, id);
CREATE INDEX messages_by_recipient ON messages (recipient, created_at);
CREATE INDEX messages_by_created ON messages (created_at, id);
CREATE INDEX messages_by_kind_created ON messages (kind, created_at, id);
CREATE INDEX messages_by_state_created ON messages (state, created_at, id, human_open_count);
