//! What the REPL's meta commands look up: collections with their document counts and TTL (`\d`), the
//! fields seen in a sample of a collection with their types, and its indexes (`\d NAME`), and the names tab
//! completion offers. Everything goes through the client's backend as plain MongoDB commands
//! (`listCollections`, `count`, `find`, `listIndexes`), so it works the same on a deployment.

use crate::driver::check_reply;
use crate::driver::execute::Rows;
use crate::Client;
use bson::{doc, Bson, Document};

/// How many documents `\d NAME` samples for field names and types.
pub const DESCRIBE_SAMPLE: i64 = 100;
/// How many documents per collection tab completion samples for field names.
pub const COMPLETION_SAMPLE: i64 = 20;
/// Completion samples at most this many collections.
pub const COMPLETION_COLLECTIONS: usize = 50;

/// The help text of `\?`.
pub const HELP: &str = "\
Statements end with `;` and may span lines.
  \\?                      this help
  \\copy ARGS              COPY with a file of this machine: \\copy t FROM 'f.csv' (FORMAT csv, HEADER)
  \\d                      collections with document counts and TTL
  \\d NAME                 fields (from a sample) with types, indexes and TTL of collection NAME
  \\explain [on|off]       show the MongoDB commands of each statement before its result
  \\timing [on|off]        show each statement's execution time
  \\format table|json|jsonl|csv
                          set the output format
  \\i FILE                 run the statements of FILE
  \\x [on|off|auto]        expanded display: each row as a `-[ RECORD N ]` block (auto: when a
                          table does not fit the terminal)
  \\pset [NAME [VALUE]]    display settings: expanded on|off|auto, columns N (0: the terminal's
                          width), pager on|off|always
  \\o [FILE | |COMMAND]    send results to FILE (or COMMAND's input); \\o alone: back to stdout
  \\set [NAME [VALUE]]     set a variable (no arguments: list them); \\unset NAME removes one
                          :NAME binds its value as a parameter (typed: integer, number,
                          true/false, else text), :'NAME' as text, :\"NAME\" is a quoted identifier
  \\watch [SEC] [i=SEC] [c=N]
                          run the last statement every SEC seconds (default 2) until Ctrl-C
  \\q                      quit";

async fn command(client: &Client, cmd: Document) -> Result<Document, crate::Error> {
    let reply = client.backend().run_command(client.database(), cmd).await?;
    check_reply(reply)
}

fn first_batch(reply: &Document) -> Vec<Document> {
    reply
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get_array("firstBatch").ok())
        .map(|a| a.iter().filter_map(|v| v.as_document().cloned()).collect())
        .unwrap_or_default()
}

/// `(name, type)` of every collection and view, sorted by name.
pub async fn collections(client: &Client) -> Result<Vec<(String, String)>, crate::Error> {
    let reply = command(client, doc! {"listCollections": 1, "nameOnly": true}).await?;
    let mut out: Vec<(String, String)> = first_batch(&reply)
        .iter()
        .filter_map(|d| {
            let name = d.get_str("name").ok()?.to_string();
            let kind = d.get_str("type").unwrap_or("collection").to_string();
            Some((name, kind))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// The index specs of a collection (empty for a view or a missing collection).
pub async fn indexes(client: &Client, name: &str) -> Vec<Document> {
    match command(client, doc! {"listIndexes": name, "cursor": {}}).await {
        Ok(reply) => first_batch(&reply),
        Err(_) => Vec::new(),
    }
}

/// The TTL of a collection, as `field after Ns`, from its TTL index.
pub fn ttl_of(indexes: &[Document]) -> Option<String> {
    indexes.iter().find_map(|spec| {
        let after = match spec.get("expireAfterSeconds")? {
            Bson::Int32(n) => i64::from(*n),
            Bson::Int64(n) => *n,
            Bson::Double(d) => *d as i64,
            _ => return None,
        };
        let field = spec.get_document("key").ok()?.keys().next()?.clone();
        Some(format!("{field} after {after}s"))
    })
}

/// `\d`: one row per collection: name, type, document count, TTL.
pub async fn list(client: &Client) -> Result<Rows, crate::Error> {
    let mut rows = Vec::new();
    for (name, kind) in collections(client).await? {
        let count = match command(client, doc! {"count": &name}).await {
            Ok(r) => r.get("n").cloned().unwrap_or(Bson::Null),
            Err(_) => Bson::Null,
        };
        let ttl = ttl_of(&indexes(client, &name).await)
            .map(Bson::String)
            .unwrap_or(Bson::Null);
        rows.push(vec![Bson::String(name), Bson::String(kind), count, ttl]);
    }
    Ok(Rows {
        columns: vec![
            "collection".into(),
            "type".into(),
            "documents".into(),
            "ttl".into(),
        ],
        rows,
        local_time: Vec::new(),
    })
}

async fn sample(client: &Client, name: &str, n: i64) -> Result<Vec<Document>, crate::Error> {
    let reply = command(
        client,
        doc! {"find": name, "filter": {}, "limit": n, "batchSize": n, "singleBatch": true},
    )
    .await?;
    Ok(first_batch(&reply))
}

pub use crate::engine::bson_order::type_name;

/// Field paths (dotted for sub-documents, up to 3 levels) in first-seen order, with their types and the
/// number of sampled documents holding them.
pub fn fields_of(docs: &[Document]) -> Vec<(String, Vec<&'static str>, usize)> {
    fn walk(
        d: &Document,
        prefix: &str,
        depth: usize,
        out: &mut Vec<(String, Vec<&'static str>, usize)>,
        seen_here: &mut Vec<String>,
    ) {
        for (k, v) in d {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            let t = type_name(v);
            match out.iter_mut().find(|(p, _, _)| *p == path) {
                Some((_, types, n)) => {
                    if !types.contains(&t) {
                        types.push(t);
                    }
                    if !seen_here.contains(&path) {
                        *n += 1;
                    }
                }
                None => out.push((path.clone(), vec![t], 1)),
            }
            seen_here.push(path.clone());
            if let (Bson::Document(sub), true) = (v, depth < 3) {
                walk(sub, &path, depth + 1, out, seen_here);
            }
        }
    }
    let mut out = Vec::new();
    for d in docs {
        let mut seen_here = Vec::new();
        walk(d, "", 1, &mut out, &mut seen_here);
    }
    out
}

/// What `\d NAME` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    /// Fields seen in a sample: path, types, how many sampled documents hold it.
    pub fields: Rows,
    /// Indexes: name, key, options (unique, partial filter, `expireAfterSeconds`).
    pub indexes: Rows,
    /// The TTL (`field after Ns`), if the collection has a TTL index.
    pub ttl: Option<String>,
}

/// `\d NAME`: the fields seen in a sample (with types and how many sampled documents hold them), the
/// indexes (name, key, options such as unique, partial filter, TTL) and the TTL.
pub async fn describe(client: &Client, name: &str) -> Result<Description, crate::Error> {
    let known = collections(client).await?;
    if !known.iter().any(|(n, _)| n == name) {
        return Err(crate::Error::Parameter(format!(
            "no collection named {name:?} in database {:?}",
            client.database()
        )));
    }
    let docs = sample(client, name, DESCRIBE_SAMPLE).await?;
    let total = docs.len();
    let fields = Rows {
        columns: vec!["field".into(), "types".into(), "present".into()],
        rows: fields_of(&docs)
            .into_iter()
            .map(|(path, types, n)| {
                vec![
                    Bson::String(path),
                    Bson::String(types.join(", ")),
                    Bson::String(format!("{n}/{total}")),
                ]
            })
            .collect(),
        local_time: Vec::new(),
    };
    let specs = indexes(client, name).await;
    let index_rows = specs
        .iter()
        .map(|spec| {
            let idx_name = spec.get_str("name").unwrap_or("").to_string();
            let key = spec
                .get_document("key")
                .map(|k| Bson::Document(k.clone()))
                .unwrap_or(Bson::Null);
            let mut options = Document::new();
            for (k, v) in spec {
                if !matches!(k.as_str(), "v" | "key" | "name" | "ns") {
                    options.insert(k.clone(), v.clone());
                }
            }
            let options = if options.is_empty() {
                Bson::Null
            } else {
                Bson::Document(options)
            };
            vec![Bson::String(idx_name), key, options]
        })
        .collect();
    let indexes = Rows {
        columns: vec!["index".into(), "key".into(), "options".into()],
        rows: index_rows,
        local_time: Vec::new(),
    };
    Ok(Description {
        fields,
        indexes,
        ttl: ttl_of(&specs),
    })
}

/// Collection names and field names (from a small sample of each collection) for tab completion.
pub async fn completion_names(client: &Client) -> (Vec<String>, Vec<String>) {
    let colls = match collections(client).await {
        Ok(c) => c,
        Err(_) => return (Vec::new(), Vec::new()),
    };
    let mut fields: Vec<String> = Vec::new();
    for (name, _) in colls.iter().take(COMPLETION_COLLECTIONS) {
        if let Ok(docs) = sample(client, name, COMPLETION_SAMPLE).await {
            for (path, _, _) in fields_of(&docs) {
                if !fields.contains(&path) {
                    fields.push(path);
                }
            }
        }
    }
    (colls.into_iter().map(|(n, _)| n).collect(), fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_counted_per_document_with_all_types() {
        let docs = vec![
            doc! {"a": 1, "b": {"c": "x"}},
            doc! {"a": "s", "d": Bson::Null},
        ];
        let f = fields_of(&docs);
        assert_eq!(f[0], ("a".to_string(), vec!["int", "string"], 2));
        assert_eq!(f[1], ("b".to_string(), vec!["object"], 1));
        assert_eq!(f[2], ("b.c".to_string(), vec!["string"], 1));
        assert_eq!(f[3], ("d".to_string(), vec!["null"], 1));
    }

    #[test]
    fn ttl_comes_from_the_ttl_index() {
        let specs = vec![
            doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"},
            doc! {"v": 2, "key": {"expires_at": 1}, "name": "ttl", "expireAfterSeconds": 0},
        ];
        assert_eq!(ttl_of(&specs).as_deref(), Some("expires_at after 0s"));
        assert_eq!(ttl_of(&specs[..1]), None);
    }
}
