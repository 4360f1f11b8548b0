//! Which pushes leave and when: the first for a subscription and session leaves at once; for a
//! short window after each push, one saying the same is dropped and one saying something new
//! waits for the window's end, the latest replacing the earlier. Pushes waiting to be tried
//! again wait here too, unless a newer one for their key was taken meanwhile (an old approval
//! must not replace a newer notification on the phone). Bounded: past `MAX_PENDING` waiting
//! or in flight, a push is refused.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use super::delivery::Job;
use tether_protocol::push::NotifyKind;

/// How long after a push to one subscription and session the next one waits.
pub const WINDOW: Duration = Duration::from_millis(500);
/// Pushes waiting (for their window or to be tried again), at most; as many pushes just sent
/// are remembered for their window.
pub const MAX_PENDING: usize = 1024;

/// A subscription's endpoint and a session: what a burst is gathered by.
type Key = (String, String);

fn key(job: &Job) -> Key {
    (job.subscription.endpoint.clone(), job.session_id.clone())
}

/// A push waiting for its time, how many tries it had, and its place in the order taken.
pub struct Pending {
    pub job: Job,
    pub due: Instant,
    pub tries: u32,
    seq: u64,
}

/// What a key was last told, and until when the next push to it waits.
struct Told {
    until: Instant,
    kind: NotifyKind,
    request_id: Option<String>,
}

/// What became of a push handed in.
#[derive(Debug, PartialEq, Eq)]
pub enum Taken {
    /// It leaves now.
    Now,
    /// It waits (or replaced one waiting).
    Held,
    /// It says what was just said.
    Same,
    /// Too many wait.
    Full,
}

#[derive(Default)]
pub struct Gather {
    pending: HashMap<Key, Pending>,
    told: HashMap<Key, Told>,
    /// The newest push taken for each key still waiting or in flight.
    newest: HashMap<Key, u64>,
    taken: u64,
}

impl Gather {
    /// Takes `job` in at `now`; when it leaves now, it is among [`Gather::due`]'s at once.
    pub fn take(&mut self, job: Job, now: Instant) -> Taken {
        self.told.retain(|_, sent| sent.until > now);
        let key = key(&job);
        self.taken += 1;
        let seq = self.taken;
        if let Some(waiting) = self.pending.get_mut(&key) {
            // The latest says what happened; its time stays.
            *waiting = Pending {
                job,
                due: waiting.due,
                tries: 0,
                seq,
            };
            self.newest.insert(key, seq);
            return Taken::Held;
        }
        let (due, taken) = match self.told.get(&key) {
            Some(sent) if sent.kind == job.kind && sent.request_id == job.request_id => {
                return Taken::Same;
            }
            Some(sent) => (sent.until, Taken::Held),
            None => (now, Taken::Now),
        };
        let in_flight = self.newest.len() >= MAX_PENDING && !self.newest.contains_key(&key);
        if self.pending.len() >= MAX_PENDING || in_flight {
            return Taken::Full;
        }
        self.newest.insert(key.clone(), seq);
        let tries = 0;
        self.pending.insert(
            key,
            Pending {
                job,
                due,
                tries,
                seq,
            },
        );
        taken
    }

    /// Tries `waiting` again at `due`, unless a newer push for its key was taken meanwhile;
    /// false (it is given up) when too many wait.
    pub fn again(&mut self, mut waiting: Pending, due: Instant) -> bool {
        let key = key(&waiting.job);
        if self.newest.get(&key) != Some(&waiting.seq) {
            return true;
        }
        if self.pending.len() >= MAX_PENDING {
            self.newest.remove(&key);
            return false;
        }
        waiting.due = due;
        self.pending.insert(key, waiting);
        true
    }

    /// A push that will not be tried again (sent, refused or given up).
    pub fn finished(&mut self, waiting: &Pending) {
        let key = key(&waiting.job);
        if self.newest.get(&key) == Some(&waiting.seq) {
            self.newest.remove(&key);
        }
    }

    /// Forgets what waits for `endpoint`, a subscription that is gone.
    pub fn forget(&mut self, endpoint: &str) {
        self.pending.retain(|(waiting, _), _| waiting != endpoint);
        self.newest.retain(|(waiting, _), _| waiting != endpoint);
    }

    /// When the next push is due, if one waits.
    pub fn next_due(&self) -> Option<Instant> {
        self.pending.values().map(|waiting| waiting.due).min()
    }

    /// The pushes due at `now`, each remembered as told for its window.
    pub fn due(&mut self, now: Instant) -> Vec<Pending> {
        let keys: Vec<Key> = self
            .pending
            .iter()
            .filter(|(_, waiting)| waiting.due <= now)
            .map(|(key, _)| key.clone())
            .collect();
        let mut due = Vec::with_capacity(keys.len());
        for key in keys {
            let Some(waiting) = self.pending.remove(&key) else {
                continue;
            };
            if self.told.len() < MAX_PENDING {
                let told = Told {
                    until: now + WINDOW,
                    kind: waiting.job.kind,
                    request_id: waiting.job.request_id.clone(),
                };
                self.told.insert(key, told);
            }
            due.push(waiting);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tether_protocol::DeviceId;
    use tether_store::PushRecord;

    fn job(session: &str, kind: NotifyKind, request: Option<&str>) -> Job {
        Job {
            subscription: PushRecord {
                device_id: DeviceId::random(),
                endpoint: "https://push.example/1".to_owned(),
                p256dh: String::new(),
                auth: String::new(),
                kinds: vec![kind],
                created_at: 0,
            },
            session_id: session.to_owned(),
            kind,
            request_id: request.map(str::to_owned),
            payload: Vec::new(),
        }
    }

    fn kinds(due: &[Pending]) -> Vec<(String, NotifyKind)> {
        let mut kinds: Vec<_> = due
            .iter()
            .map(|waiting| (waiting.job.session_id.clone(), waiting.job.kind))
            .collect();
        kinds.sort_by(|one, other| one.0.cmp(&other.0));
        kinds
    }

    #[test]
    fn a_burst_is_the_first_at_once_and_the_latest_new_at_the_windows_end() {
        let mut gather = Gather::default();
        let start = Instant::now();
        let approval = || job("s1", NotifyKind::Approval, Some("r1"));
        assert_eq!(gather.take(approval(), start), Taken::Now);
        assert_eq!(
            kinds(&gather.due(start)),
            [("s1".into(), NotifyKind::Approval)]
        );
        assert_eq!(gather.take(approval(), start), Taken::Same);
        let another = job("s1", NotifyKind::Approval, Some("r2"));
        assert_eq!(gather.take(another, start), Taken::Held);
        let finished = job("s1", NotifyKind::Finished, None);
        assert_eq!(gather.take(finished, start), Taken::Held, "replaces it");
        assert_eq!(gather.next_due(), Some(start + WINDOW));
        assert!(gather.due(start + WINDOW / 2).is_empty());
        assert_eq!(
            kinds(&gather.due(start + WINDOW)),
            [("s1".into(), NotifyKind::Finished)]
        );
        // Another session is its own.
        let other = job("s2", NotifyKind::Approval, None);
        assert_eq!(gather.take(other, start + WINDOW), Taken::Now);
        // After the window, the same again is news again.
        let later = start + WINDOW * 3;
        let finished = job("s1", NotifyKind::Finished, None);
        assert_eq!(gather.take(finished, later), Taken::Now);
    }

    #[test]
    fn a_retry_waits_its_time_and_a_gone_subscription_is_forgotten() {
        let mut gather = Gather::default();
        let start = Instant::now();
        gather.take(job("s1", NotifyKind::Approval, None), start);
        let mut due = gather.due(start);
        let retry = due.pop().unwrap();
        assert!(gather.again(retry, start + Duration::from_secs(1)));
        assert_eq!(gather.next_due(), Some(start + Duration::from_secs(1)));
        gather.forget("https://push.example/1");
        assert_eq!(gather.next_due(), None);
    }

    #[test]
    fn a_retry_is_dropped_when_something_newer_was_taken_for_its_session() {
        let mut gather = Gather::default();
        let start = Instant::now();
        gather.take(job("s1", NotifyKind::Approval, Some("r1")), start);
        let approval = gather.due(start).pop().unwrap();
        // The approval's try hangs; meanwhile the turn finishes and is told.
        let later = start + WINDOW * 2;
        assert_eq!(
            gather.take(job("s1", NotifyKind::Finished, None), later),
            Taken::Now
        );
        let finished = gather.due(later).pop().unwrap();
        gather.finished(&finished);
        assert!(gather.again(approval, later + WINDOW));
        assert_eq!(
            gather.next_due(),
            None,
            "the old approval is not tried again"
        );
    }

    #[test]
    fn waiting_is_bounded() {
        let mut gather = Gather::default();
        let now = Instant::now();
        for index in 0..MAX_PENDING {
            let session = format!("s{index}");
            assert_eq!(
                gather.take(job(&session, NotifyKind::Failed, None), now),
                Taken::Now
            );
        }
        let one_more = job("past", NotifyKind::Failed, None);
        assert_eq!(gather.take(one_more, now), Taken::Full);
    }
}
