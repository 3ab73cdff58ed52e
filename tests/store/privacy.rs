//! Personal data is readable by its owner only: the database with its WAL and shared-memory
//! files, and the Maildir outbox's folders and emails (they hold names and addresses).

#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use guestmail::mail::compose::Composed;
use guestmail::mail::transport::MaildirSender;
use guestmail::store::Store;
use lettre::address::Envelope;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_maildir_outbox_creates_private_folders_and_files() {
    let dir = tempfile::tempdir().unwrap();
    // Two levels that do not exist yet: every folder guestmail creates is private.
    let root = dir.path().join("spool").join("outbox");
    let sender = MaildirSender::new(&root);
    let envelope =
        Envelope::new(Some("bistro@example.be".parse().unwrap()), vec!["anna@example.be".parse().unwrap()]).unwrap();
    let email = Composed {
        envelope,
        bytes: b"Subject: Your table\r\nTo: Anna Peeters <anna@example.be>\r\n\r\nSee you tonight.\r\n".to_vec(),
        subject: "Your table".into(),
        token: "0123456789abcdef0123456789abcdef".into(),
    };
    sender.deliver(&email).unwrap();
    for folder in [dir.path().join("spool"), root.clone(), root.join("tmp"), root.join("new"), root.join("cur")] {
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
    }
    let files: Vec<_> = std::fs::read_dir(root.join("new")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&files[0]), 0o600, "{}", files[0].display());
    assert!(std::fs::read_to_string(&files[0]).unwrap().contains("Anna Peeters"));
    assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 0, "nothing left half-written");
}

#[test]
fn the_database_and_its_wal_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("g.db");
    let mut store = Store::open(&db).unwrap();
    guestmail::demo::fill(
        &mut store,
        &guestmail::demo::DemoOptions::week(chrono::NaiveDate::from_ymd_opt(2037, 11, 23).unwrap()),
    )
    .unwrap();
    for file in [db.clone(), db.with_extension("db-wal"), db.with_extension("db-shm")] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}
