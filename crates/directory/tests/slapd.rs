//! Against a real OpenLDAP slapd (`scripts/ldap-test-server.sh`, named by DUBAN_TEST_LDAP_URL):
//! sign-in by search and bind over plain LDAP, StartTLS and LDAPS, and the paged roster.
use duban_directory::{Config, DirError, authenticate, people};
use std::io::Write;
use std::process::{Command, Stdio};

/// The server, or `None` (a failure when DUBAN_REQUIRE_LDAP=1).
fn server() -> Option<String> {
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

fn ca() -> String {
    std::env::temp_dir()
        .join("duban-test-ldap/ca.pem")
        .display()
        .to_string()
}

/// A branch of its own under ou=people with `n` people (uid pN, password secret-N).
fn branch(url: &str, name: &str, n: usize) -> String {
    let base = format!(
        "ou={name}-{},ou=people,dc=duban,dc=test",
        std::process::id()
    );
    let mut ldif = format!(
        "dn: {base}\nobjectClass: organizationalUnit\nou: {name}-{}\n\n",
        std::process::id()
    );
    for i in 0..n {
        ldif.push_str(&format!(
            "dn: uid=p{i},{base}\nobjectClass: inetOrgPerson\nuid: p{i}\ncn: 人员{i}\nsn: 人员\nemployeeNumber: D{i:06}\ndepartmentNumber: 330106\nou: 第一检察部\nuserPassword: secret-{i}\n\n"
        ));
    }
    let mut child = Command::new("ldapadd")
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
        .expect("ldapadd (ldap-utils)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ldif.as_bytes())
        .unwrap();
    child.wait().unwrap();
    base
}

fn config(url: &str, base: &str) -> Config {
    Config {
        url: url.into(),
        bind_dn: "cn=reader,dc=duban,dc=test".into(),
        bind_password: "reader-secret".into(),
        base_dn: base.into(),
        ..Config::default()
    }
}

#[tokio::test]
async fn sign_in_by_search_and_bind_over_plain_starttls_and_ldaps() {
    let Some(url) = server() else { return };
    let base = branch(&url, "signin", 3);
    let plain = config(&url, &base);
    let p = authenticate(&plain, "p1", "secret-1")
        .await
        .unwrap()
        .expect("p1");
    assert_eq!(
        (
            p.staff_no.as_str(),
            p.unit_code.as_str(),
            p.department.as_str(),
            p.name.as_str()
        ),
        ("D000001", "330106", "第一检察部", "人员1")
    );
    assert_eq!(authenticate(&plain, "p1", "wrong").await.unwrap(), None);
    // an empty password would be an anonymous bind that succeeds: never sent
    assert_eq!(authenticate(&plain, "p1", "").await.unwrap(), None);
    assert_eq!(
        authenticate(&plain, "nobody", "secret-1").await.unwrap(),
        None
    );
    // a filter injected through the login finds nobody
    assert_eq!(authenticate(&plain, "*", "secret-1").await.unwrap(), None);
    assert_eq!(
        authenticate(&plain, "p1)(uid=*", "secret-1").await.unwrap(),
        None
    );
    let starttls = Config {
        starttls: true,
        ca_file: ca(),
        ..config(&url, &base)
    };
    assert!(
        authenticate(&starttls, "p2", "secret-2")
            .await
            .unwrap()
            .is_some()
    );
    let ldaps = Config {
        url: url.replace("ldap://", "ldaps://").replace(":3389", ":3636"),
        ca_file: ca(),
        ..config(&url, &base)
    };
    assert!(
        authenticate(&ldaps, "p0", "secret-0")
            .await
            .unwrap()
            .is_some()
    );
    // a certificate not from the configured CA is refused
    let untrusted = Config {
        ca_file: "/etc/ssl/certs/ca-certificates.crt".into(),
        ..ldaps.clone()
    };
    assert!(authenticate(&untrusted, "p0", "secret-0").await.is_err());
    // a wrong service password is the configuration's fault, not the person's
    let refused = Config {
        bind_password: "nope".into(),
        ..config(&url, &base)
    };
    assert!(matches!(
        authenticate(&refused, "p0", "secret-0").await,
        Err(DirError::ServiceRefused(_))
    ));
}

#[tokio::test]
async fn the_roster_is_read_in_pages() {
    let Some(url) = server() else { return };
    let base = branch(&url, "roster", 2500);
    let (all, skipped) = people(&config(&url, &base)).await.unwrap();
    assert_eq!((all.len(), skipped), (2500, 0));
    assert!(
        all.iter()
            .any(|p| p.staff_no == "D002499" && p.login == "p2499")
    );
}
