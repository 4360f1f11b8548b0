//! Paired devices: each one's token hash in its own keyring entry, its metadata in the store,
//! and both cached in memory for the handshake.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, PoisonError, RwLock};

use subtle::ConstantTimeEq;

use super::token::{claimed_id, hash};
use super::vault::blocking;
use super::{Caller, IssuedToken, SecretVault, VaultError, display_name};
use tether_protocol::Device;
use tether_protocol::DeviceId;
use tether_protocol::clock::unix_now;
use tether_store::{Row, Store};

/// Why a device operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("no device has the id {0:?}")]
    NotFound(String),
    #[error("a device name must be 1 to 64 printable characters")]
    InvalidName,
    #[error("the device could not be saved, so it would be forgotten at restart: {0}")]
    Store(String),
}

/// A device as the handshake needs it.
struct Known {
    device: Device,
    hash: [u8; 32],
}

/// The keyring account that holds a device's token hash.
fn account(id: &DeviceId) -> String {
    format!("device:{id}")
}

/// An account no device uses: reading it at start checks the keyring answers.
const PROBE: &str = "probe";

/// Every paired device of the engine.
pub struct Devices {
    vault: Arc<dyn SecretVault>,
    store: Store,
    known: RwLock<BTreeMap<DeviceId, Known>>,
    /// Serializes changes, so the keyring and the store never disagree on the order.
    writes: tokio::sync::Mutex<()>,
}

impl Devices {
    /// Loads every saved device's token hash from the keyring; fails when the keyring cannot
    /// be reached, even with no devices, so a missing keyring stops the start, not a pairing.
    /// A device whose keyring entry is gone can no longer sign in, so its record goes too.
    pub async fn open(vault: Arc<dyn SecretVault>, store: Store) -> Result<Self, VaultError> {
        let saved = store.loaded("devices", store.devices());
        let reader = Arc::clone(&vault);
        let (known, orphans) = blocking(move || {
            reader.get(PROBE)?;
            let mut known = BTreeMap::new();
            let mut orphans = Vec::new();
            for device in saved {
                match reader.get(&account(&device.id))?.as_deref().and_then(unhex) {
                    Some(hash) => {
                        known.insert(device.id.clone(), Known { device, hash });
                    }
                    None => orphans.push(device.id),
                }
            }
            Ok((known, orphans))
        })
        .await?;
        for id in orphans {
            tracing::warn!(device = %id, "a device's keyring entry is gone; it must pair again");
            store.save(Row::DeviceRemoved(id));
        }
        Ok(Self {
            vault,
            store,
            known: RwLock::new(known),
            writes: tokio::sync::Mutex::new(()),
        })
    }

    /// The device a presented token authenticates, or `None`. Compares in constant time.
    pub fn verify(&self, presented: &str) -> Option<Caller> {
        let id = claimed_id(presented)?;
        let presented = hash(presented);
        let known = self.known.read().unwrap_or_else(PoisonError::into_inner);
        let entry = known.get(&id)?;
        let matches: bool = entry.hash.ct_eq(&presented).into();
        let name = entry.device.name.clone();
        if !matches {
            return None;
        }
        Some(match entry.device.machine {
            true => Caller::Machine { id, name },
            false => Caller::Device { id, name },
        })
    }

    /// The name of device `id` if it is paired, and whether it is a machine.
    pub fn describe(&self, id: &str) -> Option<(String, bool)> {
        let known = self.read();
        let entry = known
            .values()
            .find(|known| known.device.id.as_str() == id)?;
        Some((entry.device.name.clone(), entry.device.machine))
    }

    /// Whether this device is paired right now.
    pub fn contains(&self, id: &DeviceId) -> bool {
        self.read().contains_key(id)
    }

    pub fn list(&self) -> Vec<Device> {
        let mut devices: Vec<Device> = self.read().values().map(|k| k.device.clone()).collect();
        devices.sort_by(|a, b| (a.paired_at, &a.id).cmp(&(b.paired_at, &b.id)));
        devices
    }

    /// Pairs a device named `name` (a `machine` running `tether agent`, or not). The token in
    /// the returned value is shown once and never kept.
    pub async fn add(
        &self,
        name: &str,
        machine: bool,
    ) -> Result<(Device, IssuedToken), DeviceError> {
        let name = display_name(name).ok_or(DeviceError::InvalidName)?;
        let _write = self.writes.lock().await;
        let issued = loop {
            let candidate = IssuedToken::generate();
            if !self.contains(&candidate.id) {
                break candidate;
            }
        };
        let device = Device {
            id: issued.id.clone(),
            name,
            paired_at: unix_now(),
            last_seen: None,
            last_address: None,
            machine,
        };
        let hash = hash(&issued.secret);
        let (vault, entry, hex) = (Arc::clone(&self.vault), account(&device.id), hex(&hash));
        blocking(move || vault.set(&entry, &hex)).await?;
        self.store.save(Row::Device(device.clone()));
        if let Err(problem) = self.store.flush().await {
            let (vault, entry) = (Arc::clone(&self.vault), account(&device.id));
            blocking(move || vault.delete(&entry)).await?;
            self.store.save(Row::DeviceRemoved(device.id.clone()));
            return Err(DeviceError::Store(problem));
        }
        self.write().insert(
            device.id.clone(),
            Known {
                device: device.clone(),
                hash,
            },
        );
        Ok((device, issued))
    }

    /// Gives a device another name.
    pub async fn rename(&self, id: &str, name: &str) -> Result<Device, DeviceError> {
        let name = display_name(name).ok_or(DeviceError::InvalidName)?;
        let _write = self.writes.lock().await;
        let device = self.update(id, |device| device.name = name)?;
        Ok(device)
    }

    /// Unpairs a device: its token stops working at once. Closing its live connections is the
    /// caller's part.
    pub async fn revoke(&self, id: &str) -> Result<Device, DeviceError> {
        let _write = self.writes.lock().await;
        let device = self.get(id)?;
        let (vault, entry) = (Arc::clone(&self.vault), account(&device.id));
        blocking(move || vault.delete(&entry)).await?;
        let mut known = self.write();
        known.remove(&device.id);
        self.store.save(Row::DeviceRemoved(device.id.clone()));
        Ok(device)
    }

    /// Notes that a device was just active, from `address` when known.
    pub fn seen(&self, id: &DeviceId, address: Option<IpAddr>) {
        let _ = self.update(id.as_str(), |device| {
            device.last_seen = Some(unix_now());
            if let Some(address) = address {
                device.last_address = Some(address.to_string());
            }
        });
    }

    fn get(&self, id: &str) -> Result<Device, DeviceError> {
        let id = parse_id(id)?;
        let known = self.read();
        let entry = known
            .get(&id)
            .ok_or_else(|| DeviceError::NotFound(id.to_string()))?;
        Ok(entry.device.clone())
    }

    /// Changes a device's metadata in memory and saves it, under one lock, so a revoke never
    /// sees its removal overwritten by a late save.
    fn update(&self, id: &str, change: impl FnOnce(&mut Device)) -> Result<Device, DeviceError> {
        let id = parse_id(id)?;
        let mut known = self.write();
        let entry = known
            .get_mut(&id)
            .ok_or_else(|| DeviceError::NotFound(id.to_string()))?;
        change(&mut entry.device);
        self.store.save(Row::Device(entry.device.clone()));
        Ok(entry.device.clone())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<DeviceId, Known>> {
        self.known.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<DeviceId, Known>> {
        self.known.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A device id as given; one that cannot be an id names no device.
fn parse_id(id: &str) -> Result<DeviceId, DeviceError> {
    DeviceId::try_from(id.to_owned()).map_err(|_| DeviceError::NotFound(id.to_owned()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut bytes = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    /// A vault in memory that can be told to fail, to inject faults.
    #[derive(Default)]
    struct FaultyVault {
        secrets: Mutex<HashMap<String, String>>,
        broken: AtomicBool,
    }

    impl SecretVault for FaultyVault {
        fn get(&self, account: &str) -> Result<Option<String>, VaultError> {
            Ok(self.secrets.lock().unwrap().get(account).cloned())
        }
        fn set(&self, account: &str, secret: &str) -> Result<(), VaultError> {
            self.check()?;
            let mut secrets = self.secrets.lock().unwrap();
            secrets.insert(account.into(), secret.into());
            Ok(())
        }
        fn delete(&self, account: &str) -> Result<(), VaultError> {
            self.check()?;
            self.secrets.lock().unwrap().remove(account);
            Ok(())
        }
    }

    impl FaultyVault {
        fn check(&self) -> Result<(), VaultError> {
            if self.broken.load(Ordering::SeqCst) {
                return Err(VaultError::Unreachable("injected".into()));
            }
            Ok(())
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Default::default());
        (dir, store)
    }

    #[tokio::test]
    async fn a_failed_keyring_write_changes_nothing() {
        let (_dir, store) = store();
        let vault = Arc::new(FaultyVault::default());
        let devices = Devices::open(vault.clone(), store).await.unwrap();
        let (kept, token) = devices.add("kept", false).await.unwrap();
        vault.broken.store(true, Ordering::SeqCst);
        assert!(matches!(
            devices.add("lost", false).await,
            Err(DeviceError::Vault(_))
        ));
        assert!(matches!(
            devices.revoke(kept.id.as_str()).await,
            Err(DeviceError::Vault(_))
        ));
        assert_eq!(devices.list(), vec![kept]);
        assert!(
            devices.verify(&token.secret).is_some(),
            "the token still works after a failed revoke"
        );
    }

    #[tokio::test]
    async fn verifies_only_the_exact_token_and_keeps_only_its_hash() {
        let (_dir, store) = store();
        let vault = Arc::new(FaultyVault::default());
        let devices = Devices::open(vault.clone(), store).await.unwrap();
        let (device, issued) = devices.add("phone", false).await.unwrap();
        assert_eq!(
            devices.verify(&issued.secret),
            Some(Caller::Device {
                id: device.id.clone(),
                name: "phone".into()
            })
        );
        let mut tampered = issued.secret.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(devices.verify(&tampered), None);
        let kept = vault.secrets.lock().unwrap().clone();
        assert_eq!(kept.len(), 1, "one keyring entry per device: {kept:?}");
        assert!(kept.values().all(|secret| !secret.contains(&issued.secret)));
        assert!(devices.add(" ", false).await.is_err());
        assert!(devices.add(&"x".repeat(65), false).await.is_err());
        assert!(matches!(
            devices.revoke("ffffffff").await,
            Err(DeviceError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn devices_come_back_from_the_store_and_keyring_and_go_when_revoked() {
        let (dir, store) = store();
        let vault = Arc::new(FaultyVault::default());
        let devices = Devices::open(vault.clone(), store.clone()).await.unwrap();
        let (tablet, tablet_token) = devices.add("tablet", false).await.unwrap();
        let (phone, phone_token) = devices.add("phone", false).await.unwrap();
        devices.seen(&phone.id, Some("192.0.2.7".parse().unwrap()));
        let renamed = devices.rename(phone.id.as_str(), "pocket").await.unwrap();
        devices.revoke(tablet.id.as_str()).await.unwrap();
        store.close().await;

        let store = Store::open(dir.path(), Default::default());
        let reopened = Devices::open(vault.clone(), store).await.unwrap();
        assert_eq!(reopened.list(), vec![renamed.clone()]);
        assert_eq!(renamed.last_address.as_deref(), Some("192.0.2.7"));
        assert!(reopened.verify(&phone_token.secret).is_some());
        assert!(reopened.verify(&tablet_token.secret).is_none());
        assert_eq!(vault.secrets.lock().unwrap().len(), 1);
    }
}
