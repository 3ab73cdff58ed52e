//! Issue 12: `App::update` handles every `Action` by name (no catch-all arm), so a new action
//! nobody handles is a compile error, not a key that silently does nothing. The test proves
//! it the only way it can be proved: it copies the crate's sources, adds a variant to `enum
//! Action` and runs the real compiler on the copy, which must refuse with E0004
//! (non-exhaustive patterns) in `src/app/mod.rs`, the update function's file.
//!
//! The copy is checked with `cargo check --lib --offline` in a target directory of its own
//! under the project's `target/` (the dependencies are compiled there once and reused by the
//! next runs; the main target directory stays free for the `cargo test` that runs this).

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::process::Command;

/// The variant the copy gains; nothing in the crate knows it.
const PROBE: &str = "ExhaustivenessProbe";

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_new_action_without_handling_does_not_compile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = tempfile::tempdir().unwrap();
    let dir = copy.path();
    copy_dir(&root.join("src"), &dir.join("src"));
    for file in ["Cargo.toml", "Cargo.lock"] {
        fs::copy(root.join(file), dir.join(file)).unwrap();
    }
    // Read, never written: the migrations and IP ranges the sources include, and the bench
    // and example files the manifest names.
    #[cfg(unix)]
    for shared in ["assets", "benches"] {
        std::os::unix::fs::symlink(root.join(shared), dir.join(shared)).unwrap();
    }

    let action = dir.join("src/action.rs");
    let source = fs::read_to_string(&action).unwrap();
    let head = "pub enum Action {\n";
    assert_eq!(source.matches(head).count(), 1, "one `enum Action` in src/action.rs");
    fs::write(&action, source.replacen(head, &format!("{head}    {PROBE},\n"), 1)).unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["check", "--lib", "--offline", "--quiet", "--message-format=short"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root.join("target").join("action_exhaustive"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the copy with an unhandled action compiled:\n{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains(": error")).collect();
    let in_update: Vec<&&str> = errors
        .iter()
        .filter(|l| l.starts_with("src/app/mod.rs:") && l.contains("error[E0004]") && l.contains(PROBE))
        .collect();
    assert!(!in_update.is_empty(), "no E0004 for `Action::{PROBE}` in src/app/mod.rs:\n{stderr}");
    // Only the new variant's handling is missing: no error of another kind (a copy missing a
    // file would fail for the wrong reason).
    for line in &errors {
        let unrelated = !line.contains("error[E0004]") && !line.starts_with("error: could not compile");
        assert!(!unrelated, "an error that is not about the new action: {line}\n{stderr}");
    }
}
