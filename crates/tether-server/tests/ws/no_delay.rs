//! Every socket the engine accepts, on loopback and on the LAN, has Nagle's algorithm off
//! (`TCP_NODELAY`), so a token is sent the moment it is published. The engine runs in this
//! process: the test finds its side of a connection among the process's own descriptors.

use std::net::SocketAddr;
use std::os::fd::OwnedFd;

use rustix::net::{getpeername, getsockname, sockopt};
use rustix::process::{Pid, PidfdFlags, PidfdGetfdFlags, pidfd_getfd, pidfd_open};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{TestServer, WAIT};
use crate::lan::{lan_on, tls};

/// The most descriptors looked at.
const MAX_FDS: usize = 100_000;

/// This process's socket whose own address is `local` and whose peer is `peer`.
fn socket_between(local: SocketAddr, peer: SocketAddr) -> OwnedFd {
    let pid = i32::try_from(std::process::id()).unwrap();
    let me = pidfd_open(Pid::from_raw(pid).unwrap(), PidfdFlags::empty()).unwrap();
    let address = |found: Option<rustix::net::SocketAddrAny>| found?.try_into().ok();
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .take(MAX_FDS)
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter_map(|number| pidfd_getfd(&me, number, PidfdGetfdFlags::empty()).ok())
        .find(|fd| {
            address(getsockname(fd).ok()) == Some(local)
                && address(getpeername(fd).ok().flatten()) == Some(peer)
        })
        .unwrap_or_else(|| panic!("no socket from {local} to {peer} in this process"))
}

/// Has `/healthz` answered on `stream`, so the engine has surely accepted the connection,
/// which stays open.
async fn healthy<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, host: SocketAddr) {
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = [0_u8; 12];
    tokio::time::timeout(WAIT, stream.read_exact(&mut head))
        .await
        .expect("no answer in time")
        .unwrap();
    assert_eq!(&head, b"HTTP/1.1 200", "{}", String::from_utf8_lossy(&head));
}

#[tokio::test]
async fn accepted_sockets_send_each_write_at_once() {
    let server = TestServer::start().await;
    let mut local = TcpStream::connect(server.addr).await.unwrap();
    healthy(&mut local, server.addr).await;
    let accepted = socket_between(server.addr, local.local_addr().unwrap());
    assert!(
        sockopt::tcp_nodelay(&accepted).unwrap(),
        "Nagle is off on the loopback listener's sockets"
    );

    let (lan, fingerprint) = lan_on(&server).await;
    let mut phone = tls(lan, &fingerprint).await.unwrap();
    healthy(&mut phone, lan).await;
    let accepted = socket_between(lan, phone.get_ref().0.local_addr().unwrap());
    assert!(
        sockopt::tcp_nodelay(&accepted).unwrap(),
        "Nagle is off on the LAN listener's sockets"
    );
}
