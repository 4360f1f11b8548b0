//! Bounds on what one client, and all of them together, may cost the server.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use tether_protocol::durations::millis;

/// Bounds on what one client, and all of them together, may cost the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest client message, in bytes, after reassembling fragments.
    pub max_message_bytes: usize,
    /// Largest single client frame, in bytes.
    pub max_frame_bytes: usize,
    /// Read buffer per connection, allocated for every connection (clients send little; a
    /// larger frame takes more reads): small keeps idle connections cheap.
    pub read_buffer_bytes: usize,
    /// Write buffer per connection before a flush.
    pub write_buffer_bytes: usize,
    /// Frames queued for one connection before it counts as a slow consumer.
    pub outbound_queue: usize,
    /// Bytes queued for one connection before it counts as a slow consumer.
    pub outbound_queue_bytes: usize,
    /// Open connections (HTTP and WebSocket) at once.
    pub max_connections: usize,
    /// Slots that connections not signed in yet may never take (at most half of
    /// `max_connections`): past the rest, a newcomer displaces the oldest stale connection
    /// that has not signed in.
    pub signed_in_reserve: usize,
    /// Connections not signed in yet one address may hold (all of loopback is one address;
    /// IPv6 counts per /64); past it, a newcomer displaces that address's oldest stale one.
    pub max_unsigned_per_address: usize,
    /// How long a connection that has not signed in, with no request under way, is safe from
    /// being displaced (a device signs in with its first request, well within it).
    #[serde(rename = "unsigned_grace_ms", with = "millis")]
    pub unsigned_grace: Duration,
    /// WebSockets one paired device (or SSH key) may hold open at once.
    pub max_connections_per_device: usize,
    /// Time a client has to send its HTTP request headers.
    #[serde(rename = "handshake_timeout_ms", with = "millis")]
    pub handshake_timeout: Duration,
    /// How often the server pings each WebSocket.
    #[serde(rename = "heartbeat_interval_ms", with = "millis")]
    pub heartbeat_interval: Duration,
    /// Silence after which a WebSocket peer counts as gone.
    #[serde(rename = "heartbeat_timeout_ms", with = "millis")]
    pub heartbeat_timeout: Duration,
    /// Sustained frames per second one connection may send.
    pub frames_per_second: u32,
    /// Frames one connection may send in a burst above the sustained rate.
    pub frame_burst: u32,
    /// Rate-limited frames in a row after which the connection is closed (1008).
    pub max_rate_violations: u32,
    /// Sustained frames per second a machine's link may send: its sessions' output, up to
    /// 256 lines a frame (a phone types; `claude` streams).
    pub machine_frames_per_second: u32,
    /// Frames a machine's link may send in a burst above its sustained rate.
    pub machine_frame_burst: u32,
    /// Channels one connection may be subscribed to.
    pub max_subscriptions: usize,
    /// Requests one connection may have running at once; past it, its next frames wait.
    pub max_requests_in_flight: usize,
}

impl Limits {
    /// The bounds of one connection's outbound queue.
    pub fn queue(&self) -> crate::hub::QueueLimits {
        crate::hub::QueueLimits {
            items: self.outbound_queue,
            bytes: self.outbound_queue_bytes,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // A prompt may carry an image of up to 5 MB of base64 (the API's limit), and a
            // browser sends each message as one frame.
            max_message_bytes: 6 << 20,
            max_frame_bytes: 6 << 20,
            read_buffer_bytes: 1 << 10,
            write_buffer_bytes: 4 << 10,
            outbound_queue: 512,
            outbound_queue_bytes: 8 << 20,
            max_connections: 1024,
            signed_in_reserve: 128,
            max_unsigned_per_address: 32,
            unsigned_grace: Duration::from_secs(1),
            max_connections_per_device: 16,
            handshake_timeout: Duration::from_secs(10),
            heartbeat_interval: Duration::from_secs(20),
            heartbeat_timeout: Duration::from_secs(60),
            frames_per_second: 50,
            frame_burst: 200,
            max_rate_violations: 100,
            machine_frames_per_second: 2_000,
            machine_frame_burst: 4_000,
            max_subscriptions: 64,
            max_requests_in_flight: 16,
        }
    }
}
