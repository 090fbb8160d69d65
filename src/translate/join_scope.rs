//! The tables of a FROM clause with joins and how column names resolve among them (`JoinScope`): each
//! table's qualifier, where its columns live (the root, or `__jk`), its known and interval columns, the
//! USING / FULL JOIN merged columns, and what an unqualified name means. The join planner (`join.rs`,
//! `join_outer.rs`, `anti_join.rs`) fills it table by table ([`add_table`]); column references read it.

use super::declared::StarColumn;
use super::{Error, Position};
use sqlparser::ast::{Expr, Ident, Spanned, TableFactor};

/// One table of a FROM clause with joins.
#[derive(Debug, Clone)]
pub(crate) struct JoinTable {
    /// The name that qualifies its columns (alias, or the table name without one).
    pub qualifier: String,
    /// Where its columns live: `None` at the root, `Some("__jk")` for a joined table.
    pub prefix: Option<String>,
    /// Its columns when known (a declared table or view, a CTE, a derived table).
    pub columns: Option<Vec<String>>,
    /// A table of the catalog (`_id` readable as a system column).
    pub declared: bool,
    /// Its columns holding interval documents (a CTE or derived table): read as intervals.
    pub intervals: Vec<String>,
}

/// Column resolution in a query with joins.
#[derive(Debug, Default, Clone)]
pub(crate) struct JoinScope {
    /// The tables, in FROM order.
    pub tables: Vec<JoinTable>,
    /// While translating the ON condition of table k: `Some(k)`; its columns are at the root of the joined
    /// collection and the columns of earlier tables are `let` variables.
    pub inner: Option<usize>,
    /// With `inner`: the ON condition of a RIGHT / FULL join (join_outer.rs) runs inside a `$lookup` of the
    /// tables joined so far (at their usual paths), table k being the outer row (`let` variables).
    pub right_side: bool,
    /// The columns of `*` over the tables so far, in PostgreSQL's order (USING / NATURAL columns first);
    /// `None` when some table's columns are unknown.
    pub star: Option<Vec<super::declared::StarColumn>>,
    /// The `let` variables of the `$lookup` being built: name -> outer path.
    pub lets: Vec<(String, String)>,
    /// `JOIN ... USING (col)` columns: name -> qualifier of the table whose column the unqualified name means.
    pub using: Vec<(String, String)>,
    /// `FULL JOIN ... USING (col)` columns: name -> `COALESCE(l.col, r.col)`, what the unqualified name means.
    pub merged: Vec<(String, Expr)>,
}

impl JoinScope {
    /// Whether a column reference (`q.c`, or an unqualified `c` of one visible table or a USING column) reads
    /// a column holding interval documents (`JoinTable::intervals`); `None` when the name is not of these
    /// tables (an enclosing query's column).
    pub(crate) fn interval_column(&self, parts: &[Ident]) -> Option<bool> {
        let of = |q: &str, c: &str| {
            self.tables
                .iter()
                .find(|t| t.qualifier == q)
                .map(|t| t.intervals.iter().any(|i| i == c))
        };
        match parts {
            [q, c] => of(&q.value, &c.value),
            [c] => {
                if let Some((_, owner)) = self.using.iter().find(|(n, _)| *n == c.value) {
                    return of(owner, &c.value);
                }
                match resolve_unqualified(self, &c.value) {
                    Unqualified::Table(q) => of(&q, &c.value),
                    Unqualified::Missing => None,
                    Unqualified::Ambiguous | Unqualified::Unknown => Some(false),
                }
            }
            _ => Some(false),
        }
    }
}

/// Adds a table to `scope` (its columns under `__jk` past the first), refusing a qualifier used twice; `*`'s
/// columns grow by its known columns (unknown from then on if they are not).
pub(crate) fn add_table(
    scope: &mut JoinScope,
    qualifier: String,
    relation: &TableFactor,
    columns: Option<Vec<String>>,
    declared: bool,
    intervals: Vec<String>,
) -> Result<(), Error> {
    if scope.tables.iter().any(|t| t.qualifier == qualifier) {
        return Err(Error::Invalid {
            message: format!("table name \"{qualifier}\" specified more than once (use an alias)"),
            position: Position::from(relation.span().start),
        });
    }
    let prefix = if scope.tables.is_empty() {
        None
    } else {
        Some(format!("__j{}", scope.tables.len()))
    };
    let mine: Option<Vec<StarColumn>> = columns
        .as_ref()
        .map(|cols| cols.iter().map(|c| StarColumn::of(&qualifier, c)).collect());
    scope.star = if scope.tables.is_empty() {
        mine
    } else {
        match (scope.star.take(), mine) {
            (Some(mut l), Some(r)) => {
                l.extend(r);
                Some(l)
            }
            _ => None,
        }
    };
    scope.tables.push(JoinTable {
        qualifier,
        prefix,
        columns,
        declared,
        intervals,
    });
    Ok(())
}

/// What an unqualified name means in a query with joins.
pub(super) enum Unqualified {
    /// The column of this table (qualifier).
    Table(String),
    /// Of several tables: PostgreSQL's "ambiguous".
    Ambiguous,
    /// Of no table, every table's columns being known.
    Missing,
    /// Some table's columns are unknown (a schemaless collection): refused.
    Unknown,
}

/// Resolves an unqualified name among the tables visible here (in the ON condition of table k, tables
/// 0..=k), by their known columns.
pub(super) fn resolve_unqualified(scope: &JoinScope, name: &str) -> Unqualified {
    let visible = match scope.inner {
        Some(k) => &scope.tables[..(k + 1).min(scope.tables.len())],
        None => &scope.tables[..],
    };
    let mut hits = visible.iter().filter(|t| {
        t.columns
            .as_ref()
            .is_some_and(|c| c.iter().any(|x| x == name))
            || (t.declared && name == "_id")
    });
    let first = hits.next();
    if hits.next().is_some() {
        return Unqualified::Ambiguous;
    }
    if visible.iter().any(|t| t.columns.is_none()) {
        return Unqualified::Unknown;
    }
    match first {
        Some(t) => Unqualified::Table(t.qualifier.clone()),
        None => Unqualified::Missing,
    }
}
