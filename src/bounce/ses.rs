//! Amazon SES notifications forwarded as mail: a JSON body with a `notificationType` (or
//! `eventType`) of Bounce, Complaint or Delivery. SNS sometimes wraps long lines inside the
//! JSON, so each field is read on its own with a streaming reader that stops after one value
//! instead of requiring the whole body to be valid JSON.

use serde_json::Value;

use super::mime::Doc;
use super::{FailedRecipient, classify, scan};
use crate::domain::BounceClass;

/// The first JSON value after `"name":` in `text`.
fn field(text: &str, name: &str) -> Option<Value> {
    let key = format!("\"{name}\"");
    let at = text.find(&key)? + key.len();
    let rest = text[at..].trim_start().strip_prefix(':')?;
    serde_json::Deserializer::from_str(rest).into_iter::<Value>().next()?.ok()
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

pub(crate) fn parse(doc: &Doc) -> Option<Vec<FailedRecipient>> {
    // Undo the line wrapping mail gateways apply to the one long JSON line.
    let mut body = doc.body_text().replace("!\n ", "").replace("\n ", "");
    if body.contains("\\\"notificationType\\\"") {
        // An SNS envelope: the notification is a JSON string in its `Message` field.
        let inner = field(&body, "Message")?;
        inner.as_str()?.clone_into(&mut body);
    }
    if !body.contains("\"notificationType\"") && !body.contains("\"eventType\"") {
        return None;
    }
    let kind = field(&body, "notificationType").or_else(|| field(&body, "eventType"))?;
    let out: Vec<FailedRecipient> = match kind.as_str()? {
        "Bounce" => field(&body, "bouncedRecipients")?
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
            .collect(),
        "Complaint" => {
            let feedback = field(&body, "complaintFeedbackType").and_then(|v| v.as_str().map(str::to_owned));
            let diagnostic = format!("complaint: {}", feedback.as_deref().unwrap_or("abuse"));
            field(&body, "complainedRecipients")?
                .as_array()?
                .iter()
                .filter_map(|r| text(r, "emailAddress"))
                .map(|recipient| FailedRecipient {
                    recipient: recipient.to_ascii_lowercase(),
                    status: None,
                    reply_code: None,
                    diagnostic: diagnostic.clone(),
                    action: None,
                    class: BounceClass::Complaint,
                })
                .collect()
        }
        "Delivery" => {
            let diagnostic =
                field(&body, "smtpResponse").and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            field(&body, "recipients")?
                .as_array()?
                .iter()
                .filter_map(|r| r.as_str())
                .map(|recipient| FailedRecipient {
                    recipient: recipient.to_ascii_lowercase(),
                    status: scan::find_status(&diagnostic),
                    reply_code: None,
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
