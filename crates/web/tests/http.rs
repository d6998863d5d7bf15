//! HTTP tests against the in-process app (tower `oneshot`), each with a fresh database.
mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use duban_store::{Store, testing};
use duban_web::{AppState, WebSettings, build_app};

fn multipart(name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "dubanboundary7MA4YWxk";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn login_home_logout_in_chinese() {
    let (app, _) = app().await;
    let mut c = Client::new(&app);
    let r = c.get("/home").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login");
    let r = c.get("/login").await;
    assert!(r.body.contains("登录名") && r.body.contains("lang=\"zh-CN\""));
    let r = c
        .post_form("/login", &[("login", "office"), ("password", "wrong")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("登录名或密码不正确"));
    let r = c
        .post_form("/login", &[("login", "office"), ("password", "duban2020")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let r = c.get("/home").await;
    assert!(
        r.body.contains("欢迎，周婷（整改办）") && r.body.contains("整改办（督办员）"),
        "{}",
        r.body
    );
    let r = c.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/home").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let (app, _) = app().await;
    let mut c = Client::new(&app);
    for path in ["/login", "/nope", "/healthz"] {
        let r = c.get(path).await;
        let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
    let r = c.get("/nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("不存在"));
    assert!(
        !c.get("/login").await.body.contains("<script>"),
        "no inline script"
    );
}

#[tokio::test]
async fn csrf_is_required_for_every_state_change() {
    let (app, store) = app().await;
    let mut c = Client::login(&app, "admin").await;
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    // no token
    let r = c
        .post_raw(
            &format!("/org/units/{}", spp.id),
            "application/x-www-form-urlencoded",
            b"name=hacked".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("安全校验失败"));
    // wrong token
    let r = c
        .post_raw(
            &format!("/org/units/{}", spp.id),
            "application/x-www-form-urlencoded",
            format!("csrf={}&name=hacked", "0".repeat(64)).into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        store.unit(spp.id).await.unwrap().unwrap().name,
        "最高人民检察院"
    );
    // a login form posted without the page's cookie (cross-site) is refused too
    let mut stranger = Client::new(&app);
    let r = stranger
        .post_raw(
            "/login",
            "application/x-www-form-urlencoded",
            b"login=admin&password=duban2020&csrf=x".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // with the token it works
    let r = c
        .post_form(
            &format!("/org/units/{}", spp.id),
            &[("name", "最高人民检察院")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // multipart uploads carry it in the query string
    let (ct, body) = multipart("u.csv", b"code,name,level,parent_code\n");
    let r = c.post_raw("/org/import?kind=units", &ct, body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_input_gets_clear_chinese_errors_and_changes_nothing() {
    let (app, store) = app().await;
    let mut c = Client::login(&app, "admin").await;
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let audit_before = store.verify_audit().await.unwrap().unwrap();
    // over-long name
    let long = "长".repeat(101);
    let r = c
        .post_form(&format!("/org/units/{}", spp.id), &[("name", &long)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("过长"), "{}", r.body);
    // non-UTF-8 bytes in a field
    let body = format!("csrf={}&name=%FF%FE", c.csrf);
    let r = c
        .post_raw(
            &format!("/org/units/{}", spp.id),
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("无效字符"), "{}", r.body);
    // a missing field
    let r = c.post_form(&format!("/org/units/{}", spp.id), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("表单内容有误"));
    // an oversized form
    let huge = "x".repeat(400 * 1024);
    let r = c
        .post_form(&format!("/org/units/{}", spp.id), &[("name", &huge)])
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("过大"));
    // an oversized upload (limit 64 KiB in this test)
    let csrf = c.csrf.clone();
    let (ct, body) = multipart("u.csv", &vec![b'a'; 100 * 1024]);
    let r = c
        .post_raw(&format!("/org/import?kind=units&csrf={csrf}"), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(
        store.unit(spp.id).await.unwrap().unwrap().name,
        "最高人民检察院"
    );
    assert_eq!(
        store.verify_audit().await.unwrap().unwrap(),
        audit_before,
        "nothing written"
    );
    // bad ids and query strings
    let r = c.get("/org/units/abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("请求格式有误"), "{}", r.body);
    let r = c.get("/org/units?page=abc").await;
    assert!(
        r.status == StatusCode::BAD_REQUEST && r.body.contains("请求格式有误"),
        "{}",
        r.body
    );
    let r = c.get("/api/v1/units/abc").await;
    assert!(
        r.status == StatusCode::BAD_REQUEST && r.body.contains("\"error\":\"invalid\""),
        "{}",
        r.body
    );
    assert_eq!(
        c.get("/org/units/99999999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/org/units?page=-5&level=9").await.status,
        StatusCode::OK
    );
    // expired or forged sessions are simply not signed in
    let mut forged = Client::new(&app);
    forged
        .cookies
        .push(("duban_session".into(), "f".repeat(64)));
    assert_eq!(forged.get("/home").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn imports_report_rows_and_columns_and_import_nothing_on_error() {
    let (app, store) = app().await;
    let mut c = Client::login(&app, "admin").await;
    let csrf = c.csrf.clone();
    let before = store
        .units(
            &store.user_by_login("admin").await.unwrap().unwrap().scope(),
            None,
            "",
            1,
            0,
        )
        .await
        .unwrap()
        .1;
    let bad = "code,name,level,parent_code\n330300,温州市人民检察院,3,330000\n330301,,4,999999\nA1,甲,3,B1\nB1,乙,3,A1\n";
    let (ct, body) = multipart("units.csv", bad.as_bytes());
    let r = c
        .post_raw(&format!("/org/import?kind=units&csrf={csrf}"), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("未导入任何数据"));
    assert!(
        r.body.contains("<td>3</td><td>name</td>")
            && r.body.contains("<td>3</td><td>parent_code</td>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("循环"));
    let after = store
        .units(
            &store.user_by_login("admin").await.unwrap().unwrap().scope(),
            None,
            "",
            1,
            0,
        )
        .await
        .unwrap()
        .1;
    assert_eq!(before, after);
    let good = "code,name,level,parent_code\n330300,温州市人民检察院,3,330000\n";
    let (ct, body) = multipart("units.csv", good.as_bytes());
    let r = c
        .post_raw(&format!("/org/import?kind=units&csrf={csrf}"), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("导入完成：新增 1"), "{}", r.body);
    // staff, with a GBK file refused clearly
    let (ct, body) = multipart(
        "staff.csv",
        b"staff_id,name,unit_code,department,post,is_leader\nW1,\xce\xf7,330300,,,0\n",
    );
    let r = c
        .post_raw(&format!("/org/import?kind=staff&csrf={csrf}"), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("UTF-8"));
    let (ct, body) = multipart(
        "staff.csv",
        "staff_id,name,unit_code,department,post,is_leader\nW1,钱一,330300,办公室,主任,1\n"
            .as_bytes(),
    );
    let r = c
        .post_raw(&format!("/org/import?kind=staff&csrf={csrf}"), &ct, body)
        .await;
    assert!(r.body.contains("新建部门 1"), "{}", r.body);
}

/// Every id-bearing route, tried by a basic-level user with the ids of everything else.
#[tokio::test]
async fn a_user_of_one_unit_never_reads_another_units_data() {
    for (name, store) in testing::all().await {
        let app = app_with(store.clone()).await;
        let mut xihu = Client::login(&app, "xihu.office").await;
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let own = store.unit_by_code("330106").await.unwrap().unwrap();
        let (all_units, _) = store
            .units(&admin.scope(), None, "", 1000, 0)
            .await
            .unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let (spp_staff, _) = store.staff_of_unit(spp.id, false, 100, 0).await.unwrap();
        let admin_token = store.create_token(&admin, "x").await.unwrap();
        let _ = admin_token;
        let admin_token_id = store.tokens(admin.id).await.unwrap()[0].id;
        let token = {
            let u = store.user_by_login("xihu.office").await.unwrap().unwrap();
            store.create_token(&u, "mine").await.unwrap()
        };
        for u in all_units.iter().filter(|u| u.id != own.id) {
            for path in [
                format!("/org/units/{}", u.id),
                format!("/api/v1/units/{}", u.id),
                format!("/api/v1/units/{}/staff", u.id),
            ] {
                let r = xihu.get(&path).await;
                assert!(
                    matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                    "{name}: GET {path} gave {}",
                    r.status
                );
                assert!(
                    !r.body.contains(&u.name),
                    "{name}: {path} leaked {}",
                    u.name
                );
            }
            let r = xihu
                .post_form(&format!("/org/units/{}", u.id), &[("name", "被篡改")])
                .await;
            assert!(
                matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "{name}: rename {}",
                u.id
            );
            let r = xihu
                .post_form(
                    &format!("/org/units/{}/departments", u.id),
                    &[("name", "x"), ("kind", "internal")],
                )
                .await;
            assert!(matches!(
                r.status,
                StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
            ));
        }
        for s in &spp_staff {
            for path in [
                format!("/org/staff/{}", s.id),
                format!("/api/v1/staff/{}", s.id),
            ] {
                let r = xihu.get(&path).await;
                assert!(
                    matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                    "{name}: {path}"
                );
                assert!(
                    !r.body.contains(&s.name),
                    "{name}: {path} leaked {}",
                    s.name
                );
            }
        }
        let r = xihu
            .post_form(&format!("/account/tokens/{admin_token_id}/revoke"), &[])
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{name}: another user's token"
        );
        assert!(!store.tokens(admin.id).await.unwrap()[0].revoked);
        // lists show only the own unit
        let r = xihu.get("/org/units").await;
        assert!(
            r.body.contains(&own.name)
                && !r.body.contains("最高人民检察院</a>")
                && !r.body.contains("杭州市人民检察院"),
            "{name}"
        );
        let api = Request::get("/api/v1/units")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let r = Client::new(&app).send(api).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["total"], 1, "{name}: {}", r.body);
        // administration pages are refused
        for path in [
            "/admin/users",
            "/org/import",
            "/audit",
            "/api/v1/audit",
            "/api/v1/audit/verify",
        ] {
            let r = xihu.get(path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {path}");
        }
    }
}

#[tokio::test]
async fn roles_are_enforced() {
    let (app, store) = app().await;
    let mut letters = Client::login(&app, "letters").await;
    assert_eq!(
        letters.get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(letters.get("/audit").await.status, StatusCode::FORBIDDEN);
    assert!(
        !letters.get("/home").await.body.contains("/admin/users"),
        "no link to what one may not use"
    );
    let mut discipline = Client::login(&app, "discipline").await;
    let r = discipline.get("/audit?verify=1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("审计链校验通过"), "{}", r.body);
    let mut staff = Client::login(&app, "staff").await;
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let r = staff.get(&format!("/org/units/{}", spp.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("张军"), "staff do not read staff lists");
    // the province administrator cannot create accounts outside the province
    let zj_admin = {
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let nu = duban_store::users::NewUser {
            login: "zj.admin",
            display_name: "浙江管理员",
            password: "duban2020",
            role: duban_domain::org::Role::Admin,
            unit_id: zj.id,
            subtree: true,
        };
        store
            .create_user(&duban_store::Actor::system("t"), &nu)
            .await
            .unwrap();
        Client::login(&app, "zj.admin").await
    };
    let mut zj_admin = zj_admin;
    let r = zj_admin
        .post_form(
            "/admin/users",
            &[
                ("login", "gd.x"),
                ("display_name", "x"),
                ("role", "admin"),
                ("unit_code", "440000"),
                ("password", "Str0ng-passw0rd!"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不在您的数据范围内"), "{}", r.body);
    let r = zj_admin
        .post_form(
            "/admin/users",
            &[
                ("login", "hz.x"),
                ("display_name", "杭州用户"),
                ("role", "letters"),
                ("unit_code", "330100"),
                ("password", "abc12345"),
            ],
        )
        .await;
    assert!(r.body.contains("账号已创建"), "{}", r.body);
}

#[tokio::test]
async fn language_switch_is_remembered_per_user() {
    let (app, _) = app().await;
    let mut c = Client::login(&app, "office").await;
    let r = c.post_form("/account/lang", &[("lang", "en")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // a new session of the same user starts in English
    let mut again = Client::login(&app, "office").await;
    let r = again.get("/home").await;
    assert!(
        r.body.contains("Welcome") && r.body.contains("lang=\"en\""),
        "{}",
        r.body
    );
    again.post_form("/account/lang", &[("lang", "zh-CN")]).await;
    assert!(again.get("/home").await.body.contains("欢迎"));
}

#[tokio::test]
async fn api_tokens_openapi_and_docs() {
    let (app, _) = app().await;
    let mut c = Client::login(&app, "admin").await;
    let r = c.post_form("/account/tokens", &[("name", "脚本")]).await;
    let i = r.body.find("id=\"new-token\">").unwrap() + 15;
    let token = r.body[i..i + 68].to_string();
    let call = |path: &str, tok: &str| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {tok}"))
            .body(Body::empty())
            .unwrap()
    };
    let mut anon = Client::new(&app);
    let r = anon.send(call("/api/v1/me", &token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("\"login\":\"admin\""));
    let r = anon.send(call("/api/v1/me", "dbn_bogus")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("\"error\":\"unauthorized\""));
    let r = anon.get("/api/v1/units").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // token POSTs need no CSRF token; the import is all-or-nothing with rows and columns
    let req = Request::post("/api/v1/import/units?filename=u.csv")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from("code,name,level,parent_code\nX9,某院,4,NOPE\n"))
        .unwrap();
    let r = anon.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["problems"][0]["row"], 2);
    let r = anon
        .send(call(
            "/api/v1/calendar/deadline?start=2020-09-25&days=7",
            &token,
        ))
        .await;
    assert!(r.body.contains("\"deadline\":\"2020-10-09\""), "{}", r.body);
    let r = anon
        .send(call(
            "/api/v1/calendar/deadline?start=2026-12-20&months=3",
            &token,
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("2027 年没有节假日数据"));
    let r = anon.get("/api/v1/openapi.json").await;
    let doc: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    for p in [
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/staff/{id}",
        "/api/v1/audit",
        "/api/v1/calendar/deadline",
        "/api/v1/import/{kind}",
        "/api/v1/users",
    ] {
        assert!(doc["paths"].get(p).is_some(), "openapi lacks {p}");
    }
    let r = c.get("/api/docs").await;
    assert!(r.body.contains("GET /api/v1/units/{id}") && r.body.contains("接口文档"));
    let r = anon.get("/api/v1/nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("\"error\""));
}

#[tokio::test]
async fn calendar_page_and_admin_edits() {
    let (app, store) = app().await;
    let mut c = Client::login(&app, "admin").await;
    let r = c
        .get("/calendar?year=2020&start=2020-09-25&days=7&counting=calendar")
        .await;
    assert!(
        r.body
            .contains("<strong id=\"deadline\">2020-10-09</strong>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("国庆节"));
    let r = c.get("/calendar?start=2026-12-20&months=3").await;
    assert!(r.body.contains("2027 年没有节假日数据"));
    let r = c
        .post_form(
            "/calendar/days",
            &[("day", "2027-01-01"), ("kind", "holiday"), ("name", "元旦")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(store.calendar_days(2027).await.unwrap().len(), 1);
    let csrf = c.csrf.clone();
    let (ct, body) = multipart(
        "2027.csv",
        b"date,kind,name\n2027-13-01,holiday,x\n2027-02-01,rest,y\n",
    );
    let r = c
        .post_raw(&format!("/calendar/import?csrf={csrf}"), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<td>2</td><td>date</td>") && r.body.contains("<td>3</td><td>kind</td>"),
        "{}",
        r.body
    );
    let mut office = Client::login(&app, "office").await;
    let r = office
        .post_form(
            "/calendar/days",
            &[("day", "2027-01-02"), ("kind", "holiday")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn email_address_on_the_account_page() {
    let (app, store) = app().await;
    let mut c = Client::login(&app, "leader").await;
    let r = c.get("/account").await;
    assert!(r.body.contains("leader@demo.duban.example"));
    let r = c
        .post_form("/account/email", &[("email", "not an address")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("电子邮件地址无效"));
    let r = c
        .post_form("/account/email", &[("email", "chen@spp.example")])
        .await;
    assert!(r.body.contains("电子邮件地址已保存"));
    let id = store.user_by_login("leader").await.unwrap().unwrap().id;
    assert_eq!(store.user_email(id).await.unwrap(), "chen@spp.example");
}

#[tokio::test]
async fn health_and_metrics() {
    let (app, _) = app().await;
    let mut c = Client::new(&app);
    let r = c.get("/healthz").await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    let r = c.get("/metrics").await;
    assert!(
        r.body.contains("duban_http_requests_total{status=\"2xx\"}")
            && r.body.contains("process_resident_memory_bytes")
    );
}

#[tokio::test]
async fn login_is_throttled_and_delayed_never_locked() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(
        store,
        WebSettings {
            login_per_minute: 6,
            ..WebSettings::default()
        },
    ));
    let mut c = Client::new(&app);
    c.get("/login").await;
    // the same answer for a login that exists and one that does not, and no lockout: after
    // three failures each attempt waits longer, the right password still signs in
    let mut answers = vec![];
    for who in ["dept", "nobody.here"] {
        for _ in 0..2 {
            let r = c
                .post_form("/login", &[("login", who), ("password", "nope")])
                .await;
            answers.push((r.status, r.body.contains("登录名或密码不正确")));
        }
    }
    assert!(
        answers
            .iter()
            .all(|a| *a == (StatusCode::UNAUTHORIZED, true)),
        "{answers:?}"
    );
    c.post_form("/login", &[("login", "dept"), ("password", "nope")])
        .await;
    let t = std::time::Instant::now();
    let r = c
        .post_form("/login", &[("login", "dept"), ("password", "duban2020")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        t.elapsed() >= std::time::Duration::from_millis(500),
        "delayed after three failures"
    );
    // the address's own limit still holds
    let mut c = Client::new(&app);
    c.get("/login").await;
    let r = c
        .post_form("/login", &[("login", "leader"), ("password", "duban2020")])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("过于频繁"));
}

#[tokio::test]
async fn public_letters_form_code_and_status() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(
        store.clone(),
        WebSettings {
            letters_per_minute: 3,
            codes_per_minute: 4,
            ..WebSettings::default()
        },
    ));
    let mut anon = Client::new(&app);
    let r = anon.get("/letters/new").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("网上信访")
            && r.body.contains("浙江省人民检察院")
            && r.body.contains("7 日内"),
        "{}",
        r.body
    );
    let spp = store
        .unit_by_code("100000")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    // forged without the form's token
    let forged = anon
        .post_raw(
            "/letters/new",
            "application/x-www-form-urlencoded",
            b"unit=1&category=report&content=x".to_vec(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // empty, and a bad phone number: clear messages, nothing stored
    let r = anon
        .post_form(
            "/letters/new",
            &[("unit", &spp), ("category", "report"), ("content", "   ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请填写信访内容"), "{}", r.body);
    let script = "<script>alert(1)</script>举报某干部";
    let r = anon
        .post_form(
            "/letters/new",
            &[
                ("unit", &spp),
                ("category", "report"),
                ("phone", "abc"),
                ("content", script),
            ],
        )
        .await;
    assert!(
        r.body.contains("电话号码")
            && r.body.contains("&#60;script&#62;")
            && !r.body.contains("<script>alert"),
        "{}",
        r.body
    );
    let spp_unit = store.unit_by_code("100000").await.unwrap().unwrap();
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let count = store
        .letter_metrics(
            &spp_unit,
            true,
            day("2000-01-01"),
            day("2100-12-31"),
            day("2100-12-31"),
        )
        .await
        .unwrap()
        .received;
    assert_eq!(count, 500, "the demo's letters only");
    // accepted: the code is shown once and opens the status page
    let r = anon
        .post_form(
            "/letters/new",
            &[
                ("unit", &spp),
                ("category", "report"),
                ("petitioner", "张三"),
                ("phone", "010-12345678"),
                ("content", "举报某干部插手案件"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let i = r.body.find("id=\"query-code\">").unwrap() + 16;
    let code = r.body[i..i + 19].to_string();
    assert!(
        duban_domain::letters::normalize_query_code(&code).is_some(),
        "{code}"
    );
    let mut other = Client::new(&app);
    other.get("/letters/status").await;
    let r = other
        .post_form("/letters/status", &[("code", &code.to_lowercase())])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let today = duban_store::testing::today();
    assert!(
        r.body.contains("最高人民检察院") && r.body.contains(&today.to_string()),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("张三") && !r.body.contains("插手案件"),
        "nothing else about the letter is public"
    );
    // wrong codes are refused, then limited
    let r = other
        .post_form("/letters/status", &[("code", "0000-0000-0000-0000")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("查询码不正确"));
    for _ in 0..3 {
        other
            .post_form("/letters/status", &[("code", "garbage")])
            .await;
    }
    let r = other.post_form("/letters/status", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // submissions per address are limited too (3 a minute here: two refused above did not count)
    for _ in 0..2 {
        anon.post_form(
            "/letters/new",
            &[("unit", &spp), ("category", "other"), ("content", "x")],
        )
        .await;
    }
    let r = anon
        .post_form(
            "/letters/new",
            &[("unit", &spp), ("category", "other"), ("content", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("提交过于频繁"));
    let audit = store
        .audit_entries(
            &duban_store::Actor::system("test"),
            &store.user_by_login("admin").await.unwrap().unwrap().scope(),
            "letter.receive",
            10,
            None,
        )
        .await
        .unwrap();
    assert!(
        !audit.is_empty() && !format!("{audit:?}").contains("张三"),
        "the audit holds no personal data"
    );
}

#[tokio::test]
async fn letters_officer_registers_answers_and_routes() {
    let (app, store) = app().await;
    let mut l = Client::login(&app, "letters").await;
    let r = l.get("/letters").await;
    assert!(r.body.contains("登记来信来访"), "{}", r.body);
    // the demo's figures: every SPP reply on time, 99.2% across the three demo units
    let r = l
        .get("/letters?from=2020-01-01&to=2020-09-30&as_of=2020-12-31")
        .await;
    assert!(
        r.body.contains("<td id=\"reply-rate\">99.2%</td>") && r.body.contains("收到 500"),
        "{}",
        r.body
    );
    // per unit and per level, with a chart (the SPP's own letters, then each province's subtree)
    let mut admin = Client::login(&app, "admin").await;
    let r = admin
        .get("/letters?from=2020-01-01&to=2020-09-30&as_of=2020-12-31")
        .await;
    assert!(
        r.body.contains("id=\"by-unit\"")
            && r.body.contains("<td>最高人民检察院（本院）</td><td>200</td><td>100.0%</td><td>100.0%</td>")
            && r.body.contains("<td>浙江省人民检察院</td><td>150</td><td>100.0%</td><td>98.7%</td><td>148</td><td>2</td>")
            && r.body.contains("<svg class=\"chart\""),
        "{}",
        r.body
    );
    let r = l
        .post_form(
            "/letters",
            &[
                ("channel", "visit"),
                ("received_on", "2020-03-02"),
                ("category", "appeal"),
                ("petitioner", "王五"),
                ("content", "不服不起诉决定"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let i = r.body.find("id=\"query-code\">").unwrap() + 16;
    let code = r.body[i..i + 19].to_string();
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let id = store
        .letters(&spp_scope(&spp), false, None, 10)
        .await
        .unwrap()[0]
        .id;
    let page = format!("/letters/{id}");
    // the API: figures and lists, without the writer's data
    let r = l
        .get("/api/v1/letters/metrics?from=2020-01-01&to=2020-09-30&as_of=2020-12-31&subtree=true")
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (v["received"].clone(), v["ack"]["overdue_open"].clone()),
        (serde_json::json!(501), serde_json::json!(1)),
        "{v}"
    );
    let r = l.get("/api/v1/letters?limit=5").await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("2020-03-02") && !r.body.contains("王五"),
        "{}",
        r.body
    );
    // keyset pages: the next page starts after the last row, and a bad position is refused
    let first: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let next = first["next"].as_str().expect("a next page").to_string();
    let r2 = l
        .get(&format!("/api/v1/letters?limit=5&after={next}"))
        .await;
    let second: serde_json::Value = serde_json::from_str(&r2.body).unwrap();
    let ids = |v: &serde_json::Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    assert!(
        ids(&second).len() == 5 && ids(&second).iter().all(|i| !ids(&first).contains(i)),
        "{}",
        r2.body
    );
    let r3 = l.get("/api/v1/letters?limit=2000").await;
    let all: serde_json::Value = serde_json::from_str(&r3.body).unwrap();
    assert_eq!(
        ids(&all)[5..10],
        ids(&second)[..],
        "pages follow the list's order"
    );
    assert_eq!(
        l.get("/api/v1/letters?after=x.1").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut staffer = Client::login(&app, "dept").await;
    assert_eq!(
        staffer.get("/api/v1/letters").await.status,
        StatusCode::FORBIDDEN
    );
    // on 2020-03-20 the letter is past its acknowledgement deadline: the overdue board shows it
    let r = l.get("/letters/board?as_of=2020-03-20").await;
    assert!(r.body.contains("逾期督办台") && r.body.contains("<td>最高人民检察院</td><td>一级（最高检）</td><td>1</td><td><span class=\"light red\">1</span>"), "{}", r.body);
    let r = l.get(&page).await;
    assert!(
        r.body.contains("王五")
            && r.body.contains("不服不起诉决定")
            && r.body.contains("2020-03-09"),
        "{}",
        r.body
    );
    // a reply dated before receipt, a transfer outside the tree: refused in Chinese
    let steps = format!("{page}/steps");
    let r = l
        .post_form(
            &steps,
            &[
                ("step", "ack"),
                ("on", "2020-03-01"),
                ("body", "已收到"),
                ("late_reason", "补录"),
            ],
        )
        .await;
    assert!(r.body.contains("早于收到日期"), "{}", r.body);
    let r = l
        .post_form(
            &steps,
            &[
                ("step", "transfer"),
                ("late_reason", "补录历史办理"),
                ("on", "2020-03-04"),
                ("to_unit", "999999"),
                ("body", "转浙江"),
            ],
        )
        .await;
    assert!(r.body.contains("不在检察机关组织体系内"), "{}", r.body);
    let r = l
        .post_form(
            &steps,
            &[
                ("step", "ack"),
                ("late_reason", "补录历史办理"),
                ("on", "2020-03-04"),
                (
                    "body",
                    "您的来访已收到，由控告申诉检察厅办理，电话 010-12309",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let zj = store.unit_by_code("330000").await.unwrap().unwrap();
    let r = l
        .post_form(
            &steps,
            &[
                ("step", "transfer"),
                ("late_reason", "补录历史办理"),
                ("on", "2020-03-05"),
                ("to_unit", &zj.id.to_string()),
                ("body", "属浙江省院管辖，转办"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // the clock runs on from the first receipt; both units on the path see the history
    let letter = store
        .letters(&spp_scope(&zj), false, None, 10)
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(
        (
            letter.received_on.as_str(),
            letter.reply_due.as_str(),
            letter.unit_name.as_str()
        ),
        ("2020-03-02", "2020-06-02", "浙江省人民检察院")
    );
    let mut zjo = Client::login(&app, "zj.office").await;
    let r = zjo.get(&page).await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("转办") && r.body.contains("最高人民检察院"),
        "{}",
        r.body
    );
    let mut xihu = Client::login(&app, "xihu.office").await;
    assert_eq!(
        xihu.get(&page).await.status,
        StatusCode::NOT_FOUND,
        "not on the letter's path"
    );
    // the SPP still sees it (it passed through), and may supervise the province's handling
    let r = l
        .post_form(
            &steps,
            &[
                ("step", "supervise"),
                ("late_reason", "补录历史办理"),
                ("on", "2020-04-01"),
                ("body", "请按期答复"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = zjo.get(&page).await;
    assert!(
        r.body.contains("督办") && r.body.contains("请按期答复"),
        "{}",
        r.body
    );
    // the writer sees the acknowledgement and nothing else
    let mut anon = Client::new(&app);
    anon.get("/letters/status").await;
    let r = anon.post_form("/letters/status", &[("code", &code)]).await;
    assert!(
        r.body.contains("由控告申诉检察厅办理")
            && r.body.contains("浙江省人民检察院")
            && !r.body.contains("王五")
            && !r.body.contains("属浙江省院管辖"),
        "{}",
        r.body
    );
    let zj_scope = spp_scope(&zj);
    store
        .letter_step(
            &duban_store::Actor::system("zj"),
            &zj_scope,
            id,
            &duban_store::letters::StepRequest {
                late_reason: "补录 2020 年的答复".into(),
                ..duban_store::letters::StepRequest::new(
                    duban_domain::letters::Step::Reply,
                    chrono::NaiveDate::from_ymd_opt(2020, 5, 20).unwrap(),
                    "经审查，依法答复如下",
                )
            },
        )
        .await
        .unwrap();
    let r = anon.post_form("/letters/status", &[("code", &code)]).await;
    assert!(r.body.contains("评价办理结果"), "{}", r.body);
    let r = anon
        .post_form(
            "/letters/rate",
            &[
                ("code", &code),
                ("rating", "unsatisfied"),
                ("comment", "答复过于简单"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("感谢您的评价") && r.body.contains("不满意"),
        "{}",
        r.body
    );
    let r = anon
        .post_form("/letters/rate", &[("code", &code), ("rating", "satisfied")])
        .await;
    assert!(r.body.contains("您已评价过"), "{}", r.body);
    let views = store
        .audit_entries(
            &duban_store::Actor::system("test"),
            &store.user_by_login("admin").await.unwrap().unwrap().scope(),
            "letter.view",
            10,
            None,
        )
        .await
        .unwrap();
    assert!(
        views.len() >= 2,
        "every view of the writer's data is audited"
    );
}

fn spp_scope(u: &duban_store::org::Unit) -> duban_store::Scope {
    duban_store::Scope {
        unit_id: u.id,
        unit_path: u.path.clone(),
        subtree: true,
    }
}

#[tokio::test]
async fn letters_attachments_search_exports_links_hearings_and_campaigns() {
    let (app, store) = app().await;
    // the public form with attachments (multipart; the token in the query string)
    let mut anon = Client::new(&app);
    anon.get("/letters/new").await;
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let boundary = "XyZboundary";
    let part = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let multipart_kept = |files: &[(&str, &str)], id_number: &str, kept: &[String]| {
        let mut body = String::new();
        for k in kept {
            body.push_str(&part("kept", k));
        }
        for (k, v) in [
            ("unit", spp.id.to_string()),
            ("category", "request".to_string()),
            ("petitioner", "钱七".to_string()),
            ("phone", "13900139000".to_string()),
            ("id_number", id_number.to_string()),
            ("address", "北京市东城区某街道".to_string()),
            (
                "content",
                "请求国家司法救助，因案致贫，生活困难，恳请督办".to_string(),
            ),
        ] {
            body.push_str(&part(k, &v));
        }
        for (name, content) in files {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        body
    };
    let multipart = |files: &[(&str, &str)], id_number: &str| multipart_kept(files, id_number, &[]);
    let post = |c: &Client, body: String| {
        Request::post(format!("/letters/new?csrf={}", c.csrf))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap()
    };
    // a bad ID number and a forbidden file type are refused in Chinese; nothing is written
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM letters")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let r = anon
        .send(post(&anon, multipart(&[], "110105194912310021")))
        .await;
    assert!(r.body.contains("身份证号码"), "{}", r.body);
    let r = anon
        .send(post(
            &anon,
            multipart(&[("run.exe", "MZ")], "11010519491231002X"),
        ))
        .await;
    assert!(r.body.contains("不支持的佐证材料类型"), "{}", r.body);
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM letters")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(before, after);
    // refused with a file chosen: the file waits for the next try, for this visitor only
    let r = anon
        .send(post(
            &anon,
            multipart(&[("材料.txt", "判决书复印件")], "110105194912310021"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let i = r
        .body
        .find("name=\"kept\" value=\"")
        .expect("the file is kept")
        + 19;
    let token = r.body[i..i + 64].to_string();
    assert!(r.body.contains("材料.txt"), "{}", r.body);
    let mut stranger = Client::new(&app);
    stranger.get("/letters/new").await;
    let r = stranger
        .send(post(
            &stranger,
            multipart_kept(&[], "110105194912310021", std::slice::from_ref(&token)),
        ))
        .await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY && !r.body.contains("材料.txt"),
        "another visitor's token brings no file: {}",
        r.body
    );
    let r = anon
        .send(post(
            &anon,
            multipart_kept(&[], "11010519491231002x", std::slice::from_ref(&token)),
        ))
        .await;
    assert!(r.body.contains("id=\"query-code\""), "{}", r.body);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kept_uploads")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "a kept file is dropped once used");
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM letters")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    // the letters officer sees the writer's data and the attachment
    let mut l = Client::login(&app, "letters").await;
    let r = l.get(&format!("/letters/{id}")).await;
    assert!(
        r.body.contains("11010519491231002X")
            && r.body.contains("北京市东城区某街道")
            && r.body.contains("材料.txt"),
        "{}",
        r.body
    );
    let file_id: i64 = sqlx::query_scalar("SELECT id FROM letter_files WHERE letter_id = $1")
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let r = l.get(&format!("/letters/{id}/files/{file_id}")).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, "判决书复印件")
    );
    // search: two-character words, content and replies, within scope
    let r = l.get("/letters/search?q=督办").await;
    assert!(r.body.contains(&format!("/letters/{id}\"")), "{}", r.body);
    let r = l.get("/letters/search?q=救助%20拖延").await;
    assert!(
        !r.body.contains(&format!("/letters/{id}\"")),
        "all words must match: {}",
        r.body
    );
    let r = l
        .post_form(
            &format!("/letters/{id}/steps"),
            &[
                ("step", "ack"),
                ("late_reason", "补录历史办理"),
                ("on", &duban_store::testing::today().to_string()),
                ("body", "已转交司法救助部门办理，联系电话 010-12309"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = l.get("/api/v1/letters/search?q=联系电话").await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        v["items"][0]["id"],
        serde_json::json!(id),
        "replies are searched: {v}"
    );
    assert!(!r.body.contains("钱七"));
    let mut xihu = Client::login(&app, "xihu.office").await;
    let r = xihu.get("/letters/search?q=督办").await;
    assert!(
        !r.body.contains(&format!("/letters/{id}\"")),
        "out of scope: {}",
        r.body
    );
    assert_eq!(
        xihu.get(&format!("/letters/{id}/files/{file_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // exports: without the writer's data unless the officer asks (audited); others may not ask
    let r = l.get("/letters/export?from=2020-01-01&to=2030-12-31").await;
    assert!(
        r.status == StatusCode::OK
            && r.body.contains("请求国家司法救助")
            && !r.body.contains("钱七")
            && !r.body.contains("13900139000"),
        "{}",
        r.body
    );
    let r = l
        .get("/letters/export?from=2020-01-01&to=2030-12-31&format=xlsx&personal=1")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let x = duban_publish::sheet::read_table("x.xlsx", r.body_bytes()).unwrap();
    assert!(x.iter().any(|row| row.contains(&"钱七".to_string())));
    let mut office = Client::login(&app, "office").await;
    assert_eq!(
        office
            .get("/letters/export?from=2020-01-01&to=2030-12-31&personal=1")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // a second letter from the same writer: suggested, then linked
    let r = anon
        .send(post(&anon, multipart(&[], "11010519491231002X")))
        .await;
    assert!(r.body.contains("id=\"query-code\""), "{}", r.body);
    let second: i64 = sqlx::query_scalar("SELECT MAX(id) FROM letters")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let r = l.get(&format!("/letters/{second}")).await;
    assert!(
        r.body.contains("id=\"suggestions\"") && r.body.contains("身份证号相同"),
        "{}",
        r.body
    );
    let r = l
        .post_form(
            &format!("/letters/{second}/links"),
            &[("other", &id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = l.get(&format!("/letters/{id}")).await;
    assert!(
        r.body
            .contains(&format!("<a href=\"/letters/{second}\">#{second}</a>")),
        "{}",
        r.body
    );
    // a public hearing
    let r = l
        .post_form(
            &format!("/letters/{id}/hearings"),
            &[
                ("held_on", &duban_store::testing::today().to_string()),
                ("participants", "人民监督员二人、律师一人"),
                ("outcome", "同意给予司法救助"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = l
        .post_form(
            &format!("/letters/{id}/hearings"),
            &[
                ("held_on", "2020-01-01"),
                ("participants", ""),
                ("outcome", "x"),
            ],
        )
        .await;
    assert!(r.body.contains("参加人员"), "{}", r.body);
    assert!(
        l.get(&format!("/letters/{id}"))
            .await
            .body
            .contains("同意给予司法救助")
    );
    // the API: a step by unit code; bad steps named
    let r = l
        .post_json(&format!("/api/v1/letters/{id}/steps"), &serde_json::json!({"step": "reply", "on": duban_store::testing::today().to_string(), "body": "已决定给予司法救助"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = l
        .post_json(
            &format!("/api/v1/letters/{id}/steps"),
            &serde_json::json!({"step": "fly", "on": "2020-01-01", "body": "x"}),
        )
        .await;
    assert!(r.body.contains("未知的办理环节"), "{}", r.body);
    // a campaign with no open letter before its day is refused, the form kept
    let r = l
        .post_form(
            "/letters/campaigns",
            &[
                ("title", "二〇〇〇年以前积案"),
                ("older_than", "2000-01-01"),
                ("deadline", "2030-12-31"),
            ],
        )
        .await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY
            && r.body.contains("无需清理")
            && r.body.contains("value=\"二〇〇〇年以前积案\""),
        "{}",
        r.body
    );
    // a backlog campaign over the open letters; progress follows closures
    let r = l
        .post_form(
            "/letters/campaigns",
            &[
                ("title", "信访积案清理专项"),
                ("older_than", &duban_store::testing::today().to_string()),
                ("deadline", "2030-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = l.get("/letters/campaigns").await;
    assert!(
        r.body.contains("信访积案清理专项") && r.body.contains("<td>2</td><td>0</td>"),
        "{}",
        r.body
    );
    let r = l
        .post_form(
            &format!("/letters/{id}/steps"),
            &[
                ("step", "close"),
                ("late_reason", "补录历史办理"),
                ("on", &duban_store::testing::today().to_string()),
                ("body", "办结"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = l.get("/letters/campaigns").await;
    assert!(
        r.body.contains("<td>2</td><td>1</td><td>50.0%</td>"),
        "{}",
        r.body
    );
    let cid: i64 = sqlx::query_scalar("SELECT MAX(id) FROM campaigns")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        xihu.get(&format!("/letters/campaigns/{cid}")).await.status,
        StatusCode::NOT_FOUND
    );
    // the list marks near deadlines yellow and passed ones red, as the sweep urges them
    let week_ago = (duban_store::testing::today() - chrono::Duration::days(6)).to_string();
    let r = l
        .post_form(
            "/letters",
            &[
                ("channel", "post"),
                ("received_on", &week_ago),
                ("category", "other"),
                ("content", "咨询检察听证"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let due: String = sqlx::query_scalar("SELECT ack_due FROM letters ORDER BY id DESC LIMIT 1")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let today = duban_store::testing::today().to_string();
    let soon = (duban_store::testing::today() + chrono::Duration::days(2)).to_string();
    let r = l.get("/letters").await;
    let want = if due < today {
        "light red"
    } else if due <= soon {
        "light yellow"
    } else {
        ""
    };
    let cell = format!("\">应于此日前答复： {due}</span>");
    let i = r
        .body
        .find(&cell)
        .unwrap_or_else(|| panic!("{cell} in {}", r.body));
    let span = &r.body[r.body[..i].rfind("<span").unwrap()..i];
    assert!(
        span.contains(&format!("class=\"{want}")),
        "{span} (due {due})"
    );
    assert!(store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn staff_file_monthly_and_the_discipline_group_reads_the_register() {
    let (app, store) = app().await;
    let mut s = Client::login(&app, "staff").await;
    let r = s.get("/records").await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("报送零报告"),
        "{}",
        r.body
    );
    let now = duban_domain::records::Month::of(duban_store::testing::today()).to_string();
    let r = s
        .post_form("/records", &[("kind", "zero"), ("month", &now)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // the same month again, a future month, a record beside the zero report: refused in Chinese
    let r = s
        .post_form("/records", &[("kind", "zero"), ("month", &now)])
        .await;
    assert!(r.body.contains("已报送"), "{}", r.body);
    let r = s
        .post_form("/records", &[("kind", "zero"), ("month", "2099-01")])
        .await;
    assert!(r.body.contains("尚未到来"), "{}", r.body);
    let today = duban_store::testing::today().to_string();
    let record = |month: &str, day: &str| -> Vec<(&'static str, String)> {
        vec![
            ("kind", "record".to_string()),
            ("month", month.to_string()),
            ("occurred_on", day.to_string()),
            ("intervener_name", "赵某".to_string()),
            ("intervener_unit", "某区政府".to_string()),
            ("intervener_post", "副区长".to_string()),
            ("intervener_category", "leader".to_string()),
            ("is_procuratorate_staff", "0".to_string()),
            ("manner", "phone".to_string()),
            ("scope", "case".to_string()),
            (
                "content",
                "电话询问某案进展，要求关照，已如实记录，未影响办理".to_string(),
            ),
        ]
    };
    let fields = record(&now, &today);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = s.post_form("/records", &pairs).await;
    assert!(r.body.contains("已报零报告"), "{}", r.body);
    // last month: a record, then another
    let last = {
        let m = duban_domain::records::Month::of(duban_store::testing::today());
        if m.month == 1 {
            duban_domain::records::Month {
                year: m.year - 1,
                month: 12,
            }
        } else {
            duban_domain::records::Month {
                year: m.year,
                month: m.month - 1,
            }
        }
    };
    let day = format!("{last}-10");
    let fields = record(&last.to_string(), &day);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for _ in 0..2 {
        let r = s.post_form("/records", &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = s.get("/records").await;
    assert!(
        r.body.contains("记录件数 2") && r.body.contains("零报告"),
        "{}",
        r.body
    );
    // the discipline group reads the details (audited); the office sees aggregates only
    let mut d = Client::login(&app, "discipline").await;
    let r = d
        .get(&format!("/records/register?from={last}&to={now}"))
        .await;
    assert!(
        r.body.contains("赵某（某区政府 副区长）") && r.body.contains("要求关照"),
        "{}",
        r.body
    );
    let views = store
        .audit_entries(
            &duban_store::Actor::system("test"),
            &store.user_by_login("admin").await.unwrap().unwrap().scope(),
            "records.view",
            10,
            None,
        )
        .await
        .unwrap();
    assert_eq!(views.len(), 1);
    let mut o = Client::login(&app, "office").await;
    assert_eq!(
        o.get("/records/register").await.status,
        StatusCode::FORBIDDEN
    );
    let r = o.get(&format!("/records?month={last}")).await;
    assert!(
        r.body.contains("id=\"completeness\"") && !r.body.contains("要求关照"),
        "{}",
        r.body
    );
    // statistics: aggregates with charts; small counts masked for those without the right to details
    let r = o.get(&format!("/records/stats?from={last}&to={now}")).await;
    assert!(
        r.status == StatusCode::OK
            && r.body.contains("<svg class=\"chart\"")
            && r.body.contains("记录件数 &#60;5"),
        "{}",
        r.body
    );
    let r = d.get(&format!("/records/stats?from={last}&to={now}")).await;
    assert!(r.body.contains("记录件数 2"), "{}", r.body);
    let r = o.get(&format!("/records/flags?from={last}&to={now}")).await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("报告偏少的单位"),
        "{}",
        r.body
    );
    let r = o.get("/records/letters").await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("督促函"),
        "{}",
        r.body
    );
    assert_eq!(
        s.get("/records/letters").await.status,
        StatusCode::FORBIDDEN
    );
    let mut x = Client::login(&app, "xihu.office").await;
    let r = x.get(&format!("/records?month={last}")).await;
    assert!(!r.body.contains("最高人民检察院</td>"), "{}", r.body);
}

#[tokio::test]
async fn record_attachments_granted_roles_and_the_records_api() {
    let (app, store) = app().await;
    // the demo's staff member has records; they attach a file to one
    let staff_id: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = 'SPP0201'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let mut s = Client::login(&app, "staff").await;
    let r = s
        .post_json(
            "/api/v1/records/filings",
            &serde_json::json!({"month": "2019-11", "zero_report": false, "record": {
                "occurred_on": "2019-11-05", "intervener_name": "孙某", "intervener_category": "leader",
                "is_procuratorate_staff": false, "manner": "phone", "scope": "case", "content": "电话打听案情"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s
        .post_json(
            "/api/v1/records/filings",
            &serde_json::json!({"month": "2019-10", "zero_report": false, "record": {
                "occurred_on": "2019-11-05", "intervener_name": "孙某", "intervener_category": "领导",
                "is_procuratorate_staff": false, "manner": "phone", "scope": "case", "content": "x"}}),
        )
        .await;
    assert!(
        r.status.is_client_error()
            && r.body.contains("不在所报月份内")
            && r.body.contains("干预人员类别"),
        "{}",
        r.body
    );
    let r = s.get("/api/v1/records/filings").await;
    assert!(r.body.contains("\"2019-11\""), "{}", r.body);
    let rec = store
        .my_records(staff_id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.month == "2019-11")
        .unwrap();
    s.get("/records").await;
    let (ct, body) = multipart("记录.pdf", b"%PDF-1.4 note");
    let csrf = s.csrf.clone();
    let r = s
        .post_raw(&format!("/records/{}/files?csrf={csrf}", rec.id), &ct, body)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = s.get("/records").await;
    let link = format!("/records/{}/files/", rec.id);
    let i = page.body.find(&link).expect("the attachment is listed");
    let href: String = page.body[i..].chars().take_while(|c| *c != '"').collect();
    assert_eq!(s.get(&href).await.bytes, b"%PDF-1.4 note");
    // an .exe is refused in Chinese
    let (ct, body) = multipart("x.exe", b"MZ");
    let r = s
        .post_raw(&format!("/records/{}/files?csrf={csrf}", rec.id), &ct, body)
        .await;
    assert!(r.body.contains("不支持的佐证材料类型"), "{}", r.body);
    // the office and the leader see neither details nor attachments — until the leader's role
    // is granted them
    let mut o = Client::login(&app, "office").await;
    assert_eq!(o.get(&href).await.status, StatusCode::NOT_FOUND);
    let mut l = Client::login(&app, "leader").await;
    assert_eq!(
        l.get("/records/register?from=2019-11&to=2019-11")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut admin = Client::login(&app, "admin").await;
    admin.get("/rectification/rules").await;
    let r = admin
        .post_form(
            "/rectification/rules",
            &[
                ("due_soon_days", "7"),
                ("stale_days", "30"),
                ("staged_every_days", "90"),
                ("yellow_after_days", "7"),
                ("red_after_days", "14"),
                ("reviewer_discipline", "1"),
                ("grant_leader", "1"),
                ("flag_z", "二"),
            ],
        )
        .await;
    assert!(r.body.contains("稳健 z 值阈值"), "{}", r.body);
    let r = admin
        .post_form(
            "/rectification/rules",
            &[
                ("due_soon_days", "7"),
                ("stale_days", "30"),
                ("staged_every_days", "90"),
                ("yellow_after_days", "7"),
                ("red_after_days", "14"),
                ("reviewer_discipline", "1"),
                ("grant_leader", "1"),
                ("flag_z", "3.5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rules = store.supervision_rules().await.unwrap();
    assert_eq!(rules.records_flags.z, 3.5);
    let r = l.get("/records/register?from=2019-11&to=2019-11").await;
    assert!(
        r.body.contains("电话打听案情") && r.body.contains(&link),
        "{}",
        r.body
    );
    assert_eq!(l.get(&href).await.bytes, b"%PDF-1.4 note");
    // the API: counts for a unit in scope, not for one outside it; flags with their reasons
    let r = o
        .get("/api/v1/records/counts?unit=100000&from=2020-01&to=2020-09")
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(
        v["records"].as_u64().unwrap() > 0 && v["staff"].as_u64().unwrap() > 0,
        "{v}"
    );
    let r = o.get("/api/v1/records/flags?from=2020-01&to=2020-09").await;
    assert!(
        r.body.contains("第七检察厅") && r.body.contains("reasons"),
        "{}",
        r.body
    );
    let mut x = Client::login(&app, "xihu.office").await;
    assert_eq!(
        x.get("/api/v1/records/counts?unit=100000&from=2020-01&to=2020-09")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = x.get("/api/v1/records/flags?from=2020-01&to=2020-09").await;
    assert!(!r.body.contains("第七检察厅"), "{}", r.body);
    assert!(store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn case_quality_dashboard_and_api() {
    let (app, store) = app().await;
    let mut qc = Client::login(&app, "quality").await;
    let r = qc.get("/quality").await;
    assert!(
        r.status == StatusCode::OK
            && r.body.contains("案-件比")
            && r.body.contains("1:1.")
            && r.body.contains("<svg class=\"chart\"")
            && r.body.contains("id=\"overdue\""),
        "{}",
        r.body
    );
    // the months' ratios are below the period's, and the page says why with the two sums of 件
    let r = qc.get("/quality?from=2020-01-01&to=2020-09-30").await;
    let why = &r.body[r.body.find("id=\"ratio-why\"").expect("the explanation")..];
    let nums: Vec<i64> = why
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(2)
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(nums.len() == 2 && nums[0] < nums[1], "{why}");
    let r = qc
        .get("/quality?from=2020-01-01&to=2020-09-30&type=海事")
        .await;
    assert!(r.body.contains("未知的案件类型"), "{}", r.body);
    // a batch through the API: refused whole when one row is bad, then accepted
    let bad = serde_json::json!({"events": [
        {"case_id": "API1", "unit_code": "330106", "case_type": "刑事", "event": "受理审查逮捕", "occurred_on": "2019-06-01"},
        {"case_id": "API1", "unit_code": "330106", "case_type": "刑事", "event": "不存在的环节", "occurred_on": "2019-06-02"}
    ]});
    let r = qc.post_json("/api/v1/cases/events", &bad).await;
    assert!(
        r.status.is_client_error() && r.body.contains("不存在的环节"),
        "{}",
        r.body
    );
    let good = serde_json::json!({"events": [
        {"case_id": "API1", "unit_code": "330106", "case_type": "刑事", "event": "受理审查逮捕", "occurred_on": "2019-06-01", "persons": 2},
        {"case_id": "API1", "unit_code": "330106", "case_type": "刑事", "event": "退回补充侦查", "occurred_on": "2019-07-01"},
        {"case_id": "API1", "unit_code": "330106", "case_type": "刑事", "event": "认罪认罚", "occurred_on": "2019-07-05", "persons": 1},
        {"case_id": "API1", "unit_code": "330106", "case_type": "刑事", "event": "审结", "occurred_on": "2019-08-01"}
    ]});
    let r = qc.post_json("/api/v1/cases/events", &good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("\"events_added\":4"), "{}", r.body);
    // the basic unit's office sees its own figures, not the SPP's
    let mut x = Client::login(&app, "xihu.office").await;
    let r = x
        .get("/api/v1/quality/case-ratio?unit=330106&from=2019-01-01&to=2019-12-31")
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (v["an"].clone(), v["jian"].clone()),
        (serde_json::json!(1), serde_json::json!(2.0)),
        "{v}"
    );
    // two persons concluded, one of them pleaded: per case 1 of 1, per person 1 of 2
    assert_eq!(
        (
            v["with_plea"].clone(),
            v["persons"].clone(),
            v["persons_with_plea"].clone(),
            v["plea_rate_persons"].clone()
        ),
        (
            serde_json::json!(1),
            serde_json::json!(2),
            serde_json::json!(1),
            serde_json::json!(0.5)
        ),
        "{v}"
    );
    assert_eq!(
        x.get("/api/v1/quality/case-ratio?unit=100000&from=2019-01-01&to=2019-12-31")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = x.get("/quality").await;
    assert!(
        r.status == StatusCode::OK && !r.body.contains("广东"),
        "{}",
        r.body
    );
    // an office may read, not load events; staff may not read
    assert_eq!(
        x.post_json("/api/v1/cases/events", &good).await.status,
        StatusCode::FORBIDDEN
    );
    let mut s = Client::login(&app, "staff").await;
    assert_eq!(s.get("/quality").await.status, StatusCode::FORBIDDEN);
    assert!(store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn paperwork_registry_and_the_data_request_gate() {
    let (app, _store) = app().await;
    let mut o = Client::login(&app, "office").await;
    let r = o.get("/paperwork").await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("−8.6%") && r.body.contains("−37.5%"),
        "{}",
        r.body
    );
    let r = o
        .post_form(
            "/paperwork/requests",
            &[
                ("title", "请各省院报送认罪认罚适用率"),
                ("metric", "plea_rate"),
            ],
        )
        .await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY
            && r.body.contains("请勿向下级单位索要")
            && r.body.contains("href=\"/quality\""),
        "{}",
        r.body
    );
    let r = o
        .post_form(
            "/paperwork",
            &[
                ("kind", "meeting"),
                ("held_on", "2099-01-01"),
                ("title", "会"),
            ],
        )
        .await;
    assert!(r.body.contains("晚于今天"), "{}", r.body);
    let r = o
        .post_form(
            "/paperwork",
            &[
                ("kind", "document"),
                ("held_on", "2020-09-20"),
                ("title", "关于精简会议的通知"),
                ("number", "高检发〔2020〕65号"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = o.get("/paperwork?from=2020-01-01&to=2020-09-30").await;
    assert!(
        r.body.contains("关于精简会议的通知") && r.body.contains("已拦截"),
        "{}",
        r.body
    );
    let mut s = Client::login(&app, "staff").await;
    assert_eq!(s.get("/paperwork").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn monitoring_hits_become_tasks_and_the_rules_are_edited() {
    let (app, store) = app().await;
    let mut o = Client::login(&app, "office").await;
    let r = o.get("/quality").await;
    assert!(r.body.contains("转为督办事项"), "{}", r.body);
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let hits: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_hits")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert!(hits > 0);
    let r = o.post_form("/quality/supervise", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(after - before, hits, "one task per hit");
    let r = o.get("/quality?made=1").await;
    let i = r
        .body
        .find("/rectification/tasks/")
        .expect("hits link their tasks");
    let href: String = r.body[i..].chars().take_while(|c| *c != '"').collect();
    let t = o.get(&href).await;
    assert!(
        t.status == StatusCode::OK && t.body.contains("核查并纠正"),
        "{}",
        t.body
    );
    // again: nothing new
    o.post_form("/quality/supervise", &[]).await;
    let again: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(again, after);
    // the rules: the office reads them; case management changes them; bad JSON is named
    assert_eq!(o.get("/quality/rules").await.status, StatusCode::OK);
    assert_eq!(
        o.post_form(
            "/quality/rules",
            &[(
                "rules",
                &serde_json::to_string(&store.quality_rules().await.unwrap()).unwrap()
            )]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let mut q = Client::login(&app, "quality").await;
    q.get("/quality/rules").await;
    let r = q
        .post_form("/quality/rules", &[("rules", "{\"events\": [")])
        .await;
    assert!(r.body.contains("规则格式有误"), "{}", r.body);
    let mut rules = duban_domain::quality::QualityRules::default();
    rules
        .events
        .iter_mut()
        .find(|e| e.name == "延长审查起诉期限")
        .unwrap()
        .kind = duban_domain::quality::EventKind::Normal;
    let json = serde_json::to_string(&rules).unwrap();
    let r = q.post_form("/quality/rules", &[("rules", &json)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let f = store
        .quality_figures(
            &spp,
            true,
            chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
            &duban_store::quality::CaseFilter::default(),
        )
        .await
        .unwrap();
    assert!(
        !f.ratio.by_event.contains_key("延长审查起诉期限"),
        "no longer an extra step: {:?}",
        f.ratio.by_event
    );
    assert!(store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn bulletins_drafted_previewed_published_and_answered_by_the_public() {
    let (app, store) = app().await;
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let plan = store
        .plan(&spp_scope(&spp), "最高检党组巡视整改方案")
        .await
        .unwrap()
        .unwrap();
    let stats = store
        .plan_stats(
            plan.id,
            chrono::NaiveDate::from_ymd_opt(2020, 11, 5).unwrap(),
        )
        .await
        .unwrap();
    let mut o = Client::login(&app, "office").await;
    let r = o.get("/documents").await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("整改情况报告"),
        "{}",
        r.body
    );
    let pid = plan.id.to_string();
    let r = o
        .post_form(
            "/documents",
            &[
                ("kind", "bulletin"),
                ("as_of", "2020-11-05"),
                ("plans", &pid),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let id: i64 = loc.trim_start_matches("/documents/").parse().unwrap();
    let r = o.get(&loc).await;
    let figure = format!("研究确定的{}项整改任务中", stats.total);
    assert!(
        r.body.contains(&figure) && r.body.contains("<svg"),
        "{}",
        r.body
    );
    // raw HTML is removed and told; unbalanced markup is refused in Chinese, keeping the text
    let title = "中共最高人民检察院党组关于十九届中央第四轮巡视整改进展情况的通报";
    let r = o
        .post_form(
            &loc,
            &[
                ("title", title),
                ("issuer", "中共最高人民检察院党组"),
                ("signature", "中共最高人民检察院党组"),
                ("as_of", "2020-11-05"),
                ("contact", "电话010-65200277；电子邮箱：[email protected]"),
                (
                    "body",
                    "一、总体情况\r\n{{整改进展}}<script>alert(1)</script>",
                ),
            ],
        )
        .await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("以下不支持的标记已删除"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("<script>alert(1)"),
        "escaped in the form, removed from the preview"
    );
    let preview =
        &r.body[r.body.find("id=\"preview\"").unwrap()..r.body.find("id=\"history\"").unwrap()];
    assert!(!preview.contains("alert(1)"));
    let r = o
        .post_form(
            &loc,
            &[
                ("title", title),
                ("as_of", "2020-11-05"),
                ("body", "<b>未闭合"),
            ],
        )
        .await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY
            && r.body.contains("没有对应的 &#60;/b&#62;")
            && r.body.contains("未闭合"),
        "{}",
        r.body
    );
    // the draft's PDF (typst, fonts embedded) and DOCX
    let r = o.get(&format!("{loc}/file.pdf")).await;
    assert!(
        r.status == StatusCode::OK && r.body_bytes().starts_with(b"%PDF"),
        "{}",
        r.body
    );
    let r = o.get(&format!("{loc}/file.docx")).await;
    assert!(r.status == StatusCode::OK && r.body_bytes().starts_with(b"PK"));
    // others: a basic unit's office cannot see it, staff cannot open the module
    let mut x = Client::login(&app, "xihu.office").await;
    assert_eq!(x.get(&loc).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        x.get(&format!("{loc}/file.pdf")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        x.get(&format!("/api/v1/plans/{pid}/bulletin?as_of=2020-11-05"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        x.get(&format!("/api/v1/documents/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let r = o
        .get(&format!("/api/v1/plans/{pid}/bulletin?as_of=2020-11-05"))
        .await;
    assert!(
        r.status == StatusCode::OK && r.body.contains(&figure),
        "{}",
        r.body
    );
    let r = o.get(&format!("/api/v1/documents/{id}")).await;
    assert!(
        r.status == StatusCode::OK && r.body.contains(&figure),
        "{}",
        r.body
    );
    let mut s = Client::login(&app, "staff").await;
    assert_eq!(s.get("/documents").await.status, StatusCode::FORBIDDEN);
    // not public before it is published
    let mut public = Client::new(&app);
    assert_eq!(
        public.get(&format!("/public/bulletins/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // unsigned, the office cannot publish: the page says it waits for the leader's sign-off
    assert!(o.get(&loc).await.body.contains("id=\"publish-waits\""));
    let r = o.post_form(&format!("{loc}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("院领导签发后才能发布"), "{}", r.body);
    // the office cannot sign; the unit's leader sees the draft on the workbench and signs it
    let r = o
        .post_form(&format!("{loc}/sign"), &[("opinion", "同意")])
        .await;
    assert!(
        r.body.contains("只有发文单位的院领导可以签发"),
        "{}",
        r.body
    );
    let mut leader = Client::login(&app, "leader").await;
    let r = leader.get("/todo/documents").await;
    assert!(r.body.contains(&loc), "{}", r.body);
    let r = leader
        .post_form(&format!("{loc}/sign"), &[("opinion", "同意印发")])
        .await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("已签发") && r.body.contains("同意印发"),
        "{}",
        r.body
    );
    let r = leader.get("/todo/documents").await;
    assert!(!r.body.contains(&loc), "{}", r.body);
    // 已办: the sign-off is the leader's latest action, linked to the document
    let r = leader.get("/home").await;
    let done = &r.body[r.body.find("id=\"done\"").expect("已办")..];
    assert!(
        done.contains(&format!("<a href=\"{loc}\">签发公文</a>")),
        "{done}"
    );
    let r = leader.get("/api/v1/todo").await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["done"][0]["action"], "document.sign", "{v}");
    assert_eq!(v["done"][0]["href"], loc.as_str(), "{v}");
    let r = o.get("/documents?state=signed").await;
    assert!(r.body.contains(&format!("href=\"{loc}\"")), "{}", r.body);
    let r = o.post_form(&format!("{loc}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // the list, filtered: published now, no longer among the signed drafts
    let r = o.get("/documents?state=published&kind=bulletin").await;
    assert!(r.body.contains(&format!("href=\"{loc}\"")), "{}", r.body);
    let r = o.get("/documents?state=signed").await;
    assert!(!r.body.contains(&format!("href=\"{loc}\"")), "{}", r.body);
    assert_eq!(
        o.get("/documents?kind=memo").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = o.get(&loc).await;
    assert!(
        r.body.contains("已发布")
            && r.body.contains("另建新版本")
            && !r.body.contains("id=\"draft\""),
        "{}",
        r.body
    );
    // the public list and page, with the feedback channel
    let r = public.get("/public/bulletins").await;
    assert!(r.body.contains(title), "{}", r.body);
    let r = public.get(&format!("/public/bulletins/{id}")).await;
    assert!(
        r.status == StatusCode::OK
            && r.body.contains(&figure)
            && r.body.contains("010-65200277")
            && r.body.contains("意见建议"),
        "{}",
        r.body
    );
    let r = public
        .get(&format!("/public/bulletins/{id}/file.pdf"))
        .await;
    assert!(r.body_bytes().starts_with(b"%PDF"));
    let r = public
        .post_form(
            &format!("/public/bulletins/{id}"),
            &[("name", "李某"), ("content", "")],
        )
        .await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("请填写意见建议"),
        "{}",
        r.body
    );
    let r = public
        .post_form(
            &format!("/public/bulletins/{id}"),
            &[
                ("name", "李某"),
                ("phone", "13800138000"),
                ("content", "建议公开更多整改细节"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let i = r.body.find("id=\"query-code\">").expect("a query code");
    let code = &r.body[i + 16..i + 16 + 19];
    // it is a letter to the SPP with both clocks
    let status = store
        .letter_status(code)
        .await
        .unwrap()
        .expect("the letter");
    assert_eq!(status.unit_name, spp.name);
    assert!(!status.ack_due.is_empty() && !status.reply_due.is_empty());
}

#[tokio::test]
async fn a_special_report_names_the_ticked_tasks_and_is_numbered() {
    let (app, store) = app().await;
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let plan = store
        .plan(&spp_scope(&spp), "最高检党组巡视整改方案")
        .await
        .unwrap()
        .unwrap();
    let task = store.tasks(plan.id).await.unwrap()[3].clone();
    let mut d = Client::login(&app, "discipline").await;
    let pid = plan.id.to_string();
    let r = d
        .post_form(
            "/documents",
            &[
                ("kind", "special"),
                ("as_of", "2020-06-30"),
                ("plans", &pid),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let r = d.get(&loc).await;
    assert!(
        r.body.contains("id=\"select-tasks\"") && r.body.contains(&task.title),
        "{}",
        r.body
    );
    let tid = task.id.to_string();
    let r = d
        .post_form(
            &loc,
            &[
                ("title", "关于巡视整改重点任务进展情况的专报"),
                ("issuer", "最高人民检察院"),
                ("as_of", "2020-06-30"),
                ("body", "一、整改工作进展\n{{整改进展}}"),
                ("task", &tid),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let preview = &r.body[r.body.find("id=\"preview\"").expect("a preview")..];
    assert!(
        preview.contains("重点整改任务")
            && preview.contains(&task.title)
            && preview.contains("第1期"),
        "{preview}"
    );
    // the sign-off through the API: the same decision as the page
    let api = format!("/api/v1{loc}/sign");
    let r = d
        .post_json(&api, &serde_json::json!({"opinion": "同意"}))
        .await;
    assert_ne!(
        r.status,
        StatusCode::OK,
        "the discipline group does not sign: {}",
        r.body
    );
    let mut leader = Client::login(&app, "leader").await;
    let r = leader
        .post_json(&api, &serde_json::json!({"opinion": "同意报送"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["meta"]["sign_opinion"], "同意报送", "{v}");
    let r = leader.post_json(&api, &serde_json::json!({})).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "signed once: {}",
        r.body
    );
    let r = d.post_form(&format!("{loc}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = d.get("/documents").await;
    assert!(r.body.contains("2020年第1期"), "{}", r.body);
    // a special report is not public
    let id = loc.trim_start_matches("/documents/");
    assert_eq!(
        Client::new(&app)
            .get(&format!("/public/bulletins/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The API door of the integrity rules: the same token cannot request and approve a closure, a
/// late entry needs its reason and is then shown with both times, and a grant never widens.
#[tokio::test]
async fn integrity_through_the_api() {
    let (app, store) = app().await;
    let head = |store: Store| async move {
        let r: (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        r
    };
    let mut c = Client::login(&app, "office").await;
    let r = c.post_form("/account/tokens", &[("name", "脚本")]).await;
    let i = r.body.find("id=\"new-token\">").unwrap() + 15;
    let token = r.body[i..i + 68].to_string();
    let admin = store.user_by_login("admin").await.unwrap().unwrap();
    let party = store
        .plan(&admin.scope(), "最高检党组巡视整改方案")
        .await
        .unwrap()
        .unwrap();
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
    let mut anon = Client::new(&app);
    let post = |path: String, v: serde_json::Value, tok: String| {
        Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {tok}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap()
    };
    let today = duban_store::testing::today();
    let entries = format!("/api/v1/tasks/{}/entries", task.id);
    let r = anon
        .send(post(
            entries.clone(),
            serde_json::json!({"kind": "closure_request", "date": today.to_string(), "body": "已完成",
                "files": [{"filename": "r.pdf", "content_base64": "JVBERi0xLjQ="}]}),
            token.clone(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let before = head(store.clone()).await;
    let r = anon
        .send(post(
            entries.clone(),
            serde_json::json!({"kind": "approve", "date": today.to_string(), "body": "同意"}),
            token.clone(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不能审核自己"), "{}", r.body);
    assert_eq!(head(store.clone()).await, before, "nothing written");
    // backdated beyond the grace: refused without a reason, kept and marked with one
    let old = (today - chrono::Duration::days(10)).to_string();
    let r = anon
        .send(post(
            entries.clone(),
            serde_json::json!({"kind": "progress", "date": old, "body": "补记"}),
            token.clone(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("补录原因"), "{}", r.body);
    let r = anon
        .send(post(
            entries.clone(),
            serde_json::json!({"kind": "progress", "date": old, "body": "补记", "late_reason": "出差返回后补录"}),
            token.clone(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = anon
        .send(
            Request::get(format!("/api/v1/tasks/{}", task.id))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let last = v["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["late_days"] == 10)
        .unwrap();
    assert_eq!(last["entry_date"], old);
    assert!(
        last["recorded_at"]
            .as_str()
            .unwrap()
            .starts_with(&chrono::Datelike::year(&today).to_string())
    );
    assert_eq!(v["ledger"][0]["late_days"], 0);
    // the task page shows the late entry (补录) and the request's author cannot approve there either
    let page = c.get(&format!("/rectification/tasks/{}", task.id)).await;
    assert!(page.body.contains("补录") && page.body.contains("出差返回后补录"));
    assert!(
        !page.body.contains("value=\"approve\""),
        "no approve choice for the request's author"
    );
    // an administrator of one basic unit grants no subtree scope
    let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
    store
        .create_user(
            &duban_store::Actor::system("t"),
            &duban_store::users::NewUser {
                login: "xihu.admin",
                display_name: "西湖区院管理员",
                password: "duban2020",
                role: duban_domain::org::Role::Admin,
                unit_id: xihu.id,
                subtree: false,
            },
        )
        .await
        .unwrap();
    let mut x = Client::login(&app, "xihu.admin").await;
    let r = x.post_form("/account/tokens", &[("name", "x")]).await;
    let i = r.body.find("id=\"new-token\">").unwrap() + 15;
    let xt = r.body[i..i + 68].to_string();
    let r = anon
        .send(post(
            "/api/v1/users".into(),
            serde_json::json!({"login": "xihu.wide", "display_name": "越权", "role": "office", "unit_code": "330106", "subtree": true, "password": "Str0ng-passw0rd!"}),
            xt.clone(),
        ))
        .await;
    assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);
    assert!(r.body.contains("超出本人范围"), "{}", r.body);
    // nor changes the nationwide rules
    let rules = [
        ("due_soon_days", "7"),
        ("stale_days", "30"),
        ("staged_every_days", "90"),
        ("yellow_after_days", "1"),
        ("red_after_days", "2"),
        ("reviewer_office", "on"),
    ];
    let r = x.post_form("/rectification/rules", &rules).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("全院"), "{}", r.body);
    assert_eq!(store.supervision_rules().await.unwrap().reviewers.len(), 2);
    assert!(store.user_by_login("xihu.wide").await.unwrap().is_none());
}

/// Hostile uploads on the page door, formula cells in exports, token rules, the proxy rule.
#[tokio::test]
async fn hardening_uploads_exports_tokens_and_proxies() {
    let store = testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = build_app(AppState::new(
        store.clone(),
        WebSettings {
            letters_per_minute: 2,
            trusted_proxies: vec![duban_web::proxy::Net::parse("10.0.0.0/8").unwrap()],
            ..WebSettings::default()
        },
    ));
    // a dimension bomb uploaded to the import page: a clear refusal, at once
    let mut admin = Client::login(&app, "admin").await;
    let csrf = admin.csrf.clone();
    for bomb in [
        duban_publish::sheet::hostile::dimension_bomb(),
        duban_publish::sheet::hostile::zip_bomb(),
    ] {
        if bomb.len() > 60 * 1024 {
            continue; // beyond this test app's upload limit: refused as too large before parsing
        }
        let (ct, body) = multipart("bomb.xlsx", &bomb);
        let t = std::time::Instant::now();
        let r = admin
            .post_raw(&format!("/org/import?kind=units&csrf={csrf}"), &ct, body)
            .await;
        assert!(r.status.is_client_error(), "{}", r.status);
        assert!(r.body.contains("超出限制"), "{}", r.body);
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
    }
    // an administrator sees delayed logins and clears one
    let mut guess = Client::new(&app);
    guess.get("/login").await;
    for _ in 0..4 {
        guess
            .post_form("/login", &[("login", "zj.office"), ("password", "guess")])
            .await;
    }
    let page = admin.get("/admin/users").await;
    let delayed = &page.body[page.body.find("id=\"delayed\"").unwrap()..];
    assert!(delayed.contains("zj.office"), "{delayed}");
    let csrf = admin.csrf.clone();
    let r = admin
        .post_form("/admin/throttles/clear", &[("login", "zj.office")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{csrf} {}", r.body);
    let page = admin.get("/admin/users").await;
    let delayed = &page.body[page.body.find("id=\"delayed\"").unwrap()..];
    assert!(!delayed.contains("zj.office"), "{delayed}");
    // a public letter that starts with a formula is exported inert
    let mut anon = Client::new(&app);
    let form = anon.get("/letters/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let spp = store.unit_by_code("100000").await.unwrap().unwrap();
    let r = anon
        .post_form(
            "/letters/new",
            &[
                ("unit", &spp.id.to_string()),
                ("category", "report"),
                ("name", "张三"),
                ("content", "=HYPERLINK(\"http://evil.example\",\"点击\")"),
            ],
        )
        .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.body
    );
    let mut letters = Client::login(&app, "letters").await;
    let today = duban_store::testing::today().to_string();
    let csv = letters
        .get(&format!("/letters/export?from={today}&to={today}"))
        .await;
    assert!(csv.body.contains("'=HYPERLINK"), "{}", csv.body);
    assert!(!csv.body.contains(",=HYPERLINK") && !csv.body.contains("\"=HYPERLINK"));
    // tokens: a token never makes another; a new password ends them; an expired one is refused
    let office = store.user_by_login("office").await.unwrap().unwrap();
    let token = store.create_token(&office, "t").await.unwrap();
    let bearer = |path: &str, method: &str, tok: &str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {tok}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("name=minted"))
            .unwrap()
    };
    let r = anon.send(bearer("/account/tokens", "POST", &token)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(store.tokens(office.id).await.unwrap().len(), 1);
    assert_eq!(
        anon.send(bearer("/api/v1/me", "GET", &token)).await.status,
        StatusCode::OK
    );
    store
        .set_password(
            &duban_store::Actor::system("t"),
            office.id,
            "Neues-Passw0rt!",
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        anon.send(bearer("/api/v1/me", "GET", &token)).await.status,
        StatusCode::UNAUTHORIZED,
        "a new password ends the tokens"
    );
    let leader = store.user_by_login("leader").await.unwrap().unwrap();
    let old = store.create_token(&leader, "old").await.unwrap();
    sqlx::query("UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000Z' WHERE user_id = $1")
        .bind(leader.id)
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        anon.send(bearer("/api/v1/me", "GET", &old)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // behind a trusted proxy each citizen has their own quota; a direct client cannot pretend
    let letter = |peer: &str, xff: Option<&str>, csrf: &str| {
        let body = serde_urlencoded::to_string([
            ("csrf", csrf),
            ("unit", &spp.id.to_string()),
            ("category", "consult"),
            ("content", "咨询"),
        ])
        .unwrap();
        let mut b = Request::post("/letters/new")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(x) = xff {
            b = b.header("x-forwarded-for", x);
        }
        let mut req = b.body(Body::from(body)).unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(
            format!("{peer}:4000")
                .parse::<std::net::SocketAddr>()
                .unwrap(),
        ));
        req
    };
    let mut citizen = Client::new(&app);
    citizen.get("/letters/new").await;
    let c = citizen.csrf.clone();
    for i in 0..6 {
        let r = citizen
            .send(letter("10.0.0.1", Some(&format!("198.51.100.{i}")), &c))
            .await;
        assert_ne!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "citizen {i} behind the proxy"
        );
    }
    let mut spoofer = Client::new(&app);
    spoofer.get("/letters/new").await;
    let c = spoofer.csrf.clone();
    let mut limited = false;
    for i in 0..4 {
        let r = spoofer
            .send(letter(
                "203.0.113.5",
                Some(&format!("198.51.100.{}", 50 + i)),
                &c,
            ))
            .await;
        limited |= r.status == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited, "a direct client's X-Forwarded-For is ignored");
    // HSTS only when served over HTTPS
    assert!(
        anon.get("/login")
            .await
            .headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
    let https = build_app(AppState::new(
        store.clone(),
        WebSettings {
            secure_cookies: true,
            ..WebSettings::default()
        },
    ));
    let r = Client::new(&https).get("/login").await;
    assert_eq!(
        r.headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
    // /metrics: not for a remote visitor
    let mut req = Request::get("/metrics").body(Body::empty()).unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        "203.0.113.5:4000".parse::<std::net::SocketAddr>().unwrap(),
    ));
    assert_eq!(anon.send(req).await.status, StatusCode::NOT_FOUND);
    // the language switch goes back only to a page of this site
    let mut req = Request::post("/account/lang")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::REFERER, "http://localhost/\\evil.example")
        .body(Body::from(format!("csrf={}&lang=en", anon.csrf)))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        "127.0.0.1:4000".parse::<std::net::SocketAddr>().unwrap(),
    ));
    let r = anon.send(req).await;
    assert_eq!(
        r.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/home")
    );
}

/// Idle half-requests: two thousand connections that send a request line and stop do not keep
/// others from being served, and are closed within the header timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_half_requests_are_dropped_and_others_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let store = testing::sqlite().await;
    let app = build_app(AppState::new(store, WebSettings::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(duban_web::serve(listener, app, std::future::pending()));
    // two thousand, or as many as this process's file limit leaves room for (each is two handles)
    let limit: usize = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(1024);
    let n = 2000.min(limit.saturating_sub(200) / 2);
    let mut idle = Vec::new();
    for _ in 0..n {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(mut s) => {
                let _ = s.write_all(b"GET / HTTP/1.1\r\n").await;
                idle.push(s);
            }
            Err(_) => break,
        }
    }
    // another address is served at once
    let t = std::time::Instant::now();
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let mut s = sock
        .connect(format!("127.0.0.1:{port}").parse().unwrap())
        .await
        .unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        t.elapsed()
    );
    // the idle ones are closed by the server within the header timeout
    tokio::time::sleep(duban_web::HEADER_TIMEOUT + std::time::Duration::from_secs(3)).await;
    let mut closed = 0;
    let checked = idle.len().min(200);
    for s in idle.iter_mut().take(checked) {
        let mut b = [0u8; 512];
        match tokio::time::timeout(std::time::Duration::from_millis(200), s.read(&mut b)).await {
            Ok(Ok(_)) | Ok(Err(_)) => closed += 1,
            Err(_) => {}
        }
    }
    assert_eq!(closed, checked, "idle half-requests are closed");
}

#[tokio::test]
async fn administrators_list_and_revoke_tokens_in_their_scope() {
    let (app, store) = app().await;
    let mut office = Client::login(&app, "office").await;
    let token = office.token().await;
    let mut anon = Client::new(&app);
    let me = |t: &str| {
        Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(anon.send(me(&token)).await.status, StatusCode::OK);
    let id = store
        .tokens(store.user_by_login("office").await.unwrap().unwrap().id)
        .await
        .unwrap()[0]
        .id;
    // an administrator of a basic unit does not see it and cannot revoke it
    let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
    store
        .create_user(
            &duban_store::Actor::system("t"),
            &duban_store::users::NewUser {
                login: "xihu.admin",
                display_name: "西湖区院管理员",
                password: "duban2020",
                role: duban_domain::org::Role::Admin,
                unit_id: xihu.id,
                subtree: false,
            },
        )
        .await
        .unwrap();
    let mut x = Client::login(&app, "xihu.admin").await;
    let page = x.get("/admin/users").await;
    assert!(!page.body.contains(&format!("/admin/tokens/{id}/revoke")));
    let r = x
        .post_form(&format!("/admin/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(anon.send(me(&token)).await.status, StatusCode::OK);
    // the national administrator sees it with its owner and revokes it
    let mut admin = Client::login(&app, "admin").await;
    let page = admin.get("/admin/users").await;
    assert!(page.body.contains("有效的 API 令牌"));
    assert!(page.body.contains(&format!("/admin/tokens/{id}/revoke")));
    let r = admin
        .post_form(&format!("/admin/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(anon.send(me(&token)).await.status, StatusCode::UNAUTHORIZED);
    assert!(
        !admin
            .get("/admin/users")
            .await
            .body
            .contains(&format!("/admin/tokens/{id}/revoke"))
    );
}

/// The workbench: the home page's counts are the API's and each opens a list of that many rows;
/// every label has its English; a kind a role does not have is an empty list; the demo's pinned
/// day is on every page.
#[tokio::test]
async fn the_workbench_on_the_home_page_and_through_the_api() {
    let (app, store) = app().await;
    store
        .pin_database(Some(duban_store::demo::DEMO_DAY))
        .await
        .unwrap();
    for login in ["office", "discipline", "letters", "leader", "xihu.office"] {
        let mut c = Client::login(&app, login).await;
        let home = c.get("/home").await;
        assert!(
            home.body.contains("演示数据 · 当前日期 2020-11-05"),
            "{login}"
        );
        let r = c.get("/api/v1/todo").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["as_of"], "2020-11-05");
        for item in v["items"].as_array().unwrap() {
            let (kind, count) = (
                item["kind"].as_str().unwrap(),
                item["count"].as_i64().unwrap(),
            );
            // the home page shows the same count, linking to the list
            assert!(
                home.body.contains(&format!(
                    "<a href=\"/todo/{kind}\"><span class=\"count\">{count}</span>"
                )),
                "{login}: {kind} {count} on the home page"
            );
            let page = c.get(&format!("/todo/{kind}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(
                page.body.contains(&format!("（{count}）")),
                "{login} {kind}"
            );
            let list = c.get(&format!("/api/v1/todo/{kind}")).await;
            let l: serde_json::Value = serde_json::from_str(&list.body).unwrap();
            assert_eq!(l["list"]["count"].as_i64(), Some(count));
            if l["list"]["next"].is_null() {
                assert_eq!(l["list"]["items"].as_array().unwrap().len() as i64, count);
            }
        }
    }
    // an unknown kind is not found; staff see only their own filing
    let mut staff = Client::login(&app, "office").await;
    assert_eq!(
        staff.get("/todo/nothing").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff.get("/api/v1/todo/nothing").await.status,
        StatusCode::NOT_FOUND
    );
    // in English every kind has its label
    let mut en = Client::login(&app, "office").await;
    en.post_form("/account/lang", &[("lang", "en")]).await;
    let home = en.get("/home").await;
    assert!(home.body.contains("To do") && home.body.contains("Demo data · today is 2020-11-05"));
    assert!(
        !home.body.contains("??"),
        "an untranslated label: {}",
        home.body
    );
    for k in duban_domain::todo::Kind::ALL {
        let page = en.get(&format!("/todo/{}", k.as_str())).await;
        assert!(!page.body.contains("??"), "{k:?}");
    }
}

/// The public form reaches every procuratorate of the four levels: the levels cascade (each
/// lists the units under the one chosen above), a search by name finds a county's unit with its
/// chain, and a letter goes to the deepest level chosen — never to a chain that does not hold.
#[tokio::test]
async fn the_public_writes_to_any_of_the_four_levels() {
    let (app, store) = app().await;
    let id = |code: &'static str| {
        let store = store.clone();
        async move { store.unit_by_code(code).await.unwrap().unwrap().id }
    };
    let (zj, hz, xihu, js) = (
        id("330000").await,
        id("330100").await,
        id("330106").await,
        id("320000").await,
    );
    let mut anon = Client::new(&app);
    let r = anon.get(&format!("/letters/units?parent={zj}")).await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(
        v["units"].as_array().unwrap().iter().any(|u| u["id"] == hz),
        "{v}"
    );
    let r = anon.get("/letters/units?q=西湖").await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let found = &v["units"][0];
    assert_eq!(found["id"], xihu, "{v}");
    assert_eq!(found["chain"], serde_json::json!([zj, hz, xihu]), "{v}");
    assert!(found["name"].as_str().unwrap().starts_with("浙江省"), "{v}");
    // LIKE's wildcards are not a way to list every unit
    let r = anon.get("/letters/units?q=%25").await;
    assert_eq!(r.body, "{\"units\":[]}");
    // without scripts: the search is a GET, its result opens the form with the chain chosen
    let r = anon.get("/letters/new?q=西湖").await;
    assert!(
        r.body
            .contains(&format!("href=\"/letters/new?unit={xihu}\"")),
        "{}",
        r.body
    );
    let r = anon.get(&format!("/letters/new?unit={xihu}")).await;
    for u in [zj, hz, xihu] {
        assert!(
            r.body.contains(&format!("value=\"{u}\" selected")),
            "{u}: {}",
            r.body
        );
    }
    // a chain that does not hold is refused with what was typed kept
    let (zj_s, hz_s, xihu_s, js_s) = (
        zj.to_string(),
        hz.to_string(),
        xihu.to_string(),
        js.to_string(),
    );
    let r = anon
        .post_form(
            "/letters/new",
            &[
                ("province", &js_s),
                ("city", &hz_s),
                ("county", &xihu_s),
                ("category", "report"),
                ("content", "西湖区某案久拖不决"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("不一致") && r.body.contains("久拖不决"),
        "{}",
        r.body
    );
    let r = anon
        .post_form(
            "/letters/new",
            &[
                ("province", &zj_s),
                ("city", &hz_s),
                ("county", &xihu_s),
                ("category", "report"),
                ("content", "西湖区某案久拖不决"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let unit: i64 = sqlx::query_scalar("SELECT unit_id FROM letters ORDER BY id DESC LIMIT 1")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(unit, xihu);
    // a province alone: the provincial procuratorate
    let r = anon
        .post_form(
            "/letters/new",
            &[
                ("province", &zj_s),
                ("city", ""),
                ("county", ""),
                ("category", "report"),
                ("content", "写给省院"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let unit: i64 = sqlx::query_scalar("SELECT unit_id FROM letters ORDER BY id DESC LIMIT 1")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(unit, zj);
}

/// Every page of every demo account's menu in English: the interface's own words — table
/// headings, buttons, legends, summaries, labels — carry no Chinese (data such as names and
/// titles stay as they were written).
#[tokio::test]
async fn every_menu_page_speaks_english() {
    let (app, store) = app().await;
    // what the data say stays as written: names and titles are taken out before looking
    let mut data: Vec<String> = Vec::new();
    for sql in [
        "SELECT name FROM units",
        "SELECT name FROM departments",
        "SELECT name FROM staff",
        "SELECT display_name FROM users",
        "SELECT title FROM plans",
        "SELECT title FROM rounds",
        "SELECT title FROM tasks",
        "SELECT title FROM problems",
        "SELECT title FROM meetings",
    ] {
        data.extend(
            sqlx::query_scalar::<_, String>(sql)
                .fetch_all(&store.pool)
                .await
                .unwrap_or_default(),
        );
    }
    data.retain(|d| !d.is_empty());
    data.sort_by_key(|d| std::cmp::Reverse(d.chars().count()));
    data.dedup();
    let han = |s: &str| {
        let mut s = s.to_string();
        for d in &data {
            if s.contains(d.as_str()) {
                s = s.replace(d.as_str(), "");
            }
        }
        // a Chinese term given in brackets after its English, as "Cases (案)", is a gloss
        let mut plain = String::new();
        let mut depth = 0;
        for ch in s.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth == 0 => plain.push(ch),
                _ => {}
            }
        }
        // the language switch names Chinese in Chinese
        plain != "中文"
            && plain
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    };
    // the text of each element `tag` (its own text, nested tags removed)
    fn texts(body: &str, tag: &str) -> Vec<String> {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut out = Vec::new();
        let mut rest = body;
        while let Some(i) = rest.find(&open) {
            let after = &rest[i + open.len()..];
            if !after.starts_with(['>', ' ']) {
                rest = after;
                continue;
            }
            let Some(j) = after.find(&close) else { break };
            let inner = &after[after.find('>').unwrap_or(0) + 1..j];
            // own text only: a label's select or textarea dropped, other tags stripped
            let mut inner = inner.to_string();
            for (o, c) in [("<select", "</select>"), ("<textarea", "</textarea>")] {
                while let Some(x) = inner.find(o) {
                    let y = inner[x..].find(c).map_or(inner.len(), |y| x + y + c.len());
                    inner.replace_range(x..y, "");
                }
            }
            let mut text = String::new();
            let mut in_tag = false;
            for ch in inner.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    _ if !in_tag => text.push(ch),
                    _ => {}
                }
            }
            out.push(text.trim().to_string());
            rest = &after[j..];
        }
        out
    }
    let mut problems = Vec::new();
    for (login, ..) in duban_store::demo::DEMO_USERS {
        let mut c = Client::login(&app, login).await;
        c.post_form("/account/lang", &[("lang", "en")]).await;
        let home = c.get("/home").await;
        let nav = &home.body[..home.body.find("<main").unwrap_or(home.body.len())];
        let mut pages: Vec<String> = nav
            .split("href=\"")
            .skip(1)
            .filter_map(|p| p.split('"').next())
            .filter(|h| h.starts_with('/') && !h.starts_with("/static") && !h.contains("logout"))
            .map(str::to_string)
            .collect();
        pages.push("/home".into());
        pages.extend(
            home.body
                .split("href=\"/todo/")
                .skip(1)
                .filter_map(|p| p.split('"').next())
                .map(|k| format!("/todo/{k}")),
        );
        pages.sort();
        pages.dedup();
        for page in pages {
            let r = c.get(&page).await;
            if r.status != StatusCode::OK {
                problems.push(format!("{login} {page}: {}", r.status));
                continue;
            }
            if r.body.contains("??") {
                problems.push(format!(
                    "{login} {page}: a key missing from the catalogue (??)"
                ));
            }
            for tag in ["th", "button", "legend", "summary", "label", "h2", "dt"] {
                for t in texts(&r.body, tag) {
                    if han(&t) {
                        problems.push(format!("{login} {page} <{tag}>: {t}"));
                    }
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "Chinese in the English interface:\n{}",
        problems.join("\n")
    );
}

/// The board and the 督办单 loop through the API: the same lists, filters and decision as the pages.
#[tokio::test]
async fn notices_through_the_api() {
    let (app, store) = app().await;
    store
        .sweep(chrono::NaiveDate::from_ymd_opt(2021, 1, 20).unwrap())
        .await
        .unwrap();
    store.pin_for_process(Some(chrono::NaiveDate::from_ymd_opt(2021, 1, 20).unwrap()));
    let mut leader = Client::login(&app, "leader").await;
    let r = leader
        .get("/api/v1/notices?level=red&state=unanswered")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let items = v["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{v}");
    assert!(
        items
            .iter()
            .all(|n| n["level"] == "red" && n["kind"] == "notice"),
        "{v}"
    );
    let id = items[0]["id"].as_i64().unwrap();
    // a promise in the past is refused; the office cannot answer the leader's notice
    let r = leader
        .post_json(
            &format!("/api/v1/notices/{id}/answer"),
            &serde_json::json!({"measures": "已部署整改", "promised_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let mut office = Client::login(&app, "office").await;
    let r = office
        .post_json(
            &format!("/api/v1/notices/{id}/answer"),
            &serde_json::json!({"measures": "代为回复", "promised_on": "2021-03-31"}),
        )
        .await;
    assert_ne!(r.status, StatusCode::OK, "{}", r.body);
    let r = leader
        .post_json(
            &format!("/api/v1/notices/{id}/answer"),
            &serde_json::json!({"measures": "已部署整改", "promised_on": "2021-03-31"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = office.get(&format!("/api/v1/notices/{id}")).await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["notice"]["promised_on"], "2021-03-31", "{v}");
    assert!(
        v["number"].as_str().unwrap().starts_with("督办〔2021〕"),
        "{v}"
    );
    let r = office.get("/api/v1/notices?state=answered").await;
    assert!(r.body.contains(&format!("\"id\":{id},")), "{}", r.body);
    assert_eq!(
        office.get("/api/v1/notices?state=maybe").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
