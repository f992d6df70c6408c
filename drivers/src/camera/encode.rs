//! JPEG under a byte budget: the highest quality whose encoding fits.
//!
//! The image crate's baseline encoder (4:4:4) is the slowest step of the pipeline on a full page,
//! so the search runs on a sample of the page (every sixteenth band of 8 rows, stitched) and predicts
//! the full size from it; only the predicted quality, and a lower one if the prediction was short,
//! are encoded at full size.

use image::error::{EncodingError, ImageFormatHint};
use image::{ImageError, ImageFormat, RgbImage};
use jpeg_encoder::{ColorType, Encoder};

/// A JPEG and the quality it was encoded at.
pub struct Encoded {
    pub jpeg: Vec<u8>,
    pub quality: u8,
}

/// Rows per sampled band: one JPEG block row, so the sample's blocks are the page's blocks.
const BAND: u32 = 8;
/// One band in this many goes into the sample.
const SAMPLE_EVERY: u32 = 16;
/// Below this many pixels the sample saves nothing: search with full encodes.
const SAMPLE_ABOVE: u64 = 1_000_000;
/// The prediction aims this far under the budget, so the full encode seldom needs a second try.
const PREDICTION_MARGIN: f64 = 0.93;

pub fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    let too_big = || {
        ImageError::Encoding(EncodingError::new(
            ImageFormatHint::Exact(ImageFormat::Jpeg),
            "page larger than 65535 px",
        ))
    };
    let width = u16::try_from(img.width()).map_err(|_| too_big())?;
    let height = u16::try_from(img.height()).map_err(|_| too_big())?;
    Encoder::new(&mut out, quality)
        .encode(img.as_raw(), width, height, ColorType::Rgb)
        .map_err(|e| ImageError::Encoding(EncodingError::new(ImageFormatHint::Exact(ImageFormat::Jpeg), e)))?;
    Ok(out)
}

/// The highest quality in `min_q..=max_q` whose JPEG is at most `max_bytes`; `None` if even
/// `min_q` is too big (the caller then shrinks the image).
pub fn encode_within(img: &RgbImage, max_bytes: usize, min_q: u8, max_q: u8) -> Result<Option<Encoded>, ImageError> {
    let (min_q, max_q) = (min_q.clamp(1, 100), max_q.clamp(1, 100).max(min_q));
    let pixels = u64::from(img.width()) * u64::from(img.height());
    if pixels <= SAMPLE_ABOVE {
        return search_full(img, max_bytes, min_q, max_q);
    }
    let Some((sample, scale)) = sample(img) else {
        return search_full(img, max_bytes, min_q, max_q);
    };
    // Predict from the sample; when the full encode disagrees, correct the prediction by the
    // observed ratio and search the sample again (cheap) instead of bisecting on full encodes.
    let mut correction = 1.0;
    let mut hi = max_q;
    for _ in 0..3 {
        let target = max_bytes as f64 * PREDICTION_MARGIN;
        let predict =
            |q: u8| -> Result<f64, ImageError> { Ok(encode_jpeg(&sample, q)?.len() as f64 * scale * correction) };
        let guess = highest_fitting(min_q, hi, |q| Ok(predict(q)? <= target))?.unwrap_or(min_q);
        let jpeg = encode_jpeg(img, guess)?;
        if jpeg.len() <= max_bytes {
            return Ok(Some(Encoded { jpeg, quality: guess }));
        }
        if guess <= min_q {
            return Ok(None);
        }
        correction *= jpeg.len() as f64 / predict(guess)?.max(1.0);
        hi = guess - 1;
    }
    search_full(img, max_bytes, min_q, hi)
}

/// Bisection on full encodes: small images, and the last resort.
fn search_full(img: &RgbImage, max_bytes: usize, min_q: u8, max_q: u8) -> Result<Option<Encoded>, ImageError> {
    let first = encode_jpeg(img, max_q)?;
    if first.len() <= max_bytes {
        return Ok(Some(Encoded {
            jpeg: first,
            quality: max_q,
        }));
    }
    if max_q <= min_q {
        return Ok(None);
    }
    let mut best = None;
    let fits = |q: u8| -> Result<bool, ImageError> {
        let jpeg = encode_jpeg(img, q)?;
        let ok = jpeg.len() <= max_bytes;
        if ok && best.as_ref().is_none_or(|b: &Encoded| b.quality < q) {
            best = Some(Encoded { jpeg, quality: q });
        }
        Ok(ok)
    };
    highest_fitting(min_q, max_q - 1, fits)?;
    Ok(best)
}

/// Binary search for the highest `q` in `lo..=hi` with `fits(q)`, assuming size grows with quality.
fn highest_fitting(
    lo: u8,
    hi: u8,
    mut fits: impl FnMut(u8) -> Result<bool, ImageError>,
) -> Result<Option<u8>, ImageError> {
    let (mut lo, mut hi) = (i32::from(lo), i32::from(hi));
    let mut found = None;
    while lo <= hi {
        let mid = (lo + hi + 1) / 2;
        if fits(mid as u8)? {
            found = Some(mid as u8);
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    Ok(found)
}

/// Every `SAMPLE_EVERY`-th band of `BAND` rows, stitched, and the factor from its JPEG size to
/// the full image's.
fn sample(img: &RgbImage) -> Option<(RgbImage, f64)> {
    let (w, h) = img.dimensions();
    let bands = h / BAND;
    let picked: Vec<u32> = (0..bands).filter(|b| b % SAMPLE_EVERY == SAMPLE_EVERY / 2).collect();
    if picked.is_empty() {
        return None;
    }
    let row = w as usize * 3;
    let band_bytes = row * BAND as usize;
    let mut raw = Vec::with_capacity(picked.len() * band_bytes);
    for b in &picked {
        let start = *b as usize * band_bytes;
        raw.extend_from_slice(img.as_raw().get(start..start + band_bytes)?);
    }
    let sample_h = picked.len() as u32 * BAND;
    let out = RgbImage::from_raw(w, sample_h, raw)?;
    Some((out, f64::from(h) / f64::from(sample_h)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bisect_finds_the_boundary() {
        for limit in [0u8, 40, 41, 77, 95, 100] {
            let got = highest_fitting(40, 95, |q| Ok(q <= limit)).unwrap();
            let want = (limit >= 40).then_some(limit.min(95));
            assert_eq!(got, want, "limit {limit}");
        }
    }

    #[test]
    fn fits_the_budget_or_says_not() {
        let img = RgbImage::from_fn(256, 256, |x, y| {
            image::Rgb([(x ^ y) as u8, (x * 3) as u8, (y * 5) as u8])
        });
        let big = encode_jpeg(&img, 95).unwrap().len();
        let e = encode_within(&img, big / 2, 30, 95).unwrap().unwrap();
        assert!(e.jpeg.len() <= big / 2 && e.quality < 95);
        let next = encode_jpeg(&img, e.quality + 1).unwrap().len();
        assert!(next > big / 2, "quality {} was not the highest that fits", e.quality);
        assert!(encode_within(&img, 100, 30, 95).unwrap().is_none());
    }
}
