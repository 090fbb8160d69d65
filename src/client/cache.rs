//! The statement cache: translated statements keyed by their SQL text, so running the same text again
//! ([`crate::Client::sql`]) skips parsing and translation. Least recently used entries go first once the
//! cache holds `capacity` statements.
//!
//! Each entry records the cache's *generation* when it was translated. [`StatementCache::invalidate`] bumps
//! the generation and empties the cache: an entry of an older generation is never served. Translation is
//! also bumped after a statement of this client that changes the catalog (CREATE / DROP / ALTER of a
//! collection, view or index). A plan translated with a [`crate::translate::Catalog`] (the declared tables it
//! names) keeps that catalog ([`CatalogUse`]): before serving it, the client reads the catalog of those
//! names again (one `listCollections`) and translates again when it changed, so a schema change by another
//! client never runs a stale plan. A statement that names no collection skips the check.
//!
//! A hand-rolled LRU (a map with a use counter; eviction scans for the oldest entry, only when inserting
//! into a full cache) rather than a crate: with ~100 entries the scan is far cheaper than the translation
//! a miss costs anyway, and it needs no dependency.

use crate::mql::StatementPlan;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The number of statements a client's cache holds unless told otherwise.
pub const DEFAULT_CAPACITY: usize = 100;

/// Counters of a [`StatementCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Lookups served from the cache.
    pub hits: u64,
    /// Lookups that translated the statement (and cached it when the capacity is not 0).
    pub misses: u64,
    /// Entries removed to make room.
    pub evictions: u64,
    /// Times the cache was invalidated.
    pub invalidations: u64,
    /// Statements held now.
    pub entries: usize,
    /// The most statements held.
    pub capacity: usize,
}

/// The catalog a cached plan was translated with: the collection names its statement reads and what the
/// backend declared for them then.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogUse {
    /// The names the statement reads or writes.
    pub names: Vec<String>,
    /// Their catalog entries when the plan was translated.
    pub catalog: Arc<crate::translate::Catalog>,
}

/// A cached plan, or the cache's generation for storing one after a miss.
pub(crate) type Lookup = Result<(Arc<StatementPlan>, Option<Arc<CatalogUse>>), u64>;

struct Entry {
    plan: Arc<StatementPlan>,
    catalog: Option<Arc<CatalogUse>>,
    last_used: u64,
    generation: u64,
}

struct Inner {
    entries: HashMap<String, Entry>,
    clock: u64,
    generation: u64,
    stats: CacheStats,
    /// The session time zone statements are translated in (`SET TIME ZONE`; `None`: UTC).
    time_zone: Option<String>,
}

/// A bounded LRU of translated statements keyed by SQL text; shared by the clones of a client.
pub struct StatementCache {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for StatementCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatementCache")
            .field("stats", &self.stats())
            .finish()
    }
}

impl StatementCache {
    /// An empty cache holding at most `capacity` statements (0: caches nothing).
    pub fn new(capacity: usize) -> StatementCache {
        StatementCache {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                clock: 0,
                generation: 0,
                stats: CacheStats {
                    capacity,
                    ..CacheStats::default()
                },
                time_zone: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the map inconsistent (no partial updates).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The plan of `sql`: the cached one, or `translate(sql)` (then cached). Translation runs outside the
    /// lock; two tasks missing the same text at once both translate, and one result is kept.
    pub fn get_or_translate(
        &self,
        sql: &str,
        translate: impl FnOnce(&str) -> Result<StatementPlan, crate::Error>,
    ) -> Result<Arc<StatementPlan>, crate::Error> {
        let generation = match self.lookup(sql) {
            Ok((plan, _)) => return Ok(plan),
            Err(g) => g,
        };
        let plan = Arc::new(translate(sql)?);
        self.store(sql, plan.clone(), None, generation);
        Ok(plan)
    }

    /// The cached plan of `sql` (a hit) with the catalog it was translated with, or the generation to
    /// [`StatementCache::store`] a new translation under (a miss).
    pub(crate) fn lookup(&self, sql: &str) -> Lookup {
        let mut inner = self.lock();
        inner.clock += 1;
        let (clock, generation) = (inner.clock, inner.generation);
        if let Some(e) = inner.entries.get_mut(sql) {
            if e.generation == generation {
                e.last_used = clock;
                let found = (e.plan.clone(), e.catalog.clone());
                inner.stats.hits += 1;
                return Ok(found);
            }
        }
        inner.stats.misses += 1;
        Err(generation)
    }

    /// Caches `plan` for `sql`, unless the cache was invalidated since `generation` (the translation may
    /// predate a catalog change) or holds nothing.
    pub(crate) fn store(
        &self,
        sql: &str,
        plan: Arc<StatementPlan>,
        catalog: Option<Arc<CatalogUse>>,
        generation: u64,
    ) {
        let mut inner = self.lock();
        if inner.stats.capacity == 0 || inner.generation != generation {
            return;
        }
        if !inner.entries.contains_key(sql) && inner.entries.len() >= inner.stats.capacity {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                inner.entries.remove(&k);
                inner.stats.evictions += 1;
            }
        }
        let last_used = inner.clock;
        inner.entries.insert(
            sql.to_string(),
            Entry {
                plan,
                catalog,
                last_used,
                generation,
            },
        );
        inner.stats.entries = inner.entries.len();
    }

    /// Forgets every statement and bumps the generation, so a translation begun before this call is not
    /// cached either.
    pub fn invalidate(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.generation += 1;
        inner.stats.invalidations += 1;
        inner.stats.entries = 0;
    }

    /// The session time zone the cached plans were translated in (`None`: UTC).
    pub fn time_zone(&self) -> Option<String> {
        self.lock().time_zone.clone()
    }

    /// Sets the session time zone (`SET TIME ZONE`); plans translated in another zone are dropped.
    pub fn set_time_zone(&self, zone: Option<String>) {
        let changed = self.lock().time_zone != zone;
        if changed {
            self.lock().time_zone = zone;
            self.invalidate();
        }
    }

    /// The current generation (bumped by each [`StatementCache::invalidate`]).
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// The counters.
    pub fn stats(&self) -> CacheStats {
        self.lock().stats
    }
}

/// Whether running `plan` changes the catalog (what a catalog-aware translation could depend on).
pub(crate) fn changes_catalog(plan: &StatementPlan) -> bool {
    plan.steps.iter().any(|s| {
        matches!(
            s.name(),
            "create" | "drop" | "collMod" | "createIndexes" | "dropIndexes"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(sql: &str) -> Result<StatementPlan, crate::Error> {
        Ok(crate::translate(sql)?.statements.remove(0))
    }

    #[test]
    fn least_recently_used_goes_first() {
        let c = StatementCache::new(2);
        let mut translations = 0;
        let mut get = |sql: &str| {
            c.get_or_translate(sql, |s| {
                translations += 1;
                plan(s)
            })
            .map(|_| ())
        };
        get("SELECT a FROM t").unwrap();
        get("SELECT b FROM t").unwrap();
        get("SELECT a FROM t").unwrap(); // hit: a is now newer than b
        get("SELECT c FROM t").unwrap(); // evicts b
        get("SELECT a FROM t").unwrap(); // still a hit
        get("SELECT b FROM t").unwrap(); // translated again
        assert_eq!(translations, 4);
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.evictions, s.entries), (2, 4, 2, 2));
    }

    #[test]
    fn invalidation_drops_entries_and_errors_are_not_cached() {
        let c = StatementCache::new(10);
        c.get_or_translate("SELECT a FROM t", plan).unwrap();
        c.invalidate();
        assert_eq!(c.stats().entries, 0);
        c.get_or_translate("SELECT a FROM t", plan).unwrap();
        assert_eq!(c.stats().misses, 2);
        assert!(c.get_or_translate("SELEC nope", plan).is_err());
        assert!(c.get_or_translate("SELEC nope", plan).is_err());
        assert_eq!(c.stats().misses, 4);
        let zero = StatementCache::new(0);
        zero.get_or_translate("SELECT a FROM t", plan).unwrap();
        zero.get_or_translate("SELECT a FROM t", plan).unwrap();
        assert_eq!((zero.stats().hits, zero.stats().entries), (0, 0));
    }
}
