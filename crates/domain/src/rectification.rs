//! Rectification rules (整改): task categories and states, who may close a task (不搞形式销号),
//! traffic lights, and a plan's figures as of any date, computed from the task's history.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 立行立改
    Immediate,
    /// 限期整改
    TimeLimited,
    /// 长期整改
    LongTerm,
}

impl Category {
    pub const ALL: [Category; 3] = [
        Category::Immediate,
        Category::TimeLimited,
        Category::LongTerm,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Immediate => "immediate",
            Category::TimeLimited => "time_limited",
            Category::LongTerm => "long_term",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Category::Immediate => "立行立改",
            Category::TimeLimited => "限期整改",
            Category::LongTerm => "长期整改",
        }
    }
    pub fn parse(raw: &str) -> Option<Category> {
        let v = raw.trim();
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == v || c.zh() == v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// 未启动
    NotStarted,
    /// 推进中
    InProgress,
    /// 申请销号
    ClosureRequested,
    /// 已销号
    Closed,
}

impl TaskState {
    pub const ALL: [TaskState; 4] = [
        TaskState::NotStarted,
        TaskState::InProgress,
        TaskState::ClosureRequested,
        TaskState::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::NotStarted => "not_started",
            TaskState::InProgress => "in_progress",
            TaskState::ClosureRequested => "closure_requested",
            TaskState::Closed => "closed",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            TaskState::NotStarted => "未启动",
            TaskState::InProgress => "推进中",
            TaskState::ClosureRequested => "申请销号",
            TaskState::Closed => "已销号",
        }
    }
    pub fn parse(raw: &str) -> Option<TaskState> {
        TaskState::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim() || s.zh() == raw.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    #[error("申请销号须至少附一份佐证材料")]
    NoEvidence,
    #[error("申请销号须对照完成标准说明整改情况")]
    NoStatement,
    #[error("长期整改任务不销号，应定期报送阶段性成效")]
    LongTermNeverCloses,
    #[error("任务当前状态为“{0}”，不能执行此操作")]
    WrongState(&'static str),
    #[error("牵头领导、责任人和责任部门不能审核本任务（不搞形式销号）")]
    OwnTask,
    #[error("只有{0}可以审核销号（不搞形式销号）")]
    NotAReviewer(String),
    #[error("退回或重新打开须写明理由")]
    NoReason,
    #[error("只有牵头领导、责任部门和整改办可以登记本任务的台账")]
    NotAKeeper,
    #[error("阶段性成效只适用于长期整改任务")]
    StagedOnlyLongTerm,
    #[error("系统管理员不能审核销号")]
    AdminNeverReviews,
    #[error("审核须由本人账号进行：此账号未关联人员信息")]
    UnboundReviewer,
    #[error("不能审核自己参与提交的销号申请（不搞形式销号）")]
    OwnRequest,
    #[error("日期不能晚于今天")]
    FutureDate,
    #[error("日期早于登记日 {days} 天，超过 {grace} 天的补录期限：请填写补录原因")]
    LateWithoutReason { days: i64, grace: i64 },
    #[error("请填写内容")]
    EmptyBody,
    #[error("佐证材料 {0} 是空文件")]
    EmptyFile(String),
    #[error("佐证材料 {0} 超过 20 MB")]
    FileTooLarge(String),
    #[error("文件名不可用：{0}（不超过 120 字，不含控制字符和路径分隔符）")]
    BadFileName(String),
    #[error("不支持的佐证材料类型：{0}（可上传 PDF、OFD、图片、Word、Excel、文本）")]
    BadFileType(String),
    #[error("全国范围的规则只能由全院（最高检及全部下级）范围的系统管理员修改")]
    NationalOnly,
    #[error("不能授予超出本人范围的数据范围")]
    GrantTooWide,
    #[error("该单位不在您的数据范围内")]
    OutOfScope,
    #[error("调整申请不能由申请人本人审批")]
    OwnAdjustment,
    #[error("调整期限或类别须写明理由")]
    AdjustmentWithoutReason,
    #[error("该调整申请已处理")]
    AdjustmentDecided,
    #[error("只有整改办可以调整任务")]
    NotAnAdjuster,
    #[error("您没有执行此操作的权限")]
    NotPermitted,
    #[error("日期早于收到日期 {0}")]
    BeforeReceipt(String),
    #[error("日期早于登记日 {days} 天，超过 {grace} 个工作日的补录期限：请填写补录原因")]
    LetterLateWithoutReason { days: i64, grace: i64 },
}

impl RuleError {
    /// The catalogue key of the message (`rule.<name>`), for the interface's languages.
    pub fn key(&self) -> &'static str {
        use RuleError::*;
        match self {
            NoEvidence => "rule.no_evidence",
            NoStatement => "rule.no_statement",
            LongTermNeverCloses => "rule.long_term_never_closes",
            WrongState(_) => "rule.wrong_state",
            OwnTask => "rule.own_task",
            NotAReviewer(_) => "rule.not_a_reviewer",
            NoReason => "rule.no_reason",
            NotAKeeper => "rule.not_a_keeper",
            StagedOnlyLongTerm => "rule.staged_only_long_term",
            AdminNeverReviews => "rule.admin_never_reviews",
            UnboundReviewer => "rule.unbound_reviewer",
            OwnRequest => "rule.own_request",
            FutureDate => "rule.future_date",
            LateWithoutReason { .. } => "rule.late_without_reason",
            EmptyBody => "rule.empty_body",
            EmptyFile(_) => "rule.empty_file",
            FileTooLarge(_) => "rule.file_too_large",
            BadFileName(_) => "rule.bad_file_name",
            BadFileType(_) => "rule.bad_file_type",
            NationalOnly => "rule.national_only",
            GrantTooWide => "rule.grant_too_wide",
            OutOfScope => "rule.out_of_scope",
            OwnAdjustment => "rule.own_adjustment",
            AdjustmentWithoutReason => "rule.adjustment_without_reason",
            AdjustmentDecided => "rule.adjustment_decided",
            NotAnAdjuster => "rule.not_an_adjuster",
            NotPermitted => "rule.not_permitted",
            BeforeReceipt(_) => "rule.before_receipt",
            LetterLateWithoutReason { .. } => "rule.letter_late_without_reason",
        }
    }
    /// The values the message names, in order (`{0}`, `{1}` in the catalogue).
    pub fn args(&self) -> Vec<String> {
        use RuleError::*;
        match self {
            WrongState(s) => vec![s.to_string()],
            NotAReviewer(s) | EmptyFile(s) | FileTooLarge(s) | BadFileName(s) | BadFileType(s) => {
                vec![s.clone()]
            }
            LateWithoutReason { days, grace } | LetterLateWithoutReason { days, grace } => {
                vec![days.to_string(), grace.to_string()]
            }
            BeforeReceipt(d) => vec![d.clone()],
            _ => vec![],
        }
    }
}

/// What happens to a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A progress entry in the ledger starts a task that has not started.
    Progress,
    RequestClosure {
        evidence_files: usize,
        statement: String,
    },
    Approve,
    Reject {
        reasons: String,
    },
    /// 回头看: a closed task is reopened by a look-back check.
    Reopen {
        reason: String,
    },
}

/// The state after `step`, or why the step is refused.
pub fn transition(
    state: TaskState,
    category: Category,
    step: &Step,
) -> Result<TaskState, RuleError> {
    use TaskState::*;
    match step {
        Step::Progress => match state {
            NotStarted | InProgress => Ok(InProgress),
            other => Ok(other),
        },
        Step::RequestClosure {
            evidence_files,
            statement,
        } => {
            if category == Category::LongTerm {
                return Err(RuleError::LongTermNeverCloses);
            }
            if !matches!(state, NotStarted | InProgress) {
                return Err(RuleError::WrongState(state.zh()));
            }
            if *evidence_files == 0 {
                return Err(RuleError::NoEvidence);
            }
            if statement.trim().is_empty() {
                return Err(RuleError::NoStatement);
            }
            Ok(ClosureRequested)
        }
        Step::Approve => {
            if state == ClosureRequested {
                Ok(Closed)
            } else {
                Err(RuleError::WrongState(state.zh()))
            }
        }
        Step::Reject { reasons } => {
            if state != ClosureRequested {
                return Err(RuleError::WrongState(state.zh()));
            }
            if reasons.trim().is_empty() {
                return Err(RuleError::NoReason);
            }
            Ok(InProgress)
        }
        Step::Reopen { reason } => {
            if state != Closed {
                return Err(RuleError::WrongState(state.zh()));
            }
            if reason.trim().is_empty() {
                return Err(RuleError::NoReason);
            }
            Ok(InProgress)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
}

/// Thresholds (configurable): yellow when due within `due_soon_days` or without a ledger entry
/// for `stale_days`; long-term tasks owe a staged result every `staged_every_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightRules {
    pub due_soon_days: i64,
    pub stale_days: i64,
    pub staged_every_days: i64,
}

impl Default for LightRules {
    fn default() -> Self {
        LightRules {
            due_soon_days: 7,
            stale_days: 30,
            staged_every_days: 90,
        }
    }
}

/// The light rules as date comparisons, for counting many tasks in the database without loading
/// their histories. Derived from [`light`] and checked against it by a property test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// An open closable task is red when its deadline is before this day.
    pub deadline_before: NaiveDate,
    /// An open long-term task is red when its last staged result (or its creation) is before this day.
    pub staged_before: NaiveDate,
    /// A closable task may be yellow or red when due on or before this day…
    pub due_by: NaiveDate,
    /// …any task when its last entry (or its creation) is before this day…
    pub entry_before: NaiveDate,
    /// …and a long-term task when its last staged result (or its creation) is on or before this day.
    pub staged_by: NaiveDate,
}

impl LightRules {
    pub fn cutoffs(&self, as_of: NaiveDate) -> Cutoffs {
        let days = chrono::Duration::days;
        Cutoffs {
            deadline_before: as_of,
            staged_before: as_of - days(self.staged_every_days),
            due_by: as_of + days(self.due_soon_days),
            entry_before: as_of - days(self.stale_days),
            staged_by: as_of - days(self.staged_every_days) + days(self.due_soon_days),
        }
    }
}

impl Cutoffs {
    /// Red on the day, by comparisons only.
    pub fn red(&self, t: &TaskFacts) -> bool {
        t.state != TaskState::Closed
            && match t.category {
                Category::LongTerm => t.last_staged.unwrap_or(t.created) < self.staged_before,
                _ => t.deadline.is_some_and(|d| d < self.deadline_before),
            }
    }
    /// Possibly yellow or red: a superset of the tasks a sweep must look at.
    pub fn watched(&self, t: &TaskFacts) -> bool {
        t.state != TaskState::Closed
            && (t.last_entry.unwrap_or(t.created) < self.entry_before
                || match t.category {
                    Category::LongTerm => t.last_staged.unwrap_or(t.created) <= self.staged_by,
                    _ => t.deadline.is_some_and(|d| d <= self.due_by),
                })
    }
}

impl std::ops::AddAssign<&PlanStats> for PlanStats {
    fn add_assign(&mut self, o: &PlanStats) {
        self.total += o.total;
        for (a, b) in [
            (&mut self.immediate, &o.immediate),
            (&mut self.time_limited, &o.time_limited),
        ] {
            a.total += b.total;
            a.closed += b.closed;
            a.open += b.open;
            a.overdue += b.overdue;
        }
        self.long_term.total += o.long_term.total;
        self.long_term.with_staged_results += o.long_term.with_staged_results;
        self.long_term.overdue += o.long_term.overdue;
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
    pub letter_clocks: crate::letters::ClockRules,
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

/// The facts about a task on a given day.
#[derive(Debug, Clone)]
pub struct TaskFacts {
    pub category: Category,
    pub state: TaskState,
    pub created: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub last_entry: Option<NaiveDate>,
    pub last_staged: Option<NaiveDate>,
}

pub fn light(t: &TaskFacts, as_of: NaiveDate, r: &LightRules) -> Light {
    if t.state == TaskState::Closed {
        return Light::Green;
    }
    let stale = (as_of - t.last_entry.unwrap_or(t.created)).num_days() > r.stale_days;
    if t.category == Category::LongTerm {
        let owed = t.last_staged.unwrap_or(t.created) + chrono::Duration::days(r.staged_every_days);
        if as_of > owed {
            return Light::Red;
        }
        if (owed - as_of).num_days() <= r.due_soon_days || stale {
            return Light::Yellow;
        }
        return Light::Green;
    }
    match t.deadline {
        Some(d) if as_of > d => Light::Red,
        Some(d) if (d - as_of).num_days() <= r.due_soon_days => Light::Yellow,
        _ if stale => Light::Yellow,
        _ => Light::Green,
    }
}

/// What a supervised matter comes from. Inspection rounds and the other matters the office
/// supervises run on the same engine: lists, ledgers, lights, urging, review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// 中央巡视: a central inspection's feedback
    Central,
    /// 系统内巡视: a unit's own inspection of its lower units
    Internal,
    /// 巡视整改“回头看”
    LookBack,
    /// 重要指示批示: implementing important instructions
    Instruction,
    /// 检察建议: procuratorial recommendations and their follow-up
    Recommendation,
    /// 制度建设: rules produced by the rectification and checks of their execution
    Rules,
}

impl SourceKind {
    pub const ALL: [SourceKind; 6] = [
        SourceKind::Central,
        SourceKind::Internal,
        SourceKind::LookBack,
        SourceKind::Instruction,
        SourceKind::Recommendation,
        SourceKind::Rules,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Central => "central",
            SourceKind::Internal => "internal",
            SourceKind::LookBack => "lookback",
            SourceKind::Instruction => "instruction",
            SourceKind::Recommendation => "recommendation",
            SourceKind::Rules => "rules",
        }
    }
    pub fn parse(raw: &str) -> Option<SourceKind> {
        SourceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
    }
    /// Whether the matter is an inspection (its source has inspectors, an inspection period and feedback).
    pub fn is_inspection(self) -> bool {
        matches!(
            self,
            SourceKind::Central | SourceKind::Internal | SourceKind::LookBack
        )
    }
}

/// One task's history, for figures as of a past date.
#[derive(Debug, Clone)]
pub struct TaskHistory {
    pub category: Category,
    pub created: NaiveDate,
    pub deadline: Option<NaiveDate>,
    /// (date, state entered), in date order
    pub states: Vec<(NaiveDate, TaskState)>,
    pub entries: Vec<NaiveDate>,
    pub staged: Vec<NaiveDate>,
}

impl TaskHistory {
    pub fn state_on(&self, d: NaiveDate) -> TaskState {
        self.states
            .iter()
            .filter(|(at, _)| *at <= d)
            .last()
            .map(|(_, s)| *s)
            .unwrap_or(TaskState::NotStarted)
    }
    pub fn facts_on(&self, d: NaiveDate) -> TaskFacts {
        TaskFacts {
            category: self.category,
            state: self.state_on(d),
            created: self.created,
            deadline: self.deadline,
            last_entry: self.entries.iter().filter(|e| **e <= d).max().copied(),
            last_staged: self.staged.iter().filter(|e| **e <= d).max().copied(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosableStats {
    pub total: usize,
    pub closed: usize,
    pub open: usize,
    pub overdue: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LongTermStats {
    pub total: usize,
    pub with_staged_results: usize,
    pub overdue: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStats {
    pub total: usize,
    pub immediate: ClosableStats,
    pub time_limited: ClosableStats,
    pub long_term: LongTermStats,
}

/// A plan's figures on `as_of`: tasks created later do not count; states, entries and staged
/// results are those dated on or before `as_of`. "Overdue" is a red light on that day.
pub fn plan_stats(tasks: &[TaskHistory], as_of: NaiveDate, rules: &LightRules) -> PlanStats {
    let mut s = PlanStats::default();
    for t in tasks.iter().filter(|t| t.created <= as_of) {
        s.total += 1;
        let f = t.facts_on(as_of);
        let red = light(&f, as_of, rules) == Light::Red;
        let bucket = match t.category {
            Category::Immediate => &mut s.immediate,
            Category::TimeLimited => &mut s.time_limited,
            Category::LongTerm => {
                s.long_term.total += 1;
                s.long_term.with_staged_results += usize::from(f.last_staged.is_some());
                s.long_term.overdue += usize::from(red);
                continue;
            }
        };
        bucket.total += 1;
        if f.state == TaskState::Closed {
            bucket.closed += 1;
        } else {
            bucket.open += 1;
            bucket.overdue += usize::from(red);
        }
    }
    s
}

#[cfg(test)]
mod rules_tests {
    use super::*;
    #[test]
    fn rules_are_checked() {
        assert_eq!(SupervisionRules::default().validate(), Ok(()));
        let mut r = SupervisionRules::default();
        r.urging.yellow_after_days = 20;
        assert!(r.validate().unwrap_err().contains("黄色 < 红色"));
        let mut r = SupervisionRules::default();
        r.reviewers = vec![crate::org::Role::Leader];
        assert!(r.validate().is_err());
        r.reviewers.clear();
        assert!(r.validate().unwrap_err().contains("至少"));
    }
}

#[cfg(test)]
mod cutoff_tests {
    use super::*;
    use proptest::prelude::*;

    fn facts() -> impl Strategy<Value = (TaskFacts, NaiveDate)> {
        let day = |n: i64| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(n);
        (
            0usize..3,
            0usize..4,
            0i64..400,
            proptest::option::of(0i64..400),
            proptest::option::of(0i64..400),
            proptest::option::of(0i64..400),
            0i64..500,
        )
            .prop_map(move |(c, s, created, deadline, entry, staged, as_of)| {
                let f = TaskFacts {
                    category: Category::ALL[c],
                    state: TaskState::ALL[s],
                    created: day(created),
                    deadline: deadline.map(day),
                    last_entry: entry.map(|e| day(created + e)),
                    last_staged: staged.map(|e| day(created + e)),
                };
                (f, day(as_of))
            })
    }

    proptest! {
        #[test]
        fn cutoffs_agree_with_the_light((f, as_of) in facts()) {
            let rules = LightRules::default();
            let c = rules.cutoffs(as_of);
            let l = light(&f, as_of, &rules);
            prop_assert_eq!(c.red(&f), l == Light::Red);
            if l != Light::Green {
                prop_assert!(c.watched(&f), "a {:?} task is not watched", l);
            }
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
    fn lifecycle() {
        use TaskState::*;
        let req = Step::RequestClosure {
            evidence_files: 1,
            statement: "已按标准完成".into(),
        };
        assert_eq!(
            transition(NotStarted, Category::TimeLimited, &Step::Progress),
            Ok(InProgress)
        );
        assert_eq!(
            transition(InProgress, Category::TimeLimited, &req),
            Ok(ClosureRequested)
        );
        assert_eq!(
            transition(ClosureRequested, Category::TimeLimited, &Step::Approve),
            Ok(Closed)
        );
        assert_eq!(
            transition(
                ClosureRequested,
                Category::TimeLimited,
                &Step::Reject {
                    reasons: "佐证不足".into()
                }
            ),
            Ok(InProgress)
        );
        assert_eq!(
            transition(
                ClosureRequested,
                Category::TimeLimited,
                &Step::Reject {
                    reasons: " ".into()
                }
            ),
            Err(RuleError::NoReason)
        );
        assert_eq!(
            transition(
                Closed,
                Category::Immediate,
                &Step::Reopen {
                    reason: "回头看发现反弹".into()
                }
            ),
            Ok(InProgress)
        );
        assert_eq!(
            transition(InProgress, Category::Immediate, &Step::Approve),
            Err(RuleError::WrongState("推进中"))
        );
        assert_eq!(
            transition(
                InProgress,
                Category::Immediate,
                &Step::RequestClosure {
                    evidence_files: 0,
                    statement: "x".into()
                }
            ),
            Err(RuleError::NoEvidence)
        );
        assert_eq!(
            transition(
                InProgress,
                Category::Immediate,
                &Step::RequestClosure {
                    evidence_files: 2,
                    statement: "".into()
                }
            ),
            Err(RuleError::NoStatement)
        );
        assert_eq!(
            transition(InProgress, Category::LongTerm, &req),
            Err(RuleError::LongTermNeverCloses)
        );
        assert_eq!(
            transition(Closed, Category::Immediate, &Step::Progress),
            Ok(Closed)
        );
    }

    #[test]
    fn lights() {
        let r = LightRules::default();
        let mut t = TaskFacts {
            category: Category::TimeLimited,
            state: TaskState::InProgress,
            created: d("2020-01-21"),
            deadline: Some(d("2020-06-30")),
            last_entry: Some(d("2020-06-01")),
            last_staged: None,
        };
        assert_eq!(light(&t, d("2020-06-10"), &r), Light::Green);
        assert_eq!(light(&t, d("2020-06-25"), &r), Light::Yellow);
        assert_eq!(light(&t, d("2020-07-01"), &r), Light::Red);
        t.deadline = Some(d("2020-12-31"));
        assert_eq!(
            light(&t, d("2020-08-01"), &r),
            Light::Yellow,
            "no ledger entry for more than 30 days"
        );
        t.state = TaskState::Closed;
        assert_eq!(light(&t, d("2021-08-01"), &r), Light::Green);
        let lt = TaskFacts {
            category: Category::LongTerm,
            state: TaskState::InProgress,
            created: d("2020-01-21"),
            deadline: None,
            last_entry: Some(d("2020-10-20")),
            last_staged: Some(d("2020-09-30")),
        };
        assert_eq!(light(&lt, d("2020-11-05"), &r), Light::Green);
        assert_eq!(light(&lt, d("2020-12-25"), &r), Light::Yellow);
        assert_eq!(
            light(&lt, d("2021-01-05"), &r),
            Light::Red,
            "staged result owed every 90 days"
        );
    }

    #[test]
    fn stats_as_of_follow_history() {
        let r = LightRules::default();
        let closed_later = TaskHistory {
            category: Category::TimeLimited,
            created: d("2020-01-21"),
            deadline: Some(d("2020-10-31")),
            states: vec![
                (d("2020-02-01"), TaskState::InProgress),
                (d("2020-09-01"), TaskState::ClosureRequested),
                (d("2020-09-10"), TaskState::Closed),
            ],
            entries: vec![d("2020-02-01"), d("2020-09-01")],
            staged: vec![],
        };
        let long = TaskHistory {
            category: Category::LongTerm,
            created: d("2020-01-21"),
            deadline: None,
            states: vec![(d("2020-02-01"), TaskState::InProgress)],
            entries: vec![d("2020-10-20")],
            staged: vec![d("2020-10-20")],
        };
        let s = plan_stats(&[closed_later.clone(), long.clone()], d("2020-11-05"), &r);
        assert_eq!(
            s.time_limited,
            ClosableStats {
                total: 1,
                closed: 1,
                open: 0,
                overdue: 0
            }
        );
        assert_eq!(
            s.long_term,
            LongTermStats {
                total: 1,
                with_staged_results: 1,
                overdue: 0
            }
        );
        let s = plan_stats(&[closed_later, long], d("2020-06-01"), &r);
        assert_eq!(
            s.time_limited,
            ClosableStats {
                total: 1,
                closed: 0,
                open: 1,
                overdue: 0
            }
        );
        assert_eq!(s.long_term.with_staged_results, 0);
        assert_eq!(
            s.long_term.overdue, 1,
            "no staged result 90 days after creation"
        );
        assert_eq!(plan_stats(&[], d("2020-06-01"), &r).total, 0);
        assert_eq!(Category::parse("长期整改"), Some(Category::LongTerm));
        assert_eq!(TaskState::parse("已销号"), Some(TaskState::Closed));
    }
}

/// Why a task is on the biweekly consultation's agenda on `as_of`, if it is: a pending closure
/// request, a red light or a yellow light.
pub fn agenda_reason(f: &TaskFacts, as_of: NaiveDate, r: &LightRules) -> Option<&'static str> {
    if f.state == TaskState::ClosureRequested {
        return Some("closure_requested");
    }
    match light(f, as_of, r) {
        Light::Red => Some("red"),
        Light::Yellow => Some("yellow"),
        Light::Green => None,
    }
}

/// Urging (催办) and graded supervision notices (督办单 blue → yellow → red).
pub mod urging {
    use super::{Light, LightRules, TaskFacts, TaskState, light};
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Level {
        Blue,
        Yellow,
        Red,
    }

    impl Level {
        pub fn as_str(self) -> &'static str {
            match self {
                Level::Blue => "blue",
                Level::Yellow => "yellow",
                Level::Red => "red",
            }
        }
        /// From the stored name; anything else is the first level.
        pub fn parse(raw: &str) -> Level {
            match raw {
                "red" => Level::Red,
                "yellow" => Level::Yellow,
                _ => Level::Blue,
            }
        }
        pub fn zh(self) -> &'static str {
            match self {
                Level::Blue => "蓝色督办单",
                Level::Yellow => "黄色督办单",
                Level::Red => "红色督办单",
            }
        }
    }

    /// Days overdue at which each notice level is issued (configurable).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct UrgeRules {
        pub yellow_after_days: i64,
        pub red_after_days: i64,
    }

    impl Default for UrgeRules {
        fn default() -> Self {
            UrgeRules {
                yellow_after_days: 7,
                red_after_days: 14,
            }
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Urge {
        /// 催办 to the responsible person; once a week while the light is yellow.
        Reminder { dedupe: String },
        /// 督办单 to the lead leader; each level once per deadline.
        Notice {
            level: Level,
            days_overdue: i64,
            dedupe: String,
        },
    }

    /// What a sweep on `as_of` owes a task. The dedupe key makes the sweep idempotent: issuing is
    /// an insert that a unique key refuses the second time, whichever process tries.
    pub fn urge(
        task_id: i64,
        f: &TaskFacts,
        as_of: NaiveDate,
        lights: &LightRules,
        rules: &UrgeRules,
    ) -> Option<Urge> {
        if f.state == TaskState::Closed {
            return None;
        }
        match light(f, as_of, lights) {
            Light::Green => None,
            Light::Yellow => {
                let w = as_of.iso_week();
                Some(Urge::Reminder {
                    dedupe: format!("reminder:{task_id}:{}-W{:02}", w.year(), w.week()),
                })
            }
            Light::Red => {
                let due = match f.deadline {
                    Some(d) if f.category != super::Category::LongTerm => d,
                    _ => {
                        f.last_staged.unwrap_or(f.created)
                            + chrono::Duration::days(lights.staged_every_days)
                    }
                };
                let days = (as_of - due).num_days();
                let level = if days >= rules.red_after_days {
                    Level::Red
                } else if days >= rules.yellow_after_days {
                    Level::Yellow
                } else {
                    Level::Blue
                };
                Some(Urge::Notice {
                    level,
                    days_overdue: days,
                    dedupe: format!("notice:{task_id}:{due}:{}", level.as_str()),
                })
            }
        }
    }

    /// The first day after `as_of` on which, with the same facts, a sweep could owe the task
    /// something other than what it owes on `as_of`: a new week's reminder, the next notice level,
    /// a change of light. A sweep may skip the task until then; any change of its facts ends the
    /// quiet (the store clears it). Checked day by day against [`urge`] by a property test.
    pub fn quiet_until(
        task_id: i64,
        f: &TaskFacts,
        as_of: NaiveDate,
        lights: &LightRules,
        rules: &UrgeRules,
    ) -> NaiveDate {
        let days = chrono::Duration::days;
        let mut next = vec![f.last_entry.unwrap_or(f.created) + days(lights.stale_days + 1)];
        if matches!(
            urge(task_id, f, as_of, lights, rules),
            Some(Urge::Reminder { .. })
        ) {
            next.push(as_of + days(7 - i64::from(as_of.weekday().num_days_from_monday())));
        }
        let due = match f.category {
            super::Category::LongTerm => {
                Some(f.last_staged.unwrap_or(f.created) + days(lights.staged_every_days))
            }
            _ => f.deadline,
        };
        if let Some(due) = due {
            next.extend([
                due - days(lights.due_soon_days),
                due + days(1),
                due + days(rules.yellow_after_days),
                due + days(rules.red_after_days),
            ]);
        }
        next.into_iter()
            .filter(|d| *d > as_of)
            .min()
            .unwrap_or(as_of + days(3650))
    }

    #[cfg(test)]
    mod quiet_tests {
        use super::*;
        use crate::rectification::Category;
        use proptest::prelude::*;

        fn key(u: Option<Urge>) -> Option<String> {
            u.map(|u| match u {
                Urge::Reminder { dedupe } | Urge::Notice { dedupe, .. } => dedupe,
            })
        }

        proptest! {
            #[test]
            fn nothing_new_is_owed_while_quiet(c in 0usize..3, s in 0usize..3, created in 0i64..200, deadline in proptest::option::of(0i64..300),
                                               entry in proptest::option::of(0i64..200), staged in proptest::option::of(0i64..200), as_of in 0i64..400) {
                let day = |n: i64| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(n);
                let f = TaskFacts { category: Category::ALL[c], state: TaskState::ALL[s], created: day(created), deadline: deadline.map(day),
                    last_entry: entry.map(|e| day(created + e)), last_staged: staged.map(|e| day(created + e)) };
                let (l, r) = (LightRules::default(), UrgeRules::default());
                let now = day(as_of);
                let until = quiet_until(1, &f, now, &l, &r);
                prop_assert!(until > now);
                let owed = key(urge(1, &f, now, &l, &r));
                let mut d = now + chrono::Duration::days(1);
                while d < until && d < now + chrono::Duration::days(120) {
                    prop_assert_eq!(key(urge(1, &f, d, &l, &r)), owed.clone(), "owed changed on {} before {}", d, until);
                    d += chrono::Duration::days(1);
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::rectification::Category;
        fn d(s: &str) -> NaiveDate {
            crate::calendar::parse_date(s).unwrap()
        }
        #[test]
        fn escalates_in_steps_and_dedupes() {
            let f = TaskFacts {
                category: Category::TimeLimited,
                state: TaskState::InProgress,
                created: d("2020-01-21"),
                deadline: Some(d("2020-06-30")),
                last_entry: Some(d("2020-06-20")),
                last_staged: None,
            };
            let (l, r) = (LightRules::default(), UrgeRules::default());
            assert_eq!(urge(1, &f, d("2020-06-01"), &l, &r), None);
            assert!(matches!(
                urge(1, &f, d("2020-06-25"), &l, &r),
                Some(Urge::Reminder { .. })
            ));
            assert_eq!(
                urge(1, &f, d("2020-06-25"), &l, &r),
                urge(1, &f, d("2020-06-26"), &l, &r),
                "one reminder a week"
            );
            let lvl = |day| match urge(1, &f, d(day), &l, &r) {
                Some(Urge::Notice { level, .. }) => Some(level),
                _ => None,
            };
            assert_eq!(lvl("2020-07-01"), Some(Level::Blue));
            assert_eq!(lvl("2020-07-07"), Some(Level::Yellow));
            assert_eq!(lvl("2020-07-14"), Some(Level::Red));
            let key = |day| match urge(1, &f, d(day), &l, &r) {
                Some(Urge::Notice { dedupe, .. }) => dedupe,
                other => panic!("{other:?}"),
            };
            assert_eq!(
                key("2020-07-02"),
                key("2020-07-03"),
                "the blue notice once per deadline"
            );
            assert_ne!(key("2020-07-03"), key("2020-07-08"), "then the yellow one");
            let closed = TaskFacts {
                state: TaskState::Closed,
                ..f.clone()
            };
            assert_eq!(urge(1, &closed, d("2020-08-01"), &l, &r), None);
        }
    }
}
