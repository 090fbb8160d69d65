//! Translation errors: valid SQL we refuse, invalid input, and our own bugs.

/// A 1-based line and column in the SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line, from 1 (0 when unknown).
    pub line: u64,
    /// Column, from 1 (0 when unknown).
    pub column: u64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// ` at LINE:COLUMN`, or nothing for an unknown position (an error of no single place in the text, e.g. a
/// COPY's declared DEFAULTs failing to evaluate).
fn at(p: &Position) -> String {
    if p.line == 0 {
        String::new()
    } else {
        format!(" at {p}")
    }
}

/// Why a statement could not be translated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Valid PostgreSQL that sqlmongo refuses (named in SQL words).
    #[error("unsupported: {construct}{}", at(position))]
    Unsupported {
        /// What kind of construct is refused (docs/dialect.md, "Refusal kinds").
        kind: Refusal,
        /// The refused construct, in SQL words (e.g. `window function ROW_NUMBER`).
        construct: String,
        /// Where it starts.
        position: Position,
    },
    /// The user's input is wrong (unknown function, `$`-prefixed field name, bad option).
    #[error("{message}{}", at(position))]
    Invalid {
        /// What is wrong.
        message: String,
        /// Where.
        position: Position,
    },
    /// A bug in sqlmongo.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlparser::tokenizer::Location> for Position {
    fn from(l: sqlparser::tokenizer::Location) -> Self {
        Position {
            line: l.line,
            column: l.column,
        }
    }
}

/// The kind of construct a refusal ([`Error::Unsupported`]) names: the part of the SQL dialect it belongs to.
/// docs/dialect.md lists every kind ("Refusal kinds"); a test checks the list and this enum agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// A statement, or a form or option of one (DDL and DML): `TRUNCATE`, `CREATE TABLE ... AS`, `INSERT ...
    /// SELECT`, `DEFAULT` in `CREATE TABLE`.
    Statement,
    /// A clause of a query or SELECT: `FETCH FIRST`, `DISTINCT ON`, `GROUP BY ROLLUP`, `LIMIT BY`, `WITH FILL`.
    Clause,
    /// A FROM item or relation: CTE and derived-table forms, `LATERAL`, `TABLESAMPLE`, table names.
    Relation,
    /// A join form: RIGHT / FULL joins among several tables, `NATURAL`, unqualified columns in joins.
    Join,
    /// A subquery form or position: row-value `IN (SELECT ...)`, a subquery where no stage can run it.
    Subquery,
    /// A set-operation form: `SELECT *` sides, ORDER BY expressions after UNION.
    SetOperation,
    /// A window function or window form: `GROUPS` frames, FILTER on a non-aggregate, named windows.
    Window,
    /// An aggregate form: DISTINCT with ORDER BY, a subquery inside an aggregate.
    Aggregate,
    /// A function or a form of one: unknown functions, non-constant arguments where a constant is needed.
    Function,
    /// An operator in a condition: an untyped array literal in `ANY`.
    Operator,
    /// An expression form: `AT TIME ZONE`, interval arithmetic other than timestamp ± interval.
    Expression,
    /// A type or cast: column types sqlmongo has no BSON type for, casts it cannot translate exactly.
    Type,
}

impl Refusal {
    /// Every kind, in declaration order.
    pub const ALL: [Refusal; 12] = [
        Refusal::Statement,
        Refusal::Clause,
        Refusal::Relation,
        Refusal::Join,
        Refusal::Subquery,
        Refusal::SetOperation,
        Refusal::Window,
        Refusal::Aggregate,
        Refusal::Function,
        Refusal::Operator,
        Refusal::Expression,
        Refusal::Type,
    ];

    /// The kind's name, as docs/dialect.md lists it (`Statement`, `SetOperation`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Refusal::Statement => "Statement",
            Refusal::Clause => "Clause",
            Refusal::Relation => "Relation",
            Refusal::Join => "Join",
            Refusal::Subquery => "Subquery",
            Refusal::SetOperation => "SetOperation",
            Refusal::Window => "Window",
            Refusal::Aggregate => "Aggregate",
            Refusal::Function => "Function",
            Refusal::Operator => "Operator",
            Refusal::Expression => "Expression",
            Refusal::Type => "Type",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Error {
    /// The kind of a refusal; `None` for the other errors.
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            Error::Unsupported { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}
