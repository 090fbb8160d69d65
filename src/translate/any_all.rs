//! `x op ANY (SELECT ...)`, `x op ALL (SELECT ...)` and a correlated `x [NOT] IN (SELECT ...)` as plans that
//! never attach the subquery's rows to an outer document.
//!
//! - `= ANY` is `IN` and `<> ALL` is `NOT IN` (`subquery.rs` `in_subquery`: a probe for x and, uncorrelated,
//!   one summary computed once).
//! - The other comparisons need of the subquery's rows only a summary: whether there is a row, whether a
//!   value is NULL, and the least and greatest non-NULL values. One `$lookup` ends the subquery's stages with
//!   `$group {_id: null, nulls, lo: $min, hi: $max}` (no document when there is no row): uncorrelated, it
//!   runs once per statement (the engine's and mongod's cache of an uncorrelated sub-pipeline); correlated,
//!   over the rows of one outer document (a hash or index probe on an equality with an outer column, and the
//!   engine's memo for outer documents with the same correlated values), into one document.
//!   With x not NULL: `x > v` for some non-NULL v exactly when `x > lo`, for every one exactly when `x > hi`
//!   (or there is none); `x <> v` for some exactly when `x <> lo OR x <> hi`. `$min` / `$max` order values
//!   as the comparison operators do (BSON order, the collation), so the summary decides as the comparison
//!   of every value would.
//! - PostgreSQL's three-valued results: ANY is TRUE when some comparison is TRUE, FALSE when there is no
//!   row or every comparison is FALSE (x not NULL, no NULL value), else NULL; ALL is TRUE when there is no
//!   row or every comparison is TRUE, FALSE when some is FALSE, else NULL.
//! - A correlated `IN` probes three times, each sub-pipeline ending in `$limit: 1` (a walk that stops at
//!   the first row it needs): a row equal to x, any row, a NULL row.
//!
//! `tests/any_all.rs` holds every shape to PostgreSQL's rules computed row by row on generated data (NULLs,
//! duplicates, empty groups), and the PostgreSQL oracle runs the corpus' cases.

use super::cte::Source;
use super::expr::Agg;
use super::nulls::{and, not_null, or, Pred};
use super::subquery::plain_column;
use super::{Error, Translator};
use crate::mql::accumulator as acc;
use crate::mql::expr::{self as ex, Cmp, Expr};
use crate::mql::filter::Filter;
use crate::mql::lookup_keys::with_equality_keys;
use crate::mql::stage::{Stage, StageKind};
use crate::translate::context::QueryContext;
use crate::translate::expr::unsupported;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{BinaryOperator, Expr as SqlExpr};

impl Translator {
    /// `x op ANY (SELECT ...)` / `x op ALL (SELECT ...)` (see the module documentation).
    pub(crate) fn quantified_subquery(
        &mut self,
        cx: &mut QueryContext,
        x: &SqlExpr,
        op: &BinaryOperator,
        right: &SqlExpr,
        all: bool,
        e: &SqlExpr,
    ) -> Result<Pred, Error> {
        let SqlExpr::Subquery(q) = right else {
            return Err(Error::Internal("not a subquery".into()));
        };
        let Some(pos) = super::expr::comparison(op) else {
            return Err(unsupported(
                Refusal::Subquery,
                format!("{op} ANY/ALL (SELECT ...)"),
                e,
            ));
        };
        match (pos, all) {
            (Cmp::Eq, false) => return self.in_subquery(cx, x, q, false, e),
            (Cmp::Ne, true) => return self.in_subquery(cx, x, q, true, e),
            _ => {}
        }
        let a = self.agg(cx, x)?;
        let (src, lets) = self.subquery_source(cx, q, e)?;
        let col = Self::single_column(src.columns.clone(), e)?;
        if !plain_column(&col) {
            return Ok(self.quantified_general(cx, &a, &src, lets, &col, pos, all));
        }
        let field = self.next_subquery_field();
        let c = ex::field(&col);
        let summary = Stage::Group {
            id: Bson::Null,
            accumulators: doc! {
                "nulls": acc::sum(ex::cond(ex::is_null(c.clone()), 1, 0)),
                "lo": acc::min(c.clone()),
                "hi": acc::max(c),
            },
        }
        .into_document();
        cx.pending
            .push(with_equality_keys(src.lookup(lets, vec![summary], &field)));
        let s = Summary {
            x: a.expr.clone(),
            gx: if a.nullable {
                not_null(&a.expr)
            } else {
                Expr::from(true)
            },
            field,
        };
        let neg = pos.negated();
        let empty: Expr = ex::eq(ex::size(ex::field(&s.field)), 0);
        let definite = |holds: Expr| and(vec![s.gx.clone(), s.no_nulls(), holds]);
        Ok(if all {
            Pred::new(
                or(vec![empty, definite(s.all_hold(pos))]),
                and(vec![s.gx.clone(), s.some_holds(neg)]),
            )
        } else {
            Pred::new(
                and(vec![s.gx.clone(), s.some_holds(pos)]),
                or(vec![empty, definite(s.all_hold(neg))]),
            )
        })
    }

    /// The general plan of `x op ANY / ALL (SELECT ...)`: the subquery's rows attached to every document and
    /// each compared; kept for a subquery column that is not a plain field name.
    #[allow(clippy::too_many_arguments)]
    fn quantified_general(
        &mut self,
        cx: &mut QueryContext,
        a: &Agg,
        src: &Source,
        lets: Document,
        col: &str,
        pos: Cmp,
        all: bool,
    ) -> Pred {
        let field = self.next_subquery_field();
        cx.pending
            .push(with_equality_keys(src.lookup(lets, Vec::new(), &field)));
        let values = ex::field(&format!("{field}.{col}"));
        let neg = pos.negated();
        // The comparison of x with `$$qv`, TRUE / FALSE forms (both false when either is NULL).
        let holds = |c: Cmp| {
            and(vec![
                not_null(&a.expr),
                not_null(&ex::var("qv")),
                ex::cmp(c, a.expr.clone(), ex::var("qv")),
            ])
        };
        let each = |cond: Bson| ex::map(values.clone(), Some("qv"), cond);
        let some_true = ex::any_element_true(each(holds(pos).into()));
        let some_false = ex::any_element_true(each(holds(neg).into()));
        let all_true = ex::all_elements_true(each(holds(pos).into()));
        let all_false = ex::all_elements_true(each(holds(neg).into()));
        // $allElementsTrue of an empty array is true: no row makes ANY FALSE and ALL TRUE, as in SQL.
        if all {
            Pred::new(all_true, some_false)
        } else {
            Pred::new(some_true, all_false)
        }
    }

    /// A correlated `x IN (SELECT ...)` (NOT IN: the negation) whose column is a plain field: three probes of
    /// the subquery's rows for the outer document, each stopping at the first row it needs (see the module
    /// documentation). TRUE when x is not NULL and a row equals it; FALSE when there is no row, or x is not
    /// NULL, no row equals it and none is NULL; else NULL.
    pub(crate) fn in_correlated(
        &mut self,
        cx: &mut QueryContext,
        a: &Agg,
        src: &Source,
        lets: Document,
        col: &str,
    ) -> Pred {
        let found = self.next_subquery_field();
        let any = self.next_subquery_field();
        let nulls = self.next_subquery_field();
        let var = format!("i{}", &found[4..]);
        let mut found_lets = lets.clone();
        found_lets.insert(var.clone(), a.expr.clone());
        let limit = || Stage::Limit(Bson::Int32(1)).into_document();
        let only = |cond: Expr| Stage::Match(Filter::Expr(cond).into()).into_document();
        let null_row = only(ex::is_null(ex::field(col)));
        let found_stage = match probe_first(src, col, &var) {
            Some(pipeline) => {
                let early = Source {
                    pipeline,
                    ..src.clone()
                };
                early.lookup(found_lets, vec![limit()], &found)
            }
            None => {
                let probe = only(ex::eq(ex::field(col), ex::var(&var)));
                src.lookup(found_lets, vec![probe, limit()], &found)
            }
        };
        cx.pending.push(with_equality_keys(found_stage));
        for (tail, field) in [(vec![limit()], &any), (vec![null_row, limit()], &nulls)] {
            cx.pending
                .push(with_equality_keys(src.lookup(lets.clone(), tail, field)));
        }
        let guard = if a.nullable {
            not_null(&a.expr)
        } else {
            Expr::from(true)
        };
        let has = |f: &str| -> Expr { ex::gt(ex::size(ex::field(f)), 0) };
        let t = and(vec![guard.clone(), has(&found)]);
        let f = or(vec![
            ex::not(has(&any)),
            and(vec![guard, ex::not(has(&found)), ex::not(has(&nulls))]),
        ]);
        Pred::new(t, f)
    }
}

/// The subquery's stages with the probe for x (`{$eq: ["$f", "$$var"]}`) first in its leading `$match`, when
/// they are `$match` stages and then the `$project` of `col` as the plain field `f` (`"$f"` or
/// `{$ifNull: ["$f", null]}`): the equality with x is then the `$lookup`'s key (`localField` /
/// `foreignField` on a MongoDB server, the hash key in the engine), so the probe reads the rows holding x,
/// not every row of the correlated group. `None` for any other shape (the probe stays after the `$project`).
fn probe_first(src: &Source, col: &str, var: &str) -> Option<Vec<Document>> {
    let (last, matches) = src.pipeline.split_last()?;
    let first = matches.first()?;
    let all_match = matches
        .iter()
        .all(|st| StageKind::Match.document(st).is_some());
    let project = StageKind::Project.document(last)?;
    let field = ex::rendered_plain_field(project.get(col)?)?;
    if !all_match || project.len() != 2 {
        return None;
    }
    let m = StageKind::Match.document(first)?;
    let eq = crate::mql::filter::expr(ex::eq(ex::field(field), ex::var(var)));
    let mut parts = vec![Bson::Document(eq)];
    match crate::mql::filter::and_operand(m) {
        Some(items) if m.len() == 1 => parts.extend(items.iter().cloned()),
        _ => parts.push(Bson::Document(m.clone())),
    }
    let merged = crate::mql::filter::and(parts);
    let mut out = src.pipeline.clone();
    out[0] = Stage::Match(merged).into_document();
    Some(out)
}

/// The one summary document of a quantified subquery's rows (`{nulls, lo, hi}` in `field`, an empty array
/// when there is no row), with x and its NULL guard.
struct Summary {
    x: Expr,
    gx: Expr,
    field: String,
}

impl Summary {
    fn at(&self, name: &str) -> Expr {
        ex::array_elem_at(ex::field(&format!("{}.{name}", self.field)), 0).into()
    }

    /// No value of the subquery is NULL (or there is no row).
    fn no_nulls(&self) -> Expr {
        ex::not(ex::gt(self.at("nulls"), 0))
    }

    /// For x not NULL: `x c v` for some non-NULL value v (`c` is not `=`).
    fn some_holds(&self, c: Cmp) -> Expr {
        some_holds(c, self.x.clone(), self.at("lo"), self.at("hi"))
    }

    /// For x not NULL: `x c v` for every non-NULL value v, or there is none (`c` is not `<>`).
    fn all_hold(&self, c: Cmp) -> Expr {
        all_hold(c, self.x.clone(), self.at("lo"), self.at("hi"))
    }
}

/// For x not NULL, of a set of values whose smallest and greatest non-NULL ones are `lo` and `hi` (NULL when
/// there is none; the comparisons and collation of `$min` / `$max` are those of `$lt` / `$gt`): `x c v` for
/// some non-NULL value v (`c` is not `=`).
pub(crate) fn some_holds(c: Cmp, x: Expr, lo: Expr, hi: Expr) -> Expr {
    match c {
        Cmp::Gt | Cmp::Gte => and(vec![not_null(&lo), ex::cmp(c, x, lo)]),
        Cmp::Lt | Cmp::Lte => and(vec![not_null(&hi), ex::cmp(c, x, hi)]),
        Cmp::Ne | Cmp::Eq => and(vec![
            not_null(&lo),
            or(vec![ex::ne(x.clone(), lo), ex::ne(x, hi)]),
        ]),
    }
}

/// As [`some_holds`]: `x c v` for every non-NULL value v, or there is none (`c` is not `<>`).
pub(crate) fn all_hold(c: Cmp, x: Expr, lo: Expr, hi: Expr) -> Expr {
    match c {
        Cmp::Gt | Cmp::Gte => or(vec![ex::is_null(hi.clone()), ex::cmp(c, x, hi)]),
        Cmp::Lt | Cmp::Lte => or(vec![ex::is_null(lo.clone()), ex::cmp(c, x, lo)]),
        Cmp::Eq | Cmp::Ne => or(vec![
            ex::is_null(lo.clone()),
            and(vec![ex::eq(x.clone(), lo), ex::eq(x, hi)]),
        ]),
    }
}
