//! The year's activities of a council, a group or a unit (exchanges of experience, cultural
//! and sports events, inspections, the mid-year review…): what a valid one is, how a year's
//! plan is counted for the year-end report, the month grid of the calendar, which photos
//! are accepted, and who may read an owner's activities.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::auth::Actor;
use crate::error::{DomainError, FieldError};
use crate::text;
use crate::unit::parse_date;

pub const MAX_TITLE: usize = 500;
pub const MAX_PLACE: usize = 500;
pub const MAX_PARTICIPANTS: usize = 2000;
pub const MAX_REPORT: usize = 20_000;
pub const MAX_NOTE: usize = 1000;
/// Largest photo accepted, in bytes: a phone photo, not an archive.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Giao lưu, học tập kinh nghiệm.
    ExperienceExchange,
    /// Giao lưu văn hóa, văn nghệ, thể dục thể thao.
    CultureSports,
    /// Kiểm tra, đôn đốc.
    Inspection,
    /// Sơ kết 6 tháng.
    MidYearReview,
    /// A conference of the group (pact signing, year-end review…).
    Conference,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::ExperienceExchange,
        Kind::CultureSports,
        Kind::Inspection,
        Kind::MidYearReview,
        Kind::Conference,
        Kind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ExperienceExchange => "experience_exchange",
            Kind::CultureSports => "culture_sports",
            Kind::Inspection => "inspection",
            Kind::MidYearReview => "mid_year_review",
            Kind::Conference => "conference",
            Kind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn key(self) -> String {
        format!("act-kind-{}", self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Planned,
    Held,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Planned, Status::Held, Status::Cancelled];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Held => "held",
            Status::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn key(self) -> String {
        format!("act-status-{}", self.as_str())
    }
}

/// An activity as typed in a form or sent to the API (dates as dd/mm/yyyy or yyyy-mm-dd).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActivityInput {
    pub title: String,
    pub kind: String,
    pub starts_on: String,
    /// Empty: a one-day activity.
    pub ends_on: Option<String>,
    pub host_unit_id: Option<String>,
    pub place: Option<String>,
    pub participants: Option<String>,
    /// Empty: planned.
    pub status: Option<String>,
    /// Markdown subset of [`crate::editable`]; stored as sanitised HTML.
    pub report: Option<String>,
    pub note: Option<String>,
}

/// A checked activity, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityDraft {
    pub title: String,
    pub kind: Kind,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub host_unit_id: Option<String>,
    pub place: String,
    pub participants: String,
    pub status: Status,
    pub report_html: String,
    pub note: String,
}

impl ActivityDraft {
    /// The year the activity belongs to (that of its first day).
    pub fn year(&self) -> i64 {
        i64::from(self.starts_on.year())
    }
}

fn opt_clean(
    s: &Option<String>,
    field: &str,
    max: usize,
    multiline: bool,
    errs: &mut Vec<FieldError>,
) -> String {
    let raw = s.as_deref().unwrap_or("");
    let c = if multiline {
        raw.lines()
            .map(text::clean)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        text::clean(raw)
    };
    if c.chars().count() > max {
        errs.push(FieldError::new(field, "err-too-long"));
    }
    c
}

impl ActivityInput {
    /// Check every field; all problems at once. An activity may not end before it starts,
    /// and a cancelled or planned one has no report yet only by choice: the report is free.
    pub fn validate(&self) -> Result<ActivityDraft, DomainError> {
        let mut errs = Vec::new();
        let title = text::clean(&self.title);
        if title.is_empty() {
            errs.push(FieldError::new("title", "err-required"));
        } else if title.chars().count() > MAX_TITLE {
            errs.push(FieldError::new("title", "err-too-long"));
        }
        let kind = Kind::parse(&self.kind);
        if kind.is_none() {
            errs.push(FieldError::new("kind", "err-act-kind"));
        }
        let starts_on = if self.starts_on.trim().is_empty() {
            errs.push(FieldError::new("starts_on", "err-required"));
            None
        } else {
            let d = parse_date(&self.starts_on);
            if d.is_none() {
                errs.push(FieldError::new("starts_on", "err-bad-date"));
            }
            d
        };
        let ends_on = match self
            .ends_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => starts_on,
            Some(s) => {
                let d = parse_date(s);
                if d.is_none() {
                    errs.push(FieldError::new("ends_on", "err-bad-date"));
                }
                d
            }
        };
        if let (Some(s), Some(e)) = (starts_on, ends_on) {
            if e < s {
                errs.push(FieldError::new("ends_on", "err-end-before-start"));
            }
        }
        let status = match self
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(Status::Planned),
            Some(s) => {
                let st = Status::parse(s);
                if st.is_none() {
                    errs.push(FieldError::new("status", "err-act-status"));
                }
                st
            }
        };
        let place = opt_clean(&self.place, "place", MAX_PLACE, false, &mut errs);
        let participants = opt_clean(
            &self.participants,
            "participants",
            MAX_PARTICIPANTS,
            true,
            &mut errs,
        );
        let note = opt_clean(&self.note, "note", MAX_NOTE, false, &mut errs);
        let report = self.report.as_deref().unwrap_or("").trim();
        if report.chars().count() > MAX_REPORT {
            errs.push(FieldError::new("report", "err-too-long"));
        }
        let report_html = if report.is_empty() {
            String::new()
        } else {
            crate::editable::markdown_to_html(report)
        };
        let host_unit_id = self
            .host_unit_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        match (kind, starts_on, ends_on, status) {
            (Some(kind), Some(starts_on), Some(ends_on), Some(status)) if errs.is_empty() => {
                Ok(ActivityDraft {
                    title,
                    kind,
                    starts_on,
                    ends_on,
                    host_unit_id,
                    place,
                    participants,
                    status,
                    report_html,
                    note,
                })
            }
            _ => Err(DomainError::Invalid(errs)),
        }
    }
}

/// The year-end count of one kind of activity (or of all, with `kind == None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub kind: Option<Kind>,
    /// Everything that was put in the plan (held, cancelled or still planned).
    pub planned: i64,
    pub held: i64,
    pub cancelled: i64,
    /// Planned and not yet held nor cancelled.
    pub pending: i64,
}

impl Tally {
    fn add(&mut self, s: Status) {
        self.planned += 1;
        match s {
            Status::Held => self.held += 1,
            Status::Cancelled => self.cancelled += 1,
            Status::Planned => self.pending += 1,
        }
    }
}

/// Count a year's activities by kind (only kinds that occur, in [`Kind::ALL`] order) and in
/// total (the last row, `kind == None`).
pub fn tally(items: &[(Kind, Status)]) -> Vec<Tally> {
    let mut out: Vec<Tally> = Vec::new();
    let mut total = Tally::default();
    for k in Kind::ALL {
        let mut t = Tally {
            kind: Some(k),
            ..Tally::default()
        };
        for (_, s) in items.iter().filter(|(ik, _)| *ik == k) {
            t.add(*s);
            total.add(*s);
        }
        if t.planned > 0 {
            out.push(t);
        }
    }
    out.push(total);
    out
}

/// The weeks of a month for a calendar grid, Monday first; days outside the month are
/// `None`. Returns an empty grid for an impossible month.
pub fn month_grid(year: i32, month: u32) -> Vec<[Option<NaiveDate>; 7]> {
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return Vec::new();
    };
    let lead = first.weekday().num_days_from_monday() as usize;
    let mut weeks = Vec::new();
    let mut week: [Option<NaiveDate>; 7] = [None; 7];
    let mut col = lead;
    let mut d = first;
    while d.month() == month {
        week[col] = Some(d);
        col += 1;
        if col == 7 {
            weeks.push(week);
            week = [None; 7];
            col = 0;
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    if col > 0 {
        weeks.push(week);
    }
    weeks
}

/// Does an activity from `start` to `end` take place on `day`?
pub fn covers_day(start: NaiveDate, end: NaiveDate, day: NaiveDate) -> bool {
    start <= day && day <= end
}

/// The image type of a photo, recognised by its first bytes (never by its name), or why it
/// is refused: too large, empty, or not a PNG, JPEG or WebP image.
pub fn photo_type(bytes: &[u8]) -> Result<&'static str, DomainError> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(DomainError::field("file", "err-photo-too-large"));
    }
    if bytes.is_empty() {
        return Err(DomainError::field("file", "err-required"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Ok("image/webp")
    } else {
        Err(DomainError::field("file", "err-photo-type"))
    }
}

/// May `actor` read what belongs to the units of `chains` (each a unit with its ancestors,
/// the unit first)? A system-wide grant reads everything; a scoped grant reads when its unit
/// is in one of the chains, so a member unit's people read their group's activities and a
/// unit's people read their unit's.
pub fn reads(actor: &Actor, chains: &[Vec<String>]) -> bool {
    actor.grants.iter().any(|g| match &g.scope_unit {
        None => true,
        Some(u) => chains.iter().any(|c| c.iter().any(|x| x == u)),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::auth::{Grant, Role};

    fn input() -> ActivityInput {
        ActivityInput {
            title: "  Giao lưu   thể thao ".into(),
            kind: "culture_sports".into(),
            starts_on: "15/06/2024".into(),
            ends_on: Some("2024-06-16".into()),
            ..ActivityInput::default()
        }
    }

    #[test]
    fn valid_activity_is_cleaned() {
        let d = input().validate().unwrap();
        assert_eq!(d.title, "Giao lưu thể thao");
        assert_eq!(d.status, Status::Planned);
        assert_eq!(d.year(), 2024);
        assert_eq!(d.ends_on.to_string(), "2024-06-16");
    }

    #[test]
    fn one_day_activity_ends_when_it_starts() {
        let mut i = input();
        i.ends_on = None;
        let d = i.validate().unwrap();
        assert_eq!(d.starts_on, d.ends_on);
    }

    #[test]
    fn ending_before_start_is_refused() {
        let mut i = input();
        i.ends_on = Some("14/06/2024".into());
        assert_eq!(
            i.validate(),
            Err(DomainError::Invalid(vec![FieldError::new(
                "ends_on",
                "err-end-before-start"
            )]))
        );
    }

    #[test]
    fn all_problems_at_once() {
        let i = ActivityInput {
            title: " ".into(),
            kind: "party".into(),
            starts_on: "31/02/2024".into(),
            status: Some("maybe".into()),
            ..ActivityInput::default()
        };
        let Err(DomainError::Invalid(errs)) = i.validate() else {
            panic!("accepted");
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "kind", "starts_on", "status"]);
    }

    #[test]
    fn report_html_is_sanitised() {
        let mut i = input();
        i.report = Some("Đã tổ chức <script>alert(1)</script> **tốt**".into());
        let d = i.validate().unwrap();
        assert!(!d.report_html.contains("<script"));
        assert!(d.report_html.contains("<strong>tốt</strong>"));
    }

    #[test]
    fn tally_counts_planned_and_done() {
        let t = tally(&[
            (Kind::CultureSports, Status::Held),
            (Kind::CultureSports, Status::Planned),
            (Kind::Inspection, Status::Cancelled),
        ]);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].kind, Some(Kind::CultureSports));
        assert_eq!((t[0].planned, t[0].held, t[0].pending), (2, 1, 1));
        let total = t.last().unwrap();
        assert_eq!(total.kind, None);
        assert_eq!(
            (total.planned, total.held, total.cancelled, total.pending),
            (3, 1, 1, 1)
        );
    }

    #[test]
    fn march_2024_grid() {
        // 1/3/2024 was a Friday; the month spans five weeks.
        let g = month_grid(2024, 3);
        assert_eq!(g.len(), 5);
        assert_eq!(g[0][4].map(|d| d.day()), Some(1));
        assert!(g[0][3].is_none());
        assert_eq!(g[4][6].map(|d| d.day()), Some(31));
        assert!(month_grid(2024, 13).is_empty());
    }

    #[test]
    fn photos_by_content() {
        assert_eq!(photo_type(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(photo_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert!(photo_type(b"%PDF-1.7").is_err());
        assert!(photo_type(b"<svg onload=alert(1)>").is_err());
        let big = vec![0xFFu8; MAX_PHOTO_BYTES + 1];
        assert_eq!(
            photo_type(&big),
            Err(DomainError::field("file", "err-photo-too-large"))
        );
    }

    #[test]
    fn members_read_their_own() {
        let a = Actor {
            user_id: "u".into(),
            grants: vec![Grant {
                role: Role::UnitLeader,
                scope_unit: Some("travinh".into()),
            }],
        };
        let members = vec![
            vec!["travinh".to_string(), "vkstc".into()],
            vec!["soctrang".to_string(), "vkstc".into()],
        ];
        assert!(reads(&a, &members));
        assert!(!reads(&a, &[vec!["tanchau".to_string(), "angiang".into()]]));
        assert!(!reads(&Actor::default(), &members));
    }
}
