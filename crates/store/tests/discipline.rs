//! The discipline desk in the store (issue 19), on SQLite and PostgreSQL: clues imported all or
//! nothing, their figures judged on a day, steps decided by the domain, reviews, look-backs, the
//! violations register, the desk's own urging — and nothing of it for anyone else.
use chrono::NaiveDate;
use duban_domain::discipline::{ClueSource, ClueStep, Disposal, Outcome, Verdict, ViolationKind};
use duban_domain::org::Role;
use duban_store::discipline::{NewClue, NewViolation};
use duban_store::{Actor, Scope, StoreError, testing};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn table(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

const HEAD: &str = "clue_no,received_on,unit_code,source,subject_staff_no,subject_name,summary,disposal,disposal_on,outcome,concluded_on";

fn desk_actor(unit: &duban_store::org::Unit, role: Role) -> (Actor, Scope) {
    let scope = Scope {
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        subtree: true,
    };
    (
        Actor {
            user_id: None,
            name: "jijian".into(),
            role: Some(role),
            scope: Some(scope.clone()),
        },
        scope,
    )
}

#[tokio::test]
async fn clues_are_imported_judged_and_kept_from_everyone_else() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let (group, _) = desk_actor(&spp, Role::Discipline);
        // a bad file imports nothing and names every bad cell
        let bad = format!(
            "{HEAD}\nJ-1,2020-03-02,100000,巡视移交,,张某,反映问题,谈话函询,2020-02-01,,\nJ-2,2020-03-02,999999,电话,,,,,,,"
        );
        let Err(StoreError::Import(errs)) = store.import_clues(&group, &table(&bad)).await else {
            panic!("{name}")
        };
        let at = |row: usize, col: &str| errs.iter().any(|e| e.row == row && e.column == col);
        assert!(
            at(2, "disposal_on") && at(3, "unit_code") && at(3, "source") && at(3, "summary"),
            "{name}: {errs:?}"
        );
        let period = (d("2020-01-01"), d("2020-09-30"), d("2020-09-30"));
        // the demo's clues are the SPP's; 浙江's subtree starts empty
        let base = store.clue_figures(&group, &zj, true, period).await.unwrap();
        assert_eq!(base.received, 0, "{name}");
        // a good one: five clues, two from the inspection, judged on 2020-09-30
        let good = format!(
            "{HEAD}\n\
             X-1,2020-01-06,330000,巡视移交,,甲某,反映违规干预案件,初步核实,2020-01-20,党纪处分,2020-05-10\n\
             X-2,2020-02-03,330000,巡视移交,,乙某,反映违规收受礼金,谈话函询,2020-02-10,了结澄清,2020-03-01\n\
             X-3,2020-03-02,330100,来信来访,,丙某,反映办案不公,初步核实,2020-03-09,,\n\
             X-4,2020-09-01,330106,审计移送,,丁某,反映违规报销,,,,\n\
             X-5,2020-06-01,330000,来信来访,,甲某,反映违规经商,谈话函询,2020-06-10,诫勉,2020-07-01"
        );
        let r = store.import_clues(&group, &table(&good)).await.unwrap();
        assert_eq!(r.created, 5, "{name}");
        let f = store.clue_figures(&group, &zj, true, period).await.unwrap();
        assert_eq!(
            (
                f.received,
                f.from_inspection,
                f.undisposed,
                f.open,
                f.concluded
            ),
            (5, 2, 1, 2, 3),
            "{name}: {f:?}"
        );
        // 初步核实 from 03-09, 90 days → due 06-07, overdue; X-4: received 09-01, due 10-01
        assert_eq!(f.overdue, 1, "{name}");
        assert_eq!(f.by_outcome.get("党纪处分"), Some(&1));
        assert_eq!(
            f.persons_dealt_with, 1,
            "{name}: 甲某 twice counts once; 了结澄清 is not dealt with"
        );
        // the province's own clues only, without its subtree
        let own = store
            .clue_figures(&group, &zj, false, period)
            .await
            .unwrap();
        assert_eq!(own.received, 3, "{name}");
        // judged earlier, from the history: on 2020-02-05 X-2 was still undisposed
        let early = store
            .clue_figures(
                &group,
                &zj,
                true,
                (d("2020-01-01"), d("2020-02-28"), d("2020-02-05")),
            )
            .await
            .unwrap();
        assert_eq!(
            (early.received, early.undisposed, early.concluded),
            (2, 1, 0),
            "{name}: {early:?}"
        );
        // nobody else: the office of the same unit, an administrator, a leader
        for role in [
            Role::Office,
            Role::Admin,
            Role::Leader,
            Role::Letters,
            Role::Staff,
        ] {
            let (other, other_scope) = desk_actor(&spp, role);
            assert!(
                matches!(
                    store.clues_page(&other, &other_scope, true, None, 10).await,
                    Err(StoreError::NotFound)
                ),
                "{name} {role:?}"
            );
            assert!(matches!(
                store
                    .clue_figures(
                        &other,
                        &spp,
                        true,
                        (d("2020-01-01"), d("2020-09-30"), d("2020-09-30"))
                    )
                    .await,
                Err(StoreError::NotFound)
            ));
            assert!(matches!(
                store.import_clues(&other, &table(&good)).await,
                Err(StoreError::NotFound)
            ));
        }
        // a province's group sees its own clues only
        let (zj_group, zj_scope) = desk_actor(&zj, Role::Discipline);
        let (page, _) = store
            .clues_page(&zj_group, &zj_scope, false, None, 50)
            .await
            .unwrap();
        assert!(
            page.iter().all(|c| c.unit_name != spp.name) && page.len() == 5,
            "{name}"
        );
        let spp_clue: i64 = sqlx::query_scalar("SELECT id FROM clues WHERE clue_no = 'XS2020-001'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(
            matches!(
                store.clue(&zj_group, &zj_scope, spp_clue).await,
                Err(StoreError::NotFound)
            ),
            "{name}"
        );
        // steps: the open X-4 is disposed of and concluded; a concluded clue takes no more
        let x4: i64 = sqlx::query_scalar("SELECT id FROM clues WHERE clue_no = 'X-4'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        let today = store.today();
        let refused = store
            .clue_step(
                &zj_group,
                &zj_scope,
                x4,
                ClueStep::Conclude(Outcome::Cleared),
                today,
                "",
                None,
            )
            .await;
        assert!(
            matches!(refused, Err(StoreError::Rule(_))),
            "{name}: undisposed"
        );
        store
            .clue_step(
                &zj_group,
                &zj_scope,
                x4,
                ClueStep::Dispose(Disposal::Talk),
                today,
                "约谈",
                None,
            )
            .await
            .unwrap();
        store
            .clue_step(
                &zj_group,
                &zj_scope,
                x4,
                ClueStep::Conclude(Outcome::Criticism),
                today,
                "",
                None,
            )
            .await
            .unwrap();
        assert!(
            store
                .clue_step(
                    &zj_group,
                    &zj_scope,
                    x4,
                    ClueStep::Dispose(Disposal::Hold),
                    today,
                    "",
                    None
                )
                .await
                .is_err()
        );
        let detail = store.clue(&zj_group, &zj_scope, x4).await.unwrap();
        assert_eq!(
            detail
                .events
                .iter()
                .map(|e| e.1.as_str())
                .collect::<Vec<_>>(),
            ["received", "dispose", "conclude"],
            "{name}"
        );
        let viewed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'clue.view'")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert!(viewed >= 1, "{name}: reads are audited");
    }
}

#[tokio::test]
async fn reviews_lookbacks_violations_and_the_desks_own_urging() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let (group, scope) = desk_actor(&spp, Role::Discipline);
        let today = store.today();
        let add = |no: &'static str, on: NaiveDate| NewClue {
            clue_no: no.into(),
            received_on: on,
            source: ClueSource::Inspection,
            subject_staff_no: String::new(),
            subject_name: "某某".into(),
            subject_post: "检察官".into(),
            summary: "反映问题".into(),
        };
        let a = store
            .add_clue(
                &group,
                &scope,
                &add("R-1", today - chrono::Duration::days(45)),
            )
            .await
            .unwrap();
        let b = store
            .add_clue(&group, &scope, &add("R-2", today))
            .await
            .unwrap();
        assert!(
            store
                .add_clue(&group, &scope, &add("R-2", today))
                .await
                .is_err(),
            "{name}: the number is taken"
        );
        // the monthly review: R-1 is overdue (30 days to dispose of it), R-2 received this month
        let month = duban_domain::records::Month::of(today).to_string();
        let rid = store
            .create_review(&group, &scope, &month, today, "研究线索")
            .await
            .unwrap();
        let (_, agenda) = store.review(&group, &scope, rid).await.unwrap();
        assert!(
            agenda.overdue.iter().any(|c| c.id == a) && agenda.received.iter().any(|c| c.id == b),
            "{name}"
        );
        store
            .clue_step(
                &group,
                &scope,
                a,
                ClueStep::Dispose(Disposal::Verify),
                today,
                "会议决定初核",
                Some(rid),
            )
            .await
            .unwrap();
        let (_, agenda) = store.review(&group, &scope, rid).await.unwrap();
        assert_eq!(agenda.decisions.len(), 1, "{name}");
        // the desk's urging: notices of its own, never in the supervision board
        let board_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notices")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        let (c, _) = (
            store
                .add_clue(
                    &group,
                    &scope,
                    &add("R-3", today - chrono::Duration::days(60)),
                )
                .await
                .unwrap(),
            (),
        );
        let n = store.sweep_clues(today).await.unwrap();
        assert!(n >= 1, "{name}");
        assert_eq!(store.sweep_clues(today).await.unwrap(), 0, "{name}: once");
        assert!(
            !store
                .clue(&group, &scope, c)
                .await
                .unwrap()
                .notices
                .is_empty()
        );
        let board_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notices")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(board_before, board_after, "{name}");
        // a look-back over what was disposed of today
        let lb = store
            .create_lookback(&group, &scope, "2020年线索回头看", today, today)
            .await
            .unwrap();
        let (l, items) = store.lookback(&group, &scope, lb).await.unwrap();
        assert_eq!((l.total, l.assessed), (1, 0), "{name}");
        assert!(
            store
                .assess_clue(&group, &scope, lb, items[0].clue.id, Verdict::Corrected, "")
                .await
                .is_err(),
            "{name}: a correction is described"
        );
        store
            .assess_clue(
                &group,
                &scope,
                lb,
                items[0].clue.id,
                Verdict::Corrected,
                "已重新初核",
            )
            .await
            .unwrap();
        let (l, _) = store.lookback(&group, &scope, lb).await.unwrap();
        assert_eq!(
            (l.assessed, l.by_verdict.get("corrected")),
            (1, Some(&1)),
            "{name}"
        );
        // the violations register and its figures
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        for (who, unit, kind) in [
            ("甲", spp.id, ViolationKind::Integrity),
            ("乙", xihu.id, ViolationKind::Work),
            ("乙", xihu.id, ViolationKind::Duty),
        ] {
            store
                .add_violation(
                    &group,
                    &scope,
                    &NewViolation {
                        staff_no: String::new(),
                        name: who.into(),
                        unit_id: unit,
                        post: String::new(),
                        kind,
                        filed_on: today,
                        outcome: Some(Outcome::Party),
                    },
                )
                .await
                .unwrap();
        }
        let f = store
            .violation_figures(&group, &spp, true, today, today)
            .await
            .unwrap();
        assert_eq!(f.persons, 2, "{name}: a person filed twice counts once");
        assert_eq!(
            (f.by_level.get("1"), f.by_level.get("4")),
            (Some(&1), Some(&1)),
            "{name}: {f:?}"
        );
        let (office, office_scope) = desk_actor(&spp, Role::Office);
        assert!(matches!(
            store.violations(&office, &office_scope).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.lookbacks(&office, &office_scope).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.reviews(&office, &office_scope).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn the_talk_plan_covers_everyone_in_post_and_files_gather_a_person() {
    use duban_domain::discipline::TalkKind;
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        let (group, scope) = desk_actor(&xihu, Role::Discipline);
        let plan = store.talk_plan(&group, &scope, 2020).await.unwrap();
        assert_eq!(
            plan.id,
            store.talk_plan(&group, &scope, 2020).await.unwrap().id,
            "{name}: one a year"
        );
        assert!(plan.staff > 0 && plan.talked == 0, "{name}: {plan:?}");
        let first = store
            .talk_people(&group, &scope, &plan, true, "", 1)
            .await
            .unwrap()
            .remove(0);
        let today = store.today();
        store
            .record_talk(
                &group,
                &scope,
                &plan,
                &first.staff_no,
                TalkKind::Annual,
                today,
                "纪检组长",
                "年度谈话",
            )
            .await
            .unwrap();
        let plan = store.talk_plan(&group, &scope, 2020).await.unwrap();
        assert_eq!(plan.talked, 1, "{name}");
        let left = store
            .talk_people(&group, &scope, &plan, true, "", 10_000)
            .await
            .unwrap();
        assert_eq!(left.len() as i64, plan.staff - 1, "{name}");
        assert!(!left.iter().any(|p| p.staff_id == first.staff_id));
        // an account of the unit alone covers the unit's own staff, not the units below
        let hz = store.unit_by_code("330100").await.unwrap().unwrap();
        let (hz_group, hz_scope) = desk_actor(&hz, Role::Discipline);
        let whole = store.talk_plan(&hz_group, &hz_scope, 2020).await.unwrap();
        let own_scope = duban_store::Scope {
            subtree: false,
            ..hz_scope.clone()
        };
        let own = store.talk_plan(&hz_group, &own_scope, 2020).await.unwrap();
        let own_count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE unit_id = $1 AND left_on IS NULL")
                .bind(hz.id)
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert_eq!(own.staff, own_count, "{name}");
        assert!(whole.staff > own.staff, "{name}: {whole:?} {own:?}");
        assert!(
            store
                .talk_people(&hz_group, &own_scope, &own, true, "", 10_000)
                .await
                .unwrap()
                .iter()
                .all(|p| p.unit_name == hz.name),
            "{name}"
        );
        // someone outside the unit is not in its plan
        let outside: String =
            sqlx::query_scalar("SELECT staff_no FROM staff WHERE staff_no = 'SPP0201'")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert!(
            store
                .record_talk(
                    &group,
                    &scope,
                    &plan,
                    &outside,
                    TalkKind::Annual,
                    today,
                    "纪检组长",
                    ""
                )
                .await
                .is_err(),
            "{name}"
        );
        // personal-matters reports: the date alone, one a year (a later entry replaces it)
        store
            .record_personal_report(
                &group,
                &scope,
                first.staff_id,
                2020,
                today - chrono::Duration::days(3),
            )
            .await
            .unwrap();
        store
            .record_personal_report(&group, &scope, first.staff_id, 2020, today)
            .await
            .unwrap();
        let file = store
            .integrity_file(&group, &scope, first.staff_id)
            .await
            .unwrap();
        assert_eq!(file.talks.len(), 1, "{name}");
        assert_eq!(
            file.personal_reports,
            vec![(2020, today.to_string())],
            "{name}"
        );
        let (office, office_scope) = desk_actor(&xihu, Role::Office);
        assert!(matches!(
            store
                .integrity_file(&office, &office_scope, first.staff_id)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.talk_plan(&office, &office_scope, 2020).await,
            Err(StoreError::NotFound)
        ));
    }
}
