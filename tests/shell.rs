//! The shell's display and session commands through the binary (no terminal: widths are given with
//! `-P columns=N` / `\pset columns N`): tables wrapped to the width, psql's expanded display compared with
//! `psql -x` on the same rows (the PostgreSQL oracle: skipped loudly when psql or the server is missing, a
//! failure with `SQLMONGO_REQUIRE_ORACLES=1`), `\watch` with a count, `\o FILE`, `\set` variables bound as
//! parameters (an injection attempt stays a value), `-v`, and the README's main command at 80 and 120
//! columns.

mod common;

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

fn sqlmongo(args: &[&str], stdin: &str) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sqlmongo"));
    cmd.args(args)
        .env_remove("MONGODB_URI")
        .env_remove("COLUMNS")
        .env("SQLMONGO_HISTORY", scratch().join("history"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn sqlmongo");
    {
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for sqlmongo");
    Out {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// A fresh scratch directory.
fn scratch() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "shell-tests/{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The widest line, in characters (the table borders are one column each).
fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

const EXAMPLES: [&str; 3] = [
    "examples/sessions.sql",
    "examples/cache.sql",
    "examples/analytics.sql",
];

#[test]
fn the_readme_main_command_fits_80_and_120_columns() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let files: Vec<String> = EXAMPLES.iter().map(|f| format!("{manifest}/{f}")).collect();
    // Without a width (not a terminal): as before, one line per row, the dashboard row 1,000+ wide.
    let mut args = vec!["--format", "table", "run"];
    args.extend(files.iter().map(String::as_str));
    let plain = sqlmongo(&args, "");
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(widest(&plain.stdout) > 1000, "{}", widest(&plain.stdout));
    for width in [80usize, 120] {
        let columns = format!("columns={width}");
        let mut args = vec!["--format", "table", "-P", columns.as_str(), "run"];
        args.extend(files.iter().map(String::as_str));
        let out = sqlmongo(&args, "");
        assert_eq!(out.code, 0, "{}", out.stderr);
        let too_wide: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.chars().count() > width)
            .collect();
        assert!(
            too_wide.is_empty(),
            "lines wider than {width}: {too_wide:#?}"
        );
        // Nothing is lost: the dashboard's values are all there (wrapped), the monitor as records.
        assert!(out.stdout.contains("dashboard_title"));
        assert!(out.stdout.contains("System Performance Dashboard"));
        assert!(out.stdout.contains("-[ RECORD 1 ]"));
        assert_eq!(
            out.stdout.matches("ttl_turnover_rate").count(),
            plain.stdout.matches("ttl_turnover_rate").count()
        );
    }
}

#[test]
fn a_wide_table_wraps_its_cells_and_keeps_its_headers() {
    let long = "lorem ipsum ".repeat(20);
    let sql = format!(
        "CREATE COLLECTION c; INSERT INTO c (k, note) VALUES (1, '{long}'), (2, 'short'); \
         SELECT k, note FROM c ORDER BY k"
    );
    let out = sqlmongo(
        &[
            "--format",
            "table",
            "-P",
            "columns=60",
            "-P",
            "expanded=off",
            "exec",
            &sql,
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(widest(&out.stdout) <= 60, "{}", out.stdout);
    assert!(out.stdout.contains("│ k ┆ note"), "{}", out.stdout);
    assert!(out.stdout.contains("(2 rows)"));
    // Every word of the value is still there.
    assert_eq!(out.stdout.matches("lorem").count(), 20);
}

/// psql's output for a query, when PostgreSQL answers; `None` (skipped loudly) otherwise.
fn psql(args: &[&str], sql: &str) -> Option<String> {
    let psql = std::env::var("SQLMONGO_PSQL").unwrap_or_else(|_| "psql".to_string());
    let out = Command::new(&psql)
        .args(["-X", "-v", "ON_ERROR_STOP=1"])
        .args(args)
        .args(["-c", sql])
        .env("PGCLIENTENCODING", "UTF8")
        .output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => {
            let why = format!("psql failed: {}", String::from_utf8_lossy(&o.stderr).trim());
            assert_eq!(common::oracle_unavailable("PostgreSQL (psql -x)", &why), 0);
            None
        }
        Err(e) => {
            let why = format!("cannot start {psql}: {e}");
            assert_eq!(common::oracle_unavailable("PostgreSQL (psql -x)", &why), 0);
            None
        }
    }
}

#[test]
fn expanded_display_is_psqls_for_the_same_rows() {
    // Values print the same on both sides: integers, text (with a newline, a long one, a wide character),
    // NULL shown as NULL.
    let long = "abcdefghij ".repeat(6);
    let rows = [
        format!("(1, 'hello', 'two\nlines', '{long}')"),
        "(22, 'x', NULL, 'é漢字')".to_string(),
        "(333, '', 'a', 'b')".to_string(),
    ];
    let pg_sql = format!(
        "SELECT * FROM (VALUES {}) AS t(k, a_longer_name, note, text_value) ORDER BY k",
        rows.join(", ")
    );
    let sm_sql = format!(
        "CREATE COLLECTION t; INSERT INTO t (k, a_longer_name, note, text_value) VALUES {}; \
         SELECT k, a_longer_name, note, text_value FROM t ORDER BY k",
        rows.join(", ")
    );
    for (sm_width, pg_format) in [
        (None, vec!["-P", "format=aligned"]),
        (
            Some("columns=30"),
            vec!["-P", "format=wrapped", "-P", "columns=30"],
        ),
        (
            Some("columns=45"),
            vec!["-P", "format=wrapped", "-P", "columns=45"],
        ),
    ] {
        let mut args = vec!["--format", "table", "-x"];
        if let Some(w) = sm_width {
            args.extend(["-P", w]);
        }
        args.extend(["exec", sm_sql.as_str()]);
        let out = sqlmongo(&args, "");
        assert_eq!(out.code, 0, "{}", out.stderr);
        let records = &out.stdout[out.stdout.find("-[ RECORD 1 ]").expect("records")..];
        let mut pg_args = vec!["-x", "-P", "null=NULL"];
        pg_args.extend(pg_format.iter().copied());
        let Some(expected) = psql(&pg_args, &pg_sql) else {
            return;
        };
        assert_eq!(records, expected, "width {sm_width:?}");
    }
}

#[test]
fn expanded_toggles_in_the_repl_and_auto_picks_records_when_a_table_cannot_fit() {
    let input = "\
CREATE COLLECTION c;
INSERT INTO c (alpha_column, beta_column, gamma_column, delta_column) VALUES (1, 2, 3, 4);
\\x
SELECT alpha_column, beta_column FROM c;
\\x off
SELECT alpha_column, beta_column FROM c;
\\x auto
\\pset columns 40
SELECT alpha_column, beta_column, gamma_column, delta_column FROM c;
SELECT alpha_column FROM c;
\\pset border 2
";
    let out = sqlmongo(&["--format", "table", "repl"], input);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // `\x` from the default (auto) turns records on.
    let expected_first = "-[ RECORD 1 ]+--\nalpha_column | 1\nbeta_column  | 2\n\n";
    assert!(out.stdout.contains(expected_first), "{}", out.stdout);
    assert!(out.stdout.contains("│ alpha_column ┆ beta_column │"));
    // 4 columns of 12 characters do not fit 40: records; one column stays a table.
    assert!(out
        .stdout
        .contains("-[ RECORD 1 ]+--\nalpha_column | 1\nbeta_column  | 2\ngamma_column | 3\ndelta_column | 4\n"));
    assert!(
        out.stdout
            .ends_with("│ 1            │\n└──────────────┘\n(1 row)\n"),
        "{}",
        out.stdout
    );
    for message in [
        "Expanded display is on.",
        "Expanded display is off.",
        "Expanded display is used automatically.",
        "Target width is 40.",
        "unknown option \"border\"",
    ] {
        assert!(out.stderr.contains(message), "{message}: {}", out.stderr);
    }
}

#[test]
fn watch_runs_the_last_statement_count_times_with_psqls_title() {
    let input = "\
CREATE COLLECTION c;
INSERT INTO c (k) VALUES (1), (2);
SELECT COUNT(*) AS n FROM c;
\\watch i=0 c=3
SELECT k FROM c WHERE k = 1
\\watch c=2 0.01
\\watch c=0
";
    let out = sqlmongo(&["--format", "table", "repl"], input);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let title = regex::Regex::new(
        r"(?m)^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 1-3][0-9] \d\d:\d\d:\d\d \d{4} \(every (0|0\.01)s\)$",
    )
    .unwrap();
    assert_eq!(title.find_iter(&out.stdout).count(), 5, "{}", out.stdout);
    assert_eq!(out.stdout.matches("(every 0s)\n\n").count(), 3);
    // The statement before \watch once, then three more times; the pending one (no `;`) twice.
    assert_eq!(out.stdout.matches("│ n │").count(), 4, "{}", out.stdout);
    assert_eq!(out.stdout.matches("│ k │").count(), 2, "{}", out.stdout);
    assert!(out
        .stderr
        .contains("\\watch: incorrect iteration count \"0\""));
    // Nothing to watch yet.
    let empty = sqlmongo(&["repl"], "\\watch c=1\n");
    assert!(empty
        .stderr
        .contains("\\watch cannot be used with an empty query"));
    // A failing statement stops the watch after its first run.
    let failing = sqlmongo(
        &["repl"],
        "CREATE COLLECTION c;\nSELECT k FROM c WHERE;\n\\watch i=0 c=5\n",
    );
    assert_eq!(
        failing.stdout.matches("(every").count(),
        1,
        "{}",
        failing.stdout
    );
    assert_eq!(failing.stderr.matches("syntax error").count(), 2);
}

#[test]
fn output_goes_to_a_file_until_backslash_o_alone() {
    let dir = scratch();
    let file = dir.join("results.txt");
    std::fs::write(&file, "old content that \\o truncates\n").unwrap();
    let input = format!(
        "CREATE COLLECTION c;\nINSERT INTO c (k) VALUES (41);\n\\o {}\nSELECT k FROM c;\n\\d\n\\o\nSELECT k + 1 AS k FROM c;\n\\o {}/no/such/dir/x\n",
        file.display(),
        dir.display()
    );
    let out = sqlmongo(&["--format", "jsonl", "repl"], &input);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("{\"k\":41}\n"), "{written}");
    assert!(written.contains("\"collection\":\"c\""), "{written}");
    assert!(!written.contains("old content"));
    assert!(!out.stdout.contains("41"), "{}", out.stdout);
    assert!(out.stdout.contains("{\"k\":42}"), "{}", out.stdout);
    assert!(out.stderr.contains("error: \\o: "), "{}", out.stderr);
    // `\o |COMMAND`: results go to the command's input.
    let piped = dir.join("piped.txt");
    let input = format!(
        "CREATE COLLECTION c;\nINSERT INTO c (k) VALUES (7);\n\\o |sed 's/^/piped: /' > {}\nSELECT k FROM c;\n",
        piped.display()
    );
    let out = sqlmongo(&["--format", "jsonl", "repl"], &input);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&piped).unwrap(),
        "piped: {\"k\":7}\n"
    );
    // A command that stops reading does not end the session.
    let mut input = String::from("CREATE COLLECTION c;\n\\o |true\n");
    for _ in 0..200 {
        input.push_str("SELECT 'a longer value to fill the pipe buffer quickly' AS v;\n");
    }
    input.push_str("\\o\nSELECT 'after' AS v;\n");
    let out = sqlmongo(&["--format", "jsonl", "repl"], &input);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "{\"affected\":0}\n{\"v\":\"after\"}\n");
}

#[test]
fn variables_are_bound_as_parameters_never_spliced() {
    let input = "\
CREATE COLLECTION c;
INSERT INTO c (k, name) VALUES (1, 'one'), (2, 'two'), (3, '1; DROP COLLECTION c');
\\set n 2
\\set who 'one'
\\set evil '1; DROP COLLECTION c'
\\set coll c
\\set field name
SELECT k FROM c WHERE k = :n;
SELECT k FROM :\"coll\" WHERE :\"field\" = :'who';
SELECT k FROM c WHERE name = :evil;
SELECT k::text AS t FROM c WHERE name = ':evil' OR k = :n;
\\set
\\unset n
SELECT k FROM c WHERE k = :n;
SELECT COUNT(*) AS n FROM c;
";
    let out = sqlmongo(&["--format", "json", "repl"], input);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rows = |i: usize| lines[i]["rows"].clone();
    assert_eq!(rows(2), serde_json::json!([[2]]), "{}", out.stdout);
    assert_eq!(rows(3), serde_json::json!([[1]]));
    // The injection attempt is a value: it matches the row holding that text, and c still exists.
    assert_eq!(rows(4), serde_json::json!([[3]]));
    // ':evil' in a string literal is text; `::` is a cast.
    assert_eq!(rows(5), serde_json::json!([["2"]]));
    // The listing, sorted by name, quoted as psql does.
    assert!(out.stdout.contains(
        "coll = 'c'\nevil = '1; DROP COLLECTION c'\nfield = 'name'\nn = '2'\nwho = 'one'"
    ));
    // After \unset, :n is left as written: an error at its position.
    assert!(
        out.stderr.contains("<stdin>:14:27: invalid parameter :n"),
        "{}",
        out.stderr
    );
    assert_eq!(lines.last().unwrap()["rows"], serde_json::json!([[3]]));
}

#[test]
fn dash_v_sets_variables_for_scripts_and_bad_options_fail_early() {
    let dir = scratch();
    let script = dir.join("s.sql");
    std::fs::write(
        &script,
        "CREATE COLLECTION c;\nINSERT INTO c (k, flag) VALUES (1, true), (2, false), (3, true);\n\
         SELECT k FROM c WHERE flag = :flag AND k > :min ORDER BY k;\n",
    )
    .unwrap();
    let path = script.to_string_lossy().into_owned();
    let out = sqlmongo(
        &[
            "--format",
            "jsonl",
            "-v",
            "flag=true",
            "--set",
            "min=1",
            "run",
            &path,
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with("{\"k\":3}\n"), "{}", out.stdout);
    for bad in [
        vec!["-v", "not-a-name=1"],
        vec!["-P", "columns=wide"],
        vec!["-P", "border=2"],
    ] {
        let mut args = bad.clone();
        args.extend(["run", &path]);
        let out = sqlmongo(&args, "");
        assert_eq!(out.code, 2, "{bad:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}
