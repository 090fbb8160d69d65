//! The PostgreSQL corpus' data generator (tests/pg_oracle/data.rs) on its own: the key pools the parity bench
//! scales with the row count (needs no PostgreSQL).

#[allow(dead_code)]
#[path = "pg_oracle/data.rs"]
mod data;

use data::{script, script_scaled, KeyPools, SEED};

/// Scaled pools grow with the row count and keep the corpus' traps; at the corpus' size the data is the
/// corpus' own.
#[test]
fn scaled_pools_grow_and_keep_the_traps() {
    let p = KeyPools::scaled(100_000);
    assert_eq!(p.users.len(), 25_000);
    assert!(p.users.iter().any(|u| u == "U09") && p.users.iter().any(|u| u.is_empty()));
    assert_eq!((p.ip_subnets, p.fingerprints), (1_250, 50_000));
    let small = KeyPools::scaled(8);
    assert_eq!(small.users.len(), KeyPools::fixed().users.len());
    assert_eq!(
        script_scaled(SEED, 60, 40, &KeyPools::fixed()),
        script(SEED)
    );
    // 4,000 sessions over 1,000 user ids (u01 .. u998, U09, ''): most are drawn, none past the pool.
    let big = script_scaled(SEED, 4_000, 10, &KeyPools::scaled(4_000));
    let drawn: std::collections::BTreeSet<u32> = big
        .split("'u")
        .skip(1)
        .filter_map(|t| t.split('\'').next()?.parse().ok())
        .collect();
    assert!(drawn.len() > 900, "{} user ids drawn", drawn.len());
    assert_eq!(drawn.last(), Some(&998));
}
