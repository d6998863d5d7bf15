//! Demo interference records: the seed's and a nation's worth for benchmarks.
use crate::{Actor, Change, Result, Store, StoreError};
use duban_domain::import::{self};
use duban_domain::records::{IntervenerCategory, Manner, Matter, Month};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::HashSet;

/// What the nationwide records generator made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NationRecords {
    pub filings: u64,
    pub records: u64,
    /// units planted as under-reporting (every filing a zero report)
    pub planted: Vec<String>,
}

impl Store {
    /// January–September 2020 for every staff member in the country (benchmarks): a filing each
    /// month, about one in 55 with a record (the seed's 43,143 records for nine months), the rest
    /// zero reports; units whose code ends in 07 (one in a hundred) file only zero reports, so that
    /// the flags have something to find. Set-based; skipped when filings exist.
    pub async fn load_nation_records(&self) -> Result<NationRecords> {
        // the generated staff (numbers N…); the demo's own staff keep the demo's filings
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM record_filings f JOIN staff s ON s.id = f.staff_id WHERE s.staff_no LIKE 'N%'",
        )
            .fetch_one(&self.pool)
            .await?;
        if n > 0 {
            return Ok(NationRecords::default());
        }
        let now = self.now_rfc3339();
        let mut w = self.write(&Actor::system("demo")).await?;
        sqlx::query(
            "CREATE TEMP TABLE nation_months (idx BIGINT PRIMARY KEY, month TEXT NOT NULL)",
        )
        .execute(&mut *w.tx)
        .await?;
        for (i, m) in Month::parse("2020-01")
            .map_err(StoreError::Invalid)?
            .through(Month::parse("2020-09").map_err(StoreError::Invalid)?)
            .iter()
            .enumerate()
        {
            sqlx::query("INSERT INTO nation_months (idx, month) VALUES ($1, $2)")
                .bind(i as i64)
                .bind(m.to_string())
                .execute(&mut *w.tx)
                .await?;
        }
        let has_record = "(s.id * 7 + m.idx * 13) % 55 = 0 AND u.code NOT LIKE '%07'";
        let filings = sqlx::query(crate::sqlf!(
            "INSERT INTO record_filings (staff_id, unit_id, department_id, month, zero_report, records, created_at) \
             SELECT s.id, s.unit_id, s.department_id, m.month, CASE WHEN {has_record} THEN 0 ELSE 1 END, CASE WHEN {has_record} THEN 1 ELSE 0 END, $1 \
             FROM staff s JOIN units u ON u.id = s.unit_id CROSS JOIN nation_months m WHERE s.staff_no LIKE 'N%' ORDER BY s.id, m.idx"
        ))
        .bind(&now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        let records = sqlx::query(
            "INSERT INTO interference_records (filing_id, occurred_on, intervener_name, intervener_unit, intervener_post, intervener_category, \
             is_procuratorate_staff, manner, scope, case_ref, content, created_at, month) \
             SELECT f.id, f.month || '-15', '某干部', '某单位', '某职务', CASE f.id % 3 WHEN 0 THEN 'leader' WHEN 1 THEN 'insider' ELSE 'other' END, \
             CASE WHEN f.id % 3 = 1 THEN 1 ELSE 0 END, CASE f.id % 5 WHEN 0 THEN 'in_person' WHEN 1 THEN 'phone' WHEN 2 THEN 'message' WHEN 3 THEN 'proxy' ELSE 'other' END, \
             CASE f.id % 5 WHEN 0 THEN 'case' WHEN 1 THEN 'appointment' WHEN 2 THEN 'project' WHEN 3 THEN 'construction' ELSE 'discipline' END, '', \
             '（基准测试生成的记录）过问案件办理情况', $1, f.month FROM record_filings f JOIN staff s ON s.id = f.staff_id WHERE f.records = 1 AND s.staff_no LIKE 'N%'",
        )
        .bind(&now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        sqlx::query("DROP TABLE nation_months")
            .execute(&mut *w.tx)
            .await?;
        let planted: Vec<String> = sqlx::query_scalar(
            "SELECT u.code FROM units u WHERE u.code LIKE '%07' AND EXISTS (SELECT 1 FROM staff s WHERE s.unit_id = u.id) ORDER BY u.code",
        )
        .fetch_all(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "demo.nation.records",
            entity: "record_filings",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"filings": filings, "records": records})),
        })
        .await?;
        w.commit().await?;
        self.analyze(&["record_filings", "interference_records"])
            .await?;
        Ok(NationRecords {
            filings,
            records,
            planted,
        })
    }
}

/// Sample interference records for the demo: (intervener, unit, post, category, procuratorate
/// staff?, manner, matter, content).
pub(crate) const DEMO_RECORDS: [(&str, &str, &str, &str, bool, &str, &str, &str); 6] = [
    (
        "王某",
        "某区人民政府",
        "副区长",
        "leader",
        false,
        "phone",
        "case",
        "电话询问一起合同诈骗案审查起诉进度，希望“依法从轻”，已告知依法办理并如实记录",
    ),
    (
        "李某",
        "某市中级人民法院",
        "庭长",
        "insider",
        false,
        "in_person",
        "case",
        "当面打听一起职务犯罪案件的量刑建议，未予透露，已报告部门负责人",
    ),
    (
        "张某",
        "本院",
        "退休干部",
        "insider",
        true,
        "message",
        "appointment",
        "通过微信为亲属干部选拔任用说情，已拒绝并记录",
    ),
    (
        "赵某",
        "某建筑公司",
        "总经理",
        "other",
        false,
        "proxy",
        "construction",
        "托人转交材料，请求在办公楼维修工程中给予关照，已拒收并报告",
    ),
    (
        "陈某",
        "某县委政法委",
        "副书记",
        "leader",
        false,
        "phone",
        "case",
        "电话要求对一起故意伤害案“尽快不起诉”，已说明须依法审查",
    ),
    (
        "刘某",
        "某律师事务所",
        "律师",
        "other",
        false,
        "other",
        "case",
        "以吃请方式打探案件办理情况，已拒绝并记录",
    ),
];

/// The demo's interference records, January–September 2020: staff for the SPP's departments (40
/// each) and the procuratorates of 浙江 and 广东 (200 at each provincial procuratorate, 80 at a city
/// and 50 at a basic one), filing monthly — about one staff-month in 40 with a record, a few not
/// filed. Planted so that the flags have something to show: the SPP's 第七检察厅 and 深圳市福田区
/// file only zero reports, and 广东省院 stops recording after June. Skipped when filings exist.
pub(crate) async fn load_demo_records(store: &Store) -> Result<()> {
    use crate::demo::{
        DISCIPLINE_GROUP, LOCAL_DEPARTMENTS, LOCAL_UNITS, SPP_CODE, SPP_DEPARTMENTS,
    };
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM record_filings")
        .fetch_one(&store.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    let mut units: Vec<(&str, i64)> = vec![(SPP_CODE, 1), ("330000", 2), ("440000", 2)];
    units.extend(LOCAL_UNITS.iter().map(|(c, _, l, _)| (*c, *l)));
    let mut w = store.write(&Actor::system("demo")).await?;
    let depts = crate::demo::department_ids(&mut w.tx).await?;
    let mut staff = Vec::new();
    let mut k = 0;
    for (code, level) in &units {
        let Some(uid): Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *w.tx)
            .await?
        else {
            continue;
        };
        let (names, per): (Vec<&str>, usize) = match level {
            1 => (
                SPP_DEPARTMENTS
                    .iter()
                    .copied()
                    .chain([DISCIPLINE_GROUP])
                    .collect(),
                40,
            ),
            2 => (LOCAL_DEPARTMENTS.to_vec(), 25),
            3 => (LOCAL_DEPARTMENTS.to_vec(), 10),
            _ => (LOCAL_DEPARTMENTS[..5].to_vec(), 10),
        };
        for (d, dept) in names.iter().enumerate() {
            let dept = depts.get(&(uid, dept.to_string())).copied();
            for i in 0..per {
                k += 1;
                staff.push(vec![
                    json!(format!("R{code}{d:02}{i:02}")),
                    json!(crate::demo::generated_name(k + 7)),
                    json!(uid),
                    json!(dept),
                    json!(if i == 0 {
                        "部门负责人"
                    } else {
                        "检察官"
                    }),
                    json!(0),
                ]);
            }
        }
    }
    crate::demo::insert_staff(&mut w.tx, &staff).await?;
    w.commit().await?;
    // every staff member of those units, the demo's named ones included
    let rows = sqlx::query(
        "SELECT s.id, u.code, COALESCE(d.name, '') AS department FROM staff s JOIN units u ON u.id = s.unit_id \
         LEFT JOIN departments d ON d.id = s.department_id ORDER BY s.id",
    )
    .fetch_all(&store.pool)
    .await?;
    let codes: HashSet<&str> = units.iter().map(|u| u.0).collect();
    let mut checked = import::CheckedRecords::default();
    let first = Month {
        year: 2020,
        month: 1,
    };
    for r in &rows {
        let (id, code, dept): (i64, String, String) = (
            r.try_get("id")?,
            r.try_get("code")?,
            r.try_get("department")?,
        );
        if !codes.contains(code.as_str()) {
            continue;
        }
        for (mi, month) in first
            .through(Month {
                year: 2020,
                month: 9,
            })
            .into_iter()
            .enumerate()
        {
            // a deterministic scramble of (staff, month)
            let h = crate::demo::mix((id as u64) * 16 + mi as u64) >> 24;
            let missing = if month.month == 9 { 60 } else { 12 };
            if h % 1000 < missing {
                continue; // not filed
            }
            let quiet = (code == SPP_CODE && dept == "第七检察厅")
                || code == "440304"
                || (code == "440000" && month.month > 6);
            let records = if quiet || h % 1000 < 975 {
                0
            } else {
                1 + (h / 1000 % 4 == 0) as u32
            };
            checked.filings.push(import::Filing {
                row: 0,
                staff_id: id,
                month,
                zero_report: records == 0,
                records,
            });
            for j in 0..records {
                let (name, unit, post, category, insider, manner, matter, content) =
                    DEMO_RECORDS[(h as usize / 7 + j as usize) % DEMO_RECORDS.len()];
                let day = 1 + (h / 100 % 27) as u32;
                checked.records.push((
                    id,
                    month,
                    import::RecordFields {
                        occurred_on: chrono::NaiveDate::from_ymd_opt(2020, month.month, day)
                            .unwrap_or_default(),
                        intervener_name: name.into(),
                        intervener_unit: unit.into(),
                        intervener_post: post.into(),
                        category: IntervenerCategory::parse(category)
                            .unwrap_or(IntervenerCategory::Other),
                        is_procuratorate_staff: insider,
                        manner: Manner::parse(manner).unwrap_or(Manner::Other),
                        matter: Matter::parse(matter).unwrap_or(Matter::Case),
                        case_ref: String::new(),
                        content: content.into(),
                    },
                ));
            }
        }
    }
    store
        .import_checked_records(&Actor::system("demo"), checked)
        .await?;
    Ok(())
}
