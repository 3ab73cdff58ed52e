//! Amazon SES notifications forwarded as mail: a JSON body with a `notificationType` (or
//! `eventType`) of Bounce, Complaint or Delivery.

use serde_json::Value;

use super::mime::Doc;
use super::{FailedRecipient, classify, scan};
use crate::domain::BounceClass;

pub(crate) fn parse(doc: &Doc) -> Option<Vec<FailedRecipient>> {
    let body = doc.body_text();
    let json: Value = serde_json::from_str(body.get(body.find('{')?..=body.rfind('}')?)?).ok()?;
    // SNS wraps the notification as a string in `Message`.
    let json = match json.get("Message").and_then(Value::as_str) {
        Some(inner) => serde_json::from_str(inner).ok()?,
        None => json,
    };
    let kind = json.get("notificationType").or_else(|| json.get("eventType")).and_then(Value::as_str)?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let out: Vec<FailedRecipient> = match kind {
        "Bounce" => {
            let bounce = json.get("bounce")?;
            bounce
                .get("bouncedRecipients")?
                .as_array()?
                .iter()
                .filter_map(|r| {
                    let recipient = text(r, "emailAddress")?.to_ascii_lowercase();
                    let diagnostic = text(r, "diagnosticCode").unwrap_or_default();
                    let status = text(r, "status").or_else(|| scan::find_status(&diagnostic));
                    let reply_code = scan::find_reply_code(&diagnostic);
                    let action = text(r, "action").unwrap_or_else(|| "failed".to_owned());
                    let class = classify(Some(&action), status.as_deref(), reply_code.as_deref(), &diagnostic);
                    Some(FailedRecipient { recipient, status, reply_code, diagnostic, action: Some(action), class })
                })
                .collect()
        }
        "Complaint" => {
            let complaint = json.get("complaint")?;
            let feedback = text(complaint, "complaintFeedbackType").unwrap_or_else(|| "abuse".to_owned());
            recipients(complaint.get("complainedRecipients")?, |r| text(r, "emailAddress"))
                .map(|recipient| FailedRecipient {
                    recipient,
                    status: None,
                    reply_code: None,
                    diagnostic: format!("complaint: {feedback}"),
                    action: None,
                    class: BounceClass::Complaint,
                })
                .collect()
        }
        "Delivery" => {
            let delivery = json.get("delivery")?;
            let diagnostic = text(delivery, "smtpResponse").unwrap_or_default();
            recipients(delivery.get("recipients")?, |r| r.as_str().map(str::to_owned))
                .map(|recipient| FailedRecipient {
                    recipient,
                    status: scan::find_status(&diagnostic),
                    reply_code: scan::find_reply_code(&diagnostic),
                    diagnostic: diagnostic.clone(),
                    action: Some("delivered".to_owned()),
                    class: BounceClass::Delivered,
                })
                .collect()
        }
        _ => return None,
    };
    (!out.is_empty()).then_some(out)
}

fn recipients<'a>(list: &'a Value, get: impl Fn(&Value) -> Option<String> + 'a) -> impl Iterator<Item = String> + 'a {
    list.as_array().into_iter().flatten().filter_map(move |r| get(r).map(|a| a.to_ascii_lowercase()))
}
