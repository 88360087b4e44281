//! Demo title registrations: the seed articles' cases (2024 cluster 13: 6/6 units for the
//! Government Emulation Flag; 2022 An Giang cluster 2: 3 units for the sector flag and 2 for
//! Excellent Labour Collective), the awards the articles mention, and two invented people
//! (marked "minh họa") that show eligibility at work. Each row of the data files says its
//! source and what is invented.

use std::collections::HashMap;

use anyhow::{anyhow, bail, Result};
use thidua_domain::unit::{parse_date, PersonInput};
use thidua_store::{AuditCtx, AwardDraft, PersonFact, RegOutcome, RegistrationDraft, Store};

use super::{opt, records};

const AWARDS: &str = include_str!("../../demo/awards.csv");
const REGISTRATIONS: &str = include_str!("../../demo/registrations.csv");
const PEOPLE: &str = include_str!("../../demo/people-registration.csv");

/// Load the demo registrations unless this database has them. Needs `load_groups` first.
pub async fn load_registrations(store: &Store) -> Result<bool> {
    if store.meta("demo_registrations").await?.as_deref() == Some("1") {
        return Ok(false);
    }
    let ctx = AuditCtx {
        actor: Some("demo".into()),
        address: None,
    };
    let mut units: HashMap<String, String> = HashMap::new();
    for u in store.all_units().await? {
        units.insert(u.code.clone(), u.id.clone());
    }
    let unit = |code: &str| {
        units
            .get(code)
            .cloned()
            .ok_or_else(|| anyhow!("demo unit {code} missing"))
    };
    let mut people: HashMap<String, String> = HashMap::new();
    for p in records(PEOPLE)? {
        let name = opt(&p, "full_name").ok_or_else(|| anyhow!("person without a name"))?;
        let draft = PersonInput {
            full_name: name.clone(),
            position: opt(&p, "position").unwrap_or_default(),
            unit_id: unit(&opt(&p, "unit_code").unwrap_or_default())?,
            valid_from: opt(&p, "valid_from"),
            valid_to: opt(&p, "valid_to"),
        }
        .validate()
        .map_err(|e| anyhow!("demo person {name}: {e}"))?;
        let person = store.create_person(&ctx, &draft).await?;
        if let Some(d) = opt(&p, "recruited_on") {
            store
                .add_person_fact(
                    &ctx,
                    &person.id,
                    &PersonFact {
                        kind: "recruited".into(),
                        year: parse_date(&d).map(|d| chrono::Datelike::year(&d) as i64),
                        date: Some(d),
                        detail: "Ngày tuyển dụng (dữ liệu minh họa)".into(),
                    },
                )
                .await?;
        }
        people.insert(name, person.id);
    }
    let person = |name: Option<String>| -> Result<Option<String>> {
        name.map(|n| {
            people
                .get(&n)
                .cloned()
                .ok_or_else(|| anyhow!("demo person {n} missing"))
        })
        .transpose()
    };
    for a in records(AWARDS)? {
        let year: i64 = opt(&a, "year").unwrap_or_default().parse()?;
        store
            .record_award(
                &ctx,
                &AwardDraft {
                    year,
                    title_code: opt(&a, "title_code").unwrap_or_default(),
                    unit_id: unit(&opt(&a, "unit_code").unwrap_or_default())?,
                    person_id: person(opt(&a, "person"))?,
                    decision_number: opt(&a, "decision_number"),
                    decision_date: None,
                    issuer: opt(&a, "issuer"),
                    note: opt(&a, "source"),
                },
            )
            .await?;
    }
    for r in records(REGISTRATIONS)? {
        let council_unit = unit(&opt(&r, "council_unit").unwrap_or_default())?;
        let council = store
            .list_councils()
            .await?
            .into_iter()
            .find(|c| c.unit_id == council_unit)
            .ok_or_else(|| anyhow!("demo council missing"))?;
        let year: i64 = opt(&r, "year").unwrap_or_default().parse()?;
        let year_id = store
            .year_of(&council.id, year)
            .await?
            .ok_or_else(|| anyhow!("demo year {year} missing"))?;
        let on = opt(&r, "registered_on")
            .as_deref()
            .and_then(parse_date)
            .ok_or_else(|| anyhow!("registered_on"))?;
        let draft = RegistrationDraft {
            unit_id: unit(&opt(&r, "unit_code").unwrap_or_default())?,
            person_id: person(opt(&r, "person"))?,
            title_code: opt(&r, "title_code").unwrap_or_default(),
        };
        match store
            .register_title(&ctx, &year_id, &draft, "demo", on)
            .await?
        {
            RegOutcome::Registered(_) => {}
            RegOutcome::Ineligible(f) => bail!("demo registration refused: {f:?}"),
        }
    }
    let mut tx = store.begin(&ctx).await?;
    tx.set_meta("demo_registrations", "1").await?;
    tx.commit().await?;
    Ok(true)
}
