//! The workbench (待办), on SQLite and PostgreSQL: every count equals the list it opens, a review
//! appears for the reviewer and never for the person who asked for it, a notice leaves the
//! addressee's list once answered (and only the addressee may answer it), and the clock a demo
//! database pins is the one every "today" and stamp comes from.
use chrono::NaiveDate;
use duban_domain::rectification::RuleError;
use duban_domain::todo::Kind;
use duban_store::rectification::{EntryKind, NewEntry, Upload};
use duban_store::testing::{self, author};
use duban_store::users::User;
use duban_store::{Store, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn user(store: &Store, login: &str) -> User {
    store.user_by_login(login).await.unwrap().unwrap()
}

/// Every kind's count on the home page is the length of its list (letters: the count of the
/// pages joined up).
async fn counts_equal_lists(store: &Store, name: &str, u: &User) {
    for (kind, count) in store.todo(u).await.unwrap() {
        let mut n = 0;
        let mut after: Option<String> = None;
        loop {
            let l = store.todo_list(u, kind, after.as_deref()).await.unwrap();
            assert_eq!(l.count, count, "{name}: {}: {kind:?} count", u.login);
            n += l.items.len() as i64;
            match l.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(n, count, "{name}: {}: {kind:?} list", u.login);
    }
}

#[tokio::test]
async fn the_workbench_counts_what_its_lists_show() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        store.pin_database(Some(d("2021-01-04"))).await.unwrap();
        store.sweep(d("2021-01-04")).await.unwrap();
        let admin = user(&store, "admin").await;
        let party = store
            .plan(&admin.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        // the office asks to close a task: the discipline group reviews it, the office does not
        let task = store
            .tasks(party.id)
            .await
            .unwrap()
            .into_iter()
            .find(|t| {
                t.state == duban_domain::rectification::TaskState::InProgress
                    && t.category == duban_domain::rectification::Category::TimeLimited
            })
            .unwrap();
        store
            .add_entry(
                &author(&store, "office").await,
                NewEntry {
                    task_id: task.id,
                    date: store.today(),
                    kind: EntryKind::ClosureRequest,
                    body: "对照完成标准已完成整改".into(),
                    corrects_id: None,
                    files: vec![Upload {
                        filename: "验收报告.pdf".into(),
                        bytes: b"%PDF-1.4 evidence".to_vec(),
                    }],
                    late_reason: String::new(),
                },
            )
            .await
            .unwrap();
        let discipline = user(&store, "discipline").await;
        let office = user(&store, "office").await;
        let href = format!("/rectification/tasks/{}", task.id);
        let reviews = |u: User| {
            let store = store.clone();
            async move { store.todo_list(&u, Kind::Review, None).await.unwrap() }
        };
        assert!(
            reviews(discipline.clone())
                .await
                .items
                .iter()
                .any(|i| i.href == href),
            "{name}: the discipline group reviews the request"
        );
        assert!(
            !reviews(office.clone())
                .await
                .items
                .iter()
                .any(|i| i.href == href),
            "{name}: the office never reviews its own request"
        );
        // the administrator has no review queue; a letters officer has letters
        let kinds = |u: User| {
            let store = store.clone();
            async move { store.todo_kinds(&u).await.unwrap() }
        };
        assert!(!kinds(admin.clone()).await.contains(&Kind::Review));
        assert!(
            kinds(user(&store, "letters").await)
                .await
                .contains(&Kind::LettersDue)
        );

        for login in [
            "admin",
            "office",
            "leader",
            "discipline",
            "letters",
            "quality",
            "zj.office",
            "xihu.office",
        ] {
            if let Some(u) = store.user_by_login(login).await.unwrap() {
                counts_equal_lists(&store, name, &u).await;
            }
        }

        // a notice addressed to a leader: on their list until they answer it
        let login: String = sqlx::query_scalar(
            "SELECT u.login FROM users u JOIN notices n ON n.addressee_id = u.staff_id \
             WHERE n.kind = 'notice' ORDER BY n.id LIMIT 1",
        )
        .fetch_one(&store.pool)
        .await
        .expect("a demo account receives a notice");
        let leader = user(&store, &login).await;
        let open = store.todo_list(&leader, Kind::Notices, None).await.unwrap();
        assert!(open.count > 0, "{name}: {login} has notices to answer");
        let id: i64 = open.items[0]
            .href
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let later = d("2021-02-01");
        match store
            .answer_notice(&office.actor(), id, "已部署整改", later)
            .await
        {
            Err(StoreError::Rule(RuleError::NotTheAddressee)) => {}
            other => panic!("{name}: the office answered a leader's notice: {other:?}"),
        }
        match store
            .answer_notice(&leader.actor(), id, "已部署整改", d("2020-12-01"))
            .await
        {
            Err(StoreError::Rule(RuleError::PromiseInPast)) => {}
            other => panic!("{name}: a promise in the past: {other:?}"),
        }
        store
            .answer_notice(&leader.actor(), id, "已召开专题会部署整改", later)
            .await
            .unwrap();
        match store
            .answer_notice(&leader.actor(), id, "再次回复", later)
            .await
        {
            Err(StoreError::Rule(RuleError::NoticeAnswered)) => {}
            other => panic!("{name}: answered twice: {other:?}"),
        }
        let after = store.todo_list(&leader, Kind::Notices, None).await.unwrap();
        assert_eq!(after.count, open.count - 1, "{name}");
        let n = store.notice(&admin.scope(), id).await.unwrap().unwrap();
        assert_eq!(n.promised_on.as_deref(), Some("2021-02-01"));
        assert_eq!(n.answer, "已召开专题会部署整改");
        // stamped on the pinned day (China time)
        let at = duban_store::china_time(n.answered_at.as_deref().unwrap()).unwrap();
        assert_eq!(at.date(), d("2021-01-04"), "{name}");
    }
}

#[tokio::test]
async fn a_pinned_day_is_every_today_until_unpinned() {
    for (name, store) in testing::all().await {
        let wall = testing::today();
        assert_eq!(store.today(), wall, "{name}");
        assert!(store.pinned_day().is_none());
        store.pin_database(Some(d("2020-11-05"))).await.unwrap();
        assert_eq!(store.today(), d("2020-11-05"));
        let now = store.now_rfc3339();
        assert_eq!(
            duban_store::china_time(&now).unwrap().date(),
            d("2020-11-05"),
            "{name}: stamps carry the pinned day"
        );
        // a restored copy keeps the pin (it is a setting of the database)
        let copy = testing::restored_copy(&store).await;
        assert_eq!(copy.today(), d("2020-11-05"), "{name}: restored");
        // a process may override it, or go back to the wall clock
        store.pin_for_process(Some(d("2020-12-31")));
        assert_eq!(store.today(), d("2020-12-31"));
        store.pin_for_process(None);
        assert_eq!(store.today(), wall);
        store.pin_database(None).await.unwrap();
        assert!(store.pinned_day().is_none());
    }
}
