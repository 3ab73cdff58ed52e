//! Email: composing from templates, the outbox worker, and the transports (SMTP, Maildir).
