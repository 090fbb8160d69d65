//! Projections: the `find` projection and the `$project` stage (inclusion, exclusion, computed fields,
//! nested paths through arrays of documents), plus `find`'s `$slice` and `$elemMatch`.
//!
//! In: a projection document; out: the projected documents. mongod's rules: `_id` is kept unless excluded,
//! inclusion and exclusion cannot be mixed (except `_id`), included fields keep the document's order and
//! computed fields follow in the projection's order. Depends on `bson`, `expr`, `matcher`.

use super::doc_template::Template;
use super::expr::{Expr, Vars};
use super::matcher::Matcher;
use super::CommandError;
use bson::{Bson, Document};
use std::sync::OnceLock;

#[path = "projection_rename.rs"]
mod rename;
#[path = "projection_view.rs"]
mod view;
use rename::{rename_plan, rename_sources};
pub use view::{FieldRow, JoinedRow, RowRead};

/// The most rename-projection templates kept (one per `tail`; a projection of more fields builds the
/// documents of larger tails key by key).
const MAX_TEMPLATES: usize = 64;

#[derive(Debug, Clone)]
enum Node {
    Include,
    Exclude,
    Computed(Expr),
    Sub(Vec<(String, Node)>),
    Slice(i64, Option<i64>),
    ElemMatch(Matcher),
}

/// A compiled projection.
#[derive(Debug, Clone)]
pub struct Projection {
    inclusion: bool,
    tree: Vec<(String, Node)>,
    include_id: bool,
    /// For a projection made only of top-level computed fields (`{_id: 0, c0: "$a", c1: {$toLower: "$b"}}`,
    /// the SQL translator's select list): each output field and where it comes from, so that
    /// [`apply_owned`](Projection::apply_owned) moves the renamed values instead of copying them.
    renames: Option<Vec<(String, Source)>>,
    /// For a rename projection, per number of last fields given apart (`tail`), the output document of the
    /// other fields as a [`Template`], made at its first use.
    templates: Vec<OnceLock<std::sync::Arc<Template>>>,
    /// For a rename projection, each input field it reads (once) and the outputs that take it, in order.
    sources: Vec<(String, Vec<usize>)>,
    /// Whether this is an inclusion of top-level fields only (`{_id: 0, a: 1, b: true}`, the SQL
    /// translator's `find` select lists): its result is the document's fields that it names, in the
    /// document's order (`_id` first when kept), which [`keep_top_level`](Projection::keep_top_level)
    /// and [`read_top_level`](Projection::read_top_level) give without copying a value.
    top_level: bool,
    /// For a rename projection made only of reads (paths, NULL tests of paths, constants): each output's
    /// read, for a joined row that is not made ([`view::JoinedRow`]).
    reads: Option<Vec<view::Read>>,
}

/// Where a field of a rename projection comes from.
#[derive(Debug, Clone)]
enum Source {
    /// A top-level input field (its value moved to the last output reading it, copied to the others).
    Field(String),
    /// A constant.
    Const(Bson),
    /// Any other expression (evaluated on the input document before any value is moved out of it).
    Expr(Expr),
    /// The translator's NULL test of a field path (`Expr::null_flag`): `.1` when the path's value is null
    /// or missing, else `.2`; the path read where it lies, not through the general `$cond`.
    NullFlag(Vec<String>, Bson, Bson),
    /// The same field path as the earlier output at this position (an `ORDER BY` key that is a selected
    /// joined column, `{c1: "$j.x", __s0: "$j.x"}`): its value copied, the path read once.
    Same(usize),
}

/// Where the projection comes from (`find` allows `$slice` / `$elemMatch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The `find` command's `projection`.
    Find,
    /// The `$project` stage.
    Stage,
}

fn is_truthy_flag(v: &Bson) -> Option<bool> {
    match v {
        Bson::Boolean(b) => Some(*b),
        Bson::Int32(i) => Some(*i != 0),
        Bson::Int64(i) => Some(*i != 0),
        Bson::Double(d) => Some(*d != 0.0),
        Bson::Decimal128(_) => Some(true),
        _ => None,
    }
}

fn insert_path(
    tree: &mut Vec<(String, Node)>,
    parts: &[&str],
    node: Node,
) -> Result<(), CommandError> {
    let Some((first, rest)) = parts.split_first() else {
        return Ok(());
    };
    let pos = tree.iter().position(|(k, _)| k == first);
    if rest.is_empty() {
        if pos.is_some() {
            return Err(CommandError::location(
                31250,
                format!("Path collision at {first}"),
            ));
        }
        tree.push((first.to_string(), node));
        return Ok(());
    }
    let idx = match pos {
        Some(i) => i,
        None => {
            tree.push((first.to_string(), Node::Sub(Vec::new())));
            tree.len() - 1
        }
    };
    match &mut tree[idx].1 {
        Node::Sub(sub) => insert_path(sub, rest, node),
        _ => Err(CommandError::location(
            31250,
            format!("Path collision at {}", parts.join(".")),
        )),
    }
}

impl Projection {
    /// Compiles a projection document.
    pub fn compile(spec: &Document, ctx: Context) -> Result<Projection, CommandError> {
        if spec.is_empty() && ctx == Context::Stage {
            return Err(CommandError::location(
                51272,
                "projection specification must have at least one field",
            ));
        }
        let mut tree = Vec::new();
        let mut include_id = true;
        let mut saw_incl = false;
        let mut saw_excl = false;
        Self::walk(
            spec,
            "",
            ctx,
            &mut tree,
            &mut include_id,
            &mut saw_incl,
            &mut saw_excl,
        )?;
        if saw_incl && saw_excl {
            return Err(CommandError::location(
                31254,
                "Cannot do exclusion on field in inclusion projection",
            ));
        }
        let id_included = tree
            .iter()
            .any(|(k, n)| k == "_id" && matches!(n, Node::Include));
        let inclusion = saw_incl || (!saw_excl && id_included);
        let renames = if inclusion {
            rename_plan(&tree, include_id)
        } else {
            None
        };
        let top_level = inclusion && tree.iter().all(|(_, n)| matches!(n, Node::Include));
        let templates = renames
            .as_ref()
            .map_or(0, |p| p.len() + 1)
            .min(MAX_TEMPLATES);
        let sources = renames.as_deref().map(rename_sources).unwrap_or_default();
        let reads = renames.as_deref().and_then(view::reads);
        Ok(Projection {
            inclusion,
            tree,
            include_id,
            renames,
            templates: (0..templates).map(|_| OnceLock::new()).collect(),
            sources,
            top_level,
            reads,
        })
    }

    /// Whether the projection includes top-level fields only (no computed field, path, `$slice` or
    /// `$elemMatch`): then [`keep_top_level`](Self::keep_top_level) and
    /// [`read_top_level`](Self::read_top_level) give what [`apply`](Self::apply) gives.
    pub fn is_top_level_inclusion(&self) -> bool {
        self.top_level
    }

    /// The fields a [top-level inclusion](Self::is_top_level_inclusion) keeps (`_id` first when kept).
    pub fn kept_fields(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.tree.len() + 1);
        if self.include_id {
            out.push("_id".to_string());
        }
        out.extend(
            self.tree
                .iter()
                .filter(|(k, _)| k != "_id")
                .map(|(k, _)| k.clone()),
        );
        out
    }

    /// Whether a [top-level inclusion](Self::is_top_level_inclusion) keeps field `k` after `_id`.
    fn keeps_after_id(&self, k: &str) -> bool {
        k != "_id" && self.tree.iter().any(|(n, _)| n == k)
    }

    /// [`apply`](Self::apply) of a [top-level inclusion](Self::is_top_level_inclusion) to a document the
    /// caller gives up: its kept values are moved, none copied; a document that holds only kept fields
    /// (`_id` first, if at all), such as a scan that parsed only those gives, is the result as it is.
    pub fn keep_top_level(&self, doc: Document) -> Document {
        let mut keys = doc.keys();
        let already = match keys.next() {
            None => true,
            Some(first) => {
                ((self.include_id && first == "_id") || self.keeps_after_id(first))
                    && keys.all(|k| self.keeps_after_id(k))
            }
        };
        if already {
            return doc;
        }
        let mut fields: Vec<(String, Bson)> = doc.into_iter().collect();
        let mut out = Document::new();
        if self.include_id {
            if let Some((_, id)) = fields.iter_mut().find(|(k, _)| k == "_id") {
                out.insert("_id", std::mem::replace(id, Bson::Null));
            }
        }
        for (k, v) in fields {
            if self.keeps_after_id(&k) {
                out.insert(k, v);
            }
        }
        out
    }

    /// [`apply`](Self::apply) of a [top-level inclusion](Self::is_top_level_inclusion) to a stored
    /// document: only the kept fields are decoded from its bytes. Bytes the `bson` crate refuses read as
    /// the empty document, as `storage::collection::parse` reads them.
    pub fn read_top_level(&self, raw: &bson::RawDocument) -> Document {
        let mut out = Document::new();
        for elem in raw.iter_elements() {
            let Ok(elem) = elem else {
                return Document::new();
            };
            let key = elem.key().as_str();
            if (self.include_id && key == "_id") || self.keeps_after_id(key) {
                match super::bson_decode::try_element(elem) {
                    Ok(v) => {
                        out.insert(key, v);
                    }
                    Err(_) => return Document::new(),
                }
            }
        }
        self.keep_top_level(out)
    }

    /// [`apply`](Self::apply) to a document the caller gives up: a rename projection moves the values it
    /// keeps (each read once) out of it rather than copying them. Same result as `apply`.
    pub fn apply_owned(&self, doc: Document, vars: &Vars) -> Result<Document, CommandError> {
        if self.top_level {
            return Ok(self.keep_top_level(doc));
        }
        let Some(plan) = self.renames.as_ref().filter(|_| doc.len() <= 32) else {
            return self.apply(&doc, vars);
        };
        Ok(self.apply_renames(plan, doc, vars, 0)?.0)
    }

    /// For a projection of top-level computed fields only (the translator's select list) whose last
    /// `names.len()` output fields are `names` (in any order, each once): for each name, its position among
    /// them. `None` for any other projection.
    pub fn tail_of(&self, names: &[&str]) -> Option<Vec<usize>> {
        let plan = self.renames.as_ref()?;
        let tail = plan.get(plan.len().checked_sub(names.len())?..)?;
        let at: Vec<usize> = names
            .iter()
            .map(|n| tail.iter().position(|(f, _)| f == n))
            .collect::<Option<_>>()?;
        let mut seen = at.clone();
        seen.sort_unstable();
        seen.dedup();
        (seen.len() == names.len()).then_some(at)
    }

    /// [`apply_owned`](Self::apply_owned) of a projection [`tail_of`](Self::tail_of) accepted, with the
    /// values of its last `tail` fields returned beside the document instead of in it (`None`: the field
    /// would be missing): the document is the projected one with those fields removed.
    #[cfg(test)]
    pub(crate) fn apply_owned_split(
        &self,
        doc: Document,
        vars: &Vars,
        tail: usize,
    ) -> Result<(Document, Vec<Option<Bson>>), CommandError> {
        let plan = self.renames.as_ref().filter(|p| p.len() >= tail);
        match plan {
            Some(plan) if doc.len() <= 32 => self.apply_renames(plan, doc, vars, tail),
            _ => self.apply_then_split(&doc, vars, plan.map(Vec::as_slice), tail),
        }
    }

    /// [`apply_owned`](Self::apply_owned) of a projection [`tail_of`](Self::tail_of) accepted, with the
    /// values of its last `tail` fields returned beside the output instead of in it (`None`: the field
    /// would be missing), the output held as its values under the output's template when a rename
    /// projection gives every kept field a value (`Held::Row`); else the document.
    pub(crate) fn apply_owned_held(
        &self,
        doc: Document,
        vars: &Vars,
        tail: usize,
    ) -> Result<(crate::engine::held::Held, Vec<Option<Bson>>), CommandError> {
        let plan = self.renames.as_ref().filter(|p| p.len() >= tail);
        match plan {
            Some(plan) if doc.len() <= 32 => {
                let values = self.owned_values(plan, doc, vars)?;
                Ok(self.rename_held(plan, values, tail))
            }
            _ => {
                let (d, apart) =
                    self.apply_then_split(&doc, vars, plan.map(Vec::as_slice), tail)?;
                Ok((crate::engine::held::Held::Doc(d), apart))
            }
        }
    }

    /// [`apply_taking_split`](Self::apply_taking_split) with the output held as
    /// [`apply_owned_held`](Self::apply_owned_held) holds it.
    pub(crate) fn apply_taking_held(
        &self,
        doc: &mut Document,
        vars: &Vars,
        tail: usize,
    ) -> Result<(crate::engine::held::Held, Vec<Option<Bson>>), CommandError> {
        match self.renames.as_ref().filter(|p| p.len() >= tail) {
            Some(plan) => {
                let values = self.taken_values(plan, doc, vars)?;
                Ok(self.rename_held(plan, values, tail))
            }
            None => {
                let (d, apart) = self.apply_then_split(doc, vars, None, tail)?;
                Ok((crate::engine::held::Held::Doc(d), apart))
            }
        }
    }

    /// [`apply`](Self::apply) to a borrowed document: a rename projection copies only the values it keeps
    /// (each read once), as [`apply_owned`](Self::apply_owned) moves them. Same result as `apply`.
    pub fn apply_ref(&self, doc: &Document, vars: &Vars) -> Result<Document, CommandError> {
        Ok(self.apply_ref_split(doc, vars, 0)?.0)
    }

    /// [`apply_owned_held`](Self::apply_owned_held) of a borrowed document, as a document (the kept values
    /// copied).
    pub fn apply_ref_split(
        &self,
        doc: &Document,
        vars: &Vars,
        tail: usize,
    ) -> Result<(Document, Vec<Option<Bson>>), CommandError> {
        let plan = self.renames.as_ref().filter(|p| p.len() >= tail);
        match plan {
            Some(plan) => {
                let values = self.ref_values(plan, doc, vars)?;
                Ok(self.rename_output(plan, values, tail))
            }
            None => self.apply_then_split(doc, vars, None, tail),
        }
    }

    /// [`apply_ref_split`](Self::apply_ref_split) of a document whose values the caller gives up but whose
    /// keys it keeps (a scan's buffer, refilled row after row with the same keys): a rename projection takes
    /// the values it keeps out of it (each left null) instead of copying them. Same result.
    pub fn apply_taking_split(
        &self,
        doc: &mut Document,
        vars: &Vars,
        tail: usize,
    ) -> Result<(Document, Vec<Option<Bson>>), CommandError> {
        match self.renames.as_ref().filter(|p| p.len() >= tail) {
            Some(plan) => {
                let values = self.taken_values(plan, doc, vars)?;
                Ok(self.rename_output(plan, values, tail))
            }
            None => self.apply_then_split(doc, vars, None, tail),
        }
    }

    /// [`apply_ref_split`](Self::apply_ref_split) with the document given as its BSON bytes, written
    /// straight from the values (no document built) by a rename projection: for a consumer that holds it
    /// encoded (a sort past its memory limit).
    pub fn apply_ref_split_bytes(
        &self,
        doc: &Document,
        vars: &Vars,
        tail: usize,
    ) -> Result<(Vec<u8>, Vec<Option<Bson>>), CommandError> {
        let encoded = encoding_error;
        let Some(plan) = self.renames.as_ref().filter(|p| p.len() >= tail) else {
            let (d, apart) = self.apply_then_split(doc, vars, None, tail)?;
            return Ok((super::storage::document_bytes(&d).map_err(encoded)?, apart));
        };
        let mut values = self.ref_values(plan, doc, vars)?;
        let kept = plan.len() - tail.min(plan.len());
        let apart = values.split_off(kept);
        let bytes = super::storage::pairs_bytes(|| {
            plan.iter()
                .zip(&values)
                .filter_map(|((name, _), v)| Some((name.as_str(), v.as_ref()?)))
        })
        .map_err(encoded)?;
        Ok((bytes, apart))
    }

    /// `apply`, then the values of the last `tail` fields of `plan` (when given) taken out of the result.
    fn apply_then_split(
        &self,
        doc: &Document,
        vars: &Vars,
        plan: Option<&[(String, Source)]>,
        tail: usize,
    ) -> Result<(Document, Vec<Option<Bson>>), CommandError> {
        let mut out = self.apply(doc, vars)?;
        let names = plan.map_or(&[][..], |p| &p[p.len() - tail..]);
        let vals = names.iter().map(|(n, _)| out.remove(n)).collect();
        Ok((out, vals))
    }

    #[allow(clippy::too_many_arguments)]
    fn walk(
        spec: &Document,
        prefix: &str,
        ctx: Context,
        tree: &mut Vec<(String, Node)>,
        include_id: &mut bool,
        saw_incl: &mut bool,
        saw_excl: &mut bool,
    ) -> Result<(), CommandError> {
        for (k, v) in spec {
            if k.starts_with('$') {
                return Err(CommandError::location(31252, format!("FieldPath field names may not start with '$'. Consider using $getField or $setField: '{k}'")));
            }
            if k.is_empty() {
                return Err(CommandError::bad_value(
                    "FieldPath cannot be constructed with empty string",
                ));
            }
            let full = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            let parts: Vec<&str> = full.split('.').collect();
            if full == "_id" {
                match is_truthy_flag(v) {
                    Some(false) => {
                        *include_id = false;
                        continue;
                    }
                    Some(true) => {
                        insert_path(tree, &parts, Node::Include)?;
                        continue;
                    }
                    None => {}
                }
            }
            let node = match v {
                v if is_truthy_flag(v).is_some() => {
                    if is_truthy_flag(v) == Some(true) {
                        *saw_incl = true;
                        Node::Include
                    } else {
                        *saw_excl = true;
                        Node::Exclude
                    }
                }
                Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
                    if ctx == Context::Find && d.len() == 1 {
                        if let Some(s) = d.get("$slice") {
                            let node = match s {
                                Bson::Array(a) if a.len() == 2 => {
                                    let skip = num(&a[0])?;
                                    let lim = num(&a[1])?;
                                    if lim <= 0 {
                                        return Err(CommandError::bad_value(
                                            "$slice limit must be positive",
                                        ));
                                    }
                                    Node::Slice(skip, Some(lim))
                                }
                                other => Node::Slice(num(other)?, None),
                            };
                            insert_path(tree, &parts, node)?;
                            continue;
                        }
                        if let Some(Bson::Document(m)) = d.get("$elemMatch") {
                            *saw_incl = true;
                            insert_path(tree, &parts, Node::ElemMatch(Matcher::compile(m)?))?;
                            continue;
                        }
                    }
                    *saw_incl = true;
                    Node::Computed(Expr::compile(v)?)
                }
                Bson::Document(d) => {
                    if d.is_empty() {
                        return Err(CommandError::location(51270, "An empty sub-projection is not a valid value. Found empty object at path"));
                    }
                    Self::walk(d, &full, ctx, tree, include_id, saw_incl, saw_excl)?;
                    continue;
                }
                other => {
                    *saw_incl = true;
                    Node::Computed(Expr::compile(other)?)
                }
            };
            insert_path(tree, &parts, node)?;
        }
        Ok(())
    }

    /// Projects one document.
    pub fn apply(&self, doc: &Document, vars: &Vars) -> Result<Document, CommandError> {
        if self.inclusion {
            let mut out = Document::new();
            if self.include_id {
                if let Some(id) = doc.get("_id") {
                    out.insert("_id", id.clone());
                }
            }
            include(doc, &self.tree, &mut out)?;
            computed(doc, doc, &self.tree, &mut out, vars)?;
            Ok(out)
        } else {
            let mut out = doc.clone();
            if !self.include_id {
                out.remove("_id");
            }
            exclude(&mut out, &self.tree);
            Ok(out)
        }
    }
}

/// The error of a projected document that cannot be encoded.
fn encoding_error(e: bson::error::Error) -> CommandError {
    CommandError::new(
        super::error_codes::ErrorCode::InternalError,
        format!("cannot encode a projected document: {e}"),
    )
}

fn num(v: &Bson) -> Result<i64, CommandError> {
    super::numeric::Num::from_bson(v)
        .and_then(|n| n.to_i64_exact())
        .ok_or_else(|| CommandError::bad_value("$slice takes a number or an array of two numbers"))
}

fn include(
    doc: &Document,
    tree: &[(String, Node)],
    out: &mut Document,
) -> Result<(), CommandError> {
    for (k, v) in doc {
        if k == "_id" && out.contains_key("_id") {
            continue;
        }
        let Some((_, node)) = tree.iter().find(|(n, _)| n == k) else {
            continue;
        };
        match node {
            Node::Include => {
                out.insert(k.clone(), v.clone());
            }
            Node::Sub(sub) => {
                if let Some(x) = include_value(v, sub)? {
                    out.insert(k.clone(), x);
                }
            }
            Node::Slice(skip, lim) => {
                out.insert(k.clone(), slice(v, *skip, *lim));
            }
            Node::ElemMatch(m) => {
                if let Bson::Array(items) = v {
                    for it in items {
                        if let Bson::Document(d) = it {
                            if m.matches(d, &Vars::new(bson::DateTime::from_millis(0)))? {
                                out.insert(k.clone(), Bson::Array(vec![it.clone()]));
                                break;
                            }
                        }
                    }
                }
            }
            Node::Exclude | Node::Computed(_) => {}
        }
    }
    Ok(())
}

fn include_value(v: &Bson, sub: &[(String, Node)]) -> Result<Option<Bson>, CommandError> {
    match v {
        Bson::Document(d) => {
            let mut o = Document::new();
            include(d, sub, &mut o)?;
            Ok(Some(Bson::Document(o)))
        }
        Bson::Array(items) => {
            let mut out = Vec::new();
            for it in items {
                if let Some(x) = include_value(it, sub)? {
                    out.push(x);
                }
            }
            Ok(Some(Bson::Array(out)))
        }
        _ => Ok(None),
    }
}

fn computed(
    root: &Document,
    _cur: &Document,
    tree: &[(String, Node)],
    out: &mut Document,
    vars: &Vars,
) -> Result<(), CommandError> {
    for (k, node) in tree {
        match node {
            Node::Computed(e) => match e.eval(root, vars)? {
                Some(v) => {
                    out.insert(k.clone(), v);
                }
                None => {
                    out.remove(k);
                }
            },
            Node::Sub(sub) if has_computed(sub) => {
                let target = out.get_mut(k);
                match target {
                    Some(Bson::Document(d)) => computed(root, root, sub, d, vars)?,
                    Some(Bson::Array(items)) => {
                        for it in items.iter_mut() {
                            if let Bson::Document(d) = it {
                                computed(root, root, sub, d, vars)?;
                            }
                        }
                    }
                    _ => {
                        let mut d = Document::new();
                        computed(root, root, sub, &mut d, vars)?;
                        out.insert(k.clone(), d);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn has_computed(tree: &[(String, Node)]) -> bool {
    tree.iter().any(|(_, n)| match n {
        Node::Computed(_) => true,
        Node::Sub(s) => has_computed(s),
        _ => false,
    })
}

fn exclude(doc: &mut Document, tree: &[(String, Node)]) {
    for (k, node) in tree {
        match node {
            Node::Exclude => {
                doc.remove(k);
            }
            Node::Sub(sub) => {
                if let Some(v) = doc.get_mut(k) {
                    exclude_value(v, sub);
                }
            }
            Node::Slice(skip, lim) => {
                if let Some(v) = doc.get_mut(k) {
                    *v = slice(v, *skip, *lim);
                }
            }
            _ => {}
        }
    }
}

fn exclude_value(v: &mut Bson, sub: &[(String, Node)]) {
    match v {
        Bson::Document(d) => exclude(d, sub),
        Bson::Array(items) => {
            for it in items.iter_mut() {
                exclude_value(it, sub);
            }
        }
        _ => {}
    }
}

fn slice(v: &Bson, skip: i64, lim: Option<i64>) -> Bson {
    let Bson::Array(items) = v else {
        return v.clone();
    };
    let n = items.len() as i64;
    let (start, count) = match lim {
        None if skip >= 0 => (0, skip.min(n)),
        None => ((n + skip).max(0), n.min(-skip)),
        Some(l) => {
            let s = if skip >= 0 {
                skip.min(n)
            } else {
                (n + skip).max(0)
            };
            (s, l.min(n - s))
        }
    };
    Bson::Array(
        items
            .iter()
            .skip(start as usize)
            .take(count.max(0) as usize)
            .cloned()
            .collect(),
    )
}

#[cfg(test)]
#[path = "projection_tests.rs"]
mod tests;
