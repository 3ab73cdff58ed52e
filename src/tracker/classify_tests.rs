//! The rules against real User-Agent strings and addresses of the services they name.

use std::net::IpAddr;

use super::*;

/// A residential address in no published range.
const HOME: &str = "81.246.12.7";
/// An hour after sending: no timing rule applies.
const LATER: i64 = 3600;

const GMAIL: &str = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";
const YAHOO: &str = "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html";
const CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const WEBKIT: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";

fn verdict(ua: Option<&str>, ip: &str, after: Option<i64>) -> OpenVerdict {
    let ip: IpAddr = ip.parse().expect("test address");
    classify(&Ranges::embedded(), &OpenFacts { user_agent: ua, ip: Some(ip), seconds_after_send: after })
}

/// (User-Agent, address, seconds after sending, kind, rule).
type Case = (Option<&'static str>, &'static str, i64, OpenKind, &'static str);

const P: OpenKind = OpenKind::Person;
const X: OpenKind = OpenKind::Proxy;
const M: OpenKind = OpenKind::Machine;

const CASES: &[Case] = &[
    // Gmail: its proxy when the reader opens (long after delivery) is a person...
    (Some(GMAIL), "66.249.84.12", LATER, X, "gmail-proxy"),
    (Some(GMAIL), "66.102.8.55", 86_400 * 3, X, "gmail-proxy"),
    (Some(GMAIL), "64.233.172.9", 40, X, "gmail-proxy"),
    // ... and 2 s after delivery it is Gmail's prefetch.
    (Some(GMAIL), "66.249.84.12", 2, M, "gmail-on-delivery"),
    // Google's network without the proxy's agent is a Google machine.
    (Some(CHROME), "66.249.84.12", LATER, M, "google-range"),
    (Some("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), "66.249.66.1", LATER, M, "tool"),
    (Some("Google-Safety"), HOME, LATER, M, "google-safety"),
    // Yahoo: its mail proxy later is a person; its link preview is not.
    (Some(YAHOO), "98.137.27.103", LATER, X, "yahoo-proxy"),
    (Some(YAHOO), "87.248.110.2", 86_400, X, "yahoo-proxy"),
    (Some(YAHOO), "98.137.27.103", 1, M, "yahoo-on-delivery"),
    (
        Some(
            "Mozilla/5.0 (compatible; Yahoo Link Preview; https://help.yahoo.com/kb/mail/yahoo-link-preview-SLN23615.html)",
        ),
        "74.6.231.20",
        LATER,
        M,
        "yahoo-link-preview",
    ),
    (Some(CHROME), "98.138.20.4", LATER, M, "yahoo-range"),
    // Apple Mail Privacy Protection: the bare agent anywhere, WebKit from Apple's relays.
    (Some("Mozilla/5.0"), "17.58.63.10", LATER, M, "apple-mpp-agent"),
    (Some("Mozilla/5.0"), HOME, LATER, M, "apple-mpp-agent"),
    (Some(WEBKIT), "17.241.219.3", LATER, M, "apple-mpp-range"),
    (Some(WEBKIT), "::ffff:17.241.219.3", LATER, M, "apple-mpp-range"),
    (Some(WEBKIT), "172.225.106.41", LATER, M, "apple-mpp-range"),
    (Some(WEBKIT), "104.28.39.7", LATER, M, "apple-mpp-range"),
    // Microsoft Defender / Safe Links from every published EOP / Exchange Online range,
    // with the browser agents they present.
    (Some(CHROME), "104.47.17.98", LATER, M, "eop-range"),
    (Some(CHROME), "40.93.30.12", LATER, M, "eop-range"),
    (Some(CHROME), "40.107.22.90", LATER, M, "eop-range"),
    (Some(CHROME), "52.101.68.4", LATER, M, "eop-range"),
    (Some(CHROME), "52.98.151.6", LATER, M, "eop-range"),
    (Some(CHROME), "40.99.5.17", LATER, M, "eop-range"),
    (Some(CHROME), "2a01:111:f403:c10d::5", LATER, M, "eop-range"),
    (
        Some("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; WOW64; Trident/6.0)"),
        "132.245.26.156",
        LATER,
        M,
        "eop-range",
    ),
    (
        Some("Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b"),
        HOME,
        LATER,
        M,
        "bing-preview",
    ),
    (Some("Microsoft Office Existence Discovery"), HOME, LATER, M, "ms-existence"),
    // Other mail providers' proxies and scanners.
    (
        Some("Mozilla/5.0 (compatible; RamblerMail/6.0; +https://help.rambler.ru/mail/)"),
        HOME,
        LATER,
        M,
        "rambler-proxy",
    ),
    (
        Some("Mozilla/5.0 (compatible; SeznamEmailProxy/1.0; +http://napoveda.seznam.cz/)"),
        HOME,
        LATER,
        M,
        "seznam-proxy",
    ),
    (Some("Mozilla/5.0 (compatible; ukr.net image proxy)"), HOME, LATER, M, "ukrnet-proxy"),
    (Some("VirusTotal"), HOME, LATER, M, "virustotal"),
    (Some("Mozilla/5.0 (compatible; VirusTotalBot/1.0)"), HOME, LATER, M, "virustotal"),
    (Some("okhttp/4.12.0"), HOME, LATER, M, "tool"),
    (
        Some(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.71 Safari/537.36",
        ),
        HOME,
        LATER,
        M,
        "headless",
    ),
    (Some("Barracuda Sentinel (EE)"), HOME, LATER, M, "gateway"),
    (Some("Mozilla/5.0 (compatible; Mimecast-URL-Protect)"), HOME, LATER, M, "gateway"),
    (Some(CHROME), "205.139.110.60", LATER, M, "gateway-range"),
    (Some(CHROME), "148.163.150.3", LATER, M, "gateway-range"),
    (Some("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"), HOME, LATER, M, "preview"),
    // HTTP tools and crawlers.
    (Some("curl/8.5.0"), HOME, LATER, M, "tool"),
    (Some("Wget/1.21.4"), HOME, LATER, M, "tool"),
    (Some("python-requests/2.31.0"), HOME, LATER, M, "tool"),
    (Some("Go-http-client/1.1"), HOME, LATER, M, "tool"),
    (Some("Java/17.0.2"), HOME, LATER, M, "tool"),
    (Some("Apache-HttpClient/4.5.14 (Java/17.0.8)"), HOME, LATER, M, "tool"),
    (Some("PostmanRuntime/7.36.0"), HOME, LATER, M, "tool"),
    (None, HOME, LATER, M, "no-agent"),
    (Some("   "), HOME, LATER, M, "no-agent"),
    // People, directly.
    (Some(FIREFOX), HOME, LATER, P, "person"),
    (Some(CHROME), HOME, LATER, P, "person"),
    (Some(WEBKIT), HOME, LATER, P, "person"),
    (
        Some(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        ),
        "2a02:a03f:6a8e:1d00::12",
        LATER,
        P,
        "person",
    ),
    (
        Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.10.1"),
        HOME,
        LATER,
        P,
        "person",
    ),
    (Some("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)"), HOME, LATER, P, "person"),
    (Some("Mozilla/4.0 (compatible; ms-office; MSOffice 16)"), HOME, LATER, P, "person"),
    (
        Some(
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
        ),
        HOME,
        LATER,
        P,
        "person",
    ),
];

#[test]
fn each_service_gets_its_kind_and_rule() {
    let mut wrong = Vec::new();
    for &(ua, ip, after, kind, rule) in CASES {
        let v = verdict(ua, ip, Some(after));
        if v.kind != kind || v.rule != rule {
            wrong.push(format!("{ua:?} from {ip} at +{after}s: got {:?}/{}, want {kind:?}/{rule}", v.kind, v.rule));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_proxy_open_names_its_provider_and_counts_as_a_person() {
    let v = verdict(Some(GMAIL), "66.249.84.12", Some(LATER));
    assert_eq!((v.kind, v.via.as_deref()), (OpenKind::Proxy, Some("Gmail")));
    assert!(v.kind.is_person() && !v.machine());
    let v = verdict(Some(YAHOO), HOME, Some(LATER));
    assert_eq!(v.via.as_deref(), Some("Yahoo"));
    assert!(verdict(Some(GMAIL), HOME, Some(2)).via.is_none());
}

#[test]
fn a_fetch_right_after_sending_is_a_prefetch() {
    let v = verdict(Some(FIREFOX), HOME, Some(2));
    assert_eq!((v.kind, v.rule.as_ref()), (OpenKind::Machine, "on-delivery"));
    assert_eq!(verdict(Some(FIREFOX), HOME, Some(PREFETCH_SECONDS)).kind, OpenKind::Person);
    assert_eq!(verdict(Some(GMAIL), HOME, Some(PREFETCH_SECONDS)).kind, OpenKind::Proxy);
    assert_eq!(verdict(Some(FIREFOX), HOME, None).kind, OpenKind::Person, "never sent: no delay to judge");
}

#[test]
fn a_venue_list_replaces_the_built_in_one() {
    let mut ranges = Ranges::embedded();
    let facts =
        OpenFacts { user_agent: Some(CHROME), ip: Some("104.47.17.98".parse().expect("ip")), seconds_after_send: None };
    assert_eq!(classify(&ranges, &facts).rule, "eop-range");
    ranges.set(List::MicrosoftEop, Vec::new());
    assert_eq!(classify(&ranges, &facts).kind, OpenKind::Person);
    ranges.set(List::SecurityGateways, vec![Net::parse("104.47.0.0/17").expect("net")]);
    assert_eq!(classify(&ranges, &facts).rule, "gateway-range");
}

#[test]
fn an_extended_table_is_used_as_given() {
    let rules = [machine("in-house", Test::Agent("mailscanner-x"), "in-house scanner")];
    let facts = OpenFacts { user_agent: Some("MailScanner-X/2"), ip: None, seconds_after_send: None };
    let v = classify_with(&rules, &Ranges::default(), &facts);
    assert_eq!((v.kind, v.rule.as_ref(), v.reason.as_ref()), (OpenKind::Machine, "in-house", "in-house scanner"));
}
