//! `COLLATE "name"` -> the `collation` of the statement's commands.
//!
//! MongoDB applies one collation per command, to every comparison, sort and grouping in it; PostgreSQL
//! applies a COLLATE to the expression it follows. A statement's COLLATE clauses are taken out of the
//! expressions (which then translate as without them) and the one collation they name is set on each
//! command the statement runs that takes one (`find`, `aggregate`, `count`, `distinct`, `update`, `delete`,
//! `findAndModify`). Two different collations in one statement are refused: no command could apply both.
//!
//! Names are PostgreSQL's ICU collations: a BCP 47 tag with an optional `-x-icu` suffix and `-u-` keywords
//! (`"und-u-ks-level2"`, `"de-u-co-phonebk"`, `"en-x-icu"`), mapped to mongod's collation document
//! (`{locale: "en", strength: 2}`); `"C"`, `"POSIX"`, `"ucs_basic"` and `"default"` are the simple collation
//! (byte order, the engine's and MongoDB's default). `und` (the root collation) becomes mongod's `en`, whose
//! CLDR collation is the root one (mongod refuses `und` / `root` as locales). libc collations
//! (`"en_US.utf8"`) are refused: glibc's order is not ICU's.

use super::error::{Error, Position, Refusal};
use super::names::ident_pos;
use crate::sql::Statement;
use bson::{doc, Bson, Document};
use sqlparser::ast::{visit_expressions, visit_expressions_mut, Expr, ObjectName, Value};
use std::ops::ControlFlow;

/// The statement with its COLLATE clauses taken out, and the collation they name (`Some(None)`: the
/// simple collation named explicitly; `None`: no COLLATE at all).
pub(crate) fn extract(
    stmt: &Statement,
) -> Result<(Option<Statement>, Option<Option<Document>>), Error> {
    let Statement::Sql(inner) = stmt else {
        return Ok((None, None));
    };
    // Most statements have none: found by a walk over the expressions (the statement's text, made to be
    // searched, cost more than translating a bulk INSERT's rows).
    let has_collate = visit_expressions(inner.as_ref(), |e| match e {
        Expr::Collate { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break();
    if !has_collate {
        return Ok((None, None));
    }
    let mut s = inner.as_ref().clone();
    let mut names: Vec<ObjectName> = Vec::new();
    let _ = visit_expressions_mut(&mut s, |e| {
        if let Expr::Collate { expr, collation } = e {
            let inner = std::mem::replace(expr.as_mut(), Expr::value(Value::Null));
            names.push(collation.clone());
            *e = inner;
        }
        ControlFlow::<()>::Continue(())
    });
    if names.is_empty() {
        return Ok((None, None));
    }
    let mut chosen: Option<(String, Option<Document>)> = None;
    for n in &names {
        let (text, at) = name_of(n);
        let c = collation_of(&text, at)?;
        match &chosen {
            None => chosen = Some((text, c)),
            Some((first, fc)) if *fc != c => {
                return Err(Error::Unsupported {
                    kind: Refusal::Expression,
                    construct: format!(
                        "two collations in one statement (COLLATE \"{first}\" and COLLATE \"{text}\"): MongoDB \
                         applies one collation to a whole command"
                    ),
                    position: at,
                })
            }
            Some(_) => {}
        }
    }
    Ok((Some(Statement::Sql(Box::new(s))), chosen.map(|(_, c)| c)))
}

/// The collation's name (the last part of a qualified name: `pg_catalog."C"`) and its position.
fn name_of(n: &ObjectName) -> (String, Position) {
    let idents: Vec<_> = n.0.iter().filter_map(|p| p.as_ident()).collect();
    match idents.last() {
        Some(i) => (i.value.clone(), ident_pos(i)),
        None => (n.to_string(), Position::default()),
    }
}

fn refuse(name: &str, why: &str, at: Position) -> Error {
    Error::Unsupported {
        kind: Refusal::Expression,
        construct: format!("COLLATE \"{name}\" ({why})"),
        position: at,
    }
}

/// mongod's collation document for a PostgreSQL collation name; `None` for the simple collation.
pub(crate) fn collation_of(name: &str, at: Position) -> Result<Option<Document>, Error> {
    let lower = name.to_ascii_lowercase();
    if matches!(lower.as_str(), "c" | "posix" | "ucs_basic" | "default") {
        return Ok(None);
    }
    let tag = lower.strip_suffix("-x-icu").unwrap_or(&lower);
    if tag.contains('_') || tag.contains('.') || tag.is_empty() {
        return Err(refuse(
            name,
            "a libc collation: glibc's order is not ICU's; name an ICU collation such as \"en-x-icu\" or \
             \"und-u-ks-level2\"",
            at,
        ));
    }
    let (base, ext) = match tag.split_once("-u-") {
        Some((b, e)) => (b, Some(e)),
        None => (tag, None),
    };
    let mut parts = Vec::new();
    for (i, sub) in base.split('-').enumerate() {
        let ok = sub.chars().all(|c| c.is_ascii_alphanumeric());
        let p = match (i, sub.len()) {
            _ if !ok => None,
            (0, 2..=3) => Some(sub.to_string()),
            (_, 4) if i > 0 => {
                let mut c = sub.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            }
            (_, 2) | (_, 3) if i > 0 => Some(sub.to_ascii_uppercase()),
            _ => None,
        };
        match p {
            Some(p) => parts.push(p),
            None => return Err(refuse(name, "not an ICU locale tag", at)),
        }
    }
    if parts.first().is_some_and(|l| l == "und" || l == "root") {
        parts[0] = "en".into();
    }
    let mut locale = parts.join("_");
    let (mut strength, mut case_level, mut case_first, mut numeric) = (None, None, None, None);
    let (mut alternate, mut max_variable, mut backwards, mut normalization) =
        (None, None, None, None);
    if let Some(ext) = ext {
        let tokens: Vec<&str> = ext.split('-').collect();
        let mut i = 0;
        while i < tokens.len() {
            let key = tokens[i];
            let mut j = i + 1;
            while j < tokens.len() && tokens[j].len() > 2 {
                j += 1;
            }
            let value = tokens[i + 1..j].join("-");
            let flag = |v: &str| match v {
                "" | "true" | "yes" => Some(true),
                "false" | "no" => Some(false),
                _ => None,
            };
            let bad = || {
                refuse(
                    name,
                    &format!("ICU keyword -{key}-{value} has no MongoDB equivalent"),
                    at,
                )
            };
            match key {
                "ks" => {
                    strength = Some(match value.as_str() {
                        "level1" => 1,
                        "level2" => 2,
                        "level3" => 3,
                        "level4" => 4,
                        "identic" => 5,
                        _ => return Err(bad()),
                    })
                }
                "kc" => case_level = Some(flag(&value).ok_or_else(bad)?),
                "kn" => numeric = Some(flag(&value).ok_or_else(bad)?),
                "kb" => backwards = Some(flag(&value).ok_or_else(bad)?),
                "kk" => normalization = Some(flag(&value).ok_or_else(bad)?),
                "kf" => {
                    case_first = Some(match value.as_str() {
                        "upper" => "upper",
                        "lower" => "lower",
                        "false" => "off",
                        _ => return Err(bad()),
                    })
                }
                "ka" => {
                    alternate = Some(match value.as_str() {
                        "shifted" => "shifted",
                        "noignore" => "non-ignorable",
                        _ => return Err(bad()),
                    })
                }
                "kv" => {
                    max_variable = Some(match value.as_str() {
                        "space" => "space",
                        "punct" => "punct",
                        _ => return Err(bad()),
                    })
                }
                "co" => {
                    let v = match value.as_str() {
                        "phonebk" => "phonebook",
                        "trad" => "traditional",
                        "dict" => "dictionary",
                        "gb2312" => "gb2312han",
                        "standard" => "",
                        v if !v.is_empty() => v,
                        _ => return Err(bad()),
                    };
                    if !v.is_empty() {
                        locale = format!("{locale}@collation={v}");
                    }
                }
                _ => return Err(bad()),
            }
            i = j;
        }
    }
    let mut d = doc! {"locale": locale};
    let mut put = |k: &str, v: Option<Bson>| {
        if let Some(v) = v {
            d.insert(k, v);
        }
    };
    put("caseLevel", case_level.map(Bson::Boolean));
    put("caseFirst", case_first.map(|s| Bson::String(s.into())));
    put("strength", strength.map(Bson::Int32));
    put("numericOrdering", numeric.map(Bson::Boolean));
    put("alternate", alternate.map(|s| Bson::String(s.into())));
    put("maxVariable", max_variable.map(|s| Bson::String(s.into())));
    put("normalization", normalization.map(Bson::Boolean));
    put("backwards", backwards.map(Bson::Boolean));
    Ok(Some(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str) -> Option<Document> {
        collation_of(name, Position::default()).unwrap()
    }

    #[test]
    fn postgresql_icu_names_map_to_mongod_collations() {
        assert_eq!(c("C"), None);
        assert_eq!(c("POSIX"), None);
        assert_eq!(
            c("und-u-ks-level2"),
            Some(doc! {"locale": "en", "strength": 2})
        );
        assert_eq!(c("en-x-icu"), Some(doc! {"locale": "en"}));
        assert_eq!(c("en-US-x-icu"), Some(doc! {"locale": "en_US"}));
        assert_eq!(c("zh-Hant-x-icu"), Some(doc! {"locale": "zh_Hant"}));
        assert_eq!(
            c("de-u-co-phonebk"),
            Some(doc! {"locale": "de@collation=phonebook"})
        );
        assert_eq!(
            c("en-u-kn-true-kf-upper-ka-shifted"),
            Some(
                doc! {"locale": "en", "caseFirst": "upper", "numericOrdering": true, "alternate": "shifted"}
            )
        );
        assert_eq!(
            c("und-u-ks-level1-kc-true"),
            Some(doc! {"locale": "en", "caseLevel": true, "strength": 1})
        );
        for bad in [
            "en_US.utf8",
            "en_US",
            "en-u-kr-latn",
            "en-u-ks-level9",
            "!!",
        ] {
            assert!(collation_of(bad, Position::default()).is_err(), "{bad}");
        }
    }
}
