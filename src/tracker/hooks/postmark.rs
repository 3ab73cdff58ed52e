//! `POST /hooks/postmark`: one JSON object per request (basic authentication checked before,
//! in [`super::verify::basic_auth`]). `RecordType` `Bounce`, `SpamComplaint`, `Delivery` and `Open`
//! are taken (the older bounce and open samples without `RecordType` are recognised by their
//! fields); others (`Click`, `SubscriptionChange`, ...) are ignored.
//!
//! Tied to our email by Postmark's `MessageID`, the id Postmark's SMTP answered at
//! `250 Ok: queued as <id>`. Keys: a bounce's `ID`; a delivery's or an open's `MessageID`,
//! `RecordType` and time (Postmark gives those no id of their own).

use serde_json::Value;

use super::fields::{address, rfc3339_ms, text};
use super::rules::{Severity, bounce_class, reply_code_in, status_in};
use super::{Refusal, Taken, provider_verdict};
use crate::domain::BounceClass;
use crate::store::{EspEffect, EspEvent, EspLinks, OpenKind};
use crate::tracker::response::Reply;

/// Reads one Postmark request.
pub fn take(body: &[u8]) -> Result<Taken, Refusal> {
    let v: Value = serde_json::from_slice(body).map_err(|_| Reply::BadRequest)?;
    if !v.is_object() {
        return Err(Reply::BadRequest);
    }
    Ok(Taken::Events(event(&v)?.into_iter().collect()))
}

fn event(v: &Value) -> Result<Option<EspEvent>, Refusal> {
    let record = text(v, &["RecordType"]).or_else(|| {
        if v.get("BouncedAt").is_some() {
            Some("Bounce")
        } else if v.get("FirstOpen").is_some() {
            Some("Open")
        } else {
            None
        }
    });
    let Some(record) = record else { return Ok(None) };
    let provider_id = text(v, &["MessageID"]).map(str::to_owned);
    let links = EspLinks { token: None, message_id: None, provider_id: provider_id.clone() };
    let make = |key: String, recipient: &str, effect| EspEvent {
        key: format!("esp:postmark:{key}"),
        source: "postmark",
        recipient: address(recipient),
        links,
        effect,
    };
    let id = || match v.get("ID") {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    match record {
        "Bounce" | "SpamComplaint" => {
            let id = id().ok_or(Reply::BadRequest)?;
            let kind = text(v, &["Type"]).unwrap_or(record);
            let details = text(v, &["Details"]).or_else(|| text(v, &["Description"])).unwrap_or_default().to_owned();
            let status = status_in(&details);
            let reply_code = reply_code_in(&details);
            let effect = if kind == "SpamComplaint" {
                EspEffect::Report {
                    class: BounceClass::Complaint,
                    status: None,
                    reply_code: None,
                    action: None,
                    diagnostic: "complaint: abuse".to_owned(),
                }
            } else {
                {
                    let severity = match kind {
                        "HardBounce" | "BadEmailAddress" => Severity::Permanent,
                        "SoftBounce" | "Transient" | "DnsError" | "Blocked" => Severity::Transient,
                        // AutoResponder, SpamNotification, ManuallyDeactivated, Unsubscribe,
                        // ChallengeVerification, ...: not a failure of the guest's address.
                        _ => return Ok(None),
                    };
                    let class = bounce_class(severity, status.as_deref(), reply_code.as_deref(), &details);
                    let action = Some(if class == BounceClass::Delayed { "delayed" } else { "failed" }.to_owned());
                    EspEffect::Report { class, status, reply_code, action, diagnostic: details }
                }
            };
            Ok(Some(make(format!("bounce:{id}"), text(v, &["Email"]).unwrap_or_default(), effect)))
        }
        "Delivery" => {
            let when = text(v, &["DeliveredAt"]).ok_or(Reply::BadRequest)?;
            let at = rfc3339_ms(when).ok_or(Reply::BadRequest)?;
            let mid = provider_id.as_deref().ok_or(Reply::BadRequest)?;
            let detail = text(v, &["Details"]).unwrap_or_default().to_owned();
            let recipient = text(v, &["Recipient"]).unwrap_or_default();
            Ok(Some(make(format!("delivery:{mid}:{when}"), recipient, EspEffect::Delivered { at, detail })))
        }
        "Open" => {
            let when = text(v, &["ReceivedAt"]).ok_or(Reply::BadRequest)?;
            // Postmark's older samples give a time without a zone: UTC.
            let at = rfc3339_ms(when).or_else(|| rfc3339_ms(&format!("{when}Z"))).ok_or(Reply::BadRequest)?;
            let mid = provider_id.as_deref().ok_or(Reply::BadRequest)?;
            let ip = text(v, &["Geo", "IP"]).and_then(|ip| ip.parse().ok());
            let geo_empty = v.get("Geo").is_none_or(|g| g.as_object().is_none_or(serde_json::Map::is_empty));
            let verdict = (text(v, &["Client", "Name"]) == Some("Gmail") && geo_empty)
                .then(|| provider_verdict(OpenKind::Proxy, "postmark-gmail-proxy", "Gmail image proxy", Some("Gmail")));
            let user_agent = text(v, &["UserAgent"]).map(str::to_owned);
            let recipient = text(v, &["Recipient"]).unwrap_or_default();
            let effect = EspEffect::Opened { at, ip, user_agent, verdict };
            Ok(Some(make(format!("open:{mid}:{when}"), recipient, effect)))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_records_are_ignored_and_broken_bodies_refused() {
        assert!(matches!(take(br#"{"RecordType":"Click","MessageID":"x"}"#), Ok(Taken::Events(e)) if e.is_empty()));
        assert!(
            matches!(take(br#"{"RecordType":"Bounce","Type":"AutoResponder","ID":1}"#), Ok(Taken::Events(e)) if e.is_empty())
        );
        assert!(matches!(take(b"[1,2]"), Err(Reply::BadRequest)));
        assert!(matches!(take(b"{not json"), Err(Reply::BadRequest)));
        assert!(matches!(take(br#"{"RecordType":"Bounce","Type":"HardBounce"}"#), Err(Reply::BadRequest)));
    }
}
