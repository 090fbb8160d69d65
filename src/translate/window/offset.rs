//! LAG / LEAD: `$shift` on the call's sort field, by a constant offset, with a constant default.

use super::super::expr::{invalid, unsupported, Kind};
use super::super::{Error, Translator};
use super::Call;
use crate::mql::accumulator as acc;
use crate::mql::expr as ex;
use crate::mql::stage::Stage;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};

impl Translator {
    /// `LAG(x [, offset [, default]])` / `LEAD(...)`.
    pub(super) fn offset_call(
        &mut self,
        cx: &mut QueryContext,
        c: &Call<'_>,
        stages: &mut Vec<Stage>,
    ) -> Result<(Kind, bool), Error> {
        let (f, args) = (c.f, &c.args);
        if args.is_empty() || args.len() > 3 || c.star {
            return Err(invalid(format!("{}() takes 1 to 3 arguments", f.name), c.e));
        }
        let x = self.agg(cx, args[0])?;
        let by = match args.get(1) {
            None => 1,
            Some(n) => match self.agg(cx, n)?.constant {
                Some(Bson::Int32(v)) if v >= 0 => i64::from(v),
                Some(Bson::Int64(v)) if v >= 0 => v,
                _ => {
                    return Err(unsupported(
                        Refusal::Window,
                        format!(
                            "{}() offset other than a non-negative integer constant",
                            f.name
                        ),
                        n,
                    ))
                }
            },
        };
        let mut shift =
            doc! {"output": ex::or_null(x.expr), "by": if c.name == "lag" { -by } else { by }};
        if let Some(d) = args.get(2) {
            let a = self.agg(cx, d)?;
            match a.constant {
                Some(v) => {
                    shift.insert("default", ex::literal(v));
                }
                None => {
                    return Err(unsupported(
                        Refusal::Window,
                        format!("{}() default other than a constant", f.name),
                        d,
                    ))
                }
            }
        }
        let mut out = Document::new();
        out.insert(c.field, acc::shift(shift));
        stages.extend(c.pre.iter().cloned());
        stages.push(c.sorted(out));
        stages.push(Stage::UnsetField(c.kfield.clone()));
        Ok((x.kind, true))
    }
}
