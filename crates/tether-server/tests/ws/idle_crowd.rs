//! Sockets that never sign in cannot lock devices out: a crowd of idle connections from many
//! loopback addresses (all one address to the limits) holds at most its address's share once
//! stale, and a device (or anyone) that arrives displaces the oldest stale one and is served.

use std::net::SocketAddr;

use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpSocket, TcpStream};

use crate::common::{TestServer, WAIT, raw_http};

/// Idle sockets the crowd opens: every slot and more.
const CROWD: usize = 96;
/// Connections not signed in one address may hold.
const PER_ADDRESS: usize = 8;

async fn idle_from(n: usize, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    let last = u8::try_from(2 + n % 200).unwrap();
    socket.bind(([127, 0, 1, last], 0).into()).unwrap();
    socket.connect(server).await.unwrap()
}

/// Whether the server has closed `stream` (read ends), waiting at most [`WAIT`].
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut byte = [0_u8; 1];
    matches!(
        tokio::time::timeout(WAIT, stream.read(&mut byte)).await,
        Ok(Ok(0) | Err(_))
    )
}

#[tokio::test]
async fn idle_sockets_cannot_take_the_slots_devices_need() {
    let server = TestServer::start_with(|config| {
        config.limits.max_connections = 64;
        config.limits.signed_in_reserve = 16;
        config.limits.max_unsigned_per_address = PER_ADDRESS;
        // Far past the test's waits: only a newcomer's displacing can close an idle socket.
        config.limits.handshake_timeout = 6 * WAIT;
        // An idle socket is stale at once (by default, after a second), so the test need not
        // wait for the crowd to age.
        config.limits.unsigned_grace = std::time::Duration::ZERO;
    })
    .await;
    let (_, token) = server.token("phone").await;
    let mut signed_in = server.connect(&token).await;

    let mut crowd = Vec::new();
    for n in 0..CROWD {
        crowd.push(idle_from(n, server.addr).await);
    }
    // The engine has seen every one of them once a request after them is answered.
    let (status, body) = raw_http(
        server.addr,
        &format!(
            "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        ),
    )
    .await;
    assert_eq!(status, 200, "anyone arriving is still served: {body}");
    let mut displaced = 0;
    for stream in crowd.iter_mut().take(CROWD - PER_ADDRESS) {
        displaced += usize::from(closed_by_server(stream).await);
    }
    assert_eq!(
        displaced,
        CROWD - PER_ADDRESS,
        "all but the newest of one address's share were displaced"
    );

    // A device connects while the crowd's newest sockets still wait, and the one signed in
    // before the crowd carries on.
    let mut another = server.connect(&token).await;
    let info = another.call(1, "system.info", json!({})).await;
    assert!(
        info["result"]["connections"].as_u64().unwrap() >= 2,
        "{info}"
    );
    let info = signed_in.call(2, "system.info", json!({})).await;
    assert!(info["error"].is_null(), "{info}");
}
