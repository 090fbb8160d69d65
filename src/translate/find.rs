//! A plain SELECT as one `find` command: a filter, a projection of plain columns, and a sort / skip / limit
//! `find` expresses exactly (MongoDB's NULL placement equal to PostgreSQL's for every sort key; `limit: 0`
//! is "no limit" there, so LIMIT 0 stays an aggregate). `None`: the query needs a pipeline (select.rs).

use super::query::SortKey;
use super::select::Column;
use super::{Error, Translated, Translator};
use crate::mql::expr as ex;
use crate::mql::filter::Filter;
use crate::mql::{Command, Output, OutputColumn};
use crate::translate::context::QueryContext;
use bson::{doc, Bson, Document};
use sqlparser::ast::Expr;

impl Translator {
    /// The query as a `find`, when `find` expresses it exactly (see the module documentation).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn try_find(
        &mut self,
        cx: &mut QueryContext,
        collection: &str,
        filter: Filter,
        wildcard: bool,
        columns: &[Column<'_>],
        sort_keys: &[SortKey],
        limit: &Option<Bson>,
        offset: &Option<Bson>,
    ) -> Result<Option<Translated>, Error> {
        // Sorting in find only when MongoDB's NULL placement equals PG's for every key (or the key is never
        // NULL: a column declared NOT NULL).
        let mut sort = Document::new();
        for k in sort_keys {
            let a = match &k.expr {
                Expr::Identifier(_) | Expr::CompoundIdentifier(_) => self.agg(cx, &k.expr)?,
                _ => return Ok(None),
            };
            let Some(path) = ex::field_path_of(&a.expr) else {
                return Ok(None);
            };
            let natural_nulls_first = !k.desc;
            if k.nulls_first != natural_nulls_first && a.nullable {
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
                let id = match c.source.as_ref() {
                    Expr::Identifier(id) => id,
                    // `t.c` of the one relation of a query that is not nested (as `SELECT *` of a declared
                    // table expands); any doubt (an error to report) leaves it to the general path.
                    Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                        [q, id]
                            if self.rel.outer.is_empty()
                                && cx.scope.len() == 1
                                && cx.scope[0].name == q.value
                                && super::names::field_path(std::slice::from_ref(id)).is_ok()
                                && matches!(self.relation_column(cx, parts), Ok(None)) =>
                        {
                            id
                        }
                        _ => return Ok(None),
                    },
                    _ => return Ok(None),
                };
                if id.value != c.name || p.contains_key(&id.value) || id.value == "_id" {
                    return Ok(None);
                }
                super::names::field_path(std::slice::from_ref(id))?;
                // Resolved as every column is (a subquery's name may belong to an enclosing query).
                if self
                    .relation_column(cx, std::slice::from_ref(id))?
                    .is_some()
                {
                    return Ok(None);
                }
                p.insert(&id.value, 1);
                out_cols.push(OutputColumn::new(c.name.clone(), id.value.clone()));
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
            filter: filter.into(),
            projection,
            sort: if sort.is_empty() { None } else { Some(sort) },
            skip: skip.and_then(|b| b.as_i64()),
            limit: limit.and_then(|b| b.as_i64()),
        };
        Ok(Some((vec![cmd], Output::Rows { columns: out_cols })))
    }
}
