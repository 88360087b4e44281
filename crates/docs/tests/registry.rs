//! Import/export behaviour of the unit registry.

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Workbook};
use thidua_docs::{
    export_people, export_units, parse_people, parse_units, ExportError, Format, ImportError,
    PersonRecord, RowError, UnitRecord, MAX_IMPORT_BYTES, UNIT_KINDS,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn unit(code: &str, kind: &str, name: &str) -> UnitRecord {
    UnitRecord {
        code: code.to_owned(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        short_name: None,
        parent_code: None,
        valid_from: None,
        valid_to: None,
    }
}

fn sample_units() -> Vec<UnitRecord> {
    let mut units = vec![
        UnitRecord {
            short_name: Some("VKSNDTC".to_owned()),
            valid_from: Some(date(1960, 7, 26)),
            ..unit("TC", "supreme", "Viện kiểm sát nhân dân tối cao")
        },
        UnitRecord {
            short_name: Some("VKSND tỉnh Trà Vinh".to_owned()),
            parent_code: Some("TC".to_owned()),
            valid_from: Some(date(1992, 5, 1)),
            valid_to: Some(date(2025, 6, 30)),
            ..unit("TV", "provincial", "Viện kiểm sát nhân dân tỉnh Trà Vinh")
        },
        UnitRecord {
            parent_code: Some("TV".to_owned()),
            valid_from: Some(date(1900, 1, 1)),
            valid_to: Some(date(9999, 12, 31)),
            ..unit(
                "TV.P1",
                "division",
                "Phòng thực hành quyền công tố và kiểm sát điều tra",
            )
        },
        // Starts with characters a spreadsheet would take for a formula.
        unit(
            "-X_1",
            "department",
            "=Vụ \"Pháp chế\", quản lý khoa học; +84 @x",
        ),
        unit("HL1", "high_level", "VKSND cấp cao tại Hà Nội"),
        unit("D1", "district", "'Huyện Càng Long"),
        unit("R1", "regional", "VKSND khu vực 1 – Trà Vinh"),
        // Look like OOXML escapes (_xHHHH_) and must stay literal.
        UnitRecord {
            short_name: Some("_x0041_ _x00000 _x005F_".to_owned()),
            ..unit("_x0041_", "division", "Phòng _x000D_ số 2")
        },
    ];
    // Every kind is represented.
    for kind in UNIT_KINDS {
        assert!(units.iter().any(|u| u.kind == kind), "{kind}");
    }
    units.push(unit("X", "supreme", &"Đ".repeat(255)));
    units
}

fn sample_people() -> Vec<PersonRecord> {
    vec![
        PersonRecord {
            full_name: "Nguyễn Thị Ánh Tuyết".to_owned(),
            position: "Viện trưởng".to_owned(),
            unit_code: "TV".to_owned(),
            valid_from: Some(date(2020, 1, 15)),
            valid_to: Some(date(2024, 12, 31)),
        },
        PersonRecord {
            full_name: "Trần Văn Đức".to_owned(),
            position: "Phó Viện trưởng, Kiểm sát viên cao cấp".to_owned(),
            unit_code: "TV.P1".to_owned(),
            valid_from: None,
            valid_to: None,
        },
    ]
}

fn row_errors(result: Result<impl std::fmt::Debug, ImportError>) -> Vec<RowError> {
    match result {
        Err(ImportError::Rows(errors)) => errors,
        other => panic!("expected row errors, got {other:?}"),
    }
}

fn keys(errors: &[RowError]) -> Vec<(usize, &str, &str)> {
    errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.key.as_str()))
        .collect()
}

const UNIT_HEADER: &str = "Mã,Loại,Tên đầy đủ,Tên viết tắt,Mã đơn vị cha,Hiệu lực từ,Hiệu lực đến";

fn units_csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(UNIT_HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.into_bytes()
}

/// A workbook with one sheet per (name, rows) pair; all cells are strings.
fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("sheet name");
        for (r, row) in (0u32..).zip(rows.iter()) {
            for (c, value) in (0u16..).zip(row.iter()) {
                ws.write_string(r, c, *value).expect("write");
            }
        }
    }
    wb.save_to_buffer().expect("save")
}

// ------------------------------------------------------------ round trips

#[test]
fn units_round_trip_csv_and_xlsx() {
    let units = sample_units();
    for format in [Format::Csv, Format::Xlsx] {
        let bytes = export_units(&units, format).expect("export");
        assert_eq!(Format::detect(&bytes), format);
        let back = parse_units(&bytes).expect("import");
        assert_eq!(back, units, "{format:?}");
    }
}

#[test]
fn people_round_trip_csv_and_xlsx() {
    let people = sample_people();
    for format in [Format::Csv, Format::Xlsx] {
        let bytes = export_people(&people, format).expect("export");
        let back = parse_people(&bytes).expect("import");
        assert_eq!(back, people, "{format:?}");
    }
}

#[test]
fn csv_export_layout() {
    let units = sample_units();
    let bytes = export_units(&units[..3], Format::Csv).expect("export");
    let text = String::from_utf8(bytes).expect("utf-8");
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next(),
        Some(format!("\u{FEFF}{UNIT_HEADER}").as_str())
    );
    assert_eq!(
        lines.next(),
        Some("TC,VKSND tối cao,Viện kiểm sát nhân dân tối cao,VKSNDTC,,26/07/1960,")
    );
    assert_eq!(
        lines.next(),
        Some("TV,VKSND tỉnh,Viện kiểm sát nhân dân tỉnh Trà Vinh,VKSND tỉnh Trà Vinh,TC,01/05/1992,30/06/2025")
    );
    let formula = export_units(&[unit("A", "supreme", "=1+1")], Format::Csv).expect("export");
    let text = String::from_utf8(formula).expect("utf-8");
    assert!(text.contains(",'=1+1,"), "{text}");

    let people = export_people(&sample_people(), Format::Csv).expect("export");
    let text = String::from_utf8(people).expect("utf-8");
    assert!(text.starts_with("\u{FEFF}Họ và tên,Chức vụ,Mã đơn vị,Từ ngày,Đến ngày\r\n"));
}

#[test]
fn xlsx_export_has_named_sheet_and_real_dates() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = export_units(&sample_units(), Format::Xlsx).expect("export");
    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("open");
    assert_eq!(wb.sheet_names(), vec!["Đơn vị".to_owned()]);
    let range = wb.worksheet_range("Đơn vị").expect("sheet");
    assert_eq!(
        range.get((0, 2)),
        Some(&Data::String("Tên đầy đủ".to_owned()))
    );
    assert_eq!(
        range.get((1, 1)),
        Some(&Data::String("VKSND tối cao".to_owned()))
    );
    match range.get((1, 5)) {
        Some(Data::DateTime(dt)) => {
            assert_eq!(dt.as_datetime().map(|d| d.date()), Some(date(1960, 7, 26)));
        }
        other => panic!("expected a date cell, got {other:?}"),
    }
}

#[test]
fn empty_exports_are_header_only_and_import_as_empty() {
    for format in [Format::Csv, Format::Xlsx] {
        let bytes = export_units(&[], format).expect("export");
        assert!(matches!(parse_units(&bytes), Err(ImportError::Empty)));
        let bytes = export_people(&[], format).expect("export");
        assert!(matches!(parse_people(&bytes), Err(ImportError::Empty)));
    }
}

// ------------------------------------------------------------ lenient input

#[test]
fn english_headers_semicolons_bom_and_loose_values() {
    // Decomposed (NFD) "Trà Vinh" must come back NFC.
    let nfd_name = "Vie\u{0323}\u{0302}n kie\u{0302}\u{0309}m sa\u{0301}t Tra\u{0300} Vinh";
    let csv = format!(
        "\u{FEFF} CODE ; Kind;NAME;ignored column;valid_from;Valid-To;parent_code\r\n\
         \r\n\
         tv-01 ; vksnd tinh ;  {nfd_name}  ;whatever;1/7/2020;2021-12-31;\r\n\
         \"A;B\";Cục;\"Cục \"\"Điều tra\"\"; phòng 2\";;;;\r\n\
         ;;;only an ignored column has a value;;;\r\n"
    );
    // "A;B" is quoted and then rejected as a code; check the rest first.
    let errors = row_errors(parse_units(csv.as_bytes()));
    assert_eq!(keys(&errors), vec![(4, "CODE", "bad_code")]);

    let csv = csv.replace("\"A;B\"", "A.B");
    let units = parse_units(csv.as_bytes()).expect("import");
    assert_eq!(
        units,
        vec![
            UnitRecord {
                valid_from: Some(date(2020, 7, 1)),
                valid_to: Some(date(2021, 12, 31)),
                ..unit("tv-01", "provincial", "Viện kiểm sát Trà Vinh")
            },
            unit("A.B", "department", "Cục \"Điều tra\"; phòng 2"),
        ]
    );
}

#[test]
fn vietnamese_headers_without_diacritics_and_kind_aliases() {
    let csv = "ma,LOAI,ten day du,ten viet tat,ma don vi cha\n\
               A,Vụ,Vụ 1,,\n\
               B,phong,Phòng 1,P1,A\n\
               C,Viện kiểm sát nhân dân tối cao,VKSND tối cao,,\n";
    let units = parse_units(csv.as_bytes()).expect("import");
    let kinds: Vec<&str> = units.iter().map(|u| u.kind.as_str()).collect();
    assert_eq!(kinds, vec!["department", "division", "supreme"]);
    assert_eq!(
        units.get(1).and_then(|u| u.parent_code.as_deref()),
        Some("A")
    );
}

#[test]
fn xlsx_cells_of_other_types() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Đơn vị").expect("name");
    for (c, h) in (0u16..).zip(["Mã", "Loại", "Tên đầy đủ", "Hiệu lực từ", "Hiệu lực đến"])
    {
        ws.write_string(0, c, h).expect("write");
    }
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    // Numeric code, serial-number date, real datetime cell with a time part.
    ws.write_number(1, 0, 1001.0).expect("write");
    ws.write_string(1, 1, "supreme").expect("write");
    ws.write_string(1, 2, "Đơn vị số").expect("write");
    ws.write_number(1, 3, 45292.0).expect("write");
    let dt = ExcelDateTime::parse_from_str("2024-03-05 17:45").expect("datetime");
    ws.write_datetime_with_format(1, 4, &dt, &date_format)
        .expect("write");
    // Text dates.
    ws.write_string(2, 0, "T2").expect("write");
    ws.write_string(2, 1, "Phòng").expect("write");
    ws.write_string(2, 2, "Phòng 2").expect("write");
    ws.write_string(2, 3, "5/3/2024").expect("write");
    ws.write_string(2, 4, "2024-03-06").expect("write");
    // A boolean where a date belongs and a time-only value.
    ws.write_string(3, 0, "T3").expect("write");
    ws.write_string(3, 1, "Phòng").expect("write");
    ws.write_string(3, 2, "Phòng 3").expect("write");
    ws.write_boolean(3, 3, true).expect("write");
    let time = ExcelDateTime::from_hms(10, 30, 0).expect("time");
    ws.write_datetime_with_format(3, 4, &time, &date_format)
        .expect("write");
    let bytes = wb.save_to_buffer().expect("save");

    let errors = row_errors(parse_units(&bytes));
    assert_eq!(
        keys(&errors),
        vec![
            (4, "Hiệu lực từ", "bad_date"),
            (4, "Hiệu lực đến", "bad_date")
        ]
    );

    // Without the bad row everything converts.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Đơn vị").expect("name");
    for (c, h) in (0u16..).zip(["Mã", "Loại", "Tên đầy đủ", "Hiệu lực từ", "Hiệu lực đến"])
    {
        ws.write_string(0, c, h).expect("write");
    }
    ws.write_number(1, 0, 1001.0).expect("write");
    ws.write_string(1, 1, "supreme").expect("write");
    ws.write_string(1, 2, "Đơn vị số").expect("write");
    ws.write_number(1, 3, 45292.0).expect("write");
    ws.write_datetime_with_format(1, 4, &dt, &date_format)
        .expect("write");
    let units = parse_units(&wb.save_to_buffer().expect("save")).expect("import");
    assert_eq!(
        units,
        vec![UnitRecord {
            valid_from: Some(date(2024, 1, 1)),
            valid_to: Some(date(2024, 3, 5)),
            ..unit("1001", "supreme", "Đơn vị số")
        }]
    );
}

#[test]
fn first_sheet_is_used_when_named_sheet_is_absent() {
    let header: &[&str] = &["code", "kind", "name"];
    let row: &[&str] = &["A", "supreme", "Tối cao"];
    let bytes = workbook(&[("Sheet1", &[header, row])]);
    assert_eq!(
        parse_units(&bytes).expect("import"),
        vec![unit("A", "supreme", "Tối cao")]
    );
}

#[test]
fn named_sheet_wins_over_first_sheet() {
    let notes: &[&str] = &["Ghi chú", "Không phải dữ liệu"];
    let header: &[&str] = &["Họ và tên", "Chức vụ", "Mã đơn vị"];
    let row: &[&str] = &["Lê Văn A", "Kiểm sát viên", "TV"];
    // Sheet name matched case- and diacritics-insensitively.
    let bytes = workbook(&[("Hướng dẫn", &[notes]), ("CAN BO", &[header, row])]);
    let people = parse_people(&bytes).expect("import");
    assert_eq!(people.len(), 1);
    assert_eq!(
        people.first().map(|p| p.position.as_str()),
        Some("Kiểm sát viên")
    );
}

// ------------------------------------------------------------ error kinds

#[test]
fn missing_columns() {
    let err = parse_units("Mã,Tên\nA,B\n".as_bytes()).expect_err("must fail");
    match &err {
        ImportError::MissingColumns(cols) => {
            assert_eq!(cols, &vec!["Loại".to_owned(), "Tên đầy đủ".to_owned()]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.key(), "missing_columns");
    assert!(err.message_vi().contains("Loại, Tên đầy đủ"));
    assert!(err.message_en().contains("Missing required columns"));

    let err = parse_people("Họ và tên;Chức vụ\nA;B\n".as_bytes()).expect_err("must fail");
    assert!(matches!(err, ImportError::MissingColumns(c) if c == vec!["Mã đơn vị".to_owned()]));
}

#[test]
fn bad_date() {
    let csv = units_csv(&["A,supreme,Tên,,,31/02/2024,", "B,supreme,Tên,,,,2024/13/01"]);
    let errors = row_errors(parse_units(&csv));
    assert_eq!(
        keys(&errors),
        vec![
            (2, "Hiệu lực từ", "bad_date"),
            (3, "Hiệu lực đến", "bad_date")
        ]
    );
    let first = errors.first().expect("one error");
    assert!(
        first.message_vi.contains("31/02/2024"),
        "{}",
        first.message_vi
    );
    assert!(first.message_en.contains("dd/mm/yyyy"));
}

#[test]
fn end_before_start() {
    let csv = units_csv(&[
        "A,supreme,Tên,,,02/01/2024,01/01/2024",
        "B,supreme,Tên,,,01/01/2024,01/01/2024",
    ]);
    let errors = row_errors(parse_units(&csv));
    assert_eq!(keys(&errors), vec![(2, "Hiệu lực đến", "date_order")]);

    let people = "Họ và tên,Chức vụ,Mã đơn vị,Từ ngày,Đến ngày\nA,B,C,2024-05-01,2024-04-30\n";
    let errors = row_errors(parse_people(people.as_bytes()));
    assert_eq!(keys(&errors), vec![(2, "Đến ngày", "date_order")]);
}

#[test]
fn bad_kind() {
    let errors = row_errors(parse_units(&units_csv(&["A,Tòa án nhân dân,Tên,,,,"])));
    assert_eq!(keys(&errors), vec![(2, "Loại", "bad_kind")]);
    let e = errors.first().expect("one error");
    assert!(e.message_vi.contains("VKSND tỉnh"));
    assert!(e.message_en.contains("provincial"));
}

#[test]
fn too_long_values() {
    let name_256 = "ă".repeat(256);
    let short_65 = "b".repeat(65);
    let code_33 = "C".repeat(33);
    let csv = units_csv(&[
        &format!("A,supreme,{name_256},,,,"),
        &format!("B,supreme,{},{short_65},,,", "ă".repeat(255)),
        &format!("{code_33},supreme,Tên,,,,"),
    ]);
    let errors = row_errors(parse_units(&csv));
    assert_eq!(
        keys(&errors),
        vec![
            (2, "Tên đầy đủ", "too_long"),
            (3, "Tên viết tắt", "too_long"),
            (4, "Mã", "too_long"),
        ]
    );
    let position_129 = "p".repeat(129);
    let people = format!("Họ và tên,Chức vụ,Mã đơn vị\nA,{position_129},TV\n");
    let errors = row_errors(parse_people(people.as_bytes()));
    assert_eq!(keys(&errors), vec![(2, "Chức vụ", "too_long")]);
}

#[test]
fn duplicate_code_is_reported_on_later_rows() {
    let csv = units_csv(&[
        "A,supreme,Một,,,,",
        "B,supreme,Hai,,,,",
        "A,supreme,Ba,,,,",
        "A,supreme,Bốn,,,,",
    ]);
    let errors = row_errors(parse_units(&csv));
    assert_eq!(
        keys(&errors),
        vec![(4, "Mã", "duplicate_code"), (5, "Mã", "duplicate_code")]
    );
    assert!(errors.iter().all(|e| e.message_en.contains("row 2")));
}

#[test]
fn bad_codes_self_parent_required_and_control_characters() {
    let csv = units_csv(&[
        "Mã có dấu,supreme,Tên,,,,",
        "A,supreme,Tên,,A,,",
        ",,,VT,,,",
        "B,supreme,\"Tên\nhai dòng\",,B C,,",
    ]);
    let errors = row_errors(parse_units(&csv));
    assert_eq!(
        keys(&errors),
        vec![
            (2, "Mã", "bad_code"),
            (3, "Mã đơn vị cha", "self_parent"),
            (4, "Mã", "required"),
            (4, "Loại", "required"),
            (4, "Tên đầy đủ", "required"),
            (5, "Tên đầy đủ", "bad_text"),
            (5, "Mã đơn vị cha", "bad_code"),
        ]
    );
}

#[test]
fn all_errors_of_all_rows_are_reported() {
    let csv = units_csv(&[
        "OK1,supreme,Đúng,,,,",
        "A B,xyz,,,,hôm qua,",
        "OK2,phong,Đúng,,,01/01/2020,31/12/2019",
        "OK3,supreme,Đúng,,,,",
    ]);
    let errors = row_errors(parse_units(&csv));
    assert_eq!(
        keys(&errors),
        vec![
            (3, "Mã", "bad_code"),
            (3, "Loại", "bad_kind"),
            (3, "Tên đầy đủ", "required"),
            (3, "Hiệu lực từ", "bad_date"),
            (4, "Hiệu lực đến", "date_order"),
        ]
    );
    for e in &errors {
        assert!(!e.message_vi.is_empty() && !e.message_en.is_empty());
    }
    let err = parse_units(&csv).expect_err("must fail");
    assert_eq!(err.key(), "rows");
    assert_eq!(err.to_string(), "5 row errors");
}

#[test]
fn row_numbers_in_xlsx_follow_the_sheet() {
    let header: &[&str] = &["Mã", "Loại", "Tên đầy đủ"];
    let ok: &[&str] = &["A", "supreme", "Tên"];
    let blank: &[&str] = &["", "", ""];
    let bad: &[&str] = &["B", "nope", "Tên"];
    let bytes = workbook(&[("Đơn vị", &[header, ok, blank, bad])]);
    let errors = row_errors(parse_units(&bytes));
    assert_eq!(keys(&errors), vec![(4, "Loại", "bad_kind")]);
}

#[test]
fn bad_encoding() {
    // "Mã" in Latin-1 / Windows-1258 style single bytes.
    let err = parse_units(b"M\xe3,Lo\xe0i\nA,B\n").expect_err("must fail");
    assert!(matches!(err, ImportError::BadEncoding));
    assert_eq!(err.key(), "bad_encoding");
    // UTF-16 LE with BOM, as saved by "Unicode Text".
    let utf16: Vec<u8> = "\u{FEFF}Mã,Loại"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(matches!(
        parse_people(&utf16),
        Err(ImportError::BadEncoding)
    ));
}

#[test]
fn wrong_sheet() {
    let other: &[&str] = &["Số thứ tự", "Ghi chú"];
    let bytes = workbook(&[("Sheet1", &[other])]);
    match parse_units(&bytes) {
        Err(ImportError::MissingSheet { expected }) => {
            assert_eq!(expected, vec!["Đơn vị".to_owned()])
        }
        other => panic!("{other:?}"),
    }
    // A units workbook is not a people workbook.
    let units = export_units(&sample_units(), Format::Xlsx).expect("export");
    let err = parse_people(&units).expect_err("must fail");
    assert_eq!(err.key(), "missing_sheet");
    assert!(err.message_vi().contains("Cán bộ"));
    // An empty first sheet is not a fallback either.
    let bytes = workbook(&[("Trống", &[])]);
    assert!(matches!(
        parse_units(&bytes),
        Err(ImportError::MissingSheet { .. })
    ));
}

#[test]
fn named_sheet_with_missing_columns_or_no_rows() {
    let header: &[&str] = &["Mã", "Tên đầy đủ"];
    let bytes = workbook(&[("Đơn vị", &[header])]);
    assert!(
        matches!(parse_units(&bytes), Err(ImportError::MissingColumns(c)) if c == vec!["Loại".to_owned()])
    );
    let bytes = workbook(&[("Đơn vị", &[])]);
    assert!(matches!(parse_units(&bytes), Err(ImportError::Empty)));
    // Partially matching first sheet: the columns are what is missing.
    let bytes = workbook(&[("Sheet1", &[header])]);
    assert!(matches!(
        parse_units(&bytes),
        Err(ImportError::MissingColumns(_))
    ));
}

#[test]
fn malformed_xlsx() {
    let err = parse_units(b"PK\x03\x04 definitely not a zip archive").expect_err("must fail");
    assert!(matches!(err, ImportError::BadSpreadsheet(_)), "{err:?}");
    assert_eq!(err.key(), "bad_spreadsheet");

    let good = export_units(&sample_units(), Format::Xlsx).expect("export");
    let truncated = good.get(..good.len() / 2).expect("half");
    assert!(matches!(
        parse_units(truncated),
        Err(ImportError::BadSpreadsheet(_))
    ));

    // Legacy .xls (OLE2 compound file) is rejected with a clear message.
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.extend([0u8; 504]);
    let err = parse_people(&xls).expect_err("must fail");
    assert!(
        matches!(&err, ImportError::BadSpreadsheet(m) if m.contains(".xls")),
        "{err:?}"
    );
}

#[test]
fn too_large() {
    let mut big = units_csv(&["A,supreme,Tên,,,,"]);
    big.resize(MAX_IMPORT_BYTES + 1, b' ');
    let err = parse_units(&big).expect_err("must fail");
    assert!(matches!(err, ImportError::TooLarge { limit } if limit == MAX_IMPORT_BYTES));
    assert_eq!(err.key(), "too_large");
    assert!(err.message_vi().contains("10 MB"));
    // Size is checked before anything else, even the encoding.
    let big = vec![0xFFu8; MAX_IMPORT_BYTES + 1];
    assert!(matches!(
        parse_people(&big),
        Err(ImportError::TooLarge { .. })
    ));
    // Exactly the limit is accepted.
    let mut at_limit = units_csv(&["A,supreme,Tên,,,,"]);
    at_limit.resize(MAX_IMPORT_BYTES, b' ');
    assert_eq!(parse_units(&at_limit).expect("import").len(), 1);
}

#[test]
fn empty_files() {
    for input in [
        &b""[..],
        b"\xEF\xBB\xBF",
        b"\n\r\n  \n",
        UNIT_HEADER.as_bytes(),
    ] {
        let err = parse_units(input).expect_err("must fail");
        assert!(matches!(err, ImportError::Empty), "{input:?}: {err:?}");
        assert_eq!(err.key(), "empty");
    }
    assert!(matches!(
        parse_units(&units_csv(&["", ",,,,,,", " , "])),
        Err(ImportError::Empty)
    ));
}

#[test]
fn import_error_messages_are_bilingual() {
    let errors = [
        ImportError::TooLarge {
            limit: MAX_IMPORT_BYTES,
        },
        ImportError::BadEncoding,
        ImportError::BadSpreadsheet("x".to_owned()),
        ImportError::MissingSheet {
            expected: vec!["Đơn vị".to_owned()],
        },
        ImportError::MissingColumns(vec!["Mã".to_owned()]),
        ImportError::Empty,
        ImportError::Rows(Vec::new()),
    ];
    let mut keys: Vec<&str> = errors.iter().map(ImportError::key).collect();
    for e in &errors {
        assert!(!e.message_vi().is_empty() && !e.message_en().is_empty());
        assert_ne!(e.message_vi(), e.message_en());
    }
    keys.dedup();
    assert_eq!(keys.len(), errors.len());
}

#[test]
fn export_errors() {
    let old = UnitRecord {
        valid_from: Some(date(1899, 12, 31)),
        ..unit("A", "supreme", "Tên")
    };
    match export_units(std::slice::from_ref(&old), Format::Xlsx) {
        Err(e @ ExportError::DateOutOfRange { .. }) => {
            assert_eq!(e.key(), "date_out_of_range");
            assert!(e.message_vi().contains("Hiệu lực từ"));
        }
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("exported a date Excel cannot hold"),
    }
    // CSV can hold it (import then rejects it as out of range).
    let csv = export_units(&[old], Format::Csv).expect("csv");
    assert_eq!(
        keys(&row_errors(parse_units(&csv))),
        vec![(2, "Hiệu lực từ", "bad_date")]
    );

    let huge = PersonRecord {
        full_name: "x".repeat(40_000),
        position: "p".to_owned(),
        unit_code: "u".to_owned(),
        valid_from: None,
        valid_to: None,
    };
    match export_people(&[huge], Format::Xlsx) {
        Err(ExportError::CellTooLong { row, column, limit }) => {
            assert_eq!((row, column.as_str(), limit), (2, "Họ và tên", 32_767));
        }
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("exported an over-long cell"),
    }
}

#[test]
fn far_away_cells_do_not_blow_up_memory() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Đơn vị").expect("name");
    for (c, h) in (0u16..).zip(["Mã", "Loại", "Tên đầy đủ"]) {
        ws.write_string(0, c, h).expect("write");
    }
    ws.write_string(1, 0, "A").expect("write");
    ws.write_string(1, 1, "supreme").expect("write");
    ws.write_string(1, 2, "Tên").expect("write");
    // A dense range spanning these would have 17 billion cells.
    ws.write_string(1_048_575, 16_383, "far away")
        .expect("write");
    ws.write_string(1_048_575, 0, "B").expect("write");
    let bytes = wb.save_to_buffer().expect("save");
    let errors = row_errors(parse_units(&bytes));
    assert_eq!(
        keys(&errors),
        vec![
            (1_048_576, "Loại", "required"),
            (1_048_576, "Tên đầy đủ", "required")
        ]
    );
}

#[test]
fn title_rows_above_the_header_are_skipped() {
    let title: &[&str] = &["VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO"];
    let subtitle: &[&str] = &["", "DANH SÁCH CÁN BỘ"];
    let header: &[&str] = &["STT", "Họ và tên", "Chức vụ", "Mã đơn vị"];
    let row: &[&str] = &["1", "Lê Văn A", "Kiểm sát viên", "TV"];
    let bad: &[&str] = &["2", "Lê Văn B", "", "TV"];
    let bytes = workbook(&[("Cán bộ", &[title, subtitle, header, row])]);
    assert_eq!(parse_people(&bytes).expect("import").len(), 1);
    // Also through the first-sheet fallback, with sheet row numbers kept.
    let bytes = workbook(&[("Sheet1", &[title, subtitle, header, row, bad])]);
    let errors = row_errors(parse_people(&bytes));
    assert_eq!(keys(&errors), vec![(5, "Chức vụ", "required")]);
    // CSV too.
    let csv = "Danh sách cán bộ\n\nHọ và tên;Chức vụ;Mã đơn vị\nA;B, C;D\n";
    let people = parse_people(csv.as_bytes()).expect("import");
    assert_eq!(people.first().map(|p| p.position.as_str()), Some("B, C"));
}
