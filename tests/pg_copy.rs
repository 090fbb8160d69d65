//! COPY against PostgreSQL's own COPY: the same CSV / text file loaded by PostgreSQL (psql's `\copy`) and by
//! sqlmongo into the same table, then exported by both; the exported files must be equal byte for byte (and
//! equal to the file loaded, which is written in PostgreSQL's output form). Hand-written files hold the
//! cases PostgreSQL defines (NULL versus '', quotes, delimiters and newlines in values, unicode, timestamps,
//! floats, numeric scale, jsonb); generated files (a seeded generator, several seeds) cover the rest.
//!
//! Skipped loudly (every case ignored) when psql / the server is missing; a failure with
//! `SQLMONGO_REQUIRE_ORACLES=1`. Connection: the usual PG* variables, psql from `SQLMONGO_PSQL`.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn psql_path() -> String {
    std::env::var("SQLMONGO_PSQL").unwrap_or_else(|_| "psql".to_string())
}

fn psql(script: &str) -> Result<String, String> {
    let mut child = Command::new(psql_path())
        .args(["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"])
        .env("PGTZ", "UTC")
        .env("PGCLIENTENCODING", "UTF8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", psql_path()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .map_err(|e| format!("writing to psql: {e}"))?;
    }
    let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "psql failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sqlmongo-pg-copy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

fn q(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "''"))
}

const COLUMNS: &str = "(sid text, uid integer, big bigint, ts timestamptz, amount numeric, \
                       score double precision, ok boolean, data jsonb)";

/// Loads `input` with `options` into a fresh table on both systems, exports it with each of `exports` (COPY
/// option lists) and compares the files; each export must also equal `input` when `expect_same` says so.
fn round_trip(
    name: &str,
    input: &str,
    load_options: &str,
    exports: &[(&str, bool)],
) -> Result<(), Failed> {
    round_trip_into(name, COLUMNS, "", input, load_options, exports)
}

/// [`round_trip`] into a table declared with `columns`, loading only the columns of `load_list` (`""`: all).
fn round_trip_into(
    name: &str,
    columns: &str,
    load_list: &str,
    input: &str,
    load_options: &str,
    exports: &[(&str, bool)],
) -> Result<(), Failed> {
    let dir = scratch(name);
    let file = dir.join("in");
    std::fs::write(&file, input).map_err(|e| e.to_string())?;
    let table = format!("pg_copy_{name}");
    let mut pg_script = format!(
        "SET client_min_messages = warning;\nDROP TABLE IF EXISTS {table};\nCREATE TABLE {table} {columns};\n\\copy {table} {load_list} FROM {} {load_options}\n",
        q(&file)
    );
    for (i, (opts, _)) in exports.iter().enumerate() {
        pg_script.push_str(&format!(
            "\\copy {table} TO {} {opts}\n",
            q(&dir.join(format!("pg{i}")))
        ));
    }
    pg_script.push_str(&format!("DROP TABLE {table};\n"));
    psql(&pg_script)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let client = sqlmongo::Client::embedded();
        client
            .execute(&format!("CREATE TABLE {table} {columns}"), &[])
            .await
            .map_err(|e| e.to_string())?;
        sqlmongo::copy::copy_sql(
            &client,
            &format!("COPY {table} {load_list} FROM {} {load_options}", q(&file)),
        )
        .await
        .map_err(|e| format!("sqlmongo COPY FROM: {e}"))?;
        for (i, (opts, _)) in exports.iter().enumerate() {
            sqlmongo::copy::copy_sql(
                &client,
                &format!("COPY {table} TO {} {opts}", q(&dir.join(format!("sm{i}")))),
            )
            .await
            .map_err(|e| format!("sqlmongo COPY TO ({opts}): {e}"))?;
        }
        Ok::<(), String>(())
    })?;
    for (i, (opts, same_as_input)) in exports.iter().enumerate() {
        let pg = std::fs::read_to_string(dir.join(format!("pg{i}"))).map_err(|e| e.to_string())?;
        let sm = std::fs::read_to_string(dir.join(format!("sm{i}"))).map_err(|e| e.to_string())?;
        if pg != sm {
            let diff = similar::TextDiff::from_lines(&pg, &sm)
                .unified_diff()
                .header("PostgreSQL", "sqlmongo")
                .to_string();
            return Err(format!("COPY TO {opts}: the files differ\n{diff}").into());
        }
        if *same_as_input && pg != input {
            let diff = similar::TextDiff::from_lines(input, &pg)
                .unified_diff()
                .header("input", "PostgreSQL")
                .to_string();
            return Err(format!("COPY TO {opts}: not the input back\n{diff}").into());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Hand-written: every rule of PostgreSQL's CSV.
const CSV: &str = "sid,uid,big,ts,amount,score,ok,data\n\
s1,7,9000000000,2024-01-02 10:00:00+00,1.50,1.5,t,\"{\"\"a\"\": [1, 2]}\"\n\
\"\",,,,,,,\n\
\"a,b\",-3,0,2024-01-02 10:00:00.5+00,0.001,1e-05,f,\"\"\"x\"\"\"\n\
\"line\nbreak\",0,1,1999-12-31 23:59:59.999+00,-12,1e+20,t,[]\n\
\"quote\"\"d\",1,1,2024-02-29 00:00:00+00,100,-0.25,f,{}\n\
héllo ☃ 日本,2,-9223372036854775808,1970-01-01 00:00:00+00,3.14159,0.1,t,\"{\"\"k\"\": \"\"ü\"\"}\"\n\
\"cr\rhere\",2147483647,2,2100-06-30 12:34:56.78+00,0,123456789012345,f,true\n\
\\.x,-2147483648,3,2024-01-02 10:00:00.001+00,1000000.000001,-1.7976931348623157e+308,t,\"[\"\"\\\\\"\"]\"\n";

/// Loose input PostgreSQL accepts and normalises (spaces, booleans, exponents, zones).
const LOOSE_CSV: &str = "s1, 7 ,1,2024-01-02T10:00:00Z,1e3,1E2,yes,\"{\"\"a\"\":1}\"\n\
s2,+8,2,2024-01-02 12:00:00+02,+1.0,.5,off,\"\"\"s\"\"\"\n\
s3,9,3,2024-01-02,-.5,-0,FALSE,\"[1,2]\"\n";

/// A seeded generator (xorshift), so every run checks the same files.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a", "Z", "0", " ", ",", "\"", "'", "\\", "\t", "\n", "\r", "\\N", "NULL", "é", "☃",
            "日", "\u{1}", "\u{8}", "\u{b}", "\u{c}", ";", "|", "x\"y", "\\.",
        ];
        let n = self.below(8);
        (0..n)
            .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
            .collect()
    }
    fn float(&mut self) -> f64 {
        loop {
            let f = match self.below(4) {
                0 => f64::from_bits(self.next()),
                1 => (self.below(2_000_000) as f64 - 1e6) / 1000.0,
                2 => (self.below(1000) as f64 + 1.0) * 10f64.powi(self.below(40) as i32 - 20),
                _ => self.below(100) as f64 / 7.0,
            };
            if f.is_finite() {
                return f;
            }
        }
    }
}

/// A generated table's rows as typed values, written in PostgreSQL's output form by sqlmongo's own writer
/// functions for the text / CSV syntax and value text (so the input is already what both systems write).
fn generated(seed: u64, csv: bool) -> String {
    use bson::Bson;
    use sqlmongo::copy::values::to_text;
    let mut g = Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let opts = {
        let stmt = format!(
            "COPY t TO 'x' (FORMAT {})",
            if csv { "csv" } else { "text" }
        );
        let parsed = sqlmongo::sql::parse(&stmt).expect("parse");
        let Some((sqlmongo::sql::Statement::Copy(c), _)) = parsed.into_iter().next() else {
            panic!("not a COPY")
        };
        sqlmongo::copy::options::check(&c.options, true, None).expect("options")
    };
    let mut out = String::new();
    for _ in 0..200 {
        let null = |g: &mut Gen| g.below(6) == 0;
        let mut row: Vec<Option<String>> = Vec::new();
        row.push(if null(&mut g) { None } else { Some(g.text()) });
        row.push((!null(&mut g)).then(|| (g.next() as u32 as i32).to_string()));
        row.push((!null(&mut g)).then(|| (g.next() as i64).to_string()));
        row.push((!null(&mut g)).then(|| {
            let ms = g.below(4_102_444_800_000) as i64; // 1970 .. 2100
            to_text(&Bson::DateTime(bson::DateTime::from_millis(ms))).expect("text")
        }));
        row.push((!null(&mut g)).then(|| {
            let int = g.below(1_000_000_000);
            let scale = g.below(6) as usize;
            let frac = g.below(10u64.pow(scale as u32));
            let sign = if g.below(2) == 0 || (int == 0 && frac == 0) {
                ""
            } else {
                "-"
            };
            if scale == 0 {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac:0scale$}")
            }
        }));
        row.push((!null(&mut g)).then(|| to_text(&Bson::Double(g.float())).expect("text")));
        row.push((!null(&mut g)).then(|| if g.below(2) == 0 { "t" } else { "f" }.to_string()));
        row.push((!null(&mut g)).then(|| {
            let s = serde_json::Value::String(g.text()).to_string();
            format!("{{\"k\": {s}, \"n\": [{}, true, null]}}", g.below(1000))
        }));
        if csv {
            sqlmongo::copy::delimited::write_csv_row(&mut out, &row, &[], &opts);
        } else {
            sqlmongo::copy::delimited::write_text_row(&mut out, &row, &opts);
        }
    }
    out
}

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let seeds = [1u64, 2, 3, 4, 5];
    let mut names: Vec<String> = vec![
        "hand_written_csv".into(),
        "hand_written_text".into(),
        "loose_input_normalised".into(),
        "csv_options".into(),
    ];
    for s in seeds {
        names.push(format!("generated_csv_seed_{s}"));
        names.push(format!("generated_text_seed_{s}"));
    }
    match psql("SELECT 40 + 2;\n") {
        Ok(out) if out.trim() == "42" => {}
        Ok(out) => {
            return common::unavailable_as_ignored(
                &args,
                "PostgreSQL",
                &format!("unexpected answer {out:?}"),
                names,
            )
        }
        Err(why) => {
            let why = format!("PostgreSQL not reachable through `{}`: {why}", psql_path());
            return common::unavailable_as_ignored(&args, "PostgreSQL", &why, names);
        }
    }
    let mut trials = vec![
        Trial::test("declared_defaults_fill_the_columns_left_out", || {
            // The DEFAULTs of the columns the column list leaves out (an untyped literal takes the
            // column's type; NOT NULL satisfied by its default); exported whole by both.
            round_trip_into(
                "defaults",
                "(sid text, n integer DEFAULT '7', big bigint DEFAULT 40 + 2, ok boolean NOT NULL \
                 DEFAULT true, note text DEFAULT 'none', amount numeric DEFAULT '1.50', \
                 ts timestamptz DEFAULT '2024-01-02 10:00:00+02', nothing integer, data jsonb \
                 DEFAULT '{\"a\": [1]}')",
                "(sid, note)",
                "s1,given\ns2,\n\"\",x\n",
                "(FORMAT csv)",
                &[("(FORMAT csv, HEADER)", false), ("(FORMAT text)", false)],
            )
        }),
        Trial::test("hand_written_csv", || {
            round_trip(
                "hand_csv",
                CSV,
                "(FORMAT csv, HEADER)",
                &[
                    ("(FORMAT csv, HEADER)", true),
                    ("(FORMAT text)", false),
                    (
                        "(FORMAT csv, DELIMITER '|', NULL 'NULL', FORCE_QUOTE (sid, ok))",
                        false,
                    ),
                    (
                        "(FORMAT csv, QUOTE '''', ESCAPE '\\', FORCE_QUOTE *)",
                        false,
                    ),
                    ("(FORMAT text, DELIMITER ',', NULL '', HEADER)", false),
                ],
            )
        }),
        Trial::test("hand_written_text", || {
            let text = "a\\tb\\\\c\t1\t\\N\t2024-01-02 10:00:00+00\t\\N\t\\N\tt\t\\N\n\
                        \\N\t\\N\t5\t\\N\t1.0\t2.5\tf\t{\"a\": \"\\\\\\\\\"}\n\
                        line\\nbreak\\r \\b\\f\\v\t2\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n\
                        \\x41\\101\\7 é\t3\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n";
            round_trip(
                "hand_text",
                text,
                "",
                &[("", false), ("(FORMAT csv, HEADER)", false)],
            )
        }),
        Trial::test("loose_input_normalised", || {
            round_trip(
                "loose",
                LOOSE_CSV,
                "(FORMAT csv)",
                &[("(FORMAT csv)", false), ("(FORMAT text)", false)],
            )
        }),
        Trial::test("csv_options", || {
            let text = "sid;uid;big;ts;amount;score;ok;data\n\
                        'a;b';1;2;2024-01-02 10:00:00+00;1;2;t;[]\n\
                        NULL;'NULL';NULL;NULL;NULL;NULL;NULL;NULL\n\
                        'NULL';3;3;NULL;NULL;NULL;NULL;NULL\n\
                        'x\\'y';4;4;NULL;NULL;NULL;NULL;NULL\n";
            round_trip(
                "options",
                text,
                "(FORMAT csv, HEADER MATCH, DELIMITER ';', NULL 'NULL', QUOTE '''', ESCAPE '\\', \
                 FORCE_NOT_NULL (sid), FORCE_NULL (uid))",
                &[
                    ("(FORMAT csv)", false),
                    ("(FORMAT text)", false),
                    (
                        "(FORMAT csv, DELIMITER ';', NULL 'NULL', QUOTE '''', ESCAPE '\\', HEADER)",
                        false,
                    ),
                ],
            )
        }),
    ];
    for s in seeds {
        trials.push(Trial::test(format!("generated_csv_seed_{s}"), move || {
            let input = generated(s, true);
            round_trip(
                &format!("gen_csv_{s}"),
                &input,
                "(FORMAT csv)",
                &[("(FORMAT csv)", true), ("(FORMAT text)", false)],
            )
        }));
        trials.push(Trial::test(format!("generated_text_seed_{s}"), move || {
            let input = generated(s, false);
            round_trip(
                &format!("gen_text_{s}"),
                &input,
                "",
                &[("", true), ("(FORMAT csv, HEADER)", false)],
            )
        }));
    }
    libtest_mimic::run(&args, trials).exit_code()
}
