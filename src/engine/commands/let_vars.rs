//! The command-level `let` option: user variables bound once for a whole command (mongod 5.0+).

use crate::engine::expr::Vars;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The command-level `let` of find, aggregate, update, delete and findAndModify: each variable's expression
/// is evaluated once (against no document; `$$NOW` and the variables before it are visible) and bound for the
/// whole command, as `$$name` in `$expr`, pipelines and pipeline updates.
pub(super) fn command_let(name: &str, cmd: &Document, vars: Vars) -> Result<Vars, CommandError> {
    let Some(spec) = cmd.get("let") else {
        return Ok(vars);
    };
    if !matches!(
        name,
        "find" | "aggregate" | "update" | "delete" | "findAndModify" | "findandmodify"
    ) {
        return Ok(vars);
    }
    let Bson::Document(spec) = spec else {
        return Err(CommandError::type_mismatch(format!(
            "BSON field '{name}.let' is the wrong type '{}', expected type 'object'",
            crate::engine::bson_order::type_name(spec)
        )));
    };
    let mut vars = vars;
    let empty = Document::new();
    for (var, expr) in spec {
        check_user_variable_name(var)?;
        let value = crate::engine::expr::Expr::compile(expr)?
            .eval(&empty, &vars)?
            .unwrap_or(Bson::Null);
        vars.push(var, value);
    }
    Ok(vars)
}

/// mongod's rules for a user variable's name: not empty, starting with a lowercase letter or a non-ASCII
/// character, then letters, digits, `_` or non-ASCII characters.
fn check_user_variable_name(var: &str) -> Result<(), CommandError> {
    let Some(first) = var.chars().next() else {
        return Err(CommandError::location(
            16866,
            "empty variable names are not allowed",
        ));
    };
    if first.is_ascii() && !first.is_ascii_lowercase() {
        return Err(CommandError::location(
            16867,
            format!("'{var}' starts with an invalid character for a user variable name"),
        ));
    }
    if let Some(c) = var
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || !c.is_ascii()))
    {
        return Err(CommandError::location(
            16868,
            format!("'{var}' contains an invalid character for a variable name: '{c}'"),
        ));
    }
    Ok(())
}
