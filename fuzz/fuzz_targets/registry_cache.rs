//! The registry index files of CARGO_HOME that the yanked lookups read (cargo's `.cache`
//! entries), and the index path of a crate name taken from an untrusted Cargo.lock.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cargo_cra::advisory::cache::index_path(&String::from_utf8_lossy(data));
    // `version NUL entry`: the version looked up, then the cache file.
    if let Some(nul) = data.iter().position(|&b| b == 0)
        && let Ok(version) = std::str::from_utf8(&data[..nul])
    {
        let _ = cargo_cra::advisory::cache::parse_cache_entry(&data[nul + 1..], version);
    }
});
