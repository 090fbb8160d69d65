//! The SQL dialect: PostgreSQL's, by delegation, except that `?` is a parameter placeholder (PostgreSQL reads
//! it as a jsonb / geometric operator, which sqlmongo does not translate). Every hook PostgreSqlDialect
//! overrides is forwarded, and `dialect()` reports PostgreSqlDialect so sqlparser's PostgreSQL-specific
//! parsing applies. Two hooks are ours: `parse_infix` refuses an operator chain deeper than the depth limit,
//! and `parse_prefix` reads a number or a plain string literal directly (the same expression sqlparser gives,
//! without first trying to read a type name there and formatting the error of that attempt: two thirds of
//! the parse time of a VALUES row).

use sqlparser::ast::Expr;
use sqlparser::dialect::{Dialect, PostgreSqlDialect, Precedence};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;
use std::any::TypeId;

/// PostgreSQL with `?` placeholders.
#[derive(Debug, Default)]
pub struct SqlMongoDialect {
    pg: PostgreSqlDialect,
}

impl Dialect for SqlMongoDialect {
    fn dialect(&self) -> TypeId {
        TypeId::of::<PostgreSqlDialect>()
    }

    // `?` is a placeholder: the tokenizer only reads it as an operator when geometric types are on.
    fn supports_geometric_types(&self) -> bool {
        false
    }

    fn identifier_quote_style(&self, _identifier: &str) -> Option<char> {
        self.pg.identifier_quote_style(_identifier)
    }

    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        self.pg.is_delimited_identifier_start(ch)
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        self.pg.is_identifier_start(ch)
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        self.pg.is_identifier_part(ch)
    }

    fn supports_unicode_string_literal(&self) -> bool {
        self.pg.supports_unicode_string_literal()
    }

    fn is_reserved_for_identifier(&self, kw: Keyword) -> bool {
        self.pg.is_reserved_for_identifier(kw)
    }

    fn is_table_alias(&self, kw: &Keyword, _parser: &mut Parser) -> bool {
        self.pg.is_table_alias(kw, _parser)
    }

    fn is_custom_operator_part(&self, ch: char) -> bool {
        self.pg.is_custom_operator_part(ch)
    }

    // Not PostgreSQL's (it has no hook here): a number or a `'...'` literal is a value. sqlparser reaches the same
    // `Expr::Value` after trying `parse_data_type` at the token (for `DATE '...'`), which cannot succeed at a
    // number or a string and formats an "Expected: a data type name" error each time.
    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        match parser.peek_token_ref().token {
            Token::Number(..) | Token::SingleQuotedString(_) => {
                Some(parser.parse_value().map(Expr::Value))
            }
            _ => None,
        }
    }

    // Not PostgreSQL's (it has no hook here): refuses an operator chain longer than the depth limit before
    // extending it, at the operator (see `depth.rs`).
    fn parse_infix(
        &self,
        parser: &mut Parser,
        expr: &Expr,
        _precedence: u8,
    ) -> Option<Result<Expr, ParserError>> {
        if super::depth::spine_too_long(expr) {
            let at = parser.peek_token_ref().span.start;
            return Some(Err(ParserError::ParserError(format!(
                "{} at Line: {}, Column: {}",
                super::depth::too_deep_message(),
                at.line,
                at.column
            ))));
        }
        None
    }

    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        self.pg.get_next_precedence(parser)
    }

    fn supports_filter_during_aggregation(&self) -> bool {
        self.pg.supports_filter_during_aggregation()
    }

    fn supports_group_by_expr(&self) -> bool {
        self.pg.supports_group_by_expr()
    }

    fn supports_alter_user_as_alter_role(&self) -> bool {
        self.pg.supports_alter_user_as_alter_role()
    }

    fn prec_value(&self, prec: Precedence) -> u8 {
        self.pg.prec_value(prec)
    }

    fn allow_extract_custom(&self) -> bool {
        self.pg.allow_extract_custom()
    }

    fn allow_extract_single_quotes(&self) -> bool {
        self.pg.allow_extract_single_quotes()
    }

    fn supports_create_index_with_clause(&self) -> bool {
        self.pg.supports_create_index_with_clause()
    }

    fn supports_explain_with_utility_options(&self) -> bool {
        self.pg.supports_explain_with_utility_options()
    }

    fn supports_listen_notify(&self) -> bool {
        self.pg.supports_listen_notify()
    }

    fn supports_exclude_constraint(&self) -> bool {
        self.pg.supports_exclude_constraint()
    }

    fn supports_factorial_operator(&self) -> bool {
        self.pg.supports_factorial_operator()
    }

    fn supports_bitwise_shift_operators(&self) -> bool {
        self.pg.supports_bitwise_shift_operators()
    }

    fn supports_comment_on(&self) -> bool {
        self.pg.supports_comment_on()
    }

    fn supports_load_extension(&self) -> bool {
        self.pg.supports_load_extension()
    }

    fn supports_named_fn_args_with_colon_operator(&self) -> bool {
        self.pg.supports_named_fn_args_with_colon_operator()
    }

    fn supports_named_fn_args_with_expr_name(&self) -> bool {
        self.pg.supports_named_fn_args_with_expr_name()
    }

    fn supports_empty_projections(&self) -> bool {
        self.pg.supports_empty_projections()
    }

    fn supports_nested_comments(&self) -> bool {
        self.pg.supports_nested_comments()
    }

    fn supports_string_escape_constant(&self) -> bool {
        self.pg.supports_string_escape_constant()
    }

    fn supports_numeric_literal_underscores(&self) -> bool {
        self.pg.supports_numeric_literal_underscores()
    }

    fn supports_array_typedef_with_brackets(&self) -> bool {
        self.pg.supports_array_typedef_with_brackets()
    }

    fn supports_order_by_using_operator(&self) -> bool {
        self.pg.supports_order_by_using_operator()
    }

    fn supports_set_names(&self) -> bool {
        self.pg.supports_set_names()
    }

    fn supports_alter_column_type_using(&self) -> bool {
        self.pg.supports_alter_column_type_using()
    }

    fn supports_left_associative_joins_without_parens(&self) -> bool {
        self.pg.supports_left_associative_joins_without_parens()
    }

    fn supports_notnull_operator(&self) -> bool {
        self.pg.supports_notnull_operator()
    }

    fn supports_interval_options(&self) -> bool {
        self.pg.supports_interval_options()
    }

    fn supports_insert_table_alias(&self) -> bool {
        self.pg.supports_insert_table_alias()
    }

    fn supports_create_table_like_parenthesized(&self) -> bool {
        self.pg.supports_create_table_like_parenthesized()
    }

    fn supports_select_wildcard_with_alias(&self) -> bool {
        self.pg.supports_select_wildcard_with_alias()
    }

    fn supports_comma_separated_trim(&self) -> bool {
        self.pg.supports_comma_separated_trim()
    }

    fn supports_xml_expressions(&self) -> bool {
        self.pg.supports_xml_expressions()
    }

    fn supports_aliased_function_args(&self) -> bool {
        self.pg.supports_aliased_function_args()
    }

    fn supports_comment_optimizer_hint(&self) -> bool {
        self.pg.supports_comment_optimizer_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sqlparser::parser::Parser;

    /// Both dialects' statements (or both errors) for `sql`, as text (spans are not compared).
    fn both(sql: &str) -> (String, String) {
        let ours = Parser::parse_sql(&SqlMongoDialect::default(), sql);
        let pg = Parser::parse_sql(&PostgreSqlDialect {}, sql);
        (format!("{ours:?}"), format!("{pg:?}"))
    }

    fn literal() -> impl Strategy<Value = String> {
        prop_oneof![
            "-?[0-9]{1,12}(\\.[0-9]{0,6})?([eE][+-]?[0-9]{1,3})?",
            "'[a-z :'-]{0,12}'".prop_map(|s| s.replace("''", "'")),
            Just("''".to_string()),
            Just("'it''s'".to_string()),
            Just("NULL".to_string()),
            Just("TRUE".to_string()),
            Just("DATE '2026-12-06'".to_string()),
            Just("TIMESTAMPTZ '2026-12-06T10:00:00Z'".to_string()),
            Just("INTERVAL '1 day'".to_string()),
        ]
    }

    fn tail() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            Just(""),
            Just("::text"),
            Just(" + 1"),
            Just(" || 'x'"),
            Just(" 'y'"),
            Just("[1]"),
            Just(" IS NULL"),
            Just(" AS a"),
            Just(" COLLATE \"C\""),
        ]
    }

    proptest! {
        /// Literals in every position a prefix is read (select list, VALUES rows, WHERE, function arguments),
        /// followed by what may continue them, parse to the same statements as with PostgreSqlDialect (or fail
        /// alike).
        #[test]
        fn literal_prefixes_parse_as_postgresql_reads_them(
            values in prop::collection::vec((literal(), tail()), 1..5),
        ) {
            let list: Vec<String> = values.iter().map(|(l, t)| format!("{l}{t}")).collect();
            for sql in [
                format!("SELECT {}", list.join(", ")),
                format!("INSERT INTO t (a) VALUES ({}), ({})", list.join(", "), list[0]),
                format!("SELECT * FROM t WHERE a = {} AND f({})", list[0], list.join(", ")),
            ] {
                let (ours, pg) = both(&sql);
                prop_assert_eq!(ours, pg, "{}", sql);
            }
        }
    }

    #[test]
    fn literals_keep_their_values_and_errors() {
        for sql in [
            "SELECT 1, -2.5e3, 'a''b', '', 'x' 'y', 1::int, '1 day'::interval, E'\\n', $$d$$",
            "INSERT INTO s (a, b, c) VALUES ('s1', 2, NULL), ('s2', -3.25, TRUE)",
            "SELECT 'a' 'b' FROM t",
            "SELECT 1 2",
            "SELECT 'unterminated",
            "VALUES (1, 'a'), (2.5, 'b')",
        ] {
            let (ours, pg) = both(sql);
            assert_eq!(ours, pg, "{sql}");
        }
    }
}
