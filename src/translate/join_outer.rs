//! The join forms beyond INNER / LEFT / CROSS with ON (join.rs): RIGHT and FULL joins among any number of
//! relations, `USING (...)` and `NATURAL` joins, and the column list of `*` they give.
//!
//! The layout of join.rs is kept after every join (the first relation at the root, the k-th under `__jk`), so
//! later joins, WHERE and the SELECT list read every table where they always do:
//!
//! - `L RIGHT JOIN r ON c` (L: the relations joined so far, their stages S on collection C0): the aggregate
//!   runs on r; `{$lookup: {from: C0, let: <r's columns>, pipeline: [...S, {$match: <c>}], as: "__r"}}`,
//!   `$unwind` keeping unmatched rows, then `$replaceRoot` with `{$mergeObjects: ["$__r", {__jk: "$$ROOT"}]}`
//!   and `$unset: "__jk.__r"`: L's row at the root again (missing, i.e. NULL, for an unmatched r row).
//! - `L FULL JOIN r ON c`: `L LEFT JOIN r ON c`, then `$unionWith` of the r rows no L row matches (the same
//!   `$lookup` of L from r, kept when empty), as `{__jk: <r row>}`.
//! - `USING (c, ...)`: `ON l.c = r.c AND ...`, where l is the one relation of the left side holding `c`
//!   (known columns: PostgreSQL's errors when none or several do; unknown: the first table when it is the only
//!   one). The unqualified `c` is then the merged column: the left one (INNER / LEFT), the right one (RIGHT);
//!   FULL JOIN USING is refused (its merged column is `COALESCE(l.c, r.c)`, not a column path).
//! - `NATURAL`: USING of the column names both sides have (both sides' columns must be known); none: a
//!   cross join.
//! - `*`: PostgreSQL's order, the merged columns first, then the left side's other columns, then the right's.

use super::declared::StarColumn;
use super::join::{add_table, table_factor, FromPlan, JoinScope};
use super::{Error, Position, Translator};
use crate::mql::expr as ex;
use crate::mql::filter;
use crate::mql::stage::Stage;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{bson, Bson, Document};
use sqlparser::ast::{
    BinaryOperator, Expr, Ident, JoinConstraint, JoinOperator, TableFactor, TableWithJoins,
};

/// The kind of one join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JoinKind {
    Inner,
    Cross,
    Left,
    Right,
    Full,
}

/// The constraint and kind of a join operator (SEMI / ANTI / ASOF ... refused).
pub(crate) fn join_kind(
    op: &JoinOperator,
    at: Position,
) -> Result<(&JoinConstraint, JoinKind), Error> {
    Ok(match op {
        JoinOperator::Join(c) | JoinOperator::Inner(c) => (c, JoinKind::Inner),
        JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (c, JoinKind::Left),
        JoinOperator::CrossJoin(c) => (c, JoinKind::Cross),
        JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (c, JoinKind::Right),
        JoinOperator::FullOuter(c) => (c, JoinKind::Full),
        _ => {
            return Err(Error::Unsupported {
                kind: Refusal::Join,
                construct: "this kind of join".into(),
                position: at,
            })
        }
    })
}

impl Translator {
    /// The ON condition of a join (`USING` / `NATURAL` written as one) and the USING column names.
    pub(crate) fn join_constraint(
        &mut self,
        scope: &mut JoinScope,
        constraint: &JoinConstraint,
        kind: JoinKind,
        src: &super::cte::Source,
        qualifier: &str,
        at: Position,
    ) -> Result<(Option<Expr>, Option<Vec<String>>), Error> {
        let names: Vec<String> = match constraint {
            JoinConstraint::On(e) => return Ok((Some(e.clone()), None)),
            JoinConstraint::None => return Ok((None, None)),
            JoinConstraint::Using(cols) => {
                let mut names = Vec::new();
                for c in cols {
                    let ident = match c.0.as_slice() {
                        [only] => only.as_ident(),
                        _ => None,
                    };
                    let name = ident.map(|i| i.value.clone()).unwrap_or_default();
                    if ident.is_none() || name.is_empty() {
                        return Err(Error::Invalid {
                            message: format!("invalid USING column \"{c}\""),
                            position: at,
                        });
                    }
                    if names.contains(&name) {
                        return Err(Error::Invalid {
                            message: format!(
                                "column \"{name}\" appears more than once in USING clause"
                            ),
                            position: at,
                        });
                    }
                    names.push(name);
                }
                names
            }
            JoinConstraint::Natural => {
                let (Some(left), Some(right)) = (&scope.star, &src.columns) else {
                    return Err(Error::Unsupported {
                        kind: Refusal::Join,
                        construct:
                            "NATURAL JOIN with a collection without declared columns (the common \
                                    columns are unknown: write USING (...) or ON)"
                                .into(),
                        position: at,
                    });
                };
                let mut names: Vec<String> = Vec::new();
                for c in left {
                    if right.contains(&c.name) && !names.contains(&c.name) {
                        names.push(c.name.clone());
                    }
                }
                if names.is_empty() {
                    return Ok((None, None));
                }
                names
            }
        };
        let on = using_condition(scope, &names, kind, src.columns.as_deref(), qualifier, at)?;
        Ok((Some(on), Some(names)))
    }

    /// A RIGHT (`full` false) or FULL join of relation `src` to the relations joined so far (module docs).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn outer_join(
        &mut self,
        cx: &mut QueryContext,
        scope: &mut JoinScope,
        stages: &mut Vec<Document>,
        collection: &mut String,
        src: super::cte::Source,
        qualifier: String,
        relation: &TableFactor,
        on: &Expr,
        full: bool,
        at: Position,
    ) -> Result<(), Error> {
        let Some(right_collection) = src.collection.clone() else {
            return Err(Error::Unsupported {
                kind: Refusal::Join,
                construct: "a query without FROM on the right of a RIGHT / FULL JOIN".into(),
                position: at,
            });
        };
        let k = scope.tables.len();
        let before = stages.clone();
        let right_pipeline = src.pipeline.clone();
        if full {
            self.join_one(cx, scope, stages, src, qualifier, relation, Some(on), true)?;
        } else {
            let declared = self.is_declared(&src);
            add_table(
                scope,
                qualifier,
                relation,
                src.columns,
                declared,
                src.intervals,
            )?;
        }
        let (lets, m) = self.on_stage(cx, scope, k, on, true)?;
        let mut left = before;
        left.push(m);
        let lookup = |as_field: &str| {
            let mut l = Document::new();
            l.insert("from", collection.clone());
            if !lets.is_empty() {
                l.insert("let", lets.clone());
            }
            l.insert("pipeline", left.clone());
            l.insert("as", as_field);
            Stage::Lookup(l).into_document()
        };
        let field = format!("__j{k}");
        let mut p = right_pipeline;
        if full {
            // The right rows no row of the left side matches.
            p.push(lookup("__m"));
            p.push(Stage::Match(filter::field("__m", filter::size(0))).into_document());
            p.push(Stage::UnsetField("__m".into()).into_document());
            let mut wrapped = Document::new();
            wrapped.insert(field, ex::root());
            p.push(Stage::ReplaceRoot(Bson::Document(wrapped)).into_document());
            stages.push(
                Stage::UnionWith {
                    coll: Some(right_collection),
                    pipeline: p,
                }
                .into_document(),
            );
        } else {
            p.push(lookup("__r"));
            p.push(Stage::UnwindPreserving(ex::field_ref("__r")).into_document());
            let mut me = Document::new();
            me.insert(field.clone(), ex::root());
            p.push(
                Stage::ReplaceRoot(ex::merge_objects(vec![
                    ex::field("__r").into(),
                    Bson::Document(me),
                ]))
                .into_document(),
            );
            p.push(Stage::UnsetField(format!("{field}.__r")).into_document());
            *stages = p;
            *collection = right_collection;
        }
        Ok(())
    }
}

/// `USING (c1, c2)` of relation `qualifier` (columns `right`, when known): `owner.c1 = qualifier.c1 AND ...`,
/// with PostgreSQL's errors for a column missing from either side or repeated on the left. Records which
/// relation the unqualified merged name reads.
fn using_condition(
    scope: &mut JoinScope,
    names: &[String],
    kind: JoinKind,
    right: Option<&[String]>,
    qualifier: &str,
    at: Position,
) -> Result<Expr, Error> {
    let mut cond: Option<Expr> = None;
    for name in names {
        if right.is_some_and(|r| !r.contains(name)) {
            return Err(Error::Invalid {
                message: format!(
                    "column \"{name}\" specified in USING clause does not exist in right table"
                ),
                position: at,
            });
        }
        let merged = scope
            .using
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o.clone());
        let owner = match &scope.star {
            Some(star) => {
                let mut hits = star.iter().filter(|c| c.name == *name);
                let (Some(hit), None) = (hits.next(), hits.next()) else {
                    let none = !star.iter().any(|c| c.name == *name);
                    return Err(Error::Invalid {
                        message: if none {
                            format!("column \"{name}\" specified in USING clause does not exist in left table")
                        } else {
                            format!("common column name \"{name}\" appears more than once in left table")
                        },
                        position: at,
                    });
                };
                match (&hit.owner, &merged) {
                    (Some(o), _) | (None, Some(o)) => o.clone(),
                    (None, None) => return Err(Error::Internal(format!("USING column {name}"))),
                }
            }
            None => match merged {
                Some(o) => o,
                None if scope.tables.len() == 1 => scope.tables[0].qualifier.clone(),
                None => {
                    return Err(Error::Unsupported {
                        kind: Refusal::Join,
                        construct: format!(
                            "USING ({name}) after several tables, some without declared columns (write ON \
                             t.{name} = {qualifier}.{name})"
                        ),
                        position: at,
                    })
                }
            },
        };
        let col = |q: &str| Expr::CompoundIdentifier(vec![Ident::new(q), Ident::new(name.clone())]);
        // The left value: a column, or the COALESCE an earlier FULL JOIN ... USING merged.
        let earlier = scope
            .merged
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e.clone());
        let left = earlier.unwrap_or_else(|| col(&owner));
        let eq = Expr::BinaryOp {
            left: Box::new(left.clone()),
            op: BinaryOperator::Eq,
            right: Box::new(col(qualifier)),
        };
        cond = Some(match cond {
            None => eq,
            Some(prev) => Expr::BinaryOp {
                left: Box::new(prev),
                op: BinaryOperator::And,
                right: Box::new(eq),
            },
        });
        let reads = if kind == JoinKind::Right {
            scope.merged.retain(|(n, _)| n != name);
            qualifier.to_string()
        } else {
            owner
        };
        if kind == JoinKind::Full {
            let coalesce = coalesce(left, col(qualifier));
            match scope.merged.iter_mut().find(|(n, _)| n == name) {
                Some(entry) => entry.1 = coalesce,
                None => scope.merged.push((name.clone(), coalesce)),
            }
        }
        match scope.using.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = reads,
            None => scope.using.push((name.clone(), reads)),
        }
    }
    cond.ok_or_else(|| Error::Invalid {
        message: "USING needs a column".into(),
        position: at,
    })
}

/// `COALESCE(a, b)`.
fn coalesce(a: Expr, b: Expr) -> Expr {
    use sqlparser::ast::{
        Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, ObjectName,
    };
    let arg = |e: Expr| FunctionArg::Unnamed(FunctionArgExpr::Expr(e));
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new("COALESCE")]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![arg(a), arg(b)],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// After a USING / NATURAL join: `*` lists the merged columns first (each once, read from the relation the
/// unqualified name reads), then the other columns.
pub(crate) fn merge_star(scope: &mut JoinScope, names: &[String]) {
    let Some(star) = scope.star.take() else {
        return;
    };
    let mut out: Vec<StarColumn> = Vec::new();
    for n in names {
        let owner = scope
            .using
            .iter()
            .find(|(c, _)| c == n)
            .map(|(_, o)| o.clone())
            .unwrap_or_default();
        let mut c = StarColumn::of(&owner, n);
        c.owner = None;
        if let Some((_, e)) = scope.merged.iter().find(|(m, _)| m == n) {
            c.expr = e.clone();
        }
        out.push(c);
    }
    out.extend(star.into_iter().filter(|c| !names.contains(&c.name)));
    scope.star = Some(out);
}

impl Translator {
    /// `a RIGHT JOIN b ON c` (two tables) is `b LEFT JOIN a ON c`; `a FULL JOIN b ON c` is `a LEFT JOIN b ON c`
    /// plus, by `$unionWith`, the rows of b that no row of a matches (an anti-join `$lookup` of a from b, then
    /// `{__j1: <b row>}`). `None` when FROM is not such a two-table join.
    pub(crate) fn right_or_full(
        &mut self,
        cx: &mut QueryContext,
        from: &[TableWithJoins],
    ) -> Result<Option<FromPlan>, Error> {
        let [twj] = from else { return Ok(None) };
        let [j] = twj.joins.as_slice() else {
            return Ok(None);
        };
        let (constraint, full) = match &j.join_operator {
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (c, false),
            JoinOperator::FullOuter(c) => (c, true),
            _ => return Ok(None),
        };
        let JoinConstraint::On(on) = constraint else {
            // USING / NATURAL: the general form (join_outer.rs).
            return Ok(None);
        };
        if self.is_special_relation(&twj.relation) || self.is_special_relation(&j.relation) {
            return Ok(None);
        }
        let (a_coll, a_q) = table_factor(&twj.relation)?;
        let (b_coll, b_q) = table_factor(&j.relation)?;
        let (a_cols, b_cols) = (self.catalog.columns(&a_coll), self.catalog.columns(&b_coll));
        let (a_decl, b_decl) = (
            self.catalog.tables.contains_key(&a_coll),
            self.catalog.tables.contains_key(&b_coll),
        );
        let mut scope = JoinScope::default();
        let mut stages = Vec::new();
        let collection = if full {
            add_table(
                &mut scope,
                a_q.clone(),
                &twj.relation,
                a_cols.clone(),
                a_decl,
                Vec::new(),
            )?;
            self.join_one(
                cx,
                &mut scope,
                &mut stages,
                self.plain_source(&b_coll),
                b_q.clone(),
                &j.relation,
                Some(on),
                true,
            )?;
            // b rows without a match: b at the root, a the joined table.
            let mut swapped = JoinScope::default();
            add_table(&mut swapped, b_q, &j.relation, b_cols, b_decl, Vec::new())?;
            add_table(&mut swapped, a_q, &twj.relation, a_cols, a_decl, Vec::new())?;
            let anti =
                self.lookup_doc(cx, &swapped, 1, self.plain_source(&a_coll), Some(on), "__m")?;
            stages.push(
                Stage::UnionWith {
                    coll: Some(b_coll),
                    pipeline: vec![
                        Stage::Lookup(anti).into_document(),
                        Stage::Match(filter::field("__m", filter::size(0))).into_document(),
                        Stage::UnsetField("__m".into()).into_document(),
                        Stage::ReplaceRoot(bson!({"__j1": ex::root()})).into_document(),
                    ],
                }
                .into_document(),
            );
            a_coll
        } else {
            let star = match (&a_cols, &b_cols) {
                (Some(a), Some(b)) => Some(
                    a.iter()
                        .map(|c| StarColumn::of(&a_q, c))
                        .chain(b.iter().map(|c| StarColumn::of(&b_q, c)))
                        .collect(),
                ),
                _ => None,
            };
            add_table(&mut scope, b_q, &j.relation, b_cols, b_decl, Vec::new())?;
            // `WHERE a.c IS NULL` of a column never NULL in a match: the anti-join (anti_join.rs).
            let a_src = self.plain_source(&a_coll);
            let anti = cx
                .where_is_null
                .iter()
                .any(|(q, c)| *q == a_q && self.never_null_in_match(&a_src, on, q, c));
            if anti {
                self.anti_join_one(cx, &mut scope, &mut stages, a_src, a_q, &twj.relation, on)?;
            } else {
                self.join_one(
                    cx,
                    &mut scope,
                    &mut stages,
                    a_src,
                    a_q,
                    &twj.relation,
                    Some(on),
                    true,
                )?;
            }
            // `*` lists a's columns first, as written.
            scope.star = star;
            b_coll
        };
        for t in &scope.tables {
            cx.tables.push(t.qualifier.clone());
        }
        cx.join = Some(scope);
        Ok(Some(FromPlan {
            collection,
            stages,
            pushdown: !full,
            // Both relations are plain collections.
            first_stages: 0,
        }))
    }
}
