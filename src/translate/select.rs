//! SELECT over one collection -> `find` (plain filter / projection / limit) or `aggregate`.
//!
//! Pipeline order: [joins: `$match` (WHERE on the first table) -> `$lookup`/`$unwind` (join.rs)] -> `$match`
//! (WHERE) -> `$group` (GROUP BY / aggregates) -> one-row fallback (aggregates without GROUP BY over no rows) ->
//! `$match` (HAVING) -> `$setWindowFields` (window calls, window/) -> `$project` (SELECT list + sort keys) ->
//! `$sort` -> `$skip` -> `$limit` -> `$unset` (sort keys). Set operations are in setop.rs. PG sorts NULLs last ascending and first descending, MongoDB the other way,
//! so a sort key that needs it gets a NULL flag sorted before it.

use super::aggregate::{contains_aggregate, GroupScope};
use super::expr::{expr_pos, unsupported, Agg};
use super::names::collection_name;
use super::nulls::is_null;
use super::{Error, Position, Translated, Translator};
use crate::mql::expr as ex;
use crate::mql::filter;
use crate::mql::stage::Stage;
use crate::mql::{Command, Output, OutputColumn};
use bson::{doc, Bson, Document};
use sqlparser::ast::{
    Distinct, Expr, GroupByExpr, LimitClause, OrderByKind, Query, Select, SelectItem, SetExpr,
    Spanned, TableFactor, TableWithJoins, Value,
};
use std::borrow::Cow;

/// `$sort` entries: field and direction.
type SortFields = Vec<(String, i32)>;

/// One output column while planning; its expression is borrowed from the statement when it can be.
struct Column<'a> {
    name: String,
    source: Cow<'a, Expr>,
}

/// One ORDER BY key while planning.
struct SortKey {
    expr: Expr,
    desc: bool,
    nulls_first: bool,
}

impl Translator {
    /// Translates a query (SELECT ... FROM one collection).
    pub(crate) fn query_to_plan(&mut self, q: &Query) -> Result<Translated, Error> {
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
            return self.with_query(w, q);
        }
        if fetch.is_some() {
            return Err(self.at_query("FETCH FIRST (use LIMIT)", q));
        }
        if !locks.is_empty()
            || for_clause.is_some()
            || settings.is_some()
            || format_clause.is_some()
            || !pipe_operators.is_empty()
        {
            return Err(self.at_query("this query clause", q));
        }
        let select = match body.as_ref() {
            SetExpr::Select(s) => s,
            SetExpr::Query(inner) => {
                if order_by.is_none() && limit_clause.is_none() {
                    return self.query_to_plan(inner);
                }
                return Err(self.at_query("nested query with its own ORDER BY/LIMIT", q));
            }
            SetExpr::SetOperation { .. } => return self.set_operation_query(q),
            SetExpr::Values(_) => return Err(self.at_query("VALUES as a query", q)),
            _ => return Err(self.at_query("this kind of query", q)),
        };
        let mut keys = Vec::new();
        if let Some(ob) = order_by {
            match &ob.kind {
                OrderByKind::Expressions(list) => {
                    for o in list {
                        if o.with_fill.is_some() {
                            return Err(unsupported("WITH FILL", &o.expr));
                        }
                        // PG default: NULLS LAST for ASC, NULLS FIRST for DESC.
                        let (desc, nulls_first) = super::order::direction(&o.options, &o.expr)?;
                        keys.push(SortKey {
                            expr: o.expr.clone(),
                            desc,
                            nulls_first,
                        });
                    }
                }
                OrderByKind::All(_) => return Err(self.at_query("ORDER BY ALL", q)),
            }
        }
        let (limit, offset) = match limit_clause {
            None => (None, None),
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return Err(self.at_query("LIMIT BY", q));
                }
                let l = match limit {
                    Some(e) => self.count_value(e, "LIMIT")?,
                    None => None,
                };
                let o = match offset {
                    Some(o) => self.count_value(&o.value, "OFFSET")?,
                    None => None,
                };
                (l, o)
            }
            Some(LimitClause::OffsetCommaLimit { .. }) => {
                return Err(self.at_query("LIMIT offset, count", q))
            }
        };
        self.select_to_plan(select, keys, limit, offset)
    }

    fn at_query(&self, what: &str, q: &Query) -> Error {
        Error::Unsupported {
            construct: what.to_string(),
            position: Position::from(q.span().start),
        }
    }

    /// A LIMIT / OFFSET count: a non-negative integer constant or a parameter (None for LIMIT ALL / NULL).
    pub(crate) fn count_value(&mut self, e: &Expr, what: &str) -> Result<Option<Bson>, Error> {
        if let Expr::Value(v) = e {
            if let Value::Placeholder(_) = v.value {
                let n = self.param_number(&v.value, e)?;
                return Ok(Some(ex::param(n as i64)));
            }
        }
        match self.agg(e)?.constant {
            Some(Bson::Null) => Ok(None),
            Some(Bson::Int32(n)) if n >= 0 => Ok(Some(Bson::Int64(i64::from(n)))),
            Some(Bson::Int64(n)) if n >= 0 => Ok(Some(Bson::Int64(n))),
            _ => Err(Error::Invalid {
                message: format!("{what} must be a non-negative integer"),
                position: expr_pos(e),
            }),
        }
    }

    fn select_to_plan(
        &mut self,
        s: &Select,
        keys: Vec<SortKey>,
        limit: Option<Bson>,
        offset: Option<Bson>,
    ) -> Result<Translated, Error> {
        let Select {
            select_token: _,
            optimizer_hints,
            distinct,
            select_modifiers,
            top,
            top_before_distinct: _,
            projection,
            exclude,
            into,
            from,
            lateral_views,
            prewhere,
            selection,
            connect_by,
            group_by,
            cluster_by,
            distribute_by,
            sort_by,
            having,
            named_window,
            qualify,
            window_before_qualify: _,
            value_table_mode,
            flavor: _,
        } = s;
        let pos = Position::from(s.span().start);
        let refuse = |what: &str| {
            Err(Error::Unsupported {
                construct: what.to_string(),
                position: pos,
            })
        };
        if !optimizer_hints.is_empty()
            || select_modifiers.is_some()
            || top.is_some()
            || exclude.is_some()
            || into.is_some()
        {
            return refuse("this SELECT modifier");
        }
        if !lateral_views.is_empty()
            || prewhere.is_some()
            || !connect_by.is_empty()
            || !cluster_by.is_empty()
            || !distribute_by.is_empty()
            || !sort_by.is_empty()
            || qualify.is_some()
            || value_table_mode.is_some()
        {
            return refuse("this SELECT clause");
        }
        let distinct = match distinct {
            None => false,
            Some(Distinct::Distinct) => true,
            Some(Distinct::All) => false,
            Some(Distinct::On(_)) => return refuse("DISTINCT ON"),
        };
        let mut source = self.source_of_from(from, pos)?;
        let (pre_filter, filter) = match selection {
            Some(w) => {
                if contains_aggregate(w) {
                    return Err(Error::Invalid {
                        message: "aggregate functions are not allowed in WHERE".into(),
                        position: expr_pos(w),
                    });
                }
                match &source.join {
                    // Conditions on the first table of a join may run before the `$lookup`s; not with
                    // subqueries, whose `$lookup` stages `where_filter` places before the conditions reading them.
                    Some(fp) if !has_subquery(w) => self.where_filters(w, fp)?,
                    _ => (Document::new(), self.where_filter(w)?),
                }
            }
            None => (Document::new(), Document::new()),
        };
        let where_stages = self.take_subquery_stages();
        let group_exprs = match group_by {
            GroupByExpr::Expressions(list, modifiers) => {
                if !modifiers.is_empty() {
                    return refuse("GROUP BY modifiers (ROLLUP/CUBE/...)");
                }
                list.as_slice()
            }
            GroupByExpr::All(_) => return refuse("GROUP BY ALL"),
        };
        // The SELECT list.
        let mut wildcard = false;
        let mut qualified_star: Option<String> = None;
        let mut columns = Vec::new();
        for item in projection {
            match item {
                SelectItem::UnnamedExpr(e) => columns.push(Column {
                    name: column_name(e),
                    source: Cow::Borrowed(e),
                }),
                SelectItem::ExprWithAlias { expr, alias } => columns.push(Column {
                    name: alias.value.clone(),
                    source: Cow::Borrowed(expr),
                }),
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) if wildcard => {
                    // A second star (`t1.*, t2.*`): each star alone stands for a whole row, and two would have
                    // to be merged field by field (same-named columns collide); only one is translated.
                    return Err(Error::Unsupported {
                        construct: "more than one * in the SELECT list (name the columns)".into(),
                        position: star_position(item).unwrap_or(pos),
                    });
                }
                SelectItem::Wildcard(opts) => {
                    if opts.opt_exclude.is_some()
                        || opts.opt_except.is_some()
                        || opts.opt_replace.is_some()
                        || opts.opt_rename.is_some()
                        || opts.opt_ilike.is_some()
                    {
                        return refuse("wildcard options");
                    }
                    wildcard = true;
                }
                SelectItem::QualifiedWildcard(kind, _) => {
                    qualified_star = Some(kind.to_string().trim_end_matches(".*").to_string());
                    wildcard = true
                }
                SelectItem::ExprWithAliases { .. } => return refuse("multiple aliases"),
            }
        }
        if wildcard && !columns.is_empty() {
            return refuse("* together with other columns");
        }
        let grouped = !group_exprs.is_empty()
            || having.is_some()
            || columns.iter().any(|c| contains_aggregate(&c.source))
            || keys.iter().any(|k| contains_aggregate(&k.expr));
        if wildcard && (grouped || distinct) {
            return refuse("SELECT * with GROUP BY, aggregates or DISTINCT");
        }
        if wildcard && self.rel.scope.iter().any(|b| b.prefix.is_some()) {
            // `*` over a CROSS JOIN of relations with known columns: those columns, relation by relation.
            let plain_star = projection
                .iter()
                .all(|p| matches!(p, SelectItem::Wildcard(_)));
            match self.star_columns() {
                Some(cols) if plain_star => {
                    columns = cols
                        .into_iter()
                        .map(|(name, source)| Column {
                            name,
                            source: Cow::Owned(source),
                        })
                        .collect();
                    wildcard = false;
                }
                _ => {
                    return refuse(
                        "SELECT * / t.* over a CROSS JOIN with a collection (name the columns)",
                    )
                }
            }
        }
        if wildcard && from.is_empty() {
            return Err(Error::Invalid {
                message: "SELECT * with no tables specified is not valid".into(),
                position: pos,
            });
        }
        // Resolve ORDER BY / GROUP BY ordinals and output aliases to the SELECT expressions (PG rules).
        let resolve = |e: &Expr, columns: &[Column]| -> Result<Expr, Error> {
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
                    return match columns.get(i.wrapping_sub(1)) {
                        Some(c) => Ok(c.source.as_ref().clone()),
                        None => Err(Error::Invalid {
                            message: format!("position {n} is not in select list"),
                            position: expr_pos(e),
                        }),
                    };
                }
            }
            if let Expr::Identifier(id) = e {
                if let Some(c) = columns.iter().find(|c| {
                    c.name == id.value
                        && !matches!(c.source.as_ref(), Expr::Identifier(x) if x.value == id.value)
                }) {
                    return Ok(c.source.as_ref().clone());
                }
            }
            Ok(e.clone())
        };
        let mut sort_keys = Vec::new();
        for k in keys {
            sort_keys.push(SortKey {
                expr: resolve(&k.expr, &columns)?,
                desc: k.desc,
                nulls_first: k.nulls_first,
            });
        }
        let mut group_keys = Vec::new();
        for g in group_exprs {
            group_keys.push(resolve(g, &columns)?);
        }

        // Window calls can be in the SELECT list and ORDER BY (window/ computes them before `$project`).
        let window_exprs: Vec<&Expr> = columns
            .iter()
            .map(|c| c.source.as_ref())
            .chain(sort_keys.iter().map(|k| &k.expr))
            .collect();
        let star_stages = self.join_star(wildcard, qualified_star.as_deref(), pos)?;
        if !grouped && !distinct && source.is_plain() && where_stages.is_empty() {
            if let Some(cmd) = self.try_find(
                source.collection_name(),
                &filter,
                wildcard,
                &columns,
                &sort_keys,
                &limit,
                &offset,
            )? {
                return Ok(cmd);
            }
        }

        let mut pipeline: Vec<Document> = Vec::new();
        if !pre_filter.is_empty() {
            pipeline.push(Stage::Match(pre_filter).into_document());
        }
        pipeline.append(&mut source.pipeline);
        self.push_where(&mut pipeline, filter, where_stages, wildcard);
        let mut project = Document::new();
        let mut out_cols = Vec::new();
        if grouped || distinct {
            let (keys_for_group, post_columns): (Vec<&Expr>, bool) = if distinct && !grouped {
                (columns.iter().map(|c| c.source.as_ref()).collect(), true)
            } else {
                (group_keys.iter().collect(), false)
            };
            let mut id = Document::new();
            let mut scope = GroupScope::default();
            for (i, k) in keys_for_group.iter().enumerate() {
                if contains_aggregate(k) {
                    return Err(Error::Invalid {
                        message: "aggregate functions are not allowed in GROUP BY".into(),
                        position: expr_pos(k),
                    });
                }
                let a = self.agg(k)?;
                let f = format!("g{i}");
                // A missing value would leave the key out of the `_id` document, a group apart from NULL's:
                // SQL has one NULL group.
                let key = if a.nullable {
                    ex::or_null(a.expr)
                } else {
                    a.expr
                };
                id.insert(&f, key);
                scope.keys.push(((*k).clone(), f));
            }
            self.no_subquery_here("GROUP BY / SELECT DISTINCT", pos)?;
            // Everything after $group is translated in the group scope.
            self.group = Some(scope);
            self.rel.grouped_phase = true;
            let win = self.window_stages(&window_exprs, named_window);
            let result = self.after_group(
                &columns,
                &sort_keys,
                having.as_ref(),
                &mut project,
                &mut out_cols,
                post_columns,
            );
            let scope = self.group.take().unwrap_or_default();
            self.rel.grouped_phase = false;
            let win = win?;
            let (having_match, sort_fields) = result?;
            let after_group_stages = self.take_subquery_stages();
            pipeline.push(
                Stage::Group {
                    id: if id.is_empty() {
                        Bson::Null
                    } else {
                        Bson::Document(id.clone())
                    },
                    accumulators: scope.accumulators,
                }
                .into_document(),
            );
            if id.is_empty() {
                // PG: an aggregate without GROUP BY returns exactly one row, also over no rows.
                pipeline.push(
                    Stage::UnionWith {
                        coll: None,
                        pipeline: vec![Stage::Documents(vec![Document::new()]).into_document()],
                    }
                    .into_document(),
                );
                pipeline.push(Stage::Limit(Bson::Int32(1)).into_document());
            }
            pipeline.extend(after_group_stages);
            if let Some(h) = having_match {
                pipeline.push(Stage::Match(filter::expr(h)).into_document());
            }
            pipeline.extend(win);
            pipeline.push(Stage::Project(project).into_document());
            self.finish_sort(&mut pipeline, sort_fields, &limit, &offset);
        } else {
            let mut sort_fields = Vec::new();
            pipeline.extend(self.window_stages(&window_exprs, named_window)?);
            if wildcard {
                let mut set = Document::new();
                for (i, k) in sort_keys.iter().enumerate() {
                    let a = self.agg(&k.expr)?;
                    sort_fields.extend(sort_spec(&mut set, i, &a, k));
                }
                let set = (!set.is_empty()).then(|| Stage::Set(set).into_document());
                self.push_with_lookups(&mut pipeline, set);
            } else {
                project.insert("_id", 0);
                for (i, c) in columns.iter().enumerate() {
                    let a = self.agg(&c.source)?;
                    let f = format!("c{i}");
                    project.insert(&f, projected(a.expr));
                    out_cols.push(OutputColumn {
                        name: c.name.clone(),
                        field: f,
                    });
                }
                for (i, k) in sort_keys.iter().enumerate() {
                    let a = self.agg(&k.expr)?;
                    sort_fields.extend(sort_spec(&mut project, i, &a, k));
                }
                pipeline.extend(self.take_subquery_stages());
                pipeline.push(Stage::Project(project).into_document());
            }
            self.finish_sort(&mut pipeline, sort_fields, &limit, &offset);
            pipeline.extend(star_stages);
        }
        Ok((
            vec![source.command(pipeline)],
            Output::Rows { columns: out_cols },
        ))
    }

    /// After `$group`: the projection of the SELECT list, HAVING, and sort keys, in group scope.
    fn after_group(
        &mut self,
        columns: &[Column<'_>],
        sort_keys: &[SortKey],
        having: Option<&Expr>,
        project: &mut Document,
        out_cols: &mut Vec<OutputColumn>,
        _distinct_only: bool,
    ) -> Result<(Option<Bson>, SortFields), Error> {
        project.insert("_id", 0);
        for (i, c) in columns.iter().enumerate() {
            let a = self.agg(&c.source)?;
            let f = format!("c{i}");
            project.insert(&f, projected(a.expr));
            out_cols.push(OutputColumn {
                name: c.name.clone(),
                field: f,
            });
        }
        let having_match = match having {
            Some(h) => {
                super::window::refuse_windows(h, "HAVING")?;
                Some(self.pred(h)?.t)
            }
            None => None,
        };
        let mut sort_fields = Vec::new();
        for (i, k) in sort_keys.iter().enumerate() {
            let a = self.agg(&k.expr)?;
            sort_fields.extend(sort_spec(project, i, &a, k));
        }
        Ok((having_match, sort_fields))
    }

    fn finish_sort(
        &mut self,
        pipeline: &mut Vec<Document>,
        sort_fields: Vec<(String, i32)>,
        limit: &Option<Bson>,
        offset: &Option<Bson>,
    ) {
        if !sort_fields.is_empty() {
            let mut sort = Document::new();
            for (f, d) in &sort_fields {
                sort.insert(f, *d);
            }
            pipeline.push(Stage::Sort(sort).into_document());
        }
        if let Some(o) = offset {
            pipeline.push(Stage::Skip(o.clone()).into_document());
        }
        match limit {
            // `$limit` must be positive (and a find `limit: 0` means no limit): LIMIT 0 keeps no row.
            Some(Bson::Int64(0)) => {
                pipeline.push(Stage::Match(filter::expr(false)).into_document())
            }
            Some(l) => pipeline.push(Stage::Limit(l.clone()).into_document()),
            None => {}
        }
        if !sort_fields.is_empty() {
            let names: Vec<String> = sort_fields.into_iter().map(|(f, _)| f).collect();
            pipeline.push(Stage::Unset(names).into_document());
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn try_find(
        &mut self,
        collection: &str,
        filter: &Document,
        wildcard: bool,
        columns: &[Column<'_>],
        sort_keys: &[SortKey],
        limit: &Option<Bson>,
        offset: &Option<Bson>,
    ) -> Result<Option<Translated>, Error> {
        // Sorting in find only when MongoDB's NULL placement equals PG's for every key.
        let mut sort = Document::new();
        for k in sort_keys {
            let a = match &k.expr {
                Expr::Identifier(_) | Expr::CompoundIdentifier(_) => self.agg(&k.expr)?,
                _ => return Ok(None),
            };
            let Bson::String(path) = a.expr else {
                return Ok(None);
            };
            let natural_nulls_first = !k.desc;
            if k.nulls_first != natural_nulls_first {
                return Ok(None);
            }
            sort.insert(path.trim_start_matches('$'), if k.desc { -1 } else { 1 });
        }
        let mut out_cols = Vec::new();
        let projection = if wildcard {
            None
        } else {
            let mut p = doc! {"_id": 0};
            for c in columns {
                let Expr::Identifier(id) = c.source.as_ref() else {
                    return Ok(None);
                };
                if id.value != c.name || p.contains_key(&id.value) || id.value == "_id" {
                    return Ok(None);
                }
                super::names::field_path(std::slice::from_ref(id))?;
                // Resolved as every column is (a subquery's name may belong to an enclosing query).
                if self.relation_column(std::slice::from_ref(id))?.is_some() {
                    return Ok(None);
                }
                p.insert(&id.value, 1);
                out_cols.push(OutputColumn {
                    name: c.name.clone(),
                    field: id.value.clone(),
                });
            }
            Some(p)
        };
        let as_i64 = |b: &Option<Bson>| -> Option<Option<Bson>> {
            match b {
                None => Some(None),
                Some(Bson::Int64(n)) => Some(Some(Bson::Int64(*n))),
                Some(_) => None,
            }
        };
        if matches!(limit, Some(Bson::Int64(0))) {
            return Ok(None); // find's `limit: 0` means "no limit"
        }
        let (Some(limit), Some(skip)) = (as_i64(limit), as_i64(offset)) else {
            return Ok(None);
        };
        let cmd = Command::Find {
            collection: collection.to_string(),
            filter: filter.clone(),
            projection,
            sort: if sort.is_empty() { None } else { Some(sort) },
            skip: skip.and_then(|b| b.as_i64()),
            limit: limit.and_then(|b| b.as_i64()),
        };
        Ok(Some((vec![cmd], Output::Rows { columns: out_cols })))
    }

    /// The one collection of FROM; joins and derived tables are refused.
    pub(crate) fn collection_of_from(
        &mut self,
        from: &[TableWithJoins],
        pos: Position,
    ) -> Result<String, Error> {
        let [twj] = from else {
            return Err(if from.is_empty() {
                Error::Unsupported {
                    construct: "SELECT without FROM".into(),
                    position: pos,
                }
            } else {
                Error::Unsupported {
                    construct: "several tables in FROM (joins)".into(),
                    position: pos,
                }
            });
        };
        if let Some(j) = twj.joins.first() {
            return Err(Error::Unsupported {
                construct: "JOIN".into(),
                position: Position::from(j.span().start),
            });
        }
        match &twj.relation {
            TableFactor::Table { name, alias, .. } => {
                super::names::plain_table(&twj.relation, pos)?;
                let c = collection_name(name)?;
                self.tables.push(c.clone());
                if let Some(a) = alias {
                    if !a.columns.is_empty() {
                        return Err(Error::Unsupported {
                            construct: "column aliases on a table".into(),
                            position: pos,
                        });
                    }
                    self.tables.push(a.name.value.clone());
                }
                Ok(c)
            }
            TableFactor::Derived { .. } => Err(Error::Unsupported {
                construct: "subquery in FROM (derived table)".into(),
                position: Position::from(twj.relation.span().start),
            }),
            _ => Err(Error::Unsupported {
                construct: "this kind of FROM item".into(),
                position: Position::from(twj.relation.span().start),
            }),
        }
    }
}

/// Adds the sort field(s) of key `i` to `target` and returns the `$sort` entries: a NULL flag first when PG's
/// NULL placement differs from MongoDB's (nulls lowest), then the value.
fn sort_spec(target: &mut Document, i: usize, a: &Agg, k: &SortKey) -> Vec<(String, i32)> {
    let dir = if k.desc { -1 } else { 1 };
    let mongo_nulls_first = !k.desc;
    let mut out = Vec::new();
    if k.nulls_first != mongo_nulls_first && a.nullable {
        let f = format!("__n{i}");
        target.insert(&f, ex::cond(is_null(&a.expr), 1, 0));
        out.push((f, if k.nulls_first { -1 } else { 1 }));
    }
    let f = format!("__s{i}");
    target.insert(&f, projected(a.expr.clone()));
    out.push((f, dir));
    out
}

/// A value for a `$project` field: numbers and booleans are inclusion flags there (and a bare null is not an
/// expression), so constants of those types are wrapped in `$literal`.
pub(crate) fn projected(e: Bson) -> Bson {
    match e {
        Bson::Int32(_)
        | Bson::Int64(_)
        | Bson::Double(_)
        | Bson::Decimal128(_)
        | Bson::Boolean(_)
        | Bson::Null => ex::literal(e),
        other => other,
    }
}

/// PG's output column name for an unaliased expression.
pub(crate) fn column_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        Expr::CompoundIdentifier(parts) => {
            parts.last().map(|p| p.value.clone()).unwrap_or_default()
        }
        Expr::Nested(inner) => column_name(inner),
        Expr::Cast { expr, .. } => column_name(expr),
        Expr::Function(f) => crate::translate::names::function_name(&f.name),
        Expr::Case { .. } => "case".into(),
        Expr::Extract { .. } => "extract".into(),
        Expr::Substring { .. } => "substring".into(),
        Expr::Position { .. } => "position".into(),
        Expr::Trim { .. } => "btrim".into(),
        _ => "?column?".into(),
    }
}

/// Whether `e` contains a subquery (scalar, `IN (SELECT ...)`, `EXISTS`).
fn has_subquery(e: &Expr) -> bool {
    use std::ops::ControlFlow;
    sqlparser::ast::visit_expressions(e, |x| match x {
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}

/// Where a `*` / `t.*` item starts, when its tokens say.
fn star_position(item: &SelectItem) -> Option<Position> {
    match item {
        SelectItem::Wildcard(w) => Some(Position::from(w.wildcard_token.0.span.start)),
        SelectItem::QualifiedWildcard(
            sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(name),
            _,
        ) => name
            .0
            .first()
            .and_then(|p| p.as_ident())
            .map(|i| Position::from(i.span.start)),
        _ => None,
    }
}
