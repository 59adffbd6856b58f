//! Pure rules over the model: calendar, income, screening, deadline compliance, ledgers.
//! No I/O and no clock: the `as_of` date is always passed in.

pub mod calendar;
mod types;
pub use types::*;
