//! The collation a command runs under (its own, else its collection's or view's default) and the scope of
//! one write statement's own collation (`engine::collation`).

use super::poisoned;
use super::{get_coll, Ctx};
use crate::engine::collation;
use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The collation a command runs under: its `collation` field, else the default collation of the collection
/// or view it names (`None`: simple). A view's collation cannot be overridden (167), as in mongod.
pub(super) fn command_collation(
    ctx: &Ctx,
    name: &str,
    cmd: &Document,
) -> Result<Option<std::sync::Arc<collation::Collation>>, CommandError> {
    // `explain` runs its inner command under that command's collation.
    if name == "explain" {
        return match cmd.get("explain") {
            Some(Bson::Document(inner)) => match inner.keys().next() {
                Some(n) if n != "explain" => command_collation(ctx, &n.clone(), inner),
                _ => Ok(None),
            },
            _ => Ok(None),
        };
    }
    let takes = matches!(
        name,
        "find"
            | "aggregate"
            | "count"
            | "distinct"
            | "update"
            | "delete"
            | "findAndModify"
            | "findandmodify"
            // no `collation` field, but a validator compares by the collection's default collation
            | "insert"
    );
    if !takes {
        return Ok(None);
    }
    let given = collation::of_command(cmd)?;
    // No collection anywhere has a default collation: nothing to look up (the usual case).
    if !collation::defaults_exist() {
        return Ok(given.flatten());
    }
    let Ok(Bson::String(coll)) = cmd.get(name).ok_or(()) else {
        return Ok(given.flatten());
    };
    let state = ctx.inner.state.read().map_err(|_| poisoned())?;
    let Some(c) = get_coll(&state, ctx.db, coll) else {
        return Ok(given.flatten());
    };
    let default = collation::of_options(c.options());
    match given {
        Some(g) if c.is_view() && !collation::same(g.as_ref(), default.as_ref()) => {
            Err(CommandError::new(
                ErrorCode::OptionNotSupportedOnView,
                format!(
                    "Cannot override a view's default collation {}",
                    default.as_ref().map_or_else(
                        || "{ locale: \"simple\" }".to_string(),
                        |d| d.spec().to_string()
                    )
                ),
            ))
        }
        Some(g) => Ok(g),
        None => Ok(default),
    }
}

/// The collation scope of one `update` / `delete` statement that names its own collation (`None`: the
/// command's stays active).
pub(super) fn statement_collation(s: &Document) -> Result<Option<collation::Scope>, CommandError> {
    Ok(collation::of_command(s)?.map(collation::enter))
}
