//! Functions computed over a window frame: the aggregates (COUNT, SUM, AVG, MIN, MAX, BOOL_AND / BOOL_OR /
//! EVERY, and the collecting ARRAY_AGG / JSON(B)_AGG / STRING_AGG) and the value functions FIRST_VALUE,
//! LAST_VALUE, NTH_VALUE.
//!
//! The accumulator ([`accumulate`]) runs over the frame ([`frame`](super::frame)): `ROWS` is a `documents`
//! window on the call's sort field; the default `RANGE ... CURRENT ROW` (peers) a `range` window on the peer
//! group's number (`$denseRank`); RANGE with offsets a `range` window on the ORDER BY value. A post-step turns
//! the accumulated value into PostgreSQL's result where they differ (SUM over no number is NULL; collected
//! arrays are flattened; NTH_VALUE picks its element).

use super::super::expr::{invalid, unsupported, Agg, Kind};
use super::super::nulls::{is_null, not_null};
use super::super::{Error, Translator};
use super::frame::{window_frame, Frame};
use super::{positive_constant, Call};
use crate::mql::accumulator::{self as acc, Accumulator};
use crate::mql::expr as ex;
use crate::mql::stage::Stage;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{DuplicateTreatment, FunctionArguments};

/// The argument of a framed call, translated, and the constants some functions take.
struct Input {
    /// The value (`None` for COUNT(*)).
    x: Option<Agg>,
    /// NTH_VALUE's position.
    nth: i64,
    /// STRING_AGG's separator.
    sep: Bson,
    /// For the collecting aggregates: which rows contribute (FILTER, and non-NULL for STRING_AGG).
    keep: Option<ex::Expr>,
}

/// The accumulator of a framed call and how its value becomes the result.
struct Accumulated {
    /// `$setWindowFields` output fields.
    out: Document,
    /// An expression computing the result from the accumulated fields, when it is not the accumulator itself.
    post: Option<Bson>,
    kind: Kind,
    nullable: bool,
}

impl Translator {
    /// An aggregate or value function over the call's frame.
    pub(super) fn framed_call(
        &mut self,
        cx: &mut QueryContext,
        c: &Call<'_>,
        stages: &mut Vec<Stage>,
    ) -> Result<(Kind, bool), Error> {
        if let FunctionArguments::List(l) = &c.f.args {
            if matches!(l.duplicate_treatment, Some(DuplicateTreatment::Distinct)) {
                return Err(unsupported(
                    Refusal::Window,
                    "DISTINCT in a window aggregate",
                    c.e,
                ));
            }
        }
        let frame = window_frame(c.spec.window_frame.as_ref(), c.ordered, c.e)?;
        let input = self.framed_input(cx, c)?;
        let Accumulated {
            out,
            post,
            kind,
            nullable,
        } = accumulate(c, input, &frame)?;
        if c.ordered || frame != Frame::Partition {
            stages.extend(c.pre.iter().cloned());
            self.over_frame(cx, c, &frame, out, stages)?;
        } else {
            // The whole partition without ORDER BY: no sort key (mongod needs `sortBy` for bounded
            // windows and ranks only).
            stages.push(c.unsorted(out));
        }
        let field = c.field;
        if let Some(p) = post {
            let mut set = Document::new();
            set.insert(field, p);
            stages.push(Stage::Set(set));
            stages.push(Stage::Unset(vec![c.kfield.clone(), format!("{field}c")]));
        } else {
            stages.push(Stage::UnsetField(c.kfield.clone()));
        }
        Ok((kind, nullable))
    }

    /// The call's arguments: the value, NTH_VALUE's position, STRING_AGG's separator; FILTER applied.
    fn framed_input(&mut self, cx: &mut QueryContext, c: &Call<'_>) -> Result<Input, Error> {
        let (name, args, filter) = (c.name.as_str(), &c.args, &c.filter);
        let mut nth = 0i64;
        let mut sep = Bson::Null;
        let collecting = matches!(name, "array_agg" | "json_agg" | "jsonb_agg" | "string_agg");
        let mut x = if c.star && name == "count" {
            None
        } else if name == "nth_value" {
            c.need_args(2)?;
            nth = positive_constant(self, cx, args[1], "nth_value()")?;
            Some(self.agg(cx, args[0])?)
        } else if name == "string_agg" {
            c.need_args(2)?;
            sep = self.string_agg_separator(cx, args[1])?;
            Some(self.agg(cx, args[0])?)
        } else {
            c.need_args(1)?;
            Some(self.agg(cx, args[0])?)
        };
        // Collecting aggregates push one-element arrays ([] for a skipped row) and flatten them after.
        let keep = match (&x, name) {
            (Some(a), "string_agg") if a.nullable => {
                let nn = not_null(&a.expr);
                Some(match filter {
                    Some(ft) => super::super::nulls::and(vec![ft.clone(), nn]),
                    None => nn,
                })
            }
            _ if collecting => filter.clone(),
            _ => None,
        };
        if !collecting {
            if let (Some(ft), Some(a)) = (filter, x.as_mut()) {
                a.expr = ex::cond(ft.clone(), a.expr.clone(), Bson::Null);
                a.nullable = true;
            }
        }
        Ok(Input { x, nth, sep, keep })
    }

    /// The `$setWindowFields` stage(s) computing `out` over the frame.
    fn over_frame(
        &mut self,
        cx: &mut QueryContext,
        c: &Call<'_>,
        frame: &Frame,
        out: Document,
        stages: &mut Vec<Stage>,
    ) -> Result<(), Error> {
        let field = c.field;
        match frame {
            Frame::Values(..) => {
                // The ORDER BY value, negated for DESC so the window runs ascending; NULL sorts as
                // -/+ infinity where PostgreSQL puts it, so a NULL row's frame is its NULL peers.
                let [o] = c.spec.order_by.as_slice() else {
                    return Err(invalid(
                        "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                        c.e,
                    ));
                };
                let (desc, nulls_first) = crate::translate::query::direction(&o.options, &o.expr)?;
                let v = self.agg(cx, &o.expr)?;
                let inf = if nulls_first {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                };
                let value = if desc {
                    ex::multiply(vec![(-1).into(), v.expr.clone().into()])
                } else {
                    v.expr.clone().into()
                };
                let vfield = format!("{field}v");
                let mut set = Document::new();
                set.insert(&vfield, ex::cond(is_null(&v.expr), inf, value));
                stages.push(Stage::Set(set));
                stages.push(c.base(&vfield, 1, out));
                stages.push(Stage::UnsetField(vfield));
            }
            // Mixed directions: the peer groups' RANKs are numbers in the rows' order already.
            Frame::Peers(..) if c.peer_rank.is_some() => stages.push(c.sorted(out)),
            Frame::Peers(..) => {
                let d = format!("{field}d");
                let mut first = Document::new();
                first.insert(&d, acc::dense_rank());
                stages.push(c.sorted(first));
                stages.push(c.base(&d, 1, out));
                stages.push(Stage::UnsetField(d));
            }
            _ => stages.push(c.sorted(out)),
        }
        Ok(())
    }
}

/// The accumulator of each framed function, with PostgreSQL's NULL rules.
fn accumulate(c: &Call<'_>, input: Input, frame: &Frame) -> Result<Accumulated, Error> {
    let Input { x, nth, sep, keep } = input;
    let (name, field, filter) = (c.name.as_str(), c.field, &c.filter);
    let window = match frame {
        Frame::Partition => None,
        Frame::Rows(a, b) => Some(doc! {"documents": [a.to_bson(), b.to_bson()]}),
        Frame::Peers(a, b) | Frame::Values(a, b) => {
            Some(doc! {"range": [a.to_bson(), b.to_bson()]})
        }
    };
    let with_window = |a: Document| -> Document {
        match &window {
            Some(w) => acc::windowed(a, w.clone()),
            None => a,
        }
    };
    let mut out = Document::new();
    let mut post: Option<Bson> = None;
    let n = format!("{field}c");
    let (kind, nullable) = match (name, &x) {
        ("count", None) => {
            let one = match filter {
                Some(ft) => ex::cond(ft.clone(), 1, 0),
                None => Bson::Int32(1).into(),
            };
            out.insert(field, with_window(acc::sum(one)));
            (Kind::Int, false)
        }
        ("count", Some(x)) => {
            let keep = if x.nullable {
                not_null(&x.expr)
            } else {
                Bson::Boolean(true).into()
            };
            out.insert(field, with_window(acc::sum(ex::cond(keep, 1, 0))));
            (Kind::Int, false)
        }
        ("sum", Some(x)) => {
            out.insert(field, with_window(acc::sum(x.expr.clone())));
            out.insert(
                &n,
                with_window(acc::sum(ex::cond(ex::is_number(x.expr.clone()), 1, 0))),
            );
            post = Some(ex::cond(ex::gt(ex::field(&n), 0), ex::field(field), Bson::Null).into());
            (x.kind, true)
        }
        ("avg", Some(x)) => {
            out.insert(field, with_window(acc::avg(x.expr.clone())));
            (Kind::Number, true)
        }
        (_, Some(x)) if crate::translate::stats_agg::deviation(name).is_some() => {
            let (sd, square) = crate::translate::stats_agg::deviation(name)
                .unwrap_or((crate::mql::accumulator::Accumulator::StdDevSamp, false));
            out.insert(field, with_window(sd.of(x.expr.clone())));
            if square {
                post = Some(crate::translate::stats_agg::squared(
                    ex::field(field).into(),
                ));
            }
            (Kind::Number, true)
        }
        ("min" | "max", Some(x)) => {
            let a = if name == "min" {
                acc::min(x.expr.clone())
            } else {
                acc::max(x.expr.clone())
            };
            out.insert(field, with_window(a));
            (x.kind, true)
        }
        ("array_agg" | "json_agg" | "jsonb_agg", Some(x)) if keep.is_none() => {
            // Every row of the frame contributes: the values themselves (an array value is one
            // element, as `$push` adds it), NULL for an empty frame.
            out.insert(field, with_window(acc::push(ex::or_null(x.expr.clone()))));
            post = Some(
                ex::cond(
                    ex::gt(ex::size(ex::field(field)), 0),
                    ex::field(field),
                    Bson::Null,
                )
                .into(),
            );
            (Kind::Array, true)
        }
        ("array_agg" | "json_agg" | "jsonb_agg" | "string_agg", Some(x)) => {
            let one = Bson::Array(vec![ex::or_null(x.expr.clone()).into()]);
            let pushed = match &keep {
                Some(k) => ex::cond(k.clone(), one, Bson::Array(Vec::new())),
                None => one.into(),
            };
            out.insert(field, with_window(acc::push(pushed)));
            let flat = ex::reduce(
                ex::field(field),
                Bson::Array(Vec::new()),
                ex::concat_arrays(vec![ex::value().into(), ex::this().into()]),
            );
            if name == "string_agg" {
                post = Some(ex::reduce(
                    flat,
                    Bson::Null,
                    ex::cond(
                        ex::eq(ex::value(), Bson::Null),
                        ex::this(),
                        ex::concat(vec![
                            ex::value().into(),
                            ex::literal(sep.clone()).into(),
                            ex::this().into(),
                        ]),
                    ),
                ));
                (Kind::Text, true)
            } else {
                // The flattened array bound once (`$$flat`): tested for rows and returned, not built twice.
                let mut vars = bson::Document::new();
                vars.insert("flat", flat);
                post = Some(ex::let_in(
                    vars,
                    ex::cond(
                        ex::gt(ex::size(ex::var("flat")), 0),
                        ex::var("flat"),
                        Bson::Null,
                    ),
                ));
                (Kind::Array, true)
            }
        }
        ("bool_and" | "bool_or" | "every", Some(x)) => {
            let a = if name == "bool_or" {
                acc::max(x.expr.clone())
            } else {
                acc::min(x.expr.clone())
            };
            out.insert(field, with_window(a));
            (Kind::Bool, true)
        }
        ("nth_value", Some(x)) => {
            // The frame's first `nth` values (not the whole frame: a running frame's state stays `nth`
            // long), then the last of them when there are `nth`.
            out.insert(
                field,
                with_window(acc::first_n(ex::or_null(x.expr.clone()), nth)),
            );
            post = Some(ex::or_null(ex::array_elem_at(ex::field(field), nth - 1)).into());
            (x.kind, true)
        }
        (_, Some(x)) => {
            let a = if name == "first_value" {
                Accumulator::First
            } else {
                Accumulator::Last
            };
            out.insert(field, with_window(a.of(ex::or_null(x.expr.clone()))));
            (x.kind, true)
        }
        _ => return Err(invalid(format!("{}() needs an argument", c.f.name), c.e)),
    };
    Ok(Accumulated {
        out,
        post,
        kind,
        nullable,
    })
}
