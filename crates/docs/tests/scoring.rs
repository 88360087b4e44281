//! Scoring files: criteria schemes as XLSX workbooks, indicator counts as
//! XLSX or CSV.

use std::io::{Cursor, Read, Write};
use std::time::Instant;

use proptest::prelude::*;
use rust_xlsxwriter::{Workbook, Worksheet};
use thidua_docs::{
    export_indicator_template, export_scheme, export_units, parse_indicator_values, parse_scheme,
    Format, ImportError, IndicatorRow, RowError, UnitRecord, MAX_ROW_ERRORS,
};
use thidua_domain::scoring::{Compiled, Counts, Formula, Node, Points, Rate, Scheme, Step};

/// The example scheme of the domain crate.
fn example() -> Scheme {
    serde_json::from_value(serde_json::json!({
        "title": "Bảng chấm điểm VKSND cấp tỉnh",
        "legal_basis": "424/QĐ-VKSTC",
        "bonus_cap": 5,
        "indicators": [
            {"code": "CT1", "name": "Tỷ lệ giải quyết tin báo", "direction": "higher", "target": 90},
            {"code": "CT2", "name": "Tỷ lệ án trả hồ sơ", "direction": "lower", "target": 5}
        ],
        "criteria": [
            {"type": "group", "code": "I", "title": "Công tác chuyên môn", "items": [
                {"type": "indicator", "code": "I.1", "title": "Giải quyết tin báo", "max": 10,
                 "indicator": "CT1", "formula": {"kind": "linear", "zero_at": 70, "full_at": 90}},
                {"type": "indicator", "code": "I.2", "title": "Án trả hồ sơ", "max": 10,
                 "indicator": "CT2", "formula": {"kind": "steps", "steps": [
                    {"at": 5, "points": 10}, {"at": 10, "points": 5}]}},
                {"type": "manual", "code": "I.3", "title": "Kiểm sát", "max": 20, "evidence_required": true}
            ]},
            {"type": "group", "code": "II", "title": "Xây dựng ngành", "items": [
                {"type": "manual", "code": "II.1", "title": "Tổ chức cán bộ", "max": 10},
                {"type": "bonus", "code": "II.2", "title": "Sáng kiến", "max": 4},
                {"type": "bonus", "code": "II.3", "title": "Điển hình", "max": 4},
                {"type": "deduction", "code": "II.4", "title": "Vi phạm", "max": 6, "per_occurrence": 2}
            ]}
        ],
        "bands": [
            {"key": "excellent", "label": "Hoàn thành xuất sắc", "min": 45},
            {"key": "good", "label": "Hoàn thành tốt", "min": 35},
            {"key": "done", "label": "Hoàn thành", "min": 25}
        ],
        "tie_breaks": [{"rule": "section", "code": "I"}, {"rule": "fewer_deductions"}]
    }))
    .expect("example scheme")
}

/// A scheme using every feature: nesting to the deepest level, decimals,
/// multi-line guidance, labels and bases, pass/fail, leaves at the top level.
fn rich() -> Scheme {
    serde_json::from_value(serde_json::json!({
        "title": "Bảng tiêu chí thi đua khối VKSND khu vực năm 2025\n(kèm hướng dẫn)",
        "legal_basis": "Hướng dẫn số 12/HD-VKSTC ngày 20/01/2025",
        "bonus_cap": 7.5,
        "indicators": [
            {"code": "CT-1", "name": "Tỷ lệ giải quyết tố giác, tin báo về tội phạm",
             "numerator": "Số tin báo đã giải quyết", "denominator": "Số tin báo đã thụ lý",
             "direction": "higher", "target": 90.5, "basis": "Nghị quyết 96/2019/QH14"},
            {"code": "CT_2", "name": "Tỷ lệ án trả hồ sơ để điều tra bổ sung",
             "numerator": "Số vụ trả hồ sơ", "denominator": "Số vụ đã truy tố",
             "direction": "lower", "target": 0.25, "basis": ""}
        ],
        "criteria": [
            {"type": "group", "code": "A", "title": "Phần A. Công tác chuyên môn",
             "guidance": "Chấm theo số liệu thống kê\nđến hết ngày 30/11.", "items": [
                {"type": "group", "code": "A.1", "title": "Thực hành quyền công tố", "items": [
                    {"type": "group", "code": "A.1.a", "title": "Giai đoạn điều tra", "items": [
                        {"type": "indicator", "code": "A.1.a.1", "title": "Giải quyết tin báo",
                         "max": 12.25, "indicator": "CT-1",
                         "formula": {"kind": "linear", "zero_at": 70.5, "full_at": 90.5}},
                        {"type": "indicator", "code": "A.1.a.2", "title": "Trả hồ sơ",
                         "max": 8, "indicator": "CT_2", "formula": {"kind": "pass_fail"}}
                    ]},
                    {"type": "manual", "code": "A.1.b", "title": "Chất lượng cáo trạng",
                     "guidance": "Có bản sao cáo trạng", "max": 5.5, "evidence_required": false}
                ]},
                {"type": "indicator", "code": "A.2", "title": "Trả hồ sơ (bậc)", "max": 6,
                 "indicator": "CT_2", "formula": {"kind": "steps", "steps": [
                    {"at": 0.5, "points": 6}, {"at": 1, "points": 3.5}, {"at": 2.25, "points": 1}]}}
            ]},
            {"type": "manual", "code": "B", "title": "Phần B. Xây dựng Đảng", "max": 20,
             "evidence_required": true},
            {"type": "bonus", "code": "C", "title": "Điểm thưởng: sáng kiến =SUM(A1)", "max": 5},
            {"type": "deduction", "code": "D", "title": "Điểm trừ: vi phạm kỷ luật",
             "max": 10, "per_occurrence": 2.5}
        ],
        "bands": [
            {"key": "xuat_sac", "label": "Hoàn thành xuất sắc nhiệm vụ", "min": 45.5},
            {"key": "tot", "label": "Hoàn thành tốt nhiệm vụ", "min": 30}
        ],
        "tie_breaks": [{"rule": "higher_base"}, {"rule": "section", "code": "A"},
                       {"rule": "fewer_deductions"}]
    }))
    .expect("rich scheme")
}

fn rows(e: ImportError) -> Vec<RowError> {
    match e {
        ImportError::Rows(rows) => rows,
        other => panic!("expected row errors, got {other:?}"),
    }
}

fn find<'a>(errors: &'a [RowError], key: &str) -> &'a RowError {
    errors
        .iter()
        .find(|e| e.key == key)
        .unwrap_or_else(|| panic!("no {key} error in {errors:#?}"))
}

// ------------------------------------------------------------ schemes

#[test]
fn example_scheme_round_trips() {
    let scheme = example();
    let bytes = export_scheme(&scheme).expect("export");
    assert_eq!(Format::detect(&bytes), Format::Xlsx);
    let back = parse_scheme(&bytes).expect("parse");
    assert_eq!(back, scheme);
    Compiled::new(back).expect("valid");
}

#[test]
fn rich_scheme_round_trips() {
    let scheme = rich();
    Compiled::new(scheme.clone()).expect("the fixture is valid");
    let back = parse_scheme(&export_scheme(&scheme).expect("export")).expect("parse");
    assert_eq!(back, scheme);
    // And once more: exporting what was read gives the same workbook content.
    let again = parse_scheme(&export_scheme(&back).expect("export")).expect("parse");
    assert_eq!(again, scheme);
}

#[test]
fn scheme_without_indicators_or_tie_breaks_round_trips() {
    let mut scheme = example();
    scheme.indicators.clear();
    scheme.tie_breaks.clear();
    scheme.legal_basis.clear();
    scheme.bonus_cap = Points::ZERO;
    scheme.criteria = vec![Node::Manual {
        code: "1".into(),
        title: "Kết quả công tác".into(),
        guidance: String::new(),
        max: Points(10_000),
        evidence_required: false,
    }];
    let back = parse_scheme(&export_scheme(&scheme).expect("export")).expect("parse");
    assert_eq!(back, scheme);
}

fn header(ws: &mut Worksheet, row: u32, cells: &[&str]) {
    for (c, h) in (0u16..).zip(cells) {
        ws.write_string(row, c, *h).expect("write");
    }
}

/// What a person might type, as strings; numbers as numbers where given.
enum V<'a> {
    S(&'a str),
    N(f64),
}

fn put(ws: &mut Worksheet, row: u32, cells: &[V<'_>]) {
    for (c, v) in (0u16..).zip(cells) {
        match v {
            V::S("") => {}
            V::S(s) => {
                ws.write_string(row, c, *s).expect("write");
            }
            V::N(n) => {
                ws.write_number(row, c, *n).expect("write");
            }
        }
    }
}

use V::{N, S};

/// The example scheme as someone would type it from scratch: sheets named
/// without diacritics and in another order, a title row above the header,
/// English and folded headers, columns in another order plus a notes column,
/// points as text with a decimal comma, rates as plain numbers, English
/// formulas, "x" for evidence, no group maxima.
fn hand_made(criteria: &[[V<'_>; 10]], indicators: &[[V<'_>; 6]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    {
        let ws = wb.add_worksheet().set_name("chung").expect("name");
        header(ws, 0, &["Mục", "Giá trị"]);
        put(
            ws,
            1,
            &[S("tên bảng tiêu chí"), S("Bảng chấm điểm VKSND cấp tỉnh")],
        );
        put(ws, 2, &[S("Tổng điểm thưởng tối đa"), S("5")]);
        put(ws, 3, &[S("Căn cứ"), S("424/QĐ-VKSTC")]);
        put(ws, 4, &[S("Tiêu chí xét khi bằng điểm"), S("section I")]);
        put(ws, 5, &[S("tie_break"), S("ít điểm trừ hơn")]);
        put(ws, 6, &[S("Tiêu chí xét khi bằng điểm"), S("")]);
    }
    {
        let ws = wb.add_worksheet().set_name("Tieu chi").expect("name");
        ws.write_string(0, 0, "BẢNG TIÊU CHÍ CHẤM ĐIỂM")
            .expect("write");
        header(
            ws,
            2,
            &[
                "code",
                "LOẠI",
                "Nội dung",
                "Mã cấp trên",
                "Điểm  tối đa",
                "Công thức",
                "indicator",
                "Điểm trừ mỗi lần",
                "Yêu cầu minh chứng",
                "Ghi chú riêng",
            ],
        );
        for (i, row) in criteria.iter().enumerate() {
            put(ws, 3 + i as u32, row);
        }
    }
    {
        let ws = wb.add_worksheet().set_name("CHỈ TIÊU").expect("name");
        header(
            ws,
            0,
            &[
                "Mã",
                "Tên chỉ tiêu",
                "direction",
                "Mục tiêu",
                "Tử số",
                "Mẫu số",
            ],
        );
        for (i, row) in indicators.iter().enumerate() {
            put(ws, 1 + i as u32, row);
        }
    }
    {
        let ws = wb.add_worksheet().set_name("Xếp loại").expect("name");
        header(ws, 0, &["Mã", "Tên xếp loại", "Điểm tối thiểu"]);
        put(ws, 1, &[S("excellent"), S("Hoàn thành xuất sắc"), N(45.0)]);
        put(ws, 2, &[S("good"), S("Hoàn thành tốt"), S("35")]);
        put(ws, 3, &[S("done"), S("Hoàn thành"), S("25,0")]);
    }
    wb.save_to_buffer().expect("save")
}

fn example_rows() -> Vec<[V<'static>; 10]> {
    vec![
        [
            S("I"),
            S("Nhóm"),
            S("Công tác chuyên môn"),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S("ghi chú"),
        ],
        [
            S("I.1"),
            S("chỉ tiêu"),
            S("Giải quyết tin báo"),
            S("I"),
            N(10.0),
            S("linear 70 -> 90"),
            S("CT1"),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("I.2"),
            S("indicator"),
            S("Án trả hồ sơ"),
            S("I"),
            S("10"),
            S("Bậc 5%:10; 10%:5"),
            S("CT2"),
            S(""),
            S("không"),
            S(""),
        ],
        [
            S("I.3"),
            S("Chấm tay"),
            S("Kiểm sát"),
            S("I"),
            S("20,00"),
            S(""),
            S(""),
            S(""),
            S("x"),
            S(""),
        ],
        [
            S("II"),
            S("Nhóm"),
            S("Xây dựng ngành"),
            S(""),
            N(10.0),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("II.1"),
            S("cham tay"),
            S("Tổ chức cán bộ"),
            S("II"),
            N(10.0),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("II.2"),
            S("Điểm thưởng"),
            S("Sáng kiến"),
            S("II"),
            N(4.0),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("II.3"),
            S("bonus"),
            S("Điển hình"),
            S("II"),
            S("4"),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("II.4"),
            S("ĐIỂM TRỪ"),
            S("Vi phạm"),
            S("II"),
            N(6.0),
            S(""),
            S(""),
            S("2"),
            S(""),
            S(""),
        ],
    ]
}

fn example_indicators() -> Vec<[V<'static>; 6]> {
    vec![
        [
            S("CT1"),
            S("Tỷ lệ giải quyết tin báo"),
            S("Cao hơn tốt hơn"),
            N(90.0),
            S(""),
            S(""),
        ],
        [
            S("CT2"),
            S("Tỷ lệ án trả hồ sơ"),
            S("thấp hơn"),
            S("5 %"),
            S(""),
            S(""),
        ],
    ]
}

#[test]
fn hand_made_workbook_is_read() {
    let bytes = hand_made(&example_rows(), &example_indicators());
    let scheme = parse_scheme(&bytes).expect("parse");
    assert_eq!(scheme, example());
    Compiled::new(scheme).expect("valid");
}

#[test]
fn scheme_errors_name_sheet_row_and_column() {
    let mut criteria = example_rows();
    // Row numbers: the header is on row 3, data from row 4.
    criteria[1][1] = S("Chỉ tiêu lạ"); // row 5: unknown type
    criteria[2][5] = S("bậc 5%=10"); // row 6: bad formula
    criteria[3][4] = S("20.255"); // row 7: bad number
    criteria[5][3] = S("IX"); // row 9: parent not found
    criteria[6][3] = S("II.3"); // row 10: parent is a later row
    criteria[7][3] = S("I.3"); // row 11: parent is not a group
    criteria[8][6] = S("CT1"); // row 12: indicator on a deduction
    criteria.push([
        S("II.5"),
        S("Chỉ tiêu"),
        S("Không có chỉ tiêu"),
        S("II"),
        N(1.0),
        S("đạt/không đạt"),
        S("CT9"),
        S(""),
        S(""),
        S(""),
    ]); // row 13: unknown indicator
    let mut indicators = example_indicators();
    indicators[1][3] = S("năm phần trăm"); // "Chỉ tiêu" row 3: bad rate
    let errors = rows(parse_scheme(&hand_made(&criteria, &indicators)).expect_err("errors"));

    let e = find(&errors, "bad_type");
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_str()),
        ("Tieu chi", 5, "LOẠI")
    );
    assert!(e
        .message_vi
        .starts_with("Trang tính \"Tieu chi\": Giá trị không hợp lệ"));
    assert!(e
        .message_vi
        .contains("Nhóm; Chấm tay; Chỉ tiêu; Điểm thưởng; Điểm trừ"));
    assert!(e
        .message_en
        .starts_with("Sheet \"Tieu chi\": Invalid value"));
    assert_eq!(
        e.located_message_vi(),
        format!(
            "Trang tính \"Tieu chi\", dòng 5, cột \"LOẠI\": {}",
            e.message_vi
        )
    );
    assert!(e
        .located_message_en()
        .starts_with("Sheet \"Tieu chi\", row 5, column \"LOẠI\": "));

    let e = find(&errors, "bad_formula");
    assert_eq!((e.row, e.column.as_str()), (6, "Công thức"));
    assert!(e.message_vi.contains("tuyến tính 70%→90%"));
    let e = find(&errors, "bad_number");
    assert_eq!((e.row, e.column.as_str()), (7, "Điểm  tối đa"));
    let e = find(&errors, "parent_not_found");
    assert_eq!((e.row, e.column.as_str()), (9, "Mã cấp trên"));
    assert!(e.message_en.contains("\"IX\""));
    let e = find(&errors, "parent_later");
    assert_eq!(e.row, 10);
    assert!(e.message_vi.contains("dòng 11"), "{}", e.message_vi);
    let e = find(&errors, "parent_not_group");
    assert_eq!(e.row, 11);
    assert!(e.message_en.contains("row 7"), "{}", e.message_en);
    let e = find(&errors, "not_applicable");
    assert_eq!((e.row, e.column.as_str()), (12, "indicator"));
    assert!(e.message_vi.contains("Điểm trừ"));
    let e = find(&errors, "unknown_indicator");
    assert_eq!((e.row, e.column.as_str()), (13, "indicator"));
    let e = find(&errors, "bad_rate");
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_str()),
        ("CHỈ TIÊU", 3, "Mục tiêu")
    );
    // Every error is placed.
    for e in &errors {
        assert!(!e.sheet.is_empty() && e.row > 0, "{e:?}");
    }
}

#[test]
fn structural_errors() {
    // A group whose maximum disagrees with its items, a group without items,
    // a duplicate code, a missing required value, a level too deep.
    let criteria = vec![
        [
            S("I"),
            S("Nhóm"),
            S("Một"),
            S(""),
            N(25.0),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("I.1"),
            S("Chấm tay"),
            S("Hai"),
            S("I"),
            N(20.0),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("II"),
            S("Nhóm"),
            S("Trống"),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
    ];
    let errors = rows(parse_scheme(&hand_made(&criteria, &[])).expect_err("errors"));
    let e = find(&errors, "group_max");
    assert_eq!((e.row, e.column.as_str()), (4, "Điểm  tối đa"));
    assert!(e.message_vi.contains("(20)"), "{}", e.message_vi);
    assert_eq!(find(&errors, "empty_group").row, 6);

    let criteria = vec![
        [
            S("I"),
            S("Nhóm"),
            S("Một"),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("I"),
            S("Chấm tay"),
            S("Hai"),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("I.1"),
            S("Nhóm"),
            S("Ba"),
            S("I"),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("I.1.1"),
            S("Nhóm"),
            S("Bốn"),
            S("I.1"),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("I.1.1.1"),
            S("Nhóm"),
            S("Năm"),
            S("I.1.1"),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("I.1.1.1.1"),
            S("Chấm tay"),
            S("Sáu"),
            S("I.1.1.1"),
            N(1.0),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
        [
            S("X"),
            S("Điểm trừ"),
            S("Bảy"),
            S("X"),
            N(1.0),
            S(""),
            S(""),
            S(""),
            S(""),
            S(""),
        ],
    ];
    let errors = rows(parse_scheme(&hand_made(&criteria, &[])).expect_err("errors"));
    let e = find(&errors, "duplicate_code");
    assert_eq!((e.row, e.column.as_str()), (5, "code"));
    assert!(e.message_vi.contains("dòng 4"));
    let e = find(&errors, "required");
    assert_eq!((e.row, e.column.as_str()), (5, "Điểm  tối đa"));
    assert_eq!(find(&errors, "too_deep").row, 9);
    assert_eq!(find(&errors, "self_parent").row, 10);
    // The deduction's missing "per occurrence" names its column.
    let e = errors
        .iter()
        .find(|e| e.key == "required" && e.row == 10)
        .expect("required per occurrence");
    assert_eq!(e.column, "Điểm trừ mỗi lần");
}

#[test]
fn general_and_bands_errors() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Tiêu chí").expect("name");
    header(ws, 0, &["Mã", "Loại", "Nội dung", "Điểm tối đa"]);
    put(ws, 1, &[S("1"), S("Chấm tay"), S("Một"), N(1.0)]);
    let ws = wb.add_worksheet().set_name("Xếp loại").expect("name");
    header(ws, 0, &["Mã", "Tên xếp loại"]);
    let ws = wb.add_worksheet().set_name("Chung").expect("name");
    header(ws, 0, &["Mục", "Giá trị"]);
    put(ws, 1, &[S("Căn cứ"), S("a")]);
    put(ws, 2, &[S("Căn cứ"), S("b")]);
    put(ws, 3, &[S("Tổng điểm thưởng tối đa"), S("năm")]);
    put(ws, 4, &[S("Tiêu chí xét khi bằng điểm"), S("bốc thăm")]);
    put(ws, 5, &[S("Ghi chú khác"), S("x")]);
    let errors = rows(parse_scheme(&wb.save_to_buffer().expect("save")).expect_err("errors"));
    let e = find(&errors, "missing_column");
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_str()),
        ("Xếp loại", 1, "Điểm tối thiểu")
    );
    assert_eq!(find(&errors, "duplicate_item").row, 3);
    assert_eq!(find(&errors, "bad_number").row, 4);
    assert_eq!(find(&errors, "bad_tie_break").row, 5);
    assert_eq!(find(&errors, "bad_item").row, 6);
    let e = find(&errors, "missing_item");
    assert!(e.message_vi.contains("Tên bảng tiêu chí"));
}

#[test]
fn wrong_files() {
    assert!(matches!(
        parse_scheme("Mã,Loại\n1,Nhóm\n".as_bytes()),
        Err(ImportError::NotXlsx)
    ));
    assert!(matches!(parse_scheme(b""), Err(ImportError::NotXlsx)));
    assert!(matches!(
        parse_scheme(b"PK\x03\x04 not really"),
        Err(ImportError::BadSpreadsheet(_))
    ));
    let units = export_units(
        &[UnitRecord {
            code: "TV".into(),
            kind: "provincial".into(),
            name: "VKSND tỉnh Trà Vinh".into(),
            short_name: None,
            parent_code: None,
            valid_from: None,
            valid_to: None,
        }],
        Format::Xlsx,
    )
    .expect("export");
    match parse_scheme(&units) {
        Err(e @ ImportError::MissingSheet { .. }) => {
            assert_eq!(e.key(), "missing_sheet");
            assert!(e
                .message_vi()
                .contains("\"Tiêu chí\", \"Xếp loại\", \"Chung\""));
        }
        other => panic!("{other:?}"),
    }
    let e = ImportError::NotXlsx;
    assert!(e.message_vi().contains(".xlsx") && e.message_en().contains(".xlsx"));
}

// ------------------------------------------------------------ indicator values

#[test]
fn csv_values_with_all_kinds_of_errors() {
    let csv = "Số liệu chỉ tiêu năm 2025\n\
               Mã đơn vị;Mã chỉ tiêu;Tử số;Mẫu số;Ghi chú\n\
               TV;CT1;1.234;1.500;\n\
               TV;CT2;0;12;ghi chú\n\
               ;;;;chỉ ghi chú\n\
               TV;CT3;5;0;\n\
               TV;CT4;-1;10;\n\
               TV;CT5;2,5;10;\n\
               TV;CT6;;10;\n\
               TV;CT1;1;2;\n\
               T V;CT7;1;2;\n";
    let errors = rows(parse_indicator_values(csv.as_bytes()).expect_err("errors"));
    let got: Vec<(usize, &str, &str)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.key.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (6, "Mẫu số", "zero_denominator"),
            (7, "Tử số", "bad_count"),
            (8, "Tử số", "bad_count"),
            (9, "Tử số", "required"),
            (10, "Mã chỉ tiêu", "duplicate_row"),
            (11, "Mã đơn vị", "bad_code"),
        ]
    );
    assert!(errors[1].message_vi.contains("số nguyên"));
    assert!(errors[4].message_en.contains("row 3"));
    assert!(errors.iter().all(|e| e.sheet.is_empty()));

    let ok = parse_indicator_values(
        "unit_code,indicator_code,numerator,denominator\r\nTV,CT1,\"1,234\",1500\r\nTV,CT2,0,12\r\n"
            .as_bytes(),
    )
    .expect("parse");
    assert_eq!(
        ok,
        vec![
            IndicatorRow {
                row: 2,
                unit_code: "TV".into(),
                indicator_code: "CT1".into(),
                counts: Counts {
                    numerator: 1234,
                    denominator: 1500
                }
            },
            IndicatorRow {
                row: 3,
                unit_code: "TV".into(),
                indicator_code: "CT2".into(),
                counts: Counts {
                    numerator: 0,
                    denominator: 12
                }
            },
        ]
    );
}

#[test]
fn value_file_level_errors() {
    assert!(matches!(
        parse_indicator_values("Mã đơn vị,Mã chỉ tiêu,Tử số\nTV,CT1,1\n".as_bytes()),
        Err(ImportError::MissingColumns(c)) if c == vec!["Mẫu số".to_owned()]
    ));
    assert!(matches!(
        parse_indicator_values("Mã đơn vị,Mã chỉ tiêu,Tử số,Mẫu số\n".as_bytes()),
        Err(ImportError::Empty)
    ));
    assert!(matches!(
        parse_indicator_values(b""),
        Err(ImportError::Empty)
    ));
    // A workbook of something else entirely.
    let units = export_units(&[], Format::Xlsx).expect("export");
    assert!(matches!(
        parse_indicator_values(&units),
        Err(ImportError::MissingSheet { .. })
    ));
}

#[test]
fn errors_stop_at_the_limit() {
    let mut csv = String::from("Mã đơn vị,Mã chỉ tiêu,Tử số,Mẫu số\n");
    for i in 0..5000 {
        csv.push_str(&format!("DV{i},CT1,1,0\n"));
    }
    let errors = rows(parse_indicator_values(csv.as_bytes()).expect_err("errors"));
    assert_eq!(errors.len(), MAX_ROW_ERRORS + 1);
    let last = errors.last().expect("last");
    assert_eq!(last.key, "too_many_errors");
    assert!(last.message_vi.contains("1000"));
}

#[test]
fn template_is_filled_in_and_read() {
    let scheme = rich();
    let units = ["TV", "TV.KV1", "TV.KV2"];
    let bytes = export_indicator_template(&scheme.indicators, &units).expect("template");
    // Unfilled, every count is missing, on the rows the template laid out.
    let errors = rows(parse_indicator_values(&bytes).expect_err("empty counts"));
    assert_eq!(errors.len(), units.len() * scheme.indicators.len() * 2);
    assert!(errors.iter().all(|e| e.key == "required"));
    assert!(errors.iter().all(|e| e.sheet == "Số liệu chỉ tiêu"));
    assert_eq!((errors[0].row, errors[0].column.as_str()), (2, "Tử số"));
    assert_eq!((errors[11].row, errors[11].column.as_str()), (7, "Mẫu số"));

    // Filled in: the same layout with numbers in the count columns.
    let filled = rezip(&bytes, &|name, content| {
        if name != "xl/worksheets/sheet1.xml" {
            return content;
        }
        let xml = String::from_utf8(content).expect("utf-8");
        let mut out = String::new();
        let mut rest = xml.as_str();
        let mut n = 0;
        // Append two number cells (D and E) to every data row.
        while let Some(i) = rest.find("</row>") {
            let (before, after) = rest.split_at(i);
            out.push_str(before);
            if n > 0 {
                out.push_str(&format!(
                    "<c r=\"D{r}\"><v>{a}</v></c><c r=\"E{r}\"><v>{b}</v></c>",
                    r = n + 1,
                    a = n * 3,
                    b = n * 4
                ));
            }
            out.push_str("</row>");
            rest = &after["</row>".len()..];
            n += 1;
        }
        out.push_str(rest);
        out.into_bytes()
    });
    let values = parse_indicator_values(&filled).expect("parse filled template");
    assert_eq!(values.len(), 6);
    assert_eq!(values[0].unit_code, "TV");
    assert_eq!(values[0].indicator_code, "CT-1");
    assert_eq!(values[5].unit_code, "TV.KV2");
    assert_eq!(values[5].indicator_code, "CT_2");
    assert_eq!(
        values[5].counts,
        Counts {
            numerator: 18,
            denominator: 24
        }
    );
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

fn values_workbook(rows: usize, indicators: usize) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb
        .add_worksheet()
        .set_name("Số liệu chỉ tiêu")
        .expect("name");
    header(ws, 0, &["Mã đơn vị", "Mã chỉ tiêu", "Tử số", "Mẫu số"]);
    for i in 0..rows {
        let r = u32::try_from(i + 1).expect("row");
        let unit = format!("DV{:05}", i / indicators);
        let ind = format!("CT{:02}", i % indicators);
        ws.write_string(r, 0, &unit).expect("write");
        ws.write_string(r, 1, &ind).expect("write");
        ws.write_number(r, 2, (i % 97) as f64).expect("write");
        ws.write_number(r, 3, (i % 89 + 97) as f64).expect("write");
    }
    wb.save_to_buffer().expect("save")
}

#[test]
fn cells_out_of_order_are_still_read() {
    let bytes = values_workbook(40, 4);
    // Reverse the data rows in the sheet XML: legal, if unusual.
    let reversed = rezip(&bytes, &|name, content| {
        if name != "xl/worksheets/sheet1.xml" {
            return content;
        }
        let xml = String::from_utf8(content).expect("utf-8");
        let start = xml.find("<row ").expect("rows");
        let end = xml.rfind("</row>").expect("rows") + "</row>".len();
        let rows: Vec<String> = xml[start..end]
            .split_inclusive("</row>")
            .map(str::to_owned)
            .collect();
        let mut out = xml[..start].to_owned();
        out.push_str(&rows[0]);
        for r in rows[1..].iter().rev() {
            out.push_str(r);
        }
        out.push_str(&xml[end..]);
        out.into_bytes()
    });
    let straight = parse_indicator_values(&bytes).expect("parse");
    let back = parse_indicator_values(&reversed).expect("parse reversed");
    assert_eq!(back, straight);
    assert_eq!(back.len(), 40);
    assert_eq!(back[0].row, 2);
}

/// 100,000 rows of counts (5,000 units × 20 indicators): streamed and
/// parsed within seconds even in a debug build.
#[test]
fn hundred_thousand_rows() {
    let bytes = values_workbook(100_000, 20);
    assert!(
        bytes.len() < thidua_docs::MAX_IMPORT_BYTES,
        "{}",
        bytes.len()
    );
    let start = Instant::now();
    let values = parse_indicator_values(&bytes).expect("parse");
    let elapsed = start.elapsed();
    eprintln!("parsed 100,000 rows ({} bytes) in {elapsed:?}", bytes.len());
    assert_eq!(values.len(), 100_000);
    assert_eq!(values[99_999].row, 100_001);
    assert_eq!(values[99_999].unit_code, "DV04999");
    assert_eq!(values[99_999].indicator_code, "CT19");
    assert_eq!(
        values[99_999].counts,
        Counts {
            numerator: (99_999 % 97) as i64,
            denominator: (99_999 % 89 + 97) as i64
        }
    );
}

// ------------------------------------------------------------ robustness

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scheme_sheets_never_panic(
        sheet in 1usize..=4,
        at in any::<prop::sample::Index>(),
        junk in "[<>/=\" a-zA-Z0-9:%,;→]{1,24}",
    ) {
        let target = format!("xl/worksheets/sheet{sheet}.xml");
        let bytes = rezip(&export_scheme(&rich()).expect("export"), &|name, content| {
            if name == target {
                let i = at.index(content.len());
                let mut out = content.get(..i).unwrap_or_default().to_vec();
                out.extend_from_slice(junk.as_bytes());
                out.extend_from_slice(content.get(i..).unwrap_or_default());
                out
            } else {
                content
            }
        });
        let _ = parse_scheme(&bytes);
        let _ = parse_indicator_values(&bytes);
    }

    #[test]
    fn steps_and_linear_formulas_round_trip(
        a in 0i64..100_000, b in 0i64..100_000, p in 0i64..100_000, q in 0i64..100_000,
    ) {
        let mut scheme = example();
        if let Node::Group { items, .. } = &mut scheme.criteria[0] {
            if let Node::Indicator { formula, .. } = &mut items[0] {
                *formula = Formula::Linear { zero_at: Rate(a), full_at: Rate(b) };
            }
            if let Node::Indicator { formula, .. } = &mut items[1] {
                *formula = Formula::Steps { steps: vec![
                    Step { at: Rate(a), points: Points(p) },
                    Step { at: Rate(b), points: Points(q) },
                ] };
            }
        }
        let back = parse_scheme(&export_scheme(&scheme).expect("export")).expect("parse");
        prop_assert_eq!(back, scheme);
    }
}
