//! Keeps the demo scoring data honest: the provincial scheme of 2024 compiles, has the shape
//! the demo promises, and the six cluster-13 units' entries are valid, complete and rank
//! without ties.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use thidua_domain::scoring::{Compiled, Input, LeafKind, Points, Scheme};

const SCHEME: &str = include_str!("../../thidua/demo/scoring-provincial-2024.json");
const INPUTS: &str = include_str!("../../thidua/demo/scoring-cluster13-2024.json");
const UNITS: &str = include_str!("../../thidua/demo/units.csv");

/// The members of Cụm thi đua số 13 in 2024, as the demo seeds them.
const CLUSTER_13: [&str; 6] = [
    "P-TRAVINH",
    "P-SOCTRANG",
    "P-BENTRE",
    "P-BACLIEU",
    "P-CAMAU",
    "P-KIENGIANG",
];

fn compiled() -> Compiled {
    let scheme: Scheme = serde_json::from_str(SCHEME).unwrap();
    Compiled::new(scheme).unwrap()
}

fn inputs() -> BTreeMap<String, Input> {
    serde_json::from_str(INPUTS).unwrap()
}

#[test]
fn the_provincial_scheme_has_the_promised_shape() {
    let c = compiled();
    assert!((55..=65).contains(&c.leaves.len()), "{}", c.leaves.len());
    assert_eq!(c.sections.len(), 6);
    assert_eq!(c.base_max, Points(1000 * 100));
    assert!(c.scheme.title.contains("cấp tỉnh năm 2024"));
    assert!(c.scheme.legal_basis.contains("424/QĐ-VKSTC"));
    let count = |f: fn(&LeafKind) -> bool| c.leaves.iter().filter(|l| f(&l.kind)).count();
    let bonus = count(|k| matches!(k, LeafKind::Bonus));
    let deduction = count(|k| matches!(k, LeafKind::Deduction { .. }));
    assert!((3..=5).contains(&bonus) && (3..=5).contains(&deduction));
    assert!(c.scheme.bonus_cap > Points::ZERO);
    assert_eq!(c.scheme.bands.len(), 4);
    assert_eq!(c.scheme.bands[3].min, Points::ZERO);
}

#[test]
fn the_cluster_13_entries_are_valid_complete_and_distinct() {
    let c = compiled();
    let inputs = inputs();
    let codes: Vec<&str> = inputs.keys().map(String::as_str).collect();
    let mut expected = CLUSTER_13.to_vec();
    expected.sort_unstable();
    assert_eq!(codes, expected);
    for code in &codes {
        assert!(
            UNITS
                .lines()
                .any(|l| l.starts_with(&format!("{code},provincial,"))),
            "{code} is not a provincial unit of the demo"
        );
    }
    let mut totals = Vec::new();
    for (code, input) in &inputs {
        c.validate(input).unwrap();
        let card = c.card(&c.leaf_points(input));
        assert!(card.missing.is_empty(), "{code}: {:?}", card.missing);
        // Every unit ends in the top two bands.
        assert!(matches!(card.band, Some(0 | 1)), "{code}: {}", card.total);
        totals.push(card.total);
    }
    let mut distinct = totals.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), totals.len(), "{totals:?}");
}

/// The leader and the runner-up are close enough that a reviewer's adjustment of one of the
/// leader's manual leaves by a few points swaps them: the case the cross-check is for.
#[test]
fn a_small_adjustment_of_the_leader_swaps_the_first_two() {
    let c = compiled();
    let inputs = inputs();
    let order: Vec<&String> = inputs.keys().collect();
    let leaf_points: Vec<_> = order.iter().map(|u| c.leaf_points(&inputs[*u])).collect();
    let ranked = |points: &[Vec<Option<Points>>]| -> Vec<&str> {
        let cards: Vec<_> = points.iter().map(|p| c.card(p)).collect();
        let refs: Vec<_> = cards.iter().collect();
        let mut by_pos: Vec<(usize, &str)> = c
            .rank(&refs)
            .iter()
            .zip(&order)
            .map(|(r, u)| (r.position, u.as_str()))
            .collect();
        by_pos.sort_unstable();
        by_pos.into_iter().map(|(_, u)| u).collect()
    };
    let before = ranked(&leaf_points);
    assert_eq!(&before[..2], ["P-KIENGIANG", "P-CAMAU"]);

    let (leader, leaf, lowered) = ("P-KIENGIANG", "II.2.4", Points(1650));
    c.validate_adjustment(
        leaf,
        lowered,
        "Thiếu tài liệu chứng minh kết quả thu hồi tài sản",
    )
    .unwrap();
    let u = order.iter().position(|u| *u == leader).unwrap();
    let l = c.leaf_index(leaf).unwrap();
    assert!(matches!(c.leaves[l].kind, LeafKind::Manual { .. }));
    let was = leaf_points[u][l].unwrap();
    assert!(was.0 - lowered.0 <= 300, "a few points, not {was}");
    let mut adjusted = leaf_points.clone();
    adjusted[u][l] = Some(lowered);
    let after = ranked(&adjusted);
    assert_eq!(&after[..2], ["P-CAMAU", "P-KIENGIANG"]);
    assert_eq!(before[2..], after[2..]);
}
