//! Properties of the vote tally that must hold for every rule, not just the default one:
//! the rules are data, so a year's rule set must not be able to break these guarantees.

use proptest::prelude::*;
use thidua_domain::election::{
    next_round_candidates, receipt_from_bytes, receipt_is_well_formed, recount, tally,
    CandidateCount, Choice, Fraction, Outcome, Rule, Threshold,
};

fn fraction() -> impl Strategy<Value = Fraction> {
    (1u32..=12).prop_flat_map(|den| (0..=den).prop_map(move |num| Fraction { num, den }))
}

fn rule() -> impl Strategy<Value = Rule> {
    let threshold = prop_oneof![
        (fraction(), any::<bool>())
            .prop_map(|(share, strict)| Threshold::OfMembers { share, strict }),
        (fraction(), any::<bool>())
            .prop_map(|(share, strict)| Threshold::OfVotesCast { share, strict }),
    ];
    prop_oneof![
        // The default deserves most of the cases: it is the rule actually used.
        2 => Just(Rule::default()),
        3 => (threshold, fraction()).prop_map(|(threshold, quorum)| Rule { threshold, quorum }),
    ]
}

fn names(n: usize) -> Vec<String> {
    // Listed in descending name order, so "order given" and "name order" differ and both
    // orderings get exercised.
    (0..n).map(|i| format!("U{}", n - i)).collect()
}

/// `None` is a blank ballot, `Some(i)` a vote for candidate `i`.
fn to_choices(candidates: &[String], raw: &[Option<usize>]) -> Vec<Choice> {
    raw.iter()
        .map(|b| match b {
            Some(i) => Choice::For(candidates[*i].clone()),
            None => Choice::Blank,
        })
        .collect()
}

/// A vote: rule, members, candidates and at most `members` ballots.
fn vote() -> impl Strategy<Value = (Rule, u32, Vec<String>, Vec<Choice>)> {
    (rule(), 1usize..=15, 1usize..=5).prop_flat_map(|(rule, members, n)| {
        let ballot = prop_oneof![1 => Just(None), 4 => (0..n).prop_map(Some)];
        // Mostly a well-attended room, else most cases would stop at the quorum check.
        let len = prop_oneof![1 => 0..=members, 3 => members / 2..=members];
        let members = members as u32;
        len.prop_flat_map(move |len| proptest::collection::vec(ballot.clone(), len))
            .prop_map(move |raw| {
                let c = names(n);
                let b = to_choices(&c, &raw);
                (rule, members, c, b)
            })
    })
}

fn sorted(mut v: Vec<CandidateCount>) -> Vec<CandidateCount> {
    v.sort_by(|a, b| a.candidate.cmp(&b.candidate));
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn elected_candidate_reaches_the_threshold_and_leads_strictly((rule, m, c, b) in vote()) {
        let t = tally(&rule, m, &c, &b).expect("valid vote");
        if let Outcome::Elected { candidate, votes } = &t.outcome {
            prop_assert!(*votes >= t.votes_needed_to_win);
            prop_assert!(*votes >= 1);
            for cc in &t.counts {
                if &cc.candidate == candidate {
                    prop_assert_eq!(cc.votes, *votes);
                } else {
                    prop_assert!(cc.votes < *votes);
                }
            }
        }
    }

    #[test]
    fn counts_sum_to_non_blank_ballots((rule, m, c, b) in vote()) {
        let t = tally(&rule, m, &c, &b).expect("valid vote");
        let sum: u32 = t.counts.iter().map(|c| c.votes).sum();
        prop_assert_eq!(t.cast as usize, b.len());
        prop_assert_eq!(sum, t.cast - t.blank);
    }

    #[test]
    fn counts_are_a_permutation_of_the_candidates_sorted_by_votes_then_given_order(
        (rule, m, c, b) in vote()
    ) {
        let t = tally(&rule, m, &c, &b).expect("valid vote");
        let mut got: Vec<&String> = t.counts.iter().map(|x| &x.candidate).collect();
        let mut want: Vec<&String> = c.iter().collect();
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
        let pos = |name: &str| c.iter().position(|x| x == name).expect("known");
        for w in t.counts.windows(2) {
            prop_assert!(
                w[0].votes > w[1].votes
                    || (w[0].votes == w[1].votes && pos(&w[0].candidate) < pos(&w[1].candidate))
            );
        }
    }

    #[test]
    fn below_quorum_iff_too_few_ballots((rule, m, c, b) in vote()) {
        let t = tally(&rule, m, &c, &b).expect("valid vote");
        prop_assert!(t.required_for_quorum <= m);
        let below = matches!(t.outcome, Outcome::BelowQuorum { .. });
        prop_assert_eq!(below, t.cast < t.required_for_quorum);
        if let Outcome::BelowQuorum { cast, required, needed } = t.outcome {
            prop_assert_eq!(cast + needed, required);
            prop_assert!(needed > 0);
        }
    }

    #[test]
    fn result_does_not_depend_on_ballot_order(
        (rule, m, c, b, shuffled) in vote().prop_flat_map(|(r, m, c, b)| {
            let s = Just(b.clone()).prop_shuffle();
            (Just(r), Just(m), Just(c), Just(b), s)
        })
    ) {
        prop_assert_eq!(tally(&rule, m, &c, &b), tally(&rule, m, &c, &shuffled));
    }

    #[test]
    fn recount_of_published_receipts_matches_the_tally(
        (rule, m, c, b) in vote(),
        seeds in proptest::collection::vec(any::<[u8; 16]>(), 15),
    ) {
        let t = tally(&rule, m, &c, &b).expect("valid vote");
        let published: Vec<(String, Choice)> =
            b.iter().zip(&seeds).map(|(ch, s)| (receipt_from_bytes(s), ch.clone())).collect();
        let r = recount(&published);
        // The published list cannot name candidates nobody voted for.
        let nonzero: Vec<CandidateCount> = t.counts.iter().filter(|c| c.votes > 0).cloned().collect();
        prop_assert_eq!(sorted(r.clone()), sorted(nonzero));
        for w in r.windows(2) {
            prop_assert!(w[0].votes > w[1].votes || (w[0].votes == w[1].votes && w[0].candidate < w[1].candidate));
        }
    }

    #[test]
    fn receipts_are_always_well_formed(bytes in any::<[u8; 16]>()) {
        let r = receipt_from_bytes(&bytes);
        prop_assert!(receipt_is_well_formed(&r), "{}", r);
    }

    #[test]
    fn one_more_vote_never_unelects((rule, m, c, b) in vote()) {
        let t = tally(&rule, m, &c, &b).expect("valid vote");
        if let Outcome::Elected { candidate, votes } = t.outcome {
            if (b.len() as u32) < m {
                let mut more = b.clone();
                more.push(Choice::For(candidate.clone()));
                let t2 = tally(&rule, m, &c, &more).expect("valid vote");
                prop_assert_eq!(t2.outcome, Outcome::Elected { candidate, votes: votes + 1 });
            }
        }
    }

    #[test]
    fn a_tie_is_exactly_the_candidates_sharing_the_top_count((rule, m, c, b) in vote()) {
        let t = tally(&rule, m, &c, &b).expect("valid vote");
        if let Outcome::Tie { candidates } = &t.outcome {
            let top = t.counts[0].votes;
            prop_assert!(top > 0);
            prop_assert!(candidates.len() >= 2);
            let at_top: Vec<&String> = t.counts.iter().filter(|c| c.votes == top).map(|c| &c.candidate).collect();
            prop_assert_eq!(at_top, candidates.iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn next_round_is_among_the_candidates_and_only_without_a_result((rule, m, c, b) in vote()) {
        let t = tally(&rule, m, &c, &b).expect("valid vote");
        let decided = matches!(t.outcome, Outcome::Elected { .. } | Outcome::BelowQuorum { .. });
        match next_round_candidates(&t.outcome) {
            Some(next) => {
                prop_assert!(!decided);
                prop_assert!(!next.is_empty());
                prop_assert!(next.iter().all(|n| c.contains(n)));
            }
            None => prop_assert!(decided),
        }
    }

    #[test]
    fn fraction_new_accepts_exactly_the_shares_between_zero_and_one(num in 0u32..20, den in 0u32..20) {
        prop_assert_eq!(Fraction::new(num, den).is_some(), den > 0 && num <= den);
    }
}
