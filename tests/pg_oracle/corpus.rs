//! The PostgreSQL differential corpus (`tests/oracle_data/pg_queries.sql`) and its parser, shared by the
//! differential test (tests/pg_oracle.rs) and the PostgreSQL parity bench (benches/pg_parity.rs).
//!
//! `-- name: NAME` starts a case, whose statements each end with `;` at the end of a line.

/// Issue 16: COLLATE with PostgreSQL's ICU collations (the command's collation).
#[allow(dead_code)]
pub const CORPUS_COLLATION: &str = include_str!("../oracle_data/pg_collation.sql");
/// The corpus text.
pub const CORPUS: &str = include_str!("../oracle_data/pg_queries.sql");
/// Issue 17's cases (RETURNING on INSERT, DISTINCT ON, statistics aggregates, array / JSON functions).
pub const CORPUS_DIALECT: &str = include_str!("../oracle_data/pg_dialect.sql");
/// Issue 12's cases (semi-joins with localField/foreignField, ORDER BY ... LIMIT / OFFSET in index order).
pub const CORPUS_SCALE: &str = include_str!("../oracle_data/pg_scale.sql");
/// Issue 17 item 3: time zones, intervals, date_bin, age, to_char.
pub const CORPUS_TIME: &str = include_str!("../oracle_data/pg_time.sql");
/// Issue 17's statement forms: UPDATE ... FROM, DELETE ... USING, GROUPING SETS, run-time LIKE, SIMILAR TO,
/// ANY / ALL, CHECK, generate_series, unnest in FROM.
pub const CORPUS_STMTS: &str = include_str!("../oracle_data/pg_stmts.sql");
/// Issue 17 item 1: declared tables (`SELECT *`, unqualified names) and the join forms they allow.
#[allow(dead_code)]
pub const CORPUS_CATALOG: &str = include_str!("../oracle_data/pg_catalog.sql");

/// One corpus case.
#[derive(Clone)]
pub struct Case {
    /// `-- name:` of the case.
    pub name: String,
    /// Its statements, each ending with `;`.
    pub stmts: Vec<String>,
}

/// The cases of the corpus text, in order; `Err` names a malformed case.
pub fn parse_corpus(text: &str) -> Result<Vec<Case>, String> {
    let mut cases: Vec<Case> = Vec::new();
    let mut current = String::new();
    for (lineno, line) in text.lines().enumerate() {
        if let Some(name) = line.strip_prefix("-- name:") {
            if let Some(case) = cases.last_mut() {
                if !current.trim().is_empty() {
                    return Err(format!(
                        "case {}: statement without final ';' before line {}",
                        case.name,
                        lineno + 1
                    ));
                }
            }
            let name = name.trim().to_string();
            if cases.iter().any(|c| c.name == name) {
                return Err(format!("duplicate case name {name} at line {}", lineno + 1));
            }
            cases.push(Case {
                name,
                stmts: Vec::new(),
            });
            current.clear();
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with("--") || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        let Some(case) = cases.last_mut() else {
            return Err(format!(
                "line {}: SQL before the first `-- name:`",
                lineno + 1
            ));
        };
        current.push_str(line);
        current.push('\n');
        if trimmed.ends_with(';') {
            case.stmts
                .push(std::mem::take(&mut current).trim().to_string());
        }
    }
    if !current.trim().is_empty() {
        return Err("last statement has no final ';'".to_string());
    }
    if let Some(empty) = cases.iter().find(|c| c.stmts.is_empty()) {
        return Err(format!("case {} has no statement", empty.name));
    }
    Ok(cases)
}
