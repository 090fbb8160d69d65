//! The values an expression document can produce, reached through its `$let` bodies and the branches of its
//! `$cond`s ([`map_results`]), and whether a string is a path a longer path reads into
//! ([`extends_by_path`]): for the translator, which rewrites what an expression produces where it is
//! produced (an interval's span computed where its document is built) without spelling wire names.

use bson::{doc, Bson};

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
