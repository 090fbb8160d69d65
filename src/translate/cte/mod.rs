//! Relations that are not a plain collection: `WITH` queries (CTEs), derived tables `FROM (SELECT ...) t`,
//! `SELECT` without FROM, and `CROSS JOIN` / comma lists of them, as pipeline [`Source`]s.
//!
//! A query used as a relation is translated on its own and becomes a source: the collection its pipeline
//! runs on (none for a collectionless `$documents` pipeline), the stages, and its output columns, which a last
//! `$project` renames from `c0, c1, ...` to the column names (`{name: {$ifNull: ["$c0", null]}}`, so a NULL
//! column is present rather than missing). The outer query then runs those stages first. A CTE is inlined at
//! each place that reads it: in FROM as the pipeline's first stages, in a subquery or a joined relation as the
//! `pipeline` of a `$lookup` (so a CTE read twice is computed twice, as PostgreSQL may do for a
//! non-materialized CTE).
//!
//! `a CROSS JOIN b` (or `FROM a, b`): the stages of `a`, then `{$lookup: {from: b's collection, pipeline: b's
//! stages, as: "__j1"}}` and `{$unwind: "$__j1"}`; `b`'s columns are read as `__j1.<column>`. Unqualified names
//! resolve to the relation whose known column list holds them, else to the first relation.

mod source;
#[cfg(test)]
pub(super) mod source_text_tests;

use crate::translate::context::{Intervals, QueryContext};
use crate::translate::Refusal;
pub(crate) use source::Source;
use source::{rename_source, to_source};

use super::names::{collection_name, field_path};
use super::{Error, Position, Translated, Translator};
use crate::mql::expr as ex;
use crate::mql::stage::Stage;
use bson::Document;
use sqlparser::ast::{
    Ident, JoinConstraint, JoinOperator, Query, SetExpr, Spanned, TableAlias, TableFactor,
    TableWithJoins, With,
};

/// A name usable as a column qualifier in the current FROM.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    /// The alias, else the table / CTE name.
    pub name: String,
    /// Where the relation's fields are: `None` at the top level, else under this field (`__j1`).
    pub prefix: Option<String>,
    /// Known column names.
    pub columns: Option<Vec<String>>,
    /// The collection it reads, when it is one (its columns are then unknown unless declared).
    pub collection: Option<String>,
    /// A table of the catalog: its columns are the declared ones, and `_id` is readable as a system column
    /// (not part of `*`, as PostgreSQL's `ctid`).
    pub declared: bool,
    /// The columns holding interval documents (of a CTE or derived table): read as intervals.
    pub intervals: Vec<String>,
}

/// The scope of an enclosing query, for correlated subqueries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Frame {
    /// The enclosing query's qualifiers.
    pub scope: Vec<Binding>,
    /// `$lookup` `let` variables collected for outer references (`o0: "$user_id"`).
    pub lets: Document,
    /// A derived table / CTE body (not LATERAL): its FROM's siblings are not in scope, so unqualified names
    /// do not resolve past it.
    pub barrier: bool,
    /// The enclosing query is past `$group`: its columns are not plain fields, only its group keys (below).
    pub grouped: bool,
    /// The enclosing query's GROUP BY keys and where their values are (`_id.<field>`, `GroupScope::key_path`),
    /// when it is past `$group`.
    pub group_keys: Vec<(sqlparser::ast::Expr, String)>,
}

/// Statement-wide translator state for relations: CTEs and enclosing queries, and the name counters.
#[derive(Debug, Default)]
pub(crate) struct RelState {
    /// CTEs in scope, innermost last: name, source, and its columns holding interval documents.
    pub ctes: Vec<(String, Source, Vec<String>)>,
    /// Enclosing queries, innermost last.
    pub outer: Vec<Frame>,
    /// Counter for `__sqN` fields.
    pub next: usize,
    /// Counter for `oN` variables.
    pub next_var: usize,
}

pub(super) fn unsupported_at(kind: Refusal, what: impl Into<String>, position: Position) -> Error {
    Error::Unsupported {
        kind,
        construct: what.into(),
        position,
    }
}

impl Translator {
    /// `WITH a AS (...), b AS (...) <query>`: the CTEs are translated in order (each sees the earlier ones)
    /// and inlined where the query reads them.
    pub(crate) fn with_query(
        &mut self,
        cx: &mut QueryContext,
        w: &With,
        q: &Query,
    ) -> Result<Translated, Error> {
        let pos = Position::from(w.span().start);
        if w.recursive {
            return Err(unsupported_at(Refusal::Relation, "WITH RECURSIVE", pos));
        }
        let base = self.rel.ctes.len();
        let result = self.with_query_inner(cx, w, q, base);
        self.rel.ctes.truncate(base);
        result
    }

    fn with_query_inner(
        &mut self,
        cx: &mut QueryContext,
        w: &With,
        q: &Query,
        base: usize,
    ) -> Result<Translated, Error> {
        for cte in &w.cte_tables {
            let pos = Position::from(cte.alias.name.span.start);
            if cte.from.is_some() {
                return Err(unsupported_at(Refusal::Relation, "CTE ... FROM", pos));
            }
            let name = cte.alias.name.value.clone();
            if self.rel.ctes[base..].iter().any(|(n, ..)| n == &name) {
                return Err(Error::Invalid {
                    message: format!("WITH query name \"{name}\" specified more than once"),
                    position: pos,
                });
            }
            let renames = alias_columns(&cte.alias);
            let (src, intervals) = self.relation_query(&cte.query, &renames, pos)?;
            self.rel.ctes.push((name, src, intervals));
        }
        // `WITH ... UPDATE / DELETE`: the CTEs serve the statement's subqueries.
        match q.body.as_ref() {
            SetExpr::Update(sqlparser::ast::Statement::Update(u)) => {
                return self.update_to_plan(cx, u)
            }
            SetExpr::Delete(sqlparser::ast::Statement::Delete(d)) => {
                return self.delete_to_plan(cx, d)
            }
            _ => {}
        }
        let mut body = q.clone();
        body.with = None;
        self.query_to_plan(cx, &body)
    }

    /// A query used as a relation (CTE body, derived table, subquery): translated in its own scope, its
    /// intervals as text. `barrier`: a relation (derived table, CTE, view body), which does not see its FROM
    /// siblings (not LATERAL).
    pub(crate) fn query_source(
        &mut self,
        q: &Query,
        renames: &[String],
        barrier: bool,
        pos: Position,
    ) -> Result<Source, Error> {
        let (src, _) = self.query_source_as(q, renames, barrier, Intervals::Text, pos)?;
        Ok(src)
    }

    /// A CTE body or derived table: its interval columns stay documents (`Intervals::Values`), named in the
    /// second value, so the query reading it orders and compares them as intervals.
    fn relation_query(
        &mut self,
        q: &Query,
        renames: &[String],
        pos: Position,
    ) -> Result<(Source, Vec<String>), Error> {
        self.query_source_as(q, renames, true, Intervals::Values, pos)
    }

    /// A query as a relation with its intervals handed out as `intervals` says, and the columns holding
    /// interval documents.
    pub(crate) fn query_source_as(
        &mut self,
        q: &Query,
        renames: &[String],
        barrier: bool,
        intervals: Intervals,
        pos: Position,
    ) -> Result<(Source, Vec<String>), Error> {
        if barrier {
            self.rel.outer.push(Frame {
                barrier: true,
                ..Frame::default()
            });
        }
        let result = self.in_child_query(|t, cx| {
            cx.intervals = intervals;
            t.query_to_plan(cx, q)
        });
        if barrier {
            self.rel.outer.pop();
        }
        let (steps, output) = result?;
        to_source(steps, output, renames, pos)
    }

    /// The FROM clause as a source; sets the qualifiers in scope. A single plain table goes through
    /// `collection_of_from` (so `find` stays possible).
    pub(crate) fn source_of_from(
        &mut self,
        cx: &mut QueryContext,
        from: &[TableWithJoins],
        pos: Position,
    ) -> Result<Source, Error> {
        cx.scope.clear();
        if from.is_empty() {
            // SELECT without FROM: one empty row, with no columns.
            cx.scope.push(Binding {
                name: String::new(),
                prefix: None,
                columns: Some(Vec::new()),
                collection: None,
                declared: false,
                intervals: Vec::new(),
            });
            return Ok(Source {
                collection: None,
                pipeline: vec![Stage::Documents(vec![Document::new()]).into_document()],
                columns: Some(Vec::new()),
                join: None,
                intervals: Vec::new(),
            });
        }
        let mut items: Vec<&TableFactor> = Vec::new();
        let mut all_cross = true;
        for twj in from {
            items.push(&twj.relation);
            for j in &twj.joins {
                if !matches!(
                    j.join_operator,
                    JoinOperator::CrossJoin(JoinConstraint::None)
                ) {
                    all_cross = false;
                }
                items.push(&j.relation);
            }
        }
        let special = items.iter().any(|r| self.is_special_relation(r));
        if items.len() > 1 && (!special || !all_cross) {
            // Joins (INNER / LEFT / CROSS / `FROM a, b`) of collections, and joins with ON of CTEs / derived
            // tables: `$lookup` stages (join.rs). A CROSS JOIN of CTEs / derived tables stays below, where their
            // known columns resolve unqualified names and `*`.
            let fp = self.plan_from(cx, from, pos)?;
            return Ok(Source {
                collection: Some(fp.collection.clone()),
                pipeline: fp.stages.clone(),
                columns: None,
                join: Some(fp),
                intervals: Vec::new(),
            });
        }
        if items.len() == 1 && !special {
            // A plain table.
            let collection = self.collection_of_from(cx, from, pos)?;
            if let [twj] = from {
                if let TableFactor::Table { name, alias, .. } = &twj.relation {
                    cx.scope.push(Binding {
                        name: alias
                            .as_ref()
                            .map(|a| a.name.value.clone())
                            .unwrap_or_else(|| last_name(name)),
                        prefix: None,
                        columns: self.catalog.columns(&collection),
                        collection: Some(collection.clone()),
                        declared: self.catalog.tables.contains_key(&collection),
                        intervals: Vec::new(),
                    });
                }
            }
            return Ok(Source {
                collection: Some(collection),
                pipeline: Vec::new(),
                columns: None,
                join: None,
                intervals: Vec::new(),
            });
        }
        let mut base: Option<Source> = None;
        for (k, rel) in items.into_iter().enumerate() {
            if let Some(tf) = self.table_function(cx, rel)? {
                self.push_table_function(cx, tf, k, &mut base, rel)?;
                continue;
            }
            let (name, src, intervals) = self.relation_source_with_intervals(rel)?;
            if cx.scope.iter().any(|b| b.name == name) {
                return Err(Error::Invalid {
                    message: format!("table name \"{name}\" specified more than once"),
                    position: Position::from(rel.span().start),
                });
            }
            match base.as_mut() {
                None => {
                    cx.tables.push(name.clone());
                    cx.scope.push(Binding {
                        name,
                        prefix: None,
                        columns: src.columns.clone(),
                        collection: src.collection.clone(),
                        declared: src.pipeline.is_empty() && src.columns.is_some(),
                        intervals,
                    });
                    base = Some(src);
                }
                Some(b) => {
                    let field = format!("__j{k}");
                    b.pipeline
                        .push(src.lookup(Document::new(), Vec::new(), &field));
                    b.pipeline
                        .push(Stage::Unwind(ex::field_ref(&field)).into_document());
                    cx.scope.push(Binding {
                        name,
                        prefix: Some(field),
                        declared: src.pipeline.is_empty() && src.columns.is_some(),
                        columns: src.columns,
                        collection: src.collection,
                        intervals,
                    });
                }
            }
        }
        let mut out = base.ok_or_else(|| Error::Internal("empty FROM".into()))?;
        out.columns = None;
        Ok(out)
    }

    /// A set-returning function in FROM (table_fn.rs): the rows of a collectionless pipeline when it comes
    /// first, else its element documents `$set` into `__jk` of each row so far and unwound.
    fn push_table_function(
        &mut self,
        cx: &mut QueryContext,
        tf: crate::translate::table_fn::TableFunction,
        k: usize,
        base: &mut Option<Source>,
        rel: &TableFactor,
    ) -> Result<(), Error> {
        if cx.scope.iter().any(|b| b.name == tf.qualifier) {
            return Err(Error::Invalid {
                message: format!("table name \"{}\" specified more than once", tf.qualifier),
                position: Position::from(rel.span().start),
            });
        }
        let field = format!("__j{k}");
        let mut set = Document::new();
        set.insert(&field, tf.rows);
        match base.as_mut() {
            None => {
                *base = Some(Source {
                    collection: None,
                    pipeline: vec![
                        Stage::Documents(vec![Document::new()]).into_document(),
                        Stage::Set(set).into_document(),
                        Stage::Unwind(ex::field_ref(&field)).into_document(),
                        Stage::ReplaceRoot(ex::field(&field).into()).into_document(),
                    ],
                    columns: Some(tf.columns.clone()),
                    join: None,
                    intervals: Vec::new(),
                });
                cx.tables.push(tf.qualifier.clone());
                cx.scope.push(Binding {
                    name: tf.qualifier,
                    prefix: None,
                    columns: Some(tf.columns),
                    collection: None,
                    declared: false,
                    intervals: Vec::new(),
                });
            }
            Some(b) => {
                b.pipeline.push(Stage::Set(set).into_document());
                b.pipeline
                    .push(Stage::Unwind(ex::field_ref(&field)).into_document());
                cx.scope.push(Binding {
                    name: tf.qualifier,
                    prefix: Some(field),
                    columns: Some(tf.columns),
                    collection: None,
                    declared: false,
                    intervals: Vec::new(),
                });
            }
        }
        Ok(())
    }

    /// Whether a FROM item needs a pipeline (a CTE, a derived table).
    pub(crate) fn is_special_relation(&self, r: &TableFactor) -> bool {
        match r {
            TableFactor::Table { args: Some(_), .. } => {
                crate::translate::table_fn::is_table_function(r)
            }
            TableFactor::Table { name, .. } => self.cte_named(name).is_some(),
            TableFactor::Derived { .. } => true,
            other => crate::translate::table_fn::is_table_function(other),
        }
    }

    fn cte_named(&self, name: &sqlparser::ast::ObjectName) -> Option<(&Source, &[String])> {
        if name.0.len() != 1 {
            return None;
        }
        let n = last_name(name);
        self.rel
            .ctes
            .iter()
            .rev()
            .find(|(c, ..)| c == &n)
            .map(|(_, s, iv)| (s, iv.as_slice()))
    }

    /// One FROM item of a join: its qualifier and source. The interval columns of a CTE or derived table stay
    /// documents named in `Source::intervals` when `typed` (the join reads them as intervals, the row layer
    /// prints them), else they are printed as text at the source (a reader that cannot type them: `*`).
    pub(crate) fn relation_source(
        &mut self,
        rel: &TableFactor,
        typed: bool,
    ) -> Result<(String, Source), Error> {
        let (name, mut src, intervals) = self.relation_source_with_intervals(rel)?;
        if typed {
            src.intervals = intervals;
        } else {
            source::intervals_as_text(&mut src, &intervals);
        }
        Ok((name, src))
    }

    /// One FROM item of a cross join (or a single CTE / derived table): its qualifier, source, and the columns
    /// holding interval documents.
    fn relation_source_with_intervals(
        &mut self,
        rel: &TableFactor,
    ) -> Result<(String, Source, Vec<String>), Error> {
        let pos = Position::from(rel.span().start);
        match rel {
            TableFactor::Table { name, alias, .. } => {
                super::names::plain_table(rel, pos)?;
                let qualifier = alias
                    .as_ref()
                    .map(|a| a.name.value.clone())
                    .unwrap_or_else(|| last_name(name));
                if let Some((src, intervals)) = self.cte_named(name) {
                    let (src, intervals) = (src.clone(), intervals.to_vec());
                    let renames = alias.as_ref().map(alias_columns).unwrap_or_default();
                    let (src, intervals) = rename_source(src, &intervals, &renames, pos)?;
                    return Ok((qualifier, src, intervals));
                }
                if alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
                    return Err(unsupported_at(
                        Refusal::Relation,
                        "column aliases on a table",
                        pos,
                    ));
                }
                let c = collection_name(name)?;
                Ok((
                    qualifier,
                    Source {
                        columns: self.catalog.columns(&c),
                        collection: Some(c),
                        pipeline: Vec::new(),
                        join: None,
                        intervals: Vec::new(),
                    },
                    Vec::new(),
                ))
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                sample,
            } => {
                if *lateral {
                    return Err(unsupported_at(Refusal::Relation, "LATERAL", pos));
                }
                if sample.is_some() {
                    return Err(unsupported_at(Refusal::Relation, "TABLESAMPLE", pos));
                }
                let renames = alias.as_ref().map(alias_columns).unwrap_or_default();
                let (src, intervals) = self.relation_query(subquery, &renames, pos)?;
                let qualifier = alias
                    .as_ref()
                    .map(|a| a.name.value.clone())
                    .unwrap_or_else(|| "subquery".to_string());
                Ok((qualifier, src, intervals))
            }
            _ => Err(unsupported_at(
                Refusal::Relation,
                "this kind of FROM item",
                pos,
            )),
        }
    }

    /// A column reference that is not a plain field of the current relation: a column of a joined relation
    /// (`__j1.x`) or of an enclosing query (`$$o0`, bound by the subquery's `$lookup` `let`).
    pub(crate) fn relation_column(
        &mut self,
        cx: &mut QueryContext,
        parts: &[Ident],
    ) -> Result<Option<String>, Error> {
        let grouped = cx.group.is_some();
        if let [q, rest @ ..] = parts {
            if !rest.is_empty() {
                if let Some(b) = cx.scope.iter().find(|b| b.name == q.value) {
                    super::declared::check_declared(b, q, rest)?;
                    return match (&b.prefix, grouped) {
                        (Some(p), false) => {
                            Ok(Some(ex::field_ref(&format!("{p}.{}", field_path(rest)?))))
                        }
                        _ => Ok(None),
                    };
                }
                // PostgreSQL: an alias hides the table name, so `FROM user_sessions o` inside a subquery
                // leaves `user_sessions.x` to the enclosing query.
                if let Some(path) = self.outer_column(q, rest)? {
                    return Ok(Some(path));
                }
                return Ok(None);
            }
        }
        if grouped {
            return Ok(None);
        }
        let [name] = parts else {
            return Ok(None);
        };
        let has = |b: &Binding| {
            b.columns
                .as_ref()
                .is_some_and(|c| c.iter().any(|x| x == &name.value))
                || (b.declared && name.value == "_id")
        };
        let hits: Vec<&Binding> = cx.scope.iter().filter(|b| has(b)).collect();
        if hits.len() > 1 {
            return Err(Error::Invalid {
                message: format!("column reference \"{}\" is ambiguous", name.value),
                position: Position::from(name.span.start),
            });
        }
        if hits.is_empty() && !cx.scope.is_empty() && cx.scope.iter().all(|b| b.columns.is_some()) {
            // Every relation of this FROM has a known column list without the name: PostgreSQL looks in the
            // enclosing query, else the column does not exist.
            if let Some(path) = self.outer_unqualified(name)? {
                return Ok(Some(path));
            }
            return Err(Error::Invalid {
                message: format!("column \"{}\" does not exist", name.value),
                position: Position::from(name.span.start),
            });
        }
        if hits.is_empty() && self.may_be_outer(cx, name) {
            // Deviation 17, failing closed: the subquery's collection may lack the name (its columns are not
            // known) and an enclosing query may have it, where PostgreSQL would resolve it.
            return Err(Error::Unsupported {
                kind: Refusal::Relation,
                construct: format!(
                    "unqualified column \"{n}\" in a subquery over a collection: it may belong to the subquery's \
                     collection or to an enclosing query (qualify it: {t}.{n}, or the enclosing table's name)",
                    n = name.value,
                    t = cx
                        .scope
                        .iter()
                        .find(|b| b.columns.is_none())
                        .map_or("t", |b| b.name.as_str()),
                ),
                position: Position::from(name.span.start),
            });
        }
        match hits.first().and_then(|b| b.prefix.as_ref()) {
            Some(p) => Ok(Some(ex::field_ref(&format!("{p}.{}", field_path(parts)?)))),
            None => Ok(None),
        }
    }

    /// Whether an unqualified `name` that no known column list of this query's FROM holds could belong to an
    /// enclosing query instead of this query's collection: some enclosing relation (up to a derived table's
    /// boundary) knows the column, or reads another collection, whose columns are not known either. An
    /// enclosing relation over the same collection cannot hold a column the inner one lacks.
    fn may_be_outer(&self, cx: &QueryContext, name: &Ident) -> bool {
        let inner: Vec<&Binding> = cx.scope.iter().filter(|b| b.columns.is_none()).collect();
        if inner.is_empty() {
            return false;
        }
        let same_collection = |b: &Binding| {
            b.collection.is_some() && inner.iter().all(|i| i.collection == b.collection)
        };
        for frame in self.rel.outer.iter().rev() {
            if frame.barrier {
                break;
            }
            for b in &frame.scope {
                let hit = match &b.columns {
                    Some(cols) => cols.iter().any(|c| c == &name.value),
                    None => !same_collection(b),
                };
                if hit {
                    return true;
                }
            }
        }
        false
    }

    /// An unqualified name of the enclosing query: the relation whose known columns hold it, else its only
    /// relation of unknown columns.
    pub(crate) fn outer_unqualified(&mut self, name: &Ident) -> Result<Option<String>, Error> {
        // From the innermost enclosing query outwards, as PostgreSQL looks: a query whose relations all have
        // known columns without the name passes the search on; a barrier (a derived table's body) or a
        // query with a schemaless relation ends it.
        let mut found: Option<(usize, String)> = None;
        for (i, frame) in self.rel.outer.iter().enumerate().rev() {
            if frame.barrier {
                break;
            }
            let known: Vec<&Binding> = frame
                .scope
                .iter()
                .filter(|b| {
                    b.columns
                        .as_ref()
                        .is_some_and(|c| c.iter().any(|x| x == &name.value))
                        || (b.declared && name.value == "_id")
                })
                .collect();
            match known.as_slice() {
                [b] => {
                    found = Some((i, b.name.clone()));
                    break;
                }
                [] => {
                    let unknown: Vec<&Binding> =
                        frame.scope.iter().filter(|b| b.columns.is_none()).collect();
                    match unknown.as_slice() {
                        [] => continue,
                        [b] => found = Some((i, b.name.clone())),
                        _ => {}
                    }
                    break;
                }
                _ => {
                    return Err(Error::Invalid {
                        message: format!("column reference \"{}\" is ambiguous", name.value),
                        position: Position::from(name.span.start),
                    })
                }
            }
        }
        let Some((i, target)) = found else {
            return Ok(None);
        };
        let q = Ident {
            value: target,
            quote_style: None,
            span: name.span,
        };
        self.outer_column_at(Some(i), &q, std::slice::from_ref(name))
    }

    /// `q.rest` naming a relation of the enclosing query: a `let` variable of the subquery's `$lookup`.
    fn outer_column(&mut self, q: &Ident, rest: &[Ident]) -> Result<Option<String>, Error> {
        // The innermost enclosing query with that qualifier; its subquery's `$lookup` binds the variable, and
        // every deeper `$lookup` runs inside that one's pipeline, where the variable is visible.
        let found = self
            .rel
            .outer
            .iter()
            .rposition(|f| f.scope.iter().any(|b| b.name == q.value));
        self.outer_column_at(found, q, rest)
    }

    /// `q.rest` of the enclosing query of frame `found`.
    fn outer_column_at(
        &mut self,
        found: Option<usize>,
        q: &Ident,
        rest: &[Ident],
    ) -> Result<Option<String>, Error> {
        let pos = Position::from(q.span.start);
        let Some(frame) = found.and_then(|i| self.rel.outer.get_mut(i)) else {
            return Ok(None);
        };
        let path = if frame.grouped {
            // Past `$group` the enclosing row is a group: only its keys can be read (`$_id.gN`).
            let Some((_, field)) = frame
                .group_keys
                .iter()
                .find(|(k, _)| key_names(k, &q.value, rest))
            else {
                return Err(Error::Invalid {
                    message: format!(
                        "subquery uses ungrouped column \"{}.{}\" from outer query",
                        q.value,
                        field_path(rest)?
                    ),
                    position: pos,
                });
            };
            ex::field_ref(field)
        } else {
            let Some(b) = frame.scope.iter().find(|b| b.name == q.value) else {
                return Ok(None);
            };
            match &b.prefix {
                Some(p) => ex::field_ref(&format!("{p}.{}", field_path(rest)?)),
                None => ex::field_ref(&field_path(rest)?),
            }
        };
        for (k, v) in &frame.lets {
            if v.as_str() == Some(path.as_str()) {
                return Ok(Some(ex::var_ref(k)));
            }
        }
        let var = format!("o{}", self.rel.next_var);
        self.rel.next_var += 1;
        frame.lets.insert(var.clone(), path);
        Ok(Some(ex::var_ref(&var)))
    }

    /// The columns of `SELECT *` over the current FROM, as `relation.column` references, when every relation's
    /// columns are known.
    pub(crate) fn star_columns(
        &self,
        cx: &QueryContext,
    ) -> Option<Vec<(String, sqlparser::ast::Expr)>> {
        let mut out = Vec::new();
        for b in &cx.scope {
            for c in b.columns.as_ref()? {
                out.push((
                    c.clone(),
                    sqlparser::ast::Expr::CompoundIdentifier(vec![
                        Ident::new(b.name.clone()),
                        Ident::new(c.clone()),
                    ]),
                ));
            }
        }
        Some(out)
    }

    /// The enclosing query's scope as seen from a subquery: its qualifiers (UPDATE / DELETE, which set none:
    /// their table names).
    pub(crate) fn frame_scope(&self, cx: &QueryContext) -> Vec<Binding> {
        if let Some(j) = &cx.join {
            // A FROM with joins (join.rs): the first table at the root, the k-th under `__jk`.
            return j
                .tables
                .iter()
                .map(|t| Binding {
                    name: t.qualifier.clone(),
                    prefix: t.prefix.clone(),
                    columns: t.columns.clone(),
                    collection: None,
                    declared: t.declared,
                    intervals: t.intervals.clone(),
                })
                .collect();
        }
        if !cx.scope.is_empty() {
            return cx.scope.clone();
        }
        let mut scope: Vec<Binding> = Vec::new();
        for t in &cx.tables {
            if !scope.iter().any(|b| &b.name == t) {
                scope.push(Binding {
                    name: t.clone(),
                    prefix: None,
                    columns: None,
                    collection: Some(t.clone()),
                    declared: false,
                    intervals: Vec::new(),
                });
            }
        }
        scope
    }
}

/// Whether GROUP BY key `k` is the column `q.rest` (written `q.rest` or unqualified `rest`).
fn key_names(k: &sqlparser::ast::Expr, q: &str, rest: &[Ident]) -> bool {
    use sqlparser::ast::Expr;
    let same = |parts: &[Ident]| {
        parts.len() == rest.len() && parts.iter().zip(rest).all(|(a, b)| a.value == b.value)
    };
    match k {
        Expr::Nested(inner) => key_names(inner, q, rest),
        Expr::Identifier(i) => same(std::slice::from_ref(i)),
        Expr::CompoundIdentifier(parts) => match parts.split_first() {
            Some((first, tail)) if first.value == q => same(tail),
            _ => same(parts),
        },
        _ => false,
    }
}

/// The last part of a dotted name.
fn last_name(name: &sqlparser::ast::ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.clone())
        .unwrap_or_default()
}

/// Column aliases `t(a, b)`.
fn alias_columns(a: &TableAlias) -> Vec<String> {
    a.columns.iter().map(|c| c.name.value.clone()).collect()
}
