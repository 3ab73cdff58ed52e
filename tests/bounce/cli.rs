//! `guestmail bounce parse` as a user runs it: the real binary on fixture files.

use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/bounces/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let dir = tempfile::tempdir().expect("dir");
    let out = Command::new(env!("CARGO_BIN_EXE_guestmail"))
        .args(["--db", &dir.path().join("gm.db").to_string_lossy(), "bounce", "parse"])
        .args(args)
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .expect("run guestmail");
    let lines =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    (out.status.code(), lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn prints_one_json_line_per_recipient_and_none_for_other_mail() {
    let (code, lines, _) = run(&[&fixture("lhost-qmail-16.eml"), &fixture("is-not-bounce-02.eml")]);
    assert_eq!(code, Some(0));
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["file"], "lhost-qmail-16.eml");
    assert_eq!(lines[0]["recipient"], "userunknown@libsisimai.net");
    assert_eq!(lines[0]["status"], "5.1.1");
    assert_eq!(lines[0]["reply_code"], "550");
    assert_eq!(lines[0]["class"], "hard");
    assert_eq!(lines[0]["action"], "failed");
    assert!(lines[0]["diagnostic"].as_str().is_some_and(|d| d.contains("User unknown")));
    assert_eq!(lines[1], serde_json::json!({"file": "is-not-bounce-02.eml", "class": "none"}));
}

#[test]
fn an_unreadable_file_is_reported_and_the_others_still_parsed() {
    let (code, lines, stderr) = run(&["/nonexistent/missing.eml", &fixture("arf-01.eml")]);
    assert_ne!(code, Some(0), "an unreadable file is an error");
    assert!(stderr.contains("missing.eml"), "{stderr}");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["class"], "complaint");
}
