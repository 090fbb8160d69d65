//! Names: SQL identifiers -> MongoDB collection names and dotted field paths, with their safety rules.
//!
//! A field name may not start with `$` (it would be read as an operator or a field path) and may not contain
//! NUL; collection names may not be empty, contain `$` or NUL, or start with `system.`.

use super::{Error, Position};
use crate::translate::Refusal;
use sqlparser::ast::{Ident, ObjectName, ObjectNamePart, TableFactor};

/// A function's name, lowercased, as `name.to_string().to_ascii_lowercase()` spells it, without formatting
/// the common case (one unquoted identifier): it runs for every function call of a statement.
pub(crate) fn function_name(name: &ObjectName) -> String {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(i)] if i.quote_style.is_none() => i.value.to_ascii_lowercase(),
        _ => name.to_string().to_ascii_lowercase(),
    }
}

/// Refuses, at `pos`, a table reference carrying any clause sqlparser accepts but the translator does not
/// give meaning to (table-function arguments, hints, `FOR SYSTEM_TIME`, `WITH ORDINALITY`, partitions, a
/// JSON path, `TABLESAMPLE`, index hints): only `name [AS alias]` is a collection. Other FROM items pass.
/// The error points at the table reference (at `fallback` when sqlparser gave it no position).
pub(crate) fn plain_table(factor: &TableFactor, fallback: Position) -> Result<(), Error> {
    let TableFactor::Table {
        args,
        with_hints,
        version,
        with_ordinality,
        partitions,
        json_path,
        sample,
        index_hints,
        ..
    } = factor
    else {
        return Ok(());
    };
    if args.is_some()
        || !with_hints.is_empty()
        || version.is_some()
        || *with_ordinality
        || !partitions.is_empty()
        || json_path.is_some()
        || sample.is_some()
        || !index_hints.is_empty()
    {
        let at = Position::from(sqlparser::ast::Spanned::span(factor).start);
        return Err(Error::Unsupported {
            kind: Refusal::Relation,
            construct: "this table clause".into(),
            position: if at.line == 0 { fallback } else { at },
        });
    }
    Ok(())
}

/// The position of an identifier.
pub(crate) fn ident_pos(i: &Ident) -> Position {
    Position::from(i.span.start)
}

/// Checks one field-path segment.
pub(crate) fn check_field_segment(name: &str, pos: Position) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::Invalid {
            message: "empty field name".into(),
            position: pos,
        });
    }
    if name.starts_with('$') {
        return Err(Error::Invalid {
            message: format!(
                "field name \"{name}\" starts with '$', which MongoDB reads as an operator"
            ),
            position: pos,
        });
    }
    if name.contains('\0') {
        return Err(Error::Invalid {
            message: "field name contains a NUL character".into(),
            position: pos,
        });
    }
    Ok(())
}

/// A dotted field path from identifier parts (`session_data.preferences.theme`).
pub(crate) fn field_path(parts: &[Ident]) -> Result<String, Error> {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        check_field_segment(&p.value, ident_pos(p))?;
        if p.value.contains('.') {
            return Err(Error::Invalid {
                message: format!(
                    "field name \"{}\" contains '.', which MongoDB reads as a path",
                    p.value
                ),
                position: ident_pos(p),
            });
        }
        if i > 0 {
            out.push('.');
        }
        out.push_str(&p.value);
    }
    Ok(out)
}

/// A collection name from a (possibly schema-qualified) object name; the last part names the collection.
pub(crate) fn collection_name(name: &ObjectName) -> Result<String, Error> {
    let Some(last) = name.0.last() else {
        return Err(Error::Internal("empty object name".into()));
    };
    let ObjectNamePart::Identifier(ident) = last else {
        return Err(Error::Unsupported {
            kind: Refusal::Relation,
            construct: format!("object name {name}"),
            position: Position::default(),
        });
    };
    if name.0.len() > 1 {
        return Err(Error::Unsupported {
            kind: Refusal::Relation,
            construct: format!("qualified collection name {name} (use the collection name alone)"),
            position: ident_pos(ident),
        });
    }
    let n = &ident.value;
    if n.is_empty() || n.contains('$') || n.contains('\0') || n.starts_with("system.") {
        return Err(Error::Invalid {
            message: format!("invalid collection name \"{n}\""),
            position: ident_pos(ident),
        });
    }
    Ok(n.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_and_nul_names_are_refused() {
        assert!(field_path(&[Ident::new("a"), Ident::new("b")]).is_ok());
        assert!(field_path(&[Ident::new("$where")]).is_err());
        assert!(field_path(&[Ident::new("a\0b")]).is_err());
        assert!(field_path(&[Ident::with_quote('"', "a.b")]).is_err());
        assert!(collection_name(&ObjectName::from(vec![Ident::new("sys$x")])).is_err());
        assert_eq!(
            collection_name(&ObjectName::from(vec![Ident::new("c")])).unwrap(),
            "c"
        );
    }
}
