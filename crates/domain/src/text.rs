//! Vietnamese text: NFC normalisation, diacritic-insensitive folding for search, and a sort
//! key that orders names the way a Vietnamese reader expects (a < ă < â < b … d < đ …,
//! then by tone: none, huyền, hỏi, ngã, sắc, nặng).
//!
//! The sort key is plain ASCII made of `[0-9a-z]`, so the database can order by it with any
//! collation and any engine (SQLite, PostgreSQL, distributed Postgres-compatible ones).

use unicode_normalization::UnicodeNormalization;

/// NFC-normalise and trim; inner runs of whitespace become one space.
pub fn clean(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower-case, diacritics removed, `đ` → `d`, whitespace collapsed: "Trà Vinh" → "tra vinh".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.nfd() {
        if is_combining(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        last_space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F)
}

const ALPHABET: &str = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz";

fn tone_of(mark: char) -> Option<u8> {
    match mark {
        '\u{0300}' => Some(1), // huyền
        '\u{0309}' => Some(2), // hỏi
        '\u{0303}' => Some(3), // ngã
        '\u{0301}' => Some(4), // sắc
        '\u{0323}' => Some(5), // nặng
        _ => None,
    }
}

/// Rank of a base letter (after letter-forming marks are applied), 1-based within groups.
fn primary_rank(c: char) -> u32 {
    if c.is_whitespace() {
        return 1;
    }
    if let Some(d) = c.to_digit(10) {
        return 10 + d;
    }
    if let Some(pos) = ALPHABET.chars().position(|a| a == c) {
        return 30 + pos as u32;
    }
    if c.is_ascii_punctuation() {
        return 2;
    }
    // Anything else sorts after the alphabet, in code point order where it fits.
    100 + (c as u32 % 1100)
}

fn push_code(out: &mut String, rank: u32) {
    // Two base-36 digits, never starting with '0' (that digit is the terminator).
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let v = (rank + 36).min(36 * 36 - 1);
    out.push(DIGITS[(v / 36) as usize] as char);
    out.push(DIGITS[(v % 36) as usize] as char);
}

/// A key whose byte order is Vietnamese alphabetical order (case-insensitive).
pub fn sort_key(s: &str) -> String {
    let lower: String = clean(s).to_lowercase();
    let mut primary = String::with_capacity(lower.len() * 2 + 1);
    let mut tones = String::with_capacity(lower.len());
    // Walk grapheme-ish units: a base char followed by its combining marks.
    let decomposed: Vec<char> = lower.nfd().collect();
    let mut i = 0;
    while i < decomposed.len() {
        let base = decomposed[i];
        i += 1;
        let mut letter = base;
        let mut tone = 0u8;
        while i < decomposed.len() && is_combining(decomposed[i]) {
            let m = decomposed[i];
            if let Some(t) = tone_of(m) {
                tone = t;
            } else {
                letter = match (letter, m) {
                    ('a', '\u{0306}') => 'ă',
                    ('a', '\u{0302}') => 'â',
                    ('e', '\u{0302}') => 'ê',
                    ('o', '\u{0302}') => 'ô',
                    ('o', '\u{031B}') => 'ơ',
                    ('u', '\u{031B}') => 'ư',
                    (l, _) => l,
                };
            }
            i += 1;
        }
        push_code(&mut primary, primary_rank(letter));
        tones.push((b'0' + tone) as char);
    }
    primary.push('0');
    primary.push_str(&tones);
    primary
}

/// Compare two strings in Vietnamese order.
pub fn vi_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    sort_key(a).cmp(&sort_key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_diacritics() {
        assert_eq!(
            fold("Viện kiểm sát nhân dân tỉnh Trà Vinh"),
            "vien kiem sat nhan dan tinh tra vinh"
        );
        assert_eq!(fold("  Đồng   Tháp "), "dong thap");
        assert_eq!(fold("ƯỚC"), "uoc");
    }

    #[test]
    fn vietnamese_order() {
        let mut v = vec![
            "Đà Nẵng",
            "Bắc Ninh",
            "An Giang",
            "Ăn",
            "Dak",
            "Bà Rịa",
            "Ân",
            "Ba",
            "bá",
            "Bạc Liêu",
        ];
        v.sort_by(|a, b| vi_cmp(a, b));
        assert_eq!(
            v,
            vec![
                "An Giang",
                "Ăn",
                "Ân",
                "Ba",
                "bá",
                "Bà Rịa",
                "Bạc Liêu",
                "Bắc Ninh",
                "Dak",
                "Đà Nẵng"
            ]
        );
    }

    #[test]
    fn prefix_sorts_first() {
        assert!(vi_cmp("an", "anh").is_lt());
        assert!(vi_cmp("an b", "anb").is_lt());
        assert!(vi_cmp("a", "à").is_lt());
    }

    #[test]
    fn key_is_plain_ascii() {
        let k = sort_key("Viện kiểm sát nhân dân tỉnh Trà Vinh ĐỒNG 123 -?");
        assert!(k
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    }
}
