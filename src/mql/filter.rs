//! Query-language filters (`find`'s `filter`, `$match`, update and delete `q`): field conditions, operator
//! conditions and the connectives, each rendering to the exact document a mongod reads. The translator builds
//! filters through these functions and never spells a `"$..."` itself.
//!
//! A field condition is `{field: cond}` ([`field`]); `cond` is a value (equality) or an operator document
//! built here (`gt(5)` is `{$gt: 5}`; two operators on one field are one document: `range(lo, hi)`).

use super::expr::Cmp;
pub use super::filter_node::{Cond, Filter};
use bson::{Bson, Document};

fn op(name: &str, arg: Bson) -> Document {
    let mut d = Document::new();
    d.insert(name, arg);
    d
}

/// `{field: cond}`: `cond` a value (equality, for a scalar) or an operator document.
pub fn field(name: impl Into<String>, cond: impl Into<Bson>) -> Document {
    let mut d = Document::new();
    d.insert(name.into(), cond.into());
    d
}

/// `{$expr: e}`: an aggregation expression as a filter.
pub fn expr(e: impl Into<Bson>) -> Document {
    op("$expr", e.into())
}

/// `{$expr: false}`: a filter that matches nothing.
pub fn nothing() -> Document {
    expr(false)
}

/// `{$op: v}` for a comparison.
pub fn cmp(c: Cmp, v: impl Into<Bson>) -> Document {
    op(c.name(), v.into())
}

/// `{$eq: v}`: equality that never reads `v` as an operator document.
pub fn eq(v: impl Into<Bson>) -> Document {
    cmp(Cmp::Eq, v)
}

/// `{$ne: v}`.
pub fn ne(v: impl Into<Bson>) -> Document {
    cmp(Cmp::Ne, v)
}

/// `{$gt: v}`.
pub fn gt(v: impl Into<Bson>) -> Document {
    cmp(Cmp::Gt, v)
}

/// `{$gte: v}`.
pub fn gte(v: impl Into<Bson>) -> Document {
    cmp(Cmp::Gte, v)
}

/// `{$lt: v}`.
pub fn lt(v: impl Into<Bson>) -> Document {
    cmp(Cmp::Lt, v)
}

/// `{$lte: v}`.
pub fn lte(v: impl Into<Bson>) -> Document {
    cmp(Cmp::Lte, v)
}

/// `{$gte: lo, $lte: hi}`: an inclusive range on one field.
pub fn range(lo: impl Into<Bson>, hi: impl Into<Bson>) -> Document {
    let mut d = gte(lo);
    d.insert("$lte", hi.into());
    d
}

/// `{$in: values}` (an array, or a placeholder bound to one).
pub fn in_(values: impl Into<Bson>) -> Document {
    op("$in", values.into())
}

/// `{$nin: values}`.
pub fn nin(values: impl Into<Bson>) -> Document {
    op("$nin", values.into())
}

/// `{$exists: yes}`.
pub fn exists(yes: bool) -> Document {
    op("$exists", Bson::Boolean(yes))
}

/// `{$type: name}`.
pub fn type_is(name: impl Into<Bson>) -> Document {
    op("$type", name.into())
}

/// `{$size: n}`: an array of exactly n elements.
pub fn size(n: impl Into<Bson>) -> Document {
    op("$size", n.into())
}

/// `{$regex: re, $options: options}`.
pub fn regex(re: impl Into<Bson>, options: impl Into<Bson>) -> Document {
    let mut d = op("$regex", re.into());
    d.insert("$options", options.into());
    d
}

/// `{$type: "string", $not: {$regex: re, $options: options}}`: a string that does not match.
pub fn string_not_matching(re: impl Into<Bson>, options: impl Into<Bson>) -> Document {
    let mut d = type_is("string");
    d.insert("$not", regex(re, options));
    d
}

/// `{$elemMatch: cond}`.
pub fn elem_match(cond: Document) -> Document {
    op("$elemMatch", Bson::Document(cond))
}

/// `{$jsonSchema: schema}`.
pub fn json_schema(schema: Document) -> Document {
    op("$jsonSchema", Bson::Document(schema))
}

/// `{$and: parts}`, as given.
pub fn and(parts: Vec<Bson>) -> Document {
    op("$and", Bson::Array(parts))
}

/// `{$or: parts}`, as given.
pub fn or(parts: Vec<Bson>) -> Document {
    op("$or", Bson::Array(parts))
}

/// Whether a filter key is an operator (`$and`, `$expr`, ...) rather than a field name.
pub fn is_operator(key: &str) -> bool {
    key.starts_with('$')
}

/// Whether a filter key is a connective (`$and`, `$or`) whose operand is an array of filters.
pub fn is_connective(key: &str) -> bool {
    matches!(key, "$and" | "$or")
}

/// Whether a partial index filter (`partialFilterExpression`) accepts the field-condition operator `op` with
/// operand `val`: `$eq`, `$gt`, `$gte`, `$lt`, `$lte`, `$type`, `$in`, and `$exists` only when true. A key that
/// is not an operator (a sub-document's field) is accepted.
pub fn partial_index_allows(op: &str, val: &Bson) -> bool {
    match op {
        "$eq" | "$gt" | "$gte" | "$lt" | "$lte" | "$type" | "$in" => true,
        "$exists" => val == &Bson::Boolean(true),
        _ => !is_operator(op),
    }
}

/// The parts of `{$and: [...]}` when `d` is exactly that.
pub fn and_parts(d: &Document) -> Option<&Vec<Bson>> {
    one_key_array(d, "$and")
}

/// The `$and` array of a filter that has one, whatever its other keys.
pub fn and_operand(d: &Document) -> Option<&Vec<Bson>> {
    d.get_array("$and").ok()
}

/// The parts of `{$or: [...]}` when `d` is exactly that.
pub fn or_parts(d: &Document) -> Option<&Vec<Bson>> {
    one_key_array(d, "$or")
}

fn one_key_array<'a>(d: &'a Document, name: &str) -> Option<&'a Vec<Bson>> {
    if d.len() == 1 {
        d.get_array(name).ok()
    } else {
        None
    }
}

/// The value of `{$eq: v}` when `cond` is exactly that.
pub fn eq_value(cond: &Document) -> Option<&Bson> {
    if cond.len() == 1 {
        cond.get(Cmp::Eq.name())
    } else {
        None
    }
}

/// The `{$expr: e}` expression when `d` is exactly that.
pub fn expr_of(d: &Document) -> Option<&Bson> {
    if d.len() == 1 {
        d.get("$expr")
    } else {
        None
    }
}

/// Conjunction: one document when the keys are distinct and none is an operator, else `$and` (nested `$and`s
/// flattened); empty parts (match-all) are dropped.
pub fn merge_and(docs: Vec<Document>) -> Document {
    let docs: Vec<Document> = docs.into_iter().filter(|d| !d.is_empty()).collect();
    if docs.len() == 1 {
        return docs.into_iter().next().unwrap_or_default();
    }
    let mut merged = Document::new();
    let mut clash = false;
    for d in &docs {
        for (k, v) in d {
            if is_operator(k) || merged.contains_key(k) {
                clash = true;
            }
            merged.insert(k.clone(), v.clone());
        }
    }
    if !clash {
        return merged;
    }
    let mut parts = Vec::new();
    for d in docs {
        match and_parts(&d) {
            Some(inner) => parts.extend(inner.iter().cloned()),
            None => parts.push(Bson::Document(d)),
        }
    }
    and(parts)
}

/// Disjunction: `$or` of the parts (nested `$or`s flattened); match-all when any part is; the part itself when
/// there is one.
pub fn merge_or(docs: Vec<Document>) -> Document {
    if docs.iter().any(|d| d.is_empty()) {
        return Document::new();
    }
    let mut parts = Vec::new();
    for d in docs {
        match or_parts(&d) {
            Some(inner) => parts.extend(inner.iter().cloned()),
            None => parts.push(Bson::Document(d)),
        }
    }
    if parts.len() == 1 {
        if let Some(Bson::Document(d)) = parts.pop() {
            return d;
        }
    }
    or(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn filters_render_as_mongod_reads_them() {
        assert_eq!(field("a", range(1, 5)), doc! {"a": {"$gte": 1, "$lte": 5}});
        assert_eq!(
            field("s", string_not_matching("^x", "s")),
            doc! {"s": {"$type": "string", "$not": {"$regex": "^x", "$options": "s"}}}
        );
        assert_eq!(nothing(), doc! {"$expr": false});
        assert_eq!(
            merge_and(vec![field("a", 1), field("b", 2)]),
            doc! {"a": 1, "b": 2}
        );
        assert_eq!(
            merge_and(vec![field("a", 1), field("a", 2)]),
            doc! {"$and": [{"a": 1}, {"a": 2}]}
        );
        assert_eq!(
            merge_or(vec![or(vec![doc! {"a": 1}.into()]), field("b", 2)]),
            doc! {"$or": [{"a": 1}, {"b": 2}]}
        );
    }
}
