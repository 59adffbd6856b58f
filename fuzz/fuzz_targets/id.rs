//! ID validation: any text gives an IdInfo or an IdError — never a panic — and an accepted ID is
//! 18 characters with a valid GB 11643 check digit, and validates to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match fangpin::ingest::validate_id(&text) {
        Ok(info) => {
            let n = &info.normalized;
            assert_eq!(n.len(), 18, "{text:?} → {n}");
            assert_eq!(fangpin::ingest::id_check_digit(&n[..17]), n.chars().last(), "{n}");
            assert_eq!(fangpin::ingest::validate_id(n).map(|i| i.normalized), Ok(n.clone()));
        }
        Err(e) => {
            // Every rejection explains itself in Chinese with a fix.
            assert!(!e.to_string().is_empty() && !e.fix().is_empty());
        }
    }
    let _ = fangpin::ingest::parse_money(&text);
});
