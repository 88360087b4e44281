//! Text helpers: normalisation, header/label folding, unit kinds, dates.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Canonical unit-kind codes, in display order.
pub const UNIT_KINDS: [&str; 7] = [
    "supreme",
    "department",
    "high_level",
    "provincial",
    "district",
    "regional",
    "division",
];

/// Vietnamese label of a canonical unit-kind code (what the exporters write).
pub fn kind_label_vi(code: &str) -> Option<&'static str> {
    Some(match code {
        "supreme" => "VKSND tối cao",
        "department" => "Đơn vị thuộc VKSND tối cao",
        "high_level" => "VKSND cấp cao",
        "provincial" => "VKSND tỉnh",
        "district" => "VKSND huyện",
        "regional" => "VKSND khu vực",
        "division" => "Phòng",
        _ => return None,
    })
}

/// Extra Vietnamese spellings accepted on import.
const KIND_ALIASES: [(&str, &str); 2] = [("Vụ", "department"), ("Cục", "department")];

/// Maps an English kind code or a Vietnamese label (case-, spacing- and
/// diacritics-insensitive; "Viện kiểm sát nhân dân" may stand for "VKSND") to
/// the canonical kind code.
pub fn parse_kind(input: &str) -> Option<&'static str> {
    let folded = fold(input).replace("vien kiem sat nhan dan", "vksnd");
    if folded.is_empty() {
        return None;
    }
    UNIT_KINDS
        .iter()
        .copied()
        .find(|code| {
            fold(code) == folded || kind_label_vi(code).is_some_and(|label| fold(label) == folded)
        })
        .or_else(|| {
            KIND_ALIASES
                .iter()
                .find(|(alias, _)| fold(alias) == folded)
                .map(|&(_, code)| code)
        })
}

/// NFC-normalises and trims a user-supplied value.
pub(crate) fn clean(s: &str) -> String {
    // ASCII is already NFC: skip the normaliser (it matters for 100,000-row imports).
    if s.is_ascii() {
        return s.trim().to_owned();
    }
    let normalised: String = s.nfc().collect();
    normalised.trim().to_owned()
}

/// Folds a header or label for loose comparison: strips diacritics, maps
/// đ/Đ to d, lowercases, treats `_` and `-` as spaces and collapses runs of
/// whitespace.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        // U+00D0/U+00F0 (eth) is a common legacy stand-in for Đ/đ.
        let c = match c {
            'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
            '_' | '-' => ' ',
            c => c,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Whether `s` only uses the characters allowed in unit codes.
pub(crate) fn is_code_charset(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether `s` contains control characters (Unicode category Cc).
pub(crate) fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Shortens a value for quoting inside an error message.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// Smallest date accepted on import (and representable as an Excel date).
pub(crate) fn min_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Largest date accepted on import (and representable as an Excel date).
pub(crate) fn max_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

pub(crate) fn in_date_range(d: NaiveDate) -> bool {
    (min_date()..=max_date()).contains(&d)
}

/// Formats a date the way the exporters write it.
pub(crate) fn format_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// Parses `d/m/yyyy`, `dd/mm/yyyy` or `yyyy-mm-dd` (any of `/`, `-`, `.` as
/// separator), optionally followed by a time of day (`T` or space, then
/// `HH:MM[:SS[.fff]]`), which is ignored. Years outside 1900..=9999 are
/// rejected.
pub(crate) fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let (date_part, time_part) = match s.find([' ', 'T']) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?.trim())),
        None => (s, None),
    };
    if let Some(t) = time_part {
        let ok = ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"]
            .iter()
            .any(|f| NaiveTime::parse_from_str(t, f).is_ok());
        if !ok {
            return None;
        }
    }
    let sep = date_part.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut parts = date_part.split(sep);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let (y, m, d) = if digits(a, 4, 4) && digits(b, 1, 2) && digits(c, 1, 2) {
        (a, b, c)
    } else if digits(c, 4, 4) && digits(a, 1, 2) && digits(b, 1, 2) {
        (c, b, a)
    } else {
        return None;
    };
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    in_date_range(date).then_some(date)
}

/// Converts an Excel serial number (1900 date system) to a date, ignoring the
/// time of day. Serial 60 is Excel's fictitious 29 February 1900.
pub(crate) fn serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..3_000_000.0).contains(&serial) {
        return None;
    }
    // Round to whole milliseconds first so that 45000.99999999 means day 45001.
    let ms = (serial * 86_400_000.0).round();
    #[allow(clippy::cast_possible_truncation)] // bounded by the range check above
    let days = (ms / 86_400_000.0).floor() as i64;
    let days = match days {
        60 => return None,
        d if d < 60 => d + 1,
        d => d,
    };
    let date =
        NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(TimeDelta::try_days(days)?)?;
    in_date_range(date).then_some(date)
}

/// Formats a number found in a text column: integral values without a
/// decimal point.
pub(crate) fn format_number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation)] // integral and below 2^53
        let i = f as i64;
        i.to_string()
    } else {
        f.to_string()
    }
}

/// Decodes the OOXML `_xHHHH_` escapes (ECMA-376 `ST_Xstring`) that Excel
/// and rust_xlsxwriter write and calamine leaves alone: `_x000D_` is a
/// carriage return, `_x005F_` a literal underscore (so `_x005F_x0041_` is the
/// text `_x0041_`). Escapes are decoded left to right without overlap;
/// invalid ones stay as they are; UTF-16 surrogate pairs are combined.
pub(crate) fn decode_ooxml_escapes(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("_x") {
        return s.into();
    }
    /// The code unit of an escape at the start of `s`, if there is one.
    fn unit(s: &str) -> Option<u16> {
        let hex = s.strip_prefix("_x")?.get(..5)?.strip_suffix('_')?;
        if hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            u16::from_str_radix(hex, 16).ok()
        } else {
            None
        }
    }
    const LEN: usize = 7; // "_xHHHH_"
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        let (before, at) = rest.split_at(i);
        out.push_str(before);
        let Some(first) = unit(at) else {
            out.push_str("_x");
            rest = at.get(2..).unwrap_or_default();
            continue;
        };
        let after = at.get(LEN..).unwrap_or_default();
        let second = unit(after);
        let pair = second.and_then(|low| char::decode_utf16([first, low]).next()?.ok());
        if let (Some(c), true) = (pair, (0xD800..0xDC00).contains(&first)) {
            out.push(c);
            rest = after.get(LEN..).unwrap_or_default();
        } else if let Some(Ok(c)) = char::decode_utf16([first]).next() {
            out.push(c);
            rest = after;
        } else {
            out.push_str(at.get(..LEN).unwrap_or_default());
            rest = after;
        }
    }
    out.push_str(rest);
    out.into()
}

/// Characters that make a spreadsheet program treat a CSV value as a formula,
/// plus the apostrophe used to neutralise them.
fn needs_csv_guard(first: char) -> bool {
    matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r' | '\'')
}

/// Prefixes a CSV value with an apostrophe when it could be taken for a
/// formula (see the crate documentation).
pub(crate) fn csv_guard(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some(c) if needs_csv_guard(c) => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// Reverses [`csv_guard`].
pub(crate) fn csv_unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.chars().next().is_some_and(needs_csv_guard) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn folds_vietnamese_headers() {
        assert_eq!(fold("  Tên   ĐẦY đủ "), "ten day du");
        assert_eq!(fold("Mã đơn vị cha"), "ma don vi cha");
        assert_eq!(fold("short_name"), "short name");
        assert_eq!(fold("Hiệu lực từ"), "hieu luc tu");
        // Decomposed input folds the same way.
        assert_eq!(fold("Ma\u{0303}"), "ma");
    }

    #[test]
    fn kinds() {
        assert_eq!(parse_kind("supreme"), Some("supreme"));
        assert_eq!(parse_kind("HIGH-LEVEL"), Some("high_level"));
        assert_eq!(parse_kind("vksnd toi cao"), Some("supreme"));
        assert_eq!(
            parse_kind("Viện kiểm sát nhân dân tỉnh"),
            Some("provincial")
        );
        assert_eq!(parse_kind("Đơn vị thuộc VKSND tối cao"), Some("department"));
        assert_eq!(parse_kind("Vụ"), Some("department"));
        assert_eq!(parse_kind("cuc"), Some("department"));
        assert_eq!(parse_kind("Phòng"), Some("division"));
        assert_eq!(parse_kind("VKSND khu vực"), Some("regional"));
        assert_eq!(parse_kind("VKSND huyện"), Some("district"));
        assert_eq!(parse_kind("VKSND cấp cao"), Some("high_level"));
        assert_eq!(parse_kind("Tòa án"), None);
        assert_eq!(parse_kind(""), None);
        for code in UNIT_KINDS {
            let label = kind_label_vi(code).expect("label");
            assert_eq!(parse_kind(label), Some(code));
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date_text("01/02/2024"), date(2024, 2, 1));
        assert_eq!(parse_date_text("1/2/2024"), date(2024, 2, 1));
        assert_eq!(parse_date_text("2024-02-01"), date(2024, 2, 1));
        assert_eq!(parse_date_text("2024-02-01T00:00:00"), date(2024, 2, 1));
        assert_eq!(parse_date_text("2024-02-01 10:30"), date(2024, 2, 1));
        assert_eq!(parse_date_text("01.02.2024"), date(2024, 2, 1));
        assert_eq!(parse_date_text("31/02/2024"), None);
        assert_eq!(parse_date_text("01/02/24"), None);
        assert_eq!(parse_date_text("01/02/1899"), None);
        assert_eq!(parse_date_text("2024/02"), None);
        assert_eq!(parse_date_text("1/2/3/2024"), None);
        assert_eq!(parse_date_text("2024-02-01 noon"), None);
        assert_eq!(parse_date_text("hôm nay"), None);
        assert_eq!(parse_date_text("１/２/２０２４"), None);
    }

    #[test]
    fn serials() {
        assert_eq!(serial_to_date(45292.0), date(2024, 1, 1));
        assert_eq!(serial_to_date(45292.75), date(2024, 1, 1));
        assert_eq!(serial_to_date(45_292.999_999_999_9), date(2024, 1, 2));
        assert_eq!(serial_to_date(1.0), date(1900, 1, 1));
        assert_eq!(serial_to_date(59.0), date(1900, 2, 28));
        assert_eq!(serial_to_date(60.0), None);
        assert_eq!(serial_to_date(61.0), date(1900, 3, 1));
        assert_eq!(serial_to_date(0.0), None);
        assert_eq!(serial_to_date(-5.0), None);
        assert_eq!(serial_to_date(f64::NAN), None);
        assert_eq!(serial_to_date(1e300), None);
    }

    #[test]
    fn csv_guard_round_trips() {
        for s in [
            "=1+1", "+84", "-x", "@a", "'", "''=", "'abc", "abc", "", "\tx",
        ] {
            assert_eq!(csv_unguard(&csv_guard(s)), s, "{s:?}");
        }
        assert_eq!(csv_guard("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_unguard("'abc"), "'abc");
    }

    #[test]
    fn ooxml_escapes() {
        assert_eq!(decode_ooxml_escapes("plain"), "plain");
        assert_eq!(decode_ooxml_escapes("a_x000D_b"), "a\rb");
        assert_eq!(decode_ooxml_escapes("_x005F_x0041_"), "_x0041_");
        assert_eq!(decode_ooxml_escapes("_x005F_x00000"), "_x00000");
        assert_eq!(decode_ooxml_escapes("_x0041"), "_x0041");
        assert_eq!(decode_ooxml_escapes("_x00e9_t_xZZZZ_"), "ét_xZZZZ_");
        assert_eq!(decode_ooxml_escapes("_xD83D__xDE00_!"), "\u{1F600}!");
        assert_eq!(decode_ooxml_escapes("_xD83D_x"), "_xD83D_x");
        assert_eq!(decode_ooxml_escapes("_x_x0041_"), "_xA");
        assert_eq!(decode_ooxml_escapes("Đ_x"), "Đ_x");
    }

    #[test]
    fn numbers() {
        assert_eq!(format_number(1001.0), "1001");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(-3.0), "-3");
    }
}
