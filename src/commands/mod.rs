//! Command implementations that are not a module of their own (`check`, `init`, `vex`).

pub mod check;
pub mod init;
pub mod vex;
