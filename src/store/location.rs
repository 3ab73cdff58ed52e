//! Where the store lives: a SQLite file (the embedded default) or a PostgreSQL database
//! named by a URL (`postgres://user@host:5432/db`).
//!
//! The password never needs to sit in the URL, the config or the shell history: when the
//! URL has none, it comes from `GUESTMAIL_DB_PASSWORD`, or from the file named by
//! `GUESTMAIL_DB_PASSWORD_FILE`, which must be readable by its owner only. Whatever the
//! source, [`Location`]'s `Display` leaves the password out, so logs and messages can name
//! the database safely.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::pg_tls::{PgTls, default_for, split};

/// Where the store lives.
#[derive(Clone)]
pub enum Location {
    File(PathBuf),
    Postgres(Box<PgTarget>),
}

/// A PostgreSQL database: the URL as given (without its password), the client config and
/// whether the connection is encrypted ([`super::pg_tls`]).
#[derive(Clone)]
pub struct PgTarget {
    pub(crate) shown: String,
    pub(crate) config: Option<postgres::Config>,
    pub(crate) tls: PgTls,
    pub(crate) problem: Option<String>,
}

pub const PASSWORD_ENV: &str = "GUESTMAIL_DB_PASSWORD";
pub const PASSWORD_FILE_ENV: &str = "GUESTMAIL_DB_PASSWORD_FILE";

fn is_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

impl Location {
    pub fn parse(s: &str) -> Location {
        if !is_url(s) {
            return Location::File(PathBuf::from(s));
        }
        let shown = without_password(s);
        let unparsed = |problem: String| {
            Location::Postgres(Box::new(PgTarget {
                shown: shown.clone(),
                config: None,
                tls: PgTls::Off,
                problem: Some(problem),
            }))
        };
        let (url, tls) = match split(s) {
            Ok(split) => split,
            Err(e) => return unparsed(format!("the database URL does not parse: {e}")),
        };
        match postgres::Config::from_str(&url) {
            Ok(mut config) => {
                let problem = match config.get_password() {
                    Some(_) => None,
                    None => password_from_env().map(|p| p.map(|p| config.password(p))).err(),
                };
                let tls = tls.unwrap_or_else(|| default_for(&config));
                Location::Postgres(Box::new(PgTarget { shown, config: Some(config), tls, problem }))
            }
            Err(e) => unparsed(format!("the database URL does not parse: {e}")),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Location::Postgres(_))
    }

    /// The file, for a SQLite store.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }
}

/// The password from the environment (or the file it names), if any.
fn password_from_env() -> Result<Option<String>, String> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(Some(p));
    }
    let Ok(file) = std::env::var(PASSWORD_FILE_ENV) else {
        return Ok(None);
    };
    let path = Path::new(&file);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = std::fs::metadata(path).map_err(|e| format!("{PASSWORD_FILE_ENV} ({file}): {e}"))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "{PASSWORD_FILE_ENV} ({file}) can be read by others: make it owner-only (chmod 600 {file})"
            ));
        }
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{PASSWORD_FILE_ENV} ({file}): {e}"))?;
    Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()))
}

/// The URL with any password replaced by `***`.
fn without_password(s: &str) -> String {
    match url::Url::parse(s) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            for (k, _) in u.query_pairs() {
                if k == "password" {
                    return format!("{}://{}", u.scheme(), u.host_str().unwrap_or("?"));
                }
            }
            u.to_string()
        }
        Err(_) => "postgres://(unreadable URL)".to_owned(),
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Postgres(t) => f.write_str(&t.shown),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<&Path> for Location {
    fn from(p: &Path) -> Self {
        match p.to_str() {
            Some(s) if is_url(s) => Location::parse(s),
            _ => Location::File(p.to_owned()),
        }
    }
}

impl From<&PathBuf> for Location {
    fn from(p: &PathBuf) -> Self {
        Location::from(p.as_path())
    }
}

impl From<PathBuf> for Location {
    fn from(p: PathBuf) -> Self {
        Location::from(p.as_path())
    }
}

impl From<&str> for Location {
    fn from(s: &str) -> Self {
        Location::parse(s)
    }
}

impl From<&String> for Location {
    fn from(s: &String) -> Self {
        Location::parse(s)
    }
}

impl From<&Location> for Location {
    fn from(l: &Location) -> Self {
        l.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn urls_and_paths() {
        let cases = [
            ("/var/lib/guestmail/g.db", false, "/var/lib/guestmail/g.db"),
            ("g.db", false, "g.db"),
            ("postgres://gm:s3cret@db.example:5432/group", true, "postgres://gm:***@db.example:5432/group"),
            ("postgresql://gm@10.0.0.5/group", true, "postgresql://gm@10.0.0.5/group"),
        ];
        for (given, pg, shown) in cases {
            let l = Location::parse(given);
            assert_eq!(l.is_postgres(), pg, "{given}");
            assert_eq!(l.to_string(), shown, "{given}");
            assert!(!l.to_string().contains("s3cret"));
        }
    }
}
