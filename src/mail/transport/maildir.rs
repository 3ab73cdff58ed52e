//! The local Maildir outbox: each email is written to `tmp/`, synced, then renamed into
//! `new/` as `<time>.<token>.eml`, so a reader never sees half a file and a crash leaves at
//! most a stray file in `tmp/`.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::SendError;
use crate::mail::compose::Composed;

#[derive(Debug, Clone)]
pub struct MaildirSender {
    root: PathBuf,
}

fn private_dir(path: &Path) -> std::io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(path)
}

impl MaildirSender {
    pub fn new(root: &Path) -> Self {
        Self { root: root.to_owned() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes one email; the reply names the file. A disk error is temporary (retry later).
    pub fn deliver(&self, email: &Composed) -> Result<String, SendError> {
        let io = |what: &str, e: std::io::Error| SendError::Transient(format!("Maildir {what}: {e}"));
        for sub in ["tmp", "new", "cur"] {
            private_dir(&self.root.join(sub)).map_err(|e| io("cannot create the folders", e))?;
        }
        let name = format!("{}.{}.eml", crate::store::now_ms(), email.token);
        let tmp = self.root.join("tmp").join(&name);
        let new = self.root.join("new").join(&name);
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp).map_err(|e| io("cannot create the file", e))?;
        // From here on, any failure (a full disk, above all) removes the half-written file:
        // nothing was delivered, so the email stays queued and is tried again later.
        let written = (|| {
            // The envelope sender, as a delivering MTA would record it.
            if let Some(from) = email.envelope.from() {
                write!(file, "Return-Path: <{from}>\r\n").map_err(|e| io("write failed", e))?;
            }
            file.write_all(&email.bytes).map_err(|e| io("write failed", e))?;
            file.sync_all().map_err(|e| io("sync failed", e))?;
            drop(file);
            fs::rename(&tmp, &new).map_err(|e| io("rename failed", e))
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        if let Ok(dir) = fs::File::open(self.root.join("new")) {
            let _ = dir.sync_all();
        }
        Ok(format!("written to {}", new.display()))
    }
}

/// How much of a file the fallback scan reads: the header block and then some.
const SCAN_HEAD: u64 = 16 * 1024;

/// Deletes a forgotten guest's emails from the Maildir outbox at `root` (`tmp/`, `new/` and
/// `cur/`): the files named after one of `tokens` (`<time>.<token>.eml`, with any flags a mail
/// program added), and, for a file renamed by hand, any whose first 16 KB name `email` (any
/// case). Reads no more than that of any file. Returns how many files went.
pub fn remove_guest_emails(root: &Path, tokens: &[String], email: &str) -> std::io::Result<usize> {
    use std::io::Read as _;
    let tokens: std::collections::HashSet<&str> = tokens.iter().map(String::as_str).collect();
    let needle = email.trim().to_ascii_lowercase();
    let mut removed = 0;
    for sub in ["tmp", "new", "cur"] {
        let dir = match fs::read_dir(root.join(sub)) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in dir {
            let path = entry?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let by_name = name.split('.').nth(1).is_some_and(|t| tokens.contains(t));
            let by_content = !by_name && needle.len() >= 3 && {
                let mut head = Vec::new();
                fs::File::open(&path).and_then(|f| f.take(SCAN_HEAD).read_to_end(&mut head)).is_ok()
                    && String::from_utf8_lossy(&head).to_ascii_lowercase().contains(&needle)
            };
            if by_name || by_content {
                match fs::remove_file(&path) {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(removed)
}
