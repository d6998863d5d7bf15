//! Demo data: the SPP as the seed describes it, one account per role, and the nationwide
//! generator used by every benchmark. Loading twice changes nothing.
mod discipline;
mod inspections;
mod letters;
mod paperwork;
mod publications;
mod quality;
mod records;
pub use quality::*;
pub use records::*;
mod nation;
pub mod rectification;
use crate::backup::insert_rows;
use crate::org::recompute_paths;
use crate::{Actor, Change, Result, Store};
use duban_domain::auth::hash_password;
use duban_domain::org::Role;
pub use nation::NATION_AS_OF;
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::HashMap;

pub const DEMO_PASSWORD: &str = "duban2020";
/// The day the seed reports on and the demo's data describe: a demo database's clock is pinned to
/// it ([`crate::clock`]).
pub const DEMO_DAY: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2020, 11, 5) {
    Some(d) => d,
    None => panic!("the demo's day"),
};
pub const SPP_CODE: &str = "100000";

/// The 32 provincial-level procuratorates (31 provinces + the Xinjiang Production and
/// Construction Corps), with their administrative-division codes.
pub const PROVINCES: [(&str, &str); 32] = [
    ("110000", "北京市"),
    ("120000", "天津市"),
    ("130000", "河北省"),
    ("140000", "山西省"),
    ("150000", "内蒙古自治区"),
    ("210000", "辽宁省"),
    ("220000", "吉林省"),
    ("230000", "黑龙江省"),
    ("310000", "上海市"),
    ("320000", "江苏省"),
    ("330000", "浙江省"),
    ("340000", "安徽省"),
    ("350000", "福建省"),
    ("360000", "江西省"),
    ("370000", "山东省"),
    ("410000", "河南省"),
    ("420000", "湖北省"),
    ("430000", "湖南省"),
    ("440000", "广东省"),
    ("450000", "广西壮族自治区"),
    ("460000", "海南省"),
    ("500000", "重庆市"),
    ("510000", "四川省"),
    ("520000", "贵州省"),
    ("530000", "云南省"),
    ("540000", "西藏自治区"),
    ("610000", "陕西省"),
    ("620000", "甘肃省"),
    ("630000", "青海省"),
    ("640000", "宁夏回族自治区"),
    ("650000", "新疆维吾尔自治区"),
    ("660000", "新疆生产建设兵团"),
];

/// City and basic procuratorates under two provinces.
pub(crate) const LOCAL_UNITS: [(&str, &str, i64, &str); 9] = [
    ("330100", "杭州市人民检察院", 3, "330000"),
    ("330106", "杭州市西湖区人民检察院", 4, "330100"),
    ("330102", "杭州市上城区人民检察院", 4, "330100"),
    ("330200", "宁波市人民检察院", 3, "330000"),
    ("330203", "宁波市海曙区人民检察院", 4, "330200"),
    ("440100", "广州市人民检察院", 3, "440000"),
    ("440106", "广州市天河区人民检察院", 4, "440100"),
    ("440300", "深圳市人民检察院", 3, "440000"),
    ("440304", "深圳市福田区人民检察院", 4, "440300"),
];

/// The SPP's internal departments (内设机构) after the 2019 reform, and its discipline group.
pub const SPP_DEPARTMENTS: [&str; 20] = [
    "办公厅",
    "政治部",
    "机关党委",
    "第一检察厅",
    "第二检察厅",
    "第三检察厅",
    "第四检察厅",
    "第五检察厅",
    "第六检察厅",
    "第七检察厅",
    "第八检察厅",
    "第九检察厅",
    "控告申诉检察厅",
    "法律政策研究室",
    "案件管理办公室",
    "检务督察局",
    "国际合作局",
    "计划财务装备局",
    "新闻办公室",
    "离退休干部局",
];
pub const DISCIPLINE_GROUP: &str = "驻最高人民检察院纪检监察组";

/// Departments of a provincial, city or basic procuratorate.
pub(crate) const LOCAL_DEPARTMENTS: [&str; 8] = [
    "办公室",
    "政治部",
    "第一检察部",
    "第二检察部",
    "第三检察部",
    "控告申诉检察部",
    "案件管理部",
    "检务督察部",
];

/// (staff no, name, department, post, leader) of the SPP's demo staff. Names other than the
/// procurator-general named in the seed are invented.
const SPP_STAFF: [(&str, &str, &str, &str, bool); 14] = [
    ("SPP0001", "张军", "", "党组书记、检察长", true),
    ("SPP0002", "林国华", "", "党组副书记、常务副检察长", true),
    ("SPP0003", "陈立新", "", "党组成员、副检察长", true),
    ("SPP0004", "王思远", "", "党组成员、副检察长", true),
    ("SPP0005", "刘建平", "", "党组成员、政治部主任", true),
    (
        "SPP0006",
        "赵文静",
        DISCIPLINE_GROUP,
        "党组成员、驻院纪检监察组组长",
        true,
    ),
    ("SPP0101", "孙明", "办公厅", "主任", false),
    ("SPP0102", "周婷", "办公厅", "督办处处长", false),
    ("SPP0201", "吴磊", "政治部", "干部部主任", false),
    ("SPP0301", "郑华", "控告申诉检察厅", "厅长", false),
    ("SPP0302", "冯丽", "控告申诉检察厅", "检察官", false),
    ("SPP0401", "何涛", "案件管理办公室", "主任", false),
    ("SPP0501", "许静", DISCIPLINE_GROUP, "副组长", false),
    ("SPP0601", "马超", "第一检察厅", "检察官", false),
];

/// The demo accounts: login, display name, role, unit, subtree.
pub const DEMO_USERS: [(&str, &str, Role, &str, bool); 10] = [
    ("admin", "系统管理员", Role::Admin, SPP_CODE, true),
    ("office", "周婷（整改办）", Role::Office, SPP_CODE, true),
    (
        "leader",
        "陈立新（牵头领导）",
        Role::Leader,
        SPP_CODE,
        false,
    ),
    ("dept", "马超（第一检察厅）", Role::Dept, SPP_CODE, false),
    (
        "discipline",
        "许静（驻院纪检监察组）",
        Role::Discipline,
        SPP_CODE,
        true,
    ),
    (
        "letters",
        "冯丽（控告申诉检察厅）",
        Role::Letters,
        SPP_CODE,
        true,
    ),
    (
        "quality",
        "何涛（案件管理办公室）",
        Role::Quality,
        SPP_CODE,
        true,
    ),
    ("staff", "吴磊（检察人员）", Role::Staff, SPP_CODE, false),
    ("zj.office", "浙江省院整改办", Role::Office, "330000", true),
    (
        "xihu.office",
        "西湖区院整改办",
        Role::Office,
        "330106",
        false,
    ),
];

/// Which staff member each demo account is.
const DEMO_USER_STAFF: [(&str, &str); 7] = [
    ("office", "SPP0102"),
    ("leader", "SPP0003"),
    ("dept", "SPP0601"),
    ("discipline", "SPP0501"),
    ("letters", "SPP0302"),
    ("quality", "SPP0401"),
    ("staff", "SPP0201"),
];

#[derive(Debug, Default, serde::Serialize)]
pub struct DemoReport {
    pub units: i64,
    pub staff: i64,
    pub users_created: usize,
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

impl Store {
    /// Loads the demo organisation and accounts. Idempotent.
    pub async fn load_demo(&self) -> Result<DemoReport> {
        self.seed_calendar().await?;
        let mut w = self.write(&Actor::system("demo")).await?;
        let mut units: Vec<Vec<Value>> = vec![vec![
            s(SPP_CODE),
            s("最高人民检察院"),
            json!(1),
            Value::Null,
        ]];
        units.extend(
            PROVINCES
                .iter()
                .map(|(c, n)| vec![s(c), s(&format!("{n}人民检察院")), json!(2), s(SPP_CODE)]),
        );
        units.extend(
            LOCAL_UNITS
                .iter()
                .map(|(c, n, l, p)| vec![s(c), s(n), json!(l), s(p)]),
        );
        insert_units(&mut w.tx, &units).await?;
        recompute_paths(&mut w).await?;
        let ids = unit_ids(&mut w.tx).await?;
        let spp = ids[SPP_CODE];
        let mut depts: Vec<Vec<Value>> = SPP_DEPARTMENTS
            .iter()
            .map(|d| vec![json!(spp), s(d), s("internal")])
            .collect();
        depts.push(vec![json!(spp), s(DISCIPLINE_GROUP), s("discipline")]);
        for (code, _, _, _) in LOCAL_UNITS
            .iter()
            .chain([("330000", "", 2, ""), ("440000", "", 2, "")].iter())
        {
            depts.extend(
                LOCAL_DEPARTMENTS
                    .iter()
                    .map(|d| vec![json!(ids[*code]), s(d), s("internal")]),
            );
            depts.push(vec![json!(ids[*code]), s("纪检监察组"), s("discipline")]);
        }
        insert_departments(&mut w.tx, &depts).await?;
        let dept_ids = department_ids(&mut w.tx).await?;
        let staff: Vec<Vec<Value>> = SPP_STAFF
            .iter()
            .map(|(no, name, dept, post, leader)| {
                let d = if dept.is_empty() {
                    Value::Null
                } else {
                    json!(dept_ids[&(spp, dept.to_string())])
                };
                vec![
                    s(no),
                    s(name),
                    json!(spp),
                    d,
                    s(post),
                    json!(i64::from(*leader)),
                ]
            })
            .collect();
        insert_staff(&mut w.tx, &staff).await?;
        let mut created = 0;
        for (login, name, role, unit, subtree) in DEMO_USERS {
            let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE login = $1")
                .bind(login)
                .fetch_one(&mut *w.tx)
                .await?;
            if exists > 0 {
                continue;
            }
            sqlx::query("INSERT INTO users (login, display_name, password_hash, role, unit_id, subtree, created_at, activated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
                .bind(login)
                .bind(name)
                .bind(hash_password(DEMO_PASSWORD))
                .bind(role.as_str())
                .bind(ids[unit])
                .bind(i64::from(subtree))
                .bind(self.now_rfc3339())
                .execute(&mut *w.tx)
                .await?;
            created += 1;
        }
        for (login, staff_no) in DEMO_USER_STAFF {
            sqlx::query("UPDATE users SET email = $1 WHERE login = $2 AND email = ''")
                .bind(format!("{login}@demo.duban.example"))
                .bind(login)
                .execute(&mut *w.tx)
                .await?;
            sqlx::query("UPDATE users SET staff_id = (SELECT id FROM staff WHERE staff_no = $1) WHERE login = $2 AND staff_id IS NULL")
                .bind(staff_no)
                .bind(login)
                .execute(&mut *w.tx)
                .await?;
        }
        rectification::load(&mut w, spp).await?;
        let units_n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units")
            .fetch_one(&mut *w.tx)
            .await?;
        let staff_n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff")
            .fetch_one(&mut *w.tx)
            .await?;
        let mut report = DemoReport {
            units: units_n,
            staff: staff_n,
            users_created: created,
        };
        w.audit(Change {
            action: "demo.load",
            entity: "database",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!(report)),
        })
        .await?;
        w.commit().await?;
        // the biweekly consultations, convened after the ledgers are in place
        let spp_unit = self.unit(spp).await?.ok_or(crate::StoreError::NotFound)?;
        let scope = crate::Scope {
            unit_id: spp,
            unit_path: spp_unit.path.clone(),
            subtree: true,
        };
        if self.meetings(&scope).await?.is_empty() {
            let actor = Actor::system("demo");
            for (n, (date, minutes)) in rectification::MEETINGS.iter().enumerate() {
                let held = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap_or_default();
                let id = self
                    .create_meeting(&actor, spp, held, &format!("第{}次双周碰头会", n + 1))
                    .await?;
                self.set_minutes(&actor, &scope, id, minutes).await?;
            }
        }
        letters::load_demo_letters(self).await?;
        records::load_demo_records(self).await?;
        quality::load_demo_cases(self).await?;
        paperwork::load_demo_paperwork(self).await?;
        discipline::load_demo_desk(self).await?;
        inspections::load_demo_inspections(self).await?;
        report.staff = sqlx::query_scalar("SELECT COUNT(*) FROM staff")
            .fetch_one(&self.pool)
            .await?;
        report.units = sqlx::query_scalar("SELECT COUNT(*) FROM units")
            .fetch_one(&self.pool)
            .await?;
        // the party group's plan, issued to two provincial procuratorates
        if let Some(plan) = self.plan(&scope, rectification::PARTY_PLAN).await? {
            let mut units = Vec::new();
            for code in ["330000", "440000"] {
                if let Some(u) = self.unit_by_code(code).await? {
                    units.push(u.id);
                }
            }
            self.cascade_plan(
                &Actor::system("demo"),
                &plan,
                &units,
                chrono::NaiveDate::from_ymd_opt(2020, 2, 10).unwrap_or_default(),
            )
            .await?;
        }
        Ok(report)
    }

    /// The nationwide organisation for benchmarks: 12–13 cities per province, 8 basic units per
    /// city (≈ 1 + 32 + 400 + 3,200 units) and ≈ 250,000 staff. Deterministic and idempotent.
    /// `provinces` limits the cities and basic units to the first so many provinces (a trial
    /// run on a small machine); every later part of the nation is generated for what exists.
    pub async fn load_nation(&self, provinces: usize) -> Result<DemoReport> {
        self.load_demo().await?;
        let mut w = self.write(&Actor::system("demo")).await?;
        let mut units = Vec::new();
        for (pi, (pcode, pname)) in PROVINCES.iter().take(provinces).enumerate() {
            let short = pname
                .trim_end_matches("壮族自治区")
                .trim_end_matches("回族自治区")
                .trim_end_matches("维吾尔自治区")
                .trim_end_matches("自治区")
                .trim_end_matches('省')
                .trim_end_matches('市');
            let cities = 12 + (pi % 2);
            for c in 1..=cities {
                let ccode = format!("{}{c:02}00", &pcode[..2]);
                units.push(vec![
                    s(&ccode),
                    s(&format!("{short}第{c}分市人民检察院")),
                    json!(3),
                    s(pcode),
                ]);
                for b in 1..=8 {
                    let bcode = format!("{}{c:02}{b:02}", &pcode[..2]);
                    units.push(vec![
                        s(&bcode),
                        s(&format!("{short}第{c}分市第{b}基层人民检察院")),
                        json!(4),
                        s(&ccode),
                    ]);
                }
            }
        }
        insert_units(&mut w.tx, &units).await?;
        recompute_paths(&mut w).await?;
        let all =
            sqlx::query("SELECT id, level FROM units WHERE kind = 'procuratorate' ORDER BY id")
                .fetch_all(&mut *w.tx)
                .await?;
        let mut depts = Vec::new();
        let mut unit_levels = Vec::new();
        for r in &all {
            let id: i64 = r.try_get("id")?;
            let level: i64 = r.try_get("level")?;
            unit_levels.push((id, level));
            if level > 1 {
                depts.extend(
                    LOCAL_DEPARTMENTS
                        .iter()
                        .map(|d| vec![json!(id), s(d), s("internal")]),
                );
            }
        }
        insert_departments(&mut w.tx, &depts).await?;
        let dept_ids = department_ids(&mut w.tx).await?;
        let mut staff = Vec::new();
        let mut k: usize = 0;
        for (uid, level) in unit_levels {
            let n = match level {
                1 => 800,
                2 => 300,
                3 => 100,
                _ => 62,
            };
            for i in 0..n {
                k += 1;
                let name = generated_name(k);
                let dept_name = if level == 1 {
                    SPP_DEPARTMENTS[i % SPP_DEPARTMENTS.len()]
                } else {
                    LOCAL_DEPARTMENTS[i % LOCAL_DEPARTMENTS.len()]
                };
                let dept = dept_ids
                    .get(&(uid, dept_name.to_string()))
                    .map(|d| json!(d))
                    .unwrap_or(Value::Null);
                let leader = i < 5;
                let post = if leader {
                    "院领导"
                } else if i % 10 == 0 {
                    "部门负责人"
                } else {
                    "检察官"
                };
                staff.push(vec![
                    s(&format!("N{uid:05}{i:04}")),
                    s(&name),
                    json!(uid),
                    dept,
                    s(post),
                    json!(i64::from(leader)),
                ]);
            }
        }
        insert_staff(&mut w.tx, &staff).await?;
        let units_n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units")
            .fetch_one(&mut *w.tx)
            .await?;
        let staff_n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff")
            .fetch_one(&mut *w.tx)
            .await?;
        let report = DemoReport {
            units: units_n,
            staff: staff_n,
            users_created: 0,
        };
        w.audit(Change {
            action: "demo.nation",
            entity: "database",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!(report)),
        })
        .await?;
        w.commit().await?;
        self.analyze(&["units", "unit_ancestors", "departments", "staff", "users"])
            .await?;
        Ok(report)
    }
}

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A deterministic scramble (splitmix64's finaliser) for generated demo data.
pub(crate) fn mix(x: u64) -> u64 {
    let mut h = x;
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// The `k`-th generated staff name (three characters, deterministic).
pub(crate) fn generated_name(k: usize) -> String {
    const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
    const GIVEN: &str =
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志宏文博";
    let sur: Vec<char> = SURNAMES.chars().collect();
    let giv: Vec<char> = GIVEN.chars().collect();
    [
        sur[k % sur.len()],
        giv[(k / 7) % giv.len()],
        giv[(k / 3) % giv.len()],
    ]
    .iter()
    .collect()
}

async fn batched(
    tx: &mut Tx,
    table: &str,
    cols: &[&str],
    ints: &[bool],
    rows: &[Vec<Value>],
    suffix: &str,
) -> Result<()> {
    let cols: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
    for chunk in rows.chunks(900 / cols.len()) {
        insert_rows(tx, table, &cols, ints, chunk, suffix).await?;
    }
    Ok(())
}

/// Rows of (code, name, level, parent code); inserted level by level so parents exist first.
async fn insert_units(tx: &mut Tx, rows: &[Vec<Value>]) -> Result<()> {
    for level in 1..=4 {
        let ids = unit_ids(tx).await?;
        let rows: Vec<Vec<Value>> = rows
            .iter()
            .filter(|r| r[2] == json!(level))
            .map(|r| {
                let parent = r[3]
                    .as_str()
                    .and_then(|p| ids.get(p))
                    .map(|id| json!(id))
                    .unwrap_or(Value::Null);
                vec![r[0].clone(), r[1].clone(), r[2].clone(), parent]
            })
            .collect();
        batched(
            tx,
            "units",
            &["code", "name", "level", "parent_id"],
            &[false, false, true, true],
            &rows,
            "ON CONFLICT (code) DO NOTHING",
        )
        .await?;
    }
    Ok(())
}

async fn insert_departments(tx: &mut Tx, rows: &[Vec<Value>]) -> Result<()> {
    batched(
        tx,
        "departments",
        &["unit_id", "name", "kind"],
        &[true, false, false],
        rows,
        "ON CONFLICT (unit_id, name) DO NOTHING",
    )
    .await
}

pub(crate) async fn insert_staff(tx: &mut Tx, rows: &[Vec<Value>]) -> Result<()> {
    batched(
        tx,
        "staff",
        &[
            "staff_no",
            "name",
            "unit_id",
            "department_id",
            "post",
            "is_leader",
        ],
        &[false, false, true, true, false, true],
        rows,
        "ON CONFLICT (staff_no) DO NOTHING",
    )
    .await
}

async fn unit_ids(tx: &mut Tx) -> Result<HashMap<String, i64>> {
    let rows = sqlx::query("SELECT code, id FROM units")
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("code")?, r.try_get("id")?)))
        .collect()
}

pub(crate) async fn department_ids(tx: &mut Tx) -> Result<HashMap<(i64, String), i64>> {
    let rows = sqlx::query("SELECT unit_id, name, id FROM departments")
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                (r.try_get("unit_id")?, r.try_get("name")?),
                r.try_get("id")?,
            ))
        })
        .collect()
}
