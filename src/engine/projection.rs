//! Projections: the `find` projection and the `$project` stage (inclusion, exclusion, computed fields,
//! nested paths through arrays of documents), plus `find`'s `$slice` and `$elemMatch`.
//!
//! In: a projection document; out: the projected documents. mongod's rules: `_id` is kept unless excluded,
//! inclusion and exclusion cannot be mixed (except `_id`), included fields keep the document's order and
//! computed fields follow in the projection's order. Depends on `bson`, `expr`, `matcher`.

use super::expr::{Expr, Vars};
use super::matcher::Matcher;
use super::CommandError;
use bson::{Bson, Document};

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
        Ok(Projection {
            inclusion: saw_incl || (!saw_excl && id_included),
            tree,
            include_id,
        })
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
mod tests {
    use super::*;
    use bson::doc;

    fn p(spec: Document, d: Document) -> Document {
        Projection::compile(&spec, Context::Find)
            .unwrap()
            .apply(&d, &Vars::new(bson::DateTime::from_millis(0)))
            .unwrap()
    }

    #[test]
    fn inclusion_exclusion_nested() {
        let d = doc! {"_id": 1, "a": 1, "b": {"c": 2, "d": 3}, "arr": [{"x": 1, "y": 2}, 7], "s": [1, 2, 3, 4]};
        assert_eq!(
            p(doc! {"b.c": 1}, d.clone()),
            doc! {"_id": 1, "b": {"c": 2}}
        );
        assert_eq!(p(doc! {"a": 1, "_id": 0}, d.clone()), doc! {"a": 1});
        assert_eq!(
            p(doc! {"arr.x": 1}, d.clone()),
            doc! {"_id": 1, "arr": [{"x": 1}]}
        );
        assert_eq!(
            p(doc! {"b": 0, "arr": 0, "s": 0}, d.clone()),
            doc! {"_id": 1, "a": 1}
        );
        assert_eq!(
            p(doc! {"arr.x": 0, "a": 0, "b": 0, "s": 0}, d.clone()),
            doc! {"_id": 1, "arr": [{"y": 2}, 7]}
        );
        assert_eq!(
            p(
                doc! {"s": {"$slice": -2}, "_id": 0, "a": 0, "b": 0, "arr": 0},
                d.clone()
            ),
            doc! {"s": [3, 4]}
        );
        assert_eq!(
            p(doc! {"s": {"$slice": [1, 2]}, "a": 1}, d.clone()),
            doc! {"_id": 1, "a": 1, "s": [2, 3]}
        );
        assert!(Projection::compile(&doc! {"a": 1, "b": 0}, Context::Find).is_err());
    }
}
