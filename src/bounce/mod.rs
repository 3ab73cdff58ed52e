//! Bounce messages: parsing (DSN, ARF, non-standard formats), classifying, ingesting.
//!
//! [`parse`] turns one raw message into a [`Bounce`] (one entry per failed recipient, each
//! with a [`BounceClass`]) or `None` for mail that is neither a bounce nor an auto-reply.
//! The formats are tried from the most to the least structured: an RFC 5965 feedback
//! report, an RFC 3464 delivery-status report, Amazon SES notifications, then the plain-text
//! wording of the common mail servers. Nothing here panics on any input.

mod arf;
mod autoreply;
mod classify;
mod dsn;
mod explain;
mod fields;
pub mod imap;
pub mod ingest;
pub mod mailbox_url;
mod mime;
mod scan;
mod ses;
#[cfg(test)]
mod tests;
mod text;
pub mod watch_lock;

use serde::Serialize;

pub use classify::classify;
pub use explain::{Explanation, explain};

use crate::domain::BounceClass;

/// One recipient a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRecipient {
    /// The address, lower case.
    pub recipient: String,
    /// Enhanced status code (RFC 3463), e.g. `5.1.1`.
    pub status: Option<String>,
    /// SMTP reply code, e.g. `550`.
    pub reply_code: Option<String>,
    /// The remote server's words, whitespace collapsed.
    pub diagnostic: String,
    /// The DSN `Action:` (`failed`, `delayed`, `delivered`, ...), when known.
    pub action: Option<String>,
    pub class: BounceClass,
}

/// What one message says: the recipients it reports on and what ties it to the message we sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bounce {
    pub recipients: Vec<FailedRecipient>,
    /// Addresses the report was delivered to (To, Delivered-To, X-Original-To, ...): a VERP
    /// return path `bounces+<token>@...` names the message directly.
    pub envelope: Vec<String>,
    /// The Message-ID of the returned original, without angle brackets.
    pub original_message_id: Option<String>,
    /// Our `X-Guestmail-Token` header, when the original's headers came back.
    pub original_token: Option<String>,
}

impl Bounce {
    /// The VERP token in the report's envelope recipient, if it was sent to `bounces+<token>@`.
    pub fn verp_token(&self) -> Option<String> {
        self.envelope.iter().find_map(|a| verp_token(a))
    }
}

/// `bounces+<32 hex>@domain` -> the token.
pub fn verp_token(address: &str) -> Option<String> {
    let local = address.trim().trim_matches(|c| c == '<' || c == '>').split('@').next()?;
    let (_, token) = local.split_once('+')?;
    let token = token.to_ascii_lowercase();
    (token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())).then_some(token)
}

/// Parses one raw message. `None`: not a bounce, not a complaint, not an auto-reply.
pub fn parse(raw: &[u8]) -> Option<Bounce> {
    let doc = mime::Doc::parse(raw)?;
    let recipients = arf::parse(&doc)
        .or_else(|| dsn::parse(&doc))
        .or_else(|| ses::parse(&doc))
        .or_else(|| text::parse(&doc))
        .or_else(|| autoreply::parse(&doc))?;
    if recipients.is_empty() {
        return None;
    }
    Some(Bounce {
        recipients,
        envelope: doc.envelope(),
        original_message_id: doc.original_header("message-id").map(|v| v.trim().trim_matches(['<', '>']).to_owned()),
        original_token: doc.original_header("x-guestmail-token").map(|v| v.trim().to_ascii_lowercase()),
    })
}

/// Whether a message is an automatic reply (out of office, vacation): the same detection the
/// bounce parser uses, for the guests' replies (`crate::replies`).
pub fn is_auto_reply(raw: &[u8]) -> bool {
    mime::Doc::parse(raw).is_some_and(|doc| autoreply::is_autoreply(&doc))
}
