//! FROM with joins -> `$lookup` + `$unwind` stages in front of the pipeline.
//!
//! The first table stays the aggregate's collection and its columns stay at the document root; the k-th joined
//! table (k >= 1) lands in the field `__jk` (one document after `$unwind`). Every join is a `$lookup` with
//! `let` + `pipeline`: the ON condition is translated with SQL three-valued logic into `{$match: {$expr: ...}}`
//! inside the joined collection, the columns of the tables already joined being `let` variables. So NULL = NULL
//! (or a missing field) is never a match, unlike `localField`/`foreignField` equality. INNER / CROSS joins
//! `$unwind` the array (no match: the row goes); LEFT joins keep the row (`preserveNullAndEmptyArrays`), whose
//! joined columns are then missing, i.e. NULL. A two-table RIGHT JOIN is the LEFT JOIN the other way round; a
//! two-table FULL JOIN is the LEFT JOIN plus (`$unionWith`) the right rows no left row matches (an anti-join
//! `$lookup`). `USING (c)` is `ON t.c = b.c` with t the first table (or the owner of a column an earlier USING
//! merged), and the unqualified `c` means t's column. RIGHT / FULL joins among more tables and NATURAL are
//! refused.
//!
//! The translator knows no schema, so in a query with joins every column must be qualified by its table name
//! or alias (an unqualified column is refused rather than guessed), USING columns excepted.

use super::expr::{invalid, unsupported};
use super::join_outer::{join_kind, merge_star, JoinKind};
pub(crate) use super::join_scope::{add_table, JoinScope, JoinTable};
use super::join_scope::{resolve_unqualified, Unqualified};
use super::join_where;
use super::names::{collection_name, field_path};
use super::{Error, Position, Translator};
use crate::mql::expr as ex;
use crate::mql::filter::Filter;
use crate::mql::stage::Stage;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{Bson, Document};
use sqlparser::ast::{Expr, Ident, JoinConstraint, Spanned, TableFactor, TableWithJoins};

/// The stages a FROM clause adds in front of the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FromPlan {
    /// The collection the aggregate runs on.
    pub collection: String,
    /// `$lookup` / `$unwind` stages (empty without joins).
    pub stages: Vec<Document>,
    /// Whether WHERE conditions on the first table alone may run before the joins (not for FULL JOIN,
    /// whose right-only rows must meet WHERE too).
    pub pushdown: bool,
    /// How many of `stages` are the first relation's own (a CTE's or derived table's): conditions on its
    /// columns run after them (they compute the columns), before the joins.
    pub first_stages: usize,
}

impl Translator {
    /// The FROM clause: one collection, or a collection with joins (sets up [`JoinScope`]).
    pub(crate) fn plan_from(
        &mut self,
        cx: &mut QueryContext,
        from: &[TableWithJoins],
        pos: Position,
    ) -> Result<FromPlan, Error> {
        let has_joins = from.len() > 1 || from.iter().any(|t| !t.joins.is_empty());
        if !has_joins {
            return Ok(FromPlan {
                collection: self.collection_of_from(cx, from, pos)?,
                stages: Vec::new(),
                pushdown: false,
                first_stages: 0,
            });
        }
        if let Some(plan) = self.right_or_full(cx, from)? {
            return Ok(plan);
        }
        // `LEFT JOIN b ... WHERE b.c IS NULL` terms an anti-join may serve (anti_join.rs).
        let mut is_null = std::mem::take(&mut cx.where_is_null);
        if super::anti_join::has_right_or_full(from) {
            is_null.clear();
        }
        // WHERE terms an inner join's ON condition takes (join_where.rs).
        let mut moving: Vec<(Expr, bool)> = std::mem::take(&mut cx.where_to_on)
            .into_iter()
            .map(|e| (e, false))
            .collect();
        let typed = cx.join_intervals_typed;
        let mut scope = JoinScope::default();
        let mut stages = Vec::new();
        let mut collection = String::new();
        let mut pushdown = true;
        let mut first_stages = 0;
        for (i, twj) in from.iter().enumerate() {
            let (src, qualifier) = self.join_relation(&twj.relation, typed)?;
            if i == 0 {
                // The first relation's stages (a CTE / derived table) run first, on its collection.
                let Some(c) = src.collection.clone() else {
                    return Err(Error::Unsupported {
                        kind: Refusal::Join,
                        construct: "a query without FROM as the first relation of a join".into(),
                        position: pos,
                    });
                };
                collection = c;
                let declared = self.is_declared(&src);
                first_stages = src.pipeline.len();
                stages.extend(src.pipeline);
                add_table(
                    &mut scope,
                    qualifier,
                    &twj.relation,
                    src.columns,
                    declared,
                    src.intervals,
                )?;
            } else {
                // `FROM a, b`: a cross join.
                let moved = take_where(&mut moving, &scope, &qualifier);
                let on = join_where::and_all(None, moved);
                self.join_one(
                    cx,
                    &mut scope,
                    &mut stages,
                    src,
                    qualifier,
                    &twj.relation,
                    on.as_ref(),
                    false,
                )?;
            }
            for j in &twj.joins {
                let (src, qualifier) = self.join_relation(&j.relation, typed)?;
                let at = Position::from(j.span().start);
                let (constraint, kind) = join_kind(&j.join_operator, at)?;
                if matches!(kind, JoinKind::Right | JoinKind::Full) && i > 0 {
                    return Err(Error::Unsupported {
                        kind: Refusal::Join,
                        construct:
                            "RIGHT / FULL JOIN inside a later item of a comma-separated FROM list \
                                    (join the tables with CROSS JOIN instead of commas)"
                                .into(),
                        position: at,
                    });
                }
                let (on_owned, using) =
                    self.join_constraint(&mut scope, constraint, kind, &src, &qualifier, at)?;
                if on_owned.is_none()
                    && !matches!(kind, JoinKind::Cross)
                    && !matches!(constraint, JoinConstraint::Natural)
                {
                    return Err(Error::Invalid {
                        message: "JOIN needs an ON condition".into(),
                        position: at,
                    });
                }
                let on_owned = match kind {
                    JoinKind::Inner | JoinKind::Cross => {
                        let moved = take_where(&mut moving, &scope, &qualifier);
                        join_where::and_all(on_owned, moved)
                    }
                    _ => on_owned,
                };
                let on = on_owned.as_ref();
                let anti = match (kind, on) {
                    (JoinKind::Left, Some(on)) => is_null
                        .iter()
                        .any(|(q, c)| *q == qualifier && self.never_null_in_match(&src, on, q, c)),
                    _ => false,
                };
                match (kind, on) {
                    (JoinKind::Left, Some(on)) if anti => self.anti_join_one(
                        cx,
                        &mut scope,
                        &mut stages,
                        src,
                        qualifier.clone(),
                        &j.relation,
                        on,
                    )?,
                    (JoinKind::Inner | JoinKind::Cross | JoinKind::Left, _) => self.join_one(
                        cx,
                        &mut scope,
                        &mut stages,
                        src,
                        qualifier.clone(),
                        &j.relation,
                        on,
                        matches!(kind, JoinKind::Left),
                    )?,
                    (JoinKind::Right | JoinKind::Full, _) => {
                        let Some(on) = on else {
                            return Err(Error::Unsupported {
                                kind: Refusal::Join,
                                construct: "NATURAL RIGHT / FULL JOIN without common columns"
                                    .into(),
                                position: at,
                            });
                        };
                        pushdown = false;
                        self.outer_join(
                            cx,
                            &mut scope,
                            &mut stages,
                            &mut collection,
                            src,
                            qualifier.clone(),
                            &j.relation,
                            on,
                            matches!(kind, JoinKind::Full),
                            at,
                        )?;
                    }
                }
                if let Some(names) = using {
                    merge_star(&mut scope, &names);
                }
            }
        }
        for t in &scope.tables {
            cx.tables.push(t.qualifier.clone());
        }
        cx.where_moved = moving.into_iter().filter(|m| m.1).map(|m| m.0).collect();
        cx.join = Some(scope);
        Ok(FromPlan {
            collection,
            stages,
            pushdown,
            first_stages,
        })
    }

    /// WHERE as (filter before the joins, filter after them): the top-level AND conditions that read only
    /// columns of the first table run before the `$lookup`s (so an index on it serves, and fewer rows are
    /// joined); the rest after. Without joins everything is in the second filter.
    pub(crate) fn where_filters(
        &mut self,
        cx: &mut QueryContext,
        w: &Expr,
        from: &FromPlan,
    ) -> Result<(Filter, Filter), Error> {
        let first = match &cx.join {
            Some(scope) if from.pushdown && !from.stages.is_empty() => {
                scope.tables.first().map(|t| t.qualifier.clone())
            }
            _ => None,
        };
        // The terms an ON condition took (join_where.rs) are not repeated here.
        let moved = std::mem::take(&mut cx.where_moved);
        let Some(first) = first else {
            return Ok((Filter::All, self.expr_to_filter(cx, w)?));
        };
        let mut conjuncts = Vec::new();
        flatten_and(w, &mut conjuncts);
        conjuncts.retain(|c| !moved.contains(c));
        let mut pre = Vec::new();
        let mut post = Vec::new();
        // Translated in text order (parameter numbering), then sorted into the two filters.
        for c in conjuncts {
            let only_first = self.reads_only(cx, c, &first);
            let f = self.expr_to_filter(cx, c)?;
            if only_first {
                pre.push(f);
            } else {
                post.push(f);
            }
        }
        Ok((all_of(pre), all_of(post)))
    }

    /// Whether `e` reads columns of table `q` only (and no subquery).
    pub(super) fn reads_only(&self, cx: &QueryContext, e: &Expr, q: &str) -> bool {
        let using: Vec<(String, String)> = cx
            .join
            .as_ref()
            .map(|s| s.using.clone())
            .unwrap_or_default();
        // A subquery node itself is at this level (and is refused here), so nothing inside one is needed.
        !crate::translate::visit::any_outside_subqueries(e, |x| match x {
            Expr::Identifier(i) => !using.iter().any(|(c, o)| *c == i.value && o == q),
            Expr::CompoundIdentifier(parts) => parts.first().is_none_or(|p| p.value != q),
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => true,
            _ => false,
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn join_one(
        &mut self,
        cx: &mut QueryContext,
        scope: &mut JoinScope,
        stages: &mut Vec<Document>,
        src: super::cte::Source,
        qualifier: String,
        relation: &TableFactor,
        on: Option<&Expr>,
        left: bool,
    ) -> Result<(), Error> {
        let k = self.add_source_table(scope, qualifier, relation, &src)?;
        let field = format!("__j{k}");
        let lookup = self.lookup_doc(cx, scope, k, src, on, &field)?;
        let never = Stage::Match(Filter::nothing().into()).into_document();
        // An inner join whose ON folded to false (`ON 1 = 0`, `ON false`) has no row at all: said after the
        // join by a `$match` that matches nothing, which the engine answers without reading the collections
        // and which a MongoDB server moves before the `$lookup` (it reads no joined field).
        let empty = !left
            && matches!(lookup.get("pipeline"), Some(Bson::Array(p)) if p.last() == Some(&Bson::Document(never.clone())));
        stages.push(Stage::Lookup(lookup).into_document());
        if left {
            stages.push(Stage::UnwindPreserving(ex::field_ref(&field)).into_document());
        } else {
            stages.push(Stage::Unwind(ex::field_ref(&field)).into_document());
        }
        if empty {
            stages.push(never);
        }
        Ok(())
    }

    /// The `$lookup` of table `k` of `scope` (a collection, or a CTE / derived table with its stages) into
    /// `as_field`, with its ON condition.
    pub(crate) fn lookup_doc(
        &mut self,
        cx: &mut QueryContext,
        scope: &JoinScope,
        k: usize,
        src: super::cte::Source,
        on: Option<&Expr>,
        as_field: &str,
    ) -> Result<Document, Error> {
        // A CTE / derived table: its stages first, then the ON condition over its columns.
        let mut pipeline = src.pipeline;
        let mut lets = Document::new();
        if let Some(on) = on {
            let (l, m) = self.on_stage(cx, scope, k, on, false)?;
            lets = l;
            pipeline.push(m);
        }
        // No localField / foreignField pre-filter: its array matching is not SQL equality (an empty array
        // local value matches nothing). MongoDB 5.0+ can use an index for the `$eq` inside `$expr` here.
        let mut lookup = Document::new();
        if let Some(c) = src.collection {
            lookup.insert("from", c);
        }
        if !lets.is_empty() {
            lookup.insert("let", lets);
        }
        lookup.insert("pipeline", pipeline);
        lookup.insert("as", as_field);
        Ok(lookup)
    }

    /// The ON condition of table `k` as a `$match` stage, and the `let` variables it reads: inside the joined
    /// relation (`right_side` false: table k at the root, earlier tables as variables), or inside a
    /// `$lookup` of the tables joined so far (`right_side`: RIGHT / FULL joins, table k as variables).
    pub(crate) fn on_stage(
        &mut self,
        cx: &mut QueryContext,
        scope: &JoinScope,
        k: usize,
        on: &Expr,
        right_side: bool,
    ) -> Result<(Document, Document), Error> {
        if super::aggregate::contains_aggregate(on) {
            return Err(invalid(
                "aggregate functions are not allowed in JOIN conditions",
                on,
            ));
        }
        let mut inner = scope.clone();
        inner.inner = Some(k);
        inner.right_side = right_side;
        inner.lets.clear();
        let saved = cx.join.replace(inner);
        let result = self.pred(cx, on);
        let used = cx.join.take().map(|s| s.lets).unwrap_or_default();
        cx.join = saved;
        let p = result?;
        // A subquery's `$lookup` would land in the outer pipeline, not in this join's.
        self.no_subquery_here(cx, "JOIN ... ON", super::expr::expr_pos(on))?;
        let mut lets = Document::new();
        for (name, path) in used {
            lets.insert(name, ex::field(&path));
        }
        Ok((lets, Stage::Match(Filter::Expr(p.t).into()).into_document()))
    }

    /// In a query with joins: the path (without the leading `$`) of a column reference — `x` for the first
    /// table, `__jk.x` for a joined one, `$lN` for an outer column inside an ON condition. `None` without joins.
    pub(crate) fn join_column_path(
        &mut self,
        cx: &mut QueryContext,
        parts: &[Ident],
        e: &Expr,
    ) -> Result<Option<String>, Error> {
        let Some(scope) = &cx.join else {
            return Ok(None);
        };
        if let [only] = parts {
            if let Some((_, owner)) = scope.using.iter().find(|(c, _)| *c == only.value) {
                let qualified = [Ident::new(owner.clone()), only.clone()];
                return self.join_column_path(cx, &qualified, e);
            }
            match resolve_unqualified(scope, &only.value) {
                Unqualified::Table(q) => {
                    let qualified = [Ident::new(q), only.clone()];
                    return self.join_column_path(cx, &qualified, e);
                }
                Unqualified::Ambiguous => {
                    return Err(invalid(
                        format!("column reference \"{}\" is ambiguous", only.value),
                        e,
                    ))
                }
                Unqualified::Missing => {
                    // PostgreSQL looks in the enclosing query (a correlated subquery), else the column
                    // does not exist.
                    if let Some(p) = self.outer_unqualified(only)? {
                        return Ok(Some(p.strip_prefix('$').unwrap_or(&p).to_string()));
                    }
                    return Err(invalid(
                        format!("column \"{}\" does not exist", only.value),
                        e,
                    ));
                }
                Unqualified::Unknown => {}
            }
        }
        let Some(scope) = &mut cx.join else {
            return Ok(None);
        };
        let (Some(first), true) = (parts.first(), parts.len() > 1) else {
            return Err(unsupported(
                Refusal::Join,
                format!(
                    "unqualified column \"{e}\" in a query with joins over a collection without declared \
                     columns (qualify it with its table)"
                ),
                e,
            ));
        };
        let Some(idx) = scope.tables.iter().position(|t| t.qualifier == first.value) else {
            return Err(unsupported(Refusal::Join,
                format!(
                    "column \"{e}\": \"{}\" is not a table of FROM (in a query with joins every column is qualified)",
                    first.value
                ),
                e,
            ));
        };
        if let (Some(cols), Some(col)) = (&scope.tables[idx].columns, parts.get(1)) {
            let system_id = scope.tables[idx].declared && col.value == "_id";
            if !(cols.contains(&col.value) || system_id) {
                return Err(invalid(
                    format!("column {}.{} does not exist", first.value, col.value),
                    e,
                ));
            }
        }
        let rest = field_path(&parts[1..])?;
        let table = &scope.tables[idx];
        let outer = |t: &JoinTable| match &t.prefix {
            None => rest.clone(),
            Some(p) => format!("{p}.{rest}"),
        };
        let let_var = |scope: &mut JoinScope, path: String| {
            let name = match scope.lets.iter().find(|(_, p)| *p == path) {
                Some((n, _)) => n.clone(),
                None => {
                    let n = format!("l{}", scope.lets.len());
                    scope.lets.push((n.clone(), path));
                    n
                }
            };
            // Read as a field reference, "$l0" becomes the `let` variable "$$l0".
            ex::field_ref(&name)
        };
        match scope.inner {
            None => Ok(Some(outer(table))),
            // RIGHT / FULL: the tables so far inside the `$lookup`, table k (at the root outside) a variable.
            Some(k) if scope.right_side && idx < k => Ok(Some(outer(table))),
            Some(k) if scope.right_side && idx == k => Ok(Some(let_var(scope, rest))),
            Some(k) if idx == k => Ok(Some(rest)),
            Some(k) if idx < k => {
                let path = outer(table);
                Ok(Some(let_var(scope, path)))
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
        cx: &QueryContext,
        wildcard: bool,
        qualifier: Option<&str>,
        pos: Position,
    ) -> Result<Vec<Document>, Error> {
        if !wildcard || cx.join.is_none() {
            return Ok(Vec::new());
        }
        let Some(q) = qualifier else {
            return Err(Error::Unsupported {
                kind: Refusal::Join,
                construct:
                    "SELECT * in a query with joins (select t.* of one table, or list the columns)"
                        .into(),
                position: pos,
            });
        };
        match self.join_prefix_of(cx, q) {
            Ok(None) => {
                let mut names = self.join_prefixes(cx);
                names.push("_id".into());
                Ok(vec![Stage::Unset(names).into_document()])
            }
            Ok(Some(p)) => Ok(vec![
                Stage::ReplaceRoot(ex::if_null(ex::field(&p), Document::new()).into())
                    .into_document(),
                Stage::UnsetField("_id".into()).into_document(),
            ]),
            Err(()) => Err(Error::Invalid {
                message: format!("missing FROM-clause entry for table \"{q}\""),
                position: pos,
            }),
        }
    }

    /// The merged column of a `FULL JOIN ... USING` named `name` (`COALESCE(l.c, r.c)`), in a query with joins.
    pub(crate) fn merged_column(&self, cx: &QueryContext, name: &str) -> Option<Expr> {
        let scope = cx.join.as_ref()?;
        scope
            .merged
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e.clone())
    }

    /// Whether the current query has joins.
    pub(crate) fn has_joins(&self, cx: &QueryContext) -> bool {
        cx.join.is_some()
    }

    /// The prefixes of the joined tables (`__j1`, ...), removed by `SELECT t.*` of the first table.
    pub(crate) fn join_prefixes(&self, cx: &QueryContext) -> Vec<String> {
        cx.join
            .as_ref()
            .map(|s| s.tables.iter().filter_map(|t| t.prefix.clone()).collect())
            .unwrap_or_default()
    }

    /// The prefix of a joined table by qualifier: `Ok(None)` for the first table, `Err` when unknown.
    pub(crate) fn join_prefix_of(
        &self,
        cx: &QueryContext,
        qualifier: &str,
    ) -> Result<Option<String>, ()> {
        let Some(scope) = &cx.join else {
            return Err(());
        };
        match scope.tables.iter().find(|t| t.qualifier == qualifier) {
            Some(t) => Ok(t.prefix.clone()),
            None => Err(()),
        }
    }
}

use join_where::flatten_and;

/// The WHERE terms not moved yet that the join of table `q` (after the tables of `scope`) completes.
fn take_where(moving: &mut [(Expr, bool)], scope: &JoinScope, q: &str) -> Vec<Expr> {
    let mut tables: Vec<String> = scope.tables.iter().map(|t| t.qualifier.clone()).collect();
    tables.push(q.to_string());
    join_where::take_for(moving, &tables, q)
}

/// One filter from several (`$and` when more than one).
/// The conjunction of WHERE's conjuncts on one side of the joins: `$and` of them as they are (not merged into
/// one document: each is one conjunct of the text); match-all parts dropped, and a part that matches nothing
/// (a folded constant) is the whole.
pub(super) fn all_of(mut filters: Vec<Filter>) -> Filter {
    filters.retain(|f| *f != Filter::All);
    if filters.contains(&Filter::nothing()) {
        return Filter::nothing();
    }
    match filters.len() {
        0 => Filter::All,
        1 => filters.pop().unwrap_or(Filter::All),
        _ => Filter::And(filters),
    }
}

impl Translator {
    /// A relation of a join: a collection, or a CTE / derived table as a pipeline source (cte/), its interval
    /// columns documents when `typed` (else their text).
    fn join_relation(
        &mut self,
        t: &TableFactor,
        typed: bool,
    ) -> Result<(super::cte::Source, String), Error> {
        if self.is_special_relation(t) {
            let (qualifier, src) = self.relation_source(t, typed)?;
            return Ok((src, qualifier));
        }
        let (coll, qualifier) = table_factor(t)?;
        Ok((self.plain_source(&coll), qualifier))
    }
}

impl Translator {
    /// A collection as a join source (no stages; its declared columns when the catalog has them).
    pub(crate) fn plain_source(&self, coll: &str) -> super::cte::Source {
        super::cte::Source {
            collection: Some(coll.to_string()),
            pipeline: Vec::new(),
            columns: self.catalog.columns(coll),
            join: None,
            intervals: Vec::new(),
        }
    }

    /// Whether a join source is a table of the catalog (read as it is).
    /// Adds the joined relation `src` to `scope` as its next table ([`add_table`], its columns, whether
    /// they are declared, and its interval columns); returns the table's number.
    pub(crate) fn add_source_table(
        &self,
        scope: &mut JoinScope,
        qualifier: String,
        relation: &TableFactor,
        src: &super::cte::Source,
    ) -> Result<usize, Error> {
        let k = scope.tables.len();
        let declared = self.is_declared(src);
        add_table(
            scope,
            qualifier,
            relation,
            src.columns.clone(),
            declared,
            src.intervals.clone(),
        )?;
        Ok(k)
    }

    pub(crate) fn is_declared(&self, src: &super::cte::Source) -> bool {
        src.pipeline.is_empty()
            && src
                .collection
                .as_ref()
                .is_some_and(|c| self.catalog.tables.contains_key(c))
    }
}

pub(crate) fn table_factor(t: &TableFactor) -> Result<(String, String), Error> {
    let pos = Position::from(t.span().start);
    match t {
        TableFactor::Table { name, alias, .. } => {
            super::names::plain_table(t, pos)?;
            let c = collection_name(name)?;
            let q = match alias {
                Some(a) => {
                    if !a.columns.is_empty() {
                        return Err(Error::Unsupported {
                            kind: Refusal::Join,
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
            kind: Refusal::Join,
            construct: "subquery (derived table) in a join".into(),
            position: pos,
        }),
        _ => Err(Error::Unsupported {
            kind: Refusal::Join,
            construct: "this kind of FROM item in a join".into(),
            position: pos,
        }),
    }
}
