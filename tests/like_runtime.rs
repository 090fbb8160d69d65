//! LIKE with a pattern computed at run time (issue 17): the regex is built from the pattern's value by an
//! aggregation expression, so it must answer exactly as the constant pattern (escaped at translation
//! time) does, for every pattern, metacharacters and escape characters included.

use bson::Bson;
use proptest::prelude::*;
use sqlmongo::Client;

/// A character of patterns and subjects: LIKE's own wildcards, the escape character, regex
/// metacharacters and plain letters.
fn piece() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        'a', 'b', '%', '_', '\\', '!', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^',
        '$', '#', '-', '/', '\n', 'é',
    ])
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..7).prop_map(|v| v.into_iter().collect())
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// `s LIKE $1` (run-time pattern) = `s LIKE 'p'` (constant pattern), also with ILIKE and ESCAPE.
    #[test]
    fn runtime_pattern_equals_constant_pattern(
        subjects in prop::collection::vec(text(), 1..6),
        pattern in text(),
        ilike in any::<bool>(),
        escape in prop::sample::select(vec![None, Some('!'), Some('#')]),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let c = Client::embedded();
            let values: Vec<String> = subjects
                .iter()
                .enumerate()
                .map(|(i, s)| format!("({i}, {})", quote(s)))
                .collect();
            c.execute(&format!("INSERT INTO t (i, s) VALUES {}", values.join(", ")), &[])
                .await
                .unwrap();
            let op = if ilike { "ILIKE" } else { "LIKE" };
            let esc = escape.map(|e| format!(" ESCAPE '{e}'")).unwrap_or_default();
            let constant = c
                .query(
                    &format!("SELECT i, s {op} {}{esc} AS m FROM t ORDER BY i", quote(&pattern)),
                    &[],
                )
                .await;
            let runtime = c
                .query(
                    &format!("SELECT i, s {op} $1{esc} AS m FROM t ORDER BY i"),
                    &[Bson::String(pattern.clone())],
                )
                .await;
            match (constant, runtime) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a.rows, b.rows, "pattern {:?}", pattern),
                // A pattern ending in the escape character: an error both ways.
                (Err(_), Err(_)) => {}
                (a, b) => prop_assert!(false, "pattern {:?}: constant {:?}, run time {:?}", pattern, a, b),
            }
            Ok(())
        })?;
    }
}

/// A character of SIMILAR TO patterns: its own operators and bracket expressions besides LIKE's.
fn similar_piece() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        'a', 'b', '%', '_', '\\', '!', '.', '*', '+', '?', '(', ')', '[', ']', '|', '^', '$', '"',
        '-', 'é',
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    /// `s SIMILAR TO $1` (converted at run time) = `s SIMILAR TO 'p'` (converted at translation time), also
    /// with ESCAPE; a pattern the constant conversion refuses (escape before `"`) or a regex MongoDB
    /// refuses (unbalanced brackets) is an error both ways.
    #[test]
    fn runtime_similar_to_equals_constant_similar_to(
        subjects in prop::collection::vec(
            prop::collection::vec(similar_piece(), 0..6).prop_map(|v| v.into_iter().collect::<String>()),
            1..6,
        ),
        pattern in prop::collection::vec(similar_piece(), 0..7).prop_map(|v| v.into_iter().collect::<String>()),
        escape in prop::sample::select(vec![None, Some('!')]),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let c = Client::embedded();
            let values: Vec<String> = subjects
                .iter()
                .enumerate()
                .map(|(i, s)| format!("({i}, {})", quote(s)))
                .collect();
            c.execute(&format!("INSERT INTO t (i, s) VALUES {}", values.join(", ")), &[])
                .await
                .unwrap();
            let esc = escape.map(|e| format!(" ESCAPE '{e}'")).unwrap_or_default();
            let constant = c
                .query(
                    &format!("SELECT i, s SIMILAR TO {}{esc} AS m FROM t ORDER BY i", quote(&pattern)),
                    &[],
                )
                .await;
            let runtime = c
                .query(
                    &format!("SELECT i, s SIMILAR TO $1{esc} AS m FROM t ORDER BY i"),
                    &[Bson::String(pattern.clone())],
                )
                .await;
            match (constant, runtime) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a.rows, b.rows, "pattern {:?}", pattern),
                (Err(_), Err(_)) => {}
                (a, b) => prop_assert!(false, "pattern {:?}: constant {:?}, run time {:?}", pattern, a, b),
            }
            Ok(())
        })?;
    }
}
