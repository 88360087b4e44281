//! Any bytes given to offline verification (`thidua verify file.pdf`): it must answer "not a
//! readable PDF" or a verdict, never panic or hang.
#![no_main]

libfuzzer_sys::fuzz_target!(
    // The parsers catch panics of the libraries under them (calamine is not hardened against
    // hostile workbooks) and answer with an error; libFuzzer's own hook would abort on those
    // caught panics. A panic that escapes still aborts: that is the finding.
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
    let _ = thidua::verify::verify_pdf(data, &[]);
    }
);
