//! Small helpers of the generated-SQL property tests (`tests/any_all.rs`, `tests/anti_join.rs`,
//! `tests/join_where.rs`, `tests/outer_join_reduce.rs`): a value as an SQL literal, a statement's rows from a
//! [`Client`], and a generated join key.

use bson::Bson;
use proptest::prelude::*;
use sqlmongo::Client;

/// `k` as an SQL literal (`NULL` for `None`).
#[allow(dead_code)] // not every test that includes this file writes its literals with it
pub fn lit(k: Option<i32>) -> String {
    k.map_or_else(|| "NULL".to_string(), |v| v.to_string())
}

/// The rows of `sql` run on `c`, each as its values; panics with the statement on an error.
pub fn rows(c: &Client, sql: &str) -> Vec<Vec<Bson>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(c.sql(sql).fetch_all())
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .into_iter()
        .map(|r| r.into_values())
        .collect()
}

/// A join key: NULL one time in five, else one of four values (duplicates on both sides).
#[allow(dead_code)] // not every test that includes this file generates keys
pub fn key() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![1 => Just(None), 4 => (0i32..4).prop_map(Some)]
}
