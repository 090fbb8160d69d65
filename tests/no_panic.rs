//! Property test: random token soups and mutated corpus statements go through parse + translate + render +
//! bind without a panic; every outcome is a plan or a typed error.

use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "NULL",
    "IS",
    "IN",
    "LIKE",
    "ILIKE",
    "BETWEEN",
    "GROUP",
    "BY",
    "ORDER",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "DISTINCT",
    "COUNT",
    "(",
    ")",
    "*",
    ",",
    ";",
    "=",
    "<>",
    "<",
    ">",
    "+",
    "-",
    "/",
    "%",
    "||",
    "::",
    "->",
    "->>",
    "'x'",
    "'%a_'",
    "1",
    "0",
    "-1",
    "2.5",
    "$1",
    "?",
    "a",
    "b.c",
    "t",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "INTERVAL",
    "'5 minutes'",
    "NOW()",
    "CURRENT_TIMESTAMP",
    "INSERT",
    "INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE",
    "CREATE",
    "COLLECTION",
    "WITH",
    "INDEX",
    "ON",
    "UNIQUE",
    "TABLE",
    "DROP",
    "ALTER",
    "EXPLAIN",
    "SHOW",
    "COLLECTIONS",
    "ARRAY[",
    "]",
    "ANY",
    "FILTER",
    "EXTRACT",
    "EPOCH",
    "DATE_TRUNC",
    "ROUND",
    "CAST",
    "AS",
    "INTEGER",
    "TEXT",
    "TIMESTAMP",
    "'2026-01-01'",
    "\"$x\"",
    "'{\"a\": 1}'",
    "JSONB",
    "TRUE",
    "FALSE",
    "ESCAPE",
    "'\\'",
    "NULLS",
    "FIRST",
    "LAST",
    "DESC",
];

fn corpus_statements() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                let mut sql = String::new();
                let mut in_sql = false;
                for line in text.lines() {
                    if line.starts_with("-- case:") {
                        in_sql = true;
                        sql.clear();
                    } else if line == "-- expect:" || line.starts_with("-- error:") {
                        if in_sql {
                            out.push(sql.clone());
                        }
                        in_sql = false;
                    } else if in_sql {
                        sql.push_str(line);
                        sql.push('\n');
                    }
                }
            }
        }
    }
    out.sort();
    out
}

fn exercise(sql: &str) {
    if let Ok(plan) = sqlmongo::translate(sql) {
        let _ = plan.to_pretty_json();
        for s in &plan.statements {
            let _ = s.to_golden();
            let params: Vec<bson::Bson> = (0..s.param_count)
                .map(|i| bson::Bson::Int32(i as i32))
                .collect();
            assert!(s.bind(&params).is_ok(), "bind failed for {sql}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(idx in proptest::collection::vec(0..TOKENS.len(), 0..40)) {
        let sql: Vec<&str> = idx.iter().map(|&i| TOKENS[i]).collect();
        exercise(&sql.join(" "));
    }

    #[test]
    fn mutated_corpus_never_panics(pick in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>(),
                                   tok in 0..TOKENS.len(), mode in 0..3u8) {
        static CORPUS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        let corpus = CORPUS.get_or_init(corpus_statements);
        prop_assume!(!corpus.is_empty());
        let base = pick.get(corpus);
        let chars: Vec<char> = base.chars().collect();
        let at = cut.index(chars.len() + 1);
        let (head, tail): (String, String) = (chars[..at].iter().collect(), chars[at..].iter().collect());
        let mutated = match mode {
            0 => format!("{head} {} {tail}", TOKENS[tok]),
            1 => head,
            _ => format!("{head}{}", tail.chars().skip(1).collect::<String>()),
        };
        exercise(&mutated);
    }
}
