//! Human output: rustc-like diagnostics rendered with `codespan-reporting` to **stderr**,
//! status lines to stderr. Machine output (`--format json`) goes to stdout through
//! [`crate::report`]. Nothing else prints.

use crate::cli::ColorChoice;
use crate::diag::{Diagnostic, Severity, SourceMap};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::{self, ColorSpec, StandardStream, WriteColor};
use std::io::Write;

/// Where human output goes and how it looks.
#[derive(Debug, Clone)]
pub struct Printer {
    color: termcolor::ColorChoice,
    /// `-q`: errors and the summary only.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
}

impl Printer {
    /// Resolves `--color`, then `CARGO_TERM_COLOR`, then auto-detection.
    pub fn new(color: Option<ColorChoice>, quiet: bool, verbose: u8) -> Self {
        let from_env = std::env::var("CARGO_TERM_COLOR")
            .ok()
            .and_then(|v| match v.trim() {
                "always" => Some(ColorChoice::Always),
                "never" => Some(ColorChoice::Never),
                "auto" => Some(ColorChoice::Auto),
                _ => None,
            });
        let choice = color.or(from_env).unwrap_or(ColorChoice::Auto);
        let color = match choice {
            ColorChoice::Always => termcolor::ColorChoice::Always,
            ColorChoice::Never => termcolor::ColorChoice::Never,
            ColorChoice::Auto => {
                use std::io::IsTerminal;
                if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
                    termcolor::ColorChoice::Auto
                } else {
                    termcolor::ColorChoice::Never
                }
            }
        };
        Printer {
            color,
            quiet,
            verbose,
        }
    }

    /// A printer that never colors (tests, library use).
    pub fn plain() -> Self {
        Printer {
            color: termcolor::ColorChoice::Never,
            quiet: false,
            verbose: 0,
        }
    }

    /// A copy that prints even under `-q` (for verdict lines).
    pub fn loud(&self) -> Self {
        Printer {
            quiet: false,
            ..self.clone()
        }
    }

    fn stderr(&self) -> StandardStream {
        StandardStream::stderr(self.color)
    }

    /// A cargo-style status line: `{verb:>12} {message}` with the verb in bold green.
    pub fn status(&self, verb: &str, message: impl std::fmt::Display) {
        if self.quiet {
            return;
        }
        let mut s = self.stderr();
        let _ = s.set_color(
            ColorSpec::new()
                .set_bold(true)
                .set_fg(Some(termcolor::Color::Green)),
        );
        let _ = write!(s, "{verb:>12}");
        let _ = s.reset();
        let _ = writeln!(s, " {message}");
    }

    /// A block of plain text on stderr (tables), unless `-q`.
    pub fn block(&self, text: &str) {
        if self.quiet {
            return;
        }
        let mut s = self.stderr();
        let _ = s.write_all(text.as_bytes());
    }

    /// A verbose-only line.
    pub fn verbose(&self, message: impl std::fmt::Display) {
        if self.verbose > 0 {
            self.status("Info", message);
        }
    }

    /// `warning: ...` on stderr (not a diagnostic with a code: tool-level remarks).
    pub fn warn(&self, message: impl std::fmt::Display) {
        if self.quiet {
            return;
        }
        let mut s = self.stderr();
        let _ = s.set_color(
            ColorSpec::new()
                .set_bold(true)
                .set_fg(Some(termcolor::Color::Yellow)),
        );
        let _ = write!(s, "warning");
        let _ = s.reset();
        let _ = writeln!(s, ": {message}");
    }

    /// `error: ...` with the cause chain, for operational errors.
    pub fn error(&self, err: &dyn std::error::Error) {
        let mut s = self.stderr();
        let _ = s.set_color(
            ColorSpec::new()
                .set_bold(true)
                .set_fg(Some(termcolor::Color::Red)),
        );
        let _ = write!(s, "error");
        let _ = s.reset();
        let _ = writeln!(s, ": {err}");
        // Causes already spelled out in the message (our errors embed their source) are not
        // repeated.
        let mut shown = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !shown.contains(&text) {
                let _ = writeln!(s, "  caused by: {text}");
                shown.push_str(&text);
            }
            source = cause.source();
        }
    }

    /// Renders diagnostics, rustc style. Under `-q`, only errors.
    pub fn diagnostics(&self, sources: &SourceMap, diags: &[Diagnostic]) {
        let mut s = self.stderr();
        let _ = render(&mut s, sources, diags, self.quiet);
    }
}

/// Renders `diags` to any color-capable writer (a `Buffer` in tests).
pub fn render(
    w: &mut dyn WriteColor,
    sources: &SourceMap,
    diags: &[Diagnostic],
    errors_only: bool,
) -> std::io::Result<()> {
    let mut files = SimpleFiles::new();
    let mut ids = std::collections::BTreeMap::new();
    let config = codespan_reporting::term::Config::default();
    for d in diags {
        if errors_only && d.severity != Severity::Error {
            continue;
        }
        let severity = match d.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
            Severity::Note => cs::Severity::Note,
        };
        let mut labels = Vec::new();
        for l in &d.labels {
            let Some(contents) = sources.get(&l.path) else {
                continue;
            };
            let id = *ids
                .entry(l.path.clone())
                .or_insert_with(|| files.add(display_path(&l.path), contents.clone()));
            let style = if l.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            let end = l.span.end.min(contents.len());
            let start = l.span.start.min(end);
            labels.push(cs::Label::new(style, id, start..end).with_message(l.message.clone()));
        }
        let mut notes = d.notes.clone();
        if d.labels.iter().any(|l| sources.get(&l.path).is_none()) {
            for l in d.labels.iter().filter(|l| sources.get(&l.path).is_none()) {
                notes.push(format!("in {}: {}", display_path(&l.path), l.message));
            }
        }
        if d.inclusion_path.len() > 1 {
            let chain: Vec<String> = d.inclusion_path.iter().map(|p| p.to_string()).collect();
            notes.push(format!("inclusion path: {}", chain.join(" -> ")));
        }
        let header = match &d.package {
            Some(p) if !d.message.contains(&p.name) => format!("{} ({p})", d.message),
            _ => d.message.clone(),
        };
        let diag = cs::Diagnostic::new(severity)
            .with_code(d.code.as_str())
            .with_message(header)
            .with_labels(labels)
            .with_notes(notes);
        codespan_reporting::term::emit_to_write_style(w, &config, &files, &diag)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    Ok(())
}

/// A path as humans should read it: `..` resolved lexically (vendored sources show up as
/// `ws/../vendor/x`), and relative to the current directory when below it, as rustc prints.
pub fn display_path(path: &camino::Utf8Path) -> String {
    let clean = normalize(path);
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| camino::Utf8PathBuf::from_path_buf(d).ok());
    match cwd.as_deref().and_then(|c| clean.strip_prefix(c).ok()) {
        Some(rel) if !rel.as_str().is_empty() => rel.to_string(),
        _ => clean.to_string(),
    }
}

/// Resolves `.` and `..` without touching the file system.
pub fn normalize(path: &camino::Utf8Path) -> camino::Utf8PathBuf {
    use camino::Utf8Component;
    let mut out = camino::Utf8PathBuf::new();
    for c in path.components() {
        match c {
            Utf8Component::CurDir => {}
            Utf8Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_parent_components() {
        assert_eq!(
            normalize(camino::Utf8Path::new("/a/ws/../vendor/x/Cargo.toml")),
            "/a/vendor/x/Cargo.toml"
        );
        assert_eq!(normalize(camino::Utf8Path::new("a/./b")), "a/b");
    }
}
