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

/// Renders nothing: the store's part is composing and freezing (typesetting is tested in the
/// publish crate and end to end).
struct Plain;
impl duban_domain::documents::Render for Plain {
    fn charts(
        &self,
        _: &[duban_domain::documents::PlanFigures],
    ) -> Vec<(duban_domain::documents::Token, String, String)> {
        vec![]
    }
    fn comparison(&self, title: &str, rows: &[(String, usize, usize)], _: [&str; 2]) -> String {
        format!("<svg>{title} {rows:?}</svg>")
    }
    fn pdf(&self, doc: &duban_domain::documents::Document) -> Result<Vec<u8>, String> {
        Ok(format!("%PDF {}", doc.title).into_bytes())
    }
}

#[tokio::test]
async fn the_quarterly_analysis_comes_from_the_register_and_stays_with_its_readers() {
    use duban_domain::discipline::{Outcome, ViolationKind};
    use duban_domain::documents::{Block, Kind};
    use duban_store::discipline::NewViolation;
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let zj = store.unit_by_code("330200").await.unwrap().unwrap();
        let xihu = store.unit_by_code("330203").await.unwrap().unwrap();
        let scope = Scope {
            unit_id: zj.id,
            unit_path: zj.path.clone(),
            subtree: true,
        };
        let group = actor(&zj, Role::Discipline);
        // two in the second quarter, three in the third (one still under investigation)
        let rows = [
            (
                "甲",
                xihu.id,
                ViolationKind::Integrity,
                "2020-04-10",
                Some(Outcome::Party),
            ),
            (
                "乙",
                zj.id,
                ViolationKind::Integrity,
                "2020-06-30",
                Some(Outcome::Criticism),
            ),
            (
                "丙",
                xihu.id,
                ViolationKind::Integrity,
                "2020-07-01",
                Some(Outcome::Party),
            ),
            (
                "丁",
                xihu.id,
                ViolationKind::Integrity,
                "2020-08-15",
                Some(Outcome::Government),
            ),
            ("戊", zj.id, ViolationKind::Duty, "2020-09-30", None),
            ("己", zj.id, ViolationKind::Duty, "2020-10-01", None),
        ];
        for (n, unit_id, kind, on, outcome) in rows {
            store
                .add_violation(
                    &group,
                    &scope,
                    &NewViolation {
                        staff_no: String::new(),
                        name: n.into(),
                        unit_id,
                        post: "检察官".into(),
                        kind,
                        filed_on: d(on),
                        outcome,
                    },
                )
                .await
                .unwrap();
        }
        // only the group drafts it, with no plans
        let office = actor(&zj, Role::Office);
        assert!(matches!(
            store
                .create_document(&office, &scope, &zj, Kind::Violations, &[], d("2020-09-30"))
                .await,
            Err(StoreError::Rule(RuleError::NotPermitted))
        ));
        let id = store
            .create_document(&group, &scope, &zj, Kind::Violations, &[], d("2020-09-30"))
            .await
            .unwrap();
        let row = store
            .document(&scope, Some(Role::Discipline), id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            row.draft.title.contains("2020年第三季度"),
            "{name}: {}",
            row.draft.title
        );
        let doc = store.compose_document(&row, &Plain).await.unwrap();
        assert_eq!(doc.marking, "机密", "{name}");
        let text = doc.generated().join("");
        assert!(
            text.starts_with("2020年第三季度，宁波市人民检察院及所辖检察院共立案查处违纪违法检察人员3人，较上季度（2人）增加1人，上升50.0%。"),
            "{name}: {text}"
        );
        assert!(
            text.contains("基层检察院2人、市级检察院1人"),
            "{name}: {text}"
        );
        assert!(
            text.contains("违反廉洁纪律2人（与上季度持平）、职务违法1人（比上季度多1人）"),
            "{name}: {text}"
        );
        assert!(text.contains("尚在审查调查1人"), "{name}: {text}");
        assert!(
            doc.blocks.iter().any(
                |b| matches!(b, Block::Chart { svg, .. } if svg.contains("(\"廉洁纪律\", 2, 2)"))
            ),
            "{name}: {:?}",
            doc.blocks
        );
        // readers: the group and the leaders; nobody else sees it anywhere
        for role in [Role::Office, Role::Admin, Role::Dept, Role::Staff] {
            assert!(
                store
                    .document(&scope, Some(role), id)
                    .await
                    .unwrap()
                    .is_none(),
                "{name} {role:?}"
            );
            assert!(
                !store
                    .documents(&scope, Some(role))
                    .await
                    .unwrap()
                    .iter()
                    .any(|r| r.id == id),
                "{name} {role:?}"
            );
            let (page, _) = store
                .documents_page(&scope, Some(role), Some(Kind::Violations), None, None, 50)
                .await
                .unwrap();
            assert!(page.is_empty(), "{name} {role:?}");
        }
        assert!(
            store
                .document(&scope, Some(Role::Leader), id)
                .await
                .unwrap()
                .is_some()
        );
        // a leader signs it off, the group publishes it; the office could not
        store
            .sign_document(&actor(&zj, Role::Leader), id, "同意")
            .await
            .unwrap();
        assert!(
            store
                .publish_document(&office, &scope, id, &Plain)
                .await
                .is_err()
        );
        let frozen = store
            .publish_document(&group, &scope, id, &Plain)
            .await
            .unwrap();
        assert_eq!(frozen.marking, "机密");
        assert!(
            store
                .published_document(id, Some((&scope, Some(Role::Office))))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store.published_document(id, None).await.unwrap().is_none(),
            "never public"
        );
        assert!(
            store
                .published_document(id, Some((&scope, Some(Role::Leader))))
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn the_nations_stationed_offices_come_through_the_units_import() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        assert_eq!(store.load_nation_offices().await.unwrap(), 4099, "{name}");
        assert_eq!(
            store.load_nation_offices().await.unwrap(),
            0,
            "{name}: idempotent"
        );
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM units u JOIN units p ON p.id = u.parent_id \
             WHERE u.kind = 'stationed' AND u.level = 4 AND p.level = 4 AND p.kind = 'procuratorate' \
             AND u.path = p.path || CAST(u.id AS TEXT) || '/'",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(
            n,
            4099 + 2,
            "{name}: under basic procuratorates, paths one step down"
        );
        // the SPP's scope reaches them through the ancestors, five levels of tree deep
        let deep: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM unit_ancestors a JOIN units u ON u.id = a.unit_id WHERE a.depth = 4 AND u.kind = 'stationed'",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(deep, 4099 + 2, "{name}");
    }
}
