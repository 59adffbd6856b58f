//! fangpin (防贫): 防止返贫监测帮扶集中排查 pipeline —
//! `ingest → model → rules → documents → render`.

pub mod build;
pub mod documents;
pub mod synth;
pub mod ingest;
pub mod model;
pub mod render;
pub mod rules;
