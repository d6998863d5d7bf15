//! Demo cases: the seed's year and a nation's worth for benchmarks.
use crate::{Actor, Result, Store};
use chrono::NaiveDate;
use duban_domain::import::{self, CheckedCases};
use duban_domain::quality::{self as q};
use serde::Serialize;
use sqlx::Row;

/// The demo's case events, January–September 2020, for the SPP and the procuratorates of 浙江 and
/// 广东 and their lower units: criminal cases with and without arrest review (returns for
/// supplementary investigation, extensions, 认罪认罚 in about 85% of the concluded, some 涉疫),
/// civil-supervision cases (some past their 90 days, most of those concluded late), resolved
/// administrative disputes and public-interest cases. Deterministic; skipped when cases exist.
pub(crate) async fn load_demo_cases(store: &Store) -> Result<()> {
    use crate::demo::{LOCAL_UNITS, SPP_CODE, mix};
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(&store.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    let mut units: Vec<(&str, u64)> = vec![(SPP_CODE, 40), ("330000", 120), ("440000", 120)];
    units.extend(
        LOCAL_UNITS
            .iter()
            .map(|(c, _, l, _)| (*c, if *l == 3 { 160 } else { 220 })),
    );
    let jan1 = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(2020, 9, 30).unwrap_or_default();
    let mut rows: Vec<Vec<String>> = vec![
        [
            "case_id",
            "unit_code",
            "case_type",
            "event",
            "occurred_on",
            "tags",
            "persons",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    for (u, (code, count)) in units.iter().enumerate() {
        for i in 0..*count {
            let h = mix((u as u64) << 32 | i);
            let pick = |k: u64, n: u64| mix(h.wrapping_add(k)) % n;
            let start = jan1 + chrono::Duration::days(pick(0, 250) as i64);
            let no = format!("D{code}-2020-{i:04}");
            let mut ev: Vec<(&str, i64)> = Vec::new();
            let kind = pick(1, 100);
            let case_type = match kind {
                0..=69 => "刑事",
                70..=84 => "民事",
                85..=92 => "行政",
                _ => "公益诉讼",
            };
            let mut tags = "";
            // persons: one in most cases, up to three; now and then one of them does not plead
            let persons = match pick(12, 100) {
                0..=69 => 1,
                70..=89 => 2,
                _ => 3,
            };
            let pleading = if persons > 1 && pick(13, 100) < 30 {
                persons - 1
            } else {
                persons
            };
            match case_type {
                "刑事" => {
                    if pick(2, 100) < 8 {
                        tags = "涉疫";
                    }
                    let mut t = 0;
                    if pick(3, 100) < 60 {
                        ev.push((q::ARREST_REVIEW, 0));
                        if pick(4, 100) < 88 {
                            // a decision after 7 days now and then: a monitoring hit
                            ev.push(("批准逮捕", if pick(5, 100) < 6 { 9 } else { 5 }));
                        } else {
                            ev.push(("不批准逮捕", 6));
                            if pick(5, 100) < 30 {
                                ev.push(("不批捕复议", 12));
                            }
                        }
                        t = 30;
                    }
                    ev.push((q::PROSECUTION_REVIEW, t));
                    let mut end = t + 25;
                    if pick(6, 100) < 22 {
                        ev.push(("退回补充侦查", t + 20));
                        end += 30;
                        if pick(7, 100) < 25 {
                            ev.push(("退回补充侦查", t + 50));
                            end += 30;
                        }
                    }
                    if pick(8, 100) < 12 {
                        ev.push(("延长审查起诉期限", end - 5));
                        end += 15;
                    }
                    if pick(9, 100) < 85 {
                        ev.push((q::PLEA, t + 10));
                    }
                    if pick(10, 100) < 90 {
                        ev.push(("提起公诉", end));
                    } else {
                        ev.push(("不起诉", end));
                        if pick(9, 7) == 0 {
                            ev.push(("不起诉申诉", end + 20));
                        }
                    }
                    ev.push((q::CONCLUDED, end));
                }
                "民事" => {
                    // accepted by early May, so that a late conclusion still falls in the data
                    let shift = pick(11, 120) as i64 - (start - jan1).num_days();
                    ev.push((q::CIVIL_ACCEPTED, shift));
                    match pick(4, 100) {
                        0..=74 => ev.push((q::CIVIL_CONCLUDED, shift + 40 + pick(5, 45) as i64)),
                        75..=89 => ev.push((q::CIVIL_CONCLUDED, shift + 100 + pick(5, 50) as i64)),
                        _ => {}
                    }
                }
                "行政" => ev.push(("行政争议化解", 20 + pick(4, 40) as i64)),
                _ => ev.push(("公益诉讼立案", 0)),
            }
            for (name, day) in ev {
                let on = start + chrono::Duration::days(day);
                if on > last {
                    continue;
                }
                let n = match name {
                    q::ARREST_REVIEW | q::PROSECUTION_REVIEW => persons.to_string(),
                    q::PLEA => pleading.to_string(),
                    _ => String::new(),
                };
                rows.push(vec![
                    no.clone(),
                    code.to_string(),
                    case_type.to_string(),
                    name.to_string(),
                    on.to_string(),
                    tags.to_string(),
                    n,
                ]);
            }
        }
    }
    store
        .import_cases(&Actor::system("demo"), &rows)
        .await
        .map(|_| ())
}

/// The seed's national figures the nationwide generator is calibrated to (2020).
pub const NATION_EPIDEMIC_ARRESTS: u64 = 6_480;
pub const NATION_EPIDEMIC_PROSECUTIONS: u64 = 6_480 + 2_202;
pub const NATION_PUBLIC_INTEREST_CASES: u64 = 2_829;
pub const NATION_ADMIN_DISPUTES: u64 = 3_148;
pub const NATION_CIVIL_OVERDUE: u64 = 486;
pub const NATION_CIVIL_OVERDUE_CLOSED: u64 = 426;
/// 认罪认罚 Jan–Sep: 106万余人, 85% of the persons concluded.
pub const NATION_PLEA_PERSONS: u64 = 1_062_500;
pub const NATION_CONCLUDED_PERSONS: u64 = 1_250_000;
/// The bulletin's statistical period (今年1至9月) and its date: the national figures are
/// calibrated on them.
pub const NATION_PERIOD: (&str, &str) = ("2020-01-01", "2020-09-30");
pub const NATION_AS_OF: &str = "2020-11-05";

/// What the nationwide cases generator made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NationCases {
    pub cases: usize,
    pub events: usize,
}

impl Store {
    /// A nationwide year (2020) of case events for every unit, calibrated so that the seed's
    /// figures come out of the reports over the bulletin's period (January–September 2020, as
    /// of 2020-11-05): 6,480 arrests and 8,682 prosecutions in 涉疫 cases, 2,829 public-interest
    /// cases, 3,148 administrative disputes resolved, 486 civil-supervision cases overdue of
    /// which 426 concluded, 1,062,500 persons with 认罪认罚 among 1,250,000 concluded (85%). About
    /// `per_basic_unit` criminal cases a year at a basic unit (300 gives about a million cases;
    /// above about 380 there are more cases concluded than persons to give them, and each case
    /// keeps one person). Goes through the import's own write path. Skipped when generated
    /// cases exist.
    pub async fn load_nation_cases(&self, per_basic_unit: u64) -> Result<NationCases> {
        use crate::demo::mix;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE case_no LIKE 'N%'")
            .fetch_one(&self.pool)
            .await?;
        if n > 0 {
            return Ok(NationCases::default());
        }
        let units: Vec<(i64, i64)> =
            sqlx::query("SELECT id, level FROM units WHERE kind = 'procuratorate' ORDER BY id")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, crate::int(r, "level")?)))
                .collect::<Result<_>>()?;
        let rules = self.quality_rules().await?;
        let names: Vec<String> = rules.events.iter().map(|e| e.name.clone()).collect();
        let ix = |n: &str| names.iter().position(|x| x == n).unwrap_or(0) as u16;
        let [
            arrest_review,
            approve,
            reject,
            reconsider,
            review,
            ret,
            extend,
            plea,
            prosecute,
            drop_,
            appeal,
            concluded,
            civil_in,
            civil_out,
            admin,
            pil,
        ] = [
            q::ARREST_REVIEW,
            "批准逮捕",
            "不批准逮捕",
            "不批捕复议",
            q::PROSECUTION_REVIEW,
            "退回补充侦查",
            "延长审查起诉期限",
            q::PLEA,
            "提起公诉",
            "不起诉",
            "不起诉申诉",
            q::CONCLUDED,
            q::CIVIL_ACCEPTED,
            q::CIVIL_CONCLUDED,
            "行政争议化解",
            "公益诉讼立案",
        ]
        .map(ix);
        let jan1 = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        let day = |d: u64| jan1 + chrono::Duration::days(d as i64);
        let mut out = CheckedCases {
            event_names: names.clone(),
            ..Default::default()
        };
        let push_case =
            |out: &mut CheckedCases, no: String, unit: i64, kind: &str, tags: Vec<String>| {
                out.cases.push(import::CaseRow {
                    row: 0,
                    case_no: no,
                    unit_id: unit,
                    case_type: kind.into(),
                    tags,
                    persons: None,
                    plea_persons: None,
                });
                (out.cases.len() - 1) as u32
            };
        // the calibrated counts less what the demo's own cases already give, handed out in turn
        // across units
        let (from, to) = NATION_PERIOD;
        let held = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(from)
                .bind(to)
                .fetch_one(&self.pool)
                .await
                .map(|n| n as u64)
        };
        let arrests_held = held("SELECT CAST(COALESCE(SUM(COALESCE(c.persons, 1)), 0) AS BIGINT) FROM case_tags t JOIN cases c ON c.id = t.case_id WHERE t.tag = '涉疫' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.event = '批准逮捕' AND e.on_date >= $1 AND e.on_date <= $2)").await?;
        let prosecutions_held = held("SELECT CAST(COALESCE(SUM(COALESCE(c.persons, 1)), 0) AS BIGINT) FROM case_tags t JOIN cases c ON c.id = t.case_id WHERE t.tag = '涉疫' AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.event = '提起公诉' AND e.on_date >= $1 AND e.on_date <= $2)").await?;
        let pil_held = held("SELECT COUNT(DISTINCT e.case_id) FROM case_events e WHERE e.case_type = '公益诉讼' AND e.on_date >= $1 AND e.on_date <= $2").await?;
        let admin_held = held("SELECT COUNT(*) FROM case_events e WHERE e.event = '行政争议化解' AND e.on_date >= $1 AND e.on_date <= $2").await?;
        let held_at = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(NATION_AS_OF)
                .fetch_one(&self.pool)
                .await
                .map(|n| n as u64)
        };
        let overdue_held = held_at("SELECT COUNT(*) FROM cases c WHERE c.limit_due < $1 AND (c.limit_end IS NULL OR c.limit_end > c.limit_due)").await?;
        let closed_held = held_at("SELECT COUNT(*) FROM cases c WHERE c.limit_due < $1 AND c.limit_end > c.limit_due AND c.limit_end <= $1").await?;
        let persons_held = held("SELECT CAST(COALESCE(SUM(COALESCE(c.persons, 1)), 0) AS BIGINT) FROM cases c WHERE c.concluded_on >= $1 AND c.concluded_on <= $2").await?;
        let plea_held = held("SELECT CAST(COALESCE(SUM(CASE WHEN c.plea <> 1 THEN 0 WHEN c.plea_persons IS NULL THEN COALESCE(c.persons, 1) WHEN c.plea_persons > COALESCE(c.persons, 1) THEN COALESCE(c.persons, 1) ELSE c.plea_persons END), 0) AS BIGINT) FROM cases c WHERE c.concluded_on >= $1 AND c.concluded_on <= $2").await?;
        let last_day = (crate::day(to)? - jan1).num_days() as u64;
        // criminal cases concluded in the period: (case, with plea)
        let mut in_period: Vec<(u32, bool)> = Vec::new();
        // concluded persons in the period that are not shared out: (all, with plea)
        let mut fixed = (0u64, 0u64);
        let arrest_quota = NATION_EPIDEMIC_ARRESTS.saturating_sub(arrests_held);
        let epidemic_quota = NATION_EPIDEMIC_PROSECUTIONS.saturating_sub(prosecutions_held);
        let overdue_quota = NATION_CIVIL_OVERDUE.saturating_sub(overdue_held);
        let closed_quota = NATION_CIVIL_OVERDUE_CLOSED.saturating_sub(closed_held);
        let (mut epidemic, mut pil_left, mut admin_left, mut overdue) = (
            0u64,
            NATION_PUBLIC_INTEREST_CASES.saturating_sub(pil_held),
            NATION_ADMIN_DISPUTES.saturating_sub(admin_held),
            0u64,
        );
        let mut criminal = 0u64;
        let count_at = |level: i64| match level {
            1 => per_basic_unit * 3 / 10,
            2 => per_basic_unit * 8 / 10,
            3 => per_basic_unit * 3 / 2,
            _ => per_basic_unit,
        };
        // 涉疫 cases are drawn at a rate that meets the quota with a margin, whatever the scale
        let total: u64 = units.iter().map(|(_, l)| count_at(*l)).sum();
        let epidemic_every = (total / (epidemic_quota * 6 / 5).max(1)).max(1);
        for (u, (unit, level)) in units.iter().enumerate() {
            let count = count_at(*level);
            for i in 0..count {
                let h = mix((*unit as u64) << 24 | i);
                let pick = |k: u64, n: u64| mix(h.wrapping_add(k)) % n;
                let is_epidemic = epidemic < epidemic_quota && pick(1, epidemic_every) == 0;
                // Jan 1 – Aug 18: every criminal case ends in 2020; a 涉疫 one by September
                let start = if is_epidemic {
                    pick(0, 140)
                } else {
                    pick(0, 230)
                };
                let tags = if is_epidemic {
                    vec!["涉疫".to_string()]
                } else {
                    vec![]
                };
                let c = push_case(&mut out, format!("N{unit}-{i}"), *unit, "刑事", tags);
                let mut ev = |d: u64, e: u16| out.events.push((c, day(d), e));
                let mut t = start;
                // 涉疫: the first 6,480 with an approved arrest, the rest prosecution only
                let with_arrest = if is_epidemic {
                    epidemic < arrest_quota
                } else {
                    pick(2, 100) < 60
                };
                if with_arrest {
                    ev(t, arrest_review);
                    if is_epidemic || pick(3, 100) < 88 {
                        ev(t + 5, approve);
                    } else {
                        ev(t + 6, reject);
                        if pick(4, 100) < 25 {
                            ev(t + 12, reconsider);
                        }
                    }
                    t += 30;
                }
                ev(t, review);
                let mut end = t + 25;
                if pick(5, 100) < 20 {
                    ev(t + 20, ret);
                    end += 30;
                    if pick(6, 100) < 20 {
                        ev(t + 50, ret);
                        end += 30;
                    }
                }
                if pick(7, 100) < 10 {
                    ev(end - 5, extend);
                    end += 15;
                }
                // 85% of the concluded with 认罪认罚, exactly
                let pleads = criminal % 20 < 17;
                if pleads {
                    ev(t + 10, plea);
                }
                if is_epidemic || pick(8, 100) < 92 {
                    ev(end, prosecute);
                } else {
                    ev(end, drop_);
                    if pick(9, 10) == 0 {
                        ev(end + 20, appeal);
                    }
                }
                ev(end, concluded);
                // a 涉疫 case concerns one person (its arrests and prosecutions are counted in
                // persons); the others share the calibrated persons
                if end <= last_day {
                    if is_epidemic {
                        fixed.0 += 1;
                        fixed.1 += u64::from(pleads);
                    } else {
                        in_period.push((c, pleads));
                    }
                }
                criminal += 1;
                if is_epidemic {
                    epidemic += 1;
                }
            }
            // civil supervision: the overdue ones first, in turn; the rest in time or not yet due
            for i in 0..count / 20 {
                let h = mix((*unit as u64) << 24 | (1 << 23) | i);
                let c = push_case(&mut out, format!("N{unit}-C{i}"), *unit, "民事", vec![]);
                let start = mix(h) % 280;
                out.events.push((c, day(start), civil_in));
                // overdue by the bulletin's date (due within 90 days, concluded after 100)
                if overdue < overdue_quota && start < 170 {
                    if overdue < closed_quota {
                        out.events.push((c, day(start + 100), civil_out));
                    }
                    overdue += 1;
                } else if start < 270 {
                    out.events
                        .push((c, day(start + 40 + mix(h ^ 1) % 40), civil_out));
                } else {
                    // accepted in late autumn, still within its three months at the year's end
                    let s = 280 + mix(h ^ 2) % 60;
                    out.events.pop();
                    out.events.push((c, day(s), civil_in));
                }
            }
            if admin_left > 0 && level >= &3 {
                let c = push_case(&mut out, format!("N{unit}-A"), *unit, "行政", vec![]);
                out.events.push((c, day(100 + u as u64 % 170), admin));
                admin_left -= 1;
            }
            if pil_left > 0 && level >= &3 {
                let c = push_case(&mut out, format!("N{unit}-P"), *unit, "公益诉讼", vec![]);
                out.events.push((c, day(50 + u as u64 % 220), pil));
                pil_left -= 1;
            }
        }
        // what the units' turns did not hand out goes to the first basic units
        let mut extra = 0;
        while admin_left > 0 || pil_left > 0 {
            let (unit, _) = units[units.len() - 1 - (extra % units.len())];
            if admin_left > 0 {
                let c = push_case(&mut out, format!("N{unit}-A{extra}"), unit, "行政", vec![]);
                out.events.push((c, day(150), admin));
                admin_left -= 1;
            }
            if pil_left > 0 {
                let c = push_case(
                    &mut out,
                    format!("N{unit}-P{extra}"),
                    unit,
                    "公益诉讼",
                    vec![],
                );
                out.events.push((c, day(160), pil));
                pil_left -= 1;
            }
            extra += 1;
        }
        // persons: the calibrated totals less the demo's own, spread evenly over the cases
        // concluded in the period, those with a plea and those without
        let (persons_held, plea_held) = (persons_held + fixed.0, plea_held + fixed.1);
        let plea_quota = NATION_PLEA_PERSONS.saturating_sub(plea_held);
        let other_quota = (NATION_CONCLUDED_PERSONS - NATION_PLEA_PERSONS)
            .saturating_sub(persons_held.saturating_sub(plea_held));
        for (pleads, quota) in [(true, plea_quota), (false, other_quota)] {
            let cases: Vec<u32> = in_period
                .iter()
                .filter(|(_, p)| *p == pleads)
                .map(|(c, _)| *c)
                .collect();
            let k = cases.len() as u64;
            if k == 0 || quota < k {
                continue;
            }
            for (i, c) in cases.into_iter().enumerate() {
                let n = quota / k + u64::from((i as u64) < quota % k);
                let row = &mut out.cases[c as usize];
                row.persons = Some(n as u32);
                row.plea_persons = pleads.then_some(n as u32);
            }
        }
        out.events.sort_unstable();
        let r = NationCases {
            cases: out.cases.len(),
            events: out.events.len(),
        };
        self.import_checked_cases(&Actor::system("demo"), out)
            .await?;
        Ok(r)
    }
}
