//! A real browser: headless Chromium from Debian, driven over WebDriver, signs in as a demo user
//! and sees the Chinese home page. Screenshots land in target/screenshots/.
mod common;
use common::*;
use std::process::Command;
use std::time::Duration;

#[tokio::test]
async fn chromium_signs_in_and_sees_the_chinese_home_page() {
    if !browser_wanted() {
        return;
    }
    let store = duban_store::testing::sqlite().await;
    store.load_demo().await.unwrap();
    // as `duban serve --demo`: the demo's database runs on the seed's day
    store
        .pin_database(Some(duban_store::demo::DEMO_DAY))
        .await
        .unwrap();
    // the audit chain's head is signed, as the server does daily: it is published with documents
    store.sign_anchor(&[9u8; 32]).await.unwrap().unwrap();
    let admin = store.user_by_login("admin").await.unwrap().unwrap();
    let party = store
        .plan(&admin.scope(), "最高检党组巡视整改方案")
        .await
        .unwrap()
        .unwrap();
    let open_task = store
        .tasks(party.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| {
            t.state == duban_domain::rectification::TaskState::InProgress
                && t.category == duban_domain::rectification::Category::TimeLimited
        })
        .unwrap()
        .id;
    let base = serve(&store).await;

    let (_driver, c, shots) = common::browser().await;

    // a member of the public writes in without an account and follows the letter with its code
    c.goto(&format!("{base}/letters/new")).await.unwrap();
    wait_h1(&c, "网上信访").await;
    // a resident of 西湖区 writes to their own procuratorate: found by name, the choice fills the
    // province, city and county levels
    c.find(Locator::Css("input[data-unit-search]"))
        .await
        .unwrap()
        .send_keys("西湖")
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#unit-found a[data-unit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut chosen = Vec::new();
    for _ in 0..50 {
        chosen = c
            .execute(
                "return Array.from(document.querySelectorAll('#unit-levels select')).map(s => s.selectedOptions[0] ? s.selectedOptions[0].text : '');",
                vec![],
            )
            .await
            .map(|v| serde_json::from_value::<Vec<String>>(v).unwrap())
            .unwrap();
        if chosen.last().is_some_and(|c| c.contains("西湖区")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        chosen,
        [
            "浙江省人民检察院",
            "杭州市人民检察院",
            "杭州市西湖区人民检察院"
        ],
        "the three levels"
    );
    c.find(Locator::Css("select[name=category] option[value=report]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("textarea[name=content]"))
        .await
        .unwrap()
        .send_keys("举报某干部插手案件（浏览器测试）")
        .await
        .unwrap();
    std::fs::write(shots.join("letter-form.png"), c.screenshot().await.unwrap()).unwrap();
    c.find(Locator::Css("#letter-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut code = String::new();
    for _ in 0..50 {
        if let Ok(e) = c.find(Locator::Css("#query-code")).await {
            code = e.text().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if code.is_empty() {
        panic!(
            "no query code: {}",
            c.find(Locator::Css("main"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        );
    }
    assert_eq!(code.len(), 19, "{code}");
    std::fs::write(shots.join("letter-code.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/letters/status")).await.unwrap();
    c.find(Locator::Css("input[name=code]"))
        .await
        .unwrap()
        .send_keys(&code.to_lowercase())
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut status = String::new();
    for _ in 0..50 {
        if let Ok(e) = c.find(Locator::Css("main")).await {
            status = e.text().await.unwrap_or_default();
        }
        if status.contains("办理单位") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        status.contains("杭州市西湖区人民检察院") && !status.contains("插手案件"),
        "{status}"
    );
    std::fs::write(
        shots.join("letter-status.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    c.goto(&format!("{base}/")).await.unwrap();
    assert!(c.current_url().await.unwrap().as_str().ends_with("/login"));
    c.find(Locator::Css("input[name=login]"))
        .await
        .unwrap()
        .send_keys("office")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("duban2020")
        .await
        .unwrap();
    std::fs::write(shots.join("login.png"), c.screenshot().await.unwrap()).unwrap();
    c.find(Locator::Css("main.login button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = wait_h1(&c, "欢迎").await;
    assert!(c.current_url().await.unwrap().as_str().ends_with("/home"));
    assert_eq!(h1, "欢迎，周婷（整改办）");
    let body = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("整改办（督办员）")
            && body.contains("组织机构")
            && body.contains("最高人民检察院"),
        "{body}"
    );
    std::fs::write(shots.join("home-zh.png"), c.screenshot().await.unwrap()).unwrap();

    // the language switch, then the organisation page
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    wait_h1(&c, "Welcome").await;
    std::fs::write(shots.join("home-en.png"), c.screenshot().await.unwrap()).unwrap();
    submit(
        &c,
        Locator::Css("header form[action='/account/lang'] button"),
    )
    .await;
    wait_h1(&c, "欢迎").await;
    c.goto(&format!("{base}/org/units")).await.unwrap();
    let table = c
        .find(Locator::Css("main table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(table.contains("浙江省人民检察院"), "{table}");
    std::fs::write(shots.join("units.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/rectification/plans/1?as_of=2020-11-05"))
        .await
        .unwrap();
    let stats = c
        .find(Locator::Css("table.stats"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(stats.contains("限期整改 30 15 15"), "{stats}");
    std::fs::write(shots.join("plan.png"), c.screenshot().await.unwrap()).unwrap();

    // the letters list, 50 to a page: the next page starts after the first page's last row
    c.goto(&format!("{base}/letters")).await.unwrap();
    let rows = |c: fantoccini::Client| async move {
        let mut out = vec![];
        for r in c
            .find_all(Locator::Css(
                "main table tbody tr td:first-child a[href^='/letters/']",
            ))
            .await
            .unwrap()
        {
            out.push(r.attr("href").await.unwrap().unwrap_or_default());
        }
        out
    };
    let first = rows(c.clone()).await;
    assert_eq!(first.len(), 50, "{first:?}");
    c.find(Locator::LinkText("下一页"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str().contains("after=") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let second = rows(c.clone()).await;
    assert!(
        !second.is_empty() && second.iter().all(|h| !first.contains(h)),
        "{second:?}"
    );
    c.find(Locator::LinkText("第一页")).await.unwrap();
    std::fs::write(
        shots.join("letters-page2.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // cascade: issue the plan to the city procuratorates, then drill down from the SPP to 浙江
    c.goto(&format!("{base}/rectification/plans/1"))
        .await
        .unwrap();
    c.find(Locator::Css(
        "form[action='/rectification/plans/1/cascade'] select[name=level] option[value='3']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    submit(
        &c,
        Locator::Css("form[action='/rectification/plans/1/cascade'] button"),
    )
    .await;
    wait_h1(&c, "最高检党组巡视整改方案").await;
    let rollup = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("h2#rollup"))
        .await
        .unwrap();
    std::fs::write(
        shots.join("rollup.png"),
        rollup.screenshot().await.unwrap_or_default(),
    )
    .unwrap();
    c.find(Locator::XPath(
        "//tr[td[contains(., '浙江省人民检察院')]]//a[contains(., '展开下级')]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let mut drilled = String::new();
    for _ in 0..50 {
        if let Ok(e) = c.find(Locator::Css("main")).await {
            drilled = e.text().await.unwrap_or_default();
        }
        if drilled.contains("杭州市人民检察院") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        drilled.contains("浙江省人民检察院 · 返回上一级")
            && drilled.contains("杭州市人民检察院")
            && drilled.contains("宁波市人民检察院"),
        "{drilled}"
    );
    std::fs::write(
        shots.join("rollup-zhejiang.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // the supervision board pages its notices (newest first, with the unit of each copy): the
    // day's sweep has urged the copies just issued
    store
        .sweep(chrono::NaiveDate::from_ymd_opt(2020, 11, 5).unwrap())
        .await
        .unwrap();
    c.goto(&format!("{base}/rectification/board"))
        .await
        .unwrap();
    wait_h1(&c, "督办台").await;
    let board = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(board.contains("受理的检察院"), "{board}");
    std::fs::write(shots.join("board.png"), c.screenshot().await.unwrap()).unwrap();
    if board.contains("下一页") {
        submit(&c, Locator::LinkText("下一页")).await;
        wait_h1(&c, "督办台").await;
        assert!(c.current_url().await.unwrap().as_str().contains("after="));
        let page2 = c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page2.contains("第一页"), "{page2}");
        std::fs::write(shots.join("board-page2.png"), c.screenshot().await.unwrap()).unwrap();
    }

    // the workbench: the demo's day is shown, and each count opens a list of that many rows
    c.goto(&format!("{base}/home")).await.unwrap();
    wait_h1(&c, "欢迎").await;
    let home = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("演示数据 · 当前日期 2020-11-05")
            && home.contains("待办")
            && home.contains("即将到期或逾期的任务")
            && home.contains("已到期月份未报全的单位"),
        "{home}"
    );
    std::fs::write(shots.join("workbench.png"), c.screenshot().await.unwrap()).unwrap();
    let due = c
        .find(Locator::Css("li.todo-units_unfiled .count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_ne!(
        due, "0",
        "the demo's units did not all file October's reports"
    );
    submit(&c, Locator::Css("li.todo-units_unfiled a")).await;
    wait_h1(&c, "已到期月份未报全的单位").await;
    let listed = c
        .find_all(Locator::Css("table.todo-items tbody tr td a"))
        .await
        .unwrap()
        .len();
    assert_eq!(
        listed.to_string(),
        due,
        "the count opens a list of that many"
    );
    std::fs::write(shots.join("todo-list.png"), c.screenshot().await.unwrap()).unwrap();

    // a notice addressed to no lead leader (浙江's copy, never assigned) is answered by that
    // unit's office: a promise in the past is refused beside the form, with what was typed
    // kept; then the answer is recorded
    sign_in_as(&c, &base, "zj.office").await;
    let unaddressed: i64 = sqlx::query_scalar(
        "SELECT n.id FROM notices n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id \
         WHERE n.kind = 'notice' AND n.addressee_id IS NULL AND p.unit_id = (SELECT unit_id FROM users WHERE login = 'zj.office') \
         ORDER BY n.id LIMIT 1",
    )
    .fetch_one(&store.pool)
    .await
    .expect("a 浙江 notice with no lead leader");
    c.goto(&format!("{base}/rectification/notices/{unaddressed}"))
        .await
        .unwrap();
    wait_h1(&c, "").await;
    c.find(Locator::Css("textarea[name=measures]"))
        .await
        .unwrap()
        .send_keys("已召开专题会议，明确责任部门和时间表")
        .await
        .unwrap();
    c.execute(
        "document.querySelector('input[name=promised_on]').value = '2020-10-01';",
        vec![],
    )
    .await
    .unwrap();
    submit(&c, Locator::Css("form[action$='/answer'] button")).await;
    let err = c
        .find(Locator::Css("form p.error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(err.contains("承诺完成日期不能早于今天"), "{err}");
    let kept = c
        .find(Locator::Css("textarea[name=measures]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        kept.contains("明确责任部门"),
        "what was typed is kept: {kept}"
    );
    c.execute(
        "document.querySelector('input[name=promised_on]').value = '2020-12-31';",
        vec![],
    )
    .await
    .unwrap();
    submit(&c, Locator::Css("form[action$='/answer'] button")).await;
    let sheet = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        sheet.contains("已回复督办单")
            && sheet.contains("2020-12-31")
            && sheet.contains("明确责任部门"),
        "{sheet}"
    );
    std::fs::write(shots.join("notice.png"), c.screenshot().await.unwrap()).unwrap();
    // the 督办单 as a one-page PDF in the official style, with the answer
    let bytes = c
        .execute(
            "return fetch(document.getElementById('notice-pdf').href).then(r => r.arrayBuffer()).then(b => Array.from(new Uint8Array(b)));",
            vec![],
        )
        .await
        .unwrap();
    let bytes: Vec<u8> = serde_json::from_value(bytes).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    let pdf = shots.join("notice.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    let text = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text: String = String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.contains("督办单")
            && text.contains(&format!("〔2020〕{unaddressed}号"))
            && text.contains("未指定牵头领导")
            && text.contains("明确责任部门")
            && text.contains("2020-12-31")
            && text.contains("—1—"),
        "{text}"
    );
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")),
        "one page: {info}"
    );
    // the office's own workbench no longer lists it
    c.goto(&format!("{base}/todo/notices")).await.unwrap();
    wait_h1(&c, "").await;
    sign_in_as(&c, &base, "office").await;

    // the other supervised matters share the list; the rules page is readable to the office
    c.goto(&format!("{base}/rectification")).await.unwrap();
    let plans = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        plans.contains("重要指示批示") && plans.contains("检察建议") && plans.contains("制度建设"),
        "{plans}"
    );
    std::fs::write(shots.join("matters.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/rectification/rules"))
        .await
        .unwrap();
    wait_h1(&c, "督办规则").await;
    std::fs::write(shots.join("rules.png"), c.screenshot().await.unwrap()).unwrap();
    // the letters: the demo's reply rates come out of the data
    c.goto(&format!(
        "{base}/letters?from=2020-01-01&to=2020-09-30&as_of=2020-12-31"
    ))
    .await
    .unwrap();
    let rate = c
        .find(Locator::Css("#reply-rate"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(rate, "99.2%");
    std::fs::write(shots.join("letters.png"), c.screenshot().await.unwrap()).unwrap();
    // search in Chinese, then a letter with its urging record, then the backlog campaigns
    c.goto(&format!(
        "{base}/letters/search?q=%E5%8F%B8%E6%B3%95%E6%95%91%E5%8A%A9"
    ))
    .await
    .unwrap();
    wait_h1(&c, "全文检索").await;
    let hits = c.find_all(Locator::Css("#hits tbody a")).await.unwrap();
    assert!(!hits.is_empty(), "司法救助 finds the demo's letters");
    std::fs::write(
        shots.join("letters-search.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    hits[0].click().await.unwrap();
    wait_h1(&c, "群众信访件 #").await;
    let body = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("催办督办记录") && body.contains("公开听证"),
        "{body}"
    );
    std::fs::write(shots.join("letter.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/letters/campaigns")).await.unwrap();
    wait_h1(&c, "积案清理").await;
    std::fs::write(
        shots.join("letters-campaigns.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    // interference records: completeness per unit and department, and the planted flags
    c.goto(&format!("{base}/records?month=2020-03"))
        .await
        .unwrap();
    wait_h1(&c, "过问或干预").await;
    let src = c.source().await.unwrap();
    assert!(src.contains("└ 第七检察厅"), "departments under the unit");
    std::fs::write(shots.join("records.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/records/flags?from=2020-01&to=2020-09"))
        .await
        .unwrap();
    wait_h1(&c, "报告偏少").await;
    let src = c.source().await.unwrap();
    assert!(
        src.contains("第七检察厅") && src.contains("广东省人民检察院"),
        "the demo's planted under-reporters"
    );
    std::fs::write(
        shots.join("records-flags.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    // case quality: the demo's 案-件比, and the paperwork registry's change on the year before
    c.goto(&format!("{base}/quality")).await.unwrap();
    wait_h1(&c, "案件质量").await;
    let src = c.source().await.unwrap();
    assert!(
        src.contains("1:1.") && src.contains("认罪认罚适用率"),
        "the dashboard"
    );
    std::fs::write(shots.join("quality.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/paperwork")).await.unwrap();
    wait_h1(&c, "精文简会").await;
    let src = c.source().await.unwrap();
    assert!(
        src.contains("−8.6%") && src.contains("−37.5%"),
        "the seed's changes"
    );
    std::fs::write(shots.join("paperwork.png"), c.screenshot().await.unwrap()).unwrap();
    // documents: a bulletin of the party plan, previewed from the data, published, public
    c.goto(&format!("{base}/documents")).await.unwrap();
    wait_h1(&c, "公文").await;
    c.find(Locator::Css("#new-document input[name=plans]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(&c, Locator::Css("#new-document button[type=submit]")).await;
    wait_h1(&c, "整改进展情况通报").await;
    let src = c.source().await.unwrap();
    assert!(
        src.contains("项整改任务中") && src.contains("<svg"),
        "the preview"
    );
    std::fs::write(shots.join("document.png"), c.screenshot().await.unwrap()).unwrap();
    assert!(
        src.contains("id=\"publish-waits\""),
        "unsigned: no publishing"
    );
    let doc_url = c.current_url().await.unwrap().to_string();
    // the leader finds the draft on the workbench and signs it off (签发)
    sign_in_as(&c, &base, "leader").await;
    c.goto(&format!("{base}/todo/documents")).await.unwrap();
    wait_h1(&c, "待签发").await;
    let doc_path = doc_url[doc_url.find("/documents/").unwrap()..].to_string();
    submit(
        &c,
        Locator::Css(&format!("main table a[href='{doc_path}']")),
    )
    .await;
    wait_h1(&c, "整改进展情况通报").await;
    c.find(Locator::Css("#sign input[name=opinion]"))
        .await
        .unwrap()
        .send_keys("同意印发")
        .await
        .unwrap();
    submit_confirmed(&c, Locator::Css("#sign button"), "签发").await;
    wait_h1(&c, "整改进展情况通报").await;
    let src = c.source().await.unwrap();
    assert!(
        src.contains("已签发") && src.contains("同意印发"),
        "signed off"
    );
    std::fs::write(
        shots.join("document-signed.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    sign_in_as(&c, &base, "office").await;
    c.goto(&doc_url).await.unwrap();
    wait_h1(&c, "整改进展情况通报").await;
    // publishing is irreversible: the page asks first
    submit_confirmed(&c, Locator::Css("#publish button"), "确定发布").await;
    wait_h1(&c, "整改进展情况通报").await;
    let public = c
        .find(Locator::LinkText("公开页面"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    c.goto(&format!("{base}{public}")).await.unwrap();
    wait_h1(&c, "中共最高人民检察院党组").await;
    let src = c.source().await.unwrap();
    assert!(src.contains("意见建议"));
    assert!(
        src.contains("审计锚点"),
        "the published bulletin carries the signed head"
    );
    std::fs::write(
        shots.join("bulletin-public.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.goto(&format!("{base}/public/bulletins")).await.unwrap();
    wait_h1(&c, "").await;
    assert!(c.find(Locator::Css("#audit-anchor")).await.is_ok());
    std::fs::write(
        shots.join("anchor-public.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // integrity: a backdated ledger entry needs its reason; the form keeps what was typed
    c.goto(&format!("{base}/rectification/tasks/{open_task}"))
        .await
        .unwrap();
    wait_h1(&c, "").await;
    let old = (store.today() - chrono::Duration::days(10)).to_string();
    c.execute(
        "document.querySelector('input[name=date]').value = arguments[0];",
        vec![serde_json::json!(old)],
    )
    .await
    .unwrap();
    c.find(Locator::Css("textarea[name=body]"))
        .await
        .unwrap()
        .send_keys("十天前召开专题会议研究整改（浏览器补录）")
        .await
        .unwrap();
    c.find(Locator::Css(
        "#add-entry + form button[type=submit], form[action*=entries] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let mut err = String::new();
    for _ in 0..50 {
        if let Ok(e) = c.find(Locator::Css("p.error")).await {
            err = e.text().await.unwrap_or_default();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(err.contains("补录原因"), "{err}");
    let kept = c
        .find(Locator::Css("textarea[name=body]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        kept.contains("浏览器补录"),
        "the form keeps the text: {kept}"
    );
    std::fs::write(
        shots.join("task-late-refused.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.find(Locator::Css("input[name=late_reason]"))
        .await
        .unwrap()
        .send_keys("会议纪要印发后补录")
        .await
        .unwrap();
    c.find(Locator::Css("form[action*=entries] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut page = String::new();
    for _ in 0..50 {
        // the page may be between two documents: look again
        if let Ok(m) = c.find(Locator::Css("main")).await {
            page = m.text().await.unwrap_or_default();
        }
        if page.contains("会议纪要印发后补录") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(page.contains("补录 10 天"), "{page}");
    // a deadline change is a request, shown as awaiting approval
    c.execute(
        "document.querySelector('#adjustments ~ details').open = true;",
        vec![],
    )
    .await
    .unwrap();
    c.find(Locator::Css("select[name=field] option[value=deadline]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("input[name=value]"))
        .await
        .unwrap()
        .send_keys("2030-12-31")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=reason]"))
        .await
        .unwrap()
        .send_keys("双周会商研究认为需延期")
        .await
        .unwrap();
    c.find(Locator::Css(
        "form[action$=adjustments] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    for _ in 0..50 {
        // the page may be between two documents: look again
        if let Ok(m) = c.find(Locator::Css("main")).await {
            page = m.text().await.unwrap_or_default();
        }
        if page.contains("待审批") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        page.contains("待审批") && page.contains("2030-12-31"),
        "{page}"
    );
    std::fs::write(
        shots.join("task-integrity.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // the administrator: the audit log in words, delayed sign-ins
    submit(&c, Locator::Css("form[action='/logout'] button")).await;
    wait_h1(&c, "").await;
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
    c.goto(&format!("{base}/audit")).await.unwrap();
    wait_h1(&c, "审计日志").await;
    let audit = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        audit.contains("申请调整任务")
            && audit.contains("登记台账")
            && !audit.contains("ledger.add"),
        "{audit}"
    );
    std::fs::write(shots.join("audit.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/admin/users#delayed"))
        .await
        .unwrap();
    wait_h1(&c, "").await;
    std::fs::write(
        shots.join("users-delayed.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    // the administrator makes a token on its account page and sees it among the live tokens of
    // its scope, where it can revoke it
    c.goto(&format!("{base}/account")).await.unwrap();
    wait_h1(&c, "个人设置").await;
    c.find(Locator::Css(
        "form[action='/account/tokens'] input[name=name]",
    ))
    .await
    .unwrap()
    .send_keys("数据报送脚本")
    .await
    .unwrap();
    submit(
        &c,
        Locator::Css("form[action='/account/tokens'] button[type=submit]"),
    )
    .await;
    wait_h1(&c, "个人设置").await;
    c.goto(&format!("{base}/admin/users#tokens")).await.unwrap();
    wait_h1(&c, "账号管理").await;
    let tokens = c.find(Locator::Id("tokens")).await.unwrap();
    let table = c
        .find(Locator::Css("#tokens + p + table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("数据报送脚本") && table.contains("admin") && table.contains("吊销"),
        "{table}"
    );
    tokens.click().await.ok();
    std::fs::write(
        shots.join("users-tokens.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    // every role's home: its 待办, each count opening a list of as many
    for (login, ..) in duban_store::demo::DEMO_USERS {
        sign_in_as(&c, &base, login).await;
        let cards = c.find_all(Locator::Css("ul.todo-list li a")).await.unwrap();
        let mut seen = Vec::new();
        for a in cards {
            let href = a.attr("href").await.unwrap().unwrap();
            let count: usize = a
                .find(Locator::Css(".count"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
                .parse()
                .unwrap();
            seen.push((href, count));
        }
        assert!(!seen.is_empty(), "{login} has a workbench");
        std::fs::write(
            shots.join(format!("home-{login}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        for (href, count) in seen {
            c.goto(&format!("{base}{href}")).await.unwrap();
            wait_h1(&c, "").await;
            let h1 = c
                .find(Locator::Css("h1"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(h1.contains(&format!("（{count}）")), "{login} {href}: {h1}");
        }
    }
    c.close().await.unwrap();
}
