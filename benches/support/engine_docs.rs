//! The session documents the engine benches load (shared by `engine.rs` and `memory.rs`).

use bson::{doc, Document};

/// A session document of about 1 KB, deterministic in `i` (same generator as oracle/bench_mingo.js).
pub fn session(i: usize) -> Document {
    let base = 1_795_000_000_000i64;
    doc! {
        "_id": format!("sess-{i:08}"),
        "user_id": format!("user-{}", i % 5000),
        "created_at": bson::DateTime::from_millis(base + (i as i64 % 86_400) * 1000),
        "expires_at": bson::DateTime::from_millis(base + 3_600_000 + (i as i64 % 7200) * 1000),
        "active": i % 3 != 0,
        "login_method": (["password", "sso", "magic_link"][i % 3]),
        "risk_score": (i % 100) as f64 / 100.0,
        "page_views": (i % 50) as i32,
        "data_transferred": (i as i64 * 7919) % 10_000_000,
        "ip_address": format!("10.{}.{}.{}", i % 256, (i / 256) % 256, i % 7),
        "tags": ["web", if i % 2 == 0 { "mfa" } else { "basic" }],
        "session_data": {"theme": if i % 2 == 0 { "dark" } else { "light" }, "cart": {"items": (i % 5) as i32, "total": (i % 1000) as f64 * 1.25}, "blob": "x".repeat(600)},
    }
}
