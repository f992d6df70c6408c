//! `devicectl camera capture` as a field technician runs it: the simulator end to end, and device
//! paths that are not cameras.

use crate::common::{devicectl_timed, stderr};
use std::time::Duration;

use serde_json::Value;
use sm3::{Digest, Sm3};

#[test]
fn sim_capture_writes_a_jpeg_whose_sm3_matches() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.jpg");
    let path = file.to_str().unwrap();
    let (o, _) = devicectl_timed(&["camera", "capture", "--sim", "--out", path, "--max-kb", "200", "--json"]);
    assert!(o.status.success(), "exit {:?}: {}", o.status, stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(v["out"], path);
    assert_eq!(v["bytes"], bytes.len());
    assert!(bytes.len() <= 200 * 1024);
    assert_eq!(v["sm3"], hex::encode(Sm3::digest(&bytes)));
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).unwrap();
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(u64::from(img.width())), Some(u64::from(img.height())))
    );
    assert!(v["quality"].as_u64().is_some_and(|q| (40..=90).contains(&q)));
    let corners = v["corners"].as_array().unwrap();
    assert_eq!(corners.len(), 4);
    assert!(corners.iter().all(|c| c.as_array().is_some_and(|xy| xy.len() == 2)));

    // Human output names the file and the digest.
    let (o, _) = devicectl_timed(&["camera", "capture", "--sim", "--out", path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        text.contains(path) && text.contains(&hex::encode(Sm3::digest(&bytes))),
        "{text}"
    );
}

#[test]
fn bad_device_paths_exit_3_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.jpg");
    let out = out.to_str().unwrap();
    let not_a_camera = dir.path().join("not-a-camera");
    std::fs::write(&not_a_camera, b"plain file").unwrap();
    for device in ["/dev/video-missing-7", not_a_camera.to_str().unwrap()] {
        let (o, took) = devicectl_timed(&["camera", "capture", "--device", device, "--out", out]);
        assert_eq!(o.status.code(), Some(3), "{device}: {}", stderr(&o));
        assert!(stderr(&o).contains(device), "{}", stderr(&o));
        assert!(took < Duration::from_secs(5), "{device} took {took:?}");
        assert!(!std::path::Path::new(out).exists());
    }
}

#[test]
fn device_or_sim_is_required() {
    let (o, _) = devicectl_timed(&["camera", "capture", "--out", "/tmp/never-written.jpg"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--device"));
}
