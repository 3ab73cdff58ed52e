//! A full disk during a Maildir send, for real: the outbox is a 64 KB tmpfs (mounted by the
//! test, so it runs as root, as CI does; it says so and skips otherwise). Every email that
//! did not fit leaves nothing in `tmp/` and stays queued for a retry (deferred, never
//! `uncertain`: nothing was delivered); every one that fit is whole in `new/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(target_os = "linux")]

mod support;
use support::outbox_env as env;

use std::path::{Path, PathBuf};
use std::process::Command;

use env::{Env, booking, flush};
use guestmail::domain::{Language, MessageState};

struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn mount_small_tmpfs(at: &Path) -> Option<Mounted> {
    // SAFETY-free check of the effective user: root is uid 0.
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("Uid:").map(|r| r.split_whitespace().nth(1).unwrap_or("").to_owned()))?;
    if uid != "0" {
        eprintln!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return None;
    }
    std::fs::create_dir_all(at).unwrap();
    let ok = Command::new("mount").args(["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs"]).arg(at).status();
    match ok {
        Ok(s) if s.success() => Some(Mounted(at.to_owned())),
        _ => {
            eprintln!("skipped: cannot mount a tmpfs here");
            None
        }
    }
}

#[test]
fn a_full_disk_leaves_no_temporary_file_and_the_emails_stay_queued() {
    let env = Env::new(None);
    let Some(mounted) = mount_small_tmpfs(&env.outbox) else { return };
    let mut store = env.store();
    for i in 0..40 {
        let name = format!("Guest {i} {}", "with a long name ".repeat(8));
        store
            .create_reservation(&booking(&name, &format!("g{i}@example.org"), Language::En, "2037-11-28 19:30", 2))
            .unwrap();
    }
    let mut worker = env.worker();
    let summary = flush(&mut worker);
    let written: Vec<_> = std::fs::read_dir(env.outbox.join("new")).unwrap().map(|e| e.unwrap().path()).collect();
    let tmp = std::fs::read_dir(env.outbox.join("tmp")).unwrap().count();
    eprintln!("sent {} deferred {} files {} tmp {tmp}", summary.sent, summary.deferred, written.len());
    assert!(summary.sent > 0 && summary.deferred > 0, "the disk filled up mid-run: {summary:?}");
    assert_eq!(tmp, 0, "no half-written file left in tmp/");
    assert_eq!(written.len() as u64, summary.sent, "one whole file per sent email");
    for f in &written {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(text.contains("</html>"), "{} is whole", f.display());
    }
    let states = store.count_by_state().unwrap();
    let count = |s: MessageState| states.iter().find(|(st, _)| *st == s).map_or(0, |(_, n)| *n);
    assert_eq!(count(MessageState::Uncertain), 0, "{states:?}");
    assert_eq!(count(MessageState::Sending), 0, "{states:?}");
    assert_eq!(count(MessageState::Sent) as u64, summary.sent);
    assert_eq!(count(MessageState::Deferred) as u64, summary.deferred, "{states:?}");
    // Once there is room again (the tmpfs gone), the deferred emails go out at their retry.
    drop(mounted);
    drop(worker);
    let mut later = env.worker().with_clock(|| guestmail::store::now_ms() + 10 * 60_000);
    let retried = flush(&mut later);
    assert_eq!(retried.sent, summary.deferred, "{retried:?}");
    assert_eq!(std::fs::read_dir(env.outbox.join("tmp")).unwrap().count(), 0);
}
