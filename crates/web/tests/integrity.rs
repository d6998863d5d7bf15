//! The integrity suite: every door (page form, API, ledger import, meeting decision) against every
//! forbidden move, on SQLite and PostgreSQL. Each move is refused with its Chinese message, nothing
//! is written (the audit head does not move) and the task keeps its state, deadline and category.
mod common;
use axum::http::StatusCode;
use common::*;
use duban_domain::org::Role;
use duban_domain::rectification::{Category, TaskState};
use duban_store::{Store, testing};

async fn head(store: &Store) -> (i64, String) {
    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// What a refused move must leave as it was.
async fn task_facts(
    store: &Store,
    plan: i64,
    task: i64,
) -> (TaskState, Option<chrono::NaiveDate>, Category) {
    let t = store
        .tasks(plan)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id == task)
        .unwrap();
    (t.state, t.deadline, t.category)
}

/// How a move reaches Duban.
enum Door {
    /// A signed-in page form (urlencoded).
    Form(&'static str, String, Vec<(&'static str, String)>),
    /// A signed-in multipart page form: fields and files.
    Multipart(
        &'static str,
        String,
        Vec<(&'static str, String)>,
        Vec<(&'static str, Vec<u8>)>,
    ),
    /// The API with the account's token.
    Api(&'static str, &'static str, String, serde_json::Value),
}

struct Case {
    what: &'static str,
    door: Door,
    /// the Chinese message the refusal carries
    message: &'static str,
}

#[tokio::test]
async fn every_door_refuses_every_forbidden_move() {
    for (name, store) in testing::all().await {
        doors(name, store).await;
    }
}

async fn doors(name: &str, store: Store) {
    let app = app_with(store.clone()).await;
    let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
    store
        .create_user(
            &duban_store::Actor::system("t"),
            &duban_store::users::NewUser {
                login: "xihu.admin",
                display_name: "西湖区院管理员",
                password: "duban2020",
                role: Role::Admin,
                unit_id: xihu.id,
                subtree: false,
            },
        )
        .await
        .unwrap();
    let admin = store.user_by_login("admin").await.unwrap().unwrap();
    let plan = store
        .plan(&admin.scope(), "最高检党组巡视整改方案")
        .await
        .unwrap()
        .unwrap();
    let leader = testing::author(&store, "leader").await;
    let dept = testing::author(&store, "dept").await;
    // a time-limited task in progress whose lead leader and department have demo accounts
    let mut task = None;
    for t in store.tasks(plan.id).await.unwrap() {
        let depts = store.task_department_ids(t.id).await.unwrap();
        if t.state == TaskState::InProgress
            && t.category == Category::TimeLimited
            && t.lead_leader_id == leader.staff_id
            && dept.departments.iter().any(|d| depts.contains(d))
        {
            task = Some(t);
            break;
        }
    }
    let task = task.expect("a demo task led by `leader` with `dept` responsible");
    // reviewers who are the task's own lead leader or department, and one bound to no person
    let spp = store.unit(plan.unit_id).await.unwrap().unwrap();
    for (login, role, staff) in [
        ("leader.office", Role::Office, leader.staff_id),
        ("dept.discipline", Role::Discipline, dept.staff_id),
        ("office2", Role::Office, None),
        ("xihu.quality", Role::Quality, None),
    ] {
        let unit = if login.starts_with("xihu") {
            xihu.id
        } else {
            spp.id
        };
        store
            .create_user(
                &duban_store::Actor::system("t"),
                &duban_store::users::NewUser {
                    login,
                    display_name: login,
                    password: "duban2020",
                    role,
                    unit_id: unit,
                    subtree: unit == spp.id,
                },
            )
            .await
            .unwrap();
        sqlx::query("UPDATE users SET staff_id = $1 WHERE login = $2")
            .bind(staff)
            .bind(login)
            .execute(&store.pool)
            .await
            .unwrap();
    }
    let mut clients = std::collections::HashMap::new();
    let mut tokens = std::collections::HashMap::new();
    for login in [
        "office",
        "admin",
        "leader",
        "dept",
        "discipline",
        "xihu.admin",
        "xihu.office",
        "xihu.quality",
        "letters",
        "leader.office",
        "dept.discipline",
        "office2",
    ] {
        let mut c = Client::login(&app, login).await;
        tokens.insert(login, c.token().await);
        clients.insert(login, c);
    }
    let today = duban_store::testing::today();
    let old = (today - chrono::Duration::days(10)).to_string();
    let entries = format!("/api/v1/tasks/{}/entries", task.id);
    let page_entries = format!("/rectification/tasks/{}/entries", task.id);
    // the office asks for the closure, with evidence (allowed: the office keeps the ledger)
    let mut anon = Client::new(&app);
    let r = anon
        .send(api(
            "POST",
            &entries,
            &tokens["office"],
            &serde_json::json!({"kind": "closure_request", "date": today.to_string(), "body": "已按完成标准整改到位",
                "files": [{"filename": "report.pdf", "content_base64": "JVBERi0xLjQ="}]}),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
    let facts = task_facts(&store, plan.id, task.id).await;
    let approve = |login: &'static str| {
        Door::Api(
            login,
            "POST",
            entries.clone(),
            serde_json::json!({"kind": "approve", "date": today.to_string(), "body": "同意销号"}),
        )
    };
    let approve_page = |login: &'static str| {
        Door::Multipart(
            login,
            page_entries.clone(),
            vec![
                ("kind", "approve".into()),
                ("date", today.to_string()),
                ("body", "同意销号".into()),
            ],
            vec![],
        )
    };
    // a letter received a month ago, still open
    let (letter, _) = store
        .submit_letter(
            &duban_store::Actor::system("t"),
            &duban_store::letters::NewLetter {
                unit_id: spp.id,
                received_on: today - chrono::Duration::days(30),
                channel: duban_domain::letters::Channel::Post,
                category: duban_domain::letters::LetterCategory::Report,
                petitioner: "王某".into(),
                phone: String::new(),
                id_number: String::new(),
                address: String::new(),
                email: String::new(),
                content: "反映某院办案拖延".into(),
                files: vec![],
            },
        )
        .await
        .unwrap();
    let rules = vec![
        ("due_soon_days", "7".to_string()),
        ("stale_days", "30".into()),
        ("staged_every_days", "90".into()),
        ("yellow_after_days", "1".into()),
        ("red_after_days", "2".into()),
        ("reviewer_office", "on".into()),
    ];
    let cases = vec![
        Case {
            what: "self-approval through the API",
            door: approve("office"),
            message: "不能审核自己参与提交的销号申请",
        },
        Case {
            what: "self-approval through the page",
            door: approve_page("office"),
            message: "不能审核自己参与提交的销号申请",
        },
        Case {
            what: "approval by the lead leader, in a reviewing role",
            door: approve("leader.office"),
            message: "牵头领导、责任人和责任部门不能审核本任务",
        },
        Case {
            what: "approval by the responsible department, in a reviewing role",
            door: approve_page("dept.discipline"),
            message: "牵头领导、责任人和责任部门不能审核本任务",
        },
        Case {
            what: "approval by an account in no reviewing role",
            door: approve("leader"),
            message: "可以审核销号",
        },
        Case {
            what: "approval by an account bound to no person",
            door: approve("office2"),
            message: "此账号未关联人员信息",
        },
        Case {
            what: "approval by an administrator",
            door: approve("admin"),
            message: "系统管理员不能审核销号",
        },
        Case {
            what: "approval by an account of another unit",
            door: approve("xihu.office"),
            message: "",
        },
        Case {
            what: "empty evidence",
            door: Door::Multipart(
                "dept",
                page_entries.clone(),
                vec![
                    ("kind", "progress".into()),
                    ("date", today.to_string()),
                    ("body", "已完成".into()),
                ],
                vec![("empty.pdf", vec![])],
            ),
            message: "是空文件",
        },
        Case {
            what: "a ledger entry backdated beyond the grace (API)",
            door: Door::Api(
                "dept",
                "POST",
                entries.clone(),
                serde_json::json!({"kind": "progress", "date": old, "body": "补记"}),
            ),
            message: "请填写补录原因",
        },
        Case {
            what: "a ledger entry backdated beyond the grace (page)",
            door: Door::Multipart(
                "dept",
                page_entries.clone(),
                vec![
                    ("kind", "progress".into()),
                    ("date", old.clone()),
                    ("body", "补记".into()),
                ],
                vec![],
            ),
            message: "请填写补录原因",
        },
        Case {
            what: "a letter's reply backdated beyond the grace",
            door: Door::Api(
                "letters",
                "POST",
                format!("/api/v1/letters/{letter}/steps"),
                serde_json::json!({"step": "reply", "on": old, "body": "已答复"}),
            ),
            message: "个工作日的补录期限",
        },
        Case {
            what: "a letter step by an account without the right",
            door: Door::Form(
                "discipline",
                format!("/letters/{letter}/steps"),
                vec![
                    ("step", "reply".into()),
                    ("on", today.to_string()),
                    ("body", "已答复".into()),
                ],
            ),
            message: "您没有执行此操作的权限",
        },
        Case {
            what: "nationwide rules by a basic unit's administrator",
            door: Door::Form("xihu.admin", "/rectification/rules".into(), rules.clone()),
            message: "全国范围的规则只能由全院",
        },
        Case {
            what: "quality rules by a basic unit's administrator",
            door: Door::Form(
                "xihu.admin",
                "/quality/rules".into(),
                vec![(
                    "rules",
                    serde_json::to_string(&store.quality_rules().await.unwrap()).unwrap(),
                )],
            ),
            message: "全国范围的规则只能由全院",
        },
        Case {
            what: "a subtree grant by an administrator without one (API)",
            door: Door::Api(
                "xihu.admin",
                "POST",
                "/api/v1/users".into(),
                serde_json::json!({"login": "xihu.wide", "display_name": "越权", "role": "office", "unit_code": "330106", "subtree": true, "password": "Str0ng-passw0rd!"}),
            ),
            message: "不能授予超出本人范围的数据范围",
        },
        Case {
            what: "an account above one's scope (page)",
            door: Door::Form(
                "xihu.admin",
                "/admin/users".into(),
                vec![
                    ("login", "gd.office2".into()),
                    ("display_name", "越权".into()),
                    ("role", "office".into()),
                    ("unit_code", "440000".into()),
                    ("password", "Str0ng-passw0rd!".into()),
                ],
            ),
            message: "该单位不在您的数据范围内",
        },
        Case {
            what: "the work calendar by a basic unit's administrator",
            door: Door::Form(
                "xihu.admin",
                "/calendar/days".into(),
                vec![("day", "2027-01-04".into()), ("kind", "holiday".into())],
            ),
            message: "全国范围的规则只能由全院",
        },
        Case {
            what: "a plan issued downwards by someone not its office",
            door: Door::Form(
                "discipline",
                format!("/rectification/plans/{}/cascade", plan.id),
                vec![("level", "2".into())],
            ),
            message: "您没有执行此操作的权限",
        },
        Case {
            what: "case events of another province's unit",
            door: Door::Api(
                "xihu.quality",
                "POST",
                "/api/v1/cases/events".into(),
                serde_json::json!({"events": [{"case_id": "X-1", "unit_code": "440000", "case_type": "刑事", "event": "受理审查逮捕", "occurred_on": "2020-03-01"}]}),
            ),
            message: "",
        },
    ];
    for case in cases {
        let before = head(&store).await;
        let r = match case.door {
            Door::Form(login, path, fields) => {
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                clients.get_mut(login).unwrap().post_form(&path, &f).await
            }
            Door::Multipart(login, path, fields, files) => {
                let c = clients.get_mut(login).unwrap();
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, &b[..])).collect();
                let (ct, body) = multipart_form(&f, &files);
                let path = format!("{path}?csrf={}", c.csrf);
                c.post_raw(&path, &ct, body).await
            }
            Door::Api(login, method, path, v) => {
                anon.send(api(method, &path, &tokens[login], &v)).await
            }
        };
        assert!(
            r.status.is_client_error(),
            "{name}: {}: {} {}",
            case.what,
            r.status,
            r.body
        );
        assert!(
            r.body.contains(case.message),
            "{name}: {}: wants “{}”: {}",
            case.what,
            case.message,
            r.body
        );
        assert_eq!(
            head(&store).await,
            before,
            "{name}: {}: nothing written",
            case.what
        );
        assert_eq!(
            task_facts(&store, plan.id, task.id).await,
            facts,
            "{name}: {}",
            case.what
        );
    }
    assert!(store.user_by_login("xihu.wide").await.unwrap().is_none());
    assert!(store.user_by_login("gd.office2").await.unwrap().is_none());
    reimport_and_meeting(name, &store, &mut clients, &plan, &task, facts).await;
}

/// Doors that write something, but never the move itself: a re-import turns a closure and a
/// deadline change into requests; a meeting's deadline decision is a request its recorder cannot
/// approve.
async fn reimport_and_meeting(
    name: &str,
    store: &Store,
    clients: &mut std::collections::HashMap<&str, Client>,
    plan: &duban_store::rectification::Plan,
    task: &duban_store::rectification::Task,
    facts: (TaskState, Option<chrono::NaiveDate>, Category),
) {
    let today = duban_store::testing::today().to_string();
    let office = clients.get_mut("office").unwrap();
    let xlsx = office
        .get(&format!("/rectification/plans/{}/ledger.xlsx", plan.id))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK, "{name}");
    let table = duban_publish::sheet::read_table("ledger.xlsx", xlsx.body_bytes()).unwrap();
    let h = table
        .iter()
        .position(|r| r.first().map(|c| c.trim()) == Some("序号"))
        .unwrap();
    let col = |n: &str| table[h].iter().position(|c| c.trim() == n).unwrap();
    let (t, rev, on, dl) = (
        col("整改任务"),
        col("销号审核"),
        col("销号日期"),
        col("完成时限"),
    );
    let mut rows = table[h..].to_vec();
    let row = rows.iter_mut().find(|r| r[t] == task.title).unwrap();
    row[rev] = "某某".into();
    row[on] = today.clone();
    row[dl] = "2035-12-31".into();
    let csv: String = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(",")
                + "\n"
        })
        .collect();
    let (ct, body) = multipart_form(&[("title", &plan.title)], &[("ledger.csv", csv.as_bytes())]);
    let path = format!("/rectification/import?csrf={}", office.csrf);
    let r = office.post_raw(&path, &ct, body).await;
    assert!(r.status.is_success(), "{name}: {} {}", r.status, r.body);
    assert_eq!(
        task_facts(store, plan.id, task.id).await,
        facts,
        "{name}: a re-import never closes or re-dates a task"
    );
    let pending = |v: Vec<duban_store::adjustments::Adjustment>| {
        v.into_iter()
            .filter(|a| a.state == duban_domain::adjustment::AdjState::Pending)
            .collect::<Vec<_>>()
    };
    assert!(
        !pending(store.adjustments(task.id).await.unwrap()).is_empty(),
        "{name}: the re-import's deadline became a request"
    );
    // the office asks to move the deadline on the page, then cannot approve its own request
    let r = office
        .post_form(
            &format!("/rectification/tasks/{}/adjustments", task.id),
            &[
                ("field", "deadline"),
                ("value", "2034-06-30"),
                ("reason", "工作量大"),
            ],
        )
        .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{name}: {}",
        r.body
    );
    assert_eq!(task_facts(store, plan.id, task.id).await, facts, "{name}");
    // and a meeting's decision to move a deadline is a request, too
    let r = office
        .post_form(
            "/rectification/meetings",
            &[("held_on", &today), ("title", "整改督办会商")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.body);
    let meeting: i64 = r.headers["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let admin = store.user_by_login("office").await.unwrap().unwrap();
    let (_, items) = store
        .meeting(&admin.scope(), meeting)
        .await
        .unwrap()
        .unwrap();
    let item = items.first().expect("an agenda today");
    let moved = plan_tasks_of(store, item.task_id)
        .await
        .into_iter()
        .find(|t| t.id == item.task_id)
        .unwrap();
    office
        .get(&format!("/rectification/meetings/{meeting}"))
        .await;
    let r = office
        .post_form(
            &format!("/rectification/meetings/{meeting}/items/{}", item.id),
            &[
                ("decision", "同意延期"),
                ("action", "deadline"),
                ("deadline", "2035-12-31"),
            ],
        )
        .await;
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{name}: {} {}",
        r.status,
        r.body
    );
    let after = task_facts(store, moved.plan_id, moved.id).await;
    assert_eq!(
        after.1, moved.deadline,
        "{name}: the meeting moved no deadline by itself"
    );
    // neither request can be approved by the one who made it
    for t in [task.id, item.task_id] {
        let reqs = pending(store.adjustments(t).await.unwrap());
        let req = reqs.last().expect("a pending request");
        let before = head(store).await;
        let r = office
            .post_form(
                &format!("/rectification/adjustments/{}", req.id),
                &[("decision", "approve"), ("note", "同意")],
            )
            .await;
        assert!(
            r.body.contains("调整申请不能由申请人本人审批"),
            "{name}: {}",
            r.body
        );
        assert_eq!(head(store).await, before, "{name}: nothing written");
    }
    assert_eq!(task_facts(store, plan.id, task.id).await, facts, "{name}");
}

/// The tasks of the plan holding `task` (a meeting's agenda may come from any plan of the unit).
async fn plan_tasks_of(store: &Store, task: i64) -> Vec<duban_store::rectification::Task> {
    let plan: i64 = sqlx::query_scalar("SELECT plan_id FROM tasks WHERE id = $1")
        .bind(task)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    store.tasks(plan).await.unwrap()
}
