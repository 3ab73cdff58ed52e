//! `POST /hooks/ses`: Amazon SES events through an SNS subscription. The SNS envelope is
//! checked first (signature, certificate, our topic: [`super::sns`]); a subscription
//! confirmation is answered by fetching its `SubscribeURL`; a notification's `Message` is the
//! SES event as a JSON string, in either dialect: classic notifications (`notificationType`)
//! or configuration-set events (`eventType`). Bounce, Complaint, Delivery and Open are taken;
//! other kinds (`Send`, `Reject`, `Click`, `DeliveryDelay`, ...) are ignored.
//!
//! Each recipient of an event is one store event keyed by the SNS `MessageId` (SNS redelivers
//! the same id), so a replay changes nothing. Tied to our email by our `X-Guestmail-Token` or
//! `Message-ID` in `mail.headers`/`mail.commonHeaders` (SES keeps our headers), else by SES's
//! own `mail.messageId` (the id SES answered at `250 Ok <id>`).

use serde_json::Value;

use super::fields::{address, message_id, rfc3339_ms, text};
use super::rules::{Severity, bounce_class, reply_code_in, status_in};
use super::settings::SesHook;
use super::sns::{self, CertCache, Envelope};
use super::{Refusal, Taken};
use crate::domain::BounceClass;
use crate::store::{EspEffect, EspEvent, EspLinks};
use crate::tracker::response::Reply;

/// A confirmation page is small.
const CONFIRM_MAX_BYTES: u64 = 64 * 1024;

/// Checks and reads one SNS request.
pub fn take(ses: &SesHook, certs: &CertCache, body: &[u8]) -> Result<Taken, Refusal> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|_| Reply::BadRequest)?;
    match sns::verify(&envelope, certs, &ses.extra_url_prefixes) {
        Ok(()) => {}
        Err(sns::Failure::Bad(why)) => {
            tracing::warn!(why, "SNS message refused");
            return Err(Reply::Unauthorized);
        }
        Err(sns::Failure::Fetch(why)) => {
            tracing::warn!(why, "SNS signing certificate unavailable");
            return Err(Reply::Unavailable);
        }
    }
    if !ses.topics.contains(&envelope.topic_arn) {
        tracing::warn!(topic = %envelope.topic_arn, "SNS message of a topic not in hook_ses_topics");
        return Err(Reply::Forbidden);
    }
    match envelope.kind.as_str() {
        "SubscriptionConfirmation" => {
            let url = envelope.subscribe_url.as_deref().unwrap_or_default();
            if !sns::allowed_url(url, &ses.extra_url_prefixes) {
                return Err(Reply::Forbidden);
            }
            match sns::get(url, CONFIRM_MAX_BYTES) {
                Ok(_) => {
                    tracing::info!(topic = %envelope.topic_arn, "SNS subscription confirmed");
                    Ok(Taken::Nothing)
                }
                Err(why) => {
                    tracing::warn!(why, "SNS subscription not confirmed");
                    Err(Reply::Unavailable)
                }
            }
        }
        "Notification" => match serde_json::from_str::<Value>(&envelope.message) {
            Ok(message) => Ok(Taken::Events(events(&message, &envelope.message_id)?)),
            // SES's own notice when a topic is set up is plain text: nothing to take.
            Err(_) => Ok(Taken::Nothing),
        },
        _ => Ok(Taken::Nothing),
    }
}

/// The header `name` in `mail.headers` ([{name, value}]).
fn header<'v>(mail: &'v Value, name: &str) -> Option<&'v str> {
    mail.get("headers")?
        .as_array()?
        .iter()
        .find(|h| h.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .and_then(|h| text(h, &["value"]))
}

/// The store events of one SES event; empty for kinds guestmail does not use.
pub fn events(message: &Value, sns_id: &str) -> Result<Vec<EspEvent>, Refusal> {
    let Some(kind) = text(message, &["notificationType"]).or_else(|| text(message, &["eventType"])) else {
        return Ok(Vec::new());
    };
    let mail = message.get("mail").ok_or(Reply::BadRequest)?;
    let links = EspLinks {
        token: header(mail, "X-Guestmail-Token").map(str::to_owned),
        message_id: header(mail, "Message-ID")
            .or_else(|| text(mail, &["commonHeaders", "messageId"]))
            .and_then(message_id),
        provider_id: text(mail, &["messageId"]).map(str::to_owned),
    };
    let event = |i: usize, recipient: &str, effect: EspEffect| EspEvent {
        key: format!("esp:ses:{sns_id}:{i}"),
        source: "ses",
        recipient: address(recipient),
        links: links.clone(),
        effect,
    };
    let list = |v: &Value, path: &[&str]| -> Result<Vec<Value>, Refusal> {
        let mut at = v;
        for key in path {
            at = at.get(key).ok_or(Reply::BadRequest)?;
        }
        at.as_array().cloned().ok_or(Reply::BadRequest)
    };
    let out = match kind {
        "Bounce" => {
            let severity = match text(message, &["bounce", "bounceType"]) {
                Some("Permanent") => Severity::Permanent,
                Some("Transient") => Severity::Transient,
                _ => Severity::Undetermined,
            };
            list(message, &["bounce", "bouncedRecipients"])?
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let diagnostic = text(r, &["diagnosticCode"]).unwrap_or_default().to_owned();
                    let status = text(r, &["status"]).map(str::to_owned).or_else(|| status_in(&diagnostic));
                    let reply_code = reply_code_in(&diagnostic);
                    let class = bounce_class(severity, status.as_deref(), reply_code.as_deref(), &diagnostic);
                    let action = Some(if class == BounceClass::Delayed { "delayed" } else { "failed" }.to_owned());
                    let effect = EspEffect::Report { class, status, reply_code, action, diagnostic };
                    event(i, text(r, &["emailAddress"]).unwrap_or_default(), effect)
                })
                .collect()
        }
        "Complaint" => {
            let feedback = text(message, &["complaint", "complaintFeedbackType"]).unwrap_or("abuse");
            list(message, &["complaint", "complainedRecipients"])?
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let effect = EspEffect::Report {
                        class: BounceClass::Complaint,
                        status: None,
                        reply_code: None,
                        action: None,
                        diagnostic: format!("complaint: {feedback}"),
                    };
                    event(i, text(r, &["emailAddress"]).unwrap_or_default(), effect)
                })
                .collect()
        }
        "Delivery" => {
            let at = text(message, &["delivery", "timestamp"]).and_then(rfc3339_ms).ok_or(Reply::BadRequest)?;
            let detail = text(message, &["delivery", "smtpResponse"]).unwrap_or_default().to_owned();
            list(message, &["delivery", "recipients"])?
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.as_str().map(|r| (i, r)))
                .map(|(i, r)| event(i, r, EspEffect::Delivered { at, detail: detail.clone() }))
                .collect()
        }
        "Open" => {
            let at = text(message, &["open", "timestamp"]).and_then(rfc3339_ms).ok_or(Reply::BadRequest)?;
            let ip = text(message, &["open", "ipAddress"]).and_then(|ip| ip.parse().ok());
            let user_agent = text(message, &["open", "userAgent"]).map(str::to_owned);
            let recipient =
                list(mail, &["destination"])?.first().and_then(Value::as_str).unwrap_or_default().to_owned();
            vec![event(0, &recipient, EspEffect::Opened { at, ip, user_agent, verdict: None })]
        }
        _ => Vec::new(),
    };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_kinds_are_nothing_and_broken_ones_are_refused() {
        let send = serde_json::json!({"eventType": "Send", "mail": {}});
        assert_eq!(events(&send, "x").expect("ignored"), Vec::new());
        let broken = serde_json::json!({"eventType": "Bounce", "mail": {}, "bounce": {}});
        assert_eq!(events(&broken, "x"), Err(Reply::BadRequest));
        let no_mail = serde_json::json!({"notificationType": "Bounce"});
        assert_eq!(events(&no_mail, "x"), Err(Reply::BadRequest));
    }
}
