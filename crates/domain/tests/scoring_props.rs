//! Properties of scoring that must hold for every scheme a council may write, not just the
//! example table in the unit tests: a scheme is data, so no scheme and no entry (however far
//! out of range) may push a total above the scheme's maximum or below zero, make the ranking
//! skip or repeat a place, or rank and classify against the totals.

use std::collections::BTreeSet;

use proptest::collection::vec;
use proptest::prelude::*;
use thidua_domain::scoring::{
    Band, Card, Compiled, Counts, Direction, Formula, Indicator, Input, LeafKind, Node, Points,
    Rate, Scheme, Step, TieBreak, MAX_POINTS,
};

const CASES: u32 = 256;

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Higher), Just(Direction::Lower)]
}

fn indicators() -> impl Strategy<Value = Vec<Indicator>> {
    vec((direction(), 0i64..=10_000), 1..=4).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (direction, target))| Indicator {
                code: format!("CT{i}"),
                name: format!("Chỉ tiêu {i}"),
                numerator: String::new(),
                denominator: String::new(),
                direction,
                target: Rate(target),
                basis: String::new(),
            })
            .collect()
    })
}

/// A leaf's maximum: mostly the sizes real tables use, sometimes anything the scheme allows.
fn leaf_max() -> impl Strategy<Value = i64> {
    prop_oneof![4 => 1i64..=3_000, 1 => 1i64..=MAX_POINTS]
}

/// A formula that passes validation for a leaf of maximum `max` reading an indicator of
/// direction `dir`.
fn formula(max: i64, dir: Direction) -> impl Strategy<Value = Formula> {
    let linear = (
        prop_oneof![3 => -500i64..=12_000, 1 => -1_000_000_000i64..=1_000_000_000],
        prop_oneof![3 => 1i64..=5_000, 1 => 1i64..=1_000_000_000],
    )
        .prop_map(move |(a, d)| {
            let (lo, hi) = (Rate(a), Rate(a + d));
            match dir {
                Direction::Higher => Formula::Linear {
                    zero_at: lo,
                    full_at: hi,
                },
                Direction::Lower => Formula::Linear {
                    zero_at: hi,
                    full_at: lo,
                },
            }
        });
    let steps = vec((-100i64..=12_000, 0..=max), 1..=5).prop_map(|mut v| {
        v.sort_by_key(|s| s.0);
        v.dedup_by_key(|s| s.0);
        Formula::Steps {
            steps: v
                .into_iter()
                .map(|(at, points)| Step {
                    at: Rate(at),
                    points: Points(points),
                })
                .collect(),
        }
    });
    prop_oneof![2 => linear, 2 => steps, 1 => Just(Formula::PassFail)]
}

/// A leaf before codes are given out.
#[derive(Debug, Clone)]
enum LeafSpec {
    Manual {
        max: i64,
        evidence_required: bool,
    },
    Indicator {
        max: i64,
        indicator: usize,
        formula: Formula,
    },
    Bonus {
        max: i64,
    },
    Deduction {
        max: i64,
        per_occurrence: i64,
    },
}

#[derive(Debug, Clone)]
enum Shape {
    Group(Vec<Shape>),
    Leaf(LeafSpec),
}

fn leaf_spec(dirs: Vec<Direction>) -> impl Strategy<Value = LeafSpec> {
    let n = dirs.len();
    let indicator = (leaf_max(), 0..n).prop_flat_map(move |(max, i)| {
        formula(max, dirs[i]).prop_map(move |formula| LeafSpec::Indicator {
            max,
            indicator: i,
            formula,
        })
    });
    let deduction = leaf_max().prop_flat_map(|max| {
        // Mostly a share of the maximum; sometimes anything positive, which validation allows.
        prop_oneof![3 => 1..=max, 1 => 1..=i64::MAX].prop_map(move |per_occurrence| {
            LeafSpec::Deduction {
                max,
                per_occurrence,
            }
        })
    });
    prop_oneof![
        3 => (leaf_max(), any::<bool>())
            .prop_map(|(max, evidence_required)| LeafSpec::Manual { max, evidence_required }),
        3 => indicator,
        1 => leaf_max().prop_map(|max| LeafSpec::Bonus { max }),
        1 => deduction,
    ]
}

/// A node of depth at most 3 below a top-level node, so leaves stay within `MAX_DEPTH`.
fn shape(dirs: Vec<Direction>) -> impl Strategy<Value = Shape> {
    leaf_spec(dirs)
        .prop_map(Shape::Leaf)
        .prop_recursive(3, 48, 4, |inner| vec(inner, 1..=4).prop_map(Shape::Group))
}

fn to_node(s: &Shape, next: &mut usize, inds: &[Indicator]) -> Node {
    *next += 1;
    let n = *next;
    let title = format!("Tiêu chí {n}");
    let guidance = String::new();
    match s {
        Shape::Group(items) => Node::Group {
            code: format!("G{n}"),
            title,
            guidance,
            items: items.iter().map(|c| to_node(c, next, inds)).collect(),
        },
        Shape::Leaf(l) => {
            let code = format!("L{n}");
            match l.clone() {
                LeafSpec::Manual {
                    max,
                    evidence_required,
                } => Node::Manual {
                    code,
                    title,
                    guidance,
                    max: Points(max),
                    evidence_required,
                },
                LeafSpec::Indicator {
                    max,
                    indicator,
                    formula,
                } => Node::Indicator {
                    code,
                    title,
                    guidance,
                    max: Points(max),
                    indicator: inds[indicator].code.clone(),
                    formula,
                },
                LeafSpec::Bonus { max } => Node::Bonus {
                    code,
                    title,
                    guidance,
                    max: Points(max),
                },
                LeafSpec::Deduction {
                    max,
                    per_occurrence,
                } => Node::Deduction {
                    code,
                    title,
                    guidance,
                    max: Points(max),
                    per_occurrence: Points(per_occurrence),
                },
            }
        }
    }
}

/// (sum of base maxima, sum of bonus maxima) of a tree.
fn maxima(s: &Shape) -> (i64, i64) {
    match s {
        Shape::Group(items) => items
            .iter()
            .map(maxima)
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
        Shape::Leaf(LeafSpec::Manual { max, .. } | LeafSpec::Indicator { max, .. }) => (*max, 0),
        Shape::Leaf(LeafSpec::Bonus { max }) => (0, *max),
        Shape::Leaf(LeafSpec::Deduction { .. }) => (0, 0),
    }
}

/// A scheme that passes validation: random tree, indicators, formulas, bonus cap, strictly
/// descending bands and tie-break rules.
fn scheme() -> impl Strategy<Value = Scheme> {
    indicators().prop_flat_map(|inds| {
        let dirs: Vec<Direction> = inds.iter().map(|i| i.direction).collect();
        (
            Just(inds),
            vec(shape(dirs), 1..=5),
            prop_oneof![3 => 0i64..=5_000, 1 => 0i64..=i64::MAX],
            // Band minima in thousandths of the highest total, so every band gets reached.
            vec(0i64..=1_100, 1..=4),
            vec((0u8..3, 0usize..5), 0..=3),
        )
            .prop_map(|(inds, tops, bonus_cap, bands, ties)| {
                let (base, bonus) = tops
                    .iter()
                    .map(maxima)
                    .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
                let top = base + bonus.min(bonus_cap);
                let mins: BTreeSet<i64> = bands.iter().map(|&m| top * m / 1_000).collect();
                let bands = mins
                    .into_iter()
                    .rev()
                    .enumerate()
                    .map(|(i, min)| Band {
                        key: format!("band{i}"),
                        label: format!("Loại {i}"),
                        min: Points(min),
                    })
                    .collect();
                let mut next = 0;
                let criteria: Vec<Node> =
                    tops.iter().map(|s| to_node(s, &mut next, &inds)).collect();
                let tie_breaks = ties
                    .into_iter()
                    .map(|(kind, section)| match kind {
                        0 => TieBreak::Section {
                            code: criteria[section % criteria.len()].code().to_owned(),
                        },
                        1 => TieBreak::FewerDeductions,
                        _ => TieBreak::HigherBase,
                    })
                    .collect();
                Scheme {
                    title: "Bảng chấm điểm".into(),
                    legal_basis: String::new(),
                    criteria,
                    indicators: inds,
                    bonus_cap: Points(bonus_cap),
                    bands,
                    tie_breaks,
                }
            })
    })
}

fn compiled() -> impl Strategy<Value = Compiled> {
    scheme().prop_map(|s| Compiled::new(s).expect("generated schemes are valid"))
}

/// A number entered for a leaf: in range, or anything at all.
#[derive(Debug, Clone, Copy)]
enum Raw {
    In(u64),
    Any(i64),
}

fn raw() -> impl Strategy<Value = Raw> {
    prop_oneof![4 => any::<u64>().prop_map(Raw::In), 1 => any::<i64>().prop_map(Raw::Any)]
}

impl Raw {
    fn value(self, max: i64) -> i64 {
        match self {
            Raw::In(x) => (x % (max as u64 + 1)) as i64,
            Raw::Any(x) => x,
        }
    }
}

fn counts() -> impl Strategy<Value = Counts> {
    prop_oneof![
        4 => (1i64..=1_000).prop_flat_map(|d| (0..=d + d / 5, Just(d))),
        1 => (any::<i64>(), any::<i64>()),
        1 => (0i64..=10, -1i64..=0),
    ]
    .prop_map(|(numerator, denominator)| Counts {
        numerator,
        denominator,
    })
}

/// Entries for each leaf (points or occurrences, each maybe left out) and indicator counts.
type Raws = (Vec<(Option<Raw>, Option<u32>)>, Vec<Option<Counts>>);

fn raws(c: &Compiled) -> impl Strategy<Value = Raws> {
    let occ = prop_oneof![4 => 0u32..=10, 1 => any::<u32>()];
    (
        vec(
            (
                proptest::option::weighted(0.8, raw()),
                proptest::option::weighted(0.8, occ),
            ),
            c.leaves.len(),
        ),
        vec(
            proptest::option::weighted(0.8, counts()),
            c.scheme.indicators.len(),
        ),
    )
}

/// What a unit entered. Entries also go to leaves that ignore them (points for a computed or
/// deduction leaf, occurrences for a manual one): scoring must not trust them.
fn input(c: &Compiled, (leaves, inds): &Raws) -> Input {
    let mut i = Input::default();
    for (l, (p, n)) in c.leaves.iter().zip(leaves) {
        if let Some(p) = p {
            i.points.insert(l.code.clone(), Points(p.value(l.max.0)));
        }
        if let Some(n) = n {
            i.occurrences.insert(l.code.clone(), *n);
        }
    }
    for (ind, counts) in c.scheme.indicators.iter().zip(inds) {
        if let Some(counts) = counts {
            i.indicators.insert(ind.code.clone(), *counts);
        }
    }
    i.points.insert("KHONG-CO".into(), Points(12_345));
    i
}

fn compiled_and_input() -> impl Strategy<Value = (Compiled, Input)> {
    compiled().prop_flat_map(|c| {
        let r = raws(&c);
        (Just(c), r).prop_map(|(c, r)| {
            let i = input(&c, &r);
            (c, i)
        })
    })
}

/// Leaf points as a reviewer may have replaced them: in range, out of range, missing, and a
/// list that may be too short or too long.
fn compiled_and_leaf_points() -> impl Strategy<Value = (Compiled, Vec<Option<Points>>)> {
    compiled().prop_flat_map(|c| {
        let n = c.leaves.len();
        let maxes: Vec<i64> = c.leaves.iter().map(|l| l.max.0).collect();
        let pts = vec(
            proptest::option::weighted(0.85, raw()),
            n.saturating_sub(2)..=n + 2,
        )
        .prop_map(move |v| {
            v.into_iter()
                .enumerate()
                .map(|(i, r)| r.map(|r| Points(r.value(maxes.get(i).copied().unwrap_or(1)))))
                .collect::<Vec<_>>()
        });
        (Just(c), pts)
    })
}

/// The rate `Counts::rate` must give, worked out separately.
fn rate_of(c: Counts) -> Option<Rate> {
    if c.denominator <= 0 || c.numerator < 0 {
        return None;
    }
    i64::try_from(i128::from(c.numerator) * 10_000 / i128::from(c.denominator))
        .ok()
        .map(Rate)
}

/// The card's figures recomputed from leaf points: (base, bonus, deduction, total, sections,
/// missing).
fn recompute(c: &Compiled, pts: &[Option<Points>]) -> (i64, i64, i64, i64, Vec<i64>, Vec<usize>) {
    let (mut base, mut bonus, mut ded) = (0i64, 0i64, 0i64);
    let mut sections = vec![0i64; c.sections.len()];
    let mut missing = Vec::new();
    for (i, l) in c.leaves.iter().enumerate() {
        let p = match pts.get(i).copied().flatten() {
            Some(p) => p.0.max(0).min(l.max.0),
            None => {
                if matches!(l.kind, LeafKind::Manual { .. } | LeafKind::Indicator { .. }) {
                    missing.push(i);
                }
                0
            }
        };
        match l.kind {
            LeafKind::Manual { .. } | LeafKind::Indicator { .. } => {
                base += p;
                sections[l.section] += p;
            }
            LeafKind::Bonus => {
                bonus += p;
                sections[l.section] += p;
            }
            LeafKind::Deduction { .. } => {
                ded += p;
                sections[l.section] -= p;
            }
        }
    }
    let bonus = bonus.min(c.scheme.bonus_cap.0);
    let total = (base + bonus - ded).max(0);
    (base, bonus, ded, total, sections, missing)
}

/// The band a total earns, worked out from the bands' definition: the first (highest) band
/// whose minimum the total reaches.
fn band_of(c: &Compiled, total: i64) -> Option<usize> {
    c.scheme
        .bands
        .iter()
        .enumerate()
        .filter(|(_, b)| total >= b.min.0)
        .map(|(i, _)| i)
        .min()
}

/// Band index as a rank where `None` (below every band) is the worst.
fn band_rank(b: Option<usize>) -> usize {
    b.unwrap_or(usize::MAX)
}

/// The ranking key of a card: total, then the tie-break rules, each as "lower is better".
fn rank_key(c: &Compiled, card: &Card) -> Vec<i64> {
    let mut k = vec![-card.total.0];
    for t in &c.scheme.tie_breaks {
        k.push(match t {
            TieBreak::Section { code } => {
                let i = c.sections.iter().position(|s| &s.0 == code);
                -i.and_then(|i| card.sections.get(i)).map_or(0, |p| p.0)
            }
            TieBreak::FewerDeductions => card.deduction.0,
            TieBreak::HigherBase => -card.base.0,
        });
    }
    k
}

/// Cards to rank: small figures so ties are common, or any figures at all.
fn compiled_and_cards() -> impl Strategy<Value = (Compiled, Vec<Card>)> {
    compiled().prop_flat_map(|c| {
        let n = c.sections.len();
        let small = || 0i64..=4;
        let card = prop_oneof![
            3 => (small(), small(), small(), vec(small(), n)),
            1 => (0i64..=MAX_POINTS, 0i64..=MAX_POINTS, 0i64..=MAX_POINTS,
                  vec(-MAX_POINTS..=MAX_POINTS, 0..=n + 1)),
        ]
        .prop_map(|(total, base, deduction, sections)| Card {
            sections: sections.into_iter().map(Points).collect(),
            base: Points(base),
            bonus: Points::ZERO,
            deduction: Points(deduction),
            total: Points(total),
            band: None,
            missing: vec![],
        });
        (Just(c), vec(card, 0..=30))
    })
}

/// A single indicator leaf with a formula that passes validation, and rates to try.
fn formula_case() -> impl Strategy<Value = (Compiled, Vec<i64>)> {
    (direction(), 0i64..=10_000, leaf_max())
        .prop_flat_map(|(dir, target, max)| (Just((dir, target, max)), formula(max, dir)))
        .prop_map(|((direction, target, max), formula)| Scheme {
            title: "Một chỉ tiêu".into(),
            legal_basis: String::new(),
            criteria: vec![Node::Indicator {
                code: "I.1".into(),
                title: "Chỉ tiêu".into(),
                guidance: String::new(),
                max: Points(max),
                indicator: "CT".into(),
                formula,
            }],
            indicators: vec![Indicator {
                code: "CT".into(),
                name: "Tỷ lệ".into(),
                numerator: String::new(),
                denominator: String::new(),
                direction,
                target: Rate(target),
                basis: String::new(),
            }],
            bonus_cap: Points::ZERO,
            bands: vec![Band {
                key: "done".into(),
                label: "Hoàn thành".into(),
                min: Points::ZERO,
            }],
            tie_breaks: vec![],
        })
        .prop_map(|s| Compiled::new(s).expect("generated formulas are valid"))
        .prop_flat_map(|c| {
            let rate = prop_oneof![
                4 => -1_000i64..=13_000,
                1 => -2_000_000_000i64..=2_000_000_000,
                1 => any::<i64>(),
            ];
            (Just(c), vec(rate, 2..=12))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// (a) No entry, however far out of range, takes a total above the scheme's maximum
    /// (base maximum plus capped bonus) or below zero.
    #[test]
    fn totals_stay_between_zero_and_the_schemes_maximum((c, i) in compiled_and_input()) {
        let card = c.card(&c.leaf_points(&i));
        prop_assert!(card.total.0 >= 0, "{:?}", card);
        prop_assert!(card.total <= c.max_total(), "{:?} > {:?}", card.total, c.max_total());
        prop_assert!(card.base <= c.base_max);
        prop_assert!(card.bonus.0 >= 0 && card.bonus.0 <= c.scheme.bonus_cap.0);
        prop_assert!(card.deduction.0 >= 0);
    }

    /// (a) The same for leaf points a reviewer replaced, out of range or missing.
    #[test]
    fn totals_of_adjusted_points_stay_between_zero_and_the_maximum(
        (c, pts) in compiled_and_leaf_points()
    ) {
        let card = c.card(&pts);
        prop_assert!(card.total.0 >= 0);
        prop_assert!(card.total <= c.max_total());
    }

    /// A unit that enters the maximum everywhere and has no deductions reaches the maximum,
    /// so `max_total` is the least upper bound, not just an upper bound.
    #[test]
    fn the_maximum_is_reached(c in compiled()) {
        let pts: Vec<Option<Points>> = c
            .leaves
            .iter()
            .map(|l| match l.kind {
                LeafKind::Deduction { .. } => None,
                _ => Some(l.max),
            })
            .collect();
        let card = c.card(&pts);
        prop_assert_eq!(card.total, c.max_total());
        prop_assert_eq!(card.band, band_of(&c, card.total.0));
    }

    /// Leaf points from what a unit entered: entries are clamped to 0..=max, deductions are
    /// occurrences times the points per occurrence up to the maximum, computed leaves come
    /// from the indicator's rate and ignore points typed for them.
    #[test]
    fn leaf_points_clamp_what_was_entered((c, i) in compiled_and_input()) {
        let pts = c.leaf_points(&i);
        prop_assert_eq!(pts.len(), c.leaves.len());
        for (l, p) in c.leaves.iter().zip(&pts) {
            if let Some(p) = p {
                prop_assert!(p.0 >= 0 && *p <= l.max, "{}: {:?} not in 0..={:?}", l.code, p, l.max);
            }
            let want = match &l.kind {
                LeafKind::Manual { .. } | LeafKind::Bonus => {
                    i.points.get(&l.code).map(|p| Points(p.0.max(0).min(l.max.0)))
                }
                LeafKind::Deduction { per_occurrence } => i.occurrences.get(&l.code).map(|&n| {
                    let taken = (i128::from(n) * i128::from(per_occurrence.0)).min(i128::from(l.max.0));
                    Points(taken as i64)
                }),
                LeafKind::Indicator { indicator, formula } => {
                    let ind = &c.scheme.indicators[*indicator];
                    i.indicators
                        .get(&ind.code)
                        .and_then(|&counts| rate_of(counts))
                        .map(|r| formula.points(l.max, ind, r))
                }
            };
            prop_assert_eq!(*p, want, "leaf {}", l.code);
        }
    }

    /// (d) A card's figures are the sum of its leaves: base leaves, bonus up to the cap,
    /// minus deductions, never below zero; sections, missing leaves and band agree.
    #[test]
    fn card_equals_a_recomputation_from_leaf_points((c, i) in compiled_and_input()) {
        let pts = c.leaf_points(&i);
        let card = c.card(&pts);
        let (base, bonus, ded, total, sections, missing) = recompute(&c, &pts);
        prop_assert_eq!(card.base.0, base);
        prop_assert_eq!(card.bonus.0, bonus);
        prop_assert_eq!(card.deduction.0, ded);
        prop_assert_eq!(card.total.0, total);
        prop_assert_eq!(card.sections.iter().map(|p| p.0).collect::<Vec<_>>(), sections);
        prop_assert_eq!(&card.missing, &missing);
        prop_assert_eq!(card.band, band_of(&c, total));
    }

    /// (d) The same for leaf points a reviewer replaced.
    #[test]
    fn card_of_adjusted_points_equals_a_recomputation((c, pts) in compiled_and_leaf_points()) {
        let card = c.card(&pts);
        let (base, bonus, ded, total, sections, missing) = recompute(&c, &pts);
        prop_assert_eq!(
            (card.base.0, card.bonus.0, card.deduction.0, card.total.0),
            (base, bonus, ded, total)
        );
        prop_assert_eq!(card.sections.iter().map(|p| p.0).collect::<Vec<_>>(), sections);
        prop_assert_eq!(&card.missing, &missing);
        prop_assert_eq!(card.band, band_of(&c, total));
    }

    /// (b) Positions are a permutation of 1..=n; a higher total never gets a worse position;
    /// equal totals follow the tie-break rules, then the order given; `tied` marks exactly the
    /// cards that only the order given separated from the one before.
    #[test]
    fn ranks_are_a_permutation_consistent_with_totals_and_tie_breaks(
        (c, cards) in compiled_and_cards()
    ) {
        let refs: Vec<&Card> = cards.iter().collect();
        let r = c.rank(&refs);
        let n = cards.len();
        prop_assert_eq!(r.len(), n);
        let mut positions: Vec<usize> = r.iter().map(|x| x.position).collect();
        positions.sort_unstable();
        prop_assert_eq!(positions, (1..=n).collect::<Vec<_>>());

        let keys: Vec<Vec<i64>> = cards.iter().map(|card| rank_key(&c, card)).collect();
        for a in 0..n {
            for b in 0..n {
                if cards[a].total > cards[b].total {
                    prop_assert!(r[a].position < r[b].position, "{a} vs {b}");
                }
                if r[a].position < r[b].position {
                    prop_assert!(keys[a] < keys[b] || (keys[a] == keys[b] && a < b));
                }
            }
        }
        let mut by_pos: Vec<usize> = (0..n).collect();
        by_pos.sort_by_key(|&i| r[i].position);
        for (k, &i) in by_pos.iter().enumerate() {
            let tied = k > 0 && keys[by_pos[k - 1]] == keys[i];
            prop_assert_eq!(r[i].tied, tied);
        }
    }

    /// (b) Ranking a reordered list gives each card the same position, unless only the order
    /// given separated it from another card.
    #[test]
    fn ranks_do_not_depend_on_order_except_between_full_ties(
        (c, cards, perm) in compiled_and_cards().prop_flat_map(|(c, cards)| {
            let perm = Just((0..cards.len()).collect::<Vec<_>>()).prop_shuffle();
            (Just(c), Just(cards), perm)
        })
    ) {
        let refs: Vec<&Card> = cards.iter().collect();
        let shuffled: Vec<&Card> = perm.iter().map(|&i| &cards[i]).collect();
        let r1 = c.rank(&refs);
        let r2 = c.rank(&shuffled);
        let keys: Vec<Vec<i64>> = cards.iter().map(|card| rank_key(&c, card)).collect();
        for (j, &i) in perm.iter().enumerate() {
            let full_ties = keys.iter().filter(|k| **k == keys[i]).count();
            if full_ties == 1 {
                prop_assert_eq!(r1[i].position, r2[j].position);
            }
            // Cards with the same key share a block of positions in both orders.
            let better = keys.iter().filter(|k| **k < keys[i]).count();
            prop_assert!(r2[j].position > better && r2[j].position <= better + full_ties);
        }
    }

    /// (c) Classification is monotone: a higher total never earns a worse band (below every
    /// band counts as the worst), and a band is the highest one whose minimum is reached.
    #[test]
    fn classification_is_monotone_in_the_total(
        (c, t1, t2) in compiled().prop_flat_map(|c| {
            let top = c.max_total().0 + 100;
            let t = prop_oneof![4 => -100..=top, 1 => any::<i64>()];
            (Just(c), t.clone(), t)
        })
    ) {
        let (lo, hi) = if t1 <= t2 { (t1, t2) } else { (t2, t1) };
        let (b_lo, b_hi) = (c.classify(Points(lo)), c.classify(Points(hi)));
        prop_assert!(band_rank(b_hi) <= band_rank(b_lo), "{lo} -> {b_lo:?}, {hi} -> {b_hi:?}");
        prop_assert_eq!(b_lo, band_of(&c, lo));
        prop_assert_eq!(b_hi, band_of(&c, hi));
        for b in &c.scheme.bands {
            prop_assert_eq!(c.classify(b.min), band_of(&c, b.min.0));
            prop_assert!(c.classify(b.min).is_some());
        }
    }

    /// (e) Formulas that pass validation give 0..=max at any rate; Linear and Steps never give
    /// fewer points for a better rate in the indicator's direction; Linear reaches 0 at
    /// `zero_at` and the maximum at `full_at`; PassFail gives all or nothing by the target.
    #[test]
    fn formulas_stay_in_range_and_follow_the_direction((c, mut rates) in formula_case()) {
        let leaf = &c.leaves[0];
        let LeafKind::Indicator { indicator, formula } = &leaf.kind else {
            panic!("one indicator leaf");
        };
        let ind = &c.scheme.indicators[*indicator];
        let max = leaf.max;
        if let Formula::Linear { zero_at, full_at } = formula {
            prop_assert_eq!(formula.points(max, ind, *zero_at), Points::ZERO);
            prop_assert_eq!(formula.points(max, ind, *full_at), max);
            rates.push(zero_at.0);
            rates.push(full_at.0);
        }
        rates.sort_unstable();
        // Worst rate first in the indicator's direction.
        if ind.direction == Direction::Lower {
            rates.reverse();
        }
        let pts: Vec<Points> = rates.iter().map(|&r| formula.points(max, ind, Rate(r))).collect();
        for p in &pts {
            prop_assert!(p.0 >= 0 && *p <= max, "{:?} not in 0..={:?}", p, max);
        }
        if !matches!(formula, Formula::PassFail) {
            for w in pts.windows(2) {
                prop_assert!(w[0] <= w[1], "{:?}: {:?} at rates {:?}", formula, pts, rates);
            }
        }
        for (&r, p) in rates.iter().zip(&pts) {
            if matches!(formula, Formula::PassFail) {
                prop_assert_eq!(*p, if ind.meets(Rate(r)) { max } else { Points::ZERO });
            }
        }
    }

    /// A Linear formula that gives more points for a worse rate than the indicator's
    /// direction says is refused, like any other malformed formula.
    #[test]
    fn linear_against_the_direction_is_refused(
        (dir, a, d, max) in (direction(), -500i64..=12_000, 1i64..=5_000, leaf_max())
    ) {
        let (zero_at, full_at) = match dir {
            Direction::Higher => (Rate(a + d), Rate(a)),
            Direction::Lower => (Rate(a), Rate(a + d)),
        };
        let s = Scheme {
            title: "Ngược chiều".into(),
            legal_basis: String::new(),
            criteria: vec![Node::Indicator {
                code: "I.1".into(),
                title: "Chỉ tiêu".into(),
                guidance: String::new(),
                max: Points(max),
                indicator: "CT".into(),
                formula: Formula::Linear { zero_at, full_at },
            }],
            indicators: vec![Indicator {
                code: "CT".into(),
                name: "Tỷ lệ".into(),
                numerator: String::new(),
                denominator: String::new(),
                direction: dir,
                target: Rate(5_000),
                basis: String::new(),
            }],
            bonus_cap: Points::ZERO,
            bands: vec![Band { key: "done".into(), label: "Hoàn thành".into(), min: Points::ZERO }],
            tie_breaks: vec![],
        };
        prop_assert!(Compiled::new(s).is_err());
    }

    /// Rates of counts are what integer arithmetic says, and `None` exactly when they have no
    /// meaning.
    #[test]
    fn rates_are_exact(counts in counts()) {
        prop_assert_eq!(counts.rate(), rate_of(counts));
    }
}
