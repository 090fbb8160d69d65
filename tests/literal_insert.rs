//! The bulk-load fast path (`sql::literal_insert` + `translate::literal_insert`) against the general
//! parser and translator: on generated INSERT statements (names that are and are not key words, repeated
//! columns, rows of the wrong length, numbers at every range edge and out of range, strings with quotes,
//! backslashes and non-ASCII text, odd spacing and comments), whenever the fast path gives a plan it is the
//! general translation's plan, and it gives none for a statement the general path refuses. And through
//! `sqlmongo run`, a script of such INSERTs loads the same documents as the general path does.

use proptest::prelude::*;
use sqlmongo::sql::literal_insert::scan;
use sqlmongo::translate::{literal_insert::plan, Catalog};

fn name() -> impl Strategy<Value = String> {
    // Mostly names the scanner reads (some of them non-reserved key words), now and then a reserved one.
    let plain = prop_oneof![
        Just("t".to_string()),
        Just("user_sessions".to_string()),
        Just("Mixed_Case9".to_string()),
        Just("_id".to_string()),
        Just("key".to_string()),
        Just("value".to_string()),
        Just("data".to_string()),
        Just("status".to_string()),
        Just("type".to_string()),
        "[a-z_][a-z0-9_]{0,6}",
    ];
    let reserved = prop_oneof![
        Just("select".to_string()),
        Just("order".to_string()),
        Just("from".to_string()),
        Just("default".to_string()),
        Just("user".to_string()),
        Just("values".to_string()),
    ];
    prop_oneof![12 => plain, 1 => reserved]
}

fn number() -> impl Strategy<Value = String> {
    let plain = prop_oneof![
        "[0-9]{1,3}",
        "[0-9]{9,11}",
        "[0-9]{18,21}",
        Just("2147483647".to_string()),
        Just("2147483648".to_string()),
        Just("9223372036854775807".to_string()),
        Just("9223372036854775808".to_string()),
        "[0-9]{1,4}\\.[0-9]{0,4}",
        "\\.[0-9]{1,4}",
        "[0-9]{1,3}[eE][+-]?[0-9]{1,3}",
        "[0-9]\\.[0-9]{1,3}[eE]-?[0-9]{1,3}",
    ];
    (
        prop_oneof![6 => Just(""), 3 => Just("-"), 1 => Just("+"), 1 => Just("- ")],
        plain,
    )
        .prop_map(|(sign, n)| format!("{sign}{n}"))
}

fn string() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("a".to_string()),
            Just("''".to_string()),
            Just("\\".to_string()),
            Just("\\n".to_string()),
            Just("$x".to_string()),
            Just("é☃".to_string()),
            Just(" ".to_string()),
            Just(",".to_string()),
            Just(")".to_string()),
            Just("--".to_string()),
        ],
        0..5,
    )
    .prop_map(|parts| format!("'{}'", parts.concat()))
}

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => number(),
        9 => string(),
        1 => prop_oneof![
            Just("NULL".to_string()),
            Just("null".to_string()),
            Just("TRUE".to_string()),
            Just("false".to_string()),
            Just("E'x'".to_string()),
            Just("1 + 1".to_string()),
            Just("'a' 'b'".to_string()),
            Just("$1".to_string()),
        ],
    ]
}

fn space() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_string()),
        1 => Just("".to_string()),
        1 => Just("\n  ".to_string()),
        1 => Just("\t".to_string()),
    ]
}

fn statement() -> impl Strategy<Value = String> {
    (
        name(),
        proptest::collection::vec(name(), 1..4),
        prop_oneof![3 => Just(""), 2 => Just("  "), 2 => Just("-- header\n"), 1 => Just("/* c */ ")],
        prop_oneof![4 => Just(""), 4 => Just(";"), 2 => Just(" ;\n"), 1 => Just("; SELECT 1")],
        any::<bool>(),
    )
        .prop_flat_map(|(table, columns, lead, end, keyword_case)| {
            let n = columns.len();
            // Mostly rows of the column list's length; now and then one short or long.
            let width = prop_oneof![8 => Just(n), 1 => Just(n + 1), 1 => Just(n.max(2) - 1)];
            let rows = proptest::collection::vec(
                width.prop_flat_map(|w| proptest::collection::vec((literal(), space()), w)),
                1..4,
            );
            (Just((table, columns, lead, end, keyword_case)), rows)
        })
        .prop_map(|((table, columns, lead, end, keyword_case), rows)| {
            let rows: Vec<String> = rows
                .iter()
                .map(|r| {
                    let items: Vec<String> = r.iter().map(|(l, s)| format!("{s}{l}")).collect();
                    format!("({})", items.join(","))
                })
                .collect();
            let (insert, values) = if keyword_case {
                ("INSERT INTO", "VALUES")
            } else {
                ("insert into", "values")
            };
            format!(
                "{lead}{insert} {table} ({}) {values} {}{end}",
                columns.join(", "),
                rows.join(",\n")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_fast_plan_is_the_general_plan(sql in statement()) {
        let general = sqlmongo::translate(&sql);
        let fast = scan(&sql).and_then(|ins| plan(&ins, &Catalog::new()));
        match (fast, general) {
            (None, _) => {}
            (Some(f), Ok(mut g)) => {
                prop_assert_eq!(g.statements.len(), 1, "{}", sql);
                prop_assert_eq!(f, g.statements.remove(0), "{}", sql);
            }
            (Some(f), Err(e)) => prop_assert!(false, "fast path accepted what the general path refuses ({e}): {sql}\n{f:?}"),
        }
    }
}

#[test]
fn the_bulk_shapes_take_the_fast_path() {
    for sql in [
        "INSERT INTO bulk_rows (id, user_id, session_id, score, active) VALUES\n(0, 'user-0', 'sess-000000000', 0.000000, false),\n(1, 'user-1', 'sess-000000001', 5.285714, true);",
        "insert into cache (k, v, hits) values ('a''b', NULL, -3)",
    ] {
        let ins = scan(sql).expect("scanned");
        let fast = plan(&ins, &Catalog::new()).expect("planned");
        assert_eq!(fast, sqlmongo::translate(sql).unwrap().statements.remove(0));
    }
}

#[test]
fn a_declared_table_takes_the_general_path() {
    let mut catalog = Catalog::new();
    catalog.tables.insert("t".into(), Default::default());
    let ins = scan("INSERT INTO t (a) VALUES (1)").unwrap();
    assert!(plan(&ins, &catalog).is_none());
}

#[test]
fn the_generator_reaches_the_fast_path_often() {
    // The property above says nothing if the fast path never accepts: count how often it does.
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut accepted, total) = (0, 2000);
    for _ in 0..total {
        let sql = statement().new_tree(&mut runner).unwrap().current();
        if scan(&sql)
            .and_then(|ins| plan(&ins, &Catalog::new()))
            .is_some()
        {
            accepted += 1;
        }
    }
    assert!(
        accepted * 5 > total,
        "only {accepted} of {total} took the fast path"
    );
    eprintln!("fast path: {accepted} of {total} generated statements");
}

/// `Client::execute` of a script of bulk INSERTs (whole and streamed: over 256 KiB), with a declared table
/// among them, leaves the collections exactly as the same script with every INSERT forced through the general
/// parser (a comment inside each statement), with the same per-statement results.
#[test]
fn execute_of_bulk_scripts_equals_the_general_path() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for rows_per_statement in [3usize, 20] {
        let mut script = String::from(
            "CREATE TABLE declared (k INT PRIMARY KEY, n NUMERIC DEFAULT 1.50, s TEXT);\n",
        );
        for i in 0..600usize {
            let table = if i % 7 == 0 { "declared" } else { "plain" };
            let rows: Vec<String> = (0..rows_per_statement)
                .map(|j| {
                    let k = i * rows_per_statement + j;
                    format!("({k}, '{k}''s; row', {}.25)", k as i64 - 500)
                })
                .collect();
            let cols = if table == "declared" {
                "k, s, n"
            } else {
                "k, s, x"
            };
            script.push_str(&format!(
                "INSERT INTO {table} ({cols}) VALUES {};\n",
                rows.join(", ")
            ));
        }
        let general = script.replace("INSERT INTO", "INSERT /* general */ INTO");
        let run = |sql: String| {
            rt.block_on(async move {
                let client = sqlmongo::Client::embedded();
                let results = client.execute(&sql, &[]).await.unwrap();
                let mut data = Vec::new();
                for q in [
                    "SELECT * FROM declared ORDER BY k",
                    "SELECT k, s, x FROM plain ORDER BY k",
                ] {
                    let rows = client.query(q, &[]).await.unwrap();
                    data.push(format!("{:?}", rows.rows));
                }
                (format!("{results:?}"), data)
            })
        };
        let (fast, slow) = (run(script.clone()), run(general));
        if fast != slow {
            let (a, b) = (format!("{fast:?}"), format!("{slow:?}"));
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "{rows_per_statement} rows per statement: fast {} / general {}",
                &a[at.saturating_sub(200)..(at + 200).min(a.len())],
                &b[at.saturating_sub(200)..(at + 200).min(b.len())]
            );
        }
        assert!(
            (rows_per_statement == 20) == (script.len() > 256 * 1024),
            "both the whole and the streamed reading are exercised"
        );
    }
}

/// A syntax error late in a streamed script of bulk INSERTs is found before anything runs, with its
/// position in the whole script.
#[test]
fn execute_checks_a_streamed_bulk_script_before_running_it() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let row = "(1, 'some text to make the script long enough to be streamed')";
    let statement = format!(
        "INSERT INTO t (a, b) VALUES {};\n",
        vec![row; 100].join(", ")
    );
    let mut sql = statement.repeat(60);
    sql.push_str("SELECT (1;\n");
    assert!(sql.len() > 256 * 1024);
    rt.block_on(async {
        let client = sqlmongo::Client::embedded();
        let err = client.execute(&sql, &[]).await.unwrap_err().to_string();
        assert!(err.starts_with("syntax error at 61:10"), "{err}");
        let n = client.query("SELECT COUNT(*) FROM t", &[]).await.unwrap();
        assert_eq!(format!("{:?}", n.rows), "[[Int32(0)]]");
    });
}

/// Declared tables of every column type the translator types (with DEFAULTs and a NOT NULL), whose INSERTs
/// of literals are planned from the literals typed by their columns (`translate::literal_insert::
/// declared_plan`), or, when a DEFAULT is not a constant (`typed_now`'s `now()`), from the tree built
/// from the literals (`LiteralInsert::to_statement`) through the general translator.
const DECLARED: &str =
    "CREATE TABLE typed (i INT, b BIGINT, n NUMERIC, d DOUBLE PRECISION, s TEXT, f BOOLEAN, \
     t TIMESTAMPTZ, j JSONB, k TEXT NOT NULL DEFAULT 'x', m INT DEFAULT 7, tag TEXT[]); \
     CREATE TABLE typed_more (v VARCHAR(3), ts TIMESTAMP, nn INT NOT NULL, x NUMERIC DEFAULT 1.50, \
     e TEXT DEFAULT 'a', z BIGINT DEFAULT -2, w DOUBLE PRECISION DEFAULT 2, g BOOLEAN DEFAULT 'yes', \
     q JSONB DEFAULT '{\"a\": 1}', h TIMESTAMPTZ DEFAULT '2026-01-01 00:00:00'); \
     CREATE TABLE typed_now (i INT, at TIMESTAMPTZ DEFAULT now(), s TEXT)";

/// The columns of each table of [`DECLARED`].
const TABLES: &[(&str, &[&str])] = &[
    (
        "typed",
        &["i", "b", "n", "d", "s", "f", "t", "j", "k", "m", "tag"],
    ),
    (
        "typed_more",
        &["v", "ts", "nn", "x", "e", "z", "w", "g", "q", "h"],
    ),
    ("typed_now", &["i", "at", "s"]),
];

/// The session time zones the declared statements are translated in.
const ZONES: &[&str] = &["UTC", "Europe/Berlin", "-05:30"];

fn typed_literal() -> impl Strategy<Value = String> {
    // Weighted so that most rows translate (a whole row of values that fold), and many do not.
    prop_oneof![
        2 => literal(),
        3 => prop_oneof![Just("NULL".to_string()), "-?[0-9]{1,3}"],
        2 => prop_oneof![
            Just("NULL".to_string()),
            "-?[0-9]{1,4}",
            "[0-9]{1,3}\\.[0-9]{1,2}",
            Just("-0".to_string()),
            Just("1e3".to_string()),
            Just("2.5".to_string()),
            Just("-2.5".to_string()),
            Just("0.5".to_string()),
            Just("1.50".to_string()),
            Just("+5".to_string()),
            Just("2147483648".to_string()),
            Just("-2147483649".to_string()),
            Just("9223372036854775808".to_string()),
            Just("1e400".to_string()),
        ],
        3 => prop_oneof![
            Just("'2026-12-06 10:00:00+02'".to_string()),
            Just("'2026-12-06 10:00:00'".to_string()),
            Just("'2026-12-06T10:00:00Z'".to_string()),
            Just("'2026-03-29 02:30:00'".to_string()),
            Just("'2026-10-25 02:30:00'".to_string()),
            Just("'2026-12-06'".to_string()),
            Just("'infinity'".to_string()),
            Just("'-infinity'".to_string()),
            Just("'not a time'".to_string()),
            Just("'t'".to_string()),
            Just("'yes'".to_string()),
            Just("'on'".to_string()),
            Just("' OFF '".to_string()),
            Just("'maybe'".to_string()),
            Just("'42'".to_string()),
            Just("'  42 '".to_string()),
            Just("' 7 '".to_string()),
            Just("'2.5'".to_string()),
            Just("'1e3'".to_string()),
            Just("'-0'".to_string()),
            Just("'1.50'".to_string()),
            Just("'9223372036854775808'".to_string()),
            Just("'NaN'".to_string()),
            Just("'-Infinity'".to_string()),
            Just("'abcdef'".to_string()),
            Just("'ab'".to_string()),
            Just("'{\"a\": [1, 2.5]}'".to_string()),
            Just("'[1, null, \"x\"]'".to_string()),
            Just("'\"s\"'".to_string()),
            Just("'null'".to_string()),
            Just("'{\"$x\": 1}'".to_string()),
            Just("'{\"a.b\": 1}'".to_string()),
            Just("'12345678901'".to_string()),
            Just("'{oops'".to_string()),
            Just("'{a,b}'".to_string()),
            Just("''".to_string()),
        ],
    ]
}

/// An INSERT of literals into one of the [`DECLARED`] tables, and the session time zone (an index into
/// [`ZONES`]) to translate it in.
fn declared_statement() -> impl Strategy<Value = (String, usize)> {
    (0..TABLES.len(), 0..ZONES.len(), any::<bool>())
        .prop_flat_map(|(table, zone, keyword_case)| {
            let all = TABLES[table].1;
            let columns =
                proptest::sample::subsequence(all.to_vec(), 1..all.len().min(4) + 1).prop_shuffle();
            (Just((table, zone, keyword_case)), columns)
        })
        .prop_flat_map(|((table, zone, keyword_case), columns)| {
            let n = columns.len();
            let rows =
                proptest::collection::vec(proptest::collection::vec(typed_literal(), n), 1..4);
            (Just((table, zone, keyword_case, columns)), rows)
        })
        .prop_map(|((table, zone, keyword_case, columns), rows)| {
            let rows: Vec<String> = rows.iter().map(|r| format!("({})", r.join(", "))).collect();
            let insert = if keyword_case {
                "INSERT INTO"
            } else {
                "insert into"
            };
            let sql = format!(
                "{insert} {} ({}) VALUES {}",
                TABLES[table].0,
                columns.join(", "),
                rows.join(", ")
            );
            (sql, zone)
        })
}

/// A client per [`ZONES`] zone on one engine where [`DECLARED`] ran.
fn declared_clients(rt: &tokio::runtime::Runtime) -> Vec<sqlmongo::Client> {
    let engine = sqlmongo::engine::Engine::in_memory();
    ZONES
        .iter()
        .enumerate()
        .map(|(i, zone)| {
            let client = sqlmongo::Client::with_engine(engine.clone(), "sqlmongo");
            if i == 0 {
                rt.block_on(client.execute(DECLARED, &[])).unwrap();
            }
            rt.block_on(client.execute(&format!("SET TIME ZONE '{zone}'"), &[]))
                .unwrap();
            client
        })
        .collect()
}

/// The plan of `sql` from the literals typed by their columns (`declared_plan`, `None`: not taken).
fn typed_plan(
    rt: &tokio::runtime::Runtime,
    client: &sqlmongo::Client,
    sql: &str,
) -> Option<sqlmongo::mql::StatementPlan> {
    let ins = scan(sql)?;
    rt.block_on(async {
        let catalog = sqlmongo::client::catalog::fetch(
            client.backend().as_ref(),
            client.database(),
            &[ins.table.to_string()],
        )
        .await
        .unwrap();
        sqlmongo::translate::literal_insert::declared_plan(
            &ins,
            &std::sync::Arc::new(catalog),
            client.time_zone().as_deref(),
        )
    })
}

/// The fast plan of `sql` (`None`: the general path) and the general translation's, on a client where
/// [`DECLARED`] ran.
fn fast_and_general(
    rt: &tokio::runtime::Runtime,
    client: &sqlmongo::Client,
    sql: &str,
) -> (
    Option<sqlmongo::mql::StatementPlan>,
    Result<sqlmongo::mql::StatementPlan, String>,
) {
    rt.block_on(async {
        let fast = client.literal_insert_plan(sql).await.unwrap();
        let general = match sqlmongo::sql::parse(sql) {
            Ok(mut parsed) if parsed.len() == 1 => {
                let (stmt, text) = parsed.remove(0);
                client
                    .translate_statement(&stmt, &text)
                    .await
                    .map_err(|e| e.to_string())
            }
            Ok(_) => Err("not one statement".to_string()),
            Err(e) => Err(e.to_string()),
        };
        (fast, general)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Into a declared table, the plan from the literals is the general translation's (typed values,
    /// DEFAULTs of the columns left out), in every session time zone; a statement the translator refuses
    /// gets no fast plan (the general path reports it).
    #[test]
    fn the_declared_fast_plan_is_the_general_plan((sql, zone) in declared_statement()) {
        thread_local! {
            static CLIENTS: (tokio::runtime::Runtime, Vec<sqlmongo::Client>) = {
                let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
                let clients = declared_clients(&rt);
                (rt, clients)
            };
        }
        CLIENTS.with(|(rt, clients)| {
            let client = &clients[zone];
            let (fast, general) = fast_and_general(rt, client, &sql);
            let typed = typed_plan(rt, client, &sql);
            // Plans compared as printed: a NaN (`'NaN'` into double precision) is not equal to itself.
            match (&typed, &fast) {
                (Some(t), Some(f)) => prop_assert_eq!(format!("{t:?}"), format!("{f:?}"), "{}", sql),
                (Some(_), None) => prop_assert!(false, "typed plan not used: {}", sql),
                _ => {}
            }
            match (fast, general) {
                (None, _) => Ok(()),
                (Some(f), Ok(g)) => {
                    prop_assert_eq!(format!("{f:?}"), format!("{g:?}"), "{} (time zone {})", sql, ZONES[zone]);
                    Ok(())
                }
                (Some(f), Err(e)) => {
                    prop_assert!(false, "fast path accepted what the general path refuses ({e}): {sql}\n{f:?}");
                    Ok(())
                }
            }
        })?;
    }

    /// The tree built from a scanned statement's literals is the parser's tree (spans aside).
    #[test]
    fn the_built_tree_is_the_parsed_tree(sql in statement()) {
        if let Some(ins) = scan(&sql) {
            if let Ok(mut parsed) = sqlmongo::sql::parse(&sql) {
                let built = ins.to_statement();
                prop_assert!(built.is_some(), "{}", sql);
                if let (Some((built, text)), 1) = (built, parsed.len()) {
                    let (stmt, parsed_text) = parsed.remove(0);
                    prop_assert_eq!(built, stmt, "{}", sql);
                    prop_assert_eq!(text.text, parsed_text.text, "{}", sql);
                }
            }
        }
    }
}

/// The declared fast paths are taken for most generated statements (the property above is not vacuous):
/// the typed plan for most, the built tree for the table whose DEFAULT is `now()`; and a refused value
/// still fails with its position through `execute`.
#[test]
fn declared_inserts_take_the_fast_path() {
    use proptest::strategy::ValueTree;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let clients = declared_clients(&rt);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut accepted, mut typed, total) = (0, 0, 600);
    for _ in 0..total {
        let (sql, zone) = declared_statement()
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let client = &clients[zone];
        if fast_and_general(&rt, client, &sql).0.is_some() {
            accepted += 1;
        }
        if typed_plan(&rt, client, &sql).is_some() {
            typed += 1;
        }
    }
    eprintln!("declared: {accepted} fast, {typed} typed, of {total}");
    assert!(
        accepted * 6 > total && typed * 8 > total,
        "only {accepted} (typed: {typed}) of {total} took the fast path"
    );
    let client = &clients[0];
    let sql = "INSERT INTO typed (i, s) VALUES (1, 'a'), (2, 'b')";
    let (fast, general) = fast_and_general(&rt, client, sql);
    assert_eq!(fast.expect("fast"), general.expect("general"));
    assert!(typed_plan(&rt, client, sql).is_some());
    let sql = "INSERT INTO typed_now (i) VALUES (1), (2)";
    let (fast, general) = fast_and_general(&rt, client, sql);
    assert_eq!(fast.expect("fast"), general.expect("general"));
    assert!(
        typed_plan(&rt, client, sql).is_none(),
        "now() is no constant"
    );
    let err = rt
        .block_on(client.execute(
            "INSERT INTO typed (i, t) VALUES (1, '2026-12-06'), (2, 'not a time')",
            &[],
        ))
        .unwrap_err()
        .to_string();
    assert!(err.contains("1:") && err.contains("not a time"), "{err}");
}
