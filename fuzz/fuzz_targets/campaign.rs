//! campaign.yaml and rules.yaml: arbitrary bytes give a campaign or a list of diagnostics naming
//! the file — never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CAMPAIGN: &[u8] =
    "名称: 模糊测试\n年度: 2024\n地区: {省: 云南省, 县: 青溪县, 乡镇: 石桥镇}\n监测范围: 7600\n".as_bytes();

fuzz_target!(|data: &[u8]| {
    match fangpin::ingest::load_in_memory(data, None, &[]) {
        Ok(_) => {}
        Err(fangpin::ingest::IngestError::Campaign(d)) => {
            assert!(!d.is_empty());
            assert!(d.iter().all(|x| x.place.file == "campaign.yaml"), "{d:?}");
        }
        Err(e) => panic!("unexpected error kind: {e}"),
    }
    match fangpin::ingest::load_in_memory(CAMPAIGN, Some(data), &[]) {
        Ok(_) => {}
        Err(fangpin::ingest::IngestError::Rules(d)) => {
            assert!(d.iter().all(|x| x.place.file == "rules.yaml"), "{d:?}");
        }
        Err(e) => panic!("unexpected error kind: {e}"),
    }
});
