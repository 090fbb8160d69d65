//! Which top-level fields a query filter or an aggregation expression reads, so that a scan parses only those
//! fields of each stored document (projection pushdown over the BSON bytes of [`storage`](super::storage)).
//!
//! In: a filter document or an expression / stage specification; out: the top-level field names it may read,
//! or `false` when it may read any field (`$$ROOT`, `$$CURRENT`, `$getField`, operators whose arguments name
//! fields without a `$`, unknown query operators). Over-approximating is always safe; missing a field is not,
//! so every doubtful form answers "any field". Depends on `bson` only.

use super::bson_bytes::{key_is, nul_at, read_8, read_i32, value_len};
use bson::{Bson, Document, RawDocument};

/// Adds the top-level fields `filter` (query language) reads to `out`; `false` when it may read any field.
pub fn filter_fields(filter: &Document, out: &mut Vec<String>) -> bool {
    for (k, v) in filter {
        match k.as_str() {
            "$and" | "$or" | "$nor" => {
                let Bson::Array(items) = v else { return false };
                for item in items {
                    let Bson::Document(d) = item else {
                        return false;
                    };
                    if !filter_fields(d, out) {
                        return false;
                    }
                }
            }
            "$expr" => {
                if !expr_fields(v, out) {
                    return false;
                }
            }
            "$comment" => {}
            other if other.starts_with('$') => return false,
            path => push(out, path.split('.').next().unwrap_or(path)),
        }
    }
    true
}

/// Adds the top-level fields an aggregation expression (or a stage specification made of expressions, such
/// as a `$group` document) reads to `out`; `false` when it may read any field.
pub fn expr_fields(spec: &Bson, out: &mut Vec<String>) -> bool {
    match spec {
        Bson::String(s) => {
            if let Some(var) = s.strip_prefix("$$") {
                let name = var.split('.').next().unwrap_or(var);
                !matches!(name, "ROOT" | "CURRENT")
            } else if let Some(path) = s.strip_prefix('$') {
                push(out, path.split('.').next().unwrap_or(path));
                true
            } else {
                true
            }
        }
        Bson::Array(items) => items.iter().all(|i| expr_fields(i, out)),
        Bson::Document(d) => {
            for (k, v) in d {
                match k.as_str() {
                    "$literal" => {}
                    // These read fields named by plain strings (or a sort specification's keys).
                    "$getField" | "$setField" | "$unsetField" | "$top" | "$bottom" | "$topN"
                    | "$bottomN" | "$function" | "$accumulator" => return false,
                    _ => {
                        if !expr_fields(v, out) {
                            return false;
                        }
                    }
                }
            }
            true
        }
        _ => true,
    }
}

/// Adds the top-level fields a `$project` stage specification reads to `out` (`_id` unless excluded, the
/// included paths' first names, the fields its computed values read); `false` when it may read any field (an
/// exclusion projection keeps every other field, `$$ROOT`, ...).
pub fn projection_fields(spec: &Document, out: &mut Vec<String>) -> bool {
    let mut id = true;
    for (k, v) in spec {
        let top = k.split('.').next().unwrap_or(k);
        let flag = match v {
            Bson::Boolean(b) => Some(*b),
            Bson::Int32(n) => Some(*n != 0),
            Bson::Int64(n) => Some(*n != 0),
            Bson::Double(x) => Some(*x != 0.0),
            Bson::Decimal128(_) => return false,
            _ => None,
        };
        match flag {
            Some(false) if k == "_id" => id = false,
            Some(false) => return false,
            Some(true) => push(out, top),
            None => {
                // A computed value, or a nested projection (`{a: {b: 1}}`): its reads, and the field itself
                // for a nested or dotted one (arrays on the way are walked).
                let nested = matches!(v, Bson::Document(d) if d.keys().next().is_some_and(|f| !f.starts_with('$')));
                if nested || k.contains('.') {
                    push(out, top);
                }
                if !expr_fields(v, out) {
                    return false;
                }
            }
        }
    }
    if id {
        push(out, "_id");
    }
    true
}

/// Adds the top-level fields of the input documents that a run of pipeline stages reads to `out`, up to
/// the first stage whose output is made only of what it read (an inclusion `$project`, `$group`, `$count`);
/// `false` when the stages may read any field, or no such stage ends them (the documents then leave the
/// pipeline whole). A `$lookup` reads its `localField` and what its `let` expressions read from the input
/// document (its sub-pipeline reads the foreign documents); the fields stages add are listed too, which is
/// harmless.
pub fn pipeline_fields(stages: &[Bson], out: &mut Vec<String>) -> bool {
    let top = |p: &str| p.split('.').next().unwrap_or(p).to_string();
    for stage in stages {
        let Some(stage) = stage.as_document().filter(|d| d.len() == 1) else {
            return false;
        };
        let Some((name, spec)) = stage.iter().next() else {
            return false;
        };
        match (name.as_str(), spec) {
            ("$project", Bson::Document(p)) => return projection_fields(p, out),
            ("$group", g @ Bson::Document(_)) => return expr_fields(g, out),
            ("$count", _) => return true,
            ("$match", Bson::Document(f)) => {
                if !filter_fields(f, out) {
                    return false;
                }
            }
            ("$addFields" | "$set", a @ Bson::Document(_)) => {
                if !expr_fields(a, out) {
                    return false;
                }
            }
            ("$unset", Bson::String(_) | Bson::Array(_)) | ("$limit" | "$skip", _) => {}
            ("$sort", Bson::Document(keys)) => {
                for (k, v) in keys {
                    if !matches!(v, Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_)) {
                        return false;
                    }
                    push(out, &top(k));
                }
            }
            ("$unwind", Bson::String(path)) => match path.strip_prefix('$') {
                Some(p) => push(out, &top(p)),
                None => return false,
            },
            ("$lookup", Bson::Document(l)) => {
                if let Some(local) = l.get("localField") {
                    match local {
                        Bson::String(p) => push(out, &top(p)),
                        _ => return false,
                    }
                }
                match l.get("let") {
                    None => {}
                    Some(Bson::Document(lets)) => {
                        for (_, e) in lets {
                            if !expr_fields(e, out) {
                                return false;
                            }
                        }
                    }
                    Some(_) => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

fn push(out: &mut Vec<String>, name: &str) {
    if !out.iter().any(|f| f == name) {
        out.push(name.to_string());
    }
}

/// The values of a fixed list of top-level fields, read from one stored document at a time into slots
/// addressed by the field's position in the list: one walk over the BSON bytes (keys compared as bytes,
/// skipped values never decoded, stopping once every field is found), no map built, string buffers reused
/// from one document to the next. Callers that know which field they want read it by index, with no key
/// lookup. A value is what [`crate::engine::path::field`] gives for the same parsed document (the first
/// element of that name).
///
/// The first `prefix` slots can be read alone ([`read_prefix`](Self::read_prefix)) and the others after
/// ([`read_rest`](Self::read_rest)), the walk resuming where it stopped: a filter on the prefix fields
/// rejects a document before the rest of it is walked or decoded.
#[derive(Debug, Clone)]
pub struct FieldValues {
    names: Vec<String>,
    prefix: usize,
    /// Element offset of each field in the current document (`usize::MAX`: missing).
    at: Vec<usize>,
    /// Decoded values; meaningful only for the first `decoded` slots, where `at` is set.
    values: Vec<Bson>,
    decoded: usize,
    /// Where the walk over the current document stopped (byte offset and element ordinal), and how many
    /// fields (of the prefix) it found.
    pos: usize,
    ordinal: usize,
    found: usize,
    found_prefix: usize,
    /// What the walks learnt about element ordinal `j`: the key last seen there and the slot it names.
    /// Documents of a collection mostly share one shape, so the key at `j` is usually the key seen at `j`
    /// before: one comparison with it replaces the search for the key's end and the comparisons with every
    /// field name. The slot is a function of the key bytes alone, so a stale entry is only a missed shortcut.
    shape: Vec<KnownKey>,
    /// Scratch for [`move_into`](Self::move_into): the slots found, in document order.
    order: Vec<usize>,
}

/// A key seen at some element ordinal and the slot its name fills ([`FieldValues::shape`]).
#[derive(Debug, Clone, Default)]
struct KnownKey {
    key: Vec<u8>,
    /// For keys of up to `8 * WORDS - 1` bytes: the key and its terminating NUL as little-endian words (zero
    /// padded), `masks` selecting the bytes that belong to them; `nwords == 0` for longer keys.
    words: [u64; WORDS],
    masks: [u64; WORDS],
    nwords: usize,
    /// `usize::MAX`: no slot.
    slot: usize,
}

/// Words of a key compared inline ([`KnownKey`]).
const WORDS: usize = 3;

impl KnownKey {
    fn new(key: &[u8], slot: usize) -> KnownKey {
        let mut k = KnownKey {
            key: key.to_vec(),
            words: [0; WORDS],
            masks: [0; WORDS],
            nwords: 0,
            slot,
        };
        let with_nul = key.len() + 1;
        if with_nul <= 8 * WORDS {
            k.nwords = with_nul.div_ceil(8);
            for (i, byte) in key.iter().enumerate() {
                k.words[i / 8] |= u64::from(*byte) << ((i % 8) * 8);
            }
            for i in 0..with_nul {
                k.masks[i / 8] |= 0xFF << ((i % 8) * 8);
            }
        }
        k
    }

    /// Whether the element key starting at `at` in `b` is this key (its bytes, then the terminating NUL):
    /// compared a word at a time where the key is short and the document has the bytes to load.
    #[inline(always)]
    fn is_at(&self, b: &[u8], at: usize) -> bool {
        if let Some(bytes) = b.get(at..).and_then(|rest| rest.get(..self.nwords * 8)) {
            if self.nwords > 0 {
                for i in 0..self.nwords {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
                    if u64::from_le_bytes(w) & self.masks[i] != self.words[i] {
                        return false;
                    }
                }
                return true;
            }
        }
        key_is(b, at, &self.key)
    }
}

impl FieldValues {
    /// Slots for these field names (top-level, no dots), all read at once.
    pub fn new(names: Vec<String>) -> FieldValues {
        let n = names.len();
        FieldValues::with_prefix(names, n)
    }

    /// Slots for these field names, the first `prefix` of which can be read first.
    pub fn with_prefix(names: Vec<String>, prefix: usize) -> FieldValues {
        let n = names.len();
        FieldValues {
            names,
            prefix: prefix.min(n),
            at: vec![usize::MAX; n],
            values: vec![Bson::Null; n],
            decoded: 0,
            pos: 0,
            ordinal: 0,
            found: 0,
            found_prefix: 0,
            shape: Vec::new(),
            order: Vec::new(),
        }
    }

    /// The field names, in slot order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Reads every field of `raw`. `None` when the bytes hold something the walker does not decode (an
    /// unknown element type, invalid UTF-8, a truncated element): the caller then takes the general path,
    /// which parses with the `bson` crate and reports the error.
    pub fn read(&mut self, raw: &RawDocument) -> Option<()> {
        self.read_prefix(raw)?;
        self.read_rest(raw)
    }

    /// Starts on `raw`: reads the prefix fields only (as [`read`](Self::read) otherwise).
    pub fn read_prefix(&mut self, raw: &RawDocument) -> Option<()> {
        self.at.fill(usize::MAX);
        self.decoded = 0;
        self.pos = 4;
        self.ordinal = 0;
        self.found = 0;
        self.found_prefix = 0;
        self.walk(raw.as_bytes(), true)?;
        self.decode(raw, 0..self.prefix)
    }

    /// Reads the other fields of the document [`read_prefix`](Self::read_prefix) started on (same `raw`).
    pub fn read_rest(&mut self, raw: &RawDocument) -> Option<()> {
        self.walk(raw.as_bytes(), false)?;
        self.decode(raw, self.prefix..self.names.len())
    }

    /// Walks on from `pos` until the prefix fields (or all fields) are found or the document ends.
    fn walk(&mut self, b: &[u8], prefix_only: bool) -> Option<()> {
        let end = b.len().checked_sub(1)?;
        let wanted = if prefix_only {
            self.prefix
        } else {
            self.names.len()
        };
        let mut pos = self.pos;
        let mut ordinal = self.ordinal;
        while pos < end
            && (if prefix_only {
                self.found_prefix
            } else {
                self.found
            }) < wanted
        {
            let t = b[pos];
            let kstart = pos + 1;
            let (klen, slot) = match self.shape.get(ordinal) {
                Some(k) if k.is_at(b, kstart) => (k.key.len(), k.slot),
                _ => self.learn(b, kstart, end, ordinal)?,
            };
            let vstart = kstart + klen + 1;
            let next = vstart.checked_add(value_len(b, t, vstart)?)?;
            if next > end {
                return None;
            }
            if let Some(at) = self.at.get_mut(slot) {
                if *at == usize::MAX {
                    *at = pos;
                    self.found += 1;
                    if slot < self.prefix {
                        self.found_prefix += 1;
                    }
                }
            }
            ordinal += 1;
            pos = next;
        }
        self.pos = pos;
        self.ordinal = ordinal;
        Some(())
    }

    /// Reads the key starting at `kstart` the long way (its end, the field it names) and remembers it for
    /// element `ordinal`; its length and slot.
    #[cold]
    #[inline(never)]
    fn learn(
        &mut self,
        b: &[u8],
        kstart: usize,
        end: usize,
        ordinal: usize,
    ) -> Option<(usize, usize)> {
        let klen = nul_at(b.get(kstart..end)?)?;
        let key = &b[kstart..kstart + klen];
        let slot = self.slot_of(key);
        if self.shape.len() <= ordinal {
            self.shape.resize_with(ordinal + 1, KnownKey::default);
        }
        self.shape[ordinal] = KnownKey::new(key, slot);
        Some((klen, slot))
    }

    /// The slot of the field named `key` (`usize::MAX`: none).
    fn slot_of(&self, key: &[u8]) -> usize {
        self.names
            .iter()
            .position(|name| name.as_bytes() == key)
            .unwrap_or(usize::MAX)
    }

    fn decode(&mut self, raw: &RawDocument, slots: std::ops::Range<usize>) -> Option<()> {
        let b = raw.as_bytes();
        let end = slots.end;
        for i in slots {
            let at = self.at[i];
            if at != usize::MAX {
                assign(
                    &mut self.values[i],
                    b,
                    at,
                    self.names[i].len(),
                    raw,
                    &self.names[i],
                )?;
            }
        }
        self.decoded = end;
        Some(())
    }

    /// The value of the field in slot `i` of the last document read (`None`: missing, or not read yet).
    pub fn get(&self, i: usize) -> Option<&Bson> {
        if i < self.decoded && *self.at.get(i)? != usize::MAX {
            self.values.get(i)
        } else {
            None
        }
    }

    /// Moves the fields of the last document read into `out`, in the order they appear in the document:
    /// what parsing the document and keeping only these fields gives. When `out` already holds the same
    /// fields in the same order (documents of one shape), the values are swapped in, so the string buffers
    /// circulate between `out` and the slots and nothing is allocated. The row reads as empty afterwards.
    pub fn move_into(&mut self, out: &mut Document) {
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend((0..self.decoded).filter(|&i| self.at[i] != usize::MAX));
        order.sort_unstable_by_key(|&i| self.at[i]);
        let same_shape =
            out.len() == order.len() && out.keys().zip(&order).all(|(k, &i)| *k == self.names[i]);
        if same_shape {
            for ((_, slot), &i) in out.iter_mut().zip(&order) {
                std::mem::swap(slot, &mut self.values[i]);
            }
        } else {
            out.clear();
            for &i in &order {
                out.insert(
                    self.names[i].clone(),
                    std::mem::replace(&mut self.values[i], Bson::Null),
                );
            }
        }
        self.decoded = 0;
        self.order = order;
    }
}

/// Decodes the element at `at` (type byte, key of `klen` bytes, value) into `slot`, reusing its string
/// buffer; types other than the common scalars are decoded by the `bson` crate.
fn assign(
    slot: &mut Bson,
    b: &[u8],
    at: usize,
    klen: usize,
    raw: &RawDocument,
    key: &str,
) -> Option<()> {
    let v = at + 1 + klen + 1;
    // Values of the slot's current type are overwritten in place (nothing dropped); a string equal to the
    // slot's (a grouping key, a status) is not copied again.
    match b[at] {
        0x01 => {
            let x = f64::from_le_bytes(read_8(b, v)?);
            match slot {
                Bson::Double(d) => *d = x,
                other => *other = Bson::Double(x),
            }
        }
        0x02 => {
            let n = usize::try_from(read_i32(b, v)?).ok()?;
            let bytes = b.get(v + 4..(v + 4).checked_add(n)?)?;
            let (last, text) = bytes.split_last()?;
            if *last != 0 {
                return None;
            }
            match slot {
                Bson::String(s) if s.as_bytes() == text => {}
                Bson::String(s) => {
                    let text = std::str::from_utf8(text).ok()?;
                    s.clear();
                    s.push_str(text);
                }
                other => *other = Bson::String(std::str::from_utf8(text).ok()?.to_string()),
            }
        }
        0x08 => {
            let x = match b.get(v)? {
                0 => false,
                1 => true,
                _ => return None,
            };
            match slot {
                Bson::Boolean(d) => *d = x,
                other => *other = Bson::Boolean(x),
            }
        }
        0x09 => {
            *slot = Bson::DateTime(bson::DateTime::from_millis(i64::from_le_bytes(read_8(
                b, v,
            )?)))
        }
        0x0A => *slot = Bson::Null,
        0x10 => {
            let x = read_i32(b, v)?;
            match slot {
                Bson::Int32(d) => *d = x,
                other => *other = Bson::Int32(x),
            }
        }
        0x12 => {
            let x = i64::from_le_bytes(read_8(b, v)?);
            match slot {
                Bson::Int64(d) => *d = x,
                other => *other = Bson::Int64(x),
            }
        }
        _ => {
            for elem in raw.iter_elements() {
                let elem = elem.ok()?;
                if elem.key().as_str() == key {
                    *slot = Bson::try_from(elem).ok()?;
                    return Some(());
                }
            }
            return None;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{bson, doc};

    #[test]
    fn pipelines_name_the_fields_they_read_up_to_a_closing_stage() {
        let reads = |stages: Vec<Bson>| {
            let mut f = Vec::new();
            pipeline_fields(&stages, &mut f).then_some(f)
        };
        let v = |names: &[&str]| Some(names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        // The translator's correlated EXISTS: the lookup's local field and `let`, the `$match` on the
        // joined array, the select list.
        let exists = vec![
            bson!({"$lookup": {"from": "o", "localField": "u.x", "foreignField": "u", "let": {"o0": "$u", "o1": "$s"},
                "pipeline": [{"$match": {"$expr": {"$eq": ["$$ROOT", "$$o0"]}}}], "as": "__sq0"}}),
            bson!({"$match": {"$expr": {"$gt": [{"$size": "$__sq0"}, 0]}}}),
            bson!({"$sort": {"t": 1}}),
            bson!({"$limit": 3}),
            bson!({"$project": {"_id": 0, "c0": "$s"}}),
            bson!({"$unwind": "$$ROOT"}),
        ];
        assert_eq!(reads(exists), v(&["u", "s", "__sq0", "t"]));
        assert_eq!(
            reads(vec![
                bson!({"$set": {"a": "$b"}}),
                bson!({"$unwind": "$c"}),
                bson!({"$group": {"_id": "$a", "n": {"$sum": "$d"}}}),
            ]),
            v(&["b", "c", "a", "d"])
        );
        assert_eq!(reads(vec![bson!({"$count": "n"})]), v(&[]));
        // No closing stage: the documents leave whole. Unknown stages and whole-document reads: any field.
        assert_eq!(reads(vec![bson!({"$match": {"a": 1}})]), None);
        assert_eq!(
            reads(vec![
                bson!({"$replaceRoot": {"newRoot": "$$ROOT"}}),
                bson!({"$project": {"a": 1}})
            ]),
            None
        );
        assert_eq!(
            reads(vec![
                bson!({"$lookup": {"from": "o", "let": {"r": "$$ROOT"}, "pipeline": [], "as": "j"}}),
                bson!({"$project": {"a": 1}})
            ]),
            None
        );
        assert_eq!(
            reads(vec![
                bson!({"$skip": 1}),
                bson!({"$unset": "z"}),
                bson!({"$project": {"a": 1}})
            ]),
            v(&["a", "_id"])
        );
        assert_eq!(
            reads(vec![
                bson!({"$sort": {"s": {"$meta": "textScore"}}}),
                bson!({"$project": {"a": 1}})
            ]),
            None
        );
    }

    #[test]
    fn projections_name_the_fields_they_read() {
        let reads = |spec: Document| {
            let mut f = Vec::new();
            projection_fields(&spec, &mut f).then_some(f)
        };
        let v = |names: &[&str]| Some(names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            reads(
                doc! {"_id": 0, "c0": "$session_id", "n": {"$cond": [{"$eq": [{"$ifNull": ["$k", null]}, null]}, 1, 0]}}
            ),
            v(&["session_id", "k"])
        );
        assert_eq!(reads(doc! {"a": 1, "b.c": true}), v(&["a", "b", "_id"]));
        assert_eq!(
            reads(doc! {"x": {"y": 1, "z": "$w"}}),
            v(&["x", "w", "_id"])
        );
        assert_eq!(reads(doc! {"x.y": "$w"}), v(&["x", "w", "_id"]));
        assert_eq!(
            reads(doc! {"_id": "$a", "l": {"$literal": "$b"}}),
            v(&["a", "_id"])
        );
        // Exclusions keep every other field; $$ROOT reads all of it.
        assert_eq!(reads(doc! {"a": 0}), None);
        assert_eq!(reads(doc! {"_id": 0, "r": "$$ROOT"}), None);
        assert_eq!(reads(doc! {"_id": 0, "g": {"$getField": "a"}}), None);
    }

    #[test]
    fn filters_name_their_top_level_fields() {
        let mut f = Vec::new();
        assert!(filter_fields(
            &doc! {"a.b": 1, "$or": [{"c": {"$gt": 1}}, {"$expr": {"$eq": ["$d.e", "$$NOW"]}}]},
            &mut f
        ));
        assert_eq!(f, ["a", "c", "d"]);
        assert!(!filter_fields(&doc! {"$where": "true"}, &mut Vec::new()));
        assert!(!filter_fields(
            &doc! {"$expr": {"$eq": ["$$ROOT", {}]}},
            &mut Vec::new()
        ));
    }

    #[test]
    fn expressions_name_their_fields_or_give_up() {
        let mut f = Vec::new();
        let group = bson!({"_id": "$login_method", "n": {"$sum": 1}, "v": {"$avg": {"$ifNull": ["$x", "$y.z"]}},
            "l": {"$literal": "$not_a_field"}, "m": {"$map": {"input": "$tags", "as": "t", "in": "$$t"}}});
        assert!(expr_fields(&group, &mut f));
        assert_eq!(f, ["login_method", "x", "y", "tags"]);
        assert!(!expr_fields(&bson!({"$getField": "a"}), &mut Vec::new()));
        assert!(!expr_fields(
            &bson!({"$mergeObjects": ["$$CURRENT", {}]}),
            &mut Vec::new()
        ));
        assert!(!expr_fields(
            &bson!({"$topN": {"n": 1, "sortBy": {"score": -1}, "output": "$a"}}),
            &mut Vec::new()
        ));
    }

    #[test]
    fn field_values_read_what_path_field_reads() {
        let d = doc! {"_id": "k", "pad": "p".repeat(100), "a": 1.5, "s": "text", "b": true, "n": null,
        "i": 7, "l": 8i64, "t": bson::DateTime::from_millis(5), "arr": [1, {"x": 2}], "o": {"y": "z"},
        "dec": bson::Decimal128::from_bytes([0; 16]), "last": "end"};
        let raw = bson::RawDocumentBuf::try_from(&d).expect("serialises");
        let names = [
            "last", "s", "a", "b", "n", "i", "l", "t", "arr", "o", "dec", "absent",
        ];
        let fields: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        for prefix in [0, 1, 3, names.len()] {
            let mut row = FieldValues::with_prefix(fields.clone(), prefix);
            for _ in 0..2 {
                assert!(row.read_prefix(&raw).is_some());
                for (i, name) in names.iter().enumerate() {
                    let want = if i < prefix {
                        crate::engine::path::field(&d, name)
                    } else {
                        None
                    };
                    assert_eq!(row.get(i), want, "prefix {prefix}, before the rest: {name}");
                }
                assert!(row.read_rest(&raw).is_some());
                for (i, name) in names.iter().enumerate() {
                    assert_eq!(row.get(i), crate::engine::path::field(&d, name), "{name}");
                }
            }
            // The next document, of another shape, replaces every slot (strings keep their buffers).
            let other =
                bson::RawDocumentBuf::try_from(&doc! {"s": "x", "a": "now a string"}).expect("ok");
            assert!(row.read(&other).is_some());
            assert_eq!(row.get(1), Some(&Bson::String("x".into())));
            assert_eq!(row.get(2), Some(&Bson::String("now a string".into())));
            assert_eq!(row.get(0), None);
            assert_eq!(row.get(names.len()), None);
        }
    }

    /// Keys that share prefixes (and whole first words) and lengths, cross the word boundaries of the inline key comparison (7, 8,
    /// 15, 16, 23, 24 bytes) and exceed it.
    const KEYS: [&str; 14] = [
        "a",
        "ab",
        "b",
        "abcdefg",
        "abcdefgh",
        "abcdefgi",
        "abcdefgh_",
        "abcdefgh_xy_z",
        "fifteen_bytes_k",
        "sixteen_bytes_ke",
        "twenty_three_bytes_key_",
        "twenty_four_bytes_key_xy",
        "a_key_longer_than_any_inline_word",
        "",
    ];

    fn random_document() -> impl proptest::strategy::Strategy<Value = Document> {
        use proptest::prelude::*;
        let value = prop_oneof![
            any::<i32>().prop_map(Bson::Int32),
            any::<f64>().prop_map(Bson::Double),
            "[a-z]{0,12}".prop_map(Bson::String),
            any::<bool>().prop_map(Bson::Boolean),
            Just(Bson::Null),
            any::<i64>().prop_map(Bson::Int64),
            (0usize..3).prop_map(|n| Bson::Array(vec![Bson::Int32(1); n])),
        ];
        proptest::collection::vec((0..KEYS.len(), value), 0..8).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| (KEYS[k].to_string(), v))
                .collect()
        })
    }

    proptest::proptest! {
        /// One `FieldValues` reading a run of documents of changing shapes (the per-ordinal key cache hit,
        /// missed, stale) gives for each what `path::field` gives on the parsed document.
        #[test]
        fn field_values_over_changing_shapes_read_what_path_field_reads(
            docs in proptest::collection::vec(random_document(), 1..12),
            wanted in proptest::collection::vec(0..KEYS.len(), 0..5),
            prefix in 0usize..5,
        ) {
            let mut names: Vec<String> = Vec::new();
            for k in wanted {
                if !names.iter().any(|n| n == KEYS[k]) {
                    names.push(KEYS[k].to_string());
                }
            }
            let mut row = FieldValues::with_prefix(names.clone(), prefix);
            for d in docs.iter().chain(docs.iter().rev()) {
                let raw = bson::RawDocumentBuf::try_from(d).expect("serialises");
                proptest::prop_assert!(row.read_prefix(&raw).is_some());
                proptest::prop_assert!(row.read_rest(&raw).is_some());
                for (i, name) in names.iter().enumerate() {
                    proptest::prop_assert_eq!(row.get(i), crate::engine::path::field(d, name), "{} in {:?}", name, d);
                }
            }
        }
    }

    #[test]
    fn moved_fields_are_the_named_fields_in_document_order() {
        let d = doc! {"_id": "k", "a": 1.5, "s": "text", "b": true, "n": null, "i": 7, "l": 8i64,
        "t": bson::DateTime::from_millis(5), "arr": [1, {"x": 2}], "o": {"y": "z"},
        "oid": bson::oid::ObjectId::from_bytes([1; 12]), "last": "end"};
        let raw = bson::RawDocumentBuf::try_from(&d).expect("serialises");
        let names = [
            "last", "s", "a", "b", "n", "i", "l", "t", "arr", "o", "oid", "absent",
        ];
        let mut row = FieldValues::new(names.iter().map(|s| s.to_string()).collect());
        let mut out = Document::new();
        let expected: Document = d
            .iter()
            .filter(|(k, _)| names.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for _ in 0..3 {
            // The later passes reuse `out` (same shape): values swapped in place.
            assert!(row.read(&raw).is_some());
            row.move_into(&mut out);
            assert_eq!(out, expected);
            assert_eq!(row.get(1), None, "the row reads as empty once moved");
        }
        let other =
            bson::RawDocumentBuf::try_from(&doc! {"s": 3, "a": "now a string"}).expect("ok");
        assert!(row.read(&other).is_some());
        row.move_into(&mut out);
        assert_eq!(out, doc! {"s": 3, "a": "now a string"});
        let mut none = FieldValues::new(Vec::new());
        assert!(none.read(&other).is_some());
        none.move_into(&mut out);
        assert!(out.is_empty());
    }
}
