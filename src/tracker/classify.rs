//! Who fetched the pixel: one table of rules, checked in order, first match wins.
//!
//! Three kinds of fetch ([`OpenKind`]):
//! - a **person**, directly: their browser or mail client;
//! - a **person through their provider's image proxy**: Gmail fetches the pixel through
//!   `GoogleImageProxy` (ggpht.com) when the reader opens the email, then caches it; Yahoo's
//!   `YahooMailProxy` works the same way. A real open, shown green ("Opened (via Gmail)");
//! - a **machine**: Apple Mail Privacy Protection (prefetches every image on delivery), a
//!   fetch within seconds of delivery (even through a provider's proxy), security gateways,
//!   link scanners and previews (Microsoft Defender / Safe Links from Exchange Online
//!   Protection, Yahoo's link preview, `VirusTotal`, the Rambler, Seznam and `UkrNet` mail
//!   proxies), headless browsers, HTTP tools and crawlers.
//!
//! The table refers to published address lists by name ([`List`]); their contents are data
//! files (`assets/ranges/`, replaceable by the venue), handed in as [`Ranges`]. Each rule has
//! a stable id, stored with every hit, so a verdict can always be traced to its line. To teach
//! it a new service, add one line to [`RULES`].
//!
//! Known limit: Apple Mail showing images without Privacy Protection sends a `WebKit`
//! User-Agent like the MPP proxy's; only the address (Apple's relays) or the timing tells
//! them apart.

use std::borrow::Cow;

use crate::store::{OpenFacts, OpenKind, OpenVerdict};

pub use super::ranges::{List, Net, Ranges};

/// A fetch this soon after sending is a prefetch on delivery, not a person, whoever sends
/// it (Gmail's proxy included).
pub const PREFETCH_SECONDS: i64 = 5;

/// The rule id and reason stored for a person's direct open.
pub const PERSON_RULE: &str = "person";
pub const HUMAN_REASON: &str = "browser or mail client";

/// What a rule looks at.
#[derive(Debug, Clone, Copy)]
pub enum Test {
    /// The User-Agent contains this text (give it in lower case; matching ignores case).
    Agent(&'static str),
    /// The User-Agent is exactly this text (lower case), e.g. a bare `Mozilla/5.0`.
    AgentIs(&'static str),
    /// No User-Agent at all, or an empty one.
    NoAgent,
    /// The client address is in this published list.
    From(List),
    /// Fetched less than this many seconds after sending.
    SentWithin(i64),
    /// Every one of these.
    All(&'static [Test]),
}

/// One line of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id, stored with each hit ("gmail-proxy", "eop-range"...).
    pub id: &'static str,
    pub test: Test,
    pub kind: OpenKind,
    /// A few words for the history ("Gmail image proxy").
    pub reason: &'static str,
    /// For a proxy open: the provider, as staff know it ("Gmail").
    pub via: Option<&'static str>,
}

const fn machine(id: &'static str, test: Test, reason: &'static str) -> Rule {
    Rule { id, test, kind: OpenKind::Machine, reason, via: None }
}

const fn proxy(id: &'static str, test: Test, reason: &'static str, via: &'static str) -> Rule {
    Rule { id, test, kind: OpenKind::Proxy, reason, via: Some(via) }
}

const APPLE_MPP: &str = "Apple Mail Privacy Protection";
const MICROSOFT: &str = "Microsoft Defender / Safe Links scanner";
const GATEWAY: &str = "security gateway link scanner";
const SCANNER: &str = "headless browser or scanner";
const TOOL: &str = "bot or HTTP tool";
const PREVIEW: &str = "link preview";
const ON_DELIVERY: &str = "fetched on delivery (prefetch)";

use Test::{Agent, AgentIs, All, From, NoAgent, SentWithin};

/// The rules, in order: named machines first (so the stored reason is the most precise),
/// then the timing, then the providers' proxies (people), then the published networks.
pub const RULES: &[Rule] = &[
    // Previews and security services that name themselves.
    machine("yahoo-link-preview", Agent("yahoo link preview"), "Yahoo link preview"),
    machine("bing-preview", Agent("bingpreview"), "Outlook.com link preview"),
    machine("ms-existence", Agent("microsoft office existence discovery"), MICROSOFT),
    machine("safelinks", Agent("safelinks"), MICROSOFT),
    machine("virustotal", Agent("virustotal"), "VirusTotal scanner"),
    machine("rambler-proxy", Agent("ramblermail"), "Rambler mail proxy"),
    machine("seznam-proxy", Agent("seznamemailproxy"), "Seznam mail proxy"),
    machine("ukrnet-proxy", Agent("ukr.net"), "UkrNet mail proxy"),
    machine("ukrnet-proxy", Agent("ukrnet"), "UkrNet mail proxy"),
    machine("hey-proxy", Agent("hey.com/imageproxy"), "HEY image proxy"),
    machine("google-safety", Agent("google-safety"), "Google safety scanner"),
    machine("gateway", Agent("barracuda"), GATEWAY),
    machine("gateway", Agent("mimecast"), GATEWAY),
    machine("gateway", Agent("proofpoint"), GATEWAY),
    machine("gateway", Agent("messagelabs"), GATEWAY),
    machine("gateway", Agent("symantec"), GATEWAY),
    machine("gateway", Agent("trendmicro"), GATEWAY),
    machine("gateway", Agent("ironport"), GATEWAY),
    machine("gateway", Agent("sophos"), GATEWAY),
    machine("gateway", Agent("fireeye"), GATEWAY),
    machine("gateway", Agent("forcepoint"), GATEWAY),
    machine("gateway", Agent("zscaler"), GATEWAY),
    machine("gateway", Agent("fortimail"), GATEWAY),
    machine("gateway", Agent("checkpoint"), GATEWAY),
    machine("preview", Agent("facebookexternalhit"), PREVIEW),
    machine("preview", Agent("whatsapp"), PREVIEW),
    machine("preview", Agent("skypeuripreview"), PREVIEW),
    machine("preview", Agent("slack-imgproxy"), PREVIEW),
    machine("preview", Agent("embedly"), PREVIEW),
    machine("preview", Agent("iframely"), PREVIEW),
    machine("preview", Agent("link preview"), PREVIEW),
    // Headless browsers and scanners.
    machine("headless", Agent("headlesschrome"), SCANNER),
    machine("headless", Agent("phantomjs"), SCANNER),
    machine("headless", Agent("puppeteer"), SCANNER),
    machine("headless", Agent("playwright"), SCANNER),
    machine("headless", Agent("selenium"), SCANNER),
    machine("headless", Agent("electron/"), SCANNER),
    machine("scanner", Agent("nessus"), SCANNER),
    machine("scanner", Agent("nmap"), SCANNER),
    machine("scanner", Agent("masscan"), SCANNER),
    machine("scanner", Agent("zgrab"), SCANNER),
    machine("scanner", Agent("nuclei"), SCANNER),
    machine("scanner", Agent("nikto"), SCANNER),
    machine("scanner", Agent("sqlmap"), SCANNER),
    machine("scanner", Agent("urlscan"), SCANNER),
    machine("scanner", Agent("censys"), SCANNER),
    // HTTP tools, libraries and crawlers.
    machine("tool", Agent("bot/"), TOOL),
    machine("tool", Agent("bot;"), TOOL),
    machine("tool", Agent("bot)"), TOOL),
    machine("tool", Agent("crawler"), TOOL),
    machine("tool", Agent("spider"), TOOL),
    machine("tool", Agent("curl/"), TOOL),
    machine("tool", Agent("wget/"), TOOL),
    machine("tool", Agent("okhttp"), TOOL),
    machine("tool", Agent("python-requests"), TOOL),
    machine("tool", Agent("python-urllib"), TOOL),
    machine("tool", Agent("python-httpx"), TOOL),
    machine("tool", Agent("aiohttp"), TOOL),
    machine("tool", Agent("scrapy"), TOOL),
    machine("tool", Agent("go-http-client"), TOOL),
    machine("tool", Agent("java/"), TOOL),
    machine("tool", Agent("apache-httpclient"), TOOL),
    machine("tool", Agent("libwww-perl"), TOOL),
    machine("tool", Agent("node-fetch"), TOOL),
    machine("tool", Agent("undici"), TOOL),
    machine("tool", Agent("axios/"), TOOL),
    machine("tool", Agent("postmanruntime"), TOOL),
    machine("tool", Agent("httpie"), TOOL),
    machine("tool", Agent("guzzlehttp"), TOOL),
    machine("tool", Agent("ruby"), TOOL),
    machine("tool", Agent("faraday"), TOOL),
    machine("tool", Agent("reqwest"), TOOL),
    machine("tool", Agent("winhttp"), TOOL),
    // Apple's MPP proxy sends nothing but this.
    machine("apple-mpp-agent", AgentIs("mozilla/5.0"), APPLE_MPP),
    machine("no-agent", NoAgent, "no User-Agent"),
    // A provider's proxy on delivery is its prefetch; later it is the reader.
    machine(
        "gmail-on-delivery",
        All(&[Agent("googleimageproxy"), SentWithin(PREFETCH_SECONDS)]),
        "Gmail proxy on delivery",
    ),
    machine(
        "yahoo-on-delivery",
        All(&[Agent("yahoomailproxy"), SentWithin(PREFETCH_SECONDS)]),
        "Yahoo proxy on delivery",
    ),
    machine("on-delivery", SentWithin(PREFETCH_SECONDS), ON_DELIVERY),
    proxy("gmail-proxy", Agent("googleimageproxy"), "Gmail image proxy", "Gmail"),
    proxy("yahoo-proxy", Agent("yahoomailproxy"), "Yahoo Mail proxy", "Yahoo"),
    // Published networks: what is left from there is a machine.
    machine("apple-mpp-range", From(List::AppleMpp), APPLE_MPP),
    machine("eop-range", From(List::MicrosoftEop), MICROSOFT),
    machine("gateway-range", From(List::SecurityGateways), GATEWAY),
    machine("google-range", From(List::Google), "Google network (not the image proxy)"),
    machine("yahoo-range", From(List::Yahoo), "Yahoo network (not the mail proxy)"),
];

/// Classifies one hit with [`RULES`].
pub fn classify(ranges: &Ranges, facts: &OpenFacts<'_>) -> OpenVerdict {
    classify_with(RULES, ranges, facts)
}

/// Classifies one hit with any table (for callers that extend the rules).
pub fn classify_with(rules: &[Rule], ranges: &Ranges, facts: &OpenFacts<'_>) -> OpenVerdict {
    let agent = facts.user_agent.map(str::trim).filter(|a| !a.is_empty()).map(str::to_ascii_lowercase);
    let seen = Seen { agent: agent.as_deref(), facts, ranges };
    for r in rules {
        if seen.matches(r.test) {
            return OpenVerdict {
                kind: r.kind,
                rule: Cow::Borrowed(r.id),
                reason: Cow::Borrowed(r.reason),
                via: r.via.map(Cow::Borrowed),
            };
        }
    }
    OpenVerdict::person()
}

struct Seen<'a> {
    agent: Option<&'a str>,
    facts: &'a OpenFacts<'a>,
    ranges: &'a Ranges,
}

impl Seen<'_> {
    fn matches(&self, test: Test) -> bool {
        match test {
            Agent(needle) => self.agent.is_some_and(|a| a.contains(needle)),
            AgentIs(whole) => self.agent == Some(whole),
            NoAgent => self.agent.is_none(),
            From(list) => self.facts.ip.is_some_and(|ip| self.ranges.contains(list, ip)),
            SentWithin(secs) => self.facts.seconds_after_send.is_some_and(|s| s < secs),
            All(tests) => tests.iter().all(|t| self.matches(*t)),
        }
    }
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
