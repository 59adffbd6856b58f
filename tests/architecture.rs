//! The pipeline's direction (DESIGN.md §1): `ingest → model → rules → documents → render`, with
//! `build`/`site` driving them and the CLI on top. A stage never imports a later one, so a view
//! cannot call the layout engine and a rule cannot read a document.

use std::path::Path;

/// Modules a stage must not name (`crate::<m>`), by stage folder.
const FORBIDDEN: &[(&str, &[&str])] = &[
    ("model", &["rules", "documents", "render", "build", "site", "synth"]),
    ("ingest", &["rules", "documents", "render", "build", "site"]),
    ("rules", &["documents", "render", "build", "site"]),
    ("documents", &["render", "build", "site"]),
    ("render", &["build", "site"]),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_stage_imports_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offences = Vec::new();
    let mut checked = 0;
    for (stage, forbidden) in FORBIDDEN {
        let mut files = Vec::new();
        rust_files(&src.join(stage), &mut files);
        assert!(!files.is_empty(), "src/{stage} has no files");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            checked += 1;
            // Unit tests may drive earlier and later stages alike.
            let code_part = text.split("\n#[cfg(test)]\nmod ").next().unwrap_or("");
            for (n, line) in code_part.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for m in *forbidden {
                    if code.contains(&format!("crate::{m}::")) || code.contains(&format!("crate::{m};")) {
                        offences.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} files checked");
    assert!(
        offences.is_empty(),
        "a stage imports a later one:\n{}",
        offences.join("\n")
    );
}
