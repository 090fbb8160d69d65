//! The clauses around a query body, in one place for plain selects, set operations, window queries and the
//! queries of CREATE VIEW / CTEs / derived tables (all go through [`Translator::query_to_plan`]): `WITH`,
//! `ORDER BY` (direction, `USING <` / `USING >`, `NULLS FIRST / LAST`, ordinals and output-column names),
//! `LIMIT` / `OFFSET`, `FETCH FIRST n ROWS ONLY` (a LIMIT; `WITH TIES` and `PERCENT` refused), and the refusal
//! of every other query clause. The ORDER BY keys of window
//! specifications and ordered aggregates (`STRING_AGG(x ORDER BY y)`) and the key directions of CREATE INDEX
//! are read here too ([`direction`], [`sort_keys`]).
//!
//! The tail of the pipeline is also built here ([`finish_pipeline`]): `$sort` -> `$skip` -> `$limit` (LIMIT 0
//! is `{$match: {$expr: false}}`: `$limit` must be positive) -> `$unset` of the helper sort fields.

use super::expr::{expr_pos, unsupported};
use super::{Error, Position, Translated, Translator};
use crate::mql::{expr as ex, filter::Filter, stage::Stage};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{Bson, Document};
use sqlparser::ast::{
    Expr, Fetch, LimitClause, OrderBy, OrderByExpr, OrderByKind, OrderByOptions, OrderBySort,
    Query, SetExpr, Spanned, Value,
};

/// One ORDER BY key: the expression and PostgreSQL's direction and NULL placement.
#[derive(Debug, Clone)]
pub(crate) struct SortKey {
    /// The key as written (ordinals and output names are resolved by the caller, which knows the columns).
    pub expr: Expr,
    /// DESC (or `USING >`).
    pub desc: bool,
    /// NULLs sort first.
    pub nulls_first: bool,
}

/// ORDER BY / LIMIT / OFFSET of one query, read once for every kind of query body.
#[derive(Debug, Default)]
pub(crate) struct QueryTail {
    /// The ORDER BY keys, in order.
    pub keys: Vec<SortKey>,
    /// LIMIT / FETCH FIRST count (`None`: no limit); an `Int64` or a `{$param: n}`.
    pub limit: Option<Bson>,
    /// OFFSET count (`None`: none).
    pub offset: Option<Bson>,
}

/// `(descending, nulls_first)` of a key, PostgreSQL's way: `USING <` is ascending and `USING >` descending
/// (the btree operators of every sortable type); NULLs come last ascending and first descending unless
/// `NULLS FIRST / LAST` says otherwise. Any other `USING` operator is refused at the key.
pub(crate) fn direction(o: &OrderByOptions, key: &Expr) -> Result<(bool, bool), Error> {
    let desc = match &o.sort {
        None | Some(OrderBySort::Asc) => false,
        Some(OrderBySort::Desc) => true,
        Some(OrderBySort::Using(op)) => match op.to_string().as_str() {
            "<" => false,
            ">" => true,
            other => {
                return Err(unsupported(
                    Refusal::Clause,
                    format!("ORDER BY ... USING {other} (only USING < and USING >)"),
                    key,
                ))
            }
        },
    };
    Ok((desc, o.nulls_first.unwrap_or(desc)))
}

/// The keys of an ORDER BY list (a query's, a window's, an ordered aggregate's): `WITH FILL` is refused.
pub(crate) fn sort_keys(list: &[OrderByExpr]) -> Result<Vec<SortKey>, Error> {
    let mut keys = Vec::with_capacity(list.len());
    for o in list {
        if o.with_fill.is_some() {
            return Err(unsupported(Refusal::Clause, "WITH FILL", &o.expr));
        }
        let (desc, nulls_first) = direction(&o.options, &o.expr)?;
        keys.push(SortKey {
            expr: o.expr.clone(),
            desc,
            nulls_first,
        });
    }
    Ok(keys)
}

/// An ORDER BY / GROUP BY item that names an output column: its index in `names`. An integer constant is a
/// position (1-based; `-n` and positions past the list are errors, as in PostgreSQL); a bare name is the
/// output column of that name for which `is_alias` holds (a SELECT item `x` named `x` is the input column
/// itself, which the caller resolves as any expression). `None`: an expression of its own.
pub(crate) fn output_column(
    e: &Expr,
    names: &[&str],
    is_alias: impl Fn(usize) -> bool,
) -> Result<Option<usize>, Error> {
    // PostgreSQL folds the minus into the constant: `ORDER BY -1` is position -1, not a constant key.
    if let Expr::UnaryOp {
        op: sqlparser::ast::UnaryOperator::Minus,
        expr: inner,
    } = e
    {
        if let Expr::Value(v) = inner.as_ref() {
            if let Value::Number(n, _) = &v.value {
                return Err(Error::Invalid {
                    message: format!("position -{n} is not in select list"),
                    position: expr_pos(e),
                });
            }
        }
    }
    if let Expr::Value(v) = e {
        if let Value::Number(n, _) = &v.value {
            let i: usize = n.parse().map_err(|_| Error::Invalid {
                message: format!("invalid position {n}"),
                position: expr_pos(e),
            })?;
            return match i.checked_sub(1).filter(|i| *i < names.len()) {
                Some(i) => Ok(Some(i)),
                None => Err(Error::Invalid {
                    message: format!("position {n} is not in select list"),
                    position: expr_pos(e),
                }),
            };
        }
    }
    if let Expr::Identifier(id) = e {
        return Ok((0..names.len()).find(|&i| names[i] == id.value && is_alias(i)));
    }
    Ok(None)
}

/// Appends the tail of a query pipeline: `$sort` on `sort` (field, direction), `$skip`, `$limit`, and an
/// `$unset` of the helper fields `unset` (sort keys, NULL flags) once they have served.
pub(crate) fn finish_pipeline(
    pipeline: &mut Vec<Document>,
    sort: &[(String, i32)],
    unset: Vec<String>,
    limit: Option<&Bson>,
    offset: Option<&Bson>,
) {
    if !sort.is_empty() {
        let mut s = Document::new();
        for (f, d) in sort {
            s.insert(f, *d);
        }
        pipeline.push(Stage::Sort(s).into());
    }
    if let Some(o) = offset {
        pipeline.push(Stage::Skip(o.clone()).into());
    }
    match limit {
        // `$limit` must be positive (and a find `limit: 0` means no limit): LIMIT 0 keeps no row.
        Some(Bson::Int64(0)) => pipeline.push(Stage::Match(Filter::nothing().into()).into()),
        Some(l) => pipeline.push(Stage::Limit(l.clone()).into()),
        None => {}
    }
    if !unset.is_empty() {
        pipeline.push(Stage::Unset(unset).into());
    }
}

impl Translator {
    /// Translates a query: `WITH`, then the body (a SELECT, a set operation, a parenthesized query) with its
    /// ORDER BY / LIMIT / OFFSET / FETCH FIRST.
    pub(crate) fn query_to_plan(
        &mut self,
        cx: &mut QueryContext,
        q: &Query,
    ) -> Result<Translated, Error> {
        let Query {
            with,
            body,
            order_by,
            limit_clause,
            fetch,
            locks,
            for_clause,
            settings,
            format_clause,
            pipe_operators,
        } = q;
        if let Some(w) = with {
            return self.with_query(cx, w, q);
        }
        if !locks.is_empty()
            || for_clause.is_some()
            || settings.is_some()
            || format_clause.is_some()
            || !pipe_operators.is_empty()
        {
            return Err(at_query("this query clause", q));
        }
        match body.as_ref() {
            SetExpr::Select(s) => {
                let tail = self.query_tail(cx, q)?;
                self.select_to_plan(cx, s, tail)
            }
            SetExpr::Query(inner) => {
                if order_by.is_none() && limit_clause.is_none() && fetch.is_none() {
                    return self.query_to_plan(cx, inner);
                }
                Err(at_query("nested query with its own ORDER BY/LIMIT", q))
            }
            SetExpr::SetOperation { .. } => {
                let tail = self.query_tail(cx, q)?;
                self.set_operation_query(cx, q, tail)
            }
            SetExpr::Values(_) => Err(at_query("VALUES as a query", q)),
            _ => Err(at_query("this kind of query", q)),
        }
    }

    /// ORDER BY / LIMIT / OFFSET of `q`.
    fn query_tail(&mut self, cx: &mut QueryContext, q: &Query) -> Result<QueryTail, Error> {
        let keys = match &q.order_by {
            None => Vec::new(),
            Some(OrderBy {
                kind: OrderByKind::Expressions(list),
                ..
            }) => sort_keys(list)?,
            Some(OrderBy {
                kind: OrderByKind::All(_),
                ..
            }) => return Err(at_query("ORDER BY ALL", q)),
        };
        let (limit, offset) = match &q.limit_clause {
            None => (None, None),
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return Err(at_query("LIMIT BY", q));
                }
                let l = match limit {
                    Some(e) => self.count_value(cx, e, "LIMIT")?,
                    None => None,
                };
                let o = match offset {
                    Some(o) => self.count_value(cx, &o.value, "OFFSET")?,
                    None => None,
                };
                (l, o)
            }
            Some(LimitClause::OffsetCommaLimit { .. }) => {
                return Err(at_query("LIMIT offset, count", q))
            }
        };
        let limit = match &q.fetch {
            None => limit,
            Some(f) => {
                if matches!(
                    &q.limit_clause,
                    Some(LimitClause::LimitOffset { limit: Some(_), .. })
                ) {
                    // PostgreSQL: "multiple LIMIT clauses not allowed".
                    return Err(Error::Invalid {
                        message: "multiple LIMIT clauses not allowed".into(),
                        position: Position::from(q.span().start),
                    });
                }
                self.fetch_first(cx, f, q)?
            }
        };
        Ok(QueryTail {
            keys,
            limit,
            offset,
        })
    }

    /// `FETCH FIRST [n] ROW[S] ONLY` (SQL's LIMIT; no count is one row). `WITH TIES` and `PERCENT` are
    /// refused.
    fn fetch_first(
        &mut self,
        cx: &mut QueryContext,
        f: &Fetch,
        q: &Query,
    ) -> Result<Option<Bson>, Error> {
        if f.with_ties {
            return Err(at_query("FETCH FIRST ... WITH TIES", q));
        }
        if f.percent {
            return Err(at_query("FETCH FIRST ... PERCENT", q));
        }
        match &f.quantity {
            Some(e) => self.count_value(cx, e, "FETCH FIRST"),
            None => Ok(Some(Bson::Int64(1))),
        }
    }

    /// A LIMIT / OFFSET count: a non-negative integer constant or a parameter (None for LIMIT ALL / NULL).
    pub(crate) fn count_value(
        &mut self,
        cx: &mut QueryContext,
        e: &Expr,
        what: &str,
    ) -> Result<Option<Bson>, Error> {
        if let Expr::Value(v) = e {
            if let Value::Placeholder(_) = v.value {
                let n = self.param_number(&v.value, e)?;
                return Ok(Some(ex::param(n as i64)));
            }
        }
        match self.agg(cx, e)?.constant {
            Some(Bson::Null) => Ok(None),
            Some(Bson::Int32(n)) if n >= 0 => Ok(Some(Bson::Int64(i64::from(n)))),
            Some(Bson::Int64(n)) if n >= 0 => Ok(Some(Bson::Int64(n))),
            _ => Err(Error::Invalid {
                message: format!("{what} must be a non-negative integer"),
                position: expr_pos(e),
            }),
        }
    }
}

/// A refusal of a clause of `q`, at the query's start.
fn at_query(what: &str, q: &Query) -> Error {
    Error::Unsupported {
        kind: Refusal::Clause,
        construct: what.to_string(),
        position: Position::from(q.span().start),
    }
}

/// Adds the sort field(s) of key `i` to `target` and returns the `$sort` entries: a NULL flag first when PG's
/// NULL placement differs from MongoDB's (nulls lowest), then the value.
pub(crate) fn sort_spec(
    target: &mut Document,
    i: usize,
    a: &super::expr::Agg,
    k: &SortKey,
) -> Vec<(String, i32)> {
    let dir = if k.desc { -1 } else { 1 };
    let mongo_nulls_first = !k.desc;
    let mut out = Vec::new();
    if k.nulls_first != mongo_nulls_first && a.nullable {
        let f = format!("__n{i}");
        target.insert(&f, ex::cond(super::nulls::is_null(&a.expr), 1, 0));
        out.push((f, if k.nulls_first { -1 } else { 1 }));
    }
    let f = format!("__s{i}");
    // an interval sorts by PostgreSQL's span (a month is 30 days), not by its document's fields
    let key = if a.kind == super::expr::Kind::Interval {
        super::expr::interval::span(a.expr.clone().into(), false)
    } else {
        a.expr.clone().into()
    };
    target.insert(&f, super::select::projected(key));
    out.push((f, dir));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn query(sql: &str) -> Query {
        let stmts = crate::sql::parse(sql).unwrap();
        let crate::sql::Statement::Sql(s) = &stmts[0].0 else {
            panic!()
        };
        let sqlparser::ast::Statement::Query(q) = s.as_ref() else {
            panic!()
        };
        q.as_ref().clone()
    }

    fn first_key(sql: &str) -> Result<(bool, bool), Error> {
        let q = query(sql);
        let OrderByKind::Expressions(list) = &q.order_by.as_ref().unwrap().kind else {
            panic!()
        };
        direction(&list[0].options, &list[0].expr)
    }

    #[test]
    fn using_is_read_as_postgresql_reads_it() {
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a").unwrap(),
            (false, false)
        );
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a DESC").unwrap(),
            (true, true)
        );
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a USING <").unwrap(),
            (false, false)
        );
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a USING >").unwrap(),
            (true, true)
        );
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a USING > NULLS LAST").unwrap(),
            (true, false)
        );
        let e = first_key("SELECT a FROM c ORDER BY a USING <=").unwrap_err();
        assert!(e.to_string().contains("USING <="), "{e}");
    }

    /// Every kind of query refuses `USING <=` at the key, through the one reading above.
    #[test]
    fn using_another_operator_is_refused_in_every_kind_of_query() {
        for sql in [
            "SELECT a FROM c ORDER BY a USING <=",
            "SELECT a FROM c UNION SELECT a FROM d ORDER BY a USING <=",
            "SELECT ROW_NUMBER() OVER (ORDER BY a USING <=) FROM c",
            "SELECT STRING_AGG(a, ',' ORDER BY a USING <=) FROM c",
            "WITH w AS (SELECT a FROM c ORDER BY a USING <=) SELECT a FROM w",
            "SELECT x FROM (SELECT a AS x FROM c ORDER BY a USING <=) t",
            "CREATE VIEW v AS SELECT a FROM c ORDER BY a USING <=",
            "SELECT a FROM c WHERE a IN (SELECT b FROM d ORDER BY b USING <= LIMIT 3)",
        ] {
            let e = crate::translate(sql).unwrap_err().to_string();
            assert!(
                e.contains("unsupported: ORDER BY ... USING <="),
                "{sql}: {e}"
            );
        }
    }

    #[test]
    fn ordinals_and_output_names_resolve_to_columns() {
        let names = ["a", "b"];
        let key = |sql: &str| {
            let q = query(sql);
            let OrderByKind::Expressions(list) = &q.order_by.as_ref().unwrap().kind else {
                panic!()
            };
            output_column(&list[0].expr, &names, |i| i == 1)
        };
        assert_eq!(key("SELECT 1 FROM c ORDER BY 2").unwrap(), Some(1));
        assert_eq!(key("SELECT 1 FROM c ORDER BY b").unwrap(), Some(1));
        // `a` is not an alias (the caller said so): an expression of its own.
        assert_eq!(key("SELECT 1 FROM c ORDER BY a").unwrap(), None);
        assert_eq!(key("SELECT 1 FROM c ORDER BY a + 1").unwrap(), None);
        for bad in ["ORDER BY 0", "ORDER BY 3", "ORDER BY -1"] {
            let e = key(&format!("SELECT 1 FROM c {bad}")).unwrap_err();
            assert!(
                e.to_string().contains("is not in select list"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn limit_zero_keeps_no_row_and_helper_fields_are_unset() {
        let mut p = Vec::new();
        finish_pipeline(
            &mut p,
            &[("__s0".into(), 1)],
            vec!["__s0".into()],
            Some(&Bson::Int64(0)),
            Some(&Bson::Int64(2)),
        );
        assert_eq!(
            p,
            vec![
                doc! {"$sort": {"__s0": 1}},
                doc! {"$skip": 2_i64},
                doc! {"$match": {"$expr": false}},
                doc! {"$unset": ["__s0"]},
            ]
        );
    }
}
