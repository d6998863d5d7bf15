//! Single sign-on against a real OpenID provider (panva's oidc-provider from npm, started by
//! scripts/oidc-test-server.sh and named by DUBAN_TEST_OIDC_ISSUER): code flow with PKCE, the
//! ID token's signature and nonce checked, the staff-number claim signing the person in.
mod common;
use axum::http::StatusCode;
use common::*;

const CALLBACK: &str = "http://127.0.0.1:8080/login/oidc/callback";

fn issuer() -> Option<String> {
    match std::env::var("DUBAN_TEST_OIDC_ISSUER") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("DUBAN_REQUIRE_OIDC").as_deref() != Ok("1"),
                "DUBAN_REQUIRE_OIDC=1 but DUBAN_TEST_OIDC_ISSUER is not set"
            );
            None
        }
    }
}

/// Plays the person at the provider: follows its redirects, fills its sign-in form with `login`
/// and confirms its consent form, until it sends the browser back to Duban's callback; returns
/// that address.
fn at_the_provider(start: &str, login: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let base = start.split("/auth").next().unwrap().to_string();
    let abs = |l: &str| {
        if l.starts_with("http") {
            l.to_string()
        } else {
            format!("{base}{l}")
        }
    };
    let mut cookies: Vec<(String, String)> = vec![];
    let mut next = (start.to_string(), None::<String>);
    for _ in 0..20 {
        let jar = cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut r = match &next.1 {
            None => agent.get(&next.0).header("Cookie", &jar).call().unwrap(),
            Some(form) => agent
                .post(&next.0)
                .header("Cookie", &jar)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .send(form.as_bytes())
                .unwrap(),
        };
        for sc in r.headers().get_all("set-cookie") {
            let kv = sc.to_str().unwrap().split(';').next().unwrap();
            if let Some((k, v)) = kv.split_once('=') {
                cookies.retain(|(ck, _)| ck != k);
                cookies.push((k.to_string(), v.to_string()));
            }
        }
        if let Some(loc) = r.headers().get("location") {
            let loc = abs(loc.to_str().unwrap());
            if loc.starts_with(CALLBACK) {
                return loc;
            }
            next = (loc, None);
            continue;
        }
        let body = r.body_mut().read_to_string().unwrap();
        // the provider's own form: its action and hidden fields, with the login typed
        let action = body
            .split("action=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("a form in {body}"));
        let mut fields: Vec<(String, String)> = body
            .split("<input")
            .skip(1)
            .filter(|i| i.contains("type=\"hidden\""))
            .filter_map(|i| {
                let attr = |a: &str| {
                    i.split(&format!("{a}=\""))
                        .nth(1)
                        .and_then(|s| s.split('"').next())
                        .map(str::to_string)
                };
                Some((attr("name")?, attr("value").unwrap_or_default()))
            })
            .collect();
        if body.contains("name=\"login\"") {
            fields.push(("login".into(), login.into()));
            fields.push(("password".into(), "any".into()));
        }
        let form = fields
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        next = (abs(action), Some(form));
    }
    panic!("the provider never sent the browser back");
}

#[tokio::test]
async fn single_sign_on_checks_the_provider_and_signs_the_staff_member_in() {
    let Some(issuer) = issuer() else { return };
    let store = duban_store::testing::sqlite().await;
    store.load_demo().await.unwrap();
    let app = duban_web::build_app(duban_web::AppState::new(
        store.clone(),
        duban_web::WebSettings {
            oidc: Some(duban_directory::oidc::OidcConfig {
                issuer: issuer.clone(),
                client_id: "duban".into(),
                client_secret: "duban-test-secret".into(),
                redirect_uri: CALLBACK.into(),
                scopes: "openid staff".into(),
                claim: "staff_no".into(),
                ..Default::default()
            }),
            ..Default::default()
        },
    ));
    let mut c = Client::new(&app);
    let page = c.get("/login").await;
    assert!(page.body.contains("统一身份认证登录"), "{}", page.body);
    let go = c.get("/login/oidc").await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    let to = go.headers["location"].to_str().unwrap().to_string();
    assert!(
        to.contains("code_challenge_method=S256") && to.contains("nonce="),
        "{to}"
    );
    // the demo's leader (staff number SPP0003) signs in at the provider
    let back = tokio::task::spawn_blocking(move || at_the_provider(&to, "spp0003"))
        .await
        .unwrap();
    let path = back.trim_start_matches("http://127.0.0.1:8080");
    // a forged state is refused before anything is exchanged
    let forged = path.replace("state=", "state=x");
    assert_eq!(c.get(&forged).await.status, StatusCode::BAD_REQUEST);
    let r = c.get(path).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let home = c.get("/home").await;
    assert_eq!(home.status, StatusCode::OK);
    let leader = store.user_by_login("leader").await.unwrap().unwrap();
    assert!(home.body.contains(&leader.display_name), "{}", home.body);
    // the same answer again: its state was spent with the cookie
    let again = c.get(path).await;
    assert_ne!(again.status, StatusCode::SEE_OTHER);

    // someone the provider knows but the roster does not
    let mut other = Client::new(&app);
    let go = other.get("/login/oidc").await;
    let to = go.headers["location"].to_str().unwrap().to_string();
    let back = tokio::task::spawn_blocking(move || at_the_provider(&to, "nobody"))
        .await
        .unwrap();
    let r = other
        .get(back.trim_start_matches("http://127.0.0.1:8080"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("没有您的有效账号"));
}
