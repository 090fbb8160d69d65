//! The session time zone travels with the client: `SET TIME ZONE` changes how the statements after it are
//! translated (literals without an offset, EXTRACT / date_trunc in the zone), for `execute`, the typed API's
//! statement cache, `prepare` and the script runner's clones alike, and a change of zone empties the cache.

use bson::Bson;
use sqlmongo::{Client, StatementResult};

async fn scalar(client: &Client, sql: &str) -> Bson {
    let rows = client.query(sql, &[]).await.expect(sql);
    rows.rows[0][0].clone()
}

fn n(b: &Bson) -> i64 {
    match b {
        Bson::Int32(i) => i64::from(*i),
        Bson::Int64(i) => *i,
        Bson::Double(d) => *d as i64,
        other => panic!("not a number: {other:?}"),
    }
}

#[tokio::test]
async fn set_time_zone_applies_to_later_statements_and_clones() {
    let client = Client::embedded();
    let hour = "SELECT EXTRACT(HOUR FROM TIMESTAMPTZ '2026-07-01 12:00:00Z') AS h";
    assert_eq!(client.time_zone(), None);
    // the typed API caches the plan by its text
    let h: i64 = client.query_scalar(hour, &[]).await.unwrap();
    assert_eq!(h, 12);
    let out = client
        .execute("SET TIME ZONE 'europe/paris'", &[])
        .await
        .unwrap();
    assert!(matches!(out[..], [StatementResult::Affected(0)]));
    assert_eq!(client.time_zone().as_deref(), Some("Europe/Paris"));
    // same text: translated again in the new zone (summer time: UTC+2)
    let h: i64 = client.query_scalar(hour, &[]).await.unwrap();
    assert_eq!(h, 14);
    // a clone shares the session; prepare() translates in it
    let clone = client.clone();
    let lit = clone
        .prepare("SELECT TIMESTAMPTZ '2026-01-15 12:00:00' AS t")
        .unwrap()
        .query(&[])
        .await
        .unwrap();
    assert_eq!(
        lit.rows[0][0],
        Bson::DateTime(bson::DateTime::parse_rfc3339_str("2026-01-15T11:00:00Z").unwrap())
    );
    let day = scalar(
        &client,
        "SELECT date_trunc('day', TIMESTAMPTZ '2026-07-01 23:30:00Z') AS d",
    )
    .await;
    assert_eq!(
        day,
        Bson::DateTime(bson::DateTime::parse_rfc3339_str("2026-07-01T22:00:00Z").unwrap())
    );
    // within one execute() call, the statements after SET see it
    let out = client
        .execute(
            "SET TIME ZONE 'Asia/Kolkata'; SELECT EXTRACT(MINUTE FROM TIMESTAMPTZ '2026-07-01 12:00:00Z') AS m",
            &[],
        )
        .await
        .unwrap();
    match &out[1] {
        StatementResult::Rows(r) => assert_eq!(n(&r.rows[0][0]), 30),
        other => panic!("{other:?}"),
    }
    client.execute("SET TIME ZONE DEFAULT", &[]).await.unwrap();
    assert_eq!(client.time_zone(), None);
    let h: i64 = client.query_scalar(hour, &[]).await.unwrap();
    assert_eq!(h, 12);
    // an unknown zone is PostgreSQL's error and changes nothing
    assert!(client
        .execute("SET TIME ZONE 'Mars/Olympus'", &[])
        .await
        .is_err());
    assert_eq!(client.time_zone(), None);
}

#[test]
fn translate_applies_set_time_zone_to_the_statements_after_it() {
    let plan = sqlmongo::translate(
        "SELECT TIMESTAMPTZ '2026-07-01 12:00:00' AS t; SET TIME ZONE 'America/New_York'; SELECT TIMESTAMPTZ '2026-07-01 12:00:00' AS t",
    )
    .unwrap();
    let text = plan.to_pretty_json();
    assert!(text.contains("2026-07-01T12:00:00Z"), "{text}");
    assert!(text.contains("2026-07-01T16:00:00Z"), "{text}");
}
