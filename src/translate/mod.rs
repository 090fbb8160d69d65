//! SQL AST -> [`crate::mql::Plan`].
//!
//! Input: statements from [`crate::sql`]; output: typed MongoDB commands plus the output shape. Pure and
//! synchronous. Every construct is translated exactly or refused with [`Error::Unsupported`] naming it.
//! `Translator` is one struct with an `impl` block per clause file: `query.rs` (WITH / ORDER BY / LIMIT /
//! OFFSET of every query), `select.rs` (SELECT; its list and clause checks in `select_list.rs`), `context.rs` (the state of one query level), `aggregate.rs`
//! (GROUP BY, aggregate functions), `dml.rs`, `ddl.rs`, `expr/` (expressions and filters), `nulls.rs`
//! (three-valued logic), `like.rs`, `names.rs`, `join.rs` (`$lookup`), `window/` (`$setWindowFields`; frames, call lookup),
//! `setop.rs` (UNION / INTERSECT / EXCEPT), `ordered_agg.rs` (STRING_AGG, ARRAY_AGG, ...), `json.rs`.

mod aggregate;
mod anti_join;
mod any_all;
pub mod catalog;
mod check;
mod collate;
pub(crate) mod column_default;
pub(crate) mod context;
mod create_table_as;
pub(crate) mod cte;
mod ddl;
pub(crate) mod declared;
mod distinct_on;
pub(crate) mod dml;
pub mod error;
mod exists_swap;
pub(crate) mod expr;
mod find;
pub(crate) mod fold;
mod grouping_sets;
mod insert_returning;
mod insert_select;
mod interval_agg;
#[cfg(test)]
mod interval_agg_tests;
pub(crate) mod join;
#[cfg(test)]
mod join_intervals_tests;
mod join_not_null;
mod join_outer;
mod join_scope;
mod join_where;
pub(crate) mod json;
pub(crate) mod json_ops;
pub(crate) mod like;
pub mod literal_insert;
mod matview;
pub(crate) mod names;
pub(crate) mod nulls;
pub(crate) mod ordered_agg;
mod outer_join_reduce;
pub(crate) mod query;
mod returning;
pub(crate) mod select;
mod select_list;
mod series;
pub(crate) mod setop;
mod settings;
pub(crate) mod srf;
pub(crate) mod stats_agg;
mod subquery;
mod table_fn;
mod top_k;
mod upsert;
mod view;
pub(crate) mod visit;
pub(crate) mod window;
mod write_join;

pub use catalog::{relation_names, Catalog};
pub use error::{Error, Position, Refusal};

use crate::mql::{Command, Output, Plan, StatementPlan};
use crate::sql::Statement;
use crate::translate::context::QueryContext;
use sqlparser::ast::{Ident, Spanned};

/// What one statement translates to: its commands and how their replies become the result.
pub(crate) type Translated = (Vec<Command>, Output);

/// Per-statement translation state (parameters seen, notes raised, depth, CTEs in scope); the state of the
/// query level being translated is a [`context::QueryContext`] passed alongside as `cx`.
#[derive(Debug, Default)]
pub struct Translator {
    /// Highest parameter number seen (`$n`), or count of `?` placeholders.
    pub param_count: usize,
    /// Deviations from PostgreSQL flagged while translating (end up in `StatementPlan::notes`).
    pub notes: Vec<String>,
    pub(crate) question_marks: usize,
    /// The `?` placeholders of the statement by (line, column), in text order: `?` number i+1 is entry i.
    pub(crate) question_positions: Vec<(u64, u64)>,
    pub(crate) dollar_params: bool,
    pub(crate) tolerated_codes: Vec<i32>,
    /// CTEs in scope and enclosing queries' frames (`cte/`, `subquery.rs`).
    pub(crate) rel: cte::RelState,
    /// Inside `ON CONFLICT ... DO UPDATE`: the proposed row (`EXCLUDED.col`), column path -> value.
    pub(crate) excluded: Option<Vec<(String, expr::Agg)>>,
    /// How many expression translations are under way (`nested`).
    pub(crate) depth: usize,
    /// The most that were at once.
    pub(crate) max_depth: usize,
    /// The session time zone (`SET TIME ZONE`), `None` for UTC (`expr/time_fn.rs`).
    pub(crate) time_zone: Option<String>,
    /// Declared tables and views (`catalog.rs`); empty: every collection is schemaless.
    pub(crate) catalog: std::sync::Arc<Catalog>,
}

impl Translator {
    /// Runs one level of the expression translation's recursion: refused past `MAX_TRANSLATION_DEPTH` levels
    /// (the parser already refuses trees deeper than [`crate::sql::MAX_EXPR_DEPTH`]; this keeps the
    /// translator's own bound explicit),
    /// and continued on a new stack segment when the caller's stack runs low, so a deep but accepted
    /// expression translates on a 2 MiB thread.
    pub(crate) fn nested<T>(
        &mut self,
        e: &sqlparser::ast::Expr,
        f: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if self.depth >= MAX_TRANSLATION_DEPTH {
            return Err(Error::Invalid {
                message: format!(
                    "expression nested too deeply (more than {MAX_TRANSLATION_DEPTH} levels of translation; \
                     MongoDB accepts commands nested {MAX_COMMAND_DEPTH} levels)"
                ),
                position: expr::expr_pos(e),
            });
        }
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
        let out = crate::sql::with_stack(|| f(self));
        self.depth -= 1;
        out
    }
}

/// The deepest command document translated: mongod refuses commands nested deeper than its `maxBSONDepth`
/// (200), and everything that walks a plan afterwards (rendering, binding, the embedded engine, the driver)
/// recurses once per level, so a plan is never deeper.
pub const MAX_COMMAND_DEPTH: usize = 200;

/// Translations at most this deep (levels of `nested`) cannot make a command deeper than
/// [`MAX_COMMAND_DEPTH`]: one level adds at most a few BSON levels (`{$let: {in: {$multiply: [...]}}}`).
const SHALLOW_TRANSLATION: usize = 24;

/// How deeply a value nests documents and arrays (a document is 1), counted without recursion.
pub fn bson_depth(value: &bson::Bson) -> usize {
    let mut max = 0;
    let mut todo = vec![(value, 1usize)];
    while let Some((v, d)) = todo.pop() {
        match v {
            bson::Bson::Document(doc) => {
                max = max.max(d);
                todo.extend(doc.values().map(|x| (x, d + 1)));
            }
            bson::Bson::Array(items) => {
                max = max.max(d);
                todo.extend(items.iter().map(|x| (x, d + 1)));
            }
            _ => {}
        }
    }
    max
}

/// The translator's own bound on its recursion (`nested` levels). AND / OR chains are translated flat, and
/// every other level adds at least one BSON level to the command, which MongoDB accepts up to
/// [`MAX_COMMAND_DEPTH`]: deeper translations could only be refused, and would first build values that every
/// later walk (clone, drop, the depth check) recurses through.
const MAX_TRANSLATION_DEPTH: usize = MAX_COMMAND_DEPTH;

/// Translates SQL text (one or more statements) into MongoDB commands, without executing anything.
///
/// ```
/// let plan = sqlmongo::translate("SELECT user_id FROM user_sessions WHERE session_id = $1").unwrap();
/// let cmd = plan.statements[0].steps[0].to_document();
/// assert_eq!(cmd.get_str("find").unwrap(), "user_sessions");
/// ```
pub fn translate(sql: &str) -> Result<Plan, crate::Error> {
    translate_in_zone(sql, None)
}

/// [`translate`] in a session time zone (`None`: UTC); a `SET TIME ZONE` among the statements applies to the
/// ones after it.
pub fn translate_in_zone(sql: &str, time_zone: Option<&str>) -> Result<Plan, crate::Error> {
    translate_with_catalog_in_zone(sql, &std::sync::Arc::new(Catalog::new()), time_zone)
}

/// Translates SQL text with a [`Catalog`] of declared tables and views: `SELECT *` over a declared table
/// gives its declared columns, unknown columns are errors, unqualified names in joins and correlated
/// subqueries resolve as PostgreSQL resolves them (docs/dialect.md, "Declared tables"). Relations the
/// catalog does not list keep the schemaless rules of [`translate`].
///
/// ```
/// use sqlmongo::translate::{Catalog, catalog::{Table, Column}};
/// let mut catalog = Catalog::new();
/// let col = |n: &str| Column { name: n.into(), ..Column::default() };
/// catalog.tables.insert("t".into(), Table { columns: vec![col("k"), col("v")] });
/// let plan = sqlmongo::translate::translate_with_catalog("SELECT * FROM t", &catalog.into()).unwrap();
/// let find = plan.statements[0].steps[0].to_document();
/// assert_eq!(find.get_document("projection").unwrap(), &bson::doc! {"_id": 0, "k": 1, "v": 1});
/// ```
pub fn translate_with_catalog(
    sql: &str,
    catalog: &std::sync::Arc<Catalog>,
) -> Result<Plan, crate::Error> {
    translate_with_catalog_in_zone(sql, catalog, None)
}

/// [`translate_with_catalog`] in a session time zone (see [`translate_in_zone`]).
pub fn translate_with_catalog_in_zone(
    sql: &str,
    catalog: &std::sync::Arc<Catalog>,
    time_zone: Option<&str>,
) -> Result<Plan, crate::Error> {
    let statements = crate::sql::parse(sql)?;
    let mut out = Vec::with_capacity(statements.len());
    let mut zone = time_zone.map(str::to_string);
    for (stmt, text) in statements {
        let plan = translate_statement_with_in_zone(&stmt, &text, catalog, zone.as_deref())?;
        if let crate::mql::Output::Setting(crate::mql::Setting::TimeZone(z)) = &plan.output {
            zone = (z != "UTC").then(|| z.clone());
        }
        out.push(plan);
    }
    Ok(Plan { statements: out })
}

/// Translates one parsed statement (schemaless: no catalog).
pub fn translate_statement(
    stmt: &Statement,
    text: &crate::sql::StatementText,
) -> Result<StatementPlan, crate::Error> {
    translate_statement_in_zone(stmt, text, None)
}

/// Translates one parsed statement in a session time zone (an Olson name or offset as `SET TIME ZONE`
/// accepted it; `None`: UTC).
pub fn translate_statement_in_zone(
    stmt: &Statement,
    text: &crate::sql::StatementText,
    time_zone: Option<&str>,
) -> Result<StatementPlan, crate::Error> {
    translate_statement_with_in_zone(stmt, text, &std::sync::Arc::new(Catalog::new()), time_zone)
}

/// Translates one parsed statement with a [`Catalog`] (see [`translate_with_catalog`]).
pub fn translate_statement_with(
    stmt: &Statement,
    text: &crate::sql::StatementText,
    catalog: &std::sync::Arc<Catalog>,
) -> Result<StatementPlan, crate::Error> {
    translate_statement_with_in_zone(stmt, text, catalog, None)
}

/// Translates one parsed statement with a [`Catalog`] in a session time zone.
pub fn translate_statement_with_in_zone(
    stmt: &Statement,
    text: &crate::sql::StatementText,
    catalog: &std::sync::Arc<Catalog>,
    time_zone: Option<&str>,
) -> Result<StatementPlan, crate::Error> {
    // The walks over a deep (accepted) tree need room whatever thread the caller runs on.
    crate::sql::with_stack(|| translate_statement_here(stmt, text, catalog, time_zone))
}

fn translate_statement_here(
    stmt: &Statement,
    text: &crate::sql::StatementText,
    catalog: &std::sync::Arc<Catalog>,
    time_zone: Option<&str>,
) -> Result<StatementPlan, crate::Error> {
    let mut t = Translator {
        question_positions: question_mark_positions(stmt),
        catalog: catalog.clone(),
        time_zone: time_zone.map(str::to_string),
        ..Translator::default()
    };
    let at = Position {
        line: text.line,
        column: text.column,
    };
    // COLLATE clauses become the commands' collation (collate.rs).
    let (collated, collation) = collate::extract(stmt)?;
    let stmt = collated.as_ref().unwrap_or(stmt);
    // Errors without a position of their own point at the statement.
    let mut cx = QueryContext::default();
    let (steps, output) = t.statement(&mut cx, stmt, text).map_err(|e| match e {
        Error::Unsupported {
            kind,
            construct,
            position,
        } if position.line == 0 => Error::Unsupported {
            kind,
            construct,
            position: at,
        },
        Error::Invalid { message, position } if position.line == 0 => Error::Invalid {
            message,
            position: at,
        },
        other => other,
    })?;
    let mut steps = steps;
    for step in &mut steps {
        if let crate::mql::Command::Aggregate { pipeline, .. }
        | crate::mql::Command::AggregateDb { pipeline } = step
        {
            crate::mql::prune::prune_unread_fields(pipeline);
        }
    }
    let steps = match collation {
        Some(c) => {
            let c = c.unwrap_or_else(|| bson::doc! {"locale": "simple"});
            steps.into_iter().map(|s| s.with_collation(&c)).collect()
        }
        None => steps,
    };
    if t.max_depth > SHALLOW_TRANSLATION {
        // Only a deep expression can make a deep command; the check reads the documents without recursion.
        for step in &steps {
            let depth = bson_depth(&bson::Bson::Document(step.to_document()));
            if depth > MAX_COMMAND_DEPTH {
                return Err(Error::Invalid {
                    message: format!(
                        "expression nested too deeply: its MongoDB command would nest {depth} levels \
                         (MongoDB accepts {MAX_COMMAND_DEPTH})"
                    ),
                    position: at,
                }
                .into());
            }
        }
    }
    if !cx.pending.is_empty() {
        return Err(Error::Unsupported {
            kind: Refusal::Subquery,
            construct: "subquery in this position".into(),
            position: at,
        }
        .into());
    }
    if t.question_marks > 0 && t.dollar_params {
        return Err(Error::Invalid {
            message: "mixing ? and $n parameters".into(),
            position: Position {
                line: text.line,
                column: text.column,
            },
        }
        .into());
    }
    Ok(StatementPlan {
        sql: text.text.clone(),
        steps,
        output,
        notes: t.notes,
        param_count: t.param_count,
        tolerated_codes: t.tolerated_codes,
    })
}

impl Translator {
    fn statement(
        &mut self,
        cx: &mut QueryContext,
        stmt: &Statement,
        text: &crate::sql::StatementText,
    ) -> Result<Translated, Error> {
        let at = Position {
            line: text.line,
            column: text.column,
        };
        match stmt {
            Statement::Explain(inner) => {
                let (steps, _) = self.statement(cx, inner, text)?;
                Ok((steps, Output::Explain))
            }
            Statement::CreateCollection(c) => self.create_collection(c),
            Statement::AlterCollection(a) => self.alter_collection(a),
            Statement::DropCollection(d) => self.drop_collection(d),
            Statement::ShowCollections => Ok(ddl::show_collections()),
            Statement::ShowIndexes(s) => self.show_indexes(s),
            Statement::Copy(c) => Err(copy_refusal(c, at)),
            Statement::RefreshMaterializedView(r) => self.refresh_materialized_view(r, at),
            Statement::Sql(s) => {
                use sqlparser::ast::Statement as S;
                match s.as_ref() {
                    S::Query(q) => {
                        cx.intervals = context::Intervals::Client;
                        let plan = self.query_to_plan(cx, q);
                        cx.intervals = context::Intervals::Text;
                        plan
                    }
                    S::Insert(i) => self.insert_to_plan(cx, i),
                    S::Update(u) => self.update_to_plan(cx, u),
                    S::Delete(d) => self.delete_to_plan(cx, d),
                    S::CreateIndex(ci) => self.create_index(cx, ci),
                    S::CreateTable(ct) => self.create_table(cx, ct),
                    S::Drop { .. } => self.drop(s),
                    S::CreateView(v) => self.create_view(cx, v, at),
                    S::Set(set) => settings::set(set, at),
                    S::Reset(r) => settings::reset(r, at),
                    S::Call(f) => settings::call(f, at),
                    S::StartTransaction { .. } | S::Commit { .. } | S::Rollback { .. } => {
                        settings::transaction(s, at)
                    }
                    S::Explain { .. } => Err(Error::Unsupported {
                        kind: Refusal::Statement,
                        construct: "EXPLAIN options".into(),
                        position: at,
                    }),
                    other => {
                        let word = other
                            .to_string()
                            .split_whitespace()
                            .take(2)
                            .collect::<Vec<_>>()
                            .join(" ");
                        let pos = Position::from(other.span().start);
                        Err(Error::Unsupported {
                            kind: Refusal::Statement,
                            construct: format!("statement {word}"),
                            position: if pos.line == 0 { at } else { pos },
                        })
                    }
                }
            }
        }
    }

    /// Drops a leading table or alias qualifier from a column reference (`s.user_id` -> `user_id`).
    pub(crate) fn strip_qualifier<'a>(&self, cx: &QueryContext, parts: &'a [Ident]) -> &'a [Ident] {
        if parts.len() > 1 {
            if let Some(first) = parts.first() {
                if cx.tables.iter().any(|t| t == &first.value) {
                    return &parts[1..];
                }
            }
        }
        parts
    }
}

/// COPY has no command plan: its rows come from (or go to) a file while it runs, which `crate::copy` does
/// (`sqlmongo run`, the REPL, `sqlmongo::copy::copy`). PROGRAM is refused outright: sqlmongo runs no shell.
fn copy_refusal(c: &crate::sql::copy::CopyStatement, at: Position) -> Error {
    let construct = match &c.target {
        crate::sql::copy::CopyTarget::Program(_) => {
            "COPY ... PROGRAM (sqlmongo runs no shell commands; use a file)".to_string()
        }
        _ => {
            "COPY in a translation (COPY runs in the client: `sqlmongo run`, the REPL, \\copy, or \
              sqlmongo::copy::copy)"
                .to_string()
        }
    };
    Error::Unsupported {
        kind: Refusal::Statement,
        construct,
        position: at,
    }
}

/// The positions of the `?` placeholders of a statement, in text order.
fn question_mark_positions(stmt: &Statement) -> Vec<(u64, u64)> {
    use sqlparser::ast::{Expr, Value};
    let stmt = match stmt {
        Statement::Sql(s) => s,
        Statement::Explain(inner) => return question_mark_positions(inner),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    let _ = sqlparser::ast::visit_expressions(stmt.as_ref(), |e| {
        if let Expr::Value(v) = e {
            if matches!(&v.value, Value::Placeholder(p) if p == "?") {
                out.push((v.span.start.line, v.span.start.column));
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    out.sort_unstable();
    out.dedup();
    out
}
