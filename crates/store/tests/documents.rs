//! Official documents in the store, on SQLite and (when configured) PostgreSQL: composition from
//! the data, drafts with history, freezing on publication, numbering, scope, report reminders.
use duban_domain::documents::{Document, Draft, Kind, PlanFigures, Render, Token, TypicalCase};
use duban_domain::rectification::Category;
use duban_store::documents::Selection;
use duban_store::{Actor, Scope, StoreError, testing};

fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The store's part is composing and freezing; typesetting is the publish crate's (tested there
/// with poppler and LibreOffice, and end to end through the CLI and the web).
struct Bytes;
impl Render for Bytes {
    fn charts(&self, plans: &[PlanFigures]) -> Vec<(Token, String, String)> {
        vec![(
            Token::ChartCategories,
            "图".into(),
            format!("<svg>{}</svg>", plans.len()),
        )]
    }
    fn pdf(&self, doc: &Document) -> Result<Vec<u8>, String> {
        Ok(format!("%PDF {}", doc.title).into_bytes())
    }
    fn comparison(&self, title: &str, rows: &[(String, usize, usize)], _: [&str; 2]) -> String {
        format!("<svg>{title} {rows:?}</svg>")
    }
}

/// Signs a draft off as the operator (the rule itself is tested in
/// `sign_off_comes_before_publication`).
async fn sign(store: &duban_store::Store, id: i64) {
    store
        .sign_document(&Actor::system("签发"), id, "")
        .await
        .unwrap();
}

fn all_text(doc: &Document) -> String {
    duban_domain::documents::Document::generated(doc).join("")
}

#[tokio::test]
async fn bulletins_come_from_the_data_and_freeze_when_published() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let scope = Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: true,
        };
        let actor = Actor::system("office");
        let party = store
            .plan(&scope, "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let group = store
            .plan(&scope, "驻院纪检监察组巡视整改措施")
            .await
            .unwrap()
            .unwrap();
        let as_of = d("2020-11-05");
        let id = store
            .create_document(
                &actor,
                &scope,
                &spp,
                Kind::Bulletin,
                &[party.id, group.id],
                as_of,
            )
            .await
            .unwrap();
        let row = store.document(&scope, None, id).await.unwrap().unwrap();
        assert_eq!(
            row.draft.title, "中共最高人民检察院党组关于十九届中央第四轮巡视整改进展情况的通报",
            "{name}"
        );
        let doc = store.compose_document(&row, &Bytes).await.unwrap();
        // the figures are the ledger's, as plan-stats computes them
        let s = store.plan_stats(party.id, as_of).await.unwrap();
        let text = all_text(&doc);
        assert!(
            text.contains(&format!("最高检党组研究确定的{}项整改任务中", s.total)),
            "{name}: {text}"
        );
        assert!(
            text.contains(&format!("限期整改的{}项", s.time_limited.total)),
            "{name}: {text}"
        );
        let g = store.plan_stats(group.id, as_of).await.unwrap();
        assert!(
            text.contains(&format!(
                "{}的任务中，应立行立改的{}项，限期整改{}项，长期整改{}项。",
                group.title, g.immediate.total, g.time_limited.total, g.long_term.total
            )),
            "{name}: {text}"
        );
        assert!(
            doc.blocks
                .iter()
                .any(|b| matches!(b, duban_domain::documents::Block::Chart { .. }))
        );

        // a date before the feedback is refused with the reason
        let mut early = row.clone();
        early.as_of = d("2019-12-01");
        let e = store.compose_document(&early, &Bytes).await.unwrap_err();
        assert!(
            e.to_string().contains("早于巡视意见反馈日期"),
            "{name}: {e}"
        );

        // drafts: unbalanced markup refused, raw HTML removed and told, every save kept
        let mut draft = row.draft.clone();
        draft.body = "一、总体情况\n<b>没有结束".into();
        let e = store
            .save_document(&actor, &scope, id, &draft, &Selection::default(), as_of)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::Invalid(m) if m.contains("<b> 没有对应的 </b>")),
            "{name}: {e}"
        );
        draft.body = "一、总体情况\n{{整改进展}}<script>alert(1)</script>\n<i>说明</i>".into();
        draft.contact = "电话010-65200277".into();
        let removed = store
            .save_document(&actor, &scope, id, &draft, &Selection::default(), as_of)
            .await
            .unwrap();
        assert_eq!(removed.len(), 3, "{name}: {removed:?}");
        assert_eq!(
            store
                .document_history(&scope, None, id)
                .await
                .unwrap()
                .len(),
            1
        );

        // another unit cannot read it by guessing the id
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        let small = Scope {
            unit_id: xihu.id,
            unit_path: xihu.path.clone(),
            subtree: false,
        };
        assert!(store.document(&small, None, id).await.unwrap().is_none());
        assert!(matches!(
            store
                .save_document(&actor, &small, id, &draft, &Selection::default(), as_of)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.publish_document(&actor, &small, id, &Bytes).await,
            Err(StoreError::NotFound)
        ));

        // publishing freezes the composition and the PDF
        sign(&store, id).await;
        let frozen = store
            .publish_document(&actor, &scope, id, &Bytes)
            .await
            .unwrap();
        assert!(
            store
                .public_documents()
                .await
                .unwrap()
                .iter()
                .any(|r| r.id == id)
        );
        let pdf = store.document_pdf(id).await.unwrap().unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let e = store
            .save_document(&actor, &scope, id, &draft, &Selection::default(), as_of)
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("已发布的公文不能修改"),
            "{name}: {e}"
        );
        assert!(
            store
                .publish_document(&actor, &scope, id, &Bytes)
                .await
                .is_err()
        );
        // later data do not alter it; a new version sees them
        store
            .add_task(
                &actor,
                &party,
                &duban_store::rectification::NewTask {
                    plan_id: party.id,
                    problem_id: None,
                    title: "通报发布后新增的任务",
                    measure: "措施",
                    category: Category::TimeLimited,
                    deadline: Some(d("2020-12-31")),
                    standard: "标准",
                    lead_leader_id: None,
                    responsible_id: None,
                    departments: vec![],
                    created_on: d("2020-11-01"),
                },
            )
            .await
            .unwrap();
        // the database itself refuses to change or delete a published row
        for sql in [
            "UPDATE documents SET draft = '{}' WHERE id = $1",
            "DELETE FROM documents WHERE id = $1",
        ] {
            let e = sqlx::query(sql)
                .bind(id)
                .execute(&store.pool)
                .await
                .unwrap_err();
            assert!(e.to_string().contains("frozen"), "{name}: {e}");
        }
        let (_, again) = store
            .published_document(id, Some((&scope, None)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again, frozen, "{name}");
        assert!(
            store
                .published_document(id, Some((&small, None)))
                .await
                .unwrap()
                .is_none()
        );
        // a forced restore replaces published documents and keeps them frozen
        duban_store::testing::restore_own_backup(&store).await;
        let (_, restored) = store
            .published_document(id, Some((&scope, None)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(restored, frozen, "{name}");
        assert!(
            sqlx::query("DELETE FROM documents WHERE id = $1")
                .bind(id)
                .execute(&store.pool)
                .await
                .is_err()
        );
        let v2 = store.new_version(&actor, &scope, id).await.unwrap();
        let row2 = store.document(&scope, None, v2).await.unwrap().unwrap();
        assert_eq!(row2.version_of, Some(id));
        let doc2 = store.compose_document(&row2, &Bytes).await.unwrap();
        assert!(
            all_text(&doc2).contains(&format!("研究确定的{}项整改任务中", s.total + 1)),
            "{name}"
        );
        assert!(!all_text(&frozen).contains(&format!("研究确定的{}项整改任务中", s.total + 1)));
    }
}

#[tokio::test]
async fn special_reports_and_case_batches_are_numbered_per_year() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let scope = Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: true,
        };
        let actor = Actor::system("office");
        let party = store
            .plan(&scope, "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let task = store.tasks(party.id).await.unwrap()[0].clone();
        let mut numbers = Vec::new();
        for _ in 0..2 {
            let id = store
                .create_document(
                    &actor,
                    &scope,
                    &spp,
                    Kind::Special,
                    &[party.id],
                    d("2020-06-30"),
                )
                .await
                .unwrap();
            let row = store.document(&scope, None, id).await.unwrap().unwrap();
            let sel = Selection {
                tasks: vec![task.id],
                ..Selection::default()
            };
            store
                .save_document(&actor, &scope, id, &row.draft, &sel, d("2020-06-30"))
                .await
                .unwrap();
            sign(&store, id).await;
            let doc = store
                .publish_document(&actor, &scope, id, &Bytes)
                .await
                .unwrap();
            assert!(duban_publish_text(&doc).contains(&task.title), "{name}");
            numbers.push(doc.number);
        }
        assert_eq!(numbers, vec![Some(1), Some(2)], "{name}");
        // a case batch needs cases with summaries
        let id = store
            .create_document(&actor, &scope, &spp, Kind::Cases, &[], d("2020-03-10"))
            .await
            .unwrap();
        let row = store.document(&scope, None, id).await.unwrap().unwrap();
        sign(&store, id).await;
        let e = store
            .publish_document(&actor, &scope, id, &Bytes)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("请至少选入一个案例"), "{name}: {e}");
        let mut sel = Selection {
            cases: vec![TypicalCase {
                case_ref: "A2020-001".into(),
                title: "无此案件".into(),
                summary: "摘要".into(),
            }],
            ..Selection::default()
        };
        let e = store
            .save_document(&actor, &scope, id, &row.draft, &sel, d("2020-03-10"))
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("不在本单位及下级单位的案件数据中"),
            "{name}: {e}"
        );
        sel = Selection {
            cases: vec![TypicalCase {
                case_ref: "D100000-2020-0001".into(),
                title: "张某某妨害传染病防治案".into(),
                summary: "2020年2月，张某某隐瞒行程……".into(),
            }],
            ..Selection::default()
        };
        let draft = Draft {
            title: "检察机关依法办理妨害新冠肺炎疫情防控犯罪典型案例".into(),
            ..row.draft.clone()
        };
        store
            .save_document(&actor, &scope, id, &draft, &sel, d("2020-03-10"))
            .await
            .unwrap();
        sign(&store, id).await;
        let doc = store
            .publish_document(&actor, &scope, id, &Bytes)
            .await
            .unwrap();
        assert_eq!(doc.number, Some(1));
        assert_eq!(doc.number_text().as_deref(), Some("第1批"));
        assert!(duban_publish_text(&doc).contains("一、张某某妨害传染病防治案"));
    }
}

fn duban_publish_text(doc: &Document) -> String {
    serde_json::to_string(doc).unwrap()
}

#[tokio::test]
async fn the_rectification_report_is_reminded_until_sent() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        // 浙江's copy of the party plan (cascaded): its bulletin and report do not claim the
        // inspection, and its report does not settle the SPP's
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let zscope = Scope {
            unit_id: zj.id,
            unit_path: zj.path.clone(),
            subtree: true,
        };
        let zactor = Actor::system("zj.office");
        let copy = store
            .plan(&zscope, "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(copy.unit_id, zj.id, "{name}");
        let zid = store
            .create_document(
                &zactor,
                &zscope,
                &zj,
                Kind::Report,
                &[copy.id],
                d("2020-03-01"),
            )
            .await
            .unwrap();
        sign(&store, zid).await;
        let zdoc = store
            .publish_document(&zactor, &zscope, zid, &Bytes)
            .await
            .unwrap();
        assert!(
            !serde_json::to_string(&zdoc).unwrap().contains("开展了巡视"),
            "{name}: a cascaded copy was not inspected"
        );
        assert!(all_text(&zdoc).contains("项整改任务中"), "{name}");
        // the demo round's report is due 2020-03-03: a reminder 14 days before, once
        let n = store.sweep_reports(d("2020-02-20"), 14).await.unwrap();
        assert!(n >= 1, "{name}: {n}");
        assert_eq!(
            store.sweep_reports(d("2020-02-21"), 14).await.unwrap(),
            0,
            "{name}"
        );
        assert_eq!(
            store.sweep_reports(d("2020-01-10"), 14).await.unwrap(),
            0,
            "{name}: not yet"
        );
        // once the report is published, no more reminders
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let scope = Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: true,
        };
        let actor = Actor::system("office");
        let party = store
            .plan(&scope, "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let id = store
            .create_document(
                &actor,
                &scope,
                &spp,
                Kind::Report,
                &[party.id],
                d("2020-03-02"),
            )
            .await
            .unwrap();
        sign(&store, id).await;
        store
            .publish_document(&actor, &scope, id, &Bytes)
            .await
            .unwrap();
        assert_eq!(
            store.sweep_reports(d("2020-03-10"), 14).await.unwrap(),
            0,
            "{name}"
        );
        let owed = store.reports_owed(&scope).await.unwrap();
        assert!(
            owed.iter()
                .any(|(r, done)| r.title == "十九届中央第四轮巡视" && *done)
        );
    }
}

#[tokio::test]
async fn sign_off_comes_before_publication() {
    use duban_domain::org::Role;
    use duban_domain::rectification::RuleError;
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let scope = |u: &duban_store::org::Unit, subtree| Scope {
            unit_id: u.id,
            unit_path: u.path.clone(),
            subtree,
        };
        let as_role = |login: &str, role, s: Scope| Actor {
            user_id: None,
            name: login.to_string(),
            role: Some(role),
            scope: Some(s),
        };
        let office = as_role("office", Role::Office, scope(&spp, true));
        let leader = as_role("leader", Role::Leader, scope(&spp, false));
        let zj_leader = as_role("zj.leader", Role::Leader, scope(&zj, true));
        let party = store
            .plan(&scope(&spp, true), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let id = store
            .create_document(
                &office,
                &scope(&spp, true),
                &spp,
                Kind::Bulletin,
                &[party.id],
                d("2020-11-05"),
            )
            .await
            .unwrap();
        let rule = |r: Result<_, StoreError>| match r {
            Err(StoreError::Rule(e)) => e,
            other => panic!("{name}: {:?}", other.map(|_| ())),
        };
        // unsigned: not published; the office does not sign its own draft, nor another unit's leader
        assert_eq!(
            rule(
                store
                    .publish_document(&office, &scope(&spp, true), id, &Bytes)
                    .await
                    .map(|_| ())
            ),
            RuleError::NotSignedOff
        );
        assert_eq!(
            rule(store.sign_document(&office, id, "").await),
            RuleError::NotASigner
        );
        assert!(matches!(
            store.sign_document(&zj_leader, id, "").await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            rule(store.sign_document(&leader, id, &"长".repeat(201)).await),
            RuleError::OpinionTooLong(200)
        );
        // the unit's leader signs; signed once
        store.sign_document(&leader, id, "同意印发").await.unwrap();
        let row = store
            .document(&scope(&spp, true), None, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.signed_by.as_deref(),
            Some("陈立新（牵头领导）"),
            "{name}"
        );
        assert_eq!(row.sign_opinion.as_deref(), Some("同意印发"), "{name}");
        assert_eq!(
            rule(store.sign_document(&leader, id, "").await),
            RuleError::AlreadySigned
        );
        // saved unchanged, the signature stays; changed, it goes
        let sel = Selection::default();
        store
            .save_document(&office, &scope(&spp, true), id, &row.draft, &sel, row.as_of)
            .await
            .unwrap();
        let row = store
            .document(&scope(&spp, true), None, id)
            .await
            .unwrap()
            .unwrap();
        assert!(row.signed_at.is_some(), "{name}");
        let mut changed = row.draft.clone();
        changed.title.push_str("（修改）");
        store
            .save_document(&office, &scope(&spp, true), id, &changed, &sel, row.as_of)
            .await
            .unwrap();
        let row = store
            .document(&scope(&spp, true), None, id)
            .await
            .unwrap()
            .unwrap();
        assert!(row.signed_at.is_none() && row.signed_by.is_none(), "{name}");
        assert_eq!(
            rule(
                store
                    .publish_document(&office, &scope(&spp, true), id, &Bytes)
                    .await
                    .map(|_| ())
            ),
            RuleError::NotSignedOff
        );
        // signed again, the office publishes; a leader never publishes; nothing signs it after
        store.sign_document(&leader, id, "").await.unwrap();
        assert_eq!(
            rule(
                store
                    .publish_document(&leader, &scope(&spp, false), id, &Bytes)
                    .await
                    .map(|_| ())
            ),
            RuleError::NotPermitted
        );
        store
            .publish_document(&office, &scope(&spp, true), id, &Bytes)
            .await
            .unwrap();
        assert_eq!(
            rule(store.sign_document(&Actor::system("op"), id, "").await),
            RuleError::DocumentPublished
        );
        let audit = store
            .audit_entries(
                &duban_store::Actor::system("test"),
                &scope(&spp, true),
                "document.sign",
                10,
                None,
            )
            .await
            .unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "document.sign" && e.actor == "leader"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_documents_list_pages_and_filters() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let scope = Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: true,
        };
        let actor = Actor::system("office");
        let party = store
            .plan(&scope, "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        // the form offers the unit's own plans, not the copies of the units below
        let own = store.plans_of_unit(&scope, spp.id).await.unwrap();
        assert!(own.iter().any(|p| p.id == party.id), "{name}");
        assert!(own.iter().all(|p| p.unit_id == spp.id), "{name}");
        let mut ids = Vec::new();
        for kind in [
            Kind::Special,
            Kind::Special,
            Kind::Special,
            Kind::Report,
            Kind::Special,
        ] {
            ids.push(
                store
                    .create_document(&actor, &scope, &spp, kind, &[party.id], d("2020-06-30"))
                    .await
                    .unwrap(),
            );
        }
        sign(&store, ids[1]).await;
        // page by page, newest first, the same as one long read
        let (all, rest) = store
            .documents_page(&scope, None, None, None, None, 1000)
            .await
            .unwrap();
        assert!(rest.is_none() && all.len() >= 5, "{name}");
        let mut paged = Vec::new();
        let mut before = None;
        loop {
            let (page, next) = store
                .documents_page(&scope, None, None, None, before, 2)
                .await
                .unwrap();
            paged.extend(page.iter().map(|d| d.id));
            match next {
                Some(n) => before = Some(n),
                None => break,
            }
        }
        assert_eq!(
            paged,
            all.iter().map(|d| d.id).collect::<Vec<_>>(),
            "{name}"
        );
        assert!(paged.windows(2).all(|w| w[0] > w[1]), "{name}");
        // by kind and state
        let (special, _) = store
            .documents_page(&scope, None, Some(Kind::Special), None, None, 1000)
            .await
            .unwrap();
        assert_eq!(special.len(), 4, "{name}");
        let (signed, _) = store
            .documents_page(&scope, None, None, Some("signed"), None, 1000)
            .await
            .unwrap();
        assert_eq!(
            signed.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![ids[1]],
            "{name}"
        );
        let (drafts, _) = store
            .documents_page(&scope, None, Some(Kind::Special), Some("draft"), None, 1000)
            .await
            .unwrap();
        assert_eq!(drafts.len(), 3, "{name}");
        assert!(
            store
                .documents_page(&scope, None, None, Some("' OR 1=1"), None, 10)
                .await
                .is_err()
        );
    }
}
