//! The store suite: every test runs on SQLite and, when configured, on PostgreSQL.
use duban_domain::audit::ChainFault;
use duban_domain::calendar::{Counting, DayKind, Period, parse_date};
use duban_domain::org::Role;
use duban_store::users::{LoginOutcome, NewUser};
use duban_store::{Actor, Backend, Store, StoreError, testing};

fn table(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn admin() -> Actor {
    Actor::system("test")
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn migrations_and_demo_are_idempotent() {
    for (name, store) in testing::all().await {
        if store.backend == Backend::Sqlite {
            // a database the store creates has 16 KB pages (DECISIONS 57)
            assert_eq!(count(&store, "PRAGMA page_size").await, 16384, "{name}");
        }
        store.migrate().await.unwrap();
        let a = store.load_demo().await.unwrap();
        let b = store.load_demo().await.unwrap();
        assert_eq!((a.units, a.staff), (b.units, b.staff), "{name}");
        // the SPP, 32 provinces, 9 local procuratorates; 6 institutions and 2 stationed offices
        assert_eq!(a.units, 1 + 32 + 9 + 6 + 2, "{name}");
        assert_eq!(a.users_created, 10, "{name}");
        assert_eq!(b.users_created, 0, "{name}");
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let depts = store.departments(spp.id).await.unwrap();
        for d in [
            "办公厅",
            "政治部",
            "机关党委",
            "控告申诉检察厅",
            "驻最高人民检察院纪检监察组",
        ] {
            assert!(depts.iter().any(|x| x.name == d), "{name}: {d}");
        }
        let (leaders, n) = store.staff_of_unit(spp.id, true, 50, 0).await.unwrap();
        assert!(n >= 5 && leaders.iter().any(|s| s.name == "张军"), "{name}");
        assert_eq!(
            store.verify_audit().await.unwrap(),
            Ok(count(&store, "SELECT COUNT(*) FROM audit_log").await),
            "{name}"
        );
    }
}

#[tokio::test]
async fn unit_import_is_all_or_nothing() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let before = count(&store, "SELECT COUNT(*) FROM units").await;
        let bad = table(
            "code,name,level,parent_code\n330300,温州市人民检察院,3,330000\n330301,鹿城区,4,999999\nA1,甲,3,B1\nB1,乙,3,A1",
        );
        let Err(StoreError::Import(errs)) = store.import_units(&admin(), &bad).await else {
            panic!("{name}: expected errors")
        };
        assert!(
            errs.iter().any(|e| e.row == 3 && e.column == "parent_code"),
            "{name}: {errs:?}"
        );
        assert!(
            errs.iter().any(|e| e.message.contains("循环")),
            "{name}: {errs:?}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM units").await,
            before,
            "{name}: nothing imported"
        );
        let good = table(
            "code,name,level,parent_code\n330301,温州市鹿城区人民检察院,4,330300\n330300,温州市人民检察院,3,330000",
        );
        let r = store.import_units(&admin(), &good).await.unwrap();
        assert_eq!(r.created, 2, "{name}");
        let lucheng = store.unit_by_code("330301").await.unwrap().unwrap();
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        assert!(
            lucheng.path.starts_with(&zj.path),
            "{name}: path {} under {}",
            lucheng.path,
            zj.path
        );
        // re-import renames instead of duplicating
        let again = table("code,name,level,parent_code\n330300,温州市检察院,3,330000");
        assert_eq!(
            store.import_units(&admin(), &again).await.unwrap().updated,
            1
        );
        assert_eq!(
            store.unit_by_code("330300").await.unwrap().unwrap().name,
            "温州市检察院"
        );
    }
}

#[tokio::test]
async fn staff_import_creates_departments_and_rejects_duplicates() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let before = count(&store, "SELECT COUNT(*) FROM staff").await;
        let bad = table(
            "staff_id,name,unit_code,department,post,is_leader\nX1,甲,330106,办公室,主任,0\nX1,乙,330106,办公室,,0\nX2,丙,999999,,,2",
        );
        let Err(StoreError::Import(errs)) = store
            .import_staff(&admin(), &bad, None, Default::default())
            .await
        else {
            panic!()
        };
        let cells: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            cells,
            vec![(3, "staff_id"), (4, "unit_code"), (4, "is_leader")],
            "{name}"
        );
        assert_eq!(count(&store, "SELECT COUNT(*) FROM staff").await, before);
        let good = table(
            "staff_id,name,unit_code,department,post,is_leader\nX1,甲,330106,新设部门,主任,1\nX2,乙,330106,新设部门,,0",
        );
        let r = store
            .import_staff(&admin(), &good, None, Default::default())
            .await
            .unwrap();
        assert_eq!((r.created, r.departments_created), (2, 1), "{name}");
        // a scoped import may not name units outside the scope
        let gd = store.unit_by_code("440000").await.unwrap().unwrap();
        let scope = duban_store::Scope {
            unit_id: gd.id,
            unit_path: gd.path.clone(),
            subtree: true,
        };
        let Err(StoreError::Import(errs)) = store
            .import_staff(&admin(), &good, Some(&scope), Default::default())
            .await
        else {
            panic!()
        };
        assert_eq!(errs.len(), 2);
    }
}

#[tokio::test]
async fn scopes_hide_other_units() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let zj = store.user_by_login("zj.office").await.unwrap().unwrap();
        let xihu = store.user_by_login("xihu.office").await.unwrap().unwrap();
        let gd = store.unit_by_code("440000").await.unwrap().unwrap();
        let hz = store.unit_by_code("330100").await.unwrap().unwrap();
        assert!(
            store
                .unit_in_scope(&zj.scope(), gd.id)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        assert!(
            store
                .unit_in_scope(&zj.scope(), hz.id)
                .await
                .unwrap()
                .is_some(),
            "{name}"
        );
        assert!(
            store
                .unit_in_scope(&xihu.scope(), hz.id)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        let (units, total) = store.units(&zj.scope(), None, "", 100, 0).await.unwrap();
        assert_eq!(
            total, 7,
            "{name}: 浙江 + 2 cities + 3 basic + 西湖's stationed office"
        );
        assert!(units.iter().all(|u| u.code.starts_with("33")), "{name}");
        let (units, _) = store.units(&xihu.scope(), None, "", 100, 0).await.unwrap();
        assert_eq!(units.len(), 1);
        let spp_staff = store
            .staff_of_unit(
                store.unit_by_code("100000").await.unwrap().unwrap().id,
                false,
                1,
                0,
            )
            .await
            .unwrap()
            .0;
        assert!(
            store
                .staff_in_scope(&zj.scope(), spp_staff[0].id)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn accounts_sessions_tokens_and_lockout() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let LoginOutcome::Ok {
            user,
            session,
            csrf,
        } = store.login("office", "duban2020").await.unwrap()
        else {
            panic!("{name}")
        };
        assert_eq!(user.role, Role::Office);
        let (u, c) = store.session(&session).await.unwrap().unwrap();
        assert_eq!((u.id, c), (user.id, csrf));
        assert!(store.session("nonsense").await.unwrap().is_none());
        // an expired session is no session
        let LoginOutcome::Ok { session: old, .. } =
            store.login("office", "duban2020").await.unwrap()
        else {
            panic!()
        };
        sqlx::query("UPDATE sessions SET expires_at = 0 WHERE id_hash = $1")
            .bind(duban_domain::auth::secret_digest(&old))
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(
            store.session(&old).await.unwrap().is_none(),
            "{name}: expired"
        );
        store.logout(&session).await.unwrap();
        assert!(
            store.session(&session).await.unwrap().is_none(),
            "{name}: logged out"
        );
        // no lockout: failures are counted (the web layer delays), the right password still works
        for _ in 0..6 {
            assert!(matches!(
                store.login("staff", "wrong").await.unwrap(),
                LoginOutcome::BadCredentials
            ));
        }
        assert!(
            matches!(
                store.login("staff", "duban2020").await.unwrap(),
                LoginOutcome::Ok { .. }
            ),
            "{name}"
        );
        // tokens
        let token = store.create_token(&user, "ci").await.unwrap();
        assert_eq!(
            store.user_by_token(&token).await.unwrap().unwrap().id,
            user.id
        );
        let t = store.tokens(user.id).await.unwrap();
        let other = store.user_by_login("leader").await.unwrap().unwrap();
        assert!(
            matches!(
                store.revoke_token(&other.actor(), t[0].id).await,
                Err(StoreError::NotFound)
            ),
            "{name}: not another's token"
        );
        store.revoke_token(&user.actor(), t[0].id).await.unwrap();
        assert!(store.user_by_token(&token).await.unwrap().is_none());
        // password change ends sessions and needs the current password
        assert!(
            store
                .change_password(&user, "bad", "newpass2026", None)
                .await
                .is_err()
        );
        store
            .change_password(&user, "duban2020", "newpass2026", None)
            .await
            .unwrap();
        assert!(matches!(
            store.login("office", "newpass2026").await.unwrap(),
            LoginOutcome::Ok { .. }
        ));
        // users
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let nu = NewUser {
            login: "new.user",
            display_name: "新用户",
            password: "abc12345",
            role: Role::Letters,
            unit_id: spp.id,
            subtree: false,
        };
        store.create_user(&admin(), &nu).await.unwrap();
        assert!(
            matches!(
                store.create_user(&admin(), &nu).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}"
        );
        let weak = NewUser {
            password: "short",
            login: "weak",
            ..nu
        };
        assert!(matches!(
            store.create_user(&admin(), &weak).await,
            Err(StoreError::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn audit_chain_detects_tampering() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        store
            .rename_unit(&admin(), &spp, "最高人民检察院（改）")
            .await
            .unwrap();
        let n = count(&store, "SELECT COUNT(*) FROM audit_log").await;
        assert_eq!(store.verify_audit().await.unwrap(), Ok(n), "{name}");
        // the log refuses updates and deletes outright
        assert!(
            sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
                .execute(&store.pool)
                .await
                .is_err(),
            "{name}"
        );
        assert!(
            sqlx::query("DELETE FROM audit_log WHERE seq = 1")
                .execute(&store.pool)
                .await
                .is_err(),
            "{name}"
        );
        // someone with the database's owner rights drops the guard and edits an entry
        match store.backend {
            Backend::Sqlite => {
                sqlx::raw_sql("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
                    .execute(&store.pool)
                    .await
                    .unwrap()
            }
            Backend::Postgres => sqlx::raw_sql("DROP TRIGGER audit_log_no_change ON audit_log")
                .execute(&store.pool)
                .await
                .unwrap(),
        };
        sqlx::query("UPDATE audit_log SET after_json = '{}' WHERE seq = 2")
            .execute(&store.pool)
            .await
            .unwrap();
        assert_eq!(
            store.verify_audit().await.unwrap(),
            Err(ChainFault::Altered { seq: 2 }),
            "{name}"
        );
        sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(&store.pool)
            .await
            .unwrap();
        assert_eq!(
            store.verify_audit().await.unwrap(),
            Err(ChainFault::Gap { seq: 3 }),
            "{name}"
        );
    }
}

#[tokio::test]
async fn audit_is_scoped() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let gd = store.unit_by_code("440000").await.unwrap().unwrap();
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        store
            .rename_unit(&admin(), &gd, "广东省人民检察院（改）")
            .await
            .unwrap();
        let zj_scope = duban_store::Scope {
            unit_id: zj.id,
            unit_path: zj.path.clone(),
            subtree: true,
        };
        assert!(
            store
                .audit_entries(
                    &duban_store::Actor::system("test"),
                    &zj_scope,
                    "",
                    100,
                    None
                )
                .await
                .unwrap()
                .iter()
                .all(|e| e.unit_id != Some(gd.id)),
            "{name}"
        );
        let national = store
            .user_by_login("discipline")
            .await
            .unwrap()
            .unwrap()
            .scope();
        assert!(
            store
                .audit_entries(
                    &duban_store::Actor::system("test"),
                    &national,
                    "unit.",
                    100,
                    None
                )
                .await
                .unwrap()
                .iter()
                .any(|e| e.unit_id == Some(gd.id)),
            "{name}"
        );
    }
}

#[tokio::test]
async fn calendar_is_seeded_and_editable() {
    for (name, store) in testing::all().await {
        assert!(store.seed_calendar().await.unwrap() >= 19, "{name}");
        assert_eq!(store.seed_calendar().await.unwrap(), 0);
        let cal = store.work_calendar().await.unwrap();
        let d = |s| parse_date(s).unwrap();
        assert_eq!(
            cal.deadline(d("2020-09-25"), Period::Days(7), Counting::Calendar)
                .unwrap(),
            d("2020-10-09"),
            "{name}"
        );
        assert!(
            cal.deadline(d("2027-01-04"), Period::Days(7), Counting::Calendar)
                .is_err()
        );
        // an administrator publishes 2027's New Year holiday
        store
            .set_calendar_days(
                &admin(),
                &[
                    (d("2027-01-01"), Some(DayKind::Holiday), "元旦".into()),
                    (d("2027-01-02"), Some(DayKind::Holiday), "元旦".into()),
                ],
                "admin",
            )
            .await
            .unwrap();
        let cal = store.work_calendar().await.unwrap();
        assert!(!cal.is_working_day(d("2027-01-01")).unwrap(), "{name}");
        assert_eq!(store.calendar_days(2027).await.unwrap().len(), 2);
        store
            .set_calendar_days(&admin(), &[(d("2027-01-02"), None, String::new())], "admin")
            .await
            .unwrap();
        assert_eq!(store.calendar_days(2027).await.unwrap().len(), 1, "{name}");
    }
}

#[tokio::test]
async fn backup_restore_round_trip_across_backends() {
    let stores = testing::all().await;
    let (_, src) = &stores[0];
    src.load_demo().await.unwrap();
    let mut buf = Vec::new();
    let rows = src.backup(&mut buf).await.unwrap();
    assert!(rows > 100);
    for (name, dst) in [("sqlite", testing::sqlite().await)]
        .into_iter()
        .chain(testing::postgres().await.map(|p| ("postgres", p)))
    {
        dst.load_demo().await.unwrap();
        assert!(
            matches!(
                dst.restore(&buf[..], false).await,
                Err(StoreError::Conflict(_))
            ),
            "{name}: refuses a non-empty database"
        );
        dst.restore(&buf[..], true).await.unwrap();
        assert_eq!(
            count(&dst, "SELECT COUNT(*) FROM staff").await,
            count(src, "SELECT COUNT(*) FROM staff").await,
            "{name}"
        );
        assert!(
            dst.verify_audit().await.unwrap().is_ok(),
            "{name}: chain intact after restore"
        );
        // ids continue after restore
        let spp = dst.unit_by_code("100000").await.unwrap().unwrap();
        dst.add_department(&admin(), spp.id, "新部门", "internal")
            .await
            .unwrap();
        assert!(
            matches!(
                dst.login("admin", "duban2020").await.unwrap(),
                LoginOutcome::Ok { .. }
            ),
            "{name}"
        );
    }
}

#[tokio::test]
async fn backup_covers_every_table() {
    for (name, store) in testing::all().await {
        let mut have = store.table_names().await.unwrap();
        have.sort();
        let mut listed: Vec<String> = duban_store::backup::TABLES
            .iter()
            .map(|s| s.to_string())
            .collect();
        listed.sort();
        assert_eq!(have, listed, "{name}: backup::TABLES must list every table");
    }
}

#[tokio::test]
async fn nation_scale_generator() {
    // SQLite only here: the full run is a benchmark (docs/PERFORMANCE.md)
    let store = testing::sqlite().await;
    let r = store
        .load_nation(duban_store::demo::PROVINCES.len())
        .await
        .unwrap();
    assert!((3500..=3800).contains(&r.units), "units {}", r.units);
    assert!((240_000..=260_000).contains(&r.staff), "staff {}", r.staff);
    let again = store
        .load_nation(duban_store::demo::PROVINCES.len())
        .await
        .unwrap();
    assert_eq!((again.units, again.staff), (r.units, r.staff));
    assert!(store.verify_audit().await.unwrap().is_ok());
}

/// A lease is held by one holder at a time until it expires; its holder renews it.
#[tokio::test]
async fn leases_have_one_holder_until_they_expire() {
    for (name, store) in duban_store::testing::all().await {
        assert!(store.take_lease("sweep", "a", 60).await.unwrap(), "{name}");
        assert!(!store.take_lease("sweep", "b", 60).await.unwrap(), "{name}");
        assert!(
            store.take_lease("sweep", "a", -1).await.unwrap(),
            "{name}: renewed"
        );
        assert!(
            store.take_lease("sweep", "b", 60).await.unwrap(),
            "{name}: expired, taken"
        );
        assert!(!store.take_lease("sweep", "a", 60).await.unwrap(), "{name}");
        assert!(
            store.take_lease("anchor", "a", 60).await.unwrap(),
            "{name}: another lease"
        );
        // a shared rate-limit window counts every hit, and starts again when it has passed
        assert_eq!(
            store.rate_hit("logins", "1.2.3.4", 60).await.unwrap(),
            1,
            "{name}"
        );
        assert_eq!(
            store.rate_hit("logins", "1.2.3.4", 60).await.unwrap(),
            2,
            "{name}"
        );
        assert_eq!(
            store.rate_hit("codes", "1.2.3.4", 60).await.unwrap(),
            1,
            "{name}"
        );
        assert_eq!(
            store.rate_hit("logins", "1.2.3.4", 0).await.unwrap(),
            1,
            "{name}: new window"
        );
    }
}
