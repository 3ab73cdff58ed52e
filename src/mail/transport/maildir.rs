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
