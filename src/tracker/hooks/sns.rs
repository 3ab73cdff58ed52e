//! The Amazon SNS envelope SES events arrive in: its fields, the string SNS signs, the
//! signing certificate (fetched from `SigningCertURL`, only over HTTPS from
//! `sns.<region>.amazonaws.com` unless the config adds a loopback prefix for tests, and kept
//! once fetched), and the subscription confirmation (a GET of `SubscribeURL`, same rule).
//!
//! HTTP client: `ureq` (blocking, small, rustls with the ring provider and the Mozilla roots
//! the rest of guestmail already uses): two GETs a subscription's lifetime, on a hook thread.

use std::collections::HashMap;
use std::io::Read as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;

/// The signing certificates kept at most; past it the cache starts again.
const CACHE_MAX: usize = 16;
/// How long a GET to SNS may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// A certificate is a few kilobytes.
const CERT_MAX_BYTES: u64 = 64 * 1024;

/// The fields of an SNS message guestmail reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Envelope {
    #[serde(rename = "Type")]
    pub kind: String,
    pub message_id: String,
    pub topic_arn: String,
    pub message: String,
    pub timestamp: String,
    pub subject: Option<String>,
    pub token: Option<String>,
    #[serde(rename = "SubscribeURL")]
    pub subscribe_url: Option<String>,
    pub signature_version: String,
    pub signature: String,
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: String,
}

impl Envelope {
    /// The string SNS signs: `name\nvalue\n` for each signed field in this order, a
    /// notification's `Subject` only when it has one, a confirmation's `SubscribeURL` and
    /// `Token` instead. `None` when a confirmation lacks them.
    pub fn canonical(&self) -> Option<String> {
        let mut fields: Vec<(&str, &str)> = vec![("Message", &self.message), ("MessageId", &self.message_id)];
        match self.kind.as_str() {
            "Notification" => {
                if let Some(subject) = &self.subject {
                    fields.push(("Subject", subject));
                }
                fields.extend([("Timestamp", self.timestamp.as_str()), ("TopicArn", &self.topic_arn)]);
            }
            "SubscriptionConfirmation" | "UnsubscribeConfirmation" => {
                fields.extend([
                    ("SubscribeURL", self.subscribe_url.as_deref()?),
                    ("Timestamp", &self.timestamp),
                    ("Token", self.token.as_deref()?),
                    ("TopicArn", &self.topic_arn),
                ]);
            }
            _ => return None,
        }
        fields.push(("Type", &self.kind));
        let mut out = String::new();
        for (k, v) in fields {
            out.push_str(k);
            out.push('\n');
            out.push_str(v);
            out.push('\n');
        }
        Some(out)
    }
}

/// Whether a URL from a signed message may be fetched: HTTPS on `sns.<region>.amazonaws.com`
/// (`.com.cn` in China), or under one of the loopback prefixes the config adds for tests.
pub fn allowed_url(url: &str, extra_prefixes: &[String]) -> bool {
    if extra_prefixes.iter().any(|p| url.starts_with(p.as_str())) {
        return true;
    }
    let Ok(parsed) = url::Url::parse(url) else { return false };
    if parsed.scheme() != "https" || parsed.port().is_some_and(|p| p != 443) || !parsed.username().is_empty() {
        return false;
    }
    let Some(url::Host::Domain(host)) = parsed.host() else { return false };
    let region = host
        .strip_prefix("sns.")
        .and_then(|h| h.strip_suffix(".amazonaws.com").or_else(|| h.strip_suffix(".amazonaws.com.cn")));
    region
        .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

/// A test-only certificate URL prefix: `http(s)://` on a loopback host, ending with `/`.
pub fn check_test_prefix(prefix: &str) -> Result<(), String> {
    let url = url::Url::parse(prefix).map_err(|e| format!("{prefix:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || !prefix.ends_with('/') {
        return Err(format!("{prefix:?}: must be an http:// or https:// URL ending with '/'"));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    if !loopback {
        return Err(format!("{prefix:?}: only a loopback host (127.0.0.1, ::1, localhost) may be added, for tests"));
    }
    Ok(())
}

/// Signing certificates by URL (DER), shared by the hook threads.
#[derive(Default)]
pub struct CertCache {
    certs: Mutex<HashMap<String, Arc<Vec<u8>>>>,
}

impl CertCache {
    /// The certificate at `url`, fetched the first time.
    pub fn get(&self, url: &str) -> Result<Arc<Vec<u8>>, String> {
        if let Some(c) = self.certs.lock().ok().and_then(|m| m.get(url).cloned()) {
            return Ok(c);
        }
        let pem = get(url, CERT_MAX_BYTES)?;
        let der = rustls_pki_types::pem::PemObject::from_pem_slice(&pem)
            .map(|c: rustls_pki_types::CertificateDer<'static>| c.as_ref().to_vec())
            .map_err(|e| format!("the signing certificate is not PEM: {e}"))?;
        let der = Arc::new(der);
        if let Ok(mut m) = self.certs.lock() {
            if m.len() >= CACHE_MAX {
                m.clear();
            }
            m.insert(url.to_owned(), Arc::clone(&der));
        }
        Ok(der)
    }

    /// How many certificates were fetched and kept (tests).
    pub fn len(&self) -> usize {
        self.certs.lock().map_or(0, |m| m.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(FETCH_TIMEOUT))
        .max_redirects(0)
        .http_status_as_error(true)
        .build()
        .into()
}

/// A GET of `url`, its body up to `max` bytes.
pub fn get(url: &str, max: u64) -> Result<Vec<u8>, String> {
    let response = agent().get(url).call().map_err(|e| format!("GET failed: {e}"))?;
    let mut body = Vec::new();
    response.into_body().into_reader().take(max).read_to_end(&mut body).map_err(|e| format!("GET body: {e}"))?;
    Ok(body)
}

/// Why an envelope was not verified.
#[derive(Debug)]
pub enum Failure {
    /// Not signed by SNS (bad signature, not an SNS certificate URL, broken fields): 401.
    Bad(String),
    /// The certificate could not be fetched now: 503, SNS retries.
    Fetch(String),
}

/// Checks the envelope's signature against its certificate.
pub fn verify(envelope: &Envelope, certs: &CertCache, extra_prefixes: &[String]) -> Result<(), Failure> {
    let version = match envelope.signature_version.as_str() {
        "1" => 1,
        "2" => 2,
        other => return Err(Failure::Bad(format!("unknown SignatureVersion {other:?}"))),
    };
    // SNS's certificates are `.pem` files: anything else on its hosts is not fetched.
    let pem =
        url::Url::parse(&envelope.signing_cert_url).is_ok_and(|u| u.path().to_ascii_lowercase().ends_with(".pem"));
    if !pem || !allowed_url(&envelope.signing_cert_url, extra_prefixes) {
        return Err(Failure::Bad("SigningCertURL is not an SNS certificate address".into()));
    }
    let canonical = envelope.canonical().ok_or_else(|| Failure::Bad("the message lacks a signed field".into()))?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(envelope.signature.trim())
        .map_err(|_| Failure::Bad("the signature is not base64".into()))?;
    let cert = certs.get(&envelope.signing_cert_url).map_err(Failure::Fetch)?;
    if super::verify::sns(&cert, version, canonical.as_bytes(), &signature) {
        Ok(())
    } else {
        Err(Failure::Bad("bad signature".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/sns/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).expect(&path)
    }

    fn cert_der() -> Vec<u8> {
        use rustls_pki_types::pem::PemObject as _;
        rustls_pki_types::CertificateDer::from_pem_slice(&fixture("cert.pem")).expect("pem").as_ref().to_vec()
    }

    #[test]
    fn signature_version_1_is_rsa_sha1_over_the_signed_string() {
        let envelope: Envelope = serde_json::from_slice(&fixture("notification-v1.json")).expect("envelope");
        let signature = base64::engine::general_purpose::STANDARD.decode(&envelope.signature).expect("base64");
        let signed = envelope.canonical().expect("signed string");
        let cert = cert_der();
        assert!(super::super::verify::sns(&cert, 1, signed.as_bytes(), &signature));
        assert!(!super::super::verify::sns(&cert, 2, signed.as_bytes(), &signature), "not a SHA-256 signature");
        let mut tampered = envelope.clone();
        tampered.message = tampered.message.replace("250 ok", "250 OK");
        let tampered = tampered.canonical().expect("signed string");
        assert!(!super::super::verify::sns(&cert, 1, tampered.as_bytes(), &signature));
    }

    #[test]
    fn signature_version_2_is_rsa_sha256() {
        let key = ring::signature::RsaKeyPair::from_pkcs8(&fixture("key.pk8")).expect("key");
        let message = b"Message\nx\nMessageId\ny\n";
        let mut signature = vec![0; key.public().modulus_len()];
        key.sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), message, &mut signature)
            .expect("sign");
        let cert = cert_der();
        assert!(super::super::verify::sns(&cert, 2, message, &signature));
        assert!(!super::super::verify::sns(&cert, 1, message, &signature));
        assert!(!super::super::verify::sns(&cert, 2, b"other", &signature));
        assert!(!super::super::verify::sns(b"not a certificate", 2, message, &signature));
    }

    #[test]
    fn only_loopback_prefixes_may_be_added() {
        for ok in ["http://127.0.0.1:8099/", "https://localhost/certs/", "http://[::1]:80/"] {
            assert!(check_test_prefix(ok).is_ok(), "{ok}");
        }
        for bad in ["http://sns.evil.example/", "http://127.0.0.1:8099", "ftp://127.0.0.1/", "junk"] {
            assert!(check_test_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_sns_hosts_over_https_or_a_configured_loopback_prefix() {
        let extra = vec!["http://127.0.0.1:8099/".to_owned()];
        #[rustfmt::skip]
        let table = [
            ("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-12345abcde.pem", true),
            ("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem", true),
            ("http://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem", false),
            ("https://sns.us-east-1.amazonaws.com.evil.example/x.pem", false),
            ("https://evil.example/sns.us-east-1.amazonaws.com/x.pem", false),
            ("https://sns..amazonaws.com/x.pem", false),
            ("https://user@sns.us-east-1.amazonaws.com/x.pem", false),
            ("https://sns.us-east-1.amazonaws.com:8443/x.pem", false),
            ("http://127.0.0.1:8099/cert.pem", true),
            ("http://127.0.0.1:8098/cert.pem", false),
            ("not a url", false),
        ];
        for (url, expected) in table {
            assert_eq!(allowed_url(url, &extra), expected, "{url}");
        }
    }

    #[test]
    fn the_signed_string_of_a_notification_and_a_confirmation() {
        let mut e = Envelope {
            kind: "Notification".into(),
            message_id: "m1".into(),
            topic_arn: "arn:t".into(),
            message: "{\"a\":1}".into(),
            timestamp: "2037-01-01T00:00:00.000Z".into(),
            subject: None,
            token: None,
            subscribe_url: None,
            signature_version: "2".into(),
            signature: String::new(),
            signing_cert_url: String::new(),
        };
        assert_eq!(
            e.canonical().as_deref(),
            Some(
                "Message\n{\"a\":1}\nMessageId\nm1\nTimestamp\n2037-01-01T00:00:00.000Z\nTopicArn\narn:t\nType\nNotification\n"
            )
        );
        e.subject = Some("Hi".into());
        assert!(e.canonical().expect("signed").contains("MessageId\nm1\nSubject\nHi\nTimestamp\n"));
        e.kind = "SubscriptionConfirmation".into();
        assert_eq!(e.canonical(), None, "a confirmation without its URL and token");
        e.subscribe_url = Some("https://u".into());
        e.token = Some("tok".into());
        assert_eq!(
            e.canonical().as_deref(),
            Some(
                "Message\n{\"a\":1}\nMessageId\nm1\nSubscribeURL\nhttps://u\nTimestamp\n2037-01-01T00:00:00.000Z\nToken\ntok\nTopicArn\narn:t\nType\nSubscriptionConfirmation\n"
            )
        );
    }
}
