//! Fuzzing the import checks with arbitrary tables (property tests, a bounded number of cases so
//! it runs in CI): every check returns rows or row/column problems and never panics, and a table
//! with the right header gets each problem named with a row of the table.
use duban_domain::import::*;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

/// Cells that look like the real thing often enough to get past the header: column names of
/// every table, dates, codes, and arbitrary text (control characters, long runs, CJK).
fn cell() -> impl Strategy<Value = String> {
    let names: Vec<String> = LEDGER_COLUMNS
        .iter()
        .chain(LETTER_COLUMNS.iter())
        .chain(RECORD_COLUMNS.iter())
        .chain(CASE_COLUMNS.iter())
        .chain(STAFF_COLUMNS.iter())
        .chain(UNIT_COLUMNS.iter())
        .flat_map(|(a, b)| [a.to_string(), b.to_string()])
        .collect();
    prop_oneof![
        proptest::sample::select(names),
        "20[0-3][0-9]-[01][0-9]-[0-3][0-9]",
        "[0-9]{6}",
        "\\PC{0,12}",
        ".{0,40}",
        Just(String::new()),
    ]
}

fn table() -> impl Strategy<Value = Table> {
    proptest::collection::vec(proptest::collection::vec(cell(), 0..16), 0..12)
}

fn with_header(cols: &'static [(&'static str, &'static str)]) -> impl Strategy<Value = Table> {
    let width = cols.len();
    proptest::collection::vec(proptest::collection::vec(cell(), width..=width), 1..10).prop_map(
        move |mut rows| {
            rows.insert(0, cols.iter().map(|(a, _)| a.to_string()).collect());
            rows
        },
    )
}

fn rows_inside(t: &Table, errs: &[CellError]) -> bool {
    errs.iter().all(|e| e.row <= t.len() + 1)
}

fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn checks_never_panic_on_any_table(t in table()) {
        let staff: HashMap<String, i64> = [("张三".to_string(), 1)].into();
        let depts: HashMap<String, i64> = [("办公厅".to_string(), 1)].into();
        let units: HashSet<duban_domain::org::UnitCode> = HashSet::new();
        let _ = validate_ledger(&t, &staff, &depts);
        let _ = validate_letters(&t, &units, day(2026, 12, 5));
        let _ = validate_staff(&t, &units);
        let _ = validate_units(&t, &HashMap::new());
        let _ = validate_records(&t, staff.clone(), duban_domain::records::Month::of(day(2026, 12, 1)));
        let mut c = CasesCheck::new(
            [("100000".to_string(), 1)].into(),
            vec!["受理审查逮捕".into()],
            day(2026, 12, 5),
        );
        for (i, r) in t.iter().enumerate() {
            c.row(i + 1, r);
        }
        let _ = c.finish();
    }

    #[test]
    fn problems_name_rows_of_the_table(
        l in with_header(&LEDGER_COLUMNS),
        s in with_header(&LETTER_COLUMNS),
    ) {
        if let Err(e) = validate_ledger(&l, &HashMap::new(), &HashMap::new()) {
            prop_assert!(rows_inside(&l, &e), "{e:?}");
        }
        if let Err(e) = validate_letters(&s, &HashSet::new(), day(2026, 12, 5)) {
            prop_assert!(rows_inside(&s, &e), "{e:?}");
        }
    }
}
