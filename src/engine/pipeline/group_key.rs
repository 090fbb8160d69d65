//! A `$group` key made of field paths with null for none, `_id: {g0: {$ifNull: ["$a", null]}, g1:
//! ...}` (the translator's `GROUP BY a, b`; a dotted path `"$__j1.namespace"` is a joined table's column, read
//! as the expression reads it; a part may also be a number or null constant, as a grouping set's
//! rolled-up key and set number are once `group_sets.rs` fixed the set), grouped by the fields' values
//! themselves: one field's value
//! read by reference (no key document evaluated per input document, no copy but for a new group), several
//! as an array of them; the key document is built once per group, at the output.
//!
//! Why the groups are the same: two key documents `{g0: x, ...}` with the same names compare equal (and in
//! the same order) exactly when their values do, field by field, which is how the array of the values
//! compares; `$ifNull` makes missing, null and undefined one value, null, as [`FieldsKey::value`] does.
//!
//! In: the `_id` specification; out: the grouping value of a document or a row, and the output key.
//! Depends on `path`, `fields`.

use crate::engine::fields::FieldValues;
use bson::{Bson, Document};
use std::borrow::Cow;

/// What `$ifNull: [x, null]` gives for a missing, null or undefined `x`.
static NULL: Bson = Bson::Null;

/// `_id: {name: {$ifNull: ["$field", null]}, ...}` over field paths (and constants).
#[derive(Debug, Clone)]
pub(super) struct FieldsKey {
    /// The key document's field names, in order.
    names: Vec<String>,
    /// Per name: the index into `fields` of the top-level field it takes its value from, or its constant.
    parts: Vec<Part>,
    /// The top-level fields read, in order of first use.
    fields: Vec<String>,
}

/// Where one part of a [`FieldsKey`] comes from.
#[derive(Debug, Clone)]
enum Part {
    /// `{$ifNull: ["$field", null]}`: the field at this index of `fields`.
    Field(usize),
    /// `{$ifNull: ["$a.b", null]}`: a dotted path, read as the expression `"$a.b"` reads it (through arrays
    /// too: the array of the values found).
    Path(Vec<String>),
    /// `null` or `{$literal: number}`.
    Const(Bson),
}

/// The value of a constant key part: `null`, or `{$literal: n}` of a number.
fn constant(v: &Bson) -> Option<Bson> {
    match v {
        Bson::Null => Some(Bson::Null),
        Bson::Document(d) if d.len() == 1 => match d.get("$literal")? {
            n @ (Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Null) => Some(n.clone()),
            _ => None,
        },
        _ => None,
    }
}

impl FieldsKey {
    /// The key when `id` has that shape (field names neither empty, dotted nor `$`-prefixed, path parts
    /// neither empty nor `$`-prefixed); `None` otherwise (the expression is compiled as usual).
    pub(super) fn detect(id: &Bson) -> Option<FieldsKey> {
        let Bson::Document(spec) = id else {
            return None;
        };
        if spec.is_empty() {
            return None;
        }
        let mut names = Vec::with_capacity(spec.len());
        let mut parts = Vec::with_capacity(spec.len());
        let mut fields: Vec<String> = Vec::with_capacity(spec.len());
        for (name, v) in spec {
            if name.is_empty() || name.starts_with('$') || name.contains('.') {
                return None;
            }
            if let Some(c) = constant(v) {
                names.push(name.clone());
                parts.push(Part::Const(c));
                continue;
            }
            let Bson::Document(op) = v else { return None };
            let Some(Bson::Array(args)) = op.get("$ifNull").filter(|_| op.len() == 1) else {
                return None;
            };
            let [Bson::String(path), Bson::Null] = args.as_slice() else {
                return None;
            };
            let field = path.strip_prefix('$')?;
            if field.split('.').any(|p| p.is_empty() || p.starts_with('$')) {
                return None;
            }
            names.push(name.clone());
            if field.contains('.') {
                parts.push(Part::Path(field.split('.').map(str::to_string).collect()));
                continue;
            }
            let i = match fields.iter().position(|f| f == field) {
                Some(i) => i,
                None => {
                    fields.push(field.to_string());
                    fields.len() - 1
                }
            };
            parts.push(Part::Field(i));
        }
        Some(FieldsKey {
            names,
            parts,
            fields,
        })
    }

    /// The top-level fields read, in order.
    pub(super) fn fields(&self) -> &[String] {
        &self.fields
    }

    /// Whether every part is a top-level field or a constant (no dotted path): the key a row of
    /// top-level fields ([`of_row`](Self::of_row)) holds.
    pub(super) fn top_level(&self) -> bool {
        !self.parts.iter().any(|p| matches!(p, Part::Path(_)))
    }

    /// `$ifNull: [v, null]` of a field's value (`None`: missing).
    fn value(v: Option<&Bson>) -> &Bson {
        match v {
            None | Some(Bson::Null) | Some(Bson::Undefined) => &NULL,
            Some(v) => v,
        }
    }

    /// The grouping value of `doc`: its part's value (borrowed) for one part, the array of them for more.
    pub(super) fn of_doc<'a>(&'a self, doc: &'a Document) -> Cow<'a, Bson> {
        self.of(
            |i| crate::engine::path::field(doc, &self.fields[i]),
            |path| crate::engine::expr::path_value(doc, path),
        )
    }

    /// [`of_doc`](Self::of_doc) of a row whose slot `slots[i]` holds field `i` (a key with a dotted path,
    /// not [`top_level`](Self::top_level), is never read from a row: its paths read null).
    pub(super) fn of_row<'a>(&'a self, row: &'a FieldValues, slots: &[usize]) -> Cow<'a, Bson> {
        self.of(|i| slots.get(i).and_then(|&s| row.get(s)), |_| None)
    }

    fn of<'a>(
        &'a self,
        get: impl Fn(usize) -> Option<&'a Bson>,
        path: impl Fn(&'a [String]) -> Option<Cow<'a, Bson>>,
    ) -> Cow<'a, Bson> {
        let part = |p: &'a Part| -> Cow<'a, Bson> {
            match p {
                Part::Field(i) => Cow::Borrowed(Self::value(get(*i))),
                Part::Path(parts) => match path(parts) {
                    Some(Cow::Borrowed(v)) => Cow::Borrowed(Self::value(Some(v))),
                    Some(Cow::Owned(v)) if !matches!(v, Bson::Null | Bson::Undefined) => {
                        Cow::Owned(v)
                    }
                    _ => Cow::Borrowed(&NULL),
                },
                Part::Const(c) => Cow::Borrowed(c),
            }
        };
        if let [one] = self.parts.as_slice() {
            return part(one);
        }
        Cow::Owned(Bson::Array(
            self.parts.iter().map(|p| part(p).into_owned()).collect(),
        ))
    }

    /// The `_id` of the group whose grouping value is `v`: the key document.
    pub(super) fn output(&self, v: Bson) -> Bson {
        let mut d = Document::new();
        match v {
            Bson::Array(vs) if self.names.len() > 1 => {
                for (name, v) in self.names.iter().zip(vs) {
                    d.insert(name.clone(), v);
                }
            }
            v => {
                if let Some(name) = self.names.first() {
                    d.insert(name.clone(), v);
                }
            }
        }
        Bson::Document(d)
    }

    /// The grouping value of a key document (what [`output`](Self::output) was given): for keys computed
    /// elsewhere ([`super::group::Group::run_keyed`]).
    pub(super) fn of_output(&self, key: Bson) -> Bson {
        let Bson::Document(mut d) = key else {
            return key;
        };
        let mut vals: Vec<Bson> = self
            .names
            .iter()
            .map(|n| d.remove(n).unwrap_or(Bson::Null))
            .collect();
        if vals.len() == 1 {
            return vals.pop().unwrap_or(Bson::Null);
        }
        Bson::Array(vals)
    }
}
