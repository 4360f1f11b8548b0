//! One scrape: the engine's counters, with its connections and sessions counted now.

use std::collections::BTreeMap;

use super::Gauges;
use crate::engine::Engine;

/// The engine's metrics as Prometheus text.
pub fn scrape(engine: &Engine) -> String {
    let mut sessions = BTreeMap::<String, usize>::new();
    for session in engine.sessions().list() {
        *sessions
            .entry(session.status.wire_name().to_owned())
            .or_default() += 1;
    }
    let gauges = Gauges {
        connections: engine.connections().count_by_kind(),
        sessions: sessions.into_iter().collect(),
        queued_bytes: engine.connections().queued_bytes(),
    };
    engine
        .metrics()
        .render(&gauges, engine.store().commit_seconds())
}
