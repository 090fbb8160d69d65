use bson::{doc, rawdoc};
use sqlmongo::engine::limits;
use std::hint::black_box;
use std::time::Instant;
fn main() {
    let find = rawdoc! {"find": "user_sessions", "filter": {"_id": 12345_i64}, "limit": 1, "singleBatch": true, "$db": "bench", "lsid": {"id": bson::Binary{subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![1;16]}}};
    let n = 20_000_000;
    let t = Instant::now();
    for _ in 0..n {
        black_box(limits::check_command_bytes(black_box(find.as_bytes())).is_ok());
    }
    println!(
        "check_command_bytes on a {}-byte find: {:.1} ns",
        find.as_bytes().len(),
        t.elapsed().as_nanos() as f64 / n as f64
    );
    let d = doc! {"_id": 1, "user_id": 7, "session_id": "s-0000001", "active": true, "risk_score": 0.25, "tags": ["a", "b", "c"], "device": {"os": "linux", "browser": "firefox", "version": 120}, "events": [{"t": 1, "k": "login"}, {"t": 2, "k": "view"}]};
    let cmd = doc! {"find": "user_sessions", "filter": {"_id": 12345_i64}, "$db": "bench"};
    let n = 5_000_000;
    let t = Instant::now();
    for _ in 0..n {
        black_box(limits::check_command(black_box(&cmd)).is_ok());
    }
    println!(
        "check_command on a find Document: {:.1} ns",
        t.elapsed().as_nanos() as f64 / n as f64
    );
    let t = Instant::now();
    for _ in 0..n {
        black_box(limits::shape(black_box(&d)));
    }
    println!(
        "shape (size+depth) of a {}-byte session document: {:.1} ns",
        d.to_vec().unwrap().len(),
        t.elapsed().as_nanos() as f64 / n as f64
    );
    let t = Instant::now();
    for _ in 0..n {
        black_box(bson::RawDocumentBuf::try_from(black_box(&d)).unwrap());
    }
    println!(
        "encoding the same document (what every insert does): {:.1} ns",
        t.elapsed().as_nanos() as f64 / n as f64
    );
}
