//! A real Express app (express-session + connect-mongo, `oracle/express_sessions.js`) against the binary's
//! `sqlmongo serve` (TTL monitor every second), then the seeds' session-analytics queries, as SQL through the
//! library's `Client::connect` on the same server, on the sessions the app wrote.
//!
//! Without node or the npm packages of `oracle/` (scripts/test.sh installs them) the test says so loudly and
//! passes, unless `SQLMONGO_REQUIRE_ORACLES=1` (CI), which makes that a failure.

mod common;

use bson::Bson;
use sqlmongo::Client;
use std::time::Duration;

/// One session the app left, as the script reports it (`STATE {...}`).
#[derive(Debug, Clone)]
struct Session {
    id: String,
    user: String,
    role: String,
    views: i64,
    expires: chrono::DateTime<chrono::Utc>,
}

fn node_with_packages(oracle: &str) -> Result<(), String> {
    let have_node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_node {
        return Err("node is not installed".into());
    }
    for pkg in ["mongodb", "express", "express-session", "connect-mongo"] {
        if !std::path::Path::new(oracle)
            .join("node_modules")
            .join(pkg)
            .is_dir()
        {
            return Err(format!(
                "oracle/node_modules/{pkg} missing (scripts/test.sh runs npm ci in oracle/)"
            ));
        }
    }
    Ok(())
}

fn parse_state(stdout: &str) -> Vec<Session> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("STATE "))
        .unwrap_or_else(|| panic!("no STATE line in:\n{stdout}"));
    let state: serde_json::Value = serde_json::from_str(line).expect("STATE is JSON");
    state["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| Session {
            id: s["id"].as_str().expect("id").to_string(),
            user: s["userId"].as_str().expect("userId").to_string(),
            role: s["role"].as_str().expect("role").to_string(),
            views: s["views"].as_i64().expect("views"),
            expires: s["expires"]
                .as_str()
                .expect("expires")
                .parse()
                .expect("ISO date"),
        })
        .collect()
}

fn strings(rows: &sqlmongo::Rows, col: usize) -> Vec<String> {
    rows.rows
        .iter()
        .map(|r| match &r[col] {
            Bson::String(s) => s.clone(),
            other => panic!("not a string: {other:?}"),
        })
        .collect()
}

fn int(v: &Bson) -> i64 {
    match v {
        Bson::Int32(n) => i64::from(*n),
        Bson::Int64(n) => *n,
        Bson::Double(d) if d.fract() == 0.0 => *d as i64,
        other => panic!("not an integer: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn express_session_with_connect_mongo_through_serve() {
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle");
    if let Err(why) = node_with_packages(oracle) {
        let code = common::oracle_unavailable("Express (express-session + connect-mongo)", &why);
        assert_eq!(code, 0, "node and the Express packages are required");
        return;
    }
    let (mut child, addr, _log, _rx) = common::spawn_serve(
        std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo")).args([
            "serve",
            "--port",
            "0",
            "--ttl-monitor-sleep-secs",
            "1",
        ]),
        Duration::from_secs(20),
    );
    let uri = format!("mongodb://{addr}/express_app?directConnection=true");
    let script_uri = uri.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(format!("{oracle}/express_sessions.js"))
            .arg(script_uri)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let _ = child.kill();
        panic!("express_sessions.js failed:\n{stdout}\n{stderr}");
    }
    assert!(stdout.contains("checks passed"), "{stdout}");
    let sessions = parse_state(&stdout);
    let users: Vec<&str> = sessions.iter().map(|s| s.user.as_str()).collect();
    let mut sorted = users.clone();
    sorted.sort();
    // dave logged out, mallory expired (deleted by the TTL monitor): neither is left.
    assert_eq!(sorted, ["alice", "bob", "carol", "erin"], "{stdout}");

    // The seeds' session analytics ("Analyzing Sessions in MongoDB"), as SQL on what the app wrote.
    let client = Client::connect(&uri, "").await.expect("connect");
    // db.sessions.countDocuments()
    let rows = client
        .query("SELECT COUNT(*) AS total FROM sessions", &[])
        .await
        .expect("count");
    assert_eq!(int(&rows.rows[0][0]), 4);
    // Sessions expiring within the next hour.
    let now = chrono::Utc::now();
    let rows = client
        .query(
            "SELECT _id FROM sessions WHERE expires > NOW() AND expires < NOW() + INTERVAL '1 hour' ORDER BY _id",
            &[],
        )
        .await
        .expect("expiring soon");
    let mut soon: Vec<String> = sessions
        .iter()
        .filter(|s| s.expires > now && s.expires < now + chrono::Duration::hours(1))
        .map(|s| s.id.clone())
        .collect();
    soon.sort();
    assert_eq!(strings(&rows, 0), soon);
    assert_eq!(soon.len(), 2, "alice (touched, 1 h) and carol (30 min)");
    // A user's session (the seed looks it up by session.userId).
    let bob = sessions.iter().find(|s| s.user == "bob").expect("bob");
    let rows = client
        .query(
            "SELECT _id, session.views AS views, expires FROM sessions WHERE session.userId = $1",
            &["bob".into()],
        )
        .await
        .expect("by user");
    assert_eq!(rows.rows.len(), 1);
    assert_eq!(rows.rows[0][0], Bson::String(bob.id.clone()));
    assert_eq!(int(&rows.rows[0][1]), bob.views);
    match &rows.rows[0][2] {
        Bson::DateTime(d) => assert_eq!(d.timestamp_millis(), bob.expires.timestamp_millis()),
        other => panic!("expires is not a date: {other:?}"),
    }
    // All admin sessions.
    let rows = client
        .query(
            "SELECT session->>'userId' AS user_id FROM sessions WHERE session.userRole = 'admin' ORDER BY user_id",
            &[],
        )
        .await
        .expect("admins");
    assert_eq!(strings(&rows, 0), ["alice", "carol"]);
    // Sessions and page views per role.
    let rows = client
        .query(
            "SELECT session.userRole AS role, COUNT(*) AS n, SUM(session.views) AS views \
             FROM sessions GROUP BY session.userRole ORDER BY role",
            &[],
        )
        .await
        .expect("per role");
    assert_eq!(strings(&rows, 0), ["admin", "user"]);
    for (row, role) in rows.rows.iter().zip(["admin", "user"]) {
        let of_role: Vec<&Session> = sessions.iter().filter(|s| s.role == role).collect();
        assert_eq!(int(&row[1]), of_role.len() as i64, "{role}");
        assert_eq!(
            int(&row[2]),
            of_role.iter().map(|s| s.views).sum::<i64>(),
            "{role}"
        );
    }
    // Delete expired sessions by hand (the seed's fallback when the TTL index is not working): the TTL
    // monitor already did, nothing is left to delete.
    let deleted = client
        .prepare("DELETE FROM sessions WHERE expires < NOW()")
        .expect("prepare")
        .affected(&[])
        .await
        .expect("delete");
    assert_eq!(deleted, 0);
    // The stringify store keeps the session as JSON text.
    let rows = client
        .query(
            "SELECT COUNT(*) FROM sessions_str WHERE session LIKE '%\"userId\":\"frank\"%'",
            &[],
        )
        .await
        .expect("stringified");
    assert_eq!(int(&rows.rows[0][0]), 1);
    client.shutdown().await;
    eprintln!("{}", stdout.lines().last().unwrap_or_default());

    let _ = child.kill();
    let _ = child.wait();
}
