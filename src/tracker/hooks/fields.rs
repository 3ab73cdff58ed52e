//! Small readers of the providers' JSON: a text at a path, a Message-ID without its angle
//! brackets, times in RFC 3339 or Unix seconds.

use serde_json::Value;

/// The text at `path` (object keys), if it is a non-empty string.
pub fn text<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut at = v;
    for key in path {
        at = at.get(key)?;
    }
    at.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// A Message-ID as kept for matching: without blanks and angle brackets.
pub fn message_id(text: &str) -> Option<String> {
    let id = text.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty() && !id.contains(char::is_whitespace)).then(|| id.to_owned())
}

/// An address as the store keeps it: lower case, without a display name.
pub fn address(text: &str) -> String {
    let text = text.trim();
    let inner = match (text.rfind('<'), text.rfind('>')) {
        (Some(a), Some(b)) if a < b => &text[a + 1..b],
        _ => text,
    };
    inner.trim().to_ascii_lowercase()
}

/// An RFC 3339 time (`2037-05-01T19:02:03.123Z`) as UTC Unix ms.
pub fn rfc3339_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.timestamp_millis())
}

/// Unix seconds, a number (possibly with a fraction) or a string of one, as ms.
pub fn unix_ms(v: Option<&Value>) -> Option<i64> {
    let seconds = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (seconds.is_finite() && seconds > 0.0).then(|| (seconds * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers() {
        let v: Value = serde_json::json!({"a": {"b": " x "}, "n": 1_534_110_422.389_832, "s": "1705376357"});
        assert_eq!(text(&v, &["a", "b"]), Some("x"));
        assert_eq!(text(&v, &["a", "c"]), None);
        assert_eq!(message_id(" <abc@host> ").as_deref(), Some("abc@host"));
        assert_eq!(message_id("<>"), None);
        assert_eq!(address("Jane Doe <Jane@Example.com>"), "jane@example.com");
        assert_eq!(rfc3339_ms("2016-01-27T14:59:38.237Z"), Some(1_453_906_778_237));
        assert_eq!(unix_ms(v.get("n")), Some(1_534_110_422_390));
        assert_eq!(unix_ms(v.get("s")), Some(1_705_376_357_000));
        assert_eq!(unix_ms(None), None);
    }
}
