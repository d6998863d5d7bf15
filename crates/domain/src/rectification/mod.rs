//! Rectification rules (整改): task categories and states, who may close a task (不搞形式销号),
//! traffic lights, and a plan's figures as of any date, computed from the task's history.
use serde::{Deserialize, Serialize};
use thiserror::Error;

mod lights;
mod rules;
mod stats;
pub mod urging;
pub use lights::*;
pub use rules::*;
pub use stats::*;

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
    #[error("只有督办单的收件人可以回复（未指定牵头领导的，由本单位整改办回复）")]
    NotTheAddressee,
    #[error("该督办单已回复")]
    NoticeAnswered,
    #[error("承诺完成日期不能早于今天")]
    PromiseInPast,
    #[error("只有发文单位的院领导可以签发")]
    NotASigner,
    #[error("该公文已签发；修改后须重新签发")]
    AlreadySigned,
    #[error("该公文已发布，不能再签发或修改")]
    DocumentPublished,
    #[error("公文须经发文单位的院领导签发后才能发布")]
    NotSignedOff,
    #[error("签发意见不超过 {0} 字")]
    OpinionTooLong(usize),
    #[error("更改角色须写明理由")]
    RoleWithoutReason,
    #[error("不能停用、调动或更改自己的账号，请由另一位管理员办理")]
    OwnAccount,
    #[error("登录名或激活码不正确，或激活码已过期")]
    ActivationFailed,
    #[error("该件已办结")]
    LetterClosed,
    #[error("该件已转出检察机关，不能再转办、交办或转出")]
    LetterOut,
    #[error("督办由上级院对下级院办理的信访件作出")]
    SuperviseOwn,
    #[error("请选择转办或交办的单位")]
    NoTargetUnit,
    #[error("该件已由此单位办理")]
    SameUnit,
    #[error("交办只能交给下级单位")]
    AssignOnlyDown,
    #[error("交办的办理结果尚未报告：报告后才能办结或再转")]
    ReportOwed,
    #[error("该件没有待报告的交办")]
    NoOpenAssignment,
    #[error("只有交办单位可以退回报告")]
    NotTheAssigner,
    #[error("请填写转送的机关名称")]
    OrganMissing,
    #[error("该件没有待复查的不满意评价")]
    NoReviewOpen,
    #[error("复查由作出答复单位的上一级院进行")]
    NotTheReviewer,
    #[error("该线索已办结")]
    ClueConcluded,
    #[error("线索须先作出处置，才能办结")]
    ClueUndisposed,
    #[error("模板中的花括号不成对")]
    TemplateUnbalanced,
    #[error("模板中有未知的占位符「{0}」")]
    TemplateUnknown(String),
    #[error("模板须包含占位符「{0}」")]
    TemplateMissing(String),
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
            NotTheAddressee => "rule.not_the_addressee",
            NoticeAnswered => "rule.notice_answered",
            PromiseInPast => "rule.promise_in_past",
            NotASigner => "rule.not_a_signer",
            AlreadySigned => "rule.already_signed",
            DocumentPublished => "rule.document_published",
            NotSignedOff => "rule.not_signed_off",
            OpinionTooLong(_) => "rule.opinion_too_long",
            RoleWithoutReason => "rule.role_without_reason",
            OwnAccount => "rule.own_account",
            ActivationFailed => "rule.activation_failed",
            LetterClosed => "rule.letter_closed",
            LetterOut => "rule.letter_out",
            SuperviseOwn => "rule.supervise_own",
            NoTargetUnit => "rule.no_target_unit",
            SameUnit => "rule.same_unit",
            AssignOnlyDown => "rule.assign_only_down",
            ReportOwed => "rule.report_owed",
            NoOpenAssignment => "rule.no_open_assignment",
            NotTheAssigner => "rule.not_the_assigner",
            OrganMissing => "rule.organ_missing",
            NoReviewOpen => "rule.no_review_open",
            NotTheReviewer => "rule.not_the_reviewer",
            TemplateUnbalanced => "rule.template_unbalanced",
            ClueConcluded => "rule.clue_concluded",
            ClueUndisposed => "rule.clue_undisposed",
            TemplateUnknown(_) => "rule.template_unknown",
            TemplateMissing(_) => "rule.template_missing",
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
            BeforeReceipt(d) | TemplateUnknown(d) | TemplateMissing(d) => vec![d.clone()],
            OpinionTooLong(n) => vec![n.to_string()],
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

/// What a supervised matter comes from. Inspection rounds and the other matters the office
/// supervises run on the same engine: lists, ledgers, lights, urging, review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// 中央巡视: a central inspection's feedback
    Central,
    /// 系统内巡视（常规）: a unit's regular inspection of its lower units
    Internal,
    /// 机动巡视: a short, targeted inspection (the seed's four directly affiliated institutions)
    Mobile,
    /// 巡视整改“回头看”
    LookBack,
    /// 重要指示批示: implementing important instructions
    Instruction,
    /// 检察建议: procuratorial recommendations and their follow-up
    Recommendation,
    /// 制度建设: rules produced by the rectification and checks of their execution
    Rules,
    /// 纪检监察建议书: the discipline group's recommendation to a unit, numbered per year; the
    /// group alone issues it and reviews its tasks' closure
    Discipline,
}

impl SourceKind {
    pub const ALL: [SourceKind; 8] = [
        SourceKind::Central,
        SourceKind::Internal,
        SourceKind::Mobile,
        SourceKind::LookBack,
        SourceKind::Instruction,
        SourceKind::Recommendation,
        SourceKind::Rules,
        SourceKind::Discipline,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Central => "central",
            SourceKind::Internal => "internal",
            SourceKind::Mobile => "mobile",
            SourceKind::LookBack => "lookback",
            SourceKind::Instruction => "instruction",
            SourceKind::Recommendation => "recommendation",
            SourceKind::Rules => "rules",
            SourceKind::Discipline => "discipline",
        }
    }
    /// The right that opens a matter of this kind: the discipline group issues its
    /// recommendations; the office (or an administrator) registers everything else.
    pub fn opened_by(self) -> crate::access::Action {
        if self == SourceKind::Discipline {
            crate::access::Action::KeepDesk
        } else {
            crate::access::Action::ManagePlans
        }
    }
    /// Who reviews the closure of this matter's tasks: the discipline group alone for its own
    /// recommendations, else the reviewers the supervision rules name.
    pub fn reviewers(self, rules: &[crate::org::Role]) -> Vec<crate::org::Role> {
        if self == SourceKind::Discipline {
            vec![crate::org::Role::Discipline]
        } else {
            rules.to_vec()
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
            SourceKind::Central | SourceKind::Internal | SourceKind::Mobile | SourceKind::LookBack
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
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
