-- guestmail schema, version 1. Times: *_at INTEGER columns are UTC Unix milliseconds;
-- reservations.starts_at is the venue's wall-clock time as 'YYYY-MM-DD HH:MM' text, so a
-- day is a plain range on an index and never shifts with daylight-saving rules.

-- One row per email address ever used, with its error counter (the brief's "messages
-- d'erreur"). Guests point at it by address text, so a corrected address starts clean.
CREATE TABLE addresses (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    error_count       INTEGER NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    blocked           INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    last_error        TEXT,
    last_error_status TEXT,
    last_error_code   TEXT,
    last_error_class  TEXT,
    last_error_at     INTEGER,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE guests (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL COLLATE NOCASE,
    phone      TEXT NOT NULL DEFAULT '',
    language   TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr', 'nl')),
    forgotten  INTEGER NOT NULL DEFAULT 0 CHECK (forgotten IN (0, 1)),
    created_at INTEGER NOT NULL
);
CREATE INDEX guests_by_email ON guests (email);

CREATE TABLE reservations (
    id                   INTEGER PRIMARY KEY,
    guest_id             INTEGER NOT NULL REFERENCES guests (id),
    starts_at            TEXT NOT NULL,
    party_size           INTEGER NOT NULL CHECK (party_size > 0),
    status               TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'completed', 'cancelled', 'no-show')),
    notes                TEXT NOT NULL DEFAULT '',
    confirmed_by_phone_at INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
-- The day list: a range on starts_at.
CREATE INDEX reservations_by_start ON reservations (starts_at);
CREATE INDEX reservations_by_guest ON reservations (guest_id, starts_at);

-- The outbox and the record of every email: a row exists before anything touches the network.
CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    reservation_id   INTEGER REFERENCES reservations (id),
    guest_id         INTEGER NOT NULL REFERENCES guests (id),
    kind             TEXT NOT NULL CHECK (kind IN ('pending', 'confirmed', 'reminder', 'cancelled', 'completed', 'manual')),
    recipient        TEXT NOT NULL COLLATE NOCASE,
    subject          TEXT NOT NULL DEFAULT '',
    message_id       TEXT NOT NULL UNIQUE,
    token            TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed', 'bounced', 'suppressed', 'uncertain')),
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
    last_opened_at   INTEGER
);
-- Markers: the latest message of one kind for one reservation.
CREATE INDEX messages_by_reservation ON messages (reservation_id, kind, id);
-- The worker's queue: only rows still to send are in this index.
CREATE INDEX messages_due ON messages (next_attempt_at, id) WHERE state IN ('queued', 'deferred');
CREATE INDEX messages_in_flight ON messages (state) WHERE state IN ('sending', 'uncertain');
-- The guest's history and the communication-history screen, newest first.
CREATE INDEX messages_by_guest ON messages (guest_id, id);
CREATE INDEX messages_by_recipient ON messages (recipient, created_at);
CREATE INDEX messages_by_created ON messages (created_at, id);

-- Append-only log of everything that happened to a message or an address.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    message_id     INTEGER REFERENCES messages (id),
    reservation_id INTEGER REFERENCES reservations (id),
    address        TEXT COLLATE NOCASE,
    kind       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_message ON events (message_id, id);
CREATE INDEX events_by_address ON events (address, id);
CREATE INDEX events_by_reservation ON events (reservation_id, id);
CREATE TRIGGER events_are_append_only BEFORE UPDATE OF message_id, kind, at ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Each fetch of a tracking pixel, with the verdict human or machine.
CREATE TABLE opens (
    id                 INTEGER PRIMARY KEY,
    message_id         INTEGER NOT NULL REFERENCES messages (id),
    at                 INTEGER NOT NULL,
    ip                 TEXT,
    user_agent         TEXT,
    seconds_after_send INTEGER,
    machine            INTEGER NOT NULL DEFAULT 0 CHECK (machine IN (0, 1)),
    reason             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX opens_by_message ON opens (message_id, at);
CREATE INDEX opens_by_time ON opens (at);

-- Bounce reports received, matched to their message or kept as unmatched.
CREATE TABLE bounces (
    id          INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    source      TEXT NOT NULL,
    message_id  INTEGER REFERENCES messages (id),
    recipient   TEXT COLLATE NOCASE,
    class       TEXT NOT NULL,
    status      TEXT,
    reply_code  TEXT,
    action      TEXT,
    diagnostic  TEXT
);
CREATE INDEX bounces_by_message ON bounces (message_id);
CREATE INDEX bounces_unmatched ON bounces (received_at) WHERE message_id IS NULL;

-- Mail already taken in from a bounce Maildir, so a restart never counts one twice.
CREATE TABLE processed_mail (
    key          TEXT PRIMARY KEY,
    processed_at INTEGER NOT NULL
) WITHOUT ROWID;
