//! Refusal kinds: docs/dialect.md's list ("Refusal kinds") and `sqlmongo::translate::Refusal` agree, and every
//! golden refusal (`grammar-tests/refuse/*.sql`, `-- error: unsupported: ...`) is refused with the kind this
//! file names for it, so a new refusal case has to say which kind it is.

use sqlmongo::translate::{Error, Refusal};
use std::collections::BTreeSet;
use std::path::Path;

/// The kind each golden refusal case is refused with, by `file/case`.
const CASE_KINDS: &[(&str, Refusal)] = &[
    ("later.sql/join", Refusal::Join),
    ("later.sql/left_join", Refusal::Join),
    ("later.sql/cross_join_comma", Refusal::Join),
    ("later.sql/truncate", Refusal::Statement),
    ("later.sql/begin_serializable", Refusal::Statement),
    ("later.sql/values_query", Refusal::Clause),
    (
        "later.sql/sub_millisecond_timestamp_shift",
        Refusal::Expression,
    ),
    ("time.sql/to_char_unsupported_pattern", Refusal::Function),
    ("time.sql/to_char_computed_format", Refusal::Function),
    ("time.sql/to_char_of_a_number", Refusal::Function),
    ("time.sql/time_zone_abbreviation", Refusal::Function),
    ("time.sql/date_bin_computed_stride", Refusal::Function),
    (
        "time.sql/to_char_zone_abbreviation_in_a_session_zone",
        Refusal::Function,
    ),
    ("time.sql/storing_a_computed_interval", Refusal::Statement),
    ("later.sql/order_by_using_another_operator", Refusal::Clause),
    (
        "later.sql/order_by_using_after_a_set_operation",
        Refusal::Clause,
    ),
    ("later.sql/order_by_using_in_a_window", Refusal::Clause),
    (
        "later.sql/order_by_using_in_an_ordered_aggregate",
        Refusal::Clause,
    ),
    ("later.sql/order_by_using_in_a_cte", Refusal::Clause),
    (
        "later.sql/order_by_using_in_a_derived_table",
        Refusal::Clause,
    ),
    ("later.sql/order_by_using_in_a_view", Refusal::Clause),
    ("later.sql/order_by_using_in_a_subquery", Refusal::Clause),
    (
        "later.sql/any_of_an_untyped_text_literal",
        Refusal::Operator,
    ),
    (
        "later.sql/two_qualified_stars_over_a_cross_join",
        Refusal::Clause,
    ),
    ("later.sql/star_and_qualified_star", Refusal::Clause),
    ("later.sql/row_value_in_subquery", Refusal::Subquery),
    (
        "later.sql/order_by_expression_after_a_set_operation",
        Refusal::SetOperation,
    ),
    ("later.sql/groups_frame", Refusal::Window),
    ("later.sql/order_by_inside_bool_and", Refusal::Aggregate),
    (
        "later.sql/split_part_with_a_computed_position",
        Refusal::Function,
    ),
    ("later.sql/column_type_without_a_bson_type", Refusal::Type),
    (
        "later.sql/insert_values_with_fetch_first",
        Refusal::Statement,
    ),
    ("table_clauses.sql/tablesample_in_from", Refusal::Relation),
    (
        "table_clauses.sql/with_ordinality_in_from",
        Refusal::Relation,
    ),
    (
        "table_clauses.sql/tablesample_on_joined_table",
        Refusal::Relation,
    ),
    (
        "table_clauses.sql/tablesample_beside_a_cte",
        Refusal::Relation,
    ),
    (
        "copy.sql/copy_from_a_file_is_run_by_the_client",
        Refusal::Statement,
    ),
    ("collation.sql/two_collations", Refusal::Expression),
    ("collation.sql/libc_collation", Refusal::Expression),
    ("collation.sql/unknown_icu_keyword", Refusal::Expression),
    ("copy.sql/copy_to_is_run_by_the_client", Refusal::Statement),
    ("copy.sql/copy_program_is_refused", Refusal::Statement),
    (
        "joins.sql/natural_join_without_declared_columns",
        Refusal::Join,
    ),
    ("joins.sql/right_join_in_a_later_from_item", Refusal::Join),
    (
        "joins.sql/unqualified_name_with_a_schemaless_collection",
        Refusal::Join,
    ),
];

/// The kind names of docs/dialect.md's "Refusal kinds" table (rows `| `Name` | ... |`).
fn documented_kinds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/dialect.md")).unwrap();
    let start = text
        .find("### Refusal kinds")
        .expect("docs/dialect.md has a \"### Refusal kinds\" section");
    let section = &text[start..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |i| i + 4)];
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_documented_kind_exists_and_every_kind_is_documented() {
    let documented: BTreeSet<String> = documented_kinds().into_iter().collect();
    let kinds: BTreeSet<String> = Refusal::ALL.iter().map(|k| k.name().to_string()).collect();
    assert_eq!(
        documented, kinds,
        "docs/dialect.md's refusal kinds and translate::Refusal differ"
    );
    assert_eq!(kinds.len(), Refusal::ALL.len(), "a kind name is used twice");
}

/// The `-- error: unsupported:` cases of the refuse corpus: (file/case, SQL).
fn refusal_cases() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests/refuse");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let file = f.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        let mut name = String::new();
        let mut sql = String::new();
        for line in text.lines() {
            if let Some(n) = line.strip_prefix("-- case:") {
                name = n.trim().to_string();
                sql.clear();
            } else if let Some(msg) = line.strip_prefix("-- error:") {
                if msg.trim().starts_with("unsupported:") {
                    out.push((format!("{file}/{name}"), sql.clone()));
                }
            } else if line.starts_with("-- ") {
            } else {
                sql.push_str(line);
                sql.push('\n');
            }
        }
    }
    out
}

#[test]
fn every_golden_refusal_names_its_kind() {
    let mut wrong = Vec::new();
    for (case, sql) in refusal_cases() {
        let kind = match sqlmongo::translate(&sql) {
            Err(sqlmongo::Error::Translate(e @ Error::Unsupported { .. })) => e.refusal(),
            other => panic!("{case}: not a refusal: {other:?}"),
        };
        let want = CASE_KINDS.iter().find(|(c, _)| *c == case).map(|(_, k)| *k);
        if kind != want {
            wrong.push(format!(
                "    (\"{case}\", Refusal::{}),",
                kind.map_or("?", |k| k.name())
            ));
        }
    }
    for k in Refusal::ALL {
        assert!(
            CASE_KINDS.iter().any(|(_, c)| *c == k),
            "no golden refusal of kind {k} (docs/dialect.md promises one)"
        );
    }
    assert!(
        wrong.is_empty(),
        "refusal kinds differ from CASE_KINDS (the kinds found):\n{}",
        wrong.join("\n")
    );
}
