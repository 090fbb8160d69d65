//! Update operator documents (the `u` of an `update` command that is not a pipeline): `{$set: {...}, $inc:
//! {...}, $setOnInsert: {...}}`, built in the order the operators are added.

use bson::Document;

/// An update operator document under construction; operators render in the order they were added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateOperators(Document);

impl UpdateOperators {
    /// No operators yet.
    pub fn new() -> UpdateOperators {
        UpdateOperators(Document::new())
    }

    /// Adds `$set: fields`.
    pub fn set(mut self, fields: Document) -> UpdateOperators {
        self.0.insert("$set", fields);
        self
    }

    /// Adds `$inc: fields`.
    pub fn inc(mut self, fields: Document) -> UpdateOperators {
        self.0.insert("$inc", fields);
        self
    }

    /// Adds `$setOnInsert: fields` (applied only when an upsert inserts).
    pub fn set_on_insert(mut self, fields: Document) -> UpdateOperators {
        self.0.insert("$setOnInsert", fields);
        self
    }

    /// Whether no operator was added.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The operator document.
    pub fn into_document(self) -> Document {
        self.0
    }
}

impl From<UpdateOperators> for Document {
    fn from(u: UpdateOperators) -> Document {
        u.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn operators_keep_their_order() {
        let u = UpdateOperators::new()
            .set_on_insert(doc! {"a": 1})
            .set(doc! {"b": 2});
        assert_eq!(
            Document::from(u),
            doc! {"$setOnInsert": {"a": 1}, "$set": {"b": 2}}
        );
    }
}
