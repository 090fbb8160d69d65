//! `$lookup`: equality joins (`localField`/`foreignField`), correlated pipelines (`let` + `pipeline`), and
//! both together.
//!
//! In: the stage document, input documents, the catalog; out: each input document with the `as` array of
//! joined documents. Equality follows the query language: an array on either side matches by element, a
//! missing or null local value matches foreign documents whose field is null or missing. Depends on
//! `expr`, `bson_order`, `Pipeline`, `join_hash`, `join_keys`, `join_memo`, `join_narrow`; the `$unwind` it
//! absorbs is in `join_unwind`.
//!
//! Nothing is computed once per outer document that does not depend on it (mongod's behaviour):
//! - the leading stages of `pipeline` that read no `let` variable (and are deterministic) run once per
//!   execution of the stage, and the rest runs per outer document over their cached result;
//! - `localField`/`foreignField`, and a `$match` whose `$expr` requires `{$eq: ["$field", "$$var"]}` (the
//!   shape the SQL translator emits for `JOIN ... ON a = b` and correlated subqueries), probe the foreign
//!   collection's index on that field when it has one, else a hash table of the foreign side built once
//!   ([`join_hash`](super::join_hash)); the exact predicate still decides on every candidate, so the result
//!   is the nested loop's (a property test holds the two to the same output);
//! - the conditions of that `$match` that read no `let` variable (a subquery's own WHERE, the NULL guard of
//!   the joined field) are decided once per foreign document while the hash table is built, and only the
//!   correlated rest per candidate ([`join_split`](super::join_split));
//! - the equalities of that `$match` on several columns (and `IS NOT DISTINCT FROM`, and paths below a
//!   variable: [`join_keys`](super::join_keys)) key the hash table together, as a tuple;
//! - a foreign document is parsed only for the top-level fields the sub-pipeline reads (when it ends its
//!   reads with a projection or a `$group`), not whole; when the stages after the `$lookup` read only some
//!   fields of the joined documents, the sub-pipeline is given a closing projection of those
//!   ([`join_narrow`](super::join_narrow)).

use super::join_filter::SizeFilter;
use super::join_hash::HashTable;
use super::join_keys::{eq_keys, equality_holds, requires_value, values_at, EqKey};
use super::join_lazy::LazyProject;
use super::join_memo::{self, Memo};
use super::join_narrow::{inclusion, joined_reads};
use super::join_split::{self, SplitMatch};
use super::reshape::set_field;
use super::stream::Stream;
use super::{Catalog, Pipeline};
use crate::engine::expr::{Expr, Vars};
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::rc::Rc;
use std::sync::Arc;

/// A compiled `$lookup`.
#[derive(Debug, Clone)]
pub struct Lookup {
    from: Option<String>,
    local: Option<String>,
    foreign: Option<String>,
    /// The `let` variables: names interned ([`intern`](crate::engine::expr::intern)) once, so binding them per
    /// outer document copies no name.
    lets: Vec<(Arc<str>, Expr)>,
    pipeline: Option<Pipeline>,
    as_field: String,
    /// How many leading stages of `pipeline` read no `let` variable: their output is computed once.
    prefix: usize,
    /// The equality of the `$match` right after the prefix: foreign path (as an expression) and variable.
    key: Option<EqKey>,
    /// Further equalities `{$eq: ["$path", "$$var"]}` the same `$match` requires (a join on several columns):
    /// the table hashes the tuple of all of them, so a bucket holds only the foreign documents equal on every
    /// column (NULLs and unequal tuples sharing a hash are still decided by the `$match`, and a `localField`
    /// by its own equality).
    more_keys: Vec<EqKey>,
    /// A top-level foreign field the first `$match` after the prefix requires a value of: documents where it
    /// is null or missing are left out of the hash table.
    non_null: Option<String>,
    /// With `key`: the `$match` holding it split into the conjuncts decided once per foreign document (when
    /// the hash table is built) and those decided per candidate.
    split: Option<SplitMatch>,
    /// The top-level fields of a foreign document the stage reads, when that is known (the sub-pipeline ends
    /// its reads with a projection or a `$group`): the rest of each foreign document is never parsed.
    reads: Option<Vec<String>>,
    /// The result is a function of the `let` and `localField` values (nothing random): outer documents with
    /// the same values share one run of the stage ([`Memo`]).
    memoizable: bool,
    /// With `key`, when the prefix ends in a `$project` that cannot fail: the table is keyed through it on
    /// the documents before it, and it is applied to the candidates only ([`join_lazy`](super::join_lazy)).
    lazy: Option<LazyProject>,
    /// The `$match` after the stage only tests whether the list is non-empty or empty (after conditions
    /// that do not read it), and nothing later reads it: the two run as one filter
    /// ([`join_filter`](super::join_filter)).
    filter: Option<SizeFilter>,
}

impl Lookup {
    /// Compiles the stage document (as the last stage of its pipeline).
    #[cfg(test)]
    pub fn compile(d: &Document) -> Result<Lookup, CommandError> {
        Lookup::compile_before(d, &[])
    }

    /// Compiles the stage document of a `$lookup` followed by the stages `rest` of its pipeline. When `rest`
    /// reads only some fields of the joined documents ([`joined_reads`]), the sub-pipeline gets a closing
    /// inclusion `$project` of those: the foreign side is parsed, hashed and copied for those fields only,
    /// never whole (the joined rows then hold what the query reads; mongod's dependency analysis likewise
    /// narrows a `$lookup`'s foreign documents).
    pub fn compile_before(d: &Document, rest: &[Bson]) -> Result<Lookup, CommandError> {
        let narrowed = match (d.get("as"), d.get("pipeline")) {
            (Some(Bson::String(as_field)), None | Some(Bson::Array(_))) => {
                joined_reads(as_field, rest).map(|fields| {
                    let mut d = d.clone();
                    let mut stages = match d.get("pipeline") {
                        Some(Bson::Array(p)) => p.clone(),
                        _ => Vec::new(),
                    };
                    stages.push(Bson::Document(bson::doc! {"$project": inclusion(&fields)}));
                    d.insert("pipeline", stages);
                    d
                })
            }
            _ => None,
        };
        // The stage as given decides what is valid; the narrowed one only replaces it.
        let exact = Lookup::compile_exact(d)?;
        let mut l = narrowed
            .and_then(|n| Lookup::compile_exact(&n).ok())
            .unwrap_or(exact);
        let raw = match d.get("pipeline") {
            Some(Bson::Array(p)) => p.as_slice(),
            _ => &[],
        };
        l.filter = super::join_filter::size_filter(&l.as_field, raw, rest);
        Ok(l)
    }

    /// With the `$match` after it, the stage is a filter keeping the documents whose list is non-empty
    /// (`Some(true)`) or empty ([`join_filter`](super::join_filter)).
    #[cfg(test)]
    pub(super) fn size_filter(&self) -> Option<bool> {
        self.filter.as_ref().map(|f| f.keeps)
    }

    /// The filter the stage and the `$match` after it run as, when they do
    /// ([`join_filter`](super::join_filter)).
    pub(super) fn emptiness_filter(&self) -> Option<&SizeFilter> {
        self.filter.as_ref()
    }

    /// Compiles the stage document as it is.
    fn compile_exact(d: &Document) -> Result<Lookup, CommandError> {
        let s = |k: &str| -> Result<Option<String>, CommandError> {
            match d.get(k) {
                Some(Bson::String(s)) => Ok(Some(s.clone())),
                None => Ok(None),
                Some(_) => Err(CommandError::failed_to_parse(format!(
                    "$lookup argument '{k}' must be a string"
                ))),
            }
        };
        for k in d.keys() {
            if !matches!(
                k.as_str(),
                "from" | "localField" | "foreignField" | "let" | "pipeline" | "as"
            ) {
                return Err(CommandError::failed_to_parse(format!(
                    "unknown argument to $lookup: {k}"
                )));
            }
        }
        let from = s("from")?;
        let local = s("localField")?;
        let foreign = s("foreignField")?;
        let as_field = s("as")?.ok_or_else(|| {
            CommandError::failed_to_parse("must specify 'as' field for a $lookup")
        })?;
        if local.is_some() != foreign.is_some() {
            return Err(CommandError::failed_to_parse("$lookup requires both or neither of 'localField' and 'foreignField' to be specified"));
        }
        let (pipeline, raw) = match d.get("pipeline") {
            Some(Bson::Array(p)) => (Some(Pipeline::compile(p)?), p.as_slice()),
            None => (None, &[][..]),
            Some(_) => {
                return Err(CommandError::failed_to_parse(
                    "$lookup 'pipeline' must be an array",
                ))
            }
        };
        if pipeline.is_none() && local.is_none() {
            return Err(CommandError::failed_to_parse("$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified"));
        }
        if from.is_none() && !pipeline.as_ref().is_some_and(|p| p.starts_with_documents()) {
            return Err(CommandError::failed_to_parse("must specify 'from' field for a $lookup unless its pipeline starts with $documents"));
        }
        let mut lets = Vec::new();
        if let Some(l) = d.get("let") {
            let Bson::Document(l) = l else {
                return Err(CommandError::failed_to_parse(
                    "$lookup 'let' must be an object",
                ));
            };
            for (k, v) in l {
                lets.push((crate::engine::expr::intern(k), Expr::compile(v)?));
            }
        }
        // With localField/foreignField the pipeline runs over each document's matches: nothing to cache.
        let prefix = if local.is_some() {
            0
        } else {
            raw.iter().take_while(|st| !correlated(st, &lets)).count()
        };
        let raw_lets = match d.get("let") {
            Some(Bson::Document(l)) => l.clone(),
            _ => Document::new(),
        };
        let leading_match = match raw.get(prefix) {
            Some(Bson::Document(st)) => match st.get("$match") {
                Some(Bson::Document(m)) => Some(m),
                _ => None,
            },
            _ => None,
        };
        // With localField/foreignField, a leading `$match` that also requires `{$eq: ["$foreign", "$$v"]}`
        // with `v` bound to `"$local"` (the SQL translator's plan) lets the table hash whole values: exact
        // (both conditions are checked) and tighter (an array is not spread into a bucket per element).
        let repeats_local = |path: &String, var: &String| match (&local, &foreign) {
            (Some(l), Some(f)) => {
                f == path && raw_lets.get(var) == Some(&Bson::String(format!("${l}")))
            }
            _ => true,
        };
        let eqs = match leading_match {
            Some(m) => eq_keys(m, &lets)?,
            None => Vec::new(),
        };
        // With `localField` too (the translator's correlated `x IN (SELECT ...)` probe: `localField` on x, the
        // correlation's equalities beside it), the bucket of x alone would hold every row with that value.
        let mut more_keys = Vec::new();
        for k in eqs.iter().skip(1) {
            if eqs.first().is_some_and(|f| f.path == k.path) {
                continue;
            }
            more_keys.push(k.clone());
        }
        let key = eqs
            .into_iter()
            .next()
            .filter(|k| (k.plain || local.is_none()) && repeats_local(&k.path, &k.var));
        // The joined field the leading `$match` requires to be neither null nor missing (the translator's
        // NULL guard): foreign documents without a value never pass, so the table leaves them out.
        let non_null = key
            .as_ref()
            .map(|k| k.path.clone())
            .or_else(|| foreign.clone())
            .filter(|f| !f.contains('.'))
            .filter(|f| leading_match.is_some_and(|m| requires_value(m, f)));
        let split = match (&key, leading_match) {
            (Some(_), Some(m)) => join_split::split(m, |c| correlated(c, &lets))?,
            _ => None,
        };
        // What the sub-pipeline reads of a foreign document, plus what the stage itself reads of one: the
        // foreign field, and the key and guarded field when no prefix stands between them and the collection.
        let mut reads = Vec::new();
        let reads = crate::engine::fields::pipeline_fields(raw, &mut reads).then(|| {
            let at_source = [key.as_ref().map(|k| &k.path), non_null.as_ref()];
            let extra = at_source.into_iter().filter(|_| prefix == 0);
            for path in extra.chain([foreign.as_ref()]).flatten() {
                let top = path.split('.').next().unwrap_or(path);
                if !reads.iter().any(|x| x == top) {
                    reads.push(top.to_string());
                }
            }
            reads
        });
        let memoizable = !raw.iter().any(|st| correlated(st, &[]));
        // The prefix's closing `$project`, deferred to the candidates when it cannot fail.
        let lazy = match (&key, &local, leading_match, prefix.checked_sub(1)) {
            (Some(_), None, Some(m), Some(last)) => match raw.get(last) {
                Some(Bson::Document(st)) if st.len() == 1 => match st.get("$project") {
                    Some(Bson::Document(spec)) => LazyProject::plan(spec, m),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let lazy = lazy.map(|mut z| {
            let keys: Vec<&EqKey> = key.iter().chain(more_keys.iter()).collect();
            z.key_directly(&keys, non_null.as_deref(), split.is_some());
            z
        });
        Ok(Lookup {
            filter: None,
            lazy,
            memoizable,
            reads,
            split,
            from,
            local,
            foreign,
            lets,
            pipeline,
            as_field,
            prefix,
            key,
            more_keys,
            non_null,
        })
    }

    /// Whether the prefix's closing `$project` is deferred to the candidates ([`join_lazy`](super::join_lazy)).
    #[cfg(test)]
    pub(super) fn defers_projection(&self) -> bool {
        self.lazy.is_some()
    }

    /// The field the joined documents land in.
    pub(super) fn as_field(&self) -> &str {
        &self.as_field
    }

    /// Runs the join.
    pub fn run(
        &self,
        docs: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let mut exec = self.start(catalog, vars);
        exec.expect_outer(docs.len());
        let mut out = Vec::with_capacity(docs.len());
        for mut d in docs {
            crate::engine::ops::check()?;
            let matched = owned(exec.matches(&d)?);
            set_field(&mut d, &self.as_field, self.joined_array(matched)?);
            out.push(d);
        }
        Ok(out)
    }

    /// The `as` array of one outer document: mongod's 4568 when the matched documents total more than its
    /// `internalLookupStageIntermediateDocumentMaxSizeBytes` (100 MB; an intermediate document may pass
    /// 16 MB, as in mongod, when later stages cut it down). A `$lookup` whose `$unwind` is absorbed builds
    /// no array and is not bounded here.
    pub(super) fn joined_array(&self, matched: Vec<Document>) -> Result<Bson, CommandError> {
        let limit = crate::engine::limits::MAX_INTERMEDIATE_BYTES;
        let mut total = 0usize;
        for m in &matched {
            total = total.saturating_add(crate::engine::limits::shape(m).bytes);
            if total > limit {
                return Err(CommandError::location(
                    4568,
                    format!(
                        "Total size of documents in {} matching pipeline's $lookup stage exceeds {limit} bytes",
                        self.from.as_deref().unwrap_or("$documents")
                    ),
                ));
            }
        }
        Ok(Bson::Array(
            matched.into_iter().map(Bson::Document).collect(),
        ))
    }

    /// Starts one execution of the stage (its caches live as long as the returned value).
    pub(super) fn start<'a>(&'a self, catalog: &'a dyn Catalog, vars: &'a Vars) -> Exec<'a> {
        Exec {
            lookup: self,
            catalog,
            vars,
            base: None,
            table: None,
            whole: None,
            memo: Memo::default(),
            outer: None,
            counting: false,
        }
    }

    /// The reference nested loop (every foreign document against every outer document, the whole pipeline
    /// per outer document): what [`Exec::matches`] must equal.
    #[cfg(test)]
    pub(super) fn matches_nested_loop(
        &self,
        d: &Document,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let foreign_docs = match &self.from {
            Some(f) => catalog.scan(f)?,
            None => Vec::new(),
        };
        let mut matched: Vec<Document> = match (&self.local, &self.foreign) {
            (Some(l), Some(f)) => {
                let locals = values_at(d, l);
                foreign_docs
                    .into_iter()
                    .filter(|fd| equality_holds(&locals, fd, f))
                    .collect()
            }
            _ => foreign_docs,
        };
        if let Some(p) = &self.pipeline {
            matched = p.run(matched, catalog, &self.inner_vars(d, vars)?)?;
        }
        Ok(matched)
    }

    /// `vars` plus the `let` variables evaluated on the outer document `d`.
    fn inner_vars(&self, d: &Document, vars: &Vars) -> Result<Vars, CommandError> {
        Ok(self.bind(vars, self.let_values(d, vars)?))
    }

    /// The `let` values of outer document `d` (null where an expression gives nothing).
    fn let_values(&self, d: &Document, vars: &Vars) -> Result<Vec<Bson>, CommandError> {
        let mut values = Vec::with_capacity(self.lets.len());
        for (_, e) in &self.lets {
            values.push(e.eval(d, vars)?.unwrap_or(Bson::Null));
        }
        Ok(values)
    }

    /// `vars` plus the `let` variables bound to `values` (from [`let_values`](Self::let_values)).
    fn bind(&self, vars: &Vars, values: Vec<Bson>) -> Vars {
        let mut inner = vars.clone();
        for ((name, _), v) in self.lets.iter().zip(values) {
            inner.push_shared(name, v);
        }
        inner
    }
}

/// The joined documents of one outer document: shared with the stage's caches (the uncorrelated result, the
/// memo), so that an outer document served from them costs no copy of the list.
pub(super) type Matched = Rc<Vec<Document>>;

/// The documents of `m`, moved out when nothing else holds them, else copied.
pub(super) fn owned(m: Matched) -> Vec<Document> {
    Rc::try_unwrap(m).unwrap_or_else(|m| (*m).clone())
}

/// One execution of a `$lookup` stage: what it computed once, for every outer document.
pub(super) struct Exec<'a> {
    lookup: &'a Lookup,
    catalog: &'a dyn Catalog,
    vars: &'a Vars,
    /// The output of the uncorrelated prefix (the foreign collection when the prefix is empty).
    base: Option<Vec<Document>>,
    /// `base` by the hash of the join key.
    table: Option<HashTable>,
    /// The whole result, when nothing depends on the outer document.
    whole: Option<Matched>,
    /// For a [memoizable](Lookup::memoizable) stage: the result for each tuple of `let` and `localField`
    /// values seen ([`Memo`]).
    memo: Memo,
    /// How many outer documents the stage will see, when the caller knows it ([`Exec::expect_outer`]).
    outer: Option<usize>,
    /// Only whether each outer document's list is empty is read ([`Exec::count_only`]).
    counting: bool,
}

/// At most this many outer documents, a correlated `$lookup` with no index to probe scans the foreign
/// collection per outer document through its leading `$match` (fields parsed only as the filter needs them,
/// the matches whole: mongod's nested loop) instead of parsing every foreign document whole into a hash
/// table once: one session joined to a cache of 20k entries reads 20k `priority` fields, not 20k documents.
const FEW_OUTER: usize = 2;

impl Exec<'_> {
    /// Tells the execution how many outer documents it will be asked for (a hint: any number may still
    /// come; a few take the per-document scan of [`FEW_OUTER`]).
    pub(super) fn expect_outer(&mut self, n: usize) {
        self.outer = Some(n);
    }

    /// Tells the execution that only whether each list is empty is read from now on (`join_filter`): the
    /// sub-pipeline's closing projections of reads are not made ([`Stream::counting`]), the lists hold empty
    /// documents.
    pub(super) fn count_only(&mut self) {
        self.counting = true;
    }

    /// The joined documents of outer document `d`, in the nested loop's order.
    ///
    /// The candidates (an index probe, a hash bucket, the cached prefix) are borrowed and streamed into the
    /// sub-pipeline ([`Stream`]): only those its leading `$match` keeps are copied, and a `$limit` that is
    /// full (EXISTS' `$limit: 1`) ends the walk.
    pub(super) fn matches(&mut self, d: &Document) -> Result<Matched, CommandError> {
        let l = self.lookup;
        let uncorrelated =
            l.local.is_none() && l.pipeline.as_ref().is_some_and(|p| l.prefix == p.len());
        if !l.memoizable || uncorrelated || !self.memo.in_use(self.table.is_some()) {
            return self.compute(d, None);
        }
        // The result is a function of the `let` values and the `localField` values: outer documents with the
        // same ones share it.
        let lets = l.let_values(d, self.vars)?;
        let locals = l
            .local
            .as_deref()
            .map(|lf| values_at(d, lf))
            .unwrap_or_default();
        let hash = join_memo::key_hash(&lets, &locals);
        if let Some(hit) = self.memo.get(hash, &lets, &locals) {
            return Ok(hit);
        }
        // The `let` values are evaluated once per outer document: a copy is kept with the result.
        let out = self.compute(d, Some(lets.clone()))?;
        self.memo.keep(hash, lets, locals, &out);
        Ok(out)
    }

    /// [`matches`](Self::matches) computed (not from the memo); `lets`: the `let` values of `d` when the
    /// caller evaluated them already.
    fn compute(&mut self, d: &Document, lets: Option<Vec<Bson>>) -> Result<Matched, CommandError> {
        let l = self.lookup;
        let vars = self.vars;
        let inner_vars = |lets: Option<Vec<Bson>>| match lets {
            Some(values) => Ok(l.bind(vars, values)),
            None => l.inner_vars(d, vars),
        };
        let catalog = self.catalog;
        let Some(p) = &l.pipeline else {
            let mut out = Vec::new();
            self.equality_each(d, &mut |fd| {
                out.push(fd.clone());
                Ok(true)
            })?;
            return Ok(Rc::new(out));
        };
        if l.local.is_some() && l.key.is_none() {
            let inner = inner_vars(lets)?;
            let mut stream = Stream::new(p, 0).counting(self.counting);
            self.equality_each(d, &mut |fd| stream.push(fd, catalog, &inner))?;
            return Ok(Rc::new(stream.finish(catalog, &inner)?));
        }
        if l.prefix == p.len() {
            if self.whole.is_none() {
                // Uncorrelated: once per execution, as an aggregate of its own when the catalog runs one
                // (`WITH a AS (SELECT COUNT(*) ...)` joined: the record count).
                if let Some(run) = l.from.as_deref().and_then(|f| catalog.aggregate(f, &p.raw)) {
                    self.whole = Some(Rc::new(run?));
                    return Ok(self.whole.clone().unwrap_or_default());
                }
                // Else the foreign collection streamed in (an EXISTS'
                // `$limit: 1` reads up to the first match); a leading `$match` an index narrows reads only
                // the documents the index gives (the stream still applies it).
                let mut stream = Stream::new(p, 0).counting(self.counting);
                if let Some(f) = &l.from {
                    let reads = l.reads.as_deref();
                    let mut each = |fd: &Document| stream.push(fd, catalog, self.vars);
                    match p.leading_match() {
                        Some(m) => catalog.scan_filtered_each(f, m, self.vars, reads, &mut each)?,
                        None => catalog.scan_each(f, reads, &mut each)?,
                    }
                }
                self.whole = Some(Rc::new(stream.finish(catalog, self.vars)?));
            }
            return Ok(self.whole.clone().unwrap_or_default());
        }
        let inner = inner_vars(lets)?;
        if let Some(out) = self.few_outer(p, &inner)? {
            return Ok(Rc::new(out));
        }
        Ok(Rc::new(self.correlated(d, &inner)?))
    }

    /// With at most [`FEW_OUTER`] outer documents expected and no table built yet, a stage whose leading
    /// `$match` is correlated and reads the collection itself (no prefix, no `localField`), and that no
    /// index probe serves: the whole sub-pipeline over a filtered scan of the foreign collection (the
    /// nested loop, with the filter's fields parsed first). `None` when another path serves.
    fn few_outer(&self, p: &Pipeline, inner: &Vars) -> Result<Option<Vec<Document>>, CommandError> {
        let l = self.lookup;
        let few = self.outer.is_some_and(|n| n <= FEW_OUTER);
        let (Some(from), Some(m)) = (l.from.as_deref(), p.leading_match()) else {
            return Ok(None);
        };
        if !few || self.table.is_some() || l.prefix != 0 || l.local.is_some() {
            return Ok(None);
        }
        // An index on the key serves each probe better (a probe for no value visits nothing: it only asks
        // whether one serves).
        let indexed = |k: &EqKey| {
            k.plain
                && self
                    .catalog
                    .probe_each(from, &k.path, &[], None, &mut |_| Ok(false))
                    .is_some()
        };
        if l.key.as_ref().is_some_and(indexed) {
            return Ok(None);
        }
        let catalog = self.catalog;
        let mut stream = Stream::new(p, 0).counting(self.counting);
        let reads = l.reads.as_deref();
        catalog.scan_filtered_each(from, m, inner, reads, &mut |fd| {
            stream.push(fd, catalog, inner)
        })?;
        Ok(Some(stream.finish(catalog, inner)?))
    }

    /// Hands `each` the `localField`/`foreignField` matches of `d` (before any pipeline), in natural order,
    /// until it returns `Ok(false)`.
    fn equality_each(
        &mut self,
        d: &Document,
        each: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
    ) -> Result<(), CommandError> {
        let l = self.lookup;
        let (Some(local), Some(foreign)) = (&l.local, &l.foreign) else {
            return Ok(());
        };
        let locals = values_at(d, local);
        let non_null = l.non_null.as_deref();
        // Only null local values with the foreign field required non-null: what equals them (null or
        // missing foreign values) never passes (see `correlated`).
        if non_null.is_some() && locals.iter().all(|v| *v == Bson::Null) {
            return Ok(());
        }
        let mut matching = |fd: &Document| {
            if non_null.is_some_and(|f| lacks_value(fd, f)) || !equality_holds(&locals, fd, foreign)
            {
                Ok(true)
            } else {
                each(fd)
            }
        };
        if let Some(r) = self.probe_each(true, foreign, &locals, &mut matching) {
            return r;
        }
        self.ensure_table(|doc, _| {
            if non_null.is_some_and(|f| lacks_value(doc, f)) {
                return Ok(Vec::new());
            }
            Ok(values_at(doc, foreign))
        })?;
        for fd in self.bucket(&locals) {
            crate::engine::ops::check()?;
            if !matching(fd)? {
                break;
            }
        }
        Ok(())
    }

    /// Hands `each` the foreign documents whose top-level `field` may equal one of `values`, from the
    /// foreign collection's index, until it returns `Ok(false)`; `None` when that cannot serve (a prefix
    /// runs first, a dotted path, an array value, no index). Only the fields the stage reads are parsed, as
    /// for the hash table's documents ([`initial`](Self::initial)).
    fn probe_each(
        &self,
        at_source: bool,
        field: &str,
        values: &[Bson],
        each: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
    ) -> Option<Result<(), CommandError>> {
        let from = self.lookup.from.as_deref()?;
        if !at_source || field.contains('.') || values.iter().any(|v| matches!(v, Bson::Array(_))) {
            return None;
        }
        let reads = self.lookup.reads.as_deref();
        self.catalog.probe_each(from, field, values, reads, each)
    }

    /// The documents the pipeline starts from: the foreign collection, or none (`$documents`).
    fn initial(&self) -> Result<Vec<Document>, CommandError> {
        match (&self.lookup.from, &self.lookup.reads) {
            (Some(f), Some(fields)) => self.catalog.scan_fields(f, fields),
            (Some(f), None) => self.catalog.scan(f),
            (None, _) => Ok(Vec::new()),
        }
    }

    fn ensure_base(&mut self) -> Result<(), CommandError> {
        if self.base.is_none() {
            // A deferred `$project` closing the prefix (join_lazy) is left to the candidates.
            let end = self.lookup.prefix - usize::from(self.lookup.lazy.is_some());
            let base = match (&self.lookup.pipeline, &self.lookup.from) {
                // A leading `$match` decided by the scan (source_scan).
                (Some(p), Some(f)) if end > 0 => {
                    let reads = self.lookup.reads.as_deref();
                    super::source_scan::run_over(self.catalog, f, reads, p, end, self.vars)?
                }
                (Some(p), None) if end > 0 => {
                    p.run_range(0, end, self.initial()?, self.catalog, self.vars)?
                }
                _ => self.initial()?,
            };
            self.base = Some(base);
        }
        Ok(())
    }

    fn ensure_table(
        &mut self,
        keys: impl Fn(&Document, &Vars) -> Result<Vec<Bson>, CommandError>,
    ) -> Result<(), CommandError> {
        if self.table.is_some() {
            return Ok(());
        }
        self.ensure_base()?;
        let base = self.base.as_deref().unwrap_or_default();
        let mut keyed = Vec::with_capacity(base.len());
        for doc in base {
            crate::engine::ops::check()?;
            keyed.push(keys(doc, self.vars)?);
        }
        self.table = Some(HashTable::build(keyed.len(), |i| {
            std::mem::take(&mut keyed[i])
        }));
        Ok(())
    }

    /// The base documents in the buckets of `values`, borrowed, in natural order.
    fn bucket<'s>(&'s self, values: &[Bson]) -> impl Iterator<Item = &'s Document> + 's {
        let base = self.base.as_deref().unwrap_or_default();
        let ids = match &self.table {
            Some(table) => table.candidates(values),
            None => std::borrow::Cow::Borrowed(&[][..]),
        };
        (0..ids.len()).filter_map(move |k| base.get(ids[k]))
    }
}

/// Whether a pipeline stage reads one of the `let` variables (or is not deterministic): it must run per
/// outer document. Conservative: any string `$$name...` naming a variable counts.
pub(super) fn correlated(stage: &Bson, lets: &[(Arc<str>, Expr)]) -> bool {
    match stage {
        Bson::String(s) => s.strip_prefix("$$").is_some_and(|rest| {
            let name = rest.split('.').next().unwrap_or_default();
            lets.iter().any(|(n, _)| &**n == name)
        }),
        Bson::Document(d) => d
            .iter()
            .any(|(k, v)| matches!(k.as_str(), "$sample" | "$rand") || correlated(v, lets)),
        Bson::Array(items) => items.iter().any(|x| correlated(x, lets)),
        _ => false,
    }
}

/// Whether a document lacks a value at top-level `field` (null, undefined or missing: what `$ifNull` replaces).
fn lacks_value(d: &Document, field: &str) -> bool {
    matches!(
        d.get(field),
        None | Some(Bson::Null) | Some(Bson::Undefined)
    )
}

#[path = "join_correlated.rs"]
mod correlated;
