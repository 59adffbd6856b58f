//! YAML ingest: arbitrary bytes as a village data file go through the whole of ingest (decoding,
//! parsing, field checks, cross-file linking) and the rules. Never a panic, and every diagnostic
//! names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CAMPAIGN: &[u8] = "名称: 模糊测试\n年度: 2024\n地区: {省: 云南省, 县: 青溪县, 乡镇: 石桥镇}\n监测范围: 7600\n统计截止日: 2024-06-30\n".as_bytes();

fuzz_target!(|data: &[u8]| {
    let ws = fangpin::ingest::load_in_memory(CAMPAIGN, None, &[("村级数据/甲村.yaml", data)])
        .expect("the campaign is valid");
    for d in &ws.diagnostics {
        assert_eq!(d.place.file, "村级数据/甲村.yaml", "{d}");
        assert!(!d.message.is_empty());
    }
    let as_of = chrono::NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
    let _ = fangpin::rules::evaluate(&ws, as_of);
});
