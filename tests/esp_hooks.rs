//! Issue 13, ESP events: the providers' hooks on the tracking endpoint over real HTTP, with a
//! real SQLite file whose emails went out through a real SMTP dialogue on loopback (the
//! server answers each final `.` with a provider's own id, as SES does, and the worker keeps
//! it). The providers' public sample payloads (`../shared/esp-samples/`) are rewritten at test
//! time to name this store's emails, then signed as each provider signs: SNS with a throwaway
//! RSA key whose certificate a loopback HTTP server serves (`tests/fixtures/sns/`), SendGrid
//! with a P-256 key made here, Mailgun with an HMAC key, Postmark with basic authentication.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::faulty_smtp as faulty;
use support::outbox_env as env;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use env::{Env, booking, flush};
use faulty::{FaultySmtp, Script};
use guestmail::config::Config;
use guestmail::domain::{EventKind, Language, MessageState};
use guestmail::store::{LogEntry, OpenKind, Store, now_ms};
use guestmail::tracker::{Tracker, TrackerOptions};
use ring::signature::{self, KeyPair as _};
use serde_json::{Value, json};

const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:ses-events";
const POSTMARK_USER: &str = "postmark-hook";
const POSTMARK_PASSWORD: &str = "pm-s3cret-pass";
const MAILGUN_KEY: &str = "key-mailgun-signing-0123456789";
const IPHONE: &str =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X) AppleWebKit/603.3.8 (KHTML, like Gecko) Mobile/14G60";

/// A loopback HTTP server standing in for SNS: serves the signing certificate at
/// `/cert.pem`, answers anything else 200, and remembers every path asked.
struct SnsStandIn {
    addr: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
}

impl SnsStandIn {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&asked);
        let cert = std::fs::read(fixture("cert.pem")).unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
                seen.lock().unwrap().push(path.clone());
                let body = if path == "/cert.pem" { cert.clone() } else { b"<ConfirmSubscriptionResponse/>".to_vec() };
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        SnsStandIn { addr, asked }
    }

    fn prefix(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sns").join(name)
}

fn sample(path: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/esp-samples").join(path);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// One of the store's emails, as a provider would name it.
#[derive(Debug, Clone)]
struct Email {
    id: i64,
    to: String,
    /// Our Message-ID without angle brackets.
    mid: String,
    /// The id the SMTP server answered with.
    provider_id: String,
    /// Our `X-Guestmail-Token`.
    token: String,
}

/// A venue whose emails went out through a provider, with every hook enabled.
struct Venue {
    env: Env,
    _smtp: FaultySmtp,
    sns: SnsStandIn,
    tracker: Tracker,
    emails: Vec<Email>,
    rsa: signature::RsaKeyPair,
    ecdsa: signature::EcdsaKeyPair,
}

fn owner_only(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// The hook keys of the config, for this venue's secrets and stand-in.
fn hook_config(dir: &Path, sns: &SnsStandIn, sendgrid_key: &str) -> String {
    let pm = dir.join("postmark-password");
    owner_only(&pm, POSTMARK_PASSWORD);
    let mg = dir.join("mailgun-key");
    owner_only(&mg, MAILGUN_KEY);
    format!(
        "hook_ses_topics = [\"{TOPIC}\"]\nhook_ses_cert_url_prefixes = [\"{}\"]\n\
         hook_postmark_user = \"{POSTMARK_USER}\"\nhook_postmark_password_file = \"{}\"\n\
         hook_mailgun_key_file = \"{}\"\nhook_sendgrid_public_key = \"{sendgrid_key}\"\n",
        sns.prefix(),
        pm.display(),
        mg.display()
    )
}

impl Venue {
    /// `n` guests, each with one email sent through the provider.
    fn new(n: usize) -> Self {
        let smtp = FaultySmtp::start(Script::AcceptAs("250 Ok 0100018c5e5e3d7a-{n}-5f1b2c3d-000000".into()));
        let mut env = Env::new(Some(&smtp.url(None)));
        let mut store = env.store();
        let rids: Vec<i64> = (0..n)
            .map(|i| {
                let to = format!("guest{i}@example.org");
                store.create_reservation(&booking("G", &to, Language::En, "2037-11-28 19:30", 2)).unwrap()
            })
            .collect();
        let summary = flush(&mut env.worker());
        assert_eq!(summary.sent as usize, n, "{summary:?}");
        let emails = rids
            .into_iter()
            .map(|rid| {
                let m = store.messages_for_reservation(rid).unwrap().remove(0);
                assert_eq!(m.state, MessageState::Sent);
                let provider_id = store.provider_id(m.id).unwrap().expect("the id from the server's 250 is kept");
                // Sent an hour ago, so an open now is not the prefetch of a delivery.
                store.fixture_mark_sent(m.id, now_ms() - 3_600_000).unwrap();
                let mid = m.message_id.trim_matches(['<', '>']).to_owned();
                Email { id: m.id, to: m.recipient, mid, provider_id, token: m.token }
            })
            .collect();
        let rng = ring::rand::SystemRandom::new();
        let rsa = signature::RsaKeyPair::from_pkcs8(&std::fs::read(fixture("key.pk8")).unwrap()).unwrap();
        let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let ecdsa =
            signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
                .unwrap();
        let sendgrid_key = guestmail::tracker::hooks::verify::sendgrid_key_text(ecdsa.public_key().as_ref());
        let sns = SnsStandIn::start();
        let text =
            format!("{}{}", env::config_text(Some(&smtp.url(None))), hook_config(env.dir.path(), &sns, &sendgrid_key));
        env.config = Config::parse(&text, Path::new("test.toml")).unwrap();
        let options = TrackerOptions::from_config(&env.config).unwrap();
        let tracker = Tracker::start("127.0.0.1:0", &env.db, options).unwrap();
        Venue { env, _smtp: smtp, sns, tracker, emails, rsa, ecdsa }
    }

    fn store(&self) -> Store {
        self.env.store()
    }

    fn post(&self, path: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, String) {
        post(self.tracker.local_addr(), path, headers, body)
    }

    /// An SNS envelope of `kind` around `message`, signed with version 2 (RSA-SHA256).
    fn sns_envelope(&self, kind: &str, message: &str, sns_id: &str, extra: &[(&str, &str)]) -> Value {
        let mut e = json!({
            "Type": kind,
            "MessageId": sns_id,
            "TopicArn": TOPIC,
            "Message": message,
            "Timestamp": "2037-11-28T19:02:00.000Z",
            "SignatureVersion": "2",
            "SigningCertURL": format!("{}cert.pem", self.sns.prefix()),
        });
        if kind == "Notification" {
            e["Subject"] = json!("Amazon SES Email Event Notification");
        }
        for (k, v) in extra {
            e[*k] = json!(v);
        }
        let order: &[&str] = if kind == "Notification" {
            &["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
        } else {
            &["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
        };
        let signed: String = order.iter().flat_map(|k| [*k, "\n", e[*k].as_str().unwrap(), "\n"]).collect();
        let mut sig = vec![0; self.rsa.public().modulus_len()];
        self.rsa
            .sign(&signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signed.as_bytes(), &mut sig)
            .unwrap();
        e["Signature"] = json!(B64.encode(sig));
        e
    }

    fn post_ses(&self, envelope: &Value) -> (u16, String) {
        self.post("/hooks/ses", &[("x-amz-sns-message-type", "Notification".into())], envelope.to_string().as_bytes())
    }

    fn sendgrid_headers(&self, body: &[u8]) -> Vec<(&'static str, String)> {
        let timestamp = (now_ms() / 1000).to_string();
        let sig = self.ecdsa.sign(&ring::rand::SystemRandom::new(), &[timestamp.as_bytes(), body].concat()).unwrap();
        vec![
            ("X-Twilio-Email-Event-Webhook-Signature", B64.encode(sig.as_ref())),
            ("X-Twilio-Email-Event-Webhook-Timestamp", timestamp),
        ]
    }

    fn postmark_auth() -> Vec<(&'static str, String)> {
        vec![("Authorization", format!("Basic {}", B64.encode(format!("{POSTMARK_USER}:{POSTMARK_PASSWORD}"))))]
    }

    fn errors(&self, email: &Email) -> (u32, bool) {
        self.store().address(&email.to).unwrap().map_or((0, false), |a| (a.error_count, a.blocked))
    }
}

fn post(addr: SocketAddr, path: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let extra = header_lines(headers);
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: hooks.test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    answer(stream)
}

fn header_lines(headers: &[(&str, String)]) -> String {
    headers.iter().flat_map(|(k, v)| [*k, ": ", v.as_str(), "\r\n"]).collect()
}

fn answer(mut stream: TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// The classic SES bounce sample, about `email`, with `bounce_type` and `status`.
fn ses_bounce(email: &Email, bounce_type: &str, status: &str, diagnostic: &str) -> String {
    let mut m = sample("ses/notification-bounce-with-dsn.json");
    m["bounce"]["bounceType"] = json!(bounce_type);
    m["bounce"]["bouncedRecipients"] =
        json!([{"emailAddress": email.to, "status": status, "action": "failed", "diagnosticCode": diagnostic}]);
    name_email(&mut m, email);
    m.to_string()
}

/// Points a SES sample's `mail` at `email`: our Message-ID in the headers, SES's own id.
fn name_email(m: &mut Value, email: &Email) {
    m["mail"]["messageId"] = json!(email.provider_id);
    m["mail"]["destination"] = json!([email.to]);
    m["mail"]["commonHeaders"]["messageId"] = json!(format!("<{}>", email.mid));
    m["mail"]["commonHeaders"]["to"] = json!([email.to]);
    if let Some(headers) = m["mail"]["headers"].as_array_mut() {
        headers.retain(|h| h["name"] != "To" && h["name"] != "Message-ID");
        headers.push(json!({"name": "Message-ID", "value": format!("<{}>", email.mid)}));
        headers.push(json!({"name": "To", "value": email.to}));
    }
}

fn log_has_delivery(store: &Store, id: i64) -> Option<String> {
    store.message_log(id).unwrap().into_iter().find_map(|l| match l.entry {
        LogEntry::Event { kind: EventKind::Delivered, detail, .. } => Some(detail),
        _ => None,
    })
}

#[test]
fn ses_permanent_bounce_counts_once_and_shows_in_the_history() {
    let v = Venue::new(1);
    let e = &v.emails[0];
    let body = ses_bounce(e, "Permanent", "5.1.1", "smtp; 550 5.1.1 user unknown");
    let envelope = v.sns_envelope("Notification", &body, "sns-bounce-1", &[]);
    assert_eq!(v.post_ses(&envelope).0, 200);
    let store = v.store();
    assert_eq!(store.message(e.id).unwrap().state, MessageState::Bounced);
    assert_eq!(v.errors(e), (1, false));
    let log = store.message_log(e.id).unwrap();
    assert!(
        log.iter().any(|l| matches!(&l.entry, LogEntry::Bounce { class, status, .. } if class == "hard" && status.as_deref() == Some("5.1.1"))),
        "{log:?}"
    );
    // SNS delivers the same message again: nothing changes.
    assert_eq!(v.post_ses(&envelope).0, 200);
    assert_eq!(v.errors(e), (1, false), "a replay counts nothing");
    assert_eq!(v.store().bounces_for_message(e.id).unwrap().len(), 1);
    assert_eq!(v.store().message_log(e.id).unwrap().len(), log.len());
}

#[test]
fn ses_transient_bounce_is_not_an_error_but_an_invalid_domain_is() {
    let v = Venue::new(2);
    let (full, nodomain) = (&v.emails[0], &v.emails[1]);
    let body = ses_bounce(full, "Transient", "4.2.2", "smtp; 452 4.2.2 mailbox full");
    assert_eq!(v.post_ses(&v.sns_envelope("Notification", &body, "sns-t-1", &[])).0, 200);
    assert_eq!(v.errors(full), (0, false));
    assert_eq!(v.store().message(full.id).unwrap().state, MessageState::Sent);
    let kept = v.store().bounces_for_message(full.id).unwrap();
    assert_eq!(kept.iter().map(|b| b.class.as_str()).collect::<Vec<_>>(), ["delayed"], "kept, counted on nobody");
    // SES's Transient with 5.4.4 "invalid domain": the hard bounce it is.
    let body = ses_bounce(nodomain, "Transient", "5.4.4", "smtp; 550 5.4.4 Invalid domain");
    assert_eq!(v.post_ses(&v.sns_envelope("Notification", &body, "sns-t-2", &[])).0, 200);
    assert_eq!(v.errors(nodomain), (1, false));
}

#[test]
fn ses_complaint_blocks_the_address() {
    let v = Venue::new(1);
    let e = &v.emails[0];
    let mut m = sample("ses/notification-complaint.json");
    m["complaint"]["complainedRecipients"] = json!([{"emailAddress": e.to}]);
    name_email(&mut m, e);
    assert_eq!(v.post_ses(&v.sns_envelope("Notification", &m.to_string(), "sns-c-1", &[])).0, 200);
    assert_eq!(v.errors(e), (1, true));
    let events = v.store().events_for_message(e.id).unwrap();
    assert!(events.iter().any(|ev| ev.kind == EventKind::Complaint), "{events:?}");
}

#[test]
fn ses_delivery_shows_in_the_history() {
    let v = Venue::new(1);
    let e = &v.emails[0];
    let mut m = sample("ses/event-bounce.json");
    m["eventType"] = json!("Delivery");
    m["delivery"] = json!({
        "timestamp": "2037-11-28T18:02:00.000Z",
        "recipients": [e.to],
        "smtpResponse": "250 2.6.0 Message received",
        "processingTimeMillis": 546,
        "reportingMTA": "a8-70.smtp-out.amazonses.com"
    });
    name_email(&mut m, e);
    assert_eq!(v.post_ses(&v.sns_envelope("Notification", &m.to_string(), "sns-d-1", &[])).0, 200);
    let store = v.store();
    assert_eq!(log_has_delivery(&store, e.id).as_deref(), Some("250 2.6.0 Message received"));
    let line = store
        .message_log(e.id)
        .unwrap()
        .into_iter()
        .find(|l| matches!(l.entry, LogEntry::Event { kind: EventKind::Delivered, .. }))
        .unwrap();
    assert_eq!(
        line.at,
        chrono::DateTime::parse_from_rfc3339("2037-11-28T18:02:00Z").unwrap().timestamp_millis(),
        "at the provider's time"
    );
    assert_eq!(v.errors(e), (0, false));
    assert_eq!(store.message(e.id).unwrap().state, MessageState::Sent);
    for (lang, text) in [
        (Language::En, "accepted by the guest's server"),
        (Language::Fr, "accepté par le serveur du client"),
        (Language::Nl, "aanvaard door de server van de gast"),
    ] {
        assert_eq!(guestmail::strings::names::event(lang, EventKind::Delivered), text);
    }
    // The guest's history shows it on the email's row, at the provider's time.
    let guest = store.message(e.id).unwrap().guest_id;
    let history = store.guest_history(guest, 20, None).unwrap();
    assert_eq!(history.emails[0].delivered_at, Some(line.at));
    let state = guestmail::panes::history::HistoryState::new(history, guestmail::panes::Clock::utc());
    for (lang, text) in [
        (Language::En, "accepted by the guest's server at 28/11/2037 18:02"),
        (Language::Fr, "accepté par le serveur du client à 28/11/2037 18:02"),
        (Language::Nl, "aanvaard door de server van de gast om 28/11/2037 18:02"),
    ] {
        let pane = guestmail::panes::history::HistoryPane {
            state: &state,
            strings: guestmail::strings::HistoryStrings::of(lang),
            theme: guestmail::theme::Theme { color: false },
        };
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 20)).unwrap();
        terminal.draw(|f| f.render_widget(pane, f.area())).unwrap();
        let drawn = format!("{:?}", terminal.backend());
        assert!(drawn.contains(text), "{lang:?}: {drawn}");
    }
}

#[test]
fn ses_open_named_only_by_the_ses_id_is_recorded_with_its_kind() {
    let v = Venue::new(2);
    let e = &v.emails[1];
    let mut m = sample("ses/event-open.json");
    // No headers of ours: only SES's own id ties it, the one its SMTP answered with.
    m["mail"]["messageId"] = json!(e.provider_id);
    m["mail"]["commonHeaders"]["messageId"] = json!(e.provider_id);
    m["mail"]["destination"] = json!([e.to]);
    m["open"]["timestamp"] = json!(chrono::Utc::now().to_rfc3339());
    assert_eq!(v.post_ses(&v.sns_envelope("Notification", &m.to_string(), "sns-o-1", &[])).0, 200);
    let store = v.store();
    let opens = store.opens_for_message(e.id).unwrap();
    assert_eq!(opens.len(), 1, "{opens:?}");
    assert_eq!(opens[0].user_agent.as_deref(), Some(IPHONE));
    assert_eq!(opens[0].ip.as_deref(), Some("192.0.2.1"));
    assert_eq!(
        opens[0].kind,
        guestmail::tracker::classify::classify(
            &guestmail::tracker::ranges::Ranges::embedded(),
            &guestmail::store::OpenFacts {
                user_agent: Some(IPHONE),
                ip: Some("192.0.2.1".parse().unwrap()),
                seconds_after_send: opens[0].seconds_after_send
            }
        )
        .kind,
        "the pixel's own table decides"
    );
    assert_eq!(store.opens_for_message(v.emails[0].id).unwrap().len(), 0, "the other email is untouched");
    assert_eq!(store.message(e.id).unwrap().open_count, 1);
}

#[test]
fn ses_bad_signature_is_401_and_stores_nothing() {
    let v = Venue::new(1);
    let e = &v.emails[0];
    let body = ses_bounce(e, "Permanent", "5.1.1", "smtp; 550 5.1.1 user unknown");
    let good = v.sns_envelope("Notification", &body, "sns-b-1", &[]);
    let mut forged = good.clone();
    forged["Message"] = json!(body.replace("user unknown", "user unknown!"));
    assert_eq!(v.post_ses(&forged).0, 401);
    let mut foreign_cert = good.clone();
    foreign_cert["SigningCertURL"] = json!("http://sns.example.org/cert.pem");
    assert_eq!(v.post_ses(&foreign_cert).0, 401, "a certificate from anywhere else is never fetched");
    let mut not_a_cert = good.clone();
    not_a_cert["SigningCertURL"] = json!(format!("{}unsubscribe?x=1", v.sns.prefix()));
    assert_eq!(v.post_ses(&not_a_cert).0, 401, "only .pem files are fetched");
    assert_eq!(v.sns.asked(), ["/cert.pem"], "only the certificate, to check the forged message");
    assert_eq!(v.errors(e), (0, false));
    assert!(v.store().bounces_for_message(e.id).unwrap().is_empty());
    // Nothing was marked as taken in: the genuine message still counts.
    assert_eq!(v.post_ses(&good).0, 200);
    assert_eq!(v.errors(e), (1, false));
    assert_eq!(
        v.sns.asked().iter().filter(|p| *p == "/cert.pem").count(),
        1,
        "the certificate is fetched once: {:?}",
        v.sns.asked()
    );
}

#[test]
fn ses_subscription_confirmation_gets_the_subscribe_url_and_other_topics_are_refused() {
    let v = Venue::new(1);
    let url = format!("{}confirm?Action=ConfirmSubscription&Token=tok-123", v.sns.prefix());
    let envelope = v.sns_envelope(
        "SubscriptionConfirmation",
        "You have chosen to subscribe to the topic. To confirm, visit the SubscribeURL.",
        "sns-sub-1",
        &[("SubscribeURL", &url), ("Token", "tok-123")],
    );
    assert_eq!(v.post_ses(&envelope).0, 200);
    assert!(
        v.sns.asked().contains(&"/confirm?Action=ConfirmSubscription&Token=tok-123".to_owned()),
        "{:?}",
        v.sns.asked()
    );
    // A well-signed message of a topic that is not ours.
    let body = ses_bounce(&v.emails[0], "Permanent", "5.1.1", "smtp; 550 5.1.1 user unknown");
    let someone_else = "arn:aws:sns:eu-west-1:999999999999:someone-else";
    let other = v.sns_envelope("Notification", &body, "sns-x-1", &[("TopicArn", someone_else)]);
    assert_eq!(v.post_ses(&other).0, 403);
    // The topic is signed: putting ours on it breaks the signature.
    let mut relabelled = other.clone();
    relabelled["TopicArn"] = json!(TOPIC);
    assert_eq!(v.post_ses(&relabelled).0, 401);
    assert_eq!(v.errors(&v.emails[0]), (0, false));
    assert!(v.store().bounces_for_message(v.emails[0].id).unwrap().is_empty());
}

#[test]
fn ses_unknown_event_is_200_and_malformed_is_400() {
    let v = Venue::new(1);
    let e = &v.emails[0];
    let mut m = sample("ses/event-open.json");
    m["eventType"] = json!("Rendering Failure");
    name_email(&mut m, e);
    assert_eq!(v.post_ses(&v.sns_envelope("Notification", &m.to_string(), "sns-u-1", &[])).0, 200);
    let mut broken = sample("ses/event-bounce.json");
    broken["bounce"] = json!({"bounceType": "Permanent"});
    name_email(&mut broken, e);
    assert_eq!(v.post_ses(&v.sns_envelope("Notification", &broken.to_string(), "sns-u-2", &[])).0, 400);
    assert_eq!(v.post("/hooks/ses", &[], b"{\"Type\": ").0, 400);
    assert_eq!(v.errors(e), (0, false));
    assert!(v.store().bounces_for_message(e.id).unwrap().is_empty());
    assert!(v.store().opens_for_message(e.id).unwrap().is_empty());
}

#[test]
fn postmark_bounce_complaint_delivery_and_gmail_proxy_open() {
    let v = Venue::new(3);
    let auth = Venue::postmark_auth();
    let (bounced, complained, opened) = (&v.emails[0], &v.emails[1], &v.emails[2]);
    let mut bounce = sample("postmark/bounce-hard.json");
    bounce["MessageID"] = json!(bounced.provider_id);
    bounce["Email"] = json!(bounced.to);
    let body = bounce.to_string();
    // Without the password, or with a wrong one: 401, nothing recorded.
    assert_eq!(v.post("/hooks/postmark", &[], body.as_bytes()).0, 401);
    let wrong = vec![("Authorization", format!("Basic {}", B64.encode(format!("{POSTMARK_USER}:nope"))))];
    assert_eq!(v.post("/hooks/postmark", &wrong, body.as_bytes()).0, 401);
    assert_eq!(v.errors(bounced), (0, false));
    assert_eq!(v.post("/hooks/postmark", &auth, body.as_bytes()).0, 200);
    assert_eq!(v.post("/hooks/postmark", &auth, body.as_bytes()).0, 200, "a retry");
    assert_eq!(v.errors(bounced), (1, false), "counted once");
    assert_eq!(v.store().message(bounced.id).unwrap().state, MessageState::Bounced);

    let mut spam = sample("postmark/spam-complaint.json");
    spam["MessageID"] = json!(complained.provider_id);
    spam["Email"] = json!(complained.to);
    spam["ID"] = json!(901_542_551);
    assert_eq!(v.post("/hooks/postmark", &auth, spam.to_string().as_bytes()).0, 200);
    assert_eq!(v.errors(complained), (1, true));

    let delivery = json!({
        "RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound",
        "MessageID": opened.provider_id, "Recipient": opened.to, "Tag": "",
        "DeliveredAt": "2037-11-28T19:02:00Z", "Details": "Test delivery webhook details"
    });
    assert_eq!(v.post("/hooks/postmark", &auth, delivery.to_string().as_bytes()).0, 200);
    assert_eq!(log_has_delivery(&v.store(), opened.id).as_deref(), Some("Test delivery webhook details"));

    let mut open = sample("postmark/open-gmail-proxy.json");
    open["MessageID"] = json!(opened.provider_id);
    open["Recipient"] = json!(opened.to);
    open["ReceivedAt"] = json!(chrono::Utc::now().to_rfc3339());
    assert_eq!(v.post("/hooks/postmark", &auth, open.to_string().as_bytes()).0, 200);
    assert_eq!(v.post("/hooks/postmark", &auth, open.to_string().as_bytes()).0, 200, "a replay");
    let store = v.store();
    let opens = store.opens_for_message(opened.id).unwrap();
    assert_eq!(opens.iter().map(|o| o.kind).collect::<Vec<_>>(), [OpenKind::Proxy], "{opens:?}");
    let m = store.message(opened.id).unwrap();
    assert_eq!((m.open_count, m.human_open_count, m.proxy_open_count, m.open_via.as_deref()), (1, 1, 1, Some("Gmail")));
    assert_eq!(v.errors(opened), (0, false));

    // A record kind guestmail does not use, and a body that is not Postmark's.
    assert_eq!(v.post("/hooks/postmark", &auth, br#"{"RecordType":"Click","MessageID":"x"}"#).0, 200);
    assert_eq!(v.post("/hooks/postmark", &auth, b"[not json").0, 400);
}

fn mailgun_signed(mut event: Value, timestamp: i64) -> Vec<u8> {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, MAILGUN_KEY.as_bytes());
    let token = format!("{:050x}", fastrand::u128(..));
    let ts = timestamp.to_string();
    let sig = hex::encode(ring::hmac::sign(&key, format!("{ts}{token}").as_bytes()).as_ref());
    event["signature"] = json!({"timestamp": ts, "token": token, "signature": sig});
    event.to_string().into_bytes()
}

fn mailgun_about(path: &str, email: &Email, id: &str) -> Value {
    let mut event = sample(path);
    let data = &mut event["event-data"];
    data["id"] = json!(id);
    data["recipient"] = json!(email.to);
    data["message"]["headers"]["message-id"] = json!(email.mid);
    data["message"]["headers"]["to"] = json!(email.to);
    data["timestamp"] = json!(now_ms() as f64 / 1000.0);
    event
}

#[test]
fn mailgun_permanent_counts_temporary_does_not_and_signatures_are_checked() {
    let v = Venue::new(3);
    let now = now_ms() / 1000;
    let (hard, soft, opened) = (&v.emails[0], &v.emails[1], &v.emails[2]);
    let permanent = mailgun_about("mailgun/failed-permanent-550.json", hard, "mg-perm-1");
    let signed = mailgun_signed(permanent.clone(), now);
    // Forged (another key), or a stale signature: 401, nothing recorded.
    let mut forged: Value = serde_json::from_slice(&signed).unwrap();
    forged["signature"]["signature"] = json!("00".repeat(32));
    assert_eq!(v.post("/hooks/mailgun", &[], forged.to_string().as_bytes()).0, 401);
    assert_eq!(v.post("/hooks/mailgun", &[], &mailgun_signed(permanent.clone(), now - 16 * 60)).0, 401);
    assert_eq!(v.errors(hard), (0, false));
    assert_eq!(v.post("/hooks/mailgun", &[], &signed).0, 200);
    assert_eq!(v.post("/hooks/mailgun", &[], &mailgun_signed(permanent, now)).0, 200, "the same event, signed again");
    assert_eq!(v.errors(hard), (1, false), "counted once");

    let temporary = mailgun_about("mailgun/failed-temporary.json", soft, "mg-temp-1");
    assert_eq!(v.post("/hooks/mailgun", &[], &mailgun_signed(temporary, now)).0, 200);
    assert_eq!(v.errors(soft), (0, false));
    assert_eq!(v.store().message(soft.id).unwrap().state, MessageState::Sent);

    let open = mailgun_about("mailgun/opened-docs-sample.json", opened, "mg-open-1");
    assert_eq!(v.post("/hooks/mailgun", &[], &mailgun_signed(open, now)).0, 200);
    let opens = v.store().opens_for_message(opened.id).unwrap();
    assert_eq!(opens.len(), 1);
    assert_eq!(opens[0].kind, OpenKind::Person, "a desktop Chrome: {opens:?}");

    let unknown = mailgun_about("mailgun/opened-anymail.json", opened, "mg-click-1");
    let mut unknown = unknown;
    unknown["event-data"]["event"] = json!("clicked");
    assert_eq!(v.post("/hooks/mailgun", &[], &mailgun_signed(unknown, now)).0, 200);
    assert_eq!(v.post("/hooks/mailgun", &[], b"signature=1&token=2").0, 400);
    assert_eq!(v.store().opens_for_message(opened.id).unwrap().len(), 1);
}

#[test]
fn sendgrid_batch_classes_machine_opens_and_replays() {
    let v = Venue::new(5);
    let [bounced, blocked, deferred, delivered, reported] = [0, 1, 2, 3, 4].map(|i| &v.emails[i]);
    let samples = sample("sendgrid/bounce-blocked-open-docs.json");
    let all = sample("sendgrid/events-all-types-docs.json");
    let now = now_ms() / 1000;
    let about = |mut e: Value, email: &Email, id: &str| {
        e["email"] = json!(email.to);
        e["smtp-id"] = json!(format!("<{}>", email.mid));
        e["sg_event_id"] = json!(id);
        e["sg_message_id"] = json!(format!("{}.filter0001.16648.5515E0B88.0", email.provider_id));
        e["timestamp"] = json!(now);
        e
    };
    let find =
        |list: &Value, event: &str| list.as_array().unwrap().iter().find(|e| e["event"] == event).unwrap().clone();
    let mut machine = about(samples[2].clone(), delivered, "sg-open-machine");
    machine["sg_machine_open"] = json!(true);
    // The guest, later, from their own desktop client (another client than the prefetch).
    let mut person = about(samples[2].clone(), delivered, "sg-open-person");
    person["useragent"] = json!("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Thunderbird/128.0");
    person["ip"] = json!("198.51.100.7");
    let batch = json!([
        about(samples[0].clone(), bounced, "sg-bounce"),
        about(samples[1].clone(), blocked, "sg-blocked"),
        about(find(&all, "deferred"), deferred, "sg-deferred"),
        about(find(&all, "delivered"), delivered, "sg-delivered"),
        machine,
        person,
        about(find(&all, "spamreport"), reported, "sg-spam"),
        about(find(&all, "processed"), delivered, "sg-processed"),
        about(find(&all, "click"), delivered, "sg-click"),
    ]);
    let body = batch.to_string().into_bytes();
    let headers = v.sendgrid_headers(&body);
    // A bad signature (signed over another body): 401, nothing recorded.
    let other = v.sendgrid_headers(b"[]");
    assert_eq!(v.post("/hooks/sendgrid", &other, &body).0, 401);
    assert_eq!(v.post("/hooks/sendgrid", &[], &body).0, 401);
    assert!(v.store().opens_for_message(delivered.id).unwrap().is_empty());
    assert_eq!(v.errors(bounced), (0, false));

    assert_eq!(v.post("/hooks/sendgrid", &headers, &body).0, 200);
    let check = || {
        let store = v.store();
        assert_eq!(v.errors(bounced), (1, false));
        assert_eq!(store.message(bounced.id).unwrap().state, MessageState::Bounced);
        assert_eq!(v.errors(blocked), (0, false), "blocked is not the guest's error");
        assert_eq!(v.errors(deferred), (0, false), "deferred is not the guest's error");
        assert_eq!(store.message(deferred.id).unwrap().state, MessageState::Sent);
        assert_eq!(v.errors(reported), (1, true), "a spam report blocks");
        assert_eq!(log_has_delivery(&store, delivered.id).as_deref(), Some("250 OK"));
        let mut kinds: Vec<OpenKind> = store.opens_for_message(delivered.id).unwrap().iter().map(|o| o.kind).collect();
        kinds.sort_by_key(|k| k.as_str());
        assert_eq!(kinds, [OpenKind::Machine, OpenKind::Person]);
        let m = store.message(delivered.id).unwrap();
        assert_eq!((m.open_count, m.human_open_count), (2, 1));
    };
    check();
    // SendGrid retries the whole batch: nothing changes.
    assert_eq!(v.post("/hooks/sendgrid", &v.sendgrid_headers(&body), &body).0, 200);
    check();
    let events = v.store().events_for_message(delivered.id).unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::Delivered).count(), 1);

    let broken = br#"{"event": "open"}"#;
    assert_eq!(v.post("/hooks/sendgrid", &v.sendgrid_headers(broken), broken).0, 400);
}

#[test]
fn disabled_hooks_are_404_and_odd_requests_get_clear_answers() {
    let v = Venue::new(1);
    // A tracker with no hook configured.
    let plain = Tracker::start("127.0.0.1:0", &v.env.db, TrackerOptions::default()).unwrap();
    for path in ["/hooks/ses", "/hooks/postmark", "/hooks/mailgun", "/hooks/sendgrid"] {
        assert_eq!(post(plain.local_addr(), path, &[], b"[]").0, 404, "{path}");
    }
    assert_eq!(post(v.tracker.local_addr(), "/hooks/other", &[], b"[]").0, 404);
    let addr = v.tracker.local_addr();
    let raw = |text: &str| {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(text.as_bytes()).unwrap();
        answer(s).0
    };
    assert_eq!(raw("POST /hooks/sendgrid HTTP/1.1\r\nHost: t\r\n\r\n"), 411, "no length");
    assert_eq!(raw("POST /hooks/sendgrid HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 411);
    assert_eq!(raw("POST /hooks/sendgrid HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n"), 413);
    assert_eq!(raw("POST /hooks/sendgrid HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n"), 400);
    assert_eq!(raw("GET /hooks/sendgrid HTTP/1.1\r\nHost: t\r\n\r\n"), 405);
    assert_eq!(raw("POST /o/x.gif HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), 405);
    // The pixel still answers on the same endpoint.
    assert_eq!(raw("GET /guestmail/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"), 200);
    // A body sent in pieces, slower than one read, is read whole.
    let body = br#"[{"event":"processed","sg_event_id":"x","timestamp":1}]"#;
    let headers = v.sendgrid_headers(body);
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let extra = header_lines(&headers);
    write!(s, "POST /hooks/sendgrid HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n{extra}\r\n", body.len()).unwrap();
    s.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    s.write_all(&body[10..]).unwrap();
    assert_eq!(answer(s).0, 200);
    plain.shutdown().unwrap();
}

/// Runs `guestmail serve` on `config` until it announces its endpoint; the child, its
/// address and the thread collecting its stderr.
fn serve(env: &Env, config: &Path) -> (std::process::Child, String, std::thread::JoinHandle<String>) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .arg("--db")
        .arg(&env.db)
        .arg("--config")
        .arg(config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("tracking pixel on http://") {
                let rest = line.split("http://").nth(1).unwrap_or_default();
                let _ = tx.send(rest.split('/').next().unwrap_or_default().to_owned());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
    (child, addr, reader)
}

/// The real daemon, as a venue runs it: it sends through the provider, keeps its ids, takes a
/// Postmark bounce and a SendGrid open on its hooks, and logs no guest's address.
#[test]
fn serve_takes_provider_events_on_its_hooks() {
    let smtp = FaultySmtp::start(Script::AcceptAs("250 Ok: queued as 4B2F81C0A2{n}".into()));
    let env = Env::new(Some(&smtp.url(None)));
    let rid = env
        .store()
        .create_reservation(&booking("Ada", "ada.lovelace@example.org", Language::En, "2037-11-28 19:30", 2))
        .unwrap();
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let ecdsa =
        signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let sendgrid_key = guestmail::tracker::hooks::verify::sendgrid_key_text(ecdsa.public_key().as_ref());
    let pm = env.dir.path().join("postmark-password");
    owner_only(&pm, POSTMARK_PASSWORD);
    let config = env.dir.path().join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "{}hook_postmark_user = \"{POSTMARK_USER}\"\nhook_postmark_password_file = \"{}\"\nhook_sendgrid_public_key = \"{sendgrid_key}\"\n",
            env::config_text(Some(&smtp.url(None))),
            pm.display()
        ),
    )
    .unwrap();
    let (mut child, addr, reader) = serve(&env, &config);
    let addr: SocketAddr = addr.parse().expect("serve announces its endpoint");
    let store = env.store();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let message = loop {
        let m = store.messages_for_reservation(rid).unwrap().remove(0);
        if m.state == MessageState::Sent || std::time::Instant::now() > deadline {
            break m;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(message.state, MessageState::Sent);
    let provider_id = store.provider_id(message.id).unwrap().expect("the id from `queued as` is kept");
    assert_eq!(provider_id, "4B2F81C0A21");

    let mut bounce = sample("postmark/bounce-hard.json");
    bounce["MessageID"] = json!(provider_id);
    bounce["Email"] = json!(message.recipient);
    assert_eq!(post(addr, "/hooks/postmark", &Venue::postmark_auth(), bounce.to_string().as_bytes()).0, 200);
    let open = json!([{
        "email": message.recipient, "timestamp": now_ms() / 1000, "event": "open",
        "smtp-id": message.message_id, "sg_event_id": "serve-open-1", "sg_message_id": "x.filter0001",
        "useragent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Thunderbird/128.0",
        "ip": "198.51.100.7"
    }]);
    let body = open.to_string().into_bytes();
    let timestamp = (now_ms() / 1000).to_string();
    let sig = ecdsa.sign(&rng, &[timestamp.as_bytes(), &body].concat()).unwrap();
    let headers = [
        ("X-Twilio-Email-Event-Webhook-Signature", B64.encode(sig.as_ref())),
        ("X-Twilio-Email-Event-Webhook-Timestamp", timestamp),
    ];
    assert_eq!(post(addr, "/hooks/sendgrid", &headers, &body).0, 200);
    assert_eq!(post(addr, "/hooks/mailgun", &[], b"{}").0, 404, "not configured");

    assert!(std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    let said = reader.join().unwrap();
    assert!(status.success(), "{status:?}\n{said}");
    assert!(said.contains("/hooks/<provider> (postmark, sendgrid)"), "{said}");
    let m = store.message(message.id).unwrap();
    assert_eq!(m.state, MessageState::Bounced);
    assert_eq!(store.address("ada.lovelace@example.org").unwrap().unwrap().error_count, 1);
    assert_eq!(store.opens_for_message(message.id).unwrap().len(), 1);
    let mut logged = String::new();
    for f in std::fs::read_dir(env.db.parent().unwrap().join("log")).unwrap() {
        logged.push_str(&std::fs::read_to_string(f.unwrap().path()).unwrap());
    }
    assert!(logged.contains("hook events taken in"), "{logged}");
    assert!(!logged.to_lowercase().contains("ada.lovelace@example.org"), "a guest's address in the log:\n{logged}");
}

#[test]
fn serve_refuses_to_start_with_a_hook_secret_others_can_read() {
    let env = Env::new(None);
    let key = env.dir.path().join("mailgun-key");
    std::fs::write(&key, MAILGUN_KEY).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let config = env.dir.path().join("serve.toml");
    std::fs::write(&config, format!("{}hook_mailgun_key_file = \"{}\"\n", env::config_text(None), key.display()))
        .unwrap();
    let (mut child, addr, reader) = serve(&env, &config);
    let status = child.wait().unwrap();
    let said = reader.join().unwrap();
    assert!(addr.is_empty() && !status.success(), "{status:?}\n{said}");
    assert!(said.contains("hook_mailgun_key_file") && said.contains("chmod 600"), "{said}");
    assert!(!said.contains(MAILGUN_KEY), "{said}");
    assert!(!said.contains("sending from the outbox"), "nothing starts before every setting is checked:\n{said}");
}

/// An event about mail that is not ours (the venue's other mail through the same account):
/// kept unmatched if it is a bounce, counted on nobody, and no open or delivery recorded.
#[test]
fn events_about_someone_elses_mail_count_on_nobody() {
    let v = Venue::new(1);
    let e = &v.emails[0];
    let now = now_ms() / 1000;
    let foreign = |event: &str, id: &str| {
        json!({
            "email": e.to, "timestamp": now, "event": event, "sg_event_id": id,
            "smtp-id": "<newsletter-42@venue.example>", "sg_message_id": "Zz9NotOurs.filter0001.1.2.0",
            "reason": "550 5.1.1 user unknown", "status": "5.1.1", "type": "bounce", "response": "250 OK",
            "useragent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Thunderbird/128.0",
            "ip": "198.51.100.7"
        })
    };
    let body = json!([
        foreign("bounce", "f-1"),
        foreign("spamreport", "f-2"),
        foreign("delivered", "f-3"),
        foreign("open", "f-4")
    ])
    .to_string()
    .into_bytes();
    assert_eq!(v.post("/hooks/sendgrid", &v.sendgrid_headers(&body), &body).0, 200);
    let store = v.store();
    assert_eq!(v.errors(e), (0, false), "a guest is never blamed for mail that is not ours");
    assert_eq!(store.message(e.id).unwrap().state, MessageState::Sent);
    assert!(store.opens_for_message(e.id).unwrap().is_empty());
    assert_eq!(log_has_delivery(&store, e.id), None);
    assert_eq!(store.unmatched_bounces().unwrap().len(), 2, "the bounce and the complaint are kept for staff");
}

/// SES keeps our headers: an event whose only tie is our `X-Guestmail-Token` finds its email
/// (the Message-ID and SES id it names being someone else's).
#[test]
fn ses_event_tied_by_our_token_header_alone() {
    let v = Venue::new(2);
    let e = &v.emails[1];
    let mut m = sample("ses/event-bounce.json");
    m["bounce"]["bouncedRecipients"][0]["emailAddress"] = json!(e.to);
    m["mail"]["messageId"] = json!("0100000000000000-not-ours-000000");
    m["mail"]["commonHeaders"]["messageId"] = json!("<rewritten-by-a-relay@relay.example>");
    m["mail"]["headers"].as_array_mut().unwrap().push(json!({"name": "X-Guestmail-Token", "value": e.token}));
    assert_eq!(v.post_ses(&v.sns_envelope("Notification", &m.to_string(), "sns-tok-1", &[])).0, 200);
    assert_eq!(v.errors(e), (1, false));
    assert_eq!(v.store().message(e.id).unwrap().state, MessageState::Bounced);
    assert_eq!(v.store().message(v.emails[0].id).unwrap().state, MessageState::Sent);
}
