//! INSERT ... ON CONFLICT and UPDATE / DELETE ... RETURNING end to end on the embedded engine, with
//! PostgreSQL's row counts and rows (the expected values follow PostgreSQL's documented behaviour).

use bson::Bson;
use sqlmongo::{Client, RowExt, StatementResult};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn run(c: &Client, sql: &str, params: &[Bson]) -> StatementResult {
    let mut r = c
        .execute(sql, params)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    r.pop().expect("one result")
}

fn affected(r: StatementResult) -> u64 {
    match r {
        StatementResult::Affected(n) => n,
        other => panic!("count expected, got {other:?}"),
    }
}

fn rows(r: StatementResult) -> sqlmongo::Rows {
    match r {
        StatementResult::Rows(r) => r,
        other => panic!("rows expected, got {other:?}"),
    }
}

async fn cache() -> Client {
    let c = Client::embedded();
    c.execute(
        "CREATE COLLECTION application_cache;
         CREATE UNIQUE INDEX ON application_cache (cache_key)",
        &[],
    )
    .await
    .expect("setup");
    c
}

#[test]
fn do_nothing_counts_only_inserted_rows() {
    rt().block_on(async {
        let c = cache().await;
        let ins = "INSERT INTO application_cache (cache_key, data, hit_count) VALUES ($1, $2, 0) ON CONFLICT (cache_key) DO NOTHING";
        assert_eq!(affected(run(&c, ins, &["k1".into(), "v1".into()]).await), 1);
        // Conflict: nothing changes, PostgreSQL reports INSERT 0 0.
        assert_eq!(affected(run(&c, ins, &["k1".into(), "v2".into()]).await), 0);
        let r = rows(run(&c, "SELECT data, hit_count FROM application_cache WHERE cache_key = 'k1'", &[]).await);
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].get_str(0), Some("v1"));
        // Multi-row with one conflict: one inserted.
        let multi = "INSERT INTO application_cache (cache_key, data) VALUES ('k1', 'x'), ('k2', 'y') ON CONFLICT (cache_key) DO NOTHING";
        assert_eq!(affected(run(&c, multi, &[]).await), 1);
        // Computed values (pipeline form) leave an existing row untouched.
        let comp = "INSERT INTO application_cache (cache_key, data, expires_at) VALUES ('k2', 'z', NOW() + INTERVAL '1 hour') ON CONFLICT (cache_key) DO NOTHING";
        assert_eq!(affected(run(&c, comp, &[]).await), 0);
        let r = rows(run(&c, "SELECT * FROM application_cache WHERE cache_key = 'k2'", &[]).await);
        assert_eq!(r.columns, vec!["_id", "cache_key", "data"]);
        assert_eq!(r.rows[0].get_str(2), Some("y"));
        let comp3 = "INSERT INTO application_cache (cache_key, data, expires_at) VALUES ('k3', 'z', NOW() + INTERVAL '1 hour') ON CONFLICT (cache_key) DO NOTHING";
        assert_eq!(affected(run(&c, comp3, &[]).await), 1);
        let r = rows(run(&c, "SELECT data, expires_at > NOW() FROM application_cache WHERE cache_key = 'k3'", &[]).await);
        assert_eq!(r.rows[0].get_str(0), Some("z"));
        assert_eq!(r.rows[0].get_bool(1), Some(true));
    });
}

#[test]
fn do_update_sets_excluded_values_and_reads_the_existing_row() {
    rt().block_on(async {
        let c = cache().await;
        // The seed's session-store `set`: operator form.
        let set = "INSERT INTO application_cache (cache_key, data, created_by) VALUES ($1, $2, $3) ON CONFLICT (cache_key) DO UPDATE SET data = EXCLUDED.data";
        assert_eq!(affected(run(&c, set, &["k".into(), "v1".into(), "a".into()]).await), 1);
        assert_eq!(affected(run(&c, set, &["k".into(), "v2".into(), "b".into()]).await), 1);
        let r = rows(run(&c, "SELECT data, created_by FROM application_cache", &[]).await);
        // The DO UPDATE only changes `data`: created_by keeps the first row's value.
        assert_eq!(r.rows, vec![vec![Bson::from("v2"), Bson::from("a")]]);
        // Pipeline form: an assignment that reads the existing row; on insert the proposed row is stored.
        let count = "INSERT INTO application_cache (cache_key, hit_count, expires_at) VALUES ($1, 1, NOW() + INTERVAL '1 hour') ON CONFLICT (cache_key) DO UPDATE SET hit_count = application_cache.hit_count + 1, last_accessed = NOW()";
        assert_eq!(affected(run(&c, count, &["h".into()]).await), 1);
        let r = rows(run(&c, "SELECT hit_count, last_accessed FROM application_cache WHERE cache_key = 'h'", &[]).await);
        assert_eq!(r.rows[0].get_i64(0), Some(1));
        assert!(r.rows[0].is_null(1), "last_accessed is not set on insert");
        assert_eq!(affected(run(&c, count, &["h".into()]).await), 1);
        assert_eq!(affected(run(&c, count, &["h".into()]).await), 1);
        let r = rows(run(&c, "SELECT hit_count, last_accessed IS NOT NULL, expires_at > NOW() FROM application_cache WHERE cache_key = 'h'", &[]).await);
        assert_eq!(r.rows[0].get_i64(0), Some(3));
        assert_eq!(r.rows[0].get_bool(1), Some(true));
        assert_eq!(r.rows[0].get_bool(2), Some(true));
        // Re-setting identical values still counts the row (PostgreSQL counts it as updated).
        let same = "INSERT INTO application_cache (cache_key, data) VALUES ('k', 'v2') ON CONFLICT (cache_key) DO UPDATE SET data = EXCLUDED.data";
        assert_eq!(affected(run(&c, same, &[]).await), 1);
        let n = rows(run(&c, "SELECT COUNT(*) FROM application_cache", &[]).await);
        assert_eq!(n.rows[0].get_i64(0), Some(2));
    });
}

#[test]
fn update_returning_counts_a_cache_hit() {
    rt().block_on(async {
        let c = cache().await;
        c.execute(
            "INSERT INTO application_cache (cache_key, data, hit_count, expires_at) VALUES
               ('live', '{\"v\": 1}'::jsonb, 0, NOW() + INTERVAL '1 hour'),
               ('dead', '{\"v\": 2}'::jsonb, 0, NOW() - INTERVAL '1 hour')",
            &[],
        )
        .await
        .unwrap();
        let get = c.prepare("UPDATE application_cache SET hit_count = hit_count + 1, last_accessed = NOW() WHERE cache_key = $1 AND expires_at > NOW() RETURNING data, hit_count").unwrap();
        let r = get.query(&["live".into()]).await.unwrap();
        assert_eq!(r.columns, vec!["data", "hit_count"]);
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0][0], Bson::Document(bson::doc! {"v": 1}));
        assert_eq!(r.rows[0].get_i64(1), Some(1), "RETURNING shows the new row");
        let r = get.query(&["live".into()]).await.unwrap();
        assert_eq!(r.rows[0].get_i64(1), Some(2));
        // Expired: no row, nothing counted.
        assert!(get.query(&["dead".into()]).await.unwrap().rows.is_empty());
        let r = rows(run(&c, "SELECT hit_count FROM application_cache WHERE cache_key = 'dead'", &[]).await);
        assert_eq!(r.rows[0].get_i64(0), Some(0));
        // Missing key: no row.
        assert!(get.query(&["nope".into()]).await.unwrap().rows.is_empty());
    });
}

#[test]
fn returning_by_id_uses_find_and_modify() {
    rt().block_on(async {
        let c = Client::embedded();
        c.execute(
            "INSERT INTO s (_id, user_id, n) VALUES ('a', 1, 0), ('b', 1, 0), ('c', 2, 0)",
            &[],
        )
        .await
        .unwrap();
        let plan =
            sqlmongo::translate("UPDATE s SET n = n + 1 WHERE _id = $1 RETURNING n").unwrap();
        assert_eq!(plan.statements[0].steps[0].name(), "findAndModify");
        let r = rows(
            run(
                &c,
                "UPDATE s SET n = n + 1 WHERE _id = $1 RETURNING n, user_id AS u",
                &["a".into()],
            )
            .await,
        );
        assert_eq!(r.columns, vec!["n", "u"]);
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].get_i64(0), Some(1));
        assert_eq!(r.rows[0].get_i64(1), Some(1));
        let r = rows(
            run(
                &c,
                "UPDATE s SET n = n + 1 WHERE _id = 'zz' RETURNING n",
                &[],
            )
            .await,
        );
        assert!(r.rows.is_empty());
        let r = rows(run(&c, "DELETE FROM s WHERE _id = 'b' RETURNING user_id", &[]).await);
        assert_eq!(r.rows, vec![vec![Bson::Int32(1)]]);
        let r = rows(run(&c, "SELECT _id FROM s ORDER BY _id", &[]).await);
        assert_eq!(r.rows, vec![vec![Bson::from("a")], vec![Bson::from("c")]]);
    });
}

#[test]
fn delete_returning_returns_exactly_the_deleted_rows() {
    rt().block_on(async {
        let c = Client::embedded();
        c.execute(
            "INSERT INTO s (sid, user_id, expires_at) VALUES
               ('s1', 1, NOW() - INTERVAL '1 minute'),
               ('s2', 1, NOW() + INTERVAL '1 hour'),
               ('s3', 2, NOW() - INTERVAL '2 minutes')",
            &[],
        )
        .await
        .unwrap();
        let mut r = rows(
            run(
                &c,
                "DELETE FROM s WHERE expires_at < NOW() RETURNING sid, user_id",
                &[],
            )
            .await,
        );
        r.rows.sort_by(|a, b| a.get_str(0).cmp(&b.get_str(0)));
        assert_eq!(r.columns, vec!["sid", "user_id"]);
        assert_eq!(
            r.rows,
            vec![
                vec![Bson::from("s1"), Bson::Int32(1)],
                vec![Bson::from("s3"), Bson::Int32(2)]
            ]
        );
        let left = rows(run(&c, "SELECT sid FROM s", &[]).await);
        assert_eq!(left.rows, vec![vec![Bson::from("s2")]]);
        let none = rows(run(&c, "DELETE FROM s WHERE user_id = 9 RETURNING *", &[]).await);
        assert!(none.rows.is_empty());
    });
}

#[test]
fn concurrent_style_duplicate_is_reported_as_11000() {
    rt().block_on(async {
        // Without the upsert finding the row (here: a different key value with the same unique field in
        // another column), the unique index reports the duplicate as MongoDB does.
        let c = Client::embedded();
        c.execute(
            "CREATE UNIQUE INDEX ON t (email);
             INSERT INTO t (id, email) VALUES (1, 'a@x')",
            &[],
        )
        .await
        .unwrap();
        let e = c
            .execute(
                "INSERT INTO t (id, email) VALUES (2, 'a@x') ON CONFLICT (id) DO NOTHING",
                &[],
            )
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("11000") || e.to_string().contains("uplicate"),
            "{e}"
        );
    });
}

#[test]
fn step_ids_are_bound_in_the_same_single_pass_as_parameters() {
    // A parameter whose value looks like a step reference stays a value; the template's reference is bound.
    let plan = sqlmongo::translate("UPDATE s SET v = 1 WHERE k = $1 RETURNING v")
        .unwrap()
        .statements
        .remove(0);
    let tricky = Bson::Document(bson::doc! {"$stepIds": 0i64});
    let earlier = vec![vec![bson::doc! {"_id": 7}, bson::doc! {"_id": 8}]];
    let cmd = plan
        .bind_step(1, std::slice::from_ref(&tricky), &earlier)
        .unwrap();
    let q = cmd.get_array("updates").unwrap()[0]
        .as_document()
        .unwrap()
        .get_document("q")
        .unwrap()
        .clone();
    assert_eq!(
        q,
        bson::doc! {"$and": [{"k": {"$eq": tricky}}, {"_id": {"$in": [7, 8]}}]}
    );
    // A step may only refer to earlier steps.
    assert!(plan.bind_step(0, &[Bson::from("x")], &[]).is_ok());
    assert!(plan.bind_step(3, &[Bson::from("x")], &earlier).is_err());
}

#[test]
fn do_update_where_updates_only_when_true_and_counts_like_postgres() {
    rt().block_on(async {
        let c = cache().await;
        let set = "INSERT INTO application_cache (cache_key, version, data) VALUES ($1, $2, $3) ON CONFLICT (cache_key) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data WHERE application_cache.version < EXCLUDED.version";
        // New key: inserted (1).
        assert_eq!(affected(run(&c, set, &["k".into(), Bson::Int32(2), "v2".into()]).await), 1);
        // Older version: the WHERE is false, nothing changes, PostgreSQL reports 0.
        assert_eq!(affected(run(&c, set, &["k".into(), Bson::Int32(1), "v1".into()]).await), 0);
        // Newer version: updated (1).
        assert_eq!(affected(run(&c, set, &["k".into(), Bson::Int32(3), "v3".into()]).await), 1);
        let r = rows(run(&c, "SELECT version, data FROM application_cache", &[]).await);
        assert_eq!(r.rows, vec![vec![Bson::Int32(3), Bson::from("v3")]]);
        // A NULL version on the existing row: `NULL < 4` is not TRUE, so no update (0).
        run(&c, "UPDATE application_cache SET version = NULL WHERE cache_key = 'k'", &[]).await;
        assert_eq!(affected(run(&c, set, &["k".into(), Bson::Int32(4), "v4".into()]).await), 0);
        // Several rows: one inserted, one updated, one skipped -> 2.
        run(&c, "INSERT INTO application_cache (cache_key, version, data) VALUES ('a', 1, 'a1'), ('b', 5, 'b5')", &[]).await;
        let multi = "INSERT INTO application_cache (cache_key, version, data) VALUES ('a', 2, 'a2'), ('b', 4, 'b4'), ('n', 1, 'n1') ON CONFLICT (cache_key) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data WHERE application_cache.version < EXCLUDED.version";
        assert_eq!(affected(run(&c, multi, &[]).await), 2);
        let r = rows(run(&c, "SELECT cache_key, data FROM application_cache WHERE cache_key IN ('a', 'b', 'n') ORDER BY cache_key", &[]).await);
        assert_eq!(
            r.rows,
            vec![
                vec![Bson::from("a"), Bson::from("a2")],
                vec![Bson::from("b"), Bson::from("b5")],
                vec![Bson::from("n"), Bson::from("n1")]
            ]
        );
    });
}

#[test]
fn insert_returning_gives_the_generated_id_of_each_row() {
    rt().block_on(async {
        let c = cache().await;
        let create = c
            .prepare("INSERT INTO application_cache (cache_key, hit_count, created_at) VALUES ($1, $2, NOW()) RETURNING _id, cache_key, hit_count + 1 AS next")
            .unwrap();
        let a = create.query(&["a".into(), 1.into()]).await.unwrap();
        let b = create.query(&["b".into(), 2.into()]).await.unwrap();
        assert_eq!(a.columns, vec!["_id", "cache_key", "next"]);
        let (Some(Bson::ObjectId(ida)), Some(Bson::ObjectId(idb))) =
            (a.rows[0].first(), b.rows[0].first())
        else {
            panic!("ObjectIds expected: {a:?} {b:?}");
        };
        assert_ne!(ida, idb, "a prepared INSERT ... RETURNING makes a new _id each run");
        assert_eq!(a.rows[0].get_str(1), Some("a"));
        assert_eq!(a.rows[0].get_i64(2), Some(2));
        // The returned _id is the stored row's.
        let r = rows(
            run(
                &c,
                "SELECT cache_key FROM application_cache WHERE _id = $1",
                &[Bson::ObjectId(*idb)],
            )
            .await,
        );
        assert_eq!(r.rows[0].get_str(0), Some("b"));
        // Multi-row: one row back per VALUES row, in order; a duplicate key fails as in PostgreSQL.
        let r = rows(run(&c, "INSERT INTO application_cache (cache_key) VALUES ('c'), ('d') RETURNING cache_key", &[]).await);
        let keys: Vec<_> = r.rows.iter().map(|row| row.get_str(0).map(str::to_string)).collect();
        assert_eq!(keys, vec![Some("c".to_string()), Some("d".to_string())]);
        let dup = c
            .execute("INSERT INTO application_cache (cache_key) VALUES ('a') RETURNING cache_key", &[])
            .await;
        assert!(matches!(dup, Err(sqlmongo::Error::Command(ref e)) if e.code == 11000), "{dup:?}");
    });
}

#[test]
fn insert_on_conflict_returning_returns_what_postgresql_returns() {
    rt().block_on(async {
        let c = cache().await;
        run(&c, "INSERT INTO application_cache (cache_key, hit_count) VALUES ('a', 1)", &[]).await;
        // DO NOTHING: only the inserted row comes back.
        let r = rows(run(&c, "INSERT INTO application_cache (cache_key, hit_count) VALUES ('a', 5), ('b', 6) ON CONFLICT (cache_key) DO NOTHING RETURNING cache_key, hit_count", &[]).await);
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].get_str(0), Some("b"));
        // DO UPDATE: the updated row (old values combined) and the inserted one.
        let r = rows(run(&c, "INSERT INTO application_cache (cache_key, hit_count) VALUES ('a', 10), ('z', 26) ON CONFLICT (cache_key) DO UPDATE SET hit_count = application_cache.hit_count + EXCLUDED.hit_count RETURNING cache_key, hit_count", &[]).await);
        let got: Vec<_> = r.rows.iter().map(|row| (row.get_str(0).map(str::to_string), row.get_i64(1))).collect();
        assert_eq!(got, vec![(Some("a".to_string()), Some(11)), (Some("z".to_string()), Some(26))]);
        // DO UPDATE ... WHERE false for an existing row: that row is neither updated nor returned.
        let r = rows(run(&c, "INSERT INTO application_cache (cache_key, hit_count) VALUES ('a', 3), ('y', 25) ON CONFLICT (cache_key) DO UPDATE SET hit_count = EXCLUDED.hit_count WHERE application_cache.hit_count < EXCLUDED.hit_count RETURNING cache_key", &[]).await);
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].get_str(0), Some("y"));
    });
}
