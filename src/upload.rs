//! `cargo cra upload`: SBOMs and VEX documents into Dependency-Track, the OWASP platform that
//! analyses SBOM portfolios continuously, through its documented REST API:
//!
//! * an SBOM: `PUT /api/v1/bom` with a JSON body `{projectName, projectVersion, autoCreate,
//!   parentName, parentVersion, isLatest, bom: <base64>}`; above `--multipart-above` bytes
//!   (large SBOMs), `POST /api/v1/bom` as `multipart/form-data` with the same fields and the
//!   file as the `bom` part;
//! * a CycloneDX VEX: `PUT /api/v1/vex` with `{projectName, projectVersion, vex: <base64>}`
//!   (after the SBOMs, since the analysis it updates belongs to their components);
//! * each answer carries a `token`; `GET /api/v1/event/token/{token}` is polled until
//!   `processing` is `false` (or `--timeout` passes: exit 2).
//!
//! The API key is read from the environment variable `--api-key-env` names and sent only as
//! the `X-Api-Key` header to the `--url` host: redirects are never followed (a redirect is an
//! error naming its target), a proxy from the environment is used only for `https` (where
//! the key stays inside the TLS tunnel), plain `http` is refused for any host but the local
//! machine unless `--allow-http`, and the key never appears in output or errors. Any answer
//! other than success ends the run with exit 2 and the server's message.

use crate::error::{Error, ExitCode, Result};
use crate::output::Printer;
use base64::Engine;
use camino::{Utf8Path, Utf8PathBuf};
use clap::Args;
use std::time::{Duration, Instant};

/// `cargo cra upload`.
#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// Dependency-Track base URL (the API server, e.g. https://dtrack.example.com).
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// Environment variable holding the API key (needs BOM_UPLOAD, and PROJECT_CREATION_UPLOAD
    /// to create projects); the key itself is never a command-line argument.
    #[arg(long, value_name = "VAR")]
    pub api_key_env: String,
    /// Project name.
    #[arg(long, value_name = "NAME")]
    pub project_name: String,
    /// Project version.
    #[arg(long, value_name = "VERSION")]
    pub project_version: String,
    /// Parent project name (with --parent-version).
    #[arg(long, value_name = "NAME", requires = "parent_version")]
    pub parent_name: Option<String>,
    /// Parent project version (with --parent-name).
    #[arg(long, value_name = "VERSION", requires = "parent_name")]
    pub parent_version: Option<String>,
    /// Mark this project version as the latest one.
    #[arg(long)]
    pub latest: bool,
    /// Do not create the project when it does not exist (then a missing project is an error).
    #[arg(long)]
    pub no_auto_create: bool,
    /// Seconds to wait for Dependency-Track to finish processing each file.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
    /// SBOMs larger than this many bytes go as multipart `POST /api/v1/bom`.
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub multipart_above: u64,
    /// Allow plain http to a host other than this machine (the API key would travel in clear).
    #[arg(long)]
    pub allow_http: bool,
    /// CycloneDX SBOMs (`*.cdx.json`, XML too) and CycloneDX VEX documents to upload.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<Utf8PathBuf>,
}

/// What a file is, as Dependency-Track takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A CycloneDX BOM.
    Bom,
    /// A CycloneDX VEX (a BOM with vulnerabilities and no components).
    Vex,
}

/// Classifies a file by its content: CycloneDX BOM or VEX; anything else is refused with
/// what to upload instead.
pub fn classify(path: &Utf8Path, bytes: &[u8]) -> Result<Kind> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::malformed(path, "not a text file (expected a CycloneDX SBOM or VEX)")
    })?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        return if trimmed.contains("http://cyclonedx.org/schema/bom/") {
            Ok(
                if trimmed.contains("<vulnerabilities") && !trimmed.contains("<components") {
                    Kind::Vex
                } else {
                    Kind::Bom
                },
            )
        } else {
            Err(Error::malformed(
                path,
                "an XML file that is not a CycloneDX BOM",
            ))
        };
    }
    let v: serde_json::Value = serde_json::from_str(trimmed).map_err(|e| {
        Error::malformed(
            path,
            format!("not JSON (expected a CycloneDX SBOM or VEX): {e}"),
        )
    })?;
    if v["bomFormat"] == "CycloneDX" {
        let has = |k: &str| v[k].as_array().is_some_and(|a| !a.is_empty());
        return Ok(if has("vulnerabilities") && !has("components") {
            Kind::Vex
        } else {
            Kind::Bom
        });
    }
    let what = if v["spdxVersion"].is_string()
        || v["@context"]
            .as_str()
            .is_some_and(|c| c.contains("spdx.org"))
    {
        "an SPDX document: Dependency-Track reads CycloneDX, upload the artifact's `.cdx.json`"
    } else if v["@context"]
        .as_str()
        .is_some_and(|c| c.contains("openvex"))
    {
        "an OpenVEX document: Dependency-Track takes CycloneDX VEX (write one with `cargo cra vex --format cyclonedx`)"
    } else if v["document"]["csaf_version"].is_string() {
        "a CSAF document: Dependency-Track takes CycloneDX VEX"
    } else {
        "not a CycloneDX SBOM or VEX (no `bomFormat: CycloneDX`)"
    };
    Err(Error::malformed(path, what))
}

/// Whether `host` is this machine (plain http stays on it).
fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The base URL without a trailing `/`, after checking scheme and host.
pub fn base_url(url: &str, allow_http: bool) -> Result<String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| Error::other(format!("--url `{url}` is not an http(s) URL")))?;
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.is_empty() || host_port.contains('@') {
        return Err(Error::other(format!(
            "--url `{url}` needs a host (and no user information: the key comes from --api-key-env)"
        )));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" if allow_http || is_loopback(host) => {}
        "http" => {
            return Err(Error::other(format!(
                "--url `{url}` is plain http: the API key would cross the network in clear; use https (or --allow-http)"
            )));
        }
        _ => return Err(Error::other(format!("--url `{url}` is not an http(s) URL"))),
    }
    if rest.contains(['?', '#']) {
        return Err(Error::other(format!(
            "--url `{url}`: give the base URL without query or fragment"
        )));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// The API key from the environment, trimmed; errors name the variable, never the value.
fn api_key(var: &str) -> Result<String> {
    let key = std::env::var(var).map_err(|_| {
        Error::other(format!(
            "${var} is not set (it should hold the Dependency-Track API key: --api-key-env names the variable)"
        ))
    })?;
    let key = key.trim().to_string();
    if key.is_empty() {
        return Err(Error::other(format!(
            "${var} is empty: no Dependency-Track API key"
        )));
    }
    if key.chars().any(|c| c.is_control() || !c.is_ascii()) {
        return Err(Error::other(format!(
            "${var} does not hold a valid API key (control or non-ASCII characters)"
        )));
    }
    Ok(key)
}

/// A connection to one Dependency-Track server.
struct Client {
    agent: ureq::Agent,
    base: String,
    key: String,
    var: String,
}

/// An answer: status, `Location` header, body.
struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Client {
    fn new(base: String, key: String, var: String) -> Client {
        let https = base.to_ascii_lowercase().starts_with("https://");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_global(Some(Duration::from_secs(600)))
            .proxy(if https {
                ureq::Proxy::try_from_env()
            } else {
                None
            })
            .user_agent(format!("cargo-cra/{}", crate::VERSION))
            .build()
            .into();
        Client {
            agent,
            base,
            key,
            var,
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<Answer> {
        let url = format!("{}{path}", self.base);
        let result = match (method, body) {
            ("GET", _) => self
                .agent
                .get(&url)
                .header("X-Api-Key", &self.key)
                .header("Accept", "application/json")
                .call(),
            (m, Some(b)) => {
                let req = if m == "PUT" {
                    self.agent.put(&url)
                } else {
                    self.agent.post(&url)
                };
                req.header("X-Api-Key", &self.key)
                    .header("Accept", "application/json")
                    .header("Content-Type", content_type.unwrap_or("application/json"))
                    .send(&b[..])
            }
            (m, None) => return Err(Error::other(format!("internal: {m} without a body"))),
        };
        // ureq's errors name the URL and the cause, never the headers (the key).
        let mut resp = result.map_err(|e| Error::other(format!("{method} {url}: {e}")))?;
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp
            .body_mut()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_string()
            .unwrap_or_default();
        Ok(Answer {
            status,
            location,
            body,
        })
    }

    /// Fails with the server's message unless the answer is a success.
    fn expect_ok(&self, method: &str, path: &str, a: &Answer) -> Result<()> {
        if (200..300).contains(&a.status) {
            return Ok(());
        }
        let url = format!("{}{path}", self.base);
        if (300..400).contains(&a.status) {
            return Err(Error::other(format!(
                "{method} {url}: Dependency-Track answered {} redirecting to {}; not followed (the API key is only sent to --url): use the final URL",
                a.status,
                a.location.as_deref().unwrap_or("(no Location)")
            )));
        }
        let mut message: String = a.body.trim().chars().take(500).collect();
        if message.is_empty() {
            message = "(no message)".into();
        }
        let hint = match a.status {
            401 => format!(
                " (check the API key in ${}: Dependency-Track did not accept it)",
                self.var
            ),
            403 => " (the API key's team lacks the permission: BOM_UPLOAD, and PROJECT_CREATION_UPLOAD to create projects; VULNERABILITY_ANALYSIS for VEX)".to_string(),
            404 => " (the project does not exist: drop --no-auto-create, or create it first)".to_string(),
            _ => String::new(),
        };
        Err(Error::other(format!(
            "{method} {url}: Dependency-Track answered {}: {message}{hint}",
            a.status
        )))
    }

    fn token(&self, method: &str, path: &str, a: &Answer) -> Result<String> {
        self.expect_ok(method, path, a)?;
        let v: serde_json::Value = serde_json::from_str(&a.body).map_err(|_| {
            Error::other(format!(
                "{method} {}{path}: the answer is not JSON with a `token`: {}",
                self.base,
                a.body.chars().take(200).collect::<String>()
            ))
        })?;
        v["token"]
            .as_str()
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .map(str::to_string)
            .ok_or_else(|| {
                Error::other(format!(
                    "{method} {}{path}: the answer has no valid `token`: {}",
                    self.base,
                    a.body.chars().take(200).collect::<String>()
                ))
            })
    }

    /// Polls `GET /api/v1/event/token/{token}` until `processing` is false.
    fn wait(&self, token: &str, file: &Utf8Path, timeout: Duration) -> Result<()> {
        let path = format!("/api/v1/event/token/{token}");
        let started = Instant::now();
        let mut pause = Duration::from_millis(250);
        loop {
            let a = self.send("GET", &path, None, None)?;
            self.expect_ok("GET", &path, &a)?;
            let v: serde_json::Value = serde_json::from_str(&a.body).map_err(|_| {
                Error::other(format!(
                    "GET {}{path}: the answer is not JSON: {}",
                    self.base,
                    a.body.chars().take(200).collect::<String>()
                ))
            })?;
            match v["processing"].as_bool() {
                Some(false) => return Ok(()),
                Some(true) => {}
                None => {
                    return Err(Error::other(format!(
                        "GET {}{path}: the answer has no `processing` flag: {}",
                        self.base,
                        a.body.chars().take(200).collect::<String>()
                    )));
                }
            }
            if started.elapsed() + pause > timeout {
                return Err(Error::other(format!(
                    "{file}: Dependency-Track is still processing it after {}s (token {token}); raise --timeout",
                    timeout.as_secs()
                )));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }
}

/// The project fields of a request.
fn project_fields(args: &UploadArgs) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("projectName", args.project_name.clone()),
        ("projectVersion", args.project_version.clone()),
    ];
    if let (Some(n), Some(v)) = (&args.parent_name, &args.parent_version) {
        f.push(("parentName", n.clone()));
        f.push(("parentVersion", v.clone()));
    }
    f
}

/// A `multipart/form-data` body: the text fields, then the file as part `bom`.
pub fn multipart(fields: &[(&str, String)], file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    // A boundary that cannot occur in the file: derived from its hash.
    let boundary = format!("cargo-cra-{}", &crate::fsutil::sha256_hex(bytes)[..32]);
    let mut body = Vec::with_capacity(bytes.len() + 1024);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let safe_name: String = file_name
        .chars()
        .map(|c| if c == '"' || c.is_control() { '_' } else { c })
        .collect();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"bom\"; filename=\"{safe_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Runs `cargo cra upload`.
pub fn run(args: &UploadArgs, printer: &Printer) -> Result<u8> {
    let base = base_url(&args.url, args.allow_http)?;
    let key = api_key(&args.api_key_env)?;
    // Every file is read and classified before anything is sent.
    let mut files = Vec::new();
    for path in &args.files {
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        let kind = classify(path, &bytes)?;
        files.push((path.clone(), bytes, kind));
    }
    // SBOMs first: a VEX updates the analysis of their components.
    files.sort_by_key(|(_, _, k)| *k == Kind::Vex);
    let client = Client::new(base, key, args.api_key_env.clone());
    let timeout = Duration::from_secs(args.timeout);
    let b64 = base64::engine::general_purpose::STANDARD;
    for (path, bytes, kind) in &files {
        let name = path.file_name().unwrap_or(path.as_str());
        let what = match kind {
            Kind::Bom => "SBOM",
            Kind::Vex => "VEX",
        };
        printer.status(
            "Uploading",
            format!(
                "{name} ({what}, {} bytes) to {} {}",
                bytes.len(),
                args.project_name,
                args.project_version
            ),
        );
        let mut fields = project_fields(args);
        let (method, api, token) = match kind {
            Kind::Bom if bytes.len() as u64 > args.multipart_above => {
                fields.push(("autoCreate", (!args.no_auto_create).to_string()));
                if args.latest {
                    fields.push(("isLatest", "true".into()));
                }
                let (ct, body) = multipart(&fields, name, bytes);
                let a = client.send("POST", "/api/v1/bom", Some(&ct), Some(body))?;
                (
                    "POST",
                    "/api/v1/bom",
                    client.token("POST", "/api/v1/bom", &a)?,
                )
            }
            Kind::Bom => {
                let mut o = serde_json::Map::new();
                for (k, v) in fields {
                    o.insert(k.into(), v.into());
                }
                o.insert("autoCreate".into(), (!args.no_auto_create).into());
                if args.latest {
                    o.insert("isLatest".into(), true.into());
                }
                o.insert("bom".into(), b64.encode(bytes).into());
                let body = serde_json::to_vec(&o).unwrap_or_default();
                let a = client.send("PUT", "/api/v1/bom", None, Some(body))?;
                (
                    "PUT",
                    "/api/v1/bom",
                    client.token("PUT", "/api/v1/bom", &a)?,
                )
            }
            Kind::Vex => {
                let mut o = serde_json::Map::new();
                for (k, v) in fields.into_iter().filter(|(k, _)| k.starts_with("project")) {
                    o.insert(k.into(), v.into());
                }
                o.insert("vex".into(), b64.encode(bytes).into());
                let body = serde_json::to_vec(&o).unwrap_or_default();
                let a = client.send("PUT", "/api/v1/vex", None, Some(body))?;
                (
                    "PUT",
                    "/api/v1/vex",
                    client.token("PUT", "/api/v1/vex", &a)?,
                )
            }
        };
        printer.verbose(format_args!("{method} {api}: token {token}"));
        client.wait(&token, path, timeout)?;
        printer.status("Processed", format!("{name} (token {token})"));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            base_url("https://dt.example.com/", false).unwrap(),
            "https://dt.example.com"
        );
        assert_eq!(
            base_url("https://dt.example.com/dtrack", false).unwrap(),
            "https://dt.example.com/dtrack"
        );
        assert!(base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(base_url("http://localhost:8080", false).is_ok());
        assert!(base_url("http://[::1]:8080", false).is_ok());
        assert!(base_url("http://dt.example.com", false).is_err());
        assert!(base_url("http://dt.example.com", true).is_ok());
        assert!(base_url("ftp://dt.example.com", true).is_err());
        assert!(base_url("https://user:pw@dt.example.com", false).is_err());
        assert!(base_url("dt.example.com", false).is_err());
    }

    #[test]
    fn classification() {
        let p = Utf8Path::new("x.json");
        assert_eq!(
            classify(p, br#"{"bomFormat":"CycloneDX","components":[{}]}"#).unwrap(),
            Kind::Bom
        );
        assert_eq!(
            classify(p, br#"{"bomFormat":"CycloneDX","vulnerabilities":[{}]}"#).unwrap(),
            Kind::Vex
        );
        let e = classify(p, br#"{"spdxVersion":"SPDX-2.3"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("SPDX"), "{e}");
        assert!(
            classify(p, br#"{"@context":"https://openvex.dev/ns/v0.2.0"}"#)
                .unwrap_err()
                .to_string()
                .contains("OpenVEX")
        );
        assert!(classify(p, b"not json").is_err());
    }

    #[test]
    fn multipart_layout() {
        let (ct, body) = multipart(&[("projectName", "app".into())], "a\"b.json", b"{}");
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"projectName\"\r\n\r\napp\r\n"));
        assert!(text.contains("filename=\"a_b.json\""));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
    }
}
