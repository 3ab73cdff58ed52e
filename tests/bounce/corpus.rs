//! Runs the bounce parser over the shared corpus of real bounces and compares it with what
//! the reference analyser (Sisimai) found: `../shared/bounces/truth.jsonl`.
//!
//! Scoring: rows marked `doubt` are parsed but not scored. Sisimai's own pseudo status codes
//! (`x.0.9xx`, which it derives from its reason when the message gives no code) are left out
//! of the status score, since no message contains them. Classes: hardbounce -> hard,
//! feedback -> complaint, vacation -> autoreply, delivered -> delivered, action delayed ->
//! delayed, any other failure -> soft. Reason `expired` (a message given up on after its
//! retries) is a failure, so soft, even though Sisimai writes `delayed` into its action. The bar
//! compares hard / soft / complaint / not-an-error.
//! Run with `--nocapture` to see the figures and every disagreement.

use std::collections::BTreeMap;
use std::path::PathBuf;

use guestmail::bounce::{self, FailedRecipient};
use guestmail::domain::BounceClass;
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    std::env::var_os("GUESTMAIL_BOUNCE_CORPUS")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bounces"), PathBuf::from)
}

fn expected_class(row: &Value) -> &'static str {
    let s = |k: &str| row.get(k).and_then(Value::as_str).unwrap_or_default();
    if row.get("hardbounce").and_then(Value::as_bool) == Some(true) {
        "hard"
    } else if s("reason") == "feedback" {
        "complaint"
    } else if s("reason") == "vacation" {
        "autoreply"
    } else if s("reason") == "delivered" {
        "delivered"
    } else if s("reason") == "expired" {
        "soft"
    } else if s("action") == "delayed" {
        "delayed"
    } else {
        "soft"
    }
}

/// hard / soft / complaint / not-an-error.
fn group(class: &str) -> &str {
    match class {
        "hard" | "soft" | "complaint" => class,
        _ => "none",
    }
}

/// Whether our class agrees with the expected one, in the four groups the bar compares.
fn agrees(expected: &str, mine: &str) -> bool {
    group(expected) == group(mine)
}

fn pseudo_status(status: &str) -> bool {
    let parts: Vec<&str> = status.split('.').collect();
    parts.len() == 3 && parts[1] == "0" && parts[2].len() == 3 && parts[2].starts_with('9')
}

#[derive(Default)]
struct Score {
    recipients: (u32, u32),
    statuses: (u32, u32),
    classes: (u32, u32),
    exact_classes: (u32, u32),
    non_bounces: (u32, u32),
    counted_non_errors: Vec<String>,
    panics: Vec<String>,
    disagreements: Vec<String>,
}

fn pct((ok, all): (u32, u32)) -> f64 {
    if all == 0 { 100.0 } else { f64::from(ok) * 100.0 / f64::from(all) }
}

#[test]
fn corpus_agrees_with_the_reference_analyser() {
    let dir = corpus_dir();
    let Ok(truth_text) = std::fs::read_to_string(dir.join("truth.jsonl")) else {
        println!("SKIPPED: bounce corpus not found at {} (set GUESTMAIL_BOUNCE_CORPUS)", dir.display());
        return;
    };
    let mut truth: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in truth_text.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).expect("truth.jsonl line is JSON");
        let file = row["file"].as_str().expect("file field").to_owned();
        truth.entry(file).or_default().push(row);
    }
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir.join("emails")).expect("emails/").map(|e| e.expect("entry").path()).collect();
    files.sort();
    let mut score = Score::default();
    for path in &files {
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        let raw = std::fs::read(path).expect("readable");
        let Ok(parsed) = std::panic::catch_unwind(|| bounce::parse(&raw)) else {
            score.panics.push(name);
            continue;
        };
        let found: Vec<FailedRecipient> = parsed.map(|b| b.recipients).unwrap_or_default();
        score_file(&name, truth.get(&name).map_or(&[][..], Vec::as_slice), &found, &mut score);
    }
    for d in &score.disagreements {
        println!("  {d}");
    }
    println!("bounce corpus: {} files in {}", files.len(), dir.display());
    println!("  recipients found:   {:.1}% ({}/{})", pct(score.recipients), score.recipients.0, score.recipients.1);
    println!("  status code equal:  {:.1}% ({}/{})", pct(score.statuses), score.statuses.0, score.statuses.1);
    println!("  class (4 groups):   {:.1}% ({}/{})", pct(score.classes), score.classes.0, score.classes.1);
    println!(
        "  class (6 classes):  {:.1}% ({}/{})",
        pct(score.exact_classes),
        score.exact_classes.0,
        score.exact_classes.1
    );
    println!("  non-bounces seen:   {}/{}", score.non_bounces.0, score.non_bounces.1);
    assert!(score.panics.is_empty(), "parser panicked on {:?}", score.panics);
    assert!(score.counted_non_errors.is_empty(), "non-errors counted as errors: {:?}", score.counted_non_errors);
    assert!(pct(score.recipients) >= 95.0, "recipients below 95%");
    assert!(pct(score.statuses) >= 90.0, "status codes below 90%");
    assert!(pct(score.classes) >= 90.0, "classes below 90%");
}

fn score_file(name: &str, rows: &[Value], found: &[FailedRecipient], score: &mut Score) {
    let s = |row: &Value, k: &str| row.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    for row in rows {
        if row.get("parsed").and_then(Value::as_bool) == Some(false) {
            if row.get("doubt").is_none() {
                score.non_bounces.1 += 1;
                if found.iter().all(|r| !r.class.counts_as_error()) {
                    score.non_bounces.0 += 1;
                } else {
                    score.disagreements.push(format!("{name}: not a bounce, parsed as {:?}", first(found)));
                }
            }
            continue;
        }
        let expected = expected_class(row);
        let recipient = s(row, "recipient");
        let mine = found.iter().find(|r| r.recipient.eq_ignore_ascii_case(&recipient));
        if matches!(expected, "delivered" | "autoreply") && mine.is_some_and(|r| r.class.counts_as_error()) {
            score.counted_non_errors.push(name.to_owned());
        }
        if row.get("doubt").is_some() {
            continue;
        }
        score.recipients.1 += 1;
        score.classes.1 += 1;
        score.exact_classes.1 += 1;
        let Some(mine) = mine else {
            let got: Vec<&str> = found.iter().map(|r| r.recipient.as_str()).collect();
            score.disagreements.push(format!("{name}: recipient {recipient} missing, found {got:?}"));
            if group(expected) == "none" && found.iter().all(|r| !r.class.counts_as_error()) {
                score.classes.0 += 1;
            }
            let status = s(row, "status");
            if !status.is_empty() && !pseudo_status(&status) {
                score.statuses.1 += 1;
            }
            continue;
        };
        score.recipients.0 += 1;
        let status = s(row, "status");
        if !status.is_empty() && !pseudo_status(&status) {
            score.statuses.1 += 1;
            if mine.status.as_deref() == Some(status.as_str()) {
                score.statuses.0 += 1;
            } else {
                score.disagreements.push(format!(
                    "{name}: status {status} != {:?} ({})",
                    mine.status,
                    cut(&mine.diagnostic)
                ));
            }
        }
        let class = mine.class.as_str();
        if agrees(expected, class) {
            score.classes.0 += 1;
        } else {
            score.disagreements.push(format!(
                "{name}: class {expected} ({}) != {class} [{}]",
                s(row, "reason"),
                cut(&mine.diagnostic)
            ));
        }
        if class == expected {
            score.exact_classes.0 += 1;
        }
    }
    if rows.is_empty() && found.iter().any(|r| r.class.counts_as_error()) {
        score.disagreements.push(format!("{name}: no truth row, parsed as {:?}", first(found)));
    }
}

fn first(found: &[FailedRecipient]) -> Option<(&str, BounceClass)> {
    found.first().map(|r| (r.recipient.as_str(), r.class))
}

fn cut(text: &str) -> String {
    text.chars().take(140).collect()
}
