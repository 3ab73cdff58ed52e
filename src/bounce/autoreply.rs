//! Auto-replies (RFC 3834 and the vacation responders that ignore it): not an error, but
//! worth recognising so that they are never counted as one.

use super::mime::Doc;
use super::{FailedRecipient, scan};
use crate::domain::BounceClass;

/// Subject beginnings and fragments of out-of-office replies, lower case.
const SUBJECTS: &[&str] = &[
    "auto:",
    "automatic reply",
    "autoreply",
    "auto-reply",
    "auto reply",
    "autoresponse",
    "auto-response",
    "autorespons",
    "out of office",
    "out of the office",
    "away until",
    "away from",
    "on vacation",
    "vacation",
    "réponse automatique",
    "reponse automatique",
    "absence",
    "abwesenheit",
    "automatische antwort",
    "afwezig",
    "automatisch antwoord",
    "respuesta automática",
    "risposta automatica",
    "autosvar",
];

/// Whether the message is an automatic reply.
pub(crate) fn is_autoreply(doc: &Doc) -> bool {
    let header = |name: &str| doc.header(name).map(|v| v.trim().to_ascii_lowercase());
    if header("auto-submitted").is_some_and(|v| v.starts_with("auto-replied")) {
        return true;
    }
    if ["x-autoreply", "x-autorespond", "x-autoresponder", "x-vacation"].iter().any(|h| doc.header(h).is_some()) {
        return true;
    }
    if header("precedence").or_else(|| header("x-precedence")).is_some_and(|v| v == "auto_reply") {
        return true;
    }
    let subject = doc.subject.trim().to_lowercase();
    SUBJECTS
        .iter()
        .any(|s| subject.starts_with(s) || subject.contains(&format!(" {s}")) || subject.contains(&format!(":{s}")))
}

pub(crate) fn parse(doc: &Doc) -> Option<Vec<FailedRecipient>> {
    if !is_autoreply(doc) {
        return None;
    }
    let recipient = doc.header("from").and_then(|f| scan::emails(f).into_iter().next()).unwrap_or_default();
    Some(vec![FailedRecipient {
        recipient,
        status: None,
        reply_code: None,
        diagnostic: scan::collapse(&doc.subject),
        action: None,
        class: BounceClass::AutoReply,
    }])
}
