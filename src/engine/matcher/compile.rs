//! Filter documents to [`Node`] trees: top-level operators (`$and $or $nor $expr $jsonSchema $comment`),
//! field conditions, and the operator documents inside them, validated as mongod validates them.

use super::leaf::{CmpOp, Pred, Re};
use super::types::TypeSet;
use super::Node;
use crate::engine::expr::Expr;
use crate::engine::numeric::Num;
use crate::engine::validation::Schema;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// Compiles a whole filter document (its fields are ANDed).
pub fn compile_doc(filter: &Document) -> Result<Node, CommandError> {
    let mut children = Vec::with_capacity(filter.len());
    for (key, value) in filter {
        if let Some(op) = key.strip_prefix('$') {
            if let Some(n) = compile_top(op, value)? {
                children.push(n);
            }
        } else {
            children.push(Node::Path(split_path(key)?, compile_field(value)?));
        }
    }
    Ok(if children.len() == 1 {
        children.pop().unwrap_or(Node::And(Vec::new()))
    } else {
        Node::And(children)
    })
}

fn split_path(key: &str) -> Result<Vec<String>, CommandError> {
    let parts: Vec<String> = key.split('.').map(str::to_string).collect();
    if parts.iter().any(String::is_empty) {
        return Err(CommandError::bad_value(format!(
            "field path '{key}' contains an empty field name"
        )));
    }
    Ok(parts)
}

fn compile_top(op: &str, value: &Bson) -> Result<Option<Node>, CommandError> {
    Ok(Some(match op {
        "and" | "or" | "nor" => {
            let Bson::Array(items) = value else {
                return Err(CommandError::bad_value(format!("${op} must be an array")));
            };
            if items.is_empty() {
                return Err(CommandError::bad_value(
                    "$and/$or/$nor must be a nonempty array",
                ));
            }
            let mut children = Vec::with_capacity(items.len());
            for item in items {
                let Bson::Document(d) = item else {
                    return Err(CommandError::bad_value(
                        "$or/$and/$nor entries need to be full objects",
                    ));
                };
                children.push(compile_doc(d)?);
            }
            match op {
                "and" => Node::And(children),
                "or" => Node::Or(children),
                _ => Node::Nor(children),
            }
        }
        "comment" => return Ok(None),
        "expr" => Node::Expr(Box::new(Expr::compile(value)?)),
        "jsonSchema" => {
            let Bson::Document(d) = value else {
                return Err(CommandError::type_mismatch("$jsonSchema must be an object"));
            };
            Node::Schema(Box::new(Schema::compile(d)?))
        }
        "where" => {
            return Err(CommandError::bad_value(
                "$where is not supported: the embedded engine runs no server-side JavaScript",
            ))
        }
        "text" => {
            return Err(CommandError::bad_value(
                "$text is not supported: the embedded engine has no text indexes",
            ))
        }
        _ => {
            return Err(CommandError::bad_value(format!(
                "unknown top level operator: ${op}"
            )))
        }
    }))
}

/// Whether `d` is an operator document (`{$gt: 1}`) rather than a literal (`{x: 1}`).
fn is_operator_doc(d: &Document) -> bool {
    d.keys().next().is_some_and(|k| k.starts_with('$'))
}

/// Compiles the value of `{field: value}`: a literal (equality), a regex, or an operator document.
pub fn compile_field(value: &Bson) -> Result<Pred, CommandError> {
    match value {
        Bson::Document(d) if is_operator_doc(d) => compile_ops(d),
        Bson::RegularExpression(r) => Ok(Pred::Regex(Re::new(
            r.pattern.as_str(),
            r.options.as_str(),
        )?)),
        other => Ok(Pred::Eq(other.clone())),
    }
}

/// Compiles an operator document such as `{$gt: 1, $lt: 5}` (conjunction).
pub fn compile_ops(d: &Document) -> Result<Pred, CommandError> {
    let mut preds = Vec::with_capacity(d.len());
    let regex_src = d.get("$regex");
    let options = d.get("$options");
    if options.is_some() && regex_src.is_none() {
        return Err(CommandError::bad_value("$options needs a $regex"));
    }
    for (key, v) in d {
        let pred = match key.as_str() {
            "$options" => continue,
            "$regex" => compile_regex(v, options)?,
            _ => compile_op(key, v)?,
        };
        preds.push(pred);
    }
    Ok(if preds.len() == 1 {
        preds.pop().unwrap_or(Pred::And(Vec::new()))
    } else {
        Pred::And(preds)
    })
}

fn compile_regex(v: &Bson, options: Option<&Bson>) -> Result<Pred, CommandError> {
    let opts = match options {
        None => None,
        Some(Bson::String(s)) => Some(s.as_str()),
        Some(_) => return Err(CommandError::bad_value("$options has to be a string")),
    };
    match v {
        Bson::String(p) => Ok(Pred::Regex(Re::new(p, opts.unwrap_or(""))?)),
        Bson::RegularExpression(r) => {
            if opts.is_some_and(|o| !o.is_empty()) && !r.options.is_empty() {
                return Err(CommandError::bad_value(
                    "options set in both $regex and $options",
                ));
            }
            let o = if r.options.is_empty() {
                opts.unwrap_or("")
            } else {
                r.options.as_str()
            };
            Ok(Pred::Regex(Re::new(r.pattern.as_str(), o)?))
        }
        _ => Err(CommandError::bad_value("$regex has to be a string")),
    }
}

fn array_arg<'a>(op: &str, v: &'a Bson) -> Result<&'a [Bson], CommandError> {
    match v {
        Bson::Array(a) => Ok(a),
        _ => Err(CommandError::bad_value(format!("{op} needs an array"))),
    }
}

fn compile_in(op: &str, v: &Bson) -> Result<Pred, CommandError> {
    let mut vals = Vec::new();
    let mut res = Vec::new();
    for item in array_arg(op, v)? {
        match item {
            Bson::RegularExpression(r) => {
                res.push(Re::new(r.pattern.as_str(), r.options.as_str())?)
            }
            Bson::Document(d) if is_operator_doc(d) => {
                return Err(CommandError::bad_value(format!("cannot nest $ under {op}")))
            }
            other => vals.push(other.clone()),
        }
    }
    Ok(Pred::In(super::in_set::InSet::new(vals), res))
}

fn whole_number(op: &str, v: &Bson) -> Result<i64, CommandError> {
    let n =
        Num::from_bson(v).ok_or_else(|| CommandError::bad_value(format!("{op} needs a number")))?;
    let f = n.to_f64();
    if f.fract() != 0.0 || !f.is_finite() {
        return Err(CommandError::bad_value(format!(
            "{op} must be a whole number"
        )));
    }
    Ok(n.to_i64_exact().unwrap_or(f as i64))
}

fn compile_op(key: &str, v: &Bson) -> Result<Pred, CommandError> {
    Ok(match key {
        "$eq" => Pred::Eq(v.clone()),
        "$ne" => Pred::Not(Box::new(Pred::Eq(v.clone()))),
        "$gt" | "$gte" | "$lt" | "$lte" => {
            let op = match key {
                "$gt" => CmpOp::Gt,
                "$gte" => CmpOp::Gte,
                "$lt" => CmpOp::Lt,
                _ => CmpOp::Lte,
            };
            Pred::Cmp(op, v.clone())
        }
        "$in" => compile_in(key, v)?,
        "$nin" => Pred::Not(Box::new(compile_in(key, v)?)),
        "$exists" => {
            if super::truthy(Some(v)) {
                Pred::Exists
            } else {
                Pred::Not(Box::new(Pred::Exists))
            }
        }
        "$type" => {
            let mut ts = TypeSet::default();
            ts.add_spec(v)?;
            Pred::Type(ts)
        }
        "$mod" => compile_mod(v)?,
        "$size" => {
            let n = whole_number("$size", v)?;
            if n < 0 {
                return Err(CommandError::bad_value("$size may not be negative"));
            }
            Pred::Size(n)
        }
        "$all" => {
            let items = array_arg(key, v)?;
            if items.is_empty() {
                return Ok(Pred::Never);
            }
            let mut preds = Vec::with_capacity(items.len());
            for item in items {
                preds.push(match item {
                    Bson::RegularExpression(r) => {
                        Pred::Regex(Re::new(r.pattern.as_str(), r.options.as_str())?)
                    }
                    Bson::Document(d)
                        if d.keys().next().map(String::as_str) == Some("$elemMatch") =>
                    {
                        match d.get("$elemMatch") {
                            Some(em) => compile_elem_match(em)?,
                            None => Pred::Never,
                        }
                    }
                    Bson::Document(d) if is_operator_doc(d) => {
                        return Err(CommandError::bad_value("no $ expressions in $all"))
                    }
                    other => Pred::Eq(other.clone()),
                });
            }
            Pred::And(preds)
        }
        "$elemMatch" => compile_elem_match(v)?,
        "$not" => match v {
            Bson::RegularExpression(r) => Pred::Not(Box::new(Pred::Regex(Re::new(
                r.pattern.as_str(),
                r.options.as_str(),
            )?))),
            Bson::Document(d) => {
                if d.is_empty() {
                    return Err(CommandError::bad_value("$not cannot be empty"));
                }
                if !is_operator_doc(d) {
                    return Err(CommandError::bad_value("$not needs a regex or a document"));
                }
                Pred::Not(Box::new(compile_ops(d)?))
            }
            _ => return Err(CommandError::bad_value("$not needs a regex or a document")),
        },
        "$where" | "$text" | "$near" | "$nearSphere" | "$geoWithin" | "$geoIntersects" => {
            return Err(CommandError::bad_value(format!(
                "{key} is not supported by the embedded engine"
            )))
        }
        _ => return Err(CommandError::bad_value(format!("unknown operator: {key}"))),
    })
}

fn compile_mod(v: &Bson) -> Result<Pred, CommandError> {
    let Bson::Array(items) = v else {
        return Err(CommandError::bad_value(
            "malformed mod, needs to be an array",
        ));
    };
    if items.len() < 2 {
        return Err(CommandError::bad_value(
            "malformed mod, not enough elements",
        ));
    }
    if items.len() > 2 {
        return Err(CommandError::bad_value("malformed mod, too many elements"));
    }
    let trunc = |b: &Bson, what: &str| -> Result<i64, CommandError> {
        let n = Num::from_bson(b).ok_or_else(|| {
            CommandError::bad_value(format!("malformed mod, {what} not a number"))
        })?;
        match n {
            Num::Int(i) => Ok(i64::from(i)),
            Num::Long(i) => Ok(i),
            other => {
                let f = other.to_f64();
                if !f.is_finite() {
                    return Err(CommandError::bad_value(format!(
                        "malformed mod, {what} value is invalid :: caused by :: {f}"
                    )));
                }
                Ok(f.trunc() as i64)
            }
        }
    };
    let (d, r) = match items.as_slice() {
        [d, r] => (trunc(d, "divisor")?, trunc(r, "remainder")?),
        _ => return Err(CommandError::bad_value("malformed mod")),
    };
    if d == 0 {
        return Err(CommandError::bad_value("divisor cannot be 0"));
    }
    Ok(Pred::Mod(d, r))
}

fn compile_elem_match(v: &Bson) -> Result<Pred, CommandError> {
    let Bson::Document(d) = v else {
        return Err(CommandError::bad_value("$elemMatch needs an Object"));
    };
    let value_form = d.keys().next().is_some_and(|k| {
        k.starts_with('$')
            && !matches!(
                k.as_str(),
                "$and" | "$or" | "$nor" | "$where" | "$expr" | "$jsonSchema" | "$comment" | "$text"
            )
    });
    if value_form {
        let mut preds = Vec::with_capacity(d.len());
        match compile_ops(d)? {
            Pred::And(ps) => preds.extend(ps),
            p => preds.push(p),
        }
        Ok(Pred::ElemMatchVal(preds))
    } else {
        Ok(Pred::ElemMatchObj(Box::new(compile_doc(d)?)))
    }
}
