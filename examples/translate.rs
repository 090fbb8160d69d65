//! Prints the MongoDB commands that a few session-store and cache statements translate to, without running
//! anything: `cargo run --example translate`.

const STATEMENTS: &[&str] = &[
    "CREATE COLLECTION user_sessions WITH (ttl_field = 'expires_at', expire_after_seconds = 0)",
    "SELECT user_id, session_data FROM user_sessions WHERE session_id = $1 AND expires_at > NOW()",
    "UPDATE user_sessions SET last_accessed = NOW(), expires_at = NOW() + INTERVAL '30 minutes' WHERE session_id = $1",
    "INSERT INTO application_cache (cache_key, data, expires_at) VALUES ($1, $2, NOW() + INTERVAL '1 hour') \
     ON CONFLICT (cache_key) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at",
    "UPDATE application_cache SET hit_count = hit_count + 1, last_accessed = NOW() \
     WHERE cache_key = $1 AND expires_at > NOW() RETURNING data",
    "DELETE FROM application_cache WHERE cache_key LIKE 'user:1:%' OR 'inventory' = ANY(tags)",
    "SELECT namespace, COUNT(*) AS entries, COUNT(*) FILTER (WHERE hit_count = 0) AS unused \
     FROM application_cache GROUP BY namespace ORDER BY namespace",
    // Refused, with the construct and its position: a LIKE pattern must be a literal (it becomes an anchored
    // regex with every metacharacter escaped at translation time).
    "SELECT cache_key FROM application_cache WHERE cache_key LIKE $1",
];

fn main() {
    for sql in STATEMENTS {
        println!("-- {sql}");
        match sqlmongo::translate(sql) {
            Ok(plan) => {
                for s in &plan.statements {
                    match serde_json::to_string_pretty(&s.to_json()) {
                        Ok(text) => println!("{text}"),
                        Err(e) => println!("cannot render: {e}"),
                    }
                }
            }
            Err(e) => println!("refused: {e}"),
        }
        println!();
    }
}
