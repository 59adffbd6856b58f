//! Excel ingest: arbitrary bytes as an .xlsx, .xlsm, .xlsb, .xls or .ods village workbook (the first byte picks
//! the extension) go through calamine, header recognition, field checks, linking and the rules.
//! Never a panic or an abort, and every diagnostic names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CAMPAIGN: &[u8] = "名称: 模糊测试\n年度: 2024\n地区: {省: 云南省, 县: 青溪县, 乡镇: 石桥镇}\n监测范围: 7600\n统计截止日: 2024-06-30\n".as_bytes();

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    // Bytes 0–3 keep their meaning from before .xlsb / .xlsm were read (the committed seeds).
    let name = match pick % 8 {
        0 | 1 | 6 => "甲村.xlsx",
        2 => "甲村.xls",
        3 | 7 => "甲村.ods",
        4 => "甲村.xlsb",
        _ => "甲村.xlsm",
    };
    let ws = fangpin::ingest::load_in_memory(CAMPAIGN, None, &[(name, bytes)]).expect("the campaign is valid");
    for d in &ws.diagnostics {
        assert_eq!(d.place.file, name, "{d}");
    }
    let as_of = chrono::NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
    let _ = fangpin::rules::evaluate(&ws, as_of);
});
