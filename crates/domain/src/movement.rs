//! Emulation movements (phong trào thi đua): what they are, which states they go through,
//! and when a group or unit may join one.
//!
//! A movement is launched at one level (the Government, the sector, a council), is either
//! the regular yearly one ("thường xuyên") or themed, and runs over a period of years; an
//! ongoing movement has no last year. Groups and units join it for one year of that period,
//! and only while it is active.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError};
use crate::text;

pub const MAX_NAME: usize = 500;
pub const MAX_THEME: usize = 1000;
/// The patriotic emulation movement dates from 1948; earlier years are typing mistakes.
pub const FIRST_YEAR: i64 = 1945;
pub const LAST_YEAR: i64 = 2100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Launched by the Government or the Prime Minister.
    Government,
    /// Launched by the Prosecutor General for the whole sector.
    Sector,
    /// Launched by one emulation and commendation council for its units.
    Council,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Government, Level::Sector, Level::Council];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Government => "government",
            Level::Sector => "sector",
            Level::Council => "council",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }
    /// Translation key of the label.
    pub fn key(self) -> String {
        format!("mov-level-{}", self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The regular yearly movement ("thường xuyên").
    Regular,
    /// A themed movement (often over several years).
    Themed,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Regular, Kind::Themed];
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Regular => "regular",
            Kind::Themed => "themed",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn key(self) -> String {
        format!("mov-kind-{}", self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being prepared: visible, but nobody joins yet.
    Draft,
    /// Launched: groups and units join.
    Active,
    /// Over (summed up): who joined stays on record, nobody joins or leaves.
    Closed,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Draft, Status::Active, Status::Closed];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Active => "active",
            Status::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn key(self) -> String {
        format!("mov-status-{}", self.as_str())
    }
    /// The states this one may move to. A draft is launched; an active movement is closed;
    /// a closed one may be reopened (closed by mistake, or its summing-up postponed). A
    /// launched movement never goes back to draft: people have joined it.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Draft => &[Status::Active],
            Status::Active => &[Status::Closed],
            Status::Closed => &[Status::Active],
        }
    }
    pub fn may_become(self, to: Status) -> bool {
        self.next().contains(&to)
    }
}

/// Check a status change: unknown states are input errors, forbidden moves are refusals.
pub fn transition(from: Status, to: &str) -> Result<Status, DomainError> {
    let to = Status::parse(to).ok_or_else(|| DomainError::field("status", "err-mov-bad-status"))?;
    if from.may_become(to) {
        Ok(to)
    } else {
        Err(DomainError::Rule("err-mov-bad-transition".into()))
    }
}

/// Raw input from a form or JSON body, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MovementInput {
    pub name: String,
    pub theme: Option<String>,
    pub level: String,
    pub kind: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
}

/// A movement's editable fields after validation. Text is NFC, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementDraft {
    pub name: String,
    pub theme: String,
    pub level: Level,
    pub kind: Kind,
    pub period_from: i64,
    /// `None`: ongoing.
    pub period_to: Option<i64>,
}

fn year(field: &str, s: Option<&str>, errs: &mut Vec<FieldError>) -> Option<i64> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    match s.parse::<i64>() {
        Ok(y) if (FIRST_YEAR..=LAST_YEAR).contains(&y) => Some(y),
        _ => {
            errs.push(FieldError::new(field, "err-mov-bad-year"));
            None
        }
    }
}

impl MovementInput {
    pub fn validate(&self) -> Result<MovementDraft, DomainError> {
        let mut errs = Vec::new();
        let name = text::clean(&self.name);
        if name.is_empty() {
            errs.push(FieldError::new("name", "err-required"));
        } else if name.chars().count() > MAX_NAME {
            errs.push(FieldError::new("name", "err-too-long"));
        }
        let theme = self.theme.as_deref().map(text::clean).unwrap_or_default();
        if theme.chars().count() > MAX_THEME {
            errs.push(FieldError::new("theme", "err-too-long"));
        }
        let level = Level::parse(&self.level);
        if level.is_none() {
            errs.push(FieldError::new("level", "err-mov-bad-level"));
        }
        let kind = Kind::parse(&self.kind);
        if kind.is_none() {
            errs.push(FieldError::new("kind", "err-mov-bad-kind"));
        }
        let from_given = self
            .period_from
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty());
        let from = year("period_from", self.period_from.as_deref(), &mut errs);
        if !from_given {
            errs.push(FieldError::new("period_from", "err-required"));
        }
        let to = year("period_to", self.period_to.as_deref(), &mut errs);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errs.push(FieldError::new("period_to", "err-mov-period-order"));
            }
        }
        match (level, kind, from) {
            (Some(level), Some(kind), Some(period_from)) if errs.is_empty() => Ok(MovementDraft {
                name,
                theme,
                level,
                kind,
                period_from,
                period_to: to,
            }),
            _ => Err(DomainError::Invalid(errs)),
        }
    }
}

impl MovementDraft {
    /// The diacritic-free text searched by the list ("nong thon moi" finds "nông thôn mới").
    pub fn search_key(&self) -> String {
        let mut k = text::fold(&self.name);
        if !self.theme.is_empty() {
            k.push_str(" | ");
            k.push_str(&text::fold(&self.theme));
        }
        k
    }
}

/// Is `year` inside the period (an ongoing movement has no last year)?
pub fn in_period(from: i64, to: Option<i64>, year: i64) -> bool {
    year >= from && to.is_none_or(|t| year <= t)
}

/// May someone join (or leave) the movement for `year`? Only while it is active and only
/// for a year of its period.
pub fn check_join(
    status: Status,
    from: i64,
    to: Option<i64>,
    year: i64,
) -> Result<(), DomainError> {
    if status != Status::Active {
        return Err(DomainError::Rule("err-mov-not-active".into()));
    }
    if !in_period(from, to, year) {
        return Err(DomainError::field("year", "err-mov-year-outside"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> MovementInput {
        MovementInput {
            name: "  Cả nước chung sức   xây dựng nông thôn mới ".into(),
            theme: None,
            level: "government".into(),
            kind: "themed".into(),
            period_from: Some("2021".into()),
            period_to: Some("2025".into()),
        }
    }

    fn keys(e: DomainError) -> Vec<(String, String)> {
        match e {
            DomainError::Invalid(v) => v.into_iter().map(|f| (f.field, f.key)).collect(),
            DomainError::Rule(k) => vec![(String::new(), k)],
        }
    }

    #[test]
    fn valid_input_is_cleaned() {
        let d = input().validate().expect("valid");
        assert_eq!(d.name, "Cả nước chung sức xây dựng nông thôn mới");
        assert_eq!(d.level, Level::Government);
        assert_eq!(d.kind, Kind::Themed);
        assert_eq!((d.period_from, d.period_to), (2021, Some(2025)));
        assert_eq!(d.search_key(), "ca nuoc chung suc xay dung nong thon moi");
    }

    #[test]
    fn name_is_nfc() {
        let mut i = input();
        // "Vì người nghèo" typed with combining marks (NFD).
        i.name = "Vi\u{0300} ngu\u{031b}o\u{031b}\u{0300}i nghe\u{0300}o".into();
        let d = i.validate().expect("valid");
        assert_eq!(d.name, "Vì người nghèo");
    }

    #[test]
    fn errors_are_collected_by_field() {
        let i = MovementInput {
            name: " ".into(),
            theme: Some("x".repeat(MAX_THEME + 1)),
            level: "province".into(),
            kind: "".into(),
            period_from: Some("2025".into()),
            period_to: Some("2021".into()),
        };
        assert_eq!(
            keys(i.validate().expect_err("invalid")),
            vec![
                ("name".into(), "err-required".into()),
                ("theme".into(), "err-too-long".into()),
                ("level".into(), "err-mov-bad-level".into()),
                ("kind".into(), "err-mov-bad-kind".into()),
                ("period_to".into(), "err-mov-period-order".into()),
            ]
        );
    }

    #[test]
    fn period_start_is_required_and_years_are_checked() {
        let mut i = input();
        i.period_from = None;
        assert_eq!(
            keys(i.validate().expect_err("invalid")),
            vec![("period_from".into(), "err-required".into())]
        );
        i.period_from = Some("năm 2021".into());
        i.period_to = Some("99999".into());
        assert_eq!(
            keys(i.validate().expect_err("invalid")),
            vec![
                ("period_from".into(), "err-mov-bad-year".into()),
                ("period_to".into(), "err-mov-bad-year".into()),
            ]
        );
    }

    #[test]
    fn ongoing_and_one_year_periods() {
        let mut i = input();
        i.period_to = Some(" ".into());
        assert_eq!(i.validate().expect("valid").period_to, None);
        i.period_to = Some("2021".into());
        assert_eq!(i.validate().expect("valid").period_to, Some(2021));
    }

    #[test]
    fn transitions() {
        assert_eq!(transition(Status::Draft, "active"), Ok(Status::Active));
        assert_eq!(transition(Status::Active, "closed"), Ok(Status::Closed));
        assert_eq!(transition(Status::Closed, "active"), Ok(Status::Active));
        for (from, to) in [
            (Status::Draft, "closed"),
            (Status::Draft, "draft"),
            (Status::Active, "draft"),
            (Status::Active, "active"),
            (Status::Closed, "draft"),
        ] {
            assert_eq!(
                transition(from, to),
                Err(DomainError::Rule("err-mov-bad-transition".into())),
                "{from:?} → {to}"
            );
        }
        assert!(matches!(
            transition(Status::Draft, "launched"),
            Err(DomainError::Invalid(_))
        ));
    }

    #[test]
    fn joining_needs_an_active_movement_and_a_year_of_its_period() {
        assert!(check_join(Status::Active, 2021, Some(2025), 2021).is_ok());
        assert!(check_join(Status::Active, 2021, Some(2025), 2025).is_ok());
        assert_eq!(
            check_join(Status::Active, 2021, Some(2025), 2026),
            Err(DomainError::field("year", "err-mov-year-outside"))
        );
        assert!(check_join(Status::Active, 2021, Some(2025), 2020).is_err());
        assert!(check_join(Status::Active, 2000, None, 2030).is_ok());
        assert_eq!(
            check_join(Status::Draft, 2021, Some(2025), 2023),
            Err(DomainError::Rule("err-mov-not-active".into()))
        );
        assert!(check_join(Status::Closed, 2021, Some(2025), 2023).is_err());
    }

    #[test]
    fn labels_are_translation_keys() {
        assert_eq!(Level::Sector.key(), "mov-level-sector");
        assert_eq!(Kind::Regular.key(), "mov-kind-regular");
        assert_eq!(Status::Closed.key(), "mov-status-closed");
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
    }
}
