//! Signing. (Being written: see issue 5.)

pub mod keygen;
pub mod verify;
