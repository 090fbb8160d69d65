//! String operators: `$concat $toLower $toUpper $substrCP $substrBytes $strLenCP $strLenBytes $indexOfCP
//! $indexOfBytes $split $strcasecmp $trim $ltrim $rtrim $replaceAll $replaceOne $regexMatch $regexFind
//! $regexFindAll`. Code-point operators count Unicode scalar values, byte operators UTF-8 bytes.

use super::ops::eval_named_arg;
use super::{err, nullish, Node, Op, Vars};
use crate::engine::bson_order::type_name;
use crate::engine::numeric::Num;
use crate::engine::CommandError;
use bson::{doc, Bson, Document};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

fn tname(v: &Option<Bson>) -> &'static str {
    v.as_ref().map(type_name).unwrap_or("missing")
}

fn int_arg(v: &Option<Bson>, what: &str) -> Result<i64, CommandError> {
    v.as_ref()
        .and_then(Num::from_bson)
        .and_then(|n| n.to_i64_exact())
        .ok_or_else(|| {
            err(
                16034,
                format!("{what} must be an integral number, but is {}", tname(v)),
            )
        })
}

/// `$split`'s string and separator, checked as `$split` checks them; `None` for a nullish string (`$split`
/// gives null).
fn split_args(vals: &[Option<Bson>]) -> Result<Option<(&str, &str)>, CommandError> {
    if nullish(&vals[0]) {
        return Ok(None);
    }
    let s = match &vals[0] {
        Some(Bson::String(s)) => s,
        other => return Err(err(40085, format!("$split requires an expression that evaluates to a string as a first argument, found: {}", tname(other)))),
    };
    let d = match vals.get(1).unwrap_or(&None) {
        Some(Bson::String(d)) => d,
        other => return Err(err(40086, format!("$split requires an expression that evaluates to a string as a second argument, found: {}", tname(other)))),
    };
    if d.is_empty() {
        return Err(err(40087, "$split requires a non-empty separator"));
    }
    Ok(Some((s, d)))
}

/// `{$arrayElemAt: [{$split: args}, k]}` for a constant `k >= 0` (the translator's `SPLIT_PART`): the
/// piece `k` found without the array of every piece. The same value and errors as the two operators: `$split`
/// checks its arguments, null for a nullish string (`$arrayElemAt` of null), missing past the last piece.
pub(super) fn split_nth(
    args: &[Node],
    k: usize,
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    let mut vals = Vec::with_capacity(2);
    for a in args {
        vals.push(a.eval(root, vars)?);
    }
    Ok(match split_args(&vals)? {
        None => Some(Bson::Null),
        Some((s, d)) => s.split(d).nth(k).map(|p| Bson::String(p.to_string())),
    })
}

/// The byte offset of the first occurrence of `needle` in `hay` (`Some(0)` for an empty needle).
fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A value coerced to string as `$toLower`/`$substr` do (numbers and dates printed, null -> "").
fn coerce(v: &Option<Bson>, op: Op) -> Result<String, CommandError> {
    Ok(match v {
        None | Some(Bson::Null) | Some(Bson::Undefined) => String::new(),
        Some(Bson::String(s)) => s.clone(),
        Some(Bson::Int32(i)) => i.to_string(),
        Some(Bson::Int64(i)) => i.to_string(),
        Some(Bson::Double(d)) => super::convert::double_to_string(*d),
        Some(Bson::Decimal128(d)) => d.to_string(),
        Some(Bson::DateTime(d)) => super::convert::date_to_string(*d),
        Some(other) => {
            return Err(err(
                16007,
                format!(
                    "can't convert from BSON type {} to String in {}",
                    type_name(other),
                    op.name()
                ),
            ))
        }
    })
}

fn string_arg<'a>(v: &'a Option<Bson>, op: Op, what: &str) -> Result<&'a str, CommandError> {
    match v {
        Some(Bson::String(s)) => Ok(s),
        other => Err(err(
            34471,
            format!(
                "{} requires a string argument for {what}, found: {}",
                op.name(),
                tname(other)
            ),
        )),
    }
}

pub(super) fn eval(op: Op, vals: &mut [Option<Bson>]) -> Result<Option<Bson>, CommandError> {
    use Op::*;
    match op {
        Concat => {
            let len = vals
                .iter()
                .map(|v| match v {
                    Some(Bson::String(s)) => s.len(),
                    _ => 0,
                })
                .fold(0usize, usize::saturating_add);
            crate::engine::limits::check_string("$concat", len)?;
            let mut out = String::with_capacity(len);
            for v in vals.iter() {
                match v {
                    None | Some(Bson::Null) | Some(Bson::Undefined) => return Ok(Some(Bson::Null)),
                    Some(Bson::String(s)) => out.push_str(s),
                    Some(other) => {
                        return Err(err(
                            16702,
                            format!("$concat only supports strings, not {}", type_name(other)),
                        ))
                    }
                }
            }
            Ok(Some(Bson::String(out)))
        }
        ToLower => Ok(Some(Bson::String(
            coerce(&vals[0], op)?.to_ascii_lowercase(),
        ))),
        ToUpper => Ok(Some(Bson::String(
            coerce(&vals[0], op)?.to_ascii_uppercase(),
        ))),
        SubstrCP => {
            let s = coerce(&vals[0], op)?;
            let start = int_arg(&vals[1], "$substrCP starting index")?;
            let len = int_arg(&vals[2], "$substrCP length")?;
            if start < 0 {
                return Err(err(
                    34455,
                    "$substrCP: the starting index must be nonnegative integer.",
                ));
            }
            if len < 0 {
                return Err(err(
                    34456,
                    "$substrCP: length must be a nonnegative integer.",
                ));
            }
            Ok(Some(Bson::String(
                s.chars().skip(start as usize).take(len as usize).collect(),
            )))
        }
        Substr | SubstrBytes => {
            let s = coerce(&vals[0], op)?;
            let start = int_arg(&vals[1], "starting index")?.max(0) as usize;
            let len = int_arg(&vals[2], "length")?;
            let bytes = s.as_bytes();
            if start > bytes.len() {
                return Ok(Some(Bson::String(String::new())));
            }
            let end = if len < 0 {
                bytes.len()
            } else {
                (start + len as usize).min(bytes.len())
            };
            if !s.is_char_boundary(start) || !s.is_char_boundary(end) {
                return Err(err(
                    28656,
                    format!(
                        "{}: Invalid range, starting index is a UTF-8 continuation byte.",
                        op.name()
                    ),
                ));
            }
            Ok(Some(Bson::String(s[start..end].to_string())))
        }
        StrLenCP => Ok(Some(Bson::Int32(
            string_arg(&vals[0], op, "input")?.chars().count() as i32,
        ))),
        StrLenBytes => Ok(Some(Bson::Int32(
            string_arg(&vals[0], op, "input")?.len() as i32
        ))),
        IndexOfCP | IndexOfBytes => {
            if nullish(&vals[0]) {
                return Ok(Some(Bson::Null));
            }
            let s = string_arg(&vals[0], op, "the first argument")?;
            let sub = match &vals[1] {
                Some(Bson::String(x)) => x.as_str(),
                other => {
                    return Err(err(
                        40092,
                        format!(
                            "{} requires a string as the second argument, found: {}",
                            op.name(),
                            tname(other)
                        ),
                    ))
                }
            };
            // Positions count code points ($indexOfCP) or bytes ($indexOfBytes); `end` is clamped to the
            // string's length in those units.
            let units = match op {
                IndexOfCP => s.chars().count(),
                _ => s.len(),
            };
            let start = match vals.get(2) {
                Some(v) if !nullish(v) => int_arg(v, "starting index")?.max(0) as usize,
                _ => 0,
            };
            let end = match vals.get(3) {
                Some(v) if !nullish(v) => (int_arg(v, "ending index")?.max(0) as usize).min(units),
                _ => units,
            };
            if start > end {
                return Ok(Some(Bson::Int32(-1)));
            }
            // The first occurrence at or after `start`; it counts only when it ends by `end` (a later one
            // would end later still).
            let found = match op {
                IndexOfCP => {
                    let from = s.char_indices().nth(start).map_or(s.len(), |(b, _)| b);
                    // A match of valid UTF-8 in valid UTF-8 starts on a character boundary.
                    s[from..].find(sub).map(|b| {
                        let at = start + s[from..from + b].chars().count();
                        (at, at + sub.chars().count())
                    })
                }
                _ => find_bytes(&s.as_bytes()[start..], sub.as_bytes())
                    .map(|b| (start + b, start + b + sub.len())),
            };
            Ok(Some(Bson::Int32(match found {
                Some((at, to)) if to <= end => at as i32,
                _ => -1,
            })))
        }
        Split => Ok(Some(match split_args(vals)? {
            None => Bson::Null,
            Some((s, d)) => Bson::Array(s.split(d).map(|p| Bson::String(p.to_string())).collect()),
        })),
        Strcasecmp => {
            let a = coerce(&vals[0], op)?.to_ascii_lowercase();
            let b = coerce(&vals[1], op)?.to_ascii_lowercase();
            Ok(Some(Bson::Int32(match a.cmp(&b) {
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 1,
            })))
        }
        _ => Err(err(
            1,
            format!("internal: {} is not a string operator", op.name()),
        )),
    }
}

/// mongod's default trim set: whitespace and the Unicode spaces it lists.
fn default_trim(c: char) -> bool {
    matches!(
        c,
        '\0' | ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

pub(super) fn named(
    op: Op,
    args: &[(String, Node)],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    use Op::*;
    let arg = |k: &str| eval_named_arg(args, k, root, vars);
    match op {
        Trim | Ltrim | Rtrim => {
            let input = arg("input")?;
            if nullish(&input) {
                return Ok(Some(Bson::Null));
            }
            let s = match &input {
                Some(Bson::String(s)) => s.clone(),
                other => {
                    return Err(err(
                        50699,
                        format!(
                            "{} requires its input to be a string, got {} instead.",
                            op.name(),
                            tname(other)
                        ),
                    ))
                }
            };
            let chars: Option<Vec<char>> = match super::ops::named(args, "chars") {
                None => None,
                Some(n) => match n.eval(root, vars)? {
                    None | Some(Bson::Null) => return Ok(Some(Bson::Null)),
                    Some(Bson::String(c)) => Some(c.chars().collect()),
                    Some(other) => {
                        return Err(err(
                            50700,
                            format!(
                                "{} requires 'chars' to be a string, got {} instead.",
                                op.name(),
                                type_name(&other)
                            ),
                        ))
                    }
                },
            };
            let pred = |c: char| match &chars {
                Some(set) => set.contains(&c),
                None => default_trim(c),
            };
            let out = match op {
                Ltrim => s.trim_start_matches(pred).to_string(),
                Rtrim => s.trim_end_matches(pred).to_string(),
                _ => s.trim_matches(pred).to_string(),
            };
            Ok(Some(Bson::String(out)))
        }
        ReplaceAll | ReplaceOne => {
            let (input, find, repl) = (arg("input")?, arg("find")?, arg("replacement")?);
            if nullish(&input) || nullish(&find) || nullish(&repl) {
                return Ok(Some(Bson::Null));
            }
            match (&input, &find, &repl) {
                (Some(Bson::String(i)), Some(Bson::String(f)), Some(Bson::String(r))) => {
                    Ok(Some(Bson::String(if op == ReplaceAll {
                        if f.is_empty() {
                            // mongod inserts the replacement between every character and at both ends.
                            let mut out = r.clone();
                            for c in i.chars() {
                                out.push(c);
                                out.push_str(r);
                            }
                            out
                        } else {
                            i.replace(f.as_str(), r)
                        }
                    } else {
                        i.replacen(f.as_str(), r, 1)
                    })))
                }
                _ => Err(err(
                    51746,
                    format!(
                        "{} requires that 'input', 'find' and 'replacement' be strings",
                        op.name()
                    ),
                )),
            }
        }
        RegexMatch | RegexFind | RegexFindAll => {
            let input = arg("input")?;
            let (pattern, options) = (arg("regex")?, arg("options")?);
            // A wildcard pattern (a valid regex: nothing to report) is matched without a regex, and a null
            // input needs none (a pattern computed per document, `LIKE user_id || '%'`, would otherwise be
            // compiled for every document whose input is null).
            if let (RegexMatch, Some(Bson::String(p))) = (op, &pattern) {
                let o = match &options {
                    None | Some(Bson::Null) => Some(""),
                    Some(Bson::String(o)) => Some(o.as_str()),
                    _ => None,
                };
                if let Some(w) = o.and_then(|o| super::wildcard::Wildcard::parse(p, o)) {
                    match &input {
                        Some(Bson::String(s)) => return Ok(Some(Bson::Boolean(w.is_match(s)))),
                        None | Some(Bson::Null) | Some(Bson::Undefined) => {
                            return Ok(Some(Bson::Boolean(false)))
                        }
                        _ => {}
                    }
                }
            }
            let re = regex(&pattern, &options, op)?;
            let s = match &input {
                None | Some(Bson::Null) | Some(Bson::Undefined) => {
                    return Ok(Some(match op {
                        RegexMatch => Bson::Boolean(false),
                        RegexFind => Bson::Null,
                        _ => Bson::Array(vec![]),
                    }))
                }
                Some(Bson::String(s)) => s,
                other => {
                    return Err(err(
                        51104,
                        format!(
                            "{} needs 'input' to be of type string, found {}",
                            op.name(),
                            tname(other)
                        ),
                    ))
                }
            };
            let Some(re) = re else {
                return Ok(Some(match op {
                    RegexMatch => Bson::Boolean(false),
                    RegexFind => Bson::Null,
                    _ => Bson::Array(vec![]),
                }));
            };
            let found = |m: regex::Captures| -> Bson {
                let whole = m.get(0).map(|x| x.as_str()).unwrap_or("");
                let idx = m
                    .get(0)
                    .map(|x| s[..x.start()].chars().count())
                    .unwrap_or(0);
                let captures: Vec<Bson> = (1..m.len())
                    .map(|i| {
                        m.get(i)
                            .map(|x| Bson::String(x.as_str().into()))
                            .unwrap_or(Bson::Null)
                    })
                    .collect();
                Bson::Document(doc! {"match": whole, "idx": idx as i32, "captures": captures})
            };
            Ok(Some(match op {
                RegexMatch => Bson::Boolean(re.is_match(s)),
                RegexFind => re.captures(s).map(found).unwrap_or(Bson::Null),
                _ => Bson::Array(re.captures_iter(s).map(found).collect()),
            }))
        }
        _ => Err(err(
            1,
            format!("internal: {} is not a named string operator", op.name()),
        )),
    }
}

/// `$concat` whose constant string arguments are read where they are: the same value and the same error as
/// evaluating every argument into a list and joining it (`eval`'s `Concat`).
pub(super) fn concat_in_place(
    args: &[Node],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    let mut vals: smallvec::SmallVec<[Option<Option<Bson>>; super::INLINE_ARGS]> =
        smallvec::SmallVec::with_capacity(args.len());
    for a in args {
        vals.push(match a {
            Node::Const(Bson::String(_)) => None,
            other => Some(other.eval(root, vars)?),
        });
    }
    let value = |i: usize| -> Option<&Bson> {
        match (&args[i], &vals[i]) {
            (Node::Const(c), None) => Some(c),
            (_, Some(v)) => v.as_ref(),
            _ => None,
        }
    };
    let len = (0..args.len())
        .map(|i| match value(i) {
            Some(Bson::String(s)) => s.len(),
            _ => 0,
        })
        .fold(0usize, usize::saturating_add);
    crate::engine::limits::check_string("$concat", len)?;
    let mut out = String::with_capacity(len);
    for i in 0..args.len() {
        match value(i) {
            None | Some(Bson::Null) | Some(Bson::Undefined) => return Ok(Some(Bson::Null)),
            Some(Bson::String(s)) => out.push_str(s),
            Some(other) => {
                return Err(err(
                    16702,
                    format!("$concat only supports strings, not {}", type_name(other)),
                ))
            }
        }
    }
    Ok(Some(Bson::String(out)))
}

/// Compiles the `regex` / `options` arguments (a BSON regex or a string); `None` when the regex is null.
fn regex(
    re: &Option<Bson>,
    options: &Option<Bson>,
    op: Op,
) -> Result<Option<Rc<regex::Regex>>, CommandError> {
    let (pattern, mut opts) = match re {
        None | Some(Bson::Null) => return Ok(None),
        Some(Bson::String(p)) => (p.clone(), String::new()),
        Some(Bson::RegularExpression(r)) => (r.pattern.to_string(), r.options.to_string()),
        other => {
            return Err(err(
                51105,
                format!(
                    "{} needs 'regex' to be of type string or regex, found {}",
                    op.name(),
                    tname(other)
                ),
            ))
        }
    };
    match options {
        None | Some(Bson::Null) => {}
        Some(Bson::String(o)) => {
            if !opts.is_empty() && !o.is_empty() {
                return Err(err(
                    51075,
                    format!(
                        "{}: found regex option(s) specified in both 'regex' and 'option' fields",
                        op.name()
                    ),
                ));
            }
            opts.push_str(o);
        }
        Some(other) => {
            return Err(err(
                51106,
                format!(
                    "{} needs 'options' to be of type string, found {}",
                    op.name(),
                    type_name(other)
                ),
            ))
        }
    }
    if let Some(re) = cached_regex(&pattern, &opts) {
        return Ok(Some(re));
    }
    let mut b = regex::RegexBuilder::new(&pattern);
    for c in opts.chars() {
        match c {
            'i' => b.case_insensitive(true),
            'm' => b.multi_line(true),
            's' => b.dot_matches_new_line(true),
            'x' => b.ignore_whitespace(true),
            'u' => &mut b,
            other => {
                return Err(err(
                    51108,
                    format!("{} invalid flag in regex options: {other}", op.name()),
                ))
            }
        };
    }
    let re = b
        .build()
        .map_err(|e| err(51111, format!("Invalid Regex in {}: {e}", op.name())))?;
    let re = Rc::new(re);
    remember_regex(pattern, opts, Rc::clone(&re));
    Ok(Some(re))
}

/// Regexes this thread compiled, by options and pattern: a `$regexMatch` runs once per document, and its pattern
/// is most often a constant or one of a few computed values (`LIKE namespace || ':%'`), so each distinct pattern is
/// compiled once instead of once per document (mongod compiles a constant pattern once at parse time).
const REGEX_CACHE_ENTRIES: usize = 256;

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<(String, String), Rc<regex::Regex>>> = RefCell::new(HashMap::new());
}

/// The cached compilation of `pattern` with `opts`, if this thread has one.
fn cached_regex(pattern: &str, opts: &str) -> Option<Rc<regex::Regex>> {
    REGEX_CACHE.with(|c| {
        c.borrow()
            .get(&(pattern.to_string(), opts.to_string()))
            .cloned()
    })
}

/// Keeps a compiled regex; the cache is emptied when full (patterns computed per document that are all distinct
/// gain nothing from it, and must not grow it without bound).
fn remember_regex(pattern: String, opts: String, re: Rc<regex::Regex>) {
    REGEX_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= REGEX_CACHE_ENTRIES {
            c.clear();
        }
        c.insert((pattern, opts), re);
    });
}
