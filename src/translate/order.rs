//! The direction of an ORDER BY key, the one reading of `ASC` / `DESC` / `USING op` / `NULLS` that every
//! ORDER BY (SELECT, set operations, windows, CREATE INDEX) shares.

use super::expr::unsupported;
use super::Error;
use sqlparser::ast::{Expr, OrderByOptions, OrderBySort};

/// `(descending, nulls_first)` of a key, PostgreSQL's way: `USING <` is ascending and `USING >` descending
/// (the btree operators of every sortable type); NULLs come last ascending and first descending unless
/// `NULLS FIRST / LAST` says otherwise. Any other `USING` operator is refused at the key.
pub(crate) fn direction(o: &OrderByOptions, key: &Expr) -> Result<(bool, bool), Error> {
    let desc = match &o.sort {
        None | Some(OrderBySort::Asc) => false,
        Some(OrderBySort::Desc) => true,
        Some(OrderBySort::Using(op)) => match op.to_string().as_str() {
            "<" => false,
            ">" => true,
            other => {
                return Err(unsupported(
                    format!("ORDER BY ... USING {other} (only USING < and USING >)"),
                    key,
                ))
            }
        },
    };
    Ok((desc, o.nulls_first.unwrap_or(desc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_key(sql: &str) -> Result<(bool, bool), Error> {
        let stmts = crate::sql::parse(sql).unwrap();
        let crate::sql::Statement::Sql(s) = &stmts[0].0 else {
            panic!()
        };
        let sqlparser::ast::Statement::Query(q) = s.as_ref() else {
            panic!()
        };
        let sqlparser::ast::OrderByKind::Expressions(list) = &q.order_by.as_ref().unwrap().kind
        else {
            panic!()
        };
        direction(&list[0].options, &list[0].expr)
    }

    #[test]
    fn using_is_read_as_postgresql_reads_it() {
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a").unwrap(),
            (false, false)
        );
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a DESC").unwrap(),
            (true, true)
        );
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a USING <").unwrap(),
            (false, false)
        );
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a USING >").unwrap(),
            (true, true)
        );
        assert_eq!(
            first_key("SELECT a FROM c ORDER BY a USING > NULLS LAST").unwrap(),
            (true, false)
        );
        let e = first_key("SELECT a FROM c ORDER BY a USING <=").unwrap_err();
        assert!(e.to_string().contains("USING <="), "{e}");
    }
}
