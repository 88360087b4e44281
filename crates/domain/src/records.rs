//! People's yearly records (xếp loại, kỷ luật, nghỉ dài ngày, ngày bắt đầu công tác) and the
//! register of initiatives (sáng kiến) and exemplary models (điển hình tiên tiến, mô hình
//! mới): what they hold, how input is checked, and who recognises an initiative.
//!
//! Eligibility (`titles`) reads these through `History`; the orderings below (rating, form
//! of discipline, scope of effect) are what its rules compare against.
//!
//! Assumptions (documented because the sources do not settle them):
//! - One discipline and one long absence per person and year are recorded (the heaviest
//!   discipline is the one that matters for eligibility).
//! - A discipline counts in every year from its decision date to its end date (or only the
//!   decision's year when no end date is known).
//! - Initiatives of unit scope are recognised by the unit itself (its leadership); initiatives
//!   of sector or national scope are recorded by the sector council's secretariat, which
//!   names the body that recognised them (the sector's council, or a national body).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError};
use crate::text;
use crate::unit::parse_date;

pub const FIRST_YEAR: i64 = 1945;
pub const LAST_YEAR: i64 = 2100;
pub const MAX_TITLE: usize = 500;
pub const MAX_TEXT: usize = 5000;
pub const MAX_AUTHORS: usize = 20;

/// The yearly performance rating of a civil servant (xếp loại chất lượng), best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// không hoàn thành nhiệm vụ
    NotCompleted,
    /// hoàn thành nhiệm vụ
    Completed,
    /// hoàn thành tốt nhiệm vụ
    Good,
    /// hoàn thành xuất sắc nhiệm vụ
    Excellent,
}

impl Rating {
    /// Best first, as forms list them.
    pub const ALL: [Rating; 4] = [
        Rating::Excellent,
        Rating::Good,
        Rating::Completed,
        Rating::NotCompleted,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Excellent => "excellent",
            Rating::Good => "good",
            Rating::Completed => "completed",
            Rating::NotCompleted => "not_completed",
        }
    }
    /// The code, or the Vietnamese wording used in spreadsheets (with or without diacritics).
    pub fn parse(s: &str) -> Option<Rating> {
        let f = text::fold(s);
        Rating::ALL.into_iter().find(|r| {
            r.as_str() == s.trim() || f == text::fold(r.name_vi()) || f == text::fold(r.short_vi())
        })
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Rating::Excellent => "Hoàn thành xuất sắc nhiệm vụ",
            Rating::Good => "Hoàn thành tốt nhiệm vụ",
            Rating::Completed => "Hoàn thành nhiệm vụ",
            Rating::NotCompleted => "Không hoàn thành nhiệm vụ",
        }
    }
    fn short_vi(self) -> &'static str {
        match self {
            Rating::Excellent => "Xuất sắc",
            Rating::Good => "Tốt",
            Rating::Completed => "Hoàn thành",
            Rating::NotCompleted => "Không hoàn thành",
        }
    }
    pub fn key(self) -> String {
        format!("rec-rating-{}", self.as_str())
    }
}

/// Forms of discipline of civil servants, lightest first (Law on Cadres and Civil Servants,
/// Art. 79). Every form is at or above reprimand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisciplineForm {
    /// khiển trách
    Reprimand,
    /// cảnh cáo
    Warning,
    /// hạ bậc lương
    SalaryReduction,
    /// giáng chức
    Demotion,
    /// cách chức
    Dismissal,
    /// buộc thôi việc
    ForcedResignation,
}

impl DisciplineForm {
    pub const ALL: [DisciplineForm; 6] = [
        DisciplineForm::Reprimand,
        DisciplineForm::Warning,
        DisciplineForm::SalaryReduction,
        DisciplineForm::Demotion,
        DisciplineForm::Dismissal,
        DisciplineForm::ForcedResignation,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DisciplineForm::Reprimand => "reprimand",
            DisciplineForm::Warning => "warning",
            DisciplineForm::SalaryReduction => "salary_reduction",
            DisciplineForm::Demotion => "demotion",
            DisciplineForm::Dismissal => "dismissal",
            DisciplineForm::ForcedResignation => "forced_resignation",
        }
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            DisciplineForm::Reprimand => "Khiển trách",
            DisciplineForm::Warning => "Cảnh cáo",
            DisciplineForm::SalaryReduction => "Hạ bậc lương",
            DisciplineForm::Demotion => "Giáng chức",
            DisciplineForm::Dismissal => "Cách chức",
            DisciplineForm::ForcedResignation => "Buộc thôi việc",
        }
    }
    pub fn parse(s: &str) -> Option<DisciplineForm> {
        let f = text::fold(s);
        DisciplineForm::ALL
            .into_iter()
            .find(|d| d.as_str() == s.trim() || f == text::fold(d.name_vi()))
    }
    pub fn key(self) -> String {
        format!("rec-discipline-{}", self.as_str())
    }
}

/// The scope of effect of an initiative (phạm vi ảnh hưởng), narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Within the unit (cấp cơ sở).
    Unit,
    /// Sector-wide (toàn ngành).
    Sector,
    /// Nationwide (toàn quốc).
    National,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Unit, Scope::Sector, Scope::National];
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Unit => "unit",
            Scope::Sector => "sector",
            Scope::National => "national",
        }
    }
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
    pub fn key(self) -> String {
        format!("ini-scope-{}", self.as_str())
    }
    /// Who records the recognition of an initiative of this scope.
    pub fn recogniser(self) -> Recogniser {
        match self {
            Scope::Unit => Recogniser::Unit,
            Scope::Sector | Scope::National => Recogniser::SectorSecretariat,
        }
    }
}

/// Who records a recognition: the unit's own leadership (or a secretariat above it), or the
/// sector council's secretariat (a council secretary over the root of the unit tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recogniser {
    Unit,
    SectorSecretariat,
}

/// The unit chain (unit first, root last) a recognition's permission is checked against:
/// the whole chain for the unit's own recognitions, only the root for sector ones.
pub fn recognition_chain(scope: Scope, chain: &[String]) -> &[String] {
    match scope.recogniser() {
        Recogniser::Unit => chain,
        Recogniser::SectorSecretariat => {
            if chain.is_empty() {
                chain
            } else {
                &chain[chain.len() - 1..]
            }
        }
    }
}

/// The years a discipline counts in: from the decision's year to the end's year.
pub fn discipline_years(from: NaiveDate, to: Option<NaiveDate>) -> std::ops::RangeInclusive<i32> {
    let end = to.map_or(from.year(), |t| t.year().max(from.year()));
    from.year()..=end
}

fn clean_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(text::clean).filter(|s| !s.is_empty())
}

fn date(field: &str, s: &Option<String>, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let d = parse_date(s);
    if d.is_none() {
        errs.push(FieldError::new(field, "err-bad-date"));
    }
    d
}

fn year(field: &str, s: &str, errs: &mut Vec<FieldError>) -> i64 {
    match s.trim().parse::<i64>() {
        Ok(y) if (FIRST_YEAR..=LAST_YEAR).contains(&y) => y,
        _ if s.trim().is_empty() => {
            errs.push(FieldError::new(field, "err-required"));
            0
        }
        _ => {
            errs.push(FieldError::new(field, "err-rec-bad-year"));
            0
        }
    }
}

fn long(field: &str, s: &Option<String>, max: usize, errs: &mut Vec<FieldError>) {
    if s.as_deref().is_some_and(|v| v.chars().count() > max) {
        errs.push(FieldError::new(field, "err-too-long"));
    }
}

/// A person's record for a year, as typed (form, API or spreadsheet row).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RecordInput {
    pub year: String,
    pub rating: Option<String>,
    pub started_on: Option<String>,
    pub discipline_form: Option<String>,
    pub discipline_from: Option<String>,
    pub discipline_to: Option<String>,
    pub absence_from: Option<String>,
    pub absence_to: Option<String>,
    pub absence_reason: Option<String>,
    pub note: Option<String>,
}

/// A checked yearly record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordDraft {
    pub year: i64,
    pub rating: Option<Rating>,
    pub started_on: Option<NaiveDate>,
    pub discipline: Option<(DisciplineForm, NaiveDate, Option<NaiveDate>)>,
    pub absence: Option<(NaiveDate, NaiveDate, String)>,
    pub note: Option<String>,
}

impl RecordInput {
    pub fn validate(&self) -> Result<RecordDraft, DomainError> {
        let mut errs = Vec::new();
        let y = year("year", &self.year, &mut errs);
        let rating = match clean_opt(&self.rating) {
            None => None,
            Some(r) => {
                let p = Rating::parse(&r);
                if p.is_none() {
                    errs.push(FieldError::new("rating", "err-rec-bad-rating"));
                }
                p
            }
        };
        let started_on = date("started_on", &self.started_on, &mut errs);
        let form = match clean_opt(&self.discipline_form) {
            None => None,
            Some(f) => {
                let p = DisciplineForm::parse(&f);
                if p.is_none() {
                    errs.push(FieldError::new("discipline_form", "err-rec-bad-discipline"));
                }
                p
            }
        };
        let d_from = date("discipline_from", &self.discipline_from, &mut errs);
        let d_to = date("discipline_to", &self.discipline_to, &mut errs);
        let discipline = match (form, d_from) {
            (Some(f), Some(from)) => {
                if d_to.is_some_and(|t| t < from) {
                    errs.push(FieldError::new("discipline_to", "err-end-before-start"));
                }
                if y != 0 && !discipline_years(from, d_to).contains(&(y as i32)) {
                    errs.push(FieldError::new("discipline_from", "err-rec-not-in-year"));
                }
                Some((f, from, d_to))
            }
            (Some(_), None) if !errs.iter().any(|e| e.field == "discipline_from") => {
                errs.push(FieldError::new("discipline_from", "err-required"));
                None
            }
            (None, Some(_)) if !errs.iter().any(|e| e.field == "discipline_form") => {
                errs.push(FieldError::new("discipline_form", "err-required"));
                None
            }
            _ => None,
        };
        let a_from = date("absence_from", &self.absence_from, &mut errs);
        let a_to = date("absence_to", &self.absence_to, &mut errs);
        let reason = clean_opt(&self.absence_reason);
        long("absence_reason", &reason, MAX_TITLE, &mut errs);
        let absence = match (a_from, a_to) {
            (Some(f), Some(t)) => {
                if t < f {
                    errs.push(FieldError::new("absence_to", "err-end-before-start"));
                }
                Some((f, t, reason.unwrap_or_default()))
            }
            (Some(_), None) => {
                errs.push(FieldError::new("absence_to", "err-required"));
                None
            }
            (None, Some(_)) => {
                errs.push(FieldError::new("absence_from", "err-required"));
                None
            }
            (None, None) => None,
        };
        let note = clean_opt(&self.note);
        long("note", &note, MAX_TEXT, &mut errs);
        if !errs.is_empty() {
            return Err(DomainError::Invalid(errs));
        }
        Ok(RecordDraft {
            year: y,
            rating,
            started_on,
            discipline,
            absence,
            note,
        })
    }
}

/// An initiative as proposed by its unit.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InitiativeInput {
    pub title: String,
    pub year: String,
    pub summary: Option<String>,
    /// Ids of the authors (people of the unit), in order.
    pub author_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitiativeDraft {
    pub title: String,
    pub year: i64,
    pub summary: Option<String>,
    pub author_ids: Vec<String>,
}

impl InitiativeInput {
    pub fn validate(&self) -> Result<InitiativeDraft, DomainError> {
        let mut errs = Vec::new();
        let title = text::clean(&self.title);
        if title.is_empty() {
            errs.push(FieldError::new("title", "err-required"));
        } else if title.chars().count() > MAX_TITLE {
            errs.push(FieldError::new("title", "err-too-long"));
        }
        let y = year("year", &self.year, &mut errs);
        let summary = clean_opt(&self.summary);
        long("summary", &summary, MAX_TEXT, &mut errs);
        let mut author_ids: Vec<String> = Vec::new();
        for a in &self.author_ids {
            let a = a.trim();
            if !a.is_empty() && !author_ids.iter().any(|x| x == a) {
                author_ids.push(a.to_owned());
            }
        }
        if author_ids.is_empty() {
            errs.push(FieldError::new("author_ids", "err-ini-no-author"));
        } else if author_ids.len() > MAX_AUTHORS {
            errs.push(FieldError::new("author_ids", "err-too-long"));
        }
        if !errs.is_empty() {
            return Err(DomainError::Invalid(errs));
        }
        Ok(InitiativeDraft {
            title,
            year: y,
            summary,
            author_ids,
        })
    }
}

/// The recognition of an initiative: scope, the recognising body, its document and date.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RecognitionInput {
    pub scope: String,
    pub body: String,
    pub document_number: String,
    pub recognised_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecognitionDraft {
    pub scope: Scope,
    pub body: String,
    pub document_number: String,
    pub recognised_on: NaiveDate,
}

impl RecognitionInput {
    /// `year` is the initiative's year: recognition cannot come before it.
    pub fn validate(&self, year: i64) -> Result<RecognitionDraft, DomainError> {
        let mut errs = Vec::new();
        let scope = Scope::parse(&self.scope);
        if scope.is_none() {
            errs.push(FieldError::new("scope", "err-ini-bad-scope"));
        }
        let body = text::clean(&self.body);
        if body.is_empty() {
            errs.push(FieldError::new("body", "err-required"));
        } else if body.chars().count() > MAX_TITLE {
            errs.push(FieldError::new("body", "err-too-long"));
        }
        let number = text::clean(&self.document_number);
        if number.is_empty() {
            errs.push(FieldError::new("document_number", "err-required"));
        } else if number.chars().count() > 100 {
            errs.push(FieldError::new("document_number", "err-too-long"));
        }
        let on = if self.recognised_on.trim().is_empty() {
            errs.push(FieldError::new("recognised_on", "err-required"));
            None
        } else {
            date(
                "recognised_on",
                &Some(self.recognised_on.clone()),
                &mut errs,
            )
        };
        if on.is_some_and(|d| i64::from(d.year()) < year) {
            errs.push(FieldError::new("recognised_on", "err-ini-before-year"));
        }
        match (scope, on) {
            (Some(scope), Some(recognised_on)) if errs.is_empty() => Ok(RecognitionDraft {
                scope,
                body,
                document_number: number,
                recognised_on,
            }),
            _ => Err(DomainError::Invalid(errs)),
        }
    }
}

/// Kinds of exemplary models in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExemplarKind {
    /// An exemplary collective (tập thể điển hình tiên tiến).
    Collective,
    /// An exemplary person (cá nhân điển hình tiên tiến).
    Person,
    /// A new model or way of working (mô hình mới, cách làm hay).
    Model,
}

impl ExemplarKind {
    pub const ALL: [ExemplarKind; 3] = [
        ExemplarKind::Collective,
        ExemplarKind::Person,
        ExemplarKind::Model,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ExemplarKind::Collective => "collective",
            ExemplarKind::Person => "person",
            ExemplarKind::Model => "model",
        }
    }
    pub fn parse(s: &str) -> Option<ExemplarKind> {
        ExemplarKind::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
    }
    pub fn key(self) -> String {
        format!("ex-kind-{}", self.as_str())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExemplarInput {
    pub kind: String,
    pub year: String,
    pub name: String,
    /// The person, for an exemplary person.
    pub person_id: Option<String>,
    pub story: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExemplarDraft {
    pub kind: ExemplarKind,
    pub year: i64,
    pub name: String,
    pub person_id: Option<String>,
    pub story: String,
}

impl ExemplarInput {
    pub fn validate(&self) -> Result<ExemplarDraft, DomainError> {
        let mut errs = Vec::new();
        let kind = ExemplarKind::parse(&self.kind);
        if kind.is_none() {
            errs.push(FieldError::new("kind", "err-ex-bad-kind"));
        }
        let y = year("year", &self.year, &mut errs);
        let name = text::clean(&self.name);
        if name.is_empty() {
            errs.push(FieldError::new("name", "err-required"));
        } else if name.chars().count() > MAX_TITLE {
            errs.push(FieldError::new("name", "err-too-long"));
        }
        let person_id = clean_opt(&self.person_id);
        if kind == Some(ExemplarKind::Person) && person_id.is_none() {
            errs.push(FieldError::new("person_id", "err-required"));
        }
        let story = self.story.trim().to_owned();
        if story.is_empty() {
            errs.push(FieldError::new("story", "err-required"));
        } else if story.chars().count() > MAX_TEXT {
            errs.push(FieldError::new("story", "err-too-long"));
        }
        match kind {
            Some(kind) if errs.is_empty() => Ok(ExemplarDraft {
                kind,
                year: y,
                name,
                person_id: if kind == ExemplarKind::Person {
                    person_id
                } else {
                    None
                },
                story,
            }),
            _ => Err(DomainError::Invalid(errs)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(e: DomainError) -> Vec<(String, String)> {
        match e {
            DomainError::Invalid(v) => v.into_iter().map(|f| (f.field, f.key)).collect(),
            DomainError::Rule(k) => vec![(String::new(), k)],
        }
    }

    #[test]
    fn ratings_parse_codes_and_vietnamese_words() {
        assert_eq!(Rating::parse("good"), Some(Rating::Good));
        assert_eq!(
            Rating::parse("Hoàn thành xuất sắc nhiệm vụ"),
            Some(Rating::Excellent)
        );
        assert_eq!(
            Rating::parse("khong hoan thanh nhiem vu"),
            Some(Rating::NotCompleted)
        );
        assert_eq!(Rating::parse("Hoàn thành"), Some(Rating::Completed));
        assert_eq!(Rating::parse("giỏi"), None);
        assert!(Rating::NotCompleted < Rating::Completed && Rating::Good < Rating::Excellent);
    }

    #[test]
    fn discipline_forms_are_ordered_and_parse() {
        assert_eq!(
            DisciplineForm::parse("Khiển trách"),
            Some(DisciplineForm::Reprimand)
        );
        assert_eq!(
            DisciplineForm::parse("canh cao"),
            Some(DisciplineForm::Warning)
        );
        assert!(DisciplineForm::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn record_checks() {
        let ok = RecordInput {
            year: "2024".into(),
            rating: Some("Hoàn thành tốt nhiệm vụ".into()),
            discipline_form: Some("reprimand".into()),
            discipline_from: Some("15/03/2024".into()),
            ..RecordInput::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ok.rating, Some(Rating::Good));
        assert_eq!(ok.discipline.map(|d| d.0), Some(DisciplineForm::Reprimand));

        let bad = RecordInput {
            year: "24".into(),
            rating: Some("giỏi".into()),
            discipline_form: Some("warning".into()),
            absence_from: Some("2024-05-01".into()),
            ..RecordInput::default()
        }
        .validate()
        .map(|_| ())
        .map_err(keys);
        assert_eq!(
            bad,
            Err(vec![
                ("year".into(), "err-rec-bad-year".into()),
                ("rating".into(), "err-rec-bad-rating".into()),
                ("discipline_from".into(), "err-required".into()),
                ("absence_to".into(), "err-required".into()),
            ])
        );
        // A discipline outside the record's year is a typing mistake.
        let e = RecordInput {
            year: "2024".into(),
            discipline_form: Some("warning".into()),
            discipline_from: Some("2022-01-10".into()),
            discipline_to: Some("2022-12-31".into()),
            ..RecordInput::default()
        }
        .validate()
        .map_err(keys);
        assert_eq!(
            e.err(),
            Some(vec![(
                "discipline_from".into(),
                "err-rec-not-in-year".into()
            )])
        );
    }

    #[test]
    fn an_initiative_needs_an_author() {
        let e = InitiativeInput {
            title: "Số hóa hồ sơ".into(),
            year: "2024".into(),
            summary: None,
            author_ids: vec![" ".into()],
        }
        .validate()
        .map_err(keys);
        assert_eq!(
            e.err(),
            Some(vec![("author_ids".into(), "err-ini-no-author".into())])
        );
        let d = InitiativeInput {
            title: "  Số hóa   hồ sơ ".into(),
            year: "2024".into(),
            summary: None,
            author_ids: vec!["a".into(), "a".into(), "b".into()],
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.author_ids, ["a", "b"]);
        assert_eq!(d.title, "Số hóa hồ sơ");
    }

    #[test]
    fn recognition_checks_and_recogniser() {
        let r = RecognitionInput {
            scope: "sector".into(),
            body: "Hội đồng Thi đua – Khen thưởng ngành Kiểm sát nhân dân".into(),
            document_number: "12/QĐ-HĐTĐKT".into(),
            recognised_on: "2024-11-20".into(),
        };
        assert_eq!(r.validate(2024).map(|d| d.scope), Ok(Scope::Sector));
        assert_eq!(
            r.validate(2025).map_err(keys).err(),
            Some(vec![("recognised_on".into(), "err-ini-before-year".into())])
        );
        let chain = vec!["travinh".to_string(), "root".into()];
        assert_eq!(recognition_chain(Scope::Unit, &chain), &chain[..]);
        assert_eq!(recognition_chain(Scope::Sector, &chain), &chain[1..]);
        assert_eq!(recognition_chain(Scope::National, &chain), &chain[1..]);
        assert!(Scope::Unit < Scope::Sector && Scope::Sector < Scope::National);
    }

    #[test]
    fn exemplar_person_needs_the_person() {
        let e = ExemplarInput {
            kind: "person".into(),
            year: "2024".into(),
            name: "Trần Thị B".into(),
            person_id: None,
            story: "…".into(),
        }
        .validate()
        .map_err(keys);
        assert_eq!(
            e.err(),
            Some(vec![("person_id".into(), "err-required".into())])
        );
    }

    proptest! {
        /// A discipline counts in its decision's year and every year up to its end.
        #[test]
        fn discipline_years_cover_the_period(y in 2000i32..2040, m in 1u32..13, len in 0i64..1500) {
            let from = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
            let to = from + chrono::Duration::days(len);
            let ys = discipline_years(from, Some(to));
            prop_assert_eq!(*ys.start(), from.year());
            prop_assert_eq!(*ys.end(), to.year());
            prop_assert_eq!(discipline_years(from, None), from.year()..=from.year());
        }

        /// Every rating and form round-trips through its code and its Vietnamese name.
        #[test]
        fn codes_round_trip(i in 0usize..4, j in 0usize..6) {
            let r = Rating::ALL[i];
            prop_assert_eq!(Rating::parse(r.as_str()), Some(r));
            prop_assert_eq!(Rating::parse(r.name_vi()), Some(r));
            let d = DisciplineForm::ALL[j];
            prop_assert_eq!(DisciplineForm::parse(d.as_str()), Some(d));
            prop_assert_eq!(DisciplineForm::parse(d.name_vi()), Some(d));
        }
    }
}
