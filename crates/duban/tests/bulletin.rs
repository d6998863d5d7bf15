//! The whole bulletin from the data (issue 20): the seed's demo gives the seed's figures in the
//! bulletin's sentences (text, HTML with each figure linked, PDF); persons in case quality come
//! from the case events; and the nationwide generator, at a reduced scale that keeps its rules,
//! gives the seed's national figures — counted by the reports, not asserted by the generator —
//! on SQLite and PostgreSQL.
mod common;
use common::{duban, out};
use std::process::Command;

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn json(o: &std::process::Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", out(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

const BULLETIN: [&str; 9] = [
    "report",
    "bulletin",
    "--plan",
    "最高检党组巡视整改方案",
    "--plan",
    "驻院纪检监察组巡视整改措施",
    "--as-of",
    "2020-11-05",
    "--format",
];

/// 西湖区's cases of October 2020 (only the test's own).
const OCTOBER: [&str; 9] = [
    "report",
    "case-ratio",
    "--unit",
    "330106",
    "--from",
    "2020-10-01",
    "--to",
    "2020-10-31",
    "--json",
];

/// The country's (or the demo's) records of January–September.
const RECORDS: [&str; 10] = [
    "report",
    "records",
    "--unit",
    "100000",
    "--subtree",
    "--from",
    "2020-01",
    "--to",
    "2020-09",
    "--json",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_bulletin_comes_out_of_the_demo_and_the_nation() {
    for db in common::databases("bulletin").await {
        let o = duban(&db, &["demo"]);
        assert!(o.status.success(), "{}", out(&o));
        // the contract, and the other figures of the seed that the SPP's own data hold
        let o = duban(&db, &[&BULLETIN[..], &["text"]].concat());
        assert!(o.status.success(), "{}", out(&o));
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        for want in [
            "87",
            "30",
            "15",
            "57",
            "49",
            "17",
            "5次双周碰头会",
            "专报7期",
            "10批55个典型案例",
            "99.2%",
            "64件",
            "37.5%",
            "最高检机关做到了两个百分之百",
            "对2个省级检察院党组开展常规巡视，对4个直属事业单位开展机动巡视，对2个直属事业单位开展巡视“回头看”",
            "召开4次各部门党组织书记会议",
            "召开2次会议",
            "党组开展集体学习8次",
            "开展集体学习18次",
            "开展调研55次",
            "向中央纪委国家监委报送专报7期",
            "今年1至9月，18名检察人员因违纪违法被立案查处",
        ] {
            assert!(text.contains(want), "{db}: {want:?} missing in\n{text}");
        }
        // the figures the demo's records give, read back through the reports
        let letters = json(&duban(
            &db,
            &[
                "report",
                "letters",
                "--unit",
                "100000",
                "--subtree",
                "--from",
                "2020-01-01",
                "--to",
                "2020-09-30",
                "--as-of",
                "2020-11-05",
                "--json",
            ],
        ));
        assert!(text.contains(&format!("新收群众来信{}件", letters["received"])));
        let records = json(&duban(&db, &RECORDS));
        assert!(
            text.contains(&format!("今年1至9月共记录报告{}件次", records["records"])),
            "{db}: {text}"
        );
        // the demo's flags: one province and one SPP department were sent a letter
        assert!(
            text.contains(
                "向记录报告偏少、不尽符合实际的1个省级检察院党组、1个机关厅级单位党组织发出督促函"
            ),
            "{db}: {text}"
        );
        // HTML: each figure links to the page that lists what it counts
        let o = duban(&db, &[&BULLETIN[..], &["html"]].concat());
        let html = String::from_utf8_lossy(&o.stdout).to_string();
        for link in [
            "href=\"/documents?kind=cases&amp;state=published\">10批",
            "href=\"/documents?kind=special&amp;state=published\">7期",
            "href=\"/paperwork?from=2020-01-01&amp;to=2020-09-30\">64件",
            "href=\"/records/stats?from=2020-01&amp;to=2020-09\">",
            "href=\"/quality?from=2020-01-01&amp;to=2020-09-30&amp;tag=%E6%B6%89%E7%96%AB\">",
            "href=\"/rectification/meetings\">5次",
        ] {
            assert!(html.contains(link), "{db}: {link} missing in {html}");
        }
        // the PDF carries the same sentences
        let dir = std::env::temp_dir().join(format!("duban-bulletin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pdf = dir.join("b.pdf");
        let o = duban(
            &db,
            &[&BULLETIN[..], &["pdf", "--out", pdf.to_str().unwrap()]].concat(),
        );
        assert!(o.status.success(), "{}", out(&o));
        let t = Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let t = squeeze(&String::from_utf8_lossy(&t.stdout));
        for want in ["专报7期", "10批55个典型案例", "5次双周碰头会", "99.2%"] {
            assert!(t.contains(want), "{db}: {want} not in the PDF: {t}");
        }
        // persons come from the case events: 4 concerned, 3 of them pleaded
        let file = dir.join("persons.csv");
        std::fs::write(
            &file,
            "case_id,unit_code,case_type,event,occurred_on,人数\n\
             P-1,330106,刑事,受理审查起诉,2020-10-10,4\n\
             P-1,330106,刑事,认罪认罚,2020-10-12,3\n\
             P-1,330106,刑事,审结,2020-10-20,\n\
             P-2,330106,刑事,受理审查起诉,2020-10-11,\n\
             P-2,330106,刑事,审结,2020-10-21,\n",
        )
        .unwrap();
        let o = duban(&db, &["import", "cases", file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", out(&o));
        let q = json(&duban(&db, &OCTOBER));
        assert_eq!(
            (
                &q["concluded"],
                &q["with_plea"],
                &q["persons"],
                &q["persons_with_plea"]
            ),
            (&2.into(), &1.into(), &5.into(), &3.into()),
            "{db}: {q}"
        );
        assert_eq!(q["plea_rate_persons"], 0.6, "{db}: {q}");
        // a later file fills in a held case's persons and never lowers them
        std::fs::write(
            &file,
            "case_id,unit_code,case_type,event,occurred_on,人数\n\
             P-1,330106,刑事,认罪认罚,2020-10-12,2\n\
             P-2,330106,刑事,受理审查起诉,2020-10-11,2\n",
        )
        .unwrap();
        let o = duban(&db, &["import", "cases", file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", out(&o));
        let q = json(&duban(&db, &OCTOBER));
        assert_eq!(
            (&q["persons"], &q["persons_with_plea"]),
            (&6.into(), &3.into()),
            "{db}: {q}"
        );
        // a bad count is refused with its row and column, nothing imported
        std::fs::write(
            &file,
            "case_id,unit_code,case_type,event,occurred_on,persons\nP-3,330106,刑事,受理审查起诉,2020-10-10,0\n",
        )
        .unwrap();
        let o = duban(&db, &["import", "cases", file.to_str().unwrap()]);
        assert!(
            !o.status.success() && out(&o).contains("persons"),
            "{}",
            out(&o)
        );

        // the nation at a reduced scale that keeps the generator's rules: two provinces' cities
        // and counties, every provincial procuratorate and the SPP's departments
        let o = duban(
            &db,
            &[
                "demo",
                "--scale",
                "nation",
                "--provinces",
                "2",
                "--cases-per-unit",
                "60",
            ],
        );
        assert!(o.status.success(), "{}", out(&o));
        let records = json(&duban(&db, &RECORDS));
        assert_eq!(records["records"], 43_143, "{db}: {records}");
        let flags = json(&duban(
            &db,
            &[
                "records", "flag", "--from", "2020-01", "--to", "2020-09", "--json",
            ],
        ));
        let flags = flags["flagged"]
            .as_array()
            .unwrap_or_else(|| panic!("{flags}"));
        let of = |g: &str| flags.iter().filter(|f| f["group"] == g).count();
        assert_eq!(
            (of("第2级"), of("最高检内设部门"), flags.len()),
            (6, 9, 15),
            "{db}: {flags:?}"
        );
        let q = json(&duban(
            &db,
            &[
                "report",
                "case-ratio",
                "--unit",
                "100000",
                "--subtree",
                "--from",
                "2020-01-01",
                "--to",
                "2020-09-30",
                "--json",
            ],
        ));
        assert!(
            (1_060_000..1_070_000).contains(&q["persons_with_plea"].as_u64().unwrap()),
            "{db}: {q}"
        );
        assert_eq!(q["plea_rate_persons"], 0.85, "{db}: {q}");
        let o = duban(
            &db,
            &[&BULLETIN[..2], &BULLETIN[2..4], &BULLETIN[6..], &["text"]].concat(),
        );
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        for want in [
            "今年1至9月共记录报告43143件次",
            "6个省级检察院党组、9个机关厅级单位党组织发出督促函",
            "批准逮捕涉疫刑事犯罪6480人、起诉8682人",
            "公益诉讼案件2829件",
            "486件超期未办结民事诉讼监督案件已办结426件",
            "化解行政争议3148件",
            "审结106万余人，占同期审查起诉案件审结人数的85%",
            "781名检察人员因违纪违法被立案查处",
        ] {
            assert!(text.contains(want), "{db}: {want:?} missing in\n{text}");
        }
    }
}
