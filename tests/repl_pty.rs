//! The REPL driven as a person drives it: on a terminal (a pseudo-terminal from util-linux `script`), typing
//! lines, pressing Tab, reading the screen. Skipped loudly where `script` is missing (a failure when
//! `SQLMONGO_REQUIRE_ORACLES=1`, as CI sets).

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Terminal {
    child: Child,
    input: ChildStdin,
    screen: Arc<Mutex<String>>,
    seen: usize,
}

impl Terminal {
    /// `sqlmongo ARGS` on a pseudo-terminal, with its own history file.
    fn start(args: &str, history: &std::path::Path) -> Option<Terminal> {
        Terminal::start_env(args, history, &[])
    }

    /// [`Terminal::start`] with more environment variables.
    fn start_env(args: &str, history: &std::path::Path, env: &[(&str, &str)]) -> Option<Terminal> {
        let bin = env!("CARGO_BIN_EXE_sqlmongo");
        let mut child = Command::new("script")
            .envs(env.iter().copied())
            .args([
                "-q",
                "-f",
                "-e",
                "-c",
                &format!("{bin} {args}"),
                "/dev/null",
            ])
            .env("SQLMONGO_HISTORY", history)
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .ok()?;
        let input = child.stdin.take()?;
        let mut out = child.stdout.take()?;
        let screen = Arc::new(Mutex::new(String::new()));
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        Some(Terminal {
            child,
            input,
            screen,
            seen: 0,
        })
    }

    fn screen(&self) -> String {
        self.screen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until `text` appears on the screen after what earlier waits consumed.
    fn expect(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if let Some(i) = screen[self.seen.min(screen.len())..].find(text) {
                self.seen += i + text.len();
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; the screen after the last match:\n{}",
                &screen[self.seen.min(screen.len())..]
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn type_text(&mut self, text: &str) {
        self.input.write_all(text.as_bytes()).expect("type");
        self.input.flush().expect("flush");
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script_available() -> bool {
    Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn repl_on_a_terminal_runs_statements_completes_names_and_survives_errors() {
    if !script_available() {
        let why = "util-linux `script` (a pseudo-terminal) is not installed";
        assert!(
            std::env::var("SQLMONGO_REQUIRE_ORACLES").as_deref() != Ok("1"),
            "{why}"
        );
        eprintln!("SKIPPED repl_pty: {why}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("sqlmongo-pty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let history = dir.join("history");
    let mut t = Terminal::start("repl", &history).expect("start the REPL under script");
    t.expect("\\q to quit");
    t.expect("sqlmongo=> ");

    // A statement over two lines: the continuation prompt, then the result as a table.
    t.type_text("CREATE COLLECTION user_sessions WITH (ttl_field = 'expires_at',\r");
    t.expect("sqlmongo-> ");
    t.type_text("expire_after_seconds = 0);\r");
    t.expect("sqlmongo=> ");
    t.type_text(
        "INSERT INTO user_sessions (session_id, user_id, page_views) VALUES ('s1', 'u1', 3), ('s2', 'u2', NULL);\r",
    );
    t.expect("sqlmongo=> ");

    // Tab completes a collection name after FROM.
    t.type_text("SELECT session_id, page_views FROM user_s\t");
    t.expect("user_sessions");
    t.type_text(" ORDER BY session_id;\r");
    t.expect("s1");
    t.expect("3");
    t.expect("NULL");
    t.expect("(2 rows)");
    t.expect("sqlmongo=> ");

    // An error points at the construct and the session goes on.
    t.type_text("SELECT session_id FROM user_sessions WHERE page_views >> 2;\r");
    t.expect("^");
    t.expect("sqlmongo=> ");

    // Meta commands: \d lists the collection with its TTL; \format json switches the output.
    t.type_text("\\d\r");
    t.expect("user_sessions");
    t.expect("sqlmongo=> ");
    t.type_text("\\format json\r");
    t.expect("sqlmongo=> ");
    t.type_text("SELECT COUNT(*) AS n FROM user_sessions;\r");
    t.expect("{\"columns\":[\"n\"],\"rows\":[[2]]}");
    t.type_text("\\q\r");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Some(status)) = t.child.try_wait() {
            assert!(status.success(), "the REPL exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "the REPL did not quit on \\q");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The history file holds the statements typed.
    let saved = std::fs::read_to_string(&history).unwrap_or_default();
    assert!(
        saved.contains("SELECT COUNT(*) AS n FROM user_sessions;"),
        "history: {saved}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn long_results_on_a_terminal_go_through_the_pager_and_fit_its_width() {
    if !script_available() {
        let why = "util-linux `script` (a pseudo-terminal) is not installed";
        assert!(
            std::env::var("SQLMONGO_REQUIRE_ORACLES").as_deref() != Ok("1"),
            "{why}"
        );
        eprintln!("SKIPPED repl_pty: {why}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("sqlmongo-pty-pager-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let history = dir.join("history");
    // A fake pager that marks every line it shows; the terminal is 40 columns wide ($COLUMNS).
    let mut t = Terminal::start_env(
        "--format table repl",
        &history,
        &[("SQLMONGO_PAGER", "sed 's/^/PAGED:/'"), ("COLUMNS", "40")],
    )
    .expect("start the REPL under script");
    t.expect("sqlmongo=> ");
    t.type_text("\\pset pager always\r");
    t.expect("Pager is always used.");
    t.type_text("SELECT 'x' AS only_one;\r");
    t.expect("PAGED:│ only_one │");
    t.expect("PAGED:(1 row)");
    t.expect("sqlmongo=> ");
    // Too wide for 40 columns: records, through the pager.
    t.type_text("SELECT 1 AS alpha_column, 2 AS beta_column, 3 AS gamma_column;\r");
    t.expect("PAGED:-[ RECORD 1 ]+--");
    t.expect("PAGED:gamma_column | 3");
    t.expect("sqlmongo=> ");
    t.type_text("\\pset pager off\r");
    t.expect("Pager usage is off.");
    t.type_text("SELECT 'y' AS unpaged;\r");
    t.expect("│ unpaged │");
    t.expect("sqlmongo=> ");
    assert!(!t.screen()[t.seen.saturating_sub(200)..].contains("PAGED:│ unpaged"));
    t.type_text("\\q\r");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_ends_watch_and_the_shell_goes_on() {
    if !script_available() {
        let why = "util-linux `script` (a pseudo-terminal) is not installed";
        assert!(
            std::env::var("SQLMONGO_REQUIRE_ORACLES").as_deref() != Ok("1"),
            "{why}"
        );
        eprintln!("SKIPPED repl_pty: {why}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("sqlmongo-pty-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut t = Terminal::start("--format table repl", &dir.join("history"))
        .expect("start the REPL under script");
    t.expect("sqlmongo=> ");
    t.type_text("SELECT 41 + 1 AS answer;\r");
    t.expect("(1 row)");
    t.expect("sqlmongo=> ");
    // No count: runs until Ctrl-C.
    t.type_text("\\watch 0.1\r");
    for _ in 0..3 {
        t.expect("(every 0.1s)");
        t.expect("│ 42     │");
    }
    t.type_text("\u{3}");
    t.expect("sqlmongo=> ");
    t.type_text("SELECT 'still here' AS s;\r");
    t.expect("still here");
    t.expect("sqlmongo=> ");
    t.type_text("\\q\r");
    let _ = std::fs::remove_dir_all(&dir);
}
