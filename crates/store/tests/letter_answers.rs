//! Letters answered and routed (issue 18), on SQLite and PostgreSQL: reply letters from the unit's
//! templates, what is sent to the writer and its retries, 交办 report-backs and their figures,
//! transfers out, and the writer's rating opening a review one level up.
use chrono::{Duration, NaiveDate};
use duban_domain::letters::answers::{OrganKind, Rating, ReplyKind};
use duban_domain::letters::{Channel, LetterCategory, Step};
use duban_domain::rectification::RuleError;
use duban_store::letters::{NewLetter, StepRequest};
use duban_store::{Actor, Scope, Store, StoreError, testing};

fn scope(u: &duban_store::org::Unit) -> Scope {
    Scope {
        unit_id: u.id,
        unit_path: u.path.clone(),
        subtree: true,
    }
}

async fn unit(store: &Store, code: &str) -> duban_store::org::Unit {
    store.unit_by_code(code).await.unwrap().unwrap()
}

async fn letter(
    store: &Store,
    unit: i64,
    on: NaiveDate,
    email: &str,
    phone: &str,
) -> (i64, String) {
    store
        .submit_letter(
            &Actor::system("test"),
            &NewLetter {
                unit_id: unit,
                received_on: on,
                channel: Channel::Online,
                category: LetterCategory::Request,
                petitioner: "张三".into(),
                phone: phone.into(),
                id_number: String::new(),
                address: String::new(),
                email: email.into(),
                content: "请求答复".into(),
                files: vec![],
            },
        )
        .await
        .unwrap()
}

fn rule(e: StoreError) -> RuleError {
    match e {
        StoreError::Rule(r) => r,
        other => panic!("{other:?}"),
    }
}

async fn count(store: &Store, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn replies_are_numbered_kept_and_reach_the_writer() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        store.set_public_url("https://duban.example.gov.cn/");
        let today = store.today();
        let zj = unit(&store, "330000").await;
        let actor = Actor::system("officer");
        let (id, code) = letter(
            &store,
            zj.id,
            today - Duration::days(1),
            "zhang@example.cn",
            "13800001234",
        )
        .await;
        // a template with an unknown placeholder is refused, naming it; a good one is used
        let bad = store
            .save_letter_template(
                &actor,
                &scope(&zj),
                ReplyKind::Ack,
                "{来信人}：{内容}{姓名}",
            )
            .await
            .unwrap_err();
        assert_eq!(
            rule(bad),
            RuleError::TemplateUnknown("姓名".into()),
            "{name}"
        );
        store
            .save_letter_template(
                &actor,
                &scope(&zj),
                ReplyKind::Ack,
                "{来信人}：\n本院已收到您的来信。{内容}（{编号}）",
            )
            .await
            .unwrap();
        for (step, body) in [
            (Step::Ack, "由控告申诉检察部承办，联系电话 0571-1234567。"),
            (Step::Reply, "经审查，答复如下。"),
        ] {
            store
                .letter_step(
                    &actor,
                    &scope(&zj),
                    id,
                    &StepRequest::new(step, today, body),
                )
                .await
                .unwrap();
        }
        let d = store
            .letter_in_scope(&actor, &scope(&zj), id)
            .await
            .unwrap()
            .unwrap();
        let numbers: Vec<_> = d
            .replies
            .iter()
            .map(|r| (r.kind.as_str(), r.number.as_str()))
            .collect();
        let year = today.format("%Y");
        assert_eq!(
            numbers,
            [
                ("ack", format!("信复〔{year}〕1号").as_str()),
                ("reply", format!("信复〔{year}〕2号").as_str())
            ],
            "{name}: numbered per unit and year"
        );
        let (_, doc) = store
            .letter_reply(&scope(&zj), id, d.replies[0].id)
            .await
            .unwrap()
            .unwrap();
        let text: String = doc
            .blocks
            .iter()
            .map(|b| match b {
                duban_domain::documents::Block::Para { spans } => {
                    spans.iter().map(|s| s.text.as_str()).collect::<String>()
                }
                _ => String::new(),
            })
            .collect();
        assert!(
            text.contains("本院已收到您的来信") && text.contains("0571-1234567"),
            "{name}: the unit's template: {text}"
        );
        assert!(
            text.contains("https://duban.example.gov.cn/letters/status"),
            "{name}: {text}"
        );
        assert_eq!(doc.recipient, "张三");
        // the writer downloads it with the code; another unit's scope sees nothing
        assert!(
            store
                .public_reply(&code, d.replies[1].id)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            store
                .public_reply("0000-0000-0000-0000", d.replies[1].id)
                .await
                .unwrap()
                .is_none()
        );
        let sh = unit(&store, "440100").await;
        assert!(
            store
                .letter_reply(&scope(&sh), id, d.replies[0].id)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        // each reply goes out by e-mail and SMS; only the channels this process has are claimed
        assert_eq!(d.sends.len(), 4, "{name}: {:?}", d.sends);
        assert!(
            d.sends
                .iter()
                .all(|s| s.status == "pending" && !s.address.contains("zhang@"))
        );
        let mails = store.claim_letter_sends(10, &["email"]).await.unwrap();
        assert_eq!(mails.len(), 2, "{name}");
        assert!(
            mails
                .iter()
                .all(|m| m.document.is_some() && m.address == "zhang@example.cn")
        );
        store.letter_send_result(mails[0].id, Ok(())).await.unwrap();
        // a failure is tried again later; after the fifth it has failed and the officer sees it
        for attempt in 1..=5 {
            store
                .letter_send_result(mails[1].id, Err(format!("552 mailbox full ({attempt})")))
                .await
                .unwrap();
            sqlx::query("UPDATE letter_sends SET next_at = 0 WHERE id = $1")
                .bind(mails[1].id)
                .execute(&store.pool)
                .await
                .unwrap();
        }
        let d = store
            .letter_in_scope(&actor, &scope(&zj), id)
            .await
            .unwrap()
            .unwrap();
        let failed = d.sends.iter().find(|s| s.id == mails[1].id).unwrap();
        assert_eq!(
            (failed.status.as_str(), failed.attempts),
            ("failed", 5),
            "{name}"
        );
        assert!(failed.last_error.contains("mailbox full"));
        assert!(
            d.events.iter().any(|e| e.kind == "sent")
                && d.events.iter().any(|e| e.kind == "send_failed"),
            "{name}: on the timeline"
        );
        store
            .retry_letter_send(&actor, &scope(&zj), id, mails[1].id)
            .await
            .unwrap();
        assert_eq!(
            store
                .claim_letter_sends(10, &["email"])
                .await
                .unwrap()
                .len(),
            1,
            "{name}: sent again"
        );
        let m = store
            .letter_metrics(&zj, false, today - Duration::days(5), today, today)
            .await
            .unwrap();
        assert_eq!(m.notified, Some(1), "{name}");
    }
}

#[tokio::test]
async fn assignments_report_back_by_their_deadline() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let today = store.today();
        let (zj, hz, xihu) = (
            unit(&store, "330000").await,
            unit(&store, "330100").await,
            unit(&store, "330106").await,
        );
        let actor = Actor::system("officer");
        let late = |s: StepRequest| StepRequest {
            late_reason: "按纸质台账补录".into(),
            ..s
        };
        // three assignments 40 days ago (30 days to report): one reported on time, one late, one not
        let on = today - Duration::days(40);
        let mut ids = vec![];
        for _ in 0..3 {
            let (id, _) = letter(&store, zj.id, on, "", "").await;
            store
                .letter_step(
                    &actor,
                    &scope(&zj),
                    id,
                    &late(StepRequest {
                        to_unit: Some(hz.id),
                        ..StepRequest::new(Step::Assign, on, "请核查后报告")
                    }),
                )
                .await
                .unwrap();
            ids.push(id);
        }
        // the lower unit may not close before it reports; it reports; another unit cannot return it
        let refused = store
            .letter_step(
                &actor,
                &scope(&hz),
                ids[0],
                &StepRequest::new(Step::Close, today, "办结"),
            )
            .await
            .unwrap_err();
        assert_eq!(rule(refused), RuleError::ReportOwed, "{name}");
        store
            .letter_step(
                &actor,
                &scope(&hz),
                ids[0],
                &late(StepRequest::new(
                    Step::Report,
                    on + Duration::days(20),
                    "已核查，情况如下",
                )),
            )
            .await
            .unwrap();
        store
            .letter_step(
                &actor,
                &scope(&hz),
                ids[1],
                &StepRequest::new(Step::Report, today, "已核查"),
            )
            .await
            .unwrap();
        let refused = store
            .letter_step(
                &actor,
                &scope(&xihu),
                ids[1],
                &StepRequest::new(Step::ReturnReport, today, "不充分"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(refused, StoreError::NotFound | StoreError::Rule(_)),
            "{name}: {refused:?}"
        );
        let m = store
            .letter_metrics(&zj, false, on, today, today)
            .await
            .unwrap();
        let a = m.assigned.unwrap();
        assert_eq!(
            (a.due, a.on_time, a.late, a.overdue_open),
            (3, 1, 1, 1),
            "{name}"
        );
        // the assigning unit sees the report it still waits for
        let awaited = store.letters_awaited(zj.id).await.unwrap();
        assert!(
            awaited
                .iter()
                .any(|a| a.letter_id == ids[2] && a.kind == "report" && a.unit_name == hz.name),
            "{name}: {awaited:?}"
        );
        assert!(
            !awaited.iter().any(|a| a.letter_id == ids[0]),
            "{name}: reported"
        );
        // the sweep urges the overdue report at the lower unit
        let before = count(
            &store,
            "SELECT COUNT(*) FROM notices WHERE letter_id = $1 AND dedupe LIKE '%:report'",
            ids[2],
        )
        .await;
        store.sweep(today).await.unwrap();
        let after = count(
            &store,
            "SELECT COUNT(*) FROM notices WHERE letter_id = $1 AND dedupe LIKE '%:report'",
            ids[2],
        )
        .await;
        assert!(after > before, "{name}: the overdue report is urged");
        // the assigning unit returns the late report as insufficient: owed again, with a new deadline
        store
            .letter_step(
                &actor,
                &scope(&zj),
                ids[1],
                &StepRequest::new(Step::ReturnReport, today, "核查不充分，请补充"),
            )
            .await
            .unwrap();
        let d = store
            .letter_in_scope(&actor, &scope(&zj), ids[1])
            .await
            .unwrap()
            .unwrap();
        let a = &d.assignments[0];
        assert_eq!((a.reported_on.as_deref(), a.returns), (None, 1), "{name}");
        assert_eq!(a.report_due, (today + Duration::days(30)).to_string());
        // a letter cannot be assigned upwards
        let (up, _) = letter(&store, hz.id, today, "", "").await;
        let refused = store
            .letter_step(
                &actor,
                &scope(&hz),
                up,
                &StepRequest {
                    to_unit: Some(zj.id),
                    ..StepRequest::new(Step::Assign, today, "交办")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(rule(refused), RuleError::AssignOnlyDown, "{name}");
    }
}

#[tokio::test]
async fn out_of_the_procuratorates_counts_as_answered_once_the_writer_is_told() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let today = store.today();
        let zj = unit(&store, "330000").await;
        let actor = Actor::system("officer");
        let out = |told| StepRequest {
            organ_kind: Some(OrganKind::Police),
            organ: "杭州市公安局".into(),
            told,
            ..StepRequest::new(Step::TransferOut, today, "请依法处理")
        };
        // told by post at once: answered and done
        let (a, _) = letter(&store, zj.id, today, "", "").await;
        store
            .letter_step(&actor, &scope(&zj), a, &out(true))
            .await
            .unwrap();
        let d = store
            .letter_in_scope(&actor, &scope(&zj), a)
            .await
            .unwrap()
            .unwrap();
        assert!(
            d.summary.replied_on.is_some() && d.summary.closed_on.is_some(),
            "{name}"
        );
        let kinds: Vec<_> = d.replies.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["transfer_out", "transfer_notice"], "{name}");
        assert_eq!(d.out.as_ref().map(|o| o.2.as_str()), Some("杭州市公安局"));
        // not told yet: not answered until the notice reaches the writer's mailbox
        let (b, code) = letter(&store, zj.id, today, "li@example.cn", "").await;
        store
            .letter_step(&actor, &scope(&zj), b, &out(false))
            .await
            .unwrap();
        let d = store
            .letter_in_scope(&actor, &scope(&zj), b)
            .await
            .unwrap()
            .unwrap();
        assert!(d.summary.replied_on.is_none(), "{name}");
        let refused = store
            .letter_step(
                &actor,
                &scope(&zj),
                b,
                &StepRequest {
                    to_unit: Some(unit(&store, "330100").await.id),
                    ..StepRequest::new(Step::Transfer, today, "转办")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(rule(refused), RuleError::LetterOut, "{name}");
        let mails = store.claim_letter_sends(10, &["email"]).await.unwrap();
        let mine: Vec<_> = mails
            .iter()
            .filter(|m| m.subject.contains(&format!("{:06}", b)))
            .collect();
        assert_eq!(mine.len(), 1, "{name}");
        assert!(mine[0].body.contains("杭州市公安局"));
        store.letter_send_result(mine[0].id, Ok(())).await.unwrap();
        let d = store
            .letter_in_scope(&actor, &scope(&zj), b)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.summary.replied_on, Some(today.to_string()), "{name}");
        // the writer sees the notice, never the organ's letter
        let status = store.letter_status(&code).await.unwrap().unwrap();
        assert_eq!(
            status
                .letters
                .iter()
                .map(|r| r.kind.as_str())
                .collect::<Vec<_>>(),
            ["transfer_notice"]
        );
        let organ_letter = d.replies.iter().find(|r| r.kind == "transfer_out").unwrap();
        assert!(
            store
                .public_reply(&code, organ_letter.id)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn dissatisfaction_opens_a_review_one_level_up() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let today = store.today();
        let (zj, hz, xihu) = (
            unit(&store, "330000").await,
            unit(&store, "330100").await,
            unit(&store, "330106").await,
        );
        let actor = Actor::system("officer");
        let mut codes = vec![];
        for rating in [Rating::Satisfied, Rating::Basic, Rating::Unsatisfied] {
            let (id, code) = letter(&store, xihu.id, today, "", "").await;
            store
                .letter_step(
                    &actor,
                    &scope(&xihu),
                    id,
                    &StepRequest::new(Step::Reply, today, "答复"),
                )
                .await
                .unwrap();
            assert!(
                store.rate_letter(&code, rating, "意见").await.unwrap(),
                "{name}"
            );
            codes.push((id, code));
        }
        let (id, code) = &codes[2];
        assert!(
            matches!(
                store.rate_letter(code, Rating::Satisfied, "").await,
                Err(StoreError::Invalid(_))
            ),
            "{name}: once"
        );
        let d = store
            .letter_in_scope(&actor, &scope(&zj), *id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            d.review.as_ref().map(|r| r.0.as_str()),
            Some(hz.name.as_str()),
            "{name}: the unit above"
        );
        let refused = store
            .letter_step(
                &actor,
                &scope(&zj),
                *id,
                &StepRequest::new(Step::Review, today, "复查"),
            )
            .await
            .unwrap_err();
        assert_eq!(rule(refused), RuleError::NotTheReviewer, "{name}");
        store
            .letter_step(
                &actor,
                &scope(&hz),
                *id,
                &StepRequest::new(Step::Review, today, "经复查，原答复正确"),
            )
            .await
            .unwrap();
        let d = store
            .letter_in_scope(&actor, &scope(&hz), *id)
            .await
            .unwrap()
            .unwrap();
        assert!(d.replies.iter().any(|r| r.kind == "review"), "{name}");
        assert_eq!(
            d.review.as_ref().and_then(|r| r.2.clone()),
            Some(today.to_string())
        );
        let s = store
            .letter_metrics(&xihu, false, today, today, today)
            .await
            .unwrap()
            .satisfaction
            .unwrap();
        assert_eq!(
            (s.rated, s.satisfied, s.basic, s.unsatisfied),
            (3, 1, 1, 1),
            "{name}"
        );
    }
}

/// The figures of answers read their own indexes on both databases: the kept report-backs by
/// scope, the assignments reported after a past as-of day through the index of those days —
/// never a scan of a table.
#[tokio::test]
async fn the_answer_figures_read_their_indexes() {
    use duban_store::testing::{Arg, plan};
    // a scan of a table (the few rows answered after the day may be grouped in a temporary tree)
    let scans = |p: &[String], t: &str| {
        p.iter().any(|l| {
            l == &format!("SCAN {t}")
                || l.starts_with(&format!("SCAN {t} "))
                || l.contains(&format!("Seq Scan on {t}"))
        })
    };
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let zj = unit(&store, "330000").await;
        for subtree in [false, true] {
            let like = if subtree {
                format!("{}%", zj.path)
            } else {
                String::new()
            };
            for (sql, indexes) in [(
                duban_store::letters::assignments_sql(subtree),
                &["letter_assignments_reported"][..],
            )] {
                let p = plan(
                    &store,
                    &sql,
                    &[
                        Arg::Int(zj.id),
                        Arg::Text(like.clone()),
                        Arg::Text("2020-01-01".into()),
                        Arg::Text("2020-12-31".into()),
                        Arg::Text("2020-12-31".into()),
                    ],
                )
                .await;
                // PostgreSQL chooses by its statistics between these indexes and the scope's
                // rows of the period; either is an index read
                for index in indexes {
                    assert!(
                        name != "sqlite" || p.iter().any(|l| l.contains(index)),
                        "{name} {subtree} {index}: {p:?}"
                    );
                }
                for table in [
                    "letters",
                    "letter_assignments",
                    "assignment_tallies",
                    "assignment_open",
                ] {
                    assert!(!scans(&p, table), "{name} {table}: {p:?}");
                }
            }
        }
    }
}
