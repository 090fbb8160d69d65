//! The REPL's `\copy` (psql's client-side COPY): the arguments of a COPY on one line, a bare file name allowed;
//! `FROM STDIN` / `PSTDIN` takes the lines that follow, up to `\.`.

use super::Session;
use std::io;

impl Session<'_> {
    /// psql's `\copy`: the arguments of a COPY (a bare file name allowed), the file read or written here.
    pub(super) fn copy(&mut self, arg: &str) -> io::Result<()> {
        if arg.is_empty() {
            eprintln!(
                "error: \\copy takes the arguments of COPY: \\copy t FROM 'file' (FORMAT csv)"
            );
            return Ok(());
        }
        let sql = format!("COPY {}", quote_copy_file(arg));
        let stmt = match crate::sql::parse(&sql) {
            Ok(mut v) if v.len() == 1 => match v.pop() {
                Some((crate::sql::Statement::Copy(c), _)) => c,
                _ => {
                    eprintln!("error: \\copy: not a COPY");
                    return Ok(());
                }
            },
            Ok(_) => {
                eprintln!("error: \\copy takes one COPY");
                return Ok(());
            }
            Err(e) => {
                eprintln!("error: \\copy: syntax error: {}", e.message);
                return Ok(());
            }
        };
        if !stmt.to && stmt.target == crate::sql::copy::CopyTarget::Stdin {
            if !self.track_lines {
                eprintln!(
                    "Enter data to be copied followed by a newline.\n\
                     End with a backslash and a period on a line by itself, or an EOF signal."
                );
            }
            self.copy_in = Some((stmt, String::new()));
            return Ok(());
        }
        self.run_copy(&stmt, None)
    }

    /// Runs the `\copy ... FROM STDIN` whose data ended (`\.` or end of input).
    pub(super) fn finish_copy_in(&mut self) -> io::Result<()> {
        let Some((stmt, data)) = self.copy_in.take() else {
            return Ok(());
        };
        let stdin: Box<dyn io::BufRead + Send> = Box::new(io::Cursor::new(data.into_bytes()));
        self.run_copy(&stmt, Some(stdin))
    }

    fn run_copy(
        &mut self,
        stmt: &crate::sql::copy::CopyStatement,
        stdin: Option<Box<dyn io::BufRead + Send>>,
    ) -> io::Result<()> {
        let sql = stmt.to_string();
        let chunk = crate::cli::script::Chunk {
            text: sql.clone(),
            line: 1,
            column: 1,
            context: sql,
            end: 0,
        };
        match self
            .rt
            .block_on(self.runner.copy(stmt, &chunk, stdin, None))?
        {
            Ok(()) => {
                if !stmt.to {
                    self.refresh_names();
                }
            }
            Err(e) => {
                self.runner.printer.error(&e.message)?;
                eprintln!("error: \\copy: {}", e.message);
            }
        }
        Ok(())
    }
}

/// psql lets `\copy` name its file bare (`\copy t from data.csv csv`): quotes the word after the top-level
/// FROM / TO unless it is quoted already or STDIN / STDOUT / PSTDIN / PSTDOUT / PROGRAM.
pub fn quote_copy_file(arg: &str) -> String {
    let bytes = arg.as_bytes();
    let (mut depth, mut quote) = (0i32, None::<u8>);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                }
                i += 1;
                continue;
            }
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'(' => depth += 1,
            None if b == b')' => depth -= 1,
            None if depth == 0
                && (i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b')') =>
            {
                let rest = &arg[i..];
                let word_len = rest
                    .find(|c: char| !c.is_ascii_alphabetic())
                    .unwrap_or(rest.len());
                let word = rest[..word_len].to_ascii_lowercase();
                if (word == "from" || word == "to")
                    && rest[word_len..].starts_with(|c: char| c.is_whitespace())
                {
                    let after = &rest[word_len..];
                    let target = after.trim_start();
                    let head = &arg[..i + word_len + (after.len() - target.len())];
                    if target.starts_with('\'') || target.is_empty() {
                        return arg.to_string();
                    }
                    let end = target.find(char::is_whitespace).unwrap_or(target.len());
                    let (file, tail) = target.split_at(end);
                    let upper = file.to_ascii_uppercase();
                    if ["STDIN", "STDOUT", "PSTDIN", "PSTDOUT", "PROGRAM"].contains(&upper.as_str())
                    {
                        return arg.to_string();
                    }
                    return format!("{head}'{}'{tail}", file.replace('\'', "''"));
                }
            }
            None => {}
        }
        i += 1;
    }
    arg.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_file_names_may_be_bare() {
        assert_eq!(
            quote_copy_file("t from data/x.csv with csv header"),
            "t from 'data/x.csv' with csv header"
        );
        assert_eq!(
            quote_copy_file("(SELECT a FROM t) TO out.csv (FORMAT csv)"),
            "(SELECT a FROM t) TO 'out.csv' (FORMAT csv)"
        );
        assert_eq!(
            quote_copy_file("t (a, b) FROM 'x y.csv'"),
            "t (a, b) FROM 'x y.csv'"
        );
        assert_eq!(quote_copy_file("t TO stdout"), "t TO stdout");
        assert_eq!(quote_copy_file("t from it's.csv"), "t from 'it''s.csv'");
    }
}
