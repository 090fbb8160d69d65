//! The statement parser: our extension statements by peeking at leading words, the rest by sqlparser.

use super::ast::{
    AlterCollection, CollectionOption, CreateCollection, DropCollection, ShowIndexes, Statement,
    StatementText,
};
use super::depth;
use super::dialect::SqlMongoDialect;
use super::error::{from_parser_error, ParseError};
use sqlparser::ast::SqlOption;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token};

/// Parses one or more `;`-separated statements, each with its own text and start position.
///
/// ```
/// let stmts = sqlmongo::sql::parse("CREATE COLLECTION c WITH (ttl_field = 'expiresAt'); SELECT 1").unwrap();
/// assert_eq!(stmts.len(), 2);
/// assert_eq!(stmts[1].1.text, "SELECT 1");
/// ```
pub fn parse(sql: &str) -> Result<Vec<(Statement, StatementText)>, ParseError> {
    parse_ending(sql, |e| at_end_if_unknown(e, sql))
}

/// [`parse`] of a piece of a longer source (one statement the [`splitter`](super::splitter) handed out):
/// positions are relative to the piece, and an error at the end of the piece keeps the unknown position
/// (line 0) for the caller to place at the end of the whole source.
pub fn parse_piece(sql: &str) -> Result<Vec<(Statement, StatementText)>, ParseError> {
    parse_ending(sql, |e| e)
}

fn parse_ending(
    sql: &str,
    at_end: impl Fn(ParseError) -> ParseError,
) -> Result<Vec<(Statement, StatementText)>, ParseError> {
    let dialect = SqlMongoDialect::default();
    let tokens = sqlparser::tokenizer::Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| from_parser_error(ParserError::from(e)))?;
    let mut parser =
        Parser::new(&dialect).with_tokens_with_locations(super::question::rewrite(tokens));
    let lines = LineIndex::new(sql);
    let mut out = Vec::new();
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        let start = parser.peek_token();
        if start.token == Token::EOF {
            break;
        }
        let stmt = match parse_statement(&mut parser) {
            Ok(stmt) => stmt,
            // sqlparser's own limit (parentheses, NOT, subqueries) carries no position: where it stopped.
            Err(ParserError::RecursionLimitExceeded) => {
                let at = parser.peek_token_ref().span.start;
                return Err(at_end(ParseError::new(
                    "statement nested too deeply",
                    at.line,
                    at.column,
                )));
            }
            Err(e) => return Err(at_end(from_parser_error(e))),
        };
        if let Some((line, column)) = too_deep(&stmt) {
            depth::drop_deep(stmt);
            return Err(at_end(ParseError::new(
                depth::too_deep_message(),
                line,
                column,
            )));
        }
        let mut stmt = stmt;
        strip_only(&mut stmt);
        let end = parser.peek_token();
        match end.token {
            Token::SemiColon | Token::EOF => {}
            _ => {
                return Err(ParseError::new(
                    format!("Expected: end of statement, found: {}", end.token),
                    end.span.start.line,
                    end.span.start.column,
                ))
            }
        }
        let text = lines
            .slice(sql, start.span.start, end.span.start)
            .trim_end()
            .to_string();
        out.push((
            stmt,
            StatementText {
                text,
                line: start.span.start.line,
                column: start.span.start.column,
            },
        ));
    }
    Ok(out)
}

/// `ONLY c` is `c` (see `only.rs`).
fn strip_only(stmt: &mut Statement) {
    match stmt {
        Statement::Sql(s) => super::only::strip_only(&mut **s),
        Statement::Explain(inner) => strip_only(inner),
        _ => {}
    }
}

/// The position of an expression nested deeper than the limit, if any (see `depth.rs`).
fn too_deep(stmt: &Statement) -> Option<(u64, u64)> {
    match stmt {
        Statement::Sql(s) => depth::too_deep(&**s),
        Statement::Explain(inner) => too_deep(inner),
        Statement::CreateCollection(CreateCollection { options, .. })
        | Statement::AlterCollection(AlterCollection { options, .. }) => {
            options.iter().find_map(|o| depth::too_deep(&o.value))
        }
        Statement::DropCollection(_)
        | Statement::ShowCollections
        | Statement::ShowIndexes(_)
        | Statement::RefreshMaterializedView(_) => None,
        Statement::Copy(c) => match &c.source {
            super::copy::CopySource::Query(q) => depth::too_deep(q.as_ref()),
            super::copy::CopySource::Table { .. } => None,
        },
    }
}

/// sqlparser reports errors at the end of input with an empty location: point at the end instead.
fn at_end_if_unknown(mut e: ParseError, sql: &str) -> ParseError {
    if e.line == 0 {
        let line = sql.split('\n').count() as u64;
        let column = sql
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0) as u64
            + 1;
        e.line = line;
        e.column = column;
    }
    e
}

fn word_is(tok: &Token, word: &str) -> bool {
    matches!(tok, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

fn parse_statement(parser: &mut Parser<'_>) -> Result<Statement, ParserError> {
    let t0 = parser.peek_nth_token(0).token;
    let t1 = parser.peek_nth_token(1).token;
    if word_is(&t0, "EXPLAIN") {
        parser.next_token();
        // EXPLAIN options of PostgreSQL (ANALYZE, VERBOSE, ...) are not ours: refuse them by name.
        let next = parser.peek_token();
        if word_is(&next.token, "ANALYZE") || word_is(&next.token, "VERBOSE") {
            return parser.expected(
                "a statement after EXPLAIN (EXPLAIN options are not supported)",
                next,
            );
        }
        return Ok(Statement::Explain(Box::new(parse_statement(parser)?)));
    }
    if word_is(&t0, "COPY") {
        parser.next_token();
        return Ok(Statement::Copy(Box::new(super::copy::parse_copy(parser)?)));
    }
    if word_is(&t0, "CREATE") && word_is(&t1, "COLLECTION") {
        parser.next_token();
        parser.next_token();
        let if_not_exists = parser.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
        let name = parser.parse_object_name(false)?;
        let options = if parser.peek_keyword(Keyword::WITH) {
            options_of(parser.parse_options(Keyword::WITH)?, parser)?
        } else {
            Vec::new()
        };
        return Ok(Statement::CreateCollection(CreateCollection {
            name,
            if_not_exists,
            options,
        }));
    }
    if word_is(&t0, "ALTER") && word_is(&t1, "COLLECTION") {
        parser.next_token();
        parser.next_token();
        let name = parser.parse_object_name(false)?;
        let options = options_of(parser.parse_options(Keyword::SET)?, parser)?;
        if options.is_empty() {
            return parser.expected("at least one option in SET (...)", parser.peek_token());
        }
        return Ok(Statement::AlterCollection(AlterCollection {
            name,
            options,
        }));
    }
    if word_is(&t0, "DROP") && word_is(&t1, "COLLECTION") {
        parser.next_token();
        parser.next_token();
        let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let name = parser.parse_object_name(false)?;
        return Ok(Statement::DropCollection(DropCollection {
            name,
            if_exists,
        }));
    }
    if word_is(&t0, "REFRESH") && word_is(&t1, "MATERIALIZED") {
        parser.next_token();
        parser.next_token();
        parser.expect_keyword_is(Keyword::VIEW)?;
        let concurrently = parser.parse_keyword(Keyword::CONCURRENTLY);
        let name = parser.parse_object_name(false)?;
        let mut with_no_data = false;
        if parser.parse_keyword(Keyword::WITH) {
            with_no_data = parser.parse_keyword(Keyword::NO);
            parser.expect_keyword_is(Keyword::DATA)?;
        }
        return Ok(Statement::RefreshMaterializedView(
            super::ast::RefreshMaterializedView {
                name,
                concurrently,
                with_no_data,
            },
        ));
    }
    if word_is(&t0, "SHOW") && word_is(&t1, "COLLECTIONS") {
        parser.next_token();
        parser.next_token();
        return Ok(Statement::ShowCollections);
    }
    if word_is(&t0, "SHOW") && (word_is(&t1, "INDEXES") || word_is(&t1, "INDEX")) {
        parser.next_token();
        parser.next_token();
        if !(parser.parse_keyword(Keyword::FROM) || parser.parse_keyword(Keyword::ON)) {
            return parser.expected("FROM", parser.peek_token());
        }
        let name = parser.parse_object_name(false)?;
        return Ok(Statement::ShowIndexes(ShowIndexes { name }));
    }
    Ok(Statement::Sql(Box::new(parser.parse_statement()?)))
}

/// Keeps `key = value` options; anything else, and a repeated key, is an error at the option.
fn options_of(
    options: Vec<SqlOption>,
    parser: &Parser<'_>,
) -> Result<Vec<CollectionOption>, ParserError> {
    let mut out: Vec<CollectionOption> = Vec::new();
    for o in options {
        match o {
            SqlOption::KeyValue { key, value } => {
                if out
                    .iter()
                    .any(|p| p.key.value.eq_ignore_ascii_case(&key.value))
                {
                    return Err(ParserError::ParserError(format!(
                        "option {} given twice at Line: {}, Column: {}",
                        key.value, key.span.start.line, key.span.start.column
                    )));
                }
                out.push(CollectionOption { key, value });
            }
            other => {
                return parser.expected(
                    "an option of the form name = value",
                    sqlparser::tokenizer::TokenWithSpan::wrap(Token::make_word(
                        &other.to_string(),
                        None,
                    )),
                )
            }
        }
    }
    Ok(out)
}

/// Maps sqlparser's (line, column) locations to byte offsets.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(s: &str) -> Self {
        let mut starts = vec![0];
        for (i, b) in s.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    fn offset(&self, s: &str, loc: Location) -> usize {
        if loc.line == 0 {
            return s.len();
        }
        let Some(&line_start) = self.starts.get((loc.line - 1) as usize) else {
            return s.len();
        };
        let rest = s.get(line_start..).unwrap_or("");
        let col = loc.column.saturating_sub(1) as usize;
        line_start
            + rest
                .char_indices()
                .nth(col)
                .map(|(i, _)| i)
                .unwrap_or(rest.len())
    }

    fn slice<'s>(&self, s: &'s str, from: Location, to: Location) -> &'s str {
        let a = self.offset(s, from);
        let b = self.offset(s, to).max(a);
        s.get(a..b).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_statements_parse_and_print() {
        let cases = [
            "CREATE COLLECTION user_sessions WITH (ttl_field = 'expiresAt', expire_after_seconds = 0)",
            "CREATE COLLECTION IF NOT EXISTS c",
            "ALTER COLLECTION c SET (expire_after_seconds = 60)",
            "DROP COLLECTION IF EXISTS c",
            "SHOW COLLECTIONS",
            "SHOW INDEXES FROM c",
            "EXPLAIN SHOW COLLECTIONS",
            "REFRESH MATERIALIZED VIEW m",
            "REFRESH MATERIALIZED VIEW CONCURRENTLY s.m WITH NO DATA",
        ];
        for sql in cases {
            let stmts = parse(sql).unwrap();
            assert_eq!(stmts.len(), 1, "{sql}");
            assert_eq!(stmts[0].0.to_string(), sql);
            assert_eq!(stmts[0].1.text, sql);
        }
    }

    #[test]
    fn statements_keep_text_and_position() {
        let sql = "SELECT ';' FROM t; -- c\n  DELETE FROM t WHERE a = 1;";
        let stmts = parse(sql).unwrap();
        assert_eq!(stmts.len(), 2);
        assert_eq!(stmts[0].1.text, "SELECT ';' FROM t");
        assert_eq!(stmts[1].1.text, "DELETE FROM t WHERE a = 1");
        assert_eq!((stmts[1].1.line, stmts[1].1.column), (2, 3));
    }

    #[test]
    fn repeated_and_malformed_options_are_errors_with_positions() {
        let e = parse("CREATE COLLECTION c WITH (capped = true, capped = false)").unwrap_err();
        assert_eq!((e.line, e.column), (1, 42));
        let e = parse("SELECT * FROM t WHERE").unwrap_err();
        assert!(e.line == 1 && e.column > 0, "{e}");
        assert!(parse("SHOW INDEXES c").is_err());
        assert!(parse("SELECT 1 SELECT 2").is_err());
    }
}
