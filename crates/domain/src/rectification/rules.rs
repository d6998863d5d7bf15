//! The supervision rules an installation sets: lights, urging, reviewers, letter clocks, integrity.
use super::*;
use crate::calendar::Counting;
use serde::{Deserialize, Serialize};

/// The two clocks of a letter from the public (7 days, 3 months by default): a supervision rule
/// that the letters module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockRules {
    pub ack_days: u32,
    pub ack_counting: Counting,
    pub reply_months: u32,
    pub reply_counting: Counting,
    /// after the reply deadline, while open, a progress reply every this many months
    pub progress_every_months: u32,
    /// 交办: the days the lower unit has to report back
    #[serde(default = "default_report_days")]
    pub assign_report_days: u32,
}

fn default_report_days() -> u32 {
    30
}

impl Default for ClockRules {
    fn default() -> Self {
        ClockRules {
            ack_days: 7,
            ack_counting: Counting::Calendar,
            reply_months: 3,
            reply_counting: Counting::Calendar,
            progress_every_months: 1,
            assign_report_days: 30,
        }
    }
}

/// The supervision rules an administrator may change: lights, urging, and who reviews closures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupervisionRules {
    pub lights: LightRules,
    pub urging: urging::UrgeRules,
    /// the roles that may approve or return closure requests and reopen closed tasks
    pub reviewers: Vec<crate::org::Role>,
    /// the two clocks of letters from the public
    #[serde(default)]
    pub letter_clocks: ClockRules,
    /// from this day of a month, staff who have not filed the previous month's interference
    /// records are reminded
    #[serde(default = "default_remind_day")]
    pub records_remind_day: u32,
    /// the under-reporting thresholds of interference records
    #[serde(default)]
    pub records_flags: crate::records::FlagRules,
    /// roles granted the right to read interference records' details, besides the discipline
    /// group (see [`crate::records::reads_details`])
    #[serde(default)]
    pub records_detail_roles: Vec<crate::org::Role>,
    /// how late a business date may be recorded without a reason (补录)
    #[serde(default)]
    pub integrity: IntegrityRules,
    /// the time limits of problem clues (the discipline group's desk)
    #[serde(default)]
    pub clue_limits: crate::discipline::ClueLimits,
}

/// Time integrity: the grace within which a business date may lie before the day it is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityRules {
    /// ledger entries: calendar days
    pub ledger_grace_days: i64,
    /// letter steps: working days
    pub letter_grace_working_days: i64,
}

impl Default for IntegrityRules {
    fn default() -> Self {
        IntegrityRules {
            ledger_grace_days: 3,
            letter_grace_working_days: 2,
        }
    }
}

fn default_remind_day() -> u32 {
    5
}

impl Default for SupervisionRules {
    fn default() -> Self {
        SupervisionRules {
            lights: LightRules::default(),
            urging: urging::UrgeRules::default(),
            reviewers: vec![crate::org::Role::Discipline, crate::org::Role::Office],
            letter_clocks: Default::default(),
            records_remind_day: default_remind_day(),
            records_flags: Default::default(),
            records_detail_roles: Vec::new(),
            integrity: IntegrityRules::default(),
            clue_limits: Default::default(),
        }
    }
}

impl SupervisionRules {
    /// Refuses rules that cannot work, naming the problem in Chinese.
    pub fn validate(&self) -> Result<(), String> {
        let l = &self.lights;
        let u = &self.urging;
        let in_range = |v: i64, lo: i64, hi: i64| (lo..=hi).contains(&v);
        if !in_range(l.due_soon_days, 0, 90) {
            return Err("“临近期限天数”应在 0 至 90 之间".into());
        }
        if !in_range(l.stale_days, 1, 365) {
            return Err("“未登记台账天数”应在 1 至 365 之间".into());
        }
        if !in_range(l.staged_every_days, 7, 730) {
            return Err("“阶段性成效报送周期”应在 7 至 730 天之间".into());
        }
        if l.due_soon_days >= l.staged_every_days {
            return Err("“临近期限天数”应小于阶段性成效报送周期".into());
        }
        if !in_range(u.yellow_after_days, 1, 365)
            || !in_range(u.red_after_days, 2, 730)
            || u.yellow_after_days >= u.red_after_days
        {
            return Err("督办单升级天数应满足：1 ≤ 黄色 < 红色".into());
        }
        if self.reviewers.is_empty() {
            return Err("至少指定一个销号审核角色".into());
        }
        if let Some(r) = self
            .reviewers
            .iter()
            .find(|r| !matches!(r, crate::org::Role::Discipline | crate::org::Role::Office))
        {
            return Err(format!(
                "销号审核角色只能是驻院纪检监察组或整改办，不能是 {}",
                r.as_str()
            ));
        }
        let c = &self.letter_clocks;
        if !(1..=30).contains(&c.ack_days) {
            return Err("“程序性回复期限”应在 1 至 30 天之间".into());
        }
        if !(1..=12).contains(&c.reply_months) {
            return Err("“办理过程或结果答复期限”应在 1 至 12 个月之间".into());
        }
        if !(1..=6).contains(&c.progress_every_months) {
            return Err("“办理进展答复周期”应在 1 至 6 个月之间".into());
        }
        if !(1..=28).contains(&self.records_remind_day) {
            return Err("“三个规定报送提醒日”应在每月 1 至 28 日之间".into());
        }
        if let Some(r) = self
            .records_detail_roles
            .iter()
            .find(|r| !crate::records::GRANTABLE.contains(r))
        {
            return Err(format!("不能授予 {} 查阅三个规定记录详情", r.as_str()));
        }
        if !(0..=30).contains(&self.integrity.ledger_grace_days)
            || !(0..=30).contains(&self.integrity.letter_grace_working_days)
        {
            return Err("补录期限应在 0 至 30 天之间".into());
        }
        self.records_flags.validate()
    }
}
