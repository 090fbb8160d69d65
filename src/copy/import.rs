//! COPY FROM: rows of a file (or STDIN) converted with the columns' declared types and inserted in batches.
//!
//! A file is read twice unless `ON_ERROR ignore`: once to convert and check every row (the first bad one is
//! `FILE:LINE: message` and nothing is inserted), once to insert. A write the server refuses (a duplicate
//! key, the validator) deletes the rows this COPY already inserted, by the `_id`s it gave them, before it is
//! reported, so a failed COPY leaves the table as it was (other clients may have seen the rows meanwhile:
//! MongoDB has no transaction here). STDIN is read once, the undo covering bad rows too.

use super::defaults::Defaults;
use super::delimited::{Reader, RecordError};
use super::options::{self, Format, Header, Options};
use super::values::{self, ColumnType};
use super::{collection_of, resolve, table_info, CopyError, CopyIo, CopySummary, Progress};
use crate::sql::copy::{CopySource, CopyStatement, CopyTarget};
use crate::Client;
use bson::{doc, oid::ObjectId, Bson, Document};
use std::io::BufRead;

/// Rows per insert command.
pub const BATCH_ROWS: usize = 1000;
/// Approximate bytes per insert command (well under the 16 MiB command limit).
const BATCH_BYTES: usize = 8 << 20;

/// One column being filled.
struct Column {
    name: String,
    ty: ColumnType,
    not_null: bool,
}

/// What one COPY FROM fills and how.
struct Target {
    collection: String,
    columns: Vec<Column>,
    /// A NOT NULL column the column list leaves out (and no DEFAULT fills): every row fails on it.
    missing_required: Option<String>,
    /// The declared DEFAULTs of the columns the column list leaves out, evaluated once.
    defaults: Defaults,
    opts: Options,
    /// The file's name in messages.
    file: String,
}

/// A row that cannot be inserted: whether `ON_ERROR ignore` may skip it, and the message.
struct RowFail {
    skippable: bool,
    message: String,
}

pub(super) async fn run(
    client: &Client,
    stmt: &CopyStatement,
    mut io: CopyIo<'_>,
) -> Result<CopySummary, CopyError> {
    let CopySource::Table { name, columns } = &stmt.source else {
        return Err(CopyError::invalid("COPY (query) FROM is not allowed"));
    };
    let collection = collection_of(name)?;
    let listed: Vec<String> = columns.iter().map(|c| c.value.clone()).collect();
    let info = table_info(client, &collection).await?;
    let declared = match &info {
        Some((true, _)) => {
            return Err(CopyError::invalid(format!(
                "cannot copy to view \"{collection}\""
            )))
        }
        Some((false, cols)) => cols.clone(),
        None => Vec::new(),
    };
    // Checked once for the format, again below with the columns copied (the FORCE options name them).
    let opts = options::check(&stmt.options, false, None).map_err(crate::Error::from)?;
    let json = opts.format == Format::Json;
    if json && !listed.is_empty() {
        return Err(CopyError::invalid(
            "FORMAT json imports whole documents: give no column list",
        ));
    }
    for (i, c) in listed.iter().enumerate() {
        if listed[..i].contains(c) {
            return Err(CopyError::invalid(format!(
                "column \"{c}\" specified more than once"
            )));
        }
    }
    let mut cols = Vec::new();
    let mut missing_required = None;
    if !json {
        if declared.is_empty() {
            if listed.is_empty() {
                return Err(CopyError::invalid(format!(
                    "\"{collection}\" has no declared columns (CREATE TABLE): name them, as in COPY \
                     {collection} (a, b) FROM ... (their values are stored as text), or use FORMAT json"
                )));
            }
            cols = listed
                .iter()
                .map(|n| Column {
                    name: n.clone(),
                    ty: ColumnType::Text,
                    not_null: false,
                })
                .collect();
        } else {
            let names: Vec<String> = if listed.is_empty() {
                declared.iter().map(|d| d.name.clone()).collect()
            } else {
                listed.clone()
            };
            for n in &names {
                let Some(d) = declared.iter().find(|d| &d.name == n) else {
                    return Err(CopyError::invalid(format!(
                        "column \"{n}\" of relation \"{collection}\" does not exist"
                    )));
                };
                let Some(ty) = d.ty else {
                    return Err(CopyError::invalid(format!(
                        "COPY cannot read column \"{n}\": array columns are not supported"
                    )));
                };
                cols.push(Column {
                    name: n.clone(),
                    ty,
                    not_null: d.not_null,
                });
            }
            missing_required = declared
                .iter()
                .find(|d| d.not_null && !names.contains(&d.name) && !Defaults::fills(d, &names))
                .map(|d| d.name.clone());
        }
    }
    let defaults = if json || missing_required.is_some() {
        Defaults::default()
    } else {
        let copied: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
        Defaults::evaluate(client, &collection, &declared, &copied).await?
    };
    let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
    let opts = options::check(&stmt.options, false, Some(&names)).map_err(crate::Error::from)?;
    let file = match &stmt.target {
        CopyTarget::File(f) => f.clone(),
        _ => "<stdin>".to_string(),
    };
    let target = Target {
        collection,
        columns: cols,
        missing_required,
        defaults,
        opts,
        file,
    };
    match &stmt.target {
        CopyTarget::File(f) => {
            let path = resolve(&io.base_dir, f);
            let open = || -> Result<(Box<dyn BufRead + Send>, u64), CopyError> {
                let file = std::fs::File::open(&path).map_err(|e| CopyError::io(f, e))?;
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                if file.metadata().is_ok_and(|m| m.is_dir()) {
                    return Err(CopyError::io(f, "is a directory"));
                }
                Ok((
                    Box::new(std::io::BufReader::with_capacity(1 << 16, file)),
                    size,
                ))
            };
            let (reader, size) = open()?;
            let passes = if target.opts.on_error_ignore { 1 } else { 2 };
            let total = size * passes;
            let mut progress = io.progress.take();
            if passes == 2 {
                target
                    .pass(client, reader, false, &mut progress, 0, total)
                    .await?;
                let (reader, _) = open()?;
                target
                    .pass(client, reader, true, &mut progress, size, total)
                    .await
            } else {
                target
                    .pass(client, reader, true, &mut progress, 0, total)
                    .await
            }
        }
        CopyTarget::Stdin => {
            let Some(reader) = io.stdin.take() else {
                return Err(CopyError::invalid(
                    "COPY FROM STDIN is not supported here: name a file, or use \\copy ... FROM 'file' \
                     in the shell",
                ));
            };
            target.pass(client, reader, true, &mut None, 0, 0).await
        }
        _ => Err(CopyError::invalid("COPY FROM reads a file or STDIN")),
    }
}

/// Either reader of rows.
enum Rows<'r> {
    Delimited(Reader<Box<dyn BufRead + Send + 'r>>),
    Json {
        src: Box<dyn BufRead + Send + 'r>,
        line: u64,
        bytes: u64,
    },
}

enum Row {
    Fields(Vec<Option<String>>),
    Doc(Document),
}

impl Rows<'_> {
    fn next(&mut self) -> Option<Result<(u64, Row), RecordError>> {
        match self {
            Rows::Delimited(r) => r
                .next_record()
                .map(|r| r.map(|rec| (rec.line, Row::Fields(rec.fields)))),
            Rows::Json { src, line, bytes } => loop {
                let mut buf = Vec::new();
                let n = match src.read_until(b'\n', &mut buf) {
                    Ok(n) => n,
                    Err(e) => {
                        return Some(Err(RecordError {
                            line: *line + 1,
                            message: format!("could not read: {e}"),
                        }))
                    }
                };
                if n == 0 {
                    return None;
                }
                *line += 1;
                *bytes += n as u64;
                let text = match std::str::from_utf8(&buf) {
                    Ok(t) => t.trim(),
                    Err(_) => {
                        return Some(Err(RecordError {
                            line: *line,
                            message: "invalid byte sequence for encoding \"UTF8\"".into(),
                        }))
                    }
                };
                if text.is_empty() {
                    continue;
                }
                return Some(json_document(text).map(|d| (*line, Row::Doc(d))).map_err(
                    |message| RecordError {
                        line: *line,
                        message,
                    },
                ));
            },
        }
    }

    fn bytes(&self) -> u64 {
        match self {
            Rows::Delimited(r) => r.bytes,
            Rows::Json { bytes, .. } => *bytes,
        }
    }
}

/// One Extended JSON line (canonical or relaxed) as a document.
fn json_document(text: &str) -> Result<Document, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let serde_json::Value::Object(map) = v else {
        return Err("a JSON line must be an object (one document)".into());
    };
    Document::try_from(map).map_err(|e| format!("invalid Extended JSON: {e}"))
}

/// The `_id`s a COPY inserted (to delete them if a later row fails): ours, and ones the data gave.
#[derive(Default)]
struct Inserted {
    generated: Vec<ObjectId>,
    given: Vec<Bson>,
}

impl Target {
    fn fail(&self, line: u64, message: impl Into<String>) -> CopyError {
        CopyError::Data {
            file: self.file.clone(),
            line,
            message: message.into(),
        }
    }

    /// A row's document (with a fresh `_id` unless it has one).
    fn convert(&self, row: Row) -> Result<Document, RowFail> {
        let fields = match row {
            Row::Doc(d) => {
                if d.contains_key("_id") {
                    return Ok(d);
                }
                let mut out = Document::new();
                out.insert("_id", ObjectId::new());
                for (k, v) in d {
                    out.insert(k, v);
                }
                return Ok(out);
            }
            Row::Fields(f) => f,
        };
        let fatal = |message: String| RowFail {
            skippable: false,
            message,
        };
        if let Some(c) = &self.missing_required {
            return Err(fatal(format!(
                "null value in column \"{c}\" of relation \"{}\" violates not-null constraint",
                self.collection
            )));
        }
        if fields.len() > self.columns.len() {
            return Err(fatal("extra data after last expected column".into()));
        }
        if let Some(c) = self.columns.get(fields.len()) {
            return Err(fatal(format!("missing data for column \"{}\"", c.name)));
        }
        let mut doc = Document::new();
        doc.insert("_id", ObjectId::new());
        for (c, f) in self.columns.iter().zip(fields) {
            let v = match f {
                None if c.not_null => {
                    return Err(fatal(format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    c.name, self.collection
                )))
                }
                None => Bson::Null,
                Some(s) => values::parse(c.ty, &s).map_err(|m| RowFail {
                    skippable: true,
                    message: format!("{m} (COPY {}, column {})", self.collection, c.name),
                })?,
            };
            doc.insert(c.name.clone(), v);
        }
        self.defaults.apply(&mut doc);
        Ok(doc)
    }

    /// The header line: skipped, or (MATCH) checked against the column names.
    fn header(&self, line: u64, fields: &[Option<String>]) -> Result<(), CopyError> {
        if self.opts.header != Header::Match {
            return Ok(());
        }
        if fields.len() != self.columns.len() {
            return Err(self.fail(
                line,
                format!(
                    "wrong number of fields in header line: got {}, expected {}",
                    fields.len(),
                    self.columns.len()
                ),
            ));
        }
        for (i, (f, c)) in fields.iter().zip(&self.columns).enumerate() {
            let got = f.as_deref().unwrap_or("");
            if f.is_none() || got != c.name {
                return Err(self.fail(
                    line,
                    format!(
                        "column name mismatch in header line field {}: got \"{}\", expected \"{}\"",
                        i + 1,
                        if f.is_none() { "null" } else { got },
                        c.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Reads every row; with `load`, inserts them (else only checks them).
    async fn pass(
        &self,
        client: &Client,
        src: Box<dyn BufRead + Send + '_>,
        load: bool,
        progress: &mut Option<&mut (dyn FnMut(Progress) + Send)>,
        base: u64,
        total: u64,
    ) -> Result<CopySummary, CopyError> {
        let names: Vec<String> = self.columns.iter().map(|c| c.name.clone()).collect();
        let mut rows = match self.opts.format {
            Format::Json => Rows::Json {
                src,
                line: 0,
                bytes: 0,
            },
            _ => Rows::Delimited(Reader::new(src, &self.opts, &names)),
        };
        let mut summary = CopySummary::default();
        let mut inserted = Inserted::default();
        let mut batch: Vec<(u64, Document)> = Vec::new();
        let mut batch_bytes = 0usize;
        let mut first = true;
        while let Some(next) = rows.next() {
            let header = std::mem::replace(&mut first, false) && self.opts.header != Header::No;
            let result = match next {
                Err(e) => Err((
                    e.line,
                    RowFail {
                        skippable: false,
                        message: e.message,
                    },
                )),
                Ok((line, Row::Fields(f))) if header => {
                    if let Err(e) = self.header(line, &f) {
                        return Err(self.undo(client, &inserted, e).await);
                    }
                    continue;
                }
                Ok((line, row)) => self.convert(row).map(|d| (line, d)).map_err(|f| (line, f)),
            };
            match result {
                Ok((line, doc)) => {
                    if load {
                        batch_bytes += approx_size(&doc);
                        batch.push((line, doc));
                        if batch.len() >= BATCH_ROWS || batch_bytes >= BATCH_BYTES {
                            self.flush(client, &mut batch, &mut inserted).await?;
                            batch_bytes = 0;
                        }
                    }
                    summary.rows += 1;
                }
                Err((line, f)) if f.skippable && self.opts.on_error_ignore => {
                    summary.skipped += 1;
                    if self.opts.verbose {
                        summary.notices.push(format!(
                            "skipping row due to data type incompatibility at line {line}: {}",
                            f.message
                        ));
                    }
                }
                Err((line, f)) => {
                    let e = self.fail(line, f.message);
                    return Err(self.undo(client, &inserted, e).await);
                }
            }
            if let Some(p) = progress.as_mut() {
                if summary.rows % 1024 == 0 {
                    p(Progress {
                        done: base + rows.bytes(),
                        total,
                    });
                }
            }
        }
        if load && !batch.is_empty() {
            self.flush(client, &mut batch, &mut inserted).await?;
        }
        if let Some(p) = progress.as_mut() {
            p(Progress {
                done: base + rows.bytes(),
                total,
            });
        }
        if summary.skipped > 0 {
            let n = summary.skipped;
            summary.notices.push(if n == 1 {
                "1 row was skipped due to data type incompatibility".to_string()
            } else {
                format!("{n} rows were skipped due to data type incompatibility")
            });
        }
        Ok(summary)
    }

    /// Inserts a batch; on failure deletes everything this COPY inserted and reports the row at fault.
    async fn flush(
        &self,
        client: &Client,
        batch: &mut Vec<(u64, Document)>,
        inserted: &mut Inserted,
    ) -> Result<(), CopyError> {
        let (lines, docs): (Vec<u64>, Vec<Document>) = std::mem::take(batch).into_iter().unzip();
        let ids: Vec<Bson> = docs
            .iter()
            .map(|d| d.get("_id").cloned().unwrap_or(Bson::Null))
            .collect();
        let cmd = doc! {"insert": &self.collection, "documents": docs, "ordered": true};
        let reply = client.backend().run_command(client.database(), cmd).await;
        let (done, error) = match reply.and_then(crate::driver::check_reply) {
            Ok(reply) => match reply.get_array("writeErrors").ok().and_then(|a| a.first()) {
                Some(Bson::Document(e)) => {
                    let index = e.get_i32("index").unwrap_or(0).max(0) as usize;
                    let msg = e.get_str("errmsg").unwrap_or("write error").to_string();
                    (index.min(ids.len()), Some((index, msg)))
                }
                _ => (ids.len(), None),
            },
            // A command-level failure inserted nothing of an ordered batch we can know of: undo ours.
            Err(e) => (0, Some((0, e.to_string()))),
        };
        for id in &ids[..done] {
            match id {
                Bson::ObjectId(o) => inserted.generated.push(*o),
                other => inserted.given.push(other.clone()),
            }
        }
        match error {
            None => Ok(()),
            Some((index, msg)) => {
                let line = lines.get(index).or(lines.first()).copied().unwrap_or(0);
                let e = self.fail(line, format!("{msg} (COPY {})", self.collection));
                Err(self.undo(client, inserted, e).await)
            }
        }
    }

    /// Deletes the rows this COPY inserted, then gives back `e` (or says the undo failed too).
    async fn undo(&self, client: &Client, inserted: &Inserted, e: CopyError) -> CopyError {
        let ids = inserted
            .generated
            .iter()
            .map(|o| Bson::ObjectId(*o))
            .chain(inserted.given.iter().cloned())
            .collect::<Vec<_>>();
        for chunk in ids.chunks(10_000) {
            let cmd = doc! {
                "delete": &self.collection,
                "deletes": [{"q": {"_id": {"$in": chunk.to_vec()}}, "limit": 0}],
            };
            let r = client.backend().run_command(client.database(), cmd).await;
            if let Err(u) = r.and_then(crate::driver::check_reply) {
                return CopyError::Io {
                    path: self.file.clone(),
                    message: format!(
                        "{e}; removing the rows already inserted failed too ({u}): {} rows stay",
                        ids.len()
                    ),
                };
            }
        }
        e
    }
}

/// About the BSON size of a converted row.
fn approx_size(d: &Document) -> usize {
    d.iter()
        .map(|(k, v)| {
            k.len()
                + 8
                + match v {
                    Bson::String(s) => s.len(),
                    Bson::Document(_) | Bson::Array(_) => 256,
                    _ => 8,
                }
        })
        .sum()
}
