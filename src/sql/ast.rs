//! Our statement type: sqlparser's statements plus the extension statements.

use sqlparser::ast::{Expr, Ident, ObjectName};
use std::fmt;

/// The statement text and where it starts in the input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatementText {
    /// The statement's own text (without the trailing `;`).
    pub text: String,
    /// 1-based line of its first token.
    pub line: u64,
    /// 1-based column of its first token.
    pub column: u64,
}

/// A parsed statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// Anything sqlparser parses (SELECT, INSERT, CREATE INDEX, ...).
    Sql(Box<sqlparser::ast::Statement>),
    /// `CREATE COLLECTION`.
    CreateCollection(CreateCollection),
    /// `ALTER COLLECTION`.
    AlterCollection(AlterCollection),
    /// `DROP COLLECTION`.
    DropCollection(DropCollection),
    /// `SHOW COLLECTIONS`.
    ShowCollections,
    /// `SHOW INDEXES FROM name`.
    ShowIndexes(ShowIndexes),
    /// `EXPLAIN statement`: the plan, not executed.
    Explain(Box<Statement>),
    /// `COPY ... FROM / TO ...` (run by `crate::copy`, not translated).
    Copy(Box<super::copy::CopyStatement>),
    /// `REFRESH MATERIALIZED VIEW`.
    RefreshMaterializedView(RefreshMaterializedView),
}

/// `REFRESH MATERIALIZED VIEW`:
///
/// ```text
/// REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshMaterializedView {
    /// The materialized view.
    pub name: ObjectName,
    /// `CONCURRENTLY`.
    pub concurrently: bool,
    /// `WITH NO DATA`.
    pub with_no_data: bool,
}

/// One `key = value` option.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionOption {
    /// Option name.
    pub key: Ident,
    /// Its value expression (a literal).
    pub value: Expr,
}

/// `CREATE COLLECTION`:
///
/// ```text
/// CREATE COLLECTION [IF NOT EXISTS] name [WITH (option = value [, ...])]
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CreateCollection {
    /// Collection name.
    pub name: ObjectName,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// Options, in order.
    pub options: Vec<CollectionOption>,
}

/// `ALTER COLLECTION`:
///
/// ```text
/// ALTER COLLECTION name SET (option = value [, ...])
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AlterCollection {
    /// Collection name.
    pub name: ObjectName,
    /// Options, in order.
    pub options: Vec<CollectionOption>,
}

/// `DROP COLLECTION`:
///
/// ```text
/// DROP COLLECTION [IF EXISTS] name
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DropCollection {
    /// Collection name.
    pub name: ObjectName,
    /// `IF EXISTS`.
    pub if_exists: bool,
}

/// `SHOW INDEXES`:
///
/// ```text
/// SHOW INDEXES FROM name
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ShowIndexes {
    /// Collection name.
    pub name: ObjectName,
}

fn fmt_options(f: &mut fmt::Formatter<'_>, options: &[CollectionOption]) -> fmt::Result {
    write!(f, "(")?;
    for (i, o) in options.iter().enumerate() {
        if i > 0 {
            write!(f, ", ")?;
        }
        write!(f, "{} = {}", o.key, o.value)?;
    }
    write!(f, ")")
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Sql(s) => write!(f, "{s}"),
            Statement::CreateCollection(c) => {
                write!(f, "CREATE COLLECTION ")?;
                if c.if_not_exists {
                    write!(f, "IF NOT EXISTS ")?;
                }
                write!(f, "{}", c.name)?;
                if !c.options.is_empty() {
                    write!(f, " WITH ")?;
                    fmt_options(f, &c.options)?;
                }
                Ok(())
            }
            Statement::AlterCollection(a) => {
                write!(f, "ALTER COLLECTION {} SET ", a.name)?;
                fmt_options(f, &a.options)
            }
            Statement::DropCollection(d) => {
                write!(f, "DROP COLLECTION ")?;
                if d.if_exists {
                    write!(f, "IF EXISTS ")?;
                }
                write!(f, "{}", d.name)
            }
            Statement::ShowCollections => write!(f, "SHOW COLLECTIONS"),
            Statement::ShowIndexes(s) => write!(f, "SHOW INDEXES FROM {}", s.name),
            Statement::Explain(s) => write!(f, "EXPLAIN {s}"),
            Statement::Copy(c) => write!(f, "{c}"),
            Statement::RefreshMaterializedView(r) => {
                write!(f, "REFRESH MATERIALIZED VIEW ")?;
                if r.concurrently {
                    write!(f, "CONCURRENTLY ")?;
                }
                write!(f, "{}", r.name)?;
                if r.with_no_data {
                    write!(f, " WITH NO DATA")?;
                }
                Ok(())
            }
        }
    }
}
