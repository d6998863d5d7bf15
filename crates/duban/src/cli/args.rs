//! The command line's options and commands — one definition that parses, explains itself
//! (`duban --help`), and generates the shell completions and the manual page.
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "duban",
    version,
    about = "督办 Duban：巡视整改督办、信访办理、过问干预记录与案件质量",
    long_about = "督办 Duban：巡视整改督办、信访办理、过问干预记录与案件质量。\n\
        结果输出到标准输出（默认中文，--lang en 为英文；--json 输出一个 JSON 文档），\
        日志和进度输出到标准错误。",
    after_help = "示例：\n  duban serve --demo\n  duban import letters 来信.csv --json\n  duban report plans --json\n\n\
        退出码：0 完成；1 输入被拒绝（选项、文件或数据有误，导入有问题）；2 检查未通过（审计链、健康检查）；\
        3 运行环境或数据库故障。"
)]
pub(crate) struct Cli {
    /// 数据库：sqlite://路径（默认 ./data/ 下的 SQLite 文件）或 postgres://…
    #[arg(long, global = true, env = "DUBAN_DATABASE_URL")]
    pub db: Option<String>,
    /// 配置文件（TOML）
    #[arg(long, global = true)]
    pub config: Option<String>,
    /// 结果的语言：zh（默认）或 en
    #[arg(long, global = true, env = "DUBAN_LANG", default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    /// 以一个 JSON 文档输出结果（报表、导入、导出、备份、恢复、清查）
    #[arg(long, global = true)]
    pub json: bool,
    /// 不显示进度
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// 显示详细日志（含数据库语句）；DUBAN_LOG 可精确设置
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// 本次运行的“今天”（YYYY-MM-DD），或 now：系统时钟（不用演示数据库固定的日期）
    #[arg(long, global = true, value_name = "DATE|now")]
    pub today: Option<String>,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub(crate) enum Cmd {
    /// 启动网站服务
    #[command(after_help = "示例：\n  duban serve --demo --listen 127.0.0.1:8080")]
    Serve {
        /// 监听地址（默认 127.0.0.1:8080）
        #[arg(long)]
        listen: Option<String>,
        /// 先载入演示数据（可重复执行）并列出演示账号；日期固定为演示数据的 2020-11-05（--today 可改）
        #[arg(long)]
        demo: bool,
    },
    /// 执行数据库迁移
    Migrate,
    /// 检查数据库能否应答（或用 --http 检查运行中的服务）
    #[command(after_help = "示例：\n  duban healthcheck --http 127.0.0.1:8080")]
    Healthcheck {
        /// 服务地址，如 127.0.0.1:8080
        #[arg(long)]
        http: Option<String>,
    },
    /// 载入演示数据并列出演示账号（可重复执行）
    #[command(
        after_help = "示例：\n  duban demo\n  duban demo --scale nation --cases-per-unit 0   # 全国规模，用于性能测试\n  duban demo --scale nation --cases-per-unit 0 --years 10   # 十年来信历史"
    )]
    Demo {
        /// nation：全国约 3,600 个检察院的规模，用于性能测试
        #[arg(long)]
        scale: Option<String>,
        /// 与 --scale nation 一起：每个基层院每年的刑事案件数（默认 300，全国约 110 万件、审结 125 万人，与通报数字一致；1400 约生成 3,000 万条流程事件，人数不再校准；0 不生成）
        #[arg(long, default_value_t = 300)]
        cases_per_unit: u64,
        /// 与 --scale nation 一起：只生成前 N 个省份的市、县两级院（小机器上试运行；默认全部 32 个）
        #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=32))]
        provinces: u16,
        /// 与 --scale nation 一起：来信的历史年数（默认 1：2020 年；10：2011—2020 年，约 1,060 万件，用于十年规模的性能测试）
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10))]
        years: u32,
    },
    /// 导入单位、人员、来信、过问干预记录、案件流程事件或整改台账（CSV 或 XLSX，全部导入或全不导入）
    Import {
        #[command(subcommand)]
        what: ImportCmd,
    },
    /// 与外部系统同步
    Sync {
        #[command(subcommand)]
        what: SyncCmd,
    },
    /// 清查一次期限：发出提醒和督办通知，并发送邮件
    #[command(after_help = "示例：\n  duban sweep --as-of 2020-11-05")]
    Sweep {
        /// 清查的日期（默认为中国时间的今天）
        #[arg(long)]
        as_of: Option<String>,
    },
    /// 导出文件
    Export {
        #[command(subcommand)]
        what: ExportCmd,
    },
    /// 管理账号
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// 审计日志
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// 写出一致的备份（服务运行时也可执行）
    #[command(after_help = "示例：\n  duban backup --to /var/backups/duban-2020-11-05.jsonl")]
    Backup {
        /// 备份文件
        #[arg(long)]
        to: String,
    },
    /// 把备份恢复到空数据库（或用 --force 替换全部数据）
    #[command(after_help = "示例：\n  duban restore --from /var/backups/duban-2020-11-05.jsonl")]
    Restore {
        /// 备份文件
        #[arg(long)]
        from: String,
        /// 数据库不为空时也恢复（先清空）
        #[arg(long)]
        force: bool,
    },
    /// 法定工作日历
    Calendar {
        #[command(subcommand)]
        cmd: CalendarCmd,
    },
    /// 由数据得出的报表
    Report {
        #[command(subcommand)]
        cmd: ReportCmd,
    },
    /// 过问干预记录（三个规定）
    Records {
        #[command(subcommand)]
        cmd: RecordsCmd,
    },
    /// 输出命令行补全脚本
    #[command(
        after_help = "示例：\n  duban completions bash > /etc/bash_completion.d/duban\n  duban completions zsh > ~/.zfunc/_duban"
    )]
    Completions {
        /// bash、zsh、fish、elvish 或 powershell
        shell: clap_complete::Shell,
    },
    /// 输出手册页（roff）；用 --out 写出每个命令的手册页
    #[command(
        after_help = "示例：\n  duban man | man -l -\n  duban man --out /usr/local/share/man/man1"
    )]
    Man {
        /// 目录：写出 duban.1 及各子命令的手册页
        #[arg(long)]
        out: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum RecordsCmd {
    /// 报告数明显偏少的单位（及最高检内设部门），与同级单位或其自身历史相比
    #[command(after_help = "示例：\n  duban records flag --from 2021-01 --to 2021-12 --json")]
    Flag {
        /// 起始月份 YYYY-MM
        #[arg(long)]
        from: String,
        /// 截止月份 YYYY-MM
        #[arg(long)]
        to: String,
        /// 只比较这一层级的单位（1 最高检 … 4 基层院）；最高检内设部门总是参与比较
        #[arg(long)]
        level: Option<i64>,
    },
}

#[derive(Subcommand)]
pub(crate) enum ReportCmd {
    /// 整改方案及其编号和标题
    #[command(after_help = "示例：\n  duban report plans --json")]
    Plans,
    /// 某单位在一段时间收到的来信在某日的按期回复率
    #[command(
        after_help = "示例：\n  duban report letters --unit 100000 --subtree --from 2020-01-01 --to 2020-09-30 --as-of 2020-11-05"
    )]
    Letters {
        /// 单位代码
        #[arg(long)]
        unit: String,
        /// 包括下级单位
        #[arg(long)]
        subtree: bool,
        /// 起始日期 YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// 截止日期 YYYY-MM-DD
        #[arg(long)]
        to: String,
        /// 统计截至日期 YYYY-MM-DD
        #[arg(long)]
        as_of: String,
    },
    /// 问题线索：某单位（及下级）一段时间受理的线索在某日的来源、处置、办结、逾期和被处理人数（纪检监察组）
    #[command(
        after_help = "示例：\n  duban report clues --unit 100000 --subtree --from 2020-01-01 --to 2020-09-30 --as-of 2020-11-05 --json"
    )]
    Clues {
        /// 单位代码
        #[arg(long)]
        unit: String,
        /// 包括下级单位
        #[arg(long)]
        subtree: bool,
        /// 起始日期 YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// 截止日期 YYYY-MM-DD
        #[arg(long)]
        to: String,
        /// 统计截至日期 YYYY-MM-DD
        #[arg(long)]
        as_of: String,
    },
    /// 违纪违法立案查处人员：某单位（及下级）一段时间立案的人数，按层级、类别、处理结果（纪检监察组）
    #[command(
        after_help = "示例：\n  duban report violations --unit 100000 --subtree --from 2020-01-01 --to 2020-09-30 --json"
    )]
    Violations {
        /// 单位代码
        #[arg(long)]
        unit: String,
        /// 包括下级单位
        #[arg(long)]
        subtree: bool,
        /// 起始日期 YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// 截止日期 YYYY-MM-DD
        #[arg(long)]
        to: String,
    },
    /// 某单位各月的过问干预记录报告：记录数、零报告数、未报告人月数
    #[command(
        after_help = "示例：\n  duban report records --unit 330000 --subtree --from 2020-01 --to 2020-09"
    )]
    Records {
        /// 单位代码
        #[arg(long)]
        unit: String,
        /// 包括下级单位
        #[arg(long)]
        subtree: bool,
        /// 起始月份 YYYY-MM
        #[arg(long)]
        from: String,
        /// 截止月份 YYYY-MM
        #[arg(long)]
        to: String,
    },
    /// 某单位一段时间的案-件比，及认罪认罚适用率和各流程事件数
    #[command(
        after_help = "示例：\n  duban report case-ratio --unit 100000 --subtree --from 2020-01-01 --to 2020-09-30 --type 刑事"
    )]
    CaseRatio {
        /// 单位代码
        #[arg(long)]
        unit: String,
        /// 包括下级单位
        #[arg(long)]
        subtree: bool,
        /// 起始日期 YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// 截止日期 YYYY-MM-DD
        #[arg(long)]
        to: String,
        /// 只统计这一案件类型（刑事、民事、行政、公益诉讼）
        #[arg(long = "type")]
        case_type: Option<String>,
        /// 只统计带这一标签的案件（如 涉疫）
        #[arg(long)]
        tag: Option<String>,
    },
    /// 一个巡视轮次的一个或多个方案截至某日的整改进展情况通报（默认章节）；--format pdf 按 GB/T 9704 排版
    #[command(
        after_help = "示例：\n  duban report bulletin --plan 最高检党组巡视整改方案 --as-of 2020-11-05 --format pdf --out 通报.pdf"
    )]
    Bulletin {
        /// 方案编号或标题；一轮有多个方案时重复给出
        #[arg(long, required = true)]
        plan: Vec<String>,
        /// 截至日期 YYYY-MM-DD
        #[arg(long)]
        as_of: String,
        /// text、pdf、docx 或 html（--json 输出通报的结构）
        #[arg(long, default_value = "text")]
        format: String,
        /// 输出文件；不给时写到标准输出（仅 text 和 html）
        #[arg(long)]
        out: Option<String>,
        /// 结尾的联系方式
        #[arg(long, default_value = "")]
        contact: String,
    },
    /// 一个方案在某日的整改数字，由台账历史计算
    #[command(
        after_help = "示例：\n  duban report plan-stats --plan 最高检党组巡视整改方案 --as-of 2020-11-05 --json"
    )]
    PlanStats {
        /// 方案编号或标题
        #[arg(long)]
        plan: String,
        /// 截至日期 YYYY-MM-DD
        #[arg(long)]
        as_of: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum SyncCmd {
    /// 从 LDAP 目录同步人员：新增人员和账号，调动部门或单位，停用已不在目录中的账号（配置见 [ldap]）
    #[command(
        after_help = "示例：\n  DUBAN_LDAP_URL=ldaps://ldap.example:636 duban sync ldap --json"
    )]
    Ldap,
}

#[derive(Subcommand)]
pub(crate) enum ImportCmd {
    /// 单位。列：code,name,level,parent_code
    #[command(after_help = "示例：\n  duban import units 单位.csv")]
    Units { file: String },
    /// 人员。列：staff_id,name,unit_code,department,post,is_leader；可选列 joined_on,left_on,login,role
    #[command(
        after_help = "示例：\n  duban import staff 人员.xlsx\n  duban import staff 人员.xlsx --accounts --codes-out 激活码.csv"
    )]
    Staff {
        file: String,
        /// 为尚无账号的在职人员开通账号并生成一次性激活码（须同时给出 --codes-out）
        #[arg(long, requires = "codes_out")]
        accounts: bool,
        /// 激活码写入的文件（CSV：staff_no,login,code,expires_on,…；仅本人可读）
        #[arg(long)]
        codes_out: Option<String>,
        /// 激活码有效天数
        #[arg(long, default_value_t = duban_domain::identity::CODE_DAYS)]
        code_days: i64,
    },
    /// 历史来信。列：received_on,channel,unit_code,petitioner,phone,category,content,acknowledged_on,replied_on,closed_on
    #[command(after_help = "示例：\n  duban import letters 来信.csv --json")]
    Letters { file: String },
    /// 问题线索（纪检监察组）。列：clue_no,received_on,unit_code,source,subject_staff_no,subject_name,summary,disposal,disposal_on,outcome,concluded_on
    #[command(after_help = "示例：\n  duban import clues 问题线索.csv --json")]
    Clues { file: String },
    /// 违纪违法立案查处人员（纪检监察组）。列：staff_no,name,unit_code,post,kind,filed_on,outcome
    #[command(after_help = "示例：\n  duban import violations 立案查处.csv --json")]
    Violations { file: String },
    /// 每月过问干预记录报告，每条记录或零报告一行。列：month,staff_id,zero_report,occurred_on,intervener_name,intervener_unit,intervener_post,intervener_category,is_procuratorate_staff,manner,scope,case_ref,content
    #[command(after_help = "示例：\n  duban import records 2020年9月.csv")]
    Records { file: String },
    /// 案件流程事件，每个事件一行。列：case_id,unit_code,case_type,event,occurred_on[,tags]
    #[command(after_help = "示例：\n  duban import cases 流程事件.csv")]
    Cases { file: String },
    /// 整改台账工作簿（序号、反馈问题 … 销号日期）导入单位 CODE 的方案 TITLE
    #[command(
        after_help = "示例：\n  duban import ledger 台账.xlsx --plan 最高检党组巡视整改方案 --unit 100000"
    )]
    Ledger {
        file: String,
        /// 方案标题
        #[arg(long)]
        plan: String,
        /// 单位代码
        #[arg(long)]
        unit: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ExportCmd {
    /// 一个方案截至某日的整改台账，按通行的列导出为 XLSX
    #[command(
        after_help = "示例：\n  duban export ledger --plan 最高检党组巡视整改方案 --as-of 2020-11-05 --out 台账.xlsx"
    )]
    Ledger {
        /// 方案编号或标题
        #[arg(long)]
        plan: String,
        /// 截至日期 YYYY-MM-DD
        #[arg(long)]
        as_of: String,
        /// 输出文件
        #[arg(long)]
        out: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum UserCmd {
    /// 新建账号；密码从标准输入读取
    #[command(
        after_help = "示例：\n  echo '新密码-2020' | duban user add --login zj.office2 --unit 330000 --role office --subtree"
    )]
    Add {
        /// 登录名
        #[arg(long)]
        login: String,
        /// 单位代码
        #[arg(long)]
        unit: String,
        /// 角色：admin、office、leader、dept、staff、discipline、letters、quality
        #[arg(long)]
        role: String,
        /// 角色也覆盖下级单位
        #[arg(long)]
        subtree: bool,
        /// 显示名（默认为登录名）
        #[arg(long)]
        name: Option<String>,
    },
    /// 设置账号接收通知的电子邮箱
    Email {
        /// 登录名
        #[arg(long)]
        login: String,
        /// 电子邮箱
        #[arg(long)]
        email: String,
    },
    /// 设置账号的密码，从标准输入读取
    Passwd {
        /// 登录名
        #[arg(long)]
        login: String,
    },
    /// 停用账号：其会话和 API 令牌立即失效
    #[command(after_help = "示例：\n  duban user disable --login N000123")]
    Disable {
        /// 登录名
        #[arg(long)]
        login: String,
    },
    /// 重新启用账号
    Enable {
        /// 登录名
        #[arg(long)]
        login: String,
    },
    /// 调动人员到另一单位（及部门）：账号的数据范围随之改变，此前的记录留在原单位
    #[command(
        after_help = "示例：\n  duban user move --login N000123 --unit 330106 --department 第一检察部"
    )]
    Move {
        /// 登录名
        #[arg(long)]
        login: String,
        /// 调入单位代码
        #[arg(long)]
        unit: String,
        /// 调入部门（须已存在）
        #[arg(long)]
        department: Option<String>,
    },
    /// 更改账号角色，须写明理由（记入审计日志）
    #[command(
        after_help = "示例：\n  duban user role --login N000123 --role leader --reason 任命为副检察长"
    )]
    Role {
        /// 登录名
        #[arg(long)]
        login: String,
        /// 新角色：admin、office、leader、dept、staff、discipline、letters、quality
        #[arg(long)]
        role: String,
        /// 理由
        #[arg(long)]
        reason: String,
    },
    /// 开启或关闭一个单位的本地密码登录（关闭后该单位只能通过统一身份认证登录）
    #[command(after_help = "示例：\n  duban user passwords --unit 330106 --off")]
    Passwords {
        /// 单位代码
        #[arg(long)]
        unit: String,
        /// 关闭本地密码
        #[arg(long, conflicts_with = "on", required_unless_present = "on")]
        off: bool,
        /// 开启本地密码
        #[arg(long)]
        on: bool,
    },
    /// 重新生成激活码：一个人（原密码、会话和令牌失效），或一个单位全部尚未激活的账号
    #[command(
        after_help = "示例：\n  duban user codes --login N000123 --codes-out 激活码.csv\n  duban user codes --unit 330106 --codes-out 激活码.csv"
    )]
    Codes {
        /// 登录名
        #[arg(long, conflicts_with = "unit", required_unless_present = "unit")]
        login: Option<String>,
        /// 单位代码
        #[arg(long)]
        unit: Option<String>,
        /// 激活码写入的文件
        #[arg(long)]
        codes_out: String,
        /// 激活码有效天数
        #[arg(long, default_value_t = duban_domain::identity::CODE_DAYS)]
        code_days: i64,
    },
}

#[derive(Subcommand)]
pub(crate) enum AuditCmd {
    /// 审计链完整时退出码为 0，否则指出第一条不能验证的记录（退出码 2）；--anchor 还与此前公布的链头比对
    #[command(after_help = "示例：\n  duban audit verify --anchor 锚点-2020-11-05.json")]
    Verify {
        /// 此前 `duban audit anchor` 输出的锚点文件
        #[arg(long)]
        anchor: Option<String>,
    },
    /// 用本系统的密钥（见 audit_key）签署链头，输出供公布的锚点（JSON）
    Anchor,
}

#[derive(Subcommand)]
pub(crate) enum CalendarCmd {
    /// 计算期限，输出 YYYY-MM-DD
    #[command(
        after_help = "示例：\n  duban calendar deadline --start 2020-09-30 --days 7 --counting working"
    )]
    Deadline {
        /// 起算日期 YYYY-MM-DD
        #[arg(long)]
        start: String,
        /// 天数
        #[arg(long, conflicts_with = "months")]
        days: Option<u32>,
        /// 月数
        #[arg(long)]
        months: Option<u32>,
        /// calendar（自然日）或 working（工作日）
        #[arg(long, default_value = "calendar")]
        counting: String,
    },
}

/// The command line as parsed and explained: clap's English headings and built-in flags replaced
/// by Chinese ones, on every subcommand.
pub(crate) fn command() -> clap::Command {
    use clap::CommandFactory;
    let root = localise(Cli::command()).disable_version_flag(true).arg(
        clap::Arg::new("version")
            .short('V')
            .long("version")
            .action(clap::ArgAction::Version)
            .help("显示版本"),
    );
    root
}

fn localise(c: clap::Command) -> clap::Command {
    c.help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "参数"
            } else {
                "选项"
            };
            a.help_heading(heading)
        })
        .arg(
            clap::Arg::new("help")
                .short('h')
                .long("help")
                .action(clap::ArgAction::Help)
                .help("显示帮助")
                .help_heading("选项"),
        )
        .mut_subcommands(localise)
}
