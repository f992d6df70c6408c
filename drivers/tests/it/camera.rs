//! The document camera pipeline against the simulator: corner recovery on a reproducible set of
//! synthetic photos, the JPEG budget and digest, frames without a document, page orientation, and
//! the V4L2 backend's errors on paths that are not cameras.

use std::time::Instant;

use drivers::camera::sim::MARKER;
use drivers::camera::{Camera, PipelineConfig, PipelineError, Placement, SimCamera, SimConfig, detect, process};
use image::{GenericImageView, GrayImage, RgbImage};
use sm3::{Digest, Sm3};

/// Frames used for corner recovery: 4:3 like the cameras, small enough for the unoptimised test
/// build (the crate under test compiles at opt-level 0). Detection runs at half size, as it runs
/// at a fifth of a 13 MP frame, so the downscale and the scaling back of corners are exercised.
const W: u32 = 800;
const H: u32 = 600;
const DETECT_LONG_SIDE: u32 = 400;
const FRAMES: usize = 200;
/// A corner counts as recovered within this fraction of the frame diagonal.
const TOLERANCE: f32 = 0.015;
/// Share of frames on which all four corners must be recovered.
const REQUIRED_RATE: f64 = 0.95;

fn camera(seed: u64, width: u32, height: u32) -> SimCamera {
    SimCamera::new(SimConfig {
        width,
        height,
        seed,
        ..SimConfig::default()
    })
}

#[test]
fn corners_recovered_on_generated_frames() {
    let cfg = PipelineConfig {
        detect_long_side: DETECT_LONG_SIDE,
        ..PipelineConfig::default()
    };
    let diag = (W as f32).hypot(H as f32);
    let start = Instant::now();
    // Two workers with their own seeds: the set is the same whatever the scheduling.
    let results: Vec<(bool, f32, f32)> = std::thread::scope(|s| {
        let jobs: Vec<_> = (0..2u64)
            .map(|worker| {
                let cfg = &cfg;
                s.spawn(move || {
                    let mut cam = camera(1000 + worker, W, H);
                    (0..FRAMES / 2)
                        .map(|_| {
                            let frame = cam.next_frame();
                            let truth = frame.corners.expect("sim frame has a page");
                            match detect(&frame.image, cfg) {
                                Ok(found) => {
                                    let errors: Vec<f32> = found
                                        .iter()
                                        .zip(truth)
                                        .map(|(a, b)| (a.0 - b.0).hypot(a.1 - b.1))
                                        .collect();
                                    let worst = errors.iter().copied().fold(0.0, f32::max);
                                    let mean = errors.iter().sum::<f32>() / 4.0;
                                    (worst <= TOLERANCE * diag, mean, worst)
                                }
                                Err(_) => (false, f32::NAN, f32::NAN),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        jobs.into_iter().flat_map(|j| j.join().unwrap()).collect()
    });
    let ok = results.iter().filter(|r| r.0).count();
    let detected: Vec<&(bool, f32, f32)> = results.iter().filter(|r| !r.1.is_nan()).collect();
    let mean = detected.iter().map(|r| r.1).sum::<f32>() / detected.len().max(1) as f32;
    let mut worst: Vec<f32> = detected.iter().map(|r| r.2).collect();
    worst.sort_by(f32::total_cmp);
    let p95 = worst.get(worst.len() * 95 / 100).copied().unwrap_or(f32::NAN);
    let rate = ok as f64 / results.len() as f64;
    println!(
        "corner recovery: {ok}/{} frames ({:.1} %) with all corners within {:.1} px ({:.1} % of the {W}×{H} diagonal); \
         {} detected; mean corner error {mean:.2} px ({:.3} % of diagonal); 95th percentile of the worst corner {p95:.2} px; {:.1} s",
        results.len(),
        rate * 100.0,
        TOLERANCE * diag,
        TOLERANCE * 100.0,
        detected.len(),
        mean / diag * 100.0,
        start.elapsed().as_secs_f64()
    );
    assert_eq!(results.len(), FRAMES);
    assert!(rate >= REQUIRED_RATE, "recovered {ok}/{FRAMES} < {REQUIRED_RATE}");
}

#[test]
fn jpeg_within_budget_decodes_and_digest_matches() {
    let mut cam = camera(7, 1200, 900);
    for max_kb in [500usize, 60, 25] {
        let cfg = PipelineConfig {
            max_bytes: max_kb * 1024,
            ..PipelineConfig::default()
        };
        let frame = cam.capture().unwrap();
        let scan = process(&frame, &cfg).unwrap();
        assert!(
            scan.jpeg.len() <= cfg.max_bytes,
            "{} > {}",
            scan.jpeg.len(),
            cfg.max_bytes
        );
        assert!((cfg.min_quality..=cfg.max_quality).contains(&scan.quality));
        let decoded = image::load_from_memory_with_format(&scan.jpeg, image::ImageFormat::Jpeg).unwrap();
        assert_eq!(decoded.dimensions(), (scan.width, scan.height));
        assert_eq!(scan.sm3, hex::encode(Sm3::digest(&scan.jpeg)));
        // Portrait A4 page in, portrait out; the aspect is √2 give or take the perspective tilt.
        let aspect = scan.height as f32 / scan.width as f32;
        assert!((aspect - std::f32::consts::SQRT_2).abs() < 0.3, "aspect {aspect}");
        println!(
            "budget {max_kb} KiB: {}×{} q{} {} bytes",
            scan.width,
            scan.height,
            scan.quality,
            scan.jpeg.len()
        );
    }
}

#[test]
fn budget_below_the_floor_quality_downscales() {
    let mut cam = camera(8, 1200, 900);
    let frame = cam.capture().unwrap();
    let full = process(&frame, &PipelineConfig::default()).unwrap();
    let cfg = PipelineConfig {
        max_bytes: 8 * 1024,
        ..PipelineConfig::default()
    };
    let small = process(&frame, &cfg).unwrap();
    assert!(small.jpeg.len() <= 8 * 1024);
    assert!(small.width < full.width && small.height < full.height);
}

#[test]
fn frames_without_a_document_are_refused() {
    let mut cam = SimCamera::new(SimConfig {
        width: 1200,
        height: 900,
        document: false,
        seed: 3,
        ..SimConfig::default()
    });
    let cfg = PipelineConfig::default();
    for _ in 0..12 {
        let frame = cam.capture().unwrap();
        match process(&frame, &cfg) {
            Err(e @ PipelineError::NoDocument(_)) => {
                let msg = e.to_string();
                assert!(msg.contains("未检测到文件") && msg.contains("no document"), "{msg}");
            }
            other => panic!("clutter-only frame gave {other:?}"),
        }
    }
    // Flat grey, and a frame too small to hold anything.
    let grey = RgbImage::from_pixel(1200, 900, image::Rgb([128, 128, 128]));
    assert!(matches!(process(&grey, &cfg), Err(PipelineError::NoDocument(_))));
    let tiny = RgbImage::new(10, 10);
    assert!(matches!(process(&tiny, &cfg), Err(PipelineError::NoDocument(_))));
    // A page covering under 10 % of the frame is not a document.
    let mut cam = camera(4, 1200, 900);
    let small_page = Placement {
        center: (600.0, 450.0),
        long_side: 300.0,
        rotation_deg: 10.0,
        tilt: [(0.0, 0.0); 4],
    };
    let frame = cam.frame_with(Some(&small_page));
    assert!(matches!(process(&frame.image, &cfg), Err(PipelineError::NoDocument(_))));
}

fn mean_luma(img: &GrayImage, x0: f32, y0: f32, x1: f32, y1: f32) -> f32 {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (xa, xb, ya, yb) = ((x0 * w) as u32, (x1 * w) as u32, (y0 * h) as u32, (y1 * h) as u32);
    let mut sum = 0u64;
    for y in ya..yb {
        for x in xa..xb {
            sum += u64::from(img.get_pixel(x, y).0[0]);
        }
    }
    sum as f32 / ((xb - xa) * (yb - ya)).max(1) as f32
}

#[test]
fn a_turned_page_comes_out_upright() {
    let mut cam = camera(5, 1200, 900);
    for rotation_deg in [20.0, -20.0, 28.0] {
        let placement = Placement {
            center: (600.0, 450.0),
            long_side: 640.0,
            rotation_deg,
            tilt: [(0.02, -0.01), (-0.01, 0.0), (0.0, 0.02), (0.01, 0.01)],
        };
        let frame = cam.frame_with(Some(&placement));
        let scan = process(&frame.image, &PipelineConfig::default()).unwrap();
        let page = image::load_from_memory(&scan.jpeg).unwrap().to_luma8();
        assert!(
            page.height() > page.width(),
            "portrait page came out {}×{}",
            page.width(),
            page.height()
        );
        // The marker (page units of a 1000-wide page) is dark in the top-left only.
        let (mx0, my0, mx1, my1) = MARKER;
        let ph = 1000.0 * std::f32::consts::SQRT_2;
        let (x0, x1, y0, y1) = (mx0 / 1000.0, mx1 / 1000.0, my0 / ph, my1 / ph);
        let inset = |a: f32, b: f32| (a + 0.2 * (b - a), b - 0.2 * (b - a));
        let ((x0, x1), (y0, y1)) = (inset(x0, x1), inset(y0, y1));
        let tl = mean_luma(&page, x0, y0, x1, y1);
        let others = [
            mean_luma(&page, 1.0 - x1, y0, 1.0 - x0, y1),
            mean_luma(&page, x0, 1.0 - y1, x1, 1.0 - y0),
            mean_luma(&page, 1.0 - x1, 1.0 - y1, 1.0 - x0, 1.0 - y0),
        ];
        assert!(tl < 80.0, "marker not at top-left (luma {tl}) for {rotation_deg}°");
        assert!(others.iter().all(|&o| o > 150.0), "dark corner elsewhere: {others:?}");
        // Text lines run horizontally: row means vary much more than column means in the text block.
        let (bx0, bx1) = ((0.1 * page.width() as f32) as u32, (0.9 * page.width() as f32) as u32);
        let (by0, by1) = (
            (0.2 * page.height() as f32) as u32,
            (0.75 * page.height() as f32) as u32,
        );
        let rows: Vec<f32> = (by0..by1)
            .map(|y| (bx0..bx1).map(|x| f32::from(page.get_pixel(x, y).0[0])).sum::<f32>() / (bx1 - bx0) as f32)
            .collect();
        let cols: Vec<f32> = (bx0..bx1)
            .map(|x| (by0..by1).map(|y| f32::from(page.get_pixel(x, y).0[0])).sum::<f32>() / (by1 - by0) as f32)
            .collect();
        let spread = |v: &[f32]| {
            let m = v.iter().sum::<f32>() / v.len() as f32;
            (v.iter().map(|x| (x - m).powi(2)).sum::<f32>() / v.len() as f32).sqrt()
        };
        let (sr, sc) = (spread(&rows), spread(&cols));
        assert!(
            sr > 3.0 * sc,
            "rows σ {sr:.1} vs columns σ {sc:.1}: text not horizontal at {rotation_deg}°"
        );
    }
}

#[test]
fn sim_frames_are_reproducible() {
    let a = camera(11, 320, 240).next_frame();
    let b = camera(11, 320, 240).next_frame();
    assert_eq!(a.corners, b.corners);
    assert!(a.image == b.image);
    let c = camera(12, 320, 240).next_frame();
    assert_ne!(a.corners, c.corners);
}

#[test]
fn bad_config_is_an_error_not_a_panic() {
    let frame = camera(1, 320, 240).capture().unwrap();
    let cfg = PipelineConfig {
        min_quality: 0,
        ..PipelineConfig::default()
    };
    assert!(matches!(process(&frame, &cfg), Err(PipelineError::Config(_))));
}

#[cfg(target_os = "linux")]
mod v4l2 {
    use std::time::{Duration, Instant};

    use drivers::camera::{CameraError, V4l2Camera};

    #[test]
    fn missing_device_names_the_path() {
        let start = Instant::now();
        let err = V4l2Camera::open("/dev/video-does-not-exist-42").unwrap_err();
        assert!(matches!(err, CameraError::Open { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("/dev/video-does-not-exist-42") && msg.contains("无法打开摄像头"),
            "{msg}"
        );
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn regular_file_is_not_a_camera() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let path = file.path().display().to_string();
        let start = Instant::now();
        let err = V4l2Camera::open(file.path()).unwrap_err();
        assert!(matches!(err, CameraError::NotCapture { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(&path) && msg.contains("不是视频采集设备"), "{msg}");
        // /dev/null: a character device, still not V4L2.
        let err = V4l2Camera::open("/dev/null").unwrap_err();
        assert!(err.to_string().contains("/dev/null"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(2));
    }
}
