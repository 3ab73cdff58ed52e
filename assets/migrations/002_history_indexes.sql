-- Issue 6: the communication-history screen and the delivery health.
-- Filtering the screen by kind or state walks these in time order and stops after one page,
-- however rare the kind or state (a plain walk of messages_by_created would read all
-- 3 million rows to find 50 'suppressed' ones). The state index also carries the human
-- open count, so the 30-day delivery health reads only the index, never the rows.
CREATE INDEX messages_by_kind_created ON messages (kind, created_at, id);
CREATE INDEX messages_by_state_created ON messages (state, created_at, id, human_open_count);

-- The screen's text filter: a trigram index over the guests' names and addresses, so finding
-- the guests whose name or address contains a few letters is an index lookup rather than a
-- scan of every guest (60-150 ms on 333,000 guests). Kept in step with `guests` by triggers;
-- `secure-delete` makes an erased guest's old text leave the index's pages too.
CREATE VIRTUAL TABLE guests_search USING fts5 (name, email, content = 'guests', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO guests_search (guests_search, rank) VALUES ('secure-delete', 1);
INSERT INTO guests_search (guests_search) VALUES ('rebuild');
CREATE TRIGGER guests_search_insert AFTER INSERT ON guests BEGIN
    INSERT INTO guests_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER guests_search_delete AFTER DELETE ON guests BEGIN
    INSERT INTO guests_search (guests_search, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
END;
CREATE TRIGGER guests_search_update AFTER UPDATE OF name, email ON guests
WHEN old.name IS NOT new.name OR old.email IS NOT new.email BEGIN
    INSERT INTO guests_search (guests_search, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO guests_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
