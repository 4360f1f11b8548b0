//! Graceful shutdown: every socket gets 1001 and every task ends.

use crate::common::TestServer;

#[tokio::test]
async fn shutdown_closes_every_socket_with_1001_and_returns() {
    let mut server = TestServer::start().await;
    let (_, token) = server.token("t").await;
    let mut clients = Vec::new();
    for _ in 0..5 {
        clients.push(server.connect(&token).await);
    }
    let closing = tokio::spawn(async move {
        let mut codes = Vec::new();
        for client in &mut clients {
            codes.push(client.close_code().await);
        }
        codes
    });
    server.shutdown().await;
    assert_eq!(closing.await.unwrap(), [1001; 5]);
    assert_eq!(server.engine.connections().count(), 0);
    assert!(
        tokio::net::TcpStream::connect(server.addr).await.is_err(),
        "the listener is closed"
    );
}
