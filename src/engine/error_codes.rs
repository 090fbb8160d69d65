//! The error-code table: [`crate::command_error::codes`], re-exported for engine code.

pub use crate::command_error::codes::{ErrorCode, NAMED};
