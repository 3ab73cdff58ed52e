//! The providers' public sample payloads (`../shared/esp-samples/`, or the directory in
//! `GUESTMAIL_ESP_SAMPLES`; its README names each file's source) read as they are: which
//! events each becomes, with which ids, recipients and classes. What the events then do to
//! a store is `tests/esp_hooks.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use guestmail::domain::BounceClass;
use guestmail::store::{EspEffect, EspEvent, OpenKind};
use guestmail::tracker::hooks::{Taken, mailgun, postmark, sendgrid, ses};
use guestmail::tracker::response::Reply;
use serde_json::{Value, json};

fn dir() -> PathBuf {
    std::env::var_os("GUESTMAIL_ESP_SAMPLES")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/esp-samples"), PathBuf::from)
}

fn bytes(path: &str) -> Vec<u8> {
    let path = dir().join(path);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn value(path: &str) -> Value {
    serde_json::from_slice(&bytes(path)).unwrap()
}

fn events(taken: Result<Taken, Reply>) -> Vec<EspEvent> {
    match taken.expect("taken") {
        Taken::Events(e) => e,
        Taken::Nothing => Vec::new(),
    }
}

#[test]
fn ses_samples() {
    let bounce = ses::events(&value("ses/notification-bounce-with-dsn.json"), "sns-1").expect("bounce");
    assert_eq!(bounce.len(), 1);
    assert_eq!(bounce[0].key, "esp:ses:sns-1:0");
    assert_eq!(bounce[0].recipient, "jane@example.com");
    assert_eq!(bounce[0].links.message_id.as_deref(), Some("custom-message-ID"));
    assert_eq!(
        bounce[0].links.provider_id.as_deref(),
        Some("00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000")
    );
    assert!(matches!(bounce[0].effect, EspEffect::Report { class: BounceClass::Hard, .. }), "{bounce:?}");

    // The same notification inside its SNS envelope (the Message is a JSON string).
    let envelope = value("ses/sns-envelope-bounce-notification.json");
    let inner: Value = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
    let wrapped = ses::events(&inner, envelope["MessageId"].as_str().unwrap()).expect("wrapped");
    assert_eq!(wrapped[0].key, "esp:ses:19ba9823-d7f2-53c1-860e-cb10e0d13dfc:0");
    assert_eq!(wrapped[0].recipient, "jane@example.com");

    let complaint = ses::events(&value("ses/notification-complaint.json"), "sns-2").expect("complaint");
    assert_eq!(complaint[0].recipient, "richard@example.com");
    assert!(matches!(complaint[0].effect, EspEffect::Report { class: BounceClass::Complaint, .. }));

    let open = ses::events(&value("ses/event-open.json"), "sns-3").expect("open");
    assert!(
        matches!(&open[0].effect, EspEffect::Opened { user_agent: Some(ua), ip: Some(_), .. } if ua.contains("iPhone"))
    );
    let bounce = ses::events(&value("ses/event-bounce.json"), "sns-4").expect("event bounce");
    assert_eq!(bounce[0].recipient, "recipient@example.com");
    assert!(matches!(bounce[0].effect, EspEffect::Report { class: BounceClass::Hard, .. }));
}

#[test]
fn postmark_samples() {
    let one = |name: &str| {
        let mut e = events(postmark::take(&bytes(name)));
        assert_eq!(e.len(), 1, "{name}: {e:?}");
        e.remove(0)
    };
    let hard = one("postmark/bounce-hard.json");
    assert_eq!((hard.key.as_str(), hard.recipient.as_str()), ("esp:postmark:bounce:901542550", "bounce@example.com"));
    assert_eq!(hard.links.provider_id.as_deref(), Some("2706ee8a-737c-4285-b032-ccd317af53ed"));
    assert!(matches!(hard.effect, EspEffect::Report { class: BounceClass::Hard, .. }), "{hard:?}");
    // The older docs sample, without RecordType, and with no words to classify: still an error.
    let old = one("postmark/bounce-docs-sample.json");
    assert!(matches!(old.effect, EspEffect::Report { class: BounceClass::Soft | BounceClass::Hard, .. }), "{old:?}");
    let spam = one("postmark/spam-complaint.json");
    assert!(matches!(spam.effect, EspEffect::Report { class: BounceClass::Complaint, .. }));
    let proxy = one("postmark/open-gmail-proxy.json");
    assert!(
        matches!(&proxy.effect, EspEffect::Opened { verdict: Some(v), .. } if v.kind == OpenKind::Proxy),
        "{proxy:?}"
    );
    let direct = one("postmark/open-docs-sample.json");
    assert!(matches!(&direct.effect, EspEffect::Opened { verdict: None, ip: Some(_), .. }), "{direct:?}");
}

#[test]
fn mailgun_samples_signed_here() {
    let key = "key-test";
    let now = 2_000_000_000_000;
    let signed = |mut v: Value, timestamp: i64| {
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes());
        let ts = timestamp.to_string();
        let sig = hex::encode(ring::hmac::sign(&k, format!("{ts}tok123").as_bytes()).as_ref());
        v["signature"] = json!({"timestamp": ts, "token": "tok123", "signature": sig});
        serde_json::to_vec(&v).unwrap()
    };
    let take = |body: &[u8]| mailgun::take(key, body, now);
    let e = events(take(&signed(value("mailgun/failed-permanent-550.json"), now / 1000)));
    assert_eq!(e[0].links.message_id.as_deref(), Some("20180812214658.1.0DF563D0B3597700@example.org"));
    assert!(matches!(e[0].effect, EspEffect::Report { class: BounceClass::Hard, .. }), "{e:?}");
    let e = events(take(&signed(value("mailgun/failed-temporary.json"), now / 1000)));
    assert!(matches!(e[0].effect, EspEffect::Report { class: BounceClass::Delayed, .. }), "{e:?}");
    let e = events(take(&signed(value("mailgun/opened-docs-sample.json"), now / 1000)));
    assert_eq!(e[0].key, "esp:mailgun:Ase7i2zsRYeDXztHGENqRA");
    let e = events(take(&signed(value("mailgun/opened-anymail.json"), now / 1000)));
    assert!(matches!(&e[0].effect, EspEffect::Opened { verdict: None, .. }), "{e:?}");
    assert!(events(take(&signed(value("mailgun/failed-permanent-suppress-bounce.json"), now / 1000))).is_empty());
    // The samples' own signature blocks were made with another key.
    assert!(matches!(take(&bytes("mailgun/opened-docs-sample.json")), Err(Reply::Unauthorized)));
}

#[test]
fn sendgrid_samples() {
    let e = events(sendgrid::take(&bytes("sendgrid/bounce-blocked-open-docs.json")));
    assert_eq!(e.len(), 3);
    assert!(matches!(e[0].effect, EspEffect::Report { class: BounceClass::Hard, .. }), "{e:?}");
    assert!(matches!(e[1].effect, EspEffect::Report { class: BounceClass::Delayed, .. }), "blocked: {e:?}");
    assert!(matches!(e[2].effect, EspEffect::Opened { verdict: None, .. }));
    assert_eq!(e[0].links.message_id.as_deref(), Some("14c5d75ce93.dfd.64b469@ismtpd-555"));
    assert_eq!(e[0].links.provider_id.as_deref(), Some("14c5d75ce93.dfd.64b469"));
    let all = events(sendgrid::take(&bytes("sendgrid/events-all-types-docs.json")));
    let kinds: Vec<&str> = all
        .iter()
        .map(|e| match &e.effect {
            EspEffect::Report { class, .. } => class.as_str(),
            EspEffect::Delivered { .. } => "delivered",
            EspEffect::Opened { .. } => "open",
        })
        .collect();
    assert_eq!(kinds, ["delayed", "delivered", "open", "hard", "complaint"], "{all:?}");
}
