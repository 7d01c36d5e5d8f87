pub mod findings;
pub mod help;
pub mod log;
pub mod month;
pub mod preview;
pub mod report;
pub mod unit;
