//! Issue 13's silently wrong results, end to end on the embedded engine: each test states PostgreSQL's answer
//! (the PostgreSQL-differential cases of the same constructs are in tests/oracle_data/pg_queries.sql).

use bson::Bson;
use sqlmongo::Client;

/// Runs `setup` then `query` on a fresh embedded client; the rows as JSON text, one per row.
async fn rows(setup: &str, query: &str) -> Vec<String> {
    let client = Client::embedded();
    if !setup.is_empty() {
        client.execute(setup, &[]).await.expect("setup");
    }
    let rows = client.query(query, &[]).await.expect("query");
    rows.rows
        .iter()
        .map(|r| {
            let v: Vec<String> = r.iter().map(render).collect();
            v.join(",")
        })
        .collect()
}

fn render(b: &Bson) -> String {
    match b {
        Bson::Null => "NULL".into(),
        Bson::String(s) => s.clone(),
        Bson::Int32(i) => i.to_string(),
        Bson::Int64(i) => i.to_string(),
        Bson::Double(d) => d.to_string(),
        Bson::Decimal128(d) => d.to_string(),
        other => other.to_string(),
    }
}

const NULLS: &str = "INSERT INTO c (k, n) VALUES (1, NULL); INSERT INTO c (k) VALUES (2); \
                     INSERT INTO c (k, n) VALUES (3, 1), (4, 3), (5, 2)";

#[tokio::test]
async fn order_by_using_greater_is_descending() {
    let q = "SELECT n FROM c WHERE n IS NOT NULL ORDER BY n USING >";
    assert_eq!(rows(NULLS, q).await, ["3", "2", "1"]);
    let q = "SELECT n FROM c WHERE k > 2 UNION SELECT n FROM c WHERE k > 3 ORDER BY 1 USING >";
    assert_eq!(rows(NULLS, q).await, ["3", "2", "1"]);
    let q =
        "SELECT k, ROW_NUMBER() OVER (ORDER BY k USING >) AS r FROM c ORDER BY k USING < LIMIT 2";
    assert_eq!(rows(NULLS, q).await, ["1,5", "2,4"]);
}

#[tokio::test]
async fn null_and_missing_are_one_group() {
    let q = "SELECT n, COUNT(*) FROM c GROUP BY n ORDER BY n NULLS FIRST";
    assert_eq!(rows(NULLS, q).await, ["NULL,2", "1,1", "2,1", "3,1"]);
    let q = "SELECT DISTINCT n FROM c ORDER BY n NULLS FIRST";
    assert_eq!(rows(NULLS, q).await, ["NULL", "1", "2", "3"]);
}

#[tokio::test]
async fn only_names_the_table_after_it() {
    let setup = "INSERT INTO c (v) VALUES (1), (2); INSERT INTO \"ONLY\" (v) VALUES (1)";
    let client = Client::embedded();
    client.execute(setup, &[]).await.unwrap();
    client
        .execute(
            "DELETE FROM ONLY c WHERE v = 1; UPDATE ONLY c SET v = 5 WHERE v = 2",
            &[],
        )
        .await
        .unwrap();
    let c = client.query("SELECT v FROM ONLY c", &[]).await.unwrap();
    assert_eq!(c.rows, vec![vec![Bson::Int32(5)]]);
    // The collection named ONLY (quoted) is untouched.
    let only = client.query("SELECT v FROM \"ONLY\"", &[]).await.unwrap();
    assert_eq!(only.rows, vec![vec![Bson::Int32(1)]]);
}

#[tokio::test]
async fn replace_with_an_empty_pattern_leaves_the_text() {
    let setup = "INSERT INTO c (k, e) VALUES ('abc', '')";
    let q = "SELECT REPLACE(k, '', '-'), REPLACE(k, e, '-'), REPLACE(k, 'b', '-'), REPLACE(k, '', NULL) FROM c";
    assert_eq!(rows(setup, q).await, ["abc,abc,a-c,NULL"]);
    let client = Client::embedded();
    client.execute(setup, &[]).await.unwrap();
    client
        .execute("UPDATE c SET k = REPLACE(k, '', '-')", &[])
        .await
        .unwrap();
    let r = client.query("SELECT k FROM c", &[]).await.unwrap();
    assert_eq!(r.rows, vec![vec![Bson::String("abc".into())]]);
}

#[tokio::test]
async fn any_of_a_text_literal_is_refused_not_compared_as_text() {
    let client = Client::embedded();
    let e = client
        .query("SELECT k FROM c WHERE k = ANY('{a,b}')", &[])
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("ANY / ALL of an untyped array literal"),
        "{e}"
    );
    let r = client
        .query("SELECT k FROM c WHERE k = ANY(ARRAY['a', 'b'])", &[])
        .await
        .unwrap();
    assert!(r.rows.is_empty());
}

#[tokio::test]
async fn round_with_extreme_places() {
    let q = "SELECT ROUND(2.5, 308), ROUND(2.5, 400), ROUND(123.456, -400), ROUND(-2.5, -400), ROUND(NULL, 400)";
    assert_eq!(rows("", q).await, ["2.5,2.5,0,0,NULL"]);
}

#[tokio::test]
async fn two_stars_are_refused_not_one_dropped() {
    let client = Client::embedded();
    client
        .execute(
            "INSERT INTO a (x) VALUES (1); INSERT INTO b (y) VALUES (2)",
            &[],
        )
        .await
        .unwrap();
    let e = client
        .query("SELECT t1.*, t2.* FROM a t1 CROSS JOIN b t2", &[])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("more than one *"), "{e}");
    let r = client
        .query("SELECT t1.x, t2.y FROM a t1 CROSS JOIN b t2", &[])
        .await
        .unwrap();
    assert_eq!(r.rows, vec![vec![Bson::Int32(1), Bson::Int32(2)]]);
}

#[tokio::test]
async fn a_subquery_name_that_may_be_the_outer_rows_is_refused() {
    let client = Client::embedded();
    client
        .execute(
            "INSERT INTO src (a) VALUES (1), (2); INSERT INTO target (v) VALUES (1)",
            &[],
        )
        .await
        .unwrap();
    // PostgreSQL (target has no column a): a is the outer row's. Refused here rather than read as target.a.
    let e = client
        .query(
            "SELECT a FROM src WHERE EXISTS (SELECT * FROM target WHERE v = a)",
            &[],
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("qualify it"), "{e}");
    let r = client
        .query(
            "SELECT s.a FROM src s WHERE EXISTS (SELECT * FROM target t WHERE t.v = s.a)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.rows, vec![vec![Bson::Int32(1)]]);
    // Over the same collection the name can only be the inner one.
    let r = client
        .query(
            "SELECT a FROM src WHERE a IN (SELECT a FROM src WHERE a > 1)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.rows, vec![vec![Bson::Int32(2)]]);
}
