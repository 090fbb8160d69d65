//! What a [`super::Catalog`] changes in a query: `*` / `t.*` expanded to the declared (or otherwise known)
//! columns, unknown columns of declared relations refused as PostgreSQL refuses them.
//!
//! `SELECT *` over relations whose columns are all known (declared tables, views of the catalog, CTEs and
//! derived tables) becomes the list of those columns, relation by relation in FROM order, with the columns a
//! `USING` / `NATURAL` join merged first (PostgreSQL's order); `_id` is not among them unless declared (it
//! stays readable by name, as a system column). A relation of unknown columns (a schemaless collection)
//! keeps the schemaless rules (`*` is the documents' fields).

use super::cte::Binding;
use super::{Error, Position, Translator};
use crate::translate::context::QueryContext;
use sqlparser::ast::{Expr, Ident, SelectItem, SelectItemQualifiedWildcardKind};

/// `q.rest` of a relation with known columns: `column q.x does not exist` when `x` is not one of them
/// (`_id` excepted for a declared table).
pub(crate) fn check_declared(b: &Binding, q: &Ident, rest: &[Ident]) -> Result<(), Error> {
    let (Some(cols), Some(first)) = (&b.columns, rest.first()) else {
        return Ok(());
    };
    if cols.contains(&first.value) || (b.declared && first.value == "_id") {
        return Ok(());
    }
    Err(Error::Invalid {
        message: format!("column {}.{} does not exist", q.value, first.value),
        position: Position::from(q.span.start),
    })
}

/// One column of a `*` expansion: its output name and the expression that reads it.
#[derive(Debug, Clone)]
pub(crate) struct StarColumn {
    /// The output name.
    pub name: String,
    /// The relation (qualifier) the column belongs to; `None` for a column merged by USING / NATURAL.
    pub owner: Option<String>,
    /// How to read it.
    pub expr: Expr,
}

impl StarColumn {
    /// `q.c` of relation `q`.
    pub fn of(q: &str, c: &str) -> StarColumn {
        StarColumn {
            name: c.to_string(),
            owner: Some(q.to_string()),
            expr: Expr::CompoundIdentifier(vec![Ident::new(q), Ident::new(c)]),
        }
    }
}

/// The declared types that hold one scalar per document (the validator refuses an array there).
const SCALAR_TYPES: &[&str] = &[
    "text",
    "integer",
    "bigint",
    "numeric",
    "double precision",
    "boolean",
    "timestamptz",
    "timestamp",
    "date",
];

impl Translator {
    /// Whether a column reference reads a column declared NOT NULL (or PRIMARY KEY) of the one relation of a
    /// FROM without joins: the collection's validator refuses a document without a value there, so the
    /// reference is never NULL (ORDER BY needs no NULL flag, a comparison no NULL guard, and an index can
    /// serve the sort). Anything else (joins, whose outer sides add NULLs; derived tables; several
    /// relations) is nullable as before.
    pub(crate) fn declared_not_null(&self, cx: &QueryContext, parts: &[Ident]) -> bool {
        if self.has_joins(cx) {
            return false;
        }
        let [b] = cx.scope.as_slice() else {
            return false;
        };
        let (true, Some(collection)) = (b.declared, b.collection.as_deref()) else {
            return false;
        };
        let column = match parts {
            [q, c] if q.value == b.name => &c.value,
            [c] => &c.value,
            _ => return false,
        };
        self.catalog.is_not_null(collection, column)
    }

    /// Whether column `column` of the declared table `collection` has a type that holds one scalar per
    /// document (text, the integer and floating types, numeric, boolean, timestamps): the collection's
    /// validator refuses an array there, so `{column: {$ne: null}}` is exactly `column IS NOT NULL`.
    pub(crate) fn declared_scalar(&self, collection: &str, column: &str) -> bool {
        self.catalog
            .column(collection, column)
            .and_then(|c| c.ty.as_deref())
            .is_some_and(|t| SCALAR_TYPES.contains(&t))
    }

    /// Whether `e` is a reference to a declared column (`t.c` or an unqualified `c` of exactly one declared
    /// table of this FROM) of a type that holds one scalar per document (as [`declared_scalar`]): never an
    /// array or a document, so a sort on the field orders it as on the value itself.
    ///
    /// [`declared_scalar`]: Self::declared_scalar
    pub(crate) fn declared_scalar_ref(&self, cx: &QueryContext, e: &Expr) -> bool {
        let parts = match e {
            Expr::Identifier(i) => std::slice::from_ref(i),
            Expr::CompoundIdentifier(parts) => parts.as_slice(),
            _ => return false,
        };
        self.declared_type(cx, parts)
            .is_some_and(|t| SCALAR_TYPES.contains(&t.as_str()))
    }

    /// The kind a declared column's type gives a reference to it (`t.c` or an unqualified `c` of exactly one
    /// declared table of this FROM): only timestamps are typed this way, so comparisons with untyped
    /// literals and `b - a` follow PostgreSQL's timestamp rules; other columns stay of unknown kind (their
    /// values are checked at run time, as a schemaless field's).
    pub(crate) fn declared_kind(&self, cx: &QueryContext, parts: &[Ident]) -> super::expr::Kind {
        match self.declared_type(cx, parts).as_deref() {
            Some("timestamptz" | "timestamp" | "date") => super::expr::Kind::Timestamp,
            _ if self.relation_interval(cx, parts) => super::expr::Kind::Interval,
            _ => super::expr::Kind::Unknown,
        }
    }

    /// Whether `e` reads a column declared `timestamptz` (`t.c`, or an unqualified `c` of exactly one
    /// declared table of this FROM): the collection's validator admits only a date or NULL there, so a cast
    /// of it to `timestamptz` gives its value back.
    pub(crate) fn declared_timestamptz(&self, cx: &QueryContext, e: &Expr) -> bool {
        let parts = match e {
            Expr::Identifier(c) => std::slice::from_ref(c),
            Expr::CompoundIdentifier(parts) => parts.as_slice(),
            _ => return false,
        };
        self.declared_type(cx, parts).as_deref() == Some("timestamptz")
    }

    /// Whether `e` is an SQL integer by the declared types (a whole number or NULL at run time): an
    /// integer literal, a declared `integer` / `bigint` / `smallint` column, and `+ - * %` or a sign of
    /// such. An interval's product by one needs no run-time test of a fraction (`interval_expr::scale_whole`).
    pub(crate) fn whole_number(&self, cx: &QueryContext, e: &Expr) -> bool {
        use sqlparser::ast::{BinaryOperator as B, UnaryOperator as U, Value};
        let integer = |parts: &[Ident]| {
            matches!(
                self.declared_type(cx, parts).as_deref(),
                Some("integer" | "bigint" | "smallint")
            )
        };
        match e {
            Expr::Nested(x) => self.whole_number(cx, x),
            Expr::UnaryOp {
                op: U::Minus | U::Plus,
                expr,
            } => self.whole_number(cx, expr),
            Expr::BinaryOp {
                left,
                op: B::Plus | B::Minus | B::Multiply | B::Modulo,
                right,
            } => self.whole_number(cx, left) && self.whole_number(cx, right),
            Expr::Identifier(c) => integer(std::slice::from_ref(c)),
            Expr::CompoundIdentifier(parts) => integer(parts),
            Expr::Value(v) => {
                matches!(&v.value, Value::Number(n, _) if n.bytes().all(|b| b.is_ascii_digit()))
            }
            _ => false,
        }
    }

    /// The declared type of a column reference (`t.c`, or an unqualified `c` of exactly one declared table
    /// of this FROM), as the catalog spells it.
    fn declared_type(&self, cx: &QueryContext, parts: &[Ident]) -> Option<String> {
        let type_of = |b: &Binding, column: &str| -> Option<String> {
            if !b.declared {
                return None;
            }
            self.catalog
                .column(b.collection.as_deref()?, column)
                .and_then(|c| c.ty.clone())
        };
        match parts {
            [q, c] => cx
                .scope
                .iter()
                .find(|b| b.name == q.value)
                .and_then(|b| type_of(b, &c.value)),
            [c] => {
                let mut hits = cx.scope.iter().filter_map(|b| type_of(b, &c.value));
                match (hits.next(), hits.next()) {
                    (Some(t), None) => Some(t),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether a column reference names a column of a CTE or derived table that holds interval documents
    /// (`Binding::intervals`, `JoinTable::intervals`): qualified by the relation, or unqualified and of the
    /// one relation that has it; of this query, else of an enclosing one (a correlated reference, read as the
    /// enclosing query's row holds it).
    fn relation_interval(&self, cx: &QueryContext, parts: &[Ident]) -> bool {
        let here = match &cx.join {
            Some(j) => j.interval_column(parts),
            None => scope_interval(&cx.scope, parts),
        };
        if let Some(answer) = here {
            return answer;
        }
        // From the innermost enclosing query outwards, as `outer_unqualified` / `outer_column` look; an
        // enclosing query past `$group` holds its keys, not its columns.
        for frame in self.rel.outer.iter().rev() {
            if frame.barrier && parts.len() == 1 {
                return false;
            }
            if let Some(answer) = scope_interval(&frame.scope, parts) {
                return answer && !frame.grouped;
            }
        }
        false
    }

    /// `INSERT INTO t VALUES (...)` without a column list into a declared table: its first columns in
    /// declared order, as many as the rows have values (PostgreSQL's rule); `None` otherwise.
    pub(crate) fn implicit_insert_columns(
        &self,
        collection: &str,
        ins: &sqlparser::ast::Insert,
        pos: Position,
    ) -> Result<Option<Vec<String>>, Error> {
        if !ins.columns.is_empty() {
            return Ok(None);
        }
        let Some(table) = self.catalog.tables.get(collection) else {
            return Ok(None);
        };
        let width = match ins.source.as_ref().map(|q| q.body.as_ref()) {
            Some(sqlparser::ast::SetExpr::Values(v)) => {
                v.rows.first().map_or(0, |r| r.content.len())
            }
            _ => return Ok(None),
        };
        if width > table.columns.len() {
            return Err(Error::Invalid {
                message: "INSERT has more expressions than target columns".into(),
                position: pos,
            });
        }
        Ok(Some(
            table.columns[..width]
                .iter()
                .map(|c| c.name.clone())
                .collect(),
        ))
    }

    /// A column of an INSERT column list into a declared table must be declared (its first segment, for a
    /// path into a jsonb column): PostgreSQL's `column "x" of relation "t" does not exist`.
    pub(crate) fn check_insert_column(
        &self,
        collection: &str,
        path: &str,
        pos: Position,
    ) -> Result<(), Error> {
        let Some(table) = self.catalog.tables.get(collection) else {
            return Ok(());
        };
        let first = path.split('.').next().unwrap_or(path);
        if table.columns.iter().any(|c| c.name == first) {
            return Ok(());
        }
        Err(Error::Invalid {
            message: format!("column \"{first}\" of relation \"{collection}\" does not exist"),
            position: pos,
        })
    }

    /// UPDATE / DELETE of a declared table: its columns in scope, so WHERE's unknown columns are errors and
    /// a subquery's unqualified names resolve against them (the target's qualifiers are in `cx.tables`).
    pub(crate) fn bind_declared_target(&mut self, cx: &mut QueryContext, collection: &str) {
        let Some(columns) = self.catalog.columns(collection) else {
            return;
        };
        if !self.catalog.tables.contains_key(collection) {
            return;
        }
        // One binding, named by the alias when there is one (`UPDATE t AS x`: cx.tables is [t, x]).
        let name = cx
            .tables
            .last()
            .cloned()
            .unwrap_or_else(|| collection.to_string());
        cx.scope.push(Binding {
            name,
            prefix: None,
            columns: Some(columns),
            collection: Some(collection.to_string()),
            declared: true,
            intervals: Vec::new(),
        });
    }

    /// The SELECT list with every `*` / `t.*` replaced by the columns it stands for, when a catalog-declared
    /// relation, a join or `distinct` is involved and every column is known; `None` to keep the list as
    /// written (schemaless rules).
    pub(crate) fn expand_stars(
        &self,
        cx: &QueryContext,
        projection: &[SelectItem],
        has_from: bool,
        distinct: bool,
    ) -> Result<Option<Vec<SelectItem>>, Error> {
        let has_star = projection.iter().any(|p| {
            matches!(
                p,
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
            )
        });
        if !has_star || !has_from {
            return Ok(None);
        }
        let relations = self.star_relations(cx);
        let Some(relations) = relations else {
            return Ok(None);
        };
        // Without a declared relation or a join, `*` keeps its schemaless meaning (and its translation);
        // SELECT DISTINCT * needs the columns (it groups on them).
        // A relation with interval columns too: its `*` reads them as intervals (the row layer prints them).
        let declared = distinct
            || cx.scope.iter().any(|b| !b.intervals.is_empty())
            || cx.scope.iter().any(|b| {
                b.declared
                    || b.collection
                        .as_ref()
                        .is_some_and(|c| self.catalog.views.contains_key(c))
            })
            || cx.join.as_ref().is_some_and(|j| {
                j.tables.iter().any(|t| t.declared) || j.tables.iter().all(|t| t.columns.is_some())
            });
        if !declared {
            return Ok(None);
        }
        let single = cx.join.is_none() && cx.scope.len() == 1;
        let mut out = Vec::new();
        for item in projection {
            let cols: Vec<StarColumn> = match item {
                SelectItem::Wildcard(opts) => {
                    if super::select_list::has_options(opts) {
                        return Ok(None);
                    }
                    match &relations.all {
                        Some(all) => all.clone(),
                        None => return Ok(None),
                    }
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    _,
                ) => {
                    let q = n.to_string();
                    match relations.each.iter().find(|(name, _)| *name == q) {
                        Some((_, Some(cols))) => cols.clone(),
                        Some((_, None)) => return Ok(None),
                        None => {
                            return Err(Error::Invalid {
                                message: format!("missing FROM-clause entry for table \"{q}\""),
                                position: n
                                    .0
                                    .first()
                                    .and_then(|p| p.as_ident())
                                    .map(|i| Position::from(i.span.start))
                                    .unwrap_or_default(),
                            })
                        }
                    }
                }
                SelectItem::QualifiedWildcard(..) => return Ok(None),
                other => {
                    out.push(other.clone());
                    continue;
                }
            };
            for c in cols {
                let plain = matches!(&c.expr, Expr::CompoundIdentifier(p) if p.last().is_some_and(|l| l.value == c.name));
                out.push(match (single, plain) {
                    (true, true) => SelectItem::UnnamedExpr(Expr::Identifier(Ident::new(c.name))),
                    (false, true) => SelectItem::UnnamedExpr(c.expr),
                    _ => SelectItem::ExprWithAlias {
                        expr: c.expr,
                        alias: Ident::new(c.name),
                    },
                });
            }
        }
        Ok(Some(out))
    }

    /// The relations of the current FROM with their known columns (`None` for a schemaless one), and the
    /// columns of `*` over all of them when all are known. `None` when FROM has no relation.
    fn star_relations(&self, cx: &QueryContext) -> Option<StarRelations> {
        if let Some(j) = &cx.join {
            let each = j
                .tables
                .iter()
                .map(|t| {
                    (
                        t.qualifier.clone(),
                        t.columns.as_ref().map(|cols| {
                            cols.iter()
                                .map(|c| StarColumn::of(&t.qualifier, c))
                                .collect()
                        }),
                    )
                })
                .collect();
            return Some(StarRelations {
                each,
                all: j.star.clone(),
            });
        }
        if cx.scope.is_empty() {
            return None;
        }
        let each: Vec<(String, Option<Vec<StarColumn>>)> = cx
            .scope
            .iter()
            .map(|b| {
                (
                    b.name.clone(),
                    b.columns
                        .as_ref()
                        .map(|cols| cols.iter().map(|c| StarColumn::of(&b.name, c)).collect()),
                )
            })
            .collect();
        let all = each
            .iter()
            .map(|(_, c)| c.clone())
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().flatten().collect());
        Some(StarRelations { each, all })
    }
}

/// The relations `*` can stand for.
struct StarRelations {
    each: Vec<(String, Option<Vec<StarColumn>>)>,
    all: Option<Vec<StarColumn>>,
}

/// Whether `parts` reads an interval column of the relations `scope` (`Binding::intervals`); `None` when it
/// names none of them (a qualifier not there, an unqualified name none of them has while all columns are
/// known).
fn scope_interval(scope: &[Binding], parts: &[Ident]) -> Option<bool> {
    match parts {
        [q, c] => scope
            .iter()
            .find(|b| b.name == q.value)
            .map(|b| b.intervals.contains(&c.value)),
        [c] => {
            let mut hits = scope
                .iter()
                .filter(|b| b.columns.as_ref().is_some_and(|cs| cs.contains(&c.value)));
            match (hits.next(), hits.next()) {
                (Some(b), None) => Some(b.intervals.contains(&c.value)),
                (Some(_), Some(_)) => Some(false),
                // a relation of unknown columns may have it (no relation: columns unknown too)
                (None, _) if scope.is_empty() || scope.iter().any(|b| b.columns.is_none()) => {
                    Some(false)
                }
                (None, _) => None,
            }
        }
        _ => Some(false),
    }
}
