pub mod findings;
pub mod help;
pub mod month;
pub mod unit;
