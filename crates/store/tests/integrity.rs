//! Integrity (不搞形式销号), on SQLite and PostgreSQL: every forbidden move through the store's
//! doors — ledger entry, import, meeting decision, settings, grants, case events — is refused with
//! its Chinese message, nothing is written, and the audit head is unchanged.
use chrono::{Duration, NaiveDate};
use duban_domain::adjustment::{AdjState, Field};
use duban_domain::org::Role;
use duban_domain::rectification::{Category, RuleError, TaskState};
use duban_store::rectification::{Author, EntryKind, NewEntry, Task, Upload};
use duban_store::{Store, StoreError, testing};

use duban_store::testing::author;

async fn head(store: &Store) -> (i64, String) {
    let r: (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    r
}

async fn entries(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// The refusal's rule, having checked that nothing was written.
async fn refused<T: std::fmt::Debug>(
    store: &Store,
    name: &str,
    what: &str,
    before: &((i64, String), i64),
    r: Result<T, StoreError>,
) -> RuleError {
    let after = (head(store).await, entries(store).await);
    assert_eq!(&after, before, "{name}: {what}: something was written");
    match r {
        Err(StoreError::Rule(e)) => {
            assert!(
                e.to_string()
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{name}: {what}: the message is Chinese: {e}"
            );
            e
        }
        other => panic!("{name}: {what}: expected a rule's refusal, got {other:?}"),
    }
}

fn entry(task: i64, date: NaiveDate, kind: EntryKind, files: Vec<Upload>) -> NewEntry {
    NewEntry {
        task_id: task,
        date,
        kind,
        body: "对照完成标准已完成整改".into(),
        corrects_id: None,
        files,
        late_reason: String::new(),
    }
}

fn pdf() -> Vec<Upload> {
    vec![Upload {
        filename: "验收报告.pdf".into(),
        bytes: b"%PDF-1.4 evidence".to_vec(),
    }]
}

async fn open_task(store: &Store, plan: i64, skip: usize) -> Task {
    store
        .tasks(plan)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.state == TaskState::InProgress && t.category == Category::TimeLimited)
        .nth(skip)
        .unwrap()
}

#[tokio::test]
async fn no_door_to_a_paper_closure() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let today = duban_store::testing::today();
        let admin_user = store.user_by_login("admin").await.unwrap().unwrap();
        let party = store
            .plan(&admin_user.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let office = author(&store, "office").await;
        let disc = author(&store, "discipline").await;
        let admin = author(&store, "admin").await;
        let t = open_task(&store, party.id, 0).await;
        let depts = store.task_department_ids(t.id).await.unwrap();

        // empty evidence, bad file names
        let before = (head(&store).await, entries(&store).await);
        let empty = vec![Upload {
            filename: "空.pdf".into(),
            bytes: vec![],
        }];
        let e = refused(
            &store,
            name,
            "empty evidence",
            &before,
            store
                .add_entry(
                    &office,
                    entry(t.id, today, EntryKind::ClosureRequest, empty),
                )
                .await,
        )
        .await;
        assert_eq!(e, RuleError::EmptyFile("空.pdf".into()));
        for bad in ["../etc/passwd.pdf", "a\u{0}b.pdf", &"长".repeat(200)] {
            let f = vec![Upload {
                filename: format!("{bad}"),
                bytes: b"x".to_vec(),
            }];
            refused(
                &store,
                name,
                "bad file name",
                &before,
                store
                    .add_entry(&office, entry(t.id, today, EntryKind::ClosureRequest, f))
                    .await,
            )
            .await;
        }

        // backdating beyond the grace without a reason; a future date
        let old = today - Duration::days(10);
        let e = refused(
            &store,
            name,
            "backdating",
            &before,
            store
                .add_entry(&office, entry(t.id, old, EntryKind::Progress, vec![]))
                .await,
        )
        .await;
        assert_eq!(e, RuleError::LateWithoutReason { days: 10, grace: 3 });
        refused(
            &store,
            name,
            "future",
            &before,
            store
                .add_entry(
                    &office,
                    entry(t.id, today + Duration::days(1), EntryKind::Progress, vec![]),
                )
                .await,
        )
        .await;

        // the office requests a closure; it may not approve it itself
        store
            .add_entry(
                &office,
                entry(t.id, today, EntryKind::ClosureRequest, pdf()),
            )
            .await
            .unwrap();
        let before = (head(&store).await, entries(&store).await);
        let e = refused(
            &store,
            name,
            "self-approval",
            &before,
            store
                .add_entry(&office, entry(t.id, today, EntryKind::Approve, vec![]))
                .await,
        )
        .await;
        assert_eq!(e, RuleError::OwnRequest);
        // an account with no person behind it, an administrator, the owners
        let unbound = Author {
            staff_id: None,
            departments: vec![],
            user_id: Some(99_999),
            ..office.clone()
        };
        assert_eq!(
            refused(
                &store,
                name,
                "unbound",
                &before,
                store
                    .add_entry(&unbound, entry(t.id, today, EntryKind::Approve, vec![]))
                    .await
            )
            .await,
            RuleError::UnboundReviewer
        );
        assert_eq!(
            refused(
                &store,
                name,
                "admin",
                &before,
                store
                    .add_entry(&admin, entry(t.id, today, EntryKind::Approve, vec![]))
                    .await
            )
            .await,
            RuleError::AdminNeverReviews
        );
        for (who, staff, d) in [
            ("lead leader", t.lead_leader_id, vec![]),
            ("responsible", t.responsible_id, vec![]),
            ("department", Some(1_000_000), depts.clone()),
        ] {
            let a = Author {
                user_id: Some(99_998),
                login: who.into(),
                role: Role::Discipline,
                staff_id: staff,
                departments: d,
            };
            assert_eq!(
                refused(
                    &store,
                    name,
                    who,
                    &before,
                    store
                        .add_entry(&a, entry(t.id, today, EntryKind::Approve, vec![]))
                        .await
                )
                .await,
                RuleError::OwnTask,
                "{name}: {who}"
            );
        }
        // the independent reviewer approves
        store
            .add_entry(&disc, entry(t.id, today, EntryKind::Approve, vec![]))
            .await
            .unwrap();

        // a late entry with its reason is kept and marked
        let t2 = open_task(&store, party.id, 0).await;
        let mut late = entry(t2.id, old, EntryKind::Progress, vec![]);
        late.late_reason = "会议纪要整理后补录".into();
        store.add_entry(&office, late).await.unwrap();
        let last = store.ledger(t2.id).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.late_days, last.late_reason.as_str()),
            (10, "会议纪要整理后补录"),
            "{name}"
        );
        assert_eq!(last.entry_date, old.to_string());
        assert!(store.late_entries(party.id, today).await.unwrap() >= 1);

        // re-import over the existing plan: closures and deadline moves become requests
        let stats_before = store.plan_stats(party.id, today).await.unwrap();
        let mut table: Vec<Vec<String>> = vec![
            duban_domain::import::LEDGER_COLUMNS
                .iter()
                .map(|c| c.0.to_string())
                .collect(),
        ];
        let t3 = open_task(&store, party.id, 1).await;
        for row in store.ledger_sheet(party.id, today).await.unwrap() {
            let mut row = row.to_vec();
            if row[0] == t3.seq.to_string() {
                row[12] = "张三".into();
                row[13] = "2019-01-01".into();
                row[9] = "2035-12-31".into();
            }
            table.push(row);
        }
        let r = store
            .import_ledger(&office, party.unit_id, &party.title, "ledger.xlsx", &table)
            .await
            .unwrap();
        assert!(
            !r.plan_created && r.historical_closures == 0,
            "{name}: {r:?}"
        );
        let t3_after = store
            .task_in_scope(&admin_user.scope(), t3.id)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(
            t3_after.state,
            TaskState::Closed,
            "{name}: re-import never closes"
        );
        assert_eq!(
            t3_after.deadline, t3.deadline,
            "{name}: re-import never re-dates"
        );
        let adj = store.adjustments(t3.id).await.unwrap();
        let pending = adj
            .iter()
            .find(|a| a.field == Field::Deadline && a.state == AdjState::Pending)
            .unwrap_or_else(|| panic!("{name}: a deadline request: {adj:?}"));
        let stats_after = store.plan_stats(party.id, today).await.unwrap();
        assert_eq!(
            stats_after.time_limited.closed, stats_before.time_limited.closed,
            "{name}"
        );
        // the request is decided by someone else
        let before = (head(&store).await, entries(&store).await);
        assert_eq!(
            refused(
                &store,
                name,
                "own adjustment",
                &before,
                store
                    .decide_adjustment(&office, &admin_user.scope(), pending.id, true, "")
                    .await
            )
            .await,
            RuleError::OwnAdjustment
        );
        store
            .decide_adjustment(&disc, &admin_user.scope(), pending.id, true, "同意调整")
            .await
            .unwrap();
        let t3_after = store
            .task_in_scope(&admin_user.scope(), t3.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            t3_after.deadline.map(|d| d.to_string()).as_deref(),
            Some("2035-12-31"),
            "{name}"
        );

        // a meeting decision moves no deadline by itself
        let t4 = open_task(&store, party.id, 2).await;
        let meeting = store
            .create_meeting(
                &store
                    .user_by_login("office")
                    .await
                    .unwrap()
                    .unwrap()
                    .actor(),
                party.unit_id,
                today,
                "双周碰头会",
            )
            .await
            .unwrap();
        let (_, items) = store
            .meeting(&admin_user.scope(), meeting)
            .await
            .unwrap()
            .unwrap();
        if let Some(item) = items.iter().find(|i| i.task_id == t4.id).or(items.first()) {
            let task = item.task_id;
            let old_deadline = store
                .task_in_scope(&admin_user.scope(), task)
                .await
                .unwrap()
                .unwrap()
                .deadline;
            store
                .decide(
                    &office,
                    &admin_user.scope(),
                    meeting,
                    item.id,
                    "延期至2035年",
                    duban_store::meetings::Action::Deadline(
                        NaiveDate::from_ymd_opt(2035, 1, 1).unwrap(),
                    ),
                )
                .await
                .unwrap();
            let now = store
                .task_in_scope(&admin_user.scope(), task)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                now.deadline, old_deadline,
                "{name}: one person never moves a deadline"
            );
            assert!(
                store
                    .adjustments(task)
                    .await
                    .unwrap()
                    .iter()
                    .any(|a| a.state == AdjState::Pending && a.source.starts_with("meeting:")),
                "{name}"
            );
        }
        assert!(store.verify_audit().await.unwrap().is_ok(), "{name}");
    }
}

#[tokio::test]
async fn no_scope_escalation() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        let gd = store.unit_by_code("440000").await.unwrap().unwrap();
        let county = duban_store::Scope {
            unit_id: xihu.id,
            unit_path: xihu.path.clone(),
            subtree: false,
        };
        let admin = duban_store::Actor::account(None, "xihu.admin", Role::Admin, county.clone());
        let quality =
            duban_store::Actor::account(None, "xihu.quality", Role::Quality, county.clone());
        let before = (head(&store).await, entries(&store).await);
        // nationwide rules
        let rules = store.supervision_rules().await.unwrap();
        assert_eq!(
            refused(
                &store,
                name,
                "rules",
                &before,
                store.set_supervision_rules(&admin, &rules).await
            )
            .await,
            RuleError::NationalOnly
        );
        let q = store.quality_rules().await.unwrap();
        assert_eq!(
            refused(
                &store,
                name,
                "quality rules",
                &before,
                store.set_quality_rules(&quality, &q).await
            )
            .await,
            RuleError::NationalOnly
        );
        // a grant wider than one's own
        let nu = duban_store::users::NewUser {
            login: "xihu.wide",
            display_name: "越权",
            password: "Str0ng-passw0rd!",
            role: Role::Office,
            unit_id: xihu.id,
            subtree: true,
        };
        assert_eq!(
            refused(
                &store,
                name,
                "subtree grant",
                &before,
                store.create_user_by(&admin, &nu).await
            )
            .await,
            RuleError::GrantTooWide
        );
        let up = duban_store::users::NewUser {
            unit_id: gd.id,
            subtree: false,
            ..nu
        };
        assert_eq!(
            refused(
                &store,
                name,
                "grant elsewhere",
                &before,
                store.create_user_by(&admin, &up).await
            )
            .await,
            RuleError::OutOfScope
        );
        // case events of another province's unit
        let table: Vec<Vec<String>> = vec![
            [
                "case_id",
                "unit_code",
                "case_type",
                "event",
                "occurred_on",
                "tags",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            ["X-1", "440000", "刑事", "受理审查逮捕", "2020-03-01", ""]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ];
        let r = store.import_cases(&quality, &table).await;
        let Err(StoreError::Import(problems)) = r else {
            panic!("{name}: {r:?}")
        };
        assert_eq!(
            (problems[0].row, problems[0].column.as_str()),
            (2, "unit_code"),
            "{name}"
        );
        assert_eq!(
            (head(&store).await, entries(&store).await),
            before,
            "{name}"
        );
    }
}

#[tokio::test]
async fn cascade_to_any_depth_and_signed_history() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let party = store
            .plan(&admin.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let zj_scope = duban_store::Scope {
            unit_id: zj.id,
            unit_path: zj.path.clone(),
            subtree: true,
        };
        let actor = duban_store::Actor::system("t");
        let day = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap();
        store
            .cascade_plan(&actor, &party, &[zj.id], day)
            .await
            .unwrap();
        let zj_plan = store.plan(&zj_scope, &party.title).await.unwrap().unwrap();
        assert_eq!(zj_plan.unit_id, zj.id, "{name}");
        // the province issues its copy to its cities; then the SPP issues to everything below it
        let cities: Vec<i64> = store
            .children(zj.id)
            .await
            .unwrap()
            .iter()
            .map(|u| u.id)
            .collect();
        assert!(!cities.is_empty());
        store
            .cascade_plan(&actor, &zj_plan, &cities, day)
            .await
            .unwrap();
        let mut below: Vec<i64> = cities.clone();
        below.push(zj.id);
        store
            .cascade_plan(&actor, &party, &below, day)
            .await
            .unwrap_or_else(|e| panic!("{name}: cascade over copies made below: {e}"));
        let rows = store
            .rollup(&admin.scope(), party.id, duban_store::testing::today())
            .await
            .unwrap();
        for c in &cities {
            assert!(
                rows.iter().any(|r| r.unit_id == *c),
                "{name}: the city copy counts in the SPP's roll-up"
            );
        }

        // the head signed, then history rewritten: verification against the anchor fails
        let secret = [42u8; 32];
        let anchor = store.sign_anchor(&secret).await.unwrap().unwrap();
        assert!(
            store
                .verify_against_anchor(&anchor, None)
                .await
                .unwrap()
                .is_ok(),
            "{name}"
        );
        let mut forged = anchor.clone();
        forged.seq -= 1;
        assert!(
            store
                .verify_against_anchor(&forged, None)
                .await
                .unwrap()
                .is_err(),
            "{name}: a forged anchor"
        );
        assert!(
            store
                .verify_against_anchor(&anchor, Some(&duban_domain::anchor::public_key(&[1u8; 32])))
                .await
                .unwrap()
                .is_err(),
            "{name}: another installation's key"
        );
    }
}
