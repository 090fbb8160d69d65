//! The translator spells no MongoDB wire name: every `"$..."` (stage, operator, field path, variable) is built
//! by `src/mql` (`Stage`, `expr`, `filter`, `accumulator`, `update`), which renders the exact documents. This
//! reads the source of `src/translate/` outside `#[cfg(test)]` modules and comments, and fails with the file and
//! line of any string literal starting with `$`.

use std::path::{Path, PathBuf};

/// String literals that start with `$` but are not MongoDB: the SQL/JSON path root of `jsonb_path_query`.
const ALLOWED: &[(&str, &str)] = &[("json.rs", "\"$.\"")];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/translate") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `"$` literals of one file's non-test code: (line number, line).
fn wire_names(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.trim_start();
        // Unit tests sit at the end of a file, in one `#[cfg(test)]` module.
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let code = match code.find("//") {
            Some(k) if !code[..k].contains('"') => &code[..k],
            _ => code,
        };
        if code.contains("\"$") {
            out.push((i + 1, line.trim().to_string()));
        }
    }
    out
}

#[test]
fn translate_spells_no_wire_name() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/translate");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 20, "src/translate not found");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read source");
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        for (line, code) in wire_names(&text) {
            if ALLOWED
                .iter()
                .any(|(file, lit)| *file == name && code.contains(lit))
            {
                continue;
            }
            found.push(format!("{}:{line}: {code}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "wire names in src/translate (build them with crate::mql instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_wire_name() {
    let text = "fn f() -> Document {\n    doc! {\"$match\": {}}\n}\n// \"$comment\"\n#[cfg(test)]\nmod tests { \"$x\" }\n";
    assert_eq!(
        wire_names(text),
        vec![(2, "doc! {\"$match\": {}}".to_string())]
    );
}
