//! Internal inspections and discipline recommendations on the rectification engine (issue 19,
//! items 6–8), on SQLite and PostgreSQL: units of three kinds, the fifth internal round of the
//! demo, recommendations numbered per issuing unit and year, their tasks closed only on the
//! discipline group's review.
use chrono::NaiveDate;
use duban_domain::org::{Role, UnitKind};
use duban_domain::rectification::{Category, RuleError, SourceKind};
use duban_store::rectification::{Author, EntryKind, NewEntry, NewTask, Upload};
use duban_store::{Actor, Scope, StoreError, testing};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn actor(unit: &duban_store::org::Unit, role: Role) -> Actor {
    Actor {
        user_id: None,
        name: role.as_str().into(),
        role: Some(role),
        scope: Some(Scope {
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            subtree: true,
        }),
    }
}

async fn staff(store: &duban_store::Store, no: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1")
        .bind(no)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_fifth_round_and_the_recommendations_follow_up() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let press = store.unit_by_code("100A02").await.unwrap().unwrap();
        let school = store.unit_by_code("100A03").await.unwrap().unwrap();
        let office = store.unit_by_code("330106-P01").await.unwrap().unwrap();
        // the units of the organisation: institutions share the SPP's level, a stationed office
        // its procuratorate's, one step further down the tree
        assert_eq!(
            (press.kind, press.level),
            (UnitKind::Institution, 1),
            "{name}"
        );
        assert_eq!(
            (office.kind, office.level),
            (UnitKind::Stationed, 4),
            "{name}"
        );
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        assert_eq!(
            office.path,
            format!("{}{}/", xihu.path, office.id),
            "{name}"
        );
        // the fifth round: 2 regular, 4 mobile, 2 look-backs, each with its plan
        let everyone = Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: true,
        };
        let rounds = store.rounds(&everyone).await.unwrap();
        let count = |k: SourceKind| {
            rounds
                .iter()
                .filter(|r| {
                    r.kind == k.as_str() && r.title.starts_with("最高检党组第五轮系统内巡视")
                })
                .count()
        };
        assert_eq!(
            (
                count(SourceKind::Internal),
                count(SourceKind::Mobile),
                count(SourceKind::LookBack)
            ),
            (2, 4, 2),
            "{name}"
        );
        // the 2019 No. 1 recommendation, followed up by the press: 2 of 3 tasks closed
        let group = actor(&spp, Role::Discipline);
        let list = store.recommendations(&group, &everyone).await.unwrap();
        assert_eq!(list.len(), 1, "{name}");
        let first = &list[0];
        assert_eq!(
            (
                first.year,
                first.seq,
                first.unit_name.as_str(),
                first.tasks,
                first.closed
            ),
            (2019, 1, "中国检察出版社", 3, 2),
            "{name}"
        );
        assert!(first.plan_id.is_some(), "{name}");
        // numbered per issuing unit and year
        let (a, n1) = store
            .issue_recommendation(
                &group,
                spp.id,
                "100A03",
                "关于加强培训经费管理的纪检监察建议书",
                Some(d("2020-09-01")),
            )
            .await
            .unwrap();
        let (_, n2) = store
            .issue_recommendation(
                &group,
                spp.id,
                "100A02",
                "关于规范选题管理的纪检监察建议书",
                Some(d("2020-10-01")),
            )
            .await
            .unwrap();
        assert_eq!((n1, n2), (1, 2), "{name}");
        // nobody else issues one, and a group issues only within its scope
        let spp_office = actor(&spp, Role::Office);
        for who in [
            &spp_office,
            &actor(&spp, Role::Leader),
            &actor(&spp, Role::Admin),
        ] {
            assert!(
                matches!(
                    store
                        .issue_recommendation(who, spp.id, "100A02", "x", Some(d("2020-10-01")))
                        .await,
                    Err(StoreError::NotFound)
                ),
                "{name}"
            );
            assert!(matches!(
                store.recommendations(who, &everyone).await,
                Err(StoreError::NotFound)
            ));
        }
        let zj_group = actor(&zj, Role::Discipline);
        assert!(
            matches!(
                store
                    .issue_recommendation(&zj_group, zj.id, "100A02", "越权", Some(d("2020-10-01")))
                    .await,
                Err(StoreError::Invalid(_))
            ),
            "{name}"
        );
        assert!(
            store
                .recommendations(
                    &zj_group,
                    &Scope {
                        unit_id: zj.id,
                        unit_path: zj.path.clone(),
                        subtree: true
                    }
                )
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
        // the generic round form never makes one; the office opens a mobile inspection
        assert!(matches!(
            store
                .create_round(
                    &spp_office,
                    school.id,
                    SourceKind::Discipline,
                    "x",
                    "y",
                    d("2020-10-01"),
                    d("2020-10-01"),
                    d("2020-10-01")
                )
                .await,
            Err(StoreError::Invalid(_))
        ));
        store
            .create_round(
                &spp_office,
                school.id,
                SourceKind::Mobile,
                "机动巡视",
                "第六巡视组",
                d("2020-10-01"),
                d("2020-10-10"),
                d("2020-10-20"),
            )
            .await
            .unwrap();
        // the school answers on the engine; only the group approves the closure
        let operator = Actor::system("test");
        let plan_id = store
            .create_plan(
                &operator,
                a,
                school.id,
                "落实建议书整改方案",
                "逐项整改",
                d("2020-09-10"),
            )
            .await
            .unwrap();
        let plan = store
            .plan(&everyone, &plan_id.to_string())
            .await
            .unwrap()
            .unwrap();
        let task = store
            .add_task(
                &operator,
                &plan,
                &NewTask {
                    plan_id,
                    problem_id: None,
                    title: "规范培训经费报销",
                    measure: "修订报销办法",
                    category: Category::TimeLimited,
                    deadline: Some(d("2020-12-31")),
                    standard: "制度出台",
                    lead_leader_id: None,
                    responsible_id: None,
                    departments: vec![],
                    created_on: d("2020-09-10"),
                },
            )
            .await
            .unwrap();
        let author = |role: Role, staff_id: Option<i64>| Author {
            user_id: None,
            login: role.as_str().into(),
            role,
            staff_id,
            departments: vec![],
        };
        let today = store.today();
        let entry = |kind: EntryKind, files: Vec<Upload>| NewEntry {
            task_id: task,
            date: today,
            kind,
            body: "已修订报销办法并印发".into(),
            corrects_id: None,
            files,
            late_reason: String::new(),
        };
        store
            .add_entry(
                &author(Role::Office, None),
                entry(
                    EntryKind::ClosureRequest,
                    vec![Upload {
                        filename: "办法.txt".into(),
                        bytes: b"text".to_vec(),
                    }],
                ),
            )
            .await
            .unwrap();
        let by_office = store
            .add_entry(
                &author(Role::Office, Some(staff(&store, "SPP0102").await)),
                entry(EntryKind::Approve, vec![]),
            )
            .await;
        assert!(
            matches!(by_office, Err(StoreError::Rule(RuleError::NotAReviewer(_)))),
            "{name}: {by_office:?}"
        );
        store
            .add_entry(
                &author(Role::Discipline, Some(staff(&store, "SPP0501").await)),
                entry(EntryKind::Approve, vec![]),
            )
            .await
            .unwrap();
        let list = store.recommendations(&group, &everyone).await.unwrap();
        let mine = list.iter().find(|r| r.id == a).unwrap();
        assert_eq!((mine.tasks, mine.closed), (1, 1), "{name}");
    }
}
