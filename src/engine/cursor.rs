//! Open cursors: the rest of a result after its first batch, handed out by `getMore` and closed by
//! `killCursors`, exhaustion, or idleness (mongod's 10-minute cursor timeout).
//!
//! In: result documents and batch sizes; out: batches and cursor ids (never 0 for an open cursor).

use bson::{Bson, Document};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Default first-batch size of `find` and `aggregate` (mongod: 101 documents).
pub const DEFAULT_BATCH: usize = 101;
/// A batch never grows past this many bytes (mongod: 16 MiB).
const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug)]
struct Open {
    ns: String,
    rest: VecDeque<Document>,
    last_used: Instant,
}

/// The cursor table.
#[derive(Debug, Default)]
pub struct Cursors {
    open: HashMap<i64, Open>,
    next: i64,
}

/// One batch and the cursor id to continue with (0 when exhausted).
pub struct Batch {
    /// The documents.
    pub docs: Vec<Bson>,
    /// Cursor id, 0 when done.
    pub id: i64,
}

fn take(rest: &mut VecDeque<Document>, n: usize) -> Vec<Bson> {
    let mut out = Vec::with_capacity(n.min(rest.len()));
    let mut bytes = 0usize;
    while out.len() < n {
        let Some(d) = rest.pop_front() else { break };
        // Approximate size: mongod stops a batch at 16 MiB; serialising just to measure would cost a copy.
        bytes += approx_size(&d);
        out.push(Bson::Document(d));
        if bytes >= MAX_BATCH_BYTES {
            break;
        }
    }
    out
}

fn approx_size(d: &Document) -> usize {
    d.iter()
        .map(|(k, v)| k.len() + value_size(v))
        .sum::<usize>()
        + 5
}

fn value_size(v: &Bson) -> usize {
    match v {
        Bson::String(s) => s.len() + 5,
        Bson::Document(d) => approx_size(d),
        Bson::Array(a) => a.iter().map(value_size).sum::<usize>() + 5,
        Bson::Binary(b) => b.bytes.len() + 5,
        _ => 8,
    }
}

impl Cursors {
    /// Starts a cursor over `docs`: returns the first batch, registering the rest if any remain.
    pub fn open(
        &mut self,
        ns: &str,
        docs: Vec<Document>,
        batch: usize,
        single_batch: bool,
    ) -> Batch {
        let mut rest: VecDeque<Document> = docs.into();
        let first = take(&mut rest, batch);
        if rest.is_empty() || single_batch {
            return Batch { docs: first, id: 0 };
        }
        self.next += 1;
        let id = (self.next << 20) ^ (std::process::id() as i64 & 0xFFFFF);
        let id = if id == 0 { 1 } else { id };
        self.open.insert(
            id,
            Open {
                ns: ns.to_string(),
                rest,
                last_used: Instant::now(),
            },
        );
        Batch { docs: first, id }
    }

    /// The next batch of cursor `id` on namespace `ns`; `None` when unknown (error 43 CursorNotFound).
    pub fn more(&mut self, id: i64, ns: &str, batch: usize) -> Option<Result<Batch, String>> {
        let open = self.open.get_mut(&id)?;
        if open.ns != ns {
            return Some(Err(format!("Requested getMore on namespace '{ns}', but cursor belongs to a different namespace {}", open.ns)));
        }
        open.last_used = Instant::now();
        let docs = take(&mut open.rest, batch);
        if open.rest.is_empty() {
            self.open.remove(&id);
            return Some(Ok(Batch { docs, id: 0 }));
        }
        Some(Ok(Batch { docs, id }))
    }

    /// Closes a cursor; whether it existed.
    pub fn kill(&mut self, id: i64) -> bool {
        self.open.remove(&id).is_some()
    }

    /// Closes cursors idle for longer than `timeout`; returns how many.
    pub fn reap(&mut self, timeout: Duration) -> usize {
        let before = self.open.len();
        self.open.retain(|_, c| c.last_used.elapsed() < timeout);
        before - self.open.len()
    }

    /// Number of open cursors.
    pub fn len(&self) -> usize {
        self.open.len()
    }
}
