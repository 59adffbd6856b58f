//! fangpin (防贫): 防止返贫监测帮扶集中排查 pipeline —
//! `ingest → model → rules → documents → render`.

// Nothing input can reach may panic: library code reports errors instead (tests are exempt).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod atomic;
pub mod build;
pub mod documents;
pub mod ingest;
pub mod model;
pub mod os_error;
pub mod render;
pub mod rules;
pub mod serve;
pub mod site;
pub mod synth;
