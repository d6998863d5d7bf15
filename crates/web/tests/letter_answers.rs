//! Letters answered through the doors (issue 18): reply letters downloaded by the office and by
//! the writer with the code, templates checked before saving (in Chinese and English), the
//! three-level rating, transfers out and the letter through the API.
mod common;
use axum::http::StatusCode;
use common::*;
use serde_json::json;

fn query_code(body: &str) -> String {
    let i = body.find("id=\"query-code\">").expect("code shown") + 16;
    body[i..i + 19].to_string()
}

#[tokio::test]
async fn replies_templates_ratings_and_the_api() {
    let (app, store) = app().await;
    let mut l = Client::login(&app, "letters").await;
    let today = store.today().to_string();
    let year = &today[..4];
    let r = l
        .post_form(
            "/letters",
            &[
                ("channel", "post"),
                ("received_on", &today),
                ("category", "request"),
                ("petitioner", "王五"),
                ("email", "wang@example.cn"),
                ("phone", "13900001111"),
                ("content", "请求答复"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let code = query_code(&r.body);
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM letters")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let page = format!("/letters/{id}");
    // a template naming an unknown placeholder is refused beside its form, the text kept
    let bad = "{来信人}：\n{内容}\n请联系{姓名}。";
    let r = l
        .post_form(
            "/letters/templates",
            &[("kind", "ack"), ("body", bad), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("未知的占位符「姓名」") && r.body.contains("请联系{姓名}。"),
        "{}",
        r.body
    );
    let r = l
        .post_form(
            "/letters/templates",
            &[
                ("kind", "ack"),
                ("body", "{来信人}：\n本院已收到您的来信，{内容}"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("本院模板") || r.body.contains("本单位模板"),
        "{}",
        r.body
    );
    // the acknowledgement makes a numbered reply letter, downloadable as PDF and DOCX
    let r = l
        .post_form(
            &format!("{page}/steps"),
            &[
                ("step", "ack"),
                ("on", &today),
                ("body", "由控告申诉检察厅办理。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let year_no = format!("信复〔{year}〕1号");
    let r = l.get(&page).await;
    assert!(
        r.body.contains(&year_no) && r.body.contains("/pdf\">PDF</a>"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("w***@example.cn") && r.body.contains("139****1111"),
        "sendings, masked"
    );
    let rid: i64 = sqlx::query_scalar("SELECT MAX(id) FROM letter_replies")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let pdf = l.get(&format!("{page}/replies/{rid}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body_bytes().starts_with(b"%PDF"));
    let docx = l.get(&format!("{page}/replies/{rid}/docx")).await;
    assert!(docx.body_bytes().starts_with(b"PK"));
    // another province's officer sees neither the letter nor its reply
    let mut zj = Client::login(&app, "zj.office").await;
    assert_eq!(
        zj.get(&format!("{page}/replies/{rid}/pdf")).await.status,
        StatusCode::NOT_FOUND
    );
    // the writer: the status page lists the reply letter; the code in the form downloads it
    let mut anon = Client::new(&app);
    anon.get("/letters/status").await;
    let r = anon.post_form("/letters/status", &[("code", &code)]).await;
    assert!(
        r.body.contains("已受理") || r.body.contains("办理中"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("信访事项程序性回复") && r.body.contains(&year_no),
        "{}",
        r.body
    );
    let pdf = anon
        .post_form(
            "/letters/status/reply",
            &[
                ("code", &code),
                ("reply", &rid.to_string()),
                ("format", "pdf"),
            ],
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body_bytes().starts_with(b"%PDF"));
    let wrong = anon
        .post_form(
            "/letters/status/reply",
            &[
                ("code", "0000-0000-0000-0000"),
                ("reply", &rid.to_string()),
                ("format", "pdf"),
            ],
        )
        .await;
    assert_ne!(wrong.status, StatusCode::OK);
    // the reply, then the writer's rating: 基本满意
    l.post_form(
        &format!("{page}/steps"),
        &[
            ("step", "reply"),
            ("on", &today),
            ("body", "经审查，答复如下。"),
        ],
    )
    .await;
    let r = anon
        .post_form("/letters/rate", &[("code", &code), ("rating", "maybe")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = anon
        .post_form(
            "/letters/rate",
            &[("code", &code), ("rating", "basic"), ("comment", "尚可")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("基本满意"), "{}", r.body);
    // the API: the letter with its reply letters and the sendings
    let token = l.token().await;
    let r = l
        .send(api(
            "GET",
            &format!("/api/v1/letters/{id}"),
            &token,
            &json!(null),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["replies"][0]["number"], year_no.as_str(), "{v}");
    assert_eq!(
        v["replies"][0]["pdf"],
        format!("/letters/{id}/replies/{rid}/pdf")
    );
    assert_eq!(
        v["notifications"].as_array().map(|a| a.len()),
        Some(4),
        "{v}"
    );
    let zj_token = zj.token().await;
    let r = zj
        .send(api(
            "GET",
            &format!("/api/v1/letters/{id}"),
            &zj_token,
            &json!(null),
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // a second letter goes out to the police through the API; the writer is told by post
    let r = l
        .post_form(
            "/letters",
            &[
                ("channel", "visit"),
                ("received_on", &today),
                ("category", "report"),
                ("content", "反映邻里纠纷"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let other: i64 = sqlx::query_scalar("SELECT MAX(id) FROM letters")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let step = |b: serde_json::Value| {
        api(
            "POST",
            &format!("/api/v1/letters/{other}/steps"),
            &token,
            &b,
        )
    };
    let r = l
        .send(step(json!({"step": "transfer_out", "on": today, "body": "请依法处理", "organ_kind": "police"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("机关名称"), "{}", r.body);
    let r = l
        .send(step(json!({"step": "transfer_out", "on": today, "body": "请依法处理", "organ_kind": "police", "organ": "北京市公安局东城分局", "told": true})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = l.get(&format!("/letters/{other}")).await;
    assert!(
        r.body.contains("北京市公安局东城分局")
            && r.body.contains("信访事项转送函")
            && r.body.contains("信访事项转送告知书"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn the_letter_page_and_templates_in_english() {
    let (app, _) = app().await;
    let mut l = Client::login(&app, "letters").await;
    l.post_form("/account/lang", &[("lang", "en")]).await;
    let r = l
        .post_form(
            "/letters/templates",
            &[
                ("kind", "transfer_out"),
                ("body", "{内容}"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("The template must hold the placeholder «去向»"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Reply letter templates")
            && r.body.contains("Transfer letter to the organ"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("??"), "{}", r.body);
    let r = l
        .get("/letters?from=2020-01-01&to=2020-09-30&as_of=2020-12-31")
        .await;
    assert!(
        r.body.contains("Report-backs on assignments") && r.body.contains("Writers notified"),
        "{}",
        r.body
    );
    let id: i64 = 1;
    let r = l.get(&format!("/letters/{id}")).await;
    assert!(
        r.body.contains("Out of the procuratorates")
            && r.body.contains("Reported back")
            && !r.body.contains("??"),
        "{}",
        r.body
    );
    l.post_form("/account/lang", &[("lang", "zh-CN")]).await;
}
