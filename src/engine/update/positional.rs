//! The all-positional `$[]` and filtered positional `$[ident]` operators: one update path expanded into the
//! concrete paths (`a.0.b`, `a.2.b`) of the array elements it addresses in a given document.

use crate::engine::expr::Vars;
use crate::engine::matcher::Matcher;
use crate::engine::CommandError;
use bson::{doc, Bson, Document};

fn positional_ident(part: &str) -> Option<&str> {
    part.strip_prefix("$[").and_then(|r| r.strip_suffix(']'))
}

/// The concrete paths `parts` addresses in `doc`; a path without positional components is returned as is.
pub fn expand(
    doc: &Document,
    parts: &[String],
    filters: &[(String, Matcher)],
) -> Result<Vec<String>, CommandError> {
    if !parts.iter().any(|p| positional_ident(p).is_some()) {
        return Ok(vec![parts.join(".")]);
    }
    let Some((first, rest)) = parts.split_first() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let vars = Vars::new(bson::DateTime::from_millis(0));
    walk(
        doc.get(first),
        rest,
        first.clone(),
        filters,
        &vars,
        &mut out,
    )?;
    Ok(out)
}

fn walk(
    cur: Option<&Bson>,
    parts: &[String],
    prefix: String,
    filters: &[(String, Matcher)],
    vars: &Vars,
    out: &mut Vec<String>,
) -> Result<(), CommandError> {
    let Some((part, rest)) = parts.split_first() else {
        out.push(prefix);
        return Ok(());
    };
    if let Some(ident) = positional_ident(part) {
        let Some(Bson::Array(items)) = cur else {
            return Err(CommandError::bad_value(format!(
                "The path '{prefix}' must exist in the document in order to apply array updates."
            )));
        };
        let filter = if ident.is_empty() {
            None
        } else {
            filters.iter().find(|(id, _)| id == ident).map(|(_, m)| m)
        };
        for (i, e) in items.iter().enumerate() {
            if let Some(m) = filter {
                let wrapped = doc! { ident: e.clone() };
                if !m.matches(&wrapped, vars)? {
                    continue;
                }
            }
            walk(Some(e), rest, format!("{prefix}.{i}"), filters, vars, out)?;
        }
        return Ok(());
    }
    let next = match cur {
        Some(Bson::Document(d)) => d.get(part),
        Some(Bson::Array(a)) => part.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    };
    walk(next, rest, format!("{prefix}.{part}"), filters, vars, out)
}
