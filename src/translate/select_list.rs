//! The SELECT list and the clauses around it as select.rs reads them: the columns (or a star), the refusal of
//! clauses PostgreSQL has no equivalent for, GROUP BY items, ORDER BY / GROUP BY references to output
//! columns, and PostgreSQL's name of an unaliased column.

use super::query::{output_column, SortKey};
use super::select::Column;
use super::{Error, Position};
use crate::translate::Refusal;
use sqlparser::ast::{Distinct, Expr, GroupByExpr, Select, SelectItem, WildcardAdditionalOptions};
use std::borrow::Cow;

/// The SELECT list read: its columns, or a star (`*`, or `t.*` with the qualifier).
pub(super) struct SelectList<'a> {
    pub(super) columns: Vec<Column<'a>>,
    pub(super) wildcard: bool,
    pub(super) qualified_star: Option<String>,
}

/// A refusal of a clause `what` at `pos`.
pub(super) fn refuse_at(what: &str, pos: Position) -> Error {
    Error::Unsupported {
        kind: Refusal::Clause,
        construct: what.to_string(),
        position: pos,
    }
}

/// Refuses the SELECT modifiers and clauses PostgreSQL has no equivalent for (or sqlmongo does not
/// translate); returns whether the SELECT is DISTINCT.
pub(super) fn refuse_unsupported_clauses(s: &Select, pos: Position) -> Result<bool, Error> {
    let Select {
        select_token: _,
        optimizer_hints,
        distinct,
        select_modifiers,
        top,
        top_before_distinct: _,
        projection: _,
        exclude,
        into,
        from: _,
        lateral_views,
        prewhere,
        selection: _,
        connect_by,
        group_by: _,
        cluster_by,
        distribute_by,
        sort_by,
        having: _,
        named_window: _,
        qualify,
        window_before_qualify: _,
        value_table_mode,
        flavor: _,
    } = s;
    if !optimizer_hints.is_empty()
        || select_modifiers.is_some()
        || top.is_some()
        || exclude.is_some()
        || into.is_some()
    {
        return Err(refuse_at("this SELECT modifier", pos));
    }
    if !lateral_views.is_empty()
        || prewhere.is_some()
        || !connect_by.is_empty()
        || !cluster_by.is_empty()
        || !distribute_by.is_empty()
        || !sort_by.is_empty()
        || qualify.is_some()
        || value_table_mode.is_some()
    {
        return Err(refuse_at("this SELECT clause", pos));
    }
    match distinct {
        None | Some(Distinct::All) => Ok(false),
        Some(Distinct::Distinct) => Ok(true),
        Some(Distinct::On(_)) => Ok(false),
    }
}

/// The GROUP BY expressions (ROLLUP / CUBE / GROUPING SETS and GROUP BY ALL refused).
pub(super) fn group_by_list(group_by: &GroupByExpr, pos: Position) -> Result<&[Expr], Error> {
    // ROLLUP / CUBE / GROUPING SETS items are expanded by grouping_sets.rs; `WITH ROLLUP` (MySQL) is not.
    match group_by {
        GroupByExpr::Expressions(list, modifiers) => {
            if !modifiers.is_empty() {
                return Err(refuse_at("GROUP BY modifiers (ROLLUP/CUBE/...)", pos));
            }
            Ok(list.as_slice())
        }
        GroupByExpr::All(_) => Err(refuse_at("GROUP BY ALL", pos)),
    }
}

/// The SELECT list: named columns, or one star.
pub(super) fn select_list(
    projection: &[SelectItem],
    pos: Position,
) -> Result<SelectList<'_>, Error> {
    let mut wildcard = false;
    let mut qualified_star: Option<String> = None;
    let mut columns = Vec::new();
    for item in projection {
        match item {
            SelectItem::UnnamedExpr(e) => columns.push(Column {
                name: column_name(e),
                source: Cow::Borrowed(e),
            }),
            SelectItem::ExprWithAlias { expr, alias } => columns.push(Column {
                name: alias.value.clone(),
                source: Cow::Borrowed(expr),
            }),
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) if wildcard => {
                // A second star (`t1.*, t2.*`): each star alone stands for a whole row, and two would have
                // to be merged field by field (same-named columns collide); only one is translated.
                return Err(Error::Unsupported {
                    kind: Refusal::Clause,
                    construct: "more than one * in the SELECT list (name the columns)".into(),
                    position: star_position(item).unwrap_or(pos),
                });
            }
            SelectItem::Wildcard(opts) => {
                if has_options(opts) {
                    return Err(refuse_at("wildcard options", pos));
                }
                wildcard = true;
            }
            SelectItem::QualifiedWildcard(kind, _) => {
                qualified_star = Some(kind.to_string().trim_end_matches(".*").to_string());
                wildcard = true
            }
            SelectItem::ExprWithAliases { .. } => return Err(refuse_at("multiple aliases", pos)),
        }
    }
    if wildcard && !columns.is_empty() {
        return Err(refuse_at("* together with other columns", pos));
    }
    Ok(SelectList {
        columns,
        wildcard,
        qualified_star,
    })
}

/// ORDER BY and GROUP BY items with their ordinals and output-column aliases resolved to the SELECT
/// expressions (PostgreSQL's rules, query.rs `output_column`).
pub(super) fn resolve_references(
    keys: Vec<SortKey>,
    group_exprs: &[Expr],
    columns: &[Column<'_>],
) -> Result<(Vec<SortKey>, Vec<Expr>), Error> {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let is_alias = |i: usize| !matches!(columns[i].source.as_ref(), Expr::Identifier(x) if x.value == columns[i].name);
    let resolve = |e: &Expr| -> Result<Expr, Error> {
        Ok(match output_column(e, &names, is_alias)? {
            Some(i) => columns[i].source.as_ref().clone(),
            None => e.clone(),
        })
    };
    let mut sort_keys = Vec::with_capacity(keys.len());
    for k in keys {
        sort_keys.push(SortKey {
            expr: resolve(&k.expr)?,
            desc: k.desc,
            nulls_first: k.nulls_first,
        });
    }
    let mut group_keys = Vec::with_capacity(group_exprs.len());
    for g in group_exprs {
        group_keys.push(resolve(g)?);
    }
    Ok((sort_keys, group_keys))
}

/// PG's output column name for an unaliased expression.
pub(crate) fn column_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        Expr::CompoundIdentifier(parts) => {
            parts.last().map(|p| p.value.clone()).unwrap_or_default()
        }
        Expr::Nested(inner) => column_name(inner),
        Expr::Cast { expr, .. } => column_name(expr),
        Expr::Function(f) => crate::translate::names::function_name(&f.name),
        Expr::Case { .. } => "case".into(),
        Expr::Extract { .. } => "extract".into(),
        Expr::Substring { .. } => "substring".into(),
        Expr::Position { .. } => "position".into(),
        Expr::Trim { .. } => "btrim".into(),
        _ => "?column?".into(),
    }
}

/// Where a `*` / `t.*` item starts, when its tokens say.
fn star_position(item: &SelectItem) -> Option<Position> {
    match item {
        SelectItem::Wildcard(w) => Some(Position::from(w.wildcard_token.0.span.start)),
        SelectItem::QualifiedWildcard(
            sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(name),
            _,
        ) => name
            .0
            .first()
            .and_then(|p| p.as_ident())
            .map(|i| Position::from(i.span.start)),
        _ => None,
    }
}

/// Whether a `*` carries options (`EXCLUDE`, `EXCEPT`, `REPLACE`, `RENAME`, `ILIKE`: not PostgreSQL's; refused).
pub(crate) fn has_options(opts: &WildcardAdditionalOptions) -> bool {
    opts.opt_exclude.is_some()
        || opts.opt_except.is_some()
        || opts.opt_replace.is_some()
        || opts.opt_rename.is_some()
        || opts.opt_ilike.is_some()
}
