//! COPY TO: the query's rows (a table's declared or named columns, or `(query)`) streamed from its cursor
//! into the file in the chosen format. A file is written under a temporary name beside it and renamed once
//! complete, so a failed COPY TO leaves no half-written file (special files such as `/dev/stdout` are written
//! in place). `FORMAT json` of a whole table writes its documents as they are stored (as mongoexport).

use super::delimited::{write_csv_row, write_header, write_text_row};
use super::options::{self, Format, Header, Options};
use super::{collection_of, resolve, table_info, values, CopyError, CopyIo, CopySummary};
use crate::sql::copy::{CopySource, CopyStatement, CopyTarget};
use crate::Client;
use bson::{doc, Bson, Document};
use std::io::Write;
use std::path::PathBuf;

/// What to run: a translated query, or (`FORMAT json` of a whole table) a plain `find`.
enum Source {
    /// The plan, and the columns declared `jsonb` (their values are written as JSON, strings quoted).
    Plan(Box<crate::mql::StatementPlan>, Vec<String>),
    Documents(String),
    /// A table's columns read from its documents as stored (a plain `find`: the engine's cursor then holds
    /// handles to the stored documents, where a projection would hold every projected row until drained).
    Columns {
        collection: String,
        names: Vec<String>,
        json_columns: Vec<String>,
    },
}

async fn source(client: &Client, stmt: &CopyStatement, json: bool) -> Result<Source, CopyError> {
    let mut json_columns = Vec::new();
    let (sql_stmt, text) = match &stmt.source {
        CopySource::Query(q) => {
            let text = crate::sql::StatementText {
                text: q.to_string(),
                line: 0,
                column: 0,
            };
            (
                crate::sql::Statement::Sql(Box::new(sqlparser::ast::Statement::Query(q.clone()))),
                text,
            )
        }
        CopySource::Table { name, columns } => {
            let collection = collection_of(name)?;
            let info = table_info(client, &collection).await?;
            let Some((_, declared)) = info else {
                return Err(CopyError::invalid(format!(
                    "relation \"{collection}\" does not exist"
                )));
            };
            if json && columns.is_empty() {
                // A whole table as mongoexport writes it: every document, `_id` included.
                return Ok(Source::Documents(collection));
            }
            let names: Vec<String> = if columns.is_empty() {
                declared.iter().map(|d| d.name.clone()).collect()
            } else {
                columns.iter().map(|c| c.value.clone()).collect()
            };
            if names.is_empty() {
                return Err(CopyError::invalid(format!(
                    "\"{collection}\" has no declared columns (CREATE TABLE): name them, as in COPY \
                     {collection} (a, b) TO ..., or use FORMAT json for whole documents"
                )));
            }
            if !declared.is_empty() {
                if let Some(n) = names
                    .iter()
                    .find(|n| !declared.iter().any(|d| &d.name == *n))
                {
                    return Err(CopyError::invalid(format!(
                        "column \"{n}\" of relation \"{collection}\" does not exist"
                    )));
                }
            }
            json_columns = declared
                .iter()
                .filter(|d| d.ty == Some(values::ColumnType::Json))
                .map(|d| d.name.clone())
                .collect();
            return Ok(Source::Columns {
                collection,
                names,
                json_columns,
            });
        }
    };
    let plan = client.translate_statement(&sql_stmt, &text).await?;
    Ok(Source::Plan(Box::new(plan), json_columns))
}

/// Formats rows into `buf`.
struct RowWriter {
    opts: Options,
    columns: Vec<String>,
    force: Vec<bool>,
    json: Vec<bool>,
}

impl RowWriter {
    fn new(opts: Options, columns: Vec<String>, json_columns: &[String]) -> RowWriter {
        let force = columns.iter().map(|c| opts.force_quote.has(c)).collect();
        let json = columns.iter().map(|c| json_columns.contains(c)).collect();
        RowWriter {
            opts,
            columns,
            force,
            json,
        }
    }

    fn header(&self, buf: &mut String) {
        if self.opts.header == Header::Yes && self.opts.format != Format::Json {
            write_header(buf, &self.columns, &self.opts);
        }
    }

    fn row(&self, buf: &mut String, row: &[Bson]) {
        match self.opts.format {
            Format::Json => {
                let mut d = Document::new();
                for (c, v) in self.columns.iter().zip(row) {
                    d.insert(c.clone(), v.clone());
                }
                json_line(buf, d, self.opts.canonical);
            }
            format => {
                let fields: Vec<Option<String>> = row
                    .iter()
                    .zip(self.json.iter().chain(std::iter::repeat(&false)))
                    .map(|(v, json)| match (v, json) {
                        (Bson::Null | Bson::Undefined, _) | (_, false) => values::to_text(v),
                        (v, true) => {
                            let mut out = String::new();
                            values::jsonb_text(&v.clone().into_relaxed_extjson(), &mut out);
                            Some(out)
                        }
                    })
                    .collect();
                if format == Format::Csv {
                    write_csv_row(buf, &fields, &self.force, &self.opts);
                } else {
                    write_text_row(buf, &fields, &self.opts);
                }
            }
        }
    }
}

/// One document as a line of Extended JSON (relaxed, as mongoexport writes by default, or canonical).
fn json_line(buf: &mut String, d: Document, canonical: bool) {
    let v = if canonical {
        Bson::Document(d).into_canonical_extjson()
    } else {
        Bson::Document(d).into_relaxed_extjson()
    };
    buf.push_str(&v.to_string());
    buf.push('\n');
}

/// Where the rows go: a file (renamed into place at the end) or the caller's STDOUT.
struct Output<'a> {
    out: Box<dyn Write + Send + 'a>,
    rename: Option<(PathBuf, PathBuf)>,
    name: String,
}

fn open_output<'a>(stmt: &CopyStatement, io: &'a mut CopyIo<'_>) -> Result<Output<'a>, CopyError> {
    match &stmt.target {
        CopyTarget::File(f) => {
            let path = resolve(&io.base_dir, f);
            let special = std::fs::metadata(&path).is_ok_and(|m| !m.is_file());
            let (write_to, rename) = if special {
                (path.clone(), None)
            } else {
                let file_name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "copy".into());
                let tmp = path
                    .with_file_name(format!(".{file_name}.sqlmongo-{}.tmp", std::process::id()));
                (tmp.clone(), Some((tmp, path.clone())))
            };
            let file = std::fs::File::create(&write_to).map_err(|e| CopyError::io(f, e))?;
            Ok(Output {
                out: Box::new(std::io::BufWriter::with_capacity(1 << 16, file)),
                rename,
                name: f.clone(),
            })
        }
        CopyTarget::Stdout => match io.stdout.as_mut() {
            Some(w) => Ok(Output {
                out: Box::new(&mut **w),
                rename: None,
                name: "<stdout>".into(),
            }),
            None => Err(CopyError::invalid(
                "COPY TO STDOUT is not supported here: name a file",
            )),
        },
        _ => Err(CopyError::invalid("COPY TO writes a file or STDOUT")),
    }
}

pub(super) async fn run(
    client: &Client,
    stmt: &CopyStatement,
    mut io: CopyIo<'_>,
) -> Result<CopySummary, CopyError> {
    // The options are checked once the columns are known; the format decides the source first.
    let json = stmt.options.iter().any(|o| {
        o.name == "format"
            && matches!(&o.value, crate::sql::copy::CopyOptionValue::Word(w)
                | crate::sql::copy::CopyOptionValue::Str(w) if w.eq_ignore_ascii_case("json"))
    });
    let src = source(client, stmt, json).await?;
    let columns: Option<Vec<String>> = match &src {
        Source::Plan(p, _) => match &p.output {
            crate::mql::Output::Rows { columns } if !columns.is_empty() => {
                Some(columns.iter().map(|c| c.name.clone()).collect())
            }
            _ => None,
        },
        Source::Columns { names, .. } => Some(names.clone()),
        Source::Documents(_) => None,
    };
    let opts =
        options::check(&stmt.options, true, columns.as_deref()).map_err(crate::Error::from)?;
    let to_stdout = matches!(stmt.target, CopyTarget::Stdout);
    let mut output = open_output(stmt, &mut io)?;
    let result = write_all(client, &src, opts, columns, &mut output).await;
    let name = output.name.clone();
    let flushed = output.out.flush().map_err(|e| CopyError::io(&name, e));
    let rename = output.rename.take();
    drop(output);
    match (result, flushed, rename) {
        (Ok(rows), Ok(()), rename) => {
            if let Some((tmp, path)) = rename {
                std::fs::rename(&tmp, &path).map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    CopyError::io(&name, e)
                })?;
            }
            Ok(CopySummary {
                rows,
                to_stdout,
                ..CopySummary::default()
            })
        }
        (Err(e), _, rename) | (Ok(_), Err(e), rename) => {
            if let Some((tmp, _)) = rename {
                let _ = std::fs::remove_file(&tmp);
            }
            Err(e)
        }
    }
}

async fn write_all(
    client: &Client,
    src: &Source,
    opts: Options,
    columns: Option<Vec<String>>,
    output: &mut Output<'_>,
) -> Result<u64, CopyError> {
    let name = output.name.clone();
    let out = &mut output.out;
    let mut rows = 0u64;
    let mut io_error: Option<std::io::Error> = None;
    let stop = |e: std::io::Error, slot: &mut Option<std::io::Error>| {
        *slot = Some(e);
        crate::Error::Parameter("output failed".into())
    };
    let finish = |r: Result<(), crate::Error>, io_error: Option<std::io::Error>| match io_error {
        Some(e) => Err(CopyError::io(&name, e)),
        None => r.map_err(CopyError::from),
    };
    match src {
        Source::Documents(collection) => {
            let canonical = opts.canonical;
            let mut sink = |docs: Vec<Document>| -> Result<(), crate::Error> {
                let mut buf = String::new();
                rows += docs.len() as u64;
                for d in docs {
                    json_line(&mut buf, d, canonical);
                }
                out.write_all(buf.as_bytes())
                    .map_err(|e| stop(e, &mut io_error))
            };
            let cmd = doc! {"find": collection.as_str(), "filter": {}};
            let r = client
                .backend()
                .stream_cursor(client.database(), cmd, &mut sink)
                .await;
            finish(r, io_error)?;
        }
        Source::Columns {
            collection,
            names,
            json_columns,
        } => {
            let writer = RowWriter::new(opts, names.clone(), json_columns);
            let mut buf = String::new();
            writer.header(&mut buf);
            out.write_all(buf.as_bytes())
                .map_err(|e| CopyError::io(&name, e))?;
            let mut sink = |docs: Vec<Document>| -> Result<(), crate::Error> {
                let mut buf = String::new();
                rows += docs.len() as u64;
                for d in &docs {
                    let row: Vec<Bson> = names
                        .iter()
                        .map(|n| d.get(n).cloned().unwrap_or(Bson::Null))
                        .collect();
                    writer.row(&mut buf, &row);
                }
                out.write_all(buf.as_bytes())
                    .map_err(|e| stop(e, &mut io_error))
            };
            let cmd = doc! {"find": collection.as_str(), "filter": {}};
            let r = client
                .backend()
                .stream_cursor(client.database(), cmd, &mut sink)
                .await;
            finish(r, io_error)?;
        }
        Source::Plan(plan, json_columns) => {
            if let Some(columns) = columns {
                let writer = RowWriter::new(opts.clone(), columns, json_columns);
                let mut started = false;
                let mut sink = |batch: Vec<Vec<Bson>>| -> Result<(), crate::Error> {
                    let mut buf = String::new();
                    if !std::mem::replace(&mut started, true) {
                        writer.header(&mut buf);
                    }
                    rows += batch.len() as u64;
                    for r in &batch {
                        writer.row(&mut buf, r);
                    }
                    out.write_all(buf.as_bytes())
                        .map_err(|e| stop(e, &mut io_error))
                };
                let streamed = client.stream_plan(plan, &[], &mut sink).await;
                let streamed = match io_error.take() {
                    Some(e) => return Err(CopyError::io(&name, e)),
                    None => streamed?,
                };
                if streamed {
                    if !started {
                        let mut buf = String::new();
                        writer.header(&mut buf);
                        out.write_all(buf.as_bytes())
                            .map_err(|e| CopyError::io(&name, e))?;
                    }
                    return Ok(rows);
                }
            }
            // Not streamable (several steps, `SELECT *`): the whole result, then its rows.
            let result = client.execute_plan(plan, &[]).await?;
            let crate::StatementResult::Rows(r) = result else {
                return Err(CopyError::invalid(
                    "COPY (query) TO needs a query that returns rows",
                ));
            };
            let writer = RowWriter::new(opts, r.columns.clone(), json_columns);
            let mut buf = String::new();
            writer.header(&mut buf);
            for row in &r.rows {
                writer.row(&mut buf, row);
            }
            out.write_all(buf.as_bytes())
                .map_err(|e| CopyError::io(&name, e))?;
            rows = r.rows.len() as u64;
        }
    }
    Ok(rows)
}
