//! Which window calls a SELECT holds, and their full specification: window calls are collected from an
//! expression (in order, without duplicates; a window call nested in another is an error, as in PostgreSQL),
//! refused in clauses computed before windows (WHERE, GROUP BY, HAVING), and a call over a named window
//! (`OVER w`, `OVER (w ORDER BY ...)`) is resolved against the query's `WINDOW w AS (...)` list.

use super::super::expr::invalid;
use super::super::Error;
use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, NamedWindowDefinition,
    NamedWindowExpr, WindowSpec, WindowType,
};

/// A window call with `OVER w` / `OVER (w ...)` replaced by the definition of w (PostgreSQL's rules: the
/// referring window may add an ORDER BY when w has none, and a frame; not a PARTITION BY). Returns (the call as
/// written, the call to translate).
pub(super) fn resolve_named(
    call: Expr,
    named: &[NamedWindowDefinition],
) -> Result<(Expr, Expr), Error> {
    let Expr::Function(f) = &call else {
        return Ok((call.clone(), call));
    };
    let find = |name: &Ident, at: &Expr| -> Result<WindowSpec, Error> {
        let mut cur = name.clone();
        for _ in 0..=named.len() {
            match named.iter().find(|d| d.0.value == cur.value) {
                Some(NamedWindowDefinition(_, NamedWindowExpr::WindowSpec(s))) => {
                    return Ok(s.clone())
                }
                Some(NamedWindowDefinition(_, NamedWindowExpr::NamedWindow(next))) => {
                    cur = next.clone()
                }
                None => break,
            }
        }
        Err(invalid(
            format!("window \"{}\" does not exist", name.value),
            at,
        ))
    };
    let spec = match &f.over {
        Some(WindowType::NamedWindow(name)) => find(name, &call)?,
        Some(WindowType::WindowSpec(s)) => match &s.window_name {
            None => return Ok((call.clone(), call)),
            Some(name) => {
                let base = find(name, &call)?;
                if !s.partition_by.is_empty() {
                    return Err(invalid(
                        format!(
                            "cannot override PARTITION BY clause of window \"{}\"",
                            name.value
                        ),
                        &call,
                    ));
                }
                if !s.order_by.is_empty() && !base.order_by.is_empty() {
                    return Err(invalid(
                        format!(
                            "cannot override ORDER BY clause of window \"{}\"",
                            name.value
                        ),
                        &call,
                    ));
                }
                if base.window_frame.is_some() {
                    return Err(invalid(
                        format!(
                            "cannot copy window \"{}\" because it has a frame clause",
                            name.value
                        ),
                        &call,
                    ));
                }
                WindowSpec {
                    window_name: None,
                    partition_by: base.partition_by,
                    order_by: if s.order_by.is_empty() {
                        base.order_by
                    } else {
                        s.order_by.clone()
                    },
                    window_frame: s.window_frame.clone(),
                }
            }
        },
        None => return Ok((call.clone(), call)),
    };
    let mut g = f.clone();
    g.over = Some(WindowType::WindowSpec(spec));
    Ok((call, Expr::Function(g)))
}

/// PostgreSQL: window functions are not allowed in `clause` (they are computed after it).
pub(crate) fn refuse_windows(e: &Expr, clause: &str) -> Result<(), Error> {
    let mut found = Vec::new();
    collect_windows(e, &mut found)?;
    match found.first() {
        Some(w) => Err(invalid(
            format!("window functions are not allowed in {clause}"),
            w,
        )),
        None => Ok(()),
    }
}

/// Collects the window calls of an expression (in order, without duplicates); nested ones are an error.
pub(super) fn collect_windows(e: &Expr, out: &mut Vec<Expr>) -> Result<(), Error> {
    use std::ops::ControlFlow;
    /// Subqueries' window calls are their own: the walk skips them.
    struct Finder<'a> {
        out: &'a mut Vec<Expr>,
        err: Option<Error>,
        /// Depth of plain aggregate calls around the current expression.
        in_aggregate: usize,
    }
    fn plain_aggregate(e: &Expr) -> bool {
        matches!(e, Expr::Function(f) if f.over.is_none()
            && super::super::expr::is_aggregate_name(&crate::translate::names::function_name(&f.name)))
    }
    impl crate::translate::visit::LevelVisitor for Finder<'_> {
        fn post(&mut self, e: &Expr) -> ControlFlow<()> {
            if plain_aggregate(e) {
                self.in_aggregate = self.in_aggregate.saturating_sub(1);
            }
            ControlFlow::Continue(())
        }
        fn pre(&mut self, e: &Expr) -> ControlFlow<()> {
            if plain_aggregate(e) {
                self.in_aggregate += 1;
            }
            if let Expr::Function(f) = e {
                if f.over.is_some() && self.in_aggregate > 0 {
                    // The aggregate runs in $group, before any window stage.
                    self.err = Some(invalid(
                        "aggregate function calls cannot contain window function calls",
                        e,
                    ));
                    return ControlFlow::Break(());
                }
                if f.over.is_some() {
                    let mut inner = Vec::new();
                    if let FunctionArguments::List(l) = &f.args {
                        for a in &l.args {
                            if let FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) = a {
                                if collect_windows(x, &mut inner).is_err() || !inner.is_empty() {
                                    self.err =
                                        Some(invalid("window function calls cannot be nested", e));
                                    return ControlFlow::Break(());
                                }
                            }
                        }
                    }
                    if !self.out.contains(e) {
                        self.out.push(e.clone());
                    }
                }
            }
            ControlFlow::Continue(())
        }
    }
    let mut finder = Finder {
        out,
        err: None,
        in_aggregate: 0,
    };
    let _ = crate::translate::visit::outside_subqueries(e, &mut finder);
    match finder.err {
        Some(err) => Err(err),
        None => Ok(()),
    }
}
