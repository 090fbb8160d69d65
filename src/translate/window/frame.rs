//! Window frames: a SQL frame clause (`ROWS | RANGE BETWEEN ... AND ...`, or PostgreSQL's default frame) in
//! MongoDB's terms: the whole partition, a `documents` window, or a `range` window over the peer-group
//! number or over the single ORDER BY value. In: the frame clause of a window call; out: a [`Frame`], or a
//! typed error pointing at the call (GROUPS frames, offsets other than non-negative integer constants).

use super::super::expr::{invalid, unsupported};
use super::super::Error;
use crate::translate::Refusal;
use bson::Bson;
use sqlparser::ast::{Expr, WindowFrameBound, WindowFrameUnits};

/// A window frame bound in MongoDB terms.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Bound {
    Unbounded,
    Current,
    Offset(i64),
}

impl Bound {
    pub(super) fn to_bson(&self) -> Bson {
        match self {
            Bound::Unbounded => Bson::String("unbounded".into()),
            Bound::Current => Bson::String("current".into()),
            Bound::Offset(n) => Bson::Int64(*n),
        }
    }
}

/// The frame of an aggregate window call.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Frame {
    /// The whole partition.
    Partition,
    /// ROWS: a `documents` window.
    Rows(Bound, Bound),
    /// RANGE with UNBOUNDED / CURRENT ROW bounds: a `range` window over the peer-group number.
    Peers(Bound, Bound),
    /// RANGE with offsets: a `range` window over the (single, numeric) ORDER BY value itself.
    Values(Bound, Bound),
}

/// The frame of an aggregate window call, PostgreSQL's default included.
pub(super) fn window_frame(
    frame: Option<&sqlparser::ast::WindowFrame>,
    ordered: bool,
    e: &Expr,
) -> Result<Frame, Error> {
    let Some(fr) = frame else {
        // Default: RANGE UNBOUNDED PRECEDING .. CURRENT ROW with ORDER BY, else the whole partition.
        return Ok(if ordered {
            Frame::Peers(Bound::Unbounded, Bound::Current)
        } else {
            Frame::Partition
        });
    };
    let bound = |b: &WindowFrameBound, start: bool| -> Result<Bound, Error> {
        Ok(match b {
            WindowFrameBound::CurrentRow => Bound::Current,
            WindowFrameBound::Preceding(None) => {
                if !start {
                    return Err(invalid("frame end cannot be UNBOUNDED PRECEDING", e));
                }
                Bound::Unbounded
            }
            WindowFrameBound::Following(None) => {
                if start {
                    return Err(invalid("frame start cannot be UNBOUNDED FOLLOWING", e));
                }
                Bound::Unbounded
            }
            WindowFrameBound::Preceding(Some(n)) | WindowFrameBound::Following(Some(n)) => {
                let v = frame_offset(n)?;
                if matches!(b, WindowFrameBound::Preceding(_)) {
                    Bound::Offset(-v)
                } else {
                    Bound::Offset(v)
                }
            }
        })
    };
    let start = bound(&fr.start_bound, true)?;
    let end = match &fr.end_bound {
        Some(b) => bound(b, false)?,
        None => Bound::Current,
    };
    match fr.units {
        WindowFrameUnits::Rows => {
            if start == Bound::Unbounded && end == Bound::Unbounded {
                Ok(Frame::Partition)
            } else {
                Ok(Frame::Rows(start, end))
            }
        }
        WindowFrameUnits::Range => {
            if matches!(start, Bound::Offset(_)) || matches!(end, Bound::Offset(_)) {
                if !ordered {
                    return Err(invalid(
                        "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                        e,
                    ));
                }
                return Ok(Frame::Values(start, end));
            }
            if !ordered || (start == Bound::Unbounded && end == Bound::Unbounded) {
                Ok(Frame::Partition)
            } else {
                Ok(Frame::Peers(start, end))
            }
        }
        WindowFrameUnits::Groups => Err(unsupported(Refusal::Window, "GROUPS frame", e)),
    }
}

fn frame_offset(n: &Expr) -> Result<i64, Error> {
    if let Expr::Value(v) = n {
        if let sqlparser::ast::Value::Number(s, _) = &v.value {
            if let Ok(i) = s.parse::<i64>() {
                if i >= 0 {
                    return Ok(i);
                }
            }
        }
    }
    Err(unsupported(
        Refusal::Window,
        "window frame offset other than a non-negative integer constant",
        n,
    ))
}
