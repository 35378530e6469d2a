//! Builds a CSAF product tree from product releases and their components: one `vendor` →
//! `product_name` → `product_version` branch per release and per component (with its purl in
//! `product_identification_helper`), and one `default_component_of` relationship per
//! component that a statement is about. Deterministic: vendors, names and versions sorted
//! (versions by semver when they parse), ids derived from names and versions only.

use super::{Branch, FullProductName, IdentificationHelper, ProductTree, Relationship};
use std::collections::BTreeMap;

/// The product id of a release: `<name>@<version>`.
pub fn product_id(name: &str, version: &str) -> String {
    format!("{name}@{version}")
}

/// The product id of a component: `<name>@<version>`, followed by the purl's qualifiers
/// (`?repository_url=...`, `?vcs_url=...`) when it has any, so that a crate from another
/// registry or a git repository never shares an id with the crates.io crate.
pub fn component_id(name: &str, version: &str, purl: Option<&str>) -> String {
    let qualifiers = purl
        .and_then(|p| p.split_once('?'))
        .map(|(_, q)| q.split('#').next().unwrap_or(q))
        .filter(|q| !q.is_empty());
    match qualifiers {
        Some(q) => format!("{name}@{version}?{q}"),
        None => product_id(name, version),
    }
}

/// The id of the relationship "component as part of product".
pub fn relationship_id(component: &str, product: &str) -> String {
    format!("{component} in {product}")
}

/// The vendor branch a `pkg:cargo` component goes under: `crates.io` for crates.io crates,
/// else the registry or repository address from the purl's qualifiers (percent-decoded).
pub fn source_vendor(purl: &str) -> String {
    let query = purl
        .split_once('?')
        .map(|(_, q)| q.split('#').next().unwrap_or(q));
    for pair in query.unwrap_or("").split('&') {
        if let Some((k, v)) = pair.split_once('=')
            && (k == "repository_url" || k == "vcs_url" || k == "download_url")
        {
            return crate::purl::percent_decode(v);
        }
    }
    "crates.io".to_string()
}

/// Sort key of a version: semver order when it parses, after all semver versions otherwise.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum VersionKey {
    Semver(semver::Version),
    Other(String),
}

impl VersionKey {
    fn of(v: &str) -> VersionKey {
        semver::Version::parse(v)
            .map_or_else(|_| VersionKey::Other(v.to_string()), VersionKey::Semver)
    }
}

/// Collects products, components and relationships; [`ProductTreeBuilder::build`] makes the
/// sorted tree.
#[derive(Debug, Default, Clone)]
pub struct ProductTreeBuilder {
    /// vendor → name → version → product.
    branches: BTreeMap<String, BTreeMap<String, BTreeMap<VersionKey, FullProductName>>>,
    relationships: BTreeMap<String, Relationship>,
    names: BTreeMap<String, String>,
}

impl ProductTreeBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a product release under `vendor` (the manufacturer's name) and returns its id
    /// ([`product_id`]). Adding the same release twice returns the same id.
    pub fn add_product(
        &mut self,
        vendor: &str,
        name: &str,
        version: &str,
        purl: Option<&str>,
    ) -> String {
        let id = product_id(name, version);
        self.insert(vendor, name, version, purl, id)
    }

    /// Adds a component (a crate) under its source's vendor branch ([`source_vendor`], or
    /// `crates.io` without a purl) and returns its id ([`component_id`]).
    pub fn add_component(&mut self, name: &str, version: &str, purl: Option<&str>) -> String {
        let id = component_id(name, version, purl);
        let vendor = purl.map_or_else(|| "crates.io".to_string(), source_vendor);
        self.insert(&vendor, name, version, purl, id)
    }

    fn insert(
        &mut self,
        vendor: &str,
        name: &str,
        version: &str,
        purl: Option<&str>,
        id: String,
    ) -> String {
        if self.names.contains_key(&id) {
            return id;
        }
        let full_name = format!("{name} {version}");
        self.names.insert(id.clone(), full_name.clone());
        let product = FullProductName {
            product_id: id.clone(),
            name: full_name,
            product_identification_helper: purl.map(|p| IdentificationHelper {
                purl: Some(p.to_string()),
                ..IdentificationHelper::default()
            }),
        };
        let versions = self
            .branches
            .entry(vendor.to_string())
            .or_default()
            .entry(name.to_string())
            .or_default();
        let mut key = VersionKey::of(version);
        // Two products with the same version string but different ids (a crate from two
        // sources under one vendor cannot happen: the vendor is the source), kept apart.
        while versions.contains_key(&key) {
            key = VersionKey::Other(format!("{version}\u{0}{id}"));
        }
        versions.insert(key, product);
        id
    }

    /// Records that `component` (an id from [`Self::add_component`]) is part of `product`
    /// (an id from [`Self::add_product`]) and returns the id of that combination, which is
    /// what statuses refer to.
    pub fn add_component_of(&mut self, component: &str, product: &str) -> String {
        let id = relationship_id(component, product);
        if !self.relationships.contains_key(&id) {
            let name = |i: &str| self.names.get(i).cloned().unwrap_or_else(|| i.to_string());
            let rel = Relationship {
                category: "default_component_of".into(),
                full_product_name: FullProductName {
                    product_id: id.clone(),
                    name: format!("{} as part of {}", name(component), name(product)),
                    product_identification_helper: None,
                },
                product_reference: component.to_string(),
                relates_to_product_reference: product.to_string(),
            };
            self.relationships.insert(id.clone(), rel);
        }
        id
    }

    /// `true` when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The tree: vendors, names and versions sorted; relationships sorted by id.
    pub fn build(self) -> ProductTree {
        let branches = self
            .branches
            .into_iter()
            .map(|(vendor, names)| Branch {
                category: "vendor".into(),
                name: vendor,
                product: None,
                branches: names
                    .into_iter()
                    .map(|(name, versions)| Branch {
                        category: "product_name".into(),
                        name,
                        product: None,
                        branches: versions
                            .into_values()
                            .map(|p| Branch {
                                category: "product_version".into(),
                                name: p
                                    .name
                                    .rsplit_once(' ')
                                    .map_or(p.name.clone(), |(_, v)| v.to_string()),
                                branches: Vec::new(),
                                product: Some(p),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        ProductTree {
            branches,
            full_product_names: Vec::new(),
            relationships: self.relationships.into_values().collect(),
            product_groups: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_is_sorted_and_ids_are_stable() {
        let mut b = ProductTreeBuilder::new();
        let p2 = b.add_product("ACME", "app", "1.10.0", Some("pkg:cargo/app@1.10.0"));
        let p1 = b.add_product("ACME", "app", "1.2.0", Some("pkg:cargo/app@1.2.0"));
        let c = b.add_component("smallvec", "1.6.0", Some("pkg:cargo/smallvec@1.6.0"));
        let g = b.add_component(
            "foo",
            "0.1.0",
            Some("pkg:cargo/foo@0.1.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.com%2Ffoo"),
        );
        assert_eq!(g, "foo@0.1.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.com%2Ffoo");
        let r = b.add_component_of(&c, &p1);
        assert_eq!(r, "smallvec@1.6.0 in app@1.2.0");
        assert_eq!(b.add_component_of(&c, &p1), r);
        assert_eq!(p2, "app@1.10.0");
        let t = b.build();
        let vendors: Vec<&str> = t.branches.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            vendors,
            ["ACME", "crates.io", "git+https://example.com/foo"]
        );
        let versions: Vec<&str> = t.branches[0].branches[0]
            .branches
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        assert_eq!(versions, ["1.2.0", "1.10.0"]);
        assert_eq!(t.relationships.len(), 1);
        assert_eq!(
            t.relationships[0].full_product_name.name,
            "smallvec 1.6.0 as part of app 1.2.0"
        );
        assert!(t.product("smallvec@1.6.0").is_some());
        assert!(t.product(&r).is_some());
    }
}
