//! Ranking window functions: ROW_NUMBER, RANK, DENSE_RANK (`$documentNumber`, `$rank`, `$denseRank` on the
//! call's sort field), PERCENT_RANK and CUME_DIST (computed from a rank and the partition's row count), and
//! NTILE (PostgreSQL's bucket sizes from the row number and the count).

use super::super::expr::Kind;
use super::super::{Error, Translator};
use super::{positive_constant, Call};
use crate::mql::accumulator as acc;
use crate::mql::expr as ex;
use crate::mql::stage::Stage;
use crate::translate::context::QueryContext;
use bson::{doc, Document};

impl Translator {
    /// ROW_NUMBER / RANK / DENSE_RANK / PERCENT_RANK / CUME_DIST / NTILE.
    pub(super) fn ranking_call(
        &mut self,
        cx: &mut QueryContext,
        c: &Call<'_>,
        stages: &mut Vec<Stage>,
    ) -> Result<(Kind, bool), Error> {
        match c.name.as_str() {
            "row_number" | "rank" | "dense_rank" => numbering(c, stages),
            "percent_rank" | "cume_dist" => relative_rank(c, stages),
            _ => self.ntile(cx, c, stages),
        }
    }

    /// NTILE(n): PostgreSQL's buckets, the first (count mod n) holding one row more.
    fn ntile(
        &mut self,
        cx: &mut QueryContext,
        c: &Call<'_>,
        stages: &mut Vec<Stage>,
    ) -> Result<(Kind, bool), Error> {
        c.need_args(1)?;
        let field = c.field;
        let buckets = positive_constant(self, cx, c.args[0], "ntile()")?;
        let rn = format!("{field}r");
        let n = format!("{field}n");
        let mut out = Document::new();
        out.insert(&rn, acc::document_number());
        out.insert(&n, acc::sum(1));
        stages.extend(c.pre.iter().cloned());
        stages.push(c.sorted(out));
        // PostgreSQL's NTILE: the first (count mod n) buckets hold one row more.
        let i = ex::subtract(ex::field(&rn), 1);
        let q = ex::floor(ex::divide(ex::field(&n), buckets));
        let r = ex::modulo(ex::field(&n), buckets);
        let big = ex::multiply(vec![r.clone(), ex::add(vec![q.clone(), 1.into()])]);
        let value = ex::cond(
            ex::lt(i.clone(), big.clone()),
            ex::add(vec![
                ex::floor(ex::divide(i.clone(), ex::add(vec![q.clone(), 1.into()]))),
                1.into(),
            ]),
            ex::add(vec![
                r,
                ex::floor(ex::divide(ex::subtract(i, big), q)),
                1.into(),
            ]),
        );
        let mut set = Document::new();
        set.insert(field, ex::to_long(value));
        stages.push(Stage::Set(set));
        stages.push(Stage::Unset(vec![c.kfield.clone(), rn, n]));
        Ok((Kind::Int, false))
    }
}

/// ROW_NUMBER / RANK / DENSE_RANK: one operator on the sort field.
fn numbering(c: &Call<'_>, stages: &mut Vec<Stage>) -> Result<(Kind, bool), Error> {
    c.need_args(0)?;
    let mut o = Document::new();
    o.insert(c.field, acc::ranking(&c.name));
    stages.extend(c.pre.iter().cloned());
    stages.push(c.sorted(o));
    stages.push(Stage::UnsetField(c.kfield.clone()));
    Ok((Kind::Int, false))
}

/// PERCENT_RANK: (rank - 1) / (count - 1), 0 for one row; CUME_DIST: rows up to the current row's last peer
/// / count.
fn relative_rank(c: &Call<'_>, stages: &mut Vec<Stage>) -> Result<(Kind, bool), Error> {
    c.need_args(0)?;
    let field = c.field;
    let r = format!("{field}r");
    let n = format!("{field}n");
    let mut out = Document::new();
    out.insert(&n, acc::sum(1));
    stages.extend(c.pre.iter().cloned());
    if c.name == "percent_rank" {
        out.insert(&r, acc::rank());
        stages.push(c.sorted(out));
        let value = ex::cond(
            ex::lte(ex::field(&n), 1),
            0.0,
            ex::divide(
                ex::subtract(ex::field(&r), 1),
                ex::subtract(ex::field(&n), 1),
            ),
        );
        let mut set = Document::new();
        set.insert(field, value);
        stages.push(Stage::Set(set));
    } else {
        let d = format!("{field}d");
        let mut first = Document::new();
        first.insert(&d, acc::dense_rank());
        first.insert(&n, acc::sum(1));
        stages.push(c.sorted(first));
        let mut second = Document::new();
        second.insert(
            &r,
            acc::windowed(acc::sum(1), doc! {"range": ["unbounded", "current"]}),
        );
        stages.push(c.base(&d, 1, second));
        let mut set = Document::new();
        set.insert(field, ex::divide(ex::field(&r), ex::field(&n)));
        stages.push(Stage::Set(set));
        stages.push(Stage::UnsetField(d));
    }
    stages.push(Stage::Unset(vec![c.kfield.clone(), r, n]));
    Ok((Kind::Number, false))
}
