//! Aggregation pipeline stages as a typed enum: every stage the translator emits, each rendering to the exact
//! one-key stage document a mongod receives (`{"$match": ...}`, `{"$group": ...}`, ...). Wire names live here
//! only; the translator builds [`Stage`] values and pushes `stage.into()` (a `Document`) onto a pipeline.
//!
//! Payloads that are themselves open-ended documents (a `$project` specification, a `$group`'s accumulators)
//! stay ordered `bson::Document`s: key order is part of the command. Rendering moves the payload, never clones.

use bson::{doc, Bson, Document};

/// One aggregation pipeline stage.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// `{$match: filter}`: a query-language filter (see [`super::filter`]).
    Match(Document),
    /// `{$project: spec}`.
    Project(Document),
    /// `{$set: fields}` (alias of `$addFields`).
    Set(Document),
    /// `{$addFields: fields}`.
    AddFields(Document),
    /// `{$unset: "field"}`: one field, rendered as a string.
    UnsetField(String),
    /// `{$unset: ["a", "b", ...]}`: rendered as an array, whatever its length.
    Unset(Vec<String>),
    /// `{$group: {_id: id, ...accumulators}}`: the group key, then the accumulator fields in order.
    Group {
        /// The `_id` expression (`null` for one group).
        id: Bson,
        /// `name: {$accumulator: expr}` fields, in order.
        accumulators: Document,
    },
    /// `{$sort: keys}`.
    Sort(Document),
    /// `{$skip: n}`: a count, or a `{$param: k}` placeholder bound at execution.
    Skip(Bson),
    /// `{$limit: n}`: a count, or a `{$param: k}` placeholder bound at execution.
    Limit(Bson),
    /// `{$unwind: "$path"}`: the short form.
    Unwind(String),
    /// `{$unwind: {path: "$path", preserveNullAndEmptyArrays: true}}`.
    UnwindPreserving(String),
    /// `{$lookup: spec}` (`from`, `localField`/`foreignField` or `let`/`pipeline`, `as`).
    Lookup(Document),
    /// `{$facet: {name: [stages], ...}}`.
    Facet(Document),
    /// `{$replaceRoot: {newRoot: expr}}`.
    ReplaceRoot(Bson),
    /// `{$setWindowFields: spec}` (`partitionBy`, `sortBy`, `output`).
    SetWindowFields(Document),
    /// `{$unionWith: {coll: name, pipeline: [stages]}}`.
    UnionWith {
        /// The collection to read; `None` for a collectionless `pipeline` (one starting with `$documents`).
        coll: Option<String>,
        /// The sub-pipeline.
        pipeline: Vec<Document>,
    },
    /// `{$count: "field"}`.
    Count(String),
    /// `{$documents: [docs]}`.
    Documents(Vec<Document>),
    /// `{$sample: {size: n}}`.
    Sample(i64),
    /// `{$out: "collection"}`: replaces the collection with the pipeline's result (the last stage).
    Out(String),
}

impl Stage {
    /// The stage's wire name (`"$match"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Stage::Match(_) => "$match",
            Stage::Project(_) => "$project",
            Stage::Set(_) => "$set",
            Stage::AddFields(_) => "$addFields",
            Stage::UnsetField(_) | Stage::Unset(_) => "$unset",
            Stage::Group { .. } => "$group",
            Stage::Sort(_) => "$sort",
            Stage::Skip(_) => "$skip",
            Stage::Limit(_) => "$limit",
            Stage::Unwind(_) | Stage::UnwindPreserving(_) => "$unwind",
            Stage::Lookup(_) => "$lookup",
            Stage::Facet(_) => "$facet",
            Stage::ReplaceRoot(_) => "$replaceRoot",
            Stage::SetWindowFields(_) => "$setWindowFields",
            Stage::UnionWith { .. } => "$unionWith",
            Stage::Count(_) => "$count",
            Stage::Documents(_) => "$documents",
            Stage::Sample(_) => "$sample",
            Stage::Out(_) => "$out",
        }
    }

    /// The stage document, moving the payload.
    pub fn into_document(self) -> Document {
        let name = self.name();
        let body: Bson = match self {
            Stage::Match(d)
            | Stage::Project(d)
            | Stage::Set(d)
            | Stage::AddFields(d)
            | Stage::Sort(d)
            | Stage::Lookup(d)
            | Stage::Facet(d)
            | Stage::SetWindowFields(d) => Bson::Document(d),
            Stage::UnsetField(f) | Stage::Count(f) | Stage::Out(f) => Bson::String(f),
            Stage::Unset(fs) => Bson::Array(fs.into_iter().map(Bson::String).collect()),
            Stage::Group {
                id,
                mut accumulators,
            } => {
                let mut d = Document::new();
                d.insert("_id", id);
                d.extend(std::mem::take(&mut accumulators));
                Bson::Document(d)
            }
            Stage::Skip(n) | Stage::Limit(n) => n,
            Stage::Unwind(path) => Bson::String(path),
            Stage::UnwindPreserving(path) => {
                Bson::Document(doc! {"path": path, "preserveNullAndEmptyArrays": true})
            }
            Stage::ReplaceRoot(e) => Bson::Document(doc! {"newRoot": e}),
            Stage::UnionWith { coll, pipeline } => {
                let mut d = Document::new();
                if let Some(c) = coll {
                    d.insert("coll", c);
                }
                d.insert(
                    "pipeline",
                    pipeline.into_iter().map(Bson::Document).collect::<Vec<_>>(),
                );
                Bson::Document(d)
            }
            Stage::Documents(docs) => Bson::Array(docs.into_iter().map(Bson::Document).collect()),
            Stage::Sample(n) => Bson::Document(doc! {"size": n}),
        };
        let mut d = Document::new();
        d.insert(name, body);
        d
    }
}

impl From<Stage> for Document {
    fn from(s: Stage) -> Document {
        s.into_document()
    }
}

impl From<Stage> for Bson {
    fn from(s: Stage) -> Bson {
        Bson::Document(s.into_document())
    }
}

/// Which stage a built stage document is, for inspection (`is(&d, StageKind::Lookup)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageKind {
    /// `$match`.
    Match,
    /// `$project`.
    Project,
    /// `$lookup`.
    Lookup,
    /// `$unionWith`.
    UnionWith,
    /// `$documents`.
    Documents,
    /// `$facet`.
    Facet,
    /// `$group`.
    Group,
    /// `$set`.
    Set,
    /// `$addFields`.
    AddFields,
    /// `$unset`.
    Unset,
    /// `$unwind`.
    Unwind,
    /// `$setWindowFields`.
    SetWindowFields,
}

impl StageKind {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            StageKind::Match => "$match",
            StageKind::Project => "$project",
            StageKind::Lookup => "$lookup",
            StageKind::UnionWith => "$unionWith",
            StageKind::Documents => "$documents",
            StageKind::Facet => "$facet",
            StageKind::Group => "$group",
            StageKind::Set => "$set",
            StageKind::AddFields => "$addFields",
            StageKind::Unset => "$unset",
            StageKind::Unwind => "$unwind",
            StageKind::SetWindowFields => "$setWindowFields",
        }
    }

    /// The stage's payload when `stage` is a stage of this kind (a stage document has one key).
    pub fn payload(self, stage: &Document) -> Option<&Bson> {
        stage.get(self.name())
    }

    /// The stage's document payload when `stage` is a stage of this kind with a document body.
    pub fn document(self, stage: &Document) -> Option<&Document> {
        stage.get_document(self.name()).ok()
    }

    /// [`document`](Self::document), mutable.
    pub fn document_mut(self, stage: &mut Document) -> Option<&mut Document> {
        stage.get_document_mut(self.name()).ok()
    }

    /// Whether `stage` is a stage of this kind.
    pub fn is(self, stage: &Document) -> bool {
        stage.contains_key(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_render_as_mongod_expects() {
        assert_eq!(
            Document::from(Stage::Group {
                id: Bson::Null,
                accumulators: doc! {"n": {"$sum": 1}}
            }),
            doc! {"$group": {"_id": null, "n": {"$sum": 1}}}
        );
        assert_eq!(
            Document::from(Stage::Unset(vec!["a".into()])),
            doc! {"$unset": ["a"]}
        );
        assert_eq!(
            Document::from(Stage::UnsetField("a".into())),
            doc! {"$unset": "a"}
        );
        assert_eq!(
            Document::from(Stage::UnwindPreserving("$a".into())),
            doc! {"$unwind": {"path": "$a", "preserveNullAndEmptyArrays": true}}
        );
        assert_eq!(
            Document::from(Stage::UnionWith {
                coll: None,
                pipeline: vec![Stage::Documents(vec![doc! {}]).into()]
            }),
            doc! {"$unionWith": {"pipeline": [{"$documents": [{}]}]}}
        );
        assert_eq!(
            Document::from(Stage::Limit(Bson::Int32(1))),
            doc! {"$limit": 1}
        );
        assert!(StageKind::Lookup.is(&Stage::Lookup(doc! {}).into()));
    }
}
