//! Ctrl-C in the REPL: a SIGINT while a statement runs cancels that statement ("canceling statement due to
//! user request", as PostgreSQL words it) and the shell reads on; the next statement works. Driven through a
//! child process with standard input piped (the REPL reads it line by line), signalled with `kill -INT`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[cfg(unix)]
#[test]
fn sigint_cancels_the_running_statement_and_the_shell_goes_on() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .arg("repl")
        .env_remove("MONGODB_URI")
        .env_remove("SQLMONGO_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sqlmongo");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let err_text = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let rows: Vec<String> = (0..3000).map(|i| format!("({i})")).collect();
    writeln!(stdin, "INSERT INTO t (k) VALUES {};", rows.join(",")).unwrap();
    // Quadratic: a correlated range subquery per row, which nothing indexes (minutes in a debug build).
    writeln!(
        stdin,
        "SELECT COUNT(*) AS n FROM t a WHERE (SELECT COUNT(*) FROM t b WHERE b.k < a.k) > 10;"
    )
    .unwrap();
    stdin.flush().unwrap();
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the INSERT's result");
    assert!(first.contains("\"affected\":3000"), "{first}");
    std::thread::sleep(Duration::from_millis(500));
    let signalled = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    writeln!(stdin, "SELECT 1 AS one;").unwrap();
    drop(stdin);
    let next = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the next statement's result");
    let took = signalled.elapsed();
    assert_eq!(
        next, "{\"one\":1}",
        "the canceled statement printed a result"
    );
    let status = child.wait().unwrap();
    let err = err_text.join().unwrap();
    assert!(
        err.contains("canceling statement due to user request"),
        "stderr: {err}"
    );
    assert!(status.success(), "the shell ended with {status:?}: {err}");
    assert!(took < Duration::from_secs(10), "the cancel took {took:?}");
    eprintln!("canceled {took:?} after SIGINT");
}
