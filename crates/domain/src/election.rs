//! The tally of a vote in a group (cluster or block) or a council: electing the head or
//! deputy unit, and later any other decision taken by vote (domain.md §1 "Head and deputy").
//!
//! The rules (quorum, threshold) are data, because they change with the year and the legal
//! basis; `Rule::default()` is the usual practice. Every comparison is done with integers so
//! that a tally can be recomputed by anyone and gives the same answer everywhere (§4).

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// How the votes were collected. The tally does not depend on it; it decides what is stored
/// and shown (names for an open vote, receipts only for a secret one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Each member's choice is recorded by name.
    Open,
    /// Only anonymous receipts are published next to the choices.
    Secret,
    /// A show of hands, counted and typed in by the host.
    Counted,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Open, Method::Secret, Method::Counted];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Open => "open",
            Method::Secret => "secret",
            Method::Counted => "counted",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// A fraction `num/den` between 0 and 1, compared exactly with integers: "two thirds" must
/// not become 0.6666… and flip a result at the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawFraction")]
pub struct Fraction {
    pub num: u32,
    pub den: u32,
}

/// What the wire carries before it is checked, so a stored rule with `den = 0` is refused
/// when it is read rather than when a vote is counted.
#[derive(Deserialize)]
struct RawFraction {
    num: u32,
    den: u32,
}

impl TryFrom<RawFraction> for Fraction {
    type Error = String;

    fn try_from(r: RawFraction) -> Result<Self, Self::Error> {
        Fraction::new(r.num, r.den).ok_or_else(|| {
            format!(
                "invalid fraction {}/{}: need 0 < den and num <= den",
                r.num, r.den
            )
        })
    }
}

impl Fraction {
    pub const HALF: Fraction = Fraction { num: 1, den: 2 };
    pub const TWO_THIRDS: Fraction = Fraction { num: 2, den: 3 };

    /// `None` for a zero denominator or a share above 1: a quorum or threshold above all
    /// members could never be met, and refusing it also keeps every bound within `u32`.
    pub fn new(num: u32, den: u32) -> Option<Fraction> {
        (den > 0 && num <= den).then_some(Fraction { num, den })
    }

    /// The fields are public, so a value may bypass `new`; the tally checks again.
    pub fn is_valid(self) -> bool {
        self.den > 0 && self.num <= self.den
    }

    /// Smallest integer `v` with `v/base >= self`, i.e. `ceil(base*num/den)`.
    /// Only called on valid fractions, so the result is at most `base`.
    fn at_least_of(self, base: u32) -> u32 {
        let p = u64::from(base) * u64::from(self.num);
        let d = u64::from(self.den);
        // `p.div_ceil(d) <= base` because num <= den, so the conversion cannot fail.
        u32::try_from(p.div_ceil(d)).unwrap_or(u32::MAX)
    }

    /// Smallest integer `v` with `v/base > self`, i.e. `floor(base*num/den) + 1`.
    /// May be `base + 1` (share 1, strict): such a threshold is simply unreachable.
    fn more_than_of(self, base: u32) -> u32 {
        let p = u64::from(base) * u64::from(self.num);
        let d = u64::from(self.den);
        u32::try_from(p / d + 1).unwrap_or(u32::MAX)
    }
}

/// What a candidate must reach to be elected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "base", rename_all = "snake_case")]
pub enum Threshold {
    /// A `share` of all member units, whether or not they voted (default: more than 1/2,
    /// the absolute majority of members). `strict`: "more than", otherwise "at least".
    OfMembers { share: Fraction, strict: bool },
    /// A `share` of the ballots cast; blank ballots count as cast, so abstaining in the room
    /// weighs against every candidate. `strict`: "more than", otherwise "at least".
    OfVotesCast { share: Fraction, strict: bool },
}

impl Threshold {
    fn share(self) -> Fraction {
        match self {
            Threshold::OfMembers { share, .. } | Threshold::OfVotesCast { share, .. } => share,
        }
    }

    /// Votes a candidate needs, never less than 1: a candidate nobody voted for is not
    /// elected even under a zero threshold.
    fn votes_needed(self, members: u32, cast: u32) -> u32 {
        let (share, strict, base) = match self {
            Threshold::OfMembers { share, strict } => (share, strict, members),
            Threshold::OfVotesCast { share, strict } => (share, strict, cast),
        };
        let v = if strict {
            share.more_than_of(base)
        } else {
            share.at_least_of(base)
        };
        v.max(1)
    }
}

/// The rule of one vote: how many must take part, and how many must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub threshold: Threshold,
    /// Share of member units that must cast a ballot ("at least").
    pub quorum: Fraction,
}

impl Default for Rule {
    /// Current practice: an absolute majority of the member units, with at least two thirds
    /// of them taking part.
    fn default() -> Self {
        Rule {
            threshold: Threshold::OfMembers {
                share: Fraction::HALF,
                strict: true,
            },
            quorum: Fraction::TWO_THIRDS,
        }
    }
}

/// One ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "candidate", rename_all = "snake_case")]
pub enum Choice {
    For(String),
    Blank,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateCount {
    pub candidate: String,
    pub votes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Elected {
        candidate: String,
        votes: u32,
    },
    /// Quorum not reached: `needed` more ballots are missing.
    BelowQuorum {
        cast: u32,
        required: u32,
        needed: u32,
    },
    /// The leaders are tied: a new round among exactly these candidates.
    Tie {
        candidates: Vec<String>,
    },
    /// Nobody reached the threshold and the top is not tied: a runoff between the first and
    /// everyone tied for second place. When every ballot was blank, all candidates.
    NoMajority {
        runoff: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub members: u32,
    /// Ballots cast, blank ones included.
    pub cast: u32,
    pub blank: u32,
    pub required_for_quorum: u32,
    pub votes_needed_to_win: u32,
    /// Every candidate, even with 0 votes, by votes descending then in the order given.
    pub counts: Vec<CandidateCount>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TallyError {
    #[error("no candidates")]
    NoCandidates,
    #[error("vote for unknown candidate {0}")]
    UnknownCandidate(String),
    #[error("more ballots ({cast}) than members ({members})")]
    TooManyBallots { cast: u32, members: u32 },
    #[error("duplicate candidate {0}")]
    DuplicateCandidate(String),
    #[error("no members")]
    NoMembers,
    /// A rule built field by field (bypassing `Fraction::new`) with `den = 0` or a share
    /// above 1; refused rather than dividing by zero or overflowing.
    #[error("invalid fraction {num}/{den} in the rule")]
    InvalidFraction { num: u32, den: u32 },
}

/// Count the ballots of one vote among `members` member units and apply `rule`.
///
/// Errors are reported before any counting, so a malformed vote never yields a partial
/// result. Below quorum the counts are still computed, to show how the room voted.
pub fn tally(
    rule: &Rule,
    members: u32,
    candidates: &[String],
    ballots: &[Choice],
) -> Result<Tally, TallyError> {
    if members == 0 {
        return Err(TallyError::NoMembers);
    }
    if candidates.is_empty() {
        return Err(TallyError::NoCandidates);
    }
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(candidates.len());
    for (i, c) in candidates.iter().enumerate() {
        if index.insert(c.as_str(), i).is_some() {
            return Err(TallyError::DuplicateCandidate(c.clone()));
        }
    }
    for f in [rule.quorum, rule.threshold.share()] {
        if !f.is_valid() {
            return Err(TallyError::InvalidFraction {
                num: f.num,
                den: f.den,
            });
        }
    }
    // `members` is a u32, so any length that does not fit in u32 is already too many.
    let cast = match u32::try_from(ballots.len()) {
        Ok(n) if n <= members => n,
        Ok(n) => return Err(TallyError::TooManyBallots { cast: n, members }),
        Err(_) => {
            return Err(TallyError::TooManyBallots {
                cast: u32::MAX,
                members,
            })
        }
    };

    let mut votes = vec![0u32; candidates.len()];
    let mut blank = 0u32;
    for b in ballots {
        match b {
            Choice::Blank => blank += 1,
            Choice::For(c) => match index.get(c.as_str()) {
                Some(&i) => votes[i] += 1,
                None => return Err(TallyError::UnknownCandidate(c.clone())),
            },
        }
    }

    // Stable sort keeps the given order among equal counts: ties are shown the way the
    // host listed the candidates, not in an order that depends on the ballots.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(votes[i]));
    let counts: Vec<CandidateCount> = order
        .iter()
        .map(|&i| CandidateCount {
            candidate: candidates[i].clone(),
            votes: votes[i],
        })
        .collect();

    let required_for_quorum = rule.quorum.at_least_of(members);
    let votes_needed_to_win = rule.threshold.votes_needed(members, cast);
    let outcome = if cast < required_for_quorum {
        Outcome::BelowQuorum {
            cast,
            required: required_for_quorum,
            needed: required_for_quorum - cast,
        }
    } else {
        decide(&counts, votes_needed_to_win)
    };

    Ok(Tally {
        members,
        cast,
        blank,
        required_for_quorum,
        votes_needed_to_win,
        counts,
        outcome,
    })
}

/// The outcome of a vote that reached quorum, from counts already sorted by votes.
fn decide(counts: &[CandidateCount], needed: u32) -> Outcome {
    let names_with = |v: u32| -> Vec<String> {
        counts
            .iter()
            .filter(|c| c.votes == v)
            .map(|c| c.candidate.clone())
            .collect()
    };
    let top = counts[0].votes;
    if top == 0 {
        // Only blank ballots: nothing separates the candidates, so all go to the next round.
        return Outcome::NoMajority {
            runoff: counts.iter().map(|c| c.candidate.clone()).collect(),
        };
    }
    let leaders = names_with(top);
    if leaders.len() > 1 {
        // A tie at the top is a tie even if both pass a low threshold: one head, one deputy.
        return Outcome::Tie {
            candidates: leaders,
        };
    }
    if top >= needed {
        return Outcome::Elected {
            candidate: counts[0].candidate.clone(),
            votes: top,
        };
    }
    let mut runoff = leaders;
    if let Some(second) = counts.get(1) {
        runoff.extend(names_with(second.votes));
    }
    Outcome::NoMajority { runoff }
}

/// Candidates of the next round, if the vote calls for one. `None` when someone was
/// elected, and below quorum, where the same vote must simply be held again with more
/// members present.
pub fn next_round_candidates(outcome: &Outcome) -> Option<Vec<String>> {
    match outcome {
        Outcome::Tie { candidates } => Some(candidates.clone()),
        Outcome::NoMajority { runoff } => Some(runoff.clone()),
        Outcome::Elected { .. } | Outcome::BelowQuorum { .. } => None,
    }
}

/// Recount a secret vote from its published `(receipt, choice)` list, so anyone entitled can
/// check the result without knowing who voted what.
///
/// Only candidates that received a vote appear (the list does not name the others); blank
/// ballots are not counted. Sorted by votes descending, then by candidate name (byte order,
/// because there is no list order to fall back on and the result must be the same
/// everywhere). Receipts are not checked here: see [`duplicate_receipts`].
pub fn recount(published: &[(String, Choice)]) -> Vec<CandidateCount> {
    let mut by_name: HashMap<&str, u32> = HashMap::new();
    for (_, choice) in published {
        if let Choice::For(c) = choice {
            *by_name.entry(c.as_str()).or_insert(0) += 1;
        }
    }
    let mut counts: Vec<CandidateCount> = by_name
        .into_iter()
        .map(|(c, votes)| CandidateCount {
            candidate: c.to_owned(),
            votes,
        })
        .collect();
    counts.sort_by(|a, b| match b.votes.cmp(&a.votes) {
        Ordering::Equal => a.candidate.cmp(&b.candidate),
        o => o,
    });
    counts
}

/// Receipts that appear more than once in a published list, each reported once, in order of
/// first repetition. A repeated receipt means a ballot counted twice, so a verifier should
/// reject the list when this is not empty.
pub fn duplicate_receipts(published: &[(String, Choice)]) -> Vec<String> {
    let mut seen: HashMap<&str, bool> = HashMap::with_capacity(published.len());
    let mut dups = Vec::new();
    for (receipt, _) in published {
        match seen.get_mut(receipt.as_str()) {
            None => {
                seen.insert(receipt.as_str(), false);
            }
            Some(reported) => {
                if !*reported {
                    *reported = true;
                    dups.push(receipt.clone());
                }
            }
        }
    }
    dups
}

/// Receipt alphabet: upper-case letters and digits without I, O, 0 and 1, which are confused
/// when a receipt is read aloud or copied from paper. Exactly 32 symbols.
const RECEIPT_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// `XXXX-XXXX-XXXX-XXXX` over [`RECEIPT_ALPHABET`], upper case only.
pub fn receipt_is_well_formed(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| {
            if i % 5 == 4 {
                *c == b'-'
            } else {
                RECEIPT_ALPHABET.contains(c)
            }
        })
}

/// Turn 16 random bytes from the caller (the domain crate has no randomness) into a receipt.
///
/// Each byte gives one symbol from its low 5 bits. Because 32 divides 256 the symbols are
/// uniform when the bytes are, so there is no modulo bias; the cost is that the top 3 bits
/// of each byte are discarded, leaving 80 bits of entropy, ample for receipts of one vote.
pub fn receipt_from_bytes(bytes: &[u8; 16]) -> String {
    let mut s = String::with_capacity(19);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(char::from(RECEIPT_ALPHABET[usize::from(b & 31)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    fn for_(c: &str) -> Choice {
        Choice::For(c.to_string())
    }

    /// Cluster 1 of 2024: five members, high-level procuracy 3 stands for head.
    fn cluster1() -> Vec<String> {
        names(&["VKSCC3", "VKSHN", "VKSHP", "VKSQN", "VKSTH"])
    }

    #[test]
    fn cluster1_unanimous_is_elected() {
        let t = tally(&Rule::default(), 5, &cluster1(), &vec![for_("VKSCC3"); 5]).expect("tally");
        assert_eq!(
            t.outcome,
            Outcome::Elected {
                candidate: "VKSCC3".into(),
                votes: 5
            }
        );
        assert_eq!(t.required_for_quorum, 4);
        assert_eq!(t.votes_needed_to_win, 3);
        assert_eq!(t.counts.len(), 5);
        assert_eq!(
            t.counts[0],
            CandidateCount {
                candidate: "VKSCC3".into(),
                votes: 5
            }
        );
        // The others keep the order they were listed in.
        assert_eq!(t.counts[1].candidate, "VKSHN");
        assert_eq!(t.counts[4].candidate, "VKSTH");
    }

    #[test]
    fn cluster1_three_of_five_is_elected() {
        // 3 > 5/2: an absolute majority of the members.
        let ballots = vec![
            for_("VKSCC3"),
            for_("VKSCC3"),
            for_("VKSHN"),
            Choice::Blank,
            for_("VKSCC3"),
        ];
        let t = tally(&Rule::default(), 5, &cluster1(), &ballots).expect("tally");
        assert_eq!(
            t.outcome,
            Outcome::Elected {
                candidate: "VKSCC3".into(),
                votes: 3
            }
        );
        assert_eq!(t.blank, 1);
        assert_eq!(t.cast, 5);
    }

    #[test]
    fn cluster1_two_two_one_is_a_tie() {
        let ballots = vec![
            for_("VKSHN"),
            for_("VKSCC3"),
            for_("VKSHN"),
            for_("VKSCC3"),
            for_("VKSQN"),
        ];
        let t = tally(&Rule::default(), 5, &cluster1(), &ballots).expect("tally");
        // Listed order among the tied, not ballot order.
        assert_eq!(
            t.outcome,
            Outcome::Tie {
                candidates: names(&["VKSCC3", "VKSHN"])
            }
        );
        assert_eq!(
            next_round_candidates(&t.outcome),
            Some(names(&["VKSCC3", "VKSHN"]))
        );
    }

    #[test]
    fn cluster1_three_ballots_is_below_quorum() {
        let t = tally(&Rule::default(), 5, &cluster1(), &vec![for_("VKSCC3"); 3]).expect("tally");
        // ceil(5 * 2 / 3) = ceil(10/3) = 4.
        assert_eq!(
            t.outcome,
            Outcome::BelowQuorum {
                cast: 3,
                required: 4,
                needed: 1
            }
        );
        // The room's choices are still shown.
        assert_eq!(t.counts[0].votes, 3);
        assert_eq!(next_round_candidates(&t.outcome), None);
    }

    #[test]
    fn cluster13_six_members_need_four_present_and_four_votes() {
        let c = names(&[
            "TRAVINH", "SOCTRANG", "BACLIEU", "CAMAU", "HAUGIANG", "CANTHO",
        ]);
        let t = tally(&Rule::default(), 6, &c, &vec![for_("TRAVINH"); 4]).expect("tally");
        assert_eq!(t.required_for_quorum, 4);
        assert_eq!(t.votes_needed_to_win, 4);
        assert_eq!(
            t.outcome,
            Outcome::Elected {
                candidate: "TRAVINH".into(),
                votes: 4
            }
        );

        // Three of six is exactly half, not more than half.
        let b = vec![
            for_("TRAVINH"),
            for_("TRAVINH"),
            for_("TRAVINH"),
            for_("SOCTRANG"),
            Choice::Blank,
        ];
        let t = tally(&Rule::default(), 6, &c, &b).expect("tally");
        assert_eq!(
            t.outcome,
            Outcome::NoMajority {
                runoff: names(&["TRAVINH", "SOCTRANG"])
            }
        );
    }

    #[test]
    fn single_candidate_still_needs_the_threshold() {
        let c = names(&["VKSCC3"]);
        let b = vec![for_("VKSCC3"), for_("VKSCC3"), Choice::Blank, Choice::Blank];
        let t = tally(&Rule::default(), 5, &c, &b).expect("tally");
        assert_eq!(t.outcome, Outcome::NoMajority { runoff: c.clone() });
        let b = vec![
            for_("VKSCC3"),
            for_("VKSCC3"),
            for_("VKSCC3"),
            Choice::Blank,
        ];
        let t = tally(&Rule::default(), 5, &c, &b).expect("tally");
        assert_eq!(
            t.outcome,
            Outcome::Elected {
                candidate: "VKSCC3".into(),
                votes: 3
            }
        );
    }

    #[test]
    fn all_blank_sends_everyone_to_the_next_round() {
        let t = tally(&Rule::default(), 5, &cluster1(), &vec![Choice::Blank; 5]).expect("tally");
        assert_eq!(t.outcome, Outcome::NoMajority { runoff: cluster1() });
    }

    #[test]
    fn runoff_takes_the_first_and_all_tied_second() {
        let rule = Rule {
            quorum: Fraction::HALF,
            ..Rule::default()
        };
        let c = names(&["A", "B", "C", "D"]);
        // 7 members, need 4; A 2, B 1, C 1, D 0.
        let b = vec![for_("C"), for_("A"), for_("B"), for_("A")];
        let t = tally(&rule, 7, &c, &b).expect("tally");
        assert_eq!(
            t.outcome,
            Outcome::NoMajority {
                runoff: names(&["A", "B", "C"])
            }
        );
    }

    #[test]
    fn threshold_of_votes_cast_counts_blank_ballots() {
        let rule = Rule {
            threshold: Threshold::OfVotesCast {
                share: Fraction::HALF,
                strict: true,
            },
            quorum: Fraction::HALF,
        };
        let c = names(&["A", "B"]);
        // 4 cast (one blank): need 3; A has 2.
        let b = vec![for_("A"), for_("A"), for_("B"), Choice::Blank];
        let t = tally(&rule, 7, &c, &b).expect("tally");
        assert_eq!(t.votes_needed_to_win, 3);
        assert_eq!(
            t.outcome,
            Outcome::NoMajority {
                runoff: names(&["A", "B"])
            }
        );
        // "At least half" of 4 is 2.
        let rule = Rule {
            threshold: Threshold::OfVotesCast {
                share: Fraction::HALF,
                strict: false,
            },
            ..rule
        };
        let t = tally(&rule, 7, &c, &b).expect("tally");
        assert_eq!(t.votes_needed_to_win, 2);
        assert_eq!(
            t.outcome,
            Outcome::Elected {
                candidate: "A".into(),
                votes: 2
            }
        );
    }

    #[test]
    fn a_tie_at_the_top_wins_over_a_low_threshold() {
        let rule = Rule {
            threshold: Threshold::OfVotesCast {
                share: Fraction { num: 1, den: 4 },
                strict: false,
            },
            quorum: Fraction::HALF,
        };
        let c = names(&["A", "B"]);
        let t = tally(&rule, 4, &c, &[for_("B"), for_("A")]).expect("tally");
        assert_eq!(
            t.outcome,
            Outcome::Tie {
                candidates: names(&["A", "B"])
            }
        );
    }

    #[test]
    fn zero_threshold_still_needs_one_vote() {
        let rule = Rule {
            threshold: Threshold::OfMembers {
                share: Fraction { num: 0, den: 1 },
                strict: false,
            },
            quorum: Fraction { num: 0, den: 1 },
        };
        let t = tally(&rule, 3, &names(&["A"]), &[]).expect("tally");
        assert_eq!(t.required_for_quorum, 0);
        assert_eq!(t.votes_needed_to_win, 1);
        assert_eq!(
            t.outcome,
            Outcome::NoMajority {
                runoff: names(&["A"])
            }
        );
    }

    #[test]
    fn large_member_counts_do_not_overflow() {
        let rule = Rule {
            threshold: Threshold::OfMembers {
                share: Fraction {
                    num: u32::MAX,
                    den: u32::MAX,
                },
                strict: true,
            },
            quorum: Fraction {
                num: u32::MAX - 1,
                den: u32::MAX,
            },
        };
        let t = tally(&rule, u32::MAX, &names(&["A"]), &[for_("A")]).expect("tally");
        assert_eq!(t.required_for_quorum, u32::MAX - 1);
        assert_eq!(t.votes_needed_to_win, u32::MAX);
    }

    #[test]
    fn errors() {
        let r = Rule::default();
        let c = names(&["A", "B"]);
        assert_eq!(tally(&r, 0, &c, &[]), Err(TallyError::NoMembers));
        assert_eq!(tally(&r, 3, &[], &[]), Err(TallyError::NoCandidates));
        assert_eq!(
            tally(&r, 3, &names(&["A", "B", "A"]), &[]),
            Err(TallyError::DuplicateCandidate("A".into()))
        );
        assert_eq!(
            tally(&r, 1, &c, &[for_("A"), for_("B")]),
            Err(TallyError::TooManyBallots {
                cast: 2,
                members: 1
            })
        );
        assert_eq!(
            tally(&r, 3, &c, &[for_("A"), for_("Z")]),
            Err(TallyError::UnknownCandidate("Z".into()))
        );
        let bad = Rule {
            quorum: Fraction { num: 1, den: 0 },
            ..r
        };
        assert_eq!(
            tally(&bad, 3, &c, &[]),
            Err(TallyError::InvalidFraction { num: 1, den: 0 })
        );
        let bad = Rule {
            threshold: Threshold::OfMembers {
                share: Fraction { num: 3, den: 2 },
                strict: true,
            },
            ..r
        };
        assert_eq!(
            tally(&bad, 3, &c, &[]),
            Err(TallyError::InvalidFraction { num: 3, den: 2 })
        );
    }

    #[test]
    fn fraction_new_rejects_zero_denominator_and_shares_above_one() {
        assert_eq!(Fraction::new(1, 0), None);
        assert_eq!(Fraction::new(3, 2), None);
        assert_eq!(Fraction::new(0, 1), Some(Fraction { num: 0, den: 1 }));
        assert_eq!(Fraction::new(2, 2), Some(Fraction { num: 2, den: 2 }));
    }

    #[test]
    fn serde_shapes() {
        let r = Rule::default();
        let j = serde_json::to_value(r).expect("json");
        assert_eq!(
            j,
            serde_json::json!({
                "threshold": {"base": "of_members", "share": {"num": 1, "den": 2}, "strict": true},
                "quorum": {"num": 2, "den": 3}
            })
        );
        assert_eq!(serde_json::from_value::<Rule>(j).expect("rule"), r);
        assert!(serde_json::from_str::<Fraction>(r#"{"num":1,"den":0}"#).is_err());
        assert!(serde_json::from_str::<Fraction>(r#"{"num":3,"den":2}"#).is_err());

        assert_eq!(
            serde_json::to_value(for_("A")).expect("json"),
            serde_json::json!({"kind": "for", "candidate": "A"})
        );
        assert_eq!(
            serde_json::to_value(Choice::Blank).expect("json"),
            serde_json::json!({"kind": "blank"})
        );
        let o = Outcome::BelowQuorum {
            cast: 3,
            required: 4,
            needed: 1,
        };
        assert_eq!(
            serde_json::to_value(&o).expect("json"),
            serde_json::json!({"outcome": "below_quorum", "cast": 3, "required": 4, "needed": 1})
        );
        assert_eq!(
            serde_json::to_value(Method::Secret).expect("json"),
            serde_json::json!("secret")
        );
    }

    #[test]
    fn method_round_trips() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()), Some(m));
        }
        assert_eq!(Method::parse("Open"), None);
    }

    #[test]
    fn recount_sorts_by_votes_then_name_and_skips_blanks() {
        let p = vec![
            ("AAAA-AAAA-AAAA-AAAB".to_string(), for_("B")),
            ("AAAA-AAAA-AAAA-AAAC".to_string(), for_("A")),
            ("AAAA-AAAA-AAAA-AAAD".to_string(), Choice::Blank),
            ("AAAA-AAAA-AAAA-AAAE".to_string(), for_("C")),
            ("AAAA-AAAA-AAAA-AAAF".to_string(), for_("C")),
        ];
        let r = recount(&p);
        let got: Vec<(&str, u32)> = r.iter().map(|c| (c.candidate.as_str(), c.votes)).collect();
        assert_eq!(got, vec![("C", 2), ("A", 1), ("B", 1)]);
        assert!(duplicate_receipts(&p).is_empty());
    }

    #[test]
    fn duplicate_receipts_are_reported_once() {
        let p = vec![
            ("X".to_string(), for_("A")),
            ("Y".to_string(), for_("A")),
            ("X".to_string(), for_("B")),
            ("X".to_string(), Choice::Blank),
        ];
        assert_eq!(duplicate_receipts(&p), names(&["X"]));
    }

    #[test]
    fn receipts() {
        assert!(receipt_is_well_formed("K7QX-2M9P-ZT4W-88NA"));
        assert!(!receipt_is_well_formed("K7QX-2M9P-ZT4W-88N"));
        assert!(!receipt_is_well_formed("K7QX-2M9P-ZT4W-88NAA"));
        assert!(!receipt_is_well_formed("K7QX2M9P-ZT4W-88NA-"));
        assert!(!receipt_is_well_formed("K7QX-2M9P-ZT4W-88N0")); // zero is not in the alphabet
        assert!(!receipt_is_well_formed("K7QX-2M9P-ZT4W-88NI"));
        assert!(!receipt_is_well_formed("k7qx-2m9p-zt4w-88na"));
        assert!(!receipt_is_well_formed("K7QX-2M9P-ZT4W-88NÀ"));
        assert_eq!(receipt_from_bytes(&[0; 16]), "AAAA-AAAA-AAAA-AAAA");
        assert_eq!(receipt_from_bytes(&[31; 16]), "9999-9999-9999-9999");
        let b: [u8; 16] = std::array::from_fn(|i| i as u8 * 16 + 8);
        assert!(receipt_is_well_formed(&receipt_from_bytes(&b)));
    }
}
