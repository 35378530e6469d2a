//! Advisory files of the database (Markdown with a TOML front matter), as the loader reads them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(a) = text.parse::<rustsec::Advisory>()
    {
        let _ = cargo_cra::advisory::db::Record::from_advisory(&a);
    }
});
