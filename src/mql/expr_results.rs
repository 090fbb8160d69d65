//! The values an expression document can produce, reached through its `$let` bodies and the branches of its
//! `$cond`s ([`map_results`]), whether a string is a path a longer path reads into ([`extends_by_path`]),
//! and the variable names an expression binds or reads ([`bound_names`], [`free_names`], [`all_names`]):
//! for the translator, which rewrites what an expression produces where it is produced (an interval's span
//! computed where its document is built) without spelling wire names.

use bson::{doc, Bson};
use std::collections::HashSet;

/// `x` with each value it can produce replaced by `leaf` of it: the body of a `$let` (`{vars, in}`: its
/// variables stay in scope of the new body) and both branches of an array-form `$cond` are descended into;
/// anything else is a value `leaf` is given as it is. `leaf` must not bind a name of `x`'s `$let`s in what
/// it builds around a value it does not take apart.
pub fn map_results(x: Bson, leaf: &dyn Fn(Bson) -> Bson) -> Bson {
    let Bson::Document(mut d) = x else {
        return leaf(x);
    };
    let one_key = |k: &str| d.len() == 1 && d.contains_key(k);
    let let_shape = one_key("$let")
        && matches!(d.get("$let"), Some(Bson::Document(l))
            if l.keys().map(String::as_str).eq(["vars", "in"]));
    let cond_shape =
        one_key("$cond") && matches!(d.get("$cond"), Some(Bson::Array(a)) if a.len() == 3);
    if let_shape {
        if let Some(Bson::Document(mut l)) = d.remove("$let") {
            let body = l.remove("in").unwrap_or(Bson::Null);
            l.insert("in", map_results(body, leaf));
            return Bson::Document(doc! {"$let": l});
        }
    }
    if cond_shape {
        if let Some(Bson::Array(mut a)) = d.remove("$cond") {
            let e = a.pop().unwrap_or(Bson::Null);
            let t = a.pop().unwrap_or(Bson::Null);
            a.push(map_results(t, leaf));
            a.push(map_results(e, leaf));
            return Bson::Document(doc! {"$cond": a});
        }
    }
    leaf(Bson::Document(d))
}

/// Whether `s` is a field path (`$iv`, `$s.iv`) or a user variable (`$$v`, `$$v.x`): `s.f` then reads field
/// `f` of its value (missing where the value is missing, NULL or not a document). Not `$$NOW`, `$$ROOT` and
/// the other system variables.
pub fn extends_by_path(s: &str) -> bool {
    match s.strip_prefix("$$") {
        Some(var) => var.starts_with(|c: char| c.is_ascii_lowercase()),
        None => s.len() > 1 && s.starts_with('$'),
    }
}

/// The user variable a string reads (`$$v.x` reads `v`); `None` for a field path, a system variable
/// (`$$NOW`, `$$ROOT`) or any other string.
fn variable_of(s: &str) -> Option<&str> {
    let var = s.strip_prefix("$$")?;
    let name = var.split('.').next().unwrap_or_default();
    name.starts_with(|c: char| c.is_ascii_lowercase() || !c.is_ascii())
        .then_some(name)
}

/// How an operator binds names around its arguments: `$let` (its `vars` around `in`), `$map` / `$filter`
/// (`as`, by default `this`, around `in` / `cond`), `$reduce` (`this` and `value` around `in`). Calls
/// `visit(value, names bound around it)` for each argument value, and gives back whether `d` is such an
/// operator.
fn binder(d: &bson::Document, visit: &mut dyn FnMut(&Bson, &[String])) -> bool {
    if d.len() != 1 {
        return false;
    }
    let Some((k, Bson::Document(args))) = d.iter().next() else {
        return false;
    };
    let (names, body): (Vec<String>, &[&str]) = match k.as_str() {
        "$let" => {
            let Some(Bson::Document(vars)) = args.get("vars") else {
                return false;
            };
            for v in vars.values() {
                visit(v, &[]);
            }
            (vars.keys().cloned().collect(), &["in"])
        }
        "$map" | "$filter" => {
            let name = match args.get("as") {
                Some(Bson::String(s)) => s.clone(),
                _ => "this".to_string(),
            };
            (vec![name], &["in", "cond"])
        }
        "$reduce" => (vec!["this".into(), "value".into()], &["in"]),
        _ => return false,
    };
    for (key, v) in args {
        if key == "vars" && k == "$let" {
            continue;
        }
        if body.contains(&key.as_str()) {
            visit(v, &names);
        } else {
            visit(v, &[]);
        }
    }
    true
}

/// Walks `x` calling `on_bind` for each name an operator binds and `on_read(name, bound)` for each
/// variable read (`bound`: whether a binder inside `x` around the read binds it).
fn walk(x: &Bson, scope: &mut Vec<String>, on: &mut dyn FnMut(&str, Option<bool>)) {
    match x {
        Bson::String(s) => {
            if let Some(name) = variable_of(s) {
                on(name, Some(scope.iter().any(|n| n == name)));
            }
        }
        Bson::Array(items) => {
            for i in items {
                walk(i, scope, on);
            }
        }
        Bson::Document(d) => {
            if d.len() == 1 && d.contains_key("$literal") {
                return;
            }
            let mut inner: Vec<(Bson, Vec<String>)> = Vec::new();
            if binder(d, &mut |v, names| inner.push((v.clone(), names.to_vec()))) {
                for (v, names) in inner {
                    for n in &names {
                        on(n, None);
                    }
                    let depth = scope.len();
                    scope.extend(names);
                    walk(&v, scope, on);
                    scope.truncate(depth);
                }
                return;
            }
            for v in d.values() {
                walk(v, scope, on);
            }
        }
        _ => {}
    }
}

/// Every name a `$let`, `$map`, `$filter` or `$reduce` inside `x` binds.
pub fn bound_names(x: &Bson) -> HashSet<String> {
    let mut out = HashSet::new();
    walk(x, &mut Vec::new(), &mut |n, read| {
        if read.is_none() {
            out.insert(n.to_string());
        }
    });
    out
}

/// The user variables `x` reads that no binder inside `x` binds around the read: what `x` takes from the
/// scope it is placed in.
pub fn free_names(x: &Bson) -> HashSet<String> {
    let mut out = HashSet::new();
    walk(x, &mut Vec::new(), &mut |n, read| {
        if read == Some(false) {
            out.insert(n.to_string());
        }
    });
    out
}

/// Every user variable name `x` binds or reads.
pub fn all_names(x: &Bson) -> HashSet<String> {
    let mut out = HashSet::new();
    walk(x, &mut Vec::new(), &mut |n, _| {
        out.insert(n.to_string());
    });
    out
}
