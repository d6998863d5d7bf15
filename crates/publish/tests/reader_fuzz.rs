//! Fuzzing the spreadsheet readers with arbitrary bytes (property tests, a bounded number of
//! cases so it runs in CI): random bytes, CSV-like text, and valid workbooks with bytes flipped,
//! cut short or stretched. Every input is read or refused with an error; none panics or allocates
//! beyond the limits.
use duban_publish::sheet::{read_table, write_xlsx};
use proptest::prelude::*;

fn workbook() -> Vec<u8> {
    let rows: Vec<Vec<String>> = (0..20)
        .map(|r| (0..6).map(|c| format!("第{r}行第{c}列")).collect())
        .collect();
    write_xlsx("台账", &rows).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_as_either_kind(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_table("x.xlsx", &bytes);
        let _ = read_table("x.csv", &bytes);
    }

    #[test]
    fn csv_like_text(text in "([\"=,;\\t\\r\\n]|\\PC){0,600}") {
        if let Ok(rows) = read_table("x.csv", text.as_bytes()) {
            prop_assert!(rows.iter().all(|r| r.len() <= 256));
        }
    }

    #[test]
    fn damaged_workbooks(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..24),
                         cut in any::<prop::sample::Index>(),
                         stretch in 0usize..3) {
        let mut wb = workbook();
        for (i, b) in flips {
            let at = i.index(wb.len());
            wb[at] = b;
        }
        if stretch == 1 {
            let n = cut.index(wb.len());
            wb.truncate(n);
        } else if stretch == 2 {
            let tail = wb.clone();
            wb.extend_from_slice(&tail);
        }
        let _ = read_table("x.xlsx", &wb);
    }
}
