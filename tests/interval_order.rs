//! Intervals ordered and compared as PostgreSQL does, by their span (`(months * 30 + days) * 86_400_000_000 +
//! micros`, a month 30 days and a day 24 hours; computed here exactly, as i128), on generated intervals with
//! many equal spans of different fields (`1 mon` / `30 days` / `720:00:00`) and NULLs: through a UNION ALL and a
//! derived table (documents carried, `context::Intervals::Values`), the ORDER BY key read from the SELECT list's
//! column (`select.rs`, the interval computed once) against the key computed on its own (the general path),
//! UNION / GROUP BY / DISTINCT on the span keeping the group's first value, and MIN / MAX by span.

use bson::Bson;
use proptest::prelude::*;
use sqlmongo::mql::interval_text::interval_text;
use sqlmongo::Client;

#[path = "common/sql_rows.rs"]
mod sql_rows;
use sql_rows::rows;

/// One row's interval fields, or NULL.
type Iv = Option<(i32, i32, i64)>;

const DAY: i64 = 86_400_000_000;

fn span(iv: &Iv) -> Option<i128> {
    iv.map(|(m, d, us)| (i128::from(m) * 30 + i128::from(d)) * i128::from(DAY) + i128::from(us))
}

fn text(iv: &Iv) -> Bson {
    match iv {
        Some((m, d, us)) => Bson::String(interval_text(i64::from(*m), i64::from(*d), *us)),
        None => Bson::Null,
    }
}

/// Fields chosen so that equal spans of different fields are common: a few months, days around 30, and
/// micros in whole hours or days (negative too), now and then anything.
fn interval() -> impl Strategy<Value = Iv> {
    let fields = (
        -2i32..3,
        prop_oneof![3 => -31i32..32, 1 => prop::sample::select(vec![-60, -30, 30, 60])],
        prop_oneof![
            3 => (-50i64..50).prop_map(|h| h * 3_600_000_000),
            1 => (-3i64..4).prop_map(|d| d * DAY),
            1 => -1_000_000_000_000_000i64..1_000_000_000_000_000,
        ],
    );
    prop_oneof![1 => Just(None), 6 => fields.prop_map(Some)]
}

/// The interval of row `t` as the SQL computes it from its three integer columns.
const IV: &str = "INTERVAL '1 mon' * m + INTERVAL '1 day' * d + INTERVAL '1 microsecond' * us";

fn seed(cl: &Client, ivs: &[Iv]) {
    let mut script = String::from("CREATE TABLE t (id INTEGER, m INTEGER, d INTEGER, us BIGINT);");
    for (i, iv) in ivs.iter().enumerate() {
        let (m, d, us) = match iv {
            Some((m, d, us)) => (m.to_string(), d.to_string(), us.to_string()),
            None => ("NULL".into(), "NULL".into(), "NULL".into()),
        };
        script.push_str(&format!("INSERT INTO t VALUES ({i}, {m}, {d}, {us});"));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(cl.execute(&script, &[])).expect("seed");
}

/// `(id, interval)` rows sorted as PostgreSQL sorts `ORDER BY iv [DESC], id` (NULLs last ascending, first
/// descending).
fn sorted(rows: &[(usize, Iv)], desc: bool) -> Vec<Vec<Bson>> {
    let mut out = rows.to_vec();
    out.sort_by(|(ia, a), (ib, b)| {
        let by_span = match (span(a), span(b)) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(_), None) => std::cmp::Ordering::Less,
            (Some(x), Some(y)) => x.cmp(&y),
        };
        (if desc { by_span.reverse() } else { by_span }).then(ia.cmp(ib))
    });
    out.iter()
        .map(|(i, iv)| vec![Bson::Int32(*i as i32), text(iv)])
        .collect()
}

/// The first value of each span (NULL one group), in order of appearance, then sorted by span (NULL last).
fn firsts(values: impl Iterator<Item = Iv>) -> Vec<Iv> {
    let mut out: Vec<Iv> = Vec::new();
    for v in values {
        if !out.iter().any(|o| span(o) == span(&v)) {
            out.push(v);
        }
    }
    out.sort_by_key(|v| (v.is_none(), span(v)));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn intervals_order_and_group_by_span(ivs in proptest::collection::vec(interval(), 0..14)) {
        let cl = Client::embedded();
        seed(&cl, &ivs);
        let all: Vec<(usize, Iv)> = ivs.iter().copied().enumerate().collect();
        // the key read from the column, and the general path (a key that is not the column: `(...)`)
        for sql in [
            format!("SELECT id, {IV} AS iv FROM t ORDER BY iv DESC, id"),
            format!("SELECT id, {IV} AS iv FROM t ORDER BY ({IV}) DESC, id"),
        ] {
            prop_assert_eq!(rows(&cl, &sql), sorted(&all, true), "{}", sql);
        }
        // UNION ALL (its sides' documents) and a derived table over it, ordered outside
        let union_all = format!(
            "SELECT id, {IV} AS iv FROM t WHERE id % 2 = 0 UNION ALL SELECT id, {IV} FROM t WHERE id % 2 = 1"
        );
        for sql in [
            format!("{union_all} ORDER BY iv, id"),
            format!("SELECT id, iv FROM ({union_all}) u ORDER BY iv, id"),
            format!("WITH u AS ({union_all}) SELECT * FROM u ORDER BY iv, id"),
        ] {
            prop_assert_eq!(rows(&cl, &sql), sorted(&all, false), "{}", sql);
        }
        // UNION on the span: the left side's first value of each span, then the right side's
        let even = all.iter().filter(|(i, _)| i % 2 == 0).map(|(_, v)| *v);
        let odd = all.iter().filter(|(i, _)| i % 2 == 1).map(|(_, v)| *v);
        let expected: Vec<Vec<Bson>> = firsts(even.chain(odd)).iter().map(|v| vec![text(v)]).collect();
        let sql = format!(
            "SELECT {IV} AS iv FROM t WHERE id % 2 = 0 UNION SELECT {IV} FROM t WHERE id % 2 = 1 ORDER BY iv"
        );
        prop_assert_eq!(rows(&cl, &sql), expected, "{}", sql);
        // GROUP BY / DISTINCT on the span: the group's first value (rows in insertion order)
        let groups = firsts(ivs.iter().copied());
        let sql = format!("SELECT iv, COUNT(*) AS n FROM (SELECT {IV} AS iv FROM t) s GROUP BY iv ORDER BY iv");
        let expected: Vec<Vec<Bson>> = groups
            .iter()
            .map(|g| {
                let n = ivs.iter().filter(|v| span(v) == span(g)).count();
                vec![text(g), Bson::Int32(n as i32)]
            })
            .collect();
        prop_assert_eq!(rows(&cl, &sql), expected, "{}", sql);
        let sql = format!("SELECT DISTINCT {IV} AS iv FROM t ORDER BY iv");
        let expected: Vec<Vec<Bson>> = groups.iter().map(|g| vec![text(g)]).collect();
        prop_assert_eq!(rows(&cl, &sql), expected, "{}", sql);
        // MIN / MAX by span: the span of the result (which of equal spans is kept is not PostgreSQL's concern)
        let sql = format!("SELECT EXTRACT(EPOCH FROM MIN({IV})), EXTRACT(EPOCH FROM MAX({IV})) FROM t");
        let got = rows(&cl, &sql);
        let spans: Vec<i128> = ivs.iter().filter_map(span).collect();
        let secs = |s: Option<&i128>| s.map(|s| *s as f64 / 1e6);
        let as_f64 = |b: &Bson| match b {
            Bson::Double(x) => Some(*x),
            Bson::Int32(x) => Some(f64::from(*x)),
            Bson::Int64(x) => Some(*x as f64),
            _ => None,
        };
        // the epoch sums seconds in doubles: equal to the exact span within a few ulps
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            (a, b) => a.is_none() && b.is_none(),
        };
        prop_assert_eq!(got.len(), 1);
        prop_assert!(close(as_f64(&got[0][0]), secs(spans.iter().min())), "{}: {:?}", sql, got);
        prop_assert!(close(as_f64(&got[0][1]), secs(spans.iter().max())), "{}: {:?}", sql, got);
    }
}

/// Differences of two timestamps and products of a time-only interval are canonical (equal spans are equal
/// documents: `Agg::canonical`) and group on the document itself; the same values made non-canonical (`+
/// INTERVAL '0 seconds'`) group on their span: the same groups, values and counts.
mod canonical {
    use super::*;

    fn timestamp(ms: i64) -> String {
        let t = chrono::DateTime::from_timestamp_millis(1_700_000_000_000 + ms).expect("in range");
        t.format("%Y-%m-%d %H:%M:%S%.3f+00").to_string()
    }

    /// A start and a difference: whole hours and days (equal spans from different starts), negative too,
    /// milliseconds now and then; NULL one time in eight.
    fn pair() -> impl Strategy<Value = Option<(i64, i64)>> {
        let diff = prop_oneof![
            3 => (-60i64..60).prop_map(|h| h * 3_600_000),
            1 => (-3i64..4).prop_map(|d| d * 86_400_000),
            1 => -100_000_000_000i64..100_000_000_000,
        ];
        prop_oneof![1 => Just(None), 7 => (0i64..10_000_000_000, diff).prop_map(Some)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn canonical_keys_group_as_the_span_does(pairs in proptest::collection::vec(pair(), 0..14)) {
            let cl = Client::embedded();
            let mut script =
                String::from("CREATE TABLE ts (id INTEGER, a TIMESTAMPTZ, b TIMESTAMPTZ, s INTEGER);");
            for (i, p) in pairs.iter().enumerate() {
                let (a, b, s) = match p {
                    Some((a, d)) => (
                        format!("'{}'", timestamp(*a)),
                        format!("'{}'", timestamp(a + d)),
                        (d / 1000 % 100_000).to_string(),
                    ),
                    None => ("NULL".into(), "NULL".into(), "NULL".into()),
                };
                script.push_str(&format!("INSERT INTO ts VALUES ({i}, {a}, {b}, {s});"));
            }
            let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
            rt.block_on(cl.execute(&script, &[])).expect("seed");
            for (canonical, general) in [
                ("b - a", "(b - a) + INTERVAL '0 seconds'"),
                ("INTERVAL '1 second' * s", "INTERVAL '1 second' * s + INTERVAL '0 seconds'"),
            ] {
                let grouped = |iv: &str| {
                    rows(&cl, &format!("SELECT {iv} AS iv, COUNT(*) AS n FROM ts GROUP BY 1 ORDER BY 1"))
                };
                let distinct = |iv: &str| rows(&cl, &format!("SELECT DISTINCT {iv} AS iv FROM ts ORDER BY 1"));
                prop_assert_eq!(grouped(canonical), grouped(general), "{}", canonical);
                prop_assert_eq!(distinct(canonical), distinct(general), "{}", canonical);
            }
            // and the groups are the spans: one per distinct difference
            let mut spans: Vec<Option<i64>> = pairs.iter().map(|p| p.map(|(_, d)| d)).collect();
            spans.sort();
            spans.dedup();
            let got = rows(&cl, "SELECT b - a AS iv, COUNT(*) AS n FROM ts GROUP BY 1 ORDER BY 1");
            prop_assert_eq!(got.len(), spans.len());
        }
    }
}
