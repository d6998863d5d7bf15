//! Tests of composition, parsing and the generated sentences.
use super::*;
use crate::rectification::{ClosableStats, LongTermStats, PlanStats};

fn party() -> PlanFigures {
    PlanFigures {
        id: 7,
        body: "党组".into(),
        title: "最高检党组巡视整改方案".into(),
        stats: PlanStats {
            total: 87,
            immediate: ClosableStats::default(),
            time_limited: ClosableStats {
                total: 30,
                closed: 15,
                open: 15,
                overdue: 0,
            },
            long_term: LongTermStats {
                total: 57,
                with_staged_results: 57,
                overdue: 0,
            },
        },
        overdue: vec![],
        levels: vec![],
        departments: vec![],
        deadline_adjusted: 0,
    }
}

#[test]
fn adjusted_deadlines_are_mentioned() {
    let mut p = party();
    p.deadline_adjusted = 2;
    assert_eq!(
        progress_sentences(&p).last().unwrap(),
        "另有2项任务经审批调整了完成时限。"
    );
}

#[test]
fn the_seed_sentences_come_out_of_the_figures() {
    assert_eq!(
        progress_sentences(&party()),
        vec![
            "党组研究确定的87项整改任务中，限期整改的30项已完成15项，正在整改的15项按照时限要求有序推进；对长期整改的57项，均已取得阶段性成效。"
        ]
    );
    let mut d = party();
    d.stats.immediate = ClosableStats {
        total: 17,
        closed: 17,
        open: 0,
        overdue: 0,
    };
    d.stats.time_limited.total = 15;
    d.stats.long_term.total = 17;
    assert_eq!(
        breakdown_sentence(&d),
        "其中，应立行立改的17项，限期整改15项，长期整改17项。"
    );
}

#[test]
fn wording_adapts_to_the_data() {
    let mut p = party();
    p.stats.time_limited = ClosableStats {
        total: 30,
        closed: 30,
        open: 0,
        overdue: 0,
    };
    let s = progress_sentences(&p).join("");
    assert!(s.contains("限期整改的30项已全部完成"), "{s}");
    assert!(
        !s.contains("立行立改"),
        "an empty category is left out: {s}"
    );
    p.stats.time_limited = ClosableStats {
        total: 30,
        closed: 20,
        open: 10,
        overdue: 2,
    };
    p.overdue = vec!["建立检察官惩戒制度".into(), "完善案件评查机制".into()];
    let s = progress_sentences(&p);
    assert!(
        s[0].contains("正在整改10项，其中2项已超过整改时限"),
        "{s:?}"
    );
    assert!(
        s[1].contains("“建立检察官惩戒制度”、“完善案件评查机制”"),
        "{s:?}"
    );
    p.levels = vec![(2, 3, p.stats.clone())];
    assert!(rollup_sentences(&p)[0].contains(
        "省级检察院3个，承担整改任务87项，立行立改和限期整改的30项已完成20项（完成率66.7%）"
    ));
    assert!(rollup_sentences(&party()).is_empty());
}

fn round() -> RoundFacts {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    RoundFacts {
        title: "十九届中央第四轮巡视".into(),
        inspector: "中央第四巡视组".into(),
        central: true,
        inspected_from: d("2019-09-09"),
        inspected_to: d("2019-11-25"),
        feedback: d("2020-01-03"),
        org: "最高人民检察院党组".into(),
        own: true,
    }
}

#[test]
fn composition_checks_dates_tasks_and_markup() {
    let draft = Draft {
        body: default_body(Kind::Bulletin),
        contact: "电话010-65200277".into(),
        ..Draft::default()
    };
    let r = round();
    let plans = [party()];
    let extras = Extras::default();
    let mut inp = Inputs {
        kind: Kind::Bulletin,
        draft: &draft,
        round: Some(&r),
        plans: &plans,
        extras: &extras,
        as_of: NaiveDate::from_ymd_opt(2020, 11, 5).unwrap(),
        number: None,
    };
    let doc = compose(&inp).unwrap();
    assert!(doc.generated().iter().any(|g| g.contains("87项")));
    // the plan's figures link to the plan's page
    let linked = doc.blocks.iter().any(|b| {
        matches!(b, Block::Para { spans } if spans.iter().any(|s| s.text.contains("87项")
            && s.link.as_deref() == Some("/rectification/plans/7")))
    });
    assert!(linked, "{:?}", doc.blocks);
    assert!(
        matches!(&doc.blocks[0], Block::Para { spans } if spans[0].text.starts_with("根据中央统一部署"))
    );
    assert!(
        matches!(doc.blocks.last(), Some(Block::Para { spans }) if spans[0].text.contains("010-65200277"))
    );
    inp.as_of = NaiveDate::from_ymd_opt(2019, 12, 1).unwrap();
    assert!(
        compose(&inp)
            .unwrap_err()
            .to_string()
            .contains("早于巡视意见反馈日期")
    );
    inp.as_of = NaiveDate::from_ymd_opt(2020, 11, 5).unwrap();
    let empty = [PlanFigures {
        title: "空方案".into(),
        ..PlanFigures::default()
    }];
    inp.plans = &empty;
    assert!(
        compose(&inp)
            .unwrap_err()
            .to_string()
            .contains("尚无整改任务")
    );
    inp.plans = &plans;
    let bad = Draft {
        body: "一、标题\n<b>加粗没有结束".into(),
        ..Draft::default()
    };
    inp.draft = &bad;
    assert_eq!(
        compose(&inp).unwrap_err().to_string(),
        "第 2 行：<b> 没有对应的 </b>"
    );
    // progress is carried even when the office left the token out
    let plain = Draft {
        body: "一、总体情况\n正文。".into(),
        ..Draft::default()
    };
    inp.draft = &plain;
    let doc = compose(&inp).unwrap();
    assert!(doc.generated().iter().any(|g| g.contains("87项整改任务")));
    let wrong = Draft {
        body: "{{整改进展:3}}".into(),
        ..Draft::default()
    };
    inp.draft = &wrong;
    assert!(
        compose(&inp)
            .unwrap_err()
            .to_string()
            .contains("第 3 个方案不存在")
    );
}

#[test]
fn office_markup_is_checked_and_sanitised() {
    let p = parse_office("（一）从讲政治高度抓整改。党组<b>一致</b>认为<script>alert(1)</script><span style=\"x\">好</span>\n\n1.积极履职。内容\n二十、结尾").unwrap();
    assert_eq!(p.lines.len(), 3);
    assert!(matches!(&p.lines[0], Line::Heading2(_)));
    assert!(matches!(&p.lines[1], Line::Heading3(_)));
    assert!(matches!(&p.lines[2], Line::Heading1(_)));
    assert_eq!(p.removed.len(), 3, "{:?}", p.removed);
    let Line::Heading2(pieces) = &p.lines[0] else {
        panic!()
    };
    let text: String = pieces
        .iter()
        .map(|x| match x {
            Piece::Text(s) => s.text.clone(),
            _ => String::new(),
        })
        .collect();
    assert_eq!(text, "（一）从讲政治高度抓整改。党组一致认为好");
    assert!(parse_office("</b>x").unwrap_err().contains("之前没有 <b>"));
    assert!(
        parse_office("{{不存在}}")
            .unwrap_err()
            .contains("不认识的数据标记")
    );
    assert!(parse_office("{{整改进展").unwrap_err().contains("没有对应"));
    assert!(
        parse_office("文字{{图:部门}}")
            .unwrap_err()
            .contains("单独成行")
    );
    let Block::Heading2 { head, rest } = run_in(
        vec![Span::plain("（一）从讲政治高度抓整改。党组认为")],
        true,
    ) else {
        panic!()
    };
    assert_eq!(head, "（一）从讲政治高度抓整改。");
    assert_eq!(rest[0].text, "党组认为");
}

#[test]
fn numbers_in_chinese() {
    assert_eq!(cn_number(1), "一");
    assert_eq!(cn_number(10), "十");
    assert_eq!(cn_number(12), "十二");
    assert_eq!(cn_number(55), "五十五");
}
