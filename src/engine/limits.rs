//! mongod's size and nesting limits, measured without recursion.
//!
//! Every nested document or array the engine takes in is bounded here before anything recursive (the `bson`
//! decoder and encoder, the matcher and expression parsers, comparisons, clones, drops) walks it:
//!
//! - a command (or any BSON a client sends) may nest at most [`MAX_BSON_DEPTH`] levels (mongod's
//!   `maxBSONDepth`, 200): deeper is error 15 `Overflow`, "BSONObj exceeds maximum nested object depth";
//! - a stored document may nest at most [`MAX_USER_STORAGE_DEPTH`] levels (mongod:
//!   `BSONDepth::getMaxDepthForUserStorage()`, `maxBSONDepth` less the 20 levels kept for the server's own
//!   wrapping, 180): an insert or update past it is error 15 `Overflow`, as mongod refuses it;
//! - a stored document is at most [`MAX_USER_DOCUMENT_BYTES`] (16 MiB exactly): an insert past it is
//!   error 2 `BadValue` "object to insert too large", an update error 10334 `BSONObjectTooLarge`.
//!
//! Depth is counted as mongod's storage validation counts it: a top-level field is at depth 1, a field of
//! an embedded document or an element of an array one more than its parent; empty documents and arrays
//! add nothing. Both walks keep their own stack on the heap, so any input, however deep, is measured in
//! constant native stack.

use super::error_codes::ErrorCode;
use super::CommandError;
use bson::{Bson, Document};

/// The deepest nesting a command may carry (mongod's default `maxBSONDepth`).
pub const MAX_BSON_DEPTH: usize = 200;
/// The deepest nesting a stored document may have (mongod: `maxBSONDepth` - 20).
pub const MAX_USER_STORAGE_DEPTH: usize = MAX_BSON_DEPTH - 20;
/// The largest stored document (mongod's `BSONObjMaxUserSize`, the `maxBsonObjectSize` of `hello`).
pub const MAX_USER_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

/// A document's encoded size and its nesting depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Its size as BSON bytes.
    pub bytes: usize,
    /// Its depth (0 for an empty document, 1 for one with scalar fields only).
    pub depth: usize,
}

enum Frame<'a> {
    Doc(bson::document::Iter<'a>),
    Arr(std::iter::Enumerate<std::slice::Iter<'a, Bson>>),
}

/// The number of decimal digits of `i` (an array index key's length).
fn digits(mut i: usize) -> usize {
    let mut n = 1;
    while i >= 10 {
        i /= 10;
        n += 1;
    }
    n
}

/// Measures `doc`: its exact BSON size and its depth, iteratively.
pub fn shape(doc: &Document) -> Shape {
    flat_shape(doc.iter().map(|(k, v)| (k.as_str(), v))).unwrap_or_else(|| shape_nested(doc))
}

/// [`shape`] of a document of scalars and of documents of scalars (what projections and most stages make:
/// an interval `{months, days, micros}` in a row), given as its (key, value) pairs, in one pass with no
/// stack; `None` for anything deeper (the general walk measures it).
fn flat_shape<'a>(pairs: impl Iterator<Item = (&'a str, &'a Bson)>) -> Option<Shape> {
    let mut bytes = 5;
    let mut depth = 0;
    for (k, v) in pairs {
        depth = depth.max(1);
        bytes += 1 + k.len() + 1;
        match v {
            Bson::Document(inner) => {
                bytes += flat_len(inner)?;
                if !inner.is_empty() {
                    depth = 2;
                }
            }
            Bson::Array(_) | Bson::JavaScriptCodeWithScope(_) => return None,
            other => bytes += scalar_len(other),
        }
    }
    Some(Shape { bytes, depth })
}

/// The encoded size of a document of scalars alone; `None` when it holds a document or an array.
fn flat_len(doc: &Document) -> Option<usize> {
    let mut bytes = 5;
    for (k, v) in doc {
        bytes += 1 + k.len() + 1;
        match v {
            Bson::Document(_) | Bson::Array(_) | Bson::JavaScriptCodeWithScope(_) => return None,
            other => bytes += scalar_len(other),
        }
    }
    Some(bytes)
}

/// [`shape`] of any document: a walk with an explicit stack.
/// [`shape`] of the document of these (key, value) pairs, in order, measured without building it (but for
/// values nested past a document of scalars, rare in a row, measured on the document built).
pub fn pairs_shape<'a, I: Iterator<Item = (&'a str, &'a Bson)>>(pairs: impl Fn() -> I) -> Shape {
    flat_shape(pairs()).unwrap_or_else(|| shape_nested(&built(pairs())))
}

/// The document of (key, value) pairs.
fn built<'a>(pairs: impl Iterator<Item = (&'a str, &'a Bson)>) -> Document {
    pairs.map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn shape_nested(doc: &Document) -> Shape {
    let mut bytes = 5;
    let mut depth = 0;
    let mut stack = vec![Frame::Doc(doc.iter())];
    while let Some(top) = stack.last_mut() {
        let (key_len, value) = match top {
            Frame::Doc(it) => match it.next() {
                Some((k, v)) => (k.len(), v),
                None => {
                    stack.pop();
                    continue;
                }
            },
            Frame::Arr(it) => match it.next() {
                Some((i, v)) => (digits(i), v),
                None => {
                    stack.pop();
                    continue;
                }
            },
        };
        // The element's level: one below the container it is in.
        depth = depth.max(stack.len());
        bytes += 1 + key_len + 1;
        match value {
            Bson::Document(d) => {
                bytes += 5;
                stack.push(Frame::Doc(d.iter()));
            }
            Bson::Array(a) => {
                bytes += 5;
                stack.push(Frame::Arr(a.iter().enumerate()));
            }
            Bson::JavaScriptCodeWithScope(c) => {
                bytes += 4 + 4 + c.code.len() + 1 + 5;
                stack.push(Frame::Doc(c.scope.iter()));
            }
            other => bytes += scalar_len(other),
        }
    }
    Shape { bytes, depth }
}

/// The encoded length of a value that holds no document.
fn scalar_len(v: &Bson) -> usize {
    match v {
        Bson::Double(_) | Bson::DateTime(_) | Bson::Timestamp(_) | Bson::Int64(_) => 8,
        Bson::String(s) | Bson::JavaScriptCode(s) | Bson::Symbol(s) => 4 + s.len() + 1,
        Bson::Binary(b) => {
            // The old binary subtype (2) repeats the length inside the value.
            let old = matches!(b.subtype, bson::spec::BinarySubtype::BinaryOld);
            4 + 1 + b.bytes.len() + if old { 4 } else { 0 }
        }
        Bson::ObjectId(_) => 12,
        Bson::Boolean(_) => 1,
        Bson::RegularExpression(r) => r.pattern.len() + 1 + r.options.len() + 1,
        Bson::DbPointer(_) => 4 + 1 + 12,
        Bson::Int32(_) => 4,
        Bson::Decimal128(_) => 16,
        Bson::Null | Bson::Undefined | Bson::MaxKey | Bson::MinKey => 0,
        // Documents and arrays are walked by `shape`.
        Bson::Document(_) | Bson::Array(_) | Bson::JavaScriptCodeWithScope(_) => 0,
    }
}

/// Whether `doc` nests deeper than `limit`, stopping as soon as it does.
pub fn deeper_than(doc: &Document, limit: usize) -> bool {
    walk_deeper(Frame::Doc(doc.iter()), limit)
}

/// Whether the value `v` nests deeper than `limit` (a scalar is at depth 0, the elements of a document or
/// an array at depth 1).
pub fn value_deeper_than(v: &Bson, limit: usize) -> bool {
    match v {
        Bson::Document(d) => deeper_than(d, limit),
        Bson::Array(a) => walk_deeper(Frame::Arr(a.iter().enumerate()), limit),
        Bson::JavaScriptCodeWithScope(c) => deeper_than(&c.scope, limit),
        _ => false,
    }
}

fn walk_deeper(first: Frame<'_>, limit: usize) -> bool {
    let mut stack = vec![first];
    while let Some(top) = stack.last_mut() {
        let value = match top {
            Frame::Doc(it) => it.next().map(|(_, v)| v),
            Frame::Arr(it) => it.next().map(|(_, v)| v),
        };
        let Some(value) = value else {
            stack.pop();
            continue;
        };
        if stack.len() > limit {
            return true;
        }
        match value {
            Bson::Document(d) => stack.push(Frame::Doc(d.iter())),
            Bson::Array(a) => stack.push(Frame::Arr(a.iter().enumerate())),
            Bson::JavaScriptCodeWithScope(c) => stack.push(Frame::Doc(c.scope.iter())),
            _ => {}
        }
    }
    false
}

/// Whether the BSON bytes `b` (one document) nest deeper than `limit`, read element by element without
/// recursion and without trusting embedded length prefixes for structure. Malformed bytes end the scan with
/// `false` at the first bad element: everything before it is within `limit`, so a decoder that reads the
/// bytes in order fails there before it can nest deeper.
pub fn raw_deeper_than(b: &[u8], limit: usize) -> bool {
    if limit == 0 {
        return b.get(4).is_some_and(|&k| k != 0);
    }
    // Open documents; the top level is open at position 4.
    let mut open = 1usize;
    let mut pos = 4usize;
    while open > 0 {
        let Some(&kind) = b.get(pos) else {
            return false;
        };
        if kind == 0 {
            open -= 1;
            pos += 1;
            continue;
        }
        let Some(key_len) = b.get(pos + 1..).and_then(super::bson_bytes::nul_at) else {
            return false;
        };
        let at = pos + 1 + key_len + 1;
        match kind {
            0x03 | 0x04 => {
                if open >= limit {
                    // An element of this document would sit at depth `open + 1`: only an empty one is fine.
                    if b.get(at + 4) != Some(&0) {
                        return true;
                    }
                    pos = at + 5;
                    continue;
                }
                open += 1;
                pos = at + 4;
            }
            0x0F => {
                // Code with scope: total length, the code string, then the scope document.
                let Some(code_len) = read_len(b, at + 4) else {
                    return false;
                };
                let Some(scope) = (at + 8).checked_add(code_len) else {
                    return false;
                };
                if open >= limit && b.get(scope + 4) != Some(&0) {
                    return true;
                }
                open += 1;
                pos = scope + 4;
            }
            _ => match super::bson_bytes::value_len(b, kind, at) {
                Some(n) => match at.checked_add(n) {
                    Some(next) => pos = next,
                    None => return false,
                },
                None => return false,
            },
        }
    }
    false
}

fn read_len(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at + 4)?;
    usize::try_from(i32::from_le_bytes([s[0], s[1], s[2], s[3]])).ok()
}

/// mongod's refusal of BSON nested deeper than [`MAX_BSON_DEPTH`].
pub fn too_deep() -> CommandError {
    CommandError::new(
        ErrorCode::Overflow,
        format!("BSONObj exceeds maximum nested object depth: {MAX_BSON_DEPTH}"),
    )
}

/// Refuses a command document nested deeper than [`MAX_BSON_DEPTH`], or naming a field path of more than
/// [`MAX_BSON_DEPTH`] components (15 `Overflow` "FieldPath is too long", as mongod's `FieldPath`): paths are
/// walked one component at a time by the matcher, updates, projections, sorts and expressions.
pub fn check_command(cmd: &Document) -> Result<(), CommandError> {
    // One walk for both limits (this runs before every command).
    let long = |s: &str| {
        s.len() >= MAX_BSON_DEPTH && s.bytes().filter(|&b| b == b'.').count() >= MAX_BSON_DEPTH
    };
    let is_insert = cmd.keys().next().is_some_and(|k| k == "insert");
    // The documents an `insert` stores are data, not paths: from this stack height on, only depth counts.
    let mut data_from = usize::MAX;
    let mut stack = vec![Frame::Doc(cmd.iter())];
    while let Some(top) = stack.last_mut() {
        let (key, value) = match top {
            Frame::Doc(it) => it.next().map(|(k, v)| (Some(k.as_str()), v)),
            Frame::Arr(it) => it.next().map(|(_, v)| (None, v)),
        }
        .map_or((None, None), |(k, v)| (k, Some(v)));
        let Some(value) = value else {
            stack.pop();
            if stack.len() < data_from {
                data_from = usize::MAX;
            }
            continue;
        };
        if stack.len() > MAX_BSON_DEPTH {
            return Err(too_deep());
        }
        if stack.len() < data_from {
            // Strings that name fields: `"$a.b"` in expressions, and the options whose value is a path.
            let names_a_path = |s: &str| {
                s.starts_with('$')
                    || matches!(
                        key,
                        Some(
                            "key"
                                | "localField"
                                | "foreignField"
                                | "path"
                                | "connectFromField"
                                | "connectToField"
                        )
                    )
            };
            let long_value = matches!(value, Bson::String(s) if names_a_path(s) && long(s));
            if key.is_some_and(long) || long_value {
                return Err(CommandError::new(
                    ErrorCode::Overflow,
                    "FieldPath is too long",
                ));
            }
            if is_insert && stack.len() == 1 && key == Some("documents") {
                data_from = 2;
            }
        }
        match value {
            Bson::Document(d) => stack.push(Frame::Doc(d.iter())),
            Bson::Array(a) => stack.push(Frame::Arr(a.iter().enumerate())),
            Bson::JavaScriptCodeWithScope(c) => stack.push(Frame::Doc(c.scope.iter())),
            _ => {}
        }
    }
    Ok(())
}

/// The fewest bytes a document nested `MAX_BSON_DEPTH + 1` levels deep can have: each level costs at least
/// 7 (type byte, empty key's NUL, length, terminator), plus the top level's length and terminator. Shorter
/// bytes need no scan.
const SHORTEST_TOO_DEEP: usize = 7 * MAX_BSON_DEPTH + 5;

/// Refuses command bytes nested deeper than [`MAX_BSON_DEPTH`], before anything decodes them.
pub fn check_command_bytes(cmd: &[u8]) -> Result<(), CommandError> {
    if cmd.len() >= SHORTEST_TOO_DEEP && raw_deeper_than(cmd, MAX_BSON_DEPTH) {
        return Err(too_deep());
    }
    Ok(())
}

/// The largest document a pipeline stage may produce (mongod lets intermediate documents pass 16 MiB,
/// bounded by its 100 MB memory limits; the final result is then refused).
pub const MAX_INTERMEDIATE_BYTES: usize = 100 * 1024 * 1024;

/// Refuses the output of a pipeline stage that builds documents: nested past [`MAX_BSON_DEPTH`] (15
/// `Overflow`) or over [`MAX_INTERMEDIATE_BYTES`] (146 `ExceededMemoryLimit`), before a later stage or the
/// reply recurses through it or copies it again.
pub fn check_intermediate(docs: &[Document]) -> Result<(), CommandError> {
    for d in docs {
        check_intermediate_shape(shape(d))?;
    }
    Ok(())
}

/// [`check_intermediate`] of one document given by its [`Shape`].
pub fn check_intermediate_shape(s: Shape) -> Result<(), CommandError> {
    if s.depth > MAX_BSON_DEPTH {
        return Err(too_deep());
    }
    if s.bytes > MAX_INTERMEDIATE_BYTES {
        return Err(CommandError::new(
            ErrorCode::ExceededMemoryLimit,
            format!(
                "a pipeline stage produced a document of {} bytes, over the {MAX_INTERMEDIATE_BYTES}-byte limit",
                s.bytes
            ),
        ));
    }
    Ok(())
}

/// The longest string an expression may build: a value over 16 MiB fits in no document mongod can store
/// or return.
pub const MAX_STRING_BYTES: usize = MAX_USER_DOCUMENT_BYTES;

/// Refuses a string of `len` bytes that `op` would build past [`MAX_STRING_BYTES`] (10334
/// `BSONObjectTooLarge`), before it is allocated.
pub fn check_string(op: &str, len: usize) -> Result<(), CommandError> {
    if len > MAX_STRING_BYTES {
        return Err(CommandError::new(
            ErrorCode::BSONObjectTooLarge,
            format!("{op} would produce a string of {len} bytes, over the {MAX_STRING_BYTES}-byte BSON limit"),
        ));
    }
    Ok(())
}

/// mongod's `internalQueryMaxRangeBytes` (100 MB): the most memory a `$range` array may take.
pub const MAX_RANGE_BYTES: i64 = 100 * 1024 * 1024;

/// Refuses a `$range` of `length` elements past [`MAX_RANGE_BYTES`] with mongod's 146
/// `ExceededMemoryLimit` (mongod counts 24 bytes for the array and 16 per element), before allocating it.
pub fn check_range(length: i64) -> Result<(), CommandError> {
    let needed = 24i64.saturating_add(length.saturating_mul(16));
    if needed >= MAX_RANGE_BYTES {
        return Err(CommandError::new(
            ErrorCode::ExceededMemoryLimit,
            format!("$range would use too much memory ({needed} bytes) and cannot spill to disk. Memory limit: {MAX_RANGE_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Refuses a document an insert (or an upsert) would store: over 16 MiB (2 `BadValue`) or nested past
/// [`MAX_USER_STORAGE_DEPTH`] (15 `Overflow`), with mongod's messages.
pub fn check_insert(doc: &Document) -> Result<(), CommandError> {
    let s = shape(doc);
    if s.bytes > MAX_USER_DOCUMENT_BYTES {
        return Err(CommandError::new(
            ErrorCode::BadValue,
            format!(
                "object to insert too large. size in bytes: {}, max size: {MAX_USER_DOCUMENT_BYTES}",
                s.bytes
            ),
        ));
    }
    if s.depth > MAX_USER_STORAGE_DEPTH {
        return Err(CommandError::new(
            ErrorCode::Overflow,
            format!(
                "cannot insert document because it exceeds {MAX_USER_STORAGE_DEPTH} levels of nesting"
            ),
        ));
    }
    Ok(())
}

/// Refuses the result of an update: over 16 MiB (10334 `BSONObjectTooLarge`) or nested past
/// [`MAX_USER_STORAGE_DEPTH`] (15 `Overflow`), with mongod's messages.
pub fn check_update(doc: &Document) -> Result<(), CommandError> {
    let s = shape(doc);
    if s.bytes > MAX_USER_DOCUMENT_BYTES {
        return Err(CommandError::new(
            ErrorCode::BSONObjectTooLarge,
            format!("Resulting document after update is larger than {MAX_USER_DOCUMENT_BYTES}"),
        ));
    }
    if s.depth > MAX_USER_STORAGE_DEPTH {
        return Err(CommandError::new(
            ErrorCode::Overflow,
            format!("Document exceeds maximum nesting depth of {MAX_USER_STORAGE_DEPTH}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;
    use proptest::prelude::*;

    /// `{a: {a: ... {a: 1}}}` with `n` fields on the path (depth `n`), built without recursion.
    pub(crate) fn nested(n: usize) -> Document {
        let mut d = doc! {"a": 1};
        for _ in 1..n {
            d = doc! {"a": d};
        }
        d
    }

    fn arb_bson() -> impl Strategy<Value = Bson> {
        let leaf = prop_oneof![
            any::<i32>().prop_map(Bson::Int32),
            any::<i64>().prop_map(Bson::Int64),
            any::<f64>().prop_map(Bson::Double),
            "[a-z\\x{e9}\\x{4e2d}]{0,12}".prop_map(Bson::String),
            any::<bool>().prop_map(Bson::Boolean),
            Just(Bson::Null),
            Just(Bson::MinKey),
            proptest::collection::vec(any::<u8>(), 0..20).prop_map(|bytes| Bson::Binary(
                bson::Binary {
                    subtype: bson::spec::BinarySubtype::Generic,
                    bytes
                }
            )),
            any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
            ("[a-z]{0,5}", "[imsx]{0,3}").prop_map(|(p, o)| {
                Bson::RegularExpression(bson::Regex {
                    pattern: p.as_str().try_into().expect("pattern"),
                    options: o.as_str().try_into().expect("options"),
                })
            }),
            any::<i64>().prop_map(|t| Bson::DateTime(bson::DateTime::from_millis(t))),
        ];
        leaf.prop_recursive(8, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Bson::Array),
                proptest::collection::vec(("[a-z]{1,4}", inner), 0..6)
                    .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
            ]
        })
    }

    /// The depth by the obvious recursive definition (the reference).
    fn depth_rec(v: &Bson) -> usize {
        match v {
            Bson::Document(d) => d.values().map(|v| 1 + depth_rec(v)).max().unwrap_or(0),
            Bson::Array(a) => a.iter().map(|v| 1 + depth_rec(v)).max().unwrap_or(0),
            _ => 0,
        }
    }

    proptest! {
        #[test]
        fn flat_shapes_are_the_general_walk(vs in proptest::collection::vec(arb_bson(), 0..6)) {
            let mut d = Document::new();
            for (i, v) in vs.into_iter().enumerate() {
                d.insert(format!("k{i}"), v);
            }
            let (fast, general) = (shape(&d), shape_nested(&d));
            prop_assert_eq!((fast.bytes, fast.depth), (general.bytes, general.depth));
            prop_assert_eq!(fast.bytes, d.to_vec().unwrap().len());
        }

        /// Rows holding documents of scalars (an interval `{months, days, micros}`, an empty one) beside
        /// scalars, measured in one pass, against the general walk and the encoded size.
        #[test]
        fn documents_of_scalars_are_the_general_walk(
            vs in proptest::collection::vec(prop_oneof![
                arb_bson(),
                proptest::collection::vec(("[a-z]{1,6}", arb_bson()), 0..4)
                    .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
                (any::<i32>(), any::<i32>(), any::<i64>()).prop_map(|(m, d, u)| {
                    Bson::Document(doc! {"months": m, "days": d, "micros": u})
                }),
                Just(Bson::Document(Document::new())),
            ], 0..6)
        ) {
            let mut d = Document::new();
            for (i, v) in vs.into_iter().enumerate() {
                d.insert(format!("k{i}"), v);
            }
            let (fast, general) = (shape(&d), shape_nested(&d));
            prop_assert_eq!((fast.bytes, fast.depth), (general.bytes, general.depth));
            prop_assert_eq!(fast.bytes, d.to_vec().unwrap().len());
            prop_assert_eq!(fast.depth, depth_rec(&Bson::Document(d.clone())));
        }

        #[test]
        fn shape_is_the_encoded_size_and_the_recursive_depth(v in arb_bson()) {
            let d = doc! {"v": v};
            let s = shape(&d);
            prop_assert_eq!(s.bytes, d.to_vec().unwrap().len());
            let want = depth_rec(&Bson::Document(d.clone()));
            prop_assert_eq!(s.depth, want);
            for limit in 0..want + 2 {
                prop_assert_eq!(deeper_than(&d, limit), want > limit, "limit {}", limit);
                prop_assert_eq!(raw_deeper_than(&d.to_vec().unwrap(), limit), want > limit, "raw, limit {}", limit);
            }
        }
    }

    #[test]
    fn limits_are_mongods() {
        assert!(!deeper_than(&nested(200), MAX_BSON_DEPTH));
        assert!(deeper_than(&nested(201), MAX_BSON_DEPTH));
        assert!(check_insert(&nested(180)).is_ok());
        let e = check_insert(&nested(181)).unwrap_err();
        assert_eq!((e.code, e.code_name.as_str()), (15, "Overflow"));
        // Empty documents add no level (mongod's storage validation).
        let mut d = nested(179);
        d.insert("b", doc! {"c": {}});
        assert_eq!(shape(&d).depth, 179);
        assert!(check_update(&d).is_ok());
    }

    #[test]
    fn size_limit_is_16_mib_exactly() {
        let filler = |n: usize| doc! {"_id": 1, "s": "x".repeat(n)};
        // 5 + (1+4+4) + (1+2+4+n+1) = n + 22 bytes.
        let at_limit = filler(MAX_USER_DOCUMENT_BYTES - 22);
        assert_eq!(shape(&at_limit).bytes, MAX_USER_DOCUMENT_BYTES);
        assert!(check_insert(&at_limit).is_ok());
        let over = filler(MAX_USER_DOCUMENT_BYTES - 21);
        let e = check_insert(&over).unwrap_err();
        assert_eq!((e.code, e.code_name.as_str()), (2, "BadValue"));
        assert!(e
            .errmsg
            .contains("object to insert too large. size in bytes: 16777217"));
        let e = check_update(&over).unwrap_err();
        assert_eq!(
            (e.code, e.code_name.as_str()),
            (10334, "BSONObjectTooLarge")
        );
    }

    #[test]
    fn the_shortest_too_deep_bytes_are_scanned() {
        // 201 levels with empty keys and a null at the bottom: the smallest such document.
        let mut b = Vec::new();
        for _ in 0..MAX_BSON_DEPTH {
            b.extend_from_slice(&[0, 0, 0, 0, 0x03, 0]);
        }
        b.extend_from_slice(&[0, 0, 0, 0, 0x0A, 0, 0]);
        b.extend(std::iter::repeat_n(0u8, MAX_BSON_DEPTH));
        assert!(b.len() >= SHORTEST_TOO_DEEP, "{}", b.len());
        assert!(check_command_bytes(&b).is_err());
        // Documents also walk every level: the same shape as a `Document` is refused, one level less not.
        assert!(check_command(&nested(201)).is_err());
        assert!(check_command(&nested(200)).is_ok());
    }

    #[test]
    fn stage_output_is_bounded_in_depth_and_size() {
        assert!(check_intermediate(&[nested(200)]).is_ok());
        let e = check_intermediate(&[doc! {}, nested(201)]).unwrap_err();
        assert_eq!(e.code, 15);
        // {s: "x..."}: 5 + 1 + 2 + 4 + n + 1 = n + 13 bytes.
        let at = doc! {"s": "x".repeat(MAX_INTERMEDIATE_BYTES - 13)};
        assert!(check_intermediate(std::slice::from_ref(&at)).is_ok());
        let over = doc! {"s": "x".repeat(MAX_INTERMEDIATE_BYTES - 12)};
        let e = check_intermediate(&[over]).unwrap_err();
        assert_eq!((e.code, e.code_name.as_str()), (146, "ExceededMemoryLimit"));
    }

    #[test]
    fn raw_scan_survives_any_depth_and_garbage() {
        // 100,000 levels of `{a: ...}` bytes: measured without recursion, on a small stack.
        let n = 100_000;
        let mut b = Vec::new();
        for _ in 0..n {
            b.extend_from_slice(&[0, 0, 0, 0, 0x03, b'a', 0]);
        }
        b.extend_from_slice(&[5, 0, 0, 0, 0]);
        b.extend(std::iter::repeat_n(0u8, n));
        let t = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                (
                    raw_deeper_than(&b, MAX_BSON_DEPTH),
                    raw_deeper_than(&b[..40], 2),
                )
            })
            .unwrap();
        assert_eq!(t.join().unwrap(), (true, true));
        assert!(!raw_deeper_than(&[], 1));
        assert!(!raw_deeper_than(&[5, 0, 0, 0, 0x42], 1));
    }
}
