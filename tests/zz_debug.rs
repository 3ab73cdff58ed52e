#[test]
fn dbg() {
    let f = std::env::var("F").unwrap();
    let raw = std::fs::read(&f).unwrap();
    let doc = guestmail::bounce::mime::Doc::parse(&raw).unwrap();
    for p in &doc.parts {
        println!("== {} ({} bytes)\n{}", p.ctype, p.text.len(), p.text.chars().take(600).collect::<String>());
    }
}
