//! Any bytes as an HR file (text in any encoding, or whatever the first bytes claim): a table
//! or an error, never a panic, and never more memory than the cap `make fuzz` sets.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = hr_import::read_table(bytes, &hr_import::ReadOptions::default());
});
