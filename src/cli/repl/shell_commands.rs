//! The REPL's display, output and variable meta commands, as psql has them: `\x [on|off|auto]`,
//! `\pset [NAME [VALUE]]`, `\o [FILE | |COMMAND]`, `\set [NAME [VALUE...]]`, `\unset NAME` and
//! `\watch [SECONDS] [i=SECONDS] [c=COUNT]`.

use super::Session;
use crate::cli::vars::meta_args;
use std::io;
use std::time::Duration;

/// What `\watch` was asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WatchArgs {
    /// Seconds between runs (psql's default 2).
    pub interval: f64,
    /// Stop after this many runs (psql 16's `c=`); `None`: until Ctrl-C or an error.
    pub count: Option<u64>,
}

/// Parses `\watch`'s arguments: `SECONDS`, `i[nterval]=SECONDS`, `c[ount]=TIMES` (psql 16).
pub fn watch_args(arg: &str) -> Result<WatchArgs, String> {
    let mut interval: Option<f64> = None;
    let mut count: Option<u64> = None;
    for word in arg.split_whitespace() {
        let (name, value) = match word.split_once('=') {
            Some((n, v)) => (n.to_ascii_lowercase(), v),
            None => ("interval".to_string(), word),
        };
        match name.as_str() {
            "i" | "interval" => {
                if interval.is_some() {
                    return Err("\\watch: interval value is specified more than once".into());
                }
                match value.parse::<f64>() {
                    Ok(v) if v.is_finite() && v >= 0.0 => interval = Some(v),
                    _ => return Err(format!("\\watch: incorrect interval value \"{value}\"")),
                }
            }
            "c" | "count" => {
                if count.is_some() {
                    return Err("\\watch: iteration count is specified more than once".into());
                }
                match value.parse::<u64>() {
                    Ok(v) if v > 0 => count = Some(v),
                    _ => return Err(format!("\\watch: incorrect iteration count \"{value}\"")),
                }
            }
            other => return Err(format!("\\watch: unrecognized parameter \"{other}\"")),
        }
    }
    Ok(WatchArgs {
        interval: interval.unwrap_or(2.0),
        count,
    })
}

/// psql's `\watch` title: the local time as `strftime("%c")` in the C locale, then the interval.
pub fn watch_title(now: chrono::DateTime<chrono::Local>, interval: f64) -> String {
    format!(
        "{} (every {interval}s)\n",
        now.format("%a %b %e %H:%M:%S %Y")
    )
}

/// The standard input of an `\o |COMMAND`: once the command stops reading (`| head -1`), what follows is
/// dropped instead of failing the session with a broken pipe.
struct PipeWriter {
    stdin: std::process::ChildStdin,
    closed: bool,
}

impl io::Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.stdin.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.stdin.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl Session<'_> {
    /// Runs one of this module's meta commands (`cmd` with its argument text).
    pub(super) fn shell_command(&mut self, cmd: &str, arg: &str) -> io::Result<()> {
        match cmd {
            "\\x" => self.pset("expanded", arg),
            "\\pset" => {
                let (name, value) = arg
                    .split_once(char::is_whitespace)
                    .map_or((arg, ""), |(n, v)| (n, v.trim()));
                if name.is_empty() {
                    let d = self.runner.printer.display;
                    let expanded = match d.expanded {
                        crate::cli::display::Expanded::On => "on",
                        crate::cli::display::Expanded::Off => "off",
                        crate::cli::display::Expanded::Auto => "auto",
                    };
                    let pager = match d.pager {
                        crate::cli::display::PagerMode::On => "on",
                        crate::cli::display::PagerMode::Off => "off",
                        crate::cli::display::PagerMode::Always => "always",
                    };
                    self.runner.printer.text(&format!(
                        "columns  {}\nexpanded {expanded}\npager    {pager}",
                        d.columns
                    ))
                } else {
                    self.pset(name, value)
                }
            }
            "\\o" | "\\out" => self.output_to(arg),
            "\\set" => {
                let args = match meta_args(arg) {
                    Ok(a) => a,
                    Err(e) => {
                        eprintln!("error: \\set: {e}");
                        return Ok(());
                    }
                };
                match args.split_first() {
                    None => {
                        let listing = self.runner.vars.listing();
                        if !listing.is_empty() {
                            self.runner.printer.text(&listing)?;
                        }
                    }
                    Some((name, value)) => {
                        if let Err(e) = self.runner.vars.set(name, &value.concat()) {
                            eprintln!("error: \\set: {e}");
                        }
                    }
                }
                Ok(())
            }
            "\\unset" => {
                match meta_args(arg).ok().and_then(|a| a.into_iter().next()) {
                    Some(name) => self.runner.vars.unset(&name),
                    None => eprintln!("error: \\unset: missing required argument"),
                }
                Ok(())
            }
            "\\watch" => self.watch(arg),
            _ => Ok(()),
        }
    }

    fn pset(&mut self, name: &str, value: &str) -> io::Result<()> {
        match self.runner.printer.display.set(name, value) {
            Ok(message) => eprintln!("{message}"),
            Err(e) => eprintln!("error: {e}"),
        }
        Ok(())
    }

    /// `\o FILE` (truncated, as psql), `\o |COMMAND` (its standard input), `\o` (standard output again).
    fn output_to(&mut self, arg: &str) -> io::Result<()> {
        let target: Result<(Box<dyn io::Write + Send>, Option<std::process::Child>), String> =
            if arg.is_empty() {
                self.runner.printer.reset_output()?;
                self.close_output_pipe();
                return Ok(());
            } else if let Some(command) = arg.strip_prefix('|') {
                std::process::Command::new("sh")
                    .args(["-c", command.trim()])
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .map_err(|e| format!("{}: {e}", command.trim()))
                    .and_then(|mut child| match child.stdin.take() {
                        Some(stdin) => Ok((
                            Box::new(PipeWriter {
                                stdin,
                                closed: false,
                            }) as Box<dyn io::Write + Send>,
                            Some(child),
                        )),
                        None => Err(format!("{}: no standard input", command.trim())),
                    })
            } else {
                std::fs::File::create(arg)
                    .map(|f| {
                        (
                            Box::new(io::BufWriter::new(f)) as Box<dyn io::Write + Send>,
                            None,
                        )
                    })
                    .map_err(|e| format!("{arg}: {e}"))
            };
        match target {
            Ok((out, child)) => {
                self.runner.printer.set_output(out, false)?;
                self.close_output_pipe();
                self.output_pipe = child;
            }
            Err(e) => eprintln!("error: \\o: {e}"),
        }
        Ok(())
    }

    /// At the end of the session: output back to standard output, an `\o |COMMAND` waited for.
    pub(super) fn finish_output(&mut self) -> io::Result<()> {
        if self.output_pipe.is_some() {
            self.runner.printer.reset_output()?;
            self.close_output_pipe();
        }
        Ok(())
    }

    /// Waits for the command of an earlier `\o |COMMAND` (its input was closed by the printer's switch).
    pub(super) fn close_output_pipe(&mut self) {
        if let Some(mut child) = self.output_pipe.take() {
            let _ = child.wait();
        }
    }

    /// `\watch`: runs the pending statement (or else the last one) again and again, a title line before
    /// each result, until Ctrl-C, an error, or the count.
    fn watch(&mut self, arg: &str) -> io::Result<()> {
        let args = match watch_args(arg) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(());
            }
        };
        let statement = if crate::cli::script::is_blank(&self.buffer) {
            self.last.clone()
        } else {
            let pending = std::mem::take(&mut self.buffer);
            self.buffer_line += pending.matches('\n').count();
            self.buffer_column = 0;
            self.ran
                .push(pending.split_whitespace().collect::<Vec<_>>().join(" "));
            self.last = Some(pending.clone());
            Some(pending)
        };
        let Some(statement) = statement else {
            eprintln!("error: \\watch cannot be used with an empty query");
            return Ok(());
        };
        // psql turns the pager off for \watch.
        let pager = self.runner.printer.display.pager;
        self.runner.printer.display.pager = crate::cli::display::PagerMode::Off;
        let result = self.watch_loop(&statement, args);
        self.runner.printer.display.pager = pager;
        result
    }

    fn watch_loop(&mut self, statement: &str, args: WatchArgs) -> io::Result<()> {
        let pause = Duration::from_secs_f64(args.interval);
        let mut runs = 0u64;
        loop {
            self.runner
                .printer
                .text(&watch_title(chrono::Local::now(), args.interval))?;
            let ok = self.run_cancelable(statement)?;
            runs += 1;
            if !ok || args.count.is_some_and(|c| runs >= c) {
                return Ok(());
            }
            if self.interrupted_within(pause) {
                return Ok(());
            }
        }
    }

    /// Waits `pause`; `true` when Ctrl-C came meanwhile.
    fn interrupted_within(&mut self, pause: Duration) -> bool {
        let rt = self.rt;
        #[cfg(unix)]
        if let Some(sig) = self.sigint.as_mut() {
            return rt.block_on(async {
                tokio::select! {
                    _ = sig.recv() => true,
                    _ = tokio::time::sleep(pause) => false,
                }
            });
        }
        rt.block_on(tokio::time::sleep(pause));
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_arguments_as_psql_16() {
        let d = watch_args("").unwrap();
        assert_eq!((d.interval, d.count), (2.0, None));
        let a = watch_args("5").unwrap();
        assert_eq!((a.interval, a.count), (5.0, None));
        let b = watch_args("i=0.5 c=3").unwrap();
        assert_eq!((b.interval, b.count), (0.5, Some(3)));
        let c = watch_args("count=2 interval=1").unwrap();
        assert_eq!((c.interval, c.count), (1.0, Some(2)));
        assert!(watch_args("-1").is_err());
        assert!(watch_args("c=0").is_err());
        assert!(watch_args("1 i=2").is_err());
        assert!(watch_args("x=1").is_err());
        assert!(watch_args("abc").is_err());
    }

    #[test]
    fn watch_title_is_psqls() {
        use chrono::TimeZone;
        let t = chrono::Local
            .with_ymd_and_hms(2026, 12, 4, 17, 5, 9)
            .single()
            .unwrap();
        assert_eq!(watch_title(t, 2.0), "Fri Dec  4 17:05:09 2026 (every 2s)\n");
        assert_eq!(
            watch_title(t, 0.5),
            "Fri Dec  4 17:05:09 2026 (every 0.5s)\n"
        );
    }
}
