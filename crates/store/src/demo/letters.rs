//! Demo letters: the seed's year and a nation's worth for benchmarks.
use crate::{Actor, Change, Result, Store, StoreError};
use chrono::NaiveDate;
use duban_domain::import::{self, Table};
use duban_domain::letters::clocks_lenient;
use serde::Serialize;
use serde_json::json;

/// The demo's letters, January to September 2020: 200 at the SPP (every reply on time: the seed's
/// "two 100%") and 150 each at 浙江 and 广东, two of whose replies each came late — 496 of 500 on
/// time, the seed's 99.2% three-month rate. Loaded once.
pub(crate) async fn load_demo_letters(store: &Store) -> Result<()> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM letters")
        .fetch_one(&store.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    const SURNAMES: [&str; 12] = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
    ];
    const GIVEN: [&str; 10] = [
        "建国", "秀英", "志强", "丽华", "海涛", "桂兰", "明亮", "淑珍", "永刚", "红霞",
    ];
    const MATTERS: [(&str, &str); 6] = [
        ("控告", "控告某派出所民警违法取证，请求依法监督"),
        ("举报", "举报某单位工作人员插手过问案件"),
        ("申诉", "不服法院民事判决，申请检察机关监督"),
        ("求决", "请求国家司法救助，因案致贫生活困难"),
        ("意见建议", "对检务公开和12309服务提出改进建议"),
        ("其他", "咨询未成年人检察工作相关规定"),
    ];
    const CHANNELS: [&str; 5] = ["网上", "来信", "来访", "12309", "转来"];
    let start = NaiveDate::from_ymd_opt(2020, 1, 2).unwrap_or_default();
    // no step is recorded after the application's today (the demo's pinned day): a letter whose
    // reply would fall later is still being handled
    let today = store.today();
    let done = |d: NaiveDate| {
        if d > today {
            String::new()
        } else {
            d.to_string()
        }
    };
    let mut table: Table = vec![
        import::LETTER_COLUMNS
            .iter()
            .map(|(c, _)| c.to_string())
            .collect(),
    ];
    for (unit, count, late) in [
        ("100000", 200usize, 0usize),
        ("330000", 150, 2),
        ("440000", 150, 2),
    ] {
        for i in 0..count {
            let received = start + chrono::Duration::days((i * 272 / count) as i64);
            let (category, content) = MATTERS[i % MATTERS.len()];
            let reply = received + chrono::Duration::days(if i < late { 100 } else { 45 });
            table.push(vec![
                received.to_string(),
                CHANNELS[i % CHANNELS.len()].into(),
                unit.into(),
                format!(
                    "{}{}",
                    SURNAMES[i % SURNAMES.len()],
                    GIVEN[(i / 3) % GIVEN.len()]
                ),
                if i % 3 == 0 {
                    format!("138{:08}", 10_000_000 + i * 7919 % 89_999_999)
                } else {
                    String::new()
                },
                category.into(),
                format!("{content}（演示来信 {unit}-{:03}）", i + 1),
                done(received + chrono::Duration::days(3)),
                done(reply),
                done(reply),
            ]);
        }
    }
    store.import_letters(&Actor::system("demo"), &table).await?;
    Ok(())
}

/// The generator's matters: eight per category (控告, 举报, 申诉, 求决, 意见建议, 其他), in turn.
pub(crate) const NATION_MATTERS: [&str; 48] = [
    "控告某派出所民警违法取证，请求检察机关依法监督",
    "举报某村干部侵占集体土地补偿款",
    "不服法院民事判决，申请检察机关抗诉",
    "请求国家司法救助，因案致贫生活困难",
    "建议进一步推进检务公开，方便群众查询案件进度",
    "咨询未成年人检察工作相关规定",
    "控告某看守所工作人员体罚在押人员",
    "举报某干部插手过问案件，干预司法办案",
    "不服不起诉决定，申请复查",
    "请求督促执行拖欠多年的劳动报酬",
    "对12309检察服务热线接听服务提出改进建议",
    "询问刑事申诉的受理条件和办理期限",
    "控告某公司非法集资，公安机关立案后久拖不决",
    "举报某法官收受当事人财物",
    "不服行政判决，申请检察监督",
    "请求解决因案件久拖造成的生活困难",
    "建议加强对校园周边治安的法律监督",
    "咨询公益诉讼线索的反映渠道",
    "控告某派出所对报案不予立案",
    "举报某检察人员违规会见案件当事人",
    "不服刑事判决，认为量刑过重，提出申诉",
    "请求检察机关督促相关部门依法赔偿",
    "对检察建议落实情况提出意见",
    "咨询民事执行监督的办理程序",
    "控告某执法人员违法查封扣押冻结财产",
    "举报某企业污染环境，损害社会公共利益",
    "不服法院再审裁定，请求检察机关监督",
    "请求依法保护农民工合法权益",
    "建议规范律师阅卷预约流程",
    "咨询认罪认罚从宽制度的适用",
    "控告某单位拒不执行生效判决",
    "举报某公职人员违规经商办企业",
    "不服国家赔偿决定，提出申诉",
    "请求对涉案企业合规整改情况进行监督",
    "对信访接待场所设置提出改进意见",
    "咨询刑事被害人救助的申请材料",
    "控告侦查人员超期羁押犯罪嫌疑人",
    "举报有关人员在案件办理中弄虚作假",
    "不服民事调解书，申请检察监督",
    "请求督促相关部门解决征地补偿纠纷",
    "建议加大对电信网络诈骗犯罪的打击力度",
    "咨询检察听证的参加方式",
    "控告某法院审理期限严重超期",
    "举报某律师与办案人员不正当交往",
    "不服公安机关撤销案件决定，请求监督",
    "请求帮助追回被骗养老钱",
    "建议在基层检察院设立便民服务窗口",
    "咨询司法救助资金的发放程序",
];

/// What the nationwide letters generator made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NationLetters {
    pub letters: u64,
}

/// On how many different days the nation generator's letters of one day are answered (the kept
/// steps by day recorded, `letter_done`, hold a row per day received, day recorded and scope).
const SPREAD: i64 = 15;

impl Store {
    /// A nationwide year of letters (2020) for benchmarks: about 1,060,000, spread over every unit
    /// (SPP 3,000, provinces 2,000, cities 500, basic units 250), every one acknowledged in 2 days;
    /// result replies in 40 days, except one in 125 outside the SPP, answered after 100 days — the
    /// SPP's two 100% and 99.2% nationwide; a step due after the application's today is not yet
    /// recorded. With `years` above 1, the same volume for each year before 2020 too (ten years:
    /// about 10.6 M letters), a transaction a year. Set-based; idempotent (a unit with letters in a
    /// year is skipped for that year).
    pub async fn load_nation_letters(&self, years: u32) -> Result<NationLetters> {
        let mut made = NationLetters::default();
        for year in (2021 - years.clamp(1, 30) as i32)..=2020 {
            made.letters += self.load_nation_letters_of(year).await?;
            // a year's pages out of the write-ahead log before the next (SQLite)
            self.checkpoint().await?;
        }
        if self.backend == crate::Backend::Postgres {
            // every year's letters counted once, after the last year
            let mut w = self.write(&Actor::system("demo")).await?;
            crate::org::rebuild_letter_tallies(&mut w.tx).await?;
            w.commit().await?;
        }
        self.analyze(&[
            "letters",
            "letter_reach",
            "letter_events",
            "letter_tallies",
            "letter_open",
            "letter_done",
            "letter_done_months",
            "letter_done_by_month",
        ])
        .await?;
        Ok(made)
    }

    async fn load_nation_letters_of(&self, year: i32) -> Result<u64> {
        let cal = self.work_calendar().await?;
        let rules = self.supervision_rules().await?.letter_clocks;
        let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
        let days_in_year = (end - start).num_days() + 1;
        let today = self.today();
        let mut w = self.write(&Actor::system("demo")).await?;
        // counted once after the last year (PostgreSQL) rather than by a trigger per letter
        crate::org::bulk_load(&mut w.tx).await?;
        sqlx::query("CREATE TEMP TABLE nation_days (idx BIGINT, j BIGINT, received_on TEXT, ack_due TEXT, reply_due TEXT, ack_on TEXT, reply_on TEXT, late_on TEXT, PRIMARY KEY (idx, j))").execute(&mut *w.tx).await?;
        // 48 matters, eight per category in the order of the categories below (k % 6), so that a
        // letter's content fits its category; each tokenized once for the search index
        sqlx::query("CREATE TEMP TABLE nation_texts (idx BIGINT PRIMARY KEY, content TEXT NOT NULL, tokens TEXT NOT NULL)")
            .execute(&mut *w.tx)
            .await?;
        for (i, content) in NATION_MATTERS.iter().enumerate() {
            sqlx::query("INSERT INTO nation_texts (idx, content, tokens) VALUES ($1, $2, $3)")
                .bind(i as i64)
                .bind(*content)
                .bind(crate::search::index_tokens(content))
                .execute(&mut *w.tx)
                .await?;
        }
        sqlx::query("CREATE TEMP TABLE nation_nums (k BIGINT PRIMARY KEY)")
            .execute(&mut *w.tx)
            .await?;
        let mut days = Vec::new();
        for i in 0..days_in_year {
            let d = start + chrono::Duration::days(i);
            // a year before the calendar's holidays were entered counts on plain weeks
            let (c, _) =
                clocks_lenient(&cal, d, &rules).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let s = |x: NaiveDate| serde_json::Value::String(x.to_string());
            // no step is recorded after the application's today (a pinned demo day): a letter
            // answered later is still open on it
            let done = |x: NaiveDate| if x > today { json!(null) } else { s(x) };
            // the letters of a day answered on SPREAD different days: acknowledged 1–6 days
            // after, replied to 20–76 days after (on time), the late ones after 100 days
            for j in 0..SPREAD {
                days.push(vec![
                    json!(i),
                    json!(j),
                    s(d),
                    s(c.ack_due),
                    s(c.reply_due),
                    done(d + chrono::Duration::days(1 + j % 6)),
                    done(d + chrono::Duration::days(20 + 4 * j)),
                    done(d + chrono::Duration::days(100)),
                ]);
            }
        }
        let cols: Vec<String> = [
            "idx",
            "j",
            "received_on",
            "ack_due",
            "reply_due",
            "ack_on",
            "reply_on",
            "late_on",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for chunk in days.chunks(100) {
            crate::backup::insert_rows(
                &mut w.tx,
                "nation_days",
                &cols,
                &[true, true, false, false, false, false, false, false],
                chunk,
                "",
            )
            .await?;
        }
        let nums: Vec<Vec<serde_json::Value>> = (0..3000i64).map(|k| vec![json!(k)]).collect();
        for chunk in nums.chunks(500) {
            crate::backup::insert_rows(
                &mut w.tx,
                "nation_nums",
                &["k".to_string()],
                &[true],
                chunk,
                "",
            )
            .await?;
        }
        let per_unit =
            "CASE u.level WHEN 1 THEN 3000 WHEN 2 THEN 2000 WHEN 3 THEN 500 ELSE 250 END";
        let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM letters")
            .fetch_one(&mut *w.tx)
            .await?;
        let now = self.now_rfc3339();
        let inserted = sqlx::query(crate::sqlf!(
            "INSERT INTO letters (first_unit_id, unit_id, received_on, unit_received_on, channel, category, petitioner, phone, content, ack_due, reply_due, acknowledged_on, replied_on, closed_on, created_at) \
             SELECT u.id, u.id, d.received_on, d.received_on, \
               CASE n.k % 5 WHEN 0 THEN 'online' WHEN 1 THEN 'post' WHEN 2 THEN 'visit' WHEN 3 THEN 'hotline' ELSE 'transferred' END, \
               CASE n.k % 6 WHEN 0 THEN 'accusation' WHEN 1 THEN 'report' WHEN 2 THEN 'appeal' WHEN 3 THEN 'request' WHEN 4 THEN 'suggestion' ELSE 'other' END, \
               '', '', t.content, d.ack_due, d.reply_due, d.ack_on, \
               CASE WHEN u.level > 1 AND n.k % 125 = 7 THEN d.late_on ELSE d.reply_on END, \
               CASE WHEN u.level > 1 AND n.k % 125 = 7 THEN d.late_on ELSE d.reply_on END, $1 \
             FROM units u JOIN nation_nums n ON n.k < {per_unit} JOIN nation_days d ON d.idx = n.k * {days_in_year} / ({per_unit}) AND d.j = (n.k + u.id) % {SPREAD} JOIN nation_texts t ON t.idx = n.k % 48 \
             WHERE u.kind = 'procuratorate' AND NOT EXISTS (SELECT 1 FROM letters x WHERE x.unit_id = u.id AND x.received_on >= $2 AND x.received_on <= $3) ORDER BY u.id, n.k"
        ))
        .bind(&now)
        .bind(start.to_string())
        .bind(end.to_string())
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        sqlx::query("DROP TABLE nation_days")
            .execute(&mut *w.tx)
            .await?;
        let index = match self.backend {
            crate::Backend::Sqlite => {
                "INSERT INTO letters_fts (rowid, tokens) SELECT l.id, t.tokens"
            }
            crate::Backend::Postgres => {
                "INSERT INTO letters_fts (letter_id, tokens) SELECT l.id, to_tsvector('simple', t.tokens)"
            }
        };
        sqlx::query(crate::sqlf!(
            "{index} FROM letters l JOIN nation_texts t ON t.content = l.content WHERE l.id > $1 ORDER BY l.id"
        ))
        .bind(before)
        .execute(&mut *w.tx)
        .await?;
        for t in ["nation_nums", "nation_texts"] {
            sqlx::query(crate::sqlf!("DROP TABLE {t}"))
                .execute(&mut *w.tx)
                .await?;
        }
        w.audit(Change {
            action: "demo.nation.letters",
            entity: "letters",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"letters": inserted, "year": year})),
        })
        .await?;
        w.commit().await?;
        Ok(inserted)
    }
}
