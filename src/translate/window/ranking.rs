//! Ranking window functions: ROW_NUMBER, RANK, DENSE_RANK (`$documentNumber`, `$rank`, `$denseRank` on the
//! call's sort; RANK over keys in mixed directions is the peer-group number the sort is on), PERCENT_RANK and CUME_DIST (computed from a rank and the partition's row count), and
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
        // PostgreSQL's NTILE: q = count div n rows a bucket, the first r = count mod n buckets holding
        // one row more. Row number k (from 1) is in bucket ceil(k / (q + 1)) while k <= r * (q + 1), else
        // in ceil((k - r) / q) (q >= 1 there: with q = 0 every row is in the first branch). q and r are
        // bound once per row.
        let k = || ex::field(&rn);
        let q1 = || ex::add(vec![ex::var("q").into(), 1.into()]);
        let value = ex::let_in(
            doc! {
                "q": ex::floor(ex::divide(ex::field(&n), buckets)),
                "r": ex::modulo(ex::field(&n), buckets),
            },
            ex::cond(
                ex::lte(k(), ex::multiply(vec![ex::var("r").into(), q1()])),
                ex::ceil(ex::divide(k(), q1())),
                ex::ceil(ex::divide(ex::subtract(k(), ex::var("r")), ex::var("q"))),
            ),
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
    if let (Some(rank), "rank") = (&c.peer_rank, c.name.as_str()) {
        // Mixed directions: the peer group's first row number is the RANK.
        stages.extend(c.pre.iter().cloned());
        let mut set = Document::new();
        set.insert(c.field, ex::field(rank));
        stages.push(Stage::Set(set));
        stages.push(Stage::UnsetField(c.kfield.clone()));
        return Ok((Kind::Int, false));
    }
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
