//! The achievement report (báo cáo thành tích) of a proposal as an editable DOCX: the
//! national title and motto, the report's title, then its sections, in Times New Roman as
//! Decree 30/2020/NĐ-CP asks. The system pre-fills it; the unit edits and signs it.

use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts};

/// One section: a heading and its paragraphs (plain text).
#[derive(Debug, Clone, Default)]
pub struct ReportSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ReportDoc {
    /// The issuing unit, printed top left in capitals.
    pub unit: String,
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<ReportSection>,
    /// Signature block: position and name.
    pub signer_position: String,
    pub signer_name: String,
}

fn run(text: &str, size_pt: usize, bold: bool) -> Run {
    let r = Run::new().add_text(text).size(size_pt * 2).fonts(
        RunFonts::new()
            .ascii("Times New Roman")
            .hi_ansi("Times New Roman")
            .cs("Times New Roman"),
    );
    if bold {
        r.bold()
    } else {
        r
    }
}

fn centred(text: &str, size: usize, bold: bool) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, size, bold))
        .align(AlignmentType::Center)
}

/// Build the DOCX bytes.
pub fn report_docx(doc: &ReportDoc) -> Result<Vec<u8>, String> {
    let mut d = Docx::new()
        .add_paragraph(Paragraph::new().add_run(run(&doc.unit.to_uppercase(), 13, true)))
        .add_paragraph(centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, true))
        .add_paragraph(centred("Độc lập - Tự do - Hạnh phúc", 14, true))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centred(&doc.title.to_uppercase(), 14, true));
    if !doc.subtitle.is_empty() {
        d = d.add_paragraph(centred(&doc.subtitle, 14, false));
    }
    for s in &doc.sections {
        d = d.add_paragraph(Paragraph::new().add_run(run(&s.heading, 14, true)));
        for p in &s.paragraphs {
            d = d.add_paragraph(
                Paragraph::new()
                    .add_run(run(p, 14, false))
                    .align(AlignmentType::Both),
            );
        }
    }
    d = d
        .add_paragraph(Paragraph::new())
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&doc.signer_position.to_uppercase(), 14, true))
                .align(AlignmentType::Right),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&doc.signer_name, 14, true))
                .align(AlignmentType::Right),
        );
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_a_zip_with_the_text() {
        let bytes = report_docx(&ReportDoc {
            unit: "Viện kiểm sát nhân dân tỉnh Trà Vinh".into(),
            title: "Báo cáo thành tích".into(),
            subtitle: "Đề nghị tặng Cờ thi đua năm 2023".into(),
            sections: vec![ReportSection {
                heading: "I. Thành tích".into(),
                paragraphs: vec!["Điểm tự chấm: 980".into()],
            }],
            signer_position: "Viện trưởng".into(),
            signer_name: String::new(),
        })
        .expect("docx");
        assert!(bytes.starts_with(b"PK\x03\x04"));
    }
}
