//! Push notifications to paired devices, with no server of ours between: the engine's VAPID
//! key, each device's Web Push subscriptions (at most eight a device, the oldest going first;
//! a revoked device's go with it), and the session moves sent to them.

mod answers;
mod client;
mod delivery;
mod desktop;
mod gather;
mod moments;
mod ntfy;
mod subscription;
mod vapid;
mod watch;

use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use tokio::sync::OnceCell;

pub use self::answers::{Answerable, Answers, Refused};
pub use self::client::{ClientError, client};
pub use self::desktop::DesktopKinds;
pub use self::moments::{ApprovalAnswer, Payload, kind_of, words};
pub use self::ntfy::NtfyError;
pub use self::subscription::{Checked, SubscriptionError, check};
pub use self::vapid::VapidKey;
pub use self::watch::start;
use crate::auth::{SecretVault, VaultError, blocking};
use crate::engine::Engine;
use tether_protocol::DeviceId;
use tether_protocol::clock::unix_now;
use tether_protocol::push::{PushStatus, PushSubscription};
use tether_store::{PushRecord, Row, Store};

/// The most subscriptions one device keeps.
pub const MAX_PER_DEVICE: usize = 8;

/// Why a subscription could not be changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("this device has no subscription with that endpoint")]
    NotFound,
    #[error("that endpoint is another device's subscription")]
    Taken,
}

/// Every device's subscriptions, and the key pushes are signed with.
pub struct Push {
    vault: Arc<dyn SecretVault>,
    /// Read from the keyring (or made) when first needed, not at start.
    vapid: OnceCell<VapidKey>,
    store: Store,
    subscriptions: Mutex<Vec<PushRecord>>,
    /// Credentials that answer an approval from a notification.
    answers: Answers,
    /// Where pushes are queued, and the client they and ntfy's publishes go out on, once
    /// delivery runs.
    outbox: OnceLock<(delivery::Outbox, reqwest::Client)>,
    /// What the desktop's own notifications tell of.
    desktop: DesktopKinds,
    /// The ntfy topic's access token, once read from the keyring.
    ntfy_token: tokio::sync::Mutex<Option<Option<String>>>,
}

impl Push {
    /// The saved subscriptions; the VAPID key comes from `vault` when first needed.
    pub fn load(vault: Arc<dyn SecretVault>, store: Store) -> Self {
        let saved = store.loaded("push subscriptions", store.push_subscriptions());
        Self {
            vault,
            vapid: OnceCell::new(),
            desktop: DesktopKinds::load(store.clone()),
            ntfy_token: tokio::sync::Mutex::new(None),
            store,
            subscriptions: Mutex::new(saved),
            answers: Answers::default(),
            outbox: OnceLock::new(),
        }
    }

    /// Queues a test notification to each of `device`'s subscriptions; answers how many.
    pub fn test(&self, device: &DeviceId) -> u32 {
        let (Some((outbox, _)), Ok(payload)) =
            (self.outbox.get(), serde_json::to_vec(&Payload::test()))
        else {
            return 0;
        };
        let mine: Vec<PushRecord> = self
            .lock()
            .iter()
            .filter(|record| &record.device_id == device)
            .cloned()
            .collect();
        let jobs = mine.into_iter().map(|subscription| delivery::Job {
            subscription,
            session_id: "test".to_owned(),
            kind: tether_protocol::push::NotifyKind::Finished,
            request_id: None,
            payload: payload.clone(),
        });
        jobs.filter(|job| outbox.send(job.clone())).count() as u32
    }

    /// Where pushes are queued, and the client they go out on; delivery sets them when it
    /// starts.
    pub(crate) fn deliver_to(&self, outbox: delivery::Outbox, client: reqwest::Client) {
        let _ = self.outbox.set((outbox, client));
    }

    /// Publishes a test notification to the ntfy topic, waiting for its answer.
    pub async fn test_ntfy(&self, engine: &Engine) -> Result<(), NtfyError> {
        let Some((_, client)) = self.outbox.get() else {
            return Err(NtfyError::Off);
        };
        let topic = ntfy::Topic::configured(engine).await?;
        let click = ntfy::click(engine, "");
        ntfy::publish(client, &topic, &Payload::test(), click.as_deref()).await
    }

    /// The ntfy topic's access token, read from the keyring once (none when it cannot be).
    pub async fn ntfy_token(&self) -> Option<String> {
        let mut cached = self.ntfy_token.lock().await;
        if let Some(token) = &*cached {
            return token.clone();
        }
        let vault = Arc::clone(&self.vault);
        let read = blocking(move || vault.get(ntfy::TOKEN)).await;
        let token = read.ok().flatten();
        *cached = Some(token.clone());
        token
    }

    /// Keeps the ntfy topic's access token in the keyring (none: forgets it).
    pub async fn set_ntfy_token(&self, token: Option<String>) -> Result<(), VaultError> {
        let mut cached = self.ntfy_token.lock().await;
        let vault = Arc::clone(&self.vault);
        let kept = token.clone();
        blocking(move || match kept {
            Some(token) => vault.set(ntfy::TOKEN, &token),
            None => vault.delete(ntfy::TOKEN),
        })
        .await?;
        *cached = Some(token);
        Ok(())
    }

    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// What the desktop's own notifications tell of.
    pub fn desktop(&self) -> &DesktopKinds {
        &self.desktop
    }

    fn lock(&self) -> MutexGuard<'_, Vec<PushRecord>> {
        // Every change is whole before the lock is let go.
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The key pushes are signed with: the keyring's, made and kept there on first use.
    pub async fn vapid(&self) -> Result<&VapidKey, VaultError> {
        self.vapid
            .get_or_try_init(|| {
                let vault = Arc::clone(&self.vault);
                blocking(move || VapidKey::load(vault.as_ref()))
            })
            .await
    }

    /// What `device` needs to subscribe, and its subscriptions.
    pub async fn status(&self, device: &DeviceId) -> Result<PushStatus, VaultError> {
        Ok(PushStatus {
            vapid_public_key: self.vapid().await?.public_key(),
            subscriptions: self.list(device),
        })
    }

    /// `device`'s subscriptions, oldest first.
    pub fn list(&self, device: &DeviceId) -> Vec<PushSubscription> {
        let all = self.lock();
        all.iter()
            .filter(|record| &record.device_id == device)
            .map(listed)
            .collect()
    }

    /// Subscribes `device` (again: the kinds and keys are replaced); past
    /// [`MAX_PER_DEVICE`], its oldest subscription goes.
    pub fn subscribe(
        &self,
        device: &DeviceId,
        checked: Checked,
    ) -> Result<PushSubscription, PushError> {
        let mut all = self.lock();
        let same = |record: &PushRecord| record.endpoint == checked.endpoint;
        if all
            .iter()
            .any(|record| same(record) && &record.device_id != device)
        {
            return Err(PushError::Taken);
        }
        let created_at = match all.iter().position(same).map(|index| all.remove(index)) {
            Some(record) => record.created_at,
            None => unix_now(),
        };
        let record = PushRecord {
            device_id: device.clone(),
            endpoint: checked.endpoint,
            p256dh: checked.p256dh,
            auth: checked.auth,
            kinds: checked.kinds,
            created_at,
        };
        self.store.save(Row::Push(record.clone()));
        let answer = listed(&record);
        all.push(record);
        all.sort_by_key(|record| record.created_at);
        let mine = all
            .iter()
            .filter(|record| &record.device_id == device)
            .count();
        if mine > MAX_PER_DEVICE
            && let Some(oldest) = all.iter().position(|record| &record.device_id == device)
        {
            let gone = all.remove(oldest);
            tracing::info!(device = %device, "a device's oldest push subscription made room");
            self.store.save(Row::PushRemoved(gone.endpoint));
        }
        Ok(answer)
    }

    /// Removes one of `device`'s subscriptions.
    pub fn unsubscribe(
        &self,
        device: &DeviceId,
        endpoint: &str,
    ) -> Result<PushSubscription, PushError> {
        let mut all = self.lock();
        let index = all
            .iter()
            .position(|record| record.endpoint == endpoint && &record.device_id == device)
            .ok_or(PushError::NotFound)?;
        let gone = all.remove(index);
        self.store.save(Row::PushRemoved(gone.endpoint.clone()));
        Ok(listed(&gone))
    }

    /// Every subscription whose device chose to be told of `kind`.
    pub fn choosing(&self, kind: tether_protocol::push::NotifyKind) -> Vec<PushRecord> {
        let all = self.lock();
        all.iter()
            .filter(|record| record.kinds.contains(&kind))
            .cloned()
            .collect()
    }

    /// Whether `endpoint` is still a paired device's subscription.
    pub fn holds(&self, endpoint: &str) -> bool {
        self.lock().iter().any(|record| record.endpoint == endpoint)
    }

    /// Removes a subscription its push service says is gone.
    pub fn drop_endpoint(&self, endpoint: &str) {
        let mut all = self.lock();
        let before = all.len();
        all.retain(|record| record.endpoint != endpoint);
        if all.len() < before {
            self.store.save(Row::PushRemoved(endpoint.to_owned()));
        }
    }

    /// Forgets a revoked device's subscriptions (the store drops them with the device).
    pub fn forget_device(&self, device: &DeviceId) {
        self.lock().retain(|record| &record.device_id != device);
    }
}

fn listed(record: &PushRecord) -> PushSubscription {
    PushSubscription {
        endpoint: record.endpoint.clone(),
        kinds: record.kinds.clone(),
        created_at: record.created_at,
    }
}
