//! Demo documents: the 2024 emulation pact of cluster 13, adopted at its conference of
//! 29/3/2024 and signed by the leaders of its six members, as the seed article reports.

use std::collections::HashMap;

use anyhow::{anyhow, Result};
use rand::RngCore;
use thidua_domain::document::{self, DocumentKind};
use thidua_domain::signature::{self, KdfParams, SigningStatement};
use thidua_store::{AuditCtx, NewSignature, Store};

use crate::demo::DEMO_PASSWORD;

/// The leaders of cluster 13's members, host first.
const SIGNERS: [(&str, &str); 6] = [
    ("P-TRAVINH", "lanhdao.travinh"),
    ("P-SOCTRANG", "lanhdao.soctrang"),
    ("P-BENTRE", "lanhdao.bentre"),
    ("P-BACLIEU", "lanhdao.baclieu"),
    ("P-CAMAU", "lanhdao.camau"),
    ("P-KIENGIANG", "lanhdao.kiengiang"),
];

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::thread_rng().fill_bytes(&mut b);
    b
}

pub async fn load(store: &Store) -> Result<bool> {
    if store.meta("demo_documents").await?.as_deref() == Some("1") {
        return Ok(false);
    }
    let ctx = AuditCtx {
        actor: Some("demo".into()),
        address: None,
    };
    let year_id = store
        .list_councils()
        .await?
        .into_iter()
        .find(|c| c.name.contains("ngành"))
        .ok_or_else(|| anyhow!("sector council missing"))
        .map(|c| c.id)?;
    let year_id = store
        .year_of(&year_id, 2024)
        .await?
        .ok_or_else(|| anyhow!("year 2024 missing"))?;
    let year = store.get_year(&year_id).await?;
    let group = store
        .groups_of_year(&year_id)
        .await?
        .into_iter()
        .find(|g| g.kind == "cluster" && g.number == 13)
        .ok_or_else(|| anyhow!("cluster 13 missing"))?;
    let conference = store
        .conferences_of(&group.id)
        .await?
        .into_iter()
        .find(|c| c.kind == "pact_signing")
        .ok_or_else(|| anyhow!("cluster 13 conference missing"))?;
    let mut users = HashMap::new();
    for (code, username) in SIGNERS {
        let u = store
            .user_by_name(username)
            .await?
            .ok_or_else(|| anyhow!("demo account {username} missing"))?;
        users.insert(code, u);
    }
    let author = &users["P-TRAVINH"];

    let docs: Vec<(String, String, String, String)> = year
        .documents
        .iter()
        .map(|d| {
            let date = d
                .date
                .as_deref()
                .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default();
            (d.number.clone(), date, d.issuer.clone(), d.title.clone())
        })
        .collect();
    let mut pact = document::template(
        DocumentKind::Pact,
        2024,
        &group.name,
        &year.theme,
        &year.motto,
        &docs,
    );
    pact.number = Some("01/GƯTĐ-CTĐ13".into());
    pact.place = Some("Trà Vinh".into());
    pact.date = chrono::NaiveDate::from_ymd_opt(2024, 3, 29);
    let pact = document::validate(&pact)?;
    let d = store
        .create_group_document(
            &ctx,
            &group.id,
            None,
            &pact,
            "Dự thảo do đồng chí Trần Thị Huyền Trân trình bày tại Hội nghị",
            &author.id,
        )
        .await?;
    let v = store
        .adopt_document_version(
            &ctx,
            &d.id,
            1,
            &conference.id,
            "6/6 đơn vị thành viên nhất trí thông qua",
            &author.id,
        )
        .await?;

    // The demo CA (trusted only by a server started with --demo) and a certificate for every
    // demo leader, sealed under the demo password, so each can sign PDFs (PAdES) live too.
    let ca = thidua_pdf::pades::DemoCa::generate("Thi Dua demo CA")?;
    store
        .add_trust_anchor(
            &ctx,
            "CA thử nghiệm của Thi Đua (chỉ dùng cho dữ liệu mẫu)",
            &ca.cert_der()?,
            true,
        )
        .await?;
    let mut certificates = HashMap::new();
    let leaders = SIGNERS
        .iter()
        .map(|(code, username)| (*username, *code))
        .chain(crate::demo::LEADERS.iter().map(|(u, _, code)| (*u, *code)));
    for (username, code) in leaders {
        if certificates.contains_key(username) {
            continue;
        }
        let Some(user) = store.user_by_name(username).await? else {
            continue;
        };
        let unit = store
            .unit_by_code(code)
            .await?
            .ok_or_else(|| anyhow!("unit {code} missing"))?;
        let p12 = ca.issue_p12(&user.display_name, &unit.name, DEMO_PASSWORD)?;
        let subject = thidua_pdf::pades::p12_subject(&p12, DEMO_PASSWORD)?;
        let id = store
            .add_signing_certificate(&ctx, &user.id, &subject, &p12)
            .await?;
        certificates.insert(
            username,
            thidua_store::SigningCertificate {
                id,
                user_id: user.id.clone(),
                subject,
                p12,
            },
        );
    }
    let app = thidua_web::AppState {
        store: store.clone(),
        config: std::sync::Arc::new(thidua_web::WebConfig::default()),
    };
    let signed_at = chrono::DateTime::parse_from_rfc3339("2024-03-29T03:30:00Z")?.to_utc();

    // Each leader's key, sealed under the demo password. Derivations run side by side.
    let mut jobs = Vec::new();
    for (code, _) in SIGNERS {
        jobs.push(tokio::task::spawn_blocking(move || {
            let seed = random::<32>();
            let sealed = signature::seal_new_key(
                seed,
                random(),
                random(),
                DEMO_PASSWORD,
                KdfParams::default(),
            );
            (code, seed, sealed)
        }));
    }
    for job in jobs {
        let (code, seed, sealed) = job.await?;
        let sealed = sealed?;
        let user = &users[code];
        let unit_id = store
            .unit_by_code(code)
            .await?
            .ok_or_else(|| anyhow!("unit {code} missing"))?
            .id;
        let statement = SigningStatement {
            document_id: d.id.clone(),
            version: v.version,
            content_hash: v.content_hash.clone(),
            signer_user_id: user.id.clone(),
            unit_id: unit_id.clone(),
            signed_at: "2024-03-29T03:30:00.000000Z".into(),
        };
        let sig = signature::sign(&signature::signing_key_from_seed(seed), &statement);
        store
            .sign_document(
                &ctx,
                &NewSignature {
                    document_id: d.id.clone(),
                    version: v.version,
                    unit_id,
                    user_id: user.id.clone(),
                    signer_name: user.display_name.clone(),
                    signer_title: "VIỆN TRƯỞNG".into(),
                    key_id: uuid::Uuid::now_v7().to_string(),
                    new_key: Some(sealed),
                    statement,
                    signature: sig,
                    address: "Hội trường VKSND tỉnh Trà Vinh".into(),
                    pades: None,
                },
            )
            .await?;
    }
    // The PDF issued after the ceremony (the six names printed), then each leader's PAdES
    // signature appended in turn, as they would sign it with their certificates.
    for (_, username) in SIGNERS {
        let cert = &certificates[username];
        let user = store
            .user_by_name(username)
            .await?
            .ok_or_else(|| anyhow!("demo account {username} missing"))?;
        let a = thidua_web::pdf::pades_append(
            &app,
            &d.id,
            v.version,
            cert,
            DEMO_PASSWORD,
            &user.display_name,
            signed_at,
        )
        .await
        .map_err(|e| anyhow!("PAdES signature of the demo pact: {e:?}"))?;
        store.append_version_pdf(&ctx, &d.id, v.version, &a).await?;
    }
    let mut tx = store.begin(&ctx).await?;
    tx.set_meta("demo_documents", "1").await?;
    tx.commit().await?;
    Ok(true)
}
