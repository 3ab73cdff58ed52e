//! Who sent a hook request: Postmark's basic authentication, Mailgun's HMAC, SendGrid's
//! ECDSA signature, SNS's RSA signature.
//!
//! The cryptography is `ring`'s (already here through rustls): HMAC-SHA256 with its
//! constant-time `verify`, ECDSA P-256 and RSA PKCS#1 v1.5. The SNS certificate is read with
//! `rustls-webpki` (also already here), which finds its public key and checks a signature
//! over any message; SNS's `SignatureVersion` 1 uses SHA-1, which webpki rightly refuses for
//! certificates, so that one algorithm is given to webpki as a small adapter around ring's
//! legacy-use RSA-SHA1 verifier. Hand-written here: only the fixed 26-byte DER header of a
//! P-256 `SubjectPublicKeyInfo` (the one form SendGrid's key takes; DER has one encoding, so
//! comparing it byte for byte is exact), to avoid a whole ASN.1 crate for one prefix.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::signature;
use rustls_pki_types::{AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id};

/// Constant-time equality of two byte strings (length aside).
fn same(a: &[u8], b: &[u8]) -> bool {
    // ring's HMAC verify is constant-time; comparing two HMACs of the inputs under a random
    // key is the standard way to compare secrets with it.
    let rng = ring::rand::SystemRandom::new();
    let Ok(key) = ring::hmac::Key::generate(ring::hmac::HMAC_SHA256, &rng) else { return false };
    let tag = ring::hmac::sign(&key, a);
    ring::hmac::verify(&key, b, tag.as_ref()).is_ok()
}

/// Whether an `Authorization: Basic ...` header names `user` and `password`.
pub fn basic_auth(header: Option<&str>, user: &str, password: &str) -> bool {
    let Some(value) = header else { return false };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else { return false };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = B64.decode(encoded.trim()) else { return false };
    let expected = format!("{user}:{password}");
    same(&decoded, expected.as_bytes())
}

/// Mailgun: `signature` is the hex HMAC-SHA256 of `timestamp` + `token` under the signing key.
pub fn mailgun(key: &str, timestamp: &str, token: &str, signature_hex: &str) -> bool {
    let Ok(tag) = hex::decode(signature_hex.trim()) else { return false };
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes());
    let mut message = Vec::with_capacity(timestamp.len() + token.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(token.as_bytes());
    ring::hmac::verify(&key, &message, &tag).is_ok()
}

/// The DER header of a P-256 `SubjectPublicKeyInfo`, before its 65-byte uncompressed point:
/// SEQUENCE(89) { SEQUENCE(19) { id-ecPublicKey, prime256v1 }, BIT STRING(66) { 0 unused } }.
fn p256_spki_header() -> Vec<u8> {
    let algorithm = alg_id::ECDSA_P256;
    let mut out = vec![0x30, 0x59, 0x30, algorithm.as_ref().len() as u8];
    out.extend_from_slice(algorithm.as_ref());
    out.extend_from_slice(&[0x03, 0x42, 0x00]);
    out
}

/// SendGrid's verification key as it shows it (base64 DER `SubjectPublicKeyInfo`, P-256):
/// the public point.
pub fn sendgrid_key(text: &str) -> Result<Vec<u8>, String> {
    let der = B64
        .decode(text.split_whitespace().collect::<String>())
        .map_err(|e| format!("not base64 (the key as SendGrid shows it): {e}"))?;
    let header = p256_spki_header();
    match der.strip_prefix(header.as_slice()) {
        Some(point) if point.len() == 65 && point[0] == 0x04 => Ok(point.to_vec()),
        _ => Err("not an ECDSA P-256 public key (`SubjectPublicKeyInfo`, DER)".into()),
    }
}

/// The `SubjectPublicKeyInfo` (DER) of a P-256 public point: what SendGrid shows; for tests.
pub fn sendgrid_key_text(point: &[u8]) -> String {
    let mut der = p256_spki_header();
    der.extend_from_slice(point);
    B64.encode(der)
}

/// SendGrid's signed event webhook: an ECDSA P-256 SHA-256 signature (base64 DER) over the
/// timestamp header followed by the raw body.
pub fn sendgrid(point: &[u8], signature_b64: Option<&str>, timestamp: Option<&str>, body: &[u8]) -> bool {
    let (Some(sig), Some(timestamp)) = (signature_b64, timestamp) else { return false };
    let Ok(sig) = B64.decode(sig.trim()) else { return false };
    let mut message = Vec::with_capacity(timestamp.len() + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(body);
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, point).verify(&message, &sig).is_ok()
}

/// RSA PKCS#1 v1.5 with SHA-1, as SNS's `SignatureVersion` 1 signs: ring's legacy verifier,
/// offered to webpki for a certificate's RSA key.
#[derive(Debug)]
struct RsaSha1;

/// sha1WithRSAEncryption (1.2.840.113549.1.1.5) with NULL parameters, without the outer
/// SEQUENCE (webpki's form for algorithm identifiers).
const RSA_PKCS1_SHA1_ID: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00];

impl SignatureVerificationAlgorithm for RsaSha1 {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], sig: &[u8]) -> Result<(), InvalidSignature> {
        signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, public_key)
            .verify(message, sig)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        AlgorithmIdentifier::from_slice(RSA_PKCS1_SHA1_ID)
    }

    fn fips(&self) -> bool {
        false
    }
}

/// Whether `signature` is the certificate's key's signature of `message`: SNS's
/// `SignatureVersion` 1 (RSA-SHA1) or 2 (RSA-SHA256).
pub fn sns(cert_der: &[u8], version: u8, message: &[u8], signature: &[u8]) -> bool {
    let cert = rustls_pki_types::CertificateDer::from(cert_der);
    let Ok(cert) = webpki::EndEntityCert::try_from(&cert) else { return false };
    let sha1 = RsaSha1;
    let algorithm: &dyn SignatureVerificationAlgorithm = match version {
        1 => &sha1,
        2 => webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        _ => return false,
    };
    cert.verify_signature(algorithm, message, signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_authentication() {
        let header = format!("Basic {}", B64.encode("postmark:s3cret"));
        assert!(basic_auth(Some(&header), "postmark", "s3cret"));
        assert!(basic_auth(Some(&header.replace("Basic", "basic")), "postmark", "s3cret"));
        assert!(!basic_auth(Some(&header), "postmark", "s3cre"));
        assert!(!basic_auth(Some(&header), "postmar", "s3cret"));
        assert!(!basic_auth(None, "postmark", "s3cret"));
        assert!(!basic_auth(Some("Bearer abc"), "postmark", "s3cret"));
        assert!(!basic_auth(Some("Basic !!!"), "postmark", "s3cret"));
    }

    #[test]
    fn mailgun_hmac() {
        let key = "key-0123456789abcdef";
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes());
        let good = hex::encode(ring::hmac::sign(&k, b"1700000000abcdef").as_ref());
        assert!(mailgun(key, "1700000000", "abcdef", &good));
        assert!(!mailgun(key, "1700000001", "abcdef", &good));
        assert!(!mailgun("other", "1700000000", "abcdef", &good));
        assert!(!mailgun(key, "1700000000", "abcdef", "zz"));
    }

    #[test]
    fn sendgrid_signature_and_key() {
        use ring::signature::KeyPair as _;
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 =
            signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng).expect("key");
        let pair =
            signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
                .expect("pair");
        let text = sendgrid_key_text(pair.public_key().as_ref());
        let point = sendgrid_key(&text).expect("key");
        let body = br#"[{"event":"open"}]"#;
        let sig = pair.sign(&rng, &[b"1700000000".as_slice(), body].concat()).expect("sign");
        let sig = B64.encode(sig.as_ref());
        assert!(sendgrid(&point, Some(&sig), Some("1700000000"), body));
        assert!(!sendgrid(&point, Some(&sig), Some("1700000001"), body));
        assert!(!sendgrid(&point, Some(&sig), Some("1700000000"), br#"[{"event":"opened"}]"#));
        assert!(!sendgrid(&point, None, Some("1700000000"), body));
        assert!(sendgrid_key("AAAA").is_err());
        assert!(sendgrid_key("not base64!").is_err());
    }
}
