//! The policy file (deny-policy.toml / deny.toml): TOML parsing and validation of every
//! section (the `[bans]` and `[graph]` tables of a team's deny.toml included), the warnings
//! rendered at their spans, and `init --from`'s translation of a deny.toml, which must load
//! whenever the deny.toml does (the tool says "please report this" otherwise).
#![no_main]
use camino::Utf8Path;
use cargo_cra::diag::SourceMap;
use cargo_cra::policy::Policy;
use libfuzzer_sys::fuzz_target;

#[path = "../common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["deny-policy.toml", "deny.toml"] {
        let path = Utf8Path::new(name);
        let Ok(policy) = Policy::parse(path, text) else {
            continue;
        };
        let diags: Vec<_> = policy
            .warnings
            .iter()
            .map(|w| w.to_diagnostic(path))
            .collect();
        let mut sources = SourceMap::default();
        sources.insert(path, text);
        common::render(&sources, &diags);
        if name == "deny.toml" {
            if let Err(e) = cargo_cra::commands::init::translate_deny_toml(
                path,
                text,
                Utf8Path::new("deny-policy.toml"),
            ) {
                panic!("a deny.toml that loads did not translate: {e}");
            }
        }
    }
});
