//! Scans: the documents of a collection or view that match a filter, an index narrowing the scan when one
//! serves it, parsing only the fields the filter and the caller read (`Reads`).

use super::*;

/// The documents of a collection or view (a view's pipeline applied) that match `filter`, cloned only
/// when they match; an index narrows the scan when one serves the filter. `limit` stops early (0 = all).
pub(crate) fn source_docs(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
) -> Result<Vec<Document>, CommandError> {
    source_matching(state, db, name, filter, vars, 0)
}

pub(crate) fn source_matching(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    limit: usize,
) -> Result<Vec<Document>, CommandError> {
    let mut out = Vec::new();
    scan_matching_owned(state, db, name, filter, vars, Reads::All, &mut |d| {
        out.push(d);
        Ok(limit > 0 && out.len() >= limit)
    })?;
    Ok(out)
}

/// What a scan's visitor reads of each matching document.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reads<'a> {
    /// The whole document.
    All,
    /// Only these fields (the others may be absent from the document the visitor gets): top-level names, or
    /// dotted paths (the value at a path is all the visitor reads of the field it starts with, whose other
    /// parts may be absent).
    Fields(&'a [String]),
}

/// Calls `visit` with every document of a collection or view that matches `filter`; an index narrows the
/// scan when one serves the filter. `visit` returns `true` to stop. Stored documents are BSON bytes: only the
/// fields the filter and the visitor read (`reads`) are parsed, and the rest of a document only when it
/// matches and the visitor reads everything.
pub(crate) fn scan_matching(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    reads: Reads<'_>,
    visit: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
) -> Result<(), CommandError> {
    scan_matching_ids(state, db, name, filter, vars, reads, &mut |_, d| visit(d))
}

/// [`scan_matching`] handing each document over to keep: a visitor that collects the documents takes them
/// as parsed, with no copy.
pub(crate) fn scan_matching_owned(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    reads: Reads<'_>,
    visit: &mut dyn FnMut(Document) -> Result<bool, CommandError>,
) -> Result<(), CommandError> {
    scan_matching_ids(state, db, name, filter, vars, reads, &mut |_, d| {
        visit(std::mem::take(d))
    })
}

/// The stored documents of collection `name` that match `filter` (`limit` > 0 stops early), shared, not
/// copied: what a `find` without sort or projection hands its cursor. `None` for a view.
pub(crate) fn matching_stored(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    limit: usize,
) -> Result<Option<Vec<crate::engine::storage::Stored>>, CommandError> {
    let (base, view_pipeline) = resolve_view(state, db, name)?;
    if !view_pipeline.is_empty() || base != name {
        return Ok(None);
    }
    let Some(coll) = get_coll(state, db, name) else {
        return Ok(Some(Vec::new()));
    };
    let mut out = Vec::new();
    scan_matching_ids(
        state,
        db,
        name,
        filter,
        vars,
        Reads::Fields(&[]),
        &mut |rid, _| {
            if let Some(s) = rid.and_then(|r| coll.stored(r)) {
                out.push(s.clone());
            }
            Ok(limit > 0 && out.len() >= limit)
        },
    )?;
    Ok(Some(out))
}

/// A scan visitor that also gets each document's record id (`None` for a view's output); `true` stops. It may
/// take the document (the scan then parses the next one afresh).
type IdVisitor<'a> = dyn FnMut(Option<crate::engine::storage::RecordId>, &mut Document) -> Result<bool, CommandError>
    + 'a;

/// [`scan_matching`] whose visitor also gets the record id of each document (`None` for a view's output).
pub(crate) fn scan_matching_ids(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    reads: Reads<'_>,
    visit: &mut IdVisitor<'_>,
) -> Result<(), CommandError> {
    scan_in_order(state, db, name, filter, vars, reads, None, visit)
}

/// [`scan_matching_ids`], a full scan reading its records in `order` (by walking an index on its field)
/// instead of natural order when an index can place every record (`scan_order.rs`); when a hint or an
/// index serving the filter decides the records, as [`scan_matching_ids`].
#[allow(clippy::too_many_arguments)]
pub(super) fn scan_in_order(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    reads: Reads<'_>,
    order: Option<&super::index_order::Order>,
    visit: &mut IdVisitor<'_>,
) -> Result<(), CommandError> {
    let filter = filter.filter(|f| !f.is_empty());
    let matcher = match filter {
        Some(f) => Some(crate::engine::matcher::Matcher::compile(f)?),
        None => None,
    };
    let (base, view_pipeline) = resolve_view(state, db, name)?;
    let coll = get_coll(state, db, &base);
    if !view_pipeline.is_empty() {
        // A view on a missing collection still runs its pipeline, over no documents (a `$facet` or
        // `$unionWith` stage can still produce some), as mongod does.
        let docs: Vec<Document> = coll
            .map(|c| c.iter().map(|(_, d)| d).collect())
            .unwrap_or_default();
        let p = Pipeline::compile(&view_pipeline)?;
        for mut d in p.run(
            docs,
            &StateCatalog {
                state,
                db,
                vars,
                sub: None,
            },
            vars,
        )? {
            let keep = match &matcher {
                Some(m) => m.matches(&d, vars)?,
                None => true,
            };
            if keep && visit(None, &mut d)? {
                break;
            }
        }
        return Ok(());
    }
    let Some(coll) = coll else {
        return Ok(());
    };
    // The fields to parse for matching (None: all) and whether the visitor needs the whole document after;
    // the paths the filter and the visitor read (embedded documents are decoded along them only).
    let mut match_fields = Vec::new();
    let mut paths = Vec::new();
    let filter_known = match filter {
        Some(f) => {
            crate::engine::fields::filter_fields(f, &mut match_fields)
                && crate::engine::fields::filter_paths(f, &mut paths)
        }
        None => true,
    };
    // `after`: the visitor reads fields the filter does not: they are parsed once a document matches, not
    // before (a correlated sub-pipeline's `$expr` on one field of a 200k-document collection reads that
    // field of each, and the joined columns of the few that match).
    let mut after = false;
    let (partial, full_after): (Option<Vec<String>>, bool) = match (filter_known, reads) {
        (false, _) => (None, false),
        (true, Reads::All) if matcher.is_none() => (None, false),
        (true, Reads::All) => (Some(match_fields), true),
        (true, Reads::Fields(v))
            if matcher.is_some() && top_level(v).iter().any(|f| !match_fields.contains(f)) =>
        {
            after = true;
            (Some(match_fields), false)
        }
        (true, Reads::Fields(v)) => {
            for f in top_level(v) {
                if !match_fields.contains(&f) {
                    match_fields.push(f);
                }
            }
            paths.extend(v.iter().cloned());
            (Some(match_fields), false)
        }
    };
    // One document buffer for the parsed fields, reused from one stored document to the next.
    let mut buf = Document::new();
    let mut after_buf = Document::new();
    let mut reader = partial.as_ref().map(|fields| {
        let mut r = crate::engine::fields::FieldValues::new(fields.clone());
        r.prune_to(&paths);
        r
    });
    // A hint decides the records read and their order; otherwise an index that serves the filter narrows them.
    let candidates =
        match hint::take(db, &base).and_then(|h| hint::hinted_records(coll, &h, filter)) {
            Some(rids) => Some(rids),
            None => filter.and_then(|f| coll.candidates(f)),
        };
    // On a full scan, a filter of top-level field predicates is first decided on those fields read from the
    // bytes: a rejected document is never parsed (the same predicates as the matcher, on the same values).
    // An index lookup visits few documents: not worth preparing for.
    // Its row decodes no embedded document that its predicates decide by type alone (`$ne: null`, `$exists`,
    // `$type`: `shallow_slots`), and a document it accepts is read for the visitor's fields only.
    let mut prefilter = matcher
        .as_ref()
        .filter(|_| candidates.is_none())
        .and_then(|m| {
            let mut fields = Vec::new();
            crate::engine::matcher::top_level::TopLevelFilter::from_matcher(m, &mut fields).map(
                |t| {
                    let mut row = crate::engine::fields::FieldValues::new(fields);
                    row.shallow_documents(t.shallow_slots(row.names().len()));
                    (t, row)
                },
            )
        });
    let mut visit_reader = match (&prefilter, reads) {
        (Some(_), Reads::Fields(v)) if !full_after => {
            let mut r = crate::engine::fields::FieldValues::new(top_level(v));
            r.prune_to(v);
            Some(r)
        }
        _ => None,
    };
    // With `after` and no prefilter: the visitor's fields of a matching document, into a buffer of their own.
    let mut after_reader = match reads {
        Reads::Fields(v) if after => {
            let mut r = crate::engine::fields::FieldValues::new(top_level(v));
            r.prune_to(v);
            Some(r)
        }
        _ => None,
    };
    let mut step = |rid: crate::engine::storage::RecordId,
                    raw: &bson::RawDocument|
     -> Result<bool, CommandError> {
        crate::engine::ops::check()?;
        let mut decided = false;
        if let Some((top, row)) = &mut prefilter {
            if row.read(raw).is_some() {
                if !top.matches(row, vars)? {
                    return Ok(false);
                }
                if full_after {
                    let mut whole = crate::engine::storage::collection::parse(raw);
                    return visit(Some(rid), &mut whole);
                }
                if let Some(r) = &mut visit_reader {
                    if r.read(raw).is_some() {
                        r.move_into(&mut buf);
                    } else {
                        parse_fields_into(raw, r.names(), &mut buf)?;
                    }
                    return visit(Some(rid), &mut buf);
                }
                decided = true;
            }
        }
        let mut full;
        let doc = match &mut reader {
            Some(reader) => {
                if reader.read(raw).is_some() {
                    reader.move_into(&mut buf);
                } else {
                    parse_fields_into(raw, reader.names(), &mut buf)?;
                }
                &mut buf
            }
            None => {
                full = crate::engine::storage::collection::parse(raw);
                &mut full
            }
        };
        if let Some(m) = matcher.as_ref().filter(|_| !decided) {
            if !m.matches(doc, vars)? {
                return Ok(false);
            }
        }
        if full_after {
            let mut whole = crate::engine::storage::collection::parse(raw);
            visit(Some(rid), &mut whole)
        } else if let Some(r) = &mut after_reader {
            if r.read(raw).is_some() {
                r.move_into(&mut after_buf);
            } else {
                parse_fields_into(raw, r.names(), &mut after_buf)?;
            }
            visit(Some(rid), &mut after_buf)
        } else {
            visit(Some(rid), doc)
        }
    };
    // A full scan ahead of a sort on an indexed field reads in that index's order (`scan_order.rs`).
    let in_order = match (&candidates, order) {
        (None, Some(o)) => super::scan_order::records_in_order(coll, o)?,
        _ => None,
    };
    match candidates.or(in_order) {
        Some(rids) => {
            for r in rids {
                if let Some(raw) = coll.get_raw(r) {
                    if step(r, raw)? {
                        break;
                    }
                }
            }
        }
        None => {
            for (rid, raw) in coll.iter_raw() {
                if step(rid, raw)? {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// The top-level fields of `paths` (their first components), each once, in order.
/// The top-level field names the `paths` start with, each once, in order.
pub(crate) fn top_level(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        let name = p.split('.').next().unwrap_or(p);
        if !out.iter().any(|f| f == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// Puts the named top-level fields of stored BSON bytes into `out`, in document order. When `out` already
/// holds the same fields in the same order (documents of one shape), only the values are replaced: no key
/// is allocated and the map is not rebuilt.
pub(crate) fn parse_fields_into(
    raw: &bson::RawDocument,
    fields: &[String],
    out: &mut Document,
) -> Result<(), CommandError> {
    if fields.is_empty() {
        out.clear();
        return Ok(());
    }
    let mut found: Vec<(&str, Bson)> = Vec::with_capacity(fields.len());
    for elem in raw.iter_elements() {
        let elem = elem.map_err(corrupt)?;
        let key = elem.key().as_str();
        if fields.iter().any(|f| f == key) {
            found.push((
                key,
                crate::engine::bson_decode::try_element(elem).map_err(corrupt)?,
            ));
            if found.len() == fields.len() {
                break;
            }
        }
    }
    let same_shape = out.len() == found.len() && out.keys().zip(&found).all(|(k, (f, _))| k == f);
    if same_shape {
        for ((_, slot), (_, v)) in out.iter_mut().zip(found) {
            *slot = v;
        }
    } else {
        out.clear();
        for (k, v) in found {
            out.insert(k, v);
        }
    }
    Ok(())
}

pub(crate) fn corrupt(e: bson::error::Error) -> CommandError {
    CommandError::new(
        ErrorCode::InternalError,
        format!("stored document unreadable: {e}"),
    )
}
