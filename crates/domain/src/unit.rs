//! The unit registry's rules: kinds, validated fields, validity periods, lineage.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError};
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Supreme,
    Department,
    HighLevel,
    Provincial,
    District,
    Regional,
    Division,
}

impl UnitKind {
    pub const ALL: [UnitKind; 7] = [
        UnitKind::Supreme,
        UnitKind::Department,
        UnitKind::HighLevel,
        UnitKind::Provincial,
        UnitKind::District,
        UnitKind::Regional,
        UnitKind::Division,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Supreme => "supreme",
            UnitKind::Department => "department",
            UnitKind::HighLevel => "high_level",
            UnitKind::Provincial => "provincial",
            UnitKind::District => "district",
            UnitKind::Regional => "regional",
            UnitKind::Division => "division",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineageKind {
    Merge,
    Split,
    Rename,
}

impl LineageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineageKind::Merge => "merge",
            LineageKind::Split => "split",
            LineageKind::Rename => "rename",
        }
    }
    pub fn parse(s: &str) -> Option<LineageKind> {
        [LineageKind::Merge, LineageKind::Split, LineageKind::Rename]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

pub const MAX_NAME: usize = 255;
pub const MAX_SHORT_NAME: usize = 64;
pub const MAX_CODE: usize = 32;

/// A unit's editable fields after validation. Text is NFC, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDraft {
    pub code: String,
    pub kind: UnitKind,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// Raw input from a form or JSON body, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitInput {
    pub code: String,
    pub kind: String,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

/// Parse dd/mm/yyyy (as shown in the UI) or yyyy-mm-dd (as in the API and HTML date inputs).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

fn opt_text(s: &Option<String>) -> Option<String> {
    s.as_deref().map(text::clean).filter(|s| !s.is_empty())
}

fn opt_date(field: &str, s: &Option<String>, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let d = parse_date(s);
    if d.is_none() {
        errs.push(FieldError::new(field, "err-bad-date"));
    }
    d
}

pub fn check_period(from: Option<NaiveDate>, to: Option<NaiveDate>, errs: &mut Vec<FieldError>) {
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errs.push(FieldError::new("valid_to", "err-end-before-start"));
        }
    }
}

impl UnitInput {
    pub fn validate(&self) -> Result<UnitDraft, DomainError> {
        let mut errs = Vec::new();
        let code = text::clean(&self.code);
        if code.is_empty() {
            errs.push(FieldError::new("code", "err-required"));
        } else if code.chars().count() > MAX_CODE {
            errs.push(FieldError::new("code", "err-too-long"));
        } else if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            errs.push(FieldError::new("code", "err-bad-code"));
        }
        let kind = UnitKind::parse(self.kind.trim());
        if kind.is_none() {
            errs.push(FieldError::new("kind", "err-bad-kind"));
        }
        let name = text::clean(&self.name);
        if name.is_empty() {
            errs.push(FieldError::new("name", "err-required"));
        } else if name.chars().count() > MAX_NAME {
            errs.push(FieldError::new("name", "err-too-long"));
        }
        let short_name = opt_text(&self.short_name);
        if short_name
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SHORT_NAME)
        {
            errs.push(FieldError::new("short_name", "err-too-long"));
        }
        let valid_from = opt_date("valid_from", &self.valid_from, &mut errs);
        let valid_to = opt_date("valid_to", &self.valid_to, &mut errs);
        check_period(valid_from, valid_to, &mut errs);
        let parent_id = self
            .parent_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        match kind {
            Some(kind) if errs.is_empty() => Ok(UnitDraft {
                code,
                kind,
                name,
                short_name,
                parent_id,
                valid_from,
                valid_to,
            }),
            _ => Err(DomainError::Invalid(errs)),
        }
    }
}

/// Would making `parent` the parent of `unit` create a cycle? `ancestors_of_parent` is the
/// chain from `parent` up to the root (parent first).
pub fn creates_cycle(unit: &str, parent: &str, ancestors_of_parent: &[String]) -> bool {
    unit == parent || ancestors_of_parent.iter().any(|a| a == unit)
}

/// A person's fields after validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDraft {
    pub full_name: String,
    pub position: String,
    pub unit_id: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonInput {
    pub full_name: String,
    pub position: String,
    pub unit_id: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

impl PersonInput {
    pub fn validate(&self) -> Result<PersonDraft, DomainError> {
        let mut errs = Vec::new();
        let full_name = text::clean(&self.full_name);
        if full_name.is_empty() {
            errs.push(FieldError::new("full_name", "err-required"));
        } else if full_name.chars().count() > MAX_NAME {
            errs.push(FieldError::new("full_name", "err-too-long"));
        }
        let position = text::clean(&self.position);
        if position.is_empty() {
            errs.push(FieldError::new("position", "err-required"));
        } else if position.chars().count() > 128 {
            errs.push(FieldError::new("position", "err-too-long"));
        }
        let unit_id = self.unit_id.trim().to_owned();
        if unit_id.is_empty() {
            errs.push(FieldError::new("unit_id", "err-required"));
        }
        let valid_from = opt_date("valid_from", &self.valid_from, &mut errs);
        let valid_to = opt_date("valid_to", &self.valid_to, &mut errs);
        check_period(valid_from, valid_to, &mut errs);
        if errs.is_empty() {
            Ok(PersonDraft {
                full_name,
                position,
                unit_id,
                valid_from,
                valid_to,
            })
        } else {
            Err(DomainError::Invalid(errs))
        }
    }
}

/// A lineage event: on `date`, the units `from` ended and the units `to` began (for a
/// rename, one of each). The event is refused when a source unit had already ended before
/// the date, or a successor begins on another day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageDraft {
    pub kind: LineageKind,
    pub date: NaiveDate,
    pub document: String,
    pub note: Option<String>,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

/// The validity of a unit as the lineage check sees it.
#[derive(Debug, Clone)]
pub struct UnitPeriod {
    pub id: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

pub fn check_lineage(ev: &LineageDraft, from: &[UnitPeriod]) -> Result<(), DomainError> {
    let mut errs = Vec::new();
    if ev.document.trim().is_empty() {
        errs.push(FieldError::new("document", "err-required"));
    }
    let (min_from, min_to) = match ev.kind {
        LineageKind::Merge => (2, 1),
        LineageKind::Split => (1, 2),
        LineageKind::Rename => (1, 1),
    };
    if ev.from.len() < min_from || (ev.kind != LineageKind::Merge && ev.from.len() != 1) {
        errs.push(FieldError::new("from", "err-lineage-count"));
    }
    if ev.to.len() < min_to || (ev.kind != LineageKind::Split && ev.to.len() != 1) {
        errs.push(FieldError::new("to", "err-lineage-count"));
    }
    // A merge may keep one of its sources as the successor only if it is not also ending.
    if ev.from.iter().any(|f| ev.to.contains(f)) {
        errs.push(FieldError::new("to", "err-lineage-same"));
    }
    for u in from {
        if u.valid_to.is_some_and(|t| t < ev.date) {
            errs.push(FieldError::new("from", "err-unit-already-ended"));
            break;
        }
        if u.valid_from.is_some_and(|f| f >= ev.date) {
            errs.push(FieldError::new("date", "err-lineage-before-start"));
            break;
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> UnitInput {
        UnitInput {
            code: "P-TRAVINH".into(),
            kind: "provincial".into(),
            name: " Viện kiểm sát nhân dân   tỉnh Trà Vinh ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_unit_is_cleaned() {
        let d = input().validate().expect("valid");
        assert_eq!(d.name, "Viện kiểm sát nhân dân tỉnh Trà Vinh");
    }

    #[test]
    fn errors_are_collected() {
        let mut i = input();
        i.name = "".into();
        i.kind = "x".into();
        i.valid_from = Some("2025-07-01".into());
        i.valid_to = Some("30/06/2025".into());
        let DomainError::Invalid(errs) = i.validate().expect_err("invalid") else {
            panic!()
        };
        let keys: Vec<_> = errs.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["err-bad-kind", "err-required", "err-end-before-start"]
        );
    }

    #[test]
    fn too_long_name() {
        let mut i = input();
        i.name = "a".repeat(256);
        assert!(i.validate().is_err());
    }

    #[test]
    fn cycle() {
        assert!(creates_cycle("a", "a", &[]));
        assert!(creates_cycle("a", "b", &["c".into(), "a".into()]));
        assert!(!creates_cycle("a", "b", &["c".into()]));
    }

    #[test]
    fn lineage_on_ended_unit_is_refused() {
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).expect("date");
        let ev = LineageDraft {
            kind: LineageKind::Merge,
            date: d,
            document: "84/2025/UBTVQH15".into(),
            note: None,
            from: vec!["a".into(), "b".into()],
            to: vec!["c".into()],
        };
        let ended = UnitPeriod {
            id: "a".into(),
            valid_from: None,
            valid_to: NaiveDate::from_ymd_opt(2025, 1, 1),
        };
        assert!(check_lineage(&ev, &[ended]).is_err());
        let open = UnitPeriod {
            id: "a".into(),
            valid_from: None,
            valid_to: None,
        };
        assert!(check_lineage(&ev, &[open]).is_ok());
    }
}
