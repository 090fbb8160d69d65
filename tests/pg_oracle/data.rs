//! Seeded generator of session / cache data for the PostgreSQL differential test.
//!
//! Out: ONE SQL script (CREATE TABLE + multi-row INSERTs) that PostgreSQL and sqlmongo both accept, with the
//! traps the corpus needs: NULLs and missing columns (rows inserted with a shorter column list), empty
//! strings, ties, negative numbers, values at .5 for ROUND, bigints past 2^31, arrays and nested jsonb.
//! Deterministic: the same seed gives the same script. Depends on rand only.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Seed of the data every corpus query runs on.
pub const SEED: u64 = 20_261_122;

const SESSION_COLS: &[&str] = &[
    "session_id",
    "user_id",
    "created_at",
    "last_accessed",
    "expires_at",
    "active",
    "ip_address",
    "device_fingerprint",
    "risk_score",
    "page_views",
    "actions_performed",
    "data_transferred",
    "mfa_verified",
    "login_method",
    "tags",
    "session_data",
    "cart_total",
];

const CACHE_COLS: &[&str] = &[
    "cache_key",
    "namespace",
    "created_at",
    "expires_at",
    "last_accessed",
    "data_size",
    "hit_count",
    "priority",
    "score",
    "tags",
    "value",
];

/// The DDL both systems run.
pub const SCHEMA: &str = "CREATE TABLE user_sessions (
  session_id TEXT PRIMARY KEY,
  user_id TEXT,
  created_at TIMESTAMPTZ,
  last_accessed TIMESTAMPTZ,
  expires_at TIMESTAMPTZ,
  active BOOLEAN,
  ip_address TEXT,
  device_fingerprint TEXT,
  risk_score DOUBLE PRECISION,
  page_views INTEGER,
  actions_performed INTEGER,
  data_transferred BIGINT,
  mfa_verified BOOLEAN,
  login_method TEXT,
  tags TEXT[],
  session_data JSONB,
  cart_total NUMERIC
);
CREATE TABLE application_cache (
  cache_key TEXT PRIMARY KEY,
  namespace TEXT,
  created_at TIMESTAMPTZ,
  expires_at TIMESTAMPTZ,
  last_accessed TIMESTAMPTZ,
  data_size INTEGER,
  hit_count INTEGER,
  priority INTEGER,
  score DOUBLE PRECISION,
  tags TEXT[],
  value JSONB
);
";

/// 2026-11-22T10:00:00Z, the fixed "now" of the data set, in seconds since the epoch.
const BASE: i64 = 1_795_341_600;

fn ts(secs: i64) -> String {
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(d) => format!("TIMESTAMPTZ '{}'", d.format("%Y-%m-%dT%H:%M:%SZ")),
        None => "NULL".to_string(),
    }
}

fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn pick<'a>(rng: &mut StdRng, xs: &[&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len())]
}

fn maybe_null(rng: &mut StdRng, p_null: f64, value: impl FnOnce(&mut StdRng) -> String) -> String {
    if rng.random_bool(p_null) {
        "NULL".to_string()
    } else {
        value(rng)
    }
}

fn tags(rng: &mut StdRng, pool: &[&str]) -> String {
    let n = rng.random_range(1..=3);
    let mut chosen: Vec<&str> = Vec::new();
    while chosen.len() < n {
        let t = pick(rng, pool);
        if !chosen.contains(&t) {
            chosen.push(t);
        }
    }
    let items: Vec<String> = chosen.iter().map(|t| text(t)).collect();
    format!("ARRAY[{}]", items.join(", "))
}

/// How many distinct values the key columns draw from.
///
/// The corpus (60 sessions) uses small fixed pools so that every join, group and tie trap fires. At scale, fixed
/// pools of 10 users, 12 IP addresses and 8 device fingerprints make every self-join on them produce n^2 / 10 rows
/// (a billion at 100k sessions, which PostgreSQL does not finish either): a real session store has about as many
/// users as it has sessions per user. [`KeyPools::scaled`] keeps the traps (an upper-case `U09`, the empty string,
/// NULLs) and grows the pools with the row count.
#[derive(Debug, Clone)]
pub struct KeyPools {
    /// User ids (the empty string and an upper-case one among them).
    pub users: Vec<String>,
    /// Values of the third octet of `10.0.X.Y` (Y in 1..5).
    pub ip_subnets: u32,
    /// Device fingerprints `fp_0 ..`.
    pub fingerprints: u32,
}

impl KeyPools {
    /// The corpus' pools: 10 user ids, 12 IP addresses, 8 fingerprints, whatever the row count.
    pub fn fixed() -> KeyPools {
        let users = [
            "u01", "u02", "u03", "u04", "u05", "u06", "u07", "u08", "U09", "",
        ];
        KeyPools {
            users: users.iter().map(|u| u.to_string()).collect(),
            ip_subnets: 3,
            fingerprints: 8,
        }
    }

    /// Pools that grow with `sessions`: about 4 sessions per user id, 20 per IP address, 2 per fingerprint
    /// (never fewer values than [`KeyPools::fixed`]).
    pub fn scaled(sessions: usize) -> KeyPools {
        let fixed = KeyPools::fixed();
        let n_users = (sessions / 4).max(fixed.users.len());
        let mut users: Vec<String> = (1..n_users - 1).map(|k| format!("u{k:02}")).collect();
        users.push("U09".to_string());
        users.push(String::new());
        KeyPools {
            users,
            ip_subnets: u32::try_from(sessions / 80)
                .unwrap_or(u32::MAX)
                .max(fixed.ip_subnets),
            fingerprints: u32::try_from(sessions / 2)
                .unwrap_or(u32::MAX)
                .max(fixed.fingerprints),
        }
    }
}

fn session_row(rng: &mut StdRng, i: usize, pools: &KeyPools) -> Vec<String> {
    let methods = ["password", "oauth", "sso", "magic_link", "Password"];
    let themes = ["dark", "light", "dark", "auto"];
    let langs = ["en", "fr", "de", "en-US"];
    let pages = [
        "/home",
        "/cart",
        "/checkout",
        "/products/42",
        "/search?q=50%_off",
        "/a_b",
    ];
    let created = BASE - rng.random_range(0..72) * 1800 - rng.random_range(0..60);
    let last = created + rng.random_range(0..240) * 60;
    let expires = last + [-3600, 0, 900, 1800, 86_400][rng.random_range(0..5)];
    let risk = [0.0, 0.1, 0.25, 0.5, 0.5, 0.75, 0.85, 1.0, 2.5, -0.5][rng.random_range(0..10)];
    let cart = [
        "0", "12.50", "12.50", "99.99", "3.125", "-2.50", "100", "0.005",
    ][rng.random_range(0..8)];
    let items: Vec<String> = (0..rng.random_range(0..4))
        .map(|k| format!("{{\"sku\": \"s{k}\", \"qty\": {}}}", k + 1))
        .collect();
    let mut prefs = format!("\"language\": \"{}\"", pick(rng, &langs));
    if rng.random_bool(0.8) {
        prefs = format!("\"theme\": \"{}\", {prefs}", pick(rng, &themes));
    }
    let data = format!(
        "'{{\"preferences\": {{{prefs}}}, \"shoppingCart\": {{\"items\": [{}], \"total\": {cart}}}, \"navigation\": {{\"lastPage\": \"{}\", \"visits\": {}}}}}'::jsonb",
        items.join(", "),
        pick(rng, &pages),
        rng.random_range(0..20)
    );
    vec![
        text(&format!("s{i:03}")),
        maybe_null(rng, 0.05, |rng| {
            text(&pools.users[rng.random_range(0..pools.users.len())])
        }),
        ts(created),
        maybe_null(rng, 0.1, |_| ts(last)),
        ts(expires),
        maybe_null(rng, 0.1, |rng| {
            if rng.random_bool(0.7) {
                "TRUE"
            } else {
                "FALSE"
            }
            .to_string()
        }),
        maybe_null(rng, 0.15, |rng| {
            text(&format!(
                "10.0.{}.{}",
                rng.random_range(0..pools.ip_subnets),
                rng.random_range(1..5)
            ))
        }),
        maybe_null(rng, 0.2, |rng| {
            text(&format!("fp_{}", rng.random_range(0..pools.fingerprints)))
        }),
        maybe_null(rng, 0.1, |_| format!("{risk}")),
        maybe_null(rng, 0.1, |rng| format!("{}", rng.random_range(-3..60))),
        maybe_null(rng, 0.1, |rng| format!("{}", rng.random_range(0..25))),
        maybe_null(rng, 0.1, |rng| {
            format!("{}", rng.random_range(0_i64..6_000_000_000))
        }),
        maybe_null(rng, 0.2, |rng| {
            if rng.random_bool(0.5) {
                "TRUE"
            } else {
                "FALSE"
            }
            .to_string()
        }),
        maybe_null(rng, 0.1, |rng| text(pick(rng, &methods))),
        maybe_null(rng, 0.15, |rng| {
            tags(rng, &["mobile", "desktop", "beta", "vip", "eu", "us"])
        }),
        maybe_null(rng, 0.05, |_| data),
        // NUMERIC in PostgreSQL, so Decimal128 in MongoDB: ROUND and arithmetic follow numeric rules
        maybe_null(rng, 0.1, |_| format!("CAST({cart} AS NUMERIC)")),
    ]
}

fn cache_row(rng: &mut StdRng, i: usize) -> Vec<String> {
    let namespaces = ["api", "pages", "users", "api_v2", "Api", ""];
    let created = BASE - rng.random_range(0..48) * 3600;
    let ttl = [60, 300, 3600, 86_400, 172_800][rng.random_range(0..5)];
    let value = format!(
        "'{{\"kind\": \"{}\", \"size\": {}, \"meta\": {{\"etag\": \"e{}\", \"gz\": {}}}}}'::jsonb",
        ["json", "html", "blob"][rng.random_range(0..3)],
        rng.random_range(1..5000),
        rng.random_range(0..100),
        rng.random_bool(0.5)
    );
    let key_styles = [
        "user:{}:profile",
        "page:/docs/{}",
        "api:v1:items:{}",
        "tmp_{}",
        "100%_{}",
    ];
    let key = key_styles[i % key_styles.len()].replace("{}", &i.to_string());
    vec![
        text(&key),
        maybe_null(rng, 0.08, |rng| text(pick(rng, &namespaces))),
        ts(created),
        ts(created + ttl),
        maybe_null(rng, 0.15, |rng| {
            ts(created + rng.random_range(0..ttl.max(61)))
        }),
        maybe_null(rng, 0.1, |rng| {
            format!("{}", rng.random_range(0..3_000_000))
        }),
        maybe_null(rng, 0.1, |rng| {
            format!("{}", [0, 0, 1, 5, 11, 50, 101, 250][rng.random_range(0..8)])
        }),
        maybe_null(rng, 0.2, |rng| format!("{}", rng.random_range(-5..6))),
        maybe_null(rng, 0.15, |rng| {
            format!(
                "{}",
                [0.5, 1.5, 2.5, -1.5, 0.125, 3.75, 7.0, -0.25][rng.random_range(0..8)]
            )
        }),
        maybe_null(rng, 0.2, |rng| {
            tags(rng, &["hot", "cold", "user", "page", "a%b", "x_y"])
        }),
        maybe_null(rng, 0.1, |_| value),
    ]
}

/// Builds INSERT statements; `omit` column indexes are left out of some statements so those rows have the
/// column missing entirely (NULL in PostgreSQL, absent in the document store).
fn inserts(table: &str, cols: &[&str], rows: Vec<Vec<String>>, omit: &[usize], out: &mut String) {
    let full: Vec<usize> = (0..cols.len()).collect();
    let short: Vec<usize> = full.iter().copied().filter(|c| !omit.contains(c)).collect();
    for (chunk_no, chunk) in rows.chunks(10).enumerate() {
        let keep = if chunk_no % 3 == 2 { &short } else { &full };
        let names: Vec<&str> = keep.iter().map(|&c| cols[c]).collect();
        out.push_str(&format!(
            "INSERT INTO {table} ({}) VALUES\n",
            names.join(", ")
        ));
        let lines: Vec<String> = chunk
            .iter()
            .map(|row| {
                let vals: Vec<&str> = keep.iter().map(|&c| row[c].as_str()).collect();
                format!("  ({})", vals.join(", "))
            })
            .collect();
        out.push_str(&lines.join(",\n"));
        out.push_str(";\n");
    }
}

/// The whole data script: schema plus data, generated from `seed` (60 sessions, 40 cache entries: the
/// corpus' expectations are written for these).
pub fn script(seed: u64) -> String {
    script_scaled(seed, 60, 40, &KeyPools::fixed())
}

/// The data script with `sessions` rows of `user_sessions` and `caches` rows of `application_cache`, drawn
/// as [`script`] draws them, key columns from `pools` (the PostgreSQL parity bench, benches/pg_parity.rs, runs
/// the corpus on it).
pub fn script_scaled(seed: u64, sessions: usize, caches: usize, pools: &KeyPools) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = String::from(SCHEMA);
    let sessions: Vec<Vec<String>> = (0..sessions)
        .map(|i| session_row(&mut rng, i, pools))
        .collect();
    // rows 20..29 lack ip_address, risk_score, tags and cart_total altogether
    inserts(
        "user_sessions",
        SESSION_COLS,
        sessions,
        &[6, 8, 14, 16],
        &mut out,
    );
    let cache: Vec<Vec<String>> = (0..caches).map(|i| cache_row(&mut rng, i)).collect();
    inserts("application_cache", CACHE_COLS, cache, &[4, 7, 8], &mut out);
    out
}
