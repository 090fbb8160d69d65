//! How far a scan feeding a pipeline needs to read: stages that map each document to one (`$project`,
//! `$set` / `$addFields`, `$unset`) then `$limit: n` read at most `n` documents (EXISTS' `SELECT 1 ... LIMIT
//! 1` sub-pipeline, `SELECT ... LIMIT n` without ORDER BY), so the scan stops at the `n`-th matching one.
//!
//! In: the compiled stages; out: the cap. Depends on nothing but the stage list.

use super::{Pipeline, Stage};

impl Pipeline {
    /// How many input documents the stages from `start` can read at most: `n` when they are `$project`,
    /// `$set` / `$addFields` and `$unset` stages (one output per input, in order) then `$limit: n`; `None`
    /// otherwise. A scan feeding them may stop after `n` documents (mongod's stages pull documents one at a
    /// time: the documents after the `n`-th are never read, computed or failed on).
    pub fn scan_cap(&self, start: usize) -> Option<usize> {
        for stage in self.stages.get(start..)? {
            match stage {
                Stage::Project(_) | Stage::AddFields(_) | Stage::Unset(_) => {}
                Stage::Limit(n) => return Some(*n),
                _ => return None,
            }
        }
        None
    }
}

#[cfg(test)]
#[path = "scan_cap_tests.rs"]
mod tests;
