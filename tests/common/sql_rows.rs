//! Small helpers of the generated-SQL property tests (`tests/any_all.rs`, `tests/anti_join.rs`,
//! `tests/join_where.rs`): a value as an SQL literal, and a statement's rows from a [`Client`].

use bson::Bson;
use sqlmongo::Client;

/// `k` as an SQL literal (`NULL` for `None`).
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
