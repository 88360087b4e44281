//! Award proposals (đề nghị khen thưởng) at the year's end: the workflow of a proposal, the
//! year-end thresholds and quotas, the council's vote, and the rules a nominee meets or
//! fails (domain.md §2 steps 6–7, §3).
//!
//! Thresholds, quotas and vote rules are data with their legal basis, chosen by the year
//! they apply to, like the eligibility rule sets of `titles`. Figures and where they come
//! from (domain.md):
//! - Sector Emulation Flag: at least 80% of the group's member units acclaim the unit
//!   (Circular 01/2019/TT-VKSTC, the sector's old circular). Circular 02/2024/TT-VKSTC
//!   replaced it from 2024; domain.md gives no new figure, so the 80% is carried over and
//!   marked as such in the basis text.
//! - Excellent Labour Collective: at most 20% of the units rated Advanced Labour Collective,
//!   and at least one (Circular 02/2024/TT-VKSTC, Art. 18). No quota is known for the years
//!   before 2024, so none is applied there.
//! - The council's vote: a quorum of two thirds of its members, approval by 70% of its
//!   members (the figures of issue 6; the council's own regulations may say otherwise, which
//!   is why they are data).
//! - Public consultation: state-level titles (Government Emulation Flag, National Emulation
//!   Fighter) before the council votes.

use serde::{Deserialize, Serialize};

use crate::election::{Fraction, Rule as VoteRule, Threshold};
use crate::titles::{self, History, Severity};
use crate::DomainError;

/// Where a proposal is in its route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    /// Sent back to the proposer with a reason; it may be changed and submitted again.
    Returned,
    /// Checked by the council's standing office and put before the council.
    Accepted,
    /// The public consultation window is open (titles that require it).
    Consultation,
    /// The council is voting.
    Voting,
    /// The council approved it; a decision may now record it.
    Voted,
    /// A decision recorded it: it is in the awards registry.
    Decided,
    Rejected,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Accepted,
        Status::Consultation,
        Status::Voting,
        Status::Voted,
        Status::Decided,
        Status::Rejected,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Accepted => "accepted",
            Status::Consultation => "consultation",
            Status::Voting => "voting",
            Status::Voted => "voted",
            Status::Decided => "decided",
            Status::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Still counts against a quota (not refused, not returned for good).
    pub fn is_live(self) -> bool {
        self != Status::Rejected
    }
    /// The proposer may still change the content.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The nominee's unit (its leader or emulation officer) or a secretariat above it.
    Proposer,
    /// The council's standing office (thường trực Hội đồng).
    Secretariat,
}

/// One step of the workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Submit,
    Return {
        reason: String,
    },
    Accept,
    OpenConsultation,
    OpenVote,
    /// The council's vote was counted: approved or not.
    CloseVote {
        approved: bool,
    },
    Decide,
    Reject {
        reason: String,
    },
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Return { .. } => "return",
            Step::Accept => "accept",
            Step::OpenConsultation => "open_consultation",
            Step::OpenVote => "open_vote",
            Step::CloseVote { .. } => "close_vote",
            Step::Decide => "decide",
            Step::Reject { .. } => "reject",
        }
    }
    /// Who may take this step.
    pub fn by(&self) -> Role {
        match self {
            Step::Submit => Role::Proposer,
            _ => Role::Secretariat,
        }
    }
    pub fn reason(&self) -> Option<&str> {
        match self {
            Step::Return { reason } | Step::Reject { reason } => Some(reason),
            _ => None,
        }
    }
}

/// The longest reason kept for a return or a rejection.
pub const MAX_REASON: usize = 2000;

/// The status after `step` from `from`, taken by `who`; or why not.
pub fn transition(from: Status, step: &Step, who: Role) -> Result<Status, DomainError> {
    use Status::*;
    if step.by() != who {
        return Err(DomainError::Rule("err-prop-not-yours".into()));
    }
    if let Some(r) = step.reason() {
        let n = crate::text::clean(r).chars().count();
        if n == 0 {
            return Err(DomainError::field("reason", "err-required"));
        }
        if n > MAX_REASON {
            return Err(DomainError::field("reason", "err-too-long"));
        }
    }
    let to = match (from, step) {
        (Draft | Returned, Step::Submit) => Submitted,
        (Submitted, Step::Return { .. }) => Returned,
        (Submitted, Step::Accept) => Accepted,
        (Accepted, Step::OpenConsultation) => Consultation,
        (Accepted | Consultation, Step::OpenVote) => Voting,
        (Voting, Step::CloseVote { approved: true }) => Voted,
        (Voting, Step::CloseVote { approved: false }) => Rejected,
        (Voted, Step::Decide) => Decided,
        (Submitted | Accepted | Consultation | Voted, Step::Reject { .. }) => Rejected,
        _ => {
            return Err(DomainError::Rule(match step {
                Step::Decide => "err-prop-not-voted".into(),
                _ => "err-prop-bad-step".into(),
            }))
        }
    };
    Ok(to)
}

/// The kind of commendation (domain.md §3).
pub const KINDS: [&str; 4] = ["yearly", "themed", "sudden", "long_service"];

/// A group's acclaim threshold for a title: share of the group's member units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AcclaimRule {
    pub title: &'static str,
    pub share: Fraction,
    pub basis: &'static str,
}

/// At most `share` of the units holding `of_title` in the year (never fewer than `min`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quota {
    pub title: &'static str,
    pub of_title: &'static str,
    pub share: Fraction,
    pub min: u32,
    pub basis: &'static str,
}

/// The council's vote on a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CouncilRule {
    /// Share of the council's members that must vote ("at least").
    pub quorum: Fraction,
    /// Share of the council's members that must approve ("at least").
    pub approval: Fraction,
    pub basis: &'static str,
}

/// The year-end rules of a range of years.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct YearEndRules {
    pub id: &'static str,
    pub from_year: i32,
    pub to_year: Option<i32>,
    pub acclaim: &'static [AcclaimRule],
    pub quotas: &'static [Quota],
    pub council: CouncilRule,
    /// Titles whose proposals need a public consultation window before the council votes.
    pub consultation: &'static [&'static str],
    /// Shortest consultation window, in days.
    pub consultation_min_days: u32,
}

const EIGHTY: Fraction = Fraction { num: 4, den: 5 };
const TWENTY: Fraction = Fraction { num: 1, den: 5 };
const SEVENTY: Fraction = Fraction { num: 7, den: 10 };

const COUNCIL: CouncilRule = CouncilRule {
    quorum: Fraction::TWO_THIRDS,
    approval: SEVENTY,
    basis: "Quy chế hoạt động của Hội đồng Thi đua – Khen thưởng: họp khi có ít nhất 2/3 thành viên, đề nghị khi ít nhất 70% tổng số thành viên đồng ý",
};

pub const YEAR_END_RULES: &[YearEndRules] = &[
    YearEndRules {
        id: "tt02_2024",
        from_year: 2024,
        to_year: None,
        acclaim: &[AcclaimRule {
            title: "sector_flag",
            share: EIGHTY,
            basis: "Ít nhất 80% thành viên cụm, khối suy tôn (mức của Thông tư 01/2019/TT-VKSTC, giữ theo Thông tư 02/2024/TT-VKSTC)",
        }],
        quotas: &[Quota {
            title: "excellent_labour_collective",
            of_title: "advanced_labour_collective",
            share: TWENTY,
            min: 1,
            basis: "Không quá 20% số tập thể đạt Tập thể lao động tiên tiến, ít nhất 1 (Điều 18 Thông tư 02/2024/TT-VKSTC)",
        }],
        council: COUNCIL,
        consultation: &["government_flag", "national_fighter"],
        consultation_min_days: 5,
    },
    YearEndRules {
        id: "tt01_2019",
        from_year: titles::FIRST_YEAR,
        to_year: Some(2023),
        acclaim: &[AcclaimRule {
            title: "sector_flag",
            share: EIGHTY,
            basis: "Ít nhất 80% thành viên cụm, khối suy tôn (Thông tư 01/2019/TT-VKSTC)",
        }],
        quotas: &[],
        council: COUNCIL,
        consultation: &["government_flag", "national_fighter"],
        consultation_min_days: 5,
    },
];

/// The year-end rules that apply to `year`.
pub fn year_end_rules(year: i32) -> Option<&'static YearEndRules> {
    YEAR_END_RULES
        .iter()
        .find(|s| year >= s.from_year && s.to_year.is_none_or(|to| year <= to))
}

impl YearEndRules {
    pub fn acclaim_for(&self, title: &str) -> Option<&AcclaimRule> {
        self.acclaim.iter().find(|a| a.title == title)
    }
    pub fn quota_for(&self, title: &str) -> Option<&Quota> {
        self.quotas.iter().find(|q| q.title == title)
    }
    pub fn needs_consultation(&self, title: &str) -> bool {
        self.consultation.contains(&title)
    }
    /// The council's vote rule in the election machinery's terms.
    pub fn council_vote_rule(&self) -> VoteRule {
        VoteRule {
            threshold: Threshold::OfMembers {
                share: self.council.approval,
                strict: false,
            },
            quorum: self.council.quorum,
        }
    }
}

impl AcclaimRule {
    /// The group vote's rule: the share of all member units, at least; quorum the same
    /// (nobody can reach 80% of the members with fewer than 80% voting).
    pub fn vote_rule(&self) -> VoteRule {
        VoteRule {
            threshold: Threshold::OfMembers {
                share: self.share,
                strict: false,
            },
            quorum: self.share,
        }
    }
}

impl Quota {
    /// How many of `title` may be given when `base` units hold `of_title`: the share of the
    /// base rounded down, but at least `min` (when there is any base at all, and never more
    /// than the base: the title is chosen among them).
    pub fn allowed(&self, base: u32) -> u32 {
        if base == 0 || !self.share.is_valid() {
            return 0;
        }
        let by_share = u64::from(base) * u64::from(self.share.num) / u64::from(self.share.den);
        let by_share = u32::try_from(by_share).unwrap_or(u32::MAX);
        by_share.max(self.min).min(base)
    }
}

/// The council's vote on one proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilTally {
    pub members: u32,
    pub cast: u32,
    pub yes: u32,
    pub no: u32,
    pub blank: u32,
    pub quorum_needed: u32,
    pub yes_needed: u32,
    /// approved, not_approved, below_quorum
    pub outcome: CouncilOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CouncilOutcome {
    Approved,
    NotApproved,
    BelowQuorum,
}

/// ceil(base * f), exactly.
fn at_least(f: Fraction, base: u32) -> u32 {
    let p = u64::from(base) * u64::from(f.num);
    u32::try_from(p.div_ceil(u64::from(f.den.max(1)))).unwrap_or(u32::MAX)
}

/// Count a council vote. `None` when the ballots outnumber the members or the rule is
/// malformed: nothing partial is ever reported.
pub fn council_tally(
    rule: &CouncilRule,
    members: u32,
    yes: u32,
    no: u32,
    blank: u32,
) -> Option<CouncilTally> {
    if members == 0 || !rule.quorum.is_valid() || !rule.approval.is_valid() {
        return None;
    }
    let cast = yes.checked_add(no)?.checked_add(blank)?;
    if cast > members {
        return None;
    }
    let quorum_needed = at_least(rule.quorum, members).max(1);
    let yes_needed = at_least(rule.approval, members).max(1);
    let outcome = if cast < quorum_needed {
        CouncilOutcome::BelowQuorum
    } else if yes >= yes_needed {
        CouncilOutcome::Approved
    } else {
        CouncilOutcome::NotApproved
    };
    Some(CouncilTally {
        members,
        cast,
        yes,
        no,
        blank,
        quorum_needed,
        yes_needed,
        outcome,
    })
}

/// One eligibility rule as the proposal shows it: met or failed, with its severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    pub rule: String,
    /// refuse or flag
    pub severity: String,
    pub met: bool,
    pub message_vi: String,
    pub message_en: String,
}

fn severity(s: Severity) -> String {
    match s {
        Severity::Refuse => "refuse".into(),
        Severity::Flag => "flag".into(),
    }
}

/// Every rule of the year's rule set that applies to the nomination, met or failed, plus
/// the structural refusals (unknown title, wrong kind, year out of range) that
/// `titles::check` reports.
pub fn evaluate(code: &str, year: i32, individual: bool, h: &History) -> Vec<RuleCheck> {
    let verdict = titles::check(code, year, individual, h);
    let failed: Vec<&titles::Failure> = verdict.refusals.iter().chain(&verdict.flags).collect();
    let mut out: Vec<RuleCheck> = Vec::new();
    let applicable = titles::rule_set(year)
        .map(|s| s.rules)
        .unwrap_or_default()
        .iter()
        .filter(|r| r.title == code || (r.title == "*individual" && individual));
    for r in applicable {
        let f = failed.iter().find(|f| f.rule == r.id);
        out.push(RuleCheck {
            rule: r.id.into(),
            severity: severity(r.severity),
            met: f.is_none(),
            message_vi: r.message_vi.into(),
            message_en: r.message_en.into(),
        });
    }
    // Structural failures are not rules of a set: show them too.
    for f in &failed {
        if !out.iter().any(|c| c.rule == f.rule) {
            out.push(RuleCheck {
                rule: f.rule.clone(),
                severity: severity(f.severity),
                met: false,
                message_vi: f.message_vi.clone(),
                message_en: f.message_en.clone(),
            });
        }
    }
    out
}

/// Does a failed rule refuse the proposal?
pub fn refused(checks: &[RuleCheck]) -> bool {
    checks.iter().any(|c| !c.met && c.severity == "refuse")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_route_and_who_walks_it() {
        use Status::*;
        let s = transition(Draft, &Step::Submit, Role::Proposer).expect("submit");
        assert_eq!(s, Submitted);
        // The proposer cannot accept their own proposal.
        assert!(transition(Submitted, &Step::Accept, Role::Proposer).is_err());
        let back = Step::Return {
            reason: "Thiếu báo cáo".into(),
        };
        assert_eq!(
            transition(Submitted, &back, Role::Secretariat).expect("r"),
            Returned
        );
        let empty = Step::Return {
            reason: "  ".into(),
        };
        assert_eq!(
            transition(Submitted, &empty, Role::Secretariat),
            Err(DomainError::field("reason", "err-required"))
        );
        assert_eq!(
            transition(Returned, &Step::Submit, Role::Proposer).expect("s"),
            Submitted
        );
        assert_eq!(
            transition(Submitted, &Step::Accept, Role::Secretariat).expect("a"),
            Accepted
        );
        assert_eq!(
            transition(Accepted, &Step::OpenConsultation, Role::Secretariat).expect("c"),
            Consultation
        );
        assert_eq!(
            transition(Consultation, &Step::OpenVote, Role::Secretariat).expect("v"),
            Voting
        );
        assert_eq!(
            transition(
                Voting,
                &Step::CloseVote { approved: false },
                Role::Secretariat
            )
            .expect("n"),
            Rejected
        );
        assert_eq!(
            transition(
                Voting,
                &Step::CloseVote { approved: true },
                Role::Secretariat
            )
            .expect("y"),
            Voted
        );
        assert_eq!(
            transition(Voted, &Step::Decide, Role::Secretariat).expect("d"),
            Decided
        );
        // Deciding what was not voted is refused with its own message.
        assert_eq!(
            transition(Accepted, &Step::Decide, Role::Secretariat),
            Err(DomainError::Rule("err-prop-not-voted".into()))
        );
        assert!(transition(Decided, &Step::Submit, Role::Proposer).is_err());
    }

    #[test]
    fn every_status_decides_only_from_voted() {
        for s in Status::ALL {
            let r = transition(s, &Step::Decide, Role::Secretariat);
            assert_eq!(r.is_ok(), s == Status::Voted, "{s:?}");
        }
    }

    #[test]
    fn rules_by_year_with_basis() {
        let r24 = year_end_rules(2024).expect("2024");
        assert_eq!(r24.id, "tt02_2024");
        let q = r24.quota_for("excellent_labour_collective").expect("q");
        assert!(q.basis.contains("02/2024"));
        assert_eq!(q.allowed(6), 1);
        assert_eq!(q.allowed(10), 2);
        assert_eq!(q.allowed(0), 0);
        let r23 = year_end_rules(2023).expect("2023");
        assert!(r23.quota_for("excellent_labour_collective").is_none());
        let a = r23.acclaim_for("sector_flag").expect("a");
        assert!(a.basis.contains("01/2019"));
        assert!(r23.needs_consultation("government_flag"));
        assert!(!r23.needs_consultation("sector_flag"));
        assert!(year_end_rules(2000).is_none());
    }

    #[test]
    fn council_quorum_and_approval() {
        let r = COUNCIL;
        // 9 members: quorum 6, approval ceil(6.3) = 7.
        let t = council_tally(&r, 9, 7, 0, 0).expect("t");
        assert_eq!((t.quorum_needed, t.yes_needed), (6, 7));
        assert_eq!(t.outcome, CouncilOutcome::Approved);
        assert_eq!(
            council_tally(&r, 9, 6, 1, 0).expect("t").outcome,
            CouncilOutcome::NotApproved
        );
        assert_eq!(
            council_tally(&r, 9, 5, 0, 0).expect("t").outcome,
            CouncilOutcome::BelowQuorum
        );
        assert!(council_tally(&r, 3, 2, 2, 0).is_none());
    }

    #[test]
    fn evaluate_shows_met_and_failed() {
        let mut h = History::default();
        h.awards.insert((2022, "grassroots_fighter".into()));
        let c = evaluate("sector_fighter", 2024, true, &h);
        let three = c
            .iter()
            .find(|c| c.rule == "sector_fighter.three_grassroots")
            .expect("rule");
        assert!(!three.met);
        assert!(refused(&c));
        assert!(c
            .iter()
            .any(|c| c.rule == "advanced_worker.no_discipline" && c.met));
        let unit = evaluate("advanced_worker", 2024, false, &h);
        assert!(unit
            .iter()
            .any(|c| c.rule == "title.individual_for_unit" && !c.met));
    }

    proptest! {
        #[test]
        fn quota_never_exceeds_share_except_the_minimum(base in 0u32..10_000) {
            let q = year_end_rules(2024).and_then(|r| r.quota_for("excellent_labour_collective")).copied().expect("q");
            let n = q.allowed(base);
            prop_assert!(n <= base);
            if base > 0 { prop_assert!(n >= 1); }
            // Above the minimum, n/base <= 1/5 exactly.
            if n > 1 { prop_assert!(u64::from(n) * 5 <= u64::from(base)); }
            // And it is the largest such count.
            prop_assert!(u64::from(n + 1) * 5 > u64::from(base) || n + 1 > base);
            // More collectives never allow fewer.
            prop_assert!(q.allowed(base + 1) >= n);
        }

        #[test]
        fn council_tally_is_exact(members in 1u32..200, yes in 0u32..200, no in 0u32..200, blank in 0u32..200) {
            let t = council_tally(&COUNCIL, members, yes, no, blank);
            if yes + no + blank > members {
                prop_assert!(t.is_none());
            } else {
                let t = t.expect("tally");
                prop_assert_eq!(t.cast, yes + no + blank);
                // Integer rules: 3*quorum >= 2*members, 10*yes_needed >= 7*members, both minimal.
                prop_assert!(3 * u64::from(t.quorum_needed) >= 2 * u64::from(members));
                prop_assert!(3 * u64::from(t.quorum_needed - 1) < 2 * u64::from(members) || t.quorum_needed == 1);
                prop_assert!(10 * u64::from(t.yes_needed) >= 7 * u64::from(members));
                prop_assert!(10 * u64::from(t.yes_needed - 1) < 7 * u64::from(members) || t.yes_needed == 1);
                let approved = t.cast >= t.quorum_needed && yes >= t.yes_needed;
                prop_assert_eq!(t.outcome == CouncilOutcome::Approved, approved);
            }
        }
    }
}
