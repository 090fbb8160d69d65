//! Shared support for the differential oracle suites (`tests/pg_oracle.rs`, `tests/mingo_oracle.rs`).
//!
//! In: results from sqlmongo (BSON) and from an oracle (JSON); out: a verdict with a readable difference.
//! Also holds the skip policy: an oracle whose tool is missing is skipped LOUDLY, or fails the run when
//! `SQLMONGO_REQUIRE_ORACLES=1` (CI sets it). Depends on bson / serde_json / std only.
#![allow(dead_code)] // each suite uses a different part of this module

pub mod compare;

/// True when a missing oracle tool must fail the run instead of skipping the suite.
pub fn oracles_required() -> bool {
    std::env::var("SQLMONGO_REQUIRE_ORACLES")
        .is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Reports an oracle suite that cannot run. Returns the process exit code to use: 0 (skipped, with a loud
/// message) or 1 (required by `SQLMONGO_REQUIRE_ORACLES=1`).
pub fn oracle_unavailable(suite: &str, why: &str) -> i32 {
    let bar = "!".repeat(78);
    if oracles_required() {
        eprintln!("{bar}\nFAILED: {suite} oracle cannot run: {why}\n(SQLMONGO_REQUIRE_ORACLES=1: a skipped oracle is a failure)\n{bar}");
        1
    } else {
        eprintln!("{bar}\nSKIPPED: {suite} oracle: {why}\n(set SQLMONGO_REQUIRE_ORACLES=1 to make this a failure; scripts/test.sh installs the tools)\n{bar}");
        0
    }
}

/// An oracle suite (a libtest-mimic harness) that cannot run: with `SQLMONGO_REQUIRE_ORACLES=1` the run fails;
/// otherwise every case is reported as *ignored* (not passed), so a local green run that checked no semantics
/// says so in its counts as well as in the banner.
pub fn unavailable_as_ignored(
    args: &libtest_mimic::Arguments,
    suite: &str,
    why: &str,
    names: Vec<String>,
) -> std::process::ExitCode {
    if oracle_unavailable(suite, why) != 0 {
        return std::process::ExitCode::FAILURE;
    }
    let trials = names
        .into_iter()
        .map(|name| {
            let why = format!("{suite} oracle unavailable: {why}");
            libtest_mimic::Trial::test(name, move || Err(why.into())).with_ignored_flag(true)
        })
        .collect();
    libtest_mimic::run(args, trials).exit_code()
}

/// A python3 that can `import pymongo` (the real-client tests drive `sqlmongo serve` with it), if any.
pub fn python_with_pymongo() -> Option<String> {
    ["python3", "/usr/bin/python3"].into_iter().find_map(|py| {
        std::process::Command::new(py)
            .args(["-c", "import pymongo"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| py.to_string())
    })
}

/// Whether `node` runs and the official Node.js driver is installed in `oracle` (its `node_modules`): the
/// Node client scripts need both (`scripts/test.sh` runs `npm ci` there).
pub fn node_with_driver(oracle: &str) -> bool {
    std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        && std::path::Path::new(oracle)
            .join("node_modules/mongodb")
            .is_dir()
}

/// Starts `command` (a `sqlmongo ... serve --port 0` command line) with its standard error piped, and reads
/// its log until the line "listening on ADDR". Returns the child, `ADDR`, the log lines before it, and the
/// lines after it as they come (a thread keeps reading the pipe whether or not they are received, so the
/// child never blocks on a full pipe). Panics after `wait` without that line, showing the log read so far.
pub fn spawn_serve(
    command: &mut std::process::Command,
    wait: std::time::Duration,
) -> (
    std::process::Child,
    String,
    Vec<String>,
    std::sync::mpsc::Receiver<String>,
) {
    use std::io::BufRead;
    let mut child = command
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sqlmongo serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut log = Vec::new();
    let addr = loop {
        let line = rx
            .recv_timeout(wait)
            .unwrap_or_else(|e| panic!("no 'listening on' line ({e}): {log:#?}"));
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap_or("").to_string();
        }
        log.push(line);
    };
    (child, addr, log, rx)
}
