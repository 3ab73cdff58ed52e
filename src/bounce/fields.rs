//! `Name: value` field groups, as in message/delivery-status (RFC 3464) and
//! message/feedback-report (RFC 5965) parts: groups are separated by blank lines, values may
//! be folded onto indented lines.

/// One group of fields: lower-case names, unfolded values, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Group(pub Vec<(String, String)>);

impl Group {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Splits `text` into field groups. Lines that are not fields are skipped.
pub(crate) fn groups(text: &str) -> Vec<Group> {
    let mut out = Vec::new();
    let mut current = Group::default();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.0.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.0.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':')
            && !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            current.0.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    if !current.0.is_empty() {
        out.push(current);
    }
    out
}

/// A well-formed address in a `type; address` field (`rfc822; <a@b.c>`), lower case.
pub(crate) fn strict_address(value: &str) -> Option<String> {
    let raw = value.split_once(';').map_or(value, |(_, a)| a);
    super::scan::emails(raw.trim()).into_iter().next()
}

/// The address of a `type; address` field, accepting odd forms (no dot in the domain, a
/// source route `@relay:user@host`) when nothing better is there.
pub(crate) fn address_value(value: &str) -> Option<String> {
    let raw = value.split_once(';').map_or(value, |(_, a)| a);
    let raw = raw.trim().trim_matches(['<', '>', '"', ' ']);
    let raw = if raw.starts_with('@') { raw.rsplit_once(':').map_or(raw, |(_, a)| a) } else { raw };
    super::scan::emails(raw).into_iter().next().or_else(|| {
        let bare = raw.to_ascii_lowercase();
        let plausible = bare.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
        (plausible && !bare.contains(char::is_whitespace)).then_some(bare)
    })
}

/// The text of a `type; text` field (`smtp; 550 5.1.1 ...`).
pub(crate) fn typed_text(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, text)) if kind.len() < 20 && !kind.contains(' ') => text.trim(),
        _ => value.trim(),
    }
}
