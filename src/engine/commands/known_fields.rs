//! The fields each CRUD command accepts, as mongod 7.0's command definitions (IDL) list them: any other
//! field is refused with 40415 "BSON field '<command>.<field>' is an unknown field.", as mongod refuses it,
//! instead of being accepted and ignored (a misspelt `filter` or `sort` would otherwise give a wrong answer
//! that looks right). The statements inside `update` and `delete` are checked the same way, so an update
//! statement's `sort` (which 7.0 does not have) is refused rather than ignored.
//!
//! A `collation` is validated here (mongod's errors for a malformed one, `collation.rs`) before anything runs.

use super::field_types;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// Fields every command takes (mongod's generic arguments): session, transaction, read/write concern,
/// API version, routing and audit fields a driver or a router adds.
const GENERIC: &[&str] = &[
    "$db",
    "lsid",
    "txnNumber",
    "autocommit",
    "startTransaction",
    "stmtId",
    "$clusterTime",
    "$readPreference",
    "$client",
    "$audit",
    "$configTime",
    "$topologyTime",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
    "maxTimeMS",
    "readConcern",
    "writeConcern",
    "comment",
    "clientOperationKey",
    "mayBypassWriteBlocking",
    "txnRetryCounter",
];

/// The command-specific fields of the commands this module checks (the command name itself excluded).
fn specific(command: &str) -> Option<&'static [&'static str]> {
    Some(match command {
        "find" => &[
            "filter",
            "projection",
            "sort",
            "hint",
            "skip",
            "limit",
            "batchSize",
            "singleBatch",
            "max",
            "min",
            "returnKey",
            "showRecordId",
            "tailable",
            "oplogReplay",
            "noCursorTimeout",
            "awaitData",
            "allowPartialResults",
            "collation",
            "allowDiskUse",
            "let",
            "term",
            "readOnce",
            "allowSpeculativeMajorityRead",
        ],
        "aggregate" => &[
            "pipeline",
            "explain",
            "allowDiskUse",
            "cursor",
            "bypassDocumentValidation",
            "collation",
            "hint",
            "let",
            "exchange",
            "fromMongos",
            "needsMerge",
        ],
        "count" => &["query", "limit", "skip", "hint", "collation", "fields"],
        "distinct" => &["key", "query", "collation", "hint"],
        "insert" => &[
            "documents",
            "ordered",
            "bypassDocumentValidation",
            "stmtIds",
        ],
        "update" => &[
            "updates",
            "ordered",
            "bypassDocumentValidation",
            "let",
            "stmtIds",
        ],
        "delete" => &[
            "deletes",
            "ordered",
            "bypassDocumentValidation",
            "let",
            "stmtIds",
        ],
        "findAndModify" | "findandmodify" => &[
            "query",
            "fields",
            "sort",
            "hint",
            "collation",
            "arrayFilters",
            "remove",
            "update",
            "new",
            "upsert",
            "bypassDocumentValidation",
            "let",
        ],
        "getMore" => &[
            "collection",
            "batchSize",
            "term",
            "lastKnownCommittedOpTime",
        ],
        "killCursors" => &["cursors"],
        _ => return None,
    })
}

/// Fields of one statement of an `update` command's `updates`.
const UPDATE_STATEMENT: &[&str] = &[
    "q",
    "u",
    "c",
    "upsert",
    "multi",
    "arrayFilters",
    "hint",
    "collation",
    "upsertSupplied",
];

/// Fields of one statement of a `delete` command's `deletes`.
const DELETE_STATEMENT: &[&str] = &["q", "limit", "hint", "collation"];

fn unknown(path: &str) -> CommandError {
    CommandError::location(40415, format!("BSON field '{path}' is an unknown field."))
}

/// Refuses a field `command` does not take (40415) and a malformed collation, in the
/// command and in the statements of `update` / `delete`. Commands this module does not list pass.
pub(super) fn check(command: &str, cmd: &Document) -> Result<(), CommandError> {
    let Some(fields) = specific(command) else {
        return Ok(());
    };
    let ctx = field_types::context(command);
    for (k, v) in cmd.iter().skip(1) {
        if !fields.contains(&k.as_str()) && !GENERIC.contains(&k.as_str()) {
            return Err(unknown(&format!("{ctx}.{k}")));
        }
        field_types::check(field_types::kind(command, k), k, &format!("{ctx}.{k}"), v)?;
        if k == "collation" {
            check_collation(v)?;
        }
    }
    let statements = match command {
        "update" => Some(("updates", UPDATE_STATEMENT)),
        "delete" => Some(("deletes", DELETE_STATEMENT)),
        _ => None,
    };
    if let Some((list, allowed)) = statements {
        if let Ok(items) = cmd.get_array(list) {
            for item in items {
                let Bson::Document(st) = item else { continue };
                for (k, v) in st {
                    if !allowed.contains(&k.as_str()) {
                        return Err(unknown(&format!("{command}.{list}.{k}")));
                    }
                    field_types::check(
                        field_types::statement_kind(list, k),
                        k,
                        &format!("{command}.{list}.{k}"),
                        v,
                    )?;
                    if k == "collation" {
                        check_collation(v)?;
                    }
                }
                // Required statement fields (a `null` query counts as missing; `u` and `limit` take any
                // type and judge `null` themselves): the whole command fails to parse.
                let required: &[&str] = if list == "updates" {
                    &["q", "u"]
                } else {
                    &["q", "limit"]
                };
                for r in required {
                    let missing = match st.get(*r) {
                        None => true,
                        Some(Bson::Null) => *r == "q",
                        Some(_) => false,
                    };
                    if missing {
                        return Err(CommandError::location(
                            40414,
                            format!(
                                "BSON field '{command}.{list}.{r}' is missing but a required field"
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// A collation mongod would accept (and the engine can apply): errors as `collation.rs` gives them.
fn check_collation(v: &Bson) -> Result<(), CommandError> {
    crate::engine::collation::Collation::parse(v).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn unknown_fields_are_named_with_their_path() {
        let e = check("find", &doc! {"find": "s", "filter": {}, "bogusField": 1}).unwrap_err();
        assert_eq!(e.code, 40415);
        assert_eq!(
            e.errmsg,
            "BSON field 'FindCommandRequest.bogusField' is an unknown field."
        );
        let e = check(
            "update",
            &doc! {"update": "s", "updates": [{"q": {}, "u": {}, "sort": {"a": 1}}]},
        )
        .unwrap_err();
        assert_eq!(
            e.errmsg,
            "BSON field 'update.updates.sort' is an unknown field."
        );
        assert!(check(
            "find",
            &doc! {"find": "s", "lsid": {}, "maxTimeMS": 5, "let": {}}
        )
        .is_ok());
        assert!(check("ping", &doc! {"ping": 1, "whatever": 1}).is_ok());
    }

    #[test]
    fn collations_are_validated_as_mongod_does() {
        assert!(check(
            "find",
            &doc! {"find": "s", "collation": {"locale": "en", "strength": 2}}
        )
        .is_ok());
        let e = check(
            "find",
            &doc! {"find": "s", "collation": {"locale": "en", "strength": 9}},
        )
        .unwrap_err();
        assert_eq!(e.code, 9);
        let e = check(
            "delete",
            &doc! {"delete": "s", "deletes": [{"q": {}, "limit": 0, "collation": {"locale": "xx"}}]},
        )
        .unwrap_err();
        assert_eq!(e.code, 2);
    }
}
