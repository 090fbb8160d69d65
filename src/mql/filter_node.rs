//! The typed query-language filter ([`Filter`]): field conditions, the connectives and `$expr`, as the
//! translator builds them for WHERE (`translate/expr/filter.rs`). Its conjunction and disjunction
//! ([`Filter::all_of`], [`Filter::any_of`]) decide by matching on the nodes what [`super::filter::merge_and`] /
//! [`super::filter::merge_or`] decide by reading rendered documents, and rendering (`Document::from`) gives the
//! exact same documents.

use super::expr::{Cmp, Expr};
use bson::{Bson, Document};

/// What a field must satisfy: `{field: cond}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// A value: equality (a scalar; documents and arrays go through `Cmp(Eq, ..)`), or `true` / `false` /
    /// `null` as written.
    Value(Bson),
    /// `{$op: v}`.
    Cmp(Cmp, Bson),
    /// `{$in: values}`.
    In(Vec<Bson>),
    /// `{$nin: values}`.
    Nin(Vec<Bson>),
    /// `{$gte: lo, $lte: hi}`.
    Range(Bson, Bson),
    /// Any other operator document (`$regex`, `$elemMatch`, ...), as built by [`super::filter`].
    Ops(Document),
}

impl From<Cond> for Bson {
    fn from(c: Cond) -> Bson {
        match c {
            Cond::Value(v) => v,
            Cond::Cmp(c, v) => super::filter::cmp(c, v).into(),
            Cond::In(v) => super::filter::in_(v).into(),
            Cond::Nin(v) => super::filter::nin(v).into(),
            Cond::Range(lo, hi) => super::filter::range(lo, hi).into(),
            Cond::Ops(d) => d.into(),
        }
    }
}

/// A query-language filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `{}`: matches every document.
    All,
    /// `{field: cond}`.
    Field(String, Cond),
    /// Field conditions on distinct fields, as one document (`{a: 1, b: {$gt: 2}}`).
    Fields(Vec<(String, Cond)>),
    /// `{$and: [...]}`, as given.
    And(Vec<Filter>),
    /// `{$or: [...]}`, as given.
    Or(Vec<Filter>),
    /// `{$expr: e}`: an aggregation expression as a filter.
    Expr(Expr),
    /// `{$jsonSchema: schema}`: a collection validator's schema (`CREATE TABLE`'s declared types).
    JsonSchema(Document),
}

impl Filter {
    /// `{$expr: false}`: matches nothing.
    pub fn nothing() -> Filter {
        Filter::Expr(Expr::from(false))
    }

    /// Conjunction: one document when the parts are field conditions on distinct fields, else `$and` (nested
    /// `$and`s flattened); match-all parts are dropped. Renders as [`super::filter::merge_and`] of the rendered
    /// parts.
    pub fn all_of(parts: Vec<Filter>) -> Filter {
        let mut parts: Vec<Filter> = parts.into_iter().filter(|p| *p != Filter::All).collect();
        if parts.len() == 1 {
            return parts.pop().unwrap_or(Filter::All);
        }
        if parts.is_empty() {
            return Filter::All;
        }
        let mut fields: Vec<(String, Cond)> = Vec::new();
        let mut clash = false;
        for p in &parts {
            match p {
                Filter::Field(f, c) => fields.push((f.clone(), c.clone())),
                Filter::Fields(fs) => fields.extend(fs.iter().cloned()),
                _ => clash = true,
            }
        }
        let mut seen = std::collections::HashSet::new();
        clash |= fields
            .iter()
            .any(|(f, _)| f.starts_with('$') || !seen.insert(f.as_str()));
        if !clash {
            return Filter::Fields(fields);
        }
        let mut out = Vec::new();
        for p in parts {
            match p {
                Filter::And(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        Filter::And(out)
    }

    /// Disjunction: `$or` of the parts (nested `$or`s flattened); match-all when any part is; the part itself
    /// when there is one. Renders as [`super::filter::merge_or`] of the rendered parts.
    pub fn any_of(parts: Vec<Filter>) -> Filter {
        if parts.contains(&Filter::All) {
            return Filter::All;
        }
        let mut out = Vec::new();
        for p in parts {
            match p {
                Filter::Or(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        if out.len() == 1 {
            return out.pop().unwrap_or(Filter::All);
        }
        Filter::Or(out)
    }
}

impl From<Filter> for Document {
    /// Renders the filter document.
    fn from(f: Filter) -> Document {
        let mut d = Document::new();
        match f {
            Filter::All => {}
            Filter::Field(name, c) => {
                d.insert(name, Bson::from(c));
            }
            Filter::Fields(fields) => {
                for (name, c) in fields {
                    d.insert(name, Bson::from(c));
                }
            }
            Filter::And(parts) => d = super::filter::and(render_all(parts)),
            Filter::Or(parts) => d = super::filter::or(render_all(parts)),
            Filter::Expr(e) => d = super::filter::expr(e),
            Filter::JsonSchema(s) => d = super::filter::json_schema(s),
        }
        d
    }
}

impl Filter {
    /// The first operator of the filter (in rendering order) that a partial index (`partialFilterExpression`)
    /// does not accept, by [`super::filter::partial_index_allows`]: `$expr`, `$nin`, `$ne`, `$regex`, `$not`,
    /// ...; `$and` / `$or` are looked into. `None`: mongod accepts the filter as a partial index's.
    pub fn partial_index_refusal(&self) -> Option<String> {
        match self {
            Filter::All => None,
            Filter::Field(name, c) => field_partial_refusal(name, c),
            Filter::Fields(fields) => fields
                .iter()
                .find_map(|(name, c)| field_partial_refusal(name, c)),
            Filter::And(parts) | Filter::Or(parts) => {
                parts.iter().find_map(Filter::partial_index_refusal)
            }
            Filter::Expr(_) => Some("$expr".into()),
            Filter::JsonSchema(_) => Some("$jsonSchema".into()),
        }
    }
}

/// [`Filter::partial_index_refusal`] of one field condition.
fn field_partial_refusal(name: &str, c: &Cond) -> Option<String> {
    use super::filter::{is_operator, partial_index_allows};
    if is_operator(name) {
        return Some(name.to_string());
    }
    let refused = |op: &str, v: &Bson| (!partial_index_allows(op, v)).then(|| op.to_string());
    match c {
        Cond::Value(Bson::Document(ops)) | Cond::Ops(ops) => {
            ops.iter().find_map(|(op, v)| refused(op, v))
        }
        Cond::Value(_) => None,
        Cond::Cmp(c, v) => refused(c.name(), v),
        Cond::In(v) => refused("$in", &Bson::Array(v.clone())),
        Cond::Nin(v) => refused("$nin", &Bson::Array(v.clone())),
        Cond::Range(lo, hi) => refused("$gte", lo).or_else(|| refused("$lte", hi)),
    }
}

fn render_all(parts: Vec<Filter>) -> Vec<Bson> {
    parts
        .into_iter()
        .map(|p| Bson::Document(p.into()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::filter as old;
    use super::*;
    use bson::doc;
    use proptest::prelude::*;

    #[test]
    fn each_filter_node_renders_the_document_its_builder_made() {
        let cases: Vec<(Filter, Document)> = vec![
            (Filter::All, doc! {}),
            (
                Filter::Field("a".into(), Cond::Value(1.into())),
                doc! {"a": 1},
            ),
            (
                Filter::Field("a".into(), Cond::Cmp(Cmp::Eq, doc! {"x": 1}.into())),
                doc! {"a": {"$eq": {"x": 1}}},
            ),
            (
                Filter::Field("a".into(), Cond::Nin(vec![1.into(), Bson::Null])),
                doc! {"a": {"$nin": [1, null]}},
            ),
            (
                Filter::Field("a".into(), Cond::In(vec![1.into()])),
                doc! {"a": {"$in": [1]}},
            ),
            (
                Filter::Field("a".into(), Cond::Range(1.into(), 5.into())),
                doc! {"a": {"$gte": 1, "$lte": 5}},
            ),
            (Filter::nothing(), doc! {"$expr": false}),
            (
                Filter::Expr(super::super::expr::field("b")),
                doc! {"$expr": "$b"},
            ),
            (
                Filter::Or(vec![
                    Filter::Field("a".into(), Cond::Cmp(Cmp::Lt, 1.into())),
                    Filter::Field("a".into(), Cond::Cmp(Cmp::Gt, 2.into())),
                ]),
                doc! {"$or": [{"a": {"$lt": 1}}, {"a": {"$gt": 2}}]},
            ),
        ];
        for (typed, want) in cases {
            assert_eq!(Document::from(typed.clone()), want, "{typed:?}");
        }
    }

    fn leaf() -> impl Strategy<Value = Filter> {
        prop_oneof![
            Just(Filter::All),
            Just(Filter::nothing()),
            ("[a-c]", any::<i8>())
                .prop_map(|(f, v)| Filter::Field(f, Cond::Value(Bson::Int32(v.into())))),
            ("[a-c]", 0..6usize, any::<i8>()).prop_map(|(f, c, v)| {
                let c = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Lte, Cmp::Gt, Cmp::Gte][c];
                Filter::Field(f, Cond::Cmp(c, Bson::Int32(v.into())))
            }),
            ("[a-c]", any::<i8>()).prop_map(|(f, v)| Filter::Field(
                f,
                Cond::Nin(vec![Bson::Int32(v.into()), Bson::Null])
            )),
            ("[a-c]", any::<bool>()).prop_map(|(f, b)| Filter::Field(f, Cond::Value(b.into()))),
        ]
    }

    /// Filters built the way the translator builds them: through `all_of` / `any_of`.
    fn tree() -> impl Strategy<Value = Filter> {
        leaf().prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Filter::all_of),
                prop::collection::vec(inner.clone(), 0..4).prop_map(Filter::any_of),
            ]
        })
    }

    /// The partial-index check as it read rendered documents (translate/ddl.rs before the typed filter).
    fn partial_refusal_of_document(f: &Document) -> Option<String> {
        for (k, v) in f {
            match k.as_str() {
                k if old::is_connective(k) => {
                    for part in v.as_array().into_iter().flatten() {
                        if let Bson::Document(d) = part {
                            if let Some(op) = partial_refusal_of_document(d) {
                                return Some(op);
                            }
                        }
                    }
                }
                k if old::is_operator(k) => return Some(k.to_string()),
                _ => {
                    if let Bson::Document(ops) = v {
                        for (op, val) in ops {
                            if !old::partial_index_allows(op, val) {
                                return Some(op.clone());
                            }
                        }
                    }
                }
            }
        }
        None
    }

    fn cond() -> impl Strategy<Value = Cond> {
        prop_oneof![
            any::<i8>().prop_map(|v| Cond::Value(Bson::Int32(v.into()))),
            (0..6usize, any::<i8>()).prop_map(|(c, v)| {
                let c = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Lte, Cmp::Gt, Cmp::Gte][c];
                Cond::Cmp(c, Bson::Int32(v.into()))
            }),
            any::<i8>().prop_map(|v| Cond::In(vec![Bson::Int32(v.into())])),
            any::<i8>().prop_map(|v| Cond::Nin(vec![Bson::Int32(v.into()), Bson::Null])),
            (any::<i8>(), any::<i8>())
                .prop_map(|(a, b)| Cond::Range(Bson::Int32(a.into()), Bson::Int32(b.into()))),
            any::<bool>().prop_map(|b| Cond::Ops(old::exists(b))),
            Just(Cond::Ops(old::regex("^a", ""))),
            Just(Cond::Ops(old::string_not_matching("^a", ""))),
        ]
    }

    /// Filters of every node kind, combined through `all_of` / `any_of` as the translator combines them.
    fn any_filter() -> impl Strategy<Value = Filter> {
        let leaf = prop_oneof![
            Just(Filter::All),
            Just(Filter::nothing()),
            ("[a-c]|_id", cond()).prop_map(|(f, c)| Filter::Field(f, c)),
            Just(Filter::JsonSchema(bson::doc! {"bsonType": "object"})),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Filter::all_of),
                prop::collection::vec(inner.clone(), 0..4).prop_map(Filter::any_of),
                prop::collection::vec(inner, 2..4).prop_map(Filter::And),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_typed_partial_index_check_refuses_what_the_document_check_refused(f in any_filter()) {
            prop_assert_eq!(
                f.partial_index_refusal(),
                partial_refusal_of_document(&Document::from(f.clone()))
            );
        }

        #[test]
        fn typed_connectives_render_as_the_old_merges(parts in prop::collection::vec(tree(), 0..5)) {
            let rendered: Vec<Document> = parts.iter().cloned().map(Document::from).collect();
            prop_assert_eq!(
                Document::from(Filter::all_of(parts.clone())),
                old::merge_and(rendered.clone())
            );
            prop_assert_eq!(Document::from(Filter::any_of(parts)), old::merge_or(rendered));
        }
    }
}
