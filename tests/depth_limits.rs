//! Deep SQL on a small stack: every input of issue 13 that overflowed the stack (left-deep operator chains that
//! get past sqlparser's recursion limit) is refused with a positioned "nested too deeply" error, and the deepest
//! accepted expressions translate, on a thread with a 2 MiB stack (a tokio worker's). A stack overflow aborts
//! the whole process, so these live in a test binary of their own.

use sqlmongo::client::RowExt;
use sqlmongo::sql::MAX_EXPR_DEPTH;

const SMALL_STACK: usize = 2 << 20;

/// Runs `f` on a thread with a 2 MiB stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread finished")
}

/// translate() on a 2 MiB stack: Ok(number of statements) or the error's text.
fn translate_small(sql: String) -> Result<usize, String> {
    on_small_stack(move || {
        sqlmongo::translate(&sql)
            .map(|p| p.statements.len())
            .map_err(|e| e.to_string())
    })
}

fn assert_refused_at(sql: String, what: &str) {
    let len = sql.len();
    let err = translate_small(sql).expect_err(what);
    assert!(err.contains("nested too deeply"), "{what}: {err}");
    // "syntax error at 1:COL: ...": a position inside the text.
    let pos = err
        .strip_prefix("syntax error at 1:")
        .and_then(|r| r.split(':').next())
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("{what}: no position in {err}"));
    assert!(pos >= 1 && pos <= len, "{what}: column {pos} of {len}");
}

/// The chains of issue 13 (with the sizes it reports) and ten times longer.
fn issue_chains(scale: usize) -> Vec<(&'static str, String)> {
    vec![
        (
            "+",
            format!("SELECT k{} FROM c", " + k".repeat(2_616 * scale)),
        ),
        (
            "OR",
            format!(
                "SELECT * FROM c WHERE k = 0{}",
                " OR k = 1".repeat(9_894 * scale)
            ),
        ),
        (
            "::text",
            format!("SELECT k{} FROM c", "::text".repeat(2_862 * scale)),
        ),
        (
            "->",
            format!("SELECT j{} FROM c", " -> 'a'".repeat(10_000 * scale)),
        ),
        (
            "||",
            format!("SELECT k{} FROM c", " || k".repeat(10_000 * scale)),
        ),
        (
            "AND",
            format!(
                "SELECT * FROM c WHERE k = 0{}",
                " AND v = 1".repeat(10_000 * scale)
            ),
        ),
        (
            "unary -",
            format!("SELECT {}k FROM c", "- ".repeat(10_000 * scale)),
        ),
        (
            "UPDATE SET +",
            format!("UPDATE c SET v = v{}", " + 1".repeat(10_000 * scale)),
        ),
    ]
}

#[test]
fn issue_chains_are_refused_on_a_2_mib_stack() {
    for (what, sql) in issue_chains(1) {
        assert_refused_at(sql, what);
    }
}

#[test]
fn ten_times_longer_chains_are_refused_on_a_2_mib_stack() {
    for (what, sql) in issue_chains(10) {
        assert_refused_at(sql, what);
    }
}

#[test]
fn the_deepest_accepted_chains_translate_on_a_2_mib_stack() {
    // A chain of n terms is n - 1 operators over a leaf: n levels.
    let n = MAX_EXPR_DEPTH;
    // WHERE AND / OR chains become one flat $and / $or: the whole depth limit is usable.
    let cases = [
        format!("SELECT * FROM c WHERE k = 0{}", " OR k = 1".repeat(n - 2)),
        format!("DELETE FROM c WHERE k = 0{}", " AND v = 1".repeat(n - 2)),
        format!(
            "UPDATE c SET v = 1 WHERE k = 0{}",
            " OR k = 1".repeat(n - 2)
        ),
        // Nesting operators up to MongoDB's command depth (200 BSON levels).
        format!("SELECT k{} FROM c", " + k".repeat(98)),
        format!("SELECT k{} FROM c", "::text".repeat(99)),
        format!("SELECT j{} FROM c", " -> 'a'".repeat(99)),
        format!("SELECT COUNT(*) FROM c GROUP BY k{}", " + 1".repeat(95)),
    ];
    for sql in cases {
        let head = sql[..40].to_string();
        assert_eq!(translate_small(sql), Ok(1), "{head}");
    }
    // One level more is refused: past the expression limit, or past MongoDB's command depth.
    assert_refused_at(
        format!("SELECT * FROM c WHERE k = 0{}", " OR k = 1".repeat(n - 1)),
        "one level over",
    );
    for sql in [
        format!("SELECT k{} FROM c", " + k".repeat(99)),
        format!("SELECT k{} FROM c", " + k".repeat(n - 1)),
        format!("SELECT k{} FROM c", " || k".repeat(n - 1)),
        format!("SELECT * FROM c WHERE k{} = 1", " + 1".repeat(n - 2)),
    ] {
        let err = translate_small(sql).expect_err("deeper than MongoDB accepts");
        // Refused for MongoDB's command depth: by the translator's bound (at the expression) or by the
        // command's measured depth (at the statement).
        assert!(
            err.contains("nested too deeply") && err.contains("MongoDB"),
            "{err}"
        );
    }
}

#[test]
fn chains_nested_in_function_calls_are_refused_as_a_whole() {
    // Each chain stays under the limit; the tree they make together does not (about 20 x 600 levels).
    let mut e = "k".to_string();
    for _ in 0..20 {
        e = format!("abs({e}{})", " + k".repeat(600));
    }
    assert_refused_at(format!("SELECT {e} FROM c"), "chains in calls");
    // Nested subqueries and parentheses stay refused by the parser's own limit, with a position.
    assert_refused_at(
        format!("SELECT {}k{} FROM c", "(".repeat(100), ")".repeat(100)),
        "parentheses",
    );
    assert_refused_at(
        format!(
            "SELECT * FROM c WHERE EXISTS {}SELECT 1{}",
            "(SELECT * FROM c WHERE EXISTS ".repeat(60),
            ")".repeat(60)
        ),
        "subqueries",
    );
}

#[test]
fn a_deep_chain_on_the_embedded_engine_inside_a_tokio_worker() {
    // The library user's case: a client call on a runtime whose workers have 2 MiB stacks.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_stack_size(SMALL_STACK)
        .enable_all()
        .build()
        .unwrap();
    let out = rt.block_on(async {
        tokio::spawn(async {
            let client = sqlmongo::Client::embedded();
            client
                .execute("INSERT INTO c (k) VALUES (1)", &[])
                .await
                .unwrap();
            let refused = client
                .query(
                    &format!("SELECT k{} AS s FROM c", " + k".repeat(2_616)),
                    &[],
                )
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
            let rows = client
                .query(&format!("SELECT k{} AS s FROM c", " + k".repeat(97)), &[])
                .await
                .unwrap();
            (refused, rows.rows[0].get_i64(0).unwrap())
        })
        .await
        .unwrap()
    });
    assert!(out.0.unwrap_err().contains("nested too deeply"));
    assert_eq!(out.1, 98);
}
