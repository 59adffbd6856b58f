//! A workspace read from memory instead of a folder: the same parsing, validation and linking as
//! [`super::load_workspace`], for fuzz targets and robustness tests that feed arbitrary bytes
//! without touching the disk.

use super::{IngestError, MAX_WORKBOOK_BYTES, MAX_YAML_BYTES, build, excel, link, parse_campaign, parse_rules};
use super::{sha256_hex, sort_diagnostics, utf8, yaml};
use crate::model::{Diagnostic, InputFile, Place, RulesFile, Workspace};
use std::path::PathBuf;

/// Loads a workspace from campaign.yaml text, optional rules.yaml text and data files given as
/// (relative path, bytes); the extension of each path picks the reader as on disk.
pub fn load_in_memory(
    campaign_yaml: &[u8],
    rules_yaml: Option<&[u8]>,
    files: &[(&str, &[u8])],
) -> Result<Workspace, IngestError> {
    let campaign_text = utf8(campaign_yaml, super::CAMPAIGN_FILE).map_err(|d| IngestError::Campaign(vec![*d]))?;
    let campaign = parse_campaign(campaign_text).map_err(IngestError::Campaign)?;
    let mut inputs = vec![InputFile {
        path: super::CAMPAIGN_FILE.to_string(),
        sha256: sha256_hex(campaign_yaml),
        rows: 0,
    }];
    let rules = match rules_yaml {
        Some(bytes) => {
            inputs.push(InputFile {
                path: super::RULES_FILE.to_string(),
                sha256: sha256_hex(bytes),
                rows: 0,
            });
            let text = utf8(bytes, super::RULES_FILE).map_err(|d| IngestError::Rules(vec![*d]))?;
            RulesFile::defaults().merged_with(parse_rules(text).map_err(IngestError::Rules)?)
        }
        None => RulesFile::defaults(),
    };
    let ctx = build::Ctx { campaign: &campaign };
    let mut datas = Vec::with_capacity(files.len());
    for (rel, bytes) in files {
        let data = read_bytes(rel, bytes, &ctx, &rules);
        inputs.push(InputFile {
            path: rel.to_string(),
            sha256: sha256_hex(bytes),
            rows: data.rows,
        });
        datas.push(data);
    }
    let mut diagnostics = Vec::new();
    let data_match = super::campaign::data_match_date(campaign_text);
    let data = link::assemble(datas, &campaign, data_match, &mut diagnostics);
    super::names::check_names(&campaign, &data, &mut diagnostics).map_err(IngestError::Campaign)?;
    sort_diagnostics(&mut diagnostics);
    Ok(Workspace {
        root: PathBuf::new(),
        campaign,
        rules,
        data,
        inputs,
        diagnostics,
        seal: None,
    })
}

/// One data file's bytes through the reader its extension names.
fn read_bytes(rel: &str, bytes: &[u8], ctx: &build::Ctx, rules: &RulesFile) -> build::FileData {
    let ext = rel.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let is_yaml = ext == "yaml" || ext == "yml";
    let limit = if is_yaml { MAX_YAML_BYTES } else { MAX_WORKBOOK_BYTES };
    let mut data = build::FileData::default();
    if bytes.len() as u64 > limit {
        data.diagnostics.push(Diagnostic::error(
            Place::file(rel),
            "",
            "",
            format!("文件过大（上限 {} MB），未读取", limit / (1024 * 1024)),
            "把数据拆分成几个较小的文件（例如每村一个）",
        ));
        return data;
    }
    if is_yaml {
        match utf8(bytes, rel) {
            Ok(text) => yaml::read_yaml(rel, text, ctx, rules),
            Err(d) => {
                data.diagnostics.push(*d);
                data
            }
        }
    } else {
        excel::read_workbook(rel, bytes, ctx, rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAMPAIGN: &str = "名称: 内存测试\n年度: 2024\n地区: {省: 云南省, 县: 青溪县, 乡镇: 石桥镇}\n监测范围: 7600\n";

    #[test]
    fn reads_yaml_and_reports_places() {
        let ws = load_in_memory(
            CAMPAIGN.as_bytes(),
            None,
            &[(
                "甲村.yaml",
                "户:\n- 户编号: H1\n  行政村: 甲村\n  户类型: 外星户\n".as_bytes(),
            )],
        )
        .unwrap();
        assert_eq!(ws.inputs.len(), 2);
        assert!(
            ws.diagnostics
                .iter()
                .any(|d| d.place.file == "甲村.yaml" && d.field == "户类型"),
            "{:?}",
            ws.diagnostics
        );
    }

    #[test]
    fn broken_campaign_is_fatal_and_junk_files_are_diagnostics() {
        assert!(matches!(
            load_in_memory(b"- x\n", None, &[]),
            Err(IngestError::Campaign(_))
        ));
        let ws = load_in_memory(
            CAMPAIGN.as_bytes(),
            None,
            &[("a.xlsx", b"junk"), ("b.yaml", b"\xff\xfe")],
        )
        .unwrap();
        assert_eq!(ws.error_count(), 2, "{:?}", ws.diagnostics);
    }
}
