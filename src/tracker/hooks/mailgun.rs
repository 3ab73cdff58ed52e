//! `POST /hooks/mailgun`: `{"signature": {timestamp, token, signature}, "event-data": {..}}`.
//! The signature is the hex HMAC-SHA256 of timestamp and token under the webhook signing key;
//! a timestamp more than [`MAX_SKEW_MS`] away from our clock is refused as a replay. Events
//! `failed` (with `severity` permanent or temporary), `complained`, `delivered` and `opened`
//! are taken; others (accepted, clicked, unsubscribed, ...) are ignored, and so is a failure
//! Mailgun did not even try (`reason: suppress-*`: the address was refused before, and
//! counted then).
//!
//! Tied to our email by our Message-ID, which Mailgun keeps (`message.headers.message-id`).
//! Key: `event-data.id` (the signature's token when an event has none).

use serde_json::Value;

use super::fields::{address, message_id, text, unix_ms};
use super::rules::{Severity, bounce_class, status_in};
use super::{Refusal, Taken, provider_verdict};
use crate::domain::BounceClass;
use crate::store::{EspEffect, EspEvent, EspLinks, OpenKind};
use crate::tracker::response::Reply;

/// How far a signature's timestamp may be from our clock.
pub const MAX_SKEW_MS: i64 = 15 * 60 * 1000;

/// Checks and reads one Mailgun request; `now` is our clock (UTC ms).
pub fn take(key: &str, body: &[u8], now: i64) -> Result<Taken, Refusal> {
    let v: Value = serde_json::from_slice(body).map_err(|_| Reply::BadRequest)?;
    let (Some(timestamp), Some(token), Some(signature)) = (
        text(&v, &["signature", "timestamp"]),
        text(&v, &["signature", "token"]),
        text(&v, &["signature", "signature"]),
    ) else {
        return Err(Reply::Unauthorized);
    };
    if !super::verify::mailgun(key, timestamp, token, signature) {
        return Err(Reply::Unauthorized);
    }
    let signed_at = timestamp.parse::<i64>().map_err(|_| Reply::Unauthorized)?.saturating_mul(1000);
    if (now - signed_at).abs() > MAX_SKEW_MS {
        tracing::warn!(skew_s = (now - signed_at) / 1000, "Mailgun signature too old or in the future");
        return Err(Reply::Unauthorized);
    }
    let data = v.get("event-data").filter(|d| d.is_object()).ok_or(Reply::BadRequest)?;
    Ok(Taken::Events(event(data, token)?.into_iter().collect()))
}

fn event(d: &Value, token: &str) -> Result<Option<EspEvent>, Refusal> {
    let kind = text(d, &["event"]).ok_or(Reply::BadRequest)?;
    let id = text(d, &["id"]).map_or_else(|| format!("token:{token}"), str::to_owned);
    let links = EspLinks {
        token: text(d, &["user-variables", "guestmail-token"]).map(str::to_owned),
        message_id: text(d, &["message", "headers", "message-id"]).and_then(message_id),
        provider_id: None,
    };
    let recipient = address(text(d, &["recipient"]).unwrap_or_default());
    let at = unix_ms(d.get("timestamp"));
    let effect = match kind {
        "failed" => {
            let reason = text(d, &["reason"]).unwrap_or_default();
            if reason.starts_with("suppress-") {
                return Ok(None);
            }
            let severity = match text(d, &["severity"]) {
                Some("permanent") => Severity::Permanent,
                _ => Severity::Transient,
            };
            let status_text = text(d, &["delivery-status", "message"])
                .or_else(|| text(d, &["delivery-status", "description"]))
                .unwrap_or_default();
            let diagnostic = status_text.split_whitespace().collect::<Vec<_>>().join(" ");
            let status =
                text(d, &["delivery-status", "enhanced-code"]).map(str::to_owned).or_else(|| status_in(&diagnostic));
            let reply_code = match d.get("delivery-status").and_then(|s| s.get("code")) {
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                _ => None,
            };
            let class = bounce_class(severity, status.as_deref(), reply_code.as_deref(), &diagnostic);
            let action = Some(if class == BounceClass::Delayed { "delayed" } else { "failed" }.to_owned());
            EspEffect::Report { class, status, reply_code, action, diagnostic }
        }
        "complained" => EspEffect::Report {
            class: BounceClass::Complaint,
            status: None,
            reply_code: None,
            action: None,
            diagnostic: "complaint: abuse".to_owned(),
        },
        "delivered" => EspEffect::Delivered {
            at: at.ok_or(Reply::BadRequest)?,
            detail: text(d, &["delivery-status", "message"]).unwrap_or_default().to_owned(),
        },
        "opened" => {
            let bot = text(d, &["client-info", "bot"]).is_some()
                || d.get("client-info").and_then(|c| c.get("bot")).and_then(Value::as_bool) == Some(true);
            EspEffect::Opened {
                at: at.ok_or(Reply::BadRequest)?,
                ip: text(d, &["ip"]).and_then(|ip| ip.parse().ok()),
                user_agent: text(d, &["client-info", "user-agent"]).map(str::to_owned),
                verdict: bot
                    .then(|| provider_verdict(OpenKind::Machine, "mailgun-bot", "machine (Mailgun: bot)", None)),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(EspEvent { key: format!("esp:mailgun:{id}"), source: "mailgun", recipient, links, effect }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "key-test";

    fn signed(event: &Value, timestamp: i64, key: &str) -> Vec<u8> {
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes());
        let ts = timestamp.to_string();
        let sig = hex::encode(ring::hmac::sign(&k, format!("{ts}tok123").as_bytes()).as_ref());
        let mut v = event.clone();
        v["signature"] = serde_json::json!({"timestamp": ts, "token": "tok123", "signature": sig});
        serde_json::to_vec(&v).expect("json")
    }

    fn failed(severity: &str) -> Value {
        serde_json::json!({"event-data": {
            "id": "e1", "event": "failed", "severity": severity, "reason": "bounce", "recipient": "Ada@Example.org",
            "timestamp": 2_000_000_000.5,
            "message": {"headers": {"message-id": "abc@mail.example"}},
            "delivery-status": {"code": 550, "message": "5.1.1 The email account that you tried to reach does not exist"}
        }})
    }

    #[test]
    fn signatures_times_and_severities() {
        let now = 2_000_000_000_000;
        let take_events = |body: &[u8], now| {
            take(KEY, body, now).map(|t| match t {
                Taken::Events(e) => e,
                Taken::Nothing => Vec::new(),
            })
        };
        let e = take_events(&signed(&failed("permanent"), now / 1000, KEY), now).expect("permanent");
        assert_eq!((e[0].key.as_str(), e[0].recipient.as_str()), ("esp:mailgun:e1", "ada@example.org"));
        assert_eq!(e[0].links.message_id.as_deref(), Some("abc@mail.example"));
        assert!(matches!(e[0].effect, EspEffect::Report { class: BounceClass::Hard, .. }), "{e:?}");
        let e = take_events(&signed(&failed("temporary"), now / 1000, KEY), now).expect("temporary");
        assert!(matches!(e[0].effect, EspEffect::Report { class: BounceClass::Delayed, .. }), "{e:?}");
        // 16 minutes off either way, or another key: refused.
        let stale = signed(&failed("permanent"), now / 1000 - 16 * 60, KEY);
        assert_eq!(take_events(&stale, now), Err(Reply::Unauthorized));
        let future = signed(&failed("permanent"), now / 1000 + 16 * 60, KEY);
        assert_eq!(take_events(&future, now), Err(Reply::Unauthorized));
        let forged = signed(&failed("permanent"), now / 1000, "another-key");
        assert_eq!(take_events(&forged, now), Err(Reply::Unauthorized));
        assert_eq!(take_events(b"{", now), Err(Reply::BadRequest));
        let mut suppressed = failed("permanent");
        suppressed["event-data"]["reason"] = serde_json::json!("suppress-bounce");
        assert!(take_events(&signed(&suppressed, now / 1000, KEY), now).expect("ignored").is_empty());
    }
}
