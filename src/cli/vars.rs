//! psql-style variables: `\set NAME value`, `\unset NAME`, `--set NAME=VALUE` (`-v`), and their use in
//! statements, where they become **bound parameters**, never spliced text (unlike psql):
//!
//! - `:NAME` binds the value typed by its look: an integer (int32, else int64), a decimal number (double),
//!   `true` / `false` (boolean), else text — the types the same literal written in SQL would have;
//! - `:'NAME'` binds the value as text;
//! - `:"NAME"` is an identifier (a collection or field name cannot be bound): the value goes in as a
//!   double-quoted identifier, its `"` doubled, so it can only ever be a name.
//!
//! References are found with the SQL tokenizer that splits statements, so `::` casts and `:` inside string
//! literals, quoted identifiers, comments and dollar quotes are never touched; an undefined variable is left
//! as written (as psql does).

use crate::sql::SqlMongoDialect;
use bson::Bson;
use sqlparser::tokenizer::{Location, Token, Tokenizer};
use std::collections::BTreeMap;

/// The variables of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    values: BTreeMap<String, String>,
}

/// A statement with its variable references replaced by `$N` placeholders, and the values they bind.
#[derive(Debug, Clone, PartialEq)]
pub struct Interpolated {
    /// The statement text.
    pub text: String,
    /// The values of the placeholders added (the first is `$first`).
    pub params: Vec<Bson>,
}

/// Whether a variable name is valid (psql: letters, digits and underscores).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// A value as a parameter typed by its look (see the module documentation).
pub fn typed_value(v: &str) -> Bson {
    let t = v;
    let int_like = |s: &str| {
        let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    };
    if int_like(t) {
        if let Ok(i) = t.parse::<i32>() {
            return Bson::Int32(i);
        }
        if let Ok(i) = t.parse::<i64>() {
            return Bson::Int64(i);
        }
    }
    let numeric = {
        let body = t.strip_prefix(['+', '-']).unwrap_or(t);
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let mut parts = mantissa.splitn(2, '.');
        let whole = parts.next().unwrap_or("");
        let frac = parts.next();
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        let mantissa_ok = digits(whole)
            && frac.is_none_or(digits)
            && !(whole.is_empty() && frac.is_none_or(str::is_empty));
        mantissa_ok && exponent.is_none_or(int_like)
    };
    if numeric {
        if let Ok(f) = t.parse::<f64>() {
            if f.is_finite() {
                return Bson::Double(f);
            }
        }
    }
    match t.to_ascii_lowercase().as_str() {
        "true" => Bson::Boolean(true),
        "false" => Bson::Boolean(false),
        _ => Bson::String(v.to_string()),
    }
}

/// `"name"` with every `"` doubled.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Variables {
    /// Sets a variable; `Err` for an invalid name.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        if !valid_name(name) {
            return Err(format!("invalid variable name: {name:?}"));
        }
        self.values.insert(name.to_string(), value.to_string());
        Ok(())
    }

    /// Removes a variable (nothing when it is not set).
    pub fn unset(&mut self, name: &str) {
        self.values.remove(name);
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether no variable is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `NAME = 'value'` lines sorted by name, as psql's `\set` lists them.
    pub fn listing(&self) -> String {
        self.values
            .iter()
            .map(|(k, v)| format!("{k} = '{}'", v.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Replaces the references to set variables in one statement; `None` when it has none (or does not
    /// tokenize: the statement then runs as written and reports its own error). Placeholders are numbered
    /// after the statement's own highest `$N`. A replacement shorter than the reference is padded with
    /// spaces so positions after it on the line stay where they were.
    pub fn interpolate(&self, sql: &str) -> Option<Interpolated> {
        if self.values.is_empty() || !sql.contains(':') {
            return None;
        }
        let dialect = SqlMongoDialect::default();
        let tokens = Tokenizer::new(&dialect, sql)
            .tokenize_with_location()
            .ok()?;
        let mut offsets = Offsets::new(sql);
        let starts: Vec<usize> = tokens
            .iter()
            .map(|t| offsets.offset(t.span.start))
            .collect();
        let end_of = |i: usize| starts.get(i + 1).copied().unwrap_or(sql.len());
        let mut next_param = tokens
            .iter()
            .filter_map(|t| match &t.token {
                Token::Placeholder(p) => p.strip_prefix('$')?.parse::<usize>().ok(),
                _ => None,
            })
            .max()
            .unwrap_or(0)
            + 1;
        let mut text = String::with_capacity(sql.len());
        let mut params = Vec::new();
        let mut copied = 0;
        let mut i = 0;
        while i + 1 < tokens.len() {
            // Whitespace and comments are tokens too: a reference is a `:` token directly followed by
            // a word or a quoted string.
            let replacement = match (&tokens[i].token, &tokens[i + 1].token) {
                (Token::Colon, Token::Word(w)) => match (w.quote_style, self.get(&w.value)) {
                    (None, Some(v)) => Some(Reference::Value(typed_value(v))),
                    (Some('"'), Some(v)) => Some(Reference::Name(quote_identifier(v))),
                    _ => None,
                },
                (Token::Colon, Token::SingleQuotedString(name)) => self
                    .get(name)
                    .map(|v| Reference::Value(Bson::String(v.to_string()))),
                _ => None,
            };
            let Some(replacement) = replacement else {
                i += 1;
                continue;
            };
            let (start, end) = (starts[i], end_of(i + 1));
            text.push_str(&sql[copied..start]);
            let piece = match replacement {
                Reference::Name(identifier) => identifier,
                Reference::Value(value) => {
                    params.push(value);
                    next_param += 1;
                    format!("${}", next_param - 1)
                }
            };
            let reference = &sql[start..end];
            text.push_str(&piece);
            let shorter = reference
                .chars()
                .count()
                .saturating_sub(piece.chars().count());
            text.extend(std::iter::repeat_n(' ', shorter));
            copied = end;
            i += 2;
        }
        if copied == 0 {
            return None;
        }
        text.push_str(&sql[copied..]);
        Some(Interpolated { text, params })
    }
}

/// What a reference becomes.
enum Reference {
    /// A bound parameter.
    Value(Bson),
    /// A quoted identifier.
    Name(String),
}

/// Byte offsets of increasing token locations (1-based line and character column).
struct Offsets<'a> {
    text: &'a str,
    line: u64,
    column: u64,
    offset: usize,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Offsets {
            text,
            line: 1,
            column: 1,
            offset: 0,
        }
    }

    fn offset(&mut self, loc: Location) -> usize {
        if (loc.line, loc.column) < (self.line, self.column) {
            // Not increasing: start over.
            *self = Offsets::new(self.text);
        }
        let rest = &self.text[self.offset..];
        for (i, c) in rest.char_indices() {
            if (self.line, self.column) >= (loc.line, loc.column) {
                self.offset += i;
                return self.offset;
            }
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.offset = self.text.len();
        self.offset
    }
}

/// Splits a meta command's arguments as psql does: words separated by whitespace; `'...'` quotes (with
/// `''` for a quote and the escapes `\n`, `\t`, `\\`, `\'`) keep spaces; quoted and unquoted parts next to
/// each other make one word.
pub fn meta_args(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    out.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        None => return Err("unterminated quoted string".into()),
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            w.push('\'');
                        }
                        Some('\'') => break,
                        Some('\\') => match chars.next() {
                            Some('n') => w.push('\n'),
                            Some('t') => w.push('\t'),
                            Some('r') => w.push('\r'),
                            Some(other) => w.push(other),
                            None => return Err("unterminated quoted string".into()),
                        },
                        Some(other) => w.push(other),
                    }
                }
            }
            other => word.get_or_insert_with(String::new).push(other),
        }
    }
    if let Some(w) = word {
        out.push(w);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Variables {
        let mut v = Variables::default();
        for (k, val) in pairs {
            v.set(k, val).unwrap();
        }
        v
    }

    #[test]
    fn references_become_placeholders_typed_by_look() {
        let v = vars(&[("n", "42"), ("who", "alice"), ("coll", "user_sessions")]);
        let i = v
            .interpolate("SELECT * FROM :\"coll\" WHERE k = :n AND u = :'who' AND t = :who")
            .unwrap();
        assert_eq!(
            i.text,
            "SELECT * FROM \"user_sessions\" WHERE k = $1 AND u = $2     AND t = $3  "
        );
        assert_eq!(
            i.params,
            vec![Bson::Int32(42), Bson::from("alice"), Bson::from("alice")]
        );
    }

    #[test]
    fn casts_strings_comments_and_dollar_quotes_are_untouched() {
        let v = vars(&[("n", "1"), ("text", "x")]);
        for sql in [
            "SELECT '1'::text",
            "SELECT ':n', ':text'",
            "SELECT 1 -- :n\n",
            "SELECT 1 /* :n */",
            "SELECT $$ :n $$",
            "SELECT \":n\" FROM c",
            "SELECT :undefined",
            "SELECT : n",
        ] {
            assert_eq!(v.interpolate(sql), None, "{sql}");
        }
        let i = v.interpolate("SELECT :n::text, $1").unwrap();
        assert_eq!(i.text, "SELECT $2::text, $1");
        assert_eq!(i.params, vec![Bson::Int32(1)]);
    }

    #[test]
    fn injection_stays_a_value_or_a_name() {
        let v = vars(&[
            ("x", "1; DROP COLLECTION c"),
            ("t", "c\"; DROP COLLECTION c; --"),
        ]);
        let i = v.interpolate("SELECT * FROM c WHERE k = :x").unwrap();
        assert_eq!(i.params, vec![Bson::from("1; DROP COLLECTION c")]);
        assert!(!i.text.contains("DROP"));
        let i = v.interpolate("SELECT * FROM :\"t\"").unwrap();
        assert_eq!(i.text, "SELECT * FROM \"c\"\"; DROP COLLECTION c; --\"");
        assert!(crate::sql::parse(&i.text).map(|s| s.len()) == Ok(1));
    }

    #[test]
    fn values_are_typed_like_literals() {
        assert_eq!(typed_value("7"), Bson::Int32(7));
        assert_eq!(typed_value("-7"), Bson::Int32(-7));
        assert_eq!(typed_value("9000000000"), Bson::Int64(9_000_000_000));
        assert_eq!(typed_value("1.5"), Bson::Double(1.5));
        assert_eq!(typed_value(".5e3"), Bson::Double(500.0));
        assert_eq!(typed_value("TRUE"), Bson::Boolean(true));
        assert_eq!(typed_value("false"), Bson::Boolean(false));
        for text in ["1e", "1.2.3", "0x10", "inf", "NaN", "", "12 ", "abc", "."] {
            assert_eq!(typed_value(text), Bson::from(text), "{text}");
        }
        assert_eq!(typed_value("99999999999999999999"), Bson::Double(1e20));
    }

    #[test]
    fn meta_arguments_split_like_psql() {
        assert_eq!(meta_args("x 'a b' c").unwrap(), vec!["x", "a b", "c"]);
        assert_eq!(meta_args("x 'it''s'").unwrap(), vec!["x", "it's"]);
        assert_eq!(meta_args("x 'a\\nb'").unwrap(), vec!["x", "a\nb"]);
        assert_eq!(meta_args("x pre'q'post").unwrap(), vec!["x", "preqpost"]);
        assert!(meta_args("x 'open").is_err());
        assert!(meta_args("").unwrap().is_empty());
        assert!(!valid_name("a-b"));
        assert!(valid_name("user_1"));
    }
}
