//! PostgreSQL's `COPY`, parsed by us rather than by sqlparser (whose COPY knows neither `HEADER MATCH`,
//! `ON_ERROR`, `DEFAULT` nor our `FORMAT json` options): the statement's shape, and its options kept as
//! written (name, argument, position) so that `crate::copy` checks them with PostgreSQL's messages.
//!
//! ```text
//! COPY table [(column [, ...])] FROM {'file' | STDIN | PROGRAM 'cmd'} [[WITH] (option [arg] [, ...])]
//! COPY {table [(column [, ...])] | (query)} TO {'file' | STDOUT | PROGRAM 'cmd'} [[WITH] (option [, ...])]
//! ```
//!
//! plus the pre-9.0 options (`WITH CSV HEADER DELIMITER AS ';' NULL AS '' QUOTE AS '"' FORCE NOT NULL a`),
//! which become the same options.

use sqlparser::ast::{Ident, ObjectName, Query};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{IsOptional, Parser, ParserError};
use sqlparser::tokenizer::Token;
use std::fmt;

/// `COPY`, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyStatement {
    /// The table (and columns) or the query.
    pub source: CopySource,
    /// `TO` (export) rather than `FROM` (import).
    pub to: bool,
    /// The file, STDIN / STDOUT, or a program.
    pub target: CopyTarget,
    /// The options in order, legacy ones translated to their new names.
    pub options: Vec<CopyOption>,
}

/// What a COPY reads or fills.
#[derive(Debug, Clone, PartialEq)]
pub enum CopySource {
    /// A table, with the columns named (empty: all of them).
    Table {
        /// The table.
        name: ObjectName,
        /// The columns named, in order.
        columns: Vec<Ident>,
    },
    /// `(query)`: COPY TO only.
    Query(Box<Query>),
}

/// Where the data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyTarget {
    /// A file name.
    File(String),
    /// `STDIN` (psql's `\copy`: also `PSTDIN`).
    Stdin,
    /// `STDOUT` (psql's `\copy`: also `PSTDOUT`).
    Stdout,
    /// `PROGRAM 'command'` (refused when run).
    Program(String),
}

/// One option: its name (lower case), its argument and where the name is (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOption {
    /// The name, lower case (`format`, `header`, `force_not_null`, ...).
    pub name: String,
    /// The argument.
    pub value: CopyOptionValue,
    /// 1-based line of the name.
    pub line: u64,
    /// 1-based column of the name.
    pub column: u64,
}

/// The argument of an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyOptionValue {
    /// No argument (`HEADER`).
    None,
    /// A string literal.
    Str(String),
    /// A word (`csv`, `true`, `match`, `ignore`).
    Word(String),
    /// A number.
    Number(String),
    /// `*`.
    Star,
    /// `(column, ...)`.
    List(Vec<String>),
}

/// Parses the rest of a statement after the `COPY` keyword (already consumed).
pub(crate) fn parse_copy(parser: &mut Parser<'_>) -> Result<CopyStatement, ParserError> {
    let source = if parser.consume_token(&Token::LParen) {
        let q = parser.parse_query()?;
        parser.expect_token(&Token::RParen)?;
        CopySource::Query(q)
    } else {
        let name = parser.parse_object_name(false)?;
        let columns = parser.parse_parenthesized_column_list(IsOptional::Optional, false)?;
        CopySource::Table { name, columns }
    };
    let to = match parser.parse_one_of_keywords(&[Keyword::FROM, Keyword::TO]) {
        Some(Keyword::TO) => true,
        Some(_) => false,
        None => return parser.expected("FROM or TO", parser.peek_token()),
    };
    if !to && matches!(source, CopySource::Query(_)) {
        let at = parser.peek_token();
        return Err(ParserError::ParserError(format!(
            "COPY (query) FROM is not allowed: a query can only be copied TO a file at Line: {}, Column: {}",
            at.span.start.line, at.span.start.column
        )));
    }
    let next = parser.next_token();
    let target = match &next.token {
        Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) => {
            CopyTarget::File(s.clone())
        }
        Token::Word(w) if w.quote_style.is_none() => match w.value.to_ascii_uppercase().as_str() {
            "STDIN" | "PSTDIN" => CopyTarget::Stdin,
            "STDOUT" | "PSTDOUT" => CopyTarget::Stdout,
            "PROGRAM" => CopyTarget::Program(parser.parse_literal_string()?),
            _ => return parser.expected("a file name in quotes, STDIN or STDOUT", next),
        },
        _ => return parser.expected("a file name in quotes, STDIN or STDOUT", next),
    };
    let _ = parser.parse_keyword(Keyword::WITH);
    let mut options = Vec::new();
    if parser.consume_token(&Token::LParen) {
        loop {
            options.push(new_style_option(parser)?);
            if parser.consume_token(&Token::Comma) {
                continue;
            }
            parser.expect_token(&Token::RParen)?;
            break;
        }
    } else {
        legacy_options(parser, &mut options)?;
    }
    Ok(CopyStatement {
        source,
        to,
        target,
        options,
    })
}

/// `name [argument]` inside `( ... )`.
fn new_style_option(parser: &mut Parser<'_>) -> Result<CopyOption, ParserError> {
    let name_tok = parser.next_token();
    let name = match &name_tok.token {
        Token::Word(w) => w.value.to_ascii_lowercase(),
        _ => return parser.expected("a COPY option name", name_tok),
    };
    let (line, column) = (name_tok.span.start.line, name_tok.span.start.column);
    let next = parser.peek_token();
    let value = match &next.token {
        Token::Comma | Token::RParen => CopyOptionValue::None,
        Token::Mul => {
            parser.next_token();
            CopyOptionValue::Star
        }
        Token::LParen => {
            let cols = parser.parse_parenthesized_column_list(IsOptional::Mandatory, false)?;
            CopyOptionValue::List(cols.into_iter().map(|c| c.value).collect())
        }
        Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) => {
            parser.next_token();
            CopyOptionValue::Str(s.clone())
        }
        Token::Number(n, _) => {
            parser.next_token();
            CopyOptionValue::Number(n.clone())
        }
        Token::Minus => {
            parser.next_token();
            match parser.next_token().token {
                Token::Number(n, _) => CopyOptionValue::Number(format!("-{n}")),
                _ => return parser.expected("a number", parser.peek_token()),
            }
        }
        Token::Word(w) => {
            parser.next_token();
            CopyOptionValue::Word(w.value.to_ascii_lowercase())
        }
        _ => return parser.expected("an option argument, `,` or `)`", next),
    };
    Ok(CopyOption {
        name,
        value,
        line,
        column,
    })
}

/// The pre-9.0 option syntax (`[WITH] [BINARY] [DELIMITER [AS] 'c'] [NULL [AS] 's'] [CSV [HEADER] [QUOTE [AS]
/// 'q'] [ESCAPE [AS] 'e'] [FORCE QUOTE {cols | *}] [FORCE NOT NULL cols]]`), in any order.
fn legacy_options(
    parser: &mut Parser<'_>,
    options: &mut Vec<CopyOption>,
) -> Result<(), ParserError> {
    loop {
        let tok = parser.peek_token();
        let Token::Word(w) = &tok.token else {
            return Ok(());
        };
        if w.quote_style.is_some() {
            return Ok(());
        }
        let (line, column) = (tok.span.start.line, tok.span.start.column);
        let word = w.value.to_ascii_uppercase();
        let mut push = |name: &str, value: CopyOptionValue| {
            options.push(CopyOption {
                name: name.to_string(),
                value,
                line,
                column,
            })
        };
        match word.as_str() {
            "BINARY" | "CSV" => {
                parser.next_token();
                push("format", CopyOptionValue::Word(word.to_ascii_lowercase()));
            }
            "HEADER" => {
                parser.next_token();
                push("header", CopyOptionValue::None);
            }
            "DELIMITER" | "NULL" | "QUOTE" | "ESCAPE" | "ENCODING" => {
                parser.next_token();
                let _ = parser.parse_keyword(Keyword::AS);
                let s = parser.parse_literal_string()?;
                push(&word.to_ascii_lowercase(), CopyOptionValue::Str(s));
            }
            "FORCE" => {
                parser.next_token();
                let name = if parser.parse_keyword(Keyword::QUOTE) {
                    "force_quote"
                } else if parser.parse_keywords(&[Keyword::NOT, Keyword::NULL]) {
                    "force_not_null"
                } else if parser.parse_keyword(Keyword::NULL) {
                    "force_null"
                } else {
                    return parser
                        .expected("QUOTE, NOT NULL or NULL after FORCE", parser.peek_token());
                };
                if name == "force_quote" && parser.consume_token(&Token::Mul) {
                    push(name, CopyOptionValue::Star);
                } else {
                    let cols = parser.parse_comma_separated(|p| p.parse_identifier())?;
                    push(
                        name,
                        CopyOptionValue::List(cols.into_iter().map(|c| c.value).collect()),
                    );
                }
            }
            _ => return Ok(()),
        }
    }
}

fn quote_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl fmt::Display for CopyStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "COPY ")?;
        match &self.source {
            CopySource::Table { name, columns } => {
                write!(f, "{name}")?;
                if !columns.is_empty() {
                    let cols: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
                    write!(f, " ({})", cols.join(", "))?;
                }
            }
            CopySource::Query(q) => write!(f, "({q})")?,
        }
        write!(f, " {} ", if self.to { "TO" } else { "FROM" })?;
        match &self.target {
            CopyTarget::File(p) => write!(f, "{}", quote_str(p))?,
            CopyTarget::Stdin => write!(f, "STDIN")?,
            CopyTarget::Stdout => write!(f, "STDOUT")?,
            CopyTarget::Program(p) => write!(f, "PROGRAM {}", quote_str(p))?,
        }
        if !self.options.is_empty() {
            let opts: Vec<String> = self
                .options
                .iter()
                .map(|o| {
                    let name = o.name.to_ascii_uppercase();
                    match &o.value {
                        CopyOptionValue::None => name,
                        CopyOptionValue::Str(s) => format!("{name} {}", quote_str(s)),
                        CopyOptionValue::Word(w) | CopyOptionValue::Number(w) => {
                            format!("{name} {w}")
                        }
                        CopyOptionValue::Star => format!("{name} *"),
                        CopyOptionValue::List(l) => format!("{name} ({})", l.join(", ")),
                    }
                })
                .collect();
            write!(f, " ({})", opts.join(", "))?;
        }
        Ok(())
    }
}
