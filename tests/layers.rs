//! The architecture's layers, enforced: each top-level module of `src/` may name only the crate modules
//! docs/architecture.md draws below it. Data flows one way (text -> AST -> Plan -> command documents ->
//! backend -> rows), and the embedded engine knows nothing of SQL.
//!
//! The check reads the source text: every `crate::NAME` path and every name inside `use crate::{...}`, in
//! the code outside `#[cfg(test)]` modules (a module's unit tests may drive it through a higher layer, e.g.
//! the executor's tests translate SQL). A new import across a layer fails here with the file and line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Which crate-level names each layer may use besides its own. `Error` is the crate's error type
/// (src/error.rs), which wraps every layer's error and so sits above them.
fn allowed(layer: &str) -> Option<&'static [&'static str]> {
    Some(match layer {
        // Depends on bson/std/tokio and its own modules only.
        // `command_error`: MongoDB's reply errors and their code table, below every layer that speaks MongoDB.
        "engine" => &["command_error"],
        "command_error" => &[],
        // The front end: sqlparser plus our extension statements.
        "sql" => &[],
        // The command model: no I/O, no SQL, no backend.
        "mql" => &[],
        // SQL AST -> Plan. `Error`: the public entry `translate(sql)` returns the crate's error (a parse error
        // or a translation error).
        "translate" => &["sql", "mql", "Error"],
        // Backends run command documents; `command_error::CommandError` is the reply error both backends use.
        // Only the embedded backend may use the engine:
        "driver" => &["mql", "command_error", "engine", "Error", "error"],
        // the real-MongoDB path does not (it compiles without the engine's internals).
        "driver/mongo" => &["driver", "mql", "command_error", "Error", "error"],
        // The wire protocol over the engine.
        "server" => &["engine", "command_error"],
        // The library API: parse, translate, execute.
        "client" => &[
            "sql",
            "translate",
            "mql",
            "driver",
            "engine",
            "command_error",
            "Error",
            "error",
        ],
        "error" => &["sql", "translate", "mql", "command_error"],
        // The tower-sessions store: a user of the library API, like the surfaces, but only of it (SQL through
        // `Client`, its errors).
        "sessions" => &[
            "Client",
            "PreparedStatement",
            "RowExt",
            "client",
            "driver",
            "Error",
            "error",
        ],
        // Surfaces may use everything.
        "cli" | "lib" | "main" => return None,
        _ => return None,
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer a file belongs to: its first path component under src/ (`engine/...` -> "engine",
/// `client.rs` -> "client").
fn layer_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The text of a file without its `#[cfg(test)] mod ... { ... }` blocks (brace-matched; braces inside
/// strings are rare enough in this codebase's test modules that a miscount would show as a failure here).
fn without_test_modules(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find('{') else {
            rest = "";
            break;
        };
        // Only skip a module (or item) whose body follows directly.
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Every crate-level name the code refers to, with its 1-based line: `crate::NAME...` and the names in
/// `use crate::{A, B::c, ...}`.
fn crate_names(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        // Skip doc links and comments: the line's text before the match starts with `//`.
        let line_start = code[..at].rfind('\n').map_or(0, |i| i + 1);
        if code[line_start..at].trim_start().starts_with("//") {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let after = &code[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // Nested groups (`{a::{b, c}, d}`) keep their first segment only; good enough for top-level names.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        push_first_segment(&item, line, &mut found);
                        item.clear();
                    }
                    _ => item.push(c),
                }
            }
            push_first_segment(&item, line, &mut found);
        } else {
            push_first_segment(after, line, &mut found);
        }
    }
    found
}

fn push_first_segment(path: &str, line: usize, found: &mut Vec<(usize, String)>) {
    let name: String = path
        .trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !name.is_empty() && name != "self" {
        found.push((line, name));
    }
}

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut checked = BTreeSet::new();
    for file in &files {
        let mut layer = layer_of(&src, file);
        if file.ends_with("driver/mongo.rs") {
            layer = "driver/mongo".to_string();
        }
        let Some(allowed) = allowed(&layer) else {
            continue;
        };
        checked.insert(layer.clone());
        let text = std::fs::read_to_string(file).expect("read source");
        for (line, name) in crate_names(&without_test_modules(&text)) {
            if name != layer && !allowed.contains(&name.as_str()) {
                violations.push(format!(
                    "{}:{line}: layer `{layer}` uses `crate::{name}`",
                    file.strip_prefix(&src).unwrap_or(file).display()
                ));
            }
        }
    }
    for layer in [
        "engine",
        "sql",
        "mql",
        "translate",
        "driver",
        "server",
        "client",
        "command_error",
        "driver/mongo",
        "sessions",
    ] {
        assert!(
            checked.contains(layer),
            "no file of layer {layer} was checked"
        );
    }
    assert!(
        violations.is_empty(),
        "imports across layers (see docs/architecture.md):\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_imports_across_layers() {
    let code = "use crate::{mql::Plan, engine::Engine};\nfn f() { crate::translate::translate(\"\"); }\n// crate::cli in a comment\n#[cfg(test)]\nmod tests { use crate::cli; }\n";
    let names: Vec<String> = crate_names(&without_test_modules(code))
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(names, ["mql", "engine", "translate"]);
}
