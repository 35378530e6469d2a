//! VEX (Vulnerability Exploitability eXchange): one model, with a reader and a writer per
//! format.

mod vocab;

pub use vocab::{Justification, Status};
