//! Point lookups: a `find` whose filter is one equality on a top-level field that a single-field index serves
//! (`{_id: "sess-1"}`, `{session_id: {$eq: "..."}}`), answered from one index probe and the stored bytes: no
//! matcher compiled, no scan, no candidate set; through [`find_raw`] (BSON bytes in, BSON bytes out, as a
//! wire client sends them) not even the found document is parsed.
//!
//! In: a find command, parsed or as bytes; out: the reply, or `None` when the general `find` must run: any
//! option other than `filter`, `limit`, `batchSize`, `singleBatch` and the generic fields, a view, no serving
//! index, more results than one batch, or a stored value whose equality this path does not decide (an array:
//! any-element semantics; types outside [`plain_scalar`]'s). Declining is always safe: the general path is the
//! reference, and this one answers only where the two agree by construction.

use super::{coll_name, get_coll, opt_bool, opt_i64, Ctx};
use crate::engine::bson_bytes::{elements, Element};
use crate::engine::bson_order::compare;
use crate::engine::cursor::DEFAULT_BATCH;
use crate::engine::error_codes::ErrorCode;
use crate::engine::prefetch::prefetch;
use crate::engine::storage::index::KeyRef;
use crate::engine::storage::{collection, Collection};
use crate::engine::CommandError;
use bson::{Bson, Document, RawBsonRef, RawDocument, RawDocumentBuf};
use std::cmp::Ordering;

/// Cache lines of a found document requested before it is read (64 bytes each: documents up to 4 KB).
const PREFETCH_LINES: usize = 64;

/// Command keys a point lookup may carry besides the find itself (the generic fields drivers add included).
const ALLOWED: &[&str] = &[
    "find",
    "filter",
    "limit",
    "batchSize",
    "singleBatch",
    "$db",
    "lsid",
    "$clusterTime",
    "$readPreference",
    "readConcern",
    "maxTimeMS",
    "comment",
];

/// Operand types whose `$eq` is exactly "equal in the BSON comparison order", which is how an index keys.
fn plain_scalar(v: &Bson) -> bool {
    match v {
        Bson::String(_)
        | Bson::Int32(_)
        | Bson::Int64(_)
        | Bson::Boolean(_)
        | Bson::DateTime(_)
        | Bson::ObjectId(_) => true,
        Bson::Double(d) => !d.is_nan(),
        _ => false,
    }
}

/// `{field: v}` or `{field: {$eq: v}}` on a top-level field with a [`plain_scalar`] operand.
fn equality(filter: &Document) -> Option<(&str, &Bson)> {
    if filter.len() != 1 {
        return None;
    }
    let (k, v) = filter.iter().next()?;
    if k.is_empty() || k.starts_with('$') || k.contains('.') {
        return None;
    }
    let v = match v {
        Bson::Document(d) if d.len() == 1 => match d.iter().next()? {
            (op, x) if op == "$eq" => x,
            _ => return None,
        },
        Bson::Document(_) => return None,
        v => v,
    };
    plain_scalar(v).then_some((k.as_str(), v))
}

/// The value a point lookup looks for: a string borrowed from the command, or another [`plain_scalar`].
enum Probe<'a> {
    Str(&'a str),
    Value(Bson),
}

impl<'a> Probe<'a> {
    fn of(v: &'a Bson) -> Probe<'a> {
        match v {
            Bson::String(s) => Probe::Str(s),
            v => Probe::Value(v.clone()),
        }
    }
}

/// [`equality`] over a filter given as bytes, without parsing the rest of the command.
fn raw_equality(filter: &[u8]) -> Option<(&str, Probe<'_>)> {
    let mut it = elements(filter);
    let e = it.next()??;
    if it.next().is_some() {
        return None;
    }
    let k = std::str::from_utf8(e.key).ok()?;
    if k.is_empty() || k.starts_with('$') || k.contains('.') {
        return None;
    }
    let v = match e.kind {
        0x03 => {
            let mut ops = elements(e.value);
            let op = ops.next()??;
            if op.key != b"$eq" || ops.next().is_some() {
                return None;
            }
            op
        }
        _ => e,
    };
    let probe = match v.value()? {
        RawBsonRef::String(s) => Probe::Str(s),
        other => Probe::Value(Bson::try_from(other).ok()?),
    };
    match &probe {
        Probe::Value(v) if !plain_scalar(v) => None,
        _ => Some((k, probe)),
    }
}

/// Whether a stored top-level element's value equals the probe: `None` for values the general matcher must
/// judge. Strings compare as bytes (stored strings are valid UTF-8; equal bytes are equal strings).
fn stored_equals(stored: Element<'_>, probe: &Probe<'_>) -> Option<bool> {
    if stored.kind == 0x02 {
        let text = stored.value.get(4..)?.split_last()?.1;
        return Some(matches!(probe, Probe::Str(x) if x.as_bytes() == text));
    }
    let stored = stored.value()?;
    let v = match probe {
        Probe::Str(_) => return plain_raw(stored).then_some(false),
        Probe::Value(v) => v,
    };
    let s = match stored {
        RawBsonRef::Int32(i) => Bson::Int32(i),
        RawBsonRef::Int64(i) => Bson::Int64(i),
        RawBsonRef::Double(d) => Bson::Double(d),
        RawBsonRef::Boolean(b) => Bson::Boolean(b),
        RawBsonRef::DateTime(d) => Bson::DateTime(d),
        RawBsonRef::ObjectId(o) => Bson::ObjectId(o),
        _ => return None,
    };
    Some(compare(&s, v) == Ordering::Equal)
}

/// Stored values [`stored_equals`] judges.
fn plain_raw(stored: RawBsonRef<'_>) -> bool {
    matches!(
        stored,
        RawBsonRef::String(_)
            | RawBsonRef::Int32(_)
            | RawBsonRef::Int64(_)
            | RawBsonRef::Double(_)
            | RawBsonRef::Boolean(_)
            | RawBsonRef::DateTime(_)
            | RawBsonRef::ObjectId(_)
    )
}

/// The first top-level element named `field` of stored bytes (`None`: missing or malformed; the caller
/// declines).
fn stored_element<'a>(raw: &'a RawDocument, field: &str) -> Option<Element<'a>> {
    for e in elements(raw.as_bytes()) {
        let e = e?;
        if e.key == field.as_bytes() {
            return Some(e);
        }
    }
    None
}

/// The stored documents whose `field` equals the probe, through a single-field index, in natural order, at
/// most `limit` (0: all); `None` to decline.
fn lookup<'c>(
    coll: &'c Collection,
    field: &str,
    probe: &Probe<'_>,
    limit: usize,
) -> Option<Vec<&'c RawDocument>> {
    // A collection with a default collation compares by it (the general path applies it); an index with a
    // collation keys strings by sort keys.
    if coll.options().contains_key("collation") {
        return None;
    }
    let ix = coll
        .indexes
        .iter()
        .find(|ix| ix.fields.len() == 1 && ix.serves(field) && ix.collation.is_none())?;
    let key = match probe {
        Probe::Str(s) => KeyRef::Str(s),
        Probe::Value(v) => KeyRef::Value(v),
    };
    // The hashed entries carry the documents; otherwise each record is read from the collection.
    let mut hashed;
    let mut ordered;
    let found: &mut dyn Iterator<Item = Option<&'c RawDocument>> = match ix.lookup_stored(key) {
        Some(found) => {
            hashed = found.map(|(_, d)| {
                // All of the document's lines are requested at once (its length is known without reading
                // it), so the copy into the reply does not wait for them one after another.
                prefetch(d.bytes(), PREFETCH_LINES);
                Some(d.raw())
            });
            &mut hashed
        }
        None => {
            ordered = ix.lookup_key(key).map(|rid| coll.get_raw(rid));
            &mut ordered
        }
    };
    let mut out = Vec::with_capacity(1);
    for raw in found {
        let raw = raw?;
        if stored_equals(stored_element(raw, field)?, probe)? {
            out.push(raw);
            if limit > 0 && out.len() >= limit {
                break;
            }
        }
    }
    Some(out)
}

/// The options of a find this path answers.
struct Shape {
    limit: usize,
    batch: usize,
    single: bool,
}

impl Shape {
    /// The first batch of `found`, when it is the whole reply (no cursor left open); `None` otherwise.
    fn first_batch<T>(&self, mut found: Vec<T>) -> Option<Vec<T>> {
        if self.single {
            found.truncate(self.batch);
        }
        (found.len() <= self.batch).then_some(found)
    }
}

/// A parsed find command as a point lookup: its documents (parsed), or `None` to run the general find.
pub(super) fn find_docs(ctx: &Ctx, cmd: &Document) -> Result<Option<Vec<Document>>, CommandError> {
    if cmd.keys().any(|k| !ALLOWED.contains(&k.as_str())) {
        return Ok(None);
    }
    let Some(Bson::Document(filter)) = cmd.get("filter") else {
        return Ok(None);
    };
    let Some((field, v)) = equality(filter) else {
        return Ok(None);
    };
    let (Some(limit), Some(batch)) = (count_opt(opt_i64(cmd, "limit")?, 0), {
        count_opt(opt_i64(cmd, "batchSize")?, DEFAULT_BATCH)
    }) else {
        return Ok(None);
    };
    let shape = Shape {
        limit,
        batch,
        single: opt_bool(cmd, "singleBatch"),
    };
    let name = coll_name(cmd, "find")?;
    let state = ctx.state.read().map_err(|_| super::poisoned())?;
    let Some(coll) = get_coll(&state, ctx.db, name).filter(|c| !c.is_view()) else {
        return Ok(None);
    };
    Ok(lookup(coll, field, &Probe::of(v), shape.limit)
        .and_then(|found| shape.first_batch(found))
        .map(|found| found.into_iter().map(collection::parse).collect()))
}

/// A non-negative count option (`None` when negative: the general path reports the error).
fn count_opt(v: Option<i64>, default: usize) -> Option<usize> {
    match v {
        None => Some(default),
        Some(n) => usize::try_from(n).ok(),
    }
}

/// A find command as BSON bytes answered as a point lookup, the reply built from the stored bytes; `None` to
/// run the general path (parse the command, [`super::run`]).
pub(super) fn find_raw(
    inner: &crate::engine::Inner,
    db: &str,
    cmd: &RawDocument,
) -> Option<Result<RawDocumentBuf, CommandError>> {
    let mut name = None;
    let mut filter = None;
    let mut shape = Shape {
        limit: 0,
        batch: DEFAULT_BATCH,
        single: false,
    };
    for (i, elem) in elements(cmd.as_bytes()).enumerate() {
        let elem = elem?;
        match (elem.key, elem.kind) {
            (b"find", 0x02) if i == 0 => match elem.value()? {
                RawBsonRef::String(s) => name = Some(s),
                _ => return None,
            },
            (b"filter", 0x03) => filter = Some(elem.value),
            (b"limit", _) => shape.limit = raw_count(elem.value()?)?,
            (b"batchSize", _) => shape.batch = raw_count(elem.value()?)?,
            // A maxTimeMS the general path would refuse goes there, for its error.
            (b"maxTimeMS", _) => {
                raw_count(elem.value()?).filter(|ms| *ms <= i32::MAX as usize)?;
            }
            (b"singleBatch", 0x08) => match elem.value()? {
                RawBsonRef::Boolean(b) => shape.single = b,
                _ => return None,
            },
            (k, _)
                if ALLOWED.iter().any(|a| a.as_bytes() == k)
                    && !matches!(k, b"find" | b"filter" | b"singleBatch")
                    && well_formed(elem) => {}
            _ => return None,
        }
    }
    let name = name.filter(|n| !n.is_empty() && !n.contains('\0') && !n.starts_with('$'))?;
    if super::check_db(db).is_err() {
        return None;
    }
    let (field, probe) = raw_equality(filter?)?;
    let state = match inner.state.read() {
        Ok(s) => s,
        Err(_) => return Some(Err(super::poisoned())),
    };
    let coll = get_coll(&state, db, name).filter(|c| !c.is_view())?;
    let found = shape.first_batch(lookup(coll, field, &probe, shape.limit)?)?;
    Some(cursor_reply_bytes(&found, db, name))
}

/// `{cursor: {firstBatch: [docs], id: 0, ns: "db.coll"}, ok: 1.0}` written straight into one buffer: each
/// stored document is copied once, as the bytes it is stored as.
fn cursor_reply_bytes(
    docs: &[&RawDocument],
    db: &str,
    coll: &str,
) -> Result<RawDocumentBuf, CommandError> {
    let body: usize = docs.iter().map(|d| d.as_bytes().len() + 8).sum();
    let mut out = Vec::with_capacity(body + db.len() + coll.len() + 80);
    out.extend_from_slice(&[0; 4]);
    out.push(0x03);
    out.extend_from_slice(b"cursor\0");
    let cursor_at = out.len();
    out.extend_from_slice(&[0; 4]);
    out.push(0x04);
    out.extend_from_slice(b"firstBatch\0");
    let batch_at = out.len();
    out.extend_from_slice(&[0; 4]);
    for (i, d) in docs.iter().enumerate() {
        out.push(0x03);
        push_index_key(&mut out, i);
        out.extend_from_slice(d.as_bytes());
    }
    out.push(0);
    patch_len(&mut out, batch_at)?;
    out.push(0x12);
    out.extend_from_slice(b"id\0");
    out.extend_from_slice(&0i64.to_le_bytes());
    out.push(0x02);
    out.extend_from_slice(b"ns\0");
    let ns_len = i32::try_from(db.len() + coll.len() + 2).map_err(|_| too_large())?;
    out.extend_from_slice(&ns_len.to_le_bytes());
    out.extend_from_slice(db.as_bytes());
    out.push(b'.');
    out.extend_from_slice(coll.as_bytes());
    out.push(0);
    out.push(0);
    patch_len(&mut out, cursor_at)?;
    out.push(0x01);
    out.extend_from_slice(b"ok\0");
    out.extend_from_slice(&1.0f64.to_le_bytes());
    out.push(0);
    patch_len(&mut out, 0)?;
    RawDocumentBuf::from_bytes(out)
        .map_err(|e| CommandError::new(ErrorCode::InternalError, format!("reply not encoded: {e}")))
}

/// Appends the array key of element `i` (its decimal digits) and the key's NUL.
fn push_index_key(out: &mut Vec<u8>, i: usize) {
    let mut digits = [0u8; 20];
    let mut n = i;
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
    out.push(0);
}

/// Writes the length of the document starting at `at` (it ends at the end of `out`) into its header.
fn patch_len(out: &mut [u8], at: usize) -> Result<(), CommandError> {
    let len = i32::try_from(out.len() - at).map_err(|_| too_large())?;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

fn too_large() -> CommandError {
    CommandError::new(
        ErrorCode::BSONObjectTooLarge,
        "reply larger than a BSON document can be",
    )
}

/// Whether an element this path accepts but does not use holds a value the general path would decode (it
/// parses the whole command, and refuses one with a malformed value anywhere): documents are decoded in
/// full, scalars by [`Element::value`]; other types make the path decline.
fn well_formed(e: Element<'_>) -> bool {
    match e.kind {
        0x03 => RawDocument::from_bytes(e.value)
            .ok()
            .and_then(|d| Document::try_from(d).ok())
            .is_some(),
        _ => e.value().is_some(),
    }
}

/// A non-negative integral count from a command value; `None` otherwise (the general path judges it).
fn raw_count(v: RawBsonRef<'_>) -> Option<usize> {
    match v {
        RawBsonRef::Int32(i) => usize::try_from(i).ok(),
        RawBsonRef::Int64(i) => usize::try_from(i).ok(),
        RawBsonRef::Double(d) if d.fract() == 0.0 && (0.0..1e15).contains(&d) => Some(d as usize),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn only_plain_top_level_equalities_are_point_lookups() {
        assert!(equality(&doc! {"_id": "s1"}).is_some());
        assert!(equality(&doc! {"user_id": {"$eq": 7}}).is_some());
        for f in [
            doc! {"a.b": 1},
            doc! {"a": {"$gt": 1}},
            doc! {"a": {"$eq": 1, "$ne": 2}},
            doc! {"a": null},
            doc! {"a": f64::NAN},
            doc! {"a": [1]},
            doc! {"a": {"b": 1}},
            doc! {"a": 1, "b": 2},
            doc! {"$or": [{"a": 1}]},
            doc! {"a": bson::Regex {
                pattern: "x".try_into().expect("pattern"),
                options: "".try_into().expect("options"),
            }},
        ] {
            assert!(equality(&f).is_none(), "{f}");
        }
    }

    #[test]
    fn array_keys_are_decimal_indexes() {
        for i in [0usize, 7, 9, 10, 99, 100, 12345, usize::MAX] {
            let mut out = Vec::new();
            push_index_key(&mut out, i);
            assert_eq!(out, format!("{i}\0").into_bytes());
        }
    }

    #[test]
    fn stored_values_compare_numerically_and_arrays_decline() {
        let d = bson::rawdoc! {"i": 1, "l": 1i64, "f": 1.0, "s": "1", "a": [1], "n": null};
        let get = |k: &str| stored_element(&d, k).expect("present");
        for k in ["i", "l", "f"] {
            let eq = |v: Bson| stored_equals(get(k), &Probe::Value(v));
            assert_eq!(eq(Bson::Int64(1)), Some(true), "{k}");
            assert_eq!(eq(Bson::Double(1.5)), Some(false));
            assert_eq!(stored_equals(get(k), &Probe::Str("1")), Some(false));
        }
        assert_eq!(
            stored_equals(get("s"), &Probe::Value(Bson::Int32(1))),
            Some(false)
        );
        assert_eq!(stored_equals(get("s"), &Probe::Str("1")), Some(true));
        assert_eq!(stored_equals(get("s"), &Probe::Str("2")), Some(false));
        assert_eq!(stored_equals(get("a"), &Probe::Value(Bson::Int32(1))), None);
        assert_eq!(stored_equals(get("a"), &Probe::Str("1")), None);
        assert_eq!(stored_equals(get("n"), &Probe::Value(Bson::Int32(1))), None);
    }
}
