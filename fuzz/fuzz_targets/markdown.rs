#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| verdict_fuzz::markdown(data));
