-- Three kinds of fetch (issue 11): a person, a person through their provider's image proxy
-- (Gmail, Yahoo: a real open), or a machine; stored per hit with the rule that decided.
ALTER TABLE opens ADD COLUMN kind TEXT NOT NULL DEFAULT 'person'
    CHECK (kind IN ('person', 'proxy', 'machine'));
ALTER TABLE opens ADD COLUMN rule TEXT NOT NULL DEFAULT '';
UPDATE opens SET kind = 'machine', rule = 'before-005' WHERE machine = 1;
UPDATE opens SET rule = 'before-005' WHERE machine = 0;

-- Proxy opens count as a person's (human_open_count); these say how many came through a
-- provider's proxy, and which provider last did.
ALTER TABLE messages ADD COLUMN proxy_open_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN open_via TEXT;
-- Opens counted past the cap of raw hits kept per message (`open_hits_kept`).
ALTER TABLE messages ADD COLUMN open_hits_not_kept INTEGER NOT NULL DEFAULT 0;

-- Gmail and Yahoo proxy hits stored as machines before this change, made long enough after
-- sending, were people reading: count them as proxy opens now. (Hits whose User-Agent the
-- retention purge erased cannot be told apart and stay as they are.)
CREATE TEMP TABLE reclassified AS
SELECT id, message_id,
       CASE WHEN user_agent LIKE '%GoogleImageProxy%' THEN 'Gmail' ELSE 'Yahoo' END AS via
FROM opens
WHERE machine = 1
  AND (user_agent LIKE '%GoogleImageProxy%' OR user_agent LIKE '%YahooMailProxy%')
  AND seconds_after_send >= 5;
UPDATE opens SET machine = 0, kind = 'proxy',
       rule = CASE WHEN user_agent LIKE '%GoogleImageProxy%' THEN 'gmail-proxy' ELSE 'yahoo-proxy' END,
       reason = CASE WHEN user_agent LIKE '%GoogleImageProxy%' THEN 'Gmail image proxy' ELSE 'Yahoo Mail proxy' END
WHERE id IN (SELECT id FROM reclassified);
UPDATE messages SET
    human_open_count = human_open_count + (SELECT COUNT(*) FROM reclassified r WHERE r.message_id = messages.id),
    proxy_open_count = proxy_open_count + (SELECT COUNT(*) FROM reclassified r WHERE r.message_id = messages.id),
    open_via = (SELECT r.via FROM reclassified r WHERE r.message_id = messages.id ORDER BY r.id DESC LIMIT 1)
WHERE id IN (SELECT message_id FROM reclassified);
DROP TABLE reclassified;

