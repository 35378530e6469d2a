//! `cargo cra upload` against a stand-in Dependency-Track on 127.0.0.1.
//!
//! No Dependency-Track server can be installed where these tests run, so each test starts a
//! small HTTP server (std `TcpListener`, bounded in requests and time) that enforces the
//! documented REST contract (`PUT /api/v1/bom` JSON, multipart `POST /api/v1/bom`,
//! `PUT /api/v1/vex`, `GET /api/v1/event/token/{token}`, the `X-Api-Key` header, the body
//! fields) and answers as Dependency-Track documents it: a token, then `processing` true
//! until done; 401 for a wrong key, 404 for a missing project without `autoCreate`.

mod common;

use base64::Engine;
use common::{Output, Scenario, run, scenario};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "odt_TESTKEY0123456789abcdefSECRET";

/// One HTTP request as the server received it.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Req {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

type Reply = (u16, Vec<(&'static str, String)>, String);

/// A stand-in server: accepts connections on 127.0.0.1 until finished (at most 60 s, at most
/// 200 requests), answering each request with `handler`.
struct Server {
    url: String,
    stop: Arc<Mutex<bool>>,
    log: Arc<Mutex<Vec<Req>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Req> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    assert!(
        !headers.contains_key("transfer-encoding"),
        "the client sends a Content-Length"
    );
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Req {
        method,
        path,
        headers,
        body,
    })
}

impl Server {
    fn start(handler: impl FnMut(&Req) -> Reply + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(Mutex::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (stop2, log2) = (stop.clone(), log.clone());
        let handler = Arc::new(Mutex::new(handler));
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            for conn in listener.incoming() {
                if *stop2.lock().unwrap() || started.elapsed() > Duration::from_secs(60) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut w = stream.try_clone().unwrap();
                let mut r = BufReader::new(stream);
                while let Some(req) = read_request(&mut r) {
                    let (status, headers, body) = (handler.lock().unwrap())(&req);
                    let mut log = log2.lock().unwrap();
                    log.push(req);
                    if log.len() > 200 {
                        return;
                    }
                    let mut resp =
                        format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                    for (k, v) in headers {
                        resp.push_str(&format!("{k}: {v}\r\n"));
                    }
                    resp.push_str("\r\n");
                    resp.push_str(&body);
                    if w.write_all(resp.as_bytes()).is_err() {
                        break;
                    }
                }
            }
        });
        Server {
            url,
            stop,
            log,
            thread: Some(thread),
        }
    }

    /// Stops the server and returns what it received.
    fn finish(mut self) -> Vec<Req> {
        *self.stop.lock().unwrap() = true;
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        self.log.lock().unwrap().clone()
    }
}

/// What the stand-in knows: projects that exist, tokens and how often each is polled.
#[derive(Default)]
struct State {
    projects: Vec<(String, String)>,
    polls: BTreeMap<String, usize>,
    /// Polls answered `processing: true` before `false`.
    busy_polls: usize,
    next: usize,
}

fn bad(msg: &str) -> Reply {
    (400, vec![], msg.to_string())
}

/// Dependency-Track's documented contract.
fn dependency_track(
    busy_polls: usize,
    existing: &[(&str, &str)],
) -> impl FnMut(&Req) -> Reply + Send + 'static {
    let mut st = State {
        projects: existing
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        busy_polls,
        ..State::default()
    };
    move |req: &Req| {
        if req.headers.get("x-api-key").map(String::as_str) != Some(KEY) {
            return (401, vec![], String::new());
        }
        let token = |st: &mut State| {
            st.next += 1;
            let t = format!("3f2a6c1e-0000-4000-8000-{:012}", st.next);
            st.polls.insert(t.clone(), 0);
            (
                200,
                vec![("Content-Type", "application/json".to_string())],
                json!({"token": t}).to_string(),
            )
        };
        let project = |st: &mut State, name: &str, version: &str, create: bool| {
            let p = (name.to_string(), version.to_string());
            if st.projects.contains(&p) {
                true
            } else if create {
                st.projects.push(p);
                true
            } else {
                false
            }
        };
        match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/api/v1/bom") => {
                if req.headers.get("content-type").map(String::as_str) != Some("application/json") {
                    return (415, vec![], "Unsupported Media Type".into());
                }
                let v = req.json();
                let Some(o) = v.as_object() else {
                    return bad("not JSON");
                };
                for k in o.keys() {
                    if ![
                        "project",
                        "projectName",
                        "projectVersion",
                        "autoCreate",
                        "parentName",
                        "parentVersion",
                        "parentUUID",
                        "isLatest",
                        "bom",
                    ]
                    .contains(&k.as_str())
                    {
                        return bad(&format!("Unrecognized field \"{k}\""));
                    }
                }
                let (Some(name), Some(version)) =
                    (v["projectName"].as_str(), v["projectVersion"].as_str())
                else {
                    return bad("projectName and projectVersion are required");
                };
                if v["parentName"].is_string() != v["parentVersion"].is_string() {
                    return bad("parentName and parentVersion go together");
                }
                if !v["autoCreate"].is_boolean()
                    || (o.contains_key("isLatest") && !v["isLatest"].is_boolean())
                {
                    return bad("autoCreate and isLatest are booleans");
                }
                let Some(bom) = v["bom"]
                    .as_str()
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                else {
                    return bad("bom must be base64");
                };
                if !serde_json::from_slice::<Value>(&bom)
                    .is_ok_and(|b| b["bomFormat"] == "CycloneDX")
                {
                    return bad("The uploaded BOM is invalid");
                }
                if !project(&mut st, name, version, v["autoCreate"] == true) {
                    return (404, vec![], "The project could not be found.".into());
                }
                token(&mut st)
            }
            ("POST", "/api/v1/bom") => {
                let ct = req.headers.get("content-type").cloned().unwrap_or_default();
                let Some(boundary) = ct.strip_prefix("multipart/form-data; boundary=") else {
                    return (415, vec![], "Unsupported Media Type".into());
                };
                let fields = parse_multipart(&req.body, boundary);
                let (Some(name), Some(version), Some(bom)) = (
                    fields.get("projectName"),
                    fields.get("projectVersion"),
                    fields.get("bom"),
                ) else {
                    return bad("projectName, projectVersion and bom are required");
                };
                if !serde_json::from_slice::<Value>(bom)
                    .is_ok_and(|b| b["bomFormat"] == "CycloneDX")
                {
                    return bad("The uploaded BOM is invalid");
                }
                let create = fields.get("autoCreate").map(|v| v == b"true") == Some(true);
                let (name, version) = (
                    String::from_utf8_lossy(name).into_owned(),
                    String::from_utf8_lossy(version).into_owned(),
                );
                if !project(&mut st, &name, &version, create) {
                    return (404, vec![], "The project could not be found.".into());
                }
                token(&mut st)
            }
            ("PUT", "/api/v1/vex") => {
                let v = req.json();
                let (Some(name), Some(version)) =
                    (v["projectName"].as_str(), v["projectVersion"].as_str())
                else {
                    return bad("projectName and projectVersion are required");
                };
                if v["vex"]
                    .as_str()
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                    .is_none()
                {
                    return bad("vex must be base64");
                }
                if !project(&mut st, name, version, false) {
                    return (404, vec![], "The project could not be found.".into());
                }
                token(&mut st)
            }
            ("GET", p) if p.starts_with("/api/v1/event/token/") => {
                let t = p.trim_start_matches("/api/v1/event/token/").to_string();
                let busy = st.busy_polls;
                let n = st.polls.entry(t).or_insert(busy);
                *n += 1;
                let processing = *n <= busy;
                (
                    200,
                    vec![("Content-Type", "application/json".to_string())],
                    json!({"processing": processing}).to_string(),
                )
            }
            _ => (404, vec![], "HTTP 404 Not Found".into()),
        }
    }
}

fn parse_multipart(body: &[u8], boundary: &str) -> BTreeMap<String, Vec<u8>> {
    let delim = format!("--{boundary}");
    let text = body;
    let mut out = BTreeMap::new();
    let mut rest: &[u8] = text;
    while let Some(i) = find(rest, delim.as_bytes()) {
        rest = &rest[i + delim.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let rest2 = rest.strip_prefix(b"\r\n").unwrap_or(rest);
        let Some(h_end) = find(rest2, b"\r\n\r\n") else {
            break;
        };
        let head = String::from_utf8_lossy(&rest2[..h_end]).into_owned();
        let content = &rest2[h_end + 4..];
        let Some(end) = find(content, format!("\r\n{delim}").as_bytes()) else {
            break;
        };
        let name = head
            .split("name=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("")
            .to_string();
        out.insert(name, content[..end].to_vec());
        rest = &content[end + 2..];
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A scenario folder with a small SBOM and a CycloneDX VEX.
fn files() -> (Scenario, Vec<u8>, Vec<u8>) {
    let s = scenario("clean");
    let sbom = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"type": "application", "name": "app", "version": "1.0.0"}},
        "components": [{"type": "library", "name": "smallfmt", "version": "1.0.0", "purl": "pkg:cargo/smallfmt@1.0.0"}]});
    let vex = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "vulnerabilities": [{"id": "RUSTSEC-2099-0001", "analysis": {"state": "not_affected", "justification": "code_not_reachable"}}]});
    let sbom = serde_json::to_vec_pretty(&sbom).unwrap();
    let vex = serde_json::to_vec_pretty(&vex).unwrap();
    s.write("app.cdx.json", String::from_utf8(sbom.clone()).unwrap());
    s.write("app.vex.cdx.json", String::from_utf8(vex.clone()).unwrap());
    (s, sbom, vex)
}

fn upload(s: &Scenario, url: &str, key: Option<&str>, extra: &[&str]) -> Output {
    let mut cmd = s.cmd([
        "upload",
        "--url",
        url,
        "--api-key-env",
        "DT_KEY",
        "--project-name",
        "app",
        "--project-version",
        "1.0.0",
    ]);
    cmd.args(extra);
    if let Some(k) = key {
        cmd.env("DT_KEY", k);
    }
    let out = run(cmd);
    assert!(
        !out.stdout.contains(KEY) && !out.stderr.contains(KEY),
        "the key is never printed:\n{}",
        out.both()
    );
    out
}

#[test]
fn uploads_sbom_then_vex_and_waits_for_processing() {
    let (s, sbom, vex) = files();
    let server = Server::start(dependency_track(2, &[]));
    let out = upload(
        &s,
        &server.url,
        Some(KEY),
        &[
            "--parent-name",
            "fleet",
            "--parent-version",
            "2026",
            "--latest",
            "app.vex.cdx.json",
            "app.cdx.json",
        ],
    );
    let reqs = server.finish();
    out.assert_code(0);
    assert!(
        out.stderr.contains("Processed app.cdx.json"),
        "{}",
        out.stderr
    );
    let calls: Vec<String> = reqs
        .iter()
        .map(|r| format!("{} {}", r.method, r.path.split("/token/").next().unwrap()))
        .collect();
    assert_eq!(
        calls,
        [
            "PUT /api/v1/bom",
            "GET /api/v1/event",
            "GET /api/v1/event",
            "GET /api/v1/event",
            "PUT /api/v1/vex",
            "GET /api/v1/event",
            "GET /api/v1/event",
            "GET /api/v1/event"
        ],
        "the SBOM first, each polled until processing is false"
    );
    let b = reqs[0].json();
    assert_eq!(b["projectName"], "app");
    assert_eq!(b["projectVersion"], "1.0.0");
    assert_eq!(b["autoCreate"], true);
    assert_eq!(b["parentName"], "fleet");
    assert_eq!(b["parentVersion"], "2026");
    assert_eq!(b["isLatest"], true);
    let b64 = base64::engine::general_purpose::STANDARD;
    assert_eq!(b64.decode(b["bom"].as_str().unwrap()).unwrap(), sbom);
    let v = reqs[4].json();
    assert_eq!(b64.decode(v["vex"].as_str().unwrap()).unwrap(), vex);
    assert!(reqs.iter().all(|r| r.headers["x-api-key"] == KEY));
}

#[test]
fn large_sboms_go_as_multipart() {
    let (s, sbom, _) = files();
    let server = Server::start(dependency_track(0, &[]));
    let out = upload(
        &s,
        &server.url,
        Some(KEY),
        &["--multipart-above", "100", "app.cdx.json"],
    );
    let reqs = server.finish();
    out.assert_code(0);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].path, "/api/v1/bom");
    let boundary = reqs[0].headers["content-type"]
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap()
        .to_string();
    let f = parse_multipart(&reqs[0].body, &boundary);
    assert_eq!(f["bom"], sbom);
    assert_eq!(f["projectName"], b"app");
    assert_eq!(f["autoCreate"], b"true");
}

#[test]
fn a_rejected_key_is_exit_2_with_the_servers_answer() {
    let (s, _, _) = files();
    let server = Server::start(dependency_track(0, &[]));
    let out = upload(&s, &server.url, Some("wrong-key"), &["app.cdx.json"]);
    server.finish();
    out.assert_code(2);
    assert!(out.stderr.contains("answered 401"), "{}", out.stderr);
    assert!(out.stderr.contains("$DT_KEY"), "{}", out.stderr);
}

#[test]
fn a_missing_project_without_auto_create_is_exit_2() {
    let (s, _, _) = files();
    let server = Server::start(dependency_track(0, &[]));
    let out = upload(
        &s,
        &server.url,
        Some(KEY),
        &["--no-auto-create", "app.cdx.json"],
    );
    let reqs = server.finish();
    out.assert_code(2);
    assert_eq!(reqs[0].json()["autoCreate"], false);
    assert!(
        out.stderr
            .contains("answered 404: The project could not be found."),
        "{}",
        out.stderr
    );
    // An existing project is fine without autoCreate.
    let server = Server::start(dependency_track(0, &[("app", "1.0.0")]));
    let out = upload(
        &s,
        &server.url,
        Some(KEY),
        &["--no-auto-create", "app.cdx.json"],
    );
    server.finish();
    out.assert_code(0);
}

#[test]
fn redirects_are_not_followed_so_the_key_goes_nowhere_else() {
    let (s, _, _) = files();
    let elsewhere = Server::start(dependency_track(0, &[]));
    let target = format!("{}/api/v1/bom", elsewhere.url);
    let server = Server::start(move |_| (307, vec![("Location", target.clone())], String::new()));
    let out = upload(&s, &server.url, Some(KEY), &["app.cdx.json"]);
    server.finish();
    assert!(
        elsewhere.finish().is_empty(),
        "nothing reached the redirect target"
    );
    out.assert_code(2);
    assert!(out.stderr.contains("not followed"), "{}", out.stderr);
}

#[test]
fn processing_that_never_ends_times_out() {
    let (s, _, _) = files();
    let server = Server::start(dependency_track(usize::MAX / 2, &[]));
    let out = upload(
        &s,
        &server.url,
        Some(KEY),
        &["--timeout", "1", "app.cdx.json"],
    );
    server.finish();
    out.assert_code(2);
    assert!(out.stderr.contains("still processing"), "{}", out.stderr);
}

#[test]
fn inputs_are_checked_before_anything_is_sent() {
    let (s, _, _) = files();
    s.write("app.spdx.json", r#"{"spdxVersion": "SPDX-2.3"}"#);
    let server = Server::start(dependency_track(0, &[]));
    let out = upload(
        &s,
        &server.url,
        Some(KEY),
        &["app.cdx.json", "app.spdx.json"],
    );
    out.assert_code(2);
    assert!(
        out.stderr.contains("app.spdx.json: an SPDX document"),
        "{}",
        out.stderr
    );
    let out = upload(&s, &server.url, None, &["app.cdx.json"]);
    out.assert_code(2);
    assert!(out.stderr.contains("$DT_KEY is not set"), "{}", out.stderr);
    let out = upload(&s, "http://dt.example.com", Some(KEY), &["app.cdx.json"]);
    out.assert_code(2);
    assert!(out.stderr.contains("plain http"), "{}", out.stderr);
    assert!(server.finish().is_empty(), "no request was sent");
}
