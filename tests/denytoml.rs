//! A team's deny.toml read as it is: cargo-deny 0.20's keys (v2 style), the keys cargo-deny
//! removed (v1 style) translated with a warning or refused with the v2 form, wrong types in
//! TOML words, policy discovery, and `cargo cra init --from`.

mod common;

use camino::Utf8Path;
use cargo_cra::diag::Code;
use cargo_cra::policy::{Dialect, Policy};
use common::{run, scenario};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/deny-toml/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn parse_deny(text: &str) -> Result<Policy, String> {
    Policy::parse(Utf8Path::new("deny.toml"), text).map_err(|e| e.to_string())
}

#[test]
fn v2_style_deny_toml_loads_with_cargo_denys_meaning() {
    let p = parse_deny(&fixture("v2-style.toml")).expect("loads");
    assert_eq!(p.dialect, Dialect::CargoDeny);
    // [graph]
    let triples: Vec<&str> = p.graph.targets.iter().map(|t| t.triple.as_str()).collect();
    assert_eq!(
        triples,
        [
            "x86_64-unknown-linux-gnu",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "wasm32-unknown-unknown"
        ]
    );
    assert_eq!(p.graph.targets[3].features, ["atomics"]);
    assert!(p.graph.all_features);
    assert_eq!(p.output.feature_depth, Some(1));
    // [advisories]: ISO 8601 staleness, scopes, plain-string and crate ignores.
    let a = &p.advisories;
    assert_eq!(a.maximum_db_staleness_days, 30);
    assert_eq!(
        a.unmaintained_scope,
        cargo_cra::advisory::config::Scope::Workspace
    );
    assert_eq!(a.unsound_scope, cargo_cra::advisory::config::Scope::All);
    assert_eq!(a.ignore.len(), 3);
    assert_eq!(a.ignore[0].target_name(), "RUSTSEC-2021-0139");
    assert_eq!(a.ignore[2].target_name(), "yankedlib@1.0.0");
    // Ignores without a reason are accepted with a warning showing our stricter form.
    let stricter: Vec<_> = p
        .warnings
        .iter()
        .filter(|w| w.code == Code::PolicyStricterForm)
        .collect();
    assert!(
        stricter.iter().any(|w| w.replacement
            == "{ id = \"RUSTSEC-2021-0139\", reason = \"why it does not apply\" }"),
        "{stricter:?}"
    );
    // [bans]
    let b = &p.bans;
    assert_eq!(b.multiple_versions, cargo_cra::policy::Level::Deny);
    assert_eq!(b.deny.len(), 4);
    assert_eq!(b.deny[0].use_instead.as_deref(), Some("rustls"));
    assert_eq!(b.deny[2].wrappers[0].get_ref(), "wgpu-hal");
    assert_eq!(b.deny_multiple_versions[0].name, "syn");
    assert_eq!(b.skip.len(), 2);
    assert!(b.skip[1].spec.matches("base64", &"0.21.7".parse().unwrap()));
    assert!(!b.skip[1].spec.matches("base64", &"0.22.0".parse().unwrap()));
    // `name@version` is that exact version.
    assert!(
        b.skip[0]
            .spec
            .matches("bitflags", &"1.3.2".parse().unwrap())
    );
    assert!(
        !b.skip[0]
            .spec
            .matches("bitflags", &"1.3.3".parse().unwrap())
    );
    assert_eq!(b.skip_tree[0].depth, Some(3));
    let build = b.build.as_ref().unwrap();
    assert_eq!(build.allow_build_scripts.as_ref().unwrap().len(), 3);
    assert!(build.script_globs.iter().any(|(_, p, _)| p == "*.cs"));
    assert!(build.script_globs.iter().any(|(_, p, _)| p == "*.py"));
    assert_eq!(build.bypass[0].allow.len(), 1);
    // [sources]
    assert_eq!(p.sources.allow_org.len(), 3);
    assert!(p.sources.required_git_spec.is_some());
    // [licenses]: cargo-deny's 32-bit license-file hash is read (and a warning asks for the
    // SHA-256 too).
    assert_eq!(p.licenses.clarify[0].files[0].1, "0xbd0eed23");
}

#[test]
fn v1_style_keys_are_read_with_a_warning_printing_the_v2_form() {
    let p = parse_deny(&fixture("v1-style.toml")).expect("v1 keys with a safe translation load");
    let deprecated: Vec<(&str, &str)> = p
        .warnings
        .iter()
        .filter(|w| w.code == Code::PolicyKeyDeprecated)
        .map(|w| (w.message.as_str(), w.replacement.as_str()))
        .collect();
    let has = |needle: &str, form: &str| {
        deprecated
            .iter()
            .any(|(m, r)| m.contains(needle) && r.contains(form))
    };
    assert!(
        has("top-level `targets`", "[graph]\ntargets = "),
        "{deprecated:#?}"
    );
    assert!(has("top-level `exclude`", "[graph]\nexclude = [\"xtask\"]"));
    assert!(has("`vulnerability`", "remove the line"));
    assert!(has("`unmaintained = \"warn\"`", "unmaintained = \"none\""));
    assert!(has("`notice`", "remove the line"));
    assert!(has("`unlicensed`", "remove the line"));
    assert!(has("`copyleft`", "remove the line"));
    assert!(has("`default`", "remove the line"));
    assert!(has("`deny`", "keep those licenses out of `allow`"));
    assert!(has(
        "allow-build-scripts",
        "[bans.build]\nallow-build-scripts = "
    ));
    // Translated: targets into [graph], the denied license out of `allow`, the moved build
    // script list into [bans.build].
    assert_eq!(p.graph.targets.len(), 2);
    assert_eq!(p.graph.exclude, ["xtask"]);
    assert!(!p.licenses.allow_contains("GPL-3.0-only"));
    assert!(p.licenses.allow_contains("MIT"));
    assert_eq!(
        p.bans
            .build
            .as_ref()
            .unwrap()
            .allow_build_scripts
            .as_ref()
            .unwrap()
            .len(),
        2
    );
    // v1's `unmaintained = "warn"` keeps warning here.
    assert_eq!(p.advisories.unmaintained, cargo_cra::policy::Level::Warn);
}

#[test]
fn removed_keys_without_a_safe_translation_are_refused_with_the_v2_form() {
    let err = parse_deny(&fixture("v1-untranslatable.toml")).unwrap_err();
    assert!(err.starts_with("deny.toml:2:17: "), "{err}");
    assert!(
        err.contains("`vulnerability = \"warn\"` was removed from cargo-deny"),
        "{err}"
    );
    assert!(err.contains("cargo-deny 0.20 writes it as:"), "{err}");
    assert!(err.contains("ignore = [{ id = \"RUSTSEC-"), "{err}");
    assert!(err.contains("severity-threshold"), "{err}");
    assert!(err.contains("`copyleft` other than \"deny\""), "{err}");
    assert!(err.contains("(3 errors in the policy)"), "{err}");
}

#[test]
fn allow_osi_fsf_free_becomes_the_explicit_list_it_allowed() {
    let p = parse_deny(&fixture("osi-fsf.toml")).unwrap();
    assert!(p.licenses.allow_contains("MIT"));
    assert!(p.licenses.allow_contains("Apache-2.0"));
    // copyleft = "deny": GPL stays out although it is OSI approved and FSF libre.
    assert!(!p.licenses.allow_contains("GPL-3.0-only"));
    let w = p
        .warnings
        .iter()
        .find(|w| w.message.contains("allow-osi-fsf-free"))
        .unwrap();
    assert!(
        w.replacement.starts_with("allow = [\""),
        "{}",
        w.replacement
    );
}

#[test]
fn wrong_types_say_what_the_key_takes_in_toml_words() {
    for (text, line_col, words) in [
        (
            "[advisories]\nignore = [42]\n",
            "2:11",
            "an `ignore` entry takes an advisory id such as \"RUSTSEC-2024-0001\"",
        ),
        (
            "[bans]\nmultiple-versions = true\n",
            "2:21",
            "`multiple-versions` takes a string, found a boolean",
        ),
        (
            "[bans]\ndeny = [1]\n",
            "2:9",
            "a `deny` entry takes a crate spec: a string such as \"name@1.2.3\" or a table",
        ),
        (
            "[graph]\ntargets = \"x86_64-unknown-linux-gnu\"\n",
            "2:11",
            "`targets` takes an array, found a string",
        ),
        (
            "[bans]\nskip-tree = [{ crate = \"a\", depth = \"3\" }]\n",
            "2:37",
            "`depth` takes a whole number, found a string",
        ),
        (
            "[advisories]\nmaximum-db-staleness = \"90 days\"\n",
            "2:24",
            "an ISO 8601 duration such as \"P90D\"",
        ),
        (
            "[licenses]\ninclude-dev = \"yes\"\n",
            "2:15",
            "expected true or false",
        ),
        (
            "[bans]\nmultiple-version = \"deny\"\n",
            "2:20",
            "did you mean `multiple-versions`?",
        ),
    ] {
        let err = parse_deny(text).unwrap_err();
        assert!(
            err.starts_with(&format!("deny.toml:{line_col}: ")),
            "{text}: {err}"
        );
        assert!(err.contains(words), "{text}: {err}");
        for internal in ["struct", "Raw", "enum ", "Spanned", "Value"] {
            assert!(
                !err.contains(internal),
                "{text}: names an internal type: {err}"
            );
        }
    }
}

#[test]
fn todays_policy_keeps_working() {
    // Integer staleness in days, SHA-256 clarify hashes, `until`, levels.
    let text = r#"
[advisories]
maximum-db-staleness = 45
unmaintained = "deny"
ignore = [{ id = "RUSTSEC-2024-0001", reason = "not reachable", until = "2027-01-31" }]

[licenses]
allow = ["MIT"]
clarify = [{ name = "x", expression = "MIT", license-files = [{ path = "LICENSE", hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" }] }]
"#;
    let p = Policy::parse(Utf8Path::new("deny-policy.toml"), text).unwrap();
    assert_eq!(p.dialect, Dialect::CargoCra);
    assert_eq!(p.advisories.maximum_db_staleness_days, 45);
    assert_eq!(p.advisories.unmaintained, cargo_cra::policy::Level::Deny);
    assert!(p.advisories.ignore[0].until.is_some());
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // Our own file keeps our stricter defaults; cargo-deny's file gets cargo-deny's.
    assert_eq!(p.sources.unknown_registry, cargo_cra::policy::Level::Deny);
    let d = parse_deny("").unwrap();
    assert_eq!(d.sources.unknown_registry, cargo_cra::policy::Level::Warn);
    assert_eq!(d.advisories.unmaintained, cargo_cra::policy::Level::Deny);
    // In our file an ignore still needs a reason.
    let err = Policy::parse(
        Utf8Path::new("deny-policy.toml"),
        "[advisories]\nignore = [\"RUSTSEC-2024-0001\"]\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("needs a `reason`"), "{err}");
}

#[test]
fn iso_durations() {
    use cargo_cra::advisory::config::iso_duration_secs as d;
    assert_eq!(d("P90D"), Some(90 * 86_400));
    assert_eq!(d("P2W"), Some(14 * 86_400));
    assert_eq!(d("PT36H"), Some(36 * 3600));
    assert_eq!(d("P1DT12H"), Some(86_400 + 12 * 3600));
    assert_eq!(d("90D"), None);
    assert_eq!(d("P"), None);
    assert_eq!(d("PDT"), None);
}

#[test]
fn discovery_reads_deny_toml_then_the_other_places() {
    let s = scenario("clean");
    let policy = s.read("deny-policy.toml");
    std::fs::remove_file(s.path("deny-policy.toml")).unwrap();
    for place in ["deny.toml", ".deny.toml", ".cargo/deny.toml"] {
        s.write(place, &policy);
        let out = run(s.cmd([
            "check",
            "licenses",
            "--locked",
            "--offline",
            "--format",
            "json",
        ]));
        out.assert_code(0);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert!(
            report["policy"].as_str().unwrap().ends_with(place),
            "{place}: {}",
            report["policy"]
        );
        std::fs::remove_file(s.path(place)).unwrap();
    }
    // deny-policy.toml wins over deny.toml.
    s.write("deny.toml", "[licenses]\nallow = []\n");
    s.write("deny-policy.toml", &policy);
    let out = run(s.cmd([
        "check",
        "licenses",
        "--locked",
        "--offline",
        "--format",
        "json",
    ]));
    out.assert_code(0);
}

#[test]
fn init_from_deny_toml_keeps_every_setting_and_adds_the_cra_sections() {
    let s = scenario("clean");
    std::fs::remove_file(s.path("deny-policy.toml")).unwrap();
    s.write("deny.toml", fixture("v1-style.toml"));
    let out = run(s.cmd(["init", "--from", "deny.toml"]));
    out.assert_code(0);
    let written = s.read("deny-policy.toml");
    // Removed keys commented out next to their v2 form.
    assert!(written.contains("# vulnerability = \"deny\""), "{written}");
    assert!(written.contains("# cargo-cra: the top-level `targets` moved to `[graph]`"));
    assert!(written.contains("\n[graph]\n"), "{written}");
    assert!(
        written.contains("\ntargets = [{ triple = \"x86_64-unknown-linux-gnu\" }"),
        "{written}"
    );
    assert!(
        written.contains("[bans.build]\nallow-build-scripts = "),
        "{written}"
    );
    // The ignore without a reason gets one to fill in; cargo-deny's defaults written out.
    assert!(written.contains("{ id = \"RUSTSEC-2020-0071\", reason = \"imported from deny.toml"));
    assert!(written.contains("unsound = \"workspace\""), "{written}");
    // The CRA sections.
    assert!(written.contains("[product]\n"), "{written}");
    assert!(written.contains("[sbom]\n"), "{written}");
    let p = Policy::parse(Utf8Path::new("deny-policy.toml"), &written).unwrap();
    assert_eq!(p.graph.targets.len(), 2);
    assert_eq!(p.sources.unknown_registry, cargo_cra::policy::Level::Warn);
    assert!(!p.licenses.allow_contains("GPL-3.0-only"));
    // Untranslatable keys: exit 2 with the v2 form, nothing written.
    s.write("bad.toml", fixture("v1-untranslatable.toml"));
    let out = run(s.cmd(["init", "--from", "bad.toml", "other.toml"]));
    out.assert_code(2);
    assert!(
        out.stderr.contains("cargo-deny 0.20 writes it as"),
        "{}",
        out.stderr
    );
    assert!(!s.path("other.toml").exists());
}
