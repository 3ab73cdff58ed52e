//! TLS trust for the servers guestmail opens connections to itself (IMAP mailboxes and a
//! PostgreSQL store): the Mozilla roots, plus a CA file the venue names for a server with a
//! certificate of its own; rustls with the ring provider, as lettre already brings it.

use std::path::Path;
use std::sync::Arc;

/// The certificates a server may show: the Mozilla roots, plus those of `ca_file` (PEM).
pub fn roots(ca_file: Option<&Path>) -> Result<rustls::RootCertStore, String> {
    use rustls_pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let mut added = 0;
        for cert in
            rustls_pki_types::CertificateDer::pem_file_iter(path).map_err(|e| format!("{}: {e}", path.display()))?
        {
            let cert = cert.map_err(|e| format!("{}: {e}", path.display()))?;
            roots.add(cert).map_err(|e| format!("{}: {e}", path.display()))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("{}: no PEM certificate in it", path.display()));
        }
    }
    Ok(roots)
}

/// A client configuration that checks the server's certificate and name against [`roots`].
pub fn client_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots(ca_file)?)
        .with_no_client_auth())
}
