//! The discipline desk through the doors (issue 19): the group registers, disposes of and
//! concludes a clue, holds a monthly review, looks back and enters the register, in Chinese and
//! English; every page and API route answers 404 to every other role, as for a missing id.
mod common;
use axum::http::StatusCode;
use common::*;
use serde_json::json;

const OTHERS: [&str; 8] = [
    "admin",
    "office",
    "leader",
    "dept",
    "letters",
    "quality",
    "staff",
    "zj.office",
];

#[tokio::test]
async fn the_desk_answers_404_to_everyone_outside_the_discipline_line() {
    let (app, store) = app().await;
    let mut g = Client::login(&app, "discipline").await;
    let today = store.today().to_string();
    let r = g
        .post_form(
            "/discipline/clues",
            &[
                ("clue_no", "XS-1"),
                ("received_on", &today),
                ("source", "inspection"),
                ("subject_name", "某甲"),
                ("summary", "反映违规干预案件"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM clues")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let r = g
        .post_form(
            "/discipline/reviews",
            &[("month", &today[..7]), ("held_on", &today)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let review: i64 = sqlx::query_scalar("SELECT MAX(id) FROM desk_reviews")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let r = g
        .post_form(
            "/discipline/lookbacks",
            &[("title", "回头看"), ("from", "2017-01-01"), ("to", &today)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let lookback: i64 = sqlx::query_scalar("SELECT MAX(id) FROM lookbacks")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let staff: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = 'SPP0201'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let gets = [
        "/discipline".to_string(),
        format!("/discipline/clues/{id}"),
        "/discipline/reviews".into(),
        format!("/discipline/reviews/{review}"),
        "/discipline/lookbacks".into(),
        format!("/discipline/lookbacks/{lookback}"),
        "/discipline/violations".into(),
        "/discipline/talks".into(),
        format!("/discipline/people/{staff}"),
        "/discipline/recommendations".into(),
    ];
    for path in &gets {
        assert_eq!(
            g.get(path).await.status,
            StatusCode::OK,
            "the group: {path}"
        );
    }
    let posts: [(String, Vec<(&str, &str)>); 9] = [
        (
            "/discipline/recommendations".into(),
            vec![
                ("unit_code", "100A01"),
                ("title", "x"),
                ("issued_on", &today),
            ],
        ),
        (
            format!("/discipline/people/{staff}"),
            vec![("year", "2020"), ("reported_on", &today)],
        ),
        (
            "/discipline/talks".into(),
            vec![
                ("staff_no", "SPP0201"),
                ("kind", "annual"),
                ("held_on", &today),
                ("talker", "某"),
            ],
        ),
        (
            "/discipline/clues".into(),
            vec![
                ("clue_no", "XS-9"),
                ("received_on", &today),
                ("source", "other"),
                ("subject_name", "某乙"),
                ("summary", "x"),
            ],
        ),
        (
            format!("/discipline/clues/{id}/steps"),
            vec![("action", "dispose"), ("code", "talk"), ("on", &today)],
        ),
        (
            "/discipline/reviews".into(),
            vec![("month", &today[..7]), ("held_on", &today)],
        ),
        (
            "/discipline/lookbacks".into(),
            vec![("title", "x"), ("from", "2017-01-01"), ("to", &today)],
        ),
        (
            format!("/discipline/lookbacks/{lookback}/clues/{id}"),
            vec![("verdict", "proper")],
        ),
        (
            "/discipline/violations".into(),
            vec![
                ("name", "某丙"),
                ("unit", "1"),
                ("kind", "work"),
                ("filed_on", &today),
            ],
        ),
    ];
    let apis = [
        "/api/v1/discipline/clues".to_string(),
        format!("/api/v1/discipline/clues/{id}"),
        format!("/api/v1/discipline/figures?from=2020-01-01&to={today}&as_of={today}"),
    ];
    let missing = g.get("/discipline/clues/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let clues_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clues")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    for login in OTHERS {
        let mut c = Client::login(&app, login).await;
        let home = c.get("/home").await;
        assert!(
            !home.body.contains("/discipline"),
            "{login}: no way to the desk"
        );
        for path in &gets {
            let r = c.get(path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{login} GET {path}");
            assert_eq!(
                r.body, missing.body,
                "{login} GET {path}: the same answer as a missing id"
            );
        }
        for (path, fields) in &posts {
            assert_eq!(
                c.post_form(path, fields).await.status,
                StatusCode::NOT_FOUND,
                "{login} POST {path}"
            );
        }
        let token = c.token().await;
        for path in &apis {
            let r = c.send(api("GET", path, &token, &json!(null))).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{login} API {path}: {}",
                r.body
            );
        }
    }
    let clues_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clues")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        clues_before, clues_after,
        "nothing was written by anyone else"
    );
    // nor does a clue reach the letters search or the audit pages of others
    let mut office = Client::login(&app, "office").await;
    assert!(
        !office
            .get("/letters/search?q=违规干预")
            .await
            .body
            .contains("XS-1")
    );
}

#[tokio::test]
async fn the_group_works_a_clue_through_in_chinese_and_english() {
    let (app, store) = app().await;
    let mut g = Client::login(&app, "discipline").await;
    let today = store.today().to_string();
    // a refused registration keeps what was typed
    let r = g
        .post_form(
            "/discipline/clues",
            &[
                ("clue_no", "XS-2"),
                ("received_on", &today),
                ("source", "letters"),
                ("summary", "反映问题"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("请填写反映对象的工号或姓名") && r.body.contains("value=\"XS-2\""),
        "{}",
        r.body
    );
    let r = g
        .post_form(
            "/discipline/clues",
            &[
                ("clue_no", "XS-2"),
                ("received_on", &today),
                ("source", "letters"),
                ("subject_staff_no", "SPP0201"),
                ("summary", "反映问题"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM clues")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let page = format!("/discipline/clues/{id}");
    // an attachment, kept and downloaded; an .exe refused
    g.get(&page).await;
    let csrf = g.csrf.clone();
    let (ct, body) = multipart_form(&[], &[("举报材料.pdf", b"%PDF-1.4 clue")]);
    let r = g
        .post_raw(&format!("{page}/files?csrf={csrf}"), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let listed = g.get(&page).await;
    let link = format!("{page}/files/");
    let i = listed.body.find(&link).expect("the attachment is listed");
    let href: String = listed.body[i..].chars().take_while(|c| *c != '"').collect();
    assert_eq!(g.get(&href).await.bytes, b"%PDF-1.4 clue");
    let (ct, body) = multipart_form(&[], &[("x.exe", b"MZ")]);
    let r = g
        .post_raw(&format!("{page}/files?csrf={csrf}"), &ct, body)
        .await;
    assert!(r.body.contains("不支持的佐证材料类型"), "{}", r.body);
    let mut office = Client::login(&app, "office").await;
    assert_eq!(
        office.get(&href).await.status,
        StatusCode::NOT_FOUND,
        "nobody else downloads it"
    );
    let (ct, body) = multipart_form(&[], &[("y.pdf", b"%PDF-1.4 y")]);
    office.get("/home").await;
    let ocsrf = office.csrf.clone();
    let r = office
        .post_raw(&format!("{page}/files?csrf={ocsrf}"), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nor attaches to it");
    let r = g
        .post_form(
            &format!("{page}/steps"),
            &[("action", "conclude"), ("code", "cleared"), ("on", &today)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("线索须先作出处置"), "{}", r.body);
    g.post_form(
        &format!("{page}/steps"),
        &[
            ("action", "dispose"),
            ("code", "verify"),
            ("on", &today),
            ("note", "初步核实"),
        ],
    )
    .await;
    g.post_form(
        &format!("{page}/steps"),
        &[
            ("action", "conclude"),
            ("code", "admonition"),
            ("on", &today),
        ],
    )
    .await;
    let r = g.get(&page).await;
    assert!(
        r.body.contains("吴磊") && r.body.contains("初步核实") && r.body.contains("诫勉"),
        "{}",
        r.body
    );
    let r = g.get("/discipline").await;
    assert!(
        r.body.contains("id=\"clue-figures\"") && r.body.contains("被处理人数 1"),
        "{}",
        r.body
    );
    // the year's talk plan: who is still to be talked to, a talk, the person's file
    let r = g.get("/discipline/talks").await;
    assert!(
        r.body.contains("id=\"to-talk\"") && r.body.contains("已谈话 0 "),
        "{}",
        r.body
    );
    let r = g
        .post_form(
            "/discipline/talks",
            &[
                ("staff_no", "SPP0201"),
                ("kind", "annual"),
                ("held_on", &today),
                ("talker", "许静"),
                ("note", "年度廉政谈话"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = g.get("/discipline/talks").await;
    let talked = r.body.split("id=\"talked\"").nth(1).unwrap_or("");
    assert!(
        talked.contains("SPP0201") && r.body.contains("已谈话 1 "),
        "{}",
        r.body
    );
    let bad = g
        .post_form(
            "/discipline/talks",
            &[
                ("staff_no", "NOPE"),
                ("kind", "annual"),
                ("held_on", &today),
                ("talker", "许静"),
            ],
        )
        .await;
    assert!(bad.body.contains("不在本单位在职人员中"), "{}", bad.body);
    let staff: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = 'SPP0201'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let r = g
        .post_form(
            &format!("/discipline/people/{staff}"),
            &[("year", &today[..4]), ("reported_on", &today)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = g.get(&format!("/discipline/people/{staff}")).await;
    assert!(
        r.body.contains(&format!("{}：{today}", &today[..4])),
        "the report's date is on the file: {}",
        r.body
    );
    assert!(
        r.body.contains("年度廉政谈话") && r.body.contains("XS-2"),
        "the file gathers the talk and the clue: {}",
        r.body
    );
    g.post_form("/account/lang", &[("lang", "en")]).await;
    for path in [
        "/discipline/talks",
        page.as_str(),
        "/discipline",
        "/discipline/reviews",
        "/discipline/lookbacks",
        "/discipline/violations",
    ] {
        let r = g.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(!r.body.contains("??"), "{path}: {}", r.body);
    }
    let r = g.get(&page).await;
    assert!(
        r.body.contains("Preliminary verification") && r.body.contains("Admonition"),
        "{}",
        r.body
    );
    g.post_form("/account/lang", &[("lang", "zh-CN")]).await;
}

#[tokio::test]
async fn the_clue_time_limits_are_set_on_the_rules_page() {
    let (app, store) = app().await;
    let mut admin = Client::login(&app, "admin").await;
    let r = admin.get("/rectification/rules").await;
    assert!(
        r.body.contains("id=\"clue-limits\"") && r.body.contains("value=\"90\""),
        "{}",
        r.body
    );
    let base = [
        ("due_soon_days", "7"),
        ("stale_days", "30"),
        ("staged_every_days", "90"),
        ("yellow_after_days", "7"),
        ("red_after_days", "14"),
        ("reviewer_discipline", "1"),
    ];
    let mut bad = base.to_vec();
    bad.push(("clue_verify", "九十"));
    let r = admin.post_form("/rectification/rules", &bad).await;
    assert!(r.body.contains("初步核实期限"), "{}", r.body);
    let mut good = base.to_vec();
    good.push(("clue_verify", "60"));
    let r = admin.post_form("/rectification/rules", &good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let limits = store.supervision_rules().await.unwrap().clue_limits;
    assert_eq!(
        (limits.verify, limits.talk, limits.undisposed),
        (60, 30, 30),
        "the others kept"
    );
}

#[tokio::test]
async fn the_audit_log_keeps_the_desks_entries_for_the_desk() {
    let (app, store) = app().await;
    let mut g = Client::login(&app, "discipline").await;
    let today = store.today().to_string();
    let r = g
        .post_form(
            "/discipline/clues",
            &[
                ("clue_no", "AU-1"),
                ("received_on", &today),
                ("source", "audit"),
                ("subject_name", "某丁"),
                ("summary", "反映问题"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = g.get("/audit?action=clue").await;
    assert!(
        r.body.contains("clue.add"),
        "the group reads its own entries: {}",
        r.body
    );
    let mut admin = Client::login(&app, "admin").await;
    for path in ["/audit?action=clue", "/audit?action=desk", "/audit"] {
        let r = admin.get(path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.body.contains("clue.")
                && !r.body.contains("desk.")
                && !r.body.contains("clues.import"),
            "{path}: {}",
            r.body
        );
    }
    let token = admin.token().await;
    let r = admin
        .send(api(
            "GET",
            "/api/v1/audit?action=clue",
            &token,
            &json!(null),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("\"items\"") && !r.body.contains("clue."),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn recommendations_are_issued_numbered_and_followed_on_the_engine() {
    let (app, store) = app().await;
    let mut g = Client::login(&app, "discipline").await;
    let r = g.get("/discipline/recommendations").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("2019年第1号") && r.body.contains("中国检察出版社"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("2/3"),
        "the follow-up's closed tasks: {}",
        r.body
    );
    // a unit outside the group's reach: the form says so and keeps what was typed
    let today = store.today().to_string();
    let r = g
        .post_form(
            "/discipline/recommendations",
            &[
                ("unit_code", "NOPE1"),
                ("title", "关于加强财务管理的纪检监察建议书"),
                ("issued_on", &today),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("NOPE1") && r.body.contains("关于加强财务管理的纪检监察建议书"));
    let r = g
        .post_form(
            "/discipline/recommendations",
            &[
                ("unit_code", "100A03"),
                ("title", "关于加强财务管理的纪检监察建议书"),
                // a month ahead must lie in a year the work calendar knows
                ("issued_on", &format!("{}-03-02", &today[..4])),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let year = &today[..4];
    let r = g.get("/discipline/recommendations").await;
    assert!(r.body.contains(&format!("{year}年第1号")), "{}", r.body);
    // in English
    g.post_form("/account/lang", &[("lang", "en")]).await;
    let r = g.get("/discipline/recommendations").await;
    assert!(
        r.body.contains("Discipline recommendations") && r.body.contains("No. 1 of 2019"),
        "{}",
        r.body
    );
    // the office opens inspections of every kind but never a recommendation
    let mut o = Client::login(&app, "office").await;
    let plans = o.get("/rectification").await;
    assert!(plans.body.contains("value=\"mobile\""), "{}", plans.body);
    assert!(!plans.body.contains("value=\"discipline\""));
    // the units page names each unit's kind; the public never addresses an institution
    let mut admin = Client::login(&app, "admin").await;
    let units = admin.get("/org/units?q=100A").await;
    assert!(
        units.body.contains("检察日报社") && units.body.contains("直属事业单位"),
        "{}",
        units.body
    );
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let mut public = Client::new(&app);
    for path in [
        format!("/letters/units?parent={}", spp.id),
        "/letters/units?q=%E6%A3%80%E5%AF%9F%E6%97%A5%E6%8A%A5".to_string(),
        "/letters/new".to_string(),
    ] {
        let r = public.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(!r.body.contains("检察日报社"), "{path}: {}", r.body);
    }
    assert!(
        public
            .get(&format!("/letters/units?parent={}", spp.id))
            .await
            .body
            .contains("浙江省人民检察院")
    );
}

#[tokio::test]
async fn the_quarterly_analysis_is_the_groups_and_the_leaders_alone() {
    let (app, store) = app().await;
    let today = store.today().to_string();
    let mut g = Client::login(&app, "discipline").await;
    // the desk links to it; the group drafts one without plans
    assert!(
        g.get("/discipline")
            .await
            .body
            .contains("/documents?kind=violations")
    );
    let list = g.get("/documents").await;
    assert!(list.body.contains("value=\"violations\""), "{}", list.body);
    let r = g
        .post_form("/documents", &[("kind", "violations"), ("as_of", &today)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM documents WHERE kind = 'violations'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let page = g.get(&format!("/documents/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("机密") && page.body.contains("共立案查处违纪违法检察人员"),
        "{}",
        page.body
    );
    // a leader reads it; the office, an administrator and others never see it
    let mut leader = Client::login(&app, "leader").await;
    assert_eq!(
        leader.get(&format!("/documents/{id}")).await.status,
        StatusCode::OK
    );
    for login in ["office", "admin"] {
        let mut c = Client::login(&app, login).await;
        assert_eq!(
            c.get(&format!("/documents/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "{login}"
        );
        let list = c.get("/documents?kind=violations").await;
        assert!(
            !list.body.contains(&format!("/documents/{id}\"")),
            "{login}"
        );
        assert!(
            !list.body.contains("value=\"violations\""),
            "{login}: not offered"
        );
        let token = c.token().await;
        let r = c
            .send(api("GET", "/api/v1/documents", &token, &json!(null)))
            .await;
        assert!(!r.body.contains("\"violations\""), "{login}: {}", r.body);
        // nor drafted by anyone else
        let r = c
            .post_form("/documents", &[("kind", "violations"), ("as_of", &today)])
            .await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "{login}");
    }
}
