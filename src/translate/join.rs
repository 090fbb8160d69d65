//! FROM with joins -> `$lookup` + `$unwind` stages in front of the pipeline.
//!
//! The first table stays the aggregate's collection and its columns stay at the document root; the k-th joined
//! table (k >= 1) lands in the field `__jk` (one document after `$unwind`). Every join is a `$lookup` with
//! `let` + `pipeline`: the ON condition is translated with SQL three-valued logic into `{$match: {$expr: ...}}`
//! inside the joined collection, the columns of the tables already joined being `let` variables. So NULL = NULL
//! (or a missing field) is never a match, unlike `localField`/`foreignField` equality. INNER / CROSS joins
//! `$unwind` the array (no match: the row goes); LEFT joins keep the row (`preserveNullAndEmptyArrays`), whose
//! joined columns are then missing, i.e. NULL. RIGHT / FULL joins, USING and NATURAL are refused. An
//! `outer.col = inner.col` conjunct is also given as `localField` / `foreignField` (MongoDB 5.0+ combines them
//! with the pipeline): an index-usable pre-filter whose matches are a superset of the SQL ones.
//!
//! The translator knows no schema, so in a query with joins every column must be qualified by its table name
//! or alias (an unqualified column is refused rather than guessed).

use super::expr::{invalid, unsupported};
use super::names::{collection_name, field_path};
use super::{Error, Position, Translator};
use bson::{doc, Bson, Document};
use sqlparser::ast::{
    Expr, Ident, JoinConstraint, JoinOperator, Spanned, TableFactor, TableWithJoins,
};

/// One table of a FROM clause with joins.
#[derive(Debug, Clone)]
pub(crate) struct JoinTable {
    /// The name that qualifies its columns (alias, or the table name without one).
    pub qualifier: String,
    /// Where its columns live: `None` at the root, `Some("__jk")` for a joined table.
    pub prefix: Option<String>,
}

/// Column resolution in a query with joins.
#[derive(Debug, Default, Clone)]
pub(crate) struct JoinScope {
    /// The tables, in FROM order.
    pub tables: Vec<JoinTable>,
    /// While translating the ON condition of table k: `Some(k)`; its columns are at the root of the joined
    /// collection and the columns of earlier tables are `let` variables.
    pub inner: Option<usize>,
    /// The `let` variables of the `$lookup` being built: name -> outer path.
    pub lets: Vec<(String, String)>,
}

/// The stages a FROM clause adds in front of the pipeline.
pub(crate) struct FromPlan {
    /// The collection the aggregate runs on.
    pub collection: String,
    /// `$lookup` / `$unwind` stages (empty without joins).
    pub stages: Vec<Document>,
}

impl Translator {
    /// The FROM clause: one collection, or a collection with joins (sets up [`JoinScope`]).
    pub(crate) fn plan_from(
        &mut self,
        from: &[TableWithJoins],
        pos: Position,
    ) -> Result<FromPlan, Error> {
        let has_joins = from.len() > 1 || from.iter().any(|t| !t.joins.is_empty());
        if !has_joins {
            return Ok(FromPlan {
                collection: self.collection_of_from(from, pos)?,
                stages: Vec::new(),
            });
        }
        let mut scope = JoinScope::default();
        let mut stages = Vec::new();
        let mut collection = String::new();
        for (i, twj) in from.iter().enumerate() {
            let (src, qualifier) = self.join_relation(&twj.relation)?;
            if i == 0 {
                // The first relation's stages (a CTE / derived table) run first, on its collection.
                let Some(c) = src.collection else {
                    return Err(Error::Unsupported {
                        construct: "a query without FROM as the first relation of a join".into(),
                        position: pos,
                    });
                };
                collection = c;
                stages.extend(src.pipeline);
                add_table(&mut scope, qualifier, &twj.relation)?;
            } else {
                // `FROM a, b`: a cross join.
                self.join_one(
                    &mut scope,
                    &mut stages,
                    src,
                    qualifier,
                    &twj.relation,
                    None,
                    false,
                )?;
            }
            for j in &twj.joins {
                let (src, qualifier) = self.join_relation(&j.relation)?;
                let at = Position::from(j.span().start);
                let (constraint, left) = match &j.join_operator {
                    JoinOperator::Join(c) | JoinOperator::Inner(c) => (c, false),
                    JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (c, true),
                    JoinOperator::CrossJoin(c) => (c, false),
                    JoinOperator::Right(_) | JoinOperator::RightOuter(_) => {
                        return Err(Error::Unsupported {
                            construct: "RIGHT JOIN (swap the tables and use LEFT JOIN)".into(),
                            position: at,
                        })
                    }
                    JoinOperator::FullOuter(_) => {
                        return Err(Error::Unsupported {
                            construct: "FULL OUTER JOIN".into(),
                            position: at,
                        })
                    }
                    _ => {
                        return Err(Error::Unsupported {
                            construct: "this kind of join".into(),
                            position: at,
                        })
                    }
                };
                let on = match constraint {
                    JoinConstraint::On(e) => Some(e),
                    JoinConstraint::None => None,
                    JoinConstraint::Using(_) => {
                        return Err(Error::Unsupported {
                            construct: "JOIN ... USING (write ON a.col = b.col)".into(),
                            position: at,
                        })
                    }
                    JoinConstraint::Natural => {
                        return Err(Error::Unsupported {
                            construct: "NATURAL JOIN".into(),
                            position: at,
                        })
                    }
                };
                if on.is_none() && !matches!(j.join_operator, JoinOperator::CrossJoin(_)) {
                    return Err(Error::Invalid {
                        message: "JOIN needs an ON condition".into(),
                        position: at,
                    });
                }
                self.join_one(
                    &mut scope,
                    &mut stages,
                    src,
                    qualifier,
                    &j.relation,
                    on,
                    left,
                )?;
            }
        }
        for t in &scope.tables {
            self.tables.push(t.qualifier.clone());
        }
        self.join = Some(scope);
        Ok(FromPlan { collection, stages })
    }

    #[allow(clippy::too_many_arguments)]
    fn join_one(
        &mut self,
        scope: &mut JoinScope,
        stages: &mut Vec<Document>,
        src: super::cte::Source,
        qualifier: String,
        relation: &TableFactor,
        on: Option<&Expr>,
        left: bool,
    ) -> Result<(), Error> {
        let k = scope.tables.len();
        add_table(scope, qualifier, relation)?;
        let field = format!("__j{k}");
        // A CTE / derived table: its stages first, then the ON condition over its columns.
        let plain = src.pipeline.is_empty();
        let mut pipeline = src.pipeline;
        let mut lets = Document::new();
        if let Some(on) = on {
            if super::aggregate::contains_aggregate(on) {
                return Err(invalid(
                    "aggregate functions are not allowed in JOIN conditions",
                    on,
                ));
            }
            let mut inner = scope.clone();
            inner.inner = Some(k);
            inner.lets.clear();
            let saved = self.join.replace(inner);
            let result = self.pred(on);
            let used = self.join.take().map(|s| s.lets).unwrap_or_default();
            self.join = saved;
            let p = result?;
            // A subquery's `$lookup` would land in the outer pipeline, not in this join's.
            self.no_subquery_here("JOIN ... ON", super::expr::expr_pos(on))?;
            for (name, path) in used {
                lets.insert(name, Bson::String(format!("${path}")));
            }
            pipeline.push(doc! {"$match": {"$expr": p.t}});
        }
        let mut lookup = Document::new();
        if let Some(c) = src.collection {
            lookup.insert("from", c);
        }
        // An `outer.col = inner.col` conjunct also becomes localField / foreignField: a pre-filter that can use an
        // index on the joined collection; the pipeline's $match still decides (NULL never matches). Not for a
        // CTE / derived table: the pre-filter reads the collection's documents, before its stages rename them.
        if let (Some(on), true) = (on, plain) {
            if let Some((local, foreign)) = equi_key(scope, k, on) {
                lookup.insert("localField", local);
                lookup.insert("foreignField", foreign);
            }
        }
        if !lets.is_empty() {
            lookup.insert("let", lets);
        }
        lookup.insert("pipeline", pipeline);
        lookup.insert("as", field.clone());
        stages.push(doc! {"$lookup": lookup});
        if left {
            stages.push(
                doc! {"$unwind": {"path": format!("${field}"), "preserveNullAndEmptyArrays": true}},
            );
        } else {
            stages.push(doc! {"$unwind": format!("${field}")});
        }
        Ok(())
    }

    /// In a query with joins: the path (without the leading `$`) of a column reference — `x` for the first
    /// table, `__jk.x` for a joined one, `$lN` for an outer column inside an ON condition. `None` without joins.
    pub(crate) fn join_column_path(
        &mut self,
        parts: &[Ident],
        e: &Expr,
    ) -> Result<Option<String>, Error> {
        let Some(scope) = &mut self.join else {
            return Ok(None);
        };
        let (Some(first), true) = (parts.first(), parts.len() > 1) else {
            return Err(unsupported(
                format!(
                    "unqualified column \"{e}\" in a query with joins (qualify it with its table)"
                ),
                e,
            ));
        };
        let Some(idx) = scope.tables.iter().position(|t| t.qualifier == first.value) else {
            return Err(unsupported(
                format!(
                    "column \"{e}\": \"{}\" is not a table of FROM (in a query with joins every column is qualified)",
                    first.value
                ),
                e,
            ));
        };
        let rest = field_path(&parts[1..])?;
        let table = &scope.tables[idx];
        let outer = |t: &JoinTable| match &t.prefix {
            None => rest.clone(),
            Some(p) => format!("{p}.{rest}"),
        };
        match scope.inner {
            None => Ok(Some(outer(table))),
            Some(k) if idx == k => Ok(Some(rest)),
            Some(k) if idx < k => {
                let path = outer(table);
                let name = match scope.lets.iter().find(|(_, p)| *p == path) {
                    Some((n, _)) => n.clone(),
                    None => {
                        let n = format!("l{}", scope.lets.len());
                        scope.lets.push((n.clone(), path));
                        n
                    }
                };
                Ok(Some(format!("${name}")))
            }
            Some(_) => Err(invalid(
                format!(
                    "invalid reference to FROM-clause entry for table \"{}\" (it is joined later)",
                    first.value
                ),
                e,
            )),
        }
    }

    /// `SELECT *` / `SELECT t.*` in a query with joins: the stages that leave only t's columns (none without
    /// joins); `_id` is MongoDB's, not a SQL column, and is dropped. A bare `*` is refused: without a schema the columns of each table are unknown.
    pub(crate) fn join_star(
        &self,
        wildcard: bool,
        qualifier: Option<&str>,
        pos: Position,
    ) -> Result<Vec<Document>, Error> {
        if !wildcard || self.join.is_none() {
            return Ok(Vec::new());
        }
        let Some(q) = qualifier else {
            return Err(Error::Unsupported {
                construct:
                    "SELECT * in a query with joins (select t.* of one table, or list the columns)"
                        .into(),
                position: pos,
            });
        };
        match self.join_prefix_of(q) {
            Ok(None) => {
                let mut names: Vec<Bson> =
                    self.join_prefixes().into_iter().map(Bson::String).collect();
                names.push(Bson::String("_id".into()));
                Ok(vec![doc! {"$unset": names}])
            }
            Ok(Some(p)) => Ok(vec![
                doc! {"$replaceRoot": {"newRoot": {"$ifNull": [format!("${p}"), {}]}}},
                doc! {"$unset": "_id"},
            ]),
            Err(()) => Err(Error::Invalid {
                message: format!("missing FROM-clause entry for table \"{q}\""),
                position: pos,
            }),
        }
    }

    /// Whether the current query has joins.
    pub(crate) fn has_joins(&self) -> bool {
        self.join.is_some()
    }

    /// The prefixes of the joined tables (`__j1`, ...), removed by `SELECT t.*` of the first table.
    pub(crate) fn join_prefixes(&self) -> Vec<String> {
        self.join
            .as_ref()
            .map(|s| s.tables.iter().filter_map(|t| t.prefix.clone()).collect())
            .unwrap_or_default()
    }

    /// The prefix of a joined table by qualifier: `Ok(None)` for the first table, `Err` when unknown.
    pub(crate) fn join_prefix_of(&self, qualifier: &str) -> Result<Option<String>, ()> {
        let Some(scope) = &self.join else {
            return Err(());
        };
        match scope.tables.iter().find(|t| t.qualifier == qualifier) {
            Some(t) => Ok(t.prefix.clone()),
            None => Err(()),
        }
    }
}

/// The first `a.x = b.y` conjunct of an ON condition between a plain column of an earlier table and one of
/// table `k`: (local path, foreign path).
fn equi_key(scope: &JoinScope, k: usize, on: &Expr) -> Option<(String, String)> {
    use sqlparser::ast::BinaryOperator;
    match on {
        Expr::Nested(inner) => equi_key(scope, k, inner),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => equi_key(scope, k, left).or_else(|| equi_key(scope, k, right)),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => {
            let side = |e: &Expr| -> Option<(usize, String)> {
                let Expr::CompoundIdentifier(parts) = e else {
                    return None;
                };
                let first = parts.first()?;
                let idx = scope
                    .tables
                    .iter()
                    .position(|t| t.qualifier == first.value)?;
                let rest = field_path(&parts[1..]).ok()?;
                let path = match &scope.tables[idx].prefix {
                    Some(p) if idx != k => format!("{p}.{rest}"),
                    _ => rest,
                };
                Some((idx, path))
            };
            let (a, b) = (side(left)?, side(right)?);
            match (a, b) {
                ((i, outer), (j, inner)) | ((j, inner), (i, outer)) if i < k && j == k => {
                    Some((outer, inner))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn add_table(
    scope: &mut JoinScope,
    qualifier: String,
    relation: &TableFactor,
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
    scope.tables.push(JoinTable { qualifier, prefix });
    Ok(())
}

impl Translator {
    /// A relation of a join: a collection, or a CTE / derived table as a pipeline source (cte.rs).
    fn join_relation(&mut self, t: &TableFactor) -> Result<(super::cte::Source, String), Error> {
        if self.is_special_relation(t) {
            let (qualifier, src) = self.relation_source(t)?;
            return Ok((src, qualifier));
        }
        let (coll, qualifier) = table_factor(t)?;
        Ok((
            super::cte::Source {
                collection: Some(coll),
                pipeline: Vec::new(),
                columns: None,
            },
            qualifier,
        ))
    }
}

/// A plain table of a join: its collection and the qualifier of its columns.
fn table_factor(t: &TableFactor) -> Result<(String, String), Error> {
    let pos = Position::from(t.span().start);
    match t {
        TableFactor::Table {
            name,
            alias,
            args,
            with_hints,
            version,
            with_ordinality,
            partitions,
            json_path,
            sample,
            index_hints,
        } => {
            if args.is_some()
                || !with_hints.is_empty()
                || version.is_some()
                || *with_ordinality
                || !partitions.is_empty()
                || json_path.is_some()
                || sample.is_some()
                || !index_hints.is_empty()
            {
                return Err(Error::Unsupported {
                    construct: "this table clause".into(),
                    position: pos,
                });
            }
            let c = collection_name(name)?;
            let q = match alias {
                Some(a) => {
                    if !a.columns.is_empty() {
                        return Err(Error::Unsupported {
                            construct: "column aliases on a table".into(),
                            position: pos,
                        });
                    }
                    a.name.value.clone()
                }
                None => c.clone(),
            };
            Ok((c, q))
        }
        TableFactor::Derived { .. } => Err(Error::Unsupported {
            construct: "subquery (derived table) in a join".into(),
            position: pos,
        }),
        _ => Err(Error::Unsupported {
            construct: "this kind of FROM item in a join".into(),
            position: pos,
        }),
    }
}
