//! Command implementations that are not a module of their own (`check`, `init`).

pub mod check;
pub mod init;
