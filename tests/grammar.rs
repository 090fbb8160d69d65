//! The golden corpus: every `grammar-tests/<area>/<construct>.sql` file is one test. A file holds cases:
//!
//! ```text
//! -- case: <name>
//! <SQL>
//! -- expect:
//! <rendered commands, typed mongosh style>
//! ```
//!
//! or `-- error: <message>` instead of `-- expect:` for a refused statement. A file may start with
//! `-- catalog: <JSON>` lines (before its first case; the lines are joined): the cases of that file are
//! translated with that catalog of declared tables and views (`sqlmongo::translate::Catalog`, the format of
//! `sqlmongo translate --catalog`), as the client translates over a backend that holds them. `SQLMONGO_BLESS=1 cargo test
//! --test grammar` rewrites the expectations in place; review `git diff grammar-tests/` before committing.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

struct Case {
    name: String,
    line: usize,
    sql: String,
    expected: String,
}

/// The `-- catalog:` JSON of a file (the lines before the first case, joined).
fn file_catalog(text: &str) -> Option<String> {
    let mut json = String::new();
    for line in text.lines() {
        if line.starts_with("-- case:") {
            break;
        }
        if let Some(j) = line.strip_prefix("-- catalog:") {
            json.push_str(j.trim());
            json.push('\n');
        }
    }
    (!json.is_empty()).then_some(json)
}

fn parse_file(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    let mut in_expect = false;
    for (i, line) in text.lines().enumerate() {
        if let Some(name) = line.strip_prefix("-- case:") {
            if let Some(c) = cur.take() {
                cases.push(c);
            }
            cur = Some(Case {
                name: name.trim().to_string(),
                line: i + 1,
                sql: String::new(),
                expected: String::new(),
            });
            in_expect = false;
            continue;
        }
        let Some(c) = cur.as_mut() else {
            if line.trim().is_empty() || line.starts_with("--") {
                continue;
            }
            return Err(format!("line {}: text before the first `-- case:`", i + 1));
        };
        if line == "-- expect:" {
            in_expect = true;
            continue;
        }
        if let Some(msg) = line.strip_prefix("-- error:") {
            in_expect = true;
            c.expected.push_str(&format!("error: {}\n", msg.trim()));
            continue;
        }
        if in_expect {
            c.expected.push_str(line);
            c.expected.push('\n');
        } else {
            c.sql.push_str(line);
            c.sql.push('\n');
        }
    }
    if let Some(c) = cur.take() {
        cases.push(c);
    }
    Ok(cases)
}

/// What the translator produces for a case, in the file's notation.
fn render(sql: &str, catalog: Option<&str>) -> String {
    let catalog = match catalog.map(sqlmongo::translate::Catalog::from_json) {
        None => sqlmongo::translate::Catalog::new(),
        Some(Ok(c)) => c,
        Some(Err(e)) => return format!("error: bad -- catalog: {e}\n"),
    };
    match sqlmongo::translate::translate_with_catalog(sql, &std::sync::Arc::new(catalog)) {
        Ok(plan) => {
            let mut out = String::new();
            for s in &plan.statements {
                out.push_str(&s.to_golden());
            }
            out
        }
        Err(e) => format!("error: {e}\n"),
    }
}

fn write_file(cases: &[(Case, String)], catalog: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(json) = catalog {
        for line in json.lines() {
            out.push_str(&format!("-- catalog: {line}\n"));
        }
        out.push('\n');
    }
    for (i, (c, actual)) in cases.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("-- case: {}\n", c.name));
        out.push_str(c.sql.trim_end());
        out.push('\n');
        match actual.strip_prefix("error: ") {
            Some(msg) => out.push_str(&format!("-- error: {}\n", msg.trim_end())),
            None => {
                out.push_str("-- expect:\n");
                out.push_str(actual);
            }
        }
    }
    out
}

fn run_file(path: &Path, bless: bool) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let cases = parse_file(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if cases.is_empty() {
        return Err(format!("{}: no cases", path.display()).into());
    }
    let catalog = file_catalog(&text);
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for c in cases {
        let actual = render(&c.sql, catalog.as_deref());
        if actual.trim_end() != c.expected.trim_end() {
            let diff = similar::TextDiff::from_lines(c.expected.trim_end(), actual.trim_end());
            failures.push(format!(
                "{}:{}: case `{}`\n{}",
                path.display(),
                c.line,
                c.name,
                diff.unified_diff().header("expected", "actual")
            ));
        }
        results.push((c, actual));
    }
    if bless {
        let new = write_file(&results, catalog.as_deref());
        if new != text {
            std::fs::write(path, new).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        return Ok(());
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n").into())
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "sql") {
            out.push(p);
        }
    }
}

/// docs/corpus.md: every golden case, its SQL and its translation (or refusal), generated from the corpus.
fn corpus_doc(files: &[PathBuf], root: &Path) -> String {
    let mut out = String::from(
        "# The golden corpus\n\nGenerated from `grammar-tests/` by `SQLMONGO_BLESS=1 cargo test --test grammar`; \
         do not edit. Each case shows the SQL and the exact MongoDB commands (typed mongosh notation: \
         `NumberLong(...)` is int64, plain integers are int32, `{\"$param\": n}` is parameter n) or the refusal.\n",
    );
    for f in files {
        let name = f
            .strip_prefix(root)
            .unwrap_or(f)
            .with_extension("")
            .display()
            .to_string();
        out.push_str(&format!("\n## {name}\n"));
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Ok(cases) = parse_file(&text) else {
            continue;
        };
        let catalog = file_catalog(&text);
        if let Some(json) = &catalog {
            out.push_str(&format!(
                "\nTranslated with the catalog (`-- catalog:`):\n\n```json\n{}\n```\n",
                json.trim_end()
            ));
        }
        for c in cases {
            out.push_str(&format!(
                "\n### {}\n\n```sql\n{}\n```\n\n```js\n{}\n```\n",
                c.name,
                c.sql.trim_end(),
                render(&c.sql, catalog.as_deref()).trim_end()
            ));
        }
    }
    out
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests");
    let bless = std::env::var("SQLMONGO_BLESS").is_ok_and(|v| v == "1");
    let mut trials = Vec::new();
    let mut files = Vec::new();
    collect(&root, &mut files);
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/corpus.md");
    {
        let files = files.clone();
        let root = root.clone();
        trials.push(Trial::test(
            "docs/corpus.md is generated from the corpus",
            move || {
                let want = corpus_doc(&files, &root);
                if bless {
                    std::fs::write(&doc_path, &want).map_err(|e| format!("{e}"))?;
                    return Ok(());
                }
                let have = std::fs::read_to_string(&doc_path).unwrap_or_default();
                if have == want {
                    Ok(())
                } else {
                    Err(
                        "docs/corpus.md is stale: run SQLMONGO_BLESS=1 cargo test --test grammar"
                            .into(),
                    )
                }
            },
        ));
    }
    let mut total = 0;
    for f in files {
        let name = f
            .strip_prefix(&root)
            .unwrap_or(&f)
            .with_extension("")
            .display()
            .to_string();
        total += std::fs::read_to_string(&f)
            .map(|t| t.matches("-- case:").count())
            .unwrap_or(0);
        trials.push(Trial::test(name, move || run_file(&f, bless)));
    }
    eprintln!("grammar corpus: {total} cases in {} files", trials.len());
    libtest_mimic::run(&args, trials).exit();
}
