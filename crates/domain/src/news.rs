//! The news article about a conference, drafted in Vietnamese from the conference's record
//! in the manner of the sector's news pages: the title, then date and place, who attended,
//! what was adopted, who leads the group (and who was elected), what was registered, and
//! the closing words. Pure: facts in, title and sanitised HTML body out; the people who
//! publish it then edit the draft as they like.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::document::sanitize_html;
use crate::error::{DomainError, FieldError};
use crate::text;

pub const MAX_TITLE: usize = 500;
pub const MAX_BODY: usize = 100_000;
pub const MAX_PLACE: usize = 500;

/// A unit leading the group, with the person who represented it at the conference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Officer {
    /// The unit's name as the articles write it, e.g. "VKSND tỉnh Trà Vinh".
    pub unit: String,
    pub person: Option<String>,
    /// The person's position, e.g. "Viện trưởng".
    pub position: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendee {
    pub name: String,
    pub role: String,
    pub unit: Option<String>,
}

/// What the conference's record says, gathered by the caller from the stored conference,
/// its group, elections and the registrations of the group's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConferenceFacts {
    /// "Cụm thi đua số 13"
    pub group_name: String,
    /// "ngành Kiểm sát nhân dân", empty when not worth saying
    pub group_scope: String,
    /// "Hội nghị ký kết giao ước thi đua năm 2024"
    pub title: String,
    pub date: NaiveDate,
    pub venue: String,
    /// in_person, online, hybrid
    pub mode: String,
    pub bridge_points: Vec<String>,
    pub host: String,
    /// Member units, the head first
    pub members: Vec<String>,
    pub head: Option<Officer>,
    pub deputy: Option<Officer>,
    /// Offices filled by an election at this conference: ("head" | "deputy", unit).
    pub elected: Vec<(String, String)>,
    pub attendees: Vec<Attendee>,
    pub agenda: Vec<String>,
    /// Documents adopted (the plan, the pact, the regulations…)
    pub adopted: Vec<String>,
    /// Titles registered by member units: (title, how many units)
    pub registrations: Vec<(String, i64)>,
    pub theme: Option<String>,
    pub motto: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewsDraft {
    pub title: String,
    pub event_date: NaiveDate,
    pub place: String,
    pub body_html: String,
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// "29/3/2024", as the articles write dates.
pub fn short_date(d: NaiveDate) -> String {
    format!("{:02}/{}/{}", d.day(), d.month(), d.year())
}

/// "06/06": the articles write small counts with two digits.
fn two(n: i64) -> String {
    format!("{n:02}")
}

fn officer(o: &Officer, office: &str, group: &str) -> String {
    match &o.person {
        Some(p) => {
            let pos = o
                .position
                .as_deref()
                .map(|p| format!("{p} "))
                .unwrap_or_default();
            format!("đồng chí {p} – {pos}{} – {office} {group}", o.unit)
        }
        None => format!("{} – {office} {group}", o.unit),
    }
}

fn office_name(office: &str, group_name: &str) -> &'static str {
    let block = group_name.starts_with("Khối");
    match (office, block) {
        ("head", false) => "Cụm trưởng",
        ("head", true) => "Khối trưởng",
        (_, false) => "Cụm phó",
        (_, true) => "Khối phó",
    }
}

fn p(out: &mut String, s: &str) {
    out.push_str("<p>");
    out.push_str(&esc(s));
    out.push_str("</p>");
}

/// Draft the article. Every sentence comes from a fact; a fact that is missing leaves its
/// sentence out rather than inventing one.
pub fn draft(f: &ConferenceFacts) -> NewsDraft {
    let group = text::clean(&f.group_name);
    let scope = text::clean(&f.group_scope);
    let group_full = if scope.is_empty() {
        group.clone()
    } else {
        format!("{group} {scope}")
    };
    let title = format!("{group_full} tổ chức {}", f.title);
    let mut body = String::new();

    // Date, place, who.
    let members = if f.members.is_empty() {
        String::new()
    } else {
        format!(
            " (gồm {} đơn vị: {})",
            two(f.members.len() as i64),
            f.members.join(", ")
        )
    };
    let place = match f.mode.as_str() {
        "online" if !f.bridge_points.is_empty() => format!(
            "theo hình thức trực tuyến tại {} điểm cầu ({})",
            two(f.bridge_points.len() as i64),
            f.bridge_points.join(", ")
        ),
        "online" => "theo hình thức trực tuyến".to_owned(),
        _ => format!("tại {}", f.venue),
    };
    p(
        &mut body,
        &format!(
            "Ngày {}, {place}, {group_full}{members} tổ chức {}.",
            short_date(f.date),
            f.title
        ),
    );

    // Attendance: the head and deputy first, then the others as recorded.
    let mut who: Vec<String> = Vec::new();
    if let Some(h) = &f.head {
        who.push(officer(h, office_name("head", &group), &group));
    }
    if let Some(d) = &f.deputy {
        who.push(officer(d, office_name("deputy", &group), &group));
    }
    let named: Vec<&str> = [&f.head, &f.deputy]
        .iter()
        .filter_map(|o| o.as_ref().and_then(|o| o.person.as_deref()))
        .collect();
    for a in &f.attendees {
        if named.contains(&a.name.as_str()) {
            continue;
        }
        let mut s = a.name.clone();
        if !a.role.is_empty() {
            s.push_str(&format!(" ({})", a.role));
        }
        if let Some(u) = &a.unit {
            s.push_str(&format!(" – {u}"));
        }
        who.push(s);
    }
    if !who.is_empty() {
        p(
            &mut body,
            &format!("Tham dự Hội nghị có {}.", who.join("; ")),
        );
    }

    if !f.agenda.is_empty() {
        p(&mut body, "Chương trình Hội nghị gồm các nội dung:");
        body.push_str("<ul>");
        for a in &f.agenda {
            body.push_str(&format!("<li>{}</li>", esc(a)));
        }
        body.push_str("</ul>");
    }

    if let Some(t) = &f.theme {
        let motto = f
            .motto
            .as_ref()
            .map(|m| format!(" với phương châm: “{m}”"))
            .unwrap_or_default();
        p(
            &mut body,
            &format!(
                "{group} tiếp tục đoàn kết, nỗ lực phấn đấu thực hiện thắng lợi nhiệm vụ chính trị của Ngành{motto}; phát động và thực hiện hiệu quả các phong trào thi đua yêu nước với chủ đề: “{t}”."
            ),
        );
    }

    if !f.adopted.is_empty() {
        p(
            &mut body,
            &format!(
                "Sau khi thảo luận, các đại biểu đã thống nhất thông qua {}.",
                f.adopted.join("; ")
            ),
        );
    }

    // Who leads the group: elected here, or as the council appointed it.
    if !f.elected.is_empty() {
        let parts: Vec<String> = f
            .elected
            .iter()
            .map(|(o, u)| format!("{u} làm {} {group}", office_name(o, &group)))
            .collect();
        p(
            &mut body,
            &format!(
                "Hội nghị đã bầu {} năm {}.",
                parts.join(" và "),
                f.date.year()
            ),
        );
    } else if f.head.is_some() || f.deputy.is_some() {
        let mut parts = Vec::new();
        if let Some(h) = &f.head {
            parts.push(format!("{} là {}", h.unit, office_name("head", &group)));
        }
        if let Some(d) = &f.deputy {
            parts.push(format!("{} là {}", d.unit, office_name("deputy", &group)));
        }
        p(
            &mut body,
            &format!("Năm {}, {}.", f.date.year(), parts.join(", ")),
        );
    }

    let total = f.members.len() as i64;
    for (title, n) in &f.registrations {
        let s = if total > 0 && *n == total {
            format!(
                "Tất cả {}/{} đơn vị trong {group} đều thống nhất đăng ký danh hiệu thi đua “{title}”.",
                two(*n),
                two(total)
            )
        } else if total > 0 {
            format!(
                "{}/{} đơn vị trong {group} đăng ký danh hiệu thi đua “{title}”.",
                two(*n),
                two(total)
            )
        } else {
            format!("{} đơn vị đăng ký danh hiệu thi đua “{title}”.", two(*n))
        };
        p(&mut body, &s);
    }

    let closing = match &f.head {
        Some(Officer {
            person: Some(person),
            unit,
            ..
        }) => format!(
            "Phát biểu bế mạc Hội nghị, đồng chí {person} – {unit} đề nghị các đơn vị trong {group} tiếp tục đoàn kết, nỗ lực, hưởng ứng thực hiện tốt các phong trào thi đua, phấn đấu hoàn thành xuất sắc nhiệm vụ năm {}. ",
            f.date.year()
        ),
        _ => String::new(),
    };
    p(
        &mut body,
        &format!(
            "{closing}{} của {group_full} đã diễn ra thành công tốt đẹp.",
            f.title
        ),
    );

    NewsDraft {
        title: text::clean(&title),
        event_date: f.date,
        place: match f.mode.as_str() {
            "online" => "Trực tuyến".to_owned(),
            _ => text::clean(&f.venue),
        },
        body_html: sanitize_html(&body),
    }
}

/// An article as edited: title and place cleaned, body sanitised (any HTML that is not plain
/// structure goes), all problems at once.
pub fn check_article(
    title: &str,
    place: &str,
    body_html: &str,
) -> Result<NewsDraftText, DomainError> {
    let mut errs = Vec::new();
    let title = text::clean(title);
    if title.is_empty() {
        errs.push(FieldError::new("title", "err-required"));
    } else if title.chars().count() > MAX_TITLE {
        errs.push(FieldError::new("title", "err-too-long"));
    }
    let place = text::clean(place);
    if place.chars().count() > MAX_PLACE {
        errs.push(FieldError::new("place", "err-too-long"));
    }
    // Size first: the sanitiser only ever sees bodies that may be accepted.
    let body =
        if body_html.len() > MAX_BODY * 4 || !crate::document::markup_within_limits(body_html) {
            errs.push(FieldError::new("body", "err-too-long"));
            String::new()
        } else {
            sanitize_html(body_html)
        };
    if body.is_empty() && errs.iter().all(|e| e.field != "body") {
        errs.push(FieldError::new("body", "err-required"));
    } else if body.chars().count() > MAX_BODY {
        errs.push(FieldError::new("body", "err-too-long"));
    }
    if errs.is_empty() {
        Ok(NewsDraftText {
            title,
            place,
            body_html: body,
        })
    } else {
        Err(DomainError::Invalid(errs))
    }
}

/// The edited text of an article, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewsDraftText {
    pub title: String,
    pub place: String,
    pub body_html: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The facts of the seed article on cluster 13's conference of 29/3/2024.
    fn cluster13() -> ConferenceFacts {
        let unit = |p: &str| format!("VKSND tỉnh {p}");
        ConferenceFacts {
            group_name: "Cụm thi đua số 13".into(),
            group_scope: "ngành Kiểm sát nhân dân".into(),
            title: "Hội nghị ký kết giao ước thi đua năm 2024".into(),
            date: NaiveDate::from_ymd_opt(2024, 3, 29).unwrap(),
            venue: "Hội trường VKSND tỉnh Trà Vinh".into(),
            mode: "in_person".into(),
            bridge_points: vec![],
            host: unit("Trà Vinh"),
            members: [
                "Trà Vinh",
                "Sóc Trăng",
                "Bến Tre",
                "Bạc Liêu",
                "Cà Mau",
                "Kiên Giang",
            ]
            .iter()
            .map(|p| unit(p))
            .collect(),
            head: Some(Officer {
                unit: unit("Trà Vinh"),
                person: Some("Nguyễn Văn Tùng".into()),
                position: Some("Viện trưởng".into()),
            }),
            deputy: Some(Officer {
                unit: unit("Sóc Trăng"),
                person: Some("Đinh Gia Hưng".into()),
                position: Some("Viện trưởng".into()),
            }),
            elected: vec![],
            attendees: vec![Attendee {
                name: "Đại diện Cụm thi đua số 10 năm 2023 (VKSND tỉnh Vĩnh Long, Đồng Tháp)"
                    .into(),
                role: "Khách mời".into(),
                unit: None,
            }],
            agenda: vec!["Khai mạc".into(), "Bế mạc".into()],
            adopted: vec![
                "Kế hoạch phát động phong trào thi đua năm 2024".into(),
                "Bản giao ước thi đua năm 2024 của Cụm thi đua số 13".into(),
            ],
            registrations: vec![("Cờ thi đua của Chính phủ".into(), 6)],
            theme: Some(
                "Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024".into(),
            ),
            motto: Some("Đoàn kết, trách nhiệm – kỷ cương, liêm chính – bản lĩnh, hiệu quả".into()),
        }
    }

    #[test]
    fn cluster13_article_tells_the_seed_facts() {
        let d = draft(&cluster13());
        assert_eq!(
            d.title,
            "Cụm thi đua số 13 ngành Kiểm sát nhân dân tổ chức Hội nghị ký kết giao ước thi đua năm 2024"
        );
        let b = &d.body_html;
        assert!(
            b.starts_with(
                "<p>Ngày 29/3/2024, tại Hội trường VKSND tỉnh Trà Vinh, Cụm thi đua số 13"
            ),
            "{b}"
        );
        for p in [
            "Trà Vinh",
            "Sóc Trăng",
            "Bến Tre",
            "Bạc Liêu",
            "Cà Mau",
            "Kiên Giang",
        ] {
            assert!(b.contains(&format!("VKSND tỉnh {p}")), "{p}");
        }
        assert!(b.contains("gồm 06 đơn vị"));
        assert!(b.contains("đồng chí Nguyễn Văn Tùng – Viện trưởng VKSND tỉnh Trà Vinh – Cụm trưởng Cụm thi đua số 13"));
        assert!(b.contains(
            "đồng chí Đinh Gia Hưng – Viện trưởng VKSND tỉnh Sóc Trăng – Cụm phó Cụm thi đua số 13"
        ));
        assert!(b.contains("Tất cả 06/06 đơn vị trong Cụm thi đua số 13 đều thống nhất đăng ký danh hiệu thi đua “Cờ thi đua của Chính phủ”"));
        assert!(b.contains("Bản giao ước thi đua năm 2024 của Cụm thi đua số 13"));
        assert!(b.contains("“Đoàn kết, đổi mới, vượt khó, hoàn thành xuất sắc nhiệm vụ năm 2024”"));
        assert!(b.contains("đã diễn ra thành công tốt đẹp"));
        assert_eq!(d.place, "Hội trường VKSND tỉnh Trà Vinh");
        // Drafting is deterministic and its HTML already clean.
        assert_eq!(draft(&cluster13()), d);
        assert_eq!(sanitize_html(b), *b);
    }

    #[test]
    fn online_election_conference() {
        // Seed 004: cluster 1, 19/3/2024, online across four bridge points, elected head and deputy.
        let f = ConferenceFacts {
            group_name: "Cụm thi đua số 1".into(),
            group_scope: String::new(),
            title: "Hội nghị bầu Cụm trưởng, Cụm phó Cụm thi đua số 1 năm 2024".into(),
            date: NaiveDate::from_ymd_opt(2024, 3, 19).unwrap(),
            venue: String::new(),
            mode: "online".into(),
            bridge_points: vec![
                "VKSND cấp cao tại Hà Nội".into(),
                "VKSND TP Hà Nội".into(),
                "VKSND cấp cao tại Đà Nẵng".into(),
                "VKSND cấp cao tại TP HCM".into(),
            ],
            host: "VKSND cấp cao tại TP HCM".into(),
            members: vec![],
            head: None,
            deputy: None,
            elected: vec![
                ("head".into(), "VKSND cấp cao tại TP HCM".into()),
                ("deputy".into(), "VKSND TP Hà Nội".into()),
            ],
            attendees: vec![],
            agenda: vec![],
            adopted: vec![],
            registrations: vec![],
            theme: None,
            motto: None,
        };
        let d = draft(&f);
        assert!(d.body_html.contains("trực tuyến tại 04 điểm cầu"));
        assert!(d.body_html.contains("Hội nghị đã bầu VKSND cấp cao tại TP HCM làm Cụm trưởng Cụm thi đua số 1 và VKSND TP Hà Nội làm Cụm phó Cụm thi đua số 1 năm 2024."));
        assert!(!d.body_html.contains("đăng ký"));
        assert_eq!(d.place, "Trực tuyến");
    }

    #[test]
    fn facts_are_escaped() {
        let mut f = cluster13();
        f.venue = "<script>alert(1)</script>Hội trường".into();
        let d = draft(&f);
        assert!(!d.body_html.contains("<script"));
        assert!(d.body_html.contains("&lt;script&gt;"));
    }

    #[test]
    fn edited_article_is_sanitised() {
        let a = check_article(
            " Tin  mới ",
            "Trà Vinh",
            "<p onclick=\"x()\">Nội dung <script>alert(1)</script><b>đậm</b></p><img src=x onerror=y>",
        )
        .unwrap();
        assert_eq!(a.title, "Tin mới");
        assert!(!a.body_html.contains("script"));
        assert!(!a.body_html.contains("onclick"));
        assert!(!a.body_html.contains("<img"));
        assert!(a.body_html.contains("Nội dung"));
        let e = check_article("", "", "<script>only</script>").unwrap_err();
        assert_eq!(
            e,
            DomainError::Invalid(vec![
                FieldError::new("title", "err-required"),
                FieldError::new("body", "err-required")
            ])
        );
    }
}
