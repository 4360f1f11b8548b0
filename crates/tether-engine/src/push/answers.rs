//! Answering an approval from a notification, without the device token: a short-lived,
//! single-use credential minted for that approval and that device, carried only in the
//! push encrypted to that device. Only a hash of it is kept, and at most `MAX_ISSUED` wait.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use tether_protocol::DeviceId;

/// How long a credential answers.
pub const VALID_FOR: Duration = Duration::from_secs(15 * 60);
/// Credentials waiting at most; past it, the oldest goes.
const MAX_ISSUED: usize = 1024;
/// What every credential starts with, so it is recognisable in a leak scan.
const PREFIX: &str = "tether_answer_";

/// What a credential may answer, and for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answerable {
    pub device: DeviceId,
    pub session_id: String,
    pub request_id: String,
}

/// Why a credential was refused (the same words for each, so a guesser learns nothing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this answer is no longer valid: open the session to answer")]
pub struct Refused;

struct Issued {
    answerable: Answerable,
    expires: Instant,
}

/// The credentials waiting to be used.
#[derive(Default)]
pub struct Answers(Mutex<HashMap<[u8; 32], Issued>>);

impl Answers {
    fn lock(&self) -> MutexGuard<'_, HashMap<[u8; 32], Issued>> {
        // Entries are inserted and removed whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new credential for `answerable`.
    pub fn mint(&self, answerable: Answerable) -> String {
        let secret: [u8; 32] = rand::random();
        let credential = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
        let now = Instant::now();
        let mut issued = self.lock();
        issued.retain(|_, entry| entry.expires > now);
        if issued.len() >= MAX_ISSUED
            && let Some(oldest) = issued
                .iter()
                .min_by_key(|(_, entry)| entry.expires)
                .map(|(key, _)| *key)
        {
            issued.remove(&oldest);
        }
        let entry = Issued {
            answerable,
            expires: now + VALID_FOR,
        };
        issued.insert(hash(&credential), entry);
        credential
    }

    /// Uses a credential up: what it may answer, once, before it expires.
    pub fn take(&self, credential: &str) -> Result<Answerable, Refused> {
        let entry = self.lock().remove(&hash(credential)).ok_or(Refused)?;
        if entry.expires <= Instant::now() {
            return Err(Refused);
        }
        Ok(entry.answerable)
    }
}

fn hash(credential: &str) -> [u8; 32] {
    Sha256::digest(credential.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(request: &str) -> Answerable {
        Answerable {
            device: DeviceId::random(),
            session_id: "s1".to_owned(),
            request_id: request.to_owned(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_credential_answers_once_and_only_before_it_expires() {
        let answers = Answers::default();
        let first = answers.mint(approval("r1"));
        assert!(first.starts_with(PREFIX));
        assert_eq!(answers.take(&first).unwrap().request_id, "r1");
        assert_eq!(answers.take(&first), Err(Refused), "used up");
        assert_eq!(answers.take("tether_answer_made-up"), Err(Refused));

        let late = answers.mint(approval("r2"));
        tokio::time::advance(VALID_FOR + Duration::from_secs(1)).await;
        assert_eq!(answers.take(&late), Err(Refused), "expired");
    }
}
