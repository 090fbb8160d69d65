//! `serve --repl-set NAME`: the server presents itself as the primary of a one-member replica set, as
//! `mongod --replSet NAME` does after `rs.initiate()` with a single member, so drivers allow transactions
//! (pymongo's `with_transaction`, the Node driver's `withTransaction`) and retryable writes.
//!
//! In: the replies the engine gives; out: the same replies with what a replica-set member adds: `hello`'s
//! `setName`, `hosts`, `primary`, `me`, `setVersion`, `electionId`, `topologyVersion`, `lastWrite`, and on
//! every reply `$clusterTime` (unsigned: a zero signature, as a member without keys sends) and
//! `operationTime`. The cluster time is a `Timestamp` of the wall clock's seconds and a counter, increasing
//! on every reply.

use bson::{doc, oid::ObjectId, Bson, Document, Timestamp};
use std::sync::atomic::{AtomicU64, Ordering};

/// The one-member replica set a server presents.
#[derive(Debug)]
pub struct ReplSet {
    name: String,
    /// `host:port` as clients reach this member (set once the server is bound).
    host: std::sync::OnceLock<String>,
    process_id: ObjectId,
    /// The last cluster time given out: seconds in the high 32 bits, the counter in the low 32.
    clock: AtomicU64,
}

impl ReplSet {
    /// A replica set named `name` (`serve --repl-set NAME`).
    pub fn new(name: impl Into<String>) -> ReplSet {
        ReplSet {
            name: name.into(),
            host: std::sync::OnceLock::new(),
            process_id: ObjectId::new(),
            clock: AtomicU64::new(0),
        }
    }

    /// The set's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Records the address the server listens on: an unspecified address (`0.0.0.0`) is announced as
    /// `localhost`.
    pub(crate) fn bound(&self, addr: std::net::SocketAddr) {
        let host = if addr.ip().is_unspecified() {
            format!("localhost:{}", addr.port())
        } else {
            addr.to_string()
        };
        let _ = self.host.set(host);
    }

    /// `host:port` of the member.
    pub fn host(&self) -> String {
        self.host
            .get()
            .cloned()
            .unwrap_or_else(|| "localhost:27017".to_string())
    }

    /// The next cluster time: never smaller than the last one, and never equal.
    fn tick(&self) -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()) as u32;
        let wall = u64::from(secs) << 32;
        let prev = self
            .clock
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
                Some(if wall > last { wall | 1 } else { last + 1 })
            })
            .unwrap_or(0);
        let next = if wall > prev { wall | 1 } else { prev + 1 };
        Timestamp {
            time: (next >> 32) as u32,
            increment: next as u32,
        }
    }

    /// Adds `$clusterTime` and `operationTime` to a reply (an error reply too, as a member does).
    pub(crate) fn stamp(&self, reply: &mut Document) {
        let ts = self.tick();
        reply.insert(
            "$clusterTime",
            doc! {
                "clusterTime": ts,
                "signature": {
                    "hash": bson::Binary {subtype: bson::spec::BinarySubtype::Generic, bytes: vec![0; 20]},
                    "keyId": 0_i64,
                },
            },
        );
        reply.insert("operationTime", ts);
    }

    /// The replica-set fields of a `hello` / `isMaster` reply.
    pub(crate) fn decorate_hello(&self, reply: &mut Document) {
        let host = self.host();
        let ts = self.tick();
        let now = bson::DateTime::now();
        let op_time = doc! {"ts": ts, "t": 1_i64};
        reply.insert("topologyVersion", self.topology_version());
        reply.insert("hosts", vec![Bson::String(host.clone())]);
        reply.insert("setName", self.name.clone());
        reply.insert("setVersion", 1);
        reply.insert("secondary", false);
        reply.insert("primary", host.clone());
        reply.insert("me", host);
        reply.insert(
            "electionId",
            ObjectId::from_bytes([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1]),
        );
        reply.insert(
            "lastWrite",
            doc! {
                "opTime": op_time.clone(),
                "lastWriteDate": now,
                "majorityOpTime": op_time,
                "majorityWriteDate": now,
            },
        );
    }

    /// `topologyVersion`: this process and a counter that never changes (the one member never changes
    /// state), so an awaitable `hello` waits its whole `maxAwaitTimeMS`.
    pub(crate) fn topology_version(&self) -> Document {
        doc! {"processId": self.process_id, "counter": 0_i64}
    }

    /// How long an awaitable `hello` (a driver's streaming monitor: `topologyVersion` + `maxAwaitTimeMS`)
    /// waits before answering: its `maxAwaitTimeMS` when its topology version is the current one (nothing
    /// can change), capped at 10 s; `None` for any other `hello`.
    pub(crate) fn hello_wait(&self, cmd: &Document) -> Option<std::time::Duration> {
        let Some(Bson::Document(tv)) = cmd.get("topologyVersion") else {
            return None;
        };
        if tv.get_object_id("processId").ok() != Some(self.process_id) {
            return None;
        }
        let ms = match cmd.get("maxAwaitTimeMS")? {
            Bson::Int32(n) => i64::from(*n),
            Bson::Int64(n) => *n,
            Bson::Double(d) => *d as i64,
            _ => return None,
        };
        Some(std::time::Duration::from_millis(ms.clamp(0, 10_000) as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_time_increases_and_hello_names_the_set() {
        let rs = ReplSet::new("rs0");
        rs.bound("127.0.0.1:27999".parse().unwrap());
        let mut a = Document::new();
        let mut b = Document::new();
        rs.stamp(&mut a);
        rs.stamp(&mut b);
        let ta = a.get_timestamp("operationTime").unwrap();
        let tb = b.get_timestamp("operationTime").unwrap();
        assert!((tb.time, tb.increment) > (ta.time, ta.increment));
        let mut h = Document::new();
        rs.decorate_hello(&mut h);
        assert_eq!(h.get_str("setName").unwrap(), "rs0");
        assert_eq!(h.get_str("primary").unwrap(), "127.0.0.1:27999");
        assert_eq!(h.get_array("hosts").unwrap().len(), 1);
        let wait =
            doc! {"hello": 1, "topologyVersion": rs.topology_version(), "maxAwaitTimeMS": 50};
        assert_eq!(
            rs.hello_wait(&wait),
            Some(std::time::Duration::from_millis(50))
        );
        assert_eq!(rs.hello_wait(&doc! {"hello": 1}), None);
    }
}
