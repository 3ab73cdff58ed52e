-- Issue 6: the communication-history screen and the delivery health.
-- Filtering the screen by kind or state walks these in time order and stops after one page,
-- however rare the kind or state (a plain walk of messages_by_created would read all
-- 3 million rows to find 50 'suppressed' ones). The state index also carries the human
-- open count, so the 30-day delivery health reads only the index, never the rows.
CREATE INDEX messages_by_kind_created ON messages (kind, created_at, id);
CREATE INDEX messages_by_state_created ON messages (state, created_at, id, human_open_count);
