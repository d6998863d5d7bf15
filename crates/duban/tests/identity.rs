//! Identity from the server's command line: accounts and codes from the roster, disable,
//! enable, move, role and new codes — on each database.
mod common;
use common::{duban, out};
use std::io::Write;
use std::process::{Command, Output, Stdio};

#[tokio::test]
async fn the_roster_gets_accounts_and_people_change() {
    let dir = std::env::temp_dir().join(format!("duban-identity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut dbs = vec![format!("sqlite://{}/duban.db", dir.display())];
    dbs.extend(duban_store::testing::postgres_url().await);
    for db in dbs {
        assert!(duban(&db, &["demo"]).status.success());
        let file = dir.join("staff.csv");
        std::fs::write(
            &file,
            "staff_id,name,unit_code,department,post,is_leader,joined_on,left_on,login,role\nC1,陈一,330106,第一检察部,,0,2020-03-01,,,\nC2,陈二,330106,,,0,,,chen.er,office\n",
        )
        .unwrap();
        let codes = dir.join("codes.csv");
        let _ = std::fs::remove_file(&codes);
        // --accounts needs somewhere to put the codes
        let o = duban(
            &db,
            &["import", "staff", file.to_str().unwrap(), "--accounts"],
        );
        assert!(
            !o.status.success() && out(&o).contains("--codes-out"),
            "{}",
            out(&o)
        );
        let o = duban(
            &db,
            &[
                "import",
                "staff",
                file.to_str().unwrap(),
                "--accounts",
                "--codes-out",
                codes.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", out(&o));
        assert!(out(&o).contains("开通账号"), "{}", out(&o));
        let csv = std::fs::read_to_string(&codes).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].ends_with("staff_no,login,code,expires_on,name,unit_code,department"));
        let c2 = lines
            .iter()
            .find(|l| l.starts_with("C2,"))
            .expect("C2 in codes");
        assert!(c2.starts_with("C2,chen.er,"), "{c2}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&codes).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the codes file is its owner's only");
        }
        for (args, said) in [
            (vec!["user", "disable", "--login", "chen.er"], "已停用"),
            (vec!["user", "enable", "--login", "chen.er"], "已启用"),
            (
                vec!["user", "move", "--login", "chen.er", "--unit", "330102"],
                "已调至 330102",
            ),
            (
                vec![
                    "user", "role", "--login", "chen.er", "--role", "leader", "--reason", "任命",
                ],
                "角色改为 leader",
            ),
        ] {
            let o = duban(&db, &args);
            assert!(
                o.status.success() && out(&o).contains(said),
                "{args:?}: {}",
                out(&o)
            );
        }
        let o = duban(
            &db,
            &[
                "user", "role", "--login", "chen.er", "--role", "staff", "--reason", " ",
            ],
        );
        assert!(
            !o.status.success() && out(&o).contains("理由"),
            "{}",
            out(&o)
        );
        let o = duban(
            &db,
            &["user", "move", "--login", "chen.er", "--unit", "999999"],
        );
        assert!(
            !o.status.success() && out(&o).contains("999999"),
            "{}",
            out(&o)
        );
        let again = dir.join("again.csv");
        let o = duban(
            &db,
            &[
                "user",
                "codes",
                "--unit",
                "330106",
                "--codes-out",
                again.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", out(&o));
        let csv = std::fs::read_to_string(&again).unwrap();
        assert!(csv.contains("C1,C1,") && !csv.contains("chen.er"), "{csv}");
        let audit = duban(&db, &["audit", "verify"]);
        assert!(audit.status.success(), "{}", out(&audit));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The directory test server (scripts/ldap-test-server.sh), or `None` unless required.
fn ldap_server() -> Option<String> {
    match std::env::var("DUBAN_TEST_LDAP_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("DUBAN_REQUIRE_LDAP").as_deref() != Ok("1"),
                "DUBAN_REQUIRE_LDAP=1 but DUBAN_TEST_LDAP_URL is not set"
            );
            None
        }
    }
}

/// Runs an LDAP tool as the directory's administrator with `ldif` on its input.
fn ldap_tool(tool: &str, url: &str, ldif: &str) {
    let mut child = Command::new(tool)
        .args([
            "-x",
            "-c",
            "-H",
            url,
            "-D",
            "cn=admin,dc=duban,dc=test",
            "-w",
            "admin-secret",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ldif.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "{tool}: {ldif}");
}

fn with_ldap(db: &str, base: &str, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(args)
        .env("DUBAN_DATABASE_URL", db)
        .env("DUBAN_LOG", "warn")
        .env("DUBAN_LDAP_URL", url)
        .env("DUBAN_LDAP_STARTTLS", "1")
        .env(
            "DUBAN_LDAP_CA_FILE",
            std::env::temp_dir().join("duban-test-ldap/ca.pem"),
        )
        .env("DUBAN_LDAP_BIND_DN", "cn=reader,dc=duban,dc=test")
        .env("DUBAN_LDAP_BIND_PASSWORD", "reader-secret")
        .env("DUBAN_LDAP_BASE_DN", base)
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_directory_brings_people_in_moves_them_and_ends_the_gone() {
    let Some(url) = ldap_server() else { return };
    let pid = std::process::id();
    let base = format!("ou=sync-{pid},ou=people,dc=duban,dc=test");
    let person = |uid: &str, no: &str, unit: &str, ou: &str| {
        format!(
            "dn: uid={uid},{base}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: 目录{uid}\nsn: 目录\nemployeeNumber: {no}\ndepartmentNumber: {unit}\nou: {ou}\nuserPassword: pw-{uid}\n\n"
        )
    };
    let mut ldif = format!("dn: {base}\nobjectClass: organizationalUnit\nou: sync-{pid}\n\n");
    ldif.push_str(&person("ya", "Y1", "330106", "第一检察部"));
    ldif.push_str(&person("yb", "Y2", "330106", "第一检察部"));
    ldif.push_str(&person("yc", "Y3", "999999", "不存在的单位"));
    ldap_tool("ldapadd", &url, &ldif);
    let dir = std::env::temp_dir().join(format!("duban-sync-{pid}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut dbs = vec![format!("sqlite://{}/duban.db", dir.display())];
    dbs.extend(duban_store::testing::postgres_url().await);
    for db in dbs {
        assert!(duban(&db, &["demo"]).status.success());
        let o = with_ldap(&db, &base, &url, &["--json", "sync", "ldap"]);
        assert!(o.status.success(), "{}", out(&o));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (
                &r["seen"],
                &r["staff_created"],
                &r["accounts_created"],
                &r["skipped_count"]
            ),
            (&3.into(), &2.into(), &2.into(), &1.into()),
            "{r}"
        );
        // a move and a departure in the directory
        ldap_tool(
            "ldapmodify",
            &url,
            &format!(
                "dn: uid=ya,{base}\nchangetype: modify\nreplace: departmentNumber\ndepartmentNumber: 330102\n-\nreplace: ou\nou: 办公室\n"
            ),
        );
        let del = Command::new("ldapdelete")
            .args([
                "-x",
                "-H",
                &url,
                "-D",
                "cn=admin,dc=duban,dc=test",
                "-w",
                "admin-secret",
                &format!("uid=yb,{base}"),
            ])
            .status()
            .unwrap();
        assert!(del.success());
        let o = with_ldap(&db, &base, &url, &["sync", "ldap"]);
        assert!(o.status.success(), "{}", out(&o));
        assert!(
            out(&o).contains("调动 1") && out(&o).contains("停用 1"),
            "{}",
            out(&o)
        );
        // put back for the next database
        ldap_tool(
            "ldapmodify",
            &url,
            &format!(
                "dn: uid=ya,{base}\nchangetype: modify\nreplace: departmentNumber\ndepartmentNumber: 330106\n-\nreplace: ou\nou: 第一检察部\n"
            ),
        );
        ldap_tool("ldapadd", &url, &person("yb", "Y2", "330106", "第一检察部"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
