//! Tests of `$setWindowFields`: the one-pass evaluation against the frame-by-frame reference.

use super::*;
use bson::{bson, doc};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// A partition key, ordered (and equal) by the BSON order under the command's collation: partitions of
/// strings equal by the collation are one partition, as mongod sorts them.
#[derive(Debug, Clone)]
struct PartKey(Bson);

impl PartialEq for PartKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for PartKey {}
impl PartialOrd for PartKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PartKey {
    fn cmp(&self, other: &Self) -> Ordering {
        crate::engine::bson_order::compare(&self.0, &other.0)
    }
}

impl SetWindowFields {
    /// The stage with every accumulator on its general path (no `$firstN` cap).
    fn uncapped(&self) -> SetWindowFields {
        let mut w = self.clone();
        for (_, op) in &mut w.outputs {
            if let Op::Acc(acc, _) = op {
                *acc = acc.uncapped();
            }
        }
        w
    }

    /// The old evaluation, kept as the reference: every output of every document computed on its own,
    /// its window found and folded frame by frame.
    fn run_frame_by_frame(
        &self,
        docs: Vec<Document>,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let mut parts: BTreeMap<PartKey, Vec<Document>> = BTreeMap::new();
        for d in docs {
            let key = match &self.partition {
                Some(e) => e.eval(&d, vars)?.unwrap_or(Bson::Null),
                None => Bson::Null,
            };
            parts.entry(PartKey(key)).or_default().push(d);
        }
        let mut out = Vec::new();
        for (_, mut part) in parts {
            let keys: Vec<Vec<Bson>> = match &self.sort {
                Some(s) => {
                    s.sort(&mut part)?;
                    part.iter().map(|d| s.key(d)).collect()
                }
                None => vec![Vec::new(); part.len()],
            };
            let mut results: Vec<Vec<Option<Bson>>> =
                vec![Vec::with_capacity(self.outputs.len()); part.len()];
            for (_, op) in &self.outputs {
                for (i, slot) in results.iter_mut().enumerate() {
                    slot.push(self.eval_op(op, &part, &keys, i, vars)?);
                }
            }
            for (mut d, vals) in part.into_iter().zip(results) {
                for ((name, _), v) in self.outputs.iter().zip(vals) {
                    match v {
                        Some(v) => super::super::reshape::set_field(&mut d, name, v),
                        None => super::super::reshape::unset_field(&mut d, name),
                    }
                }
                out.push(d);
            }
        }
        Ok(out)
    }
}

fn rows() -> impl Strategy<Value = Vec<Document>> {
    let k = prop_oneof![
        8 => (0i32..6).prop_map(Bson::Int32),
        2 => (0i64..6).prop_map(Bson::Int64),
        2 => prop_oneof![Just(0.5), Just(2.0), Just(4.5)].prop_map(Bson::Double),
        1 => Just(Bson::Null),
    ];
    let v = prop_oneof![
        6 => (-3i32..4).prop_map(Bson::Int32),
        2 => prop_oneof![Just(0.25), Just(-1.5), Just(3.0)].prop_map(Bson::Double),
        1 => "[ab]".prop_map(Bson::String),
        1 => Just(Bson::Null),
        1 => prop::collection::vec((0i32..3).prop_map(Bson::Int32), 0..3).prop_map(Bson::Array),
    ];
    // Partition values: numbers equal across types (one partition in the BSON order, one hash), null and
    // missing (one partition), strings.
    let p = prop_oneof![
        6 => (0i32..3).prop_map(Bson::Int32),
        2 => (0i64..3).prop_map(Bson::Int64),
        2 => prop_oneof![Just(1.0), Just(2.0), Just(0.5)].prop_map(Bson::Double),
        1 => Just(Bson::Null),
        1 => "[ab]".prop_map(Bson::String),
    ];
    prop::collection::vec((k, prop::option::of(v), prop::option::of(p)), 0..60).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (k, v, p))| {
                let mut d = doc! {"_id": i as i64, "k": k};
                if let Some(p) = p {
                    d.insert("p", p);
                }
                if let Some(v) = v {
                    d.insert("v", v);
                }
                d
            })
            .collect()
    })
}

fn frames() -> Vec<Bson> {
    vec![
        Bson::Null,
        bson!({"documents": ["unbounded", "current"]}),
        bson!({"documents": ["unbounded", "unbounded"]}),
        bson!({"documents": ["unbounded", -1]}),
        bson!({"documents": ["unbounded", 2]}),
        bson!({"documents": [-2, 1]}),
        bson!({"documents": ["current", "unbounded"]}),
        bson!({"documents": [1, 3]}),
        bson!({"range": ["unbounded", "current"]}),
        bson!({"range": [-2, 0]}),
        bson!({"range": [0, 1.5]}),
        bson!({"range": ["current", "unbounded"]}),
        bson!({"range": [2, -2]}),
    ]
}

const OPS: &[&str] = &[
    "$sum",
    "$avg",
    "$min",
    "$max",
    "$push",
    "$addToSet",
    "$first",
    "$last",
    "$stdDevPop",
    "$firstN",
    "$lastN",
    "$rank",
    "$denseRank",
    "$documentNumber",
];

/// The output specification of `op` over `$v` (the ranks take no argument; `$firstN` / `$lastN` keep 2).
fn op_spec(op: &str) -> Document {
    match op {
        "$rank" | "$denseRank" | "$documentNumber" => doc! {op: {}},
        "$firstN" | "$lastN" => doc! {op: {"input": "$v", "n": 2}},
        _ => doc! {op: "$v"},
    }
}

proptest! {
    /// The one-pass evaluation gives what frame-by-frame evaluation gives (errors included).
    #[test]
    fn one_pass_is_frame_by_frame(
        docs in rows(),
        outs in prop::collection::vec((0..OPS.len(), 0usize..13), 1..4),
        desc in any::<bool>(),
        partitioned in 0usize..3,
    ) {
        let mut output = Document::new();
        for (n, (op, frame)) in outs.into_iter().enumerate() {
            let op = OPS[op];
            let mut spec = op_spec(op);
            let frame = &frames()[frame];
            if frame.as_null().is_none() && spec.keys().all(|k| !k.ends_with("Rank") && k != "$documentNumber") {
                spec.insert("window", frame.clone());
            }
            output.insert(format!("o{n}"), spec);
        }
        let mut stage = doc! {"sortBy": {"k": if desc { -1 } else { 1 }}, "output": output};
        // A plain field (its value read by reference) or a computed value (a document holding it).
        if partitioned == 1 {
            stage.insert("partitionBy", "$p");
        } else if partitioned == 2 {
            stage.insert("partitionBy", doc! {"q": "$p"});
        }
        let w = SetWindowFields::compile(&stage).expect("compiles");
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let fast = w.run(docs.clone(), &vars);
        // The reference keeps every value of a `$firstN` (its general path).
        let slow = w.uncapped().run_frame_by_frame(docs, &vars);
        prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
    }

    /// Past its memory limit with disk use, the stage sorts its documents externally by (partition,
    /// `sortBy`) and reads them back a partition at a time: the same outputs in the same order as in memory
    /// (errors included), for limits from "spill at the first document" to "never spill".
    #[test]
    fn spilled_is_in_memory(
        docs in rows(),
        outs in prop::collection::vec((0..OPS.len(), 0usize..13), 1..3),
        desc in any::<bool>(),
        partition in 0usize..3,
        sorted in any::<bool>(),
        limit in 0usize..8000,
    ) {
        let mut output = Document::new();
        let mut needs_sort = false;
        for (n, (op, frame)) in outs.into_iter().enumerate() {
            let op = OPS[op];
            let ranked = matches!(op, "$rank" | "$denseRank" | "$documentNumber");
            let mut spec = op_spec(op);
            let frame = &frames()[frame];
            if frame.as_null().is_none() && !ranked {
                spec.insert("window", frame.clone());
                needs_sort = true;
            }
            needs_sort |= ranked;
            output.insert(format!("o{n}"), spec);
        }
        let mut stage = doc! {"output": output};
        if sorted || needs_sort {
            stage.insert("sortBy", doc! {"k": if desc { -1 } else { 1 }, "_id": 1});
        }
        match partition {
            1 => { stage.insert("partitionBy", "$p"); }
            2 => { stage.insert("partitionBy", "$k"); }
            _ => {}
        }
        let w = SetWindowFields::compile(&stage).expect("compiles");
        let in_memory = w.uncapped().run(docs.clone(), &Vars::new(bson::DateTime::from_millis(0)));
        let mut vars = Vars::new(bson::DateTime::from_millis(0));
        vars.memory.window_bytes = limit;
        vars.memory.sort_bytes = limit;
        vars.memory.allow_disk_use = true;
        vars.memory.temp_dir = std::sync::Arc::new(std::env::temp_dir().join(format!("sqlmongo-window-tests-{}", std::process::id())));
        let spilled = w.run(docs, &vars);
        // A window function's own state past the same limit is mongod's 5414201 whether or not the
        // documents spill: nothing to compare then.
        prop_assume!(!matches!(&spilled, Err(e) if e.code == 5414201));
        prop_assert_eq!(format!("{spilled:?}"), format!("{in_memory:?}"));
    }
}

/// A running `$push` holds its state (the array so far), not one array per document: over a partition whose
/// arrays add up past the limit while the last one fits, it runs (as on mongod); a state past the limit is
/// mongod's 5414201. A whole-partition value counts once, not once per document.
#[test]
fn a_running_push_counts_its_state_not_every_output() {
    let docs: Vec<Document> = (0..200).map(|i| doc! {"_id": i, "v": "abcdefgh"}).collect();
    let one = |window: Bson, limit: usize| {
        let w = SetWindowFields::compile(&doc! {
            "sortBy": {"_id": 1},
            "output": {"a": {"$push": "$v", "window": window}},
        })
        .expect("compiles");
        let mut vars = Vars::new(bson::DateTime::from_millis(0));
        vars.memory.window_bytes = limit;
        w.run(docs.clone(), &vars)
    };
    let state =
        crate::engine::memory::value_bytes(&Bson::Array(vec![
            Bson::String("abcdefgh".into());
            200
        ]));
    for window in [
        bson!({"documents": ["unbounded", "current"]}),
        bson!({"documents": ["unbounded", "unbounded"]}),
        bson!({"range": ["unbounded", "current"]}),
    ] {
        let out = one(window.clone(), state + 10).expect("the state fits");
        assert_eq!(out.len(), 200);
        let err = one(window, state / 2).expect_err("the state does not fit");
        assert_eq!(err.code, 5414201);
    }
}
