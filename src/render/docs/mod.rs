//! PDF recipes, one per document: how each view is laid out with the Typst engine (layout
//! shortcuts included). The views themselves are built in `documents`.

pub mod announcement;
pub mod commitment;
pub mod compliance;
pub mod notice;
pub mod publicity;
pub mod survey;
