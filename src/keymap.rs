//! The one keymap: which key triggers which [`Action`]. Defaults live here; the config's
//! `[keys]` table replaces an action's keys by name (`down = "n"` or `down = "n, Down"`).
//! The reverse map (action -> keys) feeds the footer hints and the help, so what the screen
//! says is always what the keys do.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;

/// A key as the keymap sees it: the code plus Ctrl/Alt (Shift is part of the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Self {
        Key { code, ctrl: false, alt: false }
    }

    pub const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    /// The key of a terminal key event.
    pub fn from_event(e: &KeyEvent) -> Self {
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Whether this is Ctrl-C, which always quits whatever the keymap says.
    pub fn is_ctrl_c(&self) -> bool {
        self.ctrl && matches!(self.code, KeyCode::Char('c' | 'C'))
    }
}

/// A key name in the config that guestmail cannot read, or an override that clashes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("[keys]: unknown action '{action}'; known actions: {known}")]
    UnknownAction { action: String, known: String },
    #[error("[keys] {action} = \"{key}\": unknown key name (try a letter, Up, Down, PageUp, Home, F1, ctrl-x)")]
    UnknownKey { action: String, key: String },
    #[error("[keys] {action} = \"{key}\": that key is already bound to '{other}'")]
    Clash { action: String, key: String, other: String },
    #[error("[keys] {action} = \"{key}\": Ctrl-C always quits and cannot be rebound")]
    Reserved { action: String, key: String },
}

impl std::str::FromStr for Key {
    type Err = ();

    /// Parses `j`, `J`, `?`, `Up`, `PageDown`, `F5`, `ctrl-x`, `alt-x`, `Space` (case-blind
    /// for names, exact for single characters).
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        for (prefix, ctrl) in [("ctrl-", true), ("c-", true), ("alt-", false), ("a-", false)] {
            if lower.starts_with(prefix) && s.len() > prefix.len() {
                let inner: Key = s[prefix.len()..].parse()?;
                return Ok(Key { ctrl: inner.ctrl || ctrl, alt: inner.alt || !ctrl, code: inner.code });
            }
        }
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Key::ch(c));
        }
        let code = match lower.as_str() {
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') => KeyCode::F(f[1..].parse().map_err(|_| ())?),
            _ => return Err(()),
        };
        Ok(Key::plain(code))
    }
}

impl fmt::Display for Key {
    /// The short form the footer and the help print: arrows as arrows, `Ctrl-x`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Keys to actions, in the order they were bound (defaults first, in help order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Key, Action)>,
}

impl Default for Keymap {
    fn default() -> Self {
        use KeyCode::{Down, End, Home, Left, PageDown, PageUp, Right, Up};
        let p = Key::plain;
        let bindings = vec![
            (p(Up), Action::SelectPrevious),
            (Key::ch('k'), Action::SelectPrevious),
            (p(Down), Action::SelectNext),
            (Key::ch('j'), Action::SelectNext),
            (p(PageUp), Action::PageUp),
            (p(PageDown), Action::PageDown),
            (p(Home), Action::SelectFirst),
            (p(End), Action::SelectLast),
            (p(Left), Action::PreviousDay),
            (Key::ch('h'), Action::PreviousDay),
            (p(Right), Action::NextDay),
            (Key::ch('l'), Action::NextDay),
            (Key::ch('t'), Action::Today),
            (Key::ch('/'), Action::StartFilter),
            (Key::ch('c'), Action::Confirm),
            (Key::ch('d'), Action::Complete),
            (Key::ch('x'), Action::CancelReservation),
            (Key::ch('N'), Action::NoShow),
            (Key::ch('n'), Action::NewReservation),
            (Key::ch('r'), Action::Resend),
            (Key::ch('e'), Action::EditEmail),
            (Key::ch('!'), Action::ShowLastError),
            (p(KeyCode::Delete), Action::ResetCounter),
            (Key::ch('D'), Action::ResetCounter),
            (p(KeyCode::Enter), Action::OpenHistory),
            (Key::ch('H'), Action::CommHistory),
            (Key::ch('F'), Action::FollowUp),
            (Key::ch('v'), Action::ConfirmByPhone),
            (Key::ch('X'), Action::ForgetGuest),
            (Key::ch('K'), Action::FilterKind),
            (Key::ch('S'), Action::FilterState),
            (Key::ch('<'), Action::FilterFrom),
            (Key::ch('>'), Action::FilterTo),
            (Key::ch('?'), Action::ToggleHelp),
            (Key::ch('q'), Action::Quit),
        ];
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the config's overrides applied: each named action gets exactly the
    /// keys listed (comma-separated). Unknown actions, unreadable keys and clashes are errors
    /// that name the action and the key.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Self, KeymapError> {
        let mut map = Keymap::default();
        for (name, value) in overrides {
            let Some(action) = Action::from_name(name) else {
                let known: Vec<&str> = Action::BINDABLE.iter().filter_map(Action::name).collect();
                return Err(KeymapError::UnknownAction { action: name.clone(), known: known.join(", ") });
            };
            map.bindings.retain(|(_, a)| *a != action);
            for text in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let err_key = || (name.clone(), text.to_owned());
                let key: Key = text.parse().map_err(|()| {
                    let (action, key) = err_key();
                    KeymapError::UnknownKey { action, key }
                })?;
                if key.is_ctrl_c() {
                    let (action, key) = err_key();
                    return Err(KeymapError::Reserved { action, key });
                }
                map.bindings.push((key, action.clone()));
            }
        }
        map.check_clashes(overrides)?;
        Ok(map)
    }

    fn check_clashes(&self, overrides: &BTreeMap<String, String>) -> Result<(), KeymapError> {
        for (i, (key, action)) in self.bindings.iter().enumerate() {
            if let Some((_, other)) = self.bindings[..i].iter().find(|(k, a)| k == key && a != action) {
                // Name the action the user wrote, whichever side of the clash it is on.
                let (mine, theirs) = if overrides.contains_key(action.name().unwrap_or_default()) {
                    (action, other)
                } else {
                    (other, action)
                };
                return Err(KeymapError::Clash {
                    action: mine.name().unwrap_or_default().to_owned(),
                    key: key.to_string(),
                    other: theirs.name().unwrap_or_default().to_owned(),
                });
            }
        }
        Ok(())
    }

    /// The action bound to this key, if any.
    pub fn action_for(&self, key: &Key) -> Option<Action> {
        if key.is_ctrl_c() {
            return Some(Action::Quit);
        }
        self.bindings.iter().find(|(k, _)| k == key).map(|(_, a)| a.clone())
    }

    /// The keys bound to an action, in binding order.
    pub fn keys_for(&self, action: &Action) -> Vec<Key> {
        self.bindings.iter().filter(|(_, a)| a == action).map(|(k, _)| *k).collect()
    }

    /// The keys of an action as the screen prints them: `↑/k`.
    pub fn label(&self, action: &Action) -> String {
        let keys: Vec<String> = self.keys_for(action).iter().map(Key::to_string).collect();
        keys.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(a, k)| ((*a).to_owned(), (*k).to_owned())).collect()
    }

    #[test]
    fn defaults_cover_every_bindable_action() {
        let map = Keymap::default();
        for a in Action::BINDABLE {
            assert!(!map.keys_for(&a).is_empty(), "{a:?} has no key");
        }
        assert_eq!(map.action_for(&Key::ch('j')), Some(Action::SelectNext));
        assert_eq!(map.label(&Action::SelectNext), "↓/j");
        let ctrl_c = Key { ctrl: true, ..Key::ch('c') };
        assert_eq!(map.action_for(&ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn an_override_replaces_the_keys_of_that_action_only() {
        let map = Keymap::with_overrides(&overrides(&[("down", "m, Down"), ("quit", "ctrl-q")])).unwrap();
        assert_eq!(map.action_for(&Key::ch('m')), Some(Action::SelectNext));
        assert_eq!(map.action_for(&Key::ch('j')), None, "the old key is gone");
        assert_eq!(map.action_for(&Key { ctrl: true, ..Key::ch('q') }), Some(Action::Quit));
        assert_eq!(map.action_for(&Key::ch('k')), Some(Action::SelectPrevious));
        assert_eq!(map.label(&Action::SelectNext), "m/↓");
    }

    #[test]
    fn bad_overrides_name_the_action_and_the_key() {
        let err = Keymap::with_overrides(&overrides(&[("launch", "r")])).unwrap_err().to_string();
        assert!(err.contains("'launch'") && err.contains("next_day"), "{err}");
        let err = Keymap::with_overrides(&overrides(&[("down", "Dwn")])).unwrap_err().to_string();
        assert!(err.contains("down") && err.contains("\"Dwn\""), "{err}");
        let err = Keymap::with_overrides(&overrides(&[("down", "k")])).unwrap_err();
        assert_eq!(err, KeymapError::Clash { action: "down".into(), key: "k".into(), other: "up".into() });
        let err = Keymap::with_overrides(&overrides(&[("help", "ctrl-c")])).unwrap_err();
        assert!(matches!(err, KeymapError::Reserved { .. }), "{err}");
    }

    #[test]
    fn key_names_parse_and_print() {
        assert_eq!("PageDown".parse::<Key>(), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!("f5".parse::<Key>(), Ok(Key::plain(KeyCode::F(5))));
        assert_eq!("Ctrl-x".parse::<Key>().map(|k| k.to_string()), Ok("Ctrl-x".to_owned()));
        assert_eq!("alt-x".parse::<Key>().map(|k| k.alt), Ok(true));
        assert_eq!("space".parse::<Key>(), Ok(Key::ch(' ')));
        assert!("nonsense".parse::<Key>().is_err());
    }
}
