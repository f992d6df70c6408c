//! A full ID card read (find → select → read text+photo) over a real pty at 115200 baud, against
//! the simulator emulating the UART's line rate.
//!
//! Reported as ratios: the driver's time ÷ the line-rate time of the frames it exchanged (goal
//! ≤ 1.5×), and ÷ a raw baseline measured in the same run (the same requests written and the same
//! number of reply bytes read with plain blocking reads: no decoder, no checks, no deadlines).
//!
//! Run: `cargo bench -p drivers --bench idcard`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use drivers::idcard::frame;
use drivers::idcard::sim::Simulator;
use drivers::idcard::{CardInfo, IdCardReader, ReaderConfig, SerialTransport};
use serialport::{SerialPort, TTYPort};

const BAUD: u32 = 115_200;
const RUNS: usize = 30;

/// The shared sample resident card, with a 1024-byte WLT photo as on a real card.
fn card() -> CardInfo {
    let mut c = common::resident();
    c.photo_wlt = common::wlt_photo();
    c
}

/// The exchange of one read: (request frame, length of its reply frame).
fn exchange() -> Vec<(Vec<u8>, usize)> {
    let mut sim = Simulator::new(Some(card())).unwrap();
    [(0x20, 0x01), (0x20, 0x02), (0x30, 0x01)]
        .into_iter()
        .map(|(cmd, para)| {
            let request = frame::encode_request(cmd, para, &[]).unwrap();
            let reply_len = sim
                .answer(&frame::Request {
                    cmd,
                    para,
                    data: Vec::new(),
                })
                .len();
            (request, reply_len)
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let (master, mut slave) = TTYPort::pair().expect("pty pair");
    slave.set_timeout(Duration::from_secs(2)).unwrap();
    let sim = Simulator::new(Some(card())).unwrap().with_line_rate(BAUD).spawn(master);

    let frames = exchange();
    let bytes: usize = frames.iter().map(|(req, reply)| req.len() + reply).sum();
    let line = Duration::from_secs_f64(bytes as f64 * 10.0 / f64::from(BAUD));

    // Raw baseline: write each request, read exactly its reply's bytes.
    let mut raw_times = Vec::with_capacity(RUNS);
    let mut buf = vec![0u8; 4096];
    for _ in 0..RUNS {
        let start = Instant::now();
        for (request, reply_len) in &frames {
            slave.write_all(request).unwrap();
            slave.read_exact(&mut buf[..*reply_len]).unwrap();
        }
        raw_times.push(start.elapsed());
    }

    let mut reader = IdCardReader::with_config(SerialTransport::from_port(Box::new(slave)), ReaderConfig::default());
    let mut driver_times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        assert!(reader.find().unwrap());
        reader.select().unwrap();
        let info = reader.read().unwrap();
        driver_times.push(start.elapsed());
        assert_eq!(info.photo_wlt.len(), 1024);
    }
    drop(sim);

    let raw = median(raw_times);
    let driver = median(driver_times);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("idcard read over a pty at {BAUD} baud, {bytes} bytes on the line, median of {RUNS} runs");
    println!("  line-rate time of the frames   {:>8.1} ms", ms(line));
    println!(
        "  raw baseline (plain reads)     {:>8.1} ms   ÷ line {:.2}",
        ms(raw),
        ms(raw) / ms(line)
    );
    println!(
        "  driver (find, select, read)    {:>8.1} ms   ÷ line {:.2}   ÷ raw {:.2}   (goal ÷ line ≤ 1.5)",
        ms(driver),
        ms(driver) / ms(line),
        ms(driver) / ms(raw)
    );
}
