//! Statements that set the connection rather than run a MongoDB command (`Output::Setting`, no steps):
//! `SET sqlmongo.now = '2026-01-01T00:00:00Z'` / `SET sqlmongo.now TO DEFAULT` / `RESET sqlmongo.now` /
//! `RESET ALL` fix or free `NOW()` and `CURRENT_TIMESTAMP`, and `CALL sqlmongo.run_ttl_monitor()` runs one
//! pass of the TTL monitor (docs/dialect.md, "Reproducible time").

use super::expr::datetime::parse_timestamp;
use super::{Error, Position, Translated};
use crate::mql::{Output, Setting};
use crate::translate::Refusal;
use sqlparser::ast::{
    Expr, Function, FunctionArguments, ObjectName, Reset, ResetStatement, Set, Spanned, Value,
};

/// The one setting sqlmongo knows.
const NOW: &str = "sqlmongo.now";

/// The dotted, lower-case name of a setting.
fn setting_name(name: &ObjectName) -> String {
    name.to_string().to_ascii_lowercase()
}

fn refuse(construct: String, at: Position) -> Error {
    Error::Unsupported {
        kind: Refusal::Statement,
        construct,
        position: at,
    }
}

/// `SET name = value` / `SET name TO value`.
pub(crate) fn set(set: &Set, at: Position) -> Result<Translated, Error> {
    if let Set::SetTimeZone { value, .. } = set {
        return time_zone(value, at);
    }
    if let Set::SingleAssignment {
        hivevar: false,
        variable,
        values,
        ..
    } = set
    {
        if setting_name(variable) == "timezone" {
            return match values.as_slice() {
                [value] => time_zone(value, at),
                _ => Err(Error::Invalid {
                    message: "SET timezone takes one value".into(),
                    position: at,
                }),
            };
        }
    }
    let Set::SingleAssignment {
        hivevar: false,
        variable,
        values,
        ..
    } = set
    else {
        return Err(refuse(
            format!("this SET form ({NOW} is the one setting)"),
            at,
        ));
    };
    let name = setting_name(variable);
    if name != NOW {
        return Err(refuse(
            format!("setting {name} ({NOW} is the one setting)"),
            at,
        ));
    }
    let [value] = values.as_slice() else {
        return Err(Error::Invalid {
            message: format!("SET {NOW} takes one value"),
            position: at,
        });
    };
    Ok((
        Vec::new(),
        Output::Setting(Setting::FixNow(now_value(value, at)?)),
    ))
}

/// `SET TIME ZONE z` / `SET timezone = z`: the session time zone (`LOCAL` / `DEFAULT` / `0`: UTC), which the
/// client keeps and translates the following statements in.
fn time_zone(value: &Expr, at: Position) -> Result<Translated, Error> {
    let pos = match Position::from(value.span().start) {
        p if p.line == 0 => at,
        p => p,
    };
    let text = match value {
        Expr::Identifier(id) => id.value.clone(),
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
            Value::Number(n, _) => n.clone(),
            _ => value.to_string(),
        },
        other => other.to_string(),
    };
    let utc = ["local", "default", "0", "+0", "-0"].contains(&text.to_ascii_lowercase().as_str());
    let zone = if utc {
        Some("UTC".to_string())
    } else {
        super::expr::time_fn::zone_name(&text)
    };
    let Some(zone) = zone else {
        return Err(Error::Invalid {
            message: format!("invalid value for parameter \"TimeZone\": \"{text}\" (Olson names such as 'Europe/Paris', 'UTC', or POSIX offsets: '-05:30' is east of Greenwich)"),
            position: pos,
        });
    };
    Ok((Vec::new(), Output::Setting(Setting::TimeZone(zone))))
}

/// The value of `SET sqlmongo.now`: a timestamp string, `DEFAULT` / `LOCAL` (the running clock).
fn now_value(value: &Expr, at: Position) -> Result<Option<bson::DateTime>, Error> {
    let pos = match Position::from(value.span().start) {
        p if p.line == 0 => at,
        p => p,
    };
    match value {
        Expr::Identifier(id)
            if id.value.eq_ignore_ascii_case("default")
                || id.value.eq_ignore_ascii_case("local") =>
        {
            Ok(None)
        }
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
                match parse_timestamp(s) {
                    Some(t) => Ok(Some(t)),
                    None => Err(Error::Invalid {
                        message: format!(
                            "invalid timestamp for {NOW}: \"{s}\" (e.g. '2026-01-01T00:00:00Z')"
                        ),
                        position: pos,
                    }),
                }
            }
            _ => Err(Error::Invalid {
                message: format!("{NOW} takes a timestamp string or DEFAULT"),
                position: pos,
            }),
        },
        Expr::TypedString(ts) => now_value(&Expr::Value(ts.value.clone()), at),
        _ => Err(Error::Invalid {
            message: format!("{NOW} takes a timestamp string or DEFAULT"),
            position: pos,
        }),
    }
}

/// `RESET sqlmongo.now` / `RESET ALL`.
pub(crate) fn reset(reset: &ResetStatement, at: Position) -> Result<Translated, Error> {
    match &reset.reset {
        Reset::ALL => {}
        Reset::ConfigurationParameter(name) if setting_name(name) == NOW => {}
        Reset::ConfigurationParameter(name) => {
            return Err(refuse(
                format!("setting {} ({NOW} is the one setting)", setting_name(name)),
                at,
            ))
        }
        _ => return Err(refuse("this RESET form".into(), at)),
    }
    Ok((Vec::new(), Output::Setting(Setting::FixNow(None))))
}

/// `CALL sqlmongo.run_ttl_monitor()`.
pub(crate) fn call(f: &Function, at: Position) -> Result<Translated, Error> {
    let name = setting_name(&f.name);
    let no_args = match &f.args {
        FunctionArguments::None => true,
        FunctionArguments::List(l) => l.args.is_empty() && l.clauses.is_empty(),
        FunctionArguments::Subquery(_) => false,
    };
    if name != "sqlmongo.run_ttl_monitor" {
        return Err(refuse(
            format!("procedure {name} (sqlmongo.run_ttl_monitor() is the one procedure)"),
            at,
        ));
    }
    if !no_args {
        return Err(Error::Invalid {
            message: "sqlmongo.run_ttl_monitor() takes no arguments".into(),
            position: at,
        });
    }
    Ok((Vec::new(), Output::Setting(Setting::RunTtlMonitor)))
}

/// `BEGIN` / `START TRANSACTION` [ISOLATION LEVEL REPEATABLE READ | READ COMMITTED] [READ WRITE]: MongoDB's
/// transactions read one snapshot (PostgreSQL's REPEATABLE READ); SERIALIZABLE and READ ONLY are refused
/// rather than promised. `COMMIT` / `END` and `ROLLBACK` / `ABORT` without `AND CHAIN` or a savepoint.
pub(crate) fn transaction(
    stmt: &sqlparser::ast::Statement,
    at: Position,
) -> Result<Translated, Error> {
    use crate::mql::TransactionControl as T;
    use sqlparser::ast::{
        Statement as S, TransactionAccessMode, TransactionIsolationLevel as L, TransactionMode as M,
    };
    let control = match stmt {
        S::StartTransaction {
            modes,
            statements,
            exception,
            ..
        } if statements.is_empty() && exception.is_none() => {
            for m in modes {
                match m {
                    M::IsolationLevel(L::RepeatableRead | L::ReadCommitted | L::Snapshot)
                    | M::AccessMode(TransactionAccessMode::ReadWrite) => {}
                    other => {
                        return Err(refuse(
                            format!("transaction mode {other} (MongoDB transactions read one snapshot: REPEATABLE READ)"),
                            at,
                        ))
                    }
                }
            }
            T::Begin
        }
        S::Commit { chain: false, .. } => T::Commit,
        S::Rollback {
            chain: false,
            savepoint: None,
        } => T::Rollback,
        other => {
            return Err(refuse(
                format!(
                    "{} (savepoints, AND CHAIN and BEGIN ... END blocks)",
                    other
                        .to_string()
                        .split_whitespace()
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                at,
            ))
        }
    };
    Ok((Vec::new(), Output::Setting(Setting::Transaction(control))))
}
