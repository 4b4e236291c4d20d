//! libFuzzer entry point; the body and its invariants are `certgate_fuzz::targets::ocsp`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certgate_fuzz::targets::ocsp(data));
