//! `build --pdf-standard a-2b` (or `PDF标准: a-2b` in campaign.yaml): PDF/A-2b archive copies,
//! laid out in full, recorded in the manifest.

mod common;

use common::{command, copy_dir, run_command};
use std::path::Path;
use std::time::Duration;

fn manifest(out: &Path) -> serde_json::Value {
    let dir = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("manifest.json").is_file())
        .unwrap();
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Whether a PDF declares PDF/A-2b in its XMP metadata (stored uncompressed, as PDF/A requires
/// readers to find it).
fn declares_pdfa_2b(pdf: &[u8]) -> bool {
    let text = String::from_utf8_lossy(pdf);
    (text.contains("<pdfaid:part>2</pdfaid:part>") || text.contains("pdfaid:part=\"2\""))
        && (text.contains("<pdfaid:conformance>B</pdfaid:conformance>") || text.contains("pdfaid:conformance=\"B\""))
}

#[test]
fn archive_copies_are_pdfa_2b_and_the_manifest_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    copy_dir(Path::new("data"), &ws);
    let out = tmp.path().join("out");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "build",
            ws.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--only",
            "notice,commitment,compliance",
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    run_command(
        command(args(&["--pdf-standard", "a-2b"]), &[]),
        Duration::from_secs(300),
    )
    .ok("a-2b build");
    let m = manifest(&out);
    assert_eq!(m["pdf_standard"], "a-2b");
    let pdfs: Vec<_> = m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["format"] == "pdf")
        .collect();
    assert!(pdfs.len() >= 3);
    let dir = out.join(m["campaign"].as_str().unwrap());
    for o in pdfs {
        let bytes = std::fs::read(dir.join(o["path"].as_str().unwrap())).unwrap();
        assert!(declares_pdfa_2b(&bytes), "{} is not PDF/A-2b", o["path"]);
    }
    // The default build writes plain PDF and records no standard.
    run_command(command(args(&[]), &[]), Duration::from_secs(300)).ok("plain build");
    assert!(manifest(&out).get("pdf_standard").is_none());
    // campaign.yaml can ask for it too.
    let campaign = ws.join("campaign.yaml");
    let text = std::fs::read_to_string(&campaign).unwrap();
    std::fs::write(&campaign, format!("{text}\nPDF标准: a-2b\n")).unwrap();
    run_command(command(args(&[]), &[]), Duration::from_secs(300)).ok("campaign a-2b build");
    assert_eq!(manifest(&out)["pdf_standard"], "a-2b");
    // An unknown standard is a usage error (1) before any work; in campaign.yaml an input error (2).
    let r = run_command(command(args(&["--pdf-standard", "x-9"]), &[]), Duration::from_secs(60));
    assert_eq!(r.code, Some(1), "{}", r.all());
    std::fs::write(&campaign, format!("{text}\nPDF标准: x-9\n")).unwrap();
    let r = run_command(command(args(&[]), &[]), Duration::from_secs(60));
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.all().contains("PDF标准"), "{}", r.all());
}
