//! MongoDB commands as typed values, rendered to exact command documents.

use bson::{doc, Bson, Document};

/// One update statement inside an `update` command.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateStatement {
    /// `q`: the query filter.
    pub filter: Document,
    /// `u`: an update document (`{$set: ...}`) or an aggregation pipeline.
    pub update: UpdateSpec,
    /// `multi`.
    pub multi: bool,
    /// `upsert`.
    pub upsert: bool,
    /// `arrayFilters`, when present.
    pub array_filters: Option<Vec<Document>>,
}

/// The `u` of an update: operator document or pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateSpec {
    /// `{$set: {...}, $inc: {...}}`.
    Operators(Document),
    /// `[{$set: {...}}, ...]`.
    Pipeline(Vec<Document>),
}

/// One delete statement inside a `delete` command.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteStatement {
    /// `q`: the query filter.
    pub filter: Document,
    /// `limit`: 0 = all matching, 1 = one.
    pub limit: i32,
}

/// One index of a `createIndexes` command.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexSpec {
    /// `key`: ordered field -> 1 / -1.
    pub key: Document,
    /// `name`.
    pub name: String,
    /// Further options (`unique`, `expireAfterSeconds`, `partialFilterExpression`, `sparse`), in order.
    pub options: Document,
}

/// A MongoDB command.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Command {
    /// `find`.
    Find {
        /// Collection.
        collection: String,
        /// `filter`.
        filter: Document,
        /// `projection`, if any.
        projection: Option<Document>,
        /// `sort`, if any.
        sort: Option<Document>,
        /// `skip`, if any.
        skip: Option<i64>,
        /// `limit`, if any.
        limit: Option<i64>,
    },
    /// `aggregate` with `cursor: {}`.
    Aggregate {
        /// Collection (or view).
        collection: String,
        /// The stages.
        pipeline: Vec<Document>,
    },
    /// `aggregate: 1` (a collectionless pipeline; it starts with `$documents`) with `cursor: {}`.
    AggregateDb {
        /// The stages.
        pipeline: Vec<Document>,
    },
    /// `insert`.
    Insert {
        /// Collection.
        collection: String,
        /// Documents to insert.
        documents: Vec<Document>,
        /// `ordered`.
        ordered: bool,
    },
    /// `update`.
    Update {
        /// Collection.
        collection: String,
        /// `updates`.
        updates: Vec<UpdateStatement>,
    },
    /// `update` whose statements come from an earlier step of the plan (`UPDATE ... FROM`): one copy of
    /// `statement` per document that step `step` returned, each `{"$stepRow": f}` in it replaced by that
    /// document's field `f` (`mql::chain`); `if_empty` when the step returned none (a command needs one).
    UpdateEach {
        /// Collection.
        collection: String,
        /// The step whose documents give the statements.
        step: usize,
        /// The statement template.
        statement: UpdateStatement,
        /// The statement sent when the step returned no document (it matches nothing).
        if_empty: UpdateStatement,
    },
    /// `delete` whose statements come from an earlier step (`DELETE ... USING`): one copy of `statement` per
    /// document of step `step`, as [`Command::UpdateEach`].
    DeleteEach {
        /// Collection.
        collection: String,
        /// The step whose documents give the statements.
        step: usize,
        /// The statement template.
        statement: DeleteStatement,
        /// The statement sent when the step returned no document (it matches nothing).
        if_empty: DeleteStatement,
    },
    /// `delete`.
    Delete {
        /// Collection.
        collection: String,
        /// `deletes`.
        deletes: Vec<DeleteStatement>,
    },
    /// `findAndModify`.
    FindAndModify {
        /// Collection.
        collection: String,
        /// Further fields in order (`query`, `sort`, `update`, `remove`, `new`, `fields`, `upsert`).
        body: Document,
    },
    /// `count`.
    Count {
        /// Collection.
        collection: String,
        /// `query`.
        query: Document,
    },
    /// `distinct`.
    Distinct {
        /// Collection.
        collection: String,
        /// `key`.
        key: String,
        /// `query`.
        query: Document,
    },
    /// `create` (collection or view); `options` holds every further field in order.
    Create {
        /// Collection.
        collection: String,
        /// `capped`, `size`, `max`, `validator`, `storageEngine`, `viewOn`, `pipeline`, ...
        options: Document,
    },
    /// `createIndexes`.
    CreateIndexes {
        /// Collection.
        collection: String,
        /// `indexes`.
        indexes: Vec<IndexSpec>,
    },
    /// `dropIndexes`.
    DropIndexes {
        /// Collection.
        collection: String,
        /// `index`: a name.
        index: String,
    },
    /// `collMod`; `options` holds every further field in order.
    CollMod {
        /// Collection.
        collection: String,
        /// `index: {name, expireAfterSeconds}`, `validator`, ...
        options: Document,
    },
    /// `drop`.
    Drop {
        /// Collection.
        collection: String,
    },
    /// `listCollections`.
    ListCollections {
        /// `filter`.
        filter: Document,
    },
    /// `listIndexes`.
    ListIndexes {
        /// Collection.
        collection: String,
    },
    /// A command run under a collation (SQL `COLLATE`): `command`'s document with `collation` set, on the
    /// command or, for `update` / `delete`, on each statement (where MongoDB takes it).
    Collated {
        /// mongod's collation document (`{locale: "en", strength: 2}`).
        collation: Document,
        /// The command.
        command: Box<Command>,
    },
}

impl Command {
    /// The command's name, as its first key.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Find { .. } => "find",
            Command::Aggregate { .. } | Command::AggregateDb { .. } => "aggregate",
            Command::Insert { .. } => "insert",
            Command::Update { .. } | Command::UpdateEach { .. } => "update",
            Command::Delete { .. } | Command::DeleteEach { .. } => "delete",
            Command::FindAndModify { .. } => "findAndModify",
            Command::Count { .. } => "count",
            Command::Distinct { .. } => "distinct",
            Command::Create { .. } => "create",
            Command::CreateIndexes { .. } => "createIndexes",
            Command::DropIndexes { .. } => "dropIndexes",
            Command::CollMod { .. } => "collMod",
            Command::Drop { .. } => "drop",
            Command::ListCollections { .. } => "listCollections",
            Command::ListIndexes { .. } => "listIndexes",
            Command::Collated { command, .. } => command.name(),
        }
    }

    /// The same read as an `aggregate` with `stages` appended (a `find` becomes the pipeline of its filter,
    /// sort, skip, limit and projection, in that order); `None` for a command that is not a read.
    pub fn into_aggregate_with(self, stages: Vec<Document>) -> Option<Command> {
        use super::stage::Stage;
        Some(match self {
            Command::Aggregate {
                collection,
                mut pipeline,
            } => {
                pipeline.extend(stages);
                Command::Aggregate {
                    collection,
                    pipeline,
                }
            }
            Command::AggregateDb { mut pipeline } => {
                pipeline.extend(stages);
                Command::AggregateDb { pipeline }
            }
            Command::Find {
                collection,
                filter,
                projection,
                sort,
                skip,
                limit,
            } => {
                let mut pipeline: Vec<Document> = Vec::new();
                if !filter.is_empty() {
                    pipeline.push(Stage::Match(filter).into());
                }
                if let Some(s) = sort {
                    pipeline.push(Stage::Sort(s).into());
                }
                if let Some(k) = skip {
                    pipeline.push(Stage::Skip(Bson::Int64(k)).into());
                }
                if let Some(l) = limit {
                    pipeline.push(Stage::Limit(Bson::Int64(l)).into());
                }
                if let Some(p) = projection {
                    pipeline.push(Stage::Project(p).into());
                }
                pipeline.extend(stages);
                Command::Aggregate {
                    collection,
                    pipeline,
                }
            }
            Command::Collated { collation, command } => Command::Collated {
                collation,
                command: Box::new(command.into_aggregate_with(stages)?),
            },
            _ => return None,
        })
    }

    /// This command under `collation` when it is one that takes a collation (a read, `update`, `delete`,
    /// `findAndModify`); other commands are returned as they are.
    pub fn with_collation(self, collation: &Document) -> Command {
        match self {
            Command::Find { .. }
            | Command::Aggregate { .. }
            | Command::AggregateDb { .. }
            | Command::Update { .. }
            | Command::UpdateEach { .. }
            | Command::Delete { .. }
            | Command::DeleteEach { .. }
            | Command::FindAndModify { .. }
            | Command::Count { .. }
            | Command::Distinct { .. } => Command::Collated {
                collation: collation.clone(),
                command: Box::new(self),
            },
            other => other,
        }
    }

    /// [`to_document`](Self::to_document) of a command given away: an insert's documents are moved, not
    /// copied.
    pub fn into_document(self) -> Document {
        match self {
            Command::Insert {
                collection,
                documents,
                ordered,
            } => insert_document(collection, documents.into_iter(), ordered),
            other => other.to_document(),
        }
    }

    /// Renders the exact command document (without `$db`).
    pub fn to_document(&self) -> Document {
        match self {
            Command::Find {
                collection,
                filter,
                projection,
                sort,
                skip,
                limit,
            } => {
                let mut d = doc! {"find": collection, "filter": filter.clone()};
                if let Some(p) = projection {
                    d.insert("projection", p.clone());
                }
                if let Some(s) = sort {
                    d.insert("sort", s.clone());
                }
                if let Some(s) = skip {
                    d.insert("skip", *s);
                }
                if let Some(l) = limit {
                    d.insert("limit", *l);
                }
                d
            }
            Command::Aggregate {
                collection,
                pipeline,
            } => doc! {
                "aggregate": collection,
                "pipeline": pipeline.iter().cloned().map(Bson::Document).collect::<Vec<_>>(),
                "cursor": {},
            },
            Command::AggregateDb { pipeline } => doc! {
                "aggregate": 1,
                "pipeline": pipeline.iter().cloned().map(Bson::Document).collect::<Vec<_>>(),
                "cursor": {},
            },
            Command::Insert {
                collection,
                documents,
                ordered,
            } => insert_document(collection.clone(), documents.iter().cloned(), *ordered),
            Command::Update {
                collection,
                updates,
            } => doc! {
                "update": collection,
                "updates": updates.iter().map(|u| Bson::Document(u.to_document())).collect::<Vec<_>>(),
            },
            Command::UpdateEach {
                collection,
                step,
                statement,
                if_empty,
            } => doc! {
                "update": collection,
                "updates": [super::chain::step_each(*step, statement.to_document(), if_empty.to_document())],
            },
            Command::DeleteEach {
                collection,
                step,
                statement,
                if_empty,
            } => {
                let one = |d: &DeleteStatement| doc! {"q": d.filter.clone(), "limit": d.limit};
                doc! {
                    "delete": collection,
                    "deletes": [super::chain::step_each(*step, one(statement), one(if_empty))],
                }
            }
            Command::Delete {
                collection,
                deletes,
            } => doc! {
                "delete": collection,
                "deletes": deletes
                    .iter()
                    .map(|d| Bson::Document(doc! {"q": d.filter.clone(), "limit": d.limit}))
                    .collect::<Vec<_>>(),
            },
            Command::FindAndModify { collection, body } => {
                let mut d = doc! {"findAndModify": collection};
                d.extend(body.clone());
                d
            }
            Command::Count { collection, query } => {
                doc! {"count": collection, "query": query.clone()}
            }
            Command::Distinct {
                collection,
                key,
                query,
            } => {
                doc! {"distinct": collection, "key": key, "query": query.clone()}
            }
            Command::Create {
                collection,
                options,
            } => {
                let mut d = doc! {"create": collection};
                d.extend(options.clone());
                d
            }
            Command::CreateIndexes {
                collection,
                indexes,
            } => doc! {
                "createIndexes": collection,
                "indexes": indexes.iter().map(|i| {
                    let mut d = doc! {"key": i.key.clone(), "name": &i.name};
                    d.extend(i.options.clone());
                    Bson::Document(d)
                }).collect::<Vec<_>>(),
            },
            Command::DropIndexes { collection, index } => {
                doc! {"dropIndexes": collection, "index": index}
            }
            Command::CollMod {
                collection,
                options,
            } => {
                let mut d = doc! {"collMod": collection};
                d.extend(options.clone());
                d
            }
            Command::Drop { collection } => doc! {"drop": collection},
            Command::ListCollections { filter } => {
                doc! {"listCollections": 1, "filter": filter.clone(), "cursor": {}}
            }
            Command::ListIndexes { collection } => doc! {"listIndexes": collection, "cursor": {}},
            Command::Collated { collation, command } => {
                let mut d = command.to_document();
                let statements = match command.as_ref() {
                    Command::Update { .. } | Command::UpdateEach { .. } => Some("updates"),
                    Command::Delete { .. } | Command::DeleteEach { .. } => Some("deletes"),
                    _ => None,
                };
                match statements {
                    Some(key) => {
                        if let Ok(list) = d.get_array_mut(key) {
                            for s in list {
                                if let Bson::Document(s) = s {
                                    super::chain::set_in_statements(s, "collation", collation);
                                }
                            }
                        }
                    }
                    None => {
                        d.insert("collation", collation.clone());
                    }
                }
                d
            }
        }
    }
}

/// A read command as aggregation stages (see [`Command::into_read_stages`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadStages {
    /// The collection read; `None` for a database-level `aggregate` (`$documents`).
    pub collection: Option<String>,
    /// The stages that produce the command's rows, before any projection.
    pub pipeline: Vec<Document>,
    /// A find's projection, which the caller places (a find projects last); `None` for an aggregate.
    pub projection: Option<Document>,
}

impl Command {
    /// A read command as the aggregation stages that produce its rows: an `aggregate`'s own pipeline, or a
    /// `find`'s `filter`, `sort`, `skip` and `limit` as `$match`, `$sort`, `$skip`, `$limit` (in the order
    /// find applies them; an empty filter adds no stage) with its projection apart. `None` for any other
    /// command.
    ///
    /// ```
    /// use bson::doc;
    /// use sqlmongo::mql::command::{Command, ReadStages};
    /// let find = Command::Find {
    ///     collection: "s".into(),
    ///     filter: doc! {"a": 1},
    ///     projection: Some(doc! {"_id": 0, "a": 1}),
    ///     sort: None,
    ///     skip: Some(2),
    ///     limit: Some(5),
    /// };
    /// assert_eq!(
    ///     find.into_read_stages(),
    ///     Some(ReadStages {
    ///         collection: Some("s".into()),
    ///         pipeline: vec![doc! {"$match": {"a": 1}}, doc! {"$skip": 2i64}, doc! {"$limit": 5i64}],
    ///         projection: Some(doc! {"_id": 0, "a": 1}),
    ///     })
    /// );
    /// ```
    pub fn into_read_stages(self) -> Option<ReadStages> {
        let (collection, pipeline, projection) = match self {
            Command::Find {
                collection,
                filter,
                projection,
                sort,
                skip,
                limit,
            } => {
                let mut p = Vec::new();
                if !filter.is_empty() {
                    p.push(doc! {"$match": filter});
                }
                if let Some(s) = sort {
                    p.push(doc! {"$sort": s});
                }
                if let Some(s) = skip {
                    p.push(doc! {"$skip": s});
                }
                if let Some(l) = limit {
                    p.push(doc! {"$limit": l});
                }
                (Some(collection), p, projection)
            }
            Command::Aggregate {
                collection,
                pipeline,
            } => (Some(collection), pipeline, None),
            Command::AggregateDb { pipeline } => (None, pipeline, None),
            _ => return None,
        };
        Some(ReadStages {
            collection,
            pipeline,
            projection,
        })
    }
}

impl UpdateStatement {
    /// Renders `{q, u, multi, upsert[, arrayFilters]}`.
    pub fn to_document(&self) -> Document {
        let u = match &self.update {
            UpdateSpec::Operators(d) => Bson::Document(d.clone()),
            UpdateSpec::Pipeline(p) => Bson::Array(p.iter().cloned().map(Bson::Document).collect()),
        };
        let mut d =
            doc! {"q": self.filter.clone(), "u": u, "multi": self.multi, "upsert": self.upsert};
        if let Some(af) = &self.array_filters {
            d.insert(
                "arrayFilters",
                af.iter().cloned().map(Bson::Document).collect::<Vec<_>>(),
            );
        }
        d
    }
}

/// An `insert` command document.
fn insert_document(
    collection: String,
    documents: impl Iterator<Item = Document>,
    ordered: bool,
) -> Document {
    doc! {
        "insert": collection,
        "documents": documents.map(Bson::Document).collect::<Vec<_>>(),
        "ordered": ordered,
    }
}
