//! Identity: accounts from the roster with one-time codes, activation, disabling, moving, roles,
//! and filings owed only for the months in post — on both databases.
use duban_domain::org::Role;
use duban_domain::records::Month;
use duban_domain::rectification::RuleError;
use duban_store::accounts::{AccountFilter, AccountRequest};
use duban_store::staff::StaffImport;
use duban_store::users::LoginOutcome;
use duban_store::{Actor, Store, StoreError, testing};

fn table(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn cli() -> Actor {
    Actor::system("test")
}

const HEAD: &str = "staff_id,name,unit_code,department,post,is_leader,joined_on,left_on,login,role";

async fn user_id(store: &Store, login: &str) -> i64 {
    store.user_by_login(login).await.unwrap().unwrap().id
}

#[tokio::test]
async fn the_roster_gets_accounts_with_codes_that_work_once() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let today = store.today();
        let file = table(&format!(
            "{HEAD}\nT1,张一,330106,第一检察部,主任,0,,,,\nT2,李二,330106,第一检察部,检察官助理,0,,,li.er,\nT3,王三,330106,,副检察长,1,,,,\nT4,赵四,330106,驻院纪检监察组,组员,0,,,,\nT5,钱五,330106,第一检察部,,0,,{},,",
            today - chrono::Duration::days(1)
        ));
        let r = store
            .import_staff(&cli(), &file, None, StaffImport { accounts: Some(7) })
            .await
            .unwrap();
        // every staff member of the demo in post without an account gets one, the leaver none
        let ours: Vec<_> = r
            .codes
            .iter()
            .filter(|c| c.staff_no.starts_with('T'))
            .collect();
        assert_eq!(
            ours.iter().map(|c| c.login.as_str()).collect::<Vec<_>>(),
            ["T1", "li.er", "T3", "T4"],
            "{name}"
        );
        assert!(
            ours.iter()
                .all(|c| c.expires_on == today + chrono::Duration::days(7))
        );
        let role = |login: &str| {
            let store = store.clone();
            let login = login.to_string();
            async move { store.user_by_login(&login).await.unwrap().unwrap().role }
        };
        assert_eq!(role("T1").await, Role::Dept, "{name}");
        assert_eq!(role("li.er").await, Role::Staff, "{name}");
        assert_eq!(role("T3").await, Role::Leader, "{name}");
        assert_eq!(role("T4").await, Role::Discipline, "{name}");
        // only the digest is kept
        let stored: Option<String> =
            sqlx::query_scalar("SELECT activation_hash FROM users WHERE login = 'T1'")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert_ne!(stored.as_deref(), Some(ours[0].code.as_str()));
        // no password before activation
        assert!(matches!(
            store.login("T1", "").await.unwrap(),
            LoginOutcome::BadCredentials
        ));
        // a wrong code, a weak password, then the code (as typed off paper), once
        let wrong = store
            .activate("T1", "AAAAA-AAAAA-AAAAA-AAAAA", "督办2026abc")
            .await;
        assert!(
            matches!(wrong, Err(StoreError::Rule(RuleError::ActivationFailed))),
            "{name}"
        );
        let code = ours[0].code.to_lowercase().replace('-', " ");
        assert!(matches!(
            store.activate("T1", &code, "short").await,
            Err(StoreError::Invalid(_))
        ));
        let Ok(LoginOutcome::Ok { session, .. }) = store.activate("T1", &code, "督办2026abc").await
        else {
            panic!("{name}: activation")
        };
        assert!(store.session(&session).await.unwrap().is_some());
        assert!(matches!(
            store.activate("T1", &code, "督办2026abc").await,
            Err(StoreError::Rule(RuleError::ActivationFailed))
        ));
        assert!(matches!(
            store.login("T1", "督办2026abc").await.unwrap(),
            LoginOutcome::Ok { .. }
        ));
        // a second run opens nothing new
        let again = store
            .import_staff(&cli(), &file, None, StaffImport { accounts: Some(7) })
            .await
            .unwrap();
        assert!(again.codes.is_empty(), "{name}");
        // the list: not activated in the unit
        let unit = store.unit_by_code("330106").await.unwrap().unwrap();
        let f = AccountFilter {
            activated: Some(false),
            unit_id: Some(unit.id),
            ..Default::default()
        };
        let scope = duban_store::Scope {
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            subtree: false,
        };
        let logins: Vec<String> = store
            .accounts(&scope, &f, "", 100)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.login)
            .collect();
        assert!(logins.contains(&"li.er".to_string()) && !logins.contains(&"T1".to_string()));
        let sheet = store.not_activated(unit.id).await.unwrap();
        assert_eq!(sheet.len(), logins.len(), "{name}");
    }
}

#[tokio::test]
async fn a_login_taken_or_unusable_is_a_problem_of_its_row() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        let file = table(&format!(
            "{HEAD}\nU1,甲,330106,,,0,,,admin,\nU2,乙,330106,,,0,2020-05-01,2020-04-01,,\nU3,丙,330106,,,0,,,,boss"
        ));
        let Err(StoreError::Import(errs)) = store
            .import_staff(&cli(), &file, None, StaffImport { accounts: Some(7) })
            .await
        else {
            panic!("{name}")
        };
        let cells: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(cells, [(3, "left_on"), (4, "role")], "{name}");
        let file = table(&format!("{HEAD}\nU1,甲,330106,,,0,,,admin,"));
        let Err(StoreError::Import(errs)) = store
            .import_staff(&cli(), &file, None, StaffImport { accounts: Some(7) })
            .await
        else {
            panic!("{name}")
        };
        assert_eq!(
            (errs[0].row, errs[0].column.as_str()),
            (2, "login"),
            "{name}"
        );
        // nothing half-way: neither the staff nor any account
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(before, after, "{name}");
        assert!(store.user_by_login("U1").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn disabling_ends_sessions_and_tokens_and_administrators_stay_in_scope() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let LoginOutcome::Ok { session, user, .. } =
            store.login("staff", "duban2020").await.unwrap()
        else {
            panic!()
        };
        let token = store.create_token(&user, "t").await.unwrap();
        store
            .change_account(&cli(), user.id, AccountRequest::Disable, 0)
            .await
            .unwrap();
        assert!(store.session(&session).await.unwrap().is_none(), "{name}");
        assert!(
            store.user_by_token(&token).await.unwrap().is_none(),
            "{name}"
        );
        assert!(matches!(
            store.login("staff", "duban2020").await.unwrap(),
            LoginOutcome::BadCredentials
        ));
        store
            .change_account(&cli(), user.id, AccountRequest::Enable, 0)
            .await
            .unwrap();
        assert!(matches!(
            store.login("staff", "duban2020").await.unwrap(),
            LoginOutcome::Ok { .. }
        ));
        // a provincial administrator: not its own account, not outside its scope
        let zj = store.user_by_login("zj.office").await.unwrap().unwrap();
        let admin = duban_store::users::NewUser {
            login: "zj.admin",
            display_name: "浙江管理员",
            password: "督办2026abc",
            role: Role::Admin,
            unit_id: zj.unit_id,
            subtree: true,
        };
        let id = store.create_user(&cli(), &admin).await.unwrap();
        let zj_admin = store.user(id).await.unwrap().unwrap().actor();
        let own = store
            .change_account(&zj_admin, id, AccountRequest::Disable, 0)
            .await;
        assert!(
            matches!(own, Err(StoreError::Rule(RuleError::OwnAccount))),
            "{name}"
        );
        let spp = user_id(&store, "office").await;
        let out = store
            .change_account(&zj_admin, spp, AccountRequest::Disable, 0)
            .await;
        assert!(
            matches!(out, Err(StoreError::Rule(RuleError::OutOfScope))),
            "{name}"
        );
        let away = AccountRequest::Move {
            unit_code: "440106",
            department: None,
        };
        let xihu = user_id(&store, "xihu.office").await;
        let out = store.change_account(&zj_admin, xihu, away, 0).await;
        assert!(
            matches!(out, Err(StoreError::Rule(RuleError::OutOfScope))),
            "{name}"
        );
        let bare = AccountRequest::Role {
            role: Role::Leader,
            reason: " ",
        };
        let out = store.change_account(&zj_admin, xihu, bare, 0).await;
        assert!(
            matches!(out, Err(StoreError::Rule(RuleError::RoleWithoutReason))),
            "{name}"
        );
        let why = AccountRequest::Role {
            role: Role::Leader,
            reason: "任命为副检察长",
        };
        store.change_account(&zj_admin, xihu, why, 0).await.unwrap();
        assert_eq!(store.user(xihu).await.unwrap().unwrap().role, Role::Leader);
        // a new code ends the old password
        let code = store
            .change_account(&zj_admin, xihu, AccountRequest::NewCode, 3)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            store.login("xihu.office", "duban2020").await.unwrap(),
            LoginOutcome::BadCredentials
        ));
        assert!(matches!(
            store
                .activate("xihu.office", &code.code, "督办2026abc")
                .await,
            Ok(LoginOutcome::Ok { .. })
        ));
    }
}

#[tokio::test]
async fn filings_are_owed_for_the_months_in_post_and_stay_where_they_were_served() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let today = store.today();
        let this = Month::of(today);
        let last = this.previous();
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        let hz = store.unit_by_code("330102").await.unwrap().unwrap();
        let staff = |unit: &duban_store::org::Unit| {
            let store = store.clone();
            let u = unit.clone();
            async move {
                let scope = duban_store::Scope {
                    unit_id: u.id,
                    unit_path: u.path.clone(),
                    subtree: false,
                };
                let c = |m| {
                    let store = store.clone();
                    let scope = scope.clone();
                    async move { store.completeness(&scope, m).await.unwrap()[0].staff }
                };
                (c(last).await, c(this).await)
            }
        };
        let (x0, h0) = (staff(&xihu).await, staff(&hz).await);
        // one joins this month; one who left before last month was in post before
        let joined = format!("{}-01", this);
        let file = table(&format!(
            "{HEAD}\nP1,新人,330106,,,0,{joined},,,\nP2,老人,330106,,,0,2019-01-01,2019-12-31,,"
        ));
        store
            .import_staff(&cli(), &file, None, StaffImport { accounts: Some(7) })
            .await
            .unwrap();
        let x1 = staff(&xihu).await;
        assert_eq!(
            x1,
            (x0.0, x0.1 + 1),
            "{name}: joining counts from its month"
        );
        let jan2019 = store
            .completeness(
                &duban_store::Scope {
                    unit_id: xihu.id,
                    unit_path: xihu.path.clone(),
                    subtree: false,
                },
                Month::parse("2019-06").unwrap(),
            )
            .await
            .unwrap()[0]
            .staff;
        assert!(
            jan2019 >= 2,
            "{name}: the leaver was in post in 2019 ({jan2019})"
        );
        // a move this month: last month stays owed at 西湖, this month at 上城
        let p1 = user_id(&store, "P1").await;
        let mv = AccountRequest::Move {
            unit_code: "330102",
            department: None,
        };
        store.change_account(&cli(), p1, mv, 0).await.unwrap();
        assert_eq!(store.user(p1).await.unwrap().unwrap().unit_id, hz.id);
        assert_eq!(staff(&xihu).await, x0, "{name}: moved away this month");
        assert_eq!(staff(&hz).await, (h0.0, h0.1 + 1), "{name}");
        // someone in post last month who moves this month leaves last month where it was
        let old = table(&format!("{HEAD}\nP3,早到,330106,,,0,2019-01-01,,,"));
        store
            .import_staff(&cli(), &old, None, StaffImport::default())
            .await
            .unwrap();
        let x2 = staff(&xihu).await;
        let moved = table(&format!("{HEAD}\nP3,早到,330102,,,0,2019-01-01,,,"));
        store
            .import_staff(&cli(), &moved, None, StaffImport::default())
            .await
            .unwrap();
        assert_eq!(
            staff(&xihu).await,
            (x2.0, x2.1 - 1),
            "{name}: history stays"
        );
        let posts: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff_posts p JOIN staff s ON s.id = p.staff_id WHERE s.staff_no = 'P3'",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(posts, 1, "{name}");
        // leaving disables the account
        let leave = table(&format!("{HEAD}\nP1,新人,330102,,,0,{joined},{},,", today));
        let r = store
            .import_staff(&cli(), &leave, None, StaffImport::default())
            .await
            .unwrap();
        assert_eq!(r.accounts_disabled, 1, "{name}");
        let disabled: i64 = sqlx::query_scalar("SELECT disabled FROM users WHERE login = 'P1'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(disabled, 1, "{name}");
    }
}

#[tokio::test]
async fn a_directory_synchronisation_moves_people_with_their_accounts_and_ends_the_gone() {
    use duban_store::directory::DirectoryPerson;
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let person = |no: &str, unit: &str, dept: &str| DirectoryPerson {
            staff_no: no.into(),
            login: no.to_lowercase(),
            name: format!("目录{no}"),
            unit_code: unit.into(),
            department: dept.into(),
        };
        let r = store
            .sync_directory(
                &cli(),
                &[person("L1", "330106", "办公室"), person("L2", "330106", "")],
            )
            .await
            .unwrap();
        assert_eq!((r.staff_created, r.accounts_created), (2, 2), "{name}");
        let r = store
            .sync_directory(&cli(), &[person("L1", "330102", "第一检察部")])
            .await
            .unwrap();
        assert_eq!((r.moved, r.disabled), (1, 1), "{name}: {r:?}");
        let l1 = store.user_by_login("l1").await.unwrap().unwrap();
        assert_eq!(
            l1.unit_code, "330102",
            "{name}: the account's scope follows"
        );
        let disabled: i64 = sqlx::query_scalar("SELECT disabled FROM users WHERE login = 'l2'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(disabled, 1, "{name}");
        // a directory account has no local password
        assert!(matches!(
            store.login("l1", "").await.unwrap(),
            LoginOutcome::BadCredentials
        ));
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn the_accounts_list_pages_unit_by_unit_without_gaps_or_repeats() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let file = table(&format!(
            "{HEAD}\nK1,甲,330106,,,0,,,,\nK2,乙,440106,,,0,,,,"
        ));
        store
            .import_staff(&cli(), &file, None, StaffImport { accounts: Some(7) })
            .await
            .unwrap();
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let all = store
            .accounts(&admin.scope(), &AccountFilter::default(), "", 5000)
            .await
            .unwrap();
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(all.len() as i64, total, "{name}");
        let mut paged = Vec::new();
        let mut after = String::new();
        loop {
            let page = store
                .accounts(&admin.scope(), &AccountFilter::default(), &after, 7)
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            after = last.cursor.clone();
            paged.extend(page.into_iter().map(|a| a.login));
        }
        let logins: Vec<String> = all.into_iter().map(|a| a.login).collect();
        assert_eq!(paged, logins, "{name}");
        // a rare filter reads on through the units until it has its page
        let leaders = store
            .accounts(
                &admin.scope(),
                &AccountFilter {
                    role: Some(Role::Leader),
                    ..Default::default()
                },
                "",
                3,
            )
            .await
            .unwrap();
        assert!(leaders.iter().all(|a| a.role == "leader") && !leaders.is_empty());
    }
}
