//! Documents built with room for their fields up front. `bson::Document` has no `with_capacity`, and a
//! document grown one `insert` at a time reallocates its entries and rehashes its table about four times
//! for six fields (a third of the cost of building a bulk load's rows). A clone of an empty document that
//! once held `n` fields keeps its table's size (and its hasher's keys) and sizes its entries to match at
//! the first insert: [`Room::document`] is that clone.

use bson::Document;

/// An empty document with room for a number of fields, to clone per document of one shape.
#[derive(Debug, Clone)]
pub struct Room(Document);

impl Room {
    /// Room for `fields` fields (a document of `fields` fields inserted, then cleared: it keeps its size).
    pub fn new(fields: usize) -> Room {
        let mut d = Document::new();
        for i in 0..fields {
            d.insert(i.to_string(), bson::Bson::Null);
        }
        d.clear();
        Room(d)
    }

    /// An empty document that takes this many fields without growing.
    pub fn document(&self) -> Document {
        self.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::Room;
    use bson::{doc, Bson};

    /// A document from the room is an ordinary empty document: fields keep their insertion order, equal
    /// documents compare equal and encode to the same bytes whichever way they were built.
    #[test]
    fn a_roomy_document_is_an_ordinary_document() {
        let room = Room::new(3);
        for _ in 0..2 {
            let mut d = room.document();
            assert!(d.is_empty());
            d.insert("b", 1);
            d.insert("a", "x");
            d.insert("c", Bson::Null);
            d.insert("e", 2.5);
            let want = doc! {"b": 1, "a": "x", "c": null, "e": 2.5};
            assert_eq!(d, want);
            assert_eq!(d.keys().collect::<Vec<_>>(), ["b", "a", "c", "e"]);
            assert_eq!(d.to_vec().ok(), want.to_vec().ok());
        }
    }
}
