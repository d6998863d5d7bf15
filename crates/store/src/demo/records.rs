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
    /// provincial procuratorates and SPP departments planted as under-reporting
    pub planted: Vec<String>,
}

/// The seed's records for January–September 2020 (今年1至9月共记录报告43143件次).
pub const NATION_RECORDS: u64 = 43_143;
/// The provincial procuratorates and SPP departments whose generated staff never record (the
/// seed's supervision letters went to 6 provinces and 9 departments): those whose demo staff
/// record least, so that the rules find them.
pub const UNDER_REPORTING_PROVINCES: [&str; 6] =
    ["130000", "210000", "360000", "440000", "510000", "620000"];
pub const UNDER_REPORTING_DEPARTMENTS: [&str; 9] = [
    "第七检察厅",
    "第八检察厅",
    "计划财务装备局",
    "第一检察厅",
    "检务督察局",
    "第二检察厅",
    "第六检察厅",
    "控告申诉检察厅",
    "第五检察厅",
];
/// Records per staff-month at the SPP's departments and the provincial procuratorates; the
/// city and basic levels share what remains of the seed's total.
const SPP_RATE: f64 = 0.04;
const PROVINCE_RATE: f64 = 0.03;

/// One group of the generator (a unit, or a department of the SPP): its generated staff-months,
/// the demo's own filings and records in the period, and the level it is compared within.
struct Group {
    key: String,
    level: i64,
    planted: bool,
    generated: u64,
    demo_months: u64,
    demo_records: u64,
}

/// Records per group: each group's total (the demo's records and the generated ones) at its
/// level's rate of its staff-months, cumulatively rounded so that the sum is exact; planted
/// groups get none. Returns (key, records, generated staff-months).
fn quotas(groups: &[Group], total: u64) -> Vec<(String, u64, u64)> {
    let mut out = Vec::new();
    let demo: u64 = groups.iter().map(|g| g.demo_records).sum();
    let mut left = total.saturating_sub(demo);
    let mut spread = |members: Vec<&Group>, rate: Option<f64>, left: &mut u64| {
        let months: u64 = members.iter().map(|g| g.generated + g.demo_months).sum();
        let own: u64 = members.iter().map(|g| g.demo_records).sum();
        let rate = rate.unwrap_or((*left + own) as f64 / months.max(1) as f64);
        let (mut cum_months, mut cum_demo, mut given) = (0u64, 0u64, 0u64);
        for g in members {
            cum_months += g.generated + g.demo_months;
            cum_demo += g.demo_records;
            let target = ((rate * cum_months as f64).round() as u64).saturating_sub(cum_demo);
            let n = target.saturating_sub(given).min(g.generated).min(*left);
            given += n;
            *left -= n;
            out.push((g.key.clone(), n, g.generated));
        }
    };
    let of = |level: i64| -> Vec<&Group> {
        groups
            .iter()
            .filter(|g| !g.planted && g.level == level)
            .collect()
    };
    spread(of(0), Some(SPP_RATE), &mut left);
    spread(of(2), Some(PROVINCE_RATE), &mut left);
    let rest: Vec<&Group> = groups
        .iter()
        .filter(|g| !g.planted && g.level >= 3)
        .collect();
    spread(rest, None, &mut left);
    out
}

impl Store {
    /// January–September 2020 for every generated staff member in the country: a filing each
    /// month, a record in some, so that the country's records are the seed's 43,143 exactly
    /// (the demo's own included), spread evenly over each group's months at its level's rate;
    /// the generated staff of 6 provincial procuratorates and 9 SPP departments never record,
    /// so that the flags find the seed's 6 and 9. Set-based; skipped when filings exist.
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
        let months = Month::parse("2020-01")
            .map_err(StoreError::Invalid)?
            .through(Month::parse("2020-09").map_err(StoreError::Invalid)?);
        let key = "CASE WHEN u.parent_id IS NULL THEN 'd' || CAST(COALESCE(x.department_id, 0) AS TEXT) ELSE 'u' || CAST(u.id AS TEXT) END";
        let mut groups: std::collections::BTreeMap<String, Group> = Default::default();
        for r in sqlx::query(crate::sqlf!(
            "SELECT {key} AS k, u.level, u.code, COALESCE(d.name, '') AS dept, COUNT(*) AS n FROM staff x JOIN units u ON u.id = x.unit_id \
             LEFT JOIN departments d ON d.id = x.department_id WHERE x.staff_no LIKE 'N%' AND u.kind = 'procuratorate' GROUP BY {key}, u.level, u.code, d.name"
        ))
        .fetch_all(&self.pool)
        .await?
        {
            let (k, level, code, dept): (String, i64, String, String) = (
                r.try_get("k")?,
                crate::int(&r, "level")?,
                r.try_get("code")?,
                r.try_get("dept")?,
            );
            let level = if k.starts_with('d') { 0 } else { level };
            let planted = (level == 2 && UNDER_REPORTING_PROVINCES.contains(&code.as_str()))
                || (level == 0 && UNDER_REPORTING_DEPARTMENTS.contains(&dept.as_str()));
            // a unit's staff come in a row per department
            groups
                .entry(k.clone())
                .or_insert(Group {
                    key: k,
                    level,
                    planted,
                    generated: 0,
                    demo_months: 0,
                    demo_records: 0,
                })
                .generated += crate::int(&r, "n")? as u64 * months.len() as u64;
        }
        for r in sqlx::query(crate::sqlf!(
            "SELECT {key} AS k, u.level, COUNT(*) AS n, CAST(COALESCE(SUM(x.records), 0) AS BIGINT) AS records FROM record_filings x JOIN units u ON u.id = x.unit_id \
             WHERE x.month >= $1 AND x.month <= $2 GROUP BY {key}, u.level"
        ))
        .bind(months[0].to_string())
        .bind(months[months.len() - 1].to_string())
        .fetch_all(&self.pool)
        .await?
        {
            let k: String = r.try_get("k")?;
            let level = if k.starts_with('d') { 0 } else { crate::int(&r, "level")? };
            let g = groups.entry(k.clone()).or_insert(Group {
                key: k,
                level,
                planted: true,
                generated: 0,
                demo_months: 0,
                demo_records: 0,
            });
            g.demo_months = crate::int(&r, "n")? as u64;
            g.demo_records = crate::int(&r, "records")? as u64;
        }
        let groups: Vec<Group> = groups.into_values().collect();
        let quota = quotas(&groups, NATION_RECORDS);
        let now = self.now_rfc3339();
        let mut w = self.write(&Actor::system("demo")).await?;
        sqlx::query(
            "CREATE TEMP TABLE nation_months (idx BIGINT PRIMARY KEY, month TEXT NOT NULL)",
        )
        .execute(&mut *w.tx)
        .await?;
        sqlx::query("CREATE TEMP TABLE nation_quota (k TEXT PRIMARY KEY, n BIGINT NOT NULL, m BIGINT NOT NULL)")
            .execute(&mut *w.tx)
            .await?;
        for (i, m) in months.iter().enumerate() {
            sqlx::query("INSERT INTO nation_months (idx, month) VALUES ($1, $2)")
                .bind(i as i64)
                .bind(m.to_string())
                .execute(&mut *w.tx)
                .await?;
        }
        for chunk in quota.chunks(5_000) {
            let rows: Vec<serde_json::Value> =
                chunk.iter().map(|(k, n, m)| json!([k, n, m])).collect();
            sqlx::query(crate::sqlf!(
                "INSERT INTO nation_quota (k, n, m) SELECT j.value ->> 0, CAST(j.value ->> 1 AS BIGINT), CAST(j.value ->> 2 AS BIGINT) FROM {}",
                self.json_rows(1)
            ))
            .bind(serde_json::Value::Array(rows).to_string())
            .execute(&mut *w.tx)
            .await?;
        }
        // the k-th of a group's m staff-months (month by month) records when the running share
        // of its n records steps up: n spread evenly, exactly
        let filings = sqlx::query(crate::sqlf!(
            "INSERT INTO record_filings (staff_id, unit_id, department_id, month, zero_report, records, created_at) \
             SELECT y.staff_id, y.unit_id, y.department_id, y.month, 1 - y.rec, y.rec, $1 FROM ( \
             SELECT x.id AS staff_id, x.unit_id, x.department_id, m.month, m.idx, \
             CASE WHEN q.m > 0 AND (ROW_NUMBER() OVER (PARTITION BY q.k ORDER BY m.idx, x.id)) * q.n / q.m \
             > (ROW_NUMBER() OVER (PARTITION BY q.k ORDER BY m.idx, x.id) - 1) * q.n / q.m THEN 1 ELSE 0 END AS rec \
             FROM staff x JOIN units u ON u.id = x.unit_id JOIN nation_quota q ON q.k = {key} CROSS JOIN nation_months m \
             WHERE x.staff_no LIKE 'N%') y ORDER BY y.staff_id, y.idx"
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
        sqlx::query("DROP TABLE nation_quota")
            .execute(&mut *w.tx)
            .await?;
        let mut planted: Vec<String> = UNDER_REPORTING_PROVINCES
            .iter()
            .map(|c| c.to_string())
            .collect();
        planted.extend(UNDER_REPORTING_DEPARTMENTS.iter().map(|d| d.to_string()));
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
        self.load_nation_supervision_letters().await?;
        Ok(NationRecords {
            filings,
            records,
            planted,
        })
    }
}

impl Store {
    /// The SPP's 督促函 of October 2020 to the provincial procuratorates and its departments
    /// that the flags find for January–September (generated history: dated as the seed's).
    async fn load_nation_supervision_letters(&self) -> Result<()> {
        let (from, to) = (
            Month::parse("2020-01").map_err(StoreError::Invalid)?,
            Month::parse("2020-09").map_err(StoreError::Invalid)?,
        );
        let rules = self.supervision_rules().await?.records_flags;
        let flags = self.flag_records(from, to, None, &rules).await?;
        let mut w = self.write(&Actor::system("demo")).await?;
        let mut number: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(number), 0) FROM supervision_letters WHERE year = 2020",
        )
        .fetch_one(&mut *w.tx)
        .await?;
        for f in flags
            .iter()
            .filter(|f| f.group == "第2级" || f.group == "最高检内设部门")
        {
            let code = f.unit_code.split('/').next().unwrap_or_default();
            number += 1;
            sqlx::query(
                "INSERT INTO supervision_letters (unit_id, subject_code, subject_name, period, body, year, number, issued_on, due_on, author, created_at) \
                 SELECT u.id, $2, $3, $4, $5, 2020, $6, '2020-10-16', '2020-11-15', 'demo', $7 FROM units u WHERE u.code = $1",
            )
            .bind(code)
            .bind(&f.unit_code)
            .bind(&f.name)
            .bind(format!("{from}..{to}"))
            .bind(duban_domain::records::draft_letter(f, from, to))
            .bind(number)
            .bind(self.now_rfc3339())
            .execute(&mut *w.tx)
            .await?;
        }
        w.audit(Change {
            action: "demo.nation.supervision_letters",
            entity: "supervision_letter",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"letters": number})),
        })
        .await?;
        w.commit().await
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
