//! Reading BSON bytes in place: where each element of a document starts and ends, its key, its value's
//! bytes and the few scalar values commands and lookups need, with no key decoded into a `String` and no value
//! parsed that is not asked for. Shared by the row reader of scans ([`fields`](super::fields)) and the point
//! lookups. Every read is bounds-checked: malformed bytes give `None`, never a panic. Depends on `bson` only.

use bson::RawDocument;

/// One element of a BSON document as bytes: its type byte, its key (not checked to be UTF-8) and exactly
/// its value's bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Element<'a> {
    /// The element type byte.
    pub kind: u8,
    /// The key's bytes (without the terminating NUL).
    pub key: &'a [u8],
    /// The value's bytes.
    pub value: &'a [u8],
}

impl<'a> Element<'a> {
    /// The value, for the types a command's options and a lookup key take (strings, embedded documents,
    /// numbers, booleans, dates, object ids, null); `None` for other types, or bytes that do not hold a
    /// valid value of the type (a string that is not UTF-8, a bad length).
    pub(crate) fn value(&self) -> Option<bson::RawBsonRef<'a>> {
        use bson::RawBsonRef as R;
        let v = self.value;
        Some(match self.kind {
            0x01 => R::Double(f64::from_le_bytes(read_8(v, 0)?)),
            0x02 => {
                let (last, text) = v.get(4..)?.split_last()?;
                if *last != 0 || usize::try_from(read_i32(v, 0)?).ok()? != text.len() + 1 {
                    return None;
                }
                R::String(std::str::from_utf8(text).ok()?)
            }
            0x03 => R::Document(RawDocument::from_bytes(v).ok()?),
            0x07 => R::ObjectId(bson::oid::ObjectId::from_bytes(v.try_into().ok()?)),
            0x08 => match v {
                [0] => R::Boolean(false),
                [1] => R::Boolean(true),
                _ => return None,
            },
            0x09 => R::DateTime(bson::DateTime::from_millis(i64::from_le_bytes(read_8(
                v, 0,
            )?))),
            0x0A => R::Null,
            0x10 => R::Int32(read_i32(v, 0)?),
            0x12 => R::Int64(i64::from_le_bytes(read_8(v, 0)?)),
            _ => return None,
        })
    }
}

/// The elements of the BSON document `doc`, in order, read straight from the bytes (no key decoded, no value
/// parsed): `Some(None)` for bytes that do not hold a well-formed element, after which the walk stops. A
/// document whose length prefix is not its length or whose last byte is not the terminator is malformed as
/// a whole: its only item is `Some(None)`.
pub(crate) fn elements(doc: &[u8]) -> Elements<'_> {
    let whole = doc.len() >= 5
        && read_i32(doc, 0).and_then(|n| usize::try_from(n).ok()) == Some(doc.len())
        && doc.last() == Some(&0);
    Elements {
        doc,
        pos: 4,
        end: doc.len().saturating_sub(1),
        malformed: !whole,
    }
}

/// The iterator of [`elements`].
pub(crate) struct Elements<'a> {
    doc: &'a [u8],
    pos: usize,
    /// Where the elements end (the terminator's offset); the walk is over once `pos` reaches it.
    end: usize,
    /// The next item reports malformed bytes (then the walk is over).
    malformed: bool,
}

impl<'a> Elements<'a> {
    fn element(&mut self) -> Option<Element<'a>> {
        let (doc, pos, end) = (self.doc, self.pos, self.end);
        let kind = *doc.get(pos)?;
        let kstart = pos + 1;
        let klen = nul_at(doc.get(kstart..end)?)?;
        let vstart = kstart + klen + 1;
        let vend = vstart.checked_add(value_len(doc, kind, vstart)?)?;
        if vend > end {
            return None;
        }
        self.pos = vend;
        Some(Element {
            kind,
            key: doc.get(kstart..kstart + klen)?,
            value: doc.get(vstart..vend)?,
        })
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Option<Element<'a>>;

    #[inline]
    fn next(&mut self) -> Option<Option<Element<'a>>> {
        if self.malformed {
            self.malformed = false;
            self.pos = self.end;
            return Some(None);
        }
        if self.pos >= self.end {
            return None;
        }
        let element = self.element();
        if element.is_none() {
            self.pos = self.end;
        }
        Some(element)
    }
}

/// Whether the element key starting at `at` in `b` is `key` (the bytes, then the key's terminating NUL).
#[inline]
pub(crate) fn key_is(b: &[u8], at: usize, key: &[u8]) -> bool {
    let Some(end) = at.checked_add(key.len()) else {
        return false;
    };
    b.get(end) == Some(&0) && b.get(at..end) == Some(key)
}

/// The position of the first NUL byte of `b`, eight bytes at a time.
#[inline]
pub(crate) fn nul_at(b: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    let mut base = 0;
    for c in chunks.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w);
        let zero = x.wrapping_sub(LO) & !x & HI;
        if zero != 0 {
            return Some(base + (zero.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == 0)
        .map(|i| base + i)
}

pub(crate) fn read_i32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

pub(crate) fn read_8(b: &[u8], at: usize) -> Option<[u8; 8]> {
    b.get(at..at.checked_add(8)?)?.try_into().ok()
}

/// The length in bytes of the value of element type `t` starting at `at`; `None` for an unknown type or a
/// negative length.
#[inline(always)]
pub(crate) fn value_len(b: &[u8], t: u8, at: usize) -> Option<usize> {
    let len_prefixed = |extra: usize| -> Option<usize> {
        let n = usize::try_from(read_i32(b, at)?).ok()?;
        n.checked_add(extra)
    };
    let cstr =
        |from: usize| -> Option<usize> { Some(b.get(from..)?.iter().position(|&c| c == 0)? + 1) };
    match t {
        0x01 | 0x09 | 0x11 | 0x12 => Some(8),
        0x02 | 0x0D | 0x0E => len_prefixed(4),
        0x03 | 0x04 | 0x0F => len_prefixed(0),
        0x05 => len_prefixed(5),
        0x06 | 0x0A | 0x7F | 0xFF => Some(0),
        0x07 => Some(12),
        0x08 => Some(1),
        0x0B => {
            let a = cstr(at)?;
            Some(a + cstr(at + a)?)
        }
        0x0C => len_prefixed(4 + 12),
        0x10 => Some(4),
        0x13 => Some(16),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_search_finds_the_first_zero_byte() {
        for len in 0..20 {
            for at in 0..len {
                let mut b = vec![b'x'; len];
                b[at] = 0;
                if at + 1 < len {
                    b[len - 1] = 0;
                }
                assert_eq!(nul_at(&b), Some(at), "len {len} at {at}");
            }
            assert_eq!(nul_at(&vec![0x80; len]), None);
        }
        assert_eq!(nul_at(&[1, 0x80, 0, 0x01, 0]), Some(2));
    }

    #[test]
    fn elements_walk_a_document_and_stop_at_malformed_bytes() {
        let d =
            bson::rawdoc! {"find": "c", "filter": {"_id": "k"}, "limit": 1, "n": null, "b": true};
        let keys: Vec<&[u8]> = elements(d.as_bytes())
            .map(|e| e.expect("well-formed").key)
            .collect();
        assert_eq!(keys, [&b"find"[..], b"filter", b"limit", b"n", b"b"]);
        let values: Vec<_> = elements(d.as_bytes())
            .map(|e| e.and_then(|e| e.value()))
            .collect();
        assert_eq!(values[0], Some(bson::RawBsonRef::String("c")));
        assert_eq!(values[2], Some(bson::RawBsonRef::Int32(1)));
        assert_eq!(values[3], Some(bson::RawBsonRef::Null));
        assert_eq!(values[4], Some(bson::RawBsonRef::Boolean(true)));
        // Every truncation of the bytes either walks cleanly or reports one malformed element and stops.
        let bytes = d.as_bytes();
        for cut in 0..bytes.len() {
            let walked: Vec<_> = elements(&bytes[..cut]).collect();
            assert!(
                walked.iter().rev().skip(1).all(Option::is_some),
                "cut {cut}"
            );
        }
        // An embedded document whose last byte is not the terminator is malformed as a whole.
        let filter = elements(bytes)
            .nth(1)
            .flatten()
            .expect("the filter element");
        let mut damaged = filter.value.to_vec();
        let last = damaged.len() - 1;
        damaged[last] = b'0';
        assert!(matches!(elements(&damaged).next(), Some(None)));
        assert!(matches!(elements(filter.value).next(), Some(Some(_))));
        // A string whose length prefix disagrees with its bytes is not a value.
        let mut bad = bytes.to_vec();
        bad[4 + 1 + 5] = 9;
        assert!(elements(&bad)
            .next()
            .flatten()
            .is_none_or(|e| e.value().is_none()));
    }

    fn command_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let value = prop_oneof![
            "[a-z]{0,10}".prop_map(bson::Bson::String),
            Just(bson::Bson::Double(f64::NAN)),
            any::<i32>().prop_map(bson::Bson::Int32),
            any::<i64>().prop_map(bson::Bson::Int64),
            any::<f64>().prop_map(bson::Bson::Double),
            any::<bool>().prop_map(bson::Bson::Boolean),
            Just(bson::Bson::Null),
            "[a-z]{0,5}".prop_map(|s| bson::Bson::Document(bson::doc! {"$eq": s})),
            Just(bson::Bson::Array(vec![bson::Bson::Int32(1)])),
        ];
        proptest::collection::vec(("[a-z_$.]{0,8}", value), 0..6).prop_map(|pairs| {
            let d: bson::Document = pairs.into_iter().collect();
            d.to_vec().expect("serialises")
        })
    }

    proptest::proptest! {
        /// Over well-formed documents the walker sees what `bson`'s own iterator sees: the same keys, types
        /// and values, in order.
        #[test]
        fn elements_agree_with_the_bson_iterator(bytes in command_bytes()) {
            let raw = RawDocument::from_bytes(&bytes).expect("valid");
            let ours: Vec<_> = elements(&bytes).collect();
            let theirs: Vec<_> = raw.iter().collect();
            proptest::prop_assert_eq!(ours.len(), theirs.len());
            for (o, t) in ours.iter().zip(theirs) {
                let o = o.expect("well-formed");
                let (k, v) = t.expect("well-formed");
                proptest::prop_assert_eq!(o.key, k.as_str().as_bytes());
                proptest::prop_assert_eq!(o.kind, v.element_type() as u8);
                match (o.value(), v) {
                    (Some(bson::RawBsonRef::Double(x)), bson::RawBsonRef::Double(y)) => {
                        proptest::prop_assert_eq!(x.to_bits(), y.to_bits());
                    }
                    (Some(ours), v) => proptest::prop_assert_eq!(ours, v),
                    // Types a command option or lookup key never takes are not decoded.
                    (None, v) => proptest::prop_assert!(matches!(v, bson::RawBsonRef::Array(_))),
                }
            }
        }

        /// Over corrupted bytes (a byte changed, the tail cut), walking and decoding never panic.
        #[test]
        fn elements_survive_corrupted_bytes(
            bytes in command_bytes(),
            at in 0usize..512,
            to in proptest::prelude::any::<u8>(),
            cut in 0usize..512,
        ) {
            let mut b = bytes.clone();
            if !b.is_empty() {
                let i = at % b.len();
                b[i] = to;
                b.truncate(b.len() - cut % b.len());
            }
            for e in elements(&b).flatten() {
                let _ = e.value();
            }
        }
    }
}
