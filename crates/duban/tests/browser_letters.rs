//! Letters answered, in a real browser (issue 18): on a phone-sized window the public writes to a
//! basic procuratorate found by name and keeps the code; the letters officer acknowledges it and
//! downloads the numbered reply letter; the writer sees and downloads it on the status page and
//! rates the result; the templates page refuses an unknown placeholder; the pages in English.
//! Screenshots in target/screenshots/letters-*.png.
mod common;
use common::*;

#[tokio::test]
async fn chromium_writes_answers_downloads_and_rates_a_letter() {
    if !browser_wanted() {
        return;
    }
    let (store, base) = demo_server().await;
    store.set_public_url(&base);
    let (_driver, c, shots) = browser().await;
    let shot = |name: &str| shots.join(format!("letters-{name}.png"));

    // the writer, on a phone: finds 西湖区 by name, writes, leaves an e-mail address
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}/letters/new?q=西湖区"))
        .await
        .unwrap();
    wait_h1(&c, "网上信访").await;
    submit(&c, Locator::Css("#unit-found a")).await;
    let chosen = c
        .find(Locator::Css("select[name=county] option:checked"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(chosen, "杭州市西湖区人民检察院");
    choose(&c, "select[name=category] option[value=request]").await;
    fill(&c, "input[name=petitioner]", "李四").await;
    fill(&c, "input[name=email]", "li.si@example.cn").await;
    fill(
        &c,
        "textarea[name=content]",
        "请求对邻居占道经营一事依法处理并答复。",
    )
    .await;
    std::fs::write(shot("phone-form"), c.screenshot().await.unwrap()).unwrap();
    submit(&c, Locator::Css("#letter-form button[type=submit]")).await;
    let code = c
        .find(Locator::Css("#query-code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(code.len(), 19, "{code}");
    std::fs::write(shot("phone-code"), c.screenshot().await.unwrap()).unwrap();
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM letters")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    c.set_window_size(1280, 1000).await.unwrap();

    // the letters officer: a template with an unknown placeholder is refused, the text kept
    sign_in(&c, &base, "letters").await;
    c.goto(&format!("{base}/letters/templates")).await.unwrap();
    wait_h1(&c, "答复文书模板").await;
    fill(
        &c,
        "#template-ack textarea[name=body]",
        "{来信人}：\n{内容}\n联系人：{姓名}",
    )
    .await;
    submit(&c, Locator::Css("#template-ack button[value=save]")).await;
    let error = c
        .find(Locator::Css("#template-ack .error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.contains("姓名"), "{error}");
    std::fs::write(shot("template-refused"), c.screenshot().await.unwrap()).unwrap();

    // acknowledges the letter: a numbered reply letter, a sending queued to the writer
    c.goto(&format!("{base}/letters/{id}")).await.unwrap();
    wait_h1(&c, "群众信访件").await;
    choose(&c, "select[name=step] option[value=ack]").await;
    fill(
        &c,
        "textarea[name=body]",
        "您的来信由杭州市西湖区人民检察院控告申诉检察部办理，联系电话 0571-87000000。",
    )
    .await;
    submit(
        &c,
        Locator::Css("form[action$='/steps'] button[type=submit]"),
    )
    .await;
    let replies = c
        .find(Locator::Css("#reply-letters"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        replies.contains("信访事项程序性回复") && replies.contains("信复〔2020〕1号"),
        "{replies}"
    );
    let sends = c
        .find(Locator::Css("#sends + table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        sends.contains("l***@example.cn") && sends.contains("待发送"),
        "{sends}"
    );
    std::fs::write(shot("officer-letter"), c.screenshot().await.unwrap()).unwrap();
    let href = c
        .find(Locator::Css("#reply-letters a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let pdf = c
        .execute_async(
            "const [u, done] = arguments; fetch(u).then(r => r.arrayBuffer()).then(b => done(String.fromCharCode(...new Uint8Array(b.slice(0, 5)))));",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(
        pdf.as_str(),
        Some("%PDF-"),
        "the reply letter downloads as a PDF"
    );
    // then the result reply
    choose(&c, "select[name=step] option[value=reply]").await;
    fill(
        &c,
        "textarea[name=body]",
        "经调查，已移请城市管理部门处理，现答复如下。",
    )
    .await;
    submit(
        &c,
        Locator::Css("form[action$='/steps'] button[type=submit]"),
    )
    .await;

    // the writer: the status page in plain words, the reply letters, a rating
    submit(&c, Locator::Css("header form[action='/logout'] button")).await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}/letters/status")).await.unwrap();
    wait_h1(&c, "信访查询").await;
    fill(&c, "input[name=code]", &code).await;
    submit(&c, Locator::Css("form[action='/letters/status'] button")).await;
    let stage = c
        .find(Locator::Css(".stage"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(stage, "已答复");
    let listed = c
        .find(Locator::Css("#reply-letters"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        listed.contains("信复〔2020〕1号") && listed.contains("信复〔2020〕2号"),
        "{listed}"
    );
    std::fs::write(shot("phone-status"), c.screenshot().await.unwrap()).unwrap();
    choose(&c, "input[name=rating][value=unsatisfied]").await;
    fill(&c, "textarea[name=comment]", "处理结果未解决问题").await;
    submit(&c, Locator::Css("form[action='/letters/rate'] button")).await;
    let page = c.source().await.unwrap();
    assert!(
        page.contains("感谢您的评价") && page.contains("不满意"),
        "{page}"
    );
    std::fs::write(shot("phone-rated"), c.screenshot().await.unwrap()).unwrap();
    let reviewer: String = sqlx::query_scalar(
        "SELECT u.name FROM letters l JOIN units u ON u.id = l.review_unit_id WHERE l.id = $1",
    )
    .bind(id)
    .fetch_one(&store.pool)
    .await
    .unwrap();
    assert_eq!(reviewer, "杭州市人民检察院", "the unit above reviews");

    // the officer's page in English
    c.set_window_size(1280, 1000).await.unwrap();
    sign_in(&c, &base, "letters").await;
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    c.goto(&format!("{base}/letters/{id}")).await.unwrap();
    wait_h1(&c, "Letter").await;
    let page = c.source().await.unwrap();
    assert!(
        page.contains("Reply letters") && page.contains("Not satisfied") && !page.contains("??"),
        "{page}"
    );
    std::fs::write(shot("officer-letter-en"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/letters/templates")).await.unwrap();
    wait_h1(&c, "Reply letter templates").await;
    std::fs::write(shot("templates-en"), c.screenshot().await.unwrap()).unwrap();
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    c.close().await.unwrap();
}
