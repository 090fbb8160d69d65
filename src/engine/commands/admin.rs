//! Catalog and handshake commands: `create` (collections, views, capped, validators), `drop`,
//! `dropDatabase`, `listCollections`, `createIndexes`, `dropIndexes`, `listIndexes`, `collMod`,
//! `listDatabases`, `hello`/`isMaster`, `buildInfo`, `getParameter`, `dbStats`, `collStats`.
//!
//! In: the command document; out: mongod's reply shapes and error codes (48 NamespaceExists,
//! 26 NamespaceNotFound, 27 IndexNotFound, 85/86 index conflicts).

use super::{coll_name, get_coll, opt_doc, poisoned, Ctx};
use crate::engine::error_codes::ErrorCode;
use crate::engine::matcher::Matcher;
use crate::engine::pipeline::Pipeline;
use crate::engine::storage::collection::default_name;
use crate::engine::storage::{Change, Collection};
use crate::engine::CommandError;
use bson::{doc, Bson, Document};

/// The MongoDB version the embedded engine reports (its semantics follow this release).
pub(crate) const VERSION: &str = "7.0.0";

fn commit(ctx: &Ctx, change: Change) -> Result<(), CommandError> {
    if ctx.wants_changes() {
        ctx.commit(&[change])?;
    }
    Ok(())
}

const CREATE_OPTIONS: &[&str] = &[
    "capped",
    "size",
    "max",
    "validator",
    "validationLevel",
    "validationAction",
    "viewOn",
    "pipeline",
    "storageEngine",
    "indexOptionDefaults",
    "collation",
    "writeConcern",
    "comment",
    "lsid",
    "$db",
    "txnNumber",
    "autoIndexId",
    "idIndex",
    "$readPreference",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
    "$clusterTime",
];

pub(super) fn create(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "create")?;
    let mut options = Document::new();
    for (k, v) in cmd.iter().skip(1) {
        if !CREATE_OPTIONS.contains(&k.as_str()) {
            return Err(CommandError::location(40415, format!("BSON field 'create.{k}' is an unknown field or not supported by the embedded engine")));
        }
        if !matches!(
            k.as_str(),
            "writeConcern"
                | "comment"
                | "lsid"
                | "$db"
                | "txnNumber"
                | "$readPreference"
                | "apiVersion"
                | "apiStrict"
                | "apiDeprecationErrors"
                | "$clusterTime"
        ) {
            options.insert(k.clone(), v.clone());
        }
    }
    if let Some(v) = options.get("validator") {
        let Bson::Document(v) = v else {
            return Err(CommandError::type_mismatch("'validator' must be an object"));
        };
        Matcher::compile(v)?;
    }
    // The default collation is kept as mongod keeps it: resolved (every field), or not at all when simple.
    if let Some(c) = options.get("collation") {
        match crate::engine::collation::Collation::parse(c)? {
            Some(c) => {
                options.insert("collation", c.spec().clone());
            }
            None => {
                options.remove("collation");
            }
        }
    }
    if options.get_bool("capped").unwrap_or(false) && !options.contains_key("size") {
        return Err(CommandError::invalid_options(
            "the 'size' field is required when 'capped' is true",
        ));
    }
    if let Some(on) = options.get("viewOn") {
        let Bson::String(_) = on else {
            return Err(CommandError::type_mismatch("'viewOn' must be a string"));
        };
        match options.get("pipeline") {
            Some(Bson::Array(p)) => {
                Pipeline::compile(p)?;
            }
            None => {
                options.insert("pipeline", Vec::<Bson>::new());
            }
            Some(_) => return Err(CommandError::type_mismatch("'pipeline' must be an array")),
        }
    } else if options.contains_key("pipeline") {
        return Err(CommandError::bad_value(
            "'pipeline' requires 'viewOn' to also be specified",
        ));
    }
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    let db = state.databases.entry(ctx.db.to_string()).or_default();
    if db.collections.contains_key(name) {
        return Err(CommandError::new(
            ErrorCode::NamespaceExists,
            format!("Collection {} already exists.", ctx.ns(name)),
        ));
    }
    db.collections.insert(
        name.to_string(),
        std::sync::Arc::new(Collection::new(ctx.ns(name), options.clone())),
    );
    commit(
        ctx,
        Change::Create {
            db: ctx.db.into(),
            coll: name.into(),
            options,
        },
    )?;
    Ok(Document::new())
}

pub(super) fn drop(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "drop")?;
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    let removed = state
        .databases
        .get_mut(ctx.db)
        .and_then(|d| d.collections.remove(name));
    match removed {
        Some(c) => {
            commit(
                ctx,
                Change::Drop {
                    db: ctx.db.into(),
                    coll: name.into(),
                },
            )?;
            Ok(doc! {"nIndexesWas": c.indexes.len() as i32, "ns": ctx.ns(name)})
        }
        None => Err(CommandError::new(
            ErrorCode::NamespaceNotFound,
            "ns not found",
        )),
    }
}

pub(super) fn drop_database(ctx: &Ctx) -> Result<Document, CommandError> {
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    if let Some(db) = state.databases.remove(ctx.db) {
        for name in db.collections.keys() {
            commit(
                ctx,
                Change::Drop {
                    db: ctx.db.into(),
                    coll: name.clone(),
                },
            )?;
        }
    }
    Ok(doc! {"dropped": ctx.db})
}

pub(super) fn list_collections(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let filter = opt_doc(cmd, "filter")?.cloned().unwrap_or_default();
    let m = Matcher::compile(&filter)?;
    let name_only = cmd.get_bool("nameOnly").unwrap_or(false);
    let state = ctx.read_state()?;
    let mut out = Vec::new();
    if let Some(db) = state.databases.get(ctx.db) {
        for (name, c) in &db.collections {
            let kind = if c.is_view() { "view" } else { "collection" };
            let mut entry = doc! {"name": name.clone(), "type": kind};
            if !name_only {
                entry.insert("options", c.options().clone());
                entry.insert("info", doc! {"readOnly": c.is_view()});
                if !c.is_view() {
                    entry.insert("idIndex", doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"});
                }
            }
            if m.matches(&entry, &ctx.vars)? {
                out.push(Bson::Document(entry));
            }
        }
    }
    Ok(
        doc! {"cursor": {"id": 0i64, "ns": format!("{}.$cmd.listCollections", ctx.db), "firstBatch": out}},
    )
}

pub(super) fn create_indexes(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "createIndexes")?;
    let Some(Bson::Array(specs)) = cmd.get("indexes") else {
        return Err(CommandError::failed_to_parse(
            "BSON field 'createIndexes.indexes' is missing but a required field",
        ));
    };
    if specs.is_empty() {
        return Err(CommandError::bad_value(
            "Must specify at least one index to create",
        ));
    }
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    let db = state.databases.entry(ctx.db.to_string()).or_default();
    let created_coll = !db.collections.contains_key(name);
    if created_coll {
        db.collections.insert(
            name.to_string(),
            std::sync::Arc::new(Collection::new(ctx.ns(name), Document::new())),
        );
        commit(
            ctx,
            Change::Create {
                db: ctx.db.into(),
                coll: name.into(),
                options: Document::new(),
            },
        )?;
    }
    let coll = db.collection_mut(name).ok_or_else(poisoned)?;
    if coll.is_view() {
        return Err(CommandError::new(
            ErrorCode::CommandNotSupportedOnView,
            format!("Namespace {} is a view, not a collection", ctx.ns(name)),
        ));
    }
    let before = coll.indexes.len() as i32;
    // Validate every spec before building any, as mongod does.
    let mut parsed = Vec::new();
    for s in specs {
        let Bson::Document(s) = s else {
            return Err(CommandError::type_mismatch("index specs must be objects"));
        };
        let mut s = s.clone();
        // An index without a collation takes the collection's default one (as mongod).
        if !s.contains_key("collation") {
            if let Some(c) = coll.options().get("collation") {
                s.insert("collation", c.clone());
            }
        }
        if !s.contains_key("name") {
            if let Ok(k) = s.get_document("key") {
                let n = default_name(k);
                s.insert("name", n);
            }
        }
        crate::engine::storage::collection::Index::from_spec(&s)?;
        parsed.push(s);
    }
    let mut any = false;
    for s in &parsed {
        if coll.add_index(s)? {
            any = true;
            commit(
                ctx,
                Change::Index {
                    db: ctx.db.into(),
                    coll: name.into(),
                    name: s.get_str("name").unwrap_or_default().into(),
                    spec: Some(s.clone()),
                },
            )?;
        }
    }
    let mut reply = doc! {"numIndexesBefore": before, "numIndexesAfter": coll.indexes.len() as i32, "createdCollectionAutomatically": created_coll};
    if !any {
        reply.insert("note", "all indexes already exist");
    }
    Ok(reply)
}

pub(super) fn drop_indexes(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = match cmd.get("dropIndexes").or_else(|| cmd.get("deleteIndexes")) {
        Some(Bson::String(s)) => s.clone(),
        _ => {
            return Err(CommandError::type_mismatch(
                "collection name must be a string",
            ))
        }
    };
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    let Some(coll) = state
        .databases
        .get_mut(ctx.db)
        .and_then(|d| d.collection_mut(&name))
    else {
        return Err(CommandError::new(
            ErrorCode::NamespaceNotFound,
            format!("ns not found {}", ctx.ns(&name)),
        ));
    };
    let was = coll.indexes.len() as i32;
    let names: Vec<String> = match cmd.get("index") {
        Some(Bson::String(s)) if s == "*" => coll
            .indexes
            .iter()
            .filter(|i| i.name != "_id_")
            .map(|i| i.name.clone())
            .collect(),
        Some(Bson::String(s)) => vec![s.clone()],
        Some(Bson::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(Bson::Document(k)) => match coll.find_index_by_key(k) {
            Some(ix) => vec![ix.name.clone()],
            None => {
                return Err(CommandError::new(
                    ErrorCode::IndexNotFound,
                    format!("can't find index with key: {k}"),
                ))
            }
        },
        _ => {
            return Err(CommandError::failed_to_parse(
                "BSON field 'dropIndexes.index' is missing but a required field",
            ))
        }
    };
    for n in &names {
        if coll.index(n).is_none() {
            return Err(CommandError::new(
                ErrorCode::IndexNotFound,
                format!("index not found with name [{n}]"),
            ));
        }
    }
    for n in names {
        coll.drop_index(&n)?;
        commit(
            ctx,
            Change::Index {
                db: ctx.db.into(),
                coll: name.clone(),
                name: n,
                spec: None,
            },
        )?;
    }
    Ok(doc! {"nIndexesWas": was})
}

pub(super) fn list_indexes(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "listIndexes")?;
    let state = ctx.read_state()?;
    let Some(coll) = get_coll(&state, ctx.db, name) else {
        return Err(CommandError::new(
            ErrorCode::NamespaceNotFound,
            format!("ns does not exist: {}", ctx.ns(name)),
        ));
    };
    if coll.is_view() {
        return Err(CommandError::new(
            ErrorCode::CommandNotSupportedOnView,
            format!("Namespace {} is a view, not a collection", ctx.ns(name)),
        ));
    }
    let specs: Vec<Bson> = coll
        .indexes
        .iter()
        .map(|i| Bson::Document(i.spec.clone()))
        .collect();
    Ok(doc! {"cursor": {"id": 0i64, "ns": ctx.ns(name), "firstBatch": specs}})
}

pub(super) fn coll_mod(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "collMod")?;
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    let Some(coll) = state
        .databases
        .get_mut(ctx.db)
        .and_then(|d| d.collection_mut(name))
    else {
        return Err(CommandError::new(
            ErrorCode::NamespaceNotFound,
            format!("ns does not exist: {}", ctx.ns(name)),
        ));
    };
    let mut reply = Document::new();
    let before = coll.options().clone();
    // Options are changed in place as they are read; whatever changed is committed even when a later
    // option fails, so that the journal matches memory.
    let mut apply = || -> Result<(), CommandError> {
        for (k, v) in cmd.iter().skip(1) {
            match k.as_str() {
                "index" => {
                    let Bson::Document(spec) = v else {
                        return Err(CommandError::type_mismatch(
                            "collMod 'index' must be an object",
                        ));
                    };
                    let ix_name = match (spec.get("name"), spec.get("keyPattern")) {
                        (Some(Bson::String(n)), _) => n.clone(),
                        (_, Some(Bson::Document(k))) => coll
                            .find_index_by_key(k)
                            .map(|i| i.name.clone())
                            .ok_or_else(|| {
                                CommandError::new(
                                    ErrorCode::IndexNotFound,
                                    format!("cannot find index {k} for ns {}", ctx.ns(name)),
                                )
                            })?,
                        _ => {
                            return Err(CommandError::failed_to_parse(
                                "collMod 'index' requires 'name' or 'keyPattern'",
                            ))
                        }
                    };
                    let Some(ix) = coll.index_mut(&ix_name) else {
                        return Err(CommandError::new(
                            ErrorCode::IndexNotFound,
                            format!("cannot find index {ix_name} for ns {}", ctx.ns(name)),
                        ));
                    };
                    if let Some(e) = spec.get("expireAfterSeconds") {
                        let secs = crate::engine::numeric::Num::from_bson(e)
                            .and_then(|n| n.to_i64_exact())
                            .filter(|n| *n >= 0)
                            .ok_or_else(|| {
                                CommandError::bad_value(
                                    "expireAfterSeconds must be a non-negative number",
                                )
                            })?;
                        let old = ix.expire_after_seconds;
                        if old.is_none() && ix.fields.len() > 1 {
                            return Err(CommandError::invalid_options(
                                "TTL indexes are single-field indexes",
                            ));
                        }
                        ix.expire_after_seconds = Some(secs);
                        ix.spec.insert("expireAfterSeconds", secs);
                        if let Some(o) = old {
                            reply.insert("expireAfterSeconds_old", o);
                        }
                        reply.insert("expireAfterSeconds_new", secs);
                    }
                    if let Some(Bson::Boolean(h)) = spec.get("hidden") {
                        ix.spec.insert("hidden", *h);
                    }
                    let spec = ix.spec.clone();
                    commit(
                        ctx,
                        Change::Index {
                            db: ctx.db.into(),
                            coll: name.into(),
                            name: ix_name,
                            spec: Some(spec),
                        },
                    )?;
                }
                "validator" => {
                    let Bson::Document(vd) = v else {
                        return Err(CommandError::type_mismatch("'validator' must be an object"));
                    };
                    Matcher::compile(vd)?;
                    coll.set_option("validator", vd.clone());
                }
                "validationLevel" | "validationAction" => {
                    let Bson::String(s) = v else {
                        return Err(CommandError::type_mismatch(format!(
                            "'{k}' must be a string"
                        )));
                    };
                    let ok = if k == "validationLevel" {
                        matches!(s.as_str(), "off" | "strict" | "moderate")
                    } else {
                        matches!(s.as_str(), "error" | "warn" | "errorAndLog")
                    };
                    if !ok {
                        return Err(CommandError::bad_value(format!("invalid {k}: {s}")));
                    }
                    coll.set_option(k, s.clone());
                }
                "viewOn" | "pipeline" => {
                    if !coll.is_view() {
                        return Err(CommandError::invalid_options(
                            "collMod on a collection cannot set a view definition",
                        ));
                    }
                    if let (k2, Bson::Array(p)) = (k.as_str(), v) {
                        if k2 == "pipeline" {
                            Pipeline::compile(p)?;
                        }
                    }
                    coll.set_option(k, v.clone());
                }
                "writeConcern" | "comment" | "lsid" | "$db" | "$readPreference"
                | "$clusterTime" | "apiVersion" => {}
                other => {
                    return Err(CommandError::invalid_options(format!(
                        "unknown option to collMod: {other}"
                    )))
                }
            }
        }
        Ok(())
    };
    let outcome = apply();
    if *coll.options() == before {
        outcome?;
        return Ok(reply);
    }
    let options = coll.options().clone();
    commit(
        ctx,
        Change::Create {
            db: ctx.db.into(),
            coll: name.into(),
            options,
        },
    )?;
    outcome?;
    Ok(reply)
}

pub(super) fn list_databases(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let state = ctx.read_state()?;
    let name_only = cmd.get_bool("nameOnly").unwrap_or(false);
    let dbs: Vec<Bson> = state
        .databases
        .iter()
        .map(|(n, d)| {
            if name_only {
                Bson::Document(doc! {"name": n.clone()})
            } else {
                let docs: usize = d.collections.values().map(|c| c.len()).sum();
                Bson::Document(
                    doc! {"name": n.clone(), "sizeOnDisk": (docs * 256) as i64, "empty": docs == 0},
                )
            }
        })
        .collect();
    Ok(doc! {"databases": dbs, "totalSize": 0i64})
}

pub(super) fn hello(ctx: &Ctx, modern: bool) -> Document {
    let mut d = doc! {
        "helloOk": true,
        "maxBsonObjectSize": 16 * 1024 * 1024,
        "maxMessageSizeBytes": 48_000_000,
        "maxWriteBatchSize": 100_000,
        "localTime": ctx.vars.now,
        "logicalSessionTimeoutMinutes": 30,
        "connectionId": 1,
        "minWireVersion": 0,
        "maxWireVersion": 21,
        "readOnly": false,
    };
    d.insert(
        if modern {
            "isWritablePrimary"
        } else {
            "ismaster"
        },
        true,
    );
    d
}

pub(super) fn build_info() -> Document {
    doc! {"version": VERSION, "gitVersion": "sqlmongo-embedded", "versionArray": [7, 0, 0, 0], "bits": 64, "maxBsonObjectSize": 16 * 1024 * 1024, "storageEngines": ["inMemory"], "modules": []}
}

pub(super) fn get_parameter(cmd: &Document) -> Document {
    let mut d = Document::new();
    if cmd.contains_key("featureCompatibilityVersion") {
        d.insert("featureCompatibilityVersion", doc! {"version": "7.0"});
    }
    d
}

pub(super) fn db_stats(ctx: &Ctx) -> Result<Document, CommandError> {
    let state = ctx.read_state()?;
    let (colls, objects, indexes, size) = state
        .databases
        .get(ctx.db)
        .map(|d| {
            (
                d.collections.len(),
                d.collections.values().map(|c| c.len()).sum::<usize>(),
                d.collections
                    .values()
                    .map(|c| c.indexes.len())
                    .sum::<usize>(),
                d.collections.values().map(|c| c.data_size()).sum::<u64>(),
            )
        })
        .unwrap_or((0, 0, 0, 0));
    let avg = if objects == 0 {
        0.0
    } else {
        size as f64 / objects as f64
    };
    Ok(
        doc! {"db": ctx.db, "collections": colls as i64, "objects": objects as i64, "avgObjSize": avg, "dataSize": size as f64, "indexes": indexes as i64},
    )
}

pub(super) fn coll_stats(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "collStats")?;
    let state = ctx.read_state()?;
    let Some(c) = get_coll(&state, ctx.db, name) else {
        return Err(CommandError::new(
            ErrorCode::NamespaceNotFound,
            format!("ns not found {}", ctx.ns(name)),
        ));
    };
    // O(n) (a sum over the stored records, as `dbStats`): computed once
    let size = c.data_size();
    Ok(
        doc! {"ns": ctx.ns(name), "size": size as i64, "count": c.len() as i64, "avgObjSize": if c.is_empty() { 0 } else { (size / c.len() as u64) as i64 }, "nindexes": c.indexes.len() as i32, "capped": c.options().get_bool("capped").unwrap_or(false)},
    )
}
