//! Letters from the command line.
mod common;
use common::{duban, out};

/// Issue 18, found on the way: a database migrated and imported into, never served, knows the
/// statutory years (the letters' clocks need them).
#[tokio::test]
async fn a_database_never_served_knows_the_statutory_calendar() {
    let dir = std::env::temp_dir().join(format!("duban-calendar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/duban.db", dir.display());
    assert!(duban(&db, &["migrate"]).status.success());
    let units = dir.join("units.csv");
    std::fs::write(
        &units,
        "code,name,level,parent_code\n100000,最高人民检察院,1,\n",
    )
    .unwrap();
    let o = duban(&db, &["import", "units", units.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    let letters = dir.join("letters.csv");
    std::fs::write(
        &letters,
        "received_on,channel,unit_code,petitioner,phone,category,content,acknowledged_on,replied_on,closed_on\n2020-09-30,12309,100000,张某,,控告,反映某案办理拖延,,,\n",
    )
    .unwrap();
    let o = duban(&db, &["import", "letters", letters.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(!out(&o).contains("没有节假日数据"), "{}", out(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
