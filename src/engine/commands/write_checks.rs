//! What a document must satisfy before a write stores it: `_id` first and valid (mongod's storage rules for
//! `_id`), and the collection's validator.

use crate::engine::error_codes::ErrorCode;
use crate::engine::expr::Vars;
use crate::engine::storage::Collection;
use crate::engine::CommandError;
use bson::{doc, oid::ObjectId, Bson, Document};

/// Puts `_id` first, generating an ObjectId when absent; rejects invalid `_id` values. As mongod 5.0+,
/// `$`-prefixed and dotted field names are stored (top level and nested), except inside `_id`.
pub(super) fn prepare_insert(doc: Document) -> Result<Document, CommandError> {
    check_id(&doc)?;
    let id = match doc.get("_id") {
        Some(v) => v.clone(),
        None => Bson::ObjectId(ObjectId::new()),
    };
    if matches!(doc.keys().next(), Some(k) if k == "_id") {
        return Ok(doc);
    }
    let mut out = Document::new();
    out.insert("_id", id);
    for (k, v) in doc {
        if k != "_id" {
            out.insert(k, v);
        }
    }
    Ok(out)
}

/// Whether [`prepare_insert`] would return `doc` unchanged (its `_id` present and first), checking its
/// `_id` as it does: an insert then stores the document it was given without a copy of its own.
pub(super) fn insertable_as_is(doc: &Document) -> Result<bool, CommandError> {
    if !matches!(doc.keys().next(), Some(k) if k == "_id") {
        return Ok(false);
    }
    check_id(doc)?;
    Ok(true)
}

/// The rules for `_id` values (when present): none inside an `_id` document starts with `$`, and it is
/// not an array, a regex or undefined.
fn check_id(doc: &Document) -> Result<(), CommandError> {
    match doc.get("_id") {
        Some(Bson::Document(id)) => check_id_fields(id),
        Some(Bson::Array(_)) => Err(CommandError::bad_value("can't use an array for _id")),
        Some(Bson::RegularExpression(_)) => {
            Err(CommandError::bad_value("can't use a regex for _id"))
        }
        Some(Bson::Undefined) => Err(CommandError::bad_value("can't use a undefined for _id")),
        _ => Ok(()),
    }
}

/// mongod's storage rule for `_id`: no `$`-prefixed field name at any depth of an `_id` document (52
/// `DollarPrefixedFieldName`).
fn check_id_fields(id: &Document) -> Result<(), CommandError> {
    for (k, v) in id {
        if k.starts_with('$') {
            return Err(CommandError::new(
                ErrorCode::DollarPrefixedFieldName,
                format!(
                    "_id fields may not contain '$'-prefixed fields: {k} is not valid for storage."
                ),
            ));
        }
        if let Bson::Document(d) = v {
            check_id_fields(d)?;
        }
    }
    Ok(())
}

/// The collection's validator verdict on `doc` (121 DocumentValidationFailure), honouring
/// `validationLevel: off` and `validationAction: warn`.
pub(super) fn validate(
    coll: &Collection,
    doc: &Document,
    old: Option<&Document>,
    vars: &Vars,
) -> Result<(), CommandError> {
    let options = coll.options();
    let Some(Bson::Document(v)) = options.get("validator") else {
        return Ok(());
    };
    // Read in place: `get_str` builds an error (and a copy of the key) for the usual missing option.
    let level = match options.get("validationLevel") {
        Some(Bson::String(s)) => Some(s.as_str()),
        _ => None,
    };
    if v.is_empty() || level == Some("off") {
        return Ok(());
    }
    let Some(m) = coll.validator()? else {
        return Ok(());
    };
    if level == Some("moderate") {
        if let Some(old) = old {
            if !m.matches(old, vars)? {
                return Ok(());
            }
        }
    }
    if m.matches(doc, vars)? {
        return Ok(());
    }
    if options.get_str("validationAction").ok() == Some("warn") {
        tracing::warn!(
            "document failed validation in {} (validationAction: warn)",
            coll.ns
        );
        return Ok(());
    }
    let id = doc.get("_id").cloned().unwrap_or(Bson::Null);
    Err(CommandError::new(
        ErrorCode::DocumentValidationFailure,
        "Document failed validation",
    )
    .with_extra(doc! {"errInfo": {"failingDocumentId": id, "details": super::validation_details::details(v, doc, vars)}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An insert stores the command's own document exactly when `prepare_insert` would return it
    /// unchanged, and refuses the same `_id` values with the same errors.
    #[test]
    fn a_document_is_insertable_as_is_exactly_when_prepare_insert_keeps_it() {
        let re = bson::Regex {
            pattern: "x".try_into().expect("pattern"),
            options: "".try_into().expect("options"),
        };
        for d in [
            doc! {"_id": "s1", "a": 1},
            doc! {"_id": {"k": 1}, "a": 1},
            doc! {"a": 1, "_id": 2},
            doc! {"a": 1},
            doc! {"_id": [1], "a": 1},
            doc! {"_id": re, "a": 1},
            doc! {"_id": Bson::Undefined},
            doc! {"_id": {"$k": 1}},
        ] {
            match (insertable_as_is(&d), prepare_insert(d.clone())) {
                (Ok(true), Ok(p)) => assert_eq!(p, d),
                (Ok(false), Ok(p)) => assert_eq!(p.keys().next().map(String::as_str), Some("_id")),
                (Err(a), Err(b)) => assert_eq!((a.code, a.errmsg), (b.code, b.errmsg), "{d}"),
                (a, b) => panic!("{d}: {a:?} / {b:?}"),
            }
        }
    }
}
