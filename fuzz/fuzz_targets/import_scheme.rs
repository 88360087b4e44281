//! Any bytes given to the importer: an error is fine, a panic or a hang is a finding.
#![no_main]

libfuzzer_sys::fuzz_target!(
    // The parsers catch panics of the libraries under them (calamine is not hardened against
    // hostile workbooks) and answer with an error; libFuzzer's own hook would abort on those
    // caught panics. A panic that escapes still aborts: that is the finding.
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
    let _ = thidua_docs::parse_scheme(data);
    }
);
