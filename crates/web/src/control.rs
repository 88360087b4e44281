//! Control characters at the edge. Text in this system never holds U+0000 or the other C0
//! controls (tab, line feed and carriage return excepted): PostgreSQL refuses NUL in text
//! outright, and the rest only ever arrive from tools and attackers. The context middleware
//! refuses them (400) in the decoded path, the decoded query string and in form and JSON
//! bodies, before any handler or the database sees them.

/// A C0 control character that text may not hold.
fn forbidden(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether percent-encoded text (a path, a query string, a form body) holds a forbidden
/// control character, raw or as `%XX`.
pub fn in_percent_encoded(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if forbidden(b) {
            return true;
        }
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                s.get(i + 1).copied().and_then(hex),
                s.get(i + 2).copied().and_then(hex),
            ) {
                if forbidden(h * 16 + l) {
                    return true;
                }
                i += 3;
                continue;
            }
        }
        i += 1;
    }
    false
}

/// Whether a JSON text holds a forbidden control character, raw or escaped (`\u0000`,
/// `\b`, `\f`). Backslashes only occur inside strings in valid JSON; invalid JSON is
/// refused by the extractor anyway.
pub fn in_json(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if forbidden(b) {
            return true;
        }
        if b == b'\\' {
            match s.get(i + 1) {
                Some(b'b' | b'f') => return true,
                Some(b'u') => {
                    let code = s.get(i + 2..i + 6).and_then(|h| {
                        h.iter()
                            .try_fold(0u32, |a, &d| Some(a * 16 + u32::from(hex(d)?)))
                    });
                    if let Some(c) = code {
                        if c < 0x20 && !matches!(c, 0x09 | 0x0A | 0x0D) {
                            return true;
                        }
                    }
                    i += 6;
                    continue;
                }
                _ => {
                    i += 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoded() {
        assert!(in_percent_encoded(b"/api/v1/news/%00"));
        assert!(in_percent_encoded(b"a=%1b"));
        assert!(in_percent_encoded(b"a=\x00"));
        assert!(!in_percent_encoded(b"a=%09%0A%0d&b=%20%"));
        assert!(!in_percent_encoded("tên=Nguyễn+Văn+A%C3%A1".as_bytes()));
        assert!(!in_percent_encoded(b"a=%2500"));
    }

    #[test]
    fn json() {
        assert!(in_json(br#"{"a":"x\u0000"}"#));
        assert!(in_json(br#"{"a":"x\u001F"}"#));
        assert!(in_json(br#"{"a":"\f"}"#));
        assert!(in_json(b"{\"a\":\"\x01\"}"));
        assert!(!in_json(b"{\"a\":\"\\u0009\\n\\r\\t\"}\n"));
        assert!(!in_json(br#"{"a":"\\u0000"}"#));
        assert!(!in_json(br#"{"a":"\u00e1\u0020\"\\"}"#));
    }
}
