//! How the store is doing: the problem to report while there is one, the events it could not
//! save, and how long its commits take.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

use crate::histogram::Histogram;
use tether_protocol::results::HealthReport;

/// The store's health, and a watch of its problem for whoever announces changes of it.
pub struct Health {
    state: Mutex<HealthReport>,
    problem: watch::Sender<Option<String>>,
    /// Every commit's time, for `/metrics`.
    commit_seconds: Histogram,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            state: Mutex::default(),
            problem: watch::Sender::new(None),
            commit_seconds: Histogram::default(),
        }
    }
}

impl Health {
    fn lock(&self) -> MutexGuard<'_, HealthReport> {
        // Plain counters: a poisoned report is still sound.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the problem (none when `problem` is `None`); watchers hear of changes only.
    fn set_problem(&self, state: &mut HealthReport, problem: Option<String>) {
        if state.problem != problem {
            state.problem.clone_from(&problem);
            self.problem.send_replace(problem);
        }
    }

    /// The database is unusable for this run (no commit follows that could clear this).
    pub fn unavailable(&self, problem: String) {
        tracing::error!(%problem, "the store is unavailable; sessions keep running but nothing is saved");
        let mut state = self.lock();
        self.set_problem(&mut state, Some(problem));
    }

    /// `count` events could not be saved, because of `why`.
    pub fn lost(&self, count: u64, why: &str) {
        let mut state = self.lock();
        state.lost_events += count;
        let problem = format!("could not save events: {why}");
        if state.problem.as_deref() != Some(problem.as_str()) {
            tracing::error!(%problem, lost = state.lost_events, "the event log is degraded; live streams continue");
        }
        self.set_problem(&mut state, Some(problem));
    }

    /// A commit of `events` events took `took`; a working commit clears a passing problem.
    pub fn committed(&self, events: usize, took: Duration) {
        self.commit_seconds.observe(took);
        let mut state = self.lock();
        if state.problem.is_some() {
            tracing::info!("the event log saves again");
            self.set_problem(&mut state, None);
        }
        let took = took.as_secs_f64() * 1000.0;
        state.commit_ms_mean =
            (state.commit_ms_mean * state.commits as f64 + took) / (state.commits + 1) as f64;
        state.commits += 1;
        state.events_saved += events as u64;
        state.commit_ms_max = state.commit_ms_max.max(took);
    }

    pub fn report(&self) -> HealthReport {
        self.lock().clone()
    }

    pub fn commit_seconds(&self) -> &Histogram {
        &self.commit_seconds
    }

    /// Follows the problem as it appears and clears.
    pub fn watch(&self) -> watch::Receiver<Option<String>> {
        self.problem.subscribe()
    }
}
