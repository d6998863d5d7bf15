//! Identity through the doors: accounts opened on the import page, activation, the accounts
//! list, its bulk changes, export and sheet, and the same changes through the API.
mod common;
use axum::http::StatusCode;
use common::*;
use serde_json::json;

const STAFF: &str = "staff_id,name,unit_code,department,post,is_leader,joined_on,left_on,login,role\nW1,吴一,330106,第一检察部,检察官,0,2020-01-01,,,\nW2,吴二,330106,第一检察部,主任,0,,,wu.er,\n";

/// The code shown for `login` in a page's codes table.
fn code_of(body: &str, login: &str) -> String {
    let row = body
        .split("<tr>")
        .find(|r| r.contains(&format!("<td>{login}</td>")))
        .unwrap_or_else(|| panic!("{login} in {body}"));
    let i = row.find("<code>").unwrap() + 6;
    row[i..i + 23].to_string()
}

#[tokio::test]
async fn accounts_opened_on_the_import_page_are_activated_once_and_ended_at_once() {
    let (app, _store) = app().await;
    let mut admin = Client::login(&app, "admin").await;
    let page = admin.get("/org/import").await;
    assert!(page.body.contains("导入并开通账号"), "{}", page.body);
    let (ct, body) = multipart_form(&[], &[("人员.csv", STAFF.as_bytes())]);
    let csrf = admin.csrf.clone();
    let r = admin
        .post_raw(
            &format!("/org/import?kind=staff&accounts=1&csrf={csrf}"),
            &ct,
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("激活码（仅显示这一次）"), "{}", r.body);
    assert!(r.body.contains("data:text/csv;charset=utf-8;base64,"));
    let code = code_of(&r.body, "wu.er");

    // the person activates: a wrong code, two different passwords, then the code
    let mut wu = Client::new(&app);
    let p = wu.get("/activate").await;
    assert!(p.body.contains("密码要求"), "{}", p.body);
    let wrong = wu
        .post_form(
            "/activate",
            &[
                ("login", "wu.er"),
                ("code", "AAAAA-AAAAA-AAAAA-AAAAA"),
                ("password", "督办2026abc"),
                ("confirm", "督办2026abc"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("激活码不正确") && wrong.body.contains("value=\"wu.er\""));
    let differ = wu
        .post_form(
            "/activate",
            &[
                ("login", "wu.er"),
                ("code", &code),
                ("password", "督办2026abc"),
                ("confirm", "督办2026abd"),
            ],
        )
        .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = wu
        .post_form(
            "/activate",
            &[
                ("login", "wu.er"),
                ("code", &code),
                ("password", "督办2026abc"),
                ("confirm", "督办2026abc"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(wu.get("/home").await.status, StatusCode::OK);
    let token = wu.token().await;

    // the administrator's list: filters, export, the sheet of who has not activated
    let xihu = _store.unit_by_code("330106").await.unwrap().unwrap();
    let list = admin
        .get(&format!(
            "/admin/users?unit=330106&activated=0&after={}%7CW0",
            xihu.path
        ))
        .await;
    assert!(
        !list.body.contains("aria-label=\"xihu.office\""),
        "made with a password: activated"
    );
    assert!(
        list.body.contains("<td>W1</td>") && !list.body.contains("aria-label=\"wu.er\""),
        "{}",
        list.body
    );
    let csv = admin.get("/admin/users/export.csv?unit=330106").await;
    assert!(
        csv.body.contains("wu.er") && csv.body.contains("登录名"),
        "{}",
        csv.body
    );
    let sheet = admin.get("/admin/users/sheet?unit=330106").await;
    assert!(sheet.body.contains("第一检察部") && sheet.body.contains("吴一"));
    assert!(!sheet.body.contains("吴二"));

    // disabled in bulk: the session and the token end on their next request
    let id = _store
        .user_by_login("wu.er")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let r = admin
        .post_form("/admin/users/bulk", &[("id", &id), ("action", "disable")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(wu.get("/home").await.status, StatusCode::OK);
    let api = wu.send(api("GET", "/api/v1/me", &token, &json!({}))).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    // a role change without a reason is refused, with the reason it is made
    let r = admin
        .post_form(
            "/admin/users/bulk",
            &[("id", &id), ("action", "role"), ("role", "leader")],
        )
        .await;
    assert!(r.body.contains("更改角色须写明理由"), "{}", r.body);
}

#[tokio::test]
async fn the_api_lists_and_changes_accounts_within_scope() {
    let (app, store) = app().await;
    let mut admin = Client::login(&app, "admin").await;
    let token = admin.token().await;
    let r = admin
        .send(api(
            "GET",
            "/api/v1/accounts?role=staff",
            &token,
            &json!({}),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(
        v["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["role"] == "staff")
    );
    let staff = store.user_by_login("staff").await.unwrap().unwrap().id;
    let bare = admin
        .send(api(
            "POST",
            &format!("/api/v1/accounts/{staff}"),
            &token,
            &json!({"action": "role", "role": "leader"}),
        ))
        .await;
    assert_eq!(
        bare.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bare.body
    );
    let code = admin
        .send(api(
            "POST",
            &format!("/api/v1/accounts/{staff}"),
            &token,
            &json!({"action": "codes", "code_days": 3}),
        ))
        .await;
    let v: serde_json::Value = serde_json::from_str(&code.body).unwrap();
    assert_eq!(v["code"]["login"], "staff", "{}", code.body);
    // an account of another unit's administrator is not its to change
    let mut office = Client::login(&app, "xihu.office").await;
    let t2 = office.token().await;
    let r = office
        .send(api(
            "POST",
            &format!("/api/v1/accounts/{staff}"),
            &t2,
            &json!({"action": "disable"}),
        ))
        .await;
    assert!(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND);
    // English
    let mut en = Client::new(&app);
    en.get("/activate").await;
    en.post_form("/account/lang", &[("lang", "en")]).await;
    let p = en.get("/activate").await;
    assert!(p.body.contains("Activate your account"), "{}", p.body);
}

#[tokio::test]
async fn the_directory_signs_people_in_and_local_passwords_can_be_turned_off() {
    let url = match std::env::var("DUBAN_TEST_LDAP_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(std::env::var("DUBAN_REQUIRE_LDAP").as_deref() != Ok("1"));
            return;
        }
    };
    use std::io::Write;
    let pid = std::process::id();
    let base = format!("ou=web-{pid},ou=people,dc=duban,dc=test");
    let ldif = format!(
        "dn: {base}\nobjectClass: organizationalUnit\nou: web-{pid}\n\n\
         dn: uid=wa,{base}\nobjectClass: inetOrgPerson\nuid: wa\ncn: 目录甲\nsn: 目录\nemployeeNumber: WEB1\ndepartmentNumber: 330106\nou: 第一检察部\nuserPassword: pw-wa-2026\n"
    );
    let mut child = std::process::Command::new("ldapadd")
        .args([
            "-x",
            "-c",
            "-H",
            &url,
            "-D",
            "cn=admin,dc=duban,dc=test",
            "-w",
            "admin-secret",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ldif.as_bytes())
        .unwrap();
    child.wait().unwrap();
    let cfg = duban_directory::Config {
        url: url.clone(),
        bind_dn: "cn=reader,dc=duban,dc=test".into(),
        bind_password: "reader-secret".into(),
        base_dn: base.clone(),
        ..Default::default()
    };
    let store = duban_store::testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = |directory| {
        duban_web::build_app(duban_web::AppState::new(
            store.clone(),
            duban_web::WebSettings {
                directory,
                ..Default::default()
            },
        ))
    };
    let web = app(Some(cfg.clone()));
    let mut c = Client::new(&web);
    c.get("/login").await;
    let bad = c
        .post_form("/login", &[("login", "wa"), ("password", "wrong-2026")])
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let ok = c
        .post_form("/login", &[("login", "wa"), ("password", "pw-wa-2026")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let home = c.get("/home").await;
    assert!(home.body.contains("目录甲"), "{}", home.body);
    let u = store.user_by_login("wa").await.unwrap().unwrap();
    assert_eq!(u.unit_code, "330106");
    // local passwords off for 西湖: its local accounts no longer sign in with them
    let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
    store
        .set_password_login(&duban_store::Actor::system("test"), xihu.id, false)
        .await
        .unwrap();
    let mut local = Client::new(&web);
    local.get("/login").await;
    let r = local
        .post_form(
            "/login",
            &[("login", "xihu.office"), ("password", "duban2020")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // a directory that cannot be reached says so
    let down = app(Some(duban_directory::Config {
        url: "ldap://127.0.0.1:9".into(),
        timeout_secs: 2,
        ..cfg
    }));
    let mut d = Client::new(&down);
    d.get("/login").await;
    let r = d
        .post_form("/login", &[("login", "wa"), ("password", "pw-wa-2026")])
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("目录服务"), "{}", r.body);
}

#[tokio::test]
async fn local_passwords_are_turned_off_on_the_accounts_page_within_scope() {
    let (app, _store) = app().await;
    let mut admin = Client::login(&app, "admin").await;
    let r = admin
        .post_form(
            "/admin/users/passwords",
            &[("unit_code", "330102"), ("local", "off")],
        )
        .await;
    assert!(r.body.contains("已关闭本地密码登录"), "{}", r.body);
    // a unit administrator of 西湖 may not do it for 上城
    let mut c = Client::new(&app);
    c.get("/login").await;
    let ok = c
        .post_form(
            "/login",
            &[("login", "xihu.office"), ("password", "duban2020")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    c.get("/home").await;
    let r = c
        .post_form(
            "/admin/users/passwords",
            &[("unit_code", "330102"), ("local", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_sheet_issues_codes_again_and_the_list_finds_who_never_signed_in() {
    let (app, store) = app().await;
    let mut admin = Client::login(&app, "admin").await;
    let (ct, body) = multipart_form(&[], &[("人员.csv", STAFF.as_bytes())]);
    let csrf = admin.csrf.clone();
    admin
        .post_raw(
            &format!("/org/import?kind=staff&accounts=1&csrf={csrf}"),
            &ct,
            body,
        )
        .await;
    let r = admin
        .post_form("/admin/users/sheet/codes", &[("unit_code", "330106")])
        .await;
    assert!(r.body.contains("激活码（仅显示这一次）"), "{}", r.body);
    let code = code_of(&r.body, "wu.er");
    assert!(matches!(
        store.activate("wu.er", &code, "督办2026abc").await,
        Ok(duban_store::users::LoginOutcome::Ok { .. })
    ));
    // never signed in: the new accounts; the administrator has
    let idle = admin.get("/admin/users?idle=30&unit=100000").await;
    assert!(!idle.body.contains("aria-label=\"admin\""), "{}", idle.body);
    let idle = admin.get("/admin/users?idle=30&unit=330106").await;
    assert!(idle.body.contains("aria-label=\"W1\"") || idle.body.contains("下一页"));
    // a leaving date that comes later ends the account on that day's sweep
    let later = "staff_id,name,unit_code,department,post,is_leader,left_on\nW2,吴二,330106,第一检察部,主任,0,2030-01-31\n";
    let (ct, body) = multipart_form(&[], &[("人员.csv", later.as_bytes())]);
    let csrf = admin.csrf.clone();
    admin
        .post_raw(&format!("/org/import?kind=staff&csrf={csrf}"), &ct, body)
        .await;
    let day = chrono::NaiveDate::from_ymd_opt(2030, 1, 31).unwrap();
    assert_eq!(store.sweep_leavers(day).await.unwrap(), 1);
}
