-- Each IMAP watcher's standing (issue 13): watching, lost (reconnecting) or refused (the
-- venue's credentials), since when, and why; written by the watcher on every change so
-- `guestmail status` can tell monitoring what only the running screen or serve knew.
CREATE TABLE mailbox_status (
    role       TEXT PRIMARY KEY CHECK (role IN ('bounce_mailbox', 'reply_mailbox')),
    mailbox    TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('watching', 'lost', 'refused')),
    detail     TEXT NOT NULL DEFAULT '',
    since      INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
