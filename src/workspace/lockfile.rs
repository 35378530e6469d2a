//! `Cargo.lock` into a [`cargo_lock::Lockfile`] in linear time.
//!
//! cargo-lock 11 resolves each abbreviated dependency (`"serde"`, `"syn 2.0.1"`) by scanning
//! the whole package list, and in a version 1 lockfile looks up each package's checksum by
//! scanning the whole `[metadata]` table: quadratic, 2.4 s for a 40,000-package lockfile. This
//! reader deserializes the same encoding (the same serde types for names, versions, sources,
//! checksums, metadata and patches, the same dependency-string grammar and messages) and
//! resolves through an index by name; the result equals cargo-lock's (a test compares both on
//! every lockfile in the repository and on generated ones).

use cargo_lock::{
    Checksum, Dependency, Error, Lockfile, Metadata, Name, Package, Patch, ResolveVersion,
    SourceId, Version,
};
use serde::{Deserialize, de};
use std::collections::HashMap;

/// Parses the text of a `Cargo.lock`; errors read as cargo-lock's.
pub fn parse(text: &str) -> Result<Lockfile, Error> {
    toml::from_str::<Parsed>(text)
        .map(|p| p.0)
        .map_err(|e| Error::Parse(e.to_string()))
}

/// A lockfile resolved inside deserialization, so that resolution errors carry the TOML
/// parser's context as cargo-lock's do.
struct Parsed(Lockfile);

impl<'de> Deserialize<'de> for Parsed {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawLockfile::deserialize(d)?
            .resolve()
            .map(Parsed)
            .map_err(de::Error::custom)
    }
}

#[derive(Deserialize)]
struct RawLockfile {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<RawPackage>,
    root: Option<RawPackage>,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    patch: Patch,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Name,
    version: Version,
    source: Option<SourceId>,
    checksum: Option<Checksum>,
    #[serde(default)]
    dependencies: Vec<RawDependency>,
    replace: Option<RawDependency>,
}

/// `name [version [(source)]]`.
struct RawDependency {
    name: Name,
    version: Option<Version>,
    source: Option<SourceId>,
}

impl<'de> Deserialize<'de> for RawDependency {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RawDependency::parse(&s).map_err(de::Error::custom)
    }
}

impl RawDependency {
    fn parse(s: &str) -> Result<Self, Error> {
        let mut parts = s.split_whitespace();
        let name = parts
            .next()
            .ok_or_else(|| Error::Parse("empty dependency string".to_owned()))?
            .parse()?;
        let version = parts
            .next()
            .map(|v| v.parse::<Version>())
            .transpose()
            .map_err(Error::from)?;
        let source = parts
            .next()
            .map(|s| {
                if s.len() < 2 || !s.starts_with('(') || !s.ends_with(')') {
                    Err(Error::Parse(format!("malformed source in dependency: {s}")))
                } else {
                    s[1..(s.len() - 1)].parse::<SourceId>()
                }
            })
            .transpose()?;
        if parts.next().is_some() {
            return Err(Error::Parse(format!("malformed dependency: {s}")));
        }
        Ok(RawDependency {
            name,
            version,
            source,
        })
    }

    /// The dependency as written (version 1: always fully qualified).
    fn qualified(&self) -> Result<Dependency, Error> {
        let version = self
            .version
            .clone()
            .ok_or_else(|| Error::Parse(format!("couldn't resolve dependency: {}", self.name)))?;
        Ok(Dependency {
            name: self.name.clone(),
            version,
            source: self.source.clone(),
        })
    }
}

impl RawPackage {
    fn into_package(self, deps: Vec<Dependency>) -> Result<Package, Error> {
        Ok(Package {
            name: self.name,
            version: self.version,
            source: self.source,
            checksum: self.checksum,
            dependencies: deps,
            replace: self
                .replace
                .as_ref()
                .map(RawDependency::qualified)
                .transpose()?,
        })
    }
}

impl RawLockfile {
    fn resolve(self) -> Result<Lockfile, Error> {
        let version = match self.version {
            Some(n) => ResolveVersion::try_from(n)?,
            None => {
                let v1 = self.metadata.keys().any(|k| k.is_checksum());
                if v1 && self.package.iter().any(|p| p.checksum.is_some()) {
                    return Err(Error::Parse("malformed lockfile: contains checksums in both [[package]] and [[metadata]] sections".to_string()));
                }
                if v1 {
                    ResolveVersion::V1
                } else {
                    ResolveVersion::V2
                }
            }
        };
        let mut packages = Vec::with_capacity(self.package.len());
        if version == ResolveVersion::V1 {
            // Checksums live in `[metadata]`: the first key (in the table's order) naming the
            // package's name and version, as cargo-lock looks them up.
            let mut sums: HashMap<(Name, Version), Option<Checksum>> = HashMap::new();
            for (key, value) in &self.metadata {
                if let Ok(dep) = key.checksum_dependency() {
                    sums.entry((dep.name, dep.version))
                        .or_insert_with(|| value.checksum().ok());
                }
            }
            for raw in self.package {
                let deps = raw
                    .dependencies
                    .iter()
                    .map(RawDependency::qualified)
                    .collect::<Result<Vec<_>, _>>()?;
                let key = (raw.name.clone(), raw.version.clone());
                let mut pkg = raw.into_package(deps)?;
                pkg.checksum = sums.get(&key).cloned().flatten();
                packages.push(pkg);
            }
        } else {
            // Abbreviated dependencies resolve to the first package (in file order) with that
            // name (and version, when given); one with a source is taken as written.
            let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, p) in self.package.iter().enumerate() {
                by_name.entry(p.name.as_str()).or_default().push(i);
            }
            let mut resolved = Vec::with_capacity(self.package.len());
            for raw in &self.package {
                let mut deps = Vec::with_capacity(raw.dependencies.len());
                for dep in &raw.dependencies {
                    let found = match &dep.source {
                        Some(_) => None,
                        None => by_name.get(dep.name.as_str()).and_then(|c| {
                            c.iter()
                                .map(|&i| &self.package[i])
                                .find(|p| dep.version.as_ref().is_none_or(|v| *v == p.version))
                        }),
                    };
                    deps.push(match found {
                        Some(p) => Dependency {
                            name: p.name.clone(),
                            version: p.version.clone(),
                            source: p.source.clone(),
                        },
                        None => dep.qualified()?,
                    });
                }
                resolved.push(deps);
            }
            for (raw, deps) in self.package.into_iter().zip(resolved) {
                packages.push(raw.into_package(deps)?);
            }
        }
        let root = match self.root {
            Some(r) => {
                let deps = r
                    .dependencies
                    .iter()
                    .map(RawDependency::qualified)
                    .collect::<Result<Vec<_>, _>>()?;
                Some(r.into_package(deps)?)
            }
            None => None,
        };
        Ok(Lockfile {
            version,
            packages,
            root,
            metadata: self.metadata,
            patch: self.patch,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our reader and cargo-lock's agree: the same lockfile, or the same error message.
    fn same(text: &str) {
        let ours = parse(text);
        let theirs: Result<Lockfile, Error> = text.parse();
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("ours {ours:?}\ncargo-lock {theirs:?}\non\n{text}"),
        }
    }

    #[test]
    fn equals_cargo_lock_on_every_lockfile_of_the_repository() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut n = 0;
        let mut files = vec![format!("{root}/Cargo.lock")];
        for dir in ["test-workspaces", "tests/fixtures"] {
            for e in walkdir(std::path::Path::new(&format!("{root}/{dir}"))) {
                files.push(e);
            }
        }
        for f in files {
            if let Ok(text) = std::fs::read_to_string(&f) {
                same(&text);
                n += 1;
            }
        }
        assert!(n >= 10, "only {n} lockfiles found");
    }

    fn walkdir(dir: &std::path::Path) -> Vec<String> {
        let mut out = Vec::new();
        let Ok(rd) = std::fs::read_dir(dir) else {
            return out;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walkdir(&p));
            } else if p.file_name().is_some_and(|n| n == "Cargo.lock") {
                out.push(p.to_string_lossy().into_owned());
            }
        }
        out
    }

    const REG: &str = "registry+https://github.com/rust-lang/crates.io-index";

    #[test]
    fn abbreviated_and_qualified_dependencies_resolve_as_cargo_lock_does() {
        let text = format!(
            r#"version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "a",
 "b 1.0.0",
 "b 2.0.0 ({REG})",
 "c 9.9.9",
]

[[package]]
name = "a"
version = "0.3.0"
source = "{REG}"
checksum = "{sum}"

[[package]]
name = "b"
version = "1.0.0"
source = "{REG}"

[[package]]
name = "b"
version = "2.0.0"
source = "{REG}"
"#,
            sum = "ab".repeat(32)
        );
        same(&text);
        let lock = parse(&text).unwrap();
        let app = &lock.packages[0];
        assert_eq!(app.dependencies.len(), 4);
        assert_eq!(app.dependencies[0].version.to_string(), "0.3.0");
        assert!(app.dependencies[0].source.is_some());
        // Not in the lockfile: taken as written.
        assert_eq!(app.dependencies[3].version.to_string(), "9.9.9");
    }

    #[test]
    fn errors_read_as_cargo_lock_s() {
        for bad in [
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"missing\"]\n",
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"\"]\n",
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"b 1.x\"]\n",
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"b 1.0.0 src\"]\n",
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"b 1.0.0 (x) y\"]\n",
            "version = 9\n",
            "[[package]]\nname = \"a\"\n",
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nreplace = \"b\"\n",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
            same(bad);
        }
    }

    #[test]
    fn version_1_checksums_come_from_metadata() {
        let text = format!(
            "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"a 0.3.0 ({REG})\",\n]\n\n[[package]]\nname = \"a\"\nversion = \"0.3.0\"\nsource = \"{REG}\"\n\n[metadata]\n\"checksum a 0.3.0 ({REG})\" = \"{}\"\n",
            "cd".repeat(32)
        );
        same(&text);
        let lock = parse(&text).unwrap();
        assert_eq!(lock.version, ResolveVersion::V1);
        assert!(lock.packages[1].checksum.is_some());
    }

    #[test]
    fn a_large_generated_lockfile_resolves_every_edge() {
        // 3,000 packages, some names at two versions (dependencies then name the version).
        let mut text = String::from("version = 4\n\n");
        let n = 3000;
        let name = |i: usize| format!("p{}", i / 2);
        let ver = |i: usize| format!("{}.0.0", i % 2);
        for i in 0..n {
            text.push_str(&format!(
                "[[package]]\nname = \"{}\"\nversion = \"{}\"\nsource = \"{REG}\"\ndependencies = [\n",
                name(i),
                ver(i)
            ));
            for j in [i + 1, i + 7, i + 100].into_iter().filter(|&j| j < n) {
                text.push_str(&format!(" \"{} {}\",\n", name(j), ver(j)));
            }
            text.push_str("]\n\n");
        }
        same(&text);
        let lock = parse(&text).unwrap();
        let edges: usize = lock.packages.iter().map(|p| p.dependencies.len()).sum();
        assert_eq!(edges, 3 * n - 1 - 7 - 100);
        assert!(
            lock.packages
                .iter()
                .flat_map(|p| &p.dependencies)
                .all(|d| d.source.is_some())
        );
    }
}
