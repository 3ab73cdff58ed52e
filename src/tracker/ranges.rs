//! The published address ranges the classifier checks, as plain data: one CIDR per line,
//! `#` comments. The files under `assets/ranges/` are built in; a venue can replace any of
//! them by putting a file of the same name in the directory named by `ranges_dir` in the
//! config (read by [`super::load_ranges`]). Nothing here does I/O.

use std::net::IpAddr;

/// An IPv4 or IPv6 network, `addr/prefix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub const fn v4(a: [u8; 4], prefix: u8) -> Self {
        Net { addr: IpAddr::V4(std::net::Ipv4Addr::new(a[0], a[1], a[2], a[3])), prefix }
    }

    /// `192.0.2.0/24`, `2001:db8::/32`, or a bare address (a single host).
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.trim().parse::<IpAddr>().ok()?, Some(p.trim().parse::<u8>().ok()?)),
            None => (text.trim().parse::<IpAddr>().ok()?, None),
        };
        let width = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(width);
        (prefix <= width).then_some(Net { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 @ IpAddr::V4(_) => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(net.to_bits()), u128::from(ip.to_bits()), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => masked(net.to_bits(), ip.to_bits(), 128, self.prefix),
            _ => false,
        }
    }
}

fn masked(net: u128, ip: u128, width: u32, prefix: u8) -> bool {
    let shift = width.saturating_sub(u32::from(prefix));
    shift >= width || (net >> shift) == (ip >> shift)
}

/// The named lists the rule table refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    /// Apple's network and iCloud Private Relay egress (Mail Privacy Protection).
    AppleMpp,
    /// Google's networks (Gmail's image proxy among them).
    Google,
    /// Microsoft Exchange Online Protection (Defender, Safe Links).
    MicrosoftEop,
    /// Yahoo's networks (its mail proxy and link preview).
    Yahoo,
    /// Email security gateways (Mimecast, Proofpoint, Barracuda...).
    SecurityGateways,
}

impl List {
    pub const ALL: [List; 5] = [List::AppleMpp, List::Google, List::MicrosoftEop, List::Yahoo, List::SecurityGateways];

    /// The file name, under `assets/ranges/` and in a venue's `ranges_dir`.
    pub const fn file_name(self) -> &'static str {
        match self {
            List::AppleMpp => "apple_mpp.txt",
            List::Google => "google.txt",
            List::MicrosoftEop => "microsoft_eop.txt",
            List::Yahoo => "yahoo.txt",
            List::SecurityGateways => "security_gateways.txt",
        }
    }

    /// The built-in file's text.
    pub const fn embedded(self) -> &'static str {
        match self {
            List::AppleMpp => include_str!("../../assets/ranges/apple_mpp.txt"),
            List::Google => include_str!("../../assets/ranges/google.txt"),
            List::MicrosoftEop => include_str!("../../assets/ranges/microsoft_eop.txt"),
            List::Yahoo => include_str!("../../assets/ranges/yahoo.txt"),
            List::SecurityGateways => include_str!("../../assets/ranges/security_gateways.txt"),
        }
    }
}

/// A line of a ranges file that is not a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: not a network: {text:?}")]
pub struct BadLine {
    pub file: &'static str,
    pub line: usize,
    pub text: String,
}

/// Parses one ranges file: one CIDR per line, blank lines and `#` comments ignored.
pub fn parse_list(list: List, text: &str) -> Result<Vec<Net>, BadLine> {
    let mut nets = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split_once('#').map_or(raw, |(before, _)| before).trim();
        if line.is_empty() {
            continue;
        }
        let net =
            Net::parse(line).ok_or_else(|| BadLine { file: list.file_name(), line: i + 1, text: line.to_owned() })?;
        nets.push(net);
    }
    Ok(nets)
}

/// Every list, ready for the classifier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranges {
    lists: Vec<(List, Vec<Net>)>,
}

impl Ranges {
    /// The built-in lists.
    pub fn embedded() -> Self {
        let mut ranges = Ranges::default();
        for list in List::ALL {
            // The embedded files are checked by a test; a bad line would only drop that list.
            ranges.set(list, parse_list(list, list.embedded()).unwrap_or_default());
        }
        ranges
    }

    /// Replaces one list.
    pub fn set(&mut self, list: List, nets: Vec<Net>) {
        self.lists.retain(|(l, _)| *l != list);
        self.lists.push((list, nets));
    }

    pub fn get(&self, list: List) -> &[Net] {
        self.lists.iter().find(|(l, _)| *l == list).map_or(&[], |(_, nets)| nets.as_slice())
    }

    pub fn contains(&self, list: List, ip: IpAddr) -> bool {
        self.get(list).iter().any(|net| net.contains(ip))
    }
}

/// Parses the config's `trusted_proxies` (addresses or CIDRs).
pub fn trusted_proxies(entries: &[String]) -> Result<std::sync::Arc<[Net]>, String> {
    entries
        .iter()
        .map(|e| Net::parse(e).ok_or_else(|| format!("not an address or network: {e:?}")))
        .collect::<Result<Vec<_>, _>>()
        .map(std::sync::Arc::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn every_embedded_file_parses_and_is_not_empty() {
        for list in List::ALL {
            let nets = parse_list(list, list.embedded()).expect("embedded file parses");
            assert!(!nets.is_empty(), "{}", list.file_name());
            assert!(list.embedded().starts_with("# "), "{} starts with its source", list.file_name());
        }
    }

    #[test]
    fn networks_match_on_their_prefix_only() {
        let net = Net::v4([66, 249, 64, 0], 19);
        assert!(net.contains(ip("66.249.95.255")));
        assert!(!net.contains(ip("66.249.96.0")));
        assert!(!net.contains(ip("2001:db8::1")));
        assert!(Net::v4([0, 0, 0, 0], 0).contains(ip("203.0.113.9")));
        let v6 = Net::parse("2a01:111:f403::/48").expect("v6");
        assert!(v6.contains(ip("2a01:111:f403:c10d::5")));
        assert!(!v6.contains(ip("2a01:111:f404::5")));
        assert_eq!(Net::parse("10.1.2.3"), Some(Net::v4([10, 1, 2, 3], 32)));
        assert!(Net::v4([17, 0, 0, 0], 8).contains(ip("::ffff:17.1.2.3")));
    }

    #[test]
    fn a_file_takes_comments_and_names_a_bad_line() {
        let text = "# source\n\n40.92.0.0/15  # EOP\n2a01:111:f400::/48\n";
        assert_eq!(parse_list(List::MicrosoftEop, text).expect("parses").len(), 2);
        let bad = parse_list(List::Yahoo, "# x\n98.136.0.0/33\n").expect_err("bad prefix");
        assert_eq!((bad.file, bad.line), ("yahoo.txt", 2));
        assert!(parse_list(List::Yahoo, "nonsense\n").is_err());
    }
}
