//! The wording of notices about tasks and letters.

/// The wording of a reminder or supervision notice.
pub fn notice_text(
    kind: &str,
    level: &str,
    days: i64,
    issued: &str,
    task: &str,
    deadline: Option<&str>,
    to: Option<&str>,
) -> (String, String) {
    let to = to.unwrap_or("同志");
    if kind == "reminder" {
        (
            format!("【催办】{task}"),
            format!(
                "{to}：\n\n整改任务“{task}”{}，请抓紧推进并及时登记工作台账。\n\n整改工作领导小组办公室\n{issued}",
                deadline
                    .map(|d| format!("完成时限为 {d}"))
                    .unwrap_or_else(|| "需按期报送阶段性成效".into())
            ),
        )
    } else {
        let name = duban_domain::rectification::urging::Level::parse(level).zh();
        (
            format!("【{name}】{task}"),
            format!(
                "{to}：\n\n您牵头的整改任务“{task}”已逾期 {days} 天，现发出{name}，请督促责任部门立即整改，并将整改情况及时报整改工作领导小组办公室。\n\n整改工作领导小组办公室\n{issued}"
            ),
        )
    }
}

/// The wording of a reminder or supervision notice about a letter (the writer's data is not in it).
#[allow(clippy::too_many_arguments)]
pub fn letter_notice_text(
    kind: &str,
    level: &str,
    days: i64,
    issued: &str,
    letter: i64,
    key: &str,
    received: &str,
    category: &str,
    to: Option<&str>,
) -> (String, String) {
    use duban_domain::letters::{LetterCategory, Owes};
    let to = to.unwrap_or("同志");
    let owed = key.rsplit(':').next().and_then(Owes::parse);
    let owes = owed.map_or("答复", |o| o.zh());
    let act = if owed == Some(Owes::Report) {
        "向交办单位报告办理结果"
    } else {
        "答复来信人"
    };
    let what = format!(
        "{received} 收到的第 {letter} 号来信（{}）",
        LetterCategory::parse(category).map_or(category.to_string(), |c| c.zh().to_string())
    );
    if kind == "reminder" {
        (
            format!("【催办】来信{owes}即将到期"),
            format!(
                "{to}：\n\n{what}的{owes}即将到期，请按期{act}并在系统中登记。\n\n控告申诉检察部门\n{issued}"
            ),
        )
    } else {
        let name = duban_domain::rectification::urging::Level::parse(level).zh();
        (
            format!("【{name}】来信{owes}已逾期 {days} 天"),
            format!(
                "{to}：\n\n{what}的{owes}已逾期 {days} 天，现发出{name}，请督促立即{act}，并将办理情况在系统中登记。\n\n控告申诉检察部门\n{issued}"
            ),
        )
    }
}
