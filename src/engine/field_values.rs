//! Reading a fixed list of top-level fields out of stored BSON bytes ([`FieldValues`]): the reader behind
//! the projection pushdown whose field lists [`super::fields`] works out.

use super::bson_bytes::{key_is, nul_at, read_8, read_i32, value_len};
use super::doc_template::Template;
use bson::{Bson, Document, RawDocument};

#[cfg(test)]
#[path = "field_values_tests.rs"]
mod tests;

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
    /// The document shape [`move_into`](Self::move_into) last built from nothing, and its slots in order: the
    /// next document of that shape is a copy of it (no key hashed, no table grown).
    template: Template,
    template_order: Vec<usize>,
    /// Slots whose embedded document values are read as an empty document, not decoded
    /// ([`shallow_documents`](Self::shallow_documents)); empty: none.
    shallow: Vec<bool>,
    /// Per slot, the part of an embedded document or array its readers need ([`prune_to`](Self::prune_to));
    /// `None` (or no entry): all of it.
    pruned: Vec<Option<Subpaths>>,
}

/// The part of an embedded value that its readers need: the keys on their paths, each kept whole (`None`)
/// or in part. An array keeps every element, its documents (and arrays) pruned the same way, as a path
/// through an array reaches into each of its elements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subpaths(Vec<(String, Option<Subpaths>)>);

impl Subpaths {
    /// Adds the path `parts` (under this value); `false` when it cannot be pruned by (an empty or numeric
    /// component: a numeric one may be an array index, which reaches one element and not a key).
    fn insert(&mut self, parts: &[&str]) -> bool {
        let Some((first, rest)) = parts.split_first() else {
            return false;
        };
        if first.is_empty() || first.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
        let at = match self.0.iter().position(|(k, _)| k == first) {
            Some(i) => i,
            None => {
                self.0.push((first.to_string(), Some(Subpaths::default())));
                self.0.len() - 1
            }
        };
        if rest.is_empty() {
            self.0[at].1 = None;
            return true;
        }
        match &mut self.0[at].1 {
            None => true,
            Some(sub) => sub.insert(rest),
        }
    }

    fn get(&self, key: &str) -> Option<Option<&Subpaths>> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, sub)| sub.as_ref())
    }
}

/// The keys of `raw` on the paths of `tree`, in document order.
fn pruned_document(raw: &RawDocument, tree: &Subpaths) -> Option<Document> {
    let mut out = Document::new();
    for elem in raw.iter() {
        let (k, v) = elem.ok()?;
        if let Some(sub) = tree.get(k.as_str()) {
            out.insert(k.as_str(), pruned_value(v, sub)?);
        }
    }
    Some(out)
}

/// A value with its embedded documents pruned to `tree` (`None`: whole).
fn pruned_value(v: bson::RawBsonRef<'_>, tree: Option<&Subpaths>) -> Option<Bson> {
    match (v, tree) {
        (bson::RawBsonRef::Document(d), Some(t)) => Some(Bson::Document(pruned_document(d, t)?)),
        (bson::RawBsonRef::Array(a), Some(t)) => {
            let mut out = Vec::new();
            for x in a {
                out.push(pruned_value(x.ok()?, Some(t))?);
            }
            Some(Bson::Array(out))
        }
        (v, _) => super::bson_decode::value(v),
    }
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

/// The slot of `name` in a row's field list (the fields a [`FieldValues`] row reads), added when missing.
pub fn field_slot(fields: &mut Vec<String>, name: &str) -> usize {
    match fields.iter().position(|f| f == name) {
        Some(i) => i,
        None => {
            fields.push(name.to_string());
            fields.len() - 1
        }
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
            template: Template::default(),
            template_order: Vec::new(),
            shallow: Vec::new(),
            pruned: Vec::new(),
        }
    }

    /// Reads the embedded documents (and arrays) of each slot only along the dotted `paths` that start with
    /// its name (`session_data.preferences.theme` decodes `{preferences: {theme}}` of `session_data`), for
    /// readers that read nothing else of them: a slot named by a path of its own, or by none, or by a path
    /// with a numeric component (an array index), is read whole. What a path reads through the value
    /// (arrays included, missing and null alike) is what it reads through the whole value.
    pub fn prune_to(&mut self, paths: &[String]) {
        self.pruned = self
            .names
            .iter()
            .map(|name| {
                let mut tree = Subpaths::default();
                let mut any = false;
                for p in paths {
                    let Some(rest) = p.strip_prefix(name.as_str()) else {
                        continue;
                    };
                    if rest.is_empty() {
                        return None;
                    }
                    let Some(rest) = rest.strip_prefix('.') else {
                        continue;
                    };
                    let parts: Vec<&str> = rest.split('.').collect();
                    if !tree.insert(&parts) {
                        return None;
                    }
                    any = true;
                }
                any.then_some(tree)
            })
            .collect();
    }

    /// Reads an embedded document value (BSON type 3) of the slots marked `true` as an empty document
    /// instead of decoding it: for a reader whose predicates decide a document by its type alone
    /// (`TopLevelFilter::shallow_slots`). The bytes are still checked as for any value (length within the
    /// document); other types decode as before.
    pub fn shallow_documents(&mut self, slots: Vec<bool>) {
        self.shallow = slots;
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
            if at != usize::MAX && b[at] == 0x03 && self.shallow.get(i).copied().unwrap_or(false) {
                match &mut self.values[i] {
                    Bson::Document(d) => d.clear(),
                    other => *other = Bson::Document(Document::new()),
                }
            } else if let (true, Some(Some(tree))) = (
                at != usize::MAX && matches!(b[at], 0x03 | 0x04),
                self.pruned.get(i),
            ) {
                let v = at + 1 + self.names[i].len() + 1;
                let len = usize::try_from(read_i32(b, v)?).ok()?;
                let inner = RawDocument::from_bytes(b.get(v..v.checked_add(len)?)?).ok()?;
                self.values[i] = if b[at] == 0x03 {
                    Bson::Document(pruned_document(inner, tree)?)
                } else {
                    let mut out = Vec::new();
                    for x in inner.iter() {
                        out.push(pruned_value(x.ok()?.1, Some(tree))?);
                    }
                    Bson::Array(out)
                };
            } else if at != usize::MAX {
                assign(&mut self.values[i], b, at, self.names[i].len())?;
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

    /// The values of the last document read in slot order, moved out, when it has every field (`None`
    /// otherwise, the row left as it is). The row reads as empty afterwards.
    pub fn take_all(&mut self) -> Option<Vec<Bson>> {
        let n = self.names.len();
        if self.decoded < n || self.at[..n].contains(&usize::MAX) {
            return None;
        }
        self.decoded = 0;
        Some(
            self.values[..n]
                .iter_mut()
                .map(|v| std::mem::replace(v, Bson::Null))
                .collect(),
        )
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
            if self.template_order != order {
                // Slots are distinct fields: the template cannot repeat a key.
                self.template = Template::new(order.iter().map(|&i| self.names[i].as_str()))
                    .unwrap_or_default();
                self.template_order.clone_from(&order);
            }
            if self.template.len() == order.len() {
                *out = self.template.fill(
                    order
                        .iter()
                        .map(|&i| std::mem::replace(&mut self.values[i], Bson::Null)),
                );
            } else {
                out.clear();
                for &i in &order {
                    out.insert(
                        self.names[i].clone(),
                        std::mem::replace(&mut self.values[i], Bson::Null),
                    );
                }
            }
        }
        self.decoded = 0;
        self.order = order;
    }
}

/// Decodes the element at `at` (type byte, key of `klen` bytes, value) into `slot`, reusing its string
/// buffer; other types by [`bson_decode`](super::bson_decode).
fn assign(slot: &mut Bson, b: &[u8], at: usize, klen: usize) -> Option<()> {
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
        0x07 => {
            let bytes: [u8; 12] = b.get(v..v.checked_add(12)?)?.try_into().ok()?;
            *slot = Bson::ObjectId(bson::oid::ObjectId::from_bytes(bytes));
        }
        // NUMERIC columns: decoded here, not by a search for the element from the document's start.
        0x13 => {
            let bytes: [u8; 16] = b.get(v..v.checked_add(16)?)?.try_into().ok()?;
            *slot = Bson::Decimal128(bson::Decimal128::from_bytes(bytes));
        }
        0x12 => {
            let x = i64::from_le_bytes(read_8(b, v)?);
            match slot {
                Bson::Int64(d) => *d = x,
                other => *other = Bson::Int64(x),
            }
        }
        // Embedded documents, arrays and the rare types: decoded from their bytes in place.
        kind => {
            let len = super::bson_bytes::value_len(b, kind, v)?;
            *slot = super::bson_decode::element_value(kind, b.get(v..v.checked_add(len)?)?)?;
        }
    }
    Some(())
}
