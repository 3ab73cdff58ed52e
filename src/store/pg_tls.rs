//! Whether the connection to a PostgreSQL store is encrypted, as its URL asks: libpq's
//! `sslmode` and `sslrootcert` parameters, read here because the client crate knows neither
//! `verify-full` nor `sslrootcert`.
//!
//! Guests' names and addresses cross the connection, so guestmail is stricter than libpq:
//! - without `sslmode`, a server on this machine (loopback, a Unix socket) is reached in clear,
//!   and any other is reached over TLS only;
//! - whenever TLS is used, the server's certificate and name are checked (against the Mozilla
//!   roots, plus the CA of `sslrootcert`): libpq's `require` does not check them, ours does;
//! - `sslmode=disable` (or `allow`) says in the URL that the network is trusted; `prefer`
//!   uses TLS when the server offers it.

use std::path::PathBuf;

/// How the connection is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgTls {
    /// In clear.
    Off,
    /// TLS when the server offers it, else in clear (`sslmode=prefer`).
    Prefer { ca_file: Option<PathBuf> },
    /// TLS or nothing.
    Require { ca_file: Option<PathBuf> },
}

/// The URL without the parameters read here, and what they said (`None`: no `sslmode`).
pub(crate) fn split(url: &str) -> Result<(String, Option<PgTls>), String> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_owned(), None)) };
    let mut mode = None;
    let mut ca_file = None;
    // The other parameters stay exactly as written (the client decodes them its own way).
    let mut rest = Vec::new();
    for raw in query.split('&').filter(|p| !p.is_empty()) {
        match url::form_urlencoded::parse(raw.as_bytes()).next() {
            Some((k, v)) if k == "sslmode" => mode = Some(v.into_owned()),
            Some((k, v)) if k == "sslrootcert" => ca_file = Some(PathBuf::from(v.as_ref())),
            _ => rest.push(raw),
        }
    }
    let tls = match mode.as_deref() {
        None if ca_file.is_some() => Some(PgTls::Require { ca_file }),
        None => None,
        Some("disable" | "allow") => Some(PgTls::Off),
        Some("prefer") => Some(PgTls::Prefer { ca_file }),
        Some("require" | "verify-ca" | "verify-full") => Some(PgTls::Require { ca_file }),
        Some(other) => {
            return Err(format!(
                "sslmode={other} is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ));
        }
    };
    let url = if rest.is_empty() { base.to_owned() } else { format!("{base}?{}", rest.join("&")) };
    Ok((url, tls))
}

/// What a URL without `sslmode` gets: in clear only when every host is on this machine.
pub(crate) fn default_for(config: &postgres::Config) -> PgTls {
    let local = config.get_hosts().iter().all(|h| match h {
        postgres::config::Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        postgres::config::Host::Unix(_) => true,
    });
    if local { PgTls::Off } else { PgTls::Require { ca_file: None } }
}

/// The client's connector for `tls` (`None`: in clear), and the mode to tell the client.
pub(crate) fn connector(
    tls: &PgTls,
) -> Result<(postgres::config::SslMode, Option<tokio_postgres_rustls::MakeRustlsConnect>), String> {
    use postgres::config::SslMode;
    let make = |ca: &Option<PathBuf>| {
        crate::tls::client_config(ca.as_deref())
            .map(tokio_postgres_rustls::MakeRustlsConnect::new)
            .map_err(|e| format!("sslrootcert: {e}"))
    };
    Ok(match tls {
        PgTls::Off => (SslMode::Disable, None),
        PgTls::Prefer { ca_file } => (SslMode::Prefer, Some(make(ca_file)?)),
        PgTls::Require { ca_file } => (SslMode::Require, Some(make(ca_file)?)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_says_how_to_connect() {
        let ca = || Some(PathBuf::from("/etc/ca.pem"));
        let cases: [(&str, &str, Option<PgTls>); 7] = [
            ("postgres://u@h/db", "postgres://u@h/db", None),
            ("postgres://u@h/db?sslmode=disable", "postgres://u@h/db", Some(PgTls::Off)),
            ("postgres://u@h/db?sslmode=prefer", "postgres://u@h/db", Some(PgTls::Prefer { ca_file: None })),
            (
                "postgres://u@h/db?application_name=gm&sslmode=verify-full&sslrootcert=/etc/ca.pem",
                "postgres://u@h/db?application_name=gm",
                Some(PgTls::Require { ca_file: ca() }),
            ),
            ("postgres://u@h/db?sslmode=require", "postgres://u@h/db", Some(PgTls::Require { ca_file: None })),
            (
                "postgres://u@h/db?sslrootcert=%2Fetc%2Fca.pem",
                "postgres://u@h/db",
                Some(PgTls::Require { ca_file: ca() }),
            ),
            (
                "postgres://u@h/db?options=-c%20x%3Dy&sslmode=prefer",
                "postgres://u@h/db?options=-c%20x%3Dy",
                Some(PgTls::Prefer { ca_file: None }),
            ),
        ];
        for (given, url, tls) in cases {
            assert_eq!(split(given), Ok((url.to_owned(), tls)), "{given}");
        }
        assert!(split("postgres://u@h/db?sslmode=sometimes").unwrap_err().contains("sslmode=sometimes"));
    }

    #[test]
    fn only_a_server_on_this_machine_is_reached_in_clear_by_default() {
        let cases = [
            ("postgres://u@127.0.0.1/db", true),
            ("postgres://u@localhost:5433/db", true),
            ("postgres://u@[::1]/db", true),
            ("postgres://u@%2Fvar%2Frun%2Fpostgresql/db", true),
            ("postgres://u@db.example.com/db", false),
            ("postgres://u@10.0.0.5/db", false),
            ("postgres://u@127.0.0.1,db.example.com/db", false),
        ];
        for (url, clear) in cases {
            let config: postgres::Config = url.parse().expect(url);
            assert_eq!(default_for(&config) == PgTls::Off, clear, "{url}");
        }
    }
}
