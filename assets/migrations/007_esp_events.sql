-- ESP event hooks (issue 13): the provider's own id for an email, taken from the text of
-- the SMTP server's final 250 when it accepted it (Amazon SES answers `250 Ok <id>`,
-- SendGrid and Postmark `250 Ok: queued as <id>`), so a provider's bounce, complaint,
-- delivery or open event that names only that id still finds its email. NULL when the reply
-- carries no id (or the email was sent before this version).
ALTER TABLE messages ADD COLUMN provider_id TEXT;
-- When the provider reported the guest's server accepted the email (its first such report):
-- the history's "accepted by the guest's server at 19:02". NULL: no provider said so.
ALTER TABLE messages ADD COLUMN delivered_at INTEGER;
CREATE INDEX messages_by_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;
