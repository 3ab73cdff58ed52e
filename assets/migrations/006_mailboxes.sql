-- IMAP mailboxes (issue 13): every message of a watched mailbox guestmail has looked at,
-- by the mailbox's UIDVALIDITY and the message's UID, so each is taken in once, and a
-- bounce recorded but not yet moved (a crash between the two) is moved at the next pass.
-- `mailbox` is the URL without its password or query (user@host:port/FOLDER).
CREATE TABLE mailbox_messages (
    mailbox     TEXT    NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    -- 'bounce' (moved or flagged once `settled`), 'other' (left alone)
    kind        TEXT    NOT NULL CHECK (kind IN ('bounce', 'other')),
    settled     INTEGER NOT NULL DEFAULT 0,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid)
) WITHOUT ROWID;
