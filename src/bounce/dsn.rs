//! Delivery status notifications (RFC 3464): a message/delivery-status part with one field
//! group per recipient. Some servers paste the same fields into a plain-text body, and a
//! report forwarded as plain text carries its delivery-status part as text; those are read
//! the same way.

use super::classify::{after_data, classify_at};
use super::mime::Doc;
use super::{FailedRecipient, fields, scan, text};

/// The delivery-status fields: the MIME part, else fields pasted into the explanation, else a
/// delivery-status part inside a report that was forwarded as plain text.
fn report_text(doc: &Doc) -> Option<String> {
    if let Some(part) = doc.part("message/delivery-status").or_else(|| doc.part("message/global-delivery-status")) {
        return Some(part.text.clone());
    }
    let body = doc.body_text();
    let explanation = scan::split_original(&body).0;
    if explanation.to_ascii_lowercase().contains("final-recipient:") {
        return Some(explanation.to_owned());
    }
    pasted_part(&body)
}

/// The text of a `Content-Type: message/delivery-status` part quoted inside a text body, up to
/// the next MIME boundary line.
fn pasted_part(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let at = lower.find("content-type: message/delivery-status")?;
    let rest = &body[at..];
    let start = rest.find('\n')? + 1;
    let fields: Vec<&str> = rest[start..].lines().take_while(|l| !l.starts_with("--")).collect();
    let text = fields.join("\n");
    text.to_ascii_lowercase().contains("final-recipient:").then_some(text)
}

/// One field group per recipient: some servers write every recipient's fields in one block,
/// without the blank line RFC 3464 puts between them. A second `Final-Recipient` starts a new
/// recipient (taking along an `Original-Recipient` written just before it).
fn per_recipient(groups: Vec<fields::Group>) -> Vec<fields::Group> {
    let mut out = Vec::new();
    for group in groups {
        let mut current = fields::Group::default();
        for (name, value) in group.0 {
            if name == "final-recipient" && current.get("final-recipient").is_some() {
                let carried = match current.0.last() {
                    Some((n, _)) if n == "original-recipient" => current.0.pop(),
                    _ => None,
                };
                out.push(std::mem::take(&mut current));
                current.0.extend(carried);
            }
            current.0.push((name, value));
        }
        out.push(current);
    }
    out
}

pub(crate) fn parse(doc: &Doc) -> Option<Vec<FailedRecipient>> {
    let report = report_text(doc)?;
    let human = doc.body_text();
    let (explanation, _) = scan::split_original(&human);
    let groups = per_recipient(fields::groups(&report));
    let all: Vec<String> =
        groups.iter().filter_map(|g| g.get("final-recipient").and_then(fields::address_value)).collect();
    let mut out: Vec<FailedRecipient> = Vec::new();
    for group in groups {
        const FIELDS: [&str; 3] = ["final-recipient", "original-recipient", "x-actual-recipient"];
        let Some(recipient) = FIELDS
            .iter()
            .find_map(|f| group.get(f).and_then(fields::strict_address))
            .or_else(|| FIELDS.iter().find_map(|f| group.get(f).and_then(fields::address_value)))
        else {
            continue;
        };
        if out.iter().any(|r| r.recipient == recipient) {
            continue;
        }
        let action = group.get("action").map(|a| a.trim().to_ascii_lowercase());
        let mut diagnostic =
            group.get("diagnostic-code").map(|d| scan::collapse(fields::typed_text(d))).unwrap_or_default();
        let from_text = text::diagnostic_for(explanation, &recipient, &all);
        let data_stage = after_data(&diagnostic) || after_data(&from_text);
        let uninformative = diagnostic.is_empty()
            || scan::find_status(&diagnostic).is_none() && scan::find_reply_code(&diagnostic).is_none();
        if uninformative
            && !from_text.is_empty()
            && (diagnostic.is_empty() || scan::find_reply_code(&from_text).is_some())
        {
            diagnostic = from_text;
        }
        let status = pick_status(group.get("status").and_then(scan::find_status), &diagnostic);
        let reply_code = scan::find_reply_code(&diagnostic);
        let class = classify_at(action.as_deref(), status.as_deref(), reply_code.as_deref(), &diagnostic, data_stage);
        out.push(FailedRecipient { recipient, status, reply_code, diagnostic, action, class });
    }
    (!out.is_empty()).then_some(out)
}

/// The remote server's own code (the one after its SMTP reply code in the diagnostic) when
/// there is one: the `Status:` field is the reporting MTA's summary and often generic
/// (`5.0.0`) or about the queue (`4.4.7`). Otherwise the field, unless it is a generic
/// `x.0.0` and the text names a more precise code of the same kind. A generic remote `x.0.0`
/// gives way to a precise field of the same kind.
fn pick_status(field: Option<String>, diagnostic: &str) -> Option<String> {
    if let Some(remote) = scan::status_after_reply(diagnostic) {
        return match field {
            Some(f) if remote.ends_with(".0.0") && f[..1] == remote[..1] && !f.ends_with(".0.0") => Some(f),
            _ => Some(remote),
        };
    }
    let precise = scan::find_status(diagnostic);
    match (field, precise) {
        (Some(f), Some(p)) if f.ends_with(".0.0") && f[..1] == p[..1] && !p.ends_with(".0.0") => Some(p),
        (Some(f), _) => Some(f),
        (None, p) => p,
    }
}
