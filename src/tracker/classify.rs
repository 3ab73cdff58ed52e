//! Human or machine: one table of rules, checked in order, first match wins.
//!
//! Mail providers and security gateways fetch images without a person reading: Gmail's
//! image proxy, Yahoo's, Apple Mail Privacy Protection (which prefetches every image on
//! delivery), Outlook.com's link preview and Microsoft 365's scanners, and link-scanning
//! gateways. A hit matching a rule is a machine open with the rule's reason; anything else is
//! a person's browser or mail client. To teach it a new proxy, add one line to [`RULES`].
//!
//! Known limit: Apple Mail showing images without Privacy Protection sends the same `WebKit`
//! User-Agent as the MPP proxy; only the proxy's address range (or a fetch right after
//! sending) tells them apart, so an MPP fetch relayed through a partner network is missed.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::store::{OpenFacts, OpenVerdict};

/// A fetch this soon after sending is a prefetch on delivery, not a person.
pub const PREFETCH_SECONDS: i64 = 5;

/// The reason stored for a person's open.
pub const HUMAN_REASON: &str = "browser or mail client";

/// An IPv4 or IPv6 network, `addr/prefix`.
#[derive(Debug, Clone, Copy)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub const fn v4(a: [u8; 4], prefix: u8) -> Self {
        Net { addr: IpAddr::V4(std::net::Ipv4Addr::new(a[0], a[1], a[2], a[3])), prefix }
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

/// What a rule looks at.
#[derive(Debug, Clone, Copy)]
pub enum Test {
    /// The User-Agent contains this text (give it in lower case; matching ignores case).
    Agent(&'static str),
    /// The User-Agent is exactly this text (lower case), e.g. a bare `Mozilla/5.0`.
    AgentIs(&'static str),
    /// No User-Agent at all, or an empty one.
    NoAgent,
    /// The client address is in this network.
    From(Net),
    /// Fetched less than this many seconds after sending.
    SentWithin(i64),
}

/// One line of the table: a test and the reason stored when it matches.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub test: Test,
    pub reason: &'static str,
}

const fn rule(test: Test, reason: &'static str) -> Rule {
    Rule { test, reason }
}

const APPLE_MPP: &str = "Apple Mail Privacy Protection";
const GOOGLE: &str = "Gmail image proxy";
const MICROSOFT: &str = "Microsoft 365 / Outlook.com scanner";
const GATEWAY: &str = "security gateway link scanner";
const TOOL: &str = "bot or HTTP tool";

/// The rules, in order. Named services first so the stored reason is the most precise one.
pub const RULES: &[Rule] = &[
    rule(Test::Agent("googleimageproxy"), GOOGLE),
    rule(Test::Agent("yahoomailproxy"), "Yahoo Mail proxy"),
    rule(Test::Agent("bingpreview"), "Outlook.com link preview"),
    rule(Test::Agent("microsoft office existence discovery"), MICROSOFT),
    rule(Test::Agent("hey.com/imageproxy"), "HEY image proxy"),
    rule(Test::Agent("barracuda"), GATEWAY),
    rule(Test::Agent("mimecast"), GATEWAY),
    rule(Test::Agent("proofpoint"), GATEWAY),
    rule(Test::Agent("messagelabs"), GATEWAY),
    rule(Test::Agent("symantec"), GATEWAY),
    rule(Test::Agent("trendmicro"), GATEWAY),
    rule(Test::Agent("ironport"), GATEWAY),
    rule(Test::Agent("sophos"), GATEWAY),
    rule(Test::Agent("fireeye"), GATEWAY),
    rule(Test::Agent("forcepoint"), GATEWAY),
    rule(Test::Agent("bot/"), TOOL),
    rule(Test::Agent("bot;"), TOOL),
    rule(Test::Agent("crawler"), TOOL),
    rule(Test::Agent("spider"), TOOL),
    rule(Test::Agent("headlesschrome"), TOOL),
    rule(Test::Agent("curl/"), TOOL),
    rule(Test::Agent("wget/"), TOOL),
    rule(Test::Agent("python-requests"), TOOL),
    rule(Test::Agent("python-urllib"), TOOL),
    rule(Test::Agent("aiohttp"), TOOL),
    rule(Test::Agent("go-http-client"), TOOL),
    rule(Test::Agent("java/"), TOOL),
    rule(Test::Agent("apache-httpclient"), TOOL),
    rule(Test::Agent("libwww-perl"), TOOL),
    rule(Test::Agent("node-fetch"), TOOL),
    rule(Test::Agent("axios/"), TOOL),
    // Apple's MPP proxy often sends nothing but this.
    rule(Test::AgentIs("mozilla/5.0"), APPLE_MPP),
    rule(Test::NoAgent, "no User-Agent"),
    // Apple owns 17.0.0.0/8; MPP fetches come from there.
    rule(Test::From(Net::v4([17, 0, 0, 0], 8)), APPLE_MPP),
    // Google's proxy and crawler ranges (ggpht.com image proxy).
    rule(Test::From(Net::v4([66, 102, 0, 0], 20)), GOOGLE),
    rule(Test::From(Net::v4([66, 249, 64, 0], 19)), GOOGLE),
    // Exchange Online / Microsoft 365 (published in spf.protection.outlook.com) and the
    // Outlook.com link checker's range.
    rule(Test::From(Net::v4([40, 92, 0, 0], 15)), MICROSOFT),
    rule(Test::From(Net::v4([40, 107, 0, 0], 16)), MICROSOFT),
    rule(Test::From(Net::v4([52, 100, 0, 0], 14)), MICROSOFT),
    rule(Test::From(Net::v4([132, 245, 0, 0], 16)), MICROSOFT),
    rule(Test::SentWithin(PREFETCH_SECONDS), "fetched on delivery (prefetch)"),
];

/// Classifies one hit with [`RULES`].
pub fn classify(facts: &OpenFacts<'_>) -> OpenVerdict {
    classify_with(RULES, facts)
}

/// Classifies one hit with any table (for callers that extend the rules).
pub fn classify_with(rules: &[Rule], facts: &OpenFacts<'_>) -> OpenVerdict {
    let agent = facts.user_agent.map(str::trim).filter(|a| !a.is_empty()).map(str::to_ascii_lowercase);
    for r in rules {
        let hit = match r.test {
            Test::Agent(text) => agent.as_deref().is_some_and(|a| a.contains(text)),
            Test::AgentIs(text) => agent.as_deref() == Some(text),
            Test::NoAgent => agent.is_none(),
            Test::From(net) => facts.ip.is_some_and(|ip| net.contains(ip)),
            Test::SentWithin(secs) => facts.seconds_after_send.is_some_and(|s| s < secs),
        };
        if hit {
            return OpenVerdict { machine: true, reason: Cow::Borrowed(r.reason) };
        }
    }
    OpenVerdict { machine: false, reason: Cow::Borrowed(HUMAN_REASON) }
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
