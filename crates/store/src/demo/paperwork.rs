//! Demo paperwork: the seed's documents, meetings, study sessions and visits of 2020.
use crate::{Actor, Change, Result, Store};
use chrono::NaiveDate;
use duban_domain::paperwork::Kind;
use serde_json::json;

/// The demo's registry at the SPP: documents and meetings for January–September of 2019 and
/// 2020 (70 → 64 documents, −9%; 8 → 5 meetings, −37.5%), the party group's 8 collective study
/// sessions and the discipline group's 18 in 2020, 55 research visits, and the internal meetings
/// (the party-building leading group's 2, the party secretaries' 4). Skipped when entries exist.
pub(crate) async fn load_demo_paperwork(store: &Store) -> Result<()> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM paperwork")
        .fetch_one(&store.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    let Some(spp): Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE code = $1")
        .bind(crate::demo::SPP_CODE)
        .fetch_optional(&store.pool)
        .await?
    else {
        return Ok(());
    };
    let day = |y: i32, k: u32, n: u32| {
        // spread over January–September
        let ordinal = 1 + k * 270 / n.max(1);
        NaiveDate::from_yo_opt(y, ordinal).unwrap_or_default()
    };
    let mut rows: Vec<serde_json::Value> = Vec::new();
    let mut add = |kind: Kind,
                   y: i32,
                   n: u32,
                   title: &dyn Fn(u32) -> String,
                   number: &dyn Fn(u32) -> String,
                   organiser: &str| {
        for k in 0..n {
            rows.push(json!([
                kind.as_str(),
                day(y, k, n).to_string(),
                title(k),
                number(k),
                organiser
            ]));
        }
    };
    for (y, docs, meetings) in [(2019, 70, 8), (2020, 64, 5)] {
        add(
            Kind::Document,
            y,
            docs,
            &|k| {
                format!(
                    "关于{}的通知",
                    [
                        "加强检察建议工作",
                        "规范司法办案",
                        "推进检务公开",
                        "做好信访工作",
                        "加强队伍建设"
                    ][k as usize % 5]
                )
            },
            &|k| format!("高检发〔{y}〕{}号", k + 1),
            "最高人民检察院",
        );
        add(
            Kind::Meeting,
            y,
            meetings,
            &|k| format!("全国检察机关第{}次工作会议", k + 1),
            &|_| String::new(),
            "最高人民检察院",
        );
    }
    add(
        Kind::Study,
        2020,
        8,
        &|k| format!("党组理论学习中心组第{}次集体学习", k + 1),
        &|_| String::new(),
        "党组",
    );
    add(
        Kind::Study,
        2020,
        18,
        &|k| format!("纪检监察组第{}次集体学习", k + 1),
        &|_| String::new(),
        "驻最高人民检察院纪检监察组",
    );
    add(
        Kind::Internal,
        2020,
        2,
        &|_| "会议，专题研究机关党建工作".to_string(),
        &|_| String::new(),
        "机关党建工作领导小组暨党风廉政建设领导小组",
    );
    add(
        Kind::Internal,
        2020,
        4,
        &|_| "各部门党组织书记会议".to_string(),
        &|_| String::new(),
        "机关党委",
    );
    add(
        Kind::Visit,
        2020,
        55,
        &|k| format!("赴基层检察院调研（第{}次）", k + 1),
        &|_| String::new(),
        "院领导",
    );
    let mut w = store.write(&Actor::system("demo")).await?;
    sqlx::query(crate::sqlf!(
        "INSERT INTO paperwork (unit_id, kind, held_on, title, number, organiser, author, created_at) \
         SELECT $2, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, '办公厅', $3 FROM {}",
        store.json_rows(1)
    ))
    .bind(serde_json::Value::Array(rows).to_string())
    .bind(spp)
    .bind(store.now_rfc3339())
    .execute(&mut *w.tx)
    .await?;
    w.audit(Change {
        action: "paperwork.demo",
        entity: "paperwork",
        entity_id: "*".into(),
        unit_id: Some(spp),
        before: None,
        after: None,
    })
    .await?;
    w.commit().await
}
