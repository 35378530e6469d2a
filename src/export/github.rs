//! GitHub Actions workflow commands (`--format github`): one `::error`, `::warning` or
//! `::notice` line per finding, which the runner turns into an annotation on the file and
//! line, for repositories without code scanning:
//!
//! ```text
//! ::error file=Cargo.lock,line=12,col=1,endLine=13,endColumn=20,title=advisory-vulnerability::vulnlib v1.0.0 is affected by ...
//! ```
//!
//! Escaping as the runner expects it: in the message `%`, CR and LF become `%25`, `%0D`,
//! `%0A` (so multi-line messages stay one command); in property values `:` and `,` become
//! `%3A` and `%2C` as well.

use super::{Anchors, Locator, full_message};
use crate::diag::{Diagnostic, Severity, SourceMap};

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow commands of `diagnostics`, one line each.
pub fn to_commands(diagnostics: &[Diagnostic], sources: &SourceMap, anchors: &Anchors) -> String {
    let mut locator = Locator::default();
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(l) = locator.locate(d, sources, anchors).first() {
            props.push(format!("file={}", escape_property(&l.uri)));
            props.push(format!("line={}", l.start_line));
            props.push(format!("col={}", l.start_column));
            props.push(format!("endLine={}", l.end_line));
            // The runner takes endColumn only on the start line.
            if l.end_line == l.start_line {
                props.push(format!("endColumn={}", l.end_column));
            }
        }
        props.push(format!("title={}", escape_property(d.code.as_str())));
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&full_message(d))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
