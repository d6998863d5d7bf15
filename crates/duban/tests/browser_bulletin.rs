//! The bulletin from the data in a real browser (issue 20): the office drafts the seed's
//! bulletin, reads the seed's figures in the preview, and follows a figure to the records it
//! counts — the published typical-case batches, the 涉疫 cases on the quality page — in Chinese
//! and in English. Screenshots in target/screenshots/bulletin-*.png.
mod common;
use common::*;

async fn text_of(c: &fantoccini::Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn scroll_to(c: &fantoccini::Client, css: &str) {
    c.execute(
        "document.querySelector(arguments[0]).scrollIntoView()",
        vec![serde_json::json!(css)],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn chromium_follows_the_bulletin_figures_to_their_records() {
    if !browser_wanted() {
        return;
    }
    let (store, base) = demo_server().await;
    store
        .load_demo_publications(&duban_publish::official::Official)
        .await
        .unwrap();
    let (_driver, c, shots) = browser().await;
    let shot = |name: &str| shots.join(format!("bulletin-{name}.png"));

    sign_in(&c, &base, "office").await;
    c.goto(&format!("{base}/documents")).await.unwrap();
    wait_h1(&c, "公文").await;
    choose(&c, "#new-document select[name=kind] option[value=bulletin]").await;
    c.execute(
        "document.querySelector('#new-document input[name=as_of]').value = '2020-11-05'",
        vec![],
    )
    .await
    .unwrap();
    for plan in ["最高检党组巡视整改方案（", "驻院纪检监察组巡视整改措施（"]
    {
        c.find(Locator::XPath(&format!(
            "//form[@id='new-document']//label[starts-with(normalize-space(.), '{plan}')]/input"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    }
    submit(&c, Locator::Css("#new-document button[type=submit]")).await;
    let preview = text_of(&c, "#preview").await;
    for want in [
        "87",
        "5次双周碰头会",
        "专报7期",
        "10批55个典型案例",
        "99.2%",
        "64件",
        "37.5%",
        "今年1至9月",
    ] {
        assert!(
            preview.contains(want),
            "{want} not in the preview: {preview}"
        );
    }
    scroll_to(&c, "#preview").await;
    std::fs::write(shot("preview"), c.screenshot().await.unwrap()).unwrap();
    scroll_to(&c, "#preview a[href^='/records/stats']").await;
    std::fs::write(shot("preview-work"), c.screenshot().await.unwrap()).unwrap();
    let draft = c.current_url().await.unwrap();

    // a figure leads to what it counts: the ten published batches
    submit(
        &c,
        Locator::Css("#preview a[href='/documents?kind=cases&state=published']"),
    )
    .await;
    wait_h1(&c, "公文").await;
    let list = text_of(&c, "main").await;
    assert_eq!(
        list.matches("典型案例（第").count(),
        10,
        "the ten batches: {list}"
    );
    scroll_to(&c, "#document-filters").await;
    std::fs::write(shot("cases"), c.screenshot().await.unwrap()).unwrap();

    // and the 涉疫 arrests to the quality page filtered on the tag
    c.goto(draft.as_str()).await.unwrap();
    submit(
        &c,
        Locator::Css("#preview a[href*='tag=%E6%B6%89%E7%96%AB']"),
    )
    .await;
    wait_h1(&c, "案件质量").await;
    let tag = c
        .find(Locator::Css("input[name=tag]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(tag, "涉疫");
    std::fs::write(shot("quality"), c.screenshot().await.unwrap()).unwrap();

    // in English: the page speaks English, the document stays in Chinese
    c.goto(draft.as_str()).await.unwrap();
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    c.goto(draft.as_str()).await.unwrap();
    let page = text_of(&c, "main").await;
    assert!(
        page.contains("Preview") || page.contains("preview"),
        "{page}"
    );
    assert!(page.contains("10批55个典型案例"), "{page}");
    // the data tokens, explained in English (in the markup help, folded)
    let help = c
        .execute(
            "return document.querySelector('main details.help').textContent",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        help.as_str()
            .is_some_and(|h| h.contains("typical-case batches and cases published")),
        "the tokens explained in English: {help}"
    );
    scroll_to(&c, "#preview").await;
    std::fs::write(shot("preview-en"), c.screenshot().await.unwrap()).unwrap();
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    c.close().await.unwrap();
}
