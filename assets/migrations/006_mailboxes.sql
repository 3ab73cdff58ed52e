-- IMAP mailboxes (issue 13): every message of a watched mailbox guestmail has looked at,
-- by the mailbox's UIDVALIDITY and the message's UID, so each is taken in once, and a
-- bounce recorded but not yet moved (a crash between the two) is moved at the next pass.
-- `mailbox` is the URL without its password or query (user@host:port/FOLDER).
CREATE TABLE mailbox_messages (
    mailbox     TEXT    NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    -- 'bounce' (moved or flagged once `settled`), 'reply' (linked to our email), 'other'
    kind        TEXT    NOT NULL CHECK (kind IN ('bounce', 'reply', 'other')),
    settled     INTEGER NOT NULL DEFAULT 0,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid)
) WITHOUT ROWID;

-- Guests' replies found in the venue's reply mailbox (read-only: guestmail never moves,
-- flags or deletes there), each tied to the email it answers: by In-Reply-To/References
-- naming our Message-ID (`linked_by` 'thread'), else by the sender's address and a recent
-- email to it ('address'). `auto`: an out-of-office or other automatic reply.
CREATE TABLE replies (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages (id),
    key         TEXT    NOT NULL UNIQUE,
    received_at INTEGER NOT NULL,
    sender      TEXT    NOT NULL COLLATE NOCASE,
    excerpt     TEXT    NOT NULL,
    auto        INTEGER NOT NULL DEFAULT 0 CHECK (auto IN (0, 1)),
    linked_by   TEXT    NOT NULL CHECK (linked_by IN ('thread', 'address'))
);
CREATE INDEX replies_by_message ON replies (message_id, received_at);
