//! Case quality in the store, on SQLite and (when configured) PostgreSQL.
use duban_domain::quality::{self as q, QualityRules};
use duban_store::quality::CaseFilter;
use duban_store::{Actor, StoreError, testing};

fn table(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const HEAD: &str = "case_id,unit_code,case_type,event,occurred_on,tags";

#[tokio::test]
async fn events_make_the_case_ratio_plea_rate_overdue_list_and_hits() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let actor = Actor::system("test");
        let rows = [
            // 1 案, 2 退回补充侦查 + 1 延长: 件 4; plea, concluded
            "T1,330106,刑事,受理审查逮捕,2019-02-01,涉疫",
            "T1,330106,刑事,批准逮捕,2019-02-20,",
            "T1,330106,刑事,受理审查起诉,2019-03-01,",
            "T1,330106,刑事,退回补充侦查,2019-04-01,",
            "T1,330106,刑事,退回补充侦查,2019-05-01,",
            "T1,330106,刑事,延长审查起诉期限,2019-06-01,",
            "T1,330106,刑事,认罪认罚,2019-06-10,",
            "T1,330106,刑事,审结,2019-06-20,",
            // 1 案 1 件, concluded without plea
            "T2,330106,刑事,受理审查起诉,2019-03-01,",
            "T2,330106,刑事,提起公诉,2019-03-20,",
            "T2,330106,刑事,审结,2019-04-20,",
            // irregular: an extension before any acceptance (a monitoring hit), then acceptance
            "T3,330106,刑事,延长审查起诉期限,2019-05-01,",
            "T3,330106,刑事,受理审查起诉,2019-05-02,",
            // a civil-supervision case past its 90 days, concluded late; one still open
            "C1,330106,民事,受理民事监督,2019-01-10,",
            "C1,330106,民事,民事监督审结,2019-06-01,",
            "C2,330106,民事,受理民事监督,2019-02-10,",
            "C3,330106,民事,受理民事监督,2019-03-10,",
            "C3,330106,民事,民事监督审结,2019-04-01,",
        ];
        let csv = format!("{HEAD}\n{}", rows.join("\n"));
        let r = store.import_cases(&actor, &table(&csv)).await.unwrap();
        assert_eq!(r.created, rows.len(), "{name}");
        // importing again adds nothing
        let r = store.import_cases(&actor, &table(&csv)).await.unwrap();
        assert_eq!((r.created, r.updated), (0, 0), "{name}");
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        let f = store
            .quality_figures(
                &xihu,
                false,
                d("2019-01-01"),
                d("2019-12-31"),
                &CaseFilter::default(),
            )
            .await
            .unwrap();
        // by definition: T1 1/4, T2 1/1, T3 first event in the year is an extension → not a 案
        let events: Vec<Vec<q::Event>> = [&rows[0..8], &rows[8..11], &rows[11..13]]
            .iter()
            .map(|rs| {
                rs.iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let c: Vec<&str> = r.split(',').collect();
                        q::Event {
                            on: d(c[4]),
                            seq: i as i64,
                            name: c[3].into(),
                        }
                    })
                    .collect()
            })
            .collect();
        let full = q::case_ratio(
            events.iter().map(Vec::as_slice),
            d("2019-01-01"),
            d("2019-12-31"),
            &QualityRules::default(),
        );
        assert_eq!(f.ratio, full, "{name}");
        assert_eq!((f.ratio.an, f.ratio.jian), (2, 5.0), "{name}");
        assert_eq!((f.concluded, f.with_plea), (2, 1), "{name}");
        assert_eq!(f.events["受理民事监督"], 3);
        // the same counts from the days' table when the period is not whole months
        let odd = store
            .quality_figures(
                &xihu,
                false,
                d("2019-01-02"),
                d("2019-12-30"),
                &CaseFilter::default(),
            )
            .await
            .unwrap();
        assert_eq!(odd.events, f.events, "{name}");
        // a later period that starts after T3's extension: T3 is a 案 there (its first event in it)
        let later = store
            .quality_figures(
                &xihu,
                false,
                d("2019-05-02"),
                d("2019-12-31"),
                &CaseFilter::default(),
            )
            .await
            .unwrap();
        assert_eq!(later.ratio.an, 1, "{name}: T3 only");
        // filters: the tag, the type
        let tagged = store
            .quality_figures(
                &xihu,
                false,
                d("2019-01-01"),
                d("2019-12-31"),
                &CaseFilter {
                    case_type: None,
                    tag: Some("涉疫".into()),
                    level: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (tagged.ratio.an, tagged.events["批准逮捕"]),
            (1, 1),
            "{name}"
        );
        // an event added later to T2 (a return) moves its 件; an arrest review added to T2 first
        let more = format!("{HEAD}\nT2,330106,刑事,退回补充侦查,2019-03-10,");
        let r = store.import_cases(&actor, &table(&more)).await.unwrap();
        assert_eq!((r.created, r.updated), (1, 1), "{name}");
        let f2 = store
            .quality_figures(
                &xihu,
                false,
                d("2019-01-01"),
                d("2019-12-31"),
                &CaseFilter::default(),
            )
            .await
            .unwrap();
        assert_eq!(f2.ratio.jian, 6.0, "{name}");
        // a case cannot move to another unit; nothing is written
        let moved = format!(
            "{HEAD}\nT9,330106,刑事,受理审查逮捕,2019-07-01,\nT1,330102,刑事,审结,2019-07-01,"
        );
        let Err(StoreError::Import(errs)) = store.import_cases(&actor, &table(&moved)).await else {
            panic!("{name}: a case moving between units")
        };
        assert!(
            errs[0].row == 3 && errs[0].message.contains("不能在单位之间移动"),
            "{errs:?}"
        );
        // overdue civil supervision: C1 (closed late) and C2 (open) past 90 days; C3 in time
        let scope = duban_store::Scope {
            unit_id: xihu.id,
            unit_path: xihu.path.clone(),
            subtree: false,
        };
        let (n, closed, list) = store
            .overdue_cases(&scope, d("2019-12-31"), Some("民事"))
            .await
            .unwrap();
        assert_eq!((n, closed), (2, 1), "{name}: {list:?}");
        assert_eq!(list[0].case_no, "C2", "open ones first");
        let hits = store.case_hits(&scope).await.unwrap();
        let rules: Vec<&str> = hits.iter().map(|h| h.rule.as_str()).collect();
        assert!(
            rules.contains(&"两次退回补充侦查")
                && rules.contains(&"未受理审查起诉即延长审查起诉期限"),
            "{name}: {rules:?}"
        );
        // another unit sees none of it
        let other = store.unit_by_code("330102").await.unwrap().unwrap();
        let none = store
            .quality_figures(
                &other,
                false,
                d("2019-01-01"),
                d("2019-12-31"),
                &CaseFilter::default(),
            )
            .await
            .unwrap();
        assert_eq!(none.ratio.an, 0);
        // a monitoring hit becomes a task, once
        let made = store.supervise_case_hits(&actor, &scope).await.unwrap();
        assert!(made >= 2, "{name}: {made}");
        assert_eq!(
            store.supervise_case_hits(&actor, &scope).await.unwrap(),
            0,
            "{name}"
        );
        // the extension no longer an extra step: re-applied to the events held
        let mut rules = QualityRules::default();
        rules
            .events
            .iter_mut()
            .find(|e| e.name == "延长审查起诉期限")
            .unwrap()
            .kind = q::EventKind::Normal;
        store.set_quality_rules(&actor, &rules).await.unwrap();
        let f3 = store
            .quality_figures(
                &xihu,
                false,
                d("2019-01-01"),
                d("2019-12-31"),
                &CaseFilter::default(),
            )
            .await
            .unwrap();
        assert_eq!(f3.ratio.jian, 5.0, "{name}: {:?}", f3.ratio);
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

/// The store's figures — kept per case at import, over batches that add events to cases already
/// held (earlier events, later ones, a second opening) — equal the definition recomputed from
/// all events, for random cases and periods.
#[tokio::test]
async fn kept_figures_equal_a_full_recomputation() {
    use rand::{Rng, SeedableRng};
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let actor = Actor::system("test");
        let rules = QualityRules::default();
        let names: Vec<String> = rules.events.iter().map(|e| e.name.clone()).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let base = d("2018-01-01");
        // (case, day) unique: one event per case and day
        let mut cases: Vec<Vec<(i64, String)>> = Vec::new();
        for _ in 0..60 {
            let mut days: Vec<i64> = (0..rng.random_range(1..7))
                .map(|_| rng.random_range(0..360))
                .collect();
            days.sort();
            days.dedup();
            let mut ev: Vec<(i64, String)> = days
                .iter()
                .map(|day| (*day, names[rng.random_range(0..names.len())].clone()))
                .collect();
            if rng.random_bool(0.8) {
                let first = if rng.random_bool(0.5) {
                    q::ARREST_REVIEW
                } else {
                    q::PROSECUTION_REVIEW
                };
                ev[0].1 = first.into();
            }
            cases.push(ev);
        }
        // three batches, each event in one of them at random
        let mut batches = vec![vec![HEAD.to_string()]; 3];
        for (i, c) in cases.iter().enumerate() {
            for (day, ev) in c {
                let on = base + chrono::Duration::days(*day);
                batches[rng.random_range(0..3)].push(format!("P{i},330203,刑事,{ev},{on},"));
            }
        }
        for b in &batches {
            store
                .import_cases(&actor, &table(&b.join("\n")))
                .await
                .unwrap();
        }
        let unit = store.unit_by_code("330203").await.unwrap().unwrap();
        let all: Vec<Vec<q::Event>> = cases
            .iter()
            .map(|c| {
                c.iter()
                    .map(|(day, ev)| q::Event {
                        on: base + chrono::Duration::days(*day),
                        seq: 0,
                        name: ev.clone(),
                    })
                    .collect()
            })
            .collect();
        for _ in 0..8 {
            let from = base + chrono::Duration::days(rng.random_range(0..300));
            let to = from + chrono::Duration::days(rng.random_range(0..200));
            let kept = store
                .quality_figures(&unit, false, from, to, &CaseFilter::default())
                .await
                .unwrap();
            let full = q::case_ratio(all.iter().map(Vec::as_slice), from, to, &rules);
            assert_eq!(kept.ratio, full, "{name}: {from} – {to}");
        }
    }
}

/// A large import takes the bulk path (secondary indexes dropped, then built in one pass): the
/// same file gives the same cases, events, counts, figures and indexes as row by row, and
/// importing it again adds nothing.
#[tokio::test]
async fn a_bulk_import_equals_a_row_by_row_one() {
    let actor = Actor::system("test");
    let mut lines = vec![HEAD.to_string()];
    let units = ["330000", "330100", "330106", "330203", "440000"];
    for i in 0..400 {
        let u = units[i % units.len()];
        let on = d("2020-01-01") + chrono::Duration::days((i % 200) as i64);
        let mut push = |ev: &str, days: i64| {
            let when = on + chrono::Duration::days(days);
            let tag = if i % 7 == 0 { "涉疫" } else { "" };
            lines.push(format!("B{i:04},{u},刑事,{ev},{when},{tag}"));
        };
        push(q::ARREST_REVIEW, 0);
        push("批准逮捕", 5);
        push(q::PROSECUTION_REVIEW, 30);
        if i % 3 == 0 {
            push("退回补充侦查", 40);
        }
        push("提起公诉", 60);
    }
    let mut figures = Vec::new();
    for bulk_from in [usize::MAX, 0] {
        let store = testing::sqlite().await;
        store.load_demo().await.unwrap();
        let check = |lines: &[String]| {
            let store = store.clone();
            let lines = lines.to_vec();
            async move {
                let mut check = store.cases_check().await.unwrap();
                for (i, raw) in table(&lines.join("\n")).iter().enumerate() {
                    check.row(i + 1, raw);
                }
                check.finish().unwrap()
            }
        };
        let r = store
            .import_checked_cases_bulk_from(&actor, check(&lines).await, bulk_from)
            .await
            .unwrap();
        assert_eq!(r.created, lines.len() - 1);
        let indexes: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cases', 'case_events') AND sql IS NOT NULL ORDER BY name",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();
        let unit = store.unit_by_code("330000").await.unwrap().unwrap();
        let f = store
            .quality_figures(
                &unit,
                true,
                d("2020-01-01"),
                d("2020-12-31"),
                &CaseFilter::default(),
            )
            .await
            .unwrap()
            .report();
        let tagged = store
            .quality_figures(
                &unit,
                true,
                d("2020-01-01"),
                d("2020-12-31"),
                &CaseFilter {
                    tag: Some("涉疫".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .report();
        let counts: (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM case_events), \
             (SELECT COALESCE(SUM(n), 0) FROM case_event_days), (SELECT COUNT(*) FROM case_tags)",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        // importing the same file again adds nothing, on either path
        let again = store
            .import_checked_cases_bulk_from(&actor, check(&lines).await, bulk_from)
            .await
            .unwrap();
        assert_eq!(again.created, 0);
        figures.push((indexes, f, tagged, counts));
    }
    assert_eq!(figures[0].0.len(), 7, "{:?}", figures[0].0);
    assert_eq!(figures[0], figures[1]);
}

/// The quality page's rows read in one pass ([`duban_store::Store::quality_breakdown`]) equal
/// the figures of each row read alone, for a subtree, a unit alone, whole and broken months, a
/// type and a tag — with regular and irregular cases in several units, types and months.
#[tokio::test]
async fn the_page_in_one_pass_equals_each_row_alone() {
    use rand::{Rng, SeedableRng};
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let rules = QualityRules::default();
        let names: Vec<String> = rules.events.iter().map(|e| e.name.clone()).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let base = d("2020-01-01");
        let mut lines = vec![HEAD.to_string()];
        for i in 0..120 {
            let unit = ["330203", "330106", "330000", "330100", "100000"][i % 5];
            let kind = q::CASE_TYPES[rng.random_range(0..q::CASE_TYPES.len())];
            let tag = if i % 3 == 0 { "涉疫" } else { "" };
            let mut days: Vec<i64> = (0..rng.random_range(1..6))
                .map(|_| rng.random_range(0..400))
                .collect();
            days.sort();
            days.dedup();
            for (k, day) in days.iter().enumerate() {
                // most cases open with a review; the others are irregular
                let ev = if k == 0 && rng.random_bool(0.7) {
                    q::PROSECUTION_REVIEW.to_string()
                } else {
                    names[rng.random_range(0..names.len())].clone()
                };
                let on = base + chrono::Duration::days(*day);
                lines.push(format!("R{i},{unit},{kind},{ev},{on},{tag}"));
            }
        }
        store
            .import_cases(&Actor::system("test"), &table(&lines.join("\n")))
            .await
            .unwrap();
        let json = |f: &duban_store::quality::QualityFigures| f.report();
        for (code, subtree) in [("100000", true), ("330000", true), ("330203", false)] {
            let unit = store.unit_by_code(code).await.unwrap().unwrap();
            for (from, to) in [
                (d("2020-01-01"), d("2020-12-31")),
                (d("2020-03-15"), d("2021-02-10")),
            ] {
                for filter in [
                    CaseFilter::default(),
                    CaseFilter {
                        case_type: Some("刑事".into()),
                        ..Default::default()
                    },
                    CaseFilter {
                        tag: Some("涉疫".into()),
                        ..Default::default()
                    },
                ] {
                    let b = store
                        .quality_breakdown(&unit, subtree, from, to, &filter)
                        .await
                        .unwrap();
                    let alone = |u: duban_store::org::Unit, sub: bool, a, z, f: CaseFilter| {
                        let store = store.clone();
                        async move { store.quality_figures(&u, sub, a, z, &f).await.unwrap() }
                    };
                    let at = format!("{name} {code} {from}–{to} {filter:?}");
                    let total = alone(unit.clone(), subtree, from, to, filter.clone()).await;
                    assert_eq!(json(&b.total), json(&total), "{at}: total");
                    assert!(
                        total.ratio.an > 0 || code == "330203",
                        "{at}: the test has cases"
                    );
                    if subtree {
                        let own = alone(unit.clone(), false, from, to, filter.clone()).await;
                        assert_eq!(json(b.own.as_ref().unwrap()), json(&own), "{at}: own");
                        assert_eq!(
                            b.children.len(),
                            store.children(unit.id).await.unwrap().len()
                        );
                        for (child, f) in &b.children {
                            let want = alone(child.clone(), true, from, to, filter.clone()).await;
                            assert_eq!(json(f), json(&want), "{at}: {}", child.name);
                        }
                        assert_eq!(b.by_level.len(), (4 - unit.level) as usize);
                        for (level, f) in &b.by_level {
                            let lf = CaseFilter {
                                level: Some(*level),
                                ..filter.clone()
                            };
                            let want = alone(unit.clone(), true, from, to, lf).await;
                            assert_eq!(json(f), json(&want), "{at}: level {level}");
                        }
                    } else {
                        assert!(b.own.is_none() && b.children.is_empty() && b.by_level.is_empty());
                    }
                    for (t, f) in &b.by_type {
                        let tf = CaseFilter {
                            case_type: Some(t.to_string()),
                            ..filter.clone()
                        };
                        let want = alone(unit.clone(), subtree, from, to, tf).await;
                        assert_eq!(json(f), json(&want), "{at}: type {t}");
                    }
                    for (a, z, f) in &b.months {
                        let want = alone(unit.clone(), subtree, *a, *z, filter.clone()).await;
                        assert_eq!(json(f), json(&want), "{at}: month {a}–{z}");
                    }
                }
            }
        }
    }
}

/// The quality page's sums are counted once per scope and question and read back (migration
/// 0056) until cases are imported into the scope: an import elsewhere keeps them, one inside
/// counts them again (equal to a count from nothing kept), and a scope keeps 48 questions.
#[tokio::test]
async fn kept_sums_follow_the_imports_into_their_scope() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let import = |rows: &[&str]| {
            let csv = format!("{HEAD}\n{}", rows.join("\n"));
            let store = store.clone();
            async move {
                store
                    .import_cases(&Actor::system("test"), &table(&csv))
                    .await
                    .unwrap()
            }
        };
        import(&[
            "K1,330106,刑事,受理审查起诉,2020-03-01,",
            "K1,330106,刑事,退回补充侦查,2020-04-01,",
            "K2,440106,刑事,受理审查起诉,2020-03-05,",
        ])
        .await;
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let year = (d("2020-01-01"), d("2020-12-31"));
        let page = || {
            let (store, zj) = (store.clone(), zj.clone());
            async move {
                let b = store
                    .quality_breakdown(&zj, true, year.0, year.1, &CaseFilter::default())
                    .await
                    .unwrap();
                (
                    b.total.report(),
                    b.months.iter().map(|m| m.2.report()).collect::<Vec<_>>(),
                )
            }
        };
        let sql = |q: &'static str| {
            let (pool, id) = (store.pool.clone(), zj.id);
            async move {
                sqlx::query_scalar::<_, i64>(q)
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        let kept = || sql("SELECT COUNT(*) FROM quality_kept WHERE scope_id = $1");
        let version =
            || sql("SELECT COALESCE(MAX(v), 0) FROM quality_versions WHERE scope_id = $1");
        let first = page().await;
        let an = first.0["an"].as_i64().unwrap();
        assert!(an > 0, "{name}: {}", first.0);
        assert_eq!(kept().await, 1, "{name}: counted and kept");
        // read back as kept: a change made behind the store's back is seen
        let sums: String = sqlx::query_scalar("SELECT sums FROM quality_kept WHERE scope_id = $1")
            .bind(zj.id)
            .fetch_one(&store.pool)
            .await
            .unwrap();
        let mut sums: serde_json::Value = serde_json::from_str(&sums).unwrap();
        sums[0]["an"] = 999_999.into();
        sqlx::query("UPDATE quality_kept SET sums = $2 WHERE scope_id = $1")
            .bind(zj.id)
            .bind(sums.to_string())
            .execute(&store.pool)
            .await
            .unwrap();
        assert_eq!(
            page().await.0["an"],
            999_999,
            "{name}: the kept sums are read"
        );
        // an import into another province keeps them
        let v = version().await;
        import(&["K3,440106,刑事,受理审查起诉,2020-06-01,"]).await;
        assert_eq!(version().await, v, "{name}");
        assert_eq!(page().await.0["an"], 999_999, "{name}: still kept");
        // one into 浙江 counts again: the new case is in, the edit is gone
        import(&["K4,330106,刑事,受理审查起诉,2020-06-02,"]).await;
        assert!(version().await > v, "{name}");
        let after = page().await;
        assert_eq!(after.0["an"], an + 1, "{name}: {}", after.0);
        sqlx::query("DELETE FROM quality_kept")
            .execute(&store.pool)
            .await
            .unwrap();
        assert_eq!(page().await, after, "{name}: kept equals counted");
        // a held case's new step (an update of a case, not a new one) counts again too
        import(&["K4,330106,刑事,延长审查起诉期限,2020-07-01,"]).await;
        let jian = |p: &(serde_json::Value, Vec<serde_json::Value>)| p.0["jian"].as_f64().unwrap();
        assert!(jian(&page().await) > jian(&after), "{name}");
        // a scope keeps its last 48 questions
        for day in 1..=50 {
            let to = d("2020-12-01") + chrono::Duration::days(day);
            store
                .quality_breakdown(&zj, true, year.0, to, &CaseFilter::default())
                .await
                .unwrap();
        }
        assert_eq!(kept().await, 48, "{name}");
        // read by key: no scan of the kept answers, nor of the versions
        let sql = duban_store::quality::kept::read_sql();
        let args = [testing::Arg::Int(zj.id), testing::Arg::Text("q".into())];
        let plan = testing::plan(&store, &sql, &args).await;
        for table in ["quality_kept", "quality_versions"] {
            assert!(!testing::sorts_or_scans(&plan, table), "{name}: {plan:#?}");
        }
        assert!(
            !plan.iter().any(|l| l == "SCAN k" || l == "SCAN q"),
            "{name}: {plan:#?}"
        );
    }
}
