//! Dotted field paths over documents: reading (plain and with aggregation's array traversal), writing with
//! intermediate documents created, and removing.
//!
//! In: a document and a path such as `session_data.preferences.theme` or `items.0.qty`; out: values or an
//! updated document. Writes follow mongod's update rules: a numeric component indexes into an array (padding
//! with nulls), traversing a scalar is error 28 `PathNotViable`. Depends on `bson` only.

use super::CommandError;
use crate::engine::error_codes::ErrorCode;
use bson::{Bson, Document};

/// The value of top-level field `key`. Documents of a few dozen fields are searched linearly (comparing
/// lengths first), which is several times faster than hashing the key for the map lookup.
#[inline]
pub fn field<'a>(doc: &'a Document, key: &str) -> Option<&'a Bson> {
    if doc.len() <= 32 {
        doc.iter()
            .find(|(k, _)| k.len() == key.len() && k.as_str() == key)
            .map(|(_, v)| v)
    } else {
        doc.get(key)
    }
}

/// `path` split at its first dot (`None`: no dot), as `str::split_once('.')` by a plain byte scan: field
/// paths are a few bytes long, shorter than the substring searcher takes to set up.
#[inline]
pub fn split_first(path: &str) -> Option<(&str, &str)> {
    let at = path.bytes().position(|b| b == b'.')?;
    // A dot is one byte of ASCII, so both sides are whole UTF-8.
    Some((&path[..at], &path[at + 1..]))
}

/// The value at a dotted path, no array traversal except numeric components indexing arrays.
pub fn get<'a>(doc: &'a Document, path: &str) -> Option<&'a Bson> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut cur = field(doc, first)?;
    for part in parts {
        cur = match cur {
            Bson::Document(d) => field(d, part)?,
            Bson::Array(a) => {
                let i: usize = part.parse().ok()?;
                a.get(i)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

fn not_viable(path: &str, part: &str, v: &Bson) -> CommandError {
    CommandError::new(
        ErrorCode::PathNotViable,
        format!(
            "Cannot create field '{part}' in element {{{}}} while setting '{path}'",
            short(v)
        ),
    )
}

fn short(v: &Bson) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        format!(
            "{}...",
            &s[..s.char_indices().nth(57).map(|(i, _)| i).unwrap_or(s.len())]
        )
    } else {
        s
    }
}

/// Sets `path` to `value`, creating intermediate documents; numeric components index arrays (null padding).
pub fn set(doc: &mut Document, path: &str, value: Bson) -> Result<(), CommandError> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(CommandError::new(
            ErrorCode::EmptyFieldName,
            format!("An empty update path is not valid: '{path}'"),
        ));
    }
    set_in_doc(doc, &parts, value, path)
}

fn set_in_doc(
    doc: &mut Document,
    parts: &[&str],
    value: Bson,
    path: &str,
) -> Result<(), CommandError> {
    let Some((part, tail)) = parts.split_first() else {
        return Ok(());
    };
    if tail.is_empty() {
        doc.insert(*part, value);
        return Ok(());
    }
    if !doc.contains_key(*part) {
        doc.insert(*part, Document::new());
    }
    match doc.get_mut(*part) {
        Some(child) => set_in_value(child, tail, value, path),
        None => Ok(()),
    }
}

fn set_in_value(v: &mut Bson, parts: &[&str], value: Bson, path: &str) -> Result<(), CommandError> {
    let Some((part, tail)) = parts.split_first() else {
        *v = value;
        return Ok(());
    };
    match v {
        Bson::Document(d) => set_in_doc(d, parts, value, path),
        Bson::Array(a) => {
            let Ok(i) = part.parse::<usize>() else {
                return Err(not_viable(path, part, &Bson::Array(a.clone())));
            };
            if i > 1_500_000 {
                return Err(CommandError::bad_value(format!(
                    "can't backfill array to larger than 1500000 elements while setting '{path}'"
                )));
            }
            while a.len() <= i {
                a.push(Bson::Null);
            }
            if tail.is_empty() {
                a[i] = value;
                return Ok(());
            }
            if !matches!(a[i], Bson::Document(_) | Bson::Array(_)) {
                if a[i] == Bson::Null {
                    a[i] = Bson::Document(Document::new());
                } else {
                    return Err(not_viable(path, tail[0], &a[i]));
                }
            }
            set_in_value(&mut a[i], tail, value, path)
        }
        other => Err(not_viable(path, part, other)),
    }
}

/// Mutable access to the value at `path` (no creation).
pub fn get_mut<'a>(doc: &'a mut Document, path: &str) -> Option<&'a mut Bson> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut cur = doc.get_mut(first)?;
    for part in parts {
        cur = match cur {
            Bson::Document(d) => d.get_mut(part)?,
            Bson::Array(a) => {
                let i: usize = part.parse().ok()?;
                a.get_mut(i)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// Removes the field at `path` (array elements addressed by index become null, as `$unset` does).
/// Returns whether something was removed.
pub fn remove(doc: &mut Document, path: &str) -> bool {
    match path.rsplit_once('.') {
        None => doc.remove(path).is_some(),
        Some((parent, last)) => match get_mut(doc, parent) {
            Some(Bson::Document(d)) => d.remove(last).is_some(),
            Some(Bson::Array(a)) => match last.parse::<usize>() {
                Ok(i) if i < a.len() => {
                    a[i] = Bson::Null;
                    true
                }
                _ => false,
            },
            _ => false,
        },
    }
}

/// Whether one path is a prefix of the other (`a` vs `a.b`): such paths conflict in one update.
pub fn conflicts(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    proptest::proptest! {
        /// The byte scan splits where `str::split_once('.')` does (multi-byte characters around dots too).
        #[test]
        fn split_first_equals_split_once(path in "[a.é_$0]{0,8}") {
            proptest::prop_assert_eq!(split_first(&path), path.split_once('.'));
        }
    }

    #[test]
    fn get_set_remove() {
        let mut d = doc! {"a": {"b": 1}, "arr": [{"x": 1}, {"y": 2}, 5]};
        assert_eq!(get(&d, "a.b"), Some(&Bson::Int32(1)));
        assert_eq!(get(&d, "arr.1.y"), Some(&Bson::Int32(2)));
        set(&mut d, "c.d.e", Bson::Int32(3)).unwrap();
        assert_eq!(get(&d, "c.d.e"), Some(&Bson::Int32(3)));
        assert_eq!(set(&mut d, "a.b.c", Bson::Int32(1)).unwrap_err().code, 28);
        set(&mut d, "arr.4", Bson::Int32(9)).unwrap();
        assert_eq!(get(&d, "arr.3"), Some(&Bson::Null));
        assert!(remove(&mut d, "a.b"));
        assert!(!remove(&mut d, "a.zz"));
        assert_eq!(d.get_document("a").unwrap().len(), 0);
        assert!(conflicts("a", "a.b") && !conflicts("a", "ab"));
    }
}
