//! Aggregate functions (COUNT, SUM, AVG, MIN, MAX, with DISTINCT and FILTER) -> `$group` accumulators plus the
//! expression that reads each result after the group, with PostgreSQL's NULL rules:
//! SUM over no non-NULL value is NULL (MongoDB's `$sum` gives 0), COUNT(x) skips NULLs, COUNT(DISTINCT x)
//! ignores NULL, and an aggregate without GROUP BY yields one row even over no rows.

use super::expr::{unsupported, Agg, Kind};
use super::nulls::{and, not_null};
use super::{Error, Translator};
use crate::mql::accumulator as acc;
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::Bson;
use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
};

/// The GROUP BY context: group keys (matched structurally) and the accumulators registered so far.
#[derive(Debug, Default)]
pub(crate) struct GroupScope {
    /// Group key expressions and their field under `_id`.
    pub keys: Vec<(Expr, String)>,
    /// Accumulators: output field -> accumulator document, in order.
    pub accumulators: bson::Document,
    /// The `_id` fields of keys that are intervals (their kind survives the grouping).
    pub interval_keys: Vec<String>,
    /// Of those, the keys grouped on their span (not canonical, no grouping sets): their value is the
    /// accumulator [`interval_key_value`].
    pub span_keys: Vec<String>,
    /// GROUPING SETS / ROLLUP / CUBE: the sets over `keys` (`GROUPING(...)` reads them).
    pub grouping: Option<super::grouping_sets::GroupingSets>,
    /// Values computed once per document before the `$group`, by a `$set` (field -> expression): an
    /// argument several accumulators read ([`GroupScope::computed`]).
    pub computed: bson::Document,
}

/// The accumulator holding the value of interval group key `field` (the group's first): the key itself is
/// the span.
pub(crate) fn interval_key_value(field: &str) -> String {
    format!("{field}v")
}

impl GroupScope {
    /// Registers `accumulator` under `field`, unless an equal accumulator is registered already (the same
    /// aggregate written twice, as in a select list and its HAVING or ORDER BY: computed once); returns the
    /// field that holds it. A taken name gets a suffix.
    pub(crate) fn accumulate(&mut self, field: &str, accumulator: impl Into<Bson>) -> String {
        let accumulator = accumulator.into();
        if let Some((name, _)) = self.accumulators.iter().find(|(_, a)| **a == accumulator) {
            return name.clone();
        }
        let mut name = field.to_string();
        while self.accumulators.contains_key(&name) {
            name.push('_');
        }
        self.accumulators.insert(name.clone(), accumulator);
        name
    }

    /// The field of a `$set` before the `$group` that holds `value` (an aggregate argument that several
    /// accumulators read, as the three fields of an interval SUM: computed once per document, not once per
    /// accumulator); an equal value registered already is read from its field. A plain field path is itself.
    pub(crate) fn computed(&mut self, value: ex::Expr) -> ex::Expr {
        if matches!(value, ex::Expr::Field(_) | ex::Expr::Literal(_)) {
            return value;
        }
        let value = Bson::from(value);
        if let Some((name, _)) = self.computed.iter().find(|(_, v)| **v == value) {
            return ex::field(name);
        }
        let name = format!("__av{}", self.computed.len());
        self.computed.insert(name.clone(), value);
        ex::field(&name)
    }

    /// Where a group key's value is read after `$group`: `_id.<field>`, or an interval key's value
    /// ([`interval_key_value`]) when the key is its span.
    pub(crate) fn key_path(&self, field: &str) -> String {
        if self.span_keys.iter().any(|f| f == field) {
            interval_key_value(field)
        } else {
            format!("_id.{field}")
        }
    }
}

impl Translator {
    /// A group key or an already-grouped expression, when translating after `$group`.
    pub(crate) fn group_lookup(
        &mut self,
        cx: &mut QueryContext,
        e: &Expr,
    ) -> Result<Option<Agg>, Error> {
        let Some(scope) = &cx.group else {
            return Ok(None);
        };
        for (k, field) in &scope.keys {
            if strip(k) == strip(e) {
                let kind = if scope.interval_keys.contains(field) {
                    Kind::Interval
                } else {
                    Kind::Unknown
                };
                return Ok(Some(Agg::new(
                    ex::field(&scope.key_path(field)),
                    kind,
                    true,
                )));
            }
        }
        Ok(None)
    }

    /// An aggregate function call: registers its accumulator(s) and returns the post-group expression.
    pub(crate) fn aggregate_call(
        &mut self,
        cx: &mut QueryContext,
        f: &Function,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let name = crate::translate::names::function_name(&f.name);
        if f.over.is_some() {
            return Err(unsupported(
                Refusal::Aggregate,
                format!("window function {}() OVER (...)", f.name),
                e,
            ));
        }
        let ordered_set = super::stats_agg::is_ordered_set(&name);
        if (!f.within_group.is_empty() && !ordered_set)
            || f.null_treatment.is_some()
            || f.uses_odbc_syntax
        {
            return Err(unsupported(
                Refusal::Aggregate,
                format!("this form of {}()", f.name),
                e,
            ));
        }
        let Some(mut scope) = cx.group.take() else {
            return Err(super::expr::invalid(
                format!("aggregate function {}() is not allowed here", f.name),
                e,
            ));
        };
        let result = self.aggregate_in_scope(cx, &name, f, e, &mut scope);
        cx.group = Some(scope);
        result
    }

    fn aggregate_in_scope(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        f: &Function,
        e: &Expr,
        scope: &mut GroupScope,
    ) -> Result<Agg, Error> {
        if let Some(done) = self.collecting_aggregate(cx, name, f, e, scope)? {
            return Ok(done);
        }
        if let Some(done) = self.statistics_aggregate(cx, name, f, e, scope)? {
            return Ok(done);
        }
        let (distinct, star, arg) = match &f.args {
            FunctionArguments::List(list) => {
                if !list.clauses.is_empty() {
                    return Err(unsupported(
                        Refusal::Aggregate,
                        format!("clauses inside {}()", f.name),
                        e,
                    ));
                }
                let distinct =
                    matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
                match list.args.as_slice() {
                    [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)]
                        if name == "count" && !distinct =>
                    {
                        (false, true, None)
                    }
                    [FunctionArg::Unnamed(FunctionArgExpr::Expr(x))] => (distinct, false, Some(x)),
                    _ => {
                        return Err(super::expr::invalid(
                            format!("{}() takes exactly one argument", f.name),
                            e,
                        ))
                    }
                }
            }
            _ => {
                return Err(super::expr::invalid(
                    format!("{}() needs an argument", f.name),
                    e,
                ))
            }
        };
        // Arguments and FILTER are evaluated per input row, before the group.
        let filter = match &f.filter {
            Some(p) => Some(self.pred(cx, p)?.t),
            None => None,
        };
        let x = match arg {
            Some(a) => Some(self.agg(cx, a)?),
            None => None,
        };
        if let Some(a) = &x {
            if a.expr.as_document().is_some_and(acc::reads_group_key) {
                return Err(unsupported(
                    Refusal::Aggregate,
                    "nested aggregate functions",
                    e,
                ));
            }
        }
        let idx = scope.accumulators.len();
        let field = format!("a{idx}");
        let counted = |x: &Agg| -> ex::Expr {
            let mut parts = vec![];
            if x.nullable {
                parts.push(not_null(&x.expr));
            }
            if let Some(ft) = &filter {
                parts.push(ft.clone());
            }
            and(parts)
        };
        let reader = |f: &str| ex::field(f);
        match (name, star, x) {
            ("count", true, _) => {
                let count = match &filter {
                    Some(ft) => acc::sum(ex::cond(ft.clone(), 1, 0)),
                    None => acc::sum(1),
                };
                let field = scope.accumulate(&field, count);
                Ok(Agg::new(ex::if_null(reader(&field), 0), Kind::Int, false))
            }
            (_, false, Some(x)) if distinct => {
                let keep = counted(&x);
                let field = scope.accumulate(
                    &field,
                    acc::add_to_set(ex::cond(keep, x.expr, ex::remove())),
                );
                let set = ex::if_null(reader(&field), Bson::Array(Vec::new()));
                let nonempty = ex::gt(ex::size(set.clone()), 0);
                Ok(match name {
                    "count" => Agg::new(ex::size(set), Kind::Int, false),
                    "sum" => Agg::new(
                        ex::cond(nonempty, ex::sum_of(set), Bson::Null),
                        x.kind,
                        true,
                    ),
                    "avg" => Agg::new(
                        ex::cond(nonempty, ex::avg_of(set), Bson::Null),
                        Kind::Number,
                        true,
                    ),
                    "min" => Agg::new(ex::min_of(set), x.kind, true),
                    _ => Agg::new(ex::max_of(set), x.kind, true),
                })
            }
            ("count", false, Some(x)) => {
                // A column that cannot be NULL (a declared NOT NULL / PRIMARY KEY) with no FILTER counts
                // every row: COUNT(*)'s `$sum: 1` (the engine answers it from the record count).
                let count = match x.nullable || filter.is_some() {
                    true => acc::sum(ex::cond(counted(&x), 1, 0)),
                    false => acc::sum(1),
                };
                let field = scope.accumulate(&field, count);
                Ok(Agg::new(ex::if_null(reader(&field), 0), Kind::Int, false))
            }
            ("sum" | "avg", false, Some(x)) if x.kind == Kind::Interval => {
                let value = super::interval_agg::sum_or_avg(
                    scope,
                    &field,
                    x.expr,
                    filter,
                    name == "avg",
                    true,
                );
                Ok(Agg::new(value, Kind::Interval, true))
            }
            ("sum", false, Some(x)) => {
                let value = match &filter {
                    Some(ft) => ex::cond(ft.clone(), x.expr.clone(), Bson::Null),
                    None => x.expr.clone(),
                };
                let field = scope.accumulate(&field, acc::sum(value));
                // $sum skips non-numbers too, so count numeric inputs: PG's SUM is NULL when none. A
                // number is never NULL: the FILTER, if any, and the type test suffice.
                let mut keep: Vec<ex::Expr> = filter.iter().cloned().collect();
                keep.push(ex::is_number(x.expr).into());
                let nfield =
                    scope.accumulate(&format!("a{idx}n"), acc::sum(ex::cond(and(keep), 1, 0)));
                Ok(Agg::new(
                    ex::cond(
                        ex::gt(ex::if_null(reader(&nfield), 0), 0),
                        reader(&field),
                        Bson::Null,
                    ),
                    x.kind,
                    true,
                ))
            }
            ("min" | "max", false, Some(x)) if x.kind == Kind::Interval => {
                // By PostgreSQL's order (the span), not the document's fields: `{s: span, v: value}`
                // documents compare by `s` first; NULL (or filtered out) is no candidate.
                let mut keep = vec![not_null(&ex::var("v"))];
                keep.extend(filter.clone());
                let candidate = ex::let_in(
                    bson::doc! {"v": x.expr},
                    ex::cond(
                        and(keep),
                        bson::doc! {
                            "s": super::expr::interval::span(ex::var("v").into(), false),
                            "v": ex::var("v"),
                        },
                        Bson::Null,
                    ),
                );
                let field = scope.accumulate(
                    &field,
                    if name == "min" {
                        acc::min(candidate)
                    } else {
                        acc::max(candidate)
                    },
                );
                Ok(Agg::new(
                    ex::or_null(reader(&format!("{field}.v"))),
                    Kind::Interval,
                    true,
                ))
            }
            ("avg" | "min" | "max", false, Some(x)) => {
                let value = match &filter {
                    Some(ft) => ex::cond(ft.clone(), x.expr.clone(), Bson::Null),
                    None => x.expr.clone(),
                };
                let a = match name {
                    "avg" => acc::avg(value),
                    "min" => acc::min(value),
                    _ => acc::max(value),
                };
                let field = scope.accumulate(&field, a);
                let kind = if name == "avg" { Kind::Number } else { x.kind };
                Ok(Agg::new(ex::or_null(reader(&field)), kind, true))
            }
            _ => Err(super::expr::invalid(
                format!("unsupported use of {}()", f.name),
                e,
            )),
        }
    }
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Nested(inner) => strip(inner),
        other => other,
    }
}

/// Whether an expression contains an aggregate function call (outside subqueries: theirs are their own).
pub(crate) fn contains_aggregate(e: &Expr) -> bool {
    super::visit::any_outside_subqueries(e, |x| {
        matches!(x, Expr::Function(f) if f.over.is_none()
            && super::expr::is_aggregate_name(&crate::translate::names::function_name(&f.name)))
    })
}

#[cfg(test)]
mod count_tests {
    use crate::translate::catalog::{Catalog, Column, Table};
    use bson::{doc, Bson};

    /// The `$group` of `sql` over table `t` (`k` NOT NULL, `v` nullable).
    fn group(sql: &str) -> bson::Document {
        let mut catalog = Catalog::new();
        catalog.tables.insert(
            "t".into(),
            Table {
                columns: vec![
                    Column {
                        name: "k".into(),
                        not_null: true,
                        ..Column::default()
                    },
                    Column {
                        name: "v".into(),
                        ..Column::default()
                    },
                ],
            },
        );
        let plan = crate::translate::translate_with_catalog(sql, &catalog.into()).unwrap();
        let cmd = plan.statements[0].steps[0].to_document();
        let pipeline = cmd.get_array("pipeline").unwrap();
        pipeline
            .iter()
            .find_map(|s| s.as_document()?.get_document("$group").ok().cloned())
            .unwrap()
    }

    /// COUNT of a NOT NULL column is COUNT(*)'s `$sum: 1`; of a nullable one, or with a FILTER, the NULL
    /// test stays.
    #[test]
    fn count_of_a_not_null_column_counts_rows() {
        let g = group("SELECT COUNT(k) AS a, COUNT(*) AS b, COUNT(v) AS c, COUNT(k) FILTER (WHERE v > 1) AS d FROM t");
        // COUNT(k) is COUNT(*)'s accumulator itself (one `$sum: 1` for both).
        let accs: Vec<&Bson> = g
            .iter()
            .filter(|(k, _)| *k != "_id")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(accs.len(), 3, "{g}");
        assert_eq!(accs[0], &Bson::Document(doc! {"$sum": 1}), "{g}");
        for sum in &accs[1..] {
            let sum = sum.as_document().and_then(|d| d.get("$sum")).unwrap();
            assert!(
                matches!(sum, Bson::Document(c) if c.contains_key("$cond")),
                "{sum}"
            );
        }
    }
}
