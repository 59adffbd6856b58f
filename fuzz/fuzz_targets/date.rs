//! Date parsing: any text (and any number read as a date) must give a date or a DateError — never
//! a panic — and an accepted date must lie in the accepted year range.
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(d) = fangpin::ingest::parse_date(&text) {
        assert!((1900..=2100).contains(&d.year()), "{text:?} → {d}");
        // The ISO form of an accepted date parses back to itself.
        assert_eq!(fangpin::ingest::parse_date(&d.to_string()), Ok(d));
    }
    if data.len() >= 8 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&data[..8]);
        let x = f64::from_le_bytes(b);
        let _ = fangpin::ingest::date_from_number(x);
        let _ = fangpin::ingest::date_from_serial(x);
    }
});
