//! JSON and array constructors and accessors in expressions.
//!
//! * `JSON_BUILD_OBJECT('k', v, ...)` / `JSONB_BUILD_OBJECT` and MySQL-style `JSON_OBJECT('k', v, ...)`, also
//!   the SQL/JSON forms `JSON_OBJECT('k' VALUE v)` / `JSON_OBJECT('k': v)` -> an expression document `{k: v}`
//!   wrapped in `$mergeObjects` so that `$project` never reads it as a projection (keys must be text
//!   constants; a NULL or missing value stays as a `null` member; jsonb orders the keys by
//!   length then bytes and keeps the last of a repeated key, as PostgreSQL's jsonb does).
//! * `JSON_EXTRACT_PATH(x, 'a', 'b')` / `JSONB_EXTRACT_PATH` / `..._TEXT` -> the same as `x->'a'->'b'`
//!   (`->>` for `_text`); MySQL-style `JSON_EXTRACT(x, '$.a.b')` -> `x->'a'->'b'`.
//! * `JSON_ARRAY_LENGTH(x)` / `JSONB_ARRAY_LENGTH(x)` -> `$size` (NULL for NULL; an error for a non-array).
//! * `ARRAY[...]::T[]` and `'{a,b}'::T[]` -> each element cast to T.

use super::expr::{invalid, unsupported, Agg, Kind};
use super::{Error, Translator};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{bson, Bson, Document};
use sqlparser::ast::{
    ArrayElemTypeDef, BinaryOperator, CastKind, DataType, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArgOperator, FunctionArguments, Value, ValueWithSpan,
};

impl Translator {
    /// A JSON function of this file, or `None` when `name` is not one.
    pub(crate) fn json_function(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        f: &Function,
        e: &Expr,
    ) -> Result<Option<Agg>, Error> {
        match name {
            "json_build_object" | "jsonb_build_object" | "json_object" => {
                let pairs = object_pairs(f, e, name == "json_object")?;
                Ok(Some(self.build_object(
                    cx,
                    pairs,
                    name == "jsonb_build_object",
                    e,
                )?))
            }
            "json_extract_path"
            | "jsonb_extract_path"
            | "json_extract_path_text"
            | "jsonb_extract_path_text" => {
                let args = plain(f, e)?;
                let Some((first, keys)) = args.split_first() else {
                    return Err(invalid(format!("{}() needs arguments", f.name), e));
                };
                if keys.is_empty() {
                    return Err(invalid(format!("{}() needs a path", f.name), e));
                }
                let text = name.ends_with("_text");
                let mut cur = (*first).clone();
                for (i, k) in keys.iter().enumerate() {
                    let op = if text && i + 1 == keys.len() {
                        BinaryOperator::LongArrow
                    } else {
                        BinaryOperator::Arrow
                    };
                    cur = Expr::BinaryOp {
                        left: Box::new(cur),
                        op,
                        right: Box::new((*k).clone()),
                    };
                }
                Ok(Some(self.agg(cx, &cur)?))
            }
            "json_extract" => {
                let args = plain(f, e)?;
                let [doc, path] = args.as_slice() else {
                    return Err(invalid("json_extract() takes 2 arguments", e));
                };
                let Expr::Value(ValueWithSpan {
                    value: Value::SingleQuotedString(p),
                    ..
                }) = path
                else {
                    return Err(unsupported(
                        Refusal::Function,
                        "json_extract() path other than a text constant",
                        path,
                    ));
                };
                let Some(rest) = p.strip_prefix("$.") else {
                    return Err(unsupported(
                        Refusal::Function,
                        "json_extract() path other than '$.key.key...'",
                        path,
                    ));
                };
                let mut cur = (*doc).clone();
                for k in rest.split('.') {
                    if k.is_empty()
                        || !k
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                    {
                        return Err(unsupported(
                            Refusal::Function,
                            "json_extract() path other than '$.key.key...'",
                            path,
                        ));
                    }
                    cur = Expr::BinaryOp {
                        left: Box::new(cur),
                        op: BinaryOperator::Arrow,
                        right: Box::new(Expr::Value(ValueWithSpan {
                            value: Value::SingleQuotedString(k.to_string()),
                            span: sqlparser::tokenizer::Span::empty(),
                        })),
                    };
                }
                Ok(Some(self.agg(cx, &cur)?))
            }
            "json_array_length" | "jsonb_array_length" => {
                let args = plain(f, e)?;
                let [x] = args.as_slice() else {
                    return Err(invalid(format!("{}() takes 1 argument", f.name), e));
                };
                let a = self.agg(cx, x)?;
                Ok(Some(Agg::new(
                    ex::cond(ex::is_null(a.expr.clone()), Bson::Null, ex::size(a.expr)),
                    Kind::Int,
                    true,
                )))
            }
            _ => Ok(None),
        }
    }

    fn build_object(
        &mut self,
        cx: &mut QueryContext,
        pairs: Vec<(&Expr, &Expr)>,
        jsonb: bool,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let mut members: Vec<(String, Bson)> = Vec::new();
        for (k, v) in pairs {
            let key = match self.agg(cx, k)?.constant {
                Some(Bson::String(s)) => s,
                Some(Bson::Null) => return Err(invalid("JSON object key must not be NULL", k)),
                Some(other) if !matches!(other, Bson::Document(_) | Bson::Array(_)) => {
                    other.to_string()
                }
                _ => {
                    return Err(unsupported(
                        Refusal::Function,
                        "JSON object key other than a constant",
                        k,
                    ))
                }
            };
            if key.is_empty() || key.starts_with('$') || key.contains('.') {
                return Err(unsupported(
                    Refusal::Function,
                    format!(
                        "JSON object key \"{key}\" (empty, starting with '$' or containing '.')"
                    ),
                    k,
                ));
            }
            let a = self.agg(cx, v)?;
            // an interval is its text in JSON, as PostgreSQL's `to_json(interval)`
            let value: crate::mql::Expr = if a.kind == super::expr::Kind::Interval {
                ex::or_null(super::expr::datetime::shown(a))
            } else if a.constant.is_some() || !a.nullable {
                a.expr
            } else {
                ex::or_null(a.expr)
            };
            if let Some(pos) = members.iter().position(|(n, _)| *n == key) {
                if !jsonb {
                    return Err(unsupported(
                        Refusal::Function,
                        format!("repeated JSON object key \"{key}\""),
                        k,
                    ));
                }
                members.remove(pos);
            }
            members.push((key, value.into()));
        }
        if jsonb {
            members.sort_by(|(a, _), (b, _)| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        }
        if members.is_empty() {
            return Ok(Agg::new(ex::literal(bson!({})), Kind::Document, false));
        }
        let _ = e;
        let mut d = Document::new();
        for (k, v) in members {
            d.insert(k, v);
        }
        // Inside `$mergeObjects` the document is an expression object, never read as a projection spec.
        Ok(Agg::new(
            ex::merge_objects(vec![Bson::Document(d)]),
            Kind::Document,
            false,
        ))
    }

    /// `ARRAY[...]::T[]`: each element cast to T. Other array casts are refused.
    pub(crate) fn array_cast(
        &mut self,
        cx: &mut QueryContext,
        inner: &Expr,
        def: &ArrayElemTypeDef,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let elem_ty: &DataType = match def {
            ArrayElemTypeDef::SquareBracket(t, _)
            | ArrayElemTypeDef::AngleBracket(t)
            | ArrayElemTypeDef::Parenthesis(t) => t,
            _ => return Err(unsupported(Refusal::Function, "cast to this array type", e)),
        };
        let mut cur = inner;
        while let Expr::Nested(x) = cur {
            cur = x;
        }
        if let Expr::Value(v) = cur {
            if matches!(v.value, sqlparser::ast::Value::Null) {
                // `NULL::T[]`: a typed NULL.
                return Ok(Agg::new(Bson::Null, Kind::Array, true));
            }
        }
        if let Expr::Value(ValueWithSpan {
            value: Value::SingleQuotedString(text),
            ..
        }) = cur
        {
            // `'{1,2,NULL}'::int[]`: PostgreSQL's array input, each element read as T.
            return self.array_literal_as(text, elem_ty, e);
        }
        let Expr::Array(arr) = cur else {
            return Err(unsupported(
                Refusal::Function,
                "cast of a non-literal array (only ARRAY[...]::T[] and '{...}'::T[] are translated)",
                e,
            ));
        };
        let mut items = Vec::new();
        for x in &arr.elem {
            let cast = Expr::Cast {
                kind: CastKind::DoubleColon,
                expr: Box::new(x.clone()),
                data_type: elem_ty.clone(),
                format: None,
            };
            let a = self.agg(cx, &cast)?;
            items.push(a.expr.into());
        }
        Ok(Agg::new(Bson::Array(items), Kind::Array, false))
    }
}

/// The plain positional arguments of a call.
fn plain<'a>(f: &'a Function, e: &Expr) -> Result<Vec<&'a Expr>, Error> {
    match &f.args {
        FunctionArguments::None => Ok(Vec::new()),
        FunctionArguments::List(l) => {
            if !l.clauses.is_empty() || l.duplicate_treatment.is_some() {
                return Err(unsupported(
                    Refusal::Function,
                    format!("clauses inside {}()", f.name),
                    e,
                ));
            }
            let mut out = Vec::new();
            for a in &l.args {
                match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => out.push(x),
                    _ => {
                        return Err(unsupported(
                            Refusal::Function,
                            format!("argument {a} of {}()", f.name),
                            e,
                        ))
                    }
                }
            }
            Ok(out)
        }
        FunctionArguments::Subquery(_) => Err(unsupported(Refusal::Function, "subquery", e)),
    }
}

/// Key / value pairs of an object constructor: `('k', v, ...)`, or for JSON_OBJECT also `('k' VALUE v)` /
/// `('k': v)`.
fn object_pairs<'a>(
    f: &'a Function,
    e: &Expr,
    sql_json: bool,
) -> Result<Vec<(&'a Expr, &'a Expr)>, Error> {
    let FunctionArguments::List(l) = &f.args else {
        return Ok(Vec::new());
    };
    if !l.clauses.is_empty() || l.duplicate_treatment.is_some() {
        return Err(unsupported(
            Refusal::Function,
            format!("clauses inside {}() (NULL ON NULL, RETURNING, ...)", f.name),
            e,
        ));
    }
    let named = l
        .args
        .iter()
        .any(|a| matches!(a, FunctionArg::ExprNamed { .. } | FunctionArg::Named { .. }));
    let mut out = Vec::new();
    if named {
        if !sql_json {
            return Err(unsupported(
                Refusal::Function,
                format!("named arguments of {}()", f.name),
                e,
            ));
        }
        for a in &l.args {
            match a {
                FunctionArg::ExprNamed {
                    name,
                    arg: FunctionArgExpr::Expr(v),
                    operator: FunctionArgOperator::Value | FunctionArgOperator::Colon,
                } => out.push((name, v)),
                _ => {
                    return Err(unsupported(
                        Refusal::Function,
                        format!("argument {a} of {}()", f.name),
                        e,
                    ))
                }
            }
        }
        return Ok(out);
    }
    let args = plain(f, e)?;
    if args.len() % 2 != 0 {
        return Err(invalid(
            format!(
                "{}() needs key / value pairs (an even number of arguments)",
                f.name
            ),
            e,
        ));
    }
    for pair in args.chunks(2) {
        out.push((pair[0], pair[1]));
    }
    Ok(out)
}
