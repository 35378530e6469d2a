//! A TOML value tree with a byte span on every value, for the policy sections whose entries
//! take several shapes (a crate spec as a string or a table, `{ crate, reason }` wrappers,
//! cargo-deny's removed keys): serde's derive cannot say "a string or a table" without
//! naming an internal type, so these sections are read as [`Value`]s and taken apart with a
//! [`Table`] helper whose errors say what the key takes in TOML words.

use crate::policy::Validator;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::ops::Range;
use toml::Spanned;

/// A TOML value whose nested values keep their spans.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Boolean(bool),
    /// A date or time (kept as written).
    Datetime(String),
    /// An array.
    Array(Vec<Spanned<Value>>),
    /// A table, keys in file order.
    Table(Vec<(String, Spanned<Value>)>),
}

impl Value {
    /// The TOML word for the value's type (for "expected X, found Y").
    pub fn type_words(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    /// Renders the value back as inline TOML (for "write it as ..." hints).
    pub fn to_toml(&self) -> String {
        match self {
            Value::String(s) => toml_string(s),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Boolean(b) => b.to_string(),
            Value::Datetime(d) => d.clone(),
            Value::Array(a) => format!(
                "[{}]",
                a.iter()
                    .map(|v| v.get_ref().to_toml())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Table(t) => format!(
                "{{ {} }}",
                t.iter()
                    .map(|(k, v)| format!("{k} = {}", v.get_ref().to_toml()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// A TOML basic string literal for `s`.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a TOML value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Boolean(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Integer(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                i64::try_from(v)
                    .map(Value::Integer)
                    .map_err(|_| E::custom("integer out of range"))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Value, E> {
                Ok(Value::String(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Value, E> {
                Ok(Value::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Spanned<Value>>()? {
                    out.push(v);
                }
                Ok(Value::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut out: Vec<(String, Spanned<Value>)> = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    // toml's datetimes arrive as a one-key map with a private key.
                    if k == "$__toml_private_datetime" {
                        let s: String = map.next_value()?;
                        return Ok(Value::Datetime(s));
                    }
                    let v: Spanned<Value> = map.next_value()?;
                    out.push((k, v));
                }
                Ok(Value::Table(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A table being taken apart: each `take_*` removes a key; [`Table::finish`] reports the keys
/// left over as unknown. Errors go to the [`Validator`], the caller gets `None`.
#[derive(Debug)]
pub struct Table {
    /// What the table is, for messages (`[bans]`, "a `deny` entry").
    pub what: String,
    /// The table's span.
    pub span: Range<usize>,
    entries: Vec<(String, Spanned<Value>)>,
}

impl Table {
    /// Opens `value` as a table, or reports that `what` must be one.
    pub fn new(value: Spanned<Value>, what: &str, v: &mut Validator<'_>) -> Option<Table> {
        let span = value.span();
        match value.into_inner() {
            Value::Table(entries) => Some(Table {
                what: what.to_string(),
                span,
                entries,
            }),
            other => {
                v.error(
                    span,
                    format!("{what} must be a table, found {}", other.type_words()),
                );
                None
            }
        }
    }

    /// A one-key table around a value already taken out of its table (to reuse the typed
    /// getters on it).
    pub fn single(key: &str, val: Spanned<Value>) -> Table {
        Table {
            what: format!("`{key}`"),
            span: val.span(),
            entries: vec![(key.to_string(), val)],
        }
    }

    /// Whether the key is present.
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// Whether keys are left.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes and returns a key's value.
    pub fn take(&mut self, key: &str) -> Option<Spanned<Value>> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(i).1)
    }

    /// A string key.
    pub fn string(&mut self, key: &str, v: &mut Validator<'_>) -> Option<Spanned<String>> {
        let val = self.take(key)?;
        expect_string(val, key, v)
    }

    /// A boolean key.
    pub fn boolean(&mut self, key: &str, v: &mut Validator<'_>) -> Option<Spanned<bool>> {
        let val = self.take(key)?;
        let span = val.span();
        match val.into_inner() {
            Value::Boolean(b) => Some(Spanned::new(span, b)),
            other => {
                v.error(
                    span,
                    format!("`{key}` takes true or false, found {}", other.type_words()),
                );
                None
            }
        }
    }

    /// A non-negative integer key.
    pub fn unsigned(&mut self, key: &str, v: &mut Validator<'_>) -> Option<Spanned<u64>> {
        let val = self.take(key)?;
        let span = val.span();
        match val.into_inner() {
            Value::Integer(i) if i >= 0 => Some(Spanned::new(span, i as u64)),
            Value::Integer(i) => {
                v.error(span, format!("`{key}` must not be negative, found {i}"));
                None
            }
            other => {
                v.error(
                    span,
                    format!("`{key}` takes a whole number, found {}", other.type_words()),
                );
                None
            }
        }
    }

    /// An array key; each element is handed over with its span.
    pub fn array(&mut self, key: &str, v: &mut Validator<'_>) -> Option<Vec<Spanned<Value>>> {
        let val = self.take(key)?;
        let span = val.span();
        match val.into_inner() {
            Value::Array(a) => Some(a),
            other => {
                v.error(
                    span,
                    format!("`{key}` takes an array, found {}", other.type_words()),
                );
                None
            }
        }
    }

    /// An array of strings.
    pub fn strings(&mut self, key: &str, v: &mut Validator<'_>) -> Option<Vec<Spanned<String>>> {
        let val = self.take(key)?;
        Some(strings_of(val, key, v))
    }

    /// One of a fixed set of strings (`deny`, `warn`, `allow`, ...).
    pub fn choice(
        &mut self,
        key: &str,
        choices: &[&'static str],
        v: &mut Validator<'_>,
    ) -> Option<Spanned<&'static str>> {
        let s = self.string(key, v)?;
        match choices.iter().find(|c| **c == s.get_ref()) {
            Some(c) => Some(Spanned::new(s.span(), *c)),
            None => {
                v.error(
                    s.span(),
                    format!(
                        "`{key}` takes one of {}, found \"{}\"",
                        choices
                            .iter()
                            .map(|c| format!("\"{c}\""))
                            .collect::<Vec<_>>()
                            .join(", "),
                        s.get_ref()
                    ),
                );
                None
            }
        }
    }

    /// Reports every key left as unknown (with the known keys as a hint).
    pub fn finish(self, known: &[&str], v: &mut Validator<'_>) {
        for (k, val) in self.entries {
            let hint = crate::policy::closest(&k, known)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_else(|| {
                    if known.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; expected one of {}",
                            known
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                });
            v.error(
                val.span(),
                format!("unknown key `{k}` in {}{hint}", self.what),
            );
        }
    }
}

/// A string value, or an error saying `what` takes a string.
pub fn expect_string(
    val: Spanned<Value>,
    what: &str,
    v: &mut Validator<'_>,
) -> Option<Spanned<String>> {
    let span = val.span();
    match val.into_inner() {
        Value::String(s) => Some(Spanned::new(span, s)),
        other => {
            let what = if what.starts_with("each") || what.starts_with("a ") {
                what.to_string()
            } else {
                format!("`{what}`")
            };
            v.error(
                span,
                format!("{what} takes a string, found {}", other.type_words()),
            );
            None
        }
    }
}

/// An array of strings held by `key` (errors in TOML words for anything else).
pub fn strings_of(val: Spanned<Value>, key: &str, v: &mut Validator<'_>) -> Vec<Spanned<String>> {
    let span = val.span();
    match val.into_inner() {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|i| expect_string(i, &format!("each entry of `{key}`"), v))
            .collect(),
        other => {
            v.error(
                span,
                format!(
                    "`{key}` takes an array of strings, found {}",
                    other.type_words()
                ),
            );
            Vec::new()
        }
    }
}
