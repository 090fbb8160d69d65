//! Ranking window functions: ROW_NUMBER, RANK, DENSE_RANK (`$documentNumber`, `$rank`, `$denseRank` on the
//! call's sort field), PERCENT_RANK and CUME_DIST (computed from a rank and the partition's row count), and
//! NTILE (PostgreSQL's bucket sizes from the row number and the count).

use super::super::expr::Kind;
use super::super::{Error, Translator};
use super::{positive_constant, Call};
use bson::{bson, doc, Document};

impl Translator {
    /// ROW_NUMBER / RANK / DENSE_RANK / PERCENT_RANK / CUME_DIST / NTILE.
    pub(super) fn ranking_call(
        &mut self,
        c: &Call<'_>,
        stages: &mut Vec<Document>,
    ) -> Result<(Kind, bool), Error> {
        match c.name.as_str() {
            "row_number" | "rank" | "dense_rank" => numbering(c, stages),
            "percent_rank" | "cume_dist" => relative_rank(c, stages),
            _ => self.ntile(c, stages),
        }
    }

    /// NTILE(n): PostgreSQL's buckets, the first (count mod n) holding one row more.
    fn ntile(&mut self, c: &Call<'_>, stages: &mut Vec<Document>) -> Result<(Kind, bool), Error> {
        c.need_args(1)?;
        let field = c.field;
        let buckets = positive_constant(self, c.args[0], "ntile()")?;
        let rn = format!("{field}r");
        let n = format!("{field}n");
        let mut out = Document::new();
        out.insert(&rn, doc! {"$documentNumber": {}});
        out.insert(&n, doc! {"$sum": 1});
        stages.extend(c.pre.iter().cloned());
        stages.push(c.sorted(out));
        // PostgreSQL's NTILE: the first (count mod n) buckets hold one row more.
        let i = bson!({"$subtract": [format!("${rn}"), 1]});
        let q = bson!({"$floor": {"$divide": [format!("${n}"), buckets]}});
        let r = bson!({"$mod": [format!("${n}"), buckets]});
        let big = bson!({"$multiply": [r.clone(), {"$add": [q.clone(), 1]}]});
        let value = bson!({"$cond": [
            {"$lt": [i.clone(), big.clone()]},
            {"$add": [{"$floor": {"$divide": [i.clone(), {"$add": [q.clone(), 1]}]}}, 1]},
            {"$add": [r, {"$floor": {"$divide": [{"$subtract": [i, big]}, q]}}, 1]}
        ]});
        let mut set = Document::new();
        set.insert(field, bson!({"$toLong": value}));
        stages.push(doc! {"$set": set});
        stages.push(doc! {"$unset": [c.kfield.clone(), rn, n]});
        Ok((Kind::Int, false))
    }
}

/// ROW_NUMBER / RANK / DENSE_RANK: one operator on the sort field.
fn numbering(c: &Call<'_>, stages: &mut Vec<Document>) -> Result<(Kind, bool), Error> {
    c.need_args(0)?;
    let op = match c.name.as_str() {
        "row_number" => "$documentNumber",
        "rank" => "$rank",
        _ => "$denseRank",
    };
    let mut o = Document::new();
    let mut d = Document::new();
    d.insert(op, Document::new());
    o.insert(c.field, d);
    stages.extend(c.pre.iter().cloned());
    stages.push(c.sorted(o));
    stages.push(doc! {"$unset": c.kfield.clone()});
    Ok((Kind::Int, false))
}

/// PERCENT_RANK: (rank - 1) / (count - 1), 0 for one row; CUME_DIST: rows up to the current row's last peer
/// / count.
fn relative_rank(c: &Call<'_>, stages: &mut Vec<Document>) -> Result<(Kind, bool), Error> {
    c.need_args(0)?;
    let field = c.field;
    let r = format!("{field}r");
    let n = format!("{field}n");
    let mut out = Document::new();
    out.insert(&n, doc! {"$sum": 1});
    stages.extend(c.pre.iter().cloned());
    if c.name == "percent_rank" {
        out.insert(&r, doc! {"$rank": {}});
        stages.push(c.sorted(out));
        let value = bson!({"$cond": [{"$lte": [format!("${n}"), 1]}, 0.0,
            {"$divide": [{"$subtract": [format!("${r}"), 1]}, {"$subtract": [format!("${n}"), 1]}]}]});
        let mut set = Document::new();
        set.insert(field, value);
        stages.push(doc! {"$set": set});
    } else {
        let d = format!("{field}d");
        let mut first = Document::new();
        first.insert(&d, doc! {"$denseRank": {}});
        first.insert(&n, doc! {"$sum": 1});
        stages.push(c.sorted(first));
        let mut second = Document::new();
        second.insert(
            &r,
            doc! {"$sum": 1, "window": {"range": ["unbounded", "current"]}},
        );
        stages.push(c.base(&d, 1, second));
        let mut set = Document::new();
        set.insert(
            field,
            bson!({"$divide": [format!("${r}"), format!("${n}")]}),
        );
        stages.push(doc! {"$set": set});
        stages.push(doc! {"$unset": d});
    }
    stages.push(doc! {"$unset": [c.kfield.clone(), r, n]});
    Ok((Kind::Number, false))
}
