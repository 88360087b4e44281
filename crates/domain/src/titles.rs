//! Emulation titles (danh hiệu thi đua) and who may register for them.
//!
//! The catalogue and the eligibility rules are data: every rule carries a stable id, the
//! legal basis it comes from and its Vietnamese and English messages, and rules are grouped
//! into rule sets chosen by the year they apply to (Law 06/2022/QH15 from 2024, the Law on
//! Emulation and Commendation of 2003 as amended in 2013 for 2014–2023).
//!
//! Assumptions (documented because the sources do not settle them):
//! - The article numbers of the 2013 law are the same as in the 2022 law for these titles
//!   (Art. 21–28); the rule texts name each law separately.
//! - At registration (start of the year) the consecutive titles a fighter title needs must
//!   already be in the awards registry for the years just before the registration year
//!   (year−3..year−1 for three grassroots titles). `ConsecutiveBefore::count` is data, so a
//!   rule set may ask for a different count.
//! - domain.md gives 6 months since recruitment for the Advanced Worker title; the number
//!   is a rule parameter (`RecruitedMonths`), check it against Decree 98/2023 Art. 4.
//! - Rules that can only be judged at year-end (initiative recognised, leading the group,
//!   70% Advanced Workers...) are flags: the registration is accepted and flagged.
//! - The sector's quota rules (at most 20% of units Excellent Labour Collective) apply at the
//!   year-end review, not at registration, and are not checked here.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::records::{DisciplineForm, Rating, Scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleKind {
    Collective,
    Individual,
}

impl TitleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TitleKind::Collective => "collective",
            TitleKind::Individual => "individual",
        }
    }
}

/// One title of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Title {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    pub kind: TitleKind,
    /// state, sector or grassroots
    pub level: &'static str,
    /// The article of the law in force now.
    pub legal_basis: &'static str,
    pub valid_from_year: i32,
    pub valid_to_year: Option<i32>,
}

impl Title {
    pub fn valid_in(&self, year: i32) -> bool {
        year >= self.valid_from_year && self.valid_to_year.is_none_or(|to| year <= to)
    }
    pub fn name(&self, lang_en: bool) -> &'static str {
        if lang_en {
            self.name_en
        } else {
            self.name_vi
        }
    }
}

/// First year the catalogue covers: the 2013 amendment of the law took effect in 2014.
pub const FIRST_YEAR: i32 = 2014;

pub const CATALOGUE: &[Title] = &[
    Title {
        code: "government_flag",
        name_vi: "Cờ thi đua của Chính phủ",
        name_en: "Government Emulation Flag",
        kind: TitleKind::Collective,
        level: "state",
        legal_basis: "Điều 25 Luật Thi đua, khen thưởng 2022",
        valid_from_year: FIRST_YEAR,
        valid_to_year: None,
    },
    Title {
        code: "sector_flag",
        name_vi: "Cờ thi đua của ngành Kiểm sát nhân dân",
        name_en: "Procuracy Sector Emulation Flag",
        kind: TitleKind::Collective,
        level: "sector",
        legal_basis: "Điều 26 Luật Thi đua, khen thưởng 2022",
        valid_from_year: FIRST_YEAR,
        valid_to_year: None,
    },
    Title {
        code: "excellent_labour_collective",
        name_vi: "Tập thể lao động xuất sắc",
        name_en: "Excellent Labour Collective",
        kind: TitleKind::Collective,
        level: "sector",
        legal_basis: "Điều 27 Luật Thi đua, khen thưởng 2022",
        valid_from_year: FIRST_YEAR,
        valid_to_year: None,
    },
    Title {
        code: "advanced_labour_collective",
        name_vi: "Tập thể lao động tiên tiến",
        name_en: "Advanced Labour Collective",
        kind: TitleKind::Collective,
        level: "grassroots",
        legal_basis: "Điều 28 Luật Thi đua, khen thưởng 2022",
        valid_from_year: FIRST_YEAR,
        valid_to_year: None,
    },
    Title {
        code: "national_fighter",
        name_vi: "Chiến sĩ thi đua toàn quốc",
        name_en: "National Emulation Fighter",
        kind: TitleKind::Individual,
        level: "state",
        legal_basis: "Điều 21 Luật Thi đua, khen thưởng 2022",
        valid_from_year: FIRST_YEAR,
        valid_to_year: None,
    },
    Title {
        code: "sector_fighter",
        name_vi: "Chiến sĩ thi đua ngành Kiểm sát nhân dân",
        name_en: "Sector Emulation Fighter",
        kind: TitleKind::Individual,
        level: "sector",
        legal_basis: "Điều 22 Luật Thi đua, khen thưởng 2022",
        valid_from_year: FIRST_YEAR,
        valid_to_year: None,
    },
    Title {
        code: "grassroots_fighter",
        name_vi: "Chiến sĩ thi đua cơ sở",
        name_en: "Grassroots Emulation Fighter",
        kind: TitleKind::Individual,
        level: "grassroots",
        legal_basis: "Điều 23 Luật Thi đua, khen thưởng 2022",
        valid_from_year: FIRST_YEAR,
        valid_to_year: None,
    },
    Title {
        code: "advanced_worker",
        name_vi: "Lao động tiên tiến",
        name_en: "Advanced Worker",
        kind: TitleKind::Individual,
        level: "grassroots",
        legal_basis: "Điều 24 Luật Thi đua, khen thưởng 2022",
        valid_from_year: FIRST_YEAR,
        valid_to_year: None,
    },
];

pub fn title(code: &str) -> Option<&'static Title> {
    CATALOGUE.iter().find(|t| t.code == code)
}

/// A hard rule refuses the registration; a flag accepts it and asks for evidence later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Refuse,
    Flag,
}

/// What a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// `count` consecutive awards of `title` in the years just before the registration year.
    ConsecutiveBefore { title: &'static str, count: i32 },
    /// Recruited at least `months` months before the end of the year.
    RecruitedMonths { months: u32 },
    /// No discipline at `min_form` or above in the year.
    NoDiscipline { min_form: DisciplineForm },
    /// An initiative (sáng kiến) of at least `min_scope` recognised in the year.
    InitiativeRecognised { min_scope: Scope },
    /// When the year's rating is known, it is at least `min`.
    MinRating { min: Rating },
    /// Judged only at year-end: always flagged at registration.
    YearEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub check: Check,
    pub message_vi: &'static str,
    pub message_en: &'static str,
}

/// Rules valid for a range of years, with the law they come from.
#[derive(Debug, Clone, Copy)]
pub struct RuleSet {
    pub id: &'static str,
    pub basis: &'static str,
    pub from_year: i32,
    pub to_year: Option<i32>,
    pub rules: &'static [Rule],
}

const fn rule(
    id: &'static str,
    title: &'static str,
    severity: Severity,
    check: Check,
    message_vi: &'static str,
    message_en: &'static str,
) -> Rule {
    Rule {
        id,
        title,
        severity,
        check,
        message_vi,
        message_en,
    }
}

use Check::*;
use Severity::*;

const LAW_2022: &[Rule] = &[
    rule("national_fighter.two_sector_fighter", "national_fighter", Refuse, ConsecutiveBefore { title: "sector_fighter", count: 2 },
        "Chiến sĩ thi đua toàn quốc cần 2 lần liên tục Chiến sĩ thi đua cấp bộ, ngành (Điều 21 Luật TĐKT 2022)",
        "National Emulation Fighter needs two consecutive Sector Emulation Fighter titles (Art. 21, Law 2022)"),
    rule("national_fighter.initiative", "national_fighter", Flag, InitiativeRecognised { min_scope: Scope::National },
        "Chiến sĩ thi đua toàn quốc cần sáng kiến có phạm vi ảnh hưởng toàn quốc được công nhận (Điều 21 Luật TĐKT 2022)",
        "National Emulation Fighter needs a recognised initiative with nationwide effect (Art. 21, Law 2022)"),
    rule("sector_fighter.three_grassroots", "sector_fighter", Refuse, ConsecutiveBefore { title: "grassroots_fighter", count: 3 },
        "Chiến sĩ thi đua ngành cần 3 lần liên tục Chiến sĩ thi đua cơ sở (Điều 22 Luật TĐKT 2022)",
        "Sector Emulation Fighter needs three consecutive Grassroots Emulation Fighter titles (Art. 22, Law 2022)"),
    rule("sector_fighter.initiative", "sector_fighter", Flag, InitiativeRecognised { min_scope: Scope::Sector },
        "Chiến sĩ thi đua ngành cần sáng kiến có phạm vi ảnh hưởng trong ngành được công nhận (Điều 22 Luật TĐKT 2022)",
        "Sector Emulation Fighter needs a recognised initiative with sector-wide effect (Art. 22, Law 2022)"),
    rule("grassroots_fighter.initiative", "grassroots_fighter", Flag, InitiativeRecognised { min_scope: Scope::Unit },
        "Chiến sĩ thi đua cơ sở cần sáng kiến hoặc đề tài nghiên cứu được công nhận (Điều 23 Luật TĐKT 2022)",
        "Grassroots Emulation Fighter needs a recognised initiative or research (Art. 23, Law 2022)"),
    rule("advanced_worker.recruited_6_months", "*individual", Refuse, RecruitedMonths { months: 6 },
        "Không xét Lao động tiên tiến cho người mới tuyển dụng dưới 6 tháng (Điều 24 Luật TĐKT 2022)",
        "No Advanced Worker title for staff recruited less than 6 months before (Art. 24, Law 2022)"),
    rule("advanced_worker.no_discipline", "*individual", Refuse, NoDiscipline { min_form: DisciplineForm::Reprimand },
        "Không xét danh hiệu cho người bị kỷ luật từ khiển trách trở lên trong năm (Điều 24 Luật TĐKT 2022)",
        "No title for staff disciplined at reprimand or above in the year (Art. 24, Law 2022)"),
    rule("advanced_worker.rating", "*individual", Refuse, MinRating { min: Rating::Good },
        "Lao động tiên tiến cần xếp loại hoàn thành tốt nhiệm vụ trở lên trong năm (Điều 24 Luật TĐKT 2022)",
        "Advanced Worker needs a rating of at least \"completed tasks well\" in the year (Art. 24, Law 2022)"),
    rule("government_flag.leads_group", "government_flag", Flag, YearEnd,
        "Cờ thi đua của Chính phủ xét cho tập thể dẫn đầu cụm, khối thi đua: cần kết quả bình xét cuối năm (Điều 25 Luật TĐKT 2022)",
        "Government Emulation Flag goes to collectives leading their cluster or block: needs the year-end review (Art. 25, Law 2022)"),
    rule("sector_flag.excellent_collective", "sector_flag", Flag, YearEnd,
        "Cờ thi đua của ngành chọn trong số Tập thể lao động xuất sắc, qua so sánh trong cụm, khối (Điều 26 Luật TĐKT 2022)",
        "The Sector Flag is chosen among Excellent Labour Collectives by comparison within the group (Art. 26, Law 2022)"),
    rule("excellent_labour_collective.members", "excellent_labour_collective", Flag, YearEnd,
        "Tập thể lao động xuất sắc cần 100% hoàn thành nhiệm vụ, ít nhất 70% Lao động tiên tiến và 1 Chiến sĩ thi đua cơ sở (Điều 27 Luật TĐKT 2022)",
        "Excellent Labour Collective needs all members completing their tasks, at least 70% Advanced Workers and one Grassroots Emulation Fighter (Art. 27, Law 2022)"),
];

const LAW_2013: &[Rule] = &[
    rule("national_fighter.two_sector_fighter", "national_fighter", Refuse, ConsecutiveBefore { title: "sector_fighter", count: 2 },
        "Chiến sĩ thi đua toàn quốc cần 2 lần liên tục Chiến sĩ thi đua cấp bộ, ngành (Điều 21 Luật TĐKT 2003, sửa đổi 2013)",
        "National Emulation Fighter needs two consecutive Sector Emulation Fighter titles (Art. 21, Law 2003 amended 2013)"),
    rule("national_fighter.initiative", "national_fighter", Flag, InitiativeRecognised { min_scope: Scope::National },
        "Chiến sĩ thi đua toàn quốc cần sáng kiến có phạm vi ảnh hưởng toàn quốc (Điều 21 Luật TĐKT 2003, sửa đổi 2013)",
        "National Emulation Fighter needs an initiative with nationwide effect (Art. 21, Law 2003 amended 2013)"),
    rule("sector_fighter.three_grassroots", "sector_fighter", Refuse, ConsecutiveBefore { title: "grassroots_fighter", count: 3 },
        "Chiến sĩ thi đua ngành cần 3 lần liên tục Chiến sĩ thi đua cơ sở (Điều 22 Luật TĐKT 2003, sửa đổi 2013)",
        "Sector Emulation Fighter needs three consecutive Grassroots Emulation Fighter titles (Art. 22, Law 2003 amended 2013)"),
    rule("sector_fighter.initiative", "sector_fighter", Flag, InitiativeRecognised { min_scope: Scope::Sector },
        "Chiến sĩ thi đua ngành cần sáng kiến có tác dụng ảnh hưởng trong ngành (Điều 22 Luật TĐKT 2003, sửa đổi 2013)",
        "Sector Emulation Fighter needs an initiative with sector-wide effect (Art. 22, Law 2003 amended 2013)"),
    rule("grassroots_fighter.initiative", "grassroots_fighter", Flag, InitiativeRecognised { min_scope: Scope::Unit },
        "Chiến sĩ thi đua cơ sở cần sáng kiến được công nhận (Điều 23 Luật TĐKT 2003, sửa đổi 2013)",
        "Grassroots Emulation Fighter needs a recognised initiative (Art. 23, Law 2003 amended 2013)"),
    rule("advanced_worker.recruited_6_months", "*individual", Refuse, RecruitedMonths { months: 6 },
        "Không xét Lao động tiên tiến cho người mới tuyển dụng dưới 6 tháng (Điều 24 Luật TĐKT 2003, sửa đổi 2013)",
        "No Advanced Worker title for staff recruited less than 6 months before (Art. 24, Law 2003 amended 2013)"),
    rule("advanced_worker.no_discipline", "*individual", Refuse, NoDiscipline { min_form: DisciplineForm::Reprimand },
        "Không xét danh hiệu cho người bị kỷ luật từ khiển trách trở lên trong năm (Điều 24 Luật TĐKT 2003, sửa đổi 2013)",
        "No title for staff disciplined at reprimand or above in the year (Art. 24, Law 2003 amended 2013)"),
    rule("advanced_worker.rating", "*individual", Refuse, MinRating { min: Rating::Good },
        "Lao động tiên tiến cần hoàn thành tốt nhiệm vụ trong năm (Điều 24 Luật TĐKT 2003, sửa đổi 2013)",
        "Advanced Worker needs to complete the year's tasks well (Art. 24, Law 2003 amended 2013)"),
    rule("government_flag.outstanding", "government_flag", Flag, YearEnd,
        "Cờ thi đua của Chính phủ xét cho tập thể tiêu biểu xuất sắc, hoàn thành vượt mức chỉ tiêu: cần kết quả cuối năm (Điều 25 Luật TĐKT 2003, sửa đổi 2013)",
        "Government Emulation Flag goes to outstanding collectives exceeding their targets: needs the year-end results (Art. 25, Law 2003 amended 2013)"),
    rule("sector_flag.excellent_collective", "sector_flag", Flag, YearEnd,
        "Cờ thi đua của ngành xét cho tập thể tiêu biểu, dẫn đầu phong trào thi đua (Điều 26 Luật TĐKT 2003, sửa đổi 2013)",
        "The Sector Flag goes to exemplary collectives leading the movement (Art. 26, Law 2003 amended 2013)"),
    rule("excellent_labour_collective.members", "excellent_labour_collective", Flag, YearEnd,
        "Tập thể lao động xuất sắc cần 100% hoàn thành nhiệm vụ, ít nhất 70% Lao động tiên tiến và 1 Chiến sĩ thi đua cơ sở (Điều 27 Luật TĐKT 2003, sửa đổi 2013)",
        "Excellent Labour Collective needs all members completing their tasks, at least 70% Advanced Workers and one Grassroots Emulation Fighter (Art. 27, Law 2003 amended 2013)"),
];

pub const RULE_SETS: &[RuleSet] = &[
    RuleSet {
        id: "law_2022",
        basis: "Luật Thi đua, khen thưởng số 06/2022/QH15",
        from_year: 2024,
        to_year: None,
        rules: LAW_2022,
    },
    RuleSet {
        id: "law_2013",
        basis: "Luật Thi đua, khen thưởng 2003, sửa đổi, bổ sung 2013 (Luật số 39/2013/QH13)",
        from_year: FIRST_YEAR,
        to_year: Some(2023),
        rules: LAW_2013,
    },
];

/// The rule set that applies to `year`.
pub fn rule_set(year: i32) -> Option<&'static RuleSet> {
    RULE_SETS
        .iter()
        .find(|s| year >= s.from_year && s.to_year.is_none_or(|to| year <= to))
}

/// What is known about the nominee when registering.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// (year, title code) of every award in the registry.
    pub awards: BTreeSet<(i32, String)>,
    /// Recruitment date (individuals).
    pub recruited_on: Option<NaiveDate>,
    /// The heaviest discipline in force in each year.
    pub disciplines: BTreeMap<i32, DisciplineForm>,
    /// The widest scope of a recognised initiative of each year.
    pub initiatives: BTreeMap<i32, Scope>,
    /// The performance rating of each year that has one.
    pub ratings: BTreeMap<i32, Rating>,
}

impl History {
    /// Record a discipline in force in `year`, keeping the heaviest.
    pub fn add_discipline(&mut self, year: i32, form: DisciplineForm) {
        let e = self.disciplines.entry(year).or_insert(form);
        *e = (*e).max(form);
    }
    /// Record an initiative recognised for `year`, keeping the widest scope.
    pub fn add_initiative(&mut self, year: i32, scope: Scope) {
        let e = self.initiatives.entry(year).or_insert(scope);
        *e = (*e).max(scope);
    }
}

/// One failing rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub rule: String,
    pub severity: Severity,
    pub message_vi: String,
    pub message_en: String,
}

impl Failure {
    fn structural(rule: &str, vi: &str, en: &str) -> Failure {
        Failure {
            rule: rule.to_owned(),
            severity: Severity::Refuse,
            message_vi: vi.to_owned(),
            message_en: en.to_owned(),
        }
    }
    fn of(r: &Rule) -> Failure {
        Failure {
            rule: r.id.to_owned(),
            severity: r.severity,
            message_vi: r.message_vi.to_owned(),
            message_en: r.message_en.to_owned(),
        }
    }
}

/// The outcome of checking one registration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub refusals: Vec<Failure>,
    pub flags: Vec<Failure>,
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// Whole months from `from` to `to` (0 when `to` is earlier).
fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return 0;
    }
    let m = (to.year() - from.year()) as i64 * 12 + to.month() as i64 - from.month() as i64;
    if to.day() < from.day() {
        m - 1
    } else {
        m
    }
}

fn rule_fails(r: &Rule, year: i32, h: &History) -> bool {
    match r.check {
        ConsecutiveBefore { title, count } => {
            !(1..=count).all(|k| h.awards.contains(&(year - k, title.to_owned())))
        }
        RecruitedMonths { months } => match (h.recruited_on, NaiveDate::from_ymd_opt(year, 12, 31))
        {
            (Some(r), Some(end)) => months_between(r, end) < i64::from(months),
            _ => false,
        },
        NoDiscipline { min_form } => h.disciplines.get(&year).is_some_and(|f| *f >= min_form),
        InitiativeRecognised { min_scope } => {
            h.initiatives.get(&year).is_none_or(|s| *s < min_scope)
        }
        // The year's rating is known only at its end: no rating yet is no refusal.
        MinRating { min } => h.ratings.get(&year).is_some_and(|r| *r < min),
        YearEnd => true,
    }
}

/// Check a registration of `code` for `year`: for a person when `individual`, else for the
/// unit. Pure: the caller gathers the history from the awards registry.
pub fn check(code: &str, year: i32, individual: bool, h: &History) -> Verdict {
    let mut v = Verdict::default();
    let Some(t) = title(code) else {
        v.refusals.push(Failure::structural(
            "title.unknown",
            "Danh hiệu không có trong danh mục",
            "The title is not in the catalogue",
        ));
        return v;
    };
    match (t.kind, individual) {
        (TitleKind::Collective, true) => v.refusals.push(Failure::structural(
            "title.collective_for_person",
            "Danh hiệu tập thể không đăng ký cho cá nhân",
            "A collective title cannot be registered for a person",
        )),
        (TitleKind::Individual, false) => v.refusals.push(Failure::structural(
            "title.individual_for_unit",
            "Danh hiệu cá nhân không đăng ký cho tập thể",
            "An individual title cannot be registered for a unit",
        )),
        _ => {}
    }
    let set = rule_set(year);
    if !t.valid_in(year) || set.is_none() {
        v.refusals.push(Failure::structural(
            "title.not_valid_in_year",
            "Danh hiệu không áp dụng cho năm này theo quy định hiện hành",
            "The title does not apply to this year under the rules in force",
        ));
    }
    if !v.refusals.is_empty() {
        return v;
    }
    for r in set.map(|s| s.rules).unwrap_or_default() {
        let applies = r.title == t.code || (r.title == "*individual" && individual);
        if applies && rule_fails(r, year, h) {
            match r.severity {
                Severity::Refuse => v.refusals.push(Failure::of(r)),
                Severity::Flag => v.flags.push(Failure::of(r)),
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_awards(a: &[(i32, &str)]) -> History {
        History {
            awards: a.iter().map(|(y, t)| (*y, (*t).to_owned())).collect(),
            ..History::default()
        }
    }

    fn ids(f: &[Failure]) -> Vec<&str> {
        f.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn catalogue_codes_are_unique_and_rules_name_known_titles() {
        let codes: BTreeSet<_> = CATALOGUE.iter().map(|t| t.code).collect();
        assert_eq!(codes.len(), CATALOGUE.len());
        for s in RULE_SETS {
            for r in s.rules {
                assert!(
                    r.title == "*individual" || codes.contains(r.title),
                    "{}",
                    r.id
                );
                assert!(r.id.contains('.'));
                if let ConsecutiveBefore { title, .. } = r.check {
                    assert!(codes.contains(title));
                }
            }
        }
    }

    #[test]
    fn rule_set_by_year() {
        assert_eq!(rule_set(2024).map(|s| s.id), Some("law_2022"));
        assert_eq!(rule_set(2030).map(|s| s.id), Some("law_2022"));
        assert_eq!(rule_set(2022).map(|s| s.id), Some("law_2013"));
        assert_eq!(rule_set(2023).map(|s| s.id), Some("law_2013"));
        assert!(rule_set(2010).is_none());
    }

    #[test]
    fn sector_fighter_needs_three_consecutive_grassroots() {
        let two = with_awards(&[(2022, "grassroots_fighter"), (2023, "grassroots_fighter")]);
        let v = check("sector_fighter", 2024, true, &two);
        assert_eq!(ids(&v.refusals), ["sector_fighter.three_grassroots"]);
        assert!(v.refusals[0].message_vi.contains("Điều 22"));
        let three = with_awards(&[
            (2021, "grassroots_fighter"),
            (2022, "grassroots_fighter"),
            (2023, "grassroots_fighter"),
        ]);
        let v = check("sector_fighter", 2024, true, &three);
        assert!(v.accepted());
        assert_eq!(ids(&v.flags), ["sector_fighter.initiative"]);
        // A gap breaks the run.
        let gap = with_awards(&[
            (2020, "grassroots_fighter"),
            (2022, "grassroots_fighter"),
            (2023, "grassroots_fighter"),
        ]);
        assert!(!check("sector_fighter", 2024, true, &gap).accepted());
    }

    #[test]
    fn kind_mismatch_and_validity_refuse() {
        let h = History::default();
        assert_eq!(
            ids(&check("government_flag", 2024, true, &h).refusals),
            ["title.collective_for_person"]
        );
        assert_eq!(
            ids(&check("advanced_worker", 2024, false, &h).refusals),
            ["title.individual_for_unit"]
        );
        assert_eq!(
            ids(&check("sector_flag", 2010, false, &h).refusals),
            ["title.not_valid_in_year"]
        );
        assert_eq!(
            ids(&check("nope", 2024, false, &h).refusals),
            ["title.unknown"]
        );
    }

    #[test]
    fn collective_flags_are_accepted() {
        let v = check("government_flag", 2024, false, &History::default());
        assert!(v.accepted());
        assert_eq!(ids(&v.flags), ["government_flag.leads_group"]);
        let v = check("government_flag", 2022, false, &History::default());
        assert_eq!(ids(&v.flags), ["government_flag.outstanding"]);
        assert!(check(
            "advanced_labour_collective",
            2022,
            false,
            &History::default()
        )
        .flags
        .is_empty());
    }

    #[test]
    fn recruitment_and_discipline() {
        let mut h = History {
            recruited_on: NaiveDate::from_ymd_opt(2024, 9, 1),
            ..History::default()
        };
        assert_eq!(
            ids(&check("advanced_worker", 2024, true, &h).refusals),
            ["advanced_worker.recruited_6_months"]
        );
        h.recruited_on = NaiveDate::from_ymd_opt(2024, 6, 30);
        assert!(check("advanced_worker", 2024, true, &h).accepted());
        h.add_discipline(2024, DisciplineForm::Reprimand);
        assert_eq!(
            ids(&check("grassroots_fighter", 2024, true, &h).refusals),
            ["advanced_worker.no_discipline"]
        );
        // A discipline of another year does not count.
        h.disciplines.clear();
        h.add_discipline(2023, DisciplineForm::Dismissal);
        h.add_initiative(2024, Scope::Unit);
        let v = check("grassroots_fighter", 2024, true, &h);
        assert!(v.accepted() && v.flags.is_empty());
    }

    #[test]
    fn initiative_scope_must_match_the_title() {
        let mut h = with_awards(&[
            (2021, "grassroots_fighter"),
            (2022, "grassroots_fighter"),
            (2023, "grassroots_fighter"),
        ]);
        h.add_initiative(2024, Scope::Unit);
        // A unit-scope initiative is enough for grassroots, not for the sector fighter.
        assert!(check("grassroots_fighter", 2024, true, &h).flags.is_empty());
        assert_eq!(
            ids(&check("sector_fighter", 2024, true, &h).flags),
            ["sector_fighter.initiative"]
        );
        h.add_initiative(2024, Scope::Sector);
        assert_eq!(h.initiatives[&2024], Scope::Sector);
        assert!(check("sector_fighter", 2024, true, &h).flags.is_empty());
        // Adding a narrower one later keeps the widest.
        h.add_initiative(2024, Scope::Unit);
        assert!(check("sector_fighter", 2024, true, &h).flags.is_empty());
        // The national fighter needs nationwide effect.
        let mut n = with_awards(&[(2022, "sector_fighter"), (2023, "sector_fighter")]);
        n.add_initiative(2024, Scope::Sector);
        assert_eq!(
            ids(&check("national_fighter", 2024, true, &n).flags),
            ["national_fighter.initiative"]
        );
        n.add_initiative(2024, Scope::National);
        assert!(check("national_fighter", 2024, true, &n).flags.is_empty());
    }

    #[test]
    fn the_years_rating_refuses_below_good() {
        let mut h = History::default();
        assert!(check("advanced_worker", 2024, true, &h).accepted());
        h.ratings.insert(2024, Rating::NotCompleted);
        for code in ["advanced_worker", "grassroots_fighter", "sector_fighter"] {
            assert!(
                ids(&check(code, 2024, true, &h).refusals).contains(&"advanced_worker.rating"),
                "{code}"
            );
        }
        h.ratings.insert(2024, Rating::Completed);
        assert!(!check("advanced_worker", 2024, true, &h).accepted());
        h.ratings.insert(2024, Rating::Good);
        assert!(check("advanced_worker", 2024, true, &h).accepted());
        // Another year's rating does not count; collectives are not rated this way.
        h.ratings.insert(2024, Rating::Excellent);
        h.ratings.insert(2023, Rating::NotCompleted);
        assert!(check("advanced_worker", 2024, true, &h).accepted());
        assert!(check("advanced_labour_collective", 2023, false, &h).accepted());
    }

    proptest! {
        /// Sector fighter is refused exactly when one of the three years before is missing.
        #[test]
        fn three_grassroots_iff(year in 2015i32..2040, held in proptest::collection::btree_set(2005i32..2040, 0..12)) {
            let h = History {
                awards: held.iter().map(|y| (*y, "grassroots_fighter".to_owned())).collect(),
                ..History::default()
            };
            let v = check("sector_fighter", year, true, &h);
            let ok = (1..=3).all(|k| held.contains(&(year - k)));
            prop_assert_eq!(v.accepted(), ok);
        }

        /// Every failure names a rule of the year's set (or a structural rule), and flags
        /// never refuse.
        #[test]
        fn initiative_flag_iff_scope_too_narrow(i in 0usize..3, code_i in 0usize..3, year in 2015i32..2040) {
            let codes = ["grassroots_fighter", "sector_fighter", "national_fighter"];
            let needs = [Scope::Unit, Scope::Sector, Scope::National];
            let mut h = History::default();
            for k in 1..=3 {
                h.awards.insert((year - k, "grassroots_fighter".to_owned()));
                h.awards.insert((year - k, "sector_fighter".to_owned()));
            }
            h.add_initiative(year, Scope::ALL[i]);
            let v = check(codes[code_i], year, true, &h);
            prop_assert!(v.accepted());
            prop_assert_eq!(v.flags.is_empty(), Scope::ALL[i] >= needs[code_i]);
        }

        /// The individual titles are refused exactly when the year's rating is below good.
        #[test]
        fn rating_refuses_iff_below_good(i in 0usize..4, year in 2015i32..2040) {
            let mut h = History::default();
            h.ratings.insert(year, Rating::ALL[i]);
            let v = check("advanced_worker", year, true, &h);
            prop_assert_eq!(v.accepted(), Rating::ALL[i] >= Rating::Good);
        }

        #[test]
        fn failures_are_known_rules(idx in 0usize..8, year in 2010i32..2035, individual: bool) {
            let t = CATALOGUE[idx];
            let v = check(t.code, year, individual, &History::default());
            for f in v.refusals.iter().chain(v.flags.iter()) {
                let known = f.rule.starts_with("title.")
                    || RULE_SETS.iter().any(|s| s.rules.iter().any(|r| r.id == f.rule));
                prop_assert!(known, "{}", f.rule);
            }
            prop_assert!(v.flags.iter().all(|f| f.severity == Severity::Flag));
        }
    }
}
