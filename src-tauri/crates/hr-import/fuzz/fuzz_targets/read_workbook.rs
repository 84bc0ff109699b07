//! Workbooks: the input is made into a zip (the bytes as the sheet's XML, or as the shared
//! strings) so the fuzzer reaches the workbook reader's bounds rather than the zip's checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    // The raw bytes too: a zip the fuzzer finds itself.
    let _ = hr_import::read_table(bytes, &hr_import::ReadOptions::default());
    let _ = hr_import::read_table(
        &hr_import::fuzz_workbook(bytes),
        &hr_import::ReadOptions::default(),
    );
});
