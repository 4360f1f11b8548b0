//! A release server on 127.0.0.1 for the updater: serves a folder's files over plain HTTP/1.1
//! and remembers which paths were fetched.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::WAIT;

/// The longest request head read.
const MAX_HEAD_LINES: usize = 100;

pub struct ReleaseServer {
    pub address: SocketAddr,
    fetched: Arc<Mutex<Vec<String>>>,
}

impl ReleaseServer {
    /// Serves the files in `folder` (no subfolders) until the test process ends.
    pub fn start(folder: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let fetched = Arc::new(Mutex::new(Vec::new()));
        let (folder, log) = (folder.to_path_buf(), fetched.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (folder, log) = (folder.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &folder, &log));
            }
        });
        Self { address, fetched }
    }

    /// The address of `file` on this server.
    pub fn url(&self, file: &str) -> String {
        format!("http://{}/{file}", self.address)
    }

    /// The paths fetched so far, in order.
    pub fn fetched(&self) -> Vec<String> {
        self.fetched.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, folder: &Path, log: &Mutex<Vec<String>>) {
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    for _ in 0..MAX_HEAD_LINES {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
    log.lock().unwrap().push(path.clone());
    let name = path.trim_start_matches('/');
    let file: Option<PathBuf> = (!name.contains('/') && !name.contains(".."))
        .then(|| folder.join(name))
        .filter(|file| file.is_file());
    let mut stream = reader.into_inner();
    let (status, body) = match file {
        Some(file) => ("200 OK", std::fs::read(file).unwrap()),
        None => ("404 Not Found", b"not here".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}
