//! The message catalogue: zh-CN by default, English available. Every user-facing string of the
//! web layer goes through here; a test checks that every key the templates use exists in both.
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(raw: &str) -> Lang {
        if raw.trim().to_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// (key, zh-CN, en)
pub const CATALOG: &[(&str, &str, &str)] = &[
    ("app.name", "督办", "Duban"),
    (
        "app.tagline",
        "巡视整改与督办系统",
        "Inspection rectification and supervision",
    ),
    ("nav.home", "首页", "Home"),
    ("nav.org", "组织机构", "Organisation"),
    ("nav.import", "导入", "Import"),
    ("nav.users", "账号管理", "Accounts"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.calendar", "工作日历", "Work calendar"),
    ("nav.account", "个人设置", "My account"),
    ("nav.api", "接口文档", "API reference"),
    ("nav.logout", "退出", "Sign out"),
    ("lang.switch", "English", "中文"),
    ("login.title", "登录", "Sign in"),
    ("login.login", "登录名", "Login"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("login.bad", "登录名或密码不正确", "Wrong login or password"),
    (
        "login.locked",
        "连续登录失败次数过多，账号已临时锁定 15 分钟",
        "Too many failed attempts; the account is locked for 15 minutes",
    ),
    (
        "login.throttled",
        "登录尝试过于频繁，请稍后再试",
        "Too many sign-in attempts; try again later",
    ),
    ("home.title", "工作台", "Dashboard"),
    ("home.welcome", "欢迎", "Welcome"),
    ("home.unit", "所在单位", "Unit"),
    ("home.role", "角色", "Role"),
    ("home.scope", "数据范围", "Scope"),
    (
        "home.scope.subtree",
        "本单位及下级单位",
        "this unit and its subordinate units",
    ),
    ("home.scope.unit", "仅本单位", "this unit only"),
    ("home.children", "直属下级单位", "Direct subordinate units"),
    ("home.tasks", "我的工作", "My work"),
    ("role.admin", "系统管理员", "Administrator"),
    ("role.office", "整改办（督办员）", "Rectification office"),
    ("role.leader", "牵头领导", "Lead leader"),
    ("role.dept", "责任部门承办人", "Responsible department"),
    ("role.discipline", "驻院纪检监察组", "Discipline group"),
    ("role.letters", "控告申诉检察部门", "Letters office"),
    ("role.quality", "案件管理部门", "Case management"),
    ("role.staff", "检察人员", "Staff"),
    (
        "duty.admin",
        "维护单位、部门、人员、账号与工作日历，查看审计日志",
        "Maintain units, departments, staff, accounts and the work calendar; read the audit log",
    ),
    (
        "duty.office",
        "制定整改方案、分解任务、督促催办、组织双周会商、发布通报",
        "Set up plans, assign tasks, urge, convene biweekly meetings, publish bulletins",
    ),
    (
        "duty.leader",
        "牵头负责整改任务，审核分管部门销号申请",
        "Lead tasks; approve the departments' closure requests",
    ),
    (
        "duty.dept",
        "登记工作台账、上传佐证材料、提出销号申请",
        "Keep the ledger, upload evidence, request closure",
    ),
    (
        "duty.discipline",
        "监督范围内全部工作，审核销号，共同主持双周会商，查看干预记录",
        "Oversee everything in scope, review closures, co-chair the biweekly meeting, see interference records",
    ),
    (
        "duty.letters",
        "登记、转交办并答复群众来信",
        "Register, route and answer letters from the public",
    ),
    (
        "duty.quality",
        "案件质量指标与流程监控",
        "Case-quality metrics and process monitoring",
    ),
    (
        "duty.staff",
        "每月填报“三个规定”记录（含零报告）",
        "File the monthly interference report (zero report included)",
    ),
    ("level.1", "一级（最高检）", "Level 1 (national)"),
    ("level.2", "二级（省级院）", "Level 2 (provincial)"),
    ("level.3", "三级（市级院）", "Level 3 (city)"),
    ("level.4", "四级（基层院）", "Level 4 (basic)"),
    ("org.units", "单位", "Units"),
    ("org.code", "代码", "Code"),
    ("org.name", "名称", "Name"),
    ("org.level", "层级", "Level"),
    ("org.parent", "上级单位", "Parent unit"),
    ("org.all_levels", "全部层级", "All levels"),
    ("org.search", "查询", "Search"),
    ("org.search_hint", "名称或代码", "Name or code"),
    ("org.total", "共", "Total"),
    ("org.departments", "内设机构", "Departments"),
    ("org.discipline_group", "纪检监察组", "Discipline group"),
    ("org.leadership", "院领导班子", "Leadership"),
    ("org.staff", "人员", "Staff"),
    ("org.staff_no", "工号", "Staff no."),
    ("org.post", "职务", "Post"),
    ("org.department", "部门", "Department"),
    ("org.leader", "院领导", "Leader"),
    ("org.children", "下级单位", "Subordinate units"),
    ("org.rename", "修改名称", "Rename"),
    ("org.add_department", "新增内设机构", "Add department"),
    ("org.kind.internal", "内设机构", "Department"),
    ("org.kind.discipline", "纪检监察组", "Discipline group"),
    ("org.stats", "范围内统计", "In scope"),
    ("page.prev", "上一页", "Previous"),
    ("page.next", "下一页", "Next"),
    ("common.save", "保存", "Save"),
    ("common.add", "添加", "Add"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.none", "暂无", "None"),
    ("common.saved", "已保存", "Saved"),
    ("common.back", "返回", "Back"),
    ("import.title", "导入单位与人员", "Import units and staff"),
    ("import.units", "导入单位", "Import units"),
    ("import.staff", "导入人员", "Import staff"),
    ("import.file", "文件（CSV 或 XLSX）", "File (CSV or XLSX)"),
    ("import.submit", "上传并导入", "Upload and import"),
    (
        "import.units_help",
        "列：code, name, level, parent_code（层级 1–4；上级代码须已存在或在同一文件中）",
        "Columns: code, name, level, parent_code (level 1–4; the parent must exist or be in the same file)",
    ),
    (
        "import.staff_help",
        "列：staff_id, name, unit_code, department, post, is_leader（部门不存在时自动创建；院领导填 1）",
        "Columns: staff_id, name, unit_code, department, post, is_leader (missing departments are created; 1 marks a leader)",
    ),
    (
        "import.failed",
        "导入失败，未导入任何数据。请修正以下问题后重新上传：",
        "Nothing was imported. Fix these problems and upload again:",
    ),
    ("import.row", "行", "Row"),
    ("import.column", "列", "Column"),
    ("import.problem", "问题", "Problem"),
    ("import.done", "导入完成", "Import complete"),
    ("import.created", "新增", "created"),
    ("import.updated", "更新", "updated"),
    ("common.days", "天", "days"),
    ("users.delayed", "登录限速", "Delayed sign-ins"),
    (
        "users.delayed_help",
        "连续输错密码 3 次以上的登录名，每次尝试都会延迟（不会锁定账号）。核实后可解除。",
        "Logins with three or more failed sign-ins in a row: each attempt is delayed (accounts are never locked). Clear one after checking.",
    ),
    ("users.failures", "连续失败次数", "Failures in a row"),
    ("users.clear_delay", "解除限速", "Clear the delay"),
    ("account.token_created", "创建时间", "Created"),
    ("account.token_expires", "有效期至", "Expires"),
    (
        "letters.recorded_late",
        "其中补录（件）",
        "Of which with a step recorded late",
    ),
    ("anchor.title", "审计锚点", "Audit anchor"),
    (
        "anchor.help",
        "本系统每天用签名密钥对全部操作记录（审计链）的最新位置签名并在此公布。保存此锚点，日后可核对：公布之前的任何记录如被改写，都会被发现。",
        "Every day the system signs the latest position of its record of every action (the audit chain) and publishes it here. Keep this anchor: any later rewrite of what came before it will show.",
    ),
    ("anchor.signed_at", "签名时间", "Signed at"),
    ("anchor.seq", "记录序号", "Entry"),
    ("anchor.hash", "链头哈希", "Chain head hash"),
    ("anchor.key", "签名公钥", "Public key"),
    (
        "anchor.download",
        "下载锚点（JSON）",
        "Download the anchor (JSON)",
    ),
    (
        "rules.ledger_grace",
        "台账补录期限（天，超过须写补录原因）",
        "Ledger grace (days; later entries need a reason)",
    ),
    (
        "rules.letter_grace",
        "来信办理补录期限（工作日）",
        "Letter step grace (working days)",
    ),
    ("rect.late", "补录", "Late entry"),
    ("rect.imported", "导入", "Imported"),
    ("rect.late_reason", "补录原因", "Reason for a late entry"),
    (
        "rect.late_hint",
        "日期早于今天超过",
        "needed when the date is more than",
    ),
    ("rect.recorded_at", "登记于", "recorded"),
    (
        "rect.late_count",
        "台账中补录（条）",
        "Ledger entries recorded late",
    ),
    (
        "rect.adjusted_count",
        "经审批调整期限的任务（项）",
        "Tasks whose deadline was adjusted on approval",
    ),
    ("adj.title", "任务调整", "Adjustments"),
    ("adj.field", "调整事项", "What changes"),
    ("adj.before", "调整前", "Before"),
    ("adj.after", "调整后", "After"),
    ("adj.reason", "理由", "Reason"),
    ("adj.requested_by", "申请人", "Requested by"),
    ("adj.state", "状态", "State"),
    ("adj.note", "审批意见", "Decision note"),
    ("adj.approve", "同意", "Approve"),
    ("adj.reject", "不同意", "Reject"),
    (
        "adj.confirm",
        "同意后将改变任务的期限或类别，确定吗？",
        "Approving changes the task's deadline or category. Continue?",
    ),
    ("adj.none", "没有调整记录", "No adjustments"),
    (
        "adj.request",
        "调整任务（名称、措施、标准立即生效；期限、类别须经审批）",
        "Adjust the task (wording applies at once; deadline and category need approval)",
    ),
    ("adj.field.title", "任务名称", "Title"),
    ("adj.field.measure", "整改措施", "Measure"),
    ("adj.field.standard", "完成标准", "Completion standard"),
    ("adj.field.responsibility", "责任分工", "Responsibility"),
    ("adj.field.deadline", "完成时限", "Deadline"),
    ("adj.field.category", "整改类别", "Category"),
    ("adj.state.applied", "已修改", "Applied"),
    ("adj.state.pending", "待审批", "Awaiting approval"),
    ("adj.state.approved", "已同意", "Approved"),
    ("adj.state.rejected", "未同意", "Rejected"),
    (
        "adj.pending_count",
        "待审批的任务调整",
        "Adjustment requests awaiting approval",
    ),
    (
        "import.historical_closures",
        "导入历史销号",
        "historical closures imported",
    ),
    (
        "import.requests",
        "转为待审核申请",
        "turned into requests for review",
    ),
    (
        "rule.no_evidence",
        "申请销号须至少附一份佐证材料",
        "A closure request needs at least one evidence file",
    ),
    (
        "rule.no_statement",
        "申请销号须对照完成标准说明整改情况",
        "A closure request must state the result against the completion standard",
    ),
    (
        "rule.long_term_never_closes",
        "长期整改任务不销号，应定期报送阶段性成效",
        "Long-term tasks are never closed; report staged results instead",
    ),
    (
        "rule.wrong_state",
        "任务当前状态为“{0}”，不能执行此操作",
        "The task is \"{0}\"; this step is not possible now",
    ),
    (
        "rule.own_task",
        "牵头领导、责任人和责任部门不能审核本任务（不搞形式销号）",
        "The task's lead leader, responsible person and departments cannot review it",
    ),
    (
        "rule.not_a_reviewer",
        "只有{0}可以审核销号（不搞形式销号）",
        "Only {0} may review closures",
    ),
    (
        "rule.no_reason",
        "退回或重新打开须写明理由",
        "Give the reasons for returning or reopening",
    ),
    (
        "rule.not_a_keeper",
        "只有牵头领导、责任部门和整改办可以登记本任务的台账",
        "Only the lead leader, the responsible departments and the office keep this task's ledger",
    ),
    (
        "rule.staged_only_long_term",
        "阶段性成效只适用于长期整改任务",
        "Staged results are for long-term tasks only",
    ),
    (
        "rule.admin_never_reviews",
        "系统管理员不能审核销号",
        "Administrators never review",
    ),
    (
        "rule.unbound_reviewer",
        "审核须由本人账号进行：此账号未关联人员信息",
        "Reviews are made by a person: this account is not linked to a staff record",
    ),
    (
        "rule.own_request",
        "不能审核自己参与提交的销号申请（不搞形式销号）",
        "You cannot review a closure request you took part in",
    ),
    (
        "rule.future_date",
        "日期不能晚于今天",
        "The date cannot be in the future",
    ),
    (
        "rule.late_without_reason",
        "日期早于登记日 {0} 天，超过 {1} 天的补录期限：请填写补录原因",
        "The date is {0} days before today, beyond the {1}-day grace: give the reason for the late entry",
    ),
    ("rule.empty_body", "请填写内容", "Fill in the text"),
    (
        "rule.empty_file",
        "佐证材料 {0} 是空文件",
        "Evidence file {0} is empty",
    ),
    (
        "rule.file_too_large",
        "佐证材料 {0} 超过 20 MB",
        "Evidence file {0} is larger than 20 MB",
    ),
    (
        "rule.bad_file_name",
        "文件名不可用：{0}（不超过 120 字，不含控制字符和路径分隔符）",
        "Unusable file name: {0} (at most 120 characters, no control characters or path separators)",
    ),
    (
        "rule.bad_file_type",
        "不支持的佐证材料类型：{0}（可上传 PDF、OFD、图片、Word、Excel、文本）",
        "Unsupported evidence type: {0} (PDF, OFD, images, Word, Excel, text)",
    ),
    (
        "rule.national_only",
        "全国范围的规则只能由全院（最高检及全部下级）范围的系统管理员修改",
        "Nationwide rules can be changed only by an administrator whose scope is the whole organisation",
    ),
    (
        "rule.grant_too_wide",
        "不能授予超出本人范围的数据范围",
        "You cannot grant a scope wider than your own",
    ),
    (
        "rule.out_of_scope",
        "该单位不在您的数据范围内",
        "That unit is outside your scope",
    ),
    (
        "rule.own_adjustment",
        "调整申请不能由申请人本人审批",
        "An adjustment request cannot be decided by its author",
    ),
    (
        "rule.adjustment_without_reason",
        "调整期限或类别须写明理由",
        "Give the reason for changing the deadline or category",
    ),
    (
        "rule.adjustment_decided",
        "该调整申请已处理",
        "This request has already been decided",
    ),
    (
        "rule.before_receipt",
        "日期早于收到日期 {0}",
        "The date is before the letter was received ({0})",
    ),
    (
        "rule.letter_late_without_reason",
        "日期早于登记日 {0} 天，超过 {1} 个工作日的补录期限：请填写补录原因",
        "The date is {0} days before today, beyond the grace of {1} working days: give the reason for the late entry",
    ),
    (
        "rule.not_permitted",
        "您没有执行此操作的权限",
        "You may not do this",
    ),
    (
        "rule.not_an_adjuster",
        "只有整改办可以调整任务",
        "Only the rectification office adjusts tasks",
    ),
    ("import.depts_created", "新建部门", "departments created"),
    ("users.title", "账号管理", "Accounts"),
    ("users.login", "登录名", "Login"),
    ("users.name", "姓名", "Name"),
    ("users.role", "角色", "Role"),
    ("users.unit", "单位代码", "Unit code"),
    ("users.subtree", "含下级单位", "Includes subordinate units"),
    ("users.password", "初始密码", "Initial password"),
    ("users.create", "新建账号", "Create account"),
    ("users.created", "账号已创建", "Account created"),
    ("audit.title", "审计日志", "Audit log"),
    (
        "audit.action.calendar.seed",
        "载入法定节假日",
        "Statutory calendar loaded",
    ),
    (
        "audit.action.calendar.update",
        "修改工作日历",
        "Work calendar changed",
    ),
    (
        "audit.action.campaign.create",
        "建立专项活动",
        "Campaign created",
    ),
    (
        "audit.action.cases.import",
        "导入案件环节数据",
        "Case events imported",
    ),
    ("audit.action.demo.load", "载入演示数据", "Demo data loaded"),
    (
        "audit.action.demo.nation",
        "生成全国演示数据",
        "Nationwide demo data generated",
    ),
    (
        "audit.action.demo.nation.letters",
        "生成全国信访演示数据",
        "Nationwide demo letters generated",
    ),
    (
        "audit.action.demo.nation.records",
        "生成全国三个规定演示数据",
        "Nationwide demo records generated",
    ),
    (
        "audit.action.demo.nation.rectification",
        "生成全国整改演示数据",
        "Nationwide demo rectification generated",
    ),
    (
        "audit.action.department.create",
        "新建部门",
        "Department created",
    ),
    (
        "audit.action.document.create",
        "新建公文",
        "Document created",
    ),
    (
        "audit.action.document.new_version",
        "公文新版本",
        "New version of a document",
    ),
    (
        "audit.action.document.publish",
        "发布公文",
        "Document published",
    ),
    (
        "audit.action.document.save",
        "保存公文草稿",
        "Document draft saved",
    ),
    (
        "audit.action.import.closure",
        "导入历史销号",
        "Historical closure imported",
    ),
    (
        "audit.action.import.ledger",
        "导入工作台账",
        "Ledger imported",
    ),
    ("audit.action.import.staff", "导入人员", "Staff imported"),
    ("audit.action.import.units", "导入单位", "Units imported"),
    ("audit.action.ledger.add", "登记台账", "Ledger entry"),
    ("audit.action.letter.file", "信访附件", "Letter attachment"),
    ("audit.action.letter.hearing", "公开听证", "Public hearing"),
    ("audit.action.letter.link", "关联信访件", "Letters linked"),
    ("audit.action.letter.rate", "来信人评价", "Writer's rating"),
    ("audit.action.letter.receive", "收到来信", "Letter received"),
    ("audit.action.letter.step", "信访办理", "Letter step"),
    ("audit.action.letter.view", "查阅信访件", "Letter viewed"),
    (
        "audit.action.letters.export_personal",
        "导出含个人信息的信访件",
        "Letters exported with personal data",
    ),
    (
        "audit.action.letters.import",
        "导入信访件",
        "Letters imported",
    ),
    (
        "audit.action.meeting.create",
        "召开双周会商",
        "Meeting convened",
    ),
    (
        "audit.action.meeting.decide",
        "会商决定",
        "Meeting decision",
    ),
    (
        "audit.action.meeting.minutes",
        "会议纪要",
        "Meeting minutes",
    ),
    (
        "audit.action.paperwork.add",
        "登记文件会议",
        "Paperwork registered",
    ),
    (
        "audit.action.paperwork.demo",
        "载入精文简会演示数据",
        "Demo paperwork loaded",
    ),
    (
        "audit.action.plan.cascade",
        "下发整改方案",
        "Plan issued to lower units",
    ),
    ("audit.action.plan.create", "新建整改方案", "Plan created"),
    ("audit.action.problem.create", "新建问题", "Problem created"),
    (
        "audit.action.quality.supervise",
        "监控结果转督办",
        "Monitoring hits supervised",
    ),
    (
        "audit.action.records.attach",
        "三个规定附件",
        "Record attachment",
    ),
    (
        "audit.action.records.import",
        "导入三个规定记录",
        "Records imported",
    ),
    (
        "audit.action.records.letter",
        "督促函",
        "Supervision letter",
    ),
    (
        "audit.action.records.letter_draft",
        "督促函草稿",
        "Supervision letter draft",
    ),
    (
        "audit.action.records.view",
        "查阅三个规定记录",
        "Records viewed",
    ),
    ("audit.action.round.create", "新建巡视轮次", "Round created"),
    (
        "audit.action.settings.quality",
        "修改案件质量规则",
        "Quality rules changed",
    ),
    (
        "audit.action.settings.supervision",
        "修改督办规则",
        "Supervision rules changed",
    ),
    (
        "audit.action.supervision.sweep",
        "督办检查",
        "Supervision sweep",
    ),
    (
        "audit.action.supervision.sweep_letters",
        "信访督办检查",
        "Letters sweep",
    ),
    (
        "audit.action.supervision.sweep_records",
        "三个规定提醒",
        "Records reminders",
    ),
    (
        "audit.action.supervision.sweep_reports",
        "整改报告提醒",
        "Report reminders",
    ),
    ("audit.action.system.restore", "恢复备份", "Backup restored"),
    (
        "audit.action.task.assign",
        "指定责任",
        "Responsibility assigned",
    ),
    ("audit.action.task.create", "新建任务", "Task created"),
    ("audit.action.task.edit", "修改任务", "Task edited"),
    (
        "audit.action.task.adjust_request",
        "申请调整任务",
        "Adjustment requested",
    ),
    (
        "audit.action.task.adjust_approve",
        "同意调整",
        "Adjustment approved",
    ),
    (
        "audit.action.task.adjust_reject",
        "不同意调整",
        "Adjustment rejected",
    ),
    (
        "audit.action.token.create",
        "新建接口令牌",
        "API token created",
    ),
    (
        "audit.action.token.revoke",
        "吊销接口令牌",
        "API token revoked",
    ),
    ("audit.action.unit.update", "修改单位", "Unit changed"),
    ("audit.action.user.create", "新建账号", "Account created"),
    ("audit.action.user.email", "设置邮箱", "E-mail set"),
    ("audit.action.user.lang", "切换语言", "Language changed"),
    ("audit.action.user.locked", "账号锁定", "Account locked"),
    ("audit.action.user.login", "登录", "Sign-in"),
    ("audit.action.user.password", "修改密码", "Password changed"),
    ("audit.field.state", "状态", "state"),
    ("audit.field.deadline", "完成时限", "deadline"),
    ("audit.field.category", "类别", "category"),
    ("audit.field.title", "名称", "title"),
    ("audit.field.kind", "类型", "kind"),
    ("audit.field.date", "日期", "date"),
    ("audit.field.entry", "台账条目", "entry"),
    ("audit.field.files", "附件", "files"),
    ("audit.field.reason", "理由", "reason"),
    ("audit.field.late_days", "补录天数", "days late"),
    ("audit.field.late_reason", "补录原因", "late reason"),
    ("audit.field.provenance", "来源", "provenance"),
    ("audit.field.login", "登录名", "login"),
    ("audit.field.role", "角色", "role"),
    ("audit.field.subtree", "含下级", "subtree"),
    ("audit.field.note", "意见", "note"),
    ("audit.field.adjustment", "调整申请", "adjustment"),
    ("audit.field.source", "来源", "source"),
    ("audit.field.step", "环节", "step"),
    ("audit.field.on", "日期", "on"),
    ("audit.field.decision", "决定", "decision"),
    ("audit.field.task", "任务", "task"),
    ("audit.field.created", "新增", "created"),
    ("audit.field.updated", "更新", "updated"),
    ("audit.field.file", "文件", "file"),
    ("audit.field.reviewer", "审核人", "reviewer"),
    ("audit.field.units", "单位数", "units"),
    ("audit.field.number", "期数", "number"),
    ("audit.seq", "序号", "No."),
    ("audit.at", "时间", "Time"),
    ("audit.actor", "操作人", "Actor"),
    ("audit.action", "操作", "Action"),
    ("audit.object", "对象", "Object"),
    ("audit.change", "变更前 → 变更后", "Before → after"),
    ("audit.filter", "操作类型前缀", "Action prefix"),
    (
        "audit.chain_ok",
        "审计链校验通过，条目数",
        "Audit chain intact; entries",
    ),
    ("audit.chain_bad", "审计链校验失败", "Audit chain broken"),
    ("audit.older", "更早", "Older"),
    ("audit.verify", "校验审计链", "Verify the chain"),
    ("calendar.title", "工作日历", "Work calendar"),
    ("calendar.years", "已有数据的年份", "Years with data"),
    ("calendar.year", "年份", "Year"),
    ("calendar.date", "日期", "Date"),
    ("calendar.kind", "类型", "Kind"),
    ("calendar.holiday", "法定节假日（休）", "Holiday (rest)"),
    ("calendar.workday", "调休上班（班）", "Make-up working day"),
    ("calendar.clear", "恢复为普通日", "Back to an ordinary day"),
    ("calendar.name", "节日名称", "Holiday name"),
    ("calendar.set", "设置", "Set"),
    (
        "calendar.import",
        "导入节假日安排",
        "Import a holiday schedule",
    ),
    (
        "calendar.import_help",
        "列：date, kind, name（kind 为 holiday 或 workday）；导入的年份即视为已有数据",
        "Columns: date, kind, name (kind is holiday or workday); the years imported count as covered",
    ),
    ("calendar.deadline", "期限计算", "Deadline calculator"),
    (
        "calendar.start",
        "起算日（不计入）",
        "Start date (not counted)",
    ),
    ("calendar.days", "天数", "Days"),
    ("calendar.months", "月数", "Months"),
    ("calendar.counting", "计算方式", "Counting"),
    ("calendar.counting.calendar", "自然日", "Calendar days"),
    ("calendar.counting.working", "工作日", "Working days"),
    ("calendar.compute", "计算", "Compute"),
    ("calendar.result", "期限届满日", "Deadline"),
    ("account.title", "个人设置", "My account"),
    ("account.password", "修改密码", "Change password"),
    ("account.current", "当前密码", "Current password"),
    ("account.new", "新密码", "New password"),
    ("account.repeat", "重复新密码", "Repeat new password"),
    (
        "account.mismatch",
        "两次输入的新密码不一致",
        "The new passwords differ",
    ),
    (
        "account.changed",
        "密码已修改，其他会话已退出",
        "Password changed; other sessions were signed out",
    ),
    ("account.language", "界面语言", "Language"),
    ("account.tokens", "API 令牌", "API tokens"),
    ("account.email", "电子邮件", "E-mail"),
    (
        "account.email_help",
        "催办和督办单发送到此地址（可留空）",
        "Reminders and notices are sent here (may be empty)",
    ),
    (
        "account.email_saved",
        "电子邮件地址已保存",
        "E-mail address saved",
    ),
    ("account.token_name", "令牌用途", "What it is for"),
    ("account.token_create", "生成令牌", "Create token"),
    (
        "account.token_once",
        "请立即复制，此令牌只显示一次：",
        "Copy it now; it is shown only once:",
    ),
    ("account.revoke", "吊销", "Revoke"),
    ("account.revoked", "已吊销", "Revoked"),
    ("api.title", "接口文档", "API reference"),
    (
        "api.intro",
        "JSON 接口位于 /api/v1，使用 Authorization: Bearer 令牌认证（在“个人设置”中生成）。完整描述：",
        "The JSON API lives under /api/v1 and takes Authorization: Bearer tokens (create one under My account). Full description:",
    ),
    ("nav.rectification", "整改督办", "Rectification"),
    ("nav.mine", "我的任务", "My tasks"),
    ("rect.plans", "整改方案", "Rectification plans"),
    (
        "rect.round",
        "巡视轮次或督办来源",
        "Inspection round or source",
    ),
    ("rect.source_kind", "督办事项类型", "Kind of matter"),
    ("nav.letters", "信访", "Letters"),
    ("letters.board", "逾期督办台", "Overdue board"),
    ("letters.search", "全文检索", "Search"),
    ("nav.records", "三个规定", "Interference records"),
    ("nav.quality", "案件质量", "Case quality"),
    ("nav.paperwork", "精文简会", "Less paperwork"),
    ("nav.documents", "公文通报", "Documents"),
    (
        "documents.title",
        "公文：通报、报告、专报与典型案例",
        "Documents: bulletins, reports, special reports, typical cases",
    ),
    (
        "documents.help",
        "通报由数据生成：统计语句来自整改台账、信访、记录和案件质量；办公室撰写的段落与生成的语句合成正文。发布后内容和 PDF 冻结，不能再改；修改须另建新版本。",
        "Bulletins are generated from the data: figures come from the ledgers, letters, records and case quality; the office's sections are woven in. Publishing freezes the text and PDF; a change is a new version.",
    ),
    (
        "documents.public",
        "公开的整改通报和典型案例",
        "Published bulletins and typical cases",
    ),
    (
        "documents.reports",
        "整改情况报告（反馈后 2 个月内报送）",
        "Rectification reports (due 2 months after feedback)",
    ),
    ("documents.report_done", "已报送", "Sent"),
    ("documents.report_owed", "待报送", "Owed"),
    ("documents.report_overdue", "已逾期", "Overdue"),
    ("documents.new", "新建公文", "New document"),
    ("documents.kind", "类别", "Kind"),
    ("documents.as_of", "截至日期 / 成文日期", "As of / date"),
    (
        "documents.plans",
        "整改方案（同一轮巡视，可多选；典型案例不选）",
        "Plans (one round; none for typical cases)",
    ),
    ("documents.create", "新建", "Create"),
    ("documents.list", "公文列表", "Documents"),
    ("documents.doc_title", "标题", "Title"),
    ("documents.number", "期数 / 批次", "Number"),
    ("documents.published", "已发布", "Published"),
    ("documents.draft", "草稿", "Draft"),
    ("documents.saved", "草稿已保存", "Draft saved"),
    (
        "documents.removed",
        "以下不支持的标记已删除（文字保留）：",
        "These unsupported tags were removed (their text kept):",
    ),
    (
        "documents.frozen",
        "内容已冻结，数据变化不影响已发布文本",
        "Frozen: later data changes do not alter it",
    ),
    ("documents.public_page", "公开页面", "Public page"),
    ("documents.previous", "上一版本", "Previous version"),
    ("documents.new_version", "另建新版本", "New version"),
    ("documents.issuer", "发文机关", "Issuing body"),
    ("documents.doc_no", "发文字号", "Document number"),
    ("documents.recipient", "主送机关", "Addressee"),
    ("documents.signature", "署名", "Signature"),
    (
        "documents.contact",
        "联系方式（意见建议渠道）",
        "Contact details (feedback channel)",
    ),
    (
        "documents.body",
        "正文（办公室撰写）",
        "Text (written by the office)",
    ),
    (
        "documents.task_ids",
        "选入专报的整改任务",
        "Tasks the special report names",
    ),
    (
        "documents.meeting_ids",
        "选入专报的会议（双周会商等）",
        "Meetings the special report names",
    ),
    (
        "documents.cases",
        "案例（每行一个：案件编号｜案例标题｜案情摘要）",
        "Cases (one a line: case id | title | summary)",
    ),
    (
        "documents.cases_help",
        "案件编号取自案件流程数据；摘要由办公室撰写。发布时按年自动编为第 N 批。",
        "Case ids from the case events; the office writes the summaries. Numbered 第N批 per year on publishing.",
    ),
    ("documents.save", "保存草稿", "Save draft"),
    (
        "documents.markup",
        "正文写法与数据标记",
        "How to write the text; data tokens",
    ),
    (
        "documents.markup_help",
        "每行一段；以“一、”开头为一级标题（黑体），“（一）”为二级标题（楷体），“1.”为三级标题；<b>…</b> 加粗，其他 HTML 标记会被删除。下列标记在生成时替换为由数据生成的语句或图表：",
        "One paragraph a line; a line starting 一、 is a heading (黑体), （一） a second-level one (楷体), 1. a third-level one; <b>…</b> is bold, other HTML is removed. These tokens become sentences or charts from the data:",
    ),
    ("documents.publish", "发布", "Publish"),
    (
        "documents.publish_help",
        "发布后内容、编号和 PDF 冻结，不能修改。",
        "Publishing freezes the text, number and PDF.",
    ),
    ("documents.frozen_text", "已发布文本", "Published text"),
    (
        "documents.preview",
        "预览（按截至日期的数据生成）",
        "Preview (from the data as of the date)",
    ),
    ("documents.history", "草稿历史", "Draft history"),
    ("documents.saved_at", "保存时间", "Saved at"),
    ("documents.saved_by", "保存人", "Saved by"),
    ("documents.length", "正文（字数）", "Text (characters)"),
    ("documents.download_pdf", "下载 PDF", "Download PDF"),
    ("documents.feedback", "意见建议", "Comments and suggestions"),
    (
        "documents.feedback_help",
        "欢迎对整改落实情况进行监督。您的意见建议将作为信访件登记，7 日内告知受理情况，3 个月内答复办理结果；请保存查询码以便查询。",
        "Your comments are registered as a letter: acknowledged within 7 days, answered within 3 months. Keep the query code.",
    ),
    ("documents.suggestion", "意见建议", "Your comments"),
    ("paperwork.title", "精文简会与数据索要", "Less paperwork"),
    (
        "paperwork.help",
        "登记本单位发文、会议、集体学习和调研，与去年同期比较；向下级单位索要数据须经系统检查，系统已统计的数据不得再向下级索要。",
        "Register documents, meetings, collective study sessions and research visits and compare them with the same dates a year before; a request for figures to lower units is checked, and figures Duban already computes are not asked for.",
    ),
    ("paperwork.kind", "类型", "Kind"),
    ("paperwork.this", "本期", "This period"),
    ("paperwork.before", "去年同期", "A year before"),
    ("paperwork.change", "增减", "Change"),
    ("paperwork.add", "登记", "Register"),
    ("paperwork.entry_title", "标题", "Title"),
    ("paperwork.number", "文号", "Number"),
    ("paperwork.organiser", "主办", "Organiser"),
    ("paperwork.saved", "已保存", "Saved"),
    (
        "paperwork.request",
        "向下级单位索要数据",
        "Ask lower units for figures",
    ),
    (
        "paperwork.request_help",
        "请选择所需数据。系统已实时统计的数据会被拦截，并给出查看链接。",
        "Choose the figure. Figures Duban computes are refused, with a link to them.",
    ),
    ("paperwork.metric", "所需数据", "Figure"),
    ("paperwork.detail", "说明", "Detail"),
    ("paperwork.send", "提交", "Submit"),
    ("paperwork.requests", "数据索要记录", "Requests for figures"),
    ("paperwork.state", "结果", "Outcome"),
    (
        "paperwork.refused",
        "已拦截（系统已有）",
        "refused (computed)",
    ),
    ("paperwork.sent", "已发出", "sent"),
    ("paperwork.entries", "登记清单", "Entries"),
    ("paperwork.live", "查看实时数据", "See the live figure"),
    ("quality.title", "案件质量", "Case quality"),
    (
        "quality.help",
        "案-件比：案为期间内以受理审查逮捕（无审查逮捕的以受理审查起诉）开始的案件数，件为案加上期间内退回补充侦查、延长审查起诉期限等额外环节（计数环节与权重可配置），理想值为 1:1。认罪认罚适用率为期间内审结案件中适用认罪认罚的比例。",
        "案-件比: 案 counts the cases that begin in the period (arrest review, or prosecution review where there was none); 件 adds the extra steps in the period (returns for supplementary investigation, extensions, … — configurable, with weights); the ideal is 1:1. The plea-leniency rate is the share of cases concluded in the period with 认罪认罚.",
    ),
    ("quality.from", "起始日期", "From"),
    ("quality.to", "截止日期", "To"),
    ("quality.type", "案件类型", "Case type"),
    ("quality.all_types", "全部", "All"),
    ("quality.tag", "标签", "Tag"),
    ("quality.ratio", "案-件比", "Case ratio"),
    ("quality.an", "案", "Cases (案)"),
    ("quality.jian", "件", "Steps (件)"),
    ("quality.extra", "额外环节", "Extra steps"),
    ("quality.plea", "认罪认罚适用率", "Plea-leniency rate"),
    ("quality.overdue", "超期案件", "Overdue cases"),
    ("quality.closed_since", "其中已办结", "since concluded"),
    ("quality.hits", "流程监控提示", "Process-monitoring hits"),
    (
        "quality.extra_steps",
        "额外环节（计入件）",
        "Extra steps (counted in 件)",
    ),
    ("quality.event", "环节", "Event"),
    ("quality.count", "次数", "Count"),
    ("quality.by_unit", "按单位", "By unit"),
    ("quality.by_type", "按案件类型", "By case type"),
    ("quality.by_level", "按层级", "By level"),
    ("quality.level", "层级", "Level"),
    ("quality.n_events", "环节总数", "Events"),
    ("quality.trend", "按月趋势", "Month by month"),
    ("quality.events", "各环节数量", "Events"),
    ("quality.overdue_list", "超期案件清单", "Overdue cases"),
    (
        "quality.overdue_help",
        "按各类案件办案期限（督办规则中的质量规则）计算，截至",
        "By each case type's time limit, as of",
    ),
    ("quality.case_no", "案件编号", "Case"),
    ("quality.start", "起算日", "Start"),
    ("quality.due", "期限届满", "Due"),
    ("quality.concluded_on", "办结日", "Concluded"),
    ("quality.open", "未办结", "open"),
    ("quality.rule", "监控要点", "Rule"),
    (
        "quality.supervise",
        "将未督办的提示转为督办事项（立行立改，30 日内）",
        "Turn the hits not yet supervised into tasks (at once, within 30 days)",
    ),
    ("quality.supervised", "已转为督办事项：", "Tasks made:"),
    ("quality.matter", "督办事项", "Supervised matter"),
    ("quality.task", "查看任务", "Open the task"),
    ("quality.rules", "案件质量规则", "Case-quality rules"),
    (
        "quality.rules_help",
        "events：事件清单（kind 为 normal 正常环节、extra 额外环节（计入件，weight 为权重）、civil 民事监督、other 其他）；time_limits：各类案件办案期限（start 起算事件、end 办结事件、days 天数、working_days 是否按工作日）；monitoring：流程监控要点（repeated 重复出现、without_prior 缺少前置环节、late 超过天数）。修改额外环节后，已导入的事件按新规则重新计算。",
        "events: the vocabulary (kind normal, extra — counted in 件 with its weight —, civil, other); time_limits: per case type (start and end events, days, working_days); monitoring: the checks (repeated, without_prior, late). Changing the extra steps re-applies them to the events already imported.",
    ),
    ("quality.rules_link", "案件质量规则", "Case-quality rules"),
    ("quality.on", "日期", "Date"),
    (
        "records.title",
        "过问或干预插手司法办案等重大事项记录报告",
        "Records of interference",
    ),
    (
        "records.help",
        "每名干警每月报送一次：有过问、干预、插手情况的逐件记录；没有的报“零报告”。未报送与零报告不同。",
        "Every staff member files every month: each case of interference as a record, or a zero report when there was none. Not filing is not a zero report.",
    ),
    ("records.filed", "已报送", "Filed"),
    (
        "records.owed",
        "您尚未报送以下月份的记录报告（有情况逐件记录，没有请报零报告）：",
        "You have not filed for the month:",
    ),
    ("records.mine", "我的报送", "My filings"),
    ("records.month", "月份", "Month"),
    ("records.kind", "报送情况", "Filing"),
    ("records.zero", "零报告", "Zero report"),
    ("records.n_records", "记录件数", "Records"),
    ("records.file_zero", "报送零报告", "File a zero report"),
    (
        "records.zero_button",
        "本月没有过问、干预、插手情况",
        "Nothing to record this month",
    ),
    (
        "records.file_record",
        "记录一件过问或干预",
        "Record a case of interference",
    ),
    ("records.record_button", "报送记录", "File the record"),
    ("records.occurred_on", "发生日期", "Date"),
    ("records.intervener_name", "干预人", "Intervening person"),
    ("records.intervener_unit", "干预人单位", "Their unit"),
    ("records.intervener_post", "干预人职务", "Their post"),
    ("records.category", "人员类别", "Category"),
    ("records.insider", "是否检察人员", "Procuratorate staff"),
    ("records.insider_short", "检察人员", "staff"),
    ("records.manner", "方式", "Manner"),
    ("records.matter", "事项", "Matter"),
    ("records.case_ref", "相关案件", "Related case"),
    (
        "records.content",
        "内容及对办理的影响",
        "What happened and its effect",
    ),
    ("records.completeness", "报送完整率", "Completeness"),
    (
        "records.mask_help",
        "仅显示汇总数字；不足 5 人的单位不单独显示。",
        "Aggregates only; units of fewer than 5 persons are not shown on their own.",
    ),
    (
        "records.masked",
        "不足 5 人，不单独显示",
        "fewer than 5 persons",
    ),
    ("records.staff", "人员", "Staff"),
    ("records.filed_n", "已报送", "Filed"),
    (
        "records.register",
        "记录登记簿（纪检监察组）",
        "Register (discipline group)",
    ),
    (
        "records.register_help",
        "本单位及下级的记录明细，每次查看记入审计。",
        "The records of your unit and those below; every view is audited.",
    ),
    ("records.reporter", "报告人", "Reporter"),
    ("records.stats", "记录报告统计通报", "Statistics"),
    ("records.flags", "报告偏少的单位", "Units reporting too few"),
    (
        "records.flags_help",
        "与同级单位（最高检内设部门之间）和自身历史比较：每百人每月记录数的稳健 z 值、零报告占比、连续无记录月数、骤降；人数过少的单位不比较。每条都列明理由和数字。",
        "Compared with units of the same level (the SPP's departments among themselves) and with their own history: robust z-score of records per 100 staff per month, share of zero reports, months without records, sudden drops; units too small are not compared. Every flag states its reasons and figures.",
    ),
    ("records.level", "层级", "Level"),
    ("records.peers", "比较范围", "Peers"),
    ("records.reasons", "理由", "Reasons"),
    ("records.draft", "起草督促函", "Draft a supervision letter"),
    ("records.letters", "督促函", "Supervision letters"),
    ("records.letter_no", "督促函", "Letter"),
    ("records.period", "统计期间", "Period"),
    ("records.issued_on", "发出", "Issued"),
    ("records.due_on", "答复期限", "Answer due"),
    ("records.issue", "发出督促函", "Issue"),
    (
        "records.answer",
        "被督促单位的自查整改情况",
        "The unit's answer",
    ),
    ("records.record_answer", "登记答复", "Record the answer"),
    ("records.answered_on", "已答复", "Answered"),
    ("sletter.draft", "草稿", "Draft"),
    (
        "sletter.issued",
        "已发出，待答复",
        "Issued, awaiting the answer",
    ),
    ("sletter.answered", "已答复", "Answered"),
    ("records.by_level", "按层级", "By level"),
    ("records.by_month", "按月报送情况", "Filings by month"),
    (
        "records.mask_cells",
        "不足 5 件（人次）的数字显示为“<5”。",
        "Counts under 5 are shown as “<5”.",
    ),
    ("records.from", "自（月份）", "From (month)"),
    ("records.to", "至（月份）", "To (month)"),
    (
        "letters.breakdown",
        "分单位、分层级答复情况",
        "By unit and by level",
    ),
    (
        "letters.chart",
        "3 个月答复情况（下级单位含其下级）",
        "Three-month replies (each subordinate unit with its subtree)",
    ),
    ("letters.own", "本院", "own letters"),
    ("letters.id_number", "身份证号", "ID number"),
    ("letters.address", "地址", "Address"),
    (
        "letters.attachments",
        "附件（可选）",
        "Attachments (optional)",
    ),
    (
        "letters.attachments_help",
        "最多 3 个文件，合计不超过 10 MB；可上传 PDF、OFD、图片、Word、Excel、文本。",
        "At most 3 files, 10 MB in all: PDF, OFD, images, Word, Excel or text.",
    ),
    ("letters.files", "附件", "Attachments"),
    ("letters.urging", "催办督办记录", "Reminders and notices"),
    ("letters.issued_on", "发出日期", "Issued on"),
    ("letters.urge_kind", "类型", "Kind"),
    ("letters.days_overdue", "逾期天数", "Days overdue"),
    ("letters.addressee", "送达", "Addressed to"),
    ("same.phone", "电话相同", "same phone"),
    ("same.id_number", "身份证号相同", "same ID number"),
    ("same.name", "姓名相同", "same name"),
    (
        "letters.links",
        "关联来信（重复信访）",
        "Linked letters (repeat letters)",
    ),
    (
        "letters.suggest_help",
        "以下来信可能是同一来信人就同一事项的重复来信（同一身份证号、电话，或无联系方式时同名，且类别相同），核实后可关联：",
        "These letters may be the same writer's on the same matter (same ID number or phone, or the same name where neither has one, and the same category); link them once checked:",
    ),
    ("letters.link", "关联", "Link"),
    ("letters.hearings", "公开听证", "Public hearings"),
    ("letters.held_on", "听证日期", "Held on"),
    ("letters.participants", "参加人员", "Participants"),
    ("letters.hearing_outcome", "听证结果", "Outcome"),
    ("letters.add_hearing", "登记听证", "Record the hearing"),
    ("campaign.title", "专项名称", "Campaign"),
    ("campaign.deadline", "完成期限", "Deadline"),
    ("campaign.targets", "目标件数", "Targets"),
    ("campaign.closed", "已办结", "Closed"),
    ("campaign.progress", "进度", "Progress"),
    ("campaign.new", "开展积案清理", "Start a backlog campaign"),
    (
        "campaign.help",
        "目标清单为本单位（及下级）在所选日期之前收到、尚未办结的全部来信；进度按目标来信办结情况自动统计。",
        "The targets are all letters held in your scope, received on or before the chosen day and still open; progress counts those closed since.",
    ),
    (
        "campaign.older_than",
        "收到日期不晚于",
        "Received on or before",
    ),
    ("campaign.create", "建立清单", "Create the list"),
    ("common.prev", "上一页", "Previous"),
    ("common.next", "下一页", "Next"),
    ("letters.search_words", "检索词", "Words"),
    ("letters.search_go", "检索", "Search"),
    (
        "letters.search_help",
        "按词检索本单位及下级（依权限）来信的内容和答复，多个词须同时出现；不检索来信人个人信息。",
        "Searches the content and replies of the letters in your scope; every word must appear. The writer's personal data is not searched.",
    ),
    (
        "letters.no_hits",
        "没有找到符合条件的来信",
        "No letter found",
    ),
    ("letters.campaigns", "积案清理", "Backlog campaigns"),
    (
        "letters.export_csv",
        "导出 CSV（不含个人信息）",
        "Export CSV (no personal data)",
    ),
    (
        "letters.export_xlsx",
        "导出 Excel（不含个人信息）",
        "Export Excel (no personal data)",
    ),
    (
        "letters.export_personal",
        "导出 Excel（含来信人信息，留痕）",
        "Export Excel with the writers' data (audited)",
    ),
    ("letters.open", "未办结", "Open"),
    (
        "letters.ack_overdue",
        "程序性回复逾期",
        "Acknowledgement overdue",
    ),
    ("letters.reply_overdue", "3 个月答复逾期", "Reply overdue"),
    ("letters.rate_reply", "评价办理结果", "Rate the reply"),
    ("letters.satisfied", "满意", "Satisfied"),
    ("letters.unsatisfied", "不满意", "Not satisfied"),
    ("letters.comment", "意见（可不填）", "Comment (optional)"),
    ("letters.rate_submit", "提交评价", "Send"),
    ("letters.your_rating", "您的评价", "Your rating"),
    ("letters.from", "收到日期自", "Received from"),
    ("letters.to", "至", "to"),
    ("letters.received_n", "收到", "Received"),
    ("letters.due_n", "应答复", "Due"),
    ("letters.on_time", "按期", "On time"),
    ("letters.late", "逾期答复", "Late"),
    ("letters.overdue_open", "逾期未答复", "Overdue, open"),
    ("letters.rate", "按期率", "Rate"),
    ("letters.title", "群众信访件", "Letters from the public"),
    (
        "letters.registered",
        "已登记。请将查询码告知信访人（仅显示一次）：",
        "Registered. Give the writer this query code (shown once):",
    ),
    (
        "letters.register",
        "登记来信来访",
        "Register a letter or visit",
    ),
    ("letters.channel", "渠道", "Channel"),
    ("letters.unit_received", "本院收到", "received here"),
    ("letters.petitioner", "信访人", "Writer"),
    ("letters.history", "流转与答复记录", "Routing and replies"),
    ("letters.act", "办理", "Act"),
    ("letters.step", "办理环节", "Step"),
    ("letters.on", "日期", "Date"),
    (
        "letters.to_unit",
        "转办、交办至（督办不选）",
        "Transfer or assign to (not for supervision)",
    ),
    (
        "letters.body",
        "内容（答复写明办理单位、部门和联系方式）",
        "Text (a reply names the unit, department and a contact)",
    ),
    ("channel.online", "网上", "Online"),
    ("channel.post", "来信", "Post"),
    ("channel.visit", "来访", "Visit"),
    ("channel.hotline", "12309", "12309 hotline"),
    ("channel.transferred", "转来", "Transferred"),
    ("lettercat.accusation", "控告", "Accusation"),
    ("lettercat.report", "举报", "Report"),
    ("lettercat.appeal", "申诉", "Appeal"),
    ("lettercat.request", "求决", "Request"),
    ("lettercat.suggestion", "意见建议", "Suggestion"),
    ("lettercat.other", "其他", "Other"),
    ("step.received", "收到", "Received"),
    ("step.ack", "程序性回复", "Acknowledged"),
    ("step.reply", "办理过程或结果答复", "Replied"),
    ("step.progress", "进展答复", "Progress reply"),
    ("step.transfer", "转办", "Transferred"),
    ("step.assign", "交办", "Assigned"),
    ("step.supervise", "督办", "Supervised"),
    ("step.close", "办结", "Closed"),
    ("letters.write", "网上信访", "Write to the procuratorate"),
    ("letters.query", "信访查询", "Follow your letter"),
    (
        "letters.promise",
        "您的来信 7 日内会收到程序性回复（收到了、谁在办），3 个月内会收到办理过程或结果答复。提交后您将获得查询码，凭码可查看办理情况。",
        "Within 7 days you will hear that your letter was received and who handles it; within 3 months, how it was handled or its result. You get a query code to follow it.",
    ),
    ("letters.unit", "受理的检察院", "Procuratorate"),
    ("letters.category", "信访类别", "Kind of letter"),
    ("letters.name", "姓名（可不填）", "Name (optional)"),
    ("letters.phone", "联系电话（可不填）", "Phone (optional)"),
    ("letters.content", "信访内容", "Your letter"),
    ("letters.submit", "提交", "Send"),
    (
        "letters.accepted",
        "您的来信已收到。",
        "Your letter has been received.",
    ),
    ("letters.your_code", "查询码", "Query code"),
    (
        "letters.keep_code",
        "请抄写或保存此查询码：它只显示这一次，凭它可在“信访查询”查看办理情况。",
        "Write this code down: it is shown only once, and it opens your letter's status.",
    ),
    (
        "letters.code",
        "查询码（16 位）",
        "Query code (16 characters)",
    ),
    ("letters.lookup", "查询", "Look up"),
    ("letters.received_on", "收到日期", "Received"),
    ("letters.handling_unit", "办理单位", "Handled by"),
    ("letters.ack", "程序性回复", "Acknowledgement"),
    (
        "letters.reply",
        "办理过程或结果答复",
        "Process or result reply",
    ),
    ("letters.due_by", "应于此日前答复：", "due by"),
    ("letters.closed", "办结日期", "Closed"),
    ("letters.replies", "答复记录", "Replies"),
    (
        "rect.assign",
        "确定牵头领导、责任部门和责任人",
        "Set the lead leader, departments and responsible person",
    ),
    ("nav.rules", "督办规则", "Supervision rules"),
    ("rules.title", "督办规则", "Supervision rules"),
    (
        "rules.help",
        "督办灯、催办督办和销号审核按以下规则执行。修改后，各单位的督办灯、统计和自动催办立即按新规则计算；修改记入审计日志。",
        "Lights, urging and closure review follow these rules. A change applies at once to every unit's lights, figures and sweeps, and is audited.",
    ),
    ("rules.lights", "督办灯", "Traffic lights"),
    (
        "rules.due_soon",
        "临近期限天数（距完成时限几天内为黄灯）",
        "Due soon (days before the deadline: yellow)",
    ),
    (
        "rules.stale",
        "未登记台账天数（超过即为黄灯）",
        "Without a ledger entry (days: yellow)",
    ),
    (
        "rules.staged_every",
        "阶段性成效报送周期（天，长期整改任务）",
        "Staged results every (days, long-term tasks)",
    ),
    ("rules.urging", "催办与督办单", "Reminders and notices"),
    (
        "rules.yellow_after",
        "逾期几天发黄色督办单",
        "Yellow notice after (days overdue)",
    ),
    (
        "rules.red_after",
        "逾期几天发红色督办单",
        "Red notice after (days overdue)",
    ),
    (
        "rules.urging_help",
        "黄灯任务每周向责任人催办一次；逾期当天向牵头领导发蓝色督办单。",
        "Yellow tasks get a weekly reminder to the responsible person; a blue notice goes to the lead leader on the first day overdue.",
    ),
    (
        "rules.reviewers",
        "销号审核角色（不得是任务的牵头领导或责任部门）",
        "Closure reviewers (never the task's lead leader or departments)",
    ),
    ("rules.saved", "督办规则已保存", "Rules saved"),
    (
        "rules.letters",
        "群众来信的两个期限",
        "The two clocks of letters",
    ),
    (
        "rules.letters_help",
        "期限自任一检察院首次收到来信之日起算，转办不重新计算；临近期限与逾期后的催办、督办单按上面的规则（程序性回复最多提前 2 天提示）。",
        "Deadlines run from the first receipt by any procuratorate and never restart on transfer; reminders and notices follow the rules above (at most 2 days' warning for the acknowledgement).",
    ),
    (
        "rules.ack_days",
        "程序性回复期限（天）",
        "Acknowledgement due after (days)",
    ),
    (
        "rules.reply_months",
        "办理过程或结果答复期限（月）",
        "Process-or-result reply due after (months)",
    ),
    (
        "rules.progress_months",
        "此后每隔几个月答复办理进展",
        "Then a progress reply every (months)",
    ),
    ("rules.counting", "计算方式", "Counting"),
    ("rules.records", "三个规定记录报告", "Interference records"),
    ("records.my_records", "我的记录", "My records"),
    ("records.files", "附件", "Attachments"),
    ("records.attach", "上传附件", "Attach"),
    (
        "rules.remind_day",
        "每月几日起提醒未报送上月记录的干警",
        "Remind staff who have not filed the previous month from day",
    ),
    (
        "rules.detail_roles",
        "除驻院纪检监察组外，可查阅记录详情的角色（查阅均留痕）：",
        "Besides the discipline group, roles that may read records' details (every view audited):",
    ),
    (
        "rules.flag_z",
        "记录偏少：稳健 z 值低于负几时提示",
        "Under-reporting: flag a robust z-score at or below minus",
    ),
    (
        "rules.flag_min_staff_months",
        "人月数少于几时不比较（避免小单位误报）",
        "Do not compare units with fewer staff-months than",
    ),
    (
        "rules.flag_streak",
        "连续几个月无记录时提示",
        "Flag a run without records of (months)",
    ),
    (
        "rules.flag_drop",
        "近三个月记录率低于此前的比例时提示骤降",
        "Flag a drop when the last quarter's rate falls under this share of the earlier rate",
    ),
    (
        "rules.flag_alpha",
        "显著性水平（连续无记录、骤降由偶然造成的概率上限）",
        "Significance level (chance probability of a streak or drop)",
    ),
    ("rules.calendar_days", "自然日", "calendar days"),
    ("rules.working_days", "工作日", "working days"),
    ("rect.source_title", "来源名称", "Source"),
    (
        "rect.source_by",
        "提出方（巡视组、批示领导、被建议单位、牵头部门）",
        "From (inspection team, instructing leader, recipient, lead department)",
    ),
    ("rect.source_from", "开始日期（可空）", "From (optional)"),
    ("rect.source_to", "结束日期（可空）", "To (optional)"),
    (
        "rect.source_date",
        "反馈、批示、发出或部署日期",
        "Feedback, instruction, issue or launch date",
    ),
    ("rect.matters", "督办事项", "Supervised matters"),
    ("source.central", "中央巡视", "Central inspection"),
    ("source.internal", "系统内巡视", "Internal inspection"),
    ("source.lookback", "巡视整改“回头看”", "Look-back check"),
    (
        "source.instruction",
        "重要指示批示",
        "Important instructions",
    ),
    (
        "source.recommendation",
        "检察建议",
        "Procuratorial recommendations",
    ),
    ("source.rules", "制度建设", "Rule-making"),
    ("source.central.by", "巡视组", "Inspection team"),
    ("source.internal.by", "巡视组", "Inspection team"),
    ("source.lookback.by", "检查组", "Check team"),
    ("source.instruction.by", "批示领导", "Instructed by"),
    ("source.recommendation.by", "被建议单位", "Recipient"),
    ("source.rules.by", "牵头部门", "Lead department"),
    ("source.central.period", "巡视时间", "Inspected"),
    ("source.internal.period", "巡视时间", "Inspected"),
    ("source.lookback.period", "检查时间", "Checked"),
    ("source.instruction.period", "办理时间", "Handled"),
    (
        "source.recommendation.period",
        "调查核实时间",
        "Investigated",
    ),
    ("source.rules.period", "起草时间", "Drafted"),
    ("source.central.date", "反馈日期", "Feedback"),
    ("source.internal.date", "反馈日期", "Feedback"),
    ("source.lookback.date", "反馈日期", "Feedback"),
    ("source.instruction.date", "批示日期", "Instruction date"),
    ("source.recommendation.date", "发出日期", "Issued"),
    ("source.rules.date", "部署日期", "Launched"),
    ("source.central.due", "整改报告期限", "Report due"),
    ("source.internal.due", "整改报告期限", "Report due"),
    ("source.lookback.due", "整改报告期限", "Report due"),
    (
        "source.instruction.due",
        "落实情况报告期限",
        "Implementation report due",
    ),
    (
        "source.recommendation.due",
        "书面回复期限",
        "Written reply due",
    ),
    ("source.rules.due", "制度出台期限", "Rules due"),
    ("rect.inspector", "巡视组", "Inspection team"),
    ("rect.period", "巡视时间", "Inspected"),
    ("rect.feedback_date", "反馈日期", "Feedback"),
    ("rect.report_due", "整改报告期限", "Report due"),
    ("rect.body", "责任主体", "Body"),
    ("rect.tasks", "任务清单", "Task list"),
    ("rect.problems", "问题清单", "Problem list"),
    ("rect.responsibilities", "责任清单", "Responsibility list"),
    ("rect.dashboard", "整改进展", "Progress"),
    ("rect.as_of", "截至日期", "As of"),
    ("rect.total", "任务总数", "Tasks"),
    ("rect.closed", "已完成（销号）", "Closed"),
    ("rect.open", "推进中", "Open"),
    ("rect.overdue", "逾期", "Overdue"),
    ("rect.staged", "已取得阶段性成效", "With staged results"),
    ("rect.seq", "序号", "No."),
    ("rect.feedback", "反馈问题", "Feedback"),
    ("rect.manifestation", "具体表现", "Manifestations"),
    ("rect.task", "整改任务", "Task"),
    ("rect.measure", "整改措施", "Measure"),
    ("rect.category", "类别", "Category"),
    ("rect.lead_leader", "牵头领导", "Lead leader"),
    ("rect.departments", "责任部门", "Responsible departments"),
    ("rect.responsible", "责任人", "Responsible person"),
    ("rect.deadline", "完成时限", "Deadline"),
    ("rect.long_term", "长期", "Ongoing"),
    ("rect.state", "状态", "State"),
    ("rect.light", "督办灯", "Light"),
    ("rect.standard", "完成标准", "Standard of done"),
    ("rect.ledger", "工作台账", "Ledger"),
    ("rect.evidence", "佐证材料", "Evidence"),
    ("rect.all", "全部", "All"),
    ("rect.filter", "筛选", "Filter"),
    ("rect.sort", "排序", "Sort"),
    ("rect.sort.seq", "按序号", "By number"),
    ("rect.sort.deadline", "按完成时限", "By deadline"),
    ("rect.sort.light", "按督办灯", "By light"),
    ("rect.export", "导出 CSV", "Export CSV"),
    (
        "rect.export_ledger",
        "导出工作台账（XLSX）",
        "Export the ledger (XLSX)",
    ),
    (
        "rect.import_ledger",
        "导入工作台账",
        "Import a ledger workbook",
    ),
    (
        "rect.import_help",
        "XLSX 首行为表头：序号、反馈问题、具体表现、整改任务、整改措施、类别、牵头领导、责任部门、责任人、完成时限、进展情况、佐证材料、销号审核、销号日期。导入到本单位同名方案（没有则新建）；牵头领导、责任人须为本单位人员，责任部门可填多个（用“、”分隔）。有任何错误则不导入。",
        "XLSX with the header row first: 序号 … 销号日期. Imported into your unit's plan of that title (created if new); leaders and responsible persons must be your unit's staff; several departments separated by 、. Any error imports nothing.",
    ),
    ("rect.plan_title", "方案名称", "Plan title"),
    (
        "rect.new_round",
        "新建巡视轮次或督办事项",
        "New inspection round or supervised matter",
    ),
    (
        "rect.rollup",
        "下级单位整改进展",
        "Progress of subordinate units",
    ),
    (
        "rect.cascade",
        "下发到下级单位",
        "Issue to subordinate units",
    ),
    ("rect.units", "单位数", "Units"),
    ("rect.own_copy", "本级", "own copy"),
    ("rect.drill_down", "展开下级", "Drill down"),
    ("rect.rollup_up", "返回上一级", "Up one level"),
    ("rect.cascade_level", "下发到", "Issue to"),
    ("rect.new_plan", "新建整改方案", "New plan"),
    ("rect.new_problem", "新增反馈问题", "Add a feedback problem"),
    ("rect.new_task", "新增整改任务", "Add a task"),
    ("rect.from", "巡视开始", "Inspection from"),
    ("rect.to", "巡视结束", "Inspection to"),
    ("rect.adopted_on", "印发日期", "Adopted on"),
    (
        "rect.responsible_no",
        "责任人工号",
        "Responsible person's staff no.",
    ),
    ("nav.board", "督办", "Supervision"),
    ("nav.meetings", "双周会商", "Biweekly meetings"),
    ("meet.title", "双周会商（碰头会）", "Biweekly consultations"),
    ("meet.held_on", "会商日期", "Held on"),
    ("meet.name", "名称", "Title"),
    ("meet.convene", "召开会商", "Convene"),
    (
        "meet.help",
        "议题自动生成：会商日当天的红灯、黄灯任务和待审核的销号申请。",
        "The agenda is built from the day's red and yellow tasks and pending closure requests.",
    ),
    ("meet.items", "议题", "Items"),
    ("meet.decided", "已决定", "Decided"),
    ("meet.minutes", "会议纪要", "Minutes"),
    ("meet.agenda", "议题", "Agenda"),
    ("meet.reason", "上会原因", "Why"),
    ("meet.decision", "会商决定", "Decision"),
    ("meet.reason.red", "红灯（逾期）", "Red (overdue)"),
    ("meet.reason.yellow", "黄灯", "Yellow"),
    (
        "meet.reason.closure_requested",
        "待审核销号",
        "Closure pending",
    ),
    ("meet.action.note", "记录在案", "Record only"),
    ("meet.action.deadline", "调整完成时限", "New deadline"),
    ("meet.action.notice", "发红色督办单", "Red notice"),
    (
        "meet.action.lookback",
        "回头看重新打开",
        "Look-back: reopen",
    ),
    ("rect.board", "督办台", "Supervision board"),
    ("rect.by_leader", "按牵头领导统计", "Per lead leader"),
    ("rect.notices", "催办与督办单", "Reminders and notices"),
    (
        "rect.my_notices",
        "发给我的催办与督办单",
        "Reminders and notices to me",
    ),
    ("rect.issued_on", "发出日期", "Issued"),
    ("rect.kind", "类型", "Kind"),
    ("rect.addressee", "发送对象", "To"),
    ("rect.days_overdue", "逾期天数", "Days overdue"),
    ("rect.mailed", "邮件送达", "E-mailed"),
    ("notice.reminder", "催办", "Reminder"),
    ("notice.blue", "蓝色督办单", "Blue notice"),
    ("notice.yellow", "黄色督办单", "Yellow notice"),
    ("notice.red", "红色督办单", "Red notice"),
    ("rect.add_entry", "登记台账", "Add to the ledger"),
    ("rect.entry_date", "日期", "Date"),
    ("rect.entry_kind", "类型", "Kind"),
    (
        "rect.entry_body",
        "内容（申请销号时对照完成标准说明；退回、重新打开时写明理由）",
        "Text (for a closure request, against the standard of done; for a return or reopening, the reasons)",
    ),
    (
        "rect.corrects",
        "更正第几条（可选）",
        "Corrects entry no. (optional)",
    ),
    (
        "rect.files",
        "佐证材料（可多选，PDF/OFD/图片/Word/Excel，单个不超过 20 MB）",
        "Evidence (several allowed: PDF, OFD, images, Word, Excel; 20 MB each)",
    ),
    ("rect.submit", "提交", "Submit"),
    ("rect.no_entries", "暂无台账记录", "No ledger entries yet"),
    ("rect.corrects_label", "更正", "corrects"),
    (
        "rect.none_mine",
        "没有由您牵头或由您部门承担的任务",
        "No tasks led by you or carried by your department",
    ),
    ("entry.progress", "工作进展", "Progress"),
    ("entry.staged", "阶段性成效", "Staged result"),
    ("entry.closure_request", "申请销号", "Request closure"),
    ("entry.approve", "审核通过（销号）", "Approve closure"),
    ("entry.reject", "退回", "Return"),
    ("entry.reopen", "回头看重新打开", "Reopen (look-back)"),
    ("category.immediate", "立行立改", "Immediate"),
    ("category.time_limited", "限期整改", "Time-limited"),
    ("category.long_term", "长期整改", "Long-term"),
    ("state.not_started", "未启动", "Not started"),
    ("state.in_progress", "推进中", "In progress"),
    ("state.closure_requested", "申请销号", "Closure requested"),
    ("state.closed", "已销号", "Closed"),
    ("light.green", "绿灯", "Green"),
    ("light.yellow", "黄灯", "Yellow"),
    ("light.red", "红灯", "Red"),
    ("error.title", "出错了", "Something went wrong"),
    (
        "error.not_found",
        "页面或数据不存在，或您无权查看",
        "Not found, or not yours to see",
    ),
    (
        "error.forbidden",
        "您没有执行此操作的权限",
        "You may not do this",
    ),
    (
        "error.csrf",
        "表单已过期或来源不明（安全校验失败），请返回刷新页面后重试",
        "The form expired or came from elsewhere (CSRF check failed); go back, reload and try again",
    ),
    (
        "error.too_large",
        "提交的内容过大",
        "What you sent is too large",
    ),
    (
        "error.bad_request",
        "提交的内容有误",
        "The request is invalid",
    ),
    (
        "error.internal",
        "服务器内部错误，已记录，请稍后再试",
        "Internal error; it has been logged, please try again later",
    ),
    (
        "error.too_many",
        "请求过于频繁，请稍后再试",
        "Too many requests; try again later",
    ),
    ("error.home", "返回首页", "Back to the home page"),
];

fn index() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static IDX: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    IDX.get_or_init(|| CATALOG.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect())
}

/// A translator for one language; templates call its `s` method with a catalogue key.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn s(&self, key: &str) -> &'static str {
        match index().get(key) {
            Some((zh, en)) => {
                if self.0 == Lang::En {
                    en
                } else {
                    zh
                }
            }
            None => "??",
        }
    }
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    /// An audit action's name in this language (the code itself when unnamed).
    pub fn audit_action(&self, action: &str) -> String {
        match index().get(format!("audit.action.{action}").as_str()) {
            Some(_) => self.s(&format!("audit.action.{action}")).to_string(),
            None => action.to_string(),
        }
    }
    /// An audit entry's before/after as readable lines: each field named, "before → after".
    pub fn audit_diff(&self, before: &str, after: &str) -> Vec<String> {
        use serde_json::Value;
        let parse = |s: &str| match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => m,
            Ok(other) if !s.is_empty() => {
                let mut m = serde_json::Map::new();
                m.insert("value".into(), other);
                m
            }
            _ => serde_json::Map::new(),
        };
        let (b, a) = (parse(before), parse(after));
        let show = |v: Option<&Value>| match v {
            None | Some(Value::Null) => "—".to_string(),
            Some(Value::String(s)) => s.chars().take(120).collect(),
            Some(v) => v.to_string().chars().take(120).collect(),
        };
        let mut keys: Vec<&String> = a.keys().collect();
        keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
        let blank = |v: Option<&Value>| match v {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        keys.into_iter()
            // nothing said where there is nothing before or after
            .filter(|k| !(blank(b.get(*k)) && blank(a.get(*k))))
            .take(12)
            .map(|k| {
                let name = match index().get(format!("audit.field.{k}").as_str()) {
                    Some(_) => self.s(&format!("audit.field.{k}")).to_string(),
                    None => k.clone(),
                };
                match (b.get(k), a.get(k)) {
                    (Some(x), Some(y)) if x != y => {
                        format!("{name}：{} → {}", show(Some(x)), show(Some(y)))
                    }
                    (Some(x), None) => format!("{name}：{} → —", show(Some(x))),
                    (_, y) => format!("{name}：{}", show(y)),
                }
            })
            .collect()
    }
    /// A stored UTC time (RFC 3339) shown in China time, to the minute.
    pub fn time(&self, rfc3339: &str) -> String {
        match duban_store::china_time(rfc3339) {
            Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            None => rfc3339.to_string(),
        }
    }
    /// A refusal of the domain's rules in this language, with the values it names.
    pub fn rule(&self, e: &duban_domain::rectification::RuleError) -> String {
        let mut out = self.s(e.key()).to_string();
        for (i, a) in e.args().iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), a);
        }
        out
    }
    pub fn role(&self, role: &duban_domain::org::Role) -> &'static str {
        self.s(&format!("role.{}", role.as_str()))
    }
    pub fn category(&self, c: &duban_domain::rectification::Category) -> &'static str {
        self.s(&format!("category.{}", c.as_str()))
    }
    pub fn state(&self, s: &duban_domain::rectification::TaskState) -> &'static str {
        self.s(&format!("state.{}", s.as_str()))
    }
    pub fn light(&self, l: &duban_domain::rectification::Light) -> &'static str {
        self.s(&format!("light.{}", l.as_str()))
    }
    pub fn notice(&self, level: &str) -> &'static str {
        self.s(&format!("notice.{level}"))
    }
    pub fn entry(&self, kind: &str) -> &'static str {
        self.s(&format!("entry.{kind}"))
    }
    /// A label of a supervised matter's kind: `part` is "" (the kind), "by", "period", "date" or "due".
    pub fn source(&self, kind: &str, part: &str) -> &'static str {
        if part.is_empty() {
            self.s(&format!("source.{kind}"))
        } else {
            self.s(&format!("source.{kind}.{part}"))
        }
    }
    /// A letter's channel, category or step, by its code.
    pub fn letter(&self, group: &str, code: &str) -> &'static str {
        self.s(&format!("{group}.{code}"))
    }
    pub fn level(&self, level: &i64) -> &'static str {
        self.s(&format!("level.{level}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn catalog_has_unique_keys() {
        assert_eq!(
            index().len(),
            CATALOG.len(),
            "duplicate keys in the catalogue"
        );
    }
    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        ];
        let mut missing = Vec::new();
        let mut todo: Vec<std::path::PathBuf> = dirs.iter().map(Into::into).collect();
        while let Some(path) = todo.pop() {
            if path.is_dir() {
                todo.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split(".s(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !index().contains_key(key) {
                    missing.push(key.to_string());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }
}
