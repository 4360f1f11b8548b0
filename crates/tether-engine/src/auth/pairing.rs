//! Pairing codes: one short code at a time, single use, expiring; an address that tries a few
//! wrong codes is shut out of it, and many wrong tries in all burn it. A device that presents
//! it waits for the desktop user's answer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rand::Rng;
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::display_name;
use crate::config::PairingSettings;
use crate::peer_address::counted_as;
use tether_protocol::Device;
use tether_protocol::PairingRequest;
use tether_protocol::clock::unix_now;

/// Crockford's base32: no I, L, O or U, so a code read aloud or off a screen is typed right.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code: 40 random bits, shown as two groups of four.
const CODE_LEN: usize = 8;
/// Devices that may wait for an answer at once.
const MAX_WAITING: usize = 4;
/// Wrong tries in all, as a multiple of those one address may make, that burn a code: one
/// address cannot burn it for everyone, and many together still guess at most this many times.
const BURN_FACTOR: u32 = 4;

/// The desktop user's answer, delivered to the waiting device.
pub enum Answer {
    /// The device is paired; its token travels here once and is kept nowhere.
    Approved {
        device: Device,
        token: String,
    },
    Denied,
}

/// Never shows the token.
impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Approved { device, .. } => f
                .debug_struct("Approved")
                .field("device", device)
                .finish_non_exhaustive(),
            Self::Denied => f.write_str("Denied"),
        }
    }
}

/// Why a device's pairing attempt failed. The device is never told which of the failures
/// about the code it met ([`PairingError::is_about_the_code`]), so its answers do not say
/// whether a code is active; the desktop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PairingError {
    #[error("no pairing code is active")]
    NoCode,
    #[error("the pairing code has expired")]
    Expired,
    /// `tries` wrong codes from this address so far; at `max_wrong_codes` it is shut out.
    #[error("wrong pairing code ({tries} from this address)")]
    WrongCode { tries: u32 },
    #[error("this address tried too many wrong codes for the current code")]
    ShutOut,
    #[error("too many wrong codes: the code no longer works")]
    Burned,
    #[error("a device name must be 1 to 64 printable characters")]
    InvalidName,
    #[error("too many devices are waiting to pair; try again in a moment")]
    Busy,
    #[error("no device is waiting with that request id")]
    NoRequest,
}

impl PairingError {
    /// A stable word for the failure, for logs and for clients to act on.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NoCode => "no_code",
            Self::Expired => "expired",
            Self::WrongCode { .. } => "wrong_code",
            Self::ShutOut => "shut_out",
            Self::Burned => "burned",
            Self::InvalidName => "invalid_name",
            Self::Busy => "busy",
            Self::NoRequest => "no_request",
        }
    }

    /// Whether the failure is about the code, which devices are answered alike for.
    pub fn is_about_the_code(self) -> bool {
        matches!(
            self,
            Self::NoCode | Self::Expired | Self::WrongCode { .. } | Self::ShutOut | Self::Burned
        )
    }
}

/// The code the desktop shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// The code as shown, e.g. `7KQF-3M9D`.
    pub code: String,
    /// When it stops working, in seconds since the Unix epoch.
    pub expires_at: u64,
}

struct ActiveCode {
    /// Without the dash.
    code: String,
    expires: Instant,
    /// Wrong tries in all.
    wrong: u32,
    /// Wrong tries per address (as limits count addresses); at most `BURN_FACTOR` times
    /// `max_wrong_codes` entries, since that many wrong tries burn the code.
    wrong_from: HashMap<Option<IpAddr>, u32>,
}

struct Waiting {
    request: PairingRequest,
    answer: oneshot::Sender<Answer>,
}

#[derive(Default)]
struct State {
    code: Option<ActiveCode>,
    waiting: HashMap<String, Waiting>,
}

/// The engine's pairing state, in memory only: a restart ends every pairing.
pub struct Pairing {
    settings: PairingSettings,
    state: Mutex<State>,
}

impl Pairing {
    pub fn new(settings: PairingSettings) -> Self {
        Self {
            settings,
            state: Mutex::default(),
        }
    }

    /// How long a code lasts, and how long a device waits for the answer.
    pub fn ttl(&self) -> Duration {
        self.settings.code_ttl
    }

    /// Makes a fresh code, replacing any earlier one.
    pub fn start(&self) -> Code {
        let mut rng = rand::rng();
        let code: String = (0..CODE_LEN)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        let shown = format!("{}-{}", &code[..CODE_LEN / 2], &code[CODE_LEN / 2..]);
        self.lock().code = Some(ActiveCode {
            code,
            expires: Instant::now() + self.settings.code_ttl,
            wrong: 0,
            wrong_from: HashMap::new(),
        });
        Code {
            code: shown,
            expires_at: unix_now() + self.settings.code_ttl.as_secs(),
        }
    }

    /// Checks a device's code, presented from `from`; the right one is used up, and the
    /// device then waits on the returned receiver for the desktop's answer.
    pub fn claim(
        &self,
        presented: &str,
        name: &str,
        machine: bool,
        from: Option<IpAddr>,
    ) -> Result<(PairingRequest, oneshot::Receiver<Answer>), PairingError> {
        let counted = from.map(counted_as);
        let most = self.settings.max_wrong_codes;
        let mut state = self.lock();
        // Compared even when no code is active, so the time taken does not tell either.
        let typed = normalize(presented);
        let matches: bool = match &state.code {
            Some(active) => typed.as_bytes().ct_eq(active.code.as_bytes()).into(),
            None => typed.as_bytes().ct_eq(&[b'0'; CODE_LEN]).into(),
        };
        let active = state.code.as_mut().ok_or(PairingError::NoCode)?;
        if active.expires <= Instant::now() {
            state.code = None;
            return Err(PairingError::Expired);
        }
        let tries = active.wrong_from.get(&counted).copied().unwrap_or(0);
        if tries >= most {
            return Err(PairingError::ShutOut);
        }
        if !matches {
            active.wrong += 1;
            if active.wrong >= most.saturating_mul(BURN_FACTOR) {
                state.code = None;
                return Err(PairingError::Burned);
            }
            active.wrong_from.insert(counted, tries + 1);
            return Err(PairingError::WrongCode { tries: tries + 1 });
        }
        let name = display_name(name).ok_or(PairingError::InvalidName)?;
        if state.waiting.len() >= MAX_WAITING {
            return Err(PairingError::Busy);
        }
        state.code = None;
        let request = PairingRequest {
            id: random_id(),
            name,
            address: from.map(|address| address.to_string()),
            machine,
        };
        let (answer, receiver) = oneshot::channel();
        state.waiting.insert(
            request.id.clone(),
            Waiting {
                request: request.clone(),
                answer,
            },
        );
        Ok((request, receiver))
    }

    /// Takes a waiting request out, to answer it.
    pub fn take(
        &self,
        id: &str,
    ) -> Result<(PairingRequest, oneshot::Sender<Answer>), PairingError> {
        let waiting = self
            .lock()
            .waiting
            .remove(id)
            .ok_or(PairingError::NoRequest)?;
        Ok((waiting.request, waiting.answer))
    }

    /// Drops a request whose device stopped waiting; true when it was still there.
    pub fn withdraw(&self, id: &str) -> bool {
        self.lock().waiting.remove(id).is_some()
    }

    /// The devices waiting for an answer.
    pub fn waiting(&self) -> Vec<PairingRequest> {
        self.lock()
            .waiting
            .values()
            .map(|waiting| waiting.request.clone())
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change leaves the state whole, so a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A typed code in its canonical form: upper case, no separators, look-alikes mapped.
fn normalize(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

fn random_id() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairing() -> Pairing {
        Pairing::new(PairingSettings::default())
    }

    #[test]
    fn a_code_works_once_typed_loosely() {
        let pairing = pairing();
        let code = pairing.start();
        assert_eq!(code.code.len(), CODE_LEN + 1);
        let typed = code.code.to_lowercase().replace('-', " ");
        let (request, _) = pairing.claim(&typed, " Pixel ", false, None).unwrap();
        assert_eq!(request.name, "Pixel");
        assert_eq!(pairing.waiting(), vec![request]);
        assert_eq!(
            pairing.claim(&code.code, "again", false, None).unwrap_err(),
            PairingError::NoCode
        );
    }

    #[test]
    fn an_address_is_shut_out_after_its_wrong_tries_and_many_burn_the_code() {
        let pairing = pairing();
        let most = PairingSettings::default().max_wrong_codes;
        let code = pairing.start();
        let at = |text: &str| Some(text.parse::<IpAddr>().unwrap());
        for tries in 1..=most {
            assert_eq!(
                pairing
                    .claim("0000-0000", "x", false, at("127.0.0.2"))
                    .unwrap_err(),
                PairingError::WrongCode { tries }
            );
        }
        assert_eq!(
            pairing
                .claim(&code.code, "x", false, at("::1"))
                .unwrap_err(),
            PairingError::ShutOut,
            "loopback is one address, shut out even with the right code"
        );
        // Others still may: the code burns only after many wrong tries in all.
        for n in 1..BURN_FACTOR {
            for _ in 0..most {
                let refused = pairing.claim("0000-0000", "x", false, at(&format!("192.0.2.{n}")));
                let last = n == BURN_FACTOR - 1;
                assert!(matches!(
                    (last, refused.unwrap_err()),
                    (_, PairingError::WrongCode { .. }) | (true, PairingError::Burned)
                ));
            }
        }
        assert_eq!(
            pairing
                .claim(&code.code, "x", false, at("203.0.113.1"))
                .unwrap_err(),
            PairingError::NoCode,
            "the right code no longer works once burned"
        );
    }

    #[test]
    fn the_right_code_from_another_address_still_works_after_one_is_shut_out() {
        let pairing = pairing();
        let code = pairing.start();
        for _ in 0..PairingSettings::default().max_wrong_codes {
            let _ = pairing.claim("0000-0000", "x", false, Some([192, 0, 2, 9].into()));
        }
        assert!(
            pairing
                .claim(&code.code, "phone", false, Some([192, 0, 2, 10].into()))
                .is_ok()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn codes_expire() {
        let pairing = pairing();
        let code = pairing.start();
        tokio::time::advance(PairingSettings::default().code_ttl).await;
        assert_eq!(
            pairing.claim(&code.code, "late", false, None).unwrap_err(),
            PairingError::Expired
        );
    }

    #[test]
    fn a_new_code_replaces_the_old_and_answers_reach_the_device() {
        let pairing = pairing();
        let old = pairing.start();
        let new = pairing.start();
        assert_ne!(old.code, new.code);
        assert!(pairing.claim(&old.code, "x", false, None).is_err());
        let (request, mut receiver) = pairing.claim(&new.code, "x", false, None).unwrap();
        let (_, answer) = pairing.take(&request.id).unwrap();
        assert!(answer.send(Answer::Denied).is_ok());
        assert!(matches!(receiver.try_recv(), Ok(Answer::Denied)));
        assert!(matches!(
            pairing.take(&request.id),
            Err(PairingError::NoRequest)
        ));
    }
}
