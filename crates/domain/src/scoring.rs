//! Scoring and ranking (chấm điểm, xếp loại thi đua): the criteria scheme a council sets for a
//! year and a kind of unit, the indicators it reads, a unit's scores, totals, classification
//! bands and ranks.
//!
//! Points are kept as whole hundredths ([`Points`]) and rates as hundredths of a percent
//! ([`Rate`]) so that totals add up exactly and are the same on every machine. Formulas come
//! from a closed set ([`Formula`]): a scheme is data, never code.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{DomainError, FieldError};

/// Limits that keep a scheme something a person can read and a server can score quickly.
pub const MAX_LEAVES: usize = 2000;
pub const MAX_DEPTH: usize = 4;
pub const MAX_CODE: usize = 20;
pub const MAX_TITLE: usize = 1000;
/// 100,000 points: far above any real scheme (the sector's tables total 100 to 1,000).
pub const MAX_POINTS: i64 = 10_000_000;

/// Points in hundredths: `Points(250)` is 2.5 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// Parses what people type: "7", "7.5", "7,25" (Vietnamese decimal comma), "-2".
    pub fn parse(s: &str) -> Option<Points> {
        parse_hundredths(s).map(Points)
    }

    pub fn from_f64(v: f64) -> Option<Points> {
        hundredths_from_f64(v).map(Points)
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Points {
    /// "7", "7,5", "7,25": the Vietnamese decimal comma, no trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hundredths(self.0, f)
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Points::from_f64(v).ok_or_else(|| {
            serde::de::Error::custom("points must be a number with at most two decimals")
        })
    }
}

/// A rate in hundredths of a percent: `Rate(9050)` is 90.5 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate(pub i64);

impl Rate {
    pub fn parse(s: &str) -> Option<Rate> {
        parse_hundredths(s.trim().trim_end_matches('%')).map(Rate)
    }
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hundredths(self.0, f)?;
        f.write_str("%")
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        hundredths_from_f64(v).map(Rate).ok_or_else(|| {
            serde::de::Error::custom("rate must be a percentage with at most two decimals")
        })
    }
}

fn hundredths_from_f64(v: f64) -> Option<i64> {
    if !v.is_finite() || v.abs() > MAX_POINTS as f64 {
        return None;
    }
    let h = (v * 100.0).round();
    // More than two decimals is a typing or rounding mistake, not something to round silently.
    if (h - v * 100.0).abs() > 1e-6 {
        return None;
    }
    Some(h as i64)
}

fn parse_hundredths(s: &str) -> Option<i64> {
    let s = s.trim().replace(',', ".");
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
    {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let v = int.checked_mul(100)?.checked_add(frac)?;
    if v > MAX_POINTS * 100 {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn write_hundredths(v: i64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let (int, frac) = (a / 100, a % 100);
    match frac {
        0 => write!(f, "{sign}{int}"),
        x if x % 10 == 0 => write!(f, "{sign}{int},{}", x / 10),
        x => write!(f, "{sign}{int},{x:02}"),
    }
}

/// Whether a higher or a lower rate is better (e.g. the rate of cases returned for further
/// investigation should be low).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

/// An indicator (chỉ tiêu): a rate with a numerator and a denominator, and the year's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    /// What is counted above and below the line, e.g. "Số vụ án giải quyết" / "Số vụ án thụ lý".
    #[serde(default)]
    pub numerator: String,
    #[serde(default)]
    pub denominator: String,
    pub direction: Direction,
    /// The year's target, e.g. 90 for "≥ 90%" when higher is better.
    pub target: Rate,
    /// Where the target comes from (a National Assembly resolution, the sector's guidance).
    #[serde(default)]
    pub basis: String,
}

impl Indicator {
    pub fn meets(&self, rate: Rate) -> bool {
        match self.direction {
            Direction::Higher => rate >= self.target,
            Direction::Lower => rate <= self.target,
        }
    }
}

/// A unit's actual counts for one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub numerator: i64,
    pub denominator: i64,
}

impl Counts {
    /// The rate, rounded down to a hundredth of a percent; `None` when it has no meaning
    /// (a zero or negative denominator, a negative numerator).
    pub fn rate(self) -> Option<Rate> {
        if self.denominator <= 0 || self.numerator < 0 {
            return None;
        }
        let r = i128::from(self.numerator) * 10_000 / i128::from(self.denominator);
        i64::try_from(r).ok().map(Rate)
    }
}

/// One step of a [`Formula::Steps`]: reaching `at` earns `points`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub at: Rate,
    pub points: Points,
}

/// How an indicator's rate becomes points: the closed, safe set a scheme may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Formula {
    /// Zero points at `zero_at`, the leaf's maximum at `full_at`, a straight line between,
    /// clamped outside. `zero_at < full_at` when higher is better, `zero_at > full_at` when
    /// lower is better; a scheme with the line the other way round is refused.
    Linear { zero_at: Rate, full_at: Rate },
    /// The points of the best step reached (in the indicator's direction); none reached: 0.
    Steps { steps: Vec<Step> },
    /// The maximum when the indicator meets its target, otherwise 0.
    PassFail,
}

impl Formula {
    pub fn points(&self, max: Points, indicator: &Indicator, rate: Rate) -> Points {
        match self {
            Formula::Linear { zero_at, full_at } => {
                let (z, f, r) = (
                    i128::from(zero_at.0),
                    i128::from(full_at.0),
                    i128::from(rate.0),
                );
                if z == f {
                    return Points::ZERO;
                }
                let frac_num = (r - z).clamp(0.min(f - z), 0.max(f - z));
                // frac = (r - z) / (f - z), in [0, 1]; both signs handled by the clamp above.
                let p = i128::from(max.0) * frac_num / (f - z);
                Points(p.clamp(0, i128::from(max.0)) as i64)
            }
            Formula::Steps { steps } => steps
                .iter()
                .filter(|s| match indicator.direction {
                    Direction::Higher => rate >= s.at,
                    Direction::Lower => rate <= s.at,
                })
                .map(|s| s.points)
                .max()
                .unwrap_or(Points::ZERO)
                .min(max),
            Formula::PassFail => {
                if indicator.meets(rate) {
                    max
                } else {
                    Points::ZERO
                }
            }
        }
    }
}

/// A node of the criteria tree. Top-level groups are the scheme's sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Node {
    Group {
        code: String,
        title: String,
        #[serde(default)]
        guidance: String,
        items: Vec<Node>,
    },
    /// Points given by hand, 0..max, with evidence when the scheme asks for it.
    Manual {
        code: String,
        title: String,
        #[serde(default)]
        guidance: String,
        max: Points,
        #[serde(default)]
        evidence_required: bool,
    },
    /// Points computed from an indicator's rate.
    Indicator {
        code: String,
        title: String,
        #[serde(default)]
        guidance: String,
        max: Points,
        indicator: String,
        formula: Formula,
    },
    /// Bonus points (điểm thưởng), 0..max; all bonuses together are capped by the scheme.
    Bonus {
        code: String,
        title: String,
        #[serde(default)]
        guidance: String,
        max: Points,
    },
    /// Deduction (điểm trừ): `per_occurrence` for each occurrence, at most `max`.
    Deduction {
        code: String,
        title: String,
        #[serde(default)]
        guidance: String,
        max: Points,
        per_occurrence: Points,
    },
}

impl Node {
    pub fn code(&self) -> &str {
        match self {
            Node::Group { code, .. }
            | Node::Manual { code, .. }
            | Node::Indicator { code, .. }
            | Node::Bonus { code, .. }
            | Node::Deduction { code, .. } => code,
        }
    }
    pub fn title(&self) -> &str {
        match self {
            Node::Group { title, .. }
            | Node::Manual { title, .. }
            | Node::Indicator { title, .. }
            | Node::Bonus { title, .. }
            | Node::Deduction { title, .. } => title,
        }
    }
    pub fn guidance(&self) -> &str {
        match self {
            Node::Group { guidance, .. }
            | Node::Manual { guidance, .. }
            | Node::Indicator { guidance, .. }
            | Node::Bonus { guidance, .. }
            | Node::Deduction { guidance, .. } => guidance,
        }
    }
}

/// A classification band: a total of at least `min` earns the band (xếp loại).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// Stable key, e.g. "excellent"; the label is what the documents print.
    pub key: String,
    pub label: String,
    pub min: Points,
}

/// A rule that orders units with equal totals; tried in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum TieBreak {
    /// The higher score on a named section.
    Section { code: String },
    /// Fewer deduction points.
    FewerDeductions,
    /// The higher score before bonus and deductions.
    HigherBase,
}

/// The criteria scheme (bảng tiêu chí chấm điểm) of one council, year and kind of unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub title: String,
    /// The decision or guidance this table comes from, e.g. "424/QĐ-VKSTC".
    #[serde(default)]
    pub legal_basis: String,
    pub criteria: Vec<Node>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// All bonuses together earn at most this.
    #[serde(default)]
    pub bonus_cap: Points,
    pub bands: Vec<Band>,
    #[serde(default)]
    pub tie_breaks: Vec<TieBreak>,
}

/// What a leaf is, once the tree is flattened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafKind {
    Manual { evidence_required: bool },
    Indicator { indicator: usize, formula: Formula },
    Bonus,
    Deduction { per_occurrence: Points },
}

impl LeafKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            LeafKind::Manual { .. } => "manual",
            LeafKind::Indicator { .. } => "indicator",
            LeafKind::Bonus => "bonus",
            LeafKind::Deduction { .. } => "deduction",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    pub code: String,
    pub title: String,
    pub max: Points,
    pub kind: LeafKind,
    /// Index of its top-level section; leaves at the top level are their own section.
    pub section: usize,
    pub depth: usize,
}

/// One row of the scheme as a form or a table shows it: groups and leaves in tree order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub code: String,
    pub title: String,
    pub guidance: String,
    pub depth: usize,
    /// The leaf's index, or `None` for a group.
    pub leaf: Option<usize>,
    /// A group's maximum: the sum of its manual and indicator leaves.
    pub max: Points,
}

/// A validated scheme, flattened for fast scoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    pub scheme: Scheme,
    pub leaves: Vec<Leaf>,
    pub rows: Vec<Row>,
    /// Top-level nodes: (code, title, max of manual and indicator leaves).
    pub sections: Vec<(String, String, Points)>,
    /// Sum of all manual and indicator leaves' maxima.
    pub base_max: Points,
    index: HashMap<String, usize>,
    indicator_index: HashMap<String, usize>,
}

fn valid_code(c: &str) -> bool {
    !c.is_empty()
        && c.chars().count() <= MAX_CODE
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_'))
}

impl Compiled {
    /// Validates a scheme and flattens it. Every problem is reported with its path, e.g.
    /// `criteria.2.items.0.max`.
    pub fn new(scheme: Scheme) -> Result<Compiled, DomainError> {
        let mut errs = Vec::new();
        if scheme.title.trim().is_empty() {
            errs.push(FieldError::new("title", "err-required"));
        }
        let mut indicator_index = HashMap::new();
        for (i, ind) in scheme.indicators.iter().enumerate() {
            let p = format!("indicators.{i}");
            if !valid_code(&ind.code) {
                errs.push(FieldError::new(&format!("{p}.code"), "err-bad-code"));
            } else if indicator_index.insert(ind.code.clone(), i).is_some() {
                errs.push(FieldError::new(
                    &format!("{p}.code"),
                    "err-score-duplicate-code",
                ));
            }
            if ind.name.trim().is_empty() {
                errs.push(FieldError::new(&format!("{p}.name"), "err-required"));
            }
            if ind.target.0 < 0 {
                errs.push(FieldError::new(&format!("{p}.target"), "err-score-range"));
            }
        }
        let mut c = Compiled {
            leaves: Vec::new(),
            rows: Vec::new(),
            sections: Vec::new(),
            base_max: Points::ZERO,
            index: HashMap::new(),
            indicator_index,
            scheme: scheme.clone(),
        };
        let mut codes = HashMap::new();
        for (i, node) in scheme.criteria.iter().enumerate() {
            c.sections.push((
                node.code().to_owned(),
                node.title().to_owned(),
                Points::ZERO,
            ));
            c.walk(node, &format!("criteria.{i}"), 0, i, &mut codes, &mut errs);
        }
        if c.leaves.is_empty() {
            errs.push(FieldError::new("criteria", "err-score-no-leaves"));
        }
        if c.leaves.len() > MAX_LEAVES {
            errs.push(FieldError::new("criteria", "err-too-long"));
        }
        for leaf in &c.leaves {
            if matches!(
                leaf.kind,
                LeafKind::Manual { .. } | LeafKind::Indicator { .. }
            ) {
                c.sections[leaf.section].2 .0 += leaf.max.0;
                c.base_max.0 += leaf.max.0;
            }
        }
        // Group rows show the sum of their base leaves.
        let mut stack: Vec<usize> = Vec::new();
        for r in 0..c.rows.len() {
            while stack
                .last()
                .is_some_and(|&g| c.rows[g].depth >= c.rows[r].depth)
            {
                stack.pop();
            }
            if let Some(l) = c.rows[r].leaf {
                let leaf = &c.leaves[l];
                if matches!(
                    leaf.kind,
                    LeafKind::Manual { .. } | LeafKind::Indicator { .. }
                ) {
                    for &g in &stack {
                        c.rows[g].max.0 += leaf.max.0;
                    }
                }
            } else {
                stack.push(r);
            }
        }
        if scheme.bonus_cap.0 < 0 {
            errs.push(FieldError::new("bonus_cap", "err-score-range"));
        }
        if scheme.bands.is_empty() {
            errs.push(FieldError::new("bands", "err-required"));
        }
        for (i, b) in scheme.bands.iter().enumerate() {
            if b.key.trim().is_empty() || b.label.trim().is_empty() {
                errs.push(FieldError::new(&format!("bands.{i}.label"), "err-required"));
            }
            if b.min.0 < 0 {
                errs.push(FieldError::new(
                    &format!("bands.{i}.min"),
                    "err-score-range",
                ));
            }
            if i > 0 && b.min >= scheme.bands[i - 1].min {
                errs.push(FieldError::new(
                    &format!("bands.{i}.min"),
                    "err-score-bands-order",
                ));
            }
        }
        for (i, t) in scheme.tie_breaks.iter().enumerate() {
            if let TieBreak::Section { code } = t {
                if !c.sections.iter().any(|s| &s.0 == code) {
                    errs.push(FieldError::new(
                        &format!("tie_breaks.{i}.code"),
                        "err-score-unknown-code",
                    ));
                }
            }
        }
        if errs.is_empty() {
            Ok(c)
        } else {
            Err(DomainError::Invalid(errs))
        }
    }

    fn walk(
        &mut self,
        node: &Node,
        path: &str,
        depth: usize,
        section: usize,
        codes: &mut HashMap<String, ()>,
        errs: &mut Vec<FieldError>,
    ) {
        let code = node.code();
        if !valid_code(code) {
            errs.push(FieldError::new(&format!("{path}.code"), "err-bad-code"));
        } else if codes.insert(code.to_owned(), ()).is_some() {
            errs.push(FieldError::new(
                &format!("{path}.code"),
                "err-score-duplicate-code",
            ));
        }
        if node.title().trim().is_empty() {
            errs.push(FieldError::new(&format!("{path}.title"), "err-required"));
        }
        if node.title().chars().count() > MAX_TITLE
            || node.guidance().chars().count() > MAX_TITLE * 4
        {
            errs.push(FieldError::new(&format!("{path}.title"), "err-too-long"));
        }
        if depth >= MAX_DEPTH {
            errs.push(FieldError::new(path, "err-score-too-deep"));
            return;
        }
        let mut row = Row {
            code: code.to_owned(),
            title: node.title().to_owned(),
            guidance: node.guidance().to_owned(),
            depth,
            leaf: None,
            max: Points::ZERO,
        };
        let (max, kind) = match node {
            Node::Group { items, .. } => {
                self.rows.push(row);
                if items.is_empty() {
                    errs.push(FieldError::new(&format!("{path}.items"), "err-required"));
                }
                for (i, child) in items.iter().enumerate() {
                    self.walk(
                        child,
                        &format!("{path}.items.{i}"),
                        depth + 1,
                        section,
                        codes,
                        errs,
                    );
                }
                return;
            }
            Node::Manual {
                max,
                evidence_required,
                ..
            } => (
                *max,
                LeafKind::Manual {
                    evidence_required: *evidence_required,
                },
            ),
            Node::Indicator {
                max,
                indicator,
                formula,
                ..
            } => {
                let Some(&ind) = self.indicator_index.get(indicator) else {
                    errs.push(FieldError::new(
                        &format!("{path}.indicator"),
                        "err-score-unknown-indicator",
                    ));
                    return;
                };
                let bad_formula = match formula {
                    // The line must rise towards the indicator's better side.
                    Formula::Linear { zero_at, full_at } => {
                        match self.scheme.indicators[ind].direction {
                            Direction::Higher => zero_at >= full_at,
                            Direction::Lower => zero_at <= full_at,
                        }
                    }
                    Formula::Steps { steps } => {
                        steps.is_empty()
                            || steps.windows(2).any(|w| w[0].at >= w[1].at)
                            || steps.iter().any(|s| s.points.0 < 0 || s.points > *max)
                    }
                    Formula::PassFail => false,
                };
                if bad_formula {
                    errs.push(FieldError::new(
                        &format!("{path}.formula"),
                        "err-score-formula",
                    ));
                }
                (
                    *max,
                    LeafKind::Indicator {
                        indicator: ind,
                        formula: formula.clone(),
                    },
                )
            }
            Node::Bonus { max, .. } => (*max, LeafKind::Bonus),
            Node::Deduction {
                max,
                per_occurrence,
                ..
            } => {
                if per_occurrence.0 <= 0 {
                    errs.push(FieldError::new(
                        &format!("{path}.per_occurrence"),
                        "err-score-range",
                    ));
                }
                (
                    *max,
                    LeafKind::Deduction {
                        per_occurrence: *per_occurrence,
                    },
                )
            }
        };
        if max.0 <= 0 || max.0 > MAX_POINTS {
            errs.push(FieldError::new(&format!("{path}.max"), "err-score-range"));
        }
        let i = self.leaves.len();
        row.leaf = Some(i);
        row.max = max;
        self.rows.push(row);
        self.index.insert(code.to_owned(), i);
        self.leaves.push(Leaf {
            code: code.to_owned(),
            title: node.title().to_owned(),
            max,
            kind,
            section,
            depth,
        });
    }

    pub fn leaf_index(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicator_index
            .get(code)
            .map(|&i| &self.scheme.indicators[i])
    }

    /// The highest total a unit can reach: every base leaf at its maximum plus capped bonus.
    pub fn max_total(&self) -> Points {
        Points(self.base_max.0 + self.bonus_cap_effective().0)
    }

    fn bonus_cap_effective(&self) -> Points {
        let sum: i64 = self
            .leaves
            .iter()
            .filter(|l| l.kind == LeafKind::Bonus)
            .map(|l| l.max.0)
            .sum();
        Points(sum.min(self.scheme.bonus_cap.0))
    }

    /// Checks what a unit entered against the scheme. Indicator leaves fill themselves, so
    /// points for them are refused; points above a leaf's maximum or below zero are refused.
    pub fn validate(&self, input: &Input) -> Result<(), DomainError> {
        let mut errs = Vec::new();
        for (code, p) in &input.points {
            let f = format!("points.{code}");
            match self.leaf_index(code).map(|i| &self.leaves[i]) {
                None => errs.push(FieldError::new(&f, "err-score-unknown-code")),
                Some(l) => match l.kind {
                    LeafKind::Manual { .. } | LeafKind::Bonus => {
                        if p.0 < 0 || *p > l.max {
                            errs.push(FieldError::new(&f, "err-score-above-max"));
                        }
                    }
                    LeafKind::Indicator { .. } => {
                        errs.push(FieldError::new(&f, "err-score-computed"))
                    }
                    LeafKind::Deduction { .. } => {
                        errs.push(FieldError::new(&f, "err-score-use-occurrences"))
                    }
                },
            }
        }
        for (code, n) in &input.occurrences {
            let f = format!("occurrences.{code}");
            match self.leaf_index(code).map(|i| &self.leaves[i]) {
                Some(Leaf {
                    kind: LeafKind::Deduction { .. },
                    ..
                }) => {
                    if *n > 10_000 {
                        errs.push(FieldError::new(&f, "err-score-range"));
                    }
                }
                Some(_) => errs.push(FieldError::new(&f, "err-score-not-deduction")),
                None => errs.push(FieldError::new(&f, "err-score-unknown-code")),
            }
        }
        for (code, counts) in &input.indicators {
            let f = format!("indicators.{code}");
            if !self.indicator_index.contains_key(code) {
                errs.push(FieldError::new(&f, "err-score-unknown-indicator"));
            } else if counts.denominator == 0 {
                errs.push(FieldError::new(&f, "err-score-zero-denominator"));
            } else if counts.rate().is_none() {
                errs.push(FieldError::new(&f, "err-score-range"));
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errs))
        }
    }

    /// Checks a reviewer's adjustment of one leaf: within 0..max, with a reason.
    pub fn validate_adjustment(
        &self,
        code: &str,
        points: Points,
        reason: &str,
    ) -> Result<(), DomainError> {
        let mut errs = Vec::new();
        match self.leaf_index(code).map(|i| &self.leaves[i]) {
            None => errs.push(FieldError::new("code", "err-score-unknown-code")),
            Some(l) => {
                if points.0 < 0 || points > l.max {
                    errs.push(FieldError::new("points", "err-score-above-max"));
                }
            }
        }
        if reason.trim().is_empty() {
            errs.push(FieldError::new("reason", "err-score-reason-required"));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errs))
        }
    }

    /// Each leaf's points from what the unit entered (`None`: not filled in yet). Deductions are
    /// the points taken away (positive). Call [`Compiled::validate`] first: invalid entries are
    /// clamped here, never trusted.
    pub fn leaf_points(&self, input: &Input) -> Vec<Option<Points>> {
        self.leaves
            .iter()
            .map(|l| match &l.kind {
                LeafKind::Manual { .. } | LeafKind::Bonus => input
                    .points
                    .get(&l.code)
                    .map(|p| Points(p.0.clamp(0, l.max.0))),
                LeafKind::Indicator { indicator, formula } => {
                    let ind = &self.scheme.indicators[*indicator];
                    input
                        .indicators
                        .get(&ind.code)
                        .and_then(|c| c.rate())
                        .map(|r| formula.points(l.max, ind, r))
                }
                LeafKind::Deduction { per_occurrence } => input
                    .occurrences
                    .get(&l.code)
                    .map(|&n| Points(i64::from(n).saturating_mul(per_occurrence.0).min(l.max.0))),
            })
            .collect()
    }

    /// Totals from leaf points (as [`Compiled::leaf_points`] gives them, possibly replaced by a
    /// reviewer's adjustments). A missing leaf counts zero and is listed in `missing`.
    pub fn card(&self, leaf_points: &[Option<Points>]) -> Card {
        let mut sections = vec![Points::ZERO; self.sections.len()];
        let (mut base, mut bonus, mut deduction) = (0i64, 0i64, 0i64);
        let mut missing = Vec::new();
        for (i, l) in self.leaves.iter().enumerate() {
            let p = match leaf_points.get(i).copied().flatten() {
                Some(p) => p.0.clamp(0, l.max.0),
                None => {
                    // An unreported deduction is simply none; other leaves must be filled in.
                    if !matches!(l.kind, LeafKind::Deduction { .. } | LeafKind::Bonus) {
                        missing.push(i);
                    }
                    0
                }
            };
            match l.kind {
                LeafKind::Manual { .. } | LeafKind::Indicator { .. } => {
                    base += p;
                    sections[l.section].0 += p;
                }
                LeafKind::Bonus => {
                    bonus += p;
                    sections[l.section].0 += p;
                }
                LeafKind::Deduction { .. } => {
                    deduction += p;
                    sections[l.section].0 -= p;
                }
            }
        }
        let bonus = bonus.min(self.scheme.bonus_cap.0);
        let total = (base + bonus - deduction).max(0);
        Card {
            sections,
            base: Points(base),
            bonus: Points(bonus),
            deduction: Points(deduction),
            total: Points(total),
            band: self.classify(Points(total)),
            missing,
        }
    }

    /// The index of the band a total earns; `None` below every band.
    pub fn classify(&self, total: Points) -> Option<usize> {
        self.scheme.bands.iter().position(|b| total >= b.min)
    }

    /// Ranks cards: by total, then the scheme's tie-break rules, then `order` (the caller's
    /// stable order, e.g. by unit name). Returns each card's position (1-based), so the
    /// positions are a permutation of 1..=n; `tied` marks cards that only `order` separated
    /// from the one before.
    pub fn rank(&self, cards: &[&Card]) -> Vec<Ranked> {
        let key = |c: &Card| -> Vec<i64> {
            let mut k = Vec::with_capacity(1 + self.scheme.tie_breaks.len());
            k.push(-c.total.0);
            for t in &self.scheme.tie_breaks {
                k.push(match t {
                    TieBreak::Section { code } => -self
                        .sections
                        .iter()
                        .position(|s| &s.0 == code)
                        .and_then(|i| c.sections.get(i))
                        .map_or(0, |p| p.0),
                    TieBreak::FewerDeductions => c.deduction.0,
                    TieBreak::HigherBase => -c.base.0,
                });
            }
            k
        };
        let keys: Vec<Vec<i64>> = cards.iter().map(|c| key(c)).collect();
        let mut order: Vec<usize> = (0..cards.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
        let mut out = vec![
            Ranked {
                position: 0,
                tied: false
            };
            cards.len()
        ];
        for (pos, &i) in order.iter().enumerate() {
            out[i] = Ranked {
                position: pos + 1,
                tied: pos > 0 && keys[order[pos - 1]] == keys[i],
            };
        }
        out
    }
}

/// What a unit entered: points of manual and bonus leaves, occurrences of deductions, and
/// indicator counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    #[serde(default)]
    pub points: BTreeMap<String, Points>,
    #[serde(default)]
    pub occurrences: BTreeMap<String, u32>,
    #[serde(default)]
    pub indicators: BTreeMap<String, Counts>,
}

/// A unit's totals under a scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Card {
    /// Per top-level section: its leaves' points, bonus added and deductions taken away.
    pub sections: Vec<Points>,
    pub base: Points,
    /// Capped by the scheme's bonus cap.
    pub bonus: Points,
    pub deduction: Points,
    /// base + bonus − deduction, never below zero.
    pub total: Points,
    pub band: Option<usize>,
    /// Indexes of leaves not filled in.
    pub missing: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ranked {
    pub position: usize,
    pub tied: bool,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn p(s: &str) -> Points {
        Points::parse(s).unwrap()
    }

    pub(crate) fn scheme() -> Scheme {
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
        .unwrap()
    }

    #[test]
    fn points_parse_and_print_the_vietnamese_way() {
        assert_eq!(p("7"), Points(700));
        assert_eq!(p("7,5"), Points(750));
        assert_eq!(p("7.25"), Points(725));
        assert_eq!(p("-2"), Points(-200));
        assert_eq!(p(".5"), Points(50));
        for bad in ["", "abc", "7.255", "1e3", "--1", "7,5,1", "."] {
            assert_eq!(Points::parse(bad), None, "{bad}");
        }
        assert_eq!(Points(725).to_string(), "7,25");
        assert_eq!(Points(750).to_string(), "7,5");
        assert_eq!(Points(-200).to_string(), "-2");
        assert_eq!(Rate(9050).to_string(), "90,5%");
        assert_eq!(Rate::parse("90,5%"), Some(Rate(9050)));
        assert!(serde_json::from_str::<Points>("1.234").is_err());
        assert_eq!(serde_json::to_string(&Points(250)).unwrap(), "2.5");
    }

    #[test]
    fn rates_refuse_a_zero_denominator() {
        assert_eq!(
            Counts {
                numerator: 9,
                denominator: 10
            }
            .rate(),
            Some(Rate(9000))
        );
        assert_eq!(
            Counts {
                numerator: 1,
                denominator: 3
            }
            .rate(),
            Some(Rate(3333))
        );
        assert_eq!(
            Counts {
                numerator: 1,
                denominator: 0
            }
            .rate(),
            None
        );
        assert_eq!(
            Counts {
                numerator: -1,
                denominator: 3
            }
            .rate(),
            None
        );
    }

    #[test]
    fn formulas() {
        let c = Compiled::new(scheme()).unwrap();
        let higher = c.indicator("CT1").unwrap();
        let lower = c.indicator("CT2").unwrap();
        let lin = Formula::Linear {
            zero_at: Rate(7000),
            full_at: Rate(9000),
        };
        assert_eq!(lin.points(p("10"), higher, Rate(8000)), p("5"));
        assert_eq!(lin.points(p("10"), higher, Rate(9500)), p("10"));
        assert_eq!(lin.points(p("10"), higher, Rate(6000)), p("0"));
        let rev = Formula::Linear {
            zero_at: Rate(2000),
            full_at: Rate(0),
        };
        assert_eq!(rev.points(p("10"), lower, Rate(500)), p("7.5"));
        assert_eq!(rev.points(p("10"), lower, Rate(3000)), p("0"));
        let steps = Formula::Steps {
            steps: vec![
                Step {
                    at: Rate(500),
                    points: p("10"),
                },
                Step {
                    at: Rate(1000),
                    points: p("5"),
                },
            ],
        };
        assert_eq!(steps.points(p("10"), lower, Rate(400)), p("10"));
        assert_eq!(steps.points(p("10"), lower, Rate(800)), p("5"));
        assert_eq!(steps.points(p("10"), lower, Rate(1200)), p("0"));
        assert_eq!(Formula::PassFail.points(p("3"), higher, Rate(9000)), p("3"));
        assert_eq!(Formula::PassFail.points(p("3"), higher, Rate(8999)), p("0"));
    }

    #[test]
    fn a_scheme_is_checked_whole() {
        let c = Compiled::new(scheme()).unwrap();
        assert_eq!(c.leaves.len(), 7);
        assert_eq!(c.base_max, p("50"));
        assert_eq!(c.max_total(), p("55"));
        assert_eq!(c.sections[0].2, p("40"));
        assert_eq!(c.rows[0].max, p("40"));
        assert_eq!(c.rows.len(), 9);

        let mut bad = scheme();
        bad.criteria.push(Node::Manual {
            code: "I.1".into(),
            title: String::new(),
            guidance: String::new(),
            max: Points(-1),
            evidence_required: false,
        });
        bad.bands.swap(0, 1);
        bad.tie_breaks.push(TieBreak::Section { code: "IX".into() });
        let DomainError::Invalid(errs) = Compiled::new(bad).unwrap_err() else {
            panic!()
        };
        let keys: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.key.as_str()))
            .collect();
        assert!(
            keys.contains(&("criteria.2.code", "err-score-duplicate-code")),
            "{keys:?}"
        );
        assert!(keys.contains(&("criteria.2.title", "err-required")));
        assert!(keys.contains(&("criteria.2.max", "err-score-range")));
        assert!(keys.contains(&("bands.1.min", "err-score-bands-order")));
        assert!(keys.contains(&("tie_breaks.2.code", "err-score-unknown-code")));

        // A formula outside the safe set does not even parse.
        let mut v = serde_json::to_value(scheme()).unwrap();
        v["criteria"][0]["items"][0]["formula"] =
            serde_json::json!({"kind": "script", "code": "1+1"});
        assert!(serde_json::from_value::<Scheme>(v).is_err());

        let mut unknown = scheme();
        if let Node::Group { items, .. } = &mut unknown.criteria[0] {
            if let Node::Indicator { indicator, .. } = &mut items[0] {
                *indicator = "CT9".into();
            }
        }
        assert!(Compiled::new(unknown).is_err());
    }

    fn input() -> Input {
        let mut i = Input::default();
        i.indicators.insert(
            "CT1".into(),
            Counts {
                numerator: 80,
                denominator: 100,
            },
        );
        i.indicators.insert(
            "CT2".into(),
            Counts {
                numerator: 4,
                denominator: 100,
            },
        );
        i.points.insert("I.3".into(), p("18"));
        i.points.insert("II.1".into(), p("9.5"));
        i.points.insert("II.2".into(), p("4"));
        i.points.insert("II.3".into(), p("3"));
        i.occurrences.insert("II.4".into(), 1);
        i
    }

    #[test]
    fn totals_bonus_cap_deductions_and_band() {
        let c = Compiled::new(scheme()).unwrap();
        let i = input();
        c.validate(&i).unwrap();
        let card = c.card(&c.leaf_points(&i));
        // 5 + 10 + 18 + 9.5 = 42.5 base; bonus 7 capped to 5; deduction 2.
        assert_eq!(card.base, p("42.5"));
        assert_eq!(card.bonus, p("5"));
        assert_eq!(card.deduction, p("2"));
        assert_eq!(card.total, p("45.5"));
        assert_eq!(card.band, Some(0));
        assert_eq!(card.sections, vec![p("33"), p("14.5")]);
        assert!(card.missing.is_empty());

        let empty = c.card(&c.leaf_points(&Input::default()));
        assert_eq!(empty.total, Points::ZERO);
        assert_eq!(empty.band, None);
        assert_eq!(empty.missing.len(), 4);
    }

    #[test]
    fn bad_entries_are_named() {
        let c = Compiled::new(scheme()).unwrap();
        let mut i = input();
        i.points.insert("I.3".into(), p("21"));
        i.points.insert("II.1".into(), p("-1"));
        i.points.insert("I.1".into(), p("1"));
        i.points.insert("X".into(), p("1"));
        i.occurrences.insert("I.3".into(), 1);
        i.indicators.insert(
            "CT1".into(),
            Counts {
                numerator: 1,
                denominator: 0,
            },
        );
        let DomainError::Invalid(errs) = c.validate(&i).unwrap_err() else {
            panic!()
        };
        let keys: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.key.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("points.I.1", "err-score-computed"),
                ("points.I.3", "err-score-above-max"),
                ("points.II.1", "err-score-above-max"),
                ("points.X", "err-score-unknown-code"),
                ("occurrences.I.3", "err-score-not-deduction"),
                ("indicators.CT1", "err-score-zero-denominator"),
            ]
        );
        assert!(c.validate_adjustment("I.3", p("15"), " ").is_err());
        assert!(c.validate_adjustment("I.3", p("25"), "quá điểm").is_err());
        c.validate_adjustment("I.3", p("15"), "Thiếu tài liệu chứng minh")
            .unwrap();
    }

    #[test]
    fn ties_are_broken_by_the_rules_then_by_order() {
        let c = Compiled::new(scheme()).unwrap();
        let mk = |total: i64, s1: i64, ded: i64| Card {
            sections: vec![Points(s1), Points(total - s1)],
            base: Points(total),
            bonus: Points::ZERO,
            deduction: Points(ded),
            total: Points(total),
            band: None,
            missing: vec![],
        };
        let cards = [
            mk(4000, 2000, 0),
            mk(4500, 3000, 0),
            mk(4000, 2500, 0),
            mk(4000, 2000, 200),
            mk(4000, 2000, 0),
        ];
        let refs: Vec<&Card> = cards.iter().collect();
        let r = c.rank(&refs);
        let pos: Vec<usize> = r.iter().map(|x| x.position).collect();
        assert_eq!(pos, vec![3, 1, 2, 5, 4]);
        assert!(r[4].tied && !r[0].tied && !r[3].tied);
    }
}
