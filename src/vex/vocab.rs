//! The VEX vocabulary shared by every format and by the policy's triage entries: the four
//! statuses and the five justifications of OpenVEX 0.2.0 (CISA's minimum VEX requirements),
//! which CycloneDX and CSAF map onto (see docs/vex.md).

use serde::{Deserialize, Serialize};

/// The status of a product with respect to a vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The product is not affected (with a justification or an impact statement).
    NotAffected,
    /// The product is affected (with an action statement).
    Affected,
    /// The product contains a fix.
    Fixed,
    /// It is not yet known whether the product is affected.
    UnderInvestigation,
}

impl Status {
    /// Every status.
    pub const ALL: &'static [Status] = &[
        Status::NotAffected,
        Status::Affected,
        Status::Fixed,
        Status::UnderInvestigation,
    ];

    /// The OpenVEX name (`not_affected`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotAffected => "not_affected",
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }

    /// Parses the OpenVEX name.
    pub fn from_name(s: &str) -> Option<Status> {
        Status::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    /// Whether a statement with this status settles a finding (`not_affected`, `fixed`):
    /// the finding becomes a note. `affected` and `under_investigation` keep it.
    pub fn settles(self) -> bool {
        matches!(self, Status::NotAffected | Status::Fixed)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a product is not affected (OpenVEX 0.2.0 justifications).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    /// The vulnerable component is not in the product.
    ComponentNotPresent,
    /// The component is there but the vulnerable code is not.
    VulnerableCodeNotPresent,
    /// The vulnerable code cannot be reached at run time.
    VulnerableCodeNotInExecutePath,
    /// The vulnerable code cannot be controlled by an attacker.
    VulnerableCodeCannotBeControlledByAdversary,
    /// The product has built-in protections against the vulnerability.
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// Every justification.
    pub const ALL: &'static [Justification] = &[
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The OpenVEX name (`component_not_present`, ...), also CSAF's flag label.
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// Parses the OpenVEX name.
    pub fn from_name(s: &str) -> Option<Justification> {
        Justification::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for Justification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &s in Status::ALL {
            assert_eq!(Status::from_name(s.as_str()), Some(s));
        }
        for &j in Justification::ALL {
            assert_eq!(Justification::from_name(j.as_str()), Some(j));
        }
        assert_eq!(Status::from_name("exploitable"), None);
    }
}
