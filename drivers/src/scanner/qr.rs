//! QR codes in camera frames (document camera or kiosk camera standing in for a scanner).

use image::GrayImage;
use image::imageops::{self, FilterType};

use super::serial::decode_text;

/// Frames larger than this (longest side) are also tried scaled down: rqrr's finder-pattern search
/// works on module sizes of a few pixels up to tens of pixels, and a 12-megapixel photo of a
/// phone screen can put the modules beyond that.
const DOWNSCALE_ABOVE: u32 = 1600;

/// Decodes every QR code rqrr finds in `img`, in the order found, duplicates removed. Payloads are
/// UTF-8 when valid, otherwise GB18030 (Chinese QR generators often emit GBK bytes). Codes that
/// fail error correction are skipped; an image without codes gives an empty list.
pub fn decode_qr(img: &GrayImage) -> Vec<String> {
    let mut found = decode_once(img);
    if found.is_empty() {
        // Sensor noise breaks rqrr's finder-pattern regions into specks; a light blur joins them
        // again without merging modules of a few pixels.
        found = decode_once(&imageproc::filter::gaussian_blur_f32(img, NOISE_BLUR_SIGMA));
    }
    if found.is_empty() && img.width().max(img.height()) > DOWNSCALE_ABOVE {
        let scale = f64::from(DOWNSCALE_ABOVE) / f64::from(img.width().max(img.height()));
        // Truncation is intended: the size only needs to be about right.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let (w, h) = (
            ((f64::from(img.width()) * scale) as u32).max(1),
            ((f64::from(img.height()) * scale) as u32).max(1),
        );
        found = decode_once(&imageops::resize(img, w, h, FilterType::Triangle));
    }
    found
}

/// Blur for the second attempt on noisy frames, in pixels.
const NOISE_BLUR_SIGMA: f32 = 1.0;

fn decode_once(img: &GrayImage) -> Vec<String> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        // x < w and y < h come from u32 dimensions, so they fit.
        u32::try_from(x)
            .ok()
            .zip(u32::try_from(y).ok())
            .and_then(|(x, y)| img.get_pixel_checked(x, y))
            .map_or(255, |p| p.0[0])
    });
    let mut out: Vec<String> = Vec::new();
    for grid in prepared.detect_grids() {
        let mut bytes = Vec::new();
        if grid.decode_to(&mut bytes).is_ok() {
            let text = decode_text(&bytes);
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}
