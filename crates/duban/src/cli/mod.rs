//! The command line by command group; `main` parses and dispatches here.
pub(crate) mod args;
pub(crate) mod audit;
pub(crate) mod console;
pub(crate) mod demo;
pub(crate) mod help;
pub(crate) mod import;
pub(crate) mod ops;
pub(crate) mod records;
pub(crate) mod report;
pub(crate) mod serve;
pub(crate) mod sync;
pub(crate) mod user;
