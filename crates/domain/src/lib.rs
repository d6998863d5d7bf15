//! Duban's rules as plain functions: no I/O. The store and web crates carry them.
pub mod access;
pub mod adjustment;
pub mod anchor;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod documents;
pub mod import;
pub mod ledger;
pub mod letters;
pub mod org;
pub mod paperwork;
pub mod quality;
pub mod records;
pub mod rectification;
pub mod text;
pub mod todo;
