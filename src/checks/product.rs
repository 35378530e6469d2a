//! CRA product metadata check. (Logic being written next.)

use super::CheckCtx;
use crate::diag::Diagnostics;
use crate::error::Result;
use crate::policy::Validator;
use serde::Deserialize;
use toml::Spanned;

/// `[product]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    min_support_years: Option<Spanned<i64>>,
    members: Option<Vec<Spanned<String>>>,
}

/// `[product]`, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Minimum support period in years.
    pub min_support_years: u32,
    /// Explicit product members (names), with their spans in the policy.
    pub members: Option<Vec<(String, std::ops::Range<usize>)>>,
}

impl Config {
    /// Validates the raw section.
    pub fn validate(raw: RawConfig, v: &mut Validator<'_>) -> Config {
        let min_support_years = match raw.min_support_years {
            Some(n) if !(0..=100).contains(n.get_ref()) => {
                v.error(n.span(), "`min-support-years` must be between 0 and 100");
                5
            }
            Some(n) => *n.get_ref() as u32,
            None => 5,
        };
        Config { min_support_years, members: raw.members.map(|m| m.into_iter().map(|s| { let sp = s.span(); (s.into_inner(), sp) }).collect()) }
    }
}

/// Runs the product metadata check.
pub fn check(_ctx: &CheckCtx<'_>, _sink: &mut Diagnostics) -> Result<()> {
    Ok(())
}
