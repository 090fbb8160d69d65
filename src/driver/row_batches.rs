//! A query's rows from its cursor batches, where a batch may give rows as arrays of values: the embedded
//! engine, asked with [`Backend::run_query`], hands out each result document a projection made of one shape
//! as the array of its values in the order of the cursor's `fields` (no document built per row to be taken
//! apart here); documents of another shape, and every document of a backend that answers as mongod does,
//! come as documents and are read by name ([`doc_row`]).
//!
//! Rows of documents ([`shape_rows`]) are made here too: by column field in column order, each value taken
//! out of its document.
//!
//! In: a cursor reply (or result documents), the statement's columns; out: [`Rows`]. Depends on `execute`
//! (cursor draining).

use super::execute::{drain_cursor_with, Rows};
use super::Backend;
use crate::mql::OutputColumn;
use bson::{Bson, Document};

/// Makes rows of `columns` (not empty) from a batch's items.
struct Shaper<'c> {
    columns: &'c [OutputColumn],
    intervals: Vec<bool>,
    any_interval: bool,
    /// The fields of the arrays (the cursor's `fields`), as last given.
    fields: Vec<String>,
    /// Per column, the position of its field among [`fields`](Self::fields) (`None`: not among them, NULL).
    at: Vec<Option<usize>>,
    /// The fields are exactly the columns' fields, in order: an array is the row as it is.
    in_order: bool,
}

impl<'c> Shaper<'c> {
    fn new(columns: &'c [OutputColumn]) -> Shaper<'c> {
        let intervals: Vec<bool> = columns.iter().map(|c| c.interval).collect();
        Shaper {
            columns,
            any_interval: intervals.contains(&true),
            intervals,
            fields: Vec::new(),
            at: Vec::new(),
            in_order: false,
        }
    }

    /// Takes the cursor's `fields` (when given and changed).
    fn read_fields(&mut self, cursor: &Document) {
        let Ok(given) = cursor.get_array("fields") else {
            return;
        };
        let same = given.len() == self.fields.len()
            && given
                .iter()
                .zip(&self.fields)
                .all(|(g, f)| g.as_str() == Some(f.as_str()));
        if same && !self.at.is_empty() {
            return;
        }
        self.fields = given
            .iter()
            .map(|f| f.as_str().unwrap_or_default().to_string())
            .collect();
        self.at = self
            .columns
            .iter()
            .map(|c| self.fields.iter().position(|f| *f == c.field))
            .collect();
        self.in_order = self.fields.len() == self.columns.len()
            && self.at.iter().enumerate().all(|(i, a)| *a == Some(i));
    }

    /// The row of one item (`None`: an item that is neither an array nor a document).
    fn row(&self, item: Bson) -> Option<Vec<Bson>> {
        let mut row = match item {
            Bson::Document(d) => doc_row(self.columns, d),
            Bson::Array(values) if self.in_order => values,
            Bson::Array(mut values) => self
                .at
                .iter()
                .map(|a| match a.and_then(|i| values.get_mut(i)) {
                    Some(v) => std::mem::replace(v, Bson::Null),
                    None => Bson::Null,
                })
                .collect(),
            _ => return None,
        };
        if self.any_interval {
            crate::mql::interval_text::print_intervals(&mut row, &self.intervals);
        }
        Some(row)
    }

    /// The rows of the batch under `key` of a cursor document (taken out of it).
    fn batch(&mut self, cursor: &mut Document, key: &str, out: &mut Vec<Vec<Bson>>) {
        self.read_fields(cursor);
        if let Some(Bson::Array(items)) = cursor.remove(key) {
            out.reserve(items.len());
            out.extend(items.into_iter().filter_map(|i| self.row(i)));
        }
    }
}

/// All rows of a query's cursor reply (`columns` not empty): `firstBatch`, then `getMore` until the id is
/// 0, each batch made rows as it arrives (its documents are never all held beside the rows).
pub(crate) async fn drain_rows(
    backend: &dyn Backend,
    db: &str,
    reply: Document,
    columns: &[OutputColumn],
) -> Result<Rows, crate::Error> {
    let mut shaper = Shaper::new(columns);
    let mut rows = Vec::new();
    drain_cursor_with(backend, db, reply, &mut |c, key| {
        shaper.batch(c, key, &mut rows)
    })
    .await?;
    Ok(Rows {
        columns: columns.iter().map(|c| c.name.clone()).collect(),
        rows,
        local_time: local_time_flags(columns),
    })
}

/// Rows from result documents: by column field in column order, or, for `SELECT *` (no columns), every field
/// in order of first appearance.
pub fn shape_rows(columns: &[crate::mql::OutputColumn], docs: Vec<Document>) -> Rows {
    if columns.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for d in &docs {
            for k in d.keys() {
                if !names.iter().any(|n| n == k) {
                    names.push(k.clone());
                }
            }
        }
        let rows = docs
            .into_iter()
            .map(|mut d| names.iter().map(|n| take_field(&mut d, n)).collect())
            .collect();
        return Rows {
            columns: names,
            rows,
            local_time: Vec::new(),
        };
    }
    let intervals: Vec<bool> = columns.iter().map(|c| c.interval).collect();
    let any_interval = intervals.contains(&true);
    let rows = docs
        .into_iter()
        .map(|d| {
            let mut row = doc_row(columns, d);
            if any_interval {
                crate::mql::interval_text::print_intervals(&mut row, &intervals);
            }
            row
        })
        .collect();
    Rows {
        columns: columns.iter().map(|c| c.name.clone()).collect(),
        rows,
        local_time: local_time_flags(columns),
    }
}

/// The row of `columns` (not empty) in a result document: each column's field by name.
pub(crate) fn doc_row(columns: &[crate::mql::OutputColumn], mut d: Document) -> Vec<Bson> {
    // The plan's last projection gives exactly the columns' fields, in order: their values are taken in
    // one pass (no lookup by name).
    let in_order = d.len() == columns.len() && d.keys().zip(columns).all(|(k, c)| *k == c.field);
    if in_order {
        // Extended into a new vector, not collected: a collect would reuse the document's entries' larger
        // allocation for the row (kept for the row's life).
        let mut row = Vec::with_capacity(columns.len());
        row.extend(d.into_iter().map(|(_, v)| v));
        return row;
    }
    columns
        .iter()
        .map(|c| take_field(&mut d, &c.field))
        .collect()
}

/// The value of field `name` of a result document, moved out (NULL when missing). The field is left holding
/// NULL rather than removed: removing shifts every later field (`IndexMap::shift_remove`), O(fields) per value
/// and O(fields²) per row of `SELECT *`. A second column naming the same field reads NULL, as it did when the
/// first one removed it.
fn take_field(d: &mut Document, name: &str) -> Bson {
    d.get_mut(name)
        .map_or(Bson::Null, |v| std::mem::replace(v, Bson::Null))
}

/// [`Rows::local_time`] of these columns: empty when none holds wall-clock times.
pub fn local_time_flags(columns: &[crate::mql::OutputColumn]) -> Vec<bool> {
    if columns.iter().any(|c| c.local_time) {
        columns.iter().map(|c| c.local_time).collect()
    } else {
        Vec::new()
    }
}

#[cfg(test)]
#[path = "row_batches_tests.rs"]
mod tests;
