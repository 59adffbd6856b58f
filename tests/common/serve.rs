//! Fixtures of the `serve` tests (router and browser).

/// A one-household village workbook; `kind` is its 户类型 (an unknown one is the planted error).
pub fn village_book(kind: &str) -> Vec<u8> {
    let first17 = "53099919800101001";
    let id = format!("{first17}{}", fangpin::ingest::id_check_digit(first17).unwrap());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    s.set_name("户").unwrap();
    let headers = [
        "户编号",
        "行政村",
        "村民小组",
        "户主姓名",
        "户主证件号码",
        "户类型",
        "家庭人口数",
        "家庭人均纯收入",
    ];
    for (c, h) in headers.iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    let values = ["53099900900001", "新村", "1组", "张新民", &id, kind];
    for (c, v) in values.iter().enumerate() {
        s.write_string(1, c as u16, *v).unwrap();
    }
    s.write_number(1, 6, 1.0).unwrap();
    s.write_number(1, 7, 12000.0).unwrap();
    wb.save_to_buffer().unwrap()
}
