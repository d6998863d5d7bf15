//! Documents in and out: tables from CSV/XLSX, XLSX ledgers, SVG charts, and official documents
//! (PDF per GB/T 9704 through `duban-typeset`, DOCX, HTML, text).
pub mod chart;
pub mod docx;
pub mod ledger;
pub mod official;
pub mod sheet;
