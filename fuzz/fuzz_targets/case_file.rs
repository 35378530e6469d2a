//! Article 14 report case files (`cargo cra report`): parsing and validation, and what the
//! report commands derive from a case (deadlines, statuses, the three drafts in Markdown, the
//! CSAF advisory). A case that loads must render to a file that loads as the same case (what
//! `save` checks before writing).
#![no_main]
use cargo_cra::art14::{case, csaf, deadline, draft, info::ProductInfo};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = camino::Utf8Path::new("case.toml");
    let Ok(c) = case::parse(path, text) else {
        return;
    };
    let deadlines = deadline::deadlines(&c);
    let rendered = case::render(&c, &deadlines);
    match case::parse(path, &rendered) {
        Ok(back) => assert_eq!(back, c, "the rendered case reads back differently"),
        Err(e) => panic!("a loaded case renders to a file that does not load: {e}\n{rendered}"),
    }
    let now = time::OffsetDateTime::from_unix_timestamp(1_796_083_200).expect("a time");
    let statuses = deadline::status(&c, now);
    let _ = deadline::next(&statuses);
    let products: Vec<ProductInfo> = c
        .products
        .iter()
        .map(|p| ProductInfo {
            name: p.name.clone(),
            version: "1.0.0".into(),
            purl: format!("pkg:cargo/{}@1.0.0", p.name),
            description: None,
            meta: cargo_cra::checks::product::ProductMeta {
                manufacturer: Some(cargo_cra::checks::product::Manufacturer {
                    name: Some("Example GmbH".into()),
                    email: Some("security@example.com".into()),
                    url: Some("https://example.com".into()),
                    address: None,
                }),
                ..Default::default()
            },
        })
        .collect();
    for step in case::Step::ALL {
        let d = draft::build(&c, step, &products, now);
        let _ = draft::markdown(&d, c.kind);
        serde_json::to_string(&d).expect("a draft serializes");
    }
    if let Ok((doc, _)) = csaf::build(&c, &products, c.tlp, now) {
        serde_json::to_string(&doc).expect("a CSAF advisory serializes");
    }
});
