//! `GROUP BY GROUPING SETS (...)`, `ROLLUP (...)`, `CUBE (...)` (also mixed with plain keys, which multiply
//! out as in PostgreSQL) and `GROUPING(...)`.
//!
//! One pass over the rows: each row is copied once per grouping set (`$set` of the set numbers +
//! `$unwind`), and `$group` groups on the set number and on every key, a key outside the row's set being
//! NULL (`{$cond: [{$in: ["$__gs", [sets holding the key]]}, key, null]}`). Rolled-up keys are therefore
//! NULL in the output, as in PostgreSQL; `GROUPING(a, b)` reads the set number after the group. A set with
//! no key (`()`, the grand total of ROLLUP / CUBE) gives its row also over no input rows, as PostgreSQL's
//! does: a row with no accumulator is added for it, kept only when no group of that set exists.

use super::expr::{invalid, unsupported, Agg, Kind};
use super::{Error, Translator};
use crate::mql::accumulator::Accumulator;
use crate::mql::expr as ex;
use crate::mql::{Stage, Stage::*};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments};

/// At most this many grouping sets (each input row is copied once per set); PostgreSQL's own limit is
/// 4096.
pub(crate) const MAX_GROUPING_SETS: usize = 256;

/// The field holding a row's grouping-set number before `$group`, and under `_id` after it.
pub(crate) const SET_FIELD: &str = "__gs";

/// The grouping sets of a GROUP BY list: its distinct key expressions and, per set, the keys it holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct GroupingSets {
    /// The distinct key expressions, in order of first appearance.
    pub keys: Vec<Expr>,
    /// Each set: indexes into `keys`.
    pub sets: Vec<Vec<usize>>,
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Nested(inner) => strip(inner),
        other => other,
    }
}

fn power_set(items: &[Vec<Expr>]) -> Vec<Vec<Vec<Expr>>> {
    // PostgreSQL's CUBE order: the whole list first, down to the empty set.
    let n = items.len();
    let mut out = Vec::with_capacity(1 << n);
    for mask in (0..(1usize << n)).rev() {
        out.push(
            (0..n)
                .filter(|i| mask & (1 << (n - 1 - i)) != 0)
                .map(|i| items[i].clone())
                .collect(),
        );
    }
    out
}

fn nested_refused(e: &Expr) -> Error {
    unsupported(
        Refusal::Clause,
        "ROLLUP / CUBE / GROUPING SETS nested inside GROUPING SETS",
        e,
    )
}

/// The grouping sets of one GROUP BY item, each a list of expressions.
fn item_sets(item: &Expr) -> Result<Vec<Vec<Expr>>, Error> {
    let flat = |groups: &[Vec<Expr>]| -> Result<Vec<Expr>, Error> {
        let mut out = Vec::new();
        for g in groups {
            for e in g {
                if matches!(e, Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)) {
                    return Err(nested_refused(e));
                }
                out.push(e.clone());
            }
        }
        Ok(out)
    };
    Ok(match item {
        Expr::Rollup(groups) => {
            if groups.len() > 12 {
                return Err(too_many(item));
            }
            (0..=groups.len())
                .rev()
                .map(|n| flat(&groups[..n]))
                .collect::<Result<_, _>>()?
        }
        Expr::Cube(groups) => {
            if groups.len() > 8 {
                return Err(too_many(item));
            }
            power_set(groups)
                .iter()
                .map(|s| flat(s))
                .collect::<Result<_, _>>()?
        }
        Expr::GroupingSets(sets) => sets
            .iter()
            .map(|s| flat(std::slice::from_ref(s)))
            .collect::<Result<_, _>>()?,
        other => vec![vec![other.clone()]],
    })
}

fn too_many(e: &Expr) -> Error {
    unsupported(
        Refusal::Clause,
        format!("more than {MAX_GROUPING_SETS} grouping sets (each row is copied once per set)"),
        e,
    )
}

/// The grouping sets of a GROUP BY list, or `None` when it has no ROLLUP / CUBE / GROUPING SETS.
pub(crate) fn expand(list: &[Expr]) -> Result<Option<GroupingSets>, Error> {
    if !list
        .iter()
        .any(|e| matches!(e, Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)))
    {
        return Ok(None);
    }
    // The cross product of the items' sets, concatenated.
    let mut product: Vec<Vec<Expr>> = vec![Vec::new()];
    for item in list {
        let sets = item_sets(item)?;
        if product.len() * sets.len() > MAX_GROUPING_SETS {
            return Err(too_many(item));
        }
        let mut next = Vec::with_capacity(product.len() * sets.len());
        for base in &product {
            for s in &sets {
                let mut v = base.clone();
                v.extend(s.iter().cloned());
                next.push(v);
            }
        }
        product = next;
    }
    let mut out = GroupingSets::default();
    for set in product {
        let mut idx = Vec::new();
        for e in set {
            let i = match out.keys.iter().position(|k| strip(k) == strip(&e)) {
                Some(i) => i,
                None => {
                    out.keys.push(e);
                    out.keys.len() - 1
                }
            };
            if !idx.contains(&i) {
                idx.push(i);
            }
        }
        out.sets.push(idx);
    }
    Ok(Some(out))
}

impl GroupingSets {
    /// After the keys were resolved (ordinals, output names): keys that became equal are merged.
    pub(crate) fn with_resolved_keys(self, resolved: Vec<Expr>) -> GroupingSets {
        let mut keys: Vec<Expr> = Vec::new();
        let mut map = Vec::with_capacity(resolved.len());
        for e in resolved {
            match keys.iter().position(|k| strip(k) == strip(&e)) {
                Some(i) => map.push(i),
                None => {
                    keys.push(e);
                    map.push(keys.len() - 1);
                }
            }
        }
        let sets = self
            .sets
            .into_iter()
            .map(|s| {
                let mut v: Vec<usize> = Vec::new();
                for i in s {
                    if !v.contains(&map[i]) {
                        v.push(map[i]);
                    }
                }
                v
            })
            .collect();
        GroupingSets { keys, sets }
    }

    /// The numbers of the sets holding key `k`.
    fn sets_with(&self, k: usize) -> Vec<Bson> {
        (0..self.sets.len())
            .filter(|&s| self.sets[s].contains(&k))
            .map(|s| Bson::Int32(s as i32))
            .collect()
    }

    /// The stages copying each row once per set, before `$group`.
    pub(crate) fn copy_stages(&self) -> Vec<Document> {
        let numbers: Vec<Bson> = (0..self.sets.len())
            .map(|s| Bson::Int32(s as i32))
            .collect();
        vec![
            Set(doc! {SET_FIELD: ex::literal(Bson::Array(numbers))}).into_document(),
            Unwind(ex::field_ref(SET_FIELD)).into_document(),
        ]
    }

    /// Group key `k` (its expression `key`) as grouped: NULL outside the sets holding it.
    pub(crate) fn key_in_set(&self, k: usize, key: Bson) -> Bson {
        let holding = self.sets_with(k);
        if holding.len() == self.sets.len() {
            return key;
        }
        ex::cond(
            ex::in_array(ex::field(SET_FIELD), ex::literal(Bson::Array(holding))),
            key,
            Bson::Null,
        )
        .into()
    }

    /// After `$group` (whose `_id` is `id`): a row for each set without keys, kept only when no group of
    /// that set came from the rows (PostgreSQL gives the grand total also over no rows).
    pub(crate) fn empty_set_stages(&self, id: &Document) -> Vec<Document> {
        let empty: Vec<usize> = (0..self.sets.len())
            .filter(|&s| self.sets[s].is_empty())
            .collect();
        if empty.is_empty() {
            return Vec::new();
        }
        let docs = empty
            .iter()
            .map(|&s| {
                let mut key = Document::new();
                for (f, _) in id {
                    key.insert(
                        f.clone(),
                        if f == SET_FIELD {
                            Bson::Int32(s as i32)
                        } else {
                            Bson::Null
                        },
                    );
                }
                doc! {"_id": key}
            })
            .collect();
        vec![
            Stage::UnionWith {
                coll: None,
                pipeline: vec![Documents(docs).into_document()],
            }
            .into_document(),
            Stage::Group {
                id: ex::field("_id").into(),
                accumulators: doc! {"d": Accumulator::First.of(ex::root())},
            }
            .into_document(),
            ReplaceRoot(ex::field("d").into()).into_document(),
        ]
    }
}

impl Translator {
    /// `GROUPING(a, b, ...)`: bit i (from the left) is 1 when argument i is not in the row's grouping set.
    pub(crate) fn grouping_call(
        &mut self,
        cx: &mut QueryContext,
        f: &Function,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let args: Vec<&Expr> = match &f.args {
            FunctionArguments::List(list) if list.duplicate_treatment.is_none() => list
                .args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => Ok(x),
                    _ => Err(invalid("GROUPING takes expressions", e)),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(invalid("GROUPING takes expressions", e)),
        };
        if args.is_empty() || args.len() > 31 {
            return Err(invalid("GROUPING must have between 1 and 31 arguments", e));
        }
        let Some(scope) = &cx.group else {
            return Err(invalid(
                "grouping operations are not allowed here (GROUPING reads the GROUP BY of its query)",
                e,
            ));
        };
        let n = args.len();
        let mut terms = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let Some(k) = scope
                .keys
                .iter()
                .position(|(key, _)| strip(key) == strip(a))
            else {
                return Err(invalid(
                    "arguments to GROUPING must be grouping expressions of the associated query level",
                    a,
                ));
            };
            let bit = 1i32 << (n - 1 - i);
            if let Some(gs) = &scope.grouping {
                let missing: Vec<Bson> = (0..gs.sets.len())
                    .filter(|&s| !gs.sets[s].contains(&k))
                    .map(|s| Bson::Int32(s as i32))
                    .collect();
                if !missing.is_empty() {
                    terms.push(ex::cond(
                        ex::in_array(
                            ex::field(&format!("_id.{SET_FIELD}")),
                            ex::literal(Bson::Array(missing)),
                        ),
                        bit,
                        0,
                    ));
                }
            }
        }
        let expr: ex::Expr = match terms.len() {
            0 => 0.into(),
            1 => terms.remove(0),
            _ => ex::add(terms.into_iter().map(Bson::from).collect()).into(),
        };
        Ok(Agg::new(expr, Kind::Int, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn sets(group_by: &str) -> Vec<Vec<String>> {
        let sql = format!("SELECT 1 FROM t GROUP BY {group_by}");
        let stmt = Parser::parse_sql(&PostgreSqlDialect {}, &sql)
            .unwrap()
            .remove(0);
        let sqlparser::ast::Statement::Query(q) = stmt else {
            panic!()
        };
        let sqlparser::ast::SetExpr::Select(s) = *q.body else {
            panic!()
        };
        let sqlparser::ast::GroupByExpr::Expressions(list, _) = &s.group_by else {
            panic!()
        };
        let g = expand(list).unwrap().unwrap();
        g.sets
            .iter()
            .map(|s| s.iter().map(|&i| g.keys[i].to_string()).collect())
            .collect()
    }

    #[test]
    fn rollup_cube_and_sets_expand_as_postgresql() {
        assert_eq!(sets("ROLLUP (a, b)"), [vec!["a", "b"], vec!["a"], vec![]]);
        assert_eq!(
            sets("CUBE (a, b)"),
            [vec!["a", "b"], vec!["a"], vec!["b"], vec![]]
        );
        assert_eq!(
            sets("GROUPING SETS ((a, b), (c), ())"),
            [vec!["a", "b"], vec!["c"], vec![]]
        );
        assert_eq!(sets("x, ROLLUP ((a, b))"), [vec!["x", "a", "b"], vec!["x"]]);
        assert_eq!(
            sets("ROLLUP (a), CUBE (b)"),
            [vec!["a", "b"], vec!["a"], vec!["b"], vec![]]
        );
    }
}
