//! The bulletin's sentences about the work of the period (issue 20): each written from figures
//! the store counted, each figure linked to the page that lists what it counts, each sentence
//! present only when its data exist.
use super::*;

/// The statistical period of a document dated `as_of` (今年1至9月): from January 1 of its year
/// to the end of the last quarter before it; before the first quarter has ended, to the end of
/// the last month; in January, to the day.
pub fn stat_period(as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let y = as_of.year();
    let jan1 = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(as_of);
    let quarter_end = (as_of.month0() / 3) * 3;
    let month_end = if quarter_end > 0 {
        quarter_end
    } else {
        as_of.month0()
    };
    if month_end == 0 {
        return (jan1, as_of);
    }
    let to = NaiveDate::from_ymd_opt(y, month_end + 1, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(as_of);
    (jan1, to)
}

/// 今年1至9月 (the period's words, for a period within the document's year).
pub fn period_words(from: NaiveDate, to: NaiveDate) -> String {
    if from.month() == 1 && from.day() == 1 {
        match (to.month(), to.day()) {
            (1, 31) => "今年1月".into(),
            (1, 1) => "今年1月1日".into(),
            (1, d) => format!("今年1月1日至{d}日"),
            (m, _) => format!("今年1至{m}月"),
        }
    } else {
        format!("{}至{}", cn_date(from), cn_date(to))
    }
}

/// A figure and the page that lists what it counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fig {
    pub n: u64,
    pub link: String,
}

impl Fig {
    pub fn new(n: u64, link: impl Into<String>) -> Fig {
        Fig {
            n,
            link: link.into(),
        }
    }
}

/// A sentence under construction: plain words and linked figures.
#[derive(Debug, Default)]
pub struct Say(pub Vec<Span>);

impl Say {
    pub fn t(mut self, text: impl Into<String>) -> Say {
        self.0.push(Span::plain(text));
        self
    }
    /// a figure with its unit word: 6480人
    pub fn f(mut self, f: &Fig, unit: &str) -> Say {
        self.0.push(Span::figure(format!("{}{unit}", f.n), &f.link));
        self
    }
    /// a derived figure (a rate, a change) linked where its parts are
    pub fn x(mut self, text: impl Into<String>, link: &str) -> Say {
        self.0.push(Span::figure(text, link));
        self
    }
    pub fn done(self) -> Vec<Span> {
        self.0
    }
}

/// Percent-encodes a query value (the pages' links carry Chinese tags and types).
pub fn q(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 85%, 99.2%, 37.5%: one decimal, none when whole.
pub fn percent(share: f64) -> String {
    let s = format!("{:.1}", share * 100.0);
    format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
}

/// 1,062,500 persons → 106万余人; under ten thousand, the number.
pub fn persons_words(n: u64) -> String {
    if n >= 10_000 {
        let wan = n / 10_000;
        if n % 10_000 == 0 {
            format!("{wan}万人")
        } else {
            format!("{wan}万余人")
        }
    } else {
        format!("{n}人")
    }
}

/// The procuratorial work of the period.
#[derive(Debug, Clone, Default)]
pub struct Work {
    pub period: String,
    /// persons arrested and prosecuted in 涉疫 cases
    pub epidemic: (Fig, Fig),
    pub public_interest: Fig,
    pub admin_disputes: Fig,
    /// civil-supervision cases past their time limit, and of them concluded
    pub civil_overdue: (Fig, Fig),
    /// persons concluded with 认罪认罚, and all persons concluded
    pub plea_persons: (Fig, Fig),
}

/// 疫情发生以来，共批准逮捕涉疫刑事犯罪6480人、起诉8682人，办理公益诉讼案件2829件。…
pub fn work_sentences(w: &Work) -> Vec<Span> {
    let mut out = Vec::new();
    let (a, p) = &w.epidemic;
    if a.n + p.n > 0 {
        let mut s = Say::default()
            .t(format!("{}，共批准逮捕涉疫刑事犯罪", w.period))
            .f(a, "人")
            .t("、起诉")
            .f(p, "人");
        if w.public_interest.n > 0 {
            s = s.t("，办理公益诉讼案件").f(&w.public_interest, "件");
        }
        out.extend(s.t("。").done());
    } else if w.public_interest.n > 0 {
        out.extend(
            Say::default()
                .t(format!("{}，共办理公益诉讼案件", w.period))
                .f(&w.public_interest, "件")
                .t("。")
                .done(),
        );
    }
    let (over, done) = &w.civil_overdue;
    if over.n > 0 {
        out.extend(
            Say::default()
                .t("优化办案力量配置，")
                .f(over, "件")
                .t("超期未办结民事诉讼监督案件已办结")
                .f(done, "件")
                .t("。")
                .done(),
        );
    }
    if w.admin_disputes.n > 0 {
        out.extend(
            Say::default()
                .t("深入开展行政争议实质性化解，已化解行政争议")
                .f(&w.admin_disputes, "件")
                .t("。")
                .done(),
        );
    }
    let (plea, all) = &w.plea_persons;
    if plea.n > 0 && all.n > 0 {
        out.extend(
            Say::default()
                .t(format!("{}，检察机关适用认罪认罚从宽制度审结", w.period))
                .x(persons_words(plea.n), &plea.link)
                .t("，占同期审查起诉案件审结人数的")
                .x(percent(plea.n as f64 / all.n as f64), &all.link)
                .t("。")
                .done(),
        );
    }
    out
}

/// The records of the period and the supervision letters sent for them.
#[derive(Debug, Clone, Default)]
pub struct RecordsWork {
    pub period: String,
    pub records: Fig,
    pub filed: Fig,
    pub owed: u64,
    pub zero_reports: u64,
    /// letters (督促函) sent: (to whom, how many), in the order of levels
    pub letters: Vec<(String, Fig)>,
}

/// 严格执行…记录报告制度，今年1至9月共记录报告43143件次…；向…6个省级检察院党组、9个机关厅级单位党组织发出督促函。
pub fn records_sentences(r: &RecordsWork) -> Vec<Span> {
    let mut out = Vec::new();
    if r.records.n + r.filed.n > 0 {
        out.extend(
            Say::default()
                .t(format!(
                    "严格执行过问或干预、插手检察办案等重大事项记录报告制度，{}共记录报告",
                    r.period
                ))
                .f(&r.records, "件次")
                .t("（填报")
                .f(&r.filed, "人次")
                .t(format!(
                    "，应报{}人次，零报告{}人次）。",
                    r.owed, r.zero_reports
                ))
                .done(),
        );
    }
    if !r.letters.is_empty() {
        let mut s = Say::default().t("向记录报告偏少、不尽符合实际的");
        for (i, (whom, f)) in r.letters.iter().enumerate() {
            if i > 0 {
                s = s.t("、");
            }
            s = s.f(f, "个").t(whom.clone());
        }
        out.extend(s.t("发出督促函，确保如实记录形成常态。").done());
    }
    out
}

/// The letters from the public of the period, over the unit's subtree and the unit itself.
#[derive(Debug, Clone, Default)]
pub struct LettersWork {
    pub period: String,
    /// 全国检察机关, or 浙江省人民检察院及所辖检察院
    pub scope: String,
    /// 最高检机关, or the unit's name
    pub own: String,
    pub received: Fig,
    pub ack_rate: Option<f64>,
    pub reply_rate: Option<f64>,
    pub own_ack_rate: Option<f64>,
    pub own_reply_rate: Option<f64>,
}

/// 全国检察机关新收群众来信均在7日内告知“收到了、谁在办”，3个月内办理过程或结果答复率99.2%，最高检机关做到了两个百分之百。
pub fn letters_sentences(l: &LettersWork) -> Vec<Span> {
    if l.received.n == 0 {
        return Vec::new();
    }
    let link = l.received.link.as_str();
    let mut s = Say::default()
        .t(format!("{}，{}新收群众来信", l.period, l.scope))
        .f(&l.received, "件");
    s = match l.ack_rate {
        Some(r) if r >= 1.0 => s.t("，均在7日内告知“收到了、谁在办”"),
        Some(r) => s.t("，7日内程序性回复率").x(percent(r), link),
        None => s,
    };
    if let Some(r) = l.reply_rate {
        s = s.t("，3个月内办理过程或结果答复率").x(percent(r), link);
    }
    if l.own_ack_rate.is_some_and(|r| r >= 1.0) && l.own_reply_rate.is_some_and(|r| r >= 1.0) {
        s = s.t(format!("，{}做到了两个百分之百", l.own));
    }
    s.t("。").done()
}

/// An internal inspection round's reach: (what was inspected, how, how many).
#[derive(Debug, Clone, Default)]
pub struct InspectionRound {
    pub title: String,
    pub parts: Vec<(String, String, Fig)>,
}

/// 组织开展第五轮系统内巡视，对2个省级检察院党组开展常规巡视，对4个直属事业单位开展机动巡视，对2个直属事业单位开展巡视“回头看”。
pub fn inspection_sentences(rounds: &[InspectionRound]) -> Vec<Span> {
    let mut out = Vec::new();
    for r in rounds {
        let mut s = Say::default().t(format!("组织开展{}", r.title));
        for (whom, how, f) in &r.parts {
            s = s.t("，对").f(f, "个").t(format!("{whom}开展{how}"));
        }
        out.extend(s.t("。").done());
    }
    out
}

/// 坚决支持纪检监察机关依纪依法办案，今年1至9月，781名检察人员因违纪违法被立案查处。
pub fn investigated_sentences(period: &str, persons: &Fig) -> Vec<Span> {
    if persons.n == 0 {
        return Vec::new();
    }
    Say::default()
        .t(format!("坚决支持纪检监察机关依纪依法办案，{period}，"))
        .f(persons, "名")
        .t("检察人员因违纪违法被立案查处。")
        .done()
}

/// The series a meeting belongs to: 第3次双周碰头会 → 双周碰头会 (a title without a number is
/// its own series).
pub fn meeting_series(title: &str) -> String {
    let t = title.trim();
    if let Some(rest) = t.strip_prefix('第') {
        if let Some((n, series)) = rest.split_once('次') {
            if !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_digit() || "一二三四五六七八九十百".contains(c))
                && !series.is_empty()
            {
                return series.to_string();
            }
        }
    }
    t.to_string()
}

/// The registry's internal meetings (by organiser and title), study sessions and research
/// visits (by organiser) of the period.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    pub period: String,
    pub meetings: Vec<(String, String, Fig)>,
    pub studies: Vec<(String, Fig)>,
    pub visits: Vec<(String, Fig)>,
}

/// 今年以来，机关党建工作领导小组召开2次…会议；驻院纪检监察组召开5次双周碰头会；党组…集体学习8次；…调研55次。
pub fn session_sentences(x: &Sessions) -> Vec<Span> {
    if x.meetings.is_empty() && x.studies.is_empty() && x.visits.is_empty() {
        return Vec::new();
    }
    let mut s = Say::default().t(format!("{}，", x.period));
    let mut first = true;
    let mut sep = |s: Say| {
        if std::mem::take(&mut first) {
            s
        } else {
            s.t("；")
        }
    };
    for (who, title, f) in &x.meetings {
        s = sep(s).t(format!("{who}召开")).f(f, "次").t(title.clone());
    }
    for (who, f) in &x.studies {
        s = sep(s).t(format!("{who}开展集体学习")).f(f, "次");
    }
    for (who, f) in &x.visits {
        s = sep(s).t(format!("{who}开展调研")).f(f, "次");
    }
    s.t("。").done()
}

/// Documents published in the period: typical-case batches and their cases; special reports
/// by recipient.
#[derive(Debug, Clone, Default)]
pub struct Published {
    pub period: String,
    pub batches: Fig,
    pub cases: Fig,
    pub specials: Vec<(String, Fig)>,
}

/// 今年以来，分专题发布10批55个典型案例。
pub fn typical_case_sentences(p: &Published) -> Vec<Span> {
    if p.batches.n == 0 {
        return Vec::new();
    }
    Say::default()
        .t(format!("{}，分专题发布", p.period))
        .f(&p.batches, "批")
        .f(&p.cases, "个")
        .t("典型案例。")
        .done()
}

/// 今年以来，向中央纪委国家监委报送专报7期。
pub fn special_report_sentences(p: &Published) -> Vec<Span> {
    let mut out = Vec::new();
    for (to, f) in &p.specials {
        let to = if to.trim().is_empty() {
            "上级机关"
        } else {
            to.trim()
        };
        out.extend(
            Say::default()
                .t(format!("{}，向{to}报送专报", p.period))
                .f(f, "期")
                .t("。")
                .done(),
        );
    }
    out
}

/// Documents issued and meetings held against the same months a year before.
#[derive(Debug, Clone, Default)]
pub struct PaperworkWork {
    pub period: String,
    pub issuer: String,
    pub documents: (Fig, u64),
    pub meetings: (Fig, u64),
}

fn change_words(this: u64, before: u64) -> Option<String> {
    let c = crate::paperwork::change(this, before)?;
    Some(if c < 0.0 {
        format!("同比下降{}", percent(-c))
    } else if c > 0.0 {
        format!("同比上升{}", percent(c))
    } else {
        "与上年同期持平".into()
    })
}

/// 今年1至9月，以本院名义共下发文件64件，同比下降8.6%；召开会议5个，同比下降37.5%。
pub fn paperwork_sentences(p: &PaperworkWork) -> Vec<Span> {
    let (d, db) = &p.documents;
    let (m, mb) = &p.meetings;
    if d.n + *db + m.n + *mb == 0 {
        return Vec::new();
    }
    let mut s = Say::default()
        .t(format!("{}，以{}名义共下发文件", p.period, p.issuer))
        .f(d, "件");
    if let Some(c) = change_words(d.n, *db) {
        s = s.t("，").x(c, &d.link);
    }
    s = s.t("；召开会议").f(m, "个");
    if let Some(c) = change_words(m.n, *mb) {
        s = s.t("，").x(c, &m.link);
    }
    s.t("。").done()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn the_statistical_period_ends_with_the_last_quarter() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            stat_period(d("2020-11-05")),
            (d("2020-01-01"), d("2020-09-30"))
        );
        assert_eq!(
            stat_period(d("2020-03-10")),
            (d("2020-01-01"), d("2020-02-29"))
        );
        assert_eq!(
            stat_period(d("2020-01-20")),
            (d("2020-01-01"), d("2020-01-20"))
        );
        assert_eq!(
            stat_period(d("2020-07-01")),
            (d("2020-01-01"), d("2020-06-30"))
        );
        assert_eq!(period_words(d("2020-01-01"), d("2020-09-30")), "今年1至9月");
        let (f, t) = stat_period(d("2020-02-10"));
        assert_eq!(period_words(f, t), "今年1月");
        assert_eq!(
            period_words(d("2020-01-01"), d("2020-01-20")),
            "今年1月1日至20日"
        );
    }

    #[test]
    fn sentences_carry_linked_figures_and_only_when_there_are_data() {
        let w = Work {
            period: "今年1至9月".into(),
            epidemic: (Fig::new(6480, "/q?tag=x"), Fig::new(8682, "/q?tag=x")),
            public_interest: Fig::new(2829, "/q"),
            admin_disputes: Fig::new(3148, "/q"),
            civil_overdue: (Fig::new(486, "/q"), Fig::new(426, "/q")),
            plea_persons: (Fig::new(1_062_500, "/q"), Fig::new(1_250_000, "/q")),
        };
        let t = text(&work_sentences(&w));
        for want in [
            "批准逮捕涉疫刑事犯罪6480人、起诉8682人",
            "公益诉讼案件2829件",
            "486件超期未办结民事诉讼监督案件已办结426件",
            "化解行政争议3148件",
            "审结106万余人，占同期审查起诉案件审结人数的85%",
        ] {
            assert!(t.contains(want), "{want} in {t}");
        }
        assert!(work_sentences(&Work::default()).is_empty());
        let spans = work_sentences(&w);
        let f = spans.iter().find(|s| s.text == "6480人").unwrap();
        assert!(f.generated && f.link.as_deref() == Some("/q?tag=x"));
        let p = PaperworkWork {
            period: "今年1至9月".into(),
            issuer: "本院".into(),
            documents: (Fig::new(64, "/p"), 70),
            meetings: (Fig::new(5, "/p"), 8),
        };
        assert_eq!(
            text(&paperwork_sentences(&p)),
            "今年1至9月，以本院名义共下发文件64件，同比下降8.6%；召开会议5个，同比下降37.5%。"
        );
        let pubs = Published {
            period: "今年以来".into(),
            batches: Fig::new(10, "/d"),
            cases: Fig::new(55, "/d"),
            specials: vec![("中央纪委国家监委".into(), Fig::new(7, "/d"))],
        };
        assert!(text(&typical_case_sentences(&pubs)).contains("10批55个典型案例"));
        assert!(text(&special_report_sentences(&pubs)).contains("报送专报7期"));
        let x = Sessions {
            period: "今年以来".into(),
            meetings: vec![(
                "驻院纪检监察组".into(),
                "双周碰头会".into(),
                Fig::new(5, ""),
            )],
            studies: vec![],
            visits: vec![("院领导".into(), Fig::new(55, ""))],
        };
        assert_eq!(
            text(&session_sentences(&x)),
            "今年以来，驻院纪检监察组召开5次双周碰头会；院领导开展调研55次。"
        );
        let l = LettersWork {
            period: "今年1至9月".into(),
            scope: "全国检察机关".into(),
            own: "最高检机关".into(),
            received: Fig::new(500, "/l"),
            ack_rate: Some(1.0),
            reply_rate: Some(0.9918),
            own_ack_rate: Some(1.0),
            own_reply_rate: Some(1.0),
        };
        assert_eq!(
            text(&letters_sentences(&l)),
            "今年1至9月，全国检察机关新收群众来信500件，均在7日内告知“收到了、谁在办”，3个月内办理过程或结果答复率99.2%，最高检机关做到了两个百分之百。"
        );
        assert_eq!(q("涉疫"), "%E6%B6%89%E7%96%AB");
        assert_eq!(meeting_series("第3次双周碰头会"), "双周碰头会");
        assert_eq!(
            text(&investigated_sentences(
                "今年1至9月",
                &Fig::new(781, "/discipline")
            )),
            "坚决支持纪检监察机关依纪依法办案，今年1至9月，781名检察人员因违纪违法被立案查处。"
        );
        assert_eq!(meeting_series("第十二次党组会"), "党组会");
        assert_eq!(meeting_series("第一检察厅会议"), "第一检察厅会议");
        assert_eq!(persons_words(9_999), "9999人");
    }
}
