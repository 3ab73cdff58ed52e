//! Feedback-loop reports (RFC 5965, ARF): a recipient marked our message as spam. Every
//! recipient of a report is a complaint, whatever the feedback type says.

use super::mime::{Doc, header_in_text};
use super::{FailedRecipient, fields, scan};
use crate::domain::BounceClass;

pub(crate) fn parse(doc: &Doc) -> Option<Vec<FailedRecipient>> {
    let report = doc.part("message/feedback-report")?;
    let group = fields::groups(&report.text).into_iter().reduce(|mut a, b| {
        a.0.extend(b.0);
        a
    })?;
    let mut recipients: Vec<String> = group.all("original-rcpt-to").filter_map(fields::address_value).collect();
    if recipients.is_empty()
        && let Some(to) = doc.original().and_then(|o| header_in_text(&o, "to"))
    {
        recipients = scan::emails(&to);
    }
    if recipients.is_empty() {
        recipients.push(group.get("removal-recipient").and_then(fields::address_value).unwrap_or_default());
    }
    let feedback = group.get("feedback-type").unwrap_or("abuse");
    let text = scan::collapse(&doc.body_text());
    let diagnostic = if text.is_empty() { format!("feedback report: {feedback}") } else { text };
    recipients.dedup();
    Some(
        recipients
            .into_iter()
            .map(|recipient| FailedRecipient {
                recipient,
                status: None,
                reply_code: None,
                diagnostic: diagnostic.clone(),
                action: None,
                class: BounceClass::Complaint,
            })
            .collect(),
    )
}
