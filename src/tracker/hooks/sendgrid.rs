//! `POST /hooks/sendgrid`: SendGrid's Signed Event Webhook, a JSON array of events (the
//! signature checked before, in [`super::verify::sendgrid`]). Events `bounce` (`type`
//! `bounce` is permanent, `blocked` temporary), `deferred` (temporary), `spamreport`,
//! `delivered` and `open` (`sg_machine_open: true` is Apple's privacy prefetch: a machine)
//! are taken; others (processed, click, unsubscribe, group_*, and `dropped`, SendGrid's own
//! suppression of an address refused before) are ignored.
//!
//! Tied to our email by `smtp-id` (our Message-ID, which SendGrid keeps) or `sg_message_id`
//! (SendGrid's id: its part before `.filter` is the one SendGrid's SMTP answered at `250 Ok:
//! queued as <id>`). Key: `sg_event_id`.

use serde_json::Value;

use super::fields::{address, message_id, text, unix_ms};
use super::rules::{Severity, bounce_class, reply_code_in, status_in};
use super::{Refusal, Taken, provider_verdict};
use crate::domain::BounceClass;
use crate::store::{EspEffect, EspEvent, EspLinks, OpenKind};
use crate::tracker::response::Reply;

/// Reads one SendGrid request.
pub fn take(body: &[u8]) -> Result<Taken, Refusal> {
    let v: Value = serde_json::from_slice(body).map_err(|_| Reply::BadRequest)?;
    let list = v.as_array().ok_or(Reply::BadRequest)?;
    let mut out = Vec::with_capacity(list.len());
    for item in list {
        if !item.is_object() {
            return Err(Reply::BadRequest);
        }
        if let Some(e) = event(item)? {
            out.push(e);
        }
    }
    Ok(Taken::Events(out))
}

fn event(e: &Value) -> Result<Option<EspEvent>, Refusal> {
    let kind = text(e, &["event"]).ok_or(Reply::BadRequest)?;
    let taken = matches!(kind, "bounce" | "deferred" | "spamreport" | "delivered" | "open");
    if !taken {
        return Ok(None);
    }
    let id = text(e, &["sg_event_id"]).ok_or(Reply::BadRequest)?;
    let at = unix_ms(e.get("timestamp")).ok_or(Reply::BadRequest)?;
    let links = EspLinks {
        token: text(e, &["guestmail_token"]).map(str::to_owned),
        message_id: text(e, &["smtp-id"]).and_then(message_id),
        provider_id: text(e, &["sg_message_id"]).map(|id| id.split(".filter").next().unwrap_or(id).to_owned()),
    };
    let report = |severity: Severity, words: &str| {
        let diagnostic = words.to_owned();
        let status = text(e, &["status"]).map(str::to_owned).or_else(|| status_in(&diagnostic));
        let reply_code = reply_code_in(&diagnostic);
        let class = bounce_class(severity, status.as_deref(), reply_code.as_deref(), &diagnostic);
        let action = Some(if class == BounceClass::Delayed { "delayed" } else { "failed" }.to_owned());
        EspEffect::Report { class, status, reply_code, action, diagnostic }
    };
    let effect = match kind {
        "bounce" => {
            let severity =
                if text(e, &["type"]) == Some("blocked") { Severity::Transient } else { Severity::Permanent };
            report(severity, text(e, &["reason"]).unwrap_or_default())
        }
        "deferred" => report(Severity::Transient, text(e, &["response"]).unwrap_or_default()),
        "spamreport" => EspEffect::Report {
            class: BounceClass::Complaint,
            status: None,
            reply_code: None,
            action: None,
            diagnostic: "complaint: spam report".to_owned(),
        },
        "delivered" => EspEffect::Delivered { at, detail: text(e, &["response"]).unwrap_or_default().to_owned() },
        _ => {
            let machine = e.get("sg_machine_open").and_then(Value::as_bool) == Some(true);
            EspEffect::Opened {
                at,
                ip: text(e, &["ip"]).and_then(|ip| ip.parse().ok()),
                user_agent: text(e, &["useragent"]).map(str::to_owned),
                verdict: machine.then(|| {
                    provider_verdict(
                        OpenKind::Machine,
                        "sendgrid-machine-open",
                        "machine (SendGrid: machine open)",
                        None,
                    )
                }),
            }
        }
    };
    Ok(Some(EspEvent {
        key: format!("esp:sendgrid:{id}"),
        source: "sendgrid",
        recipient: address(text(e, &["email"]).unwrap_or_default()),
        links,
        effect,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(body: &[u8]) -> Vec<EspEvent> {
        match take(body).expect("taken") {
            Taken::Events(e) => e,
            Taken::Nothing => Vec::new(),
        }
    }

    #[test]
    fn machine_opens_and_broken_bodies() {
        let body =
            br#"[{"event":"open","sg_event_id":"e1","timestamp":2000000000,"email":"a@b.c","sg_machine_open":true}]"#;
        assert!(
            matches!(&events(body)[0].effect, EspEffect::Opened { verdict: Some(v), .. } if v.kind == OpenKind::Machine)
        );
        assert!(matches!(take(br#"{"event":"open"}"#), Err(Reply::BadRequest)));
        assert!(matches!(take(br#"[{"event":"open","timestamp":1}]"#), Err(Reply::BadRequest)));
        assert!(matches!(take(br"[1]"), Err(Reply::BadRequest)));
        assert!(events(br#"[{"event":"processed"},{"event":"click"}]"#).is_empty());
    }
}
