//! Bounded memory, as mongod bounds it: blocking stages past their limit spill to disk (same answers as in
//! memory) when `allowDiskUse` allows it, fail with 292 when it does not; the limits are mongod's
//! `setParameter` parameters; spill files never outlive the command.

use bson::{doc, Bson, Document};
use sqlmongo::engine::memory::MemoryOptions;
use sqlmongo::engine::{Engine, EngineOptions};
use std::path::{Path, PathBuf};

const DB: &str = "app";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sqlmongo-memory-limits-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn engine(spill_dir: &Path) -> Engine {
    let e = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        memory: MemoryOptions {
            temp_dir: Some(spill_dir.to_path_buf()),
            ..MemoryOptions::default()
        },
        ..EngineOptions::default()
    });
    let docs: Vec<Bson> = (0..3000)
        .map(|i| {
            Bson::Document(
                doc! {"_id": i, "k": (i * 7919) % 1000, "g": i % 1500, "pad": "x".repeat(64)},
            )
        })
        .collect();
    e.run_command(DB, &doc! {"insert": "c", "documents": docs})
        .expect("insert");
    e
}

fn set_limits(e: &Engine, bytes: i64) {
    for name in [
        "internalQueryMaxBlockingSortMemoryUsageBytes",
        "internalDocumentSourceGroupMaxMemoryBytes",
    ] {
        e.run_command("admin", &doc! {"setParameter": 1, name: bytes})
            .expect("setParameter");
    }
}

fn aggregate(
    e: &Engine,
    pipeline: Vec<Document>,
    allow: Option<bool>,
) -> Result<Vec<Document>, (i32, String)> {
    let mut cmd = doc! {"aggregate": "c", "pipeline": pipeline, "cursor": {"batchSize": 1_000_000}};
    if let Some(a) = allow {
        cmd.insert("allowDiskUse", a);
    }
    let reply = e
        .run_command(DB, &cmd)
        .map_err(|err| (err.code, err.errmsg))?;
    Ok(first_batch(&reply))
}

fn first_batch(reply: &Document) -> Vec<Document> {
    reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .expect("firstBatch")
        .iter()
        .filter_map(|b| b.as_document().cloned())
        .collect()
}

fn by_id(mut docs: Vec<Document>) -> Vec<Document> {
    docs.sort_by_key(|d| d.get_i32("_id").unwrap_or(i32::MIN));
    docs
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true)
}

#[test]
fn sort_and_group_spill_with_disk_use_and_fail_with_292_without() {
    let dir = temp_dir("spill");
    let e = engine(&dir);
    let sort = vec![doc! {"$sort": {"k": 1}}, doc! {"$project": {"pad": 0}}];
    let group = vec![
        doc! {"$group": {"_id": "$g", "n": {"$sum": 1}, "ids": {"$push": "$_id"}, "first": {"$first": "$k"}}},
    ];
    let grouped_expr = vec![
        doc! {"$group": {"_id": {"$mod": ["$g", 1000]}, "s": {"$sum": "$k"}, "set": {"$addToSet": "$k"}}},
    ];
    let want_sort = aggregate(&e, sort.clone(), Some(false)).expect("in memory");
    let want_group = by_id(aggregate(&e, group.clone(), Some(false)).expect("in memory"));
    let want_expr = by_id(aggregate(&e, grouped_expr.clone(), Some(false)).expect("in memory"));
    assert_eq!(want_sort.len(), 3000);
    assert_eq!(want_group.len(), 1500);

    set_limits(&e, 64 * 1024);
    for p in [&sort, &group, &grouped_expr] {
        let (code, msg) = aggregate(&e, p.clone(), Some(false)).unwrap_err();
        assert_eq!(code, 292, "{msg}");
    }
    // allowDiskUse true, and the default (allowDiskUseByDefault: true): spilled, same documents.
    for allow in [Some(true), None] {
        assert_eq!(
            aggregate(&e, sort.clone(), allow).expect("spills"),
            want_sort
        );
        assert_eq!(
            by_id(aggregate(&e, group.clone(), allow).expect("spills")),
            want_group
        );
        assert_eq!(
            by_id(aggregate(&e, grouped_expr.clone(), allow).expect("spills")),
            want_expr
        );
    }
    // find's blocking sort too.
    let find = |allow: bool| {
        e.run_command(DB, &doc! {"find": "c", "sort": {"k": -1, "_id": 1}, "allowDiskUse": allow, "batchSize": 1_000_000})
            .map(|r| first_batch(&r))
            .map_err(|err| err.code)
    };
    assert_eq!(find(false).unwrap_err(), 292);
    let sorted = find(true).expect("spills");
    assert_eq!(sorted.len(), 3000);
    assert!(sorted
        .windows(2)
        .all(|w| w[0].get_i32("k").unwrap() >= w[1].get_i32("k").unwrap()));
    // allowDiskUseByDefault: false makes the default refuse.
    e.run_command(
        "admin",
        &doc! {"setParameter": 1, "allowDiskUseByDefault": false},
    )
    .expect("setParameter");
    assert_eq!(aggregate(&e, sort.clone(), None).unwrap_err().0, 292);
    assert_eq!(aggregate(&e, sort, Some(true)).expect("spills"), want_sort);
    // Spill files are gone after successes and failures alike.
    assert!(is_empty_dir(&dir), "spill files left in {}", dir.display());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn spill_files_are_gone_after_an_error_mid_merge() {
    let dir = temp_dir("error");
    let e = engine(&dir);
    set_limits(&e, 16 * 1024);
    // The grouping spills, then a later stage fails.
    let err = aggregate(
        &e,
        vec![
            doc! {"$group": {"_id": "$g", "n": {"$sum": 1}}},
            doc! {"$project": {"x": {"$divide": [1, {"$subtract": ["$n", "$n"]}]}}},
        ],
        Some(true),
    )
    .unwrap_err();
    assert_ne!(err.0, 292);
    assert!(is_empty_dir(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn parameters_read_back_and_are_checked() {
    let dir = temp_dir("params");
    let e = engine(&dir);
    let name = "internalDocumentSourceGroupMaxMemoryBytes";
    let r = e
        .run_command("admin", &doc! {"setParameter": 1, name: 1_000_000})
        .expect("set");
    assert_eq!(r.get_i64("was").unwrap(), 100 * 1024 * 1024);
    let r = e
        .run_command("admin", &doc! {"getParameter": 1, name: 1})
        .expect("get");
    assert_eq!(r.get_i64(name).unwrap(), 1_000_000);
    assert_eq!(
        e.run_command(DB, &doc! {"setParameter": 1, name: 5})
            .unwrap_err()
            .code,
        13
    );
    let bad = e
        .run_command(
            DB,
            &doc! {"aggregate": "c", "pipeline": [], "cursor": {}, "allowDiskUse": "yes"},
        )
        .unwrap_err();
    assert_eq!(bad.code, 14);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_data_directory_tmp_is_emptied_at_startup() {
    let data = temp_dir("data");
    drop(Engine::open(&data).expect("open"));
    let tmp = data.join("_tmp");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    std::fs::write(
        tmp.join("sqlmongo-spill-1-0.tmp"),
        b"left by a killed process",
    )
    .expect("write");
    let e = Engine::open(&data).expect("reopen");
    assert!(is_empty_dir(&tmp));
    drop(e);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn window_functions_and_expressions_are_bounded() {
    let dir = temp_dir("window");
    let e = engine(&dir);
    let window = vec![doc! {"$setWindowFields": {"sortBy": {"_id": 1}, "output": {
    "all": {"$push": "$pad", "window": {"documents": ["unbounded", "current"]}}}}}];
    assert!(!aggregate(&e, window.clone(), None)
        .expect("in memory")
        .is_empty());
    e.run_command(
        "admin",
        &doc! {"setParameter": 1, "internalDocumentSourceSetWindowFieldsMaxMemoryBytes": 64 * 1024},
    )
    .expect("setParameter");
    // A running $push whose array (3,000 strings of 64 bytes: the state the window holds, counted once,
    // not each document's copy of it) passes the limit: mongod's 5414201 whatever allowDiskUse says.
    let (code, msg) = aggregate(&e, window, Some(true)).unwrap_err();
    assert_eq!(code, 5414201, "{msg}");
    // The partitions held past the limit without allowDiskUse.
    let plain =
        vec![doc! {"$setWindowFields": {"sortBy": {"_id": 1}, "output": {"r": {"$rank": {}}}}}];
    assert_eq!(
        aggregate(&e, plain.clone(), Some(false)).unwrap_err().0,
        5643011
    );
    assert_eq!(aggregate(&e, plain, Some(true)).expect("held").len(), 3000);

    // Strings and arrays past their limits fail before they are built.
    let big = vec![
        doc! {"$limit": 1},
        doc! {"$project": {"s": {"$reduce": {"input": {"$range": [0, 40]}, "initialValue": "x",
        "in": {"$concat": ["$$value", "$$value"]}}}}},
    ];
    assert_eq!(aggregate(&e, big, None).unwrap_err().0, 10334);
    let range = vec![
        doc! {"$limit": 1},
        doc! {"$project": {"r": {"$range": [0, 2_000_000_000]}}},
    ];
    let (code, msg) = aggregate(&e, range, None).unwrap_err();
    assert_eq!(code, 146);
    assert!(msg.starts_with("$range would use too much memory"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_lookup_array_past_the_intermediate_limit_is_4568_and_an_absorbed_unwind_streams() {
    let dir = temp_dir("lookup");
    let e = engine(&dir);
    // 11 foreign documents of 10 MB each, all matching: a 110 MB `as` array.
    for i in 0..11 {
        e.run_command(
            DB,
            &doc! {"insert": "big", "documents": [{"_id": i, "f": 1, "s": "x".repeat(10 << 20)}]},
        )
        .expect("insert");
    }
    let lookup =
        doc! {"$lookup": {"from": "big", "localField": "f", "foreignField": "f", "as": "j"}};
    let head = vec![doc! {"$limit": 1}, doc! {"$set": {"f": 1}}, lookup];
    let mut array = head.clone();
    array.push(doc! {"$project": {"n": {"$size": "$j"}}});
    let (code, msg) = aggregate(&e, array, None).unwrap_err();
    assert_eq!(code, 4568, "{msg}");
    assert_eq!(
        msg,
        "Total size of documents in big matching pipeline's $lookup stage exceeds 104857600 bytes"
    );
    let mut unwound = head;
    unwound.push(doc! {"$unwind": "$j"});
    unwound.push(doc! {"$project": {"_id": "$j._id"}});
    assert_eq!(aggregate(&e, unwound, None).expect("streams").len(), 11);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_window_fused_with_the_stages_after_it_answers_as_stage_by_stage() {
    let dir = temp_dir("window-fused");
    let e = engine(&dir);
    let frames = [
        Bson::Document(doc! {"documents": ["unbounded", "current"]}),
        Bson::Document(doc! {"documents": ["unbounded", "unbounded"]}),
        Bson::Document(doc! {"documents": [-2, 1]}),
        Bson::Document(doc! {"range": [-3, 0]}),
    ];
    for frame in frames {
        let window = doc! {"$setWindowFields": {"partitionBy": {"$mod": ["$g", 7]}, "sortBy": {"k": 1},
        "output": {"w": {"$push": {"$cond": [{"$gt": ["$k", 500]}, ["$k"], []]}, "window": frame.clone()}}}};
        let after = vec![
            doc! {"$set": {"w": {"$reduce": {"input": "$w", "initialValue": [], "in": {"$concatArrays": ["$$value", "$$this"]}}}}},
            doc! {"$match": {"$expr": {"$gt": [{"$size": "$w"}, 0]}}},
            doc! {"$project": {"pad": 0}},
        ];
        // A `$sort` right after the window stops the fusion: the stages then run one after the other.
        let mut fused = vec![window.clone()];
        fused.extend(after.clone());
        fused.push(doc! {"$sort": {"_id": 1}});
        let mut staged = vec![window, doc! {"$sort": {"_id": 1}}];
        staged.extend(after);
        let a = aggregate(&e, fused, None).expect("fused");
        let b = by_id(aggregate(&e, staged, None).expect("stage by stage"));
        assert!(!a.is_empty());
        assert_eq!(a, b, "frame {frame}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
