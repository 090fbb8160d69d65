//! One `j: false` run of `benches/durability.rs` and the figures it reports (kept apart: the bench's
//! main file stays under 800 lines).

use super::{cpu_time, durable, insert_rate, memory, sys_time};
use bson::doc;
use std::path::Path;
use std::time::Duration;

/// What one `j: false` run measured (process-wide counters, so one run at a time).
#[derive(Clone, Copy, Default)]
pub struct JfalseRun {
    pub inserts: usize,
    pub rate: f64,
    /// CPU time (every thread), its system part, per insert, in µs.
    pub cpu_us: f64,
    pub sys_us: f64,
    /// CPU time of the journal's flusher thread per insert, in µs (durable runs).
    pub journal_us: f64,
    /// Voluntary and involuntary context switches per 1,000 inserts; minor page faults per 1,000.
    pub vcsw: f64,
    pub ivcsw: f64,
    pub faults: f64,
    pub checkpoints: usize,
    /// Of them incremental; bytes they wrote per insert.
    pub incremental: usize,
    pub ckpt_bytes: f64,
    pub direct_writes: u64,
}

impl JfalseRun {
    /// The figures of `d` (durable) against `m` (in memory).
    pub fn compare(d: &JfalseRun, m: &JfalseRun) -> String {
        format!(
            "CPU per insert {:.2} / {:.2} us (system {:.2} / {:.2}; the journal thread {:.2}); context switches per 1k inserts {:.0}+{:.0} / {:.0}+{:.0} (voluntary+involuntary); page faults per 1k {:.0} / {:.0}; {} checkpoint(s) ({} incremental, {:.0} B written per insert), {} direct journal writes",
            d.cpu_us, m.cpu_us, d.sys_us, m.sys_us, d.journal_us, d.vcsw, d.ivcsw, m.vcsw, m.ivcsw,
            d.faults, m.faults, d.checkpoints, d.incremental, d.ckpt_bytes, d.direct_writes
        )
    }

    /// The median of each figure over `runs`.
    pub fn median<'a>(runs: impl Iterator<Item = &'a JfalseRun> + Clone) -> JfalseRun {
        let med = |f: fn(&JfalseRun) -> f64| {
            let mut v: Vec<f64> = runs.clone().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        JfalseRun {
            inserts: runs.clone().next().map_or(0, |r| r.inserts),
            rate: med(|r| r.rate),
            cpu_us: med(|r| r.cpu_us),
            sys_us: med(|r| r.sys_us),
            journal_us: med(|r| r.journal_us),
            vcsw: med(|r| r.vcsw),
            ivcsw: med(|r| r.ivcsw),
            faults: med(|r| r.faults),
            checkpoints: med(|r| r.checkpoints as f64) as usize,
            incremental: med(|r| r.incremental as f64) as usize,
            ckpt_bytes: med(|r| r.ckpt_bytes),
            direct_writes: med(|r| r.direct_writes as f64) as u64,
        }
    }
}

/// The process's (voluntary, involuntary) context switches and minor page faults so far.
fn switches_and_faults() -> (i64, i64, i64) {
    // SAFETY: getrusage writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    (u.ru_nvcsw, u.ru_nivcsw, u.ru_minflt)
}

/// CPU time of this process's threads named `name` so far (Linux `/proc/self/task/*/schedstat`: ns on a
/// CPU; 0 elsewhere).
fn threads_cpu(name: &str) -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let mut ns = 0u64;
    for t in tasks.flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim_end() == name {
            let stat = std::fs::read_to_string(t.path().join("schedstat")).unwrap_or_default();
            ns += stat
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Duration::from_nanos(ns)
}

/// One `j: false` run: `clients` threads insert `per` session documents each into a fresh engine, in
/// memory (`dir` `None`) or durable in `dir` (removed after). Both sides send the same command (the
/// in-memory engine parses and checks the `writeConcern` alike).
pub fn jfalse_run(dir: Option<&Path>, clients: usize, per: usize) -> JfalseRun {
    let (engine, storage) = match dir {
        Some(dir) => {
            let (e, s) = durable(dir);
            (e, Some(s))
        }
        None => (memory(), None),
    };
    let journal = || threads_cpu("sqlmongo-journa");
    let (cpu, sys, j, (vcsw, ivcsw, faults)) =
        (cpu_time(), sys_time(), journal(), switches_and_faults());
    let rate = insert_rate(&engine, clients, per, Some(doc! {"w": 1, "j": false}));
    let n = (clients * per) as f64;
    let (vcsw2, ivcsw2, faults2) = switches_and_faults();
    let us = |d: Duration| d.as_secs_f64() * 1e6 / n;
    let run = JfalseRun {
        inserts: clients * per,
        rate,
        cpu_us: us(cpu_time() - cpu),
        sys_us: us(sys_time() - sys),
        journal_us: us(journal().saturating_sub(j)),
        vcsw: (vcsw2 - vcsw) as f64 * 1e3 / n,
        ivcsw: (ivcsw2 - ivcsw) as f64 * 1e3 / n,
        faults: (faults2 - faults) as f64 * 1e3 / n,
        checkpoints: storage
            .as_ref()
            .map_or(0, |s| s.checkpoints_written().len()),
        incremental: storage.as_ref().map_or(0, |s| {
            s.checkpoints_written()
                .iter()
                .filter(|w| w.incremental)
                .count()
        }),
        ckpt_bytes: storage.as_ref().map_or(0.0, |s| {
            s.checkpoints_written()
                .iter()
                .map(|w| w.bytes as f64)
                .sum::<f64>()
                / n
        }),
        direct_writes: storage.as_ref().map_or(0, |s| s.direct_writes()),
    };
    drop(engine);
    drop(storage);
    if let Some(dir) = dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    run
}
