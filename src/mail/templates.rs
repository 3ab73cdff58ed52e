//! The email templates under `assets/templates/`, embedded in the binary so it works from
//! any directory: per language, one `KIND.txt` (a `Subject:` line, a blank line, the plain
//! text) and one `KIND.html` (the HTML content), plus a shared footer and `layout.html`.
//!
//! Placeholders are `{{name}}`. Each template is split once into literal and placeholder
//! pieces, so rendering is a few string pushes: composing stays well under the 15 µs budget.

use std::sync::OnceLock;

use crate::domain::{EmailKind, Language};

/// The values a template can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Var {
    Venue,
    Guest,
    When,
    Party,
    Phone,
    Address,
    ReplyTo,
    Lang,
    Subject,
    Pixel,
    Content,
    Footer,
}

impl Var {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "venue" => Self::Venue,
            "guest" => Self::Guest,
            "when" => Self::When,
            "party" => Self::Party,
            "phone" => Self::Phone,
            "address" => Self::Address,
            "reply_to" => Self::ReplyTo,
            "lang" => Self::Lang,
            "subject" => Self::Subject,
            "pixel" => Self::Pixel,
            "content" => Self::Content,
            "footer" => Self::Footer,
            _ => return None,
        })
    }
}

/// What the placeholders stand for in one email. `content` and `footer` are already
/// rendered HTML and go into the layout as is; everything else is text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Vars<'a> {
    pub venue: &'a str,
    pub guest: &'a str,
    pub when: &'a str,
    pub party: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub reply_to: &'a str,
    pub lang: &'a str,
    pub subject: &'a str,
    pub pixel: &'a str,
    pub content: &'a str,
    pub footer: &'a str,
}

impl Vars<'_> {
    fn get(&self, var: Var) -> &str {
        match var {
            Var::Venue => self.venue,
            Var::Guest => self.guest,
            Var::When => self.when,
            Var::Party => self.party,
            Var::Phone => self.phone,
            Var::Address => self.address,
            Var::ReplyTo => self.reply_to,
            Var::Lang => self.lang,
            Var::Subject => self.subject,
            Var::Pixel => self.pixel,
            Var::Content => self.content,
            Var::Footer => self.footer,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Text(&'static str),
    Var(Var),
}

/// One template, split into pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// Splits `source` at its `{{name}}` placeholders; an unknown name stays literal text
    /// (a test checks that the shipped templates have none).
    fn compile(source: &'static str) -> Self {
        let mut pieces = Vec::new();
        let mut rest = source;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else { break };
            let name = &rest[start + 2..start + 2 + len];
            match Var::parse(name) {
                Some(var) => {
                    if start > 0 {
                        pieces.push(Piece::Text(&rest[..start]));
                    }
                    pieces.push(Piece::Var(var));
                }
                None => pieces.push(Piece::Text(&rest[..start + 4 + len])),
            }
            rest = &rest[start + 4 + len..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest));
        }
        Template { pieces }
    }

    /// Renders as plain text (values as they are).
    pub fn render_text(&self, vars: &Vars<'_>, out: &mut String) {
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(v) => out.push_str(vars.get(*v)),
            }
        }
    }

    /// Renders as HTML: every value is escaped except the already-rendered `content` and
    /// `footer`, so a guest named `<script>` stays text.
    pub fn render_html(&self, vars: &Vars<'_>, out: &mut String) {
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(v @ (Var::Content | Var::Footer)) => out.push_str(vars.get(*v)),
                Piece::Var(v) => escape_html(vars.get(*v), out),
            }
        }
    }

    /// Whether any placeholder name was not recognised (left as `{{...}}` text).
    pub fn has_unknown_placeholder(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Text(t) if t.contains("{{")))
    }
}

/// Escapes text for HTML element content and double-quoted attributes. Runs of safe text
/// are copied whole (most values need no escaping at all).
pub fn escape_html(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// The three templates of one kind in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindTemplates {
    pub subject: Template,
    pub text: Template,
    pub html: Template,
}

/// Everything of one language: the kinds (in [`EmailKind::ALL`] order) and the footer.
#[derive(Debug)]
pub struct LanguageTemplates {
    pub kinds: Vec<KindTemplates>,
    pub footer_text: Template,
    pub footer_html: Template,
}

macro_rules! language {
    ($lang:literal) => {
        [
            kind!($lang, "pending"),
            kind!($lang, "confirmed"),
            kind!($lang, "reminder"),
            kind!($lang, "cancelled"),
            kind!($lang, "completed"),
            kind!($lang, "manual"),
            kind!($lang, "footer"),
        ]
    };
}

macro_rules! kind {
    ($lang:literal, $kind:literal) => {
        (
            include_str!(concat!("../../assets/templates/", $lang, "/", $kind, ".txt")),
            include_str!(concat!("../../assets/templates/", $lang, "/", $kind, ".html")),
        )
    };
}

/// Sources per language in [`Language::ALL`] order (en, fr, nl); per kind in
/// [`EmailKind::ALL`] order, then the footer.
const SOURCES: [[(&str, &str); 7]; 3] = [language!("en"), language!("fr"), language!("nl")];

const LAYOUT: &str = include_str!("../../assets/templates/layout.html");

fn split_subject(source: &'static str) -> (&'static str, &'static str) {
    let Some(rest) = source.strip_prefix("Subject:") else { return ("", source) };
    let (subject, body) = rest.split_once('\n').unwrap_or((rest, ""));
    (subject.trim(), body.strip_prefix('\n').unwrap_or(body))
}

fn compile_language(sources: &[(&'static str, &'static str); 7]) -> LanguageTemplates {
    let kinds = sources[..6]
        .iter()
        .map(|(txt, html)| {
            let (subject, text) = split_subject(txt);
            KindTemplates {
                subject: Template::compile(subject),
                text: Template::compile(text),
                html: Template::compile(html),
            }
        })
        .collect();
    LanguageTemplates {
        kinds,
        footer_text: Template::compile(sources[6].0),
        footer_html: Template::compile(sources[6].1),
    }
}

fn all() -> &'static [LanguageTemplates] {
    static ALL: OnceLock<Vec<LanguageTemplates>> = OnceLock::new();
    ALL.get_or_init(|| SOURCES.iter().map(compile_language).collect())
}

/// The templates of one language.
pub fn language(lang: Language) -> &'static LanguageTemplates {
    let i = Language::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    &all()[i]
}

/// The templates of one kind in one language.
pub fn kind(kind: EmailKind, lang: Language) -> &'static KindTemplates {
    let i = EmailKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
    &language(lang).kinds[i]
}

/// The HTML page every email's content goes into.
pub fn layout() -> &'static Template {
    static L: OnceLock<Template> = OnceLock::new();
    L.get_or_init(|| Template::compile(LAYOUT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_exists_and_names_only_known_placeholders() {
        assert_eq!(Language::ALL.len(), SOURCES.len());
        for lang in Language::ALL {
            let l = language(*lang);
            assert!(!l.footer_text.has_unknown_placeholder() && !l.footer_html.has_unknown_placeholder());
            for k in EmailKind::ALL {
                let t = kind(*k, *lang);
                for part in [&t.subject, &t.text, &t.html] {
                    assert!(!part.has_unknown_placeholder(), "{lang}/{k}");
                    assert!(!part.pieces.is_empty(), "{lang}/{k} has an empty part");
                }
                let mut s = String::new();
                t.subject.render_text(&Vars { venue: "V", when: "W", ..Vars::default() }, &mut s);
                assert!(!s.contains('\n') && !s.is_empty(), "{lang}/{k} subject: {s:?}");
            }
        }
        assert!(!layout().has_unknown_placeholder());
    }

    #[test]
    fn html_escapes_values_but_not_rendered_content() {
        let t = Template::compile("<p>{{guest}}</p>{{content}}");
        let mut out = String::new();
        t.render_html(&Vars { guest: "<b>Tom & \"Jerry\"</b>", content: "<i>x</i>", ..Vars::default() }, &mut out);
        assert_eq!(out, "<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;</p><i>x</i>");
        let mut out = String::new();
        escape_html("Zoé's <café> & \"bar\"", &mut out);
        assert_eq!(out, "Zoé&#39;s &lt;café&gt; &amp; &quot;bar&quot;");
    }

    #[test]
    fn unknown_or_unclosed_placeholders_stay_text() {
        let t = Template::compile("a {{nope}} b {{venue}} c {{");
        let mut out = String::new();
        t.render_text(&Vars { venue: "V", ..Vars::default() }, &mut out);
        assert_eq!(out, "a {{nope}} b V c {{");
        assert!(t.has_unknown_placeholder());
    }
}
