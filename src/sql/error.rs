//! Parse errors with a position.

use sqlparser::parser::ParserError;

/// A syntax error, with the 1-based line and column where it was found (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error at {line}:{column}: {message}")]
pub struct ParseError {
    /// What went wrong, without the position suffix.
    pub message: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl ParseError {
    /// An error at a known position.
    pub fn new(message: impl Into<String>, line: u64, column: u64) -> Self {
        let mut message = message.into();
        if message.ends_with("found: ?") {
            // PostgreSQL's jsonb `?` / `?|` / `?&` operators: `?` is the operator only after an operand
            // (sql/question.rs), a parameter placeholder elsewhere.
            message.push_str(" (`?` is the jsonb operator only right after an operand, elsewhere a parameter placeholder: or write jsonb_exists(j, 'k'))");
        }
        ParseError {
            message,
            line,
            column,
        }
    }
}

/// Converts sqlparser's error, whose position is only part of its text (`... at Line: 3, Column: 7`).
/// The one place this conversion happens.
pub fn from_parser_error(err: ParserError) -> ParseError {
    let text = match err {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s,
        ParserError::RecursionLimitExceeded => {
            return ParseError::new("statement nested too deeply", 0, 0);
        }
    };
    match text.rfind(" at Line: ") {
        Some(idx) => {
            let (message, pos) = text.split_at(idx);
            let mut line = 0;
            let mut column = 0;
            let pos = pos.trim_start_matches(" at Line: ");
            if let Some((l, c)) = pos.split_once(", Column: ") {
                line = l.trim().parse().unwrap_or(0);
                column = c.trim().parse().unwrap_or(0);
            }
            ParseError::new(message.trim(), line, column)
        }
        None => ParseError::new(text, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_is_read_from_the_message() {
        let e = from_parser_error(ParserError::ParserError(
            "Expected: an expression, found: FROM at Line: 3, Column: 7".into(),
        ));
        assert_eq!(
            e,
            ParseError::new("Expected: an expression, found: FROM", 3, 7)
        );
        let e = from_parser_error(ParserError::TokenizerError(
            "Unterminated string literal".into(),
        ));
        assert_eq!((e.line, e.column), (0, 0));
    }
}
