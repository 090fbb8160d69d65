//! Renderings of command documents: pretty relaxed Extended JSON (what `sqlmongo translate` and EXPLAIN print)
//! and the golden form, which keeps BSON types visible in mongosh style (`NumberLong(5)`, `ISODate("...")`,
//! `NumberDecimal("2.5")`, doubles always with a decimal point) so an int32/int64/double mix-up shows in a diff.

use super::plan::{Output, Plan, StatementPlan};
use bson::{Bson, Document};
use std::fmt::Write;

/// Relaxed Extended JSON of a document, pretty-printed, keys in document order.
pub fn to_relaxed_json(d: &Document) -> serde_json::Value {
    Bson::Document(d.clone()).into_relaxed_extjson()
}

impl StatementPlan {
    /// The statement's plan as a JSON value: SQL, commands, output columns and notes.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("sql".into(), self.sql.clone().into());
        m.insert(
            "commands".into(),
            serde_json::Value::Array(
                self.steps
                    .iter()
                    .map(|c| to_relaxed_json(&c.to_document()))
                    .collect(),
            ),
        );
        match &self.output {
            Output::Rows { columns } => {
                let cols = columns
                    .iter()
                    .map(|c| serde_json::json!({"name": c.name, "field": c.field}))
                    .collect::<Vec<_>>();
                m.insert("result".into(), serde_json::json!({"rows": cols}));
            }
            Output::Affected => {
                m.insert("result".into(), serde_json::json!("affected"));
            }
            Output::Explain => {
                m.insert("result".into(), serde_json::json!("explain"));
            }
            Output::Setting(setting) => {
                m.insert("result".into(), setting_json(setting));
            }
            Output::Upserted => {
                m.insert("result".into(), serde_json::json!("upserted"));
            }
            Output::UpdatedOrInserted { insert_statements } => {
                m.insert(
                    "result".into(),
                    serde_json::json!({"updated_or_inserted": {"insert_statements": insert_statements}}),
                );
            }
            Output::Returned { columns, step } => {
                let cols = columns
                    .iter()
                    .map(|c| serde_json::json!({"name": c.name, "field": c.field}))
                    .collect::<Vec<_>>();
                m.insert(
                    "result".into(),
                    serde_json::json!({"returning": cols, "from_step": step}),
                );
            }
            Output::ReturnedEach {
                columns,
                inserted_only,
            } => {
                let cols = columns
                    .iter()
                    .map(|c| serde_json::json!({"name": c.name, "field": c.field}))
                    .collect::<Vec<_>>();
                m.insert(
                    "result".into(),
                    serde_json::json!({"returning": cols, "from_each_step": true, "inserted_only": inserted_only}),
                );
            }
        }
        if !self.notes.is_empty() {
            m.insert("notes".into(), serde_json::json!(self.notes));
        }
        if !self.tolerated_codes.is_empty() {
            m.insert(
                "tolerated_error_codes".into(),
                serde_json::json!(self.tolerated_codes),
            );
        }
        if self.param_count > 0 {
            m.insert("parameters".into(), serde_json::json!(self.param_count));
        }
        serde_json::Value::Object(m)
    }

    /// The golden rendering: each command in typed mongosh style, then the result shape and notes.
    pub fn to_golden(&self) -> String {
        let mut out = String::new();
        for c in &self.steps {
            write_value(&mut out, &Bson::Document(c.to_document()), 0);
            out.push('\n');
        }
        match &self.output {
            Output::Rows { columns } if columns.is_empty() => {
                out.push_str("rows: * (every field)\n")
            }
            Output::Rows { columns } => {
                let cols: Vec<String> = columns
                    .iter()
                    .map(|c| format!("{} <- {}", c.name, c.field))
                    .collect();
                let _ = writeln!(out, "rows: {}", cols.join(", "));
            }
            Output::Affected => out.push_str("affected\n"),
            Output::Explain => out.push_str("explain\n"),
            Output::Setting(crate::mql::Setting::FixNow(Some(t))) => {
                let _ = writeln!(
                    out,
                    "setting: sqlmongo.now = {}",
                    t.try_to_rfc3339_string().unwrap_or_default()
                );
            }
            Output::Setting(crate::mql::Setting::FixNow(None)) => {
                out.push_str("setting: sqlmongo.now = DEFAULT (the clock runs)\n")
            }
            Output::Setting(crate::mql::Setting::RunTtlMonitor) => {
                out.push_str("run on admin: {sqlmongoRunTTLMonitor: 1, now: \"$$NOW\"}\n")
            }
            Output::Setting(crate::mql::Setting::TimeZone(z)) => {
                let _ = writeln!(out, "setting: TimeZone = {z}");
            }
            Output::Setting(crate::mql::Setting::Transaction(t)) => {
                let _ = writeln!(out, "transaction: {}", format!("{t:?}").to_lowercase());
            }
            Output::Upserted => out.push_str("affected: upserted rows\n"),
            Output::UpdatedOrInserted { insert_statements } => {
                let _ = writeln!(
                    out,
                    "affected: n - {insert_statements} + upserted rows (updated + inserted)"
                );
            }
            Output::Returned { columns, step } if columns.is_empty() => {
                let _ = writeln!(out, "returning from step {step}: * (every field)");
            }
            Output::Returned { columns, step } => {
                let cols: Vec<String> = columns
                    .iter()
                    .map(|c| format!("{} <- {}", c.name, c.field))
                    .collect();
                let _ = writeln!(out, "returning from step {step}: {}", cols.join(", "));
            }
            Output::ReturnedEach {
                columns,
                inserted_only,
            } => {
                let cols: Vec<String> = columns
                    .iter()
                    .map(|c| format!("{} <- {}", c.name, c.field))
                    .collect();
                let cols = if cols.is_empty() {
                    "* (every field)".to_string()
                } else {
                    cols.join(", ")
                };
                let _ = writeln!(out, "returning the value of each step: {cols}");
                let only: Vec<String> = inserted_only
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| **o)
                    .map(|(i, _)| i.to_string())
                    .collect();
                if !only.is_empty() {
                    let _ = writeln!(
                        out,
                        "only when it inserted (lastErrorObject.upserted): steps {}",
                        only.join(", ")
                    );
                }
            }
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {n}");
        }
        if !self.tolerated_codes.is_empty() {
            let codes: Vec<String> = self.tolerated_codes.iter().map(|c| c.to_string()).collect();
            let _ = writeln!(out, "tolerated error codes: {}", codes.join(", "));
        }
        out
    }
}

impl Plan {
    /// Pretty relaxed Extended JSON of every statement's plan.
    ///
    /// ```
    /// let plan = sqlmongo::translate("DELETE FROM user_sessions WHERE user_id = 'u1'").unwrap();
    /// assert!(plan.to_pretty_json().contains("\"delete\": \"user_sessions\""));
    /// ```
    pub fn to_pretty_json(&self) -> String {
        let v = serde_json::Value::Array(self.statements.iter().map(|s| s.to_json()).collect());
        serde_json::to_string_pretty(&v).unwrap_or_default()
    }
}

/// Renders one value in the golden style; documents and arrays inline when short, else one entry per line.
pub fn write_value(out: &mut String, v: &Bson, indent: usize) {
    let inline = inline_value(v);
    if inline.len() + indent <= 100 || !matches!(v, Bson::Document(_) | Bson::Array(_)) {
        out.push_str(&inline);
        return;
    }
    let pad = "  ".repeat(indent + 1);
    match v {
        Bson::Document(d) => {
            out.push_str("{\n");
            let n = d.len();
            for (i, (k, x)) in d.iter().enumerate() {
                out.push_str(&pad);
                out.push_str(&key(k));
                out.push_str(": ");
                write_value(out, x, indent + 1);
                if i + 1 < n {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
        }
        Bson::Array(a) => {
            out.push_str("[\n");
            let n = a.len();
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad);
                write_value(out, x, indent + 1);
                if i + 1 < n {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push(']');
        }
        _ => {}
    }
}

fn key(k: &str) -> String {
    serde_json::to_string(k).unwrap_or_else(|_| format!("{k:?}"))
}

fn inline_value(v: &Bson) -> String {
    match v {
        Bson::Document(d) => {
            let parts: Vec<String> = d
                .iter()
                .map(|(k, x)| format!("{}: {}", key(k), inline_value(x)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Bson::Array(a) => format!(
            "[{}]",
            a.iter().map(inline_value).collect::<Vec<_>>().join(", ")
        ),
        Bson::String(s) => key(s),
        Bson::Int32(i) => i.to_string(),
        Bson::Int64(i) => format!("NumberLong({i})"),
        Bson::Double(d) => {
            if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e15 {
                format!("{d:.1}")
            } else {
                format!("{d}")
            }
        }
        Bson::Decimal128(d) => format!("NumberDecimal(\"{d}\")"),
        Bson::DateTime(d) => match d.try_to_rfc3339_string() {
            Ok(s) => format!("ISODate(\"{s}\")"),
            Err(_) => format!("Date({})", d.timestamp_millis()),
        },
        Bson::Boolean(b) => b.to_string(),
        Bson::Null => "null".into(),
        other => other.clone().into_relaxed_extjson().to_string(),
    }
}

/// How `translate` shows a setting (it runs no MongoDB command).
fn setting_json(setting: &crate::mql::Setting) -> serde_json::Value {
    use crate::mql::Setting;
    match setting {
        Setting::FixNow(Some(t)) => {
            serde_json::json!({"setting": {"sqlmongo.now": t.try_to_rfc3339_string().unwrap_or_default()}})
        }
        Setting::FixNow(None) => serde_json::json!({"setting": {"sqlmongo.now": null}}),
        Setting::RunTtlMonitor => serde_json::json!({"setting": "run_ttl_monitor"}),
        Setting::TimeZone(z) => serde_json::json!({"setting": {"TimeZone": z}}),
        Setting::Transaction(t) => {
            serde_json::json!({"transaction": format!("{t:?}").to_lowercase()})
        }
    }
}
