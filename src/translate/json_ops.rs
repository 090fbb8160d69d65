//! JSON access and tests beyond plain key paths, with PostgreSQL's jsonb rules:
//!
//! - `->` / `->>` with an integer (also negative: from the end) into an array, on any value (a computed one
//!   too: `jsonb_array_elements(x)->>'sku'`), and `#>` / `#>>` with a path array (`'{items,0,price}'`,
//!   `ARRAY['a', 'b']`), each step typed as PostgreSQL's: a key of an object, an index of an array (a `#>` path
//!   element that is an integer), NULL otherwise (a key into an array, an index into an object, past the end).
//!   A path of text keys from a column stays a plain field path, as before (index-usable in WHERE).
//! - `jsonb_build_array(...)`, `jsonb_set(target, path, value [, create_missing])`, `jsonb_exists(j, k)` /
//!   `jsonb_exists_any(j, keys)` / `jsonb_exists_all(j, keys)` (the functions behind PostgreSQL's `?` / `?|` /
//!   `?&`: sqlmongo reads `?` as a parameter placeholder, so the operators themselves do not parse), and
//!   `@>` / `<@` with a jsonb object constant (PostgreSQL's recursive containment, unrolled over the constant).

use super::expr::{invalid, unsupported, Agg, Kind};
use super::{Error, Translator};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::nulls::{and, or, Pred};
use crate::translate::Refusal;
use bson::{doc, Bson};
use sqlparser::ast::{DataType, Expr, UnaryOperator, Value};

/// One step of a JSON path.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// `-> 'k'`: a key of an object.
    Key(String),
    /// `-> n`: an index of an array (negative: from the end).
    Index(i64),
    /// A `#>` path element: an index of an array when it is an integer, else / and a key of an object.
    Either(String),
}

/// The integer of a `->` right side (`0`, `-1`), if it is one.
pub(crate) fn index_literal(e: &Expr) -> Option<i64> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => index_literal(expr).and_then(i64::checked_neg),
        Expr::Nested(x) => index_literal(x),
        _ => None,
    }
}

/// The elements of a `#>` path: a text array literal `'{a,b,0}'` or `ARRAY['a', 'b']`.
pub(crate) fn path_elements(e: &Expr) -> Result<Vec<String>, Error> {
    let refuse = || {
        unsupported(
            Refusal::Expression,
            "a #> path other than a constant text array ('{a,b}' or ARRAY['a', 'b'])",
            e,
        )
    };
    match e {
        Expr::Value(v) => {
            let Value::SingleQuotedString(s) = &v.value else {
                return Err(refuse());
            };
            let inner = s
                .trim()
                .strip_prefix('{')
                .and_then(|x| x.strip_suffix('}'))
                .ok_or_else(|| invalid(format!("malformed array literal: \"{s}\""), e))?;
            if inner.trim().is_empty() {
                return Ok(Vec::new());
            }
            let mut out = Vec::new();
            for part in inner.split(',') {
                let p = part.trim();
                let p = p
                    .strip_prefix('"')
                    .and_then(|x| x.strip_suffix('"'))
                    .unwrap_or(p);
                if p.contains(['"', '\\', '{', '}']) {
                    return Err(refuse());
                }
                out.push(p.to_string());
            }
            Ok(out)
        }
        Expr::Array(a) => a
            .elem
            .iter()
            .map(|x| match x {
                Expr::Value(v) => match &v.value {
                    Value::SingleQuotedString(s) => Ok(s.clone()),
                    _ => Err(refuse()),
                },
                _ => Err(refuse()),
            })
            .collect(),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => path_elements(expr),
        _ => Err(refuse()),
    }
}

/// `v` (any expression) followed by `path`: each run of keys (`-> 'k'`, a `#>` element that is no integer)
/// read as one `$let` ([`key_chain`]), each other step on its own ([`step`]).
pub(crate) fn steps(mut v: Bson, path: &[Step]) -> Result<Bson, Error> {
    let mut i = 0;
    while i < path.len() {
        let mut keys = Vec::new();
        while let Some(k) = path.get(i).and_then(plain_key) {
            keys.push(k);
            i += 1;
        }
        if keys.is_empty() {
            v = step(v, &path[i])?;
            i += 1;
        } else {
            v = key_chain(v, &keys);
        }
    }
    Ok(v)
}

/// The key of a step that can only be a key (never an index).
fn plain_key(s: &Step) -> Option<&str> {
    match s {
        Step::Key(k) => Some(k),
        Step::Either(p) if p.parse::<i64>().is_err() => Some(p),
        _ => None,
    }
}

/// Whether `k` is read as a path segment (`$$o.k`); other keys are read by `$getField`.
fn path_key(k: &str) -> bool {
    !(k.is_empty() || k.starts_with('$') || k.contains('.') || k.contains('\0'))
}

/// `v` followed by the keys `keys` (PostgreSQL: NULL as soon as a level is no object): one `$let` binding
/// `v`, every level's type tested where it is (`$type` of `$$o.k1`, no copy) and only the last level's
/// value read, `{$cond: [{$and: [o is an object, o.k1 is an object, ...]}, "$$o.k1.k2", null]}`, instead
/// of a `$let` per key holding a copy of each level. No level before the last is an array when it is
/// read, so the dotted read is the step-by-step one (a missing last key stays missing, as a single step
/// leaves it).
fn key_chain(v: Bson, keys: &[&str]) -> Bson {
    if keys.len() == 1 || !keys.iter().all(|k| path_key(k)) {
        return keys.iter().fold(v, |v, k| key_of(v, k));
    }
    let mut tests = vec![ex::eq(ex::type_of(ex::var("o")), "object")];
    let mut path = String::from("o");
    for k in &keys[..keys.len() - 1] {
        path.push('.');
        path.push_str(k);
        tests.push(ex::eq(ex::type_of(ex::var(&path)), "object"));
    }
    path.push('.');
    path.push_str(keys[keys.len() - 1]);
    ex::let_in(
        doc! {"o": v},
        ex::cond(ex::and(tests), ex::var(&path), Bson::Null),
    )
}

/// `v` (any expression) followed by one step.
fn step(v: Bson, s: &Step) -> Result<Bson, Error> {
    Ok(match s {
        Step::Key(k) => key_of(v, k),
        Step::Index(i) => ex::let_in(
            doc! {"a": v},
            ex::cond(
                ex::is_array(ex::var("a")),
                ex::array_elem_at(ex::var("a"), Bson::Int64(*i)),
                Bson::Null,
            ),
        ),
        Step::Either(p) => match p.parse::<i64>() {
            Ok(i) => ex::let_in(
                doc! {"x": v},
                ex::cond(
                    ex::is_array(ex::var("x")),
                    ex::array_elem_at(ex::var("x"), Bson::Int64(i)),
                    key_of(ex::var("x").into(), p),
                ),
            ),
            Err(_) => key_of(v, p),
        },
    })
}

/// The value of key `k` when `v` is an object, else NULL.
fn key_of(v: Bson, k: &str) -> Bson {
    if k.is_empty() || k.starts_with('$') || k.contains('.') || k.contains('\0') {
        // Not reachable as a path; `$getField` reads any name.
        return ex::let_in(
            doc! {"o": v},
            ex::cond(
                ex::eq(ex::type_of(ex::var("o")), "object"),
                ex::get_field(k, ex::var("o")),
                Bson::Null,
            ),
        );
    }
    ex::let_in(
        doc! {"o": v},
        ex::cond(
            ex::eq(ex::type_of(ex::var("o")), "object"),
            ex::var(&format!("o.{k}")),
            Bson::Null,
        ),
    )
}

/// The keys of an object value.
fn keys_of(o: Bson) -> Bson {
    ex::map(ex::object_to_array(o), None, ex::var("this.k"))
}

/// Whether the object `o` has the key `key` (an expression; `constant` when it is a constant string):
/// for a constant key, whether `$getField` finds it (one lookup, no array of the keys built per document);
/// else whether it is among its keys.
fn has_key(key: Bson, constant: Option<&str>, o: Bson) -> Bson {
    match constant {
        Some(k) => ex::ne(ex::type_of(ex::get_field(k, o)), "missing").into(),
        None => ex::in_array(key, keys_of(o)),
    }
}

/// Whether a JSON value `v` (an expression, not NULL) contains the constant `r`, PostgreSQL's `@>`.
fn contains(v: Bson, r: &Bson, depth: usize, top: bool) -> Bson {
    let var = format!("c{depth}");
    let me = ex::var(&var);
    let body = match r {
        Bson::Document(d) => {
            let mut parts = vec![ex::eq(ex::type_of(me.clone()), "object")];
            for (k, rv) in d {
                // `me` is an object here (`$and` stops at its first false): the key's value, missing when
                // the key is absent, which no object, array or scalar test below accepts.
                let value = ex::get_field(k, me.clone());
                parts.push(match rv {
                    Bson::Document(_) | Bson::Array(_) => {
                        contains(value, rv, depth + 1, false).into()
                    }
                    // Not bound by a `$let`: a missing value must stay missing, not turn into null.
                    Bson::Null => ex::eq(ex::type_of(value), "null"),
                    scalar => ex::eq(value, ex::literal(scalar.clone())),
                });
            }
            and(parts)
        }
        Bson::Array(items) => {
            let mut parts = vec![ex::is_array(me.clone())];
            for it in items {
                let e = format!("e{depth}");
                parts.push(
                    ex::cond(
                        ex::is_array(me.clone()),
                        ex::any_element_true(ex::map(
                            me.clone(),
                            Some(&e),
                            contains(ex::var(&e).into(), it, depth + 1, false),
                        )),
                        false,
                    )
                    .into(),
                );
            }
            and(parts)
        }
        scalar => {
            let eq = ex::eq(me.clone(), ex::literal(scalar.clone()));
            if top {
                // A top-level array contains a primitive element: '["a"]' @> '"a"'.
                or(vec![
                    eq,
                    ex::cond(
                        ex::is_array(me.clone()),
                        ex::in_array(ex::literal(scalar.clone()), me),
                        false,
                    ),
                ])
            } else {
                eq
            }
        }
    };
    let mut vars = bson::Document::new();
    vars.insert(var, v);
    ex::let_in(vars, body)
}

impl Translator {
    /// `big @> small` where `small` is a jsonb document constant: the predicate (NULL when `big` is NULL).
    /// `None` when `small` is not a document constant.
    pub(crate) fn json_containment(
        &mut self,
        cx: &mut QueryContext,
        big: &Expr,
        small: &Expr,
    ) -> Result<Option<Pred>, Error> {
        // Only a jsonb object written as a constant (`'{"a": 1}'` or `'{"a": 1}'::jsonb`): anything else is
        // the array containment of predicate.rs (translated once, so parameters are numbered once).
        let mut inner = small;
        while let Expr::Nested(x) = inner {
            inner = x;
        }
        let text = match inner {
            Expr::Cast {
                expr,
                data_type: DataType::JSON | DataType::JSONB,
                ..
            } => match expr.as_ref() {
                Expr::Value(v) => match &v.value {
                    Value::SingleQuotedString(t) => Some(t),
                    _ => None,
                },
                _ => None,
            },
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(t) => Some(t),
                _ => None,
            },
            _ => None,
        };
        let Some(text) = text else {
            return Ok(None);
        };
        if !matches!(
            serde_json::from_str::<serde_json::Value>(text),
            Ok(serde_json::Value::Object(_))
        ) {
            return Ok(None);
        }
        let as_jsonb = Expr::Cast {
            kind: sqlparser::ast::CastKind::DoubleColon,
            expr: Box::new(Expr::Value(
                Value::SingleQuotedString(text.clone()).with_empty_span(),
            )),
            data_type: DataType::JSONB,
            format: None,
        };
        let Some(Bson::Document(r)) = self.agg(cx, &as_jsonb)?.constant else {
            return Ok(None);
        };
        let a = self.agg(cx, big)?;
        let holds = contains(a.expr.clone().into(), &Bson::Document(r.clone()), 0, true);
        let present = crate::translate::nulls::not_null(&a.expr);
        // The value forms test the containment once (`$cond: [present, holds, null]`), where building them
        // from the TRUE and FALSE forms would test it again for every row it does not hold in.
        Ok(Some(Pred::with_values(
            and(vec![present.clone(), holds.clone().into()]),
            and(vec![present.clone(), ex::not(holds.clone())]),
            ex::cond(present.clone(), holds.clone(), Bson::Null),
            ex::cond(present, ex::not(holds), Bson::Null),
        )))
    }

    /// The JSON functions of this file; `None` when `name` is none of them.
    pub(crate) fn json_more_function(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        args: &[&Expr],
        e: &Expr,
    ) -> Result<Option<Agg>, Error> {
        let out = match name {
            "jsonb_build_array" | "json_build_array" => {
                let mut items = Vec::new();
                for a in args {
                    // an interval is its text in JSON
                    let x = self.agg(cx, a)?;
                    items.push(ex::or_null(super::expr::datetime::shown(x)).into());
                }
                Agg::new(Bson::Array(items), Kind::Array, false)
            }
            "jsonb_exists" | "jsonb_exists_any" | "jsonb_exists_all" => {
                let [j, k] = args else {
                    return Err(invalid(format!("{name}() takes 2 arguments"), e));
                };
                let j = self.agg(cx, j)?;
                let k = self.agg(cx, k)?;
                let one = |key: Bson, constant: Option<&str>| {
                    ex::switch(
                        vec![
                            (
                                ex::eq(ex::type_of(ex::var("j")), "object").into(),
                                has_key(key.clone(), constant, ex::var("j").into()),
                            ),
                            (
                                ex::is_array(ex::var("j")),
                                ex::in_array(key.clone(), ex::var("j")),
                            ),
                            (
                                ex::eq(ex::type_of(ex::var("j")), "string").into(),
                                ex::eq(ex::var("j"), key).into(),
                            ),
                        ],
                        false,
                    )
                };
                // Constant keys are written into the tests (one `$getField` each).
                // (An `ARRAY['a', 'b']` is a plain array of its strings, not a `constant`.)
                let array = match (&k.constant, Bson::from(k.expr.clone())) {
                    (Some(c), _) => Some(c.clone()),
                    (None, a @ Bson::Array(_)) => Some(a),
                    _ => None,
                };
                let constant_keys: Option<Vec<String>> = match &array {
                    Some(Bson::String(s)) if name == "jsonb_exists" => Some(vec![s.clone()]),
                    Some(Bson::Array(items)) if name != "jsonb_exists" && !items.is_empty() => {
                        items
                            .iter()
                            .map(|i| match i {
                                // A string starting with `$` in an array expression is a field path.
                                Bson::String(s) if !s.starts_with('$') => Some(s.clone()),
                                _ => None,
                            })
                            .collect()
                    }
                    _ => None,
                };
                let test = match (name, constant_keys) {
                    ("jsonb_exists", Some(keys)) => {
                        one(ex::literal(keys[0].as_str()).into(), Some(&keys[0]))
                    }
                    ("jsonb_exists", None) => one(ex::var("k").into(), None),
                    (_, Some(keys)) => {
                        let each: Vec<Bson> = keys
                            .iter()
                            .map(|s| one(ex::literal(s.as_str()).into(), Some(s)))
                            .collect();
                        if name == "jsonb_exists_any" {
                            or(each.into_iter().map(ex::Expr::from).collect()).into()
                        } else {
                            and(each.into_iter().map(ex::Expr::from).collect()).into()
                        }
                    }
                    _ => {
                        let each = ex::map(
                            ex::if_null(ex::var("k"), Bson::Array(Vec::new())),
                            Some("q"),
                            one(ex::var("q").into(), None),
                        );
                        if name == "jsonb_exists_any" {
                            ex::any_element_true(each)
                        } else {
                            ex::all_elements_true(each)
                        }
                    }
                };
                let null = or(vec![
                    crate::translate::nulls::is_null(&ex::var("j")),
                    crate::translate::nulls::is_null(&ex::var("k")),
                ]);
                Agg::new(
                    ex::let_in(
                        doc! {"j": j.expr, "k": k.expr},
                        ex::cond(null, Bson::Null, test),
                    ),
                    Kind::Bool,
                    true,
                )
            }
            "jsonb_set" => {
                if !(3..=4).contains(&args.len()) {
                    return Err(invalid("jsonb_set() takes 3 or 4 arguments", e));
                }
                let target = self.agg(cx, args[0])?;
                let path = path_elements(args[1])?;
                // An untyped literal is jsonb there, as PostgreSQL resolves it.
                let value = match args[2] {
                    Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)) => self.agg(
                        cx,
                        &Expr::Cast {
                            kind: sqlparser::ast::CastKind::DoubleColon,
                            expr: Box::new(args[2].clone()),
                            data_type: DataType::JSONB,
                            format: None,
                        },
                    )?,
                    other => self.agg(cx, other)?,
                };
                let create =
                    match args.get(3) {
                        None => true,
                        Some(c) => match self.agg(cx, c)?.constant {
                            Some(Bson::Boolean(b)) => b,
                            _ => return Err(unsupported(
                                Refusal::Function,
                                "jsonb_set() with a create_missing other than a boolean constant",
                                c,
                            )),
                        },
                    };
                let set = set_path(ex::var("t").into(), &path, ex::var("v").into(), create, 0);
                let null = or(vec![
                    crate::translate::nulls::is_null(&ex::var("t")),
                    crate::translate::nulls::is_null(&ex::var("v")),
                ]);
                Agg::new(
                    ex::let_in(
                        doc! {"t": target.expr, "v": value.expr},
                        ex::cond(null, Bson::Null, set),
                    ),
                    Kind::Unknown,
                    true,
                )
            }
            _ => return Ok(None),
        };
        Ok(Some(out))
    }
}

/// `jsonb_set`'s replacement of the value at `path` in `v` by `new`: an object's key (added when missing and
/// `create`, only at the last step), an array's index (negative from the end; past either end `create`
/// prepends / appends at the last step); anything else leaves `v` unchanged.
fn set_path(v: Bson, path: &[String], new: Bson, create: bool, depth: usize) -> Bson {
    let Some((first, rest)) = path.split_first() else {
        return new;
    };
    let var = format!("s{depth}");
    let me = ex::var(&var);
    let last = rest.is_empty();
    // Object: the key replaced (or added at the last step when `create`).
    let child = key_of(me.clone().into(), first);
    let replaced = ex::merge_objects(vec![
        me.clone().into(),
        Bson::Document({
            let mut d = bson::Document::new();
            d.insert(
                first.as_str(),
                set_path(child, rest, new.clone(), create, depth + 1),
            );
            d
        }),
    ]);
    let has = ex::in_array(ex::literal(first.as_str()), keys_of(me.clone().into()));
    let on_object = if last && create {
        replaced
    } else {
        ex::cond(has, replaced, me.clone()).into()
    };
    let valid_key = !first.is_empty() && !first.starts_with('$') && !first.contains('.');
    let mut branches = Vec::new();
    if valid_key {
        branches.push((ex::eq(ex::type_of(me.clone()), "object").into(), on_object));
    }
    if let Ok(i) = first.parse::<i64>() {
        let n = ex::size(me.clone());
        let at = if i < 0 {
            ex::add(vec![n.clone(), Bson::Int64(i)])
        } else {
            Bson::Int64(i)
        };
        let idx = format!("i{depth}");
        let elem = ex::array_elem_at(me.clone(), ex::var(&idx));
        let mapped = ex::map(
            ex::range(0, n.clone()),
            Some("p"),
            ex::cond(
                ex::eq(ex::var("p"), ex::var(&idx)),
                set_path(elem, rest, new.clone(), create, depth + 1),
                ex::array_elem_at(me.clone(), ex::var("p")),
            ),
        );
        let in_range = and(vec![
            ex::gte(ex::var(&idx), 0),
            ex::lt(ex::var(&idx), n.clone()),
        ]);
        let outside = if last && create {
            ex::cond(
                ex::lt(ex::var(&idx), 0),
                ex::concat_arrays(vec![Bson::Array(vec![new.clone()]), me.clone().into()]),
                ex::concat_arrays(vec![me.clone().into(), Bson::Array(vec![new.clone()])]),
            )
        } else {
            me.clone()
        };
        let mut vars = bson::Document::new();
        vars.insert(idx, at);
        branches.push((
            ex::is_array(me.clone()),
            ex::let_in(vars, ex::cond(in_range, mapped, outside)),
        ));
    }
    if branches.is_empty() {
        return v;
    }
    let body = ex::switch(branches, me);
    let mut vars = bson::Document::new();
    vars.insert(var, v);
    ex::let_in(vars, body)
}

impl Translator {
    /// `j ? 'k'`, `j ?| keys`, `j ?& keys` (sql/question.rs tells the operator from the placeholder): the
    /// same tests as `jsonb_exists` / `jsonb_exists_any` / `jsonb_exists_all`; a `'{a,b}'` literal of keys is
    /// a text array.
    pub(crate) fn jsonb_exists_operator(
        &mut self,
        cx: &mut QueryContext,
        l: &Expr,
        op: &sqlparser::ast::BinaryOperator,
        r: &Expr,
        e: &Expr,
    ) -> Result<Agg, Error> {
        use sqlparser::ast::{ArrayElemTypeDef, BinaryOperator as B, CastKind};
        let name = match op {
            B::Question => "jsonb_exists",
            B::QuestionPipe => "jsonb_exists_any",
            _ => "jsonb_exists_all",
        };
        let keys = match r {
            Expr::Value(v)
                if name != "jsonb_exists" && matches!(v.value, Value::SingleQuotedString(_)) =>
            {
                Expr::Cast {
                    kind: CastKind::DoubleColon,
                    expr: Box::new(r.clone()),
                    data_type: DataType::Array(ArrayElemTypeDef::SquareBracket(
                        Box::new(DataType::Text),
                        None,
                    )),
                    format: None,
                }
            }
            _ => r.clone(),
        };
        match self.json_more_function(cx, name, &[l, &keys], e)? {
            Some(a) => Ok(a),
            None => Err(unsupported(Refusal::Operator, format!("{op}"), e)),
        }
    }
}
