//! Memory bounds of the blocking stages, as mongod bounds them.
//!
//! `$sort` (pipeline and `find`), `$group` (and `$bucket`, `$sortByCount`, which group), and
//! `$setWindowFields` count the approximate bytes they hold. Past the stage's limit (mongod's server
//! parameters, 100 MB each by default) a stage spills to temporary files ([`spill`](super::spill)) when the
//! command allows disk use (`allowDiskUse`, default [`MemoryOptions::allow_disk_use_by_default`], true as in
//! mongod 6+), and fails with 292 `QueryExceededMemoryLimitNoDiskUseAllowed` when it does not. Two sizes are
//! counted: spilling goes by the resident size ([`resident_doc_bytes`]: what the documents take in this
//! engine's memory, ~8x their BSON size for session documents), so a stage's memory stays near its limit;
//! the 292 failure goes by the BSON size ([`doc_bytes`], plus a fixed per-entry overhead), close to what
//! mongod counts for its compact documents, so a command that fits on mongod without disk use fits here.
//!
//! In: the engine's [`MemoryOptions`], `setParameter` commands and a command's `allowDiskUse`; out: the
//! [`MemoryPolicy`] one command runs under (carried in its [`Vars`](super::expr::Vars)). Depends on `bson`.

use super::error_codes::ErrorCode;
use super::CommandError;
use bson::{doc, Bson, Document};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// mongod's default limit of each blocking stage (100 MB).
pub const DEFAULT_STAGE_BYTES: usize = 100 * 1024 * 1024;

/// The bytes counted for each entry a stage holds beyond its BSON size (the document's or group's own
/// allocations: a map, a vector, a hash slot).
pub const ENTRY_OVERHEAD: usize = 64;

/// Memory settings of an engine ([`EngineOptions::memory`](super::EngineOptions::memory)); each limit can
/// be changed at run time with `setParameter` under mongod's parameter name.
#[derive(Debug, Clone)]
pub struct MemoryOptions {
    /// `$sort` and `find`'s blocking sort (`internalQueryMaxBlockingSortMemoryUsageBytes`, 100 MB).
    pub sort_bytes: usize,
    /// `$group`, `$bucket`, `$sortByCount` (`internalDocumentSourceGroupMaxMemoryBytes`, 100 MB).
    pub group_bytes: usize,
    /// `$setWindowFields` partitions (`internalDocumentSourceSetWindowFieldsMaxMemoryBytes`, 100 MB).
    pub window_bytes: usize,
    /// One `$push` / `$addToSet` accumulator's values (`internalQueryMaxPushBytes`,
    /// `internalQueryMaxAddToSetBytes`, 100 MB).
    pub accumulator_bytes: usize,
    /// Whether a command that does not say (`allowDiskUse` absent) may spill (`allowDiskUseByDefault`,
    /// true).
    pub allow_disk_use_by_default: bool,
    /// Where spill files go; `None`: the data directory's `_tmp` for a durable engine, else the system's
    /// temporary directory.
    pub temp_dir: Option<PathBuf>,
}

impl Default for MemoryOptions {
    fn default() -> Self {
        MemoryOptions {
            sort_bytes: DEFAULT_STAGE_BYTES,
            group_bytes: DEFAULT_STAGE_BYTES,
            window_bytes: DEFAULT_STAGE_BYTES,
            accumulator_bytes: DEFAULT_STAGE_BYTES,
            allow_disk_use_by_default: true,
            temp_dir: None,
        }
    }
}

/// The limits one command runs under.
#[derive(Debug, Clone)]
pub struct MemoryPolicy {
    /// Limit of a blocking sort.
    pub sort_bytes: usize,
    /// Limit of a grouping.
    pub group_bytes: usize,
    /// Limit of a `$setWindowFields` stage.
    pub window_bytes: usize,
    /// Limit of one `$push` / `$addToSet` accumulator.
    pub accumulator_bytes: usize,
    /// Whether stages may spill to disk.
    pub allow_disk_use: bool,
    /// The directory spill files are created in.
    pub temp_dir: Arc<PathBuf>,
}

impl Default for MemoryPolicy {
    fn default() -> Self {
        MemoryPolicy {
            sort_bytes: DEFAULT_STAGE_BYTES,
            group_bytes: DEFAULT_STAGE_BYTES,
            window_bytes: DEFAULT_STAGE_BYTES,
            accumulator_bytes: DEFAULT_STAGE_BYTES,
            allow_disk_use: true,
            temp_dir: Arc::new(std::env::temp_dir()),
        }
    }
}

/// The engine's settable parameters (`setParameter` / `getParameter`).
#[derive(Debug)]
pub struct Parameters {
    sort_bytes: AtomicUsize,
    group_bytes: AtomicUsize,
    window_bytes: AtomicUsize,
    push_bytes: AtomicUsize,
    allow_disk_use_by_default: AtomicBool,
    temp_dir: Arc<PathBuf>,
}

/// The parameter names `setParameter` / `getParameter` know, as mongod spells them.
const NAMES: [&str; 6] = [
    "internalQueryMaxBlockingSortMemoryUsageBytes",
    "internalDocumentSourceGroupMaxMemoryBytes",
    "internalDocumentSourceSetWindowFieldsMaxMemoryBytes",
    "internalQueryMaxPushBytes",
    "internalQueryMaxAddToSetBytes",
    "allowDiskUseByDefault",
];

impl Parameters {
    /// The parameters of an engine with `opts`; `data_dir`: a durable engine's directory, whose `_tmp`
    /// (spill files a previous process left) is emptied now.
    pub fn new(opts: &MemoryOptions, data_dir: Option<&Path>) -> Parameters {
        let temp_dir = match (&opts.temp_dir, data_dir) {
            (Some(d), _) => d.clone(),
            (None, Some(data)) => {
                let tmp = data.join("_tmp");
                if tmp.exists() {
                    if let Err(e) = std::fs::remove_dir_all(&tmp) {
                        tracing::warn!("cannot empty {}: {e}", tmp.display());
                    }
                }
                tmp
            }
            (None, None) => std::env::temp_dir(),
        };
        Parameters {
            sort_bytes: AtomicUsize::new(opts.sort_bytes),
            group_bytes: AtomicUsize::new(opts.group_bytes),
            window_bytes: AtomicUsize::new(opts.window_bytes),
            push_bytes: AtomicUsize::new(opts.accumulator_bytes),
            allow_disk_use_by_default: AtomicBool::new(opts.allow_disk_use_by_default),
            temp_dir: Arc::new(temp_dir),
        }
    }

    /// The policy of a command: its `allowDiskUse` (a boolean; `find` and `aggregate` only) or the default.
    pub fn policy(&self, cmd: &Document) -> Result<MemoryPolicy, CommandError> {
        let name = cmd.keys().next().map(String::as_str).unwrap_or("");
        let allow = match cmd.get("allowDiskUse") {
            Some(Bson::Boolean(b)) if matches!(name, "find" | "aggregate") => *b,
            Some(other) if matches!(name, "find" | "aggregate") => {
                return Err(CommandError::type_mismatch(format!(
                    "BSON field '{name}.allowDiskUse' is the wrong type '{}', expected type 'bool'",
                    super::bson_order::type_name(other)
                )))
            }
            _ => self.allow_disk_use_by_default.load(Ordering::Relaxed),
        };
        Ok(MemoryPolicy {
            sort_bytes: self.sort_bytes.load(Ordering::Relaxed),
            group_bytes: self.group_bytes.load(Ordering::Relaxed),
            window_bytes: self.window_bytes.load(Ordering::Relaxed),
            accumulator_bytes: self.push_bytes.load(Ordering::Relaxed),
            allow_disk_use: allow,
            temp_dir: self.temp_dir.clone(),
        })
    }

    /// The spill directory.
    pub fn temp_dir(&self) -> &Path {
        &self.temp_dir
    }

    fn get(&self, name: &str) -> Option<Bson> {
        let bytes = |a: &AtomicUsize| Bson::Int64(a.load(Ordering::Relaxed) as i64);
        Some(match name {
            "internalQueryMaxBlockingSortMemoryUsageBytes" => bytes(&self.sort_bytes),
            "internalDocumentSourceGroupMaxMemoryBytes" => bytes(&self.group_bytes),
            "internalDocumentSourceSetWindowFieldsMaxMemoryBytes" => bytes(&self.window_bytes),
            "internalQueryMaxPushBytes" | "internalQueryMaxAddToSetBytes" => {
                bytes(&self.push_bytes)
            }
            "allowDiskUseByDefault" => {
                Bson::Boolean(self.allow_disk_use_by_default.load(Ordering::Relaxed))
            }
            _ => return None,
        })
    }

    /// `getParameter`: the known parameters `cmd` names (`'*'` or `{getParameter: '*'}`: all of them).
    pub fn get_parameter(&self, cmd: &Document) -> Document {
        let all = matches!(cmd.get("getParameter"), Some(Bson::String(s)) if s == "*");
        let mut out = Document::new();
        for name in NAMES {
            if all || cmd.contains_key(name) {
                if let Some(v) = self.get(name) {
                    out.insert(name, v);
                }
            }
        }
        out
    }

    /// `setParameter` (admin database only): sets each named parameter; the reply's `was` holds the
    /// previous value of the (last) one set. An unknown name is 72 `InvalidOptions`; a value of the wrong
    /// type or out of range is 2 `BadValue`.
    pub fn set_parameter(&self, db: &str, cmd: &Document) -> Result<Document, CommandError> {
        if db != "admin" {
            return Err(CommandError::new(
                ErrorCode::Unauthorized,
                "setParameter may only be run against the admin database.",
            ));
        }
        let mut was = None;
        let mut any = false;
        for (name, v) in cmd.iter().skip(1) {
            if matches!(
                name.as_str(),
                "comment" | "lsid" | "$db" | "$readPreference"
            ) {
                continue;
            }
            any = true;
            let old = self.get(name).ok_or_else(|| {
                CommandError::invalid_options(format!("attempted to set unrecognized parameter [{name}], use help:true to see options "))
            })?;
            if name == "allowDiskUseByDefault" {
                let Bson::Boolean(b) = v else {
                    return Err(CommandError::bad_value(format!(
                        "Invalid value for parameter {name}: {v} is not a boolean"
                    )));
                };
                self.allow_disk_use_by_default.store(*b, Ordering::Relaxed);
            } else {
                let n = super::numeric::Num::from_bson(v)
                    .and_then(|n| n.to_i64_exact())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        CommandError::bad_value(format!(
                            "Invalid value for parameter {name}: {v} is not greater than 0"
                        ))
                    })?;
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                let slot = match name.as_str() {
                    "internalQueryMaxBlockingSortMemoryUsageBytes" => &self.sort_bytes,
                    "internalDocumentSourceGroupMaxMemoryBytes" => &self.group_bytes,
                    "internalDocumentSourceSetWindowFieldsMaxMemoryBytes" => &self.window_bytes,
                    _ => &self.push_bytes,
                };
                slot.store(n, Ordering::Relaxed);
            }
            was = Some(old);
        }
        if !any {
            return Err(CommandError::invalid_options(
                "no option found to set, use help:true to see options ",
            ));
        }
        Ok(doc! {"was": was.unwrap_or(Bson::Null)})
    }
}

/// 292 `QueryExceededMemoryLimitNoDiskUseAllowed` for a blocking sort past `limit` (mongod's sorter).
pub fn sort_exceeded(limit: usize) -> CommandError {
    CommandError::new(
        ErrorCode::QueryExceededMemoryLimitNoDiskUseAllowed,
        format!(
            "Sort exceeded memory limit of {limit} bytes, but did not opt in to external sorting."
        ),
    )
}

/// 292 `QueryExceededMemoryLimitNoDiskUseAllowed` for a grouping past its limit (mongod's `$group`).
pub fn group_exceeded() -> CommandError {
    CommandError::new(
        ErrorCode::QueryExceededMemoryLimitNoDiskUseAllowed,
        "Exceeded memory limit for $group, but didn't allow external sort. Pass allowDiskUse:true to opt in.",
    )
}

/// 146 `ExceededMemoryLimit` for a `$push` / `$addToSet` whose values pass `limit` (they cannot spill).
pub fn accumulator_exceeded(op: &str, limit: usize) -> CommandError {
    CommandError::new(
        ErrorCode::ExceededMemoryLimit,
        format!("{op} used too much memory and cannot spill to disk. Memory limit: {limit} bytes"),
    )
}

/// The approximate bytes a value takes: its BSON size (element header excluded) plus, for documents and
/// arrays, a small per-element overhead for their in-memory layout.
pub fn value_bytes(v: &Bson) -> usize {
    match v {
        Bson::Double(_) | Bson::Int64(_) | Bson::DateTime(_) | Bson::Timestamp(_) => 8,
        Bson::Int32(_) => 4,
        Bson::Boolean(_) | Bson::Null | Bson::Undefined | Bson::MinKey | Bson::MaxKey => 1,
        Bson::String(s) | Bson::Symbol(s) | Bson::JavaScriptCode(s) => s.len() + 5,
        Bson::Document(d) => doc_bytes(d),
        Bson::Array(a) => 5 + a.iter().map(|x| 8 + value_bytes(x)).sum::<usize>(),
        Bson::Binary(b) => b.bytes.len() + 5,
        Bson::ObjectId(_) => 12,
        Bson::Decimal128(_) => 16,
        Bson::RegularExpression(r) => r.pattern.len() + r.options.len() + 2,
        Bson::JavaScriptCodeWithScope(c) => c.code.len() + doc_bytes(&c.scope) + 9,
        Bson::DbPointer(_) => 32,
    }
}

/// The approximate bytes of a document ([`value_bytes`] of its fields plus their names).
pub fn doc_bytes(d: &Document) -> usize {
    5 + d
        .iter()
        .map(|(k, v)| k.len() + 2 + 8 + value_bytes(v))
        .sum::<usize>()
}

/// The bytes a heap allocation of `n` bytes takes in a general-purpose allocator: a word of header and
/// 16-byte size classes (glibc's malloc; mimalloc's classes are close). An estimate, as mongod's are.
pub(crate) fn alloc_bytes(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        (n + 8 + 15) & !15
    }
}

/// The heap bytes a value owns beyond its inline `Bson` (strings, arrays, nested documents).
fn heap_bytes(v: &Bson) -> usize {
    match v {
        Bson::String(s) | Bson::Symbol(s) | Bson::JavaScriptCode(s) => alloc_bytes(s.capacity()),
        Bson::Document(d) => doc_heap_bytes(d),
        Bson::Array(a) => {
            alloc_bytes(a.capacity() * std::mem::size_of::<Bson>())
                + a.iter().map(heap_bytes).sum::<usize>()
        }
        Bson::Binary(b) => alloc_bytes(b.bytes.capacity()),
        Bson::RegularExpression(r) => alloc_bytes(r.pattern.len()) + alloc_bytes(r.options.len()),
        Bson::JavaScriptCodeWithScope(c) => alloc_bytes(c.code.len()) + doc_heap_bytes(&c.scope),
        Bson::DbPointer(_) => 32,
        _ => 0,
    }
}

/// The heap bytes of a document: its ordered map (an entries vector of hash, name and value, and a hash
/// table of positions, both grown by doubling) and what its names and values own.
fn doc_heap_bytes(d: &Document) -> usize {
    let n = d.len();
    if n == 0 {
        return 0;
    }
    let buckets = if n < 4 {
        4
    } else if n < 8 {
        8
    } else {
        (n * 8 / 7).next_power_of_two()
    };
    let entry =
        std::mem::size_of::<usize>() + std::mem::size_of::<String>() + std::mem::size_of::<Bson>();
    let entries = alloc_bytes(n.next_power_of_two() * entry);
    let table = alloc_bytes(buckets * (std::mem::size_of::<usize>() + 1) + 16);
    entries
        + table
        + d.iter()
            .map(|(k, v)| alloc_bytes(k.len()) + heap_bytes(v))
            .sum::<usize>()
}

/// The approximate bytes a value takes in this engine's memory (its inline `Bson` and what it owns on the
/// heap): several times its BSON size ([`value_bytes`]) for small fields. What a stage spills by (its
/// resident size), while the limits a command can fail on (292, 4568, the accumulator limits) count
/// [`value_bytes`] as mongod's count its own compact representation.
pub fn resident_value_bytes(v: &Bson) -> usize {
    std::mem::size_of::<Bson>() + heap_bytes(v)
}

/// [`resident_value_bytes`] of a document held on its own (e.g. in a sort buffer).
pub fn resident_doc_bytes(d: &Document) -> usize {
    std::mem::size_of::<Document>() + doc_heap_bytes(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_get_parameters() {
        let p = Parameters::new(&MemoryOptions::default(), None);
        let name = "internalQueryMaxBlockingSortMemoryUsageBytes";
        let got = p.get_parameter(&doc! {"getParameter": 1, name: 1});
        assert_eq!(got.get_i64(name).unwrap(), DEFAULT_STAGE_BYTES as i64);
        let r = p
            .set_parameter("admin", &doc! {"setParameter": 1, name: 65536})
            .unwrap();
        assert_eq!(r.get_i64("was").unwrap(), DEFAULT_STAGE_BYTES as i64);
        assert_eq!(p.policy(&doc! {"find": "c"}).unwrap().sort_bytes, 65536);
        assert_eq!(
            p.set_parameter("app", &doc! {"setParameter": 1, name: 1})
                .unwrap_err()
                .code,
            13
        );
        assert_eq!(
            p.set_parameter("admin", &doc! {"setParameter": 1, name: 0})
                .unwrap_err()
                .code,
            2
        );
        assert_eq!(
            p.set_parameter("admin", &doc! {"setParameter": 1, "nope": 1})
                .unwrap_err()
                .code,
            72
        );
        p.set_parameter(
            "admin",
            &doc! {"setParameter": 1, "allowDiskUseByDefault": false},
        )
        .unwrap();
        assert!(!p.policy(&doc! {"aggregate": "c"}).unwrap().allow_disk_use);
        assert!(
            p.policy(&doc! {"aggregate": "c", "allowDiskUse": true})
                .unwrap()
                .allow_disk_use
        );
        assert_eq!(
            p.policy(&doc! {"aggregate": "c", "allowDiskUse": 1})
                .unwrap_err()
                .code,
            14
        );
        let all = p.get_parameter(&doc! {"getParameter": "*"});
        assert_eq!(all.len(), NAMES.len());
    }

    #[test]
    fn sizes_follow_bson_sizes() {
        let d = doc! {"a": "xyz", "b": [1, 2, 3], "c": {"d": 1.5}};
        let exact = crate::engine::limits::shape(&d).bytes;
        let approx = doc_bytes(&d);
        assert!(approx >= exact && approx < exact * 4, "{approx} vs {exact}");
    }
}
