//! Each mode does what it says, against a tiny echo server.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use rand::SeedableRng;
use tokio::sync::mpsc;

use super::*;

/// Echoes every byte back; reports each connection's total bytes received when it ends.
async fn echo_server() -> (SocketAddr, mpsc::UnboundedReceiver<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, w) = conn.into_split();
                let mut buf = vec![0u8; 4096];
                let mut total = 0;
                while let Ok(n) = read_some(&r, &mut buf).await {
                    if n == 0 || write_all(&w, &buf[..n]).await.is_err() {
                        break;
                    }
                    total += n;
                }
                let _ = tx.send(total);
            });
        }
    });
    (addr, rx)
}

async fn connect(p: &Proxy) -> (OwnedReadHalf, OwnedWriteHalf) {
    TcpStream::connect(p.addr()).await.unwrap().into_split()
}

/// Reads until `want` bytes, EOF, an error or `ms` milliseconds; returns what came.
async fn read_for(r: &OwnedReadHalf, want: usize, ms: u64) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
    while out.len() < want {
        match tokio::time::timeout_at(deadline, read_some(r, &mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (out, true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (out, false),
        }
    }
    (out, false)
}

#[tokio::test]
async fn pass_forwards_both_ways() {
    let (echo, _) = echo_server().await;
    let p = Proxy::start("t", Some(echo), b"").await.unwrap();
    let (r, w) = connect(&p).await;
    write_all(&w, b"hello").await.unwrap();
    let (got, closed) = read_for(&r, 5, 2000).await;
    assert_eq!(got, b"hello");
    assert!(!closed);
}

#[tokio::test]
async fn delay_adds_latency_per_chunk() {
    let (echo, _) = echo_server().await;
    let p = Proxy::start("t", Some(echo), b"").await.unwrap();
    p.set_mode(Mode::Delay(Duration::from_millis(150)));
    let (r, w) = connect(&p).await;
    let t = Instant::now();
    write_all(&w, b"x").await.unwrap();
    let (got, _) = read_for(&r, 1, 3000).await;
    assert_eq!(got, b"x");
    // Once on the way in, once on the way out.
    assert!(t.elapsed() >= Duration::from_millis(300), "{:?}", t.elapsed());
}

#[tokio::test]
async fn refuse_accepts_and_closes_at_once_and_resets_open_connections() {
    let (echo, _) = echo_server().await;
    let p = Proxy::start("t", Some(echo), b"").await.unwrap();
    let (open_r, open_w) = connect(&p).await;
    write_all(&open_w, b"a").await.unwrap();
    assert_eq!(read_for(&open_r, 1, 2000).await.0, b"a");

    p.set_mode(Mode::Refuse);
    let (r, _w) = connect(&p).await;
    let (got, closed) = read_for(&r, 1, 2000).await;
    assert!(got.is_empty() && closed, "a new connection is closed without an answer");
    // The connection opened before: its next chunk ends it.
    let _ = write_all(&open_w, b"b").await;
    let (got, closed) = read_for(&open_r, 1, 2000).await;
    assert!(got.is_empty() && closed);
    assert!(p.stats().refused >= 1 && p.stats().cut >= 1, "{:?}", p.stats());
}

#[tokio::test]
async fn cut_request_forwards_exactly_n_bytes_then_closes() {
    let (echo, mut totals) = echo_server().await;
    let p = Proxy::start("t", Some(echo), b"").await.unwrap();
    p.set_mode(Mode::CutRequest(7));
    let (r, w) = connect(&p).await;
    write_all(&w, b"0123456789abcdef").await.unwrap();
    let (got, closed) = read_for(&r, 100, 2000).await;
    assert!(closed, "the client sees the connection end");
    assert!(got.len() <= 7, "{got:?}");
    let server_saw = tokio::time::timeout(Duration::from_secs(2), totals.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        server_saw, 7,
        "the server got the first 7 bytes of the request, then EOF"
    );
}

#[tokio::test]
async fn cut_response_delivers_exactly_n_bytes_then_closes() {
    let (echo, mut totals) = echo_server().await;
    let p = Proxy::start("t", Some(echo), b"").await.unwrap();
    p.set_mode(Mode::CutResponse(5));
    let (r, w) = connect(&p).await;
    write_all(&w, b"0123456789").await.unwrap();
    let (got, closed) = read_for(&r, 100, 2000).await;
    assert_eq!(got, b"01234");
    assert!(closed);
    let server_saw = tokio::time::timeout(Duration::from_secs(2), totals.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        server_saw, 10,
        "the whole request reached the server: only the answer was cut"
    );
}

#[tokio::test]
async fn blackhole_answers_nothing_until_the_mode_changes_then_closes() {
    let (echo, mut totals) = echo_server().await;
    let p = Proxy::start("t", Some(echo), b"").await.unwrap();
    p.set_mode(Mode::Blackhole);
    let (r, w) = connect(&p).await;
    write_all(&w, b"anyone?").await.unwrap();
    let (got, closed) = read_for(&r, 1, 400).await;
    assert!(
        got.is_empty() && !closed,
        "no answer and no close: the client must time out"
    );
    p.set_mode(Mode::Pass);
    let (got, closed) = read_for(&r, 1, 2000).await;
    assert!(got.is_empty() && closed, "closed when the network heals");
    // The new connection in a blackhole never reached the server.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), totals.recv())
            .await
            .is_err()
    );
    assert_eq!(p.stats().blackholed, 1);
}

#[tokio::test]
async fn no_target_or_a_dead_target_closes_connections() {
    let p = Proxy::start("t", None, b"").await.unwrap();
    let (r, _w) = connect(&p).await;
    assert!(read_for(&r, 1, 2000).await.1);
    // A port nobody listens on (bound, then released).
    let dead = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    p.set_target(Some(dead));
    let (r, _w) = connect(&p).await;
    assert!(read_for(&r, 1, 3000).await.1);
    assert_eq!(p.stats().refused, 2);
}

#[tokio::test]
async fn retargeting_moves_new_connections() {
    let (a, _) = echo_server().await;
    let (b, mut b_totals) = echo_server().await;
    let p = Proxy::start("t", Some(a), b"").await.unwrap();
    p.set_target(Some(b));
    let (r, w) = connect(&p).await;
    write_all(&w, b"to b").await.unwrap();
    assert_eq!(read_for(&r, 4, 2000).await.0, b"to b");
    drop((r, w));
    let got = tokio::time::timeout(Duration::from_secs(2), b_totals.recv())
        .await
        .unwrap();
    assert_eq!(got, Some(4));
}

#[tokio::test]
async fn needles_are_counted_across_chunk_boundaries() {
    let (echo, _) = echo_server().await;
    let p = Proxy::start("t", Some(echo), br#""status":"duplicate""#).await.unwrap();
    let (r, w) = connect(&p).await;
    let msg = br#"{"status":"duplicate"},{"status":"applied"},{"status":"dup"#;
    write_all(&w, msg).await.unwrap();
    let _ = read_for(&r, msg.len(), 2000).await;
    write_all(&w, br#"licate"}"#).await.unwrap();
    let _ = read_for(&r, 8, 2000).await;
    assert_eq!(p.stats().needle_hits, 2);

    let mut tail = Vec::new();
    assert_eq!(count_needle(b"abc", &mut tail, b"xxab"), 0);
    assert_eq!(count_needle(b"abc", &mut tail, b"c abc"), 2);
    assert_eq!(tail, b"bc");
}

#[tokio::test]
async fn the_scheduler_injects_faults_and_ends_in_pass_mode() {
    let (echo, _) = echo_server().await;
    let p = Arc::new(Proxy::start("t", Some(echo), b"").await.unwrap());
    let plan = FaultPlan {
        weights: [0, 1, 1, 1, 1, 1],
        hold_ms: (5, 10),
        ..FaultPlan::default()
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = spawn_scheduler(Arc::clone(&p), plan, StdRng::seed_from_u64(7), stop_rx);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_ne!(p.mode(), Mode::Pass);
    stop_tx.send_replace(true);
    let faults = task.await.unwrap();
    assert!(faults >= 3, "{faults}");
    assert_eq!(p.mode(), Mode::Pass);
}
