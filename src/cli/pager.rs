//! The pager for long results, as psql has it: a result longer than the terminal (or wider) is piped
//! through `$SQLMONGO_PAGER`, else `$PAGER`, else `less -SFX`; an empty variable turns the pager off. Only
//! when standard output is a terminal (never into a file or a pipe), and `\pset pager off|on|always`.

use super::display::PagerMode;
use std::io::Write;
use std::process::{Command, Stdio};

/// The pager command: `$SQLMONGO_PAGER`, else `$PAGER`, else `less -SFX` (chop long lines, quit when the
/// text fits one screen, leave it on the screen) when `less` is on the `PATH`; `None` when the variable
/// that applies is empty (or there is no `less`).
pub fn command() -> Option<String> {
    for var in ["SQLMONGO_PAGER", "PAGER"] {
        if let Ok(v) = std::env::var(var) {
            let v = v.trim().to_string();
            return (!v.is_empty()).then_some(v);
        }
    }
    on_path("less").then(|| "less -SFX".to_string())
}

/// Whether an executable file named `name` is in a directory of `$PATH`.
fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
}

/// Whether `text` goes through the pager: never unless the output is the terminal; `always`; `on` when
/// the text has at least as many lines as the terminal has rows, or a line wider than it. `terminal` is
/// the terminal's (rows, columns), when known.
pub fn wanted(
    mode: PagerMode,
    to_terminal: bool,
    text: &str,
    terminal: Option<(usize, usize)>,
) -> bool {
    if !to_terminal {
        return false;
    }
    match mode {
        PagerMode::Off => false,
        PagerMode::Always => true,
        PagerMode::On => match terminal {
            Some((rows, cols)) => {
                text.lines().count() >= rows
                    || text.lines().any(|l| super::expanded::text_width(l) > cols)
            }
            None => false,
        },
    }
}

/// Pipes `text` through `command` (run by `sh -c`) and waits for it. `Ok(false)`: the pager could not be
/// started (the caller prints the text itself). A pager that quits before reading everything is not an
/// error.
pub fn page(command: &str, text: &str) -> std::io::Result<bool> {
    let child = Command::new("sh")
        .args(["-c", command])
        .stdin(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) => return Ok(false),
    };
    if let Some(mut stdin) = child.stdin.take() {
        match stdin.write_all(text.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e),
            _ => {}
        }
    }
    let status = child.wait()?;
    // `sh` could not find the command (127) or run it (126): show the text without a pager.
    Ok(!matches!(status.code(), Some(126 | 127)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_only_long_or_wide_output_on_a_terminal() {
        let long = "x\n".repeat(30);
        let term = Some((24, 80));
        assert!(wanted(PagerMode::On, true, &long, term));
        assert!(!wanted(PagerMode::On, false, &long, term));
        assert!(!wanted(PagerMode::Off, true, &long, term));
        assert!(!wanted(PagerMode::On, true, "short\n", term));
        assert!(wanted(PagerMode::On, true, &"w".repeat(81), term));
        assert!(wanted(PagerMode::Always, true, "short\n", term));
        assert!(!wanted(PagerMode::Always, false, "short\n", term));
        assert!(!wanted(PagerMode::On, true, &long, None));
    }

    #[test]
    fn text_goes_through_the_command() {
        let dir = std::env::temp_dir().join(format!("sqlmongo-pager-{}", std::process::id()));
        let file = dir.with_extension("txt");
        let cmd = format!("cat > '{}'", file.display());
        assert!(page(&cmd, "a\nb\n").unwrap());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "a\nb\n");
        let _ = std::fs::remove_file(&file);
        // A pager that reads nothing and quits is fine.
        assert!(page("true", &"x\n".repeat(100_000)).unwrap());
        // A missing command: the caller prints the text.
        assert!(!page("no-such-pager-command-here", "a\n").unwrap());
    }
}
