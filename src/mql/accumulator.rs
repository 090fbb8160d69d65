//! Accumulators (`$group` fields and `$setWindowFields` outputs) and window-only operators, rendering to the
//! exact documents a mongod reads: `{$sum: x}`, `{$push: x, window: {...}}`, `{$rank: {}}`, ... The translator
//! names an [`Accumulator`] and never spells a `"$..."` itself.

use bson::{Bson, Document};

/// A `$group` / `$setWindowFields` accumulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accumulator {
    /// `$sum`.
    Sum,
    /// `$avg`.
    Avg,
    /// `$min`.
    Min,
    /// `$max`.
    Max,
    /// `$push`.
    Push,
    /// `$addToSet`.
    AddToSet,
    /// `$first`.
    First,
    /// `$last`.
    Last,
    /// `$stdDevSamp` (null for fewer than two numbers).
    StdDevSamp,
    /// `$stdDevPop`.
    StdDevPop,
}

impl Accumulator {
    /// The wire name (`"$sum"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Accumulator::Sum => "$sum",
            Accumulator::Avg => "$avg",
            Accumulator::Min => "$min",
            Accumulator::Max => "$max",
            Accumulator::Push => "$push",
            Accumulator::AddToSet => "$addToSet",
            Accumulator::First => "$first",
            Accumulator::Last => "$last",
            Accumulator::StdDevSamp => "$stdDevSamp",
            Accumulator::StdDevPop => "$stdDevPop",
        }
    }

    /// The accumulator of a SQL aggregate of the same name (`sum`, `avg`, `min`, `max`), if any.
    pub fn of_sql(name: &str) -> Option<Accumulator> {
        Some(match name {
            "sum" => Accumulator::Sum,
            "avg" => Accumulator::Avg,
            "min" => Accumulator::Min,
            "max" => Accumulator::Max,
            _ => return None,
        })
    }

    /// `{$acc: x}`.
    pub fn of(self, x: impl Into<Bson>) -> Document {
        one(self.name(), x.into())
    }
}

fn one(name: &str, arg: Bson) -> Document {
    let mut d = Document::new();
    d.insert(name, arg);
    d
}

/// `{$sum: x}`.
pub fn sum(x: impl Into<Bson>) -> Document {
    Accumulator::Sum.of(x)
}

/// `{$avg: x}`.
pub fn avg(x: impl Into<Bson>) -> Document {
    Accumulator::Avg.of(x)
}

/// `{$min: x}`.
pub fn min(x: impl Into<Bson>) -> Document {
    Accumulator::Min.of(x)
}

/// `{$max: x}`.
pub fn max(x: impl Into<Bson>) -> Document {
    Accumulator::Max.of(x)
}

/// `{$push: x}`.
pub fn push(x: impl Into<Bson>) -> Document {
    Accumulator::Push.of(x)
}

/// `{$firstN: {input: x, n}}`: the first `n` values (nulls and missing values kept as null; mongod 5.2+).
pub fn first_n(x: impl Into<Bson>, n: i64) -> Document {
    let mut spec = Document::new();
    spec.insert("input", x.into());
    spec.insert("n", n);
    one("$firstN", Bson::Document(spec))
}

/// `{$addToSet: x}`.
pub fn add_to_set(x: impl Into<Bson>) -> Document {
    Accumulator::AddToSet.of(x)
}

/// `{$documentNumber: {}}` (window only): the row's 1-based position in its partition.
pub fn document_number() -> Document {
    one("$documentNumber", Bson::Document(Document::new()))
}

/// `{$rank: {}}` (window only).
pub fn rank() -> Document {
    one("$rank", Bson::Document(Document::new()))
}

/// `{$denseRank: {}}` (window only).
pub fn dense_rank() -> Document {
    one("$denseRank", Bson::Document(Document::new()))
}

/// `{$shift: spec}` (window only; `spec` holds `output`, `by` and optionally `default`).
pub fn shift(spec: Document) -> Document {
    one("$shift", Bson::Document(spec))
}

/// The window operator of a SQL ranking function: `row_number` -> `$documentNumber`, `rank` -> `$rank`, any
/// other (`dense_rank`) -> `$denseRank`.
pub fn ranking(sql_name: &str) -> Document {
    match sql_name {
        "row_number" => document_number(),
        "rank" => rank(),
        _ => dense_rank(),
    }
}

/// `acc` with a `window: bounds` field added (a `$setWindowFields` output over a frame).
pub fn windowed(mut acc: Document, bounds: Document) -> Document {
    acc.insert("window", bounds);
    acc
}

/// Whether an accumulator document reads the group key (`$_id...`), i.e. is not a plain accumulator.
pub fn reads_group_key(d: &Document) -> bool {
    d.keys().any(|k| k.starts_with("$_id"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn accumulators_render_as_mongod_reads_them() {
        assert_eq!(sum(1), doc! {"$sum": 1});
        assert_eq!(
            Accumulator::of_sql("avg").map(|a| a.of("$x")),
            Some(doc! {"$avg": "$x"})
        );
        assert_eq!(ranking("rank"), doc! {"$rank": {}});
        assert_eq!(
            windowed(push("$x"), doc! {"documents": ["unbounded", "current"]}),
            doc! {"$push": "$x", "window": {"documents": ["unbounded", "current"]}}
        );
    }
}
