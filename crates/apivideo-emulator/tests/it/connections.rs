//! Connection hygiene: a peer that sends nothing, or stops halfway through
//! a body, loses its connection after the configured timeouts; a restart
//! clears the temporary media directory.

use std::time::Duration;

use apivideo_emulator::{Config, Durability, Emulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Short timeouts, so that the tests wait on the server, not on a clock.
fn short_timeouts() -> Config {
    Config::default()
        .with_api_key("key-a")
        .with_timeouts(Duration::from_secs(1), Duration::from_secs(1))
}

/// Reads until the server closes the connection (or resets it); the
/// generous deadline only guards against a server that never does.
async fn closed_by_server(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("the server closed the connection");
    got
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let emulator = Emulator::start(short_timeouts()).await.unwrap();
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    let answer = closed_by_server(&mut stream).await;
    assert!(answer.is_empty(), "no answer to no request");
}

#[tokio::test]
async fn headers_that_never_end_are_cut_off() {
    let emulator = Emulator::start(short_timeouts()).await.unwrap();
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    stream
        .write_all(b"GET /videos HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let answer = String::from_utf8_lossy(&closed_by_server(&mut stream).await).into_owned();
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_cut_off() {
    let emulator = Emulator::start(short_timeouts()).await.unwrap();
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    // A keep-alive request whose body promises a megabyte and sends ten
    // bytes, then nothing.
    let head = format!(
        "POST /auth/api-key HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(b"{\"apiKey\":").await.unwrap();
    let answer = String::from_utf8_lossy(&closed_by_server(&mut stream).await).into_owned();
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_its_answer() {
    let emulator = Emulator::start(short_timeouts()).await.unwrap();
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    stream
        .write_all(b"GET /_emulator/health HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = String::from_utf8_lossy(&closed_by_server(&mut stream).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_restart_empties_the_temporary_media_directory() {
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        Config::default()
            .with_api_key("key-a")
            .with_data_dir(dir.path())
            .with_durability(Durability::Full)
    };
    let emulator = Emulator::start(config()).await.unwrap();
    let tmp = emulator.data_dir().join("media").join("tmp");
    assert!(tmp.is_dir());
    // What a process killed in the middle of an upload leaves behind.
    std::fs::write(tmp.join("part-left-behind"), b"half a part").unwrap();
    std::fs::create_dir(tmp.join("assembly-left-behind")).unwrap();
    emulator.shutdown().await;

    let emulator = Emulator::start(config()).await.unwrap();
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    drop(emulator);
}
