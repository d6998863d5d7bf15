//! Rectification in the store, on SQLite and (when configured) PostgreSQL.
use chrono::NaiveDate;
use duban_domain::org::Role;
use duban_domain::rectification::{ClosableStats, LongTermStats, TaskState};
use duban_store::rectification::{Author, EntryKind, NewEntry, Upload};
use duban_store::{StoreError, testing};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The message of a refusal, whether a rule's or another check's.
fn refusal(r: Result<i64, StoreError>) -> String {
    match r {
        Err(StoreError::Rule(e)) => e.to_string(),
        Err(StoreError::Invalid(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

use duban_store::testing::author;

#[tokio::test]
async fn demo_reproduces_the_seeds_figures() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        store.load_demo().await.unwrap();
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let plans = store.plans(&admin.scope()).await.unwrap();
        assert_eq!(
            plans.len(),
            16,
            "{name}: two plans, the party plan issued to two provinces, three other supervised matters, \
             8 plans of the fifth internal round, the recommendation's; loading twice duplicates nothing"
        );
        let kinds: Vec<&str> = plans.iter().map(|p| p.round_kind.as_str()).collect();
        for k in ["central", "instruction", "recommendation", "rules"] {
            assert!(kinds.contains(&k), "{name}: {kinds:?}");
        }
        // the other matters run on the same engine: figures, lights, review
        let rules_plan = plans.iter().find(|p| p.round_kind == "rules").unwrap();
        let s = store
            .plan_stats(rules_plan.id, d("2020-11-05"))
            .await
            .unwrap();
        assert_eq!(
            (s.time_limited.closed, s.long_term.with_staged_results),
            (3, 1),
            "{name}"
        );
        let party = store
            .plan(&admin.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(party.tasks, 87);
        let s = store.plan_stats(party.id, d("2020-11-05")).await.unwrap();
        assert_eq!(s.total, 87, "{name}");
        assert_eq!(
            s.time_limited,
            ClosableStats {
                total: 30,
                closed: 15,
                open: 15,
                overdue: 0
            },
            "{name}"
        );
        assert_eq!(
            s.long_term,
            LongTermStats {
                total: 57,
                with_staged_results: 57,
                overdue: 0
            },
            "{name}"
        );
        assert_eq!(s.immediate.total, 0);
        let disc = store
            .plan(
                &admin.scope(),
                &store.plans(&admin.scope()).await.unwrap()[1].id.to_string(),
            )
            .await
            .unwrap()
            .unwrap();
        let s = store.plan_stats(disc.id, d("2020-11-05")).await.unwrap();
        assert_eq!(
            (
                s.total,
                s.immediate.total,
                s.time_limited.total,
                s.long_term.total
            ),
            (49, 17, 15, 17),
            "{name}"
        );
        assert_eq!(
            (
                s.immediate.closed,
                s.time_limited.overdue,
                s.long_term.with_staged_results
            ),
            (17, 0, 17)
        );
        // as of an earlier day the figures come from the ledger's history
        let s = store.plan_stats(party.id, d("2020-06-01")).await.unwrap();
        assert_eq!(s.time_limited.closed, 0, "{name}");
        assert_eq!(s.long_term.with_staged_results, 57);
        let s = store.plan_stats(party.id, d("2020-01-01")).await.unwrap();
        assert_eq!(s.total, 0, "{name}: the plan did not exist yet");
        // scope: a provincial office does not see the SPP's plans or tasks
        let zj = store.user_by_login("zj.office").await.unwrap().unwrap();
        let zj_plans: Vec<_> = store
            .plans(&zj.scope())
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.round_kind == "central")
            .collect();
        assert_eq!(
            zj_plans.len(),
            1,
            "{name}: the province sees its own copy only (besides its own internal inspection's plan)"
        );
        assert_eq!(
            (zj_plans[0].tasks, zj_plans[0].unit_name.as_str()),
            (87, "浙江省人民检察院")
        );
        let rollup = store
            .rollup(&admin.scope(), party.id, d("2020-11-05"))
            .await
            .unwrap();
        assert_eq!(rollup.len(), 2, "{name}");
        assert!(
            rollup
                .iter()
                .all(|r| r.stats.total == 87 && r.stats.time_limited.closed == 0)
        );
        assert_eq!(
            store
                .rollup(&zj.scope(), party.id, d("2020-11-05"))
                .await
                .unwrap()
                .len(),
            1,
            "{name}: roll-up within scope"
        );
        let t = store.tasks(party.id).await.unwrap()[0].id;
        assert!(
            store.task_in_scope(&zj.scope(), t).await.unwrap().is_none(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn lifecycle_needs_evidence_and_an_independent_reviewer() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let party = store
            .plan(&admin.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let tasks = store.tasks(party.id).await.unwrap();
        let open = tasks
            .iter()
            .find(|t| {
                t.state == TaskState::InProgress
                    && t.category == duban_domain::rectification::Category::TimeLimited
            })
            .unwrap();
        let depts = store.task_department_ids(open.id).await.unwrap();
        let keeper = Author {
            user_id: None,
            login: "keeper".into(),
            role: Role::Dept,
            staff_id: open.responsible_id,
            departments: depts.clone(),
        };
        let entry = |kind, body: &str, files| NewEntry {
            task_id: open.id,
            date: d("2020-11-10"),
            kind,
            body: body.into(),
            corrects_id: None,
            files,
            late_reason: "补录 2020 年的台账".into(),
        };
        // no evidence yet
        let m = refusal(
            store
                .add_entry(&keeper, entry(EntryKind::ClosureRequest, "已完成", vec![]))
                .await,
        );
        assert!(m.contains("佐证材料"), "{name}: {m}");
        // a forbidden file type
        let bad = vec![Upload {
            filename: "run.exe".into(),
            bytes: b"MZ".to_vec(),
        }];
        assert!(
            refusal(
                store
                    .add_entry(&keeper, entry(EntryKind::Progress, "x", bad))
                    .await
            )
            .contains("不支持")
        );
        let pdf = vec![Upload {
            filename: "报告.pdf".into(),
            bytes: b"%PDF-1.4 demo".to_vec(),
        }];
        store
            .add_entry(
                &keeper,
                entry(EntryKind::ClosureRequest, "已对照完成标准完成", pdf),
            )
            .await
            .unwrap();
        // the lead leader may not approve his own task; nor may its department
        let leader = Author {
            user_id: None,
            login: "l".into(),
            role: Role::Office,
            staff_id: open.lead_leader_id,
            departments: vec![],
        };
        let m = refusal(
            store
                .add_entry(&leader, entry(EntryKind::Approve, "同意", vec![]))
                .await,
        );
        assert!(m.contains("形式销号"), "{name}: {m}");
        let same_dept = Author {
            user_id: None,
            login: "o".into(),
            role: Role::Office,
            staff_id: None,
            departments: depts.clone(),
        };
        assert!(
            store
                .add_entry(&same_dept, entry(EntryKind::Approve, "同意", vec![]))
                .await
                .is_err()
        );
        let leader_role = author(&store, "leader").await;
        assert!(
            store
                .add_entry(&leader_role, entry(EntryKind::Approve, "同意", vec![]))
                .await
                .is_err(),
            "leaders are not reviewers"
        );
        // the discipline group rejects with reasons, then approves a second request
        let disc = author(&store, "discipline").await;
        assert!(
            store
                .add_entry(&disc, entry(EntryKind::Reject, " ", vec![]))
                .await
                .is_err()
        );
        store
            .add_entry(
                &disc,
                entry(EntryKind::Reject, "佐证材料不足以证明制度已执行", vec![]),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .task_in_scope(&admin.scope(), open.id)
                .await
                .unwrap()
                .unwrap()
                .state,
            TaskState::InProgress
        );
        store
            .add_entry(
                &keeper,
                entry(EntryKind::ClosureRequest, "补充了执行情况", vec![]),
            )
            .await
            .unwrap();
        store
            .add_entry(&disc, entry(EntryKind::Approve, "同意销号", vec![]))
            .await
            .unwrap();
        let t = store
            .task_in_scope(&admin.scope(), open.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (t.state, t.closed_on.map(|d| d.to_string()).as_deref()),
            (TaskState::Closed, Some("2020-11-10")),
            "{name}"
        );
        // look-back reopens with a reason
        store
            .add_entry(
                &disc,
                entry(EntryKind::Reopen, "回头看发现问题反弹", vec![]),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .task_in_scope(&admin.scope(), open.id)
                .await
                .unwrap()
                .unwrap()
                .state,
            TaskState::InProgress
        );
        // the ledger is append-only; a correction points at the entry it corrects
        let ledger = store.ledger(open.id).await.unwrap();
        let first = ledger[0].id;
        assert!(
            sqlx::query("UPDATE ledger_entries SET body = 'x' WHERE id = $1")
                .bind(first)
                .execute(&store.pool)
                .await
                .is_err(),
            "{name}"
        );
        let fix = NewEntry {
            task_id: open.id,
            date: d("2020-11-11"),
            kind: EntryKind::Progress,
            body: "更正：日期应为2月21日".into(),
            corrects_id: Some(first),
            files: vec![],
            late_reason: "补录".into(),
        };
        store.add_entry(&keeper, fix).await.unwrap();
        let last = store.ledger(open.id).await.unwrap().pop().unwrap();
        assert_eq!(last.corrects_id, Some(first));
        // evidence is content-addressed and scoped
        let ev = store
            .ledger(open.id)
            .await
            .unwrap()
            .iter()
            .flat_map(|e| e.evidence.clone())
            .find(|e| e.filename == "报告.pdf")
            .unwrap();
        let (_, bytes) = store
            .evidence_file(&admin.scope(), ev.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(bytes, b"%PDF-1.4 demo");
        let zj = store.user_by_login("zj.office").await.unwrap().unwrap();
        assert!(
            store
                .evidence_file(&zj.scope(), ev.id)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        // long-term tasks never close
        let long = tasks
            .iter()
            .find(|t| t.category == duban_domain::rectification::Category::LongTerm)
            .unwrap();
        let req = NewEntry {
            task_id: long.id,
            date: d("2020-11-10"),
            kind: EntryKind::ClosureRequest,
            body: "x".into(),
            corrects_id: None,
            files: vec![],
            late_reason: "补录".into(),
        };
        let m = refusal(store.add_entry(&author(&store, "office").await, req).await);
        assert!(m.contains("长期整改"), "{m}");
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn biweekly_consultations_decide_on_tasks() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        store.load_demo().await.unwrap();
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let meetings = store.meetings(&admin.scope()).await.unwrap();
        assert_eq!(meetings.len(), 5, "{name}: the seed's five meetings, once");
        let zj = store.user_by_login("zj.office").await.unwrap().unwrap();
        assert!(store.meetings(&zj.scope()).await.unwrap().is_empty());
        let last = meetings.iter().find(|m| m.held_on == "2020-09-04").unwrap();
        let (_, items) = store
            .meeting(&admin.scope(), last.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            items
                .iter()
                .filter(|i| i.reason == "closure_requested")
                .count(),
            25,
            "{name}: the pending closures of both plans"
        );
        // a fresh meeting today: the open time-limited tasks are red
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let id = store
            .create_meeting(
                &duban_store::Actor::system("t"),
                spp.id,
                d("2021-01-08"),
                "第6次双周碰头会",
            )
            .await
            .unwrap();
        let (_, items) = store.meeting(&admin.scope(), id).await.unwrap().unwrap();
        let red: Vec<_> = items.iter().filter(|i| i.reason == "red").collect();
        assert_eq!(red.len(), 20, "{name}");
        let office = author(&store, "office").await;
        use duban_store::meetings::Action;
        store
            .decide(
                &office,
                &admin.scope(),
                id,
                red[0].id,
                "延长完成时限至3月底",
                Action::Deadline(d("2021-03-31")),
            )
            .await
            .unwrap();
        // the decision is a request: the deadline moves when someone else approves it
        let t = store
            .task_in_scope(&admin.scope(), red[0].task_id)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(
            t.deadline.map(|d| d.to_string()).as_deref(),
            Some("2021-03-31"),
            "{name}"
        );
        let req = store.adjustments(t.id).await.unwrap().pop().unwrap();
        assert!(
            store
                .decide_adjustment(&office, &admin.scope(), req.id, true, "")
                .await
                .is_err(),
            "{name}: not by its author"
        );
        store
            .decide_adjustment(
                &author(&store, "discipline").await,
                &admin.scope(),
                req.id,
                true,
                "同意",
            )
            .await
            .unwrap();
        let t = store
            .task_in_scope(&admin.scope(), red[0].task_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            t.deadline.map(|d| d.to_string()).as_deref(),
            Some("2021-03-31"),
            "{name}"
        );
        assert!(
            store
                .ledger(t.id)
                .await
                .unwrap()
                .iter()
                .any(|e| e.body.contains("双周会商决定"))
        );
        assert!(
            store
                .decide(
                    &office,
                    &admin.scope(),
                    id,
                    red[0].id,
                    "again",
                    Action::Note
                )
                .await
                .is_err(),
            "decided once"
        );
        store
            .decide(
                &office,
                &admin.scope(),
                id,
                red[1].id,
                "发红色督办单",
                Action::Notice,
            )
            .await
            .unwrap();
        let (n, _) = store.notices(&admin.scope(), None, None, 10).await.unwrap();
        assert!(
            n.iter()
                .any(|x| x.task_id == red[1].task_id && x.level == "red"),
            "{name}"
        );
        // look-back on a closed task reopens it
        let party = store
            .plan(&admin.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let closed = store
            .tasks(party.id)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.state == TaskState::Closed)
            .unwrap();
        let m2 = store
            .create_meeting(
                &duban_store::Actor::system("t"),
                spp.id,
                d("2021-01-22"),
                "第7次",
            )
            .await
            .unwrap();
        // closed tasks are not on the agenda; a look-back is decided on an item of the task when it is
        let (_, items) = store.meeting(&admin.scope(), m2).await.unwrap().unwrap();
        assert!(items.iter().all(|i| i.task_id != closed.id));
        assert!(
            store
                .decide(&office, &zj.scope(), m2, items[0].id, "x", Action::Note)
                .await
                .is_err(),
            "{name}: out of scope"
        );
    }
}

/// Every task's state and last staged result on a past day, as its kept intervals give them
/// (migration 0059), are its ledger's replayed entry by entry — after a late entry (补录) dated
/// between two entries recorded before it, and after a backup is restored.
#[tokio::test]
async fn task_states_agree_with_the_ledger_replayed() {
    async fn check(store: &duban_store::Store, name: &str) -> usize {
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let mut checked = 0;
        for plan in store.plans(&admin.scope()).await.unwrap() {
            let mut ledgers = std::collections::HashMap::new();
            for t in store.tasks(plan.id).await.unwrap() {
                ledgers.insert(t.id, store.ledger(t.id).await.unwrap());
            }
            let days = (1..=11)
                .flat_map(|m| [1, 15].map(|d| NaiveDate::from_ymd_opt(2020, m, d).unwrap()));
            for on in days.chain([testing::today()]) {
                for (task, h) in store.plan_histories_as_of(plan.id, on).await.unwrap() {
                    // the ledger replayed: the last entry dated by then, in date and id order
                    let by_then: Vec<_> = ledgers[&task]
                        .iter()
                        .filter(|e| d(&e.entry_date) <= on)
                        .collect();
                    let state = by_then
                        .last()
                        .map_or("not_started", |e| e.state_after.as_str());
                    let staged = by_then
                        .iter()
                        .filter(|e| e.kind == "staged")
                        .map(|e| d(&e.entry_date))
                        .max();
                    assert_eq!(
                        h.states.last().map_or("not_started", |s| s.1.as_str()),
                        state,
                        "{name}: task {task} on {on}"
                    );
                    assert_eq!(
                        h.staged.last().copied(),
                        staged,
                        "{name}: task {task} on {on}"
                    );
                    checked += 1;
                }
            }
        }
        checked
    }
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        // a task with entries on two days gets one dated between them, recorded after both
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let mut late = None;
        'plans: for plan in store.plans(&admin.scope()).await.unwrap() {
            for t in store.tasks(plan.id).await.unwrap() {
                let l = store.ledger(t.id).await.unwrap();
                if t.state == TaskState::InProgress
                    && t.category == duban_domain::rectification::Category::LongTerm
                    && l.len() >= 2
                    && d(&l[1].entry_date) - d(&l[0].entry_date) >= chrono::Duration::days(2)
                {
                    late = Some((
                        plan.id,
                        t.id,
                        d(&l[0].entry_date) + chrono::Duration::days(1),
                    ));
                    break 'plans;
                }
            }
        }
        let (plan, task, on) = late.expect("a long-term task in progress with entries on two days");
        let keeper = Author {
            user_id: None,
            login: "keeper".into(),
            role: Role::Office,
            staff_id: None,
            departments: vec![],
        };
        store
            .add_entry(
                &keeper,
                NewEntry {
                    task_id: task,
                    date: on,
                    kind: EntryKind::Staged,
                    body: "补录的阶段性成效".into(),
                    corrects_id: None,
                    files: vec![],
                    late_reason: "当时漏记，补录".into(),
                },
            )
            .await
            .unwrap();
        let h = store.plan_histories_as_of(plan, on).await.unwrap();
        assert_eq!(
            h.iter().find(|x| x.0 == task).unwrap().1.staged,
            vec![on],
            "{name}"
        );
        // then two entries of one day (the second rewrites the interval the first began)
        for kind in [EntryKind::Progress, EntryKind::Staged] {
            let e = NewEntry {
                task_id: task,
                date: testing::today(),
                kind,
                body: "推进".into(),
                corrects_id: None,
                files: vec![],
                late_reason: String::new(),
            };
            store.add_entry(&keeper, e).await.unwrap();
        }
        // a late entry dated inside the last interval, before an entry that changed nothing: the
        // state it leaves lasts only until that entry
        let mut inside = None;
        'tasks: for plan in store.plans(&admin.scope()).await.unwrap() {
            for t in store.tasks(plan.id).await.unwrap() {
                let l = store.ledger(t.id).await.unwrap();
                let n = l.len();
                if t.state == TaskState::InProgress
                    && t.category == duban_domain::rectification::Category::TimeLimited
                    && n >= 2
                    && l[n - 2].state_after == "in_progress"
                    && d(&l[n - 1].entry_date) - d(&l[n - 2].entry_date)
                        >= chrono::Duration::days(2)
                {
                    let between = d(&l[n - 2].entry_date) + chrono::Duration::days(1);
                    inside = Some((plan.id, t.id, between, d(&l[n - 1].entry_date)));
                    break 'tasks;
                }
            }
        }
        let (plan, task, between, last) =
            inside.expect("a time-limited task in progress, its last two entries days apart");
        store
            .add_entry(
                &keeper,
                NewEntry {
                    task_id: task,
                    date: between,
                    kind: EntryKind::ClosureRequest,
                    body: "补录的销号申请".into(),
                    corrects_id: None,
                    files: vec![Upload {
                        filename: "r.pdf".into(),
                        bytes: b"%PDF-1.4".to_vec(),
                    }],
                    late_reason: "当时漏记，补录".into(),
                },
            )
            .await
            .unwrap();
        for (on, state) in [(between, "closure_requested"), (last, "in_progress")] {
            let h = store.plan_histories_as_of(plan, on).await.unwrap();
            let h = &h.iter().find(|x| x.0 == task).unwrap().1;
            assert_eq!(h.states.last().unwrap().1.as_str(), state, "{name} {on}");
        }
        let checked = check(&store, &name).await;
        assert!(checked > 1000, "{name}: {checked}");
        duban_store::testing::restore_own_backup(&store).await;
        assert_eq!(
            check(&store, &name).await,
            checked,
            "{name}: after a restore"
        );
    }
}

/// The roll-up is counted in SQL; it must agree with the domain's figures from each copy's history,
/// for past days (state read from the ledger) and from today on (the tasks' current facts).
#[tokio::test]
async fn rollup_in_sql_agrees_with_the_domain() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let party = store
            .plan(&admin.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let zj_plan = store
            .plans(
                &store
                    .user_by_login("zj.office")
                    .await
                    .unwrap()
                    .unwrap()
                    .scope(),
            )
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.round_kind == "central")
            .unwrap();
        let tasks = store.tasks(zj_plan.id).await.unwrap();
        let keeper = Author {
            user_id: None,
            login: "zj".into(),
            role: Role::Office,
            staff_id: None,
            departments: vec![],
        };
        let disc = author(&store, "discipline").await;
        let add = |task: i64, date: &str, kind, body: &str, files| NewEntry {
            task_id: task,
            date: d(date),
            kind,
            body: body.into(),
            corrects_id: None,
            files,
            late_reason: "补录".into(),
        };
        let pdf = || {
            vec![Upload {
                filename: "r.pdf".into(),
                bytes: b"%PDF-1.4".to_vec(),
            }]
        };
        let limited: Vec<_> = tasks
            .iter()
            .filter(|t| t.category == duban_domain::rectification::Category::TimeLimited)
            .collect();
        let long: Vec<_> = tasks
            .iter()
            .filter(|t| t.category == duban_domain::rectification::Category::LongTerm)
            .collect();
        // one closed, one pending review, one in progress; staged results on two long-term tasks
        store
            .add_entry(
                &keeper,
                add(
                    limited[0].id,
                    "2020-03-01",
                    EntryKind::Progress,
                    "推进",
                    vec![],
                ),
            )
            .await
            .unwrap();
        store
            .add_entry(
                &keeper,
                add(
                    limited[0].id,
                    "2020-04-01",
                    EntryKind::ClosureRequest,
                    "完成",
                    pdf(),
                ),
            )
            .await
            .unwrap();
        store
            .add_entry(
                &disc,
                add(
                    limited[0].id,
                    "2020-04-10",
                    EntryKind::Approve,
                    "同意",
                    vec![],
                ),
            )
            .await
            .unwrap();
        store
            .add_entry(
                &keeper,
                add(
                    limited[1].id,
                    "2020-05-01",
                    EntryKind::ClosureRequest,
                    "完成",
                    pdf(),
                ),
            )
            .await
            .unwrap();
        store
            .add_entry(
                &keeper,
                add(
                    limited[2].id,
                    "2020-06-01",
                    EntryKind::Progress,
                    "推进",
                    vec![],
                ),
            )
            .await
            .unwrap();
        store
            .add_entry(
                &keeper,
                add(
                    long[0].id,
                    "2020-03-15",
                    EntryKind::Staged,
                    "阶段性成效",
                    vec![],
                ),
            )
            .await
            .unwrap();
        store
            .add_entry(
                &keeper,
                add(
                    long[1].id,
                    "2020-09-15",
                    EntryKind::Staged,
                    "阶段性成效",
                    vec![],
                ),
            )
            .await
            .unwrap();
        for day in [
            "2020-02-01",
            "2020-04-05",
            "2020-04-20",
            "2020-07-01",
            "2020-11-05",
            "2021-06-30",
        ] {
            let rows = store
                .rollup(&admin.scope(), party.id, d(day))
                .await
                .unwrap();
            let zj_row = rows.iter().find(|r| r.plan_id == zj_plan.id).unwrap();
            assert_eq!(
                zj_row.stats,
                store.plan_stats(zj_plan.id, d(day)).await.unwrap(),
                "{name} {day}"
            );
        }
        let today = duban_store::testing::today();
        let rows = store.rollup(&admin.scope(), party.id, today).await.unwrap();
        let zj_row = rows.iter().find(|r| r.plan_id == zj_plan.id).unwrap();
        assert_eq!(
            zj_row.stats,
            store.plan_stats(zj_plan.id, today).await.unwrap(),
            "{name}: today, from current facts"
        );
        assert_eq!(zj_row.stats.time_limited.closed, 1);
        // today's figures are kept per plan, and a change of one of its tasks renews them
        let staged_before = zj_row.stats.long_term.with_staged_results;
        store
            .add_entry(
                &keeper,
                add(
                    long[2].id,
                    &today.to_string(),
                    EntryKind::Staged,
                    "阶段性成效",
                    vec![],
                ),
            )
            .await
            .unwrap();
        let rows = store.rollup(&admin.scope(), party.id, today).await.unwrap();
        let zj_row = rows.iter().find(|r| r.plan_id == zj_plan.id).unwrap();
        assert_eq!(
            zj_row.stats.long_term.with_staged_results,
            staged_before + 1,
            "{name}: the cached roll-up follows the ledger"
        );
        assert_eq!(
            zj_row.stats,
            store.plan_stats(zj_plan.id, today).await.unwrap()
        );
        // entries are never dated ahead
        let m = refusal(
            store
                .add_entry(
                    &keeper,
                    add(
                        limited[2].id,
                        &(today + chrono::Duration::days(1)).to_string(),
                        EntryKind::Progress,
                        "x",
                        vec![],
                    ),
                )
                .await,
        );
        assert!(m.contains("晚于今天"), "{m}");
        // subtrees: the SPP sees 浙江 and 广东, each with its own copy
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let folded =
            duban_store::cascade::fold_subtrees(&rows, &store.children(spp.id).await.unwrap());
        assert_eq!(folded.len(), 2, "{name}");
        assert!(
            folded
                .iter()
                .all(|f| f.units == 1 && f.plan_id.is_some() && !f.deeper)
        );
        // the dashboard's view, summed in SQL for today, equals the fold of the per-unit rows
        let view = store
            .rollup_view(&admin.scope(), party.id, today, &spp)
            .await
            .unwrap();
        assert_eq!(view.children, folded, "{name}");
        assert_eq!(
            view.levels,
            duban_store::cascade::level_totals(&rows),
            "{name}"
        );
        let zj_unit = store.unit_by_code("330000").await.unwrap().unwrap();
        let zj_view = store
            .rollup_view(&admin.scope(), party.id, today, &zj_unit)
            .await
            .unwrap();
        assert_eq!(zj_view.own.map(|o| o.0), Some(zj_plan.id), "{name}");
        assert!(zj_view.children.is_empty());
        let past = store
            .rollup_view(&admin.scope(), party.id, d("2020-11-05"), &spp)
            .await
            .unwrap();
        assert_eq!(past.children.len(), 2);
        let levels = duban_store::cascade::level_totals(&rows);
        assert_eq!((levels.len(), levels[0].1, levels[0].2.total), (1, 2, 174));
        // today's view kept per subtree (migration 0054): kept after a read, then read from the
        // kept rows; a change of a copy forgets the rows of its unit and its ancestors only
        let below: Vec<i64> = store
            .children(spp.id)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        store
            .keep_subtrees_now(party.id, party.id, &below, today)
            .await
            .unwrap();
        let gd_unit = store.unit_by_code("440000").await.unwrap().unwrap();
        let today_s = today.to_string();
        // a subtree's kept rows of a day
        let kept = |unit: i64, day: &str| {
            let day = day.to_string();
            let pool = store.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM plan_rollup_tree WHERE unit_id = $1 AND as_of = $2 AND level > 0",
                )
                .bind(unit)
                .bind(day)
                .fetch_one(&pool)
                .await
                .unwrap()
            }
        };
        assert_eq!(
            (
                kept(zj_unit.id, &today_s).await,
                kept(gd_unit.id, &today_s).await
            ),
            (1, 1),
            "{name}"
        );
        let before = store
            .rollup_view(&admin.scope(), party.id, today, &spp)
            .await
            .unwrap();
        assert_eq!(before, view, "{name}: read from the kept rows");
        store
            .add_entry(
                &keeper,
                add(
                    long[3].id,
                    &today.to_string(),
                    EntryKind::Staged,
                    "阶段性成效",
                    vec![],
                ),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                kept(zj_unit.id, &today_s).await,
                kept(gd_unit.id, &today_s).await
            ),
            (0, 1),
            "{name}: 浙江's subtree forgotten, 广东's kept"
        );
        let rows = store.rollup(&admin.scope(), party.id, today).await.unwrap();
        let after = store
            .rollup_view(&admin.scope(), party.id, today, &spp)
            .await
            .unwrap();
        assert_eq!(
            after.children,
            duban_store::cascade::fold_subtrees(&rows, &store.children(spp.id).await.unwrap()),
            "{name}"
        );
        assert_eq!(after.levels, duban_store::cascade::level_totals(&rows));
        assert_eq!(
            after.levels[0].2.long_term.with_staged_results,
            before.levels[0].2.long_term.with_staged_results + 1,
            "{name}: the change counted"
        );
        // a past day, kept per subtree the same way; a late entry on 浙江's copy dated before it
        // forgets 浙江's rows of every day and changes what that day shows
        let past = d("2020-11-05");
        let fold = |rows: &[duban_store::cascade::RollupRow], below: &[duban_store::org::Unit]| {
            (
                duban_store::cascade::fold_subtrees(rows, below),
                duban_store::cascade::level_totals(rows),
            )
        };
        let spp_below = store.children(spp.id).await.unwrap();
        let first = store
            .rollup_view(&admin.scope(), party.id, past, &spp)
            .await
            .unwrap();
        let rows = store.rollup(&admin.scope(), party.id, past).await.unwrap();
        assert_eq!(
            (first.children.clone(), first.levels.clone()),
            fold(&rows, &spp_below),
            "{name}: a past day counted"
        );
        store
            .keep_subtrees_now(party.id, party.id, &below, past)
            .await
            .unwrap();
        assert_eq!(
            (
                kept(zj_unit.id, "2020-11-05").await,
                kept(gd_unit.id, "2020-11-05").await
            ),
            (1, 1),
            "{name}"
        );
        assert_eq!(
            store
                .rollup_view(&admin.scope(), party.id, past, &spp)
                .await
                .unwrap(),
            first,
            "{name}: a past day read from the kept rows"
        );
        store
            .add_entry(
                &keeper,
                add(
                    long[4].id,
                    "2020-10-20",
                    EntryKind::Staged,
                    "补录的阶段性成效",
                    vec![],
                ),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                kept(zj_unit.id, "2020-11-05").await,
                kept(gd_unit.id, "2020-11-05").await
            ),
            (0, 1),
            "{name}: a late entry forgets its copy's past days"
        );
        let rows = store.rollup(&admin.scope(), party.id, past).await.unwrap();
        let later = store
            .rollup_view(&admin.scope(), party.id, past, &spp)
            .await
            .unwrap();
        assert_eq!(
            (later.children.clone(), later.levels.clone()),
            fold(&rows, &spp_below),
            "{name}"
        );
        assert_eq!(
            later.levels[0].2.long_term.with_staged_results,
            first.levels[0].2.long_term.with_staged_results + 1,
            "{name}: the late entry counted on the past day"
        );
        // a subtree keeps its last 8 past days counted: another one leaves 2020-11-05 kept,
        // seven more push it out (and keep 2020-10-31)
        let days = |k: i64| past - chrono::Duration::days(5 + k);
        for k in 0..2 {
            let day = if k == 0 { past } else { days(0) };
            store
                .keep_subtrees_now(party.id, party.id, &below, day)
                .await
                .unwrap();
        }
        assert_eq!(
            (
                kept(gd_unit.id, "2020-11-05").await,
                kept(gd_unit.id, "2020-10-31").await
            ),
            (1, 1),
            "{name}: two past days kept"
        );
        for k in 1..=7 {
            store
                .keep_subtrees_now(party.id, party.id, &below, days(k))
                .await
                .unwrap();
        }
        assert_eq!(
            (
                kept(gd_unit.id, "2020-11-05").await,
                kept(gd_unit.id, "2020-10-31").await
            ),
            (0, 1),
            "{name}: the ninth past day pushes out the first"
        );
    }
}

/// The nationwide generator's rectification part, run over the demo organisation: every copy gets
/// ten entries a task, states that agree with its history, evidence on each closure request.
#[tokio::test]
async fn nation_rectification_generator() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let r = store.load_nation_rectification().await.unwrap();
        let units: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM units WHERE level > 1 AND kind = 'procuratorate'",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(
            r.units as i64,
            units - 2,
            "{name}: 浙江 and 广东 already had the plan"
        );
        assert_eq!(r.tasks, units * 87);
        assert_eq!(
            r.ledger_entries as i64,
            units * 870,
            "{name}: ten entries a task, the earlier copies included"
        );
        let again = store.load_nation_rectification().await.unwrap();
        assert_eq!(
            (again.units, again.ledger_entries),
            (0, 0),
            "{name}: idempotent"
        );
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let party = store
            .plan(&admin.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let as_of = d(duban_store::demo::NATION_AS_OF);
        let rows = store.rollup(&admin.scope(), party.id, as_of).await.unwrap();
        assert_eq!(rows.len() as i64, units);
        for row in rows.iter().take(3) {
            assert_eq!(
                row.stats,
                store.plan_stats(row.plan_id, as_of).await.unwrap(),
                "{name}: {}",
                row.unit_name
            );
        }
        let total = duban_store::cascade::level_totals(&rows).iter().fold(
            duban_domain::rectification::PlanStats::default(),
            |mut a, l| {
                a += &l.2;
                a
            },
        );
        assert_eq!(
            total.long_term.with_staged_results, total.long_term.total,
            "{name}"
        );
        assert!(
            total.time_limited.closed > 0 && total.time_limited.overdue > 0,
            "{name}: most due tasks closed, some overdue: {total:?}"
        );
        let missing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries l WHERE l.kind = 'closure_request' AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.entry_id = l.id)")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(missing, 0, "{name}: every closure request has evidence");
        let sweep = store.sweep(as_of).await.unwrap();
        assert!(sweep.notices > 0, "{name}: the overdue copies are urged");
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

/// Entries arriving together are written in one transaction; a refused one costs the others
/// nothing, and the audit chain stays whole.
#[tokio::test]
async fn concurrent_entries_are_grouped_and_isolated() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let party = store
            .plan(&admin.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let tasks = store.tasks(party.id).await.unwrap();
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        let office = author(&store, "office").await;
        let mut set = tokio::task::JoinSet::new();
        for (i, t) in tasks
            .iter()
            .filter(|t| t.category == duban_domain::rectification::Category::LongTerm)
            .take(40)
            .enumerate()
        {
            let (store, office) = (store.clone(), office.clone());
            // every eighth asks to close a long-term task, which the rules refuse
            let kind = if i % 8 == 0 {
                EntryKind::ClosureRequest
            } else {
                EntryKind::Progress
            };
            let e = NewEntry {
                task_id: t.id,
                date: d("2020-11-20"),
                kind,
                body: format!("并发登记 {i}"),
                corrects_id: None,
                files: vec![],
                late_reason: "补录".into(),
            };
            set.spawn(async move { (i, store.add_entry(&office, e).await) });
        }
        let mut ok = 0;
        while let Some(r) = set.join_next().await {
            let (i, r) = r.unwrap();
            assert_eq!(r.is_ok(), i % 8 != 0, "{name}: entry {i}: {r:?}");
            ok += usize::from(r.is_ok());
        }
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!((after - before) as usize, ok, "{name}");
        assert_eq!(ok, 35);
        assert!(store.verify_audit().await.unwrap().is_ok(), "{name}");
    }
}

/// Today's figures come from the tasks' rows (O(tasks)); they must be what replaying every
/// ledger gives, for every plan of the demo.
#[tokio::test]
async fn todays_figures_from_task_rows_agree_with_the_ledger() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let today = duban_store::testing::today();
        let lights = store.supervision_rules().await.unwrap().lights;
        let plans = store.plans(&admin.scope()).await.unwrap();
        assert!(plans.len() > 3, "{name}");
        for p in plans {
            let replayed: Vec<_> = store
                .plan_histories_as_of(p.id, today)
                .await
                .unwrap()
                .into_iter()
                .map(|(_, h)| h)
                .collect();
            assert_eq!(
                store.plan_stats(p.id, today).await.unwrap(),
                duban_domain::rectification::plan_stats(&replayed, today, &lights),
                "{name}: plan {} {}",
                p.id,
                p.title
            );
        }
    }
}
