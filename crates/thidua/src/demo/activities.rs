//! Demo activities of 2024 cluster 13 and the published news article about its conference
//! of 29/3/2024, drafted from the stored conference by the same function the pages use.
//!
//! Seed 000 reports the conference (held) and says the members agreed to organise cultural
//! and sports exchanges and exchanges of experience during the year; it gives no dates for
//! them. Those rows, the inspection, the mid-year review and the year-end conference are
//! therefore marked "minh họa" (invented for the demo) in their note, with planned status.

use anyhow::{anyhow, Result};
use thidua_domain::activity::ActivityInput;
use thidua_store::{AuditCtx, Owner, Store};

struct Row {
    title: &'static str,
    kind: &'static str,
    starts_on: &'static str,
    ends_on: Option<&'static str>,
    host: &'static str,
    place: &'static str,
    participants: &'static str,
    status: &'static str,
    report: &'static str,
    note: &'static str,
}

const INVENTED: &str = "Dữ liệu minh họa: ngày, nơi tổ chức do bản demo giả định; bài viết chỉ nêu Cụm sẽ tổ chức hoạt động này.";

const ROWS: &[Row] = &[
    Row {
        title: "Hội nghị ký kết giao ước thi đua năm 2024",
        kind: "conference",
        starts_on: "2024-03-29",
        ends_on: None,
        host: "P-TRAVINH",
        place: "Hội trường VKSND tỉnh Trà Vinh",
        participants: "Lãnh đạo VKSND 06 tỉnh: Trà Vinh, Sóc Trăng, Bến Tre, Bạc Liêu, Cà Mau, Kiên Giang\nĐại diện Cụm thi đua số 10 năm 2023: VKSND tỉnh Vĩnh Long, Đồng Tháp\nCông chức tham mưu công tác thi đua, khen thưởng của các đơn vị trong Cụm",
        status: "held",
        report: "Hội nghị thông qua Kế hoạch phát động phong trào thi đua năm 2024 và Bản giao ước thi đua năm 2024 của Cụm thi đua số 13; các thành viên ký kết giao ước.\n\nTất cả 06/06 VKSND tỉnh trong Cụm đăng ký danh hiệu \"Cờ thi đua của Chính phủ\". VKSND tỉnh Trà Vinh tổ chức chia tay các thành viên Cụm thi đua số 10 năm 2023.",
        note: "Theo bài viết về Hội nghị ngày 29/3/2024 của Cụm thi đua số 13.",
    },
    Row {
        title: "Giao lưu văn hóa, văn nghệ, thể dục thể thao Cụm thi đua số 13",
        kind: "culture_sports",
        starts_on: "2024-05-17",
        ends_on: Some("2024-05-18"),
        host: "P-SOCTRANG",
        place: "VKSND tỉnh Sóc Trăng",
        participants: "Công chức, người lao động VKSND 06 tỉnh trong Cụm",
        status: "planned",
        report: "",
        note: INVENTED,
    },
    Row {
        title: "Sơ kết 6 tháng đầu năm 2024 thực hiện giao ước thi đua",
        kind: "mid_year_review",
        starts_on: "2024-07-12",
        ends_on: None,
        host: "P-TRAVINH",
        place: "Trực tuyến",
        participants: "Lãnh đạo VKSND 06 tỉnh trong Cụm",
        status: "planned",
        report: "",
        note: INVENTED,
    },
    Row {
        title: "Giao lưu, học tập kinh nghiệm về ứng dụng công nghệ thông tin và chuyển đổi số",
        kind: "experience_exchange",
        starts_on: "2024-08-22",
        ends_on: Some("2024-08-23"),
        host: "P-KIENGIANG",
        place: "VKSND tỉnh Kiên Giang",
        participants: "Lãnh đạo và công chức phụ trách công nghệ thông tin của các đơn vị trong Cụm",
        status: "planned",
        report: "",
        note: INVENTED,
    },
    Row {
        title: "Kiểm tra, đôn đốc thực hiện giao ước thi đua năm 2024",
        kind: "inspection",
        starts_on: "2024-10-08",
        ends_on: Some("2024-10-11"),
        host: "P-TRAVINH",
        place: "VKSND các tỉnh trong Cụm",
        participants: "Cụm trưởng, Cụm phó và công chức tham mưu công tác thi đua, khen thưởng",
        status: "planned",
        report: "",
        note: INVENTED,
    },
    Row {
        title: "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2024 của Cụm",
        kind: "conference",
        starts_on: "2024-12-13",
        ends_on: None,
        host: "P-TRAVINH",
        place: "Hội trường VKSND tỉnh Trà Vinh",
        participants: "Lãnh đạo VKSND 06 tỉnh trong Cụm",
        status: "planned",
        report: "",
        note: INVENTED,
    },
];

/// Load the demo activities and news unless this database has them. Needs `load_groups`
/// and `load_registrations` first (the article tells the registrations).
pub async fn load_activities(store: &Store) -> Result<bool> {
    if store.meta("demo_activities").await?.as_deref() == Some("1") {
        return Ok(false);
    }
    let ctx = AuditCtx {
        actor: Some("demo".into()),
        address: None,
    };
    let units = store.all_units().await?;
    let unit = |code: &str| {
        units
            .iter()
            .find(|u| u.code == code)
            .map(|u| u.id.clone())
            .ok_or_else(|| anyhow!("demo unit {code} missing"))
    };
    let sector = unit("VKSTC")?;
    let council = store
        .list_councils()
        .await?
        .into_iter()
        .find(|c| c.unit_id == sector)
        .ok_or_else(|| anyhow!("demo sector council missing"))?;
    let year = store
        .year_of(&council.id, 2024)
        .await?
        .ok_or_else(|| anyhow!("demo year 2024 missing"))?;
    let c13 = store
        .groups_of_year(&year)
        .await?
        .into_iter()
        .find(|g| g.kind == "cluster" && g.number == 13)
        .ok_or_else(|| anyhow!("demo cluster 13 missing"))?;
    for r in ROWS {
        let d = ActivityInput {
            title: r.title.into(),
            kind: r.kind.into(),
            starts_on: r.starts_on.into(),
            ends_on: r.ends_on.map(str::to_owned),
            host_unit_id: Some(unit(r.host)?),
            place: Some(r.place.into()),
            participants: Some(r.participants.into()),
            status: Some(r.status.into()),
            report: Some(r.report.into()),
            note: Some(r.note.into()),
        }
        .validate()
        .map_err(|e| anyhow!("demo activity {}: {e}", r.title))?;
        store
            .create_activity(&ctx, &Owner::Group(c13.id.clone()), &d)
            .await?;
    }
    let conf = store
        .conferences_of(&c13.id)
        .await?
        .into_iter()
        .find(|c| c.starts_at.starts_with("2024-03-29"))
        .ok_or_else(|| anyhow!("demo conference of 29/3/2024 missing"))?;
    let article =
        thidua_web::activities::draft_article(store, &ctx, &conf, "Đoàn Văn Thắng").await?;
    store.set_article_published(&ctx, &article.id, true).await?;
    let mut tx = store.begin(&ctx).await?;
    tx.set_meta("demo_activities", "1").await?;
    tx.commit().await?;
    Ok(true)
}
