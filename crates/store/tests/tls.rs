//! PostgreSQL over TLS (rustls): the store opens a database with `sslmode=verify-full` against
//! the test harness's CA and the session is encrypted; a certificate from a CA made here is
//! refused; `sslmode=disable` is plain.
use sqlx::{Connection, Row};

fn with(url: &str, params: &str) -> String {
    format!("{url}{}{params}", if url.contains('?') { '&' } else { '?' })
}

async fn encrypted(url: &str) -> Result<bool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(url).await?;
    let r = sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut c)
        .await?;
    Ok(r.try_get::<bool, _>("ssl")?)
}

#[tokio::test]
async fn postgres_over_verified_tls() {
    let Some(url) = duban_store::testing::postgres_url().await else {
        return;
    };
    let ca = std::env::temp_dir().join("duban-test-pg-ca.pem");
    assert!(
        ca.exists(),
        "{} is written by scripts/pg-test-server.sh",
        ca.display()
    );

    // verified against the harness's CA: the product's own open path, encrypted
    let tls = with(
        &url,
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );
    let store = duban_store::Store::open(&tls, None).await.unwrap();
    assert!(store.verify_audit().await.unwrap().is_ok());
    assert!(encrypted(&tls).await.unwrap(), "the session is encrypted");

    // a CA made here, which did not sign the server's certificate, is refused
    let dir = std::env::temp_dir().join(format!("duban-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let other = dir.join("other-ca.pem");
    let ok = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=Not the test CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .arg("-keyout")
        .arg(dir.join("other-ca.key"))
        .arg("-out")
        .arg(&other)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "openssl made a CA");
    let wrong = with(
        &url,
        &format!("sslmode=verify-full&sslrootcert={}", other.display()),
    );
    assert!(encrypted(&wrong).await.is_err(), "an unknown CA is refused");

    // without TLS when asked for none
    assert!(!encrypted(&with(&url, "sslmode=disable")).await.unwrap());
}
