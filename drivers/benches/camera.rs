//! A 13 MP document camera frame (4160×3120) through the whole pipeline: detection, warp, JPEG
//! under 500 KiB, SM3. Goal: under 300 ms on the 2-core hall PC.
//!
//! Baseline measured in the same run: one JPEG encoding of the output page at the quality the
//! pipeline settled on, the part no pipeline can avoid. The ratio pipeline ÷ baseline is printed.
//!
//! Run: `cargo bench -p drivers --bench camera`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use drivers::camera::{PipelineConfig, SimCamera, SimConfig, process};
use image::RgbImage;

const W: u32 = 4160;
const H: u32 = 3120;
const RUNS: usize = 15;

/// The baseline: one encode of the output page with the pipeline's JPEG encoder.
fn encode(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let (w, h) = (
        u16::try_from(img.width()).unwrap(),
        u16::try_from(img.height()).unwrap(),
    );
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(img.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut camera = SimCamera::new(SimConfig {
        width: W,
        height: H,
        seed: 13,
        ..SimConfig::default()
    });
    let frames: Vec<_> = (0..3).map(|_| camera.next_frame()).collect();
    let cfg = PipelineConfig::default();
    let scans: Vec<_> = frames.iter().map(|f| process(&f.image, &cfg).unwrap()).collect();
    let pages: Vec<RgbImage> = scans
        .iter()
        .map(|s| image::load_from_memory(&s.jpeg).unwrap().to_rgb8())
        .collect();

    let mut c = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .configure_from_args();
    let mut group = c.benchmark_group("camera_13mp");
    group.bench_function("pipeline", |b| {
        b.iter(|| process(black_box(&frames[0].image), &cfg).unwrap())
    });
    group.bench_function("baseline_jpeg_encode_of_output", |b| {
        b.iter(|| encode(black_box(&pages[0]), scans[0].quality))
    });
    group.finish();

    // The same two, timed by hand over three frames, for the ratio.
    println!(
        "\n13 MP ({W}×{H}) frame → page, budget {} KiB, median of {RUNS} runs",
        cfg.max_bytes / 1024
    );
    for ((frame, scan), page) in frames.iter().zip(&scans).zip(&pages) {
        let pipeline = median(
            (0..RUNS)
                .map(|_| {
                    let t = Instant::now();
                    black_box(process(&frame.image, &cfg).unwrap());
                    t.elapsed()
                })
                .collect(),
        );
        let baseline = median(
            (0..RUNS)
                .map(|_| {
                    let t = Instant::now();
                    black_box(encode(page, scan.quality));
                    t.elapsed()
                })
                .collect(),
        );
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "  page {}×{} q{} {:>6} B   pipeline {:>7.1} ms   baseline (one JPEG encode) {:>6.1} ms   ÷ baseline {:.2}   (goal < 300 ms)",
            scan.width,
            scan.height,
            scan.quality,
            scan.jpeg.len(),
            ms(pipeline),
            ms(baseline),
            ms(pipeline) / ms(baseline)
        );
    }
}
