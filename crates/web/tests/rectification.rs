//! Rectification through HTTP: figures, lists, the ledger, no paper closure, scope.
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use duban_store::testing;
use duban_web::{AppState, WebSettings, build_app};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Client {
    app: Router,
    cookies: Vec<(String, String)>,
    csrf: String,
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Client {
    async fn send(&mut self, mut req: Request<Body>) -> Resp {
        if !self.cookies.is_empty() {
            let c = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let resp = self.app.clone().oneshot(req).await.unwrap();
        for sc in resp.headers().get_all(header::SET_COOKIE) {
            let (k, v) = sc
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .split_once('=')
                .unwrap();
            self.cookies.retain(|(ck, _)| ck != k);
            self.cookies.push((k.to_string(), v.to_string()));
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes())
            .to_string();
        if let Some(i) = body.find("name=\"csrf\" value=\"") {
            self.csrf = body[i + 19..i + 19 + 64].to_string();
        }
        Resp {
            status,
            headers,
            body,
        }
    }
    async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }
    async fn login(app: &Router, login: &str) -> Client {
        let mut c = Client {
            app: app.clone(),
            cookies: vec![],
            csrf: String::new(),
        };
        c.get("/login").await;
        let body = serde_urlencoded::to_string([
            ("csrf", c.csrf.as_str()),
            ("login", login),
            ("password", "duban2020"),
        ])
        .unwrap();
        let r = c
            .send(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{login}");
        c.get("/home").await;
        c
    }
    /// Posts a ledger entry as the task page's multipart form does.
    async fn entry(
        &mut self,
        task: i64,
        kind: &str,
        date: &str,
        body: &str,
        file: Option<(&str, &[u8])>,
    ) -> Resp {
        self.entry_correcting(task, kind, date, body, file, "")
            .await
    }
    /// [`Self::entry`] naming the entry it corrects by its number in the task's ledger.
    async fn entry_correcting(
        &mut self,
        task: i64,
        kind: &str,
        date: &str,
        body: &str,
        file: Option<(&str, &[u8])>,
        corrects: &str,
    ) -> Resp {
        self.entry_keeping(task, kind, date, body, file, corrects, &[])
            .await
    }
    /// [`Self::entry_correcting`] sending again the files kept from a refused try.
    #[allow(clippy::too_many_arguments)]
    async fn entry_keeping(
        &mut self,
        task: i64,
        kind: &str,
        date: &str,
        body: &str,
        file: Option<(&str, &[u8])>,
        corrects: &str,
        kept: &[String],
    ) -> Resp {
        let b = "duban7MA4YWxkTrZu0gW";
        let mut out = Vec::new();
        for k in kept {
            out.extend(
                format!("--{b}\r\nContent-Disposition: form-data; name=\"kept\"\r\n\r\n{k}\r\n")
                    .as_bytes(),
            );
        }
        for (k, v) in [
            ("kind", kind),
            ("date", date),
            ("body", body),
            ("corrects", corrects),
            // the tests replay the seed's 2020: every entry is recorded late, with its reason
            ("late_reason", "补录 2020 年的台账"),
        ] {
            out.extend(
                format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .as_bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            out.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            out.extend(bytes);
            out.extend(b"\r\n");
        }
        out.extend(format!("--{b}--\r\n").as_bytes());
        let csrf = self.csrf.clone();
        self.send(
            Request::post(format!("/rectification/tasks/{task}/entries?csrf={csrf}"))
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={b}"),
                )
                .body(Body::from(out))
                .unwrap(),
        )
        .await
    }
}

#[tokio::test]
async fn dashboard_lists_and_exports() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let mut office = Client::login(&app, "office").await;
    for path in [
        "/rectification",
        "/rectification/plans/1/problems",
        "/rectification/plans/1",
        "/rectification/board",
        "/rectification/meetings",
        "/rectification/mine",
    ] {
        let r = office.get(path).await;
        let title = &r.body[r.body.find("<title>").unwrap() + 7..r.body.find("</title>").unwrap()];
        assert!(
            !title.contains('<') && title.ends_with("督办"),
            "{path}: a plain title, got {title:?}"
        );
    }
    let r = office.get("/rectification").await;
    assert!(
        r.body.contains("最高检党组巡视整改方案")
            && r.body.contains("中央第四巡视组")
            && r.body.contains("2020-01-03"),
        "{}",
        r.body
    );
    let admin = store.user_by_login("admin").await.unwrap().unwrap();
    let party = store
        .plan(&admin.scope(), "最高检党组巡视整改方案")
        .await
        .unwrap()
        .unwrap();
    let r = office
        .get(&format!(
            "/rectification/plans/{}?as_of=2020-11-05",
            party.id
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // 限期整改 30: 15 closed, 15 open, 0 overdue; 长期整改 57, all with staged results
    assert!(
        r.body
            .contains("<td>限期整改</td><td>30</td><td>15</td><td>15</td><td>—</td><td>0</td>"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("<td>长期整改</td><td>57</td><td>—</td><td>—</td><td>57</td><td>0</td>")
    );
    assert!(r.body.contains("<svg class=\"chart\""));
    let r = office
        .get(&format!(
            "/rectification/plans/{}?as_of=2020-11-05&category=time_limited&state=closed",
            party.id
        ))
        .await;
    assert!(
        r.body.contains("任务清单（15）"),
        "filter by category and state"
    );
    let r = office
        .get(&format!(
            "/rectification/plans/{}?as_of=2020-11-05&light=red",
            party.id
        ))
        .await;
    assert!(r.body.contains("任务清单（0）"));
    let r = office.get(&format!("/rectification/plans/{}?as_of=2021-06-01&category=time_limited&light=red&sort=deadline", party.id)).await;
    assert!(
        r.body.contains("任务清单（15）"),
        "the 15 open time-limited tasks are overdue by mid-2021"
    );
    let r = office
        .get(&format!(
            "/rectification/plans/{}?as_of=2020-11-05&format=csv",
            party.id
        ))
        .await;
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(r.body.trim_start_matches('\u{feff}').lines().count(), 88);
    let r = office
        .get(&format!("/rectification/plans/{}/problems", party.id))
        .await;
    assert!(r.body.contains("党的领导弱化") && r.body.contains("全面从严治党不力"));
    let r = office
        .get(&format!(
            "/rectification/plans/{}/responsibilities?format=csv",
            party.id
        ))
        .await;
    assert!(r.body.contains("牵头领导") && r.body.contains("张军"));
    let r = office
        .get(&format!(
            "/rectification/plans/{}?as_of=2020-13-01",
            party.id
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn ledger_closure_and_review_through_the_pages() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let admin = store.user_by_login("admin").await.unwrap().unwrap();
    let party = store
        .plan(&admin.scope(), "最高检党组巡视整改方案")
        .await
        .unwrap()
        .unwrap();
    // a task of the 第一检察厅, where the demo "dept" user works
    let dept_user = store.user_by_login("dept").await.unwrap().unwrap();
    let dept_ids = dept_user.departments();
    let mut task = None;
    for t in store.tasks(party.id).await.unwrap() {
        if t.category == duban_domain::rectification::Category::TimeLimited
            && t.state == duban_domain::rectification::TaskState::InProgress
            && store
                .task_department_ids(t.id)
                .await
                .unwrap()
                .iter()
                .any(|d| dept_ids.contains(d))
        {
            task = Some(t);
            break;
        }
    }
    let task = task.expect("an open time-limited task of 第一检察厅");
    let mut dept = Client::login(&app, "dept").await;
    let r = dept.get("/rectification/mine").await;
    assert!(
        r.body.contains(&task.title),
        "my tasks lists the department's task"
    );
    let r = dept.get(&format!("/rectification/tasks/{}", task.id)).await;
    assert!(
        r.body.contains("登记台账") && r.body.contains("申请销号") && !r.body.contains("审核通过"),
        "{}",
        r.body
    );
    // a correction names the entry by its number in this task's ledger, as the page numbers it
    let listed = dept
        .get(&format!("/rectification/tasks/{}", task.id))
        .await
        .body
        .matches("<li id=\"entry-")
        .count();
    let r = dept
        .entry_correcting(
            task.id,
            "progress",
            "2020-11-10",
            "更正：日期有误",
            None,
            "1",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = dept.get(&format!("/rectification/tasks/{}", task.id)).await;
    assert!(page.body.contains("（更正 #1）"), "{}", page.body);
    assert!(page.body.contains(&format!("#{}</span>", listed + 1)));
    let r = dept
        .entry_correcting(task.id, "progress", "2020-11-10", "更正", None, "999")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("更正条目须为本任务台账的第 1—"),
        "{}",
        r.body
    );
    // a closure request without evidence is refused, in Chinese
    let r = dept
        .entry(task.id, "closure_request", "2020-11-10", "已完成", None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("至少附一份佐证材料"), "{}", r.body);
    // the file chosen with a refused entry is kept and goes with the next try
    let r = dept
        .entry_correcting(
            task.id,
            "progress",
            "2020-11-10",
            "更正",
            Some(("会议纪要.pdf", b"%PDF-1.4 minutes")),
            "999",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let i = r
        .body
        .find("name=\"kept\" value=\"")
        .expect("the file is kept")
        + 19;
    let token = r.body[i..i + 64].to_string();
    assert!(r.body.contains("会议纪要.pdf"), "{}", r.body);
    let r = dept
        .entry_keeping(
            task.id,
            "progress",
            "2020-11-10",
            "附会议纪要",
            None,
            "",
            &[token],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = dept.get(&format!("/rectification/tasks/{}", task.id)).await;
    assert!(page.body.contains("会议纪要.pdf"), "{}", page.body);
    let r = dept
        .entry(
            task.id,
            "progress",
            "2020-11-10",
            "推进",
            Some(("a.exe", b"MZ")),
        )
        .await;
    assert!(r.body.contains("不支持的佐证材料类型"));
    let r = dept
        .entry(task.id, "approve", "2020-11-10", "自己批准", None)
        .await;
    assert!(r.body.contains("不搞形式销号"), "{}", r.body);
    let r = dept
        .entry(
            task.id,
            "closure_request",
            "2020-11-10",
            "已对照完成标准完成",
            Some(("整改报告.pdf", b"%PDF-1.4 test")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // the lead leader sees no review buttons; the discipline group reviews
    let mut disc = Client::login(&app, "discipline").await;
    let r = disc.get(&format!("/rectification/tasks/{}", task.id)).await;
    assert!(r.body.contains("审核通过（销号）") && r.body.contains("整改报告.pdf"));
    let r = disc
        .entry(task.id, "approve", "2020-11-11", "同意销号", None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = store
        .task_in_scope(&admin.scope(), task.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.state, duban_domain::rectification::TaskState::Closed);
    // the evidence downloads for those in scope only
    let ev = store
        .ledger(task.id)
        .await
        .unwrap()
        .iter()
        .flat_map(|e| e.evidence.clone())
        .find(|e| e.filename == "整改报告.pdf")
        .unwrap();
    let r = disc
        .get(&format!("/rectification/evidence/{}", ev.id))
        .await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, "%PDF-1.4 test")
    );
    let mut xihu = Client::login(&app, "xihu.office").await;
    for path in [
        format!("/rectification/evidence/{}", ev.id),
        format!("/rectification/tasks/{}", task.id),
        format!("/rectification/plans/{}", party.id),
        format!("/rectification/plans/{}?format=csv", party.id),
        format!("/rectification/plans/{}/problems", party.id),
        format!("/rectification/plans/{}/responsibilities", party.id),
        format!("/rectification/plans/{}/ledger.xlsx", party.id),
    ] {
        let r = xihu.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.body.contains(&task.title));
    }
    let r = xihu
        .entry(task.id, "progress", "2020-11-12", "越权登记", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // without the CSRF token nothing is written
    let before = store.ledger(task.id).await.unwrap().len();
    dept.csrf = "0".repeat(64);
    let r = dept
        .entry(task.id, "progress", "2020-11-12", "x", None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(store.ledger(task.id).await.unwrap().len(), before);
}

#[tokio::test]
async fn rectification_api() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let office = store.user_by_login("office").await.unwrap().unwrap();
    let token = store.create_token(&office, "t").await.unwrap();
    let xihu = store.user_by_login("xihu.office").await.unwrap().unwrap();
    let other = store.create_token(&xihu, "t").await.unwrap();
    let mut c = Client {
        app: app.clone(),
        cookies: vec![],
        csrf: String::new(),
    };
    let call = |method: &str, path: &str, tok: &str, body: &str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {tok}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let r = c.send(call("GET", "/api/v1/plans", &token, "")).await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let id = v["items"][0]["id"].as_i64().unwrap();
    let r = c
        .send(call(
            "GET",
            &format!("/api/v1/plans/{id}/stats?as_of=2020-11-05"),
            &token,
            "",
        ))
        .await;
    let s: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(s["total"], 87);
    assert_eq!(
        s["time_limited"],
        serde_json::json!({"total": 30, "closed": 15, "open": 15, "overdue": 0})
    );
    assert_eq!(
        s["long_term"],
        serde_json::json!({"total": 57, "with_staged_results": 57, "overdue": 0})
    );
    let r = c
        .send(call(
            "GET",
            &format!("/api/v1/plans/{id}/tasks"),
            &token,
            "",
        ))
        .await;
    let t: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let task = t["items"][1]["task"]["id"].as_i64().unwrap();
    let r = c
        .send(call(
            "POST",
            &format!("/api/v1/tasks/{task}/entries"),
            &token,
            r#"{"kind":"progress","date":"2020-11-06","late_reason":"补录","body":"督办员登记进展"}"#,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = c
        .send(call(
            "POST",
            &format!("/api/v1/tasks/{task}/entries"),
            &token,
            r#"{"kind":"progress","date":"2020-99-06","body":"x"}"#,
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("YYYY-MM-DD"));
    let r = c
        .send(call("GET", &format!("/api/v1/tasks/{task}"), &token, ""))
        .await;
    assert!(r.body.contains("督办员登记进展"));
    // a closure request with its evidence, as Base64 in the JSON body
    let open = store
        .tasks(id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| {
            t.category == duban_domain::rectification::Category::TimeLimited
                && t.state == duban_domain::rectification::TaskState::InProgress
        })
        .unwrap()
        .id;
    let r = c
        .send(call(
            "POST",
            &format!("/api/v1/tasks/{open}/entries"),
            &token,
            r#"{"kind":"closure_request","date":"2020-11-06","late_reason":"补录","body":"对照完成标准已完成","files":[{"filename":"api-报告.pdf","content_base64":"$$$"}]}"#,
        ))
        .await;
    assert!(
        r.status.is_client_error() && r.body.contains("不是有效的 Base64"),
        "{}",
        r.body
    );
    let r = c
        .send(call(
            "POST",
            &format!("/api/v1/tasks/{open}/entries"),
            &token,
            r#"{"kind":"closure_request","date":"2020-11-06","late_reason":"补录","body":"对照完成标准已完成","files":[{"filename":"api-报告.pdf","content_base64":"JVBERi0xLjQgYXBp"}]}"#,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = c
        .send(call("GET", &format!("/api/v1/tasks/{open}"), &token, ""))
        .await;
    assert!(
        r.body.contains("api-报告.pdf") && r.body.contains("closure_requested"),
        "{}",
        r.body
    );
    for path in [
        format!("/api/v1/tasks/{task}"),
        format!("/api/v1/plans/{id}/stats"),
        format!("/api/v1/plans/{id}/tasks"),
    ] {
        let r = c.send(call("GET", &path, &other, "")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = c
        .send(call(
            "POST",
            &format!("/api/v1/tasks/{task}/entries"),
            &other,
            r#"{"kind":"progress","date":"2020-11-06","late_reason":"补录","body":"x"}"#,
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ledger_workbook_export_and_import_in_the_ui() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let mut office = Client::login(&app, "office").await;
    let r = office.get("/rectification/plans/1?as_of=2020-11-05").await;
    assert!(
        r.body
            .contains("/rectification/plans/1/ledger.xlsx?as_of=2020-11-05")
    );
    // the workbook, read back
    let resp = app
        .clone()
        .oneshot({
            let c = office
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            Request::get("/rectification/plans/1/ledger.xlsx?as_of=2020-11-05")
                .header(header::COOKIE, c)
                .body(Body::empty())
                .unwrap()
        })
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    let table = duban_publish::sheet::read_table("l.xlsx", &bytes).unwrap();
    assert_eq!(table[0][0], "序号");
    assert_eq!(table[0][13], "销号日期");
    assert_eq!(table.len(), 88);
    assert_eq!(
        table.iter().skip(1).filter(|r| !r[13].is_empty()).count(),
        15,
        "15 closures with their dates"
    );
    // a bad workbook imports nothing and names rows and columns
    let mut bad = table.clone();
    bad[2][6] = "查无此人".into();
    bad[3][5] = "马上改".into();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in bad.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    let bad_bytes = wb.save_to_buffer().unwrap();
    let b = "duban7MA4YWxkTrZu0gW";
    let form = |bytes: &[u8]| {
        let mut out = format!("--{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n导入的方案\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"l.xlsx\"\r\n\r\n").into_bytes();
        out.extend(bytes);
        out.extend(format!("\r\n--{b}--\r\n").as_bytes());
        out
    };
    let csrf = office.csrf.clone();
    let post = |body: Vec<u8>| {
        Request::post(format!("/rectification/import?csrf={csrf}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={b}"),
            )
            .body(Body::from(body))
            .unwrap()
    };
    let r = office.send(post(form(&bad_bytes))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<td>3</td><td>牵头领导</td>")
            && r.body.contains("<td>4</td><td>类别</td>"),
        "{}",
        r.body
    );
    assert_eq!(
        store
            .plans(&store.user_by_login("admin").await.unwrap().unwrap().scope())
            .await
            .unwrap()
            .len(),
        16,
        "nothing imported"
    );
    let r = office.send(post(form(&bytes))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("导入完成：新增 87"), "{}", r.body);
    let mut leader = Client::login(&app, "leader").await;
    let csrf = leader.csrf.clone();
    let r = leader
        .send(
            Request::post(format!("/rectification/import?csrf={csrf}"))
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={b}"),
                )
                .body(Body::from(form(&bytes)))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn supervision_board() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let report = store
        .sweep(chrono::NaiveDate::from_ymd_opt(2021, 1, 20).unwrap())
        .await
        .unwrap();
    assert_eq!(
        report.notices,
        20 + 2 * 87 + 9,
        "the SPP's overdue tasks, the provinces' copies, the fifth internal round's open tasks"
    );
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let mut office = Client::login(&app, "office").await;
    let r = office.get("/rectification/board").await;
    assert!(
        r.body.contains("按牵头领导统计")
            && r.body.contains("红色督办单")
            && r.body.contains("陈立新"),
        "{}",
        r.body
    );
    // filtered to the red notices nobody has opened: only red rows, the filters kept in the form
    let r = office
        .get("/rectification/board?level=red&state=unread")
        .await;
    let rows = &r.body[r.body.find("<tbody>\n").expect("the notices")..];
    assert!(
        rows.contains("light red")
            && !rows.contains("light blue")
            && !rows.contains("light yellow"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"red\" selected") && r.body.contains("value=\"unread\" selected")
    );
    assert_eq!(
        office.get("/rectification/board?level=green").await.status,
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut leader = Client::login(&app, "leader").await;
    let r = leader.get("/rectification/board").await;
    assert!(r.body.contains("发给我的催办与督办单") && !r.body.contains("按牵头领导统计"));
    assert!(
        r.body
            .matches("<span class=\"light red\">红色督办单</span>")
            .count()
            >= 1,
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("许静"),
        "only what is addressed to the leader"
    );
    let mut xihu = Client::login(&app, "xihu.office").await;
    let r = xihu.get("/rectification/board").await;
    assert!(r.body.contains("暂无") && !r.body.contains("陈立新"));
}

#[tokio::test]
async fn biweekly_meeting_pages() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let mut disc = Client::login(&app, "discipline").await;
    let r = disc.get("/rectification/meetings").await;
    assert!(
        r.body.contains("第5次双周碰头会") && r.body.contains("2020-09-04"),
        "{}",
        r.body
    );
    let body = serde_urlencoded::to_string([
        ("csrf", disc.csrf.as_str()),
        ("held_on", "2021-01-08"),
        ("title", "第6次双周碰头会"),
    ])
    .unwrap();
    let r = disc
        .send(
            Request::post("/rectification/meetings")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let r = disc.get(&loc).await;
    assert!(
        r.body.contains("红灯（逾期）") && r.body.contains("议题（"),
        "{}",
        r.body
    );
    let i = r.body.find("/items/").unwrap() + 7;
    let item: String = r.body[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let post = |csrf: &str, fields: &[(&str, &str)]| {
        let mut f = vec![("csrf", csrf)];
        f.extend_from_slice(fields);
        Request::post(format!("{loc}/items/{item}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&f).unwrap()))
            .unwrap()
    };
    let csrf = disc.csrf.clone();
    let r = disc
        .send(post(
            &csrf,
            &[
                ("decision", "延期"),
                ("action", "deadline"),
                ("deadline", ""),
            ],
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("须填写新的日期"));
    let r = disc
        .send(post(
            &csrf,
            &[
                ("decision", "延长至3月底"),
                ("action", "deadline"),
                ("deadline", "2021-03-31"),
            ],
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        disc.get(&loc)
            .await
            .body
            .contains("延长至3月底（调整完成时限 2021-03-31）")
    );
    // staff and other units see nothing of it
    let mut staff = Client::login(&app, "staff").await;
    assert_eq!(
        staff.get("/rectification/meetings").await.status,
        StatusCode::FORBIDDEN
    );
    let mut xihu = Client::login(&app, "xihu.office").await;
    assert_eq!(xihu.get(&loc).await.status, StatusCode::NOT_FOUND);
    let csrf = xihu.csrf.clone();
    let r = xihu
        .send(post(&csrf, &[("decision", "x"), ("action", "note")]))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_plan_built_by_hand() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let mut zj = Client::login(&app, "zj.office").await;
    let form = |c: &Client, path: &str, fields: &[(&str, &str)]| {
        let mut f = vec![("csrf", c.csrf.clone())];
        f.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&f).unwrap()))
            .unwrap()
    };
    zj.get("/rectification").await;
    // dates out of order are refused in Chinese
    let req = form(
        &zj,
        "/rectification/rounds",
        &[
            ("title", "省委巡视"),
            ("inspector", "省委第三巡视组"),
            ("from", "2026-03-01"),
            ("to", "2026-02-01"),
            ("feedback", "2026-05-06"),
        ],
    );
    let r = zj.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("日期顺序"), "{}", r.body);
    let req = form(
        &zj,
        "/rectification/rounds",
        &[
            ("title", "省委巡视"),
            ("inspector", "省委第三巡视组"),
            ("from", "2026-03-01"),
            ("to", "2026-04-10"),
            ("feedback", "2026-05-06"),
        ],
    );
    assert_eq!(zj.send(req).await.status, StatusCode::SEE_OTHER);
    let rounds = store
        .rounds(
            &store
                .user_by_login("zj.office")
                .await
                .unwrap()
                .unwrap()
                .scope(),
        )
        .await
        .unwrap();
    assert_eq!(
        rounds[0].report_due, "2026-07-06",
        "feedback + 2 months, on a working day"
    );
    // other supervised matters on the same engine: a procuratorial recommendation needs no period
    let req = form(
        &zj,
        "/rectification/rounds",
        &[
            ("kind", "recommendation"),
            ("title", "省院检察建议落实跟踪"),
            ("inspector", "省住房和城乡建设厅"),
            ("feedback", "2026-03-02"),
        ],
    );
    assert_eq!(zj.send(req).await.status, StatusCode::SEE_OTHER);
    let page = zj.get("/rectification").await;
    assert!(
        page.body.contains("检察建议：省院检察建议落实跟踪")
            && page.body.contains("被建议单位")
            && page.body.contains("书面回复期限"),
        "{}",
        page.body
    );
    let req = form(
        &zj,
        "/rectification/rounds",
        &[
            ("kind", "gossip"),
            ("title", "x"),
            ("inspector", "y"),
            ("feedback", "2026-03-02"),
        ],
    );
    let r = zj.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("督办事项类型无效"), "{}", r.body);
    let req = form(
        &zj,
        "/rectification/rounds",
        &[
            ("title", "省委巡视二"),
            ("inspector", "省委第四巡视组"),
            ("feedback", "2026-03-02"),
        ],
    );
    let r = zj.send(req).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an inspection needs its period"
    );
    assert!(r.body.contains("请填写开始和结束日期"), "{}", r.body);
    zj.get("/rectification").await;
    let req = form(
        &zj,
        "/rectification/plans",
        &[
            ("round", &rounds[0].id.to_string()),
            ("title", "浙江省院整改方案"),
            ("body", "省院党组"),
            ("adopted_on", "2026-05-20"),
        ],
    );
    let r = zj.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
    zj.get(&loc).await;
    let req = form(
        &zj,
        &loc,
        &[
            ("feedback", "落实主体责任不到位"),
            ("manifestation", "会议研究不够"),
        ],
    );
    assert_eq!(zj.send(req).await.status, StatusCode::SEE_OTHER);
    let page = zj.get(&loc).await;
    assert!(page.body.contains("新增整改任务") && page.body.contains("办公室"));
    let i = page.body.find("name=\"problem\"><option value=\"").unwrap() + 30;
    let problem: String = page.body[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let zj_unit = store.unit_by_code("330000").await.unwrap().unwrap();
    let depts = store.departments(zj_unit.id).await.unwrap();
    let tasks_path = loc.replace("/problems", "/tasks");
    // a department of another unit is refused
    let spp_dept = store
        .departments(store.unit_by_code("100000").await.unwrap().unwrap().id)
        .await
        .unwrap()[0]
        .id
        .to_string();
    let req = form(
        &zj,
        &tasks_path,
        &[
            ("problem", &problem),
            ("title", "建立党组会议题清单"),
            ("category", "time_limited"),
            ("deadline", "2026-09-30"),
            ("dept", &spp_dept),
        ],
    );
    let r = zj.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("责任部门须为本单位部门"), "{}", r.body);
    let req = form(
        &zj,
        &tasks_path,
        &[
            ("problem", &problem),
            ("title", "建立党组会议题清单"),
            ("category", "time_limited"),
            ("deadline", ""),
            ("dept", &depts[0].id.to_string()),
        ],
    );
    assert!(zj.send(req).await.body.contains("须填写完成时限"));
    let req = form(
        &zj,
        &tasks_path,
        &[
            ("problem", &problem),
            ("title", "建立党组会议题清单"),
            ("category", "time_limited"),
            ("deadline", "2026-09-30"),
            ("dept", &depts[0].id.to_string()),
            ("dept", &depts[1].id.to_string()),
        ],
    );
    let r = zj.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let task = zj.get(r.headers[header::LOCATION].to_str().unwrap()).await;
    assert!(
        task.body.contains("建立党组会议题清单")
            && task
                .body
                .contains(&format!("{}、{}", depts[0].name, depts[1].name)),
        "{}",
        task.body
    );
    // the SPP's office cannot add to the province's plan? it can: its subtree covers it. A basic unit cannot.
    let mut xihu = Client::login(&app, "xihu.office").await;
    let req = form(&xihu, &loc, &[("feedback", "x")]);
    assert_eq!(xihu.send(req).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cascade_and_rollup_pages() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let mut office = Client::login(&app, "office").await;
    let r = office.get("/rectification/plans/1?as_of=2020-11-05").await;
    assert!(
        r.body.contains("下级单位整改进展")
            && r.body.contains("浙江省人民检察院")
            && r.body.contains("广东省人民检察院"),
        "{}",
        r.body
    );
    assert!(r.body.contains("下发到下级单位"));
    // issue to every provincial procuratorate: 30 more copies, the two existing ones kept
    let body =
        serde_urlencoded::to_string([("csrf", office.csrf.as_str()), ("level", "2")]).unwrap();
    let r = office
        .send(
            Request::post("/rectification/plans/1/cascade")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let admin = store.user_by_login("admin").await.unwrap().unwrap();
    assert_eq!(
        store
            .rollup(
                &admin.scope(),
                1,
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
            )
            .await
            .unwrap()
            .len(),
        32
    );
    // the province's office works in its own copy and cannot issue the SPP's plan
    let mut zj = Client::login(&app, "zj.office").await;
    let r = zj.get("/rectification").await;
    assert!(r.body.contains("最高检党组巡视整改方案") && r.body.contains("浙江省人民检察院"));
    let body = serde_urlencoded::to_string([("csrf", zj.csrf.as_str()), ("level", "3")]).unwrap();
    let r = zj
        .send(
            Request::post("/rectification/plans/1/cascade")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "the SPP's plan is outside the province's scope"
    );
}

#[tokio::test]
async fn supervision_rules_are_an_administrators_setting() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let form = |c: &Client, fields: &[(&str, &str)]| {
        let mut f = vec![("csrf", c.csrf.clone())];
        f.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        Request::post("/rectification/rules")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&f).unwrap()))
            .unwrap()
    };
    let fields = |yellow: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![
            ("due_soon_days", "10"),
            ("stale_days", "20"),
            ("staged_every_days", "60"),
            ("yellow_after_days", yellow),
            ("red_after_days", "10"),
            ("reviewer_office", "1"),
        ]
    };
    let mut office = Client::login(&app, "office").await;
    let r = office.get("/rectification/rules").await;
    assert!(
        r.body.contains("督办规则")
            && r.body.contains("value=\"90\"")
            && r.body.contains(" disabled"),
        "{}",
        r.body
    );
    let req = form(&office, &fields("5"));
    assert_eq!(
        office.send(req).await.status,
        StatusCode::FORBIDDEN,
        "only administrators change the rules"
    );
    let mut admin = Client::login(&app, "admin").await;
    admin.get("/rectification/rules").await;
    let req = form(&admin, &fields("12"));
    let r = admin.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("督办单升级天数"), "{}", r.body);
    let req = form(
        &admin,
        &[
            ("due_soon_days", "七"),
            ("stale_days", "20"),
            ("staged_every_days", "60"),
            ("yellow_after_days", "5"),
            ("red_after_days", "10"),
        ],
    );
    let r = admin.send(req).await;
    assert!(r.body.contains("应为整数天数"), "{}", r.body);
    let mut bad_clock = fields("5");
    bad_clock.push(("reply_months", "13"));
    let r = admin.send(form(&admin, &bad_clock)).await;
    assert!(r.body.contains("办理过程或结果答复期限"), "{}", r.body);
    let mut with_clocks = fields("5");
    with_clocks.extend([
        ("ack_days", "5"),
        ("ack_counting", "working"),
        ("reply_months", "3"),
    ]);
    let r = admin.send(form(&admin, &with_clocks)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("督办规则已保存"), "{}", r.body);
    let clocks = store.supervision_rules().await.unwrap().letter_clocks;
    assert_eq!(
        (clocks.ack_days, clocks.ack_counting),
        (5, duban_domain::calendar::Counting::Working)
    );
    let req = form(&admin, &fields("5"));
    let r = admin.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        store
            .supervision_rules()
            .await
            .unwrap()
            .letter_clocks
            .ack_days,
        5,
        "a form without the clocks keeps them"
    );
    let rules = store.supervision_rules().await.unwrap();
    assert_eq!(
        (
            rules.lights.staged_every_days,
            rules.urging.yellow_after_days,
            rules.reviewers.len()
        ),
        (60, 5, 1)
    );
    // the figures follow: with staged results owed every 60 days, long-term tasks fall overdue on the seed's day
    let admin_user = store.user_by_login("admin").await.unwrap().unwrap();
    let party = store
        .plan(&admin_user.scope(), "最高检党组巡视整改方案")
        .await
        .unwrap()
        .unwrap();
    let s = store
        .plan_stats(
            party.id,
            chrono::NaiveDate::from_ymd_opt(2021, 1, 5).unwrap(),
        )
        .await
        .unwrap();
    assert!(s.long_term.overdue > 0, "{s:?}");
    // and the discipline group no longer reviews closures
    let mut disc = Client::login(&app, "discipline").await;
    let pending = store
        .tasks(party.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| {
            t.state == duban_domain::rectification::TaskState::InProgress
                && t.category == duban_domain::rectification::Category::TimeLimited
        })
        .unwrap();
    let r = disc
        .get(&format!("/rectification/tasks/{}", pending.id))
        .await;
    assert!(!r.body.contains("value=\"approve\""), "{}", r.body);
    let audit = store
        .audit_entries(
            &duban_store::Actor::system("test"),
            &admin_user.scope(),
            "settings.supervision",
            10,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        audit.len(),
        2,
        "two saves, each audited; the refused ones not"
    );
}

#[tokio::test]
async fn a_unit_sets_who_answers_for_its_copy() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(store.clone(), WebSettings::default()));
    let zj_user = store.user_by_login("zj.office").await.unwrap().unwrap();
    let copy = store.plans(&zj_user.scope()).await.unwrap()[0].clone();
    let task = store.tasks(copy.id).await.unwrap()[0].clone();
    assert!(task.lead_leader_id.is_none() && task.departments.is_empty());
    let zj_unit = store.unit_by_code("330000").await.unwrap().unwrap();
    let depts = store.departments(zj_unit.id).await.unwrap();
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let spp_dept = store.departments(spp.id).await.unwrap()[0].id;
    let mut zj = Client::login(&app, "zj.office").await;
    let path = format!("/rectification/tasks/{}", task.id);
    let r = zj.get(&path).await;
    assert!(
        r.body.contains("确定牵头领导、责任部门和责任人"),
        "{}",
        r.body
    );
    let post = |c: &Client, fields: Vec<(&str, String)>| {
        let mut f = vec![("csrf", c.csrf.clone())];
        f.extend(fields);
        Request::post(format!("{path}/assign"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&f).unwrap()))
            .unwrap()
    };
    let r = zj.send(post(&zj, vec![])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请至少选择一个责任部门"), "{}", r.body);
    let r = zj
        .send(post(&zj, vec![("dept", spp_dept.to_string())]))
        .await;
    assert!(r.body.contains("责任部门须为本单位部门"), "{}", r.body);
    let r = zj
        .send(post(
            &zj,
            vec![
                ("dept", depts[0].id.to_string()),
                ("responsible", "NOPE".into()),
            ],
        ))
        .await;
    assert!(
        r.body.contains("本单位没有工号为 NOPE 的人员"),
        "{}",
        r.body
    );
    let r = zj
        .send(post(
            &zj,
            vec![
                ("dept", depts[0].id.to_string()),
                ("dept", depts[1].id.to_string()),
            ],
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = store
        .task_in_scope(&zj_user.scope(), task.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        t.departments.contains(&depts[0].name) && t.departments.contains(&depts[1].name),
        "{:?}",
        t.departments
    );
    // other units cannot reach it; the SPP's leaders do not assign in the province's copy
    let mut xihu = Client::login(&app, "xihu.office").await;
    let r = xihu
        .send(post(&xihu, vec![("dept", depts[0].id.to_string())]))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut leader = Client::login(&app, "leader").await;
    let r = leader
        .send(post(&leader, vec![("dept", depts[0].id.to_string())]))
        .await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{}",
        r.status
    );
    let audit = store
        .audit_entries(
            &duban_store::Actor::system("test"),
            &store.user_by_login("admin").await.unwrap().unwrap().scope(),
            "task.assign",
            10,
            None,
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}
