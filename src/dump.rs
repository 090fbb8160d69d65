//! `sqlmongo dump` / `sqlmongo restore`: mongodump's directory layout, so that `mongorestore` loads a dump
//! into a real MongoDB and a `mongodump` output loads into the embedded store.
//!
//! Layout: `OUT/DB/COLL.bson` (the documents, each its BSON bytes, one after another) and
//! `OUT/DB/COLL.metadata.json` (canonical Extended JSON: `options`, `indexes` as `listIndexes` shows them,
//! `uuid`, `collectionName`, `type`: `collection` or `view`). A view has its metadata only (its `viewOn` and
//! `pipeline` in `options`), as mongodump writes it. A dump is written from an engine snapshot
//! ([`write_dump`]), so it is consistent; [`restore`] goes through commands (`create`, `insert`,
//! `createIndexes`), so it loads into any backend: the embedded engine, `sqlmongo serve`, or MongoDB.

use crate::driver::Backend;
use crate::engine::storage::Snapshot;
use bson::{doc, Bson, Document, RawDocumentBuf};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// A dump or restore failure: what failed and where (file, collection).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DumpError(pub String);

/// What a dump or a restore did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Collections written or restored.
    pub collections: usize,
    /// Views written or restored.
    pub views: usize,
    /// Documents written or restored.
    pub documents: u64,
    /// Indexes written or built (not counting `_id_`).
    pub indexes: usize,
    /// Documents a restore could not insert (duplicate keys, validation), as mongorestore reports them.
    pub failed_documents: u64,
}

fn io(what: &str, path: &Path, e: std::io::Error) -> DumpError {
    DumpError(format!("{what} {}: {e}", path.display()))
}

/// Writes `snapshot` to `out` in mongodump's layout (creating `out`); existing files of the same names are
/// replaced. Every file is written to a temporary name, fsynced and renamed.
pub fn write_dump(snapshot: &Snapshot, out: &Path) -> Result<Summary, DumpError> {
    let mut summary = Summary::default();
    for c in &snapshot.collections {
        check_name(&c.db)?;
        check_name(&c.name)?;
        let dir = out.join(&c.db);
        std::fs::create_dir_all(&dir).map_err(|e| io("cannot create", &dir, e))?;
        let is_view = c.options.contains_key("viewOn");
        let indexes: Vec<Bson> = if is_view {
            Vec::new()
        } else {
            c.indexes.iter().cloned().map(Bson::Document).collect()
        };
        let meta = doc! {
            "options": c.options.clone(),
            "indexes": indexes,
            "uuid": uuid_for(&c.db, &c.name),
            "collectionName": &c.name,
            "type": if is_view { "view" } else { "collection" },
        };
        let json = Bson::Document(meta).into_canonical_extjson().to_string();
        write_file(&dir.join(format!("{}.metadata.json", c.name)), |w| {
            w.write_all(json.as_bytes())
        })?;
        if is_view {
            summary.views += 1;
            continue;
        }
        write_file(&dir.join(format!("{}.bson", c.name)), |w| {
            for (_, d) in &c.records {
                w.write_all(d.bytes())?;
            }
            Ok(())
        })?;
        summary.collections += 1;
        summary.documents += c.records.len() as u64;
        summary.indexes += c.indexes.len().saturating_sub(1);
    }
    Ok(summary)
}

/// A stable 32-hex-digit id for a collection (mongodump records the collection's UUID; the embedded engine
/// has none, and mongorestore uses it only with `--preserveUUID`).
fn uuid_for(db: &str, coll: &str) -> String {
    let a = crc32c::crc32c(db.as_bytes());
    let b = crc32c::crc32c(coll.as_bytes());
    let c = crc32c::crc32c(format!("{db}.{coll}").as_bytes());
    let d = crc32c::crc32c(format!("{coll}.{db}").as_bytes());
    format!("{a:08x}{b:08x}{c:08x}{d:08x}")
}

/// A database or collection name that is safe as a file name (mongod forbids `/` in database names; a
/// collection name with `/` or a NUL cannot be a file).
fn check_name(name: &str) -> Result<(), DumpError> {
    if name.is_empty() || name.contains('/') || name.contains('\0') || name == "." || name == ".." {
        return Err(DumpError(format!(
            "cannot dump {name:?}: not usable as a file name"
        )));
    }
    Ok(())
}

fn write_file(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<&std::fs::File>) -> std::io::Result<()>,
) -> Result<(), DumpError> {
    let tmp = path.with_extension("tmp-write");
    let f = std::fs::File::create(&tmp).map_err(|e| io("cannot create", &tmp, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, &f);
    body(&mut w)
        .and_then(|()| w.flush())
        .map_err(|e| io("cannot write", &tmp, e))?;
    drop(w);
    f.sync_all().map_err(|e| io("cannot write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io("cannot rename to", path, e))
}

/// One namespace of a dump directory.
#[derive(Debug, Clone)]
pub struct Dumped {
    /// Database (the subdirectory's name).
    pub db: String,
    /// Collection or view.
    pub name: String,
    /// `COLL.metadata.json`, parsed (empty when the dump has no metadata file for it).
    pub metadata: Document,
    /// `COLL.bson`, when present.
    pub bson: Option<PathBuf>,
}

/// The namespaces of a dump directory: `dir` holds one subdirectory per database (mongodump's `--out`), or
/// is itself one database's directory (its name is the database).
pub fn read_dump(dir: &Path) -> Result<Vec<Dumped>, DumpError> {
    let list = |d: &Path| -> Result<Vec<PathBuf>, DumpError> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|e| io("cannot list", d, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        v.sort();
        Ok(v)
    };
    let entries = list(dir)?;
    let db_dirs: Vec<PathBuf> = entries.iter().filter(|p| p.is_dir()).cloned().collect();
    let dbs: Vec<PathBuf> = if db_dirs.is_empty() {
        vec![dir.to_path_buf()]
    } else {
        db_dirs
    };
    let mut out = Vec::new();
    for d in dbs {
        let db = d
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| DumpError(format!("{}: not a database directory", d.display())))?
            .to_string();
        let files = list(&d)?;
        let mut names: Vec<String> = Vec::new();
        for f in &files {
            let Some(n) = f.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let coll = n
                .strip_suffix(".metadata.json")
                .or_else(|| n.strip_suffix(".bson"));
            if let Some(c) = coll {
                if !names.iter().any(|x| x == c) {
                    names.push(c.to_string());
                }
            }
        }
        for name in names {
            let meta_path = d.join(format!("{name}.metadata.json"));
            let metadata = if meta_path.exists() {
                let text = std::fs::read_to_string(&meta_path)
                    .map_err(|e| io("cannot read", &meta_path, e))?;
                let json: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| DumpError(format!("{}: {e}", meta_path.display())))?;
                match Bson::try_from(json) {
                    Ok(Bson::Document(m)) => m,
                    Ok(_) => {
                        return Err(DumpError(format!(
                            "{}: not a JSON object",
                            meta_path.display()
                        )))
                    }
                    Err(e) => return Err(DumpError(format!("{}: {e}", meta_path.display()))),
                }
            } else {
                Document::new()
            };
            let bson_path = d.join(format!("{name}.bson"));
            let name = match metadata.get_str("collectionName") {
                Ok(n) if !n.is_empty() => n.to_string(),
                _ => name,
            };
            out.push(Dumped {
                db: db.clone(),
                name,
                metadata,
                bson: bson_path.exists().then_some(bson_path),
            });
        }
    }
    Ok(out)
}

/// Reads the documents of a `.bson` file batch by batch.
struct BsonFile {
    path: PathBuf,
    r: std::io::BufReader<std::fs::File>,
    offset: u64,
}

impl BsonFile {
    fn open(path: &Path) -> Result<BsonFile, DumpError> {
        let f = std::fs::File::open(path).map_err(|e| io("cannot open", path, e))?;
        Ok(BsonFile {
            path: path.to_path_buf(),
            r: std::io::BufReader::with_capacity(1 << 20, f),
            offset: 0,
        })
    }

    /// The next documents, up to about `batch_bytes` (empty at the end of the file).
    fn next_batch(&mut self, batch_bytes: usize) -> Result<Vec<Document>, DumpError> {
        let path = &self.path;
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        while bytes < batch_bytes && batch.len() < 10_000 {
            let offset = self.offset;
            let truncated = |e| {
                io(
                    &format!("a document cut short at offset {offset} in"),
                    path,
                    e,
                )
            };
            let mut len = [0u8; 4];
            match self.r.read(&mut len[..1]) {
                Ok(0) => break,
                Ok(_) => self.r.read_exact(&mut len[1..]).map_err(truncated)?,
                Err(e) => return Err(io("cannot read", path, e)),
            }
            let n = i32::from_le_bytes(len);
            if !(5..=48_000_000).contains(&n) {
                return Err(DumpError(format!(
                    "{}: invalid document length {n} at offset {offset}",
                    path.display()
                )));
            }
            let mut buf = vec![0u8; n as usize];
            buf[..4].copy_from_slice(&len);
            self.r.read_exact(&mut buf[4..]).map_err(truncated)?;
            let doc = RawDocumentBuf::from_bytes(buf)
                .ok()
                .and_then(|raw| Document::try_from(raw.as_ref()).ok())
                .ok_or_else(|| {
                    DumpError(format!(
                        "{}: invalid BSON document at offset {offset}",
                        path.display()
                    ))
                })?;
            self.offset += n as u64;
            bytes += n as usize;
            batch.push(doc);
        }
        Ok(batch)
    }
}

/// Restore options.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Drop each collection before restoring it (mongorestore's `--drop`).
    pub drop: bool,
}

async fn run(backend: &dyn Backend, db: &str, cmd: Document) -> Result<Document, DumpError> {
    let name = cmd.keys().next().cloned().unwrap_or_default();
    backend
        .run_command(db, cmd)
        .await
        .map_err(|e| DumpError(format!("{name} on {db}: {e}")))
}

/// Loads a dump directory (mongodump's layout) through `backend`: collections with their options, their
/// documents, their indexes, then views. A document that cannot be inserted (a duplicate key) is counted and
/// skipped, as mongorestore does; anything else stops the restore.
pub async fn restore(
    backend: &dyn Backend,
    dir: &Path,
    opts: &RestoreOptions,
) -> Result<Summary, DumpError> {
    let dumped = read_dump(dir)?;
    let mut summary = Summary::default();
    let (views, colls): (Vec<&Dumped>, Vec<&Dumped>) = dumped.iter().partition(|d| {
        d.metadata.get_str("type").ok() == Some("view")
            || d.metadata
                .get_document("options")
                .is_ok_and(|o| o.contains_key("viewOn"))
    });
    for d in colls.into_iter().chain(views.iter().copied()) {
        let is_view = views.iter().any(|v| std::ptr::eq(*v, d));
        if opts.drop {
            let _ = backend.run_command(&d.db, doc! {"drop": &d.name}).await;
        }
        let options = d
            .metadata
            .get_document("options")
            .cloned()
            .unwrap_or_default();
        let mut create = doc! {"create": &d.name};
        for (k, v) in options {
            // Options mongod sets itself or that do not apply to a new collection.
            if matches!(k.as_str(), "uuid" | "idIndex") {
                continue;
            }
            create.insert(k, v);
        }
        match backend.run_command(&d.db, create).await {
            Ok(_) => {}
            Err(crate::Error::Command(e)) if e.code == 48 => {} // exists: restore into it
            Err(e) => return Err(DumpError(format!("create {}.{}: {e}", d.db, d.name))),
        }
        if is_view {
            summary.views += 1;
            continue;
        }
        if let Some(path) = &d.bson {
            let mut file = BsonFile::open(path)?;
            loop {
                let b = file.next_batch(8 << 20)?;
                if b.is_empty() {
                    break;
                }
                let n = b.len() as u64;
                let reply = run(
                    backend,
                    &d.db,
                    doc! {"insert": &d.name, "documents": b, "ordered": false},
                )
                .await?;
                let failed = reply
                    .get_array("writeErrors")
                    .map(|e| e.len() as u64)
                    .unwrap_or(0);
                summary.documents += n - failed;
                summary.failed_documents += failed;
            }
        }
        let indexes: Vec<Bson> = d
            .metadata
            .get_array("indexes")
            .map(|a| {
                a.iter()
                    .filter(|i| {
                        i.as_document()
                            .and_then(|i| i.get_str("name").ok())
                            .is_some_and(|n| n != "_id_")
                    })
                    .map(|i| match i {
                        // `ns` appears in dumps of old servers; createIndexes refuses it.
                        Bson::Document(spec) => {
                            let mut spec = spec.clone();
                            spec.remove("ns");
                            Bson::Document(spec)
                        }
                        other => other.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !indexes.is_empty() {
            summary.indexes += indexes.len();
            run(
                backend,
                &d.db,
                doc! {"createIndexes": &d.name, "indexes": indexes},
            )
            .await?;
        }
        summary.collections += 1;
    }
    Ok(summary)
}
