//! Letters in the store, on SQLite and (when configured) PostgreSQL.
use chrono::NaiveDate;
use duban_domain::letters::{ClockRules, Rate, clocks, outcome};
use duban_store::letters::StepRequest;
use duban_store::{Actor, StoreError, testing};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn table(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

const HEAD: &str = "received_on,channel,unit_code,petitioner,phone,category,content,acknowledged_on,replied_on,closed_on";

#[tokio::test]
async fn import_and_reply_rates() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let actor = Actor::system("test");
        // one bad row: nothing is imported, every problem is named
        let bad = format!(
            "{HEAD}\n2021-03-02,12309,100000,张三,010-1234567,控告,反映问题,,,\n2021-03-02,电报,999999,李四,x,控告,反映问题,2021-03-01,,"
        );
        let Err(StoreError::Import(errs)) = store.import_letters(&actor, &table(&bad)).await else {
            panic!("{name}")
        };
        assert!(
            errs.iter().any(|e| e.row == 3 && e.column == "channel")
                && errs.iter().any(|e| e.row == 3 && e.column == "unit_code"),
            "{errs:?}"
        );
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM letters")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(
            n, 500,
            "{name}: nothing half-imported (the demo's 500 only)"
        );
        // a quarter's letters at the SPP and at 浙江
        let rows = [
            "2021-03-02,12309,100000,张三,010-1234567,控告,反映某案办理拖延,2021-03-05,2021-05-20,2021-05-20",
            "2021-03-10,来信,100000,李四,,申诉,不服不起诉决定,2021-03-17,2021-06-10,",
            "2021-03-20,来访,100000,王五,,求决,请求国家司法救助,2021-03-30,2021-07-01,",
            "2021-04-01,网上,100000,,,意见建议,对检务公开的建议,,,",
            "2021-03-05,转来,330000,赵六,13800138000,举报,举报某干部违纪,2021-03-06,2021-06-01,2021-06-01",
        ];
        let csv = format!("{HEAD}\n{}", rows.join("\n"));
        let r = store.import_letters(&actor, &table(&csv)).await.unwrap();
        assert_eq!(r.created, 5, "{name}");
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let cal = store.work_calendar().await.unwrap();
        for as_of in ["2021-03-15", "2021-06-05", "2021-07-15"] {
            let as_of = d(as_of);
            let m = store
                .letter_metrics(&spp, true, d("2021-01-01"), d("2021-09-30"), as_of)
                .await
                .unwrap();
            assert_eq!(m.received, 5, "{name}");
            // the same figures from the domain's rule, letter by letter
            let (mut acks, mut replies) = (vec![], vec![]);
            for row in &rows {
                let f: Vec<&str> = row.split(',').collect();
                let c = clocks(&cal, d(f[0]), &ClockRules::default()).unwrap();
                let done = |s: &str| (!s.is_empty()).then(|| d(s));
                acks.push(outcome(c.ack_due, done(f[7]), as_of));
                replies.push(outcome(c.reply_due, done(f[8]), as_of));
            }
            assert_eq!(
                (m.ack, m.reply),
                (Rate::of(acks), Rate::of(replies)),
                "{name} {as_of}"
            );
        }
        let m = store
            .letter_metrics(
                &spp,
                false,
                d("2021-01-01"),
                d("2021-09-30"),
                d("2021-07-15"),
            )
            .await
            .unwrap();
        assert_eq!(m.received, 4, "{name}: the SPP's own letters");
        assert_eq!(
            (m.reply.on_time, m.reply.late, m.reply.overdue_open),
            (2, 1, 1),
            "{name}: {m:?}"
        );
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

/// An import's rows go in whole (COPY on PostgreSQL): text exactly as written, its steps, its
/// search words, the ids after the ones held, and no scratch rows left behind.
#[tokio::test]
async fn imported_letters_arrive_exactly() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let actor = Actor::system("test");
        // (a file's cells are one line each: a tab is the one control character they may hold)
        let content = "反映\t某案\\n办理拖延 \\第二行 \"引号\" 司法救助\\r末尾";
        let mut t = table(HEAD);
        t.push(
            "2021-03-02,12309,100000,张三,010-1234567,控告,,2021-03-05,2021-05-20,"
                .split(',')
                .map(String::from)
                .collect(),
        );
        t[1][6] = content.into();
        let before: i64 = sqlx::query_scalar("SELECT MAX(id) FROM letters")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(store.import_letters(&actor, &t).await.unwrap().created, 1);
        let (id, held): (i64, String) =
            sqlx::query_as("SELECT id, content FROM letters ORDER BY id DESC LIMIT 1")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert_eq!((id, held.as_str()), (before + 1, content), "{name}");
        let steps: Vec<String> = sqlx::query_scalar(
            "SELECT kind || ' ' || on_date || ' ' || body FROM letter_events WHERE letter_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&store.pool)
        .await
        .unwrap();
        assert_eq!(
            steps,
            [
                "received 2021-03-02 （导入）",
                "ack 2021-03-05 （导入）",
                "reply 2021-05-20 （导入）"
            ],
            "{name}"
        );
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let scope = duban_store::Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: false,
        };
        for word in ["办理拖延", "第二行", "导入"] {
            let (hits, _) = store.search_letters(&scope, word, None, 5).await.unwrap();
            assert_eq!(hits.first().map(|h| h.id), Some(id), "{name}: {word}");
        }
        // a letter registered afterwards takes the next id (PostgreSQL's sequence moved on)
        let later = duban_store::letters::NewLetter {
            unit_id: spp.id,
            received_on: d("2021-03-03"),
            channel: duban_domain::letters::Channel::Online,
            category: duban_domain::letters::LetterCategory::Report,
            petitioner: "李四".into(),
            phone: String::new(),
            id_number: String::new(),
            address: String::new(),
            email: String::new(),
            content: "后来的信".into(),
            files: vec![],
        };
        let (next, _) = store.submit_letter(&actor, &later).await.unwrap();
        assert!(next > id, "{name}");
        // the kept figures took the file in whole: each month is the sum of its days
        let off: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM letter_months m LEFT JOIN (SELECT scope_id, substr(received_on, 1, 7) AS month, own, level, \
             SUM(received) AS r, SUM(ack_on_time) AS a, SUM(reply_late) AS l FROM letter_tallies GROUP BY 1, 2, 3, 4) d \
             ON d.scope_id = m.scope_id AND d.month = m.month AND d.own = m.own AND d.level = m.level \
             WHERE d.r IS NULL OR d.r <> m.received OR d.a <> m.ack_on_time OR d.l <> m.reply_late",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(off, 0, "{name}");
        if name == "postgres" {
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM copy_stage")
                .fetch_one(&store.pool)
                .await
                .unwrap();
            assert_eq!(left, 0, "no scratch rows left");
        }
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn demo_letters_give_the_seeds_rates() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let own = store
            .letter_metrics(
                &spp,
                false,
                d("2020-01-01"),
                d("2020-09-30"),
                d("2020-12-31"),
            )
            .await
            .unwrap();
        assert_eq!(own.received, 200, "{name}: loaded once");
        assert_eq!(
            (own.ack.rate, own.reply.rate),
            (Some(1.0), Some(1.0)),
            "{name}: the SPP's two 100%"
        );
        let all = store
            .letter_metrics(
                &spp,
                true,
                d("2020-01-01"),
                d("2020-09-30"),
                d("2020-12-31"),
            )
            .await
            .unwrap();
        assert_eq!(
            (all.received, all.reply.on_time, all.reply.late),
            (500, 496, 4),
            "{name}"
        );
        assert_eq!(
            all.reply.rate.map(|r| (r * 1000.0).round() / 10.0),
            Some(99.2),
            "{name}: the seed's 99.2%"
        );
    }
}

#[tokio::test]
async fn nation_letters_generator() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let n = store.load_nation_letters(1).await.unwrap();
        assert_eq!(
            n.letters,
            30 * 2000 + 4 * 500 + 5 * 250,
            "{name}: 30 provincial units without demo letters, 4 cities, 5 basic units"
        );
        assert_eq!(
            store.load_nation_letters(1).await.unwrap().letters,
            0,
            "{name}: idempotent"
        );
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let m = store
            .letter_metrics(
                &spp,
                true,
                d("2020-01-01"),
                d("2020-12-31"),
                d("2021-06-30"),
            )
            .await
            .unwrap();
        assert_eq!(m.ack.rate, Some(1.0), "{name}");
        assert_eq!(
            m.reply.rate.map(|r| (r * 1000.0).round() / 10.0),
            Some(99.2),
            "{name}: {m:?}"
        );
    }
}

#[tokio::test]
async fn letters_are_urged_on_the_notices_machinery() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let actor = Actor::system("test");
        // one letter at the SPP never acknowledged; one acknowledged in time, never answered
        let csv = format!(
            "{HEAD}\n2021-03-02,12309,100000,张三,010-1234567,控告,反映某案办理拖延,,,\n2021-03-02,来信,100000,李四,,申诉,不服不起诉决定,2021-03-04,,"
        );
        store.import_letters(&actor, &table(&csv)).await.unwrap();
        let count = |sql: &'static str| {
            let store = store.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&store.pool)
                    .await
                    .unwrap()
            }
        };
        // 2021-03-02 + 7 days: the acknowledgement is due 2021-03-09; yellow in its last 2 days
        assert_eq!(
            store.sweep_letters(d("2021-03-05")).await.unwrap(),
            (0, 0, 0),
            "{name}: nothing is near yet"
        );
        let (watched, reminders, notices) = store.sweep_letters(d("2021-03-08")).await.unwrap();
        assert_eq!((watched, reminders, notices), (1, 1, 0), "{name}");
        assert_eq!(
            store.sweep_letters(d("2021-03-08")).await.unwrap(),
            (1, 0, 0),
            "{name}: a second sweep on the same day issues nothing"
        );
        for (day, level) in [
            ("2021-03-10", "blue"),
            ("2021-03-16", "yellow"),
            ("2021-03-23", "red"),
        ] {
            let (_, _, n) = store.sweep_letters(d(day)).await.unwrap();
            assert_eq!(n, 1, "{name} {day}");
            let last: String = sqlx::query_scalar(
                "SELECT level FROM notices WHERE letter_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            )
            .fetch_one(&store.pool)
            .await
            .unwrap();
            assert_eq!(last, level, "{name} {day}");
        }
        // notices go to a leader of the holding unit
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM notices n JOIN letters l ON l.id = n.letter_id JOIN staff s ON s.id = n.addressee_id \
                 WHERE n.kind = 'notice' AND s.unit_id = l.unit_id AND s.is_leader = 1"
            )
            .await,
            3,
            "{name}"
        );
        // the reply clock of the other letter runs on its own: yellow in the last week before 2021-06-02
        let (_, reminders, notices) = store.sweep_letters(d("2021-05-28")).await.unwrap();
        assert_eq!(
            (reminders, notices),
            (1, 0),
            "{name}: a reminder for the reply; the acknowledgement's red notice was issued once already"
        );
        // once answered and closed, a letter is left alone
        sqlx::query("UPDATE letters SET acknowledged_on = '2021-05-28', replied_on = '2021-05-28', closed_on = '2021-05-28'")
            .execute(&store.pool)
            .await
            .unwrap();
        assert_eq!(
            store.sweep_letters(d("2021-06-30")).await.unwrap(),
            (0, 0, 0),
            "{name}"
        );
        // the mail says which letter and which reply, without the writer's data
        sqlx::query("UPDATE notices SET email = 'leader@example.org' WHERE letter_id IS NOT NULL AND level = 'red'")
            .execute(&store.pool)
            .await
            .unwrap();
        let mail: Vec<_> = store
            .claim_mail(10)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject.contains("红色"))
            .collect();
        assert_eq!(mail.len(), 1, "{name}");
        assert!(
            mail[0].subject.contains("红色督办单")
                && mail[0].subject.contains("程序性回复")
                && mail[0].body.contains("2021-03-02 收到")
                && !mail[0].body.contains("张三"),
            "{name}: {:?}",
            mail[0]
        );
        assert!(store.verify_audit().await.unwrap().is_ok(), "{name}");
    }
}

#[tokio::test]
async fn letter_clocks_are_a_setting() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let mut rules = store.supervision_rules().await.unwrap();
        rules.letter_clocks = ClockRules {
            ack_days: 5,
            ack_counting: duban_domain::calendar::Counting::Working,
            ..ClockRules::default()
        };
        store
            .set_supervision_rules(&Actor::system("test"), &rules)
            .await
            .unwrap();
        // received on Friday 2020-09-25: five working days skip the weekend → 2020-10-09 would be
        // with the National Day holidays; the calendar decides
        let csv = format!("{HEAD}\n2020-09-25,来信,100000,张三,,控告,反映问题,,,");
        store
            .import_letters(&Actor::system("test"), &table(&csv))
            .await
            .unwrap();
        let due: String =
            sqlx::query_scalar("SELECT ack_due FROM letters ORDER BY id DESC LIMIT 1")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        let cal = store.work_calendar().await.unwrap();
        let want = clocks(&cal, d("2020-09-25"), &rules.letter_clocks)
            .unwrap()
            .ack_due;
        assert_eq!(due, want.to_string(), "{name}");
        assert!(
            want > d("2020-10-02"),
            "{name}: working days, not calendar days ({want})"
        );
    }
}

#[tokio::test]
async fn search_in_chinese_on_both_backends() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let scope = |u: &duban_store::org::Unit, subtree: bool| duban_store::Scope {
            unit_id: u.id,
            unit_path: u.path.clone(),
            subtree,
        };
        // the demo's letters are indexed as they are imported: 司法救助 letters at all three units
        let (hits, next) = store
            .search_letters(&scope(&spp, true), "司法救助", None, 20)
            .await
            .unwrap();
        assert!(hits.len() == 20 && next.is_some(), "{name}: {}", hits.len());
        assert!(
            hits.iter().all(|h| h.excerpt.contains("司法救助")),
            "{name}"
        );
        // page by page (keyset on the id) the pages join up to one list, newest first, with no
        // letter twice and none left out
        let (all, _) = store
            .search_letters(&scope(&spp, true), "司法救助", None, 10_000)
            .await
            .unwrap();
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let (page, next) = store
                .search_letters(&scope(&spp, true), "司法救助", after, 7)
                .await
                .unwrap();
            paged.extend(page.iter().map(|h| h.id));
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(
            paged,
            all.iter().map(|h| h.id).collect::<Vec<_>>(),
            "{name}"
        );
        assert!(paged.windows(2).all(|w| w[0] > w[1]), "{name}");
        let (own, _) = store
            .search_letters(&scope(&zj, false), "司法救助", None, 100)
            .await
            .unwrap();
        assert!(
            !own.is_empty() && own.iter().all(|h| h.unit_name == "浙江省人民检察院"),
            "{name}"
        );
        // every word must appear; punctuation alone finds nothing
        let (none, _) = store
            .search_letters(&scope(&spp, true), "司法救助 违法取证", None, 20)
            .await
            .unwrap();
        assert!(none.is_empty(), "{name}");
        assert!(
            store
                .search_letters(&scope(&spp, true), "，。", None, 20)
                .await
                .unwrap()
                .0
                .is_empty()
        );
        // after a restore the index is rebuilt
        duban_store::testing::restore_own_backup(&store).await;
        let (again, _) = store
            .search_letters(&scope(&spp, true), "司法救助", None, 20)
            .await
            .unwrap();
        assert_eq!(again.len(), 20, "{name}");
    }
}

/// Every scope's list, read page by page from the queue (`letter_reach`), is the whole scope in
/// the list's order (open first by the deadline owed, then id), before and after letters move,
/// are answered and close, and after a backup is restored.
#[tokio::test]
async fn letter_lists_page_through_each_scope_in_order() {
    use duban_store::Scope;
    use sqlx::Row;
    async fn oracle(store: &duban_store::Store, s: &Scope) -> Vec<i64> {
        sqlx::query(
            "SELECT l.id FROM letters l JOIN units u ON u.id = l.unit_id WHERE (u.id = $1 OR u.path LIKE $2) \
             ORDER BY CASE WHEN l.closed_on IS NULL THEN 0 ELSE 1 END, \
             CASE WHEN l.acknowledged_on IS NULL THEN l.ack_due ELSE l.reply_due END, l.id",
        )
        .bind(s.unit_id)
        .bind(duban_store::scope_like(s))
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i64, _>("id").unwrap())
        .collect()
    }
    async fn paged(store: &duban_store::Store, s: &Scope, open: bool) -> Vec<i64> {
        let mut out = vec![];
        let mut after = None;
        loop {
            let page = store.letters(s, open, after.as_ref(), 37).await.unwrap();
            out.extend(page.iter().map(|l| l.id));
            match page.last() {
                Some(l) if page.len() == 37 => after = Some(l.cursor()),
                _ => return out,
            }
        }
    }
    async fn scopes(store: &duban_store::Store) -> Vec<Scope> {
        let mut v = vec![];
        for (code, subtree) in [
            ("100000", true),
            ("100000", false),
            ("330000", true),
            ("330000", false),
            ("330106", false),
        ] {
            let u = store.unit_by_code(code).await.unwrap().unwrap();
            v.push(Scope {
                unit_id: u.id,
                unit_path: u.path.clone(),
                subtree,
            });
        }
        v
    }
    /// The reply-rate counts of a scope counted letter by letter (what the kept figures must give).
    async fn counted(
        store: &duban_store::Store,
        s: &Scope,
        as_of: NaiveDate,
        (from, to): (NaiveDate, NaiveDate),
    ) -> [u64; 15] {
        let counts = |done: &str, due: &str| {
            format!(
                "SUM(CASE WHEN l.{done} IS NOT NULL AND l.{done} <= $3 AND l.{done} <= l.{due} THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN l.{done} IS NOT NULL AND l.{done} <= $3 AND l.{done} > l.{due} THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN (l.{done} IS NULL OR l.{done} > $3) AND l.{due} < $3 THEN 1 ELSE 0 END)"
            )
        };
        let answers = "SUM(CASE WHEN l.notified_on IS NOT NULL AND l.notified_on <= $3 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN l.rating = 'satisfied' AND l.rated_on <= $3 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN l.rating = 'basic' AND l.rated_on <= $3 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN l.rating = 'unsatisfied' AND l.rated_on <= $3 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN EXISTS (SELECT 1 FROM letter_events e WHERE e.letter_id = l.id AND e.late_days > 0 AND e.on_date <= $3) THEN 1 ELSE 0 END)";
        let assigned = "SELECT SUM(CASE WHEN a.reported_on <= $3 AND a.reported_on <= a.report_due THEN 1 ELSE 0 END), \
             SUM(CASE WHEN a.reported_on <= $3 AND a.reported_on > a.report_due THEN 1 ELSE 0 END), \
             SUM(CASE WHEN (a.reported_on IS NULL OR a.reported_on > $3) AND a.report_due < $3 THEN 1 ELSE 0 END) \
             FROM letter_assignments a JOIN units u ON u.id = a.from_unit_id WHERE (u.id = $1 OR u.path LIKE $2) \
             AND a.assigned_on >= $4 AND a.assigned_on <= $5";
        let sql = format!(
            "SELECT COUNT(*), {}, {}, {answers} FROM letters l JOIN units u ON u.id = l.unit_id WHERE (u.id = $1 OR u.path LIKE $2) \
             AND l.received_on >= $4 AND l.received_on <= $5",
            counts("acknowledged_on", "ack_due"),
            counts("replied_on", "reply_due")
        );
        let mut c = [0u64; 15];
        let mut at = 0;
        for sql in [sql.as_str(), assigned] {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .bind(s.unit_id)
                .bind(duban_store::scope_like(s))
                .bind(as_of.to_string())
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_one(&store.pool)
                .await
                .unwrap();
            for i in 0..r.len() {
                c[at] = r.try_get::<Option<i64>, _>(i).unwrap().unwrap_or(0) as u64;
                at += 1;
            }
        }
        c
    }
    /// The figures of a scope as a whole: the seven reply-rate counts, then the writers notified,
    /// the ratings, the letters with a step recorded late and the 交办's report-backs.
    fn fifteen(m: &duban_store::letters::LetterMetrics) -> [u64; 15] {
        let [a, b, c, d, e, f, g] = seven(m);
        let s = m.satisfaction.clone().unwrap();
        let r = m.assigned.clone().unwrap();
        [
            a,
            b,
            c,
            d,
            e,
            f,
            g,
            m.notified.unwrap(),
            s.satisfied,
            s.basic,
            s.unsatisfied,
            m.recorded_late.unwrap(),
            r.on_time,
            r.late,
            r.overdue_open,
        ]
    }
    fn seven(m: &duban_store::letters::LetterMetrics) -> [u64; 7] {
        [
            m.received,
            m.ack.on_time,
            m.ack.late,
            m.ack.overdue_open,
            m.reply.on_time,
            m.reply.late,
            m.reply.overdue_open,
        ]
    }
    /// The kept reply-rate figures of every scope, and the breakdown below 浙江 and the SPP, equal
    /// the letters counted one by one, as of a past day, today and a later day.
    async fn figures(name: &str, store: &duban_store::Store, when: &str) {
        let today = duban_store::testing::today();
        // all the letters (whole months), and periods that start and end inside a month
        for (from, to) in [
            (d("2000-01-01"), d("2099-12-31")),
            (d("2020-03-15"), d("2021-02-10")),
            (d("2020-06-02"), d("2020-06-29")),
        ] {
            for as_of in [
                d("2020-06-15"),
                d("2020-06-30"),
                d("2021-03-20"),
                today,
                d("2099-01-01"),
            ] {
                for s in scopes(store).await {
                    let unit = store.unit(s.unit_id).await.unwrap().unwrap();
                    let m = store
                        .letter_metrics(&unit, s.subtree, from, to, as_of)
                        .await
                        .unwrap();
                    assert_eq!(
                        fifteen(&m),
                        counted(store, &s, as_of, (from, to)).await,
                        "{name} {when} {from}–{to} {as_of}: {s:?}"
                    );
                    let (all, by_unit, _) = store
                        .letter_metrics_breakdown(&unit, s.subtree, from, to, as_of)
                        .await
                        .unwrap();
                    assert_eq!(all, m, "{name} {when} {as_of}: {s:?} in one pass");
                    if !s.subtree {
                        continue;
                    }
                    for row in by_unit {
                        let u = store.unit(row.unit_id).await.unwrap().unwrap();
                        let scope = Scope {
                            unit_id: u.id,
                            unit_path: u.path.clone(),
                            subtree: u.id != unit.id,
                        };
                        assert_eq!(
                            seven(&row.metrics)[..],
                            counted(store, &scope, as_of, (from, to)).await[..7],
                            "{name} {when} {as_of}: {} in {}",
                            u.name,
                            unit.name
                        );
                    }
                }
            }
        }
    }
    async fn check(name: &str, store: &duban_store::Store, when: &str) {
        figures(name, store, when).await;
        for s in scopes(store).await {
            let want = oracle(store, &s).await;
            assert_eq!(paged(store, &s, false).await, want, "{name} {when}: {s:?}");
            let open: Vec<i64> = paged(store, &s, true).await;
            assert!(
                open.len() <= want.len() && want.starts_with(&open),
                "{name} {when}: open first"
            );
        }
    }
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let actor = Actor::system("test");
        let csv = format!(
            "{HEAD}\n2021-03-02,12309,100000,张三,010-1234567,控告,反映问题一,,,\n2021-03-03,来信,330000,李四,0571-1234567,申诉,反映问题二,,,\n2021-03-04,来信,330000,王五,0571-1234568,申诉,反映问题三,,,"
        );
        store.import_letters(&actor, &table(&csv)).await.unwrap();
        check(name, &store, "after the demo").await;
        let national = scopes(&store).await.remove(0);
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        let ids = oracle(
            &store,
            &Scope {
                unit_id: national.unit_id,
                unit_path: String::new(),
                subtree: false,
            },
        )
        .await;
        use duban_domain::letters::Step;
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let zj_own = oracle(
            &store,
            &Scope {
                unit_id: zj.id,
                unit_path: String::new(),
                subtree: false,
            },
        )
        .await;
        let (a, b) = (ids[0], zj_own[0]);
        let today = duban_store::testing::today();
        store
            .letter_step(
                &actor,
                &national,
                a,
                &StepRequest {
                    to_unit: Some(xihu.id),
                    ..StepRequest::new(Step::Assign, today, "交西湖区院办理")
                },
            )
            .await
            .unwrap();
        store
            .letter_step(
                &actor,
                &national,
                b,
                &StepRequest::new(Step::Ack, today, "已收到"),
            )
            .await
            .unwrap();
        store
            .letter_step(
                &actor,
                &national,
                b,
                &StepRequest::new(Step::Close, today, "办结"),
            )
            .await
            .unwrap();
        check(name, &store, "after steps").await;
        // the writers' answers and the report-backs: the assigned letter reported on by 西湖, a
        // step of one of 浙江's recorded late (补录), writers notified and ratings given on two days
        let xihu_scope = Scope {
            unit_id: xihu.id,
            unit_path: xihu.path.clone(),
            subtree: false,
        };
        store
            .letter_step(
                &actor,
                &xihu_scope,
                a,
                &StepRequest::new(Step::Report, today, "办理情况报告"),
            )
            .await
            .unwrap();
        let (late, received): (i64, String) = sqlx::query_as(
            "SELECT id, received_on FROM letters WHERE unit_id = $1 AND closed_on IS NULL AND id <> $2 \
             ORDER BY received_on, id LIMIT 1",
        )
        .bind(zj.id)
        .bind(b)
        .fetch_one(&store.pool)
        .await
        .unwrap();
        store
            .letter_step(
                &actor,
                &Scope {
                    unit_id: zj.id,
                    unit_path: zj.path.clone(),
                    subtree: false,
                },
                late,
                &StepRequest {
                    late_reason: "纸质记录补录".into(),
                    ..StepRequest::new(Step::Progress, d(&received), "补录的办理进展")
                },
            )
            .await
            .unwrap();
        for (id, rating, on) in [
            (a, "satisfied", "2020-06-30"),
            (b, "unsatisfied", "2021-03-21"),
            (late, "basic", "2020-05-01"),
        ] {
            sqlx::query(
                "UPDATE letters SET notified_on = $1, rating = $2, rated_on = $1 WHERE id = $3",
            )
            .bind(on)
            .bind(rating)
            .bind(id)
            .execute(&store.pool)
            .await
            .unwrap();
        }
        check(name, &store, "after answers").await;
        let spp = store.unit(national.unit_id).await.unwrap().unwrap();
        let all = store
            .letter_metrics(
                &spp,
                true,
                d("2000-01-01"),
                d("2099-12-31"),
                d("2099-01-01"),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                all.notified,
                all.recorded_late,
                all.assigned.map(|r| r.on_time + r.late),
                all.satisfaction.map(|s| s.rated)
            ),
            (Some(3), Some(1), Some(1), Some(3)),
            "{name}: the answers are counted"
        );
        // a rating changed and a letter moved to another unit take back what they counted
        sqlx::query("UPDATE letters SET rating = 'satisfied' WHERE id = $1")
            .bind(b)
            .execute(&store.pool)
            .await
            .unwrap();
        sqlx::query("UPDATE letters SET unit_id = $1 WHERE id = $2")
            .bind(xihu.id)
            .bind(late)
            .execute(&store.pool)
            .await
            .unwrap();
        check(name, &store, "after changes").await;
        let fresh = testing::restored_copy(&store).await;
        check(name, &fresh, "after a restore").await;
    }
}

/// The letters list reads its page in index order on both databases: no scan of a table, no sort
/// (PostgreSQL is asked to avoid both wherever an index allows, so a plan that still has one has
/// no index to use).
#[tokio::test]
async fn letter_list_plan_uses_the_queue_index() {
    use sqlx::Row;
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        for open in [false, true] {
            let sql = duban_store::letters::letters_sql(open);
            let mut tx = store.pool.begin().await.unwrap();
            let plan: Vec<String> = if name == "sqlite" {
                sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                    .bind(spp.id)
                    .bind(1i64)
                    .bind(0i64)
                    .bind("2020-01-01")
                    .bind(0i64)
                    .bind(50i64)
                    .fetch_all(&mut *tx)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<String, _>("detail").unwrap())
                    .collect()
            } else {
                sqlx::raw_sql("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
                    .bind(spp.id)
                    .bind(1i64)
                    .bind(0i64)
                    .bind("2020-01-01")
                    .bind(0i64)
                    .bind(50i64)
                    .fetch_all(&mut *tx)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<String, _>("QUERY PLAN").unwrap())
                    .collect()
            };
            // (the scope's unit is a sub-select: SQLite reads it as a constant row)
            let bad = |l: &String| {
                (l.starts_with("SCAN ") && l != "SCAN CONSTANT ROW")
                    || l.contains("TEMP B-TREE")
                    || l.contains("Seq Scan")
                    || l.trim_start()
                        .trim_start_matches("->")
                        .trim_start()
                        .starts_with("Sort")
            };
            assert!(!plan.iter().any(bad), "{name}: {plan:#?}");
            assert!(
                plan.iter().any(|l| l.contains("letter_reach")
                    || l.starts_with("SEARCH r USING PRIMARY KEY (unit_id=? AND subtree=?")),
                "{name}: {plan:#?}"
            );
        }
    }
}

/// The kept reply-rate figures read their own tables by key (scope, then the period's days), the
/// correction for a past as-of day too (the steps by the day they were recorded): never a scan
/// of the letters or of the tallies, on both databases.
#[tokio::test]
async fn the_kept_figures_read_their_indexes() {
    use duban_store::testing::{Arg, plan, sorts_or_scans};
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let day = |s: &str| Arg::Text(s.into());
        // a grouping of the few summed rows is not a sort of the table
        let scans = |p: &[String], t: &str| {
            let p: Vec<String> = p
                .iter()
                .filter(|l| !l.contains("GROUP BY"))
                .cloned()
                .collect();
            sorts_or_scans(&p, t) && !p.iter().any(|l| l.contains("Aggregate"))
                || p.iter()
                    .any(|l| l.contains(&format!("Seq Scan on {t}")) || l == &format!("SCAN {t}"))
        };
        let ids = format!("{}, {}", spp.id, zj.id);
        let [done, open] = duban_store::letters::figures_sql(&ids);
        let (days, months) = duban_store::letters::period_lists(
            NaiveDate::from_ymd_opt(2020, 1, 15).unwrap(),
            NaiveDate::from_ymd_opt(2020, 12, 20).unwrap(),
        );
        // as of the 5th (the month less its first days) and the 20th (the days after it)
        let after = |as_of| {
            let (sql, binds) =
                duban_store::letters::recorded_after_sql(&ids, &days, &months, as_of).unwrap();
            (sql, binds.iter().map(|b| day(b)).collect::<Vec<_>>())
        };
        let (early, early_args) = after(NaiveDate::from_ymd_opt(2020, 11, 5).unwrap());
        let (late, late_args) = after(NaiveDate::from_ymd_opt(2020, 11, 20).unwrap());
        let parts = duban_store::letters::period_parts(
            NaiveDate::from_ymd_opt(2020, 1, 15).unwrap(),
            NaiveDate::from_ymd_opt(2020, 12, 20).unwrap(),
        );
        for (sql, table, args) in [
            (
                done.clone(),
                "letter_tallies",
                parts.iter().map(|p| day(p)).collect::<Vec<_>>(),
            ),
            (
                done,
                "letter_months",
                parts.iter().map(|p| day(p)).collect::<Vec<_>>(),
            ),
            (
                open,
                "letter_open",
                vec![day("2020-01-01"), day("2020-12-31"), day("2020-11-05")],
            ),
            (early.clone(), "letter_done", early_args.clone()),
            (early.clone(), "letter_done_months", early_args.clone()),
            (early, "letter_done_by_month", early_args),
            (late.clone(), "letter_done_months", late_args.clone()),
            (late, "letter_done_by_month", late_args),
        ] {
            let p = plan(&store, &sql, &args).await;
            assert!(
                p.iter().any(|l| {
                    l.contains("PRIMARY KEY")
                        || l.contains(&format!("{table}_pkey"))
                        || l.contains(&format!("{table}_cover"))
                }),
                "{name}: {p:?}"
            );
            assert!(!scans(&p, table), "{name}: {p:?}");
        }
    }
}
