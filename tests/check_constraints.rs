//! `CREATE TABLE ... CHECK (...)` (issue 17), end to end on the embedded engine: a row for which a check is
//! FALSE is refused (insert and update, error 121 as mongod reports a validator failure), a row for which it
//! is NULL passes, as in PostgreSQL. (The passing rows are also compared with PostgreSQL in
//! tests/oracle_data/pg_stmts.sql.)

use sqlmongo::Client;

async fn setup() -> Client {
    let c = Client::embedded();
    c.execute(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, price NUMERIC CHECK (price > 0), lo INTEGER, hi INTEGER, \
         name TEXT CHECK (name <> '' AND LENGTH(name) < 10), CONSTRAINT range_ok CHECK (lo <= hi))",
        &[],
    )
    .await
    .expect("create");
    c
}

fn is_validation_failure(r: Result<Vec<sqlmongo::StatementResult>, sqlmongo::Error>) -> bool {
    matches!(r, Err(sqlmongo::Error::Command(e)) if e.code == 121)
}

#[tokio::test]
async fn a_false_check_refuses_the_insert() {
    let c = setup().await;
    for bad in [
        "INSERT INTO items (id, price) VALUES (1, -1)",
        "INSERT INTO items (id, price) VALUES (1, 0)",
        "INSERT INTO items (id, lo, hi) VALUES (1, 5, 4)",
        "INSERT INTO items (id, name) VALUES (1, '')",
        "INSERT INTO items (id, name) VALUES (1, 'much too long')",
    ] {
        assert!(is_validation_failure(c.execute(bad, &[]).await), "{bad}");
    }
    let n = c.query("SELECT COUNT(*) FROM items", &[]).await.unwrap();
    assert_eq!(n.rows[0][0], bson::Bson::Int32(0));
}

#[tokio::test]
async fn a_null_check_passes() {
    let c = setup().await;
    c.execute(
        "INSERT INTO items (id, price, lo, hi, name) VALUES (1, NULL, NULL, 3, NULL); \
         INSERT INTO items (id) VALUES (2); \
         INSERT INTO items (id, price, lo, hi, name) VALUES (3, 2.5, 1, 1, 'ok')",
        &[],
    )
    .await
    .expect("rows whose checks are TRUE or NULL are accepted");
    let n = c.query("SELECT COUNT(*) FROM items", &[]).await.unwrap();
    assert_eq!(n.rows[0][0], bson::Bson::Int32(3));
}

#[tokio::test]
async fn a_false_check_refuses_the_update_and_keeps_the_row() {
    let c = setup().await;
    c.execute(
        "INSERT INTO items (id, price, lo, hi) VALUES (1, 10, 1, 5)",
        &[],
    )
    .await
    .unwrap();
    assert!(is_validation_failure(
        c.execute("UPDATE items SET lo = hi + 1", &[]).await
    ));
    assert!(is_validation_failure(
        c.execute("UPDATE items SET price = price - 10", &[]).await
    ));
    let r = c
        .query("SELECT price, lo, hi FROM items", &[])
        .await
        .unwrap();
    assert_eq!(
        r.rows[0],
        vec![
            bson::Bson::Int32(10),
            bson::Bson::Int32(1),
            bson::Bson::Int32(5)
        ]
    );
    c.execute("UPDATE items SET lo = NULL", &[])
        .await
        .expect("NULL makes the check unknown: accepted");
}
