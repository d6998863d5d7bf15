//! How a letter is answered and routed (issue 18): the rule of every step on a letter, the reply
//! letters composed from each unit's templates, what is sent to the writer, 交办 report-backs,
//! transfers out of the procuratorates and the writer's rating.
use super::Step;
use crate::documents::{Block, Document, Kind, Span};
use crate::rectification::RuleError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

crate::records::labelled!(ReplyKind {
    Ack = "ack", "信访事项程序性回复";
    Reply = "reply", "信访事项答复书";
    Progress = "progress", "信访事项办理进展告知书";
    TransferNotice = "transfer_notice", "信访事项转送告知书";
    TransferOut = "transfer_out", "信访事项转送函";
    Review = "review", "信访事项复查意见书";
} "答复文书类别");

crate::records::labelled!(OrganKind {
    Court = "court", "人民法院";
    Police = "police", "公安机关";
    Discipline = "discipline", "纪检监察机关";
    Government = "government", "政府部门";
    Other = "other", "其他机关";
} "机关类别");

crate::records::labelled!(Rating {
    Satisfied = "satisfied", "满意";
    Basic = "basic", "基本满意";
    Unsatisfied = "unsatisfied", "不满意";
} "评价");

impl ReplyKind {
    /// The placeholders a template must hold: the officer's text always, the organ for transfers.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            ReplyKind::TransferNotice | ReplyKind::TransferOut => &["内容", "去向"],
            _ => &["内容"],
        }
    }
    /// The reply letter a step produces, if any (the letter is out: the writer's reply tells them
    /// where it went).
    pub fn of_step(step: Step, out: bool) -> Option<ReplyKind> {
        match step {
            Step::Ack => Some(ReplyKind::Ack),
            Step::Reply if out => Some(ReplyKind::TransferNotice),
            Step::Reply => Some(ReplyKind::Reply),
            Step::Progress => Some(ReplyKind::Progress),
            Step::TransferOut => Some(ReplyKind::TransferOut),
            Step::Review => Some(ReplyKind::Review),
            _ => None,
        }
    }
    /// The built-in template, used until a unit saves its own.
    pub fn default_template(self) -> &'static str {
        match self {
            ReplyKind::Ack => {
                "{来信人}：\n您于{收到日期}提交的来信（信件编号{信件编号}）我院已收到，现由{单位}办理。\n{内容}\n我院将在收到来信之日起三个月内告知您办理过程或者结果。"
            }
            ReplyKind::Reply => {
                "{来信人}：\n您于{收到日期}提交的来信（信件编号{信件编号}）已办理。现将办理结果答复如下：\n{内容}\n如对答复不满意，可凭查询码在查询页面评价，我们将提请上一级人民检察院复查。"
            }
            ReplyKind::Progress => {
                "{来信人}：\n您于{收到日期}提交的来信（信件编号{信件编号}）仍在办理中。现将办理进展告知如下：\n{内容}"
            }
            ReplyKind::TransferNotice => {
                "{来信人}：\n您于{收到日期}提交的来信（信件编号{信件编号}）反映的事项不属于检察机关管辖，我院已于{日期}转送{去向}处理，请您与该机关联系。\n{内容}"
            }
            ReplyKind::TransferOut => {
                "{去向}：\n我院于{收到日期}收到群众来信一件（信件编号{信件编号}），反映的事项属于贵单位职责范围，现转送你单位依法处理。\n{内容}"
            }
            ReplyKind::Review => {
                "{来信人}：\n您对来信（信件编号{信件编号}）的办理结果表示不满意，{单位}已进行复查。复查意见如下：\n{内容}"
            }
        }
    }
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 8] = [
    "来信人",
    "信件编号",
    "收到日期",
    "单位",
    "日期",
    "内容",
    "去向",
    "编号",
];

/// The most a template may hold.
pub const TEMPLATE_MAX_CHARS: usize = 4000;

/// A template as the office saves it: every `{…}` names a known placeholder, the required ones are
/// there, braces are balanced, and it is not too long.
pub fn check_template(kind: ReplyKind, body: &str) -> Result<(), RuleError> {
    if body.trim().is_empty() {
        return Err(RuleError::EmptyBody);
    }
    if body.chars().count() > TEMPLATE_MAX_CHARS {
        return Err(RuleError::OpinionTooLong(TEMPLATE_MAX_CHARS));
    }
    let mut used = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(RuleError::TemplateUnbalanced);
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(RuleError::TemplateUnbalanced)?;
        let name = &after[..close];
        if name.contains('{') {
            return Err(RuleError::TemplateUnbalanced);
        }
        if !PLACEHOLDERS.contains(&name) {
            return Err(RuleError::TemplateUnknown(name.chars().take(20).collect()));
        }
        used.push(name);
        rest = &after[close + 1..];
    }
    if let Some(missing) = kind.required().iter().find(|r| !used.contains(r)) {
        return Err(RuleError::TemplateMissing(missing.to_string()));
    }
    Ok(())
}

/// What a reply letter says besides its template: the facts it is filled with.
#[derive(Debug, Clone)]
pub struct ReplyFacts {
    pub kind: ReplyKind,
    pub unit_name: String,
    pub petitioner: String,
    pub letter_id: i64,
    pub received: NaiveDate,
    pub on: NaiveDate,
    pub seq: i64,
    /// the officer's text of the step
    pub body: String,
    /// the organ a letter went to (transfers out)
    pub organ: String,
    /// the public status page's address
    pub status_url: String,
}

/// The letter's number as printed on its replies (信件编号): its year of receipt and id. The query
/// code is never stored, so it is never printed; the writer keeps it.
pub fn letter_number(received: NaiveDate, id: i64) -> String {
    format!("{}-{id:06}", received.year())
}

/// A reply letter's number (发文字号): numbered per unit and year.
pub fn reply_number(kind: ReplyKind, year: i32, seq: i64) -> String {
    let word = match kind {
        ReplyKind::TransferOut => "信转",
        ReplyKind::TransferNotice => "信告",
        _ => "信复",
    };
    format!("{word}〔{year}〕{seq}号")
}

/// The reply letter in the official style (the bulletins' publishing path): the template filled
/// in, one paragraph a line, the status page's address at the end for the writer.
pub fn compose_reply(template: &str, f: &ReplyFacts) -> Document {
    let writer = if f.petitioner.trim().is_empty() {
        "来信人".to_string()
    } else {
        f.petitioner.trim().to_string()
    };
    let number = reply_number(f.kind, f.on.year(), f.seq);
    let values = [
        ("来信人", writer.clone()),
        ("信件编号", letter_number(f.received, f.letter_id)),
        ("收到日期", crate::documents::cn_date(f.received)),
        ("单位", f.unit_name.clone()),
        ("日期", crate::documents::cn_date(f.on)),
        ("内容", f.body.trim().to_string()),
        ("去向", f.organ.clone()),
        ("编号", number.clone()),
    ];
    let mut text = template.to_string();
    for (k, v) in &values {
        text = text.replace(&format!("{{{k}}}"), v);
    }
    let mut lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // a first line ending in ：is the salutation (称谓), printed as the recipient
    let recipient = match lines.first() {
        Some(l) if l.ends_with('：') && l.chars().count() <= 40 => {
            let r = l.trim_end_matches('：').to_string();
            lines.remove(0);
            r
        }
        _ => String::new(),
    };
    let mut blocks: Vec<Block> = lines
        .into_iter()
        .map(|l| Block::Para {
            spans: vec![Span::plain(l)],
        })
        .collect();
    if f.kind != ReplyKind::TransferOut && !f.status_url.is_empty() {
        blocks.push(Block::Para {
            spans: vec![
                Span::plain("您可凭查询码在"),
                Span::generated(f.status_url.clone()),
                Span::plain("查询办理情况。"),
            ],
        });
    }
    Document {
        marking: String::new(),
        kind: Kind::Report,
        issuer: f.unit_name.clone(),
        doc_no: number,
        number: None,
        title: f.kind.zh().to_string(),
        recipient,
        blocks,
        signature: f.unit_name.clone(),
        date: f.on,
    }
}

/// What the writer is told when a step is recorded, by e-mail (subject, body) and SMS; `None`
/// for steps the writer does not see.
pub fn writer_message(
    step: Step,
    unit_name: &str,
    to: &str,
    letter: &str,
    status_url: &str,
) -> Option<(String, String, String)> {
    let status = match step {
        Step::Ack => "已受理".to_string(),
        Step::Reply => "已答复".to_string(),
        Step::Progress => "有新的办理进展".to_string(),
        Step::Close => "已办结".to_string(),
        Step::Transfer | Step::Assign => format!("已转至{to}办理"),
        Step::TransferOut => format!("已转送{to}处理"),
        Step::Review => "已复查".to_string(),
        Step::Supervise | Step::Report | Step::ReturnReport => return None,
    };
    let subject = format!("您的来信（信件编号{letter}）{status}");
    let body = format!(
        "您好：\n\n您提交给{unit_name}的来信（信件编号{letter}）{status}。\n\n请凭提交时获得的查询码在 {status_url} 查看办理情况和答复文书。\n\n此邮件由系统发出，请勿直接回复。\n{unit_name}"
    );
    let sms =
        format!("【{unit_name}】您的来信（编号{letter}）{status}，请凭查询码在{status_url}查看。");
    Some((subject, body, sms))
}

/// The facts a step is decided on, read in the write transaction.
#[derive(Debug, Clone, Default)]
pub struct StepFacts {
    /// the unit holding the letter, and its path
    pub holder: i64,
    pub holder_path: String,
    /// the unit of the one who records the step
    pub actor_unit: i64,
    /// whether the holder is within the recorder's scope (else only the assigning unit's return
    /// and the reviewing unit's review are theirs to record)
    pub holds: bool,
    pub closed: bool,
    /// transferred out of the procuratorates
    pub out: bool,
    /// the open 交办 on the letter: (from unit, to unit, reported)
    pub assignment: Option<(i64, i64, bool)>,
    /// the unit above that reviews after a dissatisfied rating, and whether it has
    pub review_unit: Option<i64>,
    pub reviewed: bool,
    /// the unit a transfer or assignment names: (id, path)
    pub target: Option<(i64, String)>,
}

/// What a step does to the letter, once allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepChange {
    /// a reply: sets the first date of its kind
    Acknowledge,
    Reply,
    Progress,
    Close,
    /// a higher unit urges the holder
    Supervise {
        holder: i64,
    },
    /// the letter moves to another unit; an assignment opens a report-back
    Move {
        to: i64,
        assign: bool,
    },
    /// the lower unit's report on the open assignment
    Report,
    /// the assigning unit returns the report as insufficient
    ReturnReport,
    /// out of the procuratorates
    TransferOut,
    /// the unit above reviews after dissatisfaction
    Review,
}

/// The rule of every step on a letter, on the facts read in the write transaction.
pub fn decide_step(step: Step, f: &StepFacts, organ: &str) -> Result<StepChange, RuleError> {
    if f.closed && !matches!(step, Step::Progress | Step::Review) {
        return Err(RuleError::LetterClosed);
    }
    if !f.holds && !matches!(step, Step::ReturnReport | Step::Review) {
        return Err(RuleError::OutOfScope);
    }
    if f.out && matches!(step, Step::Transfer | Step::Assign | Step::TransferOut) {
        return Err(RuleError::LetterOut);
    }
    Ok(match step {
        Step::Ack => StepChange::Acknowledge,
        Step::Reply => StepChange::Reply,
        Step::Progress => StepChange::Progress,
        Step::Close => {
            if matches!(f.assignment, Some((_, _, false))) {
                return Err(RuleError::ReportOwed);
            }
            StepChange::Close
        }
        Step::Supervise => {
            if f.holder == f.actor_unit {
                return Err(RuleError::SuperviseOwn);
            }
            StepChange::Supervise { holder: f.holder }
        }
        Step::Transfer | Step::Assign => {
            let (to, path) = f.target.as_ref().ok_or(RuleError::NoTargetUnit)?;
            if *to == f.holder {
                return Err(RuleError::SameUnit);
            }
            if step == Step::Assign && !path.starts_with(&f.holder_path) {
                return Err(RuleError::AssignOnlyDown);
            }
            if matches!(f.assignment, Some((_, _, false))) {
                return Err(RuleError::ReportOwed);
            }
            StepChange::Move {
                to: *to,
                assign: step == Step::Assign,
            }
        }
        Step::Report => match f.assignment {
            Some((_, _, false)) => StepChange::Report,
            _ => return Err(RuleError::NoOpenAssignment),
        },
        Step::ReturnReport => match f.assignment {
            Some((from, _, true)) if from == f.actor_unit => StepChange::ReturnReport,
            Some((_, _, true)) => return Err(RuleError::NotTheAssigner),
            _ => return Err(RuleError::NoOpenAssignment),
        },
        Step::TransferOut => {
            if organ.trim().is_empty() {
                return Err(RuleError::OrganMissing);
            }
            StepChange::TransferOut
        }
        Step::Review => match f.review_unit {
            Some(u) if f.reviewed => {
                let _ = u;
                return Err(RuleError::NoReviewOpen);
            }
            Some(u) if u == f.actor_unit => StepChange::Review,
            Some(_) => return Err(RuleError::NotTheReviewer),
            None => return Err(RuleError::NoReviewOpen),
        },
    })
}

/// The unit that reviews a letter its writer is dissatisfied with: the one above the holder (the
/// SPP reviews its own).
pub fn review_unit(holder_path_ids: &[i64]) -> Option<i64> {
    match holder_path_ids {
        [] => None,
        [only] => Some(*only),
        [.., parent, _] => Some(*parent),
    }
}

/// Days the reviewing unit has after a dissatisfied rating.
pub const REVIEW_DAYS: i64 = 30;

/// The report-back deadline of an assignment made (or a report returned) on `on`.
pub fn report_due(on: NaiveDate, days: u32) -> NaiveDate {
    on + chrono::Duration::days(i64::from(days.max(1)))
}

/// When to try again after `attempts` failed deliveries to the writer: 1, 10, 60 and 360 minutes
/// after the first four; the fifth failure is final and the officer sees it.
pub fn retry_after(attempts: i64) -> Option<i64> {
    const MINUTES: [i64; 4] = [1, 10, 60, 360];
    MINUTES
        .get(usize::try_from(attempts).ok()?.saturating_sub(1))
        .map(|m| m * 60)
}

/// An e-mail address as given on the public form: one `@`, a dot in the domain, no spaces.
pub fn valid_email(raw: &str) -> bool {
    let s = raw.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
        && !domain.contains('@')
}

/// An address shown to officers: enough to recognise it, not to copy it.
pub fn mask_address(a: &str) -> String {
    if let Some((local, domain)) = a.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let chars: Vec<char> = a.chars().collect();
    if chars.len() > 7 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        return format!("{head}****{tail}");
    }
    "****".into()
}

/// A satisfaction tally: how many rated and how; `rate` is (satisfied + basic) / rated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    pub rated: u64,
    pub satisfied: u64,
    pub basic: u64,
    pub unsatisfied: u64,
    pub rate: Option<f64>,
}

impl Satisfaction {
    pub fn new(satisfied: u64, basic: u64, unsatisfied: u64) -> Satisfaction {
        let rated = satisfied + basic + unsatisfied;
        Satisfaction {
            rated,
            satisfied,
            basic,
            unsatisfied,
            rate: (rated > 0).then(|| (satisfied + basic) as f64 / rated as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::calendar::parse_date(s).unwrap()
    }

    #[test]
    fn templates_are_checked_before_they_are_saved() {
        for k in ReplyKind::ALL {
            assert_eq!(check_template(*k, k.default_template()), Ok(()), "{k:?}");
        }
        assert_eq!(
            check_template(ReplyKind::Reply, "{来信人}：{内容}{姓名}"),
            Err(RuleError::TemplateUnknown("姓名".into()))
        );
        assert_eq!(
            check_template(ReplyKind::Reply, "{来信人}：已办理。"),
            Err(RuleError::TemplateMissing("内容".into()))
        );
        assert_eq!(
            check_template(ReplyKind::TransferOut, "{内容}"),
            Err(RuleError::TemplateMissing("去向".into()))
        );
        for bad in ["{内容", "内容}", "{{内容}}", "{内{容}"] {
            assert!(check_template(ReplyKind::Reply, bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_template(ReplyKind::Reply, "  "),
            Err(RuleError::EmptyBody)
        );
    }

    #[test]
    fn a_reply_is_the_template_filled_in_the_official_style() {
        let f = ReplyFacts {
            kind: ReplyKind::Reply,
            unit_name: "浙江省人民检察院".into(),
            petitioner: "张三".into(),
            letter_id: 42,
            received: d("2020-03-02"),
            on: d("2020-05-20"),
            seq: 7,
            body: "经审查，……".into(),
            organ: String::new(),
            status_url: "https://duban.example/letters/status".into(),
        };
        let doc = compose_reply(ReplyKind::Reply.default_template(), &f);
        assert_eq!(doc.doc_no, "信复〔2020〕7号");
        assert_eq!(doc.recipient, "张三");
        assert_eq!(doc.title, "信访事项答复书");
        let text: String = doc
            .blocks
            .iter()
            .map(|b| match b {
                Block::Para { spans } => spans.iter().map(|s| s.text.as_str()).collect::<String>(),
                _ => String::new(),
            })
            .collect();
        assert!(text.contains("2020-000042"), "{text}");
        assert!(text.contains("2020年3月2日"), "{text}");
        assert!(text.contains("经审查"), "{text}");
        assert!(text.contains("https://duban.example/letters/status"));
        assert!(!text.contains('{'));
    }

    #[test]
    fn every_step_is_decided_on_the_facts_read_in_the_write() {
        let base = StepFacts {
            holder: 2,
            holder_path: "/1/2/".into(),
            actor_unit: 2,
            holds: true,
            ..Default::default()
        };
        assert_eq!(
            decide_step(Step::Ack, &base, ""),
            Ok(StepChange::Acknowledge)
        );
        let closed = StepFacts {
            closed: true,
            ..base.clone()
        };
        assert_eq!(
            decide_step(Step::Reply, &closed, ""),
            Err(RuleError::LetterClosed)
        );
        assert_eq!(
            decide_step(Step::Progress, &closed, ""),
            Ok(StepChange::Progress)
        );
        assert_eq!(
            decide_step(Step::Supervise, &base, ""),
            Err(RuleError::SuperviseOwn)
        );
        assert_eq!(
            decide_step(Step::Assign, &base, ""),
            Err(RuleError::NoTargetUnit)
        );
        let up = StepFacts {
            target: Some((1, "/1/".into())),
            ..base.clone()
        };
        assert_eq!(
            decide_step(Step::Assign, &up, ""),
            Err(RuleError::AssignOnlyDown)
        );
        assert_eq!(
            decide_step(Step::Transfer, &up, ""),
            Ok(StepChange::Move {
                to: 1,
                assign: false
            })
        );
        let down = StepFacts {
            target: Some((3, "/1/2/3/".into())),
            ..base.clone()
        };
        assert_eq!(
            decide_step(Step::Assign, &down, ""),
            Ok(StepChange::Move {
                to: 3,
                assign: true
            })
        );
        // the report back: owed by the lower unit, returned only by the assigning one
        let owed = StepFacts {
            holder: 3,
            holder_path: "/1/2/3/".into(),
            actor_unit: 3,
            holds: true,
            assignment: Some((2, 3, false)),
            ..Default::default()
        };
        assert_eq!(decide_step(Step::Report, &owed, ""), Ok(StepChange::Report));
        assert_eq!(
            decide_step(Step::Close, &owed, ""),
            Err(RuleError::ReportOwed)
        );
        assert_eq!(
            decide_step(Step::ReturnReport, &owed, ""),
            Err(RuleError::NoOpenAssignment)
        );
        let reported = StepFacts {
            assignment: Some((2, 3, true)),
            ..owed.clone()
        };
        assert_eq!(
            decide_step(Step::ReturnReport, &reported, ""),
            Err(RuleError::NotTheAssigner)
        );
        let by_assigner = StepFacts {
            actor_unit: 2,
            holds: false,
            ..reported.clone()
        };
        assert_eq!(
            decide_step(Step::ReturnReport, &by_assigner, ""),
            Ok(StepChange::ReturnReport)
        );
        assert_eq!(
            decide_step(Step::Report, &base, ""),
            Err(RuleError::NoOpenAssignment)
        );
        // out of the procuratorates: an organ is named, and nothing routes it after
        assert_eq!(
            decide_step(Step::TransferOut, &base, " "),
            Err(RuleError::OrganMissing)
        );
        assert_eq!(
            decide_step(Step::TransferOut, &base, "某区公安分局"),
            Ok(StepChange::TransferOut)
        );
        let out = StepFacts {
            out: true,
            ..down.clone()
        };
        assert_eq!(
            decide_step(Step::Assign, &out, ""),
            Err(RuleError::LetterOut)
        );
        // the review after dissatisfaction is the unit above's, once
        let rated = StepFacts {
            closed: true,
            review_unit: Some(1),
            ..base.clone()
        };
        assert_eq!(
            decide_step(Step::Review, &rated, ""),
            Err(RuleError::NotTheReviewer)
        );
        let above = StepFacts {
            actor_unit: 1,
            ..rated.clone()
        };
        assert_eq!(
            decide_step(Step::Review, &above, ""),
            Ok(StepChange::Review)
        );
        let done = StepFacts {
            reviewed: true,
            ..above
        };
        assert_eq!(
            decide_step(Step::Review, &done, ""),
            Err(RuleError::NoReviewOpen)
        );
        assert_eq!(
            decide_step(Step::Review, &base, ""),
            Err(RuleError::NoReviewOpen)
        );
        let elsewhere = StepFacts {
            holds: false,
            ..base.clone()
        };
        assert_eq!(
            decide_step(Step::Ack, &elsewhere, ""),
            Err(RuleError::OutOfScope)
        );
    }

    #[test]
    fn reviews_go_up_one_level_and_deliveries_back_off() {
        assert_eq!(review_unit(&[1, 2, 3]), Some(2));
        assert_eq!(review_unit(&[1]), Some(1));
        assert_eq!(report_due(d("2020-03-02"), 30), d("2020-04-01"));
        assert_eq!(retry_after(1), Some(60));
        assert_eq!(retry_after(4), Some(360 * 60));
        assert_eq!(retry_after(5), None);
        assert!(valid_email("zhang.san@example.cn"));
        for bad in [
            "zhang",
            "a@b",
            "a b@c.cn",
            "a@b.cn,c@d.cn",
            "@x.cn",
            "a@.cn",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert_eq!(mask_address("zhang@example.cn"), "z***@example.cn");
        assert_eq!(mask_address("13800001234"), "138****1234");
        let s = Satisfaction::new(2, 1, 1);
        assert_eq!((s.rated, s.rate), (4, Some(0.75)));
    }
}
