//! The discipline desk in a real browser (issue 19): the group registers a clue, disposes of it
//! at a monthly review, concludes it, assesses a look-back and reads the register; another role
//! finds nothing there. Screenshots in target/screenshots/desk-*.png.
mod common;
use common::*;

#[tokio::test]
async fn chromium_works_the_discipline_desk() {
    if !browser_wanted() {
        return;
    }
    let (_store, base) = demo_server().await;
    let (_driver, c, shots) = browser().await;
    let shot = |name: &str| shots.join(format!("desk-{name}.png"));

    sign_in(&c, &base, "discipline").await;
    submit(&c, Locator::Css("nav.main a[href='/discipline']")).await;
    wait_h1(&c, "纪检监察工作台").await;
    let figures = c
        .find(Locator::Css("#clue-figures"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(figures.contains("巡视移交"), "{figures}");
    std::fs::write(shot("overview"), c.screenshot().await.unwrap()).unwrap();

    // a clue registered, then decided at this month's review
    fill(&c, "#clue-form input[name=clue_no]", "JJ2020-901").await;
    choose(
        &c,
        "#clue-form select[name=source] option[value=inspection]",
    )
    .await;
    fill(&c, "#clue-form input[name=subject_name]", "某检察官").await;
    fill(
        &c,
        "#clue-form textarea[name=summary]",
        "反映其违规过问他人承办案件",
    )
    .await;
    submit(&c, Locator::Css("#clue-form button[type=submit]")).await;
    wait_h1(&c, "问题线索 JJ2020-901").await;
    c.goto(&format!("{base}/discipline/reviews")).await.unwrap();
    wait_h1(&c, "月度研究执纪审查").await;
    fill(&c, "#review-form input[name=month]", "2020-11").await;
    submit(&c, Locator::Css("#review-form button[type=submit]")).await;
    let agenda = c
        .find(Locator::Css("#agenda"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(agenda.contains("JJ2020-901"), "{agenda}");
    let row = "//section[@id='agenda']//tr[td/a[text()='JJ2020-901']]";
    c.find(Locator::XPath(&format!(
        "{row}//select[@name='code']/option[@value='verify']"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    submit(&c, Locator::XPath(&format!("{row}//button"))).await;
    let decisions = c
        .find(Locator::Css("#decisions"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        decisions.contains("JJ2020-901") && decisions.contains("初步核实"),
        "{decisions}"
    );
    std::fs::write(shot("review"), c.screenshot().await.unwrap()).unwrap();

    // concluded on its page
    submit(&c, Locator::XPath(&format!("{row}//a"))).await;
    choose(
        &c,
        "#conclude-form select[name=code] option[value=admonition]",
    )
    .await;
    submit(&c, Locator::Css("#conclude-form button[type=submit]")).await;
    let outcome = c
        .find(Locator::Css("#outcome"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(outcome.contains("诫勉"), "{outcome}");
    std::fs::write(shot("clue"), c.screenshot().await.unwrap()).unwrap();

    // the 2017–2019 look-back of the demo, and the register
    c.goto(&format!("{base}/discipline/lookbacks"))
        .await
        .unwrap();
    wait_h1(&c, "问题线索").await;
    submit(&c, Locator::Css("#lookbacks a")).await;
    let figures = c
        .find(Locator::Css("#lookback-figures"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(figures.contains("处置不当，已纠正 2"), "{figures}");
    std::fs::write(shot("lookback"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/discipline/violations"))
        .await
        .unwrap();
    wait_h1(&c, "违纪违法立案查处").await;
    std::fs::write(shot("violations"), c.screenshot().await.unwrap()).unwrap();

    // a recommendation issued, numbered in its year, beside the 2019 No. 1 and its follow-up
    submit(&c, Locator::Css("nav.main a[href='/discipline']")).await;
    submit(
        &c,
        Locator::Css("p.actions a[href='/discipline/recommendations']"),
    )
    .await;
    wait_h1(&c, "纪检监察建议书").await;
    fill(&c, "#recommendation-form input[name=unit_code]", "100A03").await;
    fill(
        &c,
        "#recommendation-form input[name=title]",
        "关于加强培训经费管理的纪检监察建议书",
    )
    .await;
    submit(&c, Locator::Css("#recommendation-form button[type=submit]")).await;
    let list = c
        .find(Locator::Css("#recommendations"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("2020年第1号") && list.contains("2019年第1号") && list.contains("2/3"),
        "{list}"
    );
    std::fs::write(shot("recommendations"), c.screenshot().await.unwrap()).unwrap();

    // the quarterly analysis: a confidential document from the register
    c.goto(&format!("{base}/discipline")).await.unwrap();
    submit(
        &c,
        Locator::Css("p.actions a[href='/documents?kind=violations']"),
    )
    .await;
    choose(
        &c,
        "#new-document select[name=kind] option[value=violations]",
    )
    .await;
    c.execute(
        "document.querySelector('#new-document input[name=as_of]').value = '2020-09-30';",
        vec![],
    )
    .await
    .unwrap();
    submit(&c, Locator::Css("#new-document button[type=submit]")).await;
    let body = c.source().await.unwrap();
    assert!(
        body.contains("机密") && body.contains("2020年第三季度") && body.contains("共立案查处"),
        "{body}"
    );
    std::fs::write(shot("analysis"), c.screenshot().await.unwrap()).unwrap();

    // in English
    c.goto(&format!("{base}/discipline/recommendations"))
        .await
        .unwrap();
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    c.goto(&format!("{base}/discipline/recommendations"))
        .await
        .unwrap();
    wait_h1(&c, "Discipline recommendations").await;
    std::fs::write(shot("recommendations-en"), c.screenshot().await.unwrap()).unwrap();
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    c.goto(&format!("{base}/discipline")).await.unwrap();
    wait_h1(&c, "The discipline desk").await;
    std::fs::write(shot("overview-en"), c.screenshot().await.unwrap()).unwrap();
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;

    // the office finds no desk: no link, and the address answers as a missing page
    sign_in_as(&c, &base, "office").await;
    assert!(
        c.find(Locator::Css("nav.main a[href='/discipline']"))
            .await
            .is_err()
    );
    c.goto(&format!("{base}/discipline")).await.unwrap();
    let body = c.source().await.unwrap();
    assert!(
        !body.contains("纪检监察工作台") && !body.contains("JJ2020"),
        "{body}"
    );
    c.close().await.unwrap();
}
