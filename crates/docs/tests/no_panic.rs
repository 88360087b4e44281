//! Property tests: no input makes the importers panic, and every accepted
//! record survives an export/import round trip.

use std::io::{Cursor, Read, Write};

use chrono::NaiveDate;
use proptest::prelude::*;
use thidua_docs::{
    export_people, export_units, parse_people, parse_units, Format, ImportError, PersonRecord,
    UnitRecord, UNIT_KINDS,
};
use unicode_normalization::UnicodeNormalization;

fn sample_workbook() -> Vec<u8> {
    let units: Vec<UnitRecord> = (1..=3)
        .map(|i| UnitRecord {
            code: format!("TV{i}"),
            kind: "provincial".to_owned(),
            name: "Viện kiểm sát nhân dân tỉnh Trà Vinh".to_owned(),
            short_name: Some("VKSND tỉnh Trà Vinh".to_owned()),
            parent_code: Some("TC".to_owned()),
            valid_from: NaiveDate::from_ymd_opt(1992, 5, 1),
            valid_to: None,
        })
        .collect();
    export_units(&units, Format::Xlsx).expect("export")
}

/// Rewrites a ZIP archive (stored, uncompressed), passing each entry through
/// `edit(name, content)`.
fn rezip(original: &[u8], edit: &dyn Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(original)).expect("zip");
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().to_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("read");
        writer.start_file(name.as_str(), options).expect("start");
        writer.write_all(&edit(&name, content)).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

const SHEET: &str = "xl/worksheets/sheet1.xml";

fn parse_both(bytes: &[u8]) {
    let _ = parse_units(bytes);
    let _ = parse_people(bytes);
    let _ = thidua_docs::parse_scheme(bytes);
    let _ = thidua_docs::parse_indicator_values(bytes);
}

#[test]
fn hostile_cell_references_do_not_panic() {
    let good = sample_workbook();
    let cases = [
        // Overflows calamine's row arithmetic.
        ("r=\"A2\"", "r=\"A99999999999999999999\""),
        ("r=\"B2\"", "r=\"ZZZZZZZZZZZZZZ2\""),
        ("r=\"A1\"", "r=\"\""),
        ("<dimension ref=\"A1:G4\"/>", "<dimension ref=\"G4:A1\"/>"),
        (
            "<dimension ref=\"A1:G4\"/>",
            "<dimension ref=\"A1:XFD1048576\"/>",
        ),
        ("<row r=\"2\"", "<row r=\"4294967295\""),
        ("<row r=\"2\"", "<row r=\"-1\""),
    ];
    for (from, to) in cases {
        let bytes = rezip(&good, &|name, content| {
            if name == SHEET {
                let xml = String::from_utf8(content).expect("xml");
                assert!(xml.contains(from), "{from} not in sheet xml");
                xml.replace(from, to).into_bytes()
            } else {
                content
            }
        });
        // Any result but a panic is acceptable. In debug builds most of these
        // make calamine panic on integer overflow, which the importer turns
        // into BadSpreadsheet; release builds wrap instead.
        let result = parse_units(&bytes);
        if let Err(e) = &result {
            assert!(!e.message_en().is_empty());
        }
    }
}

#[test]
fn workbook_without_worksheet_xml_is_bad_spreadsheet() {
    let good = sample_workbook();
    let bytes = rezip(&good, &|name, content| {
        if name == SHEET {
            b"<not-a-worksheet/>".to_vec()
        } else {
            content
        }
    });
    assert!(matches!(
        parse_units(&bytes),
        Err(ImportError::BadSpreadsheet(_))
    ));
}

// ------------------------------------------------------------ strategies

fn clean(s: &str) -> String {
    s.nfc().collect::<String>().trim().to_owned()
}

/// Free text as a user might type it, formula-like starts included.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[=+@'\\-]?(_x[0-9a-fA-F]{{4}}_?)?[a-zA-Z0-9_ ăâđêôơưĂÂĐÊÔƠƯáàảãạấầẩẫậếềểễệốồổỗộớờởỡợíìỉĩịúùủũụứừửữựýỳỷỹỵ,;\"'./()–-]{{1,{max}}}"
    ))
    .expect("regex")
    .prop_map(move |s| clean(&s).chars().take(max).collect::<String>())
    .prop_map(|s| clean(&s))
    .prop_filter("non-empty", |s| !s.is_empty())
}

fn code() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[A-Za-z0-9._-]{1,32}").expect("regex")
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1900i32..=9999, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("valid"))
}

fn period() -> impl Strategy<Value = (Option<NaiveDate>, Option<NaiveDate>)> {
    (proptest::option::of(date()), proptest::option::of(date())).prop_map(|(a, b)| match (a, b) {
        (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
        other => other,
    })
}

fn unit() -> impl Strategy<Value = UnitRecord> {
    (
        code(),
        proptest::sample::select(UNIT_KINDS.to_vec()),
        text(255),
        proptest::option::of(text(64)),
        proptest::option::of(code()),
        period(),
    )
        .prop_map(
            |(code, kind, name, short_name, parent_code, (valid_from, valid_to))| {
                let parent_code = parent_code.filter(|p| *p != code);
                UnitRecord {
                    code,
                    kind: kind.to_owned(),
                    name,
                    short_name,
                    parent_code,
                    valid_from,
                    valid_to,
                }
            },
        )
}

fn units() -> impl Strategy<Value = Vec<UnitRecord>> {
    proptest::collection::vec(unit(), 1..8).prop_map(|mut units| {
        let mut seen = std::collections::HashSet::new();
        units.retain(|u| seen.insert(u.code.clone()));
        units
    })
}

fn person() -> impl Strategy<Value = PersonRecord> {
    (text(255), text(128), code(), period()).prop_map(
        |(full_name, position, unit_code, (valid_from, valid_to))| PersonRecord {
            full_name,
            position,
            unit_code,
            valid_from,
            valid_to,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        parse_both(&bytes);
    }

    #[test]
    fn arbitrary_zip_like_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        parse_both(&bytes);
    }

    #[test]
    fn csv_like_text_never_panics_and_what_parses_round_trips(
        body in "[a-zA-Z0-9ăđêôơưạỉ ,;\"'=\\-/.\r\n\t]{0,300}",
        header in proptest::sample::select(vec![
            "Mã,Loại,Tên đầy đủ,Hiệu lực từ,Hiệu lực đến",
            "code;kind;name;short_name;parent_code",
            "Họ và tên,Chức vụ,Mã đơn vị,Từ ngày,Đến ngày",
        ]),
    ) {
        let input = format!("{header}\n{body}");
        if let Ok(units) = parse_units(input.as_bytes()) {
            for format in [Format::Csv, Format::Xlsx] {
                let bytes = export_units(&units, format).expect("export");
                prop_assert_eq!(&parse_units(&bytes).expect("re-import"), &units);
            }
        }
        if let Ok(people) = parse_people(input.as_bytes()) {
            for format in [Format::Csv, Format::Xlsx] {
                let bytes = export_people(&people, format).expect("export");
                prop_assert_eq!(&parse_people(&bytes).expect("re-import"), &people);
            }
        }
    }
}

/// A CSV field that is rarely valid anywhere.
fn junk_field() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "Tòa án",
            "31/12/1899",
            "29/02/2023",
            "45292",
            "=1+1",
            "'=x",
            "\"a,b\"",
            "\"x\"\"y\"",
            "a b",
            "",
            "  ",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9ăđêôơưạỉ ='\\-/.]{0,12}",
    ]
}

/// Mostly `valid`, sometimes junk.
fn mostly(valid: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    prop_oneof![12 => valid, 1 => junk_field()]
}

fn kind_text() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        "supreme",
        "VKSND tỉnh",
        "Phòng",
        "vu",
        "HIGH_LEVEL",
        "vksnd khu vuc",
        "Cục",
    ])
    .prop_map(str::to_owned)
}

fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        date().prop_map(|d| d.format("%d/%m/%Y").to_string()),
        date().prop_map(|d| d.format("%-d/%-m/%Y").to_string()),
        date().prop_map(|d| d.format("%Y-%m-%d").to_string()),
    ]
}

fn csv_text(max: usize) -> impl Strategy<Value = String> {
    // Quote everything so delimiters and quotes inside are legal.
    text(max).prop_map(|s| format!("\"{}\"", s.replace('"', "\"\"")))
}

fn unit_row() -> impl Strategy<Value = Vec<String>> {
    (
        mostly(code()),
        mostly(kind_text()),
        mostly(csv_text(255)),
        mostly(prop_oneof![Just(String::new()), csv_text(64)]),
        mostly(prop_oneof![Just(String::new()), code()]),
        mostly(date_text()),
        mostly(date_text()),
    )
        .prop_map(|(a, b, c, d, e, f, g)| vec![a, b, c, d, e, f, g])
}

fn person_row() -> impl Strategy<Value = Vec<String>> {
    (
        mostly(csv_text(255)),
        mostly(csv_text(128)),
        mostly(code()),
        mostly(date_text()),
        mostly(date_text()),
    )
        .prop_map(|(a, b, c, d, e)| vec![a, b, c, d, e])
}

fn csv_input(header: &str, rows: &[Vec<String>], semicolon: bool) -> String {
    let sep = if semicolon { ";" } else { "," };
    let mut input = header.replace(',', sep);
    for row in rows {
        input.push_str("\r\n");
        input.push_str(&row.join(sep));
    }
    input
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn plausible_unit_csv_is_all_or_nothing_and_round_trips(
        rows in proptest::collection::vec(unit_row(), 1..6),
        semicolon in any::<bool>(),
    ) {
        let header = "Mã,Loại,Tên đầy đủ,Tên viết tắt,Mã đơn vị cha,Hiệu lực từ,Hiệu lực đến";
        let input = csv_input(header, &rows, semicolon);
        match parse_units(input.as_bytes()) {
            Ok(units) => {
                prop_assert_eq!(units.len(), rows.len());
                for format in [Format::Csv, Format::Xlsx] {
                    let bytes = export_units(&units, format).expect("export");
                    prop_assert_eq!(&parse_units(&bytes).expect("re-import"), &units);
                }
            }
            Err(ImportError::Rows(errors)) => prop_assert!(!errors.is_empty()),
            Err(ImportError::Empty) => {}
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }

    #[test]
    fn plausible_people_csv_is_all_or_nothing_and_round_trips(
        rows in proptest::collection::vec(person_row(), 1..6),
        semicolon in any::<bool>(),
    ) {
        let input = csv_input("Họ và tên,Chức vụ,Mã đơn vị,Từ ngày,Đến ngày", &rows, semicolon);
        match parse_people(input.as_bytes()) {
            Ok(people) => {
                prop_assert_eq!(people.len(), rows.len());
                for format in [Format::Csv, Format::Xlsx] {
                    let bytes = export_people(&people, format).expect("export");
                    prop_assert_eq!(&parse_people(&bytes).expect("re-import"), &people);
                }
            }
            Err(ImportError::Rows(errors)) => prop_assert!(!errors.is_empty()),
            Err(ImportError::Empty) => {}
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_workbooks_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = sample_workbook();
        for (index, value) in edits {
            let i = index.index(bytes.len());
            if let Some(b) = bytes.get_mut(i) {
                *b = value;
            }
        }
        parse_both(&bytes);
    }

    #[test]
    fn mutated_sheet_xml_never_panics(
        at in any::<prop::sample::Index>(),
        junk in "[<>/=\" a-zA-Z0-9:]{1,24}",
    ) {
        let bytes = rezip(&sample_workbook(), &|name, content| {
            if name == SHEET {
                let i = at.index(content.len());
                let mut out = content.get(..i).unwrap_or_default().to_vec();
                out.extend_from_slice(junk.as_bytes());
                out.extend_from_slice(content.get(i..).unwrap_or_default());
                out
            } else {
                content
            }
        });
        parse_both(&bytes);
    }

    #[test]
    fn valid_units_round_trip(units in units(), format in prop_oneof![Just(Format::Csv), Just(Format::Xlsx)]) {
        let bytes = export_units(&units, format).expect("export");
        prop_assert_eq!(parse_units(&bytes).expect("import"), units);
    }

    #[test]
    fn valid_people_round_trip(
        people in proptest::collection::vec(person(), 1..8),
        format in prop_oneof![Just(Format::Csv), Just(Format::Xlsx)],
    ) {
        let bytes = export_people(&people, format).expect("export");
        prop_assert_eq!(parse_people(&bytes).expect("import"), people);
    }
}
