//! Advisory files of the database (Markdown with a TOML front matter), as the loader reads
//! them, and the cached form the loader keeps: an advisory that rustsec accepts must reduce to
//! a record whose ranges parse again and give rustsec's verdict, and that survives the cache's
//! JSON round trip.
#![no_main]
use cargo_cra::advisory::db::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The loader refuses a file that does not start so before rustsec reads it (rustsec
    // panics on some of those: `check_advisory_starts` in src/advisory/db.rs).
    if !text.starts_with("```toml") {
        return;
    }
    let Ok(advisory) = text.parse::<rustsec::Advisory>() else {
        return;
    };
    let record = Record::from_advisory(&advisory);
    let versions = match record.versions() {
        Ok(v) => v,
        Err(e) => panic!("rustsec accepted the ranges, the cached record does not: {e}"),
    };
    let _ = record.patched_reqs();
    // Versions to decide: the ones the ranges name, and their neighbours.
    let mut probe: Vec<semver::Version> = ["0.0.0", "0.1.0", "1.0.0", "99.0.0"]
        .iter()
        .map(|v| v.parse().expect("a version"))
        .collect();
    for req in advisory
        .versions
        .patched()
        .iter()
        .chain(advisory.versions.unaffected())
    {
        for c in &req.comparators {
            let v = semver::Version {
                major: c.major,
                minor: c.minor.unwrap_or(0),
                patch: c.patch.unwrap_or(0),
                pre: c.pre.clone(),
                build: semver::BuildMetadata::EMPTY,
            };
            let mut next = v.clone();
            next.patch = next.patch.saturating_add(1);
            probe.extend([v, next]);
        }
    }
    for v in &probe {
        assert_eq!(
            versions.is_vulnerable(v),
            advisory.versions.is_vulnerable(v),
            "the cached ranges decide {v} differently"
        );
    }
    let json = serde_json::to_vec(&record).expect("a record serializes");
    let mut back: Record = serde_json::from_slice(&json).expect("the cache reads what it wrote");
    let mut expected = record.clone();
    // The cache's JSON keeps the score to the float's shortest form: compare the vector only.
    if let (Some(a), Some(b)) = (back.cvss.as_mut(), expected.cvss.as_mut()) {
        a.score = 0.0;
        b.score = 0.0;
    }
    assert_eq!(
        back, expected,
        "the cached record changed in the JSON round trip"
    );
});
