//! The correlated walk of a `$lookup` (`pipeline/join.rs`): the sub-pipeline of a stage whose `let`
//! variables change per outer document, run for one outer document over its candidates (an index probe, a
//! bucket of the hash table of the cached prefix, or the prefix whole), the correlated rest of a split
//! `$match` decided per candidate. A child of `join.rs`: it reads the execution's state in place.

use super::*;

impl Exec<'_> {
    /// The sub-pipeline of a correlated stage for outer document `d`, whose `let` variables are in `inner`.
    pub(super) fn correlated(
        &mut self,
        d: &Document,
        inner: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let l = self.lookup;
        let catalog = self.catalog;
        let Some(p) = &l.pipeline else {
            return Ok(Vec::new());
        };
        // A split `$match` is decided here (its uncorrelated part by the table), so the stream starts after it.
        let split = l.split.as_ref();
        let mut stream =
            Stream::new(p, l.prefix + usize::from(split.is_some())).counting(self.counting);
        match &l.key {
            Some(key) => {
                let v = key.outer_value(inner)?;
                let values = std::slice::from_ref(&v);
                // Several join columns: the table is keyed by the tuple of their values.
                let more = &l.more_keys;
                let tuple = if more.is_empty() {
                    None
                } else {
                    let mut t = Vec::with_capacity(more.len() + 1);
                    t.push(v.clone());
                    for k in more {
                        t.push(k.outer_value(inner)?);
                    }
                    Some(Bson::Array(t))
                };
                // With localField/foreignField too, a candidate must also pass their equality.
                let locals = l.local.as_deref().map(|lf| values_at(d, lf));
                let foreign = l.foreign.as_deref();
                let non_null = l.non_null.as_deref();
                // A null key with the key field required non-null: the only documents equal to it (null or
                // missing key: an index probe for null gives exactly those) all fail that requirement, so no
                // candidate passes. Not probed at all: an anonymous session (`user_id` NULL) joined on
                // `user_id` would otherwise visit every other anonymous one.
                if non_null.is_some() && v == Bson::Null {
                    return stream.finish(catalog, inner);
                }
                let vars = self.vars;
                // The split's conjuncts on the outer values alone, decided at the first candidate.
                let mut outer_ok: Option<bool> = None;
                let empty = Document::new();
                // `filtered`: the candidate comes from the table, which holds only documents passing the
                // uncorrelated part of a split `$match`.
                let mut each = |fd: &Document, filtered: bool| {
                    if non_null.is_some_and(|f| lacks_value(fd, f)) {
                        return Ok(true);
                    }
                    if let (Some(locals), Some(f)) = (&locals, foreign) {
                        if !equality_holds(locals, fd, f) {
                            return Ok(true);
                        }
                    }
                    if let Some(s) = split {
                        if !filtered && !s.pre.matches(fd, vars)? {
                            return Ok(true);
                        }
                        if let Some(o) = &s.outer {
                            let ok = match outer_ok {
                                Some(ok) => ok,
                                None => *outer_ok.insert(o.matches(&empty, inner)?),
                            };
                            if !ok {
                                // No candidate passes: the walk ends.
                                return Ok(false);
                            }
                        }
                        if !s.residual.matches(fd, inner)? {
                            return Ok(true);
                        }
                    }
                    stream.push(fd, catalog, inner)
                };
                let at_source = l.prefix == 0 && key.plain;
                match self.probe_each(at_source, &key.path, values, &mut |fd| each(fd, false)) {
                    Some(r) => r?,
                    None => {
                        let lazy = l.lazy.as_ref();
                        self.ensure_table(|doc, vars| {
                            // Deferred projection: decided on the projected values of the fields read
                            // (the keys straight from their sources when nothing else is read).
                            let view;
                            let doc = match lazy {
                                Some(z) => {
                                    if let Some(keys) = z.table_keys(doc, vars)? {
                                        return Ok(keys);
                                    }
                                    view = z.view(doc, vars)?;
                                    &view
                                }
                                None => doc,
                            };
                            if non_null.is_some_and(|f| lacks_value(doc, f)) {
                                return Ok(Vec::new());
                            }
                            if let Some(s) = split {
                                if !s.pre.matches(doc, vars)? {
                                    return Ok(Vec::new());
                                }
                            }
                            let first = key.foreign.eval(doc, vars)?.unwrap_or(Bson::Null);
                            if more.is_empty() {
                                return Ok(vec![first]);
                            }
                            let mut t = Vec::with_capacity(more.len() + 1);
                            t.push(first);
                            for k in more {
                                t.push(k.foreign.eval(doc, vars)?.unwrap_or(Bson::Null));
                            }
                            Ok(vec![Bson::Array(t)])
                        })?;
                        let probe = tuple.as_ref().map_or(values, std::slice::from_ref);
                        // The prefix's deferred `$project` (join_lazy), at the stage before the `$match`.
                        let deferred = match (&l.lazy, l.prefix.checked_sub(1)) {
                            (Some(_), Some(k)) => match p.stages.get(k) {
                                Some(super::super::Stage::Project(proj)) => Some(proj),
                                _ => None,
                            },
                            _ => None,
                        };
                        for fd in self.bucket(probe) {
                            crate::engine::ops::check()?;
                            let projected;
                            let fd = match deferred {
                                Some(proj) => {
                                    projected = p.project_one(proj, fd, vars)?;
                                    &projected
                                }
                                None => fd,
                            };
                            if !each(fd, true)? {
                                break;
                            }
                        }
                    }
                }
            }
            None => {
                self.ensure_base()?;
                for fd in self.base.iter().flatten() {
                    if !stream.push(fd, catalog, inner)? {
                        break;
                    }
                }
            }
        }
        stream.finish(catalog, inner)
    }
}
