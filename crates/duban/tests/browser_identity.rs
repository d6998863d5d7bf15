//! Identity in a real browser: an administrator opens accounts for a roster on the import page
//! and sees the codes once; the person activates at /activate and lands on the workbench; the
//! accounts list filters, ticks and disables; the pages in English. Screenshots in
//! target/screenshots/identity-*.png.
mod common;
use common::*;

#[tokio::test]
async fn chromium_opens_accounts_activates_one_and_disables_it() {
    if !browser_wanted() {
        return;
    }
    let (store, base) = demo_server().await;
    let (_driver, c, shots) = browser().await;
    let shot = |name: &str| shots.join(format!("identity-{name}.png"));

    // the administrator signs in and imports a roster, opening accounts
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Css("input[name=login]"))
        .await
        .unwrap()
        .send_keys("admin")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("duban2020")
        .await
        .unwrap();
    submit(&c, Locator::Css("main.login button[type=submit]")).await;
    wait_h1(&c, "欢迎").await;
    let file = std::env::temp_dir().join(format!("duban-roster-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        "staff_id,name,unit_code,department,post,is_leader,joined_on\nB1,柏一,330106,第一检察部,检察官,0,2020-01-01\nB2,柏二,330106,第一检察部,主任,0,\n",
    )
    .unwrap();
    c.goto(&format!("{base}/org/import")).await.unwrap();
    wait_h1(&c, "导入").await;
    let staff_form = Locator::Css("form[action*='kind=staff'] input[type=file]");
    c.find(staff_form)
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    submit(&c, Locator::Css("button[formaction*='accounts=1']")).await;
    let codes = c.find(Locator::Css("#codes")).await.unwrap();
    let text = codes.text().await.unwrap();
    assert!(text.contains("B1") && text.contains("激活码"), "{text}");
    std::fs::write(shot("codes"), c.screenshot().await.unwrap()).unwrap();
    let code = c
        .find(Locator::XPath(
            "//section[@id='codes']//tr[td[text()='B1']]//code",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    // the person activates with the code from the sheet
    submit(&c, Locator::Css("header form[action='/logout'] button")).await;
    c.goto(&format!("{base}/login")).await.unwrap();
    submit(&c, Locator::Css("a[href='/activate']")).await;
    wait_h1(&c, "激活账号").await;
    for (name, value) in [
        ("login", "B1"),
        ("code", code.as_str()),
        ("password", "柏一督办2026"),
        ("confirm", "柏一督办2026"),
    ] {
        c.find(Locator::Css(&format!("input[name={name}]")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    std::fs::write(shot("activate"), c.screenshot().await.unwrap()).unwrap();
    submit(&c, Locator::Css("main.login button[type=submit]")).await;
    let h1 = wait_h1(&c, "欢迎").await;
    assert!(h1.contains("柏一"), "{h1}");
    std::fs::write(shot("first-home"), c.screenshot().await.unwrap()).unwrap();

    // the administrator finds the other, not yet activated, and disables them
    sign_in_as(&c, &base, "admin").await;
    c.goto(&format!("{base}/admin/users?unit=330106&activated=0"))
        .await
        .unwrap();
    wait_h1(&c, "账号管理").await;
    std::fs::write(shot("accounts"), c.screenshot().await.unwrap()).unwrap();
    let b2 = store.user_by_login("B2").await.unwrap().unwrap();
    let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
    c.goto(&format!(
        "{base}/admin/users?unit=330106&after={}%7CB1",
        xihu.path
    ))
    .await
    .unwrap();
    wait_h1(&c, "账号管理").await;
    c.find(Locator::Css(&format!("input[name=id][value='{}']", b2.id)))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("select[name=action] option[value=disable]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit_confirmed(&c, Locator::Css("#bulk fieldset button"), "确认").await;
    let flash = c.source().await.unwrap();
    assert!(flash.contains("已处理账号 1"), "{flash}");
    assert!(store.user(b2.id).await.unwrap().is_some());
    let disabled: i64 = sqlx::query_scalar("SELECT disabled FROM users WHERE login = 'B2'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(disabled, 1);
    c.goto(&format!("{base}/admin/users/sheet?unit=330106"))
        .await
        .unwrap();
    wait_h1(&c, "杭州市西湖区人民检察院").await;
    std::fs::write(shot("sheet"), c.screenshot().await.unwrap()).unwrap();

    // in English
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    c.goto(&format!("{base}/admin/users")).await.unwrap();
    wait_h1(&c, "Accounts").await;
    std::fs::write(shot("accounts-en"), c.screenshot().await.unwrap()).unwrap();
    submit(&c, Locator::Css("header form[action='/logout'] button")).await;
    c.goto(&format!("{base}/activate")).await.unwrap();
    wait_h1(&c, "Activate your account").await;
    std::fs::write(shot("activate-en"), c.screenshot().await.unwrap()).unwrap();
    c.close().await.unwrap();
    let _ = std::fs::remove_file(&file);
}
