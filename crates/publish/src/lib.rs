//! Documents in and out: tables from CSV/XLSX (and, in later modules, PDF, DOCX, XLSX ledgers, SVG charts).
pub mod chart;
pub mod ledger;
pub mod sheet;
