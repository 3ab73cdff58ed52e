-- Several venues in one database (issue 14). A venue has its own name, sender (From),
-- Reply-To, phone, street address, language and time zone. Every store has at least the
-- implicit venue (id 1) this migration creates for the rows already there: its empty
-- sender and reply_to mean "the config's", so a single-venue store works exactly as before.
--
-- Reservations and guests belong to one venue. Guests do too (not only reservations):
-- a guest's name, phone and language are what that venue wrote down, the guest's history
-- and the `forget` erasure are that venue's, and a guest found by address must never be
-- another restaurant's record. Addresses (error counters, blocks) stay shared: they say
-- whether mail to an address arrives, which is the same for the whole sending domain.
-- Messages, events, opens, bounces and replies reach their venue through their guest.
--
-- SQLite cannot add a column with a REFERENCES clause and a non-NULL default, so
-- venue_id is NOT NULL DEFAULT 1 without a foreign key here; PostgreSQL's has one.
CREATE TABLE venues (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    sender     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    reply_to   TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    language   TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr', 'nl')),
    time_zone  TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
INSERT INTO venues (id, name, sender, created_at) VALUES (1, 'default', '', 0);

ALTER TABLE guests ADD COLUMN venue_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reservations ADD COLUMN venue_id INTEGER NOT NULL DEFAULT 1;
