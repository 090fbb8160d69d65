//! The bulk-load shape, recognised without the general parser: `INSERT INTO t (a, b, ...) VALUES (...), ...`
//! whose values are all plain literals.
//!
//! A script of multi-row INSERTs (a dump, a seed file) spends most of its time in the general front end:
//! tokens, an AST node per value, the translator's walk (issue 12: 60k rows/s per core, where a bulk load
//! should reach 300k). This scanner reads exactly the common shape in one pass over the text and gives the
//! rows as literals; anything else — a quoted or qualified name, a keyword used as a name, a comment, an
//! expression, a parameter, an `E'...'` / dollar-quoted string, `ON CONFLICT`, `RETURNING`, a row of the
//! wrong length, a repeated column — is `None`, and the statement takes the general path, which gives its
//! result or its error. The fast path is pinned to the general one by a property test
//! (tests/literal_insert.rs): whenever the scanner accepts a statement, its plan equals the general
//! translation's.

use std::borrow::Cow;

/// A literal of a VALUES row.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal<'a> {
    /// A number as written (digits, at most one `.`, an optional exponent), with its leading sign.
    Number {
        /// A `-` preceded it.
        negative: bool,
        /// A `+` preceded it (the parser reads it as a unary plus, which the value ignores).
        plus: bool,
        /// The unsigned number's text.
        text: &'a str,
    },
    /// A standard string (`'...'`, `''` read as one quote; backslashes are plain characters).
    Str(Cow<'a, str>),
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// `NULL`.
    Null,
}

/// An INSERT of literal rows.
#[derive(Debug, Clone, PartialEq)]
pub struct LiteralInsert<'a> {
    /// The statement's text from its first token to its end (without the `;`), as
    /// [`crate::sql::StatementText::text`] holds it.
    pub text: &'a str,
    /// The table (an unquoted name).
    pub table: &'a str,
    /// The column list (unquoted names, none repeated).
    pub columns: Vec<&'a str>,
    /// The rows, each as long as the column list.
    pub rows: Vec<Vec<Literal<'a>>>,
}

/// PostgreSQL's reserved key words (and sqlparser's, where they differ), which the general parser does not
/// take as a bare column or table name: such a statement goes the general way.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "overwrite",
    "partition",
    "ignore",
    "settings",
    "format",
];

struct Scan<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn byte(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    fn word(&mut self) -> Option<&'a str> {
        self.ws();
        let start = self.i;
        let first = *self.b.get(self.i)?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        while self
            .b
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.i += 1;
        }
        // A name running into `$` or a non-ASCII letter is not one this scanner reads.
        if self.b.get(self.i).is_some_and(|c| *c == b'$' || *c >= 0x80) {
            return None;
        }
        Some(&self.s[start..self.i])
    }

    fn keyword(&mut self, k: &str) -> Option<()> {
        self.word()
            .filter(|w| w.eq_ignore_ascii_case(k))
            .map(|_| ())
    }

    fn name(&mut self) -> Option<&'a str> {
        let w = self.word()?;
        let lower = w.to_ascii_lowercase();
        (!RESERVED.contains(&lower.as_str())).then_some(w)
    }

    /// `( item, item, ... )`.
    fn parenthesized<T>(&mut self, item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.parenthesized_of(0, item)
    }

    /// [`parenthesized`](Self::parenthesized) with room for `expected` items up front (a row's values:
    /// as many as the columns), so the list does not grow item by item.
    fn parenthesized_of<T>(
        &mut self,
        expected: usize,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.byte(b'(')?;
        let mut out = Vec::with_capacity(expected);
        loop {
            out.push(item(self)?);
            self.ws();
            match self.b.get(self.i)? {
                b',' => self.i += 1,
                b')' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    fn literal(&mut self) -> Option<Literal<'a>> {
        self.ws();
        match *self.b.get(self.i)? {
            b'\'' => self.string(),
            b'-' | b'+' => {
                let negative = self.b[self.i] == b'-';
                let plus = !negative;
                self.i += 1;
                // `--` starts a comment; `- -1`, `-+1` and the like go the general way.
                if self
                    .b
                    .get(self.i)
                    .is_some_and(|c| !c.is_ascii_digit() && *c != b'.')
                {
                    return None;
                }
                let text = self.number()?;
                Some(Literal::Number {
                    negative,
                    plus,
                    text,
                })
            }
            c if c.is_ascii_digit() || c == b'.' => {
                let text = self.number()?;
                Some(Literal::Number {
                    negative: false,
                    plus: false,
                    text,
                })
            }
            _ => {
                let w = self.word()?;
                if w.eq_ignore_ascii_case("null") {
                    Some(Literal::Null)
                } else if w.eq_ignore_ascii_case("true") {
                    Some(Literal::Bool(true))
                } else if w.eq_ignore_ascii_case("false") {
                    Some(Literal::Bool(false))
                } else {
                    None
                }
            }
        }
    }

    /// Digits with at most one `.` and at least one digit, then an optional exponent; the next byte must
    /// end the token.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.i;
        let digits = |sc: &mut Scan<'a>| {
            let from = sc.i;
            while sc.b.get(sc.i).is_some_and(u8::is_ascii_digit) {
                sc.i += 1;
            }
            sc.i - from
        };
        let mut n = digits(self);
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            n += digits(self);
        }
        if n == 0 {
            return None;
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        match self.b.get(self.i) {
            Some(c) if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.' || *c >= 0x80 => None,
            _ => Some(&self.s[start..self.i]),
        }
    }

    fn string(&mut self) -> Option<Literal<'a>> {
        self.i += 1;
        let start = self.i;
        let mut owned: Option<String> = None;
        let mut piece = start;
        loop {
            let q = self.b[self.i..].iter().position(|c| *c == b'\'')? + self.i;
            if self.b.get(q + 1) == Some(&b'\'') {
                owned
                    .get_or_insert_with(String::new)
                    .push_str(&self.s[piece..=q]);
                self.i = q + 2;
                piece = self.i;
                continue;
            }
            self.i = q + 1;
            // Adjacent string literals (`'a' 'b'`) and a string followed by anything but a separator go the
            // general way.
            let rest = self.b.get(self.i);
            if rest.is_some_and(|c| !matches!(c, b',' | b')' | b' ' | b'\t' | b'\n' | b'\r')) {
                return None;
            }
            return Some(Literal::Str(match owned {
                None => Cow::Borrowed(&self.s[start..q]),
                Some(mut o) => {
                    o.push_str(&self.s[piece..q]);
                    Cow::Owned(o)
                }
            }));
        }
    }
}

/// Reads `sql` (one statement, a trailing `;` allowed) as an INSERT of literal rows, or `None` when it is
/// anything else.
pub fn scan(sql: &str) -> Option<LiteralInsert<'_>> {
    let mut sc = Scan {
        s: sql,
        b: sql.as_bytes(),
        i: 0,
    };
    // Line comments before the statement (a dump's headers); any other comment goes the general way.
    loop {
        sc.ws();
        if !sc.b[sc.i..].starts_with(b"--") {
            break;
        }
        sc.i = match sc.b[sc.i..].iter().position(|c| *c == b'\n') {
            Some(n) => sc.i + n + 1,
            None => sc.b.len(),
        };
    }
    let begin = sc.i;
    sc.keyword("insert")?;
    sc.keyword("into")?;
    let table = sc.name()?;
    let columns = sc.parenthesized(Scan::name)?;
    if (1..columns.len()).any(|i| columns[..i].contains(&columns[i])) {
        return None;
    }
    sc.keyword("values")?;
    let mut rows = Vec::new();
    loop {
        let row = sc.parenthesized_of(columns.len(), Scan::literal)?;
        if row.len() != columns.len() {
            return None;
        }
        rows.push(row);
        sc.ws();
        match sc.b.get(sc.i) {
            Some(b',') => sc.i += 1,
            _ => break,
        }
    }
    let end = sc.i;
    sc.ws();
    if sc.b.get(sc.i) == Some(&b';') {
        sc.i += 1;
        sc.ws();
    }
    if sc.i != sc.b.len() {
        return None;
    }
    Some(LiteralInsert {
        text: sql[begin..end].trim_end(),
        table,
        columns,
        rows,
    })
}

impl LiteralInsert<'_> {
    /// The statement as the general parser gives it (its tree, without the spans of its values): the
    /// INSERT's head is parsed (one row of NULLs), then the rows are put in as the parser reads each literal
    /// (`-x` is a unary minus of the number `x`). A declared table's INSERT is translated from it by the
    /// general translator, which gives column types, DEFAULTs and checks their meaning, without tokenizing and
    /// parsing every value. `None` when the head does not parse as expected (the general path then reads
    /// the text).
    pub fn to_statement(&self) -> Option<(super::Statement, super::StatementText)> {
        use sqlparser::ast::{Expr, SetExpr, UnaryOperator, Value};
        let head = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.table,
            self.columns.join(", "),
            vec!["NULL"; self.columns.len()].join(", ")
        );
        let mut parsed = super::parse(&head).ok()?;
        let (super::Statement::Sql(mut stmt), _) = parsed.pop()? else {
            return None;
        };
        if !parsed.is_empty() {
            return None;
        }
        let sqlparser::ast::Statement::Insert(ins) = stmt.as_mut() else {
            return None;
        };
        let SetExpr::Values(values) = ins.source.as_mut()?.body.as_mut() else {
            return None;
        };
        let template = values.rows.pop()?;
        if !values.rows.is_empty() || template.content.len() != self.columns.len() {
            return None;
        }
        let value = |v: &Literal<'_>| -> Expr {
            let plain = |v: Value| Expr::Value(v.into());
            match v {
                Literal::Null => plain(Value::Null),
                Literal::Bool(b) => plain(Value::Boolean(*b)),
                Literal::Str(s) => plain(Value::SingleQuotedString(s.to_string())),
                Literal::Number {
                    negative,
                    plus,
                    text,
                } => {
                    let n = plain(Value::Number(text.to_string(), false));
                    let sign = match (negative, plus) {
                        (true, _) => UnaryOperator::Minus,
                        (false, true) => UnaryOperator::Plus,
                        (false, false) => return n,
                    };
                    Expr::UnaryOp {
                        op: sign,
                        expr: Box::new(n),
                    }
                }
            }
        };
        for row in &self.rows {
            let mut r = template.clone();
            r.content = row.iter().map(value).collect();
            values.rows.push(r);
        }
        let text = super::StatementText {
            text: self.text.to_string(),
            line: 1,
            column: 1,
        };
        Some((super::Statement::Sql(stmt), text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bulk_shape_is_read() {
        let got =
            scan("-- rows\n  insert INTO t (a, b_2) VALUES ('x''y', -1.5e3), (NULL, true);\n")
                .unwrap();
        assert_eq!(
            got.text,
            "insert INTO t (a, b_2) VALUES ('x''y', -1.5e3), (NULL, true)"
        );
        assert_eq!(got.table, "t");
        assert_eq!(got.columns, vec!["a", "b_2"]);
        assert_eq!(
            got.rows,
            vec![
                vec![
                    Literal::Str(Cow::Owned("x'y".into())),
                    Literal::Number {
                        negative: true,
                        plus: false,
                        text: "1.5e3"
                    }
                ],
                vec![Literal::Null, Literal::Bool(true)],
            ]
        );
    }

    #[test]
    fn anything_else_goes_the_general_way() {
        for sql in [
            "INSERT INTO t (a) VALUES (1) RETURNING *",
            "INSERT INTO t (a) VALUES (1) ON CONFLICT DO NOTHING",
            "INSERT INTO t (a) VALUES ($1)",
            "INSERT INTO t (a) VALUES (1 + 1)",
            "INSERT INTO t (a) VALUES (E'x')",
            "INSERT INTO t (a) VALUES ('a' 'b')",
            "INSERT INTO t (a) VALUES (--1\n)",
            "INSERT INTO t (a, a) VALUES (1, 2)",
            "INSERT INTO t (a, b) VALUES (1)",
            "INSERT INTO \"T\" (a) VALUES (1)",
            "INSERT INTO s.t (a) VALUES (1)",
            "INSERT INTO t (select) VALUES (1)",
            "INSERT INTO t (a) VALUES (1.2.3)",
            "INSERT INTO t (a) VALUES (1e)",
            "INSERT INTO t (a) VALUES (0x1F)",
            "INSERT INTO t (a) VALUES ('unterminated)",
            "INSERT INTO t (a) VALUES (1); SELECT 1",
            "INSERT INTO t VALUES (1)",
            "INSERT INTO t (a) SELECT 1",
            "/* c */ INSERT INTO t (a) VALUES (1)",
        ] {
            assert_eq!(scan(sql), None, "{sql}");
        }
    }
}
