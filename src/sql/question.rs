//! `?` is both sqlmongo's parameter placeholder and PostgreSQL's jsonb key-exists operator (`?`, `?|`,
//! `?&`). The rule: a `?` right after an operand (an identifier, a quoted identifier, a literal, `)`, `]`, a
//! parameter, or a type name after `::`) is the operator — a placeholder can never follow an operand —;
//! anywhere else (after an operator, `(`, `,`, or one of the keywords after which SQL expects an expression:
//! `SELECT`, `WHERE`, `AND`, `LIMIT`, `THEN`, `BETWEEN`, `LIKE`, `FROM`, ... see [`EXPECTS_OPERAND`]) it is a
//! placeholder. `?|` / `?&` are the operators when `|` / `&` follows the `?` with no space. So a column
//! named like a keyword (`value`, `data`, `key`) works: `value ? 'k'` is the operator.
//!
//! sqlparser's PostgreSQL tokenizer reads `?` as a placeholder (geometric types off); this pass rewrites the
//! operator uses into sqlparser's `Question` / `QuestionPipe` / `QuestionAnd` tokens before parsing.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

fn is_space(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

/// The keywords after which an expression (so a placeholder) may come; after any other word, `?` is the
/// operator.
pub(crate) const EXPECTS_OPERAND: &[Keyword] = &[
    Keyword::ALL,
    Keyword::AND,
    Keyword::ANY,
    Keyword::ARRAY,
    Keyword::AS,
    Keyword::BETWEEN,
    Keyword::BOTH,
    Keyword::BY,
    Keyword::CASE,
    Keyword::DEFAULT,
    Keyword::DISTINCT,
    Keyword::ELSE,
    Keyword::ESCAPE,
    Keyword::EXCEPT,
    Keyword::EXISTS,
    Keyword::FETCH,
    Keyword::FIRST,
    Keyword::FOR,
    Keyword::FROM,
    Keyword::HAVING,
    Keyword::ILIKE,
    Keyword::IN,
    Keyword::INTERSECT,
    Keyword::INTERVAL,
    Keyword::IS,
    Keyword::LEADING,
    Keyword::LIKE,
    Keyword::LIMIT,
    Keyword::NEXT,
    Keyword::NOT,
    Keyword::OFFSET,
    Keyword::ON,
    Keyword::OR,
    Keyword::PLACING,
    Keyword::RETURNING,
    Keyword::ROW,
    Keyword::SELECT,
    Keyword::SET,
    Keyword::SIMILAR,
    Keyword::SOME,
    Keyword::THEN,
    Keyword::TO,
    Keyword::TRAILING,
    Keyword::UNION,
    Keyword::USING,
    Keyword::VALUES,
    Keyword::WHEN,
    Keyword::WHERE,
    Keyword::WITH,
    Keyword::ZONE,
];

/// Whether `t` (preceded by `before`) ends an operand.
fn ends_operand(t: &Token, before: Option<&Token>) -> bool {
    match t {
        Token::Word(w) => {
            w.quote_style.is_some()
                || !EXPECTS_OPERAND.contains(&w.keyword)
                || matches!(before, Some(Token::DoubleColon))
        }
        Token::Number(..)
        | Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::EscapedStringLiteral(_)
        | Token::DollarQuotedString(_)
        | Token::UnicodeStringLiteral(_)
        | Token::NationalStringLiteral(_)
        | Token::RParen
        | Token::RBracket
        | Token::Placeholder(_) => true,
        _ => false,
    }
}

/// Rewrites the `?` tokens that follow an operand into jsonb operators (see the module documentation).
pub(crate) fn rewrite(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut iter = tokens.into_iter().peekable();
    while let Some(mut t) = iter.next() {
        if matches!(&t.token, Token::Placeholder(p) if p == "?") {
            let mut solid = out.iter().rev().filter(|x| !is_space(&x.token));
            let prev = solid.next().map(|x| &x.token);
            let before = solid.next().map(|x| &x.token);
            if prev.is_some_and(|p| ends_operand(p, before)) {
                let adjacent = |n: &TokenWithSpan| n.span.start == t.span.end;
                t.token = match iter.peek() {
                    Some(n) if n.token == Token::Pipe && adjacent(n) => {
                        if let Some(n) = iter.next() {
                            t.span.end = n.span.end;
                        }
                        Token::QuestionPipe
                    }
                    Some(n) if n.token == Token::Ampersand && adjacent(n) => {
                        if let Some(n) = iter.next() {
                            t.span.end = n.span.end;
                        }
                        Token::QuestionAnd
                    }
                    _ => Token::Question,
                };
            }
        }
        out.push(t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::tokenizer::Tokenizer;

    fn kinds(sql: &str) -> Vec<String> {
        let d = crate::sql::dialect::SqlMongoDialect::default();
        let toks = Tokenizer::new(&d, sql).tokenize_with_location().unwrap();
        rewrite(toks)
            .into_iter()
            .filter(|t| !is_space(&t.token))
            .map(|t| match t.token {
                Token::Question => "OP?".to_string(),
                Token::QuestionPipe => "OP?|".to_string(),
                Token::QuestionAnd => "OP?&".to_string(),
                Token::Placeholder(p) => format!("P{p}"),
                other => other.to_string(),
            })
            .collect()
    }

    #[test]
    fn operator_after_an_operand_placeholder_elsewhere() {
        assert_eq!(kinds("j ? 'k'"), ["j", "OP?", "'k'"]);
        assert_eq!(kinds("j ?| ARRAY['a']")[1], "OP?|");
        assert_eq!(kinds("(j->'a') ?& '{a}'")[5], "OP?&");
        assert_eq!(kinds("x::jsonb ? 'k'")[3], "OP?");
        assert_eq!(
            kinds("a = ? AND b ? ?"),
            ["a", "=", "P?", "AND", "b", "OP?", "P?"]
        );
        assert_eq!(
            kinds("SELECT ? FROM t WHERE k IN (?, ?) LIMIT ?"),
            [
                "SELECT", "P?", "FROM", "t", "WHERE", "k", "IN", "(", "P?", ",", "P?", ")",
                "LIMIT", "P?"
            ]
        );
        // `? |` with a space is a placeholder's operand position only after an operator.
        assert_eq!(kinds("j ? |")[1], "OP?");
        assert_eq!(kinds("value ? 'k'")[1], "OP?");
        assert_eq!(
            kinds("x BETWEEN ? AND ?"),
            ["x", "BETWEEN", "P?", "AND", "P?"]
        );
        assert_eq!(
            kinds("OFFSET ? ROWS FETCH FIRST ? ROWS ONLY"),
            ["OFFSET", "P?", "ROWS", "FETCH", "FIRST", "P?", "ROWS", "ONLY"]
        );
        assert_eq!(kinds("CASE WHEN ? THEN ? ELSE ? END")[2], "P?");
        assert_eq!(kinds("CASE WHEN a THEN b END ? 'k'")[6], "OP?");
        assert_eq!(kinds("TRIM(BOTH ? FROM ?)")[3], "P?");
        assert_eq!(kinds("NOT ?")[1], "P?");
        assert_eq!(kinds("\"value\" ? 'k'")[1], "OP?");
    }
}
