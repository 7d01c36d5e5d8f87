//! chiso: the monthly public-service index (766/QĐ-TTg) results of the
//! units under a People's Committee, kept in SQLite and turned into action.
//!
//! The domain (db, import, export, text) is plain Rust with no UI inside;
//! `cli` is a thin face over it.

pub mod cli;
pub mod db;
pub mod demo;
pub mod edit;
pub mod export;
pub mod import;
pub mod model;
pub mod names;
pub mod output;
pub mod report;
pub mod rules;
pub mod synthetic;
pub mod table;
pub mod text;
pub mod tui;
