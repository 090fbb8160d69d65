//! The engine's command error: [`crate::command_error::CommandError`], re-exported where engine code and
//! its users have always found it.

pub use crate::command_error::{CommandError, ErrorCode};
