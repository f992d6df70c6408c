//! Frame → scan: find the page, warp it upright, JPEG under a byte budget, SM3 of the bytes.
//!
//! Detection runs on a small grey copy (long side ≤ `detect_long_side`, integer-factor box
//! average of luma, which is also the denoising): Canny edges, contours, the biggest contour whose
//! convex hull simplifies (Douglas–Peucker, ε ≈ 2 % of the perimeter) to a convex quadrilateral
//! that the contour actually follows, else its minimum-area rectangle. Corners are scaled back to
//! the frame and the warp samples the full frame once per output pixel, straight into the output
//! size.

use image::{ImageError, RgbImage};
use imageproc::contours::{BorderType, find_contours};
use imageproc::distance_transform::Norm;
use imageproc::edges::canny;
use imageproc::geometric_transformations::Projection;
use imageproc::geometry::{contour_area, convex_hull, min_area_rect};
use imageproc::morphology::{close, dilate};
use imageproc::point::Point;
use serde::Serialize;
use sm3::{Digest, Sm3};
use thiserror::Error;

use super::encode::encode_within;
use super::geometry::{Pt, dist, fit_quad, is_convex, offset_quad, order_corners, outline_support, signed_area};

/// Tunables of [`process`]. The defaults suit an A4 page under a 5–13 MP document camera.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineConfig {
    /// Long side of the grey copy that detection runs on.
    pub detect_long_side: u32,
    /// Canny hysteresis thresholds (Sobel magnitude on the small copy).
    pub canny_low: f32,
    pub canny_high: f32,
    /// A quadrilateral smaller than this fraction of the frame is not a document.
    pub min_area_frac: f64,
    /// Cap on the output's long side (2339 px = A4 at 200 dpi). Never upscaled.
    pub max_long_side: u32,
    /// Budget for the JPEG.
    pub max_bytes: usize,
    /// Quality range searched, highest first; below `min_quality` the page is downscaled instead.
    pub max_quality: u8,
    pub min_quality: u8,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            detect_long_side: 1000,
            canny_low: 15.0,
            canny_high: 45.0,
            min_area_frac: 0.10,
            max_long_side: 2339,
            max_bytes: 500 * 1024,
            max_quality: 90,
            min_quality: 40,
        }
    }
}

/// One scanned page.
#[derive(Debug, Clone, Serialize)]
pub struct Scan {
    #[serde(skip)]
    pub jpeg: Vec<u8>,
    /// SM3 digest of `jpeg`, lower-case hex.
    pub sm3: String,
    pub width: u32,
    pub height: u32,
    /// Page corners in the frame, TL, TR, BR, BL.
    pub corners: [(f32, f32); 4],
    /// JPEG quality used.
    pub quality: u8,
}

#[derive(Debug, Error)]
pub enum PipelineError {
    #[error("未检测到文件 / no document found in the frame: {0}")]
    NoDocument(String),
    #[error("配置无效 / invalid pipeline configuration: {0}")]
    Config(&'static str),
    #[error("JPEG 编码失败 / JPEG encoding failed: {0}")]
    Encode(#[from] ImageError),
    #[error("无法压缩到 {max_bytes} 字节以内 / cannot fit the page into {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
}

/// A contour point counts as on the outline within this distance (pixels of the small copy).
const OUTLINE_TOL: f32 = 3.0;
/// Share of a candidate's contour that lies on its quadrilateral: a page's own outline, and the
/// least for an outline with other edges attached.
const CLEAN_SUPPORT: f32 = 0.97;
const MIN_SUPPORT: f32 = 0.8;
/// Distance from an edge pixel's centre to the border of the region it encloses, once the edge is
/// thickened by one pixel (2 px for a horizontal edge, 3/√2 for a diagonal one).
const REGION_INSET: f32 = 2.0;
/// How many of the largest candidates are examined.
const MAX_CANDIDATES: usize = 12;
/// Each retry after the budget could not be met shrinks the output by this factor.
const SHRINK: f32 = 0.75;

/// Finds the page, warps it upright and encodes it. See the module documentation.
pub fn process(frame: &RgbImage, cfg: &PipelineConfig) -> Result<Scan, PipelineError> {
    validate(cfg)?;
    let corners = detect(frame, cfg)?;
    let [tl, tr, br, bl] = corners;
    let (w, h) = (dist(tl, tr).max(dist(bl, br)), dist(tl, bl).max(dist(tr, br)));
    let scale = (cfg.max_long_side as f32 / w.max(h)).min(1.0);
    let (mut ow, mut oh) = ((w * scale).round().max(1.0) as u32, (h * scale).round().max(1.0) as u32);
    for _ in 0..12 {
        let page = warp_page(frame, &corners, ow, oh)?;
        if let Some(e) = encode_within(&page, cfg.max_bytes, cfg.min_quality, cfg.max_quality)? {
            let sm3 = hex::encode(Sm3::digest(&e.jpeg));
            return Ok(Scan {
                jpeg: e.jpeg,
                sm3,
                width: ow,
                height: oh,
                corners,
                quality: e.quality,
            });
        }
        if ow <= 8 || oh <= 8 {
            break;
        }
        ow = ((ow as f32 * SHRINK) as u32).max(8);
        oh = ((oh as f32 * SHRINK) as u32).max(8);
    }
    Err(PipelineError::TooLarge {
        max_bytes: cfg.max_bytes,
    })
}

fn validate(cfg: &PipelineConfig) -> Result<(), PipelineError> {
    if cfg.detect_long_side < 64 {
        return Err(PipelineError::Config("detect_long_side < 64"));
    }
    if !(cfg.canny_low >= 0.0 && cfg.canny_low <= cfg.canny_high) {
        return Err(PipelineError::Config("need 0 ≤ canny_low ≤ canny_high"));
    }
    if !(0.0..1.0).contains(&cfg.min_area_frac) {
        return Err(PipelineError::Config("min_area_frac outside [0, 1)"));
    }
    if cfg.max_long_side < 16 || cfg.max_bytes < 1024 {
        return Err(PipelineError::Config("max_long_side < 16 or max_bytes < 1024"));
    }
    if cfg.min_quality == 0 || cfg.min_quality > cfg.max_quality || cfg.max_quality > 100 {
        return Err(PipelineError::Config("need 1 ≤ min_quality ≤ max_quality ≤ 100"));
    }
    Ok(())
}

/// The page's corners in the frame, TL, TR, BR, BL (sub-pixel, frame pixel-centre coordinates).
pub fn detect(frame: &RgbImage, cfg: &PipelineConfig) -> Result<[(f32, f32); 4], PipelineError> {
    validate(cfg)?;
    let (fw, fh) = frame.dimensions();
    if fw < 32 || fh < 32 {
        return Err(PipelineError::NoDocument(format!(
            "画面过小 / frame of {fw}×{fh} is too small"
        )));
    }
    let factor = fw.max(fh).div_ceil(cfg.detect_long_side).max(1);
    let small = luma_downscale(frame, factor);
    let edges = canny(&small, cfg.canny_low, cfg.canny_high);
    let (sw, sh) = small.dimensions();
    let min_area = cfg.min_area_frac * f64::from(sw) * f64::from(sh);

    // First the regions that edges enclose: thickened by one pixel (which also rejoins the
    // breaks Canny leaves at T-junctions, where the page edge meets the edge of something under
    // it) and inverted, the page's inside is a component of its own whose outer border is the
    // page outline, whatever touches the page from outside. Its border lies `REGION_INSET` inside
    // the edge. Components touching the frame are the counter, not a page.
    let thick = dilate(&edges, Norm::LInf, 1);
    let mut open = thick.into_raw();
    for v in open.iter_mut() {
        *v = if *v > 0 { 0 } else { 255 };
    }
    let open = image::GrayImage::from_raw(sw, sh, open).unwrap_or_else(|| image::GrayImage::new(sw, sh));
    let regions = find_contours::<i32>(&open);
    let inside = |p: &Point<i32>| p.x > 0 && p.y > 0 && p.x < sw as i32 - 1 && p.y < sh as i32 - 1;
    let regions: Vec<&[Point<i32>]> = regions
        .iter()
        .filter(|c| c.border_type == BorderType::Outer && c.points.iter().all(inside))
        .map(|c| c.points.as_slice())
        .collect();
    // Then the edge curves themselves (closed by one pixel): a page outline broken by more than
    // that still has the page's convex hull.
    let mut any_large = false;
    let found = find_quad(&regions, min_area, &mut any_large)
        .map(|q| offset_quad(&q, REGION_INSET))
        .or_else(|| {
            let curves = find_contours::<i32>(&close(&edges, Norm::LInf, 1));
            let curves: Vec<&[Point<i32>]> = curves.iter().map(|c| c.points.as_slice()).collect();
            find_quad(&curves, min_area, &mut any_large)
        });
    let Some(q) = found else {
        let reason = if !any_large {
            format!(
                "没有足够大的轮廓（至少占画面 {:.0}%）/ no outline covering at least {:.0}% of the frame",
                cfg.min_area_frac * 100.0,
                cfg.min_area_frac * 100.0
            )
        } else {
            "没有四边形轮廓 / no four-sided outline among the large contours".to_string()
        };
        return Err(PipelineError::NoDocument(reason));
    };
    // Small-copy pixel (i) covers frame pixels i·f … i·f+f−1: its centre is at i·f + (f−1)/2.
    let f = factor as f32;
    let half = (f - 1.0) / 2.0;
    Ok(q.map(|(x, y)| (x * f + half, y * f + half)))
}

/// The largest convex quadrilateral, at least `min_area`, that one of the contours follows:
/// first one the whole contour lies on, then one with other edges attached, then the
/// minimum-area rectangle of a contour. Candidates are ranked by convex hull area, which is the
/// page's area even for an outline traced along both sides of a broken edge.
fn find_quad(contours: &[&[Point<i32>]], min_area: f64, any_large: &mut bool) -> Option<[Pt; 4]> {
    let mut candidates: Vec<(f64, usize, Vec<Point<i32>>)> = contours
        .iter()
        .enumerate()
        .filter(|(_, c)| c.len() >= 8)
        .filter_map(|(i, c)| {
            let hull = convex_hull(*c);
            let area = contour_area(&hull);
            (area >= min_area).then_some((area, i, hull))
        })
        .collect();
    *any_large |= !candidates.is_empty();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    candidates.truncate(MAX_CANDIDATES);
    let accept = |q: [Pt; 4], points: &[Point<i32>], support: f32| {
        let q = order_corners(q);
        (is_convex(&q) && f64::from(signed_area(&q)) >= min_area && outline_support(points, &q, OUTLINE_TOL) >= support)
            .then_some(q)
    };
    [CLEAN_SUPPORT, MIN_SUPPORT]
        .iter()
        .find_map(|&support| {
            candidates
                .iter()
                .find_map(|(_, i, hull)| fit_quad(contours[*i], hull).and_then(|q| accept(q, contours[*i], support)))
        })
        .or_else(|| {
            // No clean quadrilateral (a torn or folded corner): the tightest rectangle, if the
            // contour follows it.
            candidates.iter().find_map(|(_, i, hull)| {
                let q = min_area_rect(hull).map(|p| (p.x as f32, p.y as f32));
                accept(q, contours[*i], MIN_SUPPORT)
            })
        })
}

/// Warps the quadrilateral `corners` of `frame` onto a `w`×`h` image: each output pixel is mapped
/// back into the frame by the projection and sampled bilinearly, in parallel row bands. (Hand
/// written rather than `imageproc`'s `warp`, which took 90–120 ms for a 3 MP page here: border
/// handling and generic pixel access per sample.)
fn warp_page(frame: &RgbImage, corners: &[Pt; 4], w: u32, h: u32) -> Result<RgbImage, PipelineError> {
    // Pixel centres: the page's corner points land on the outer corners of the output's corner pixels.
    let (x1, y1) = (w as f32 - 0.5, h as f32 - 0.5);
    let rect = [(-0.5, -0.5), (x1, -0.5), (x1, y1), (-0.5, y1)];
    let to_frame = Projection::from_control_points(rect, *corners)
        .ok_or_else(|| PipelineError::NoDocument("轮廓退化 / degenerate outline".into()))?;
    let (fw, fh) = (frame.width() as i64, frame.height() as i64);
    let src = frame.as_raw().as_slice();
    let stride = fw as usize * 3;
    let row_len = w as usize * 3;
    let mut out = vec![0u8; row_len * h as usize];
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let rows_per = (h as usize).div_ceil(threads).max(1);
    let band = |first: usize, dst: &mut [u8]| {
        for (r, row) in dst.chunks_exact_mut(row_len).enumerate() {
            let y = (first + r) as f32;
            for (x, px) in row.chunks_exact_mut(3).enumerate() {
                let (sx, sy) = to_frame * (x as f32, y);
                let (fx, fy) = (sx.floor(), sy.floor());
                let (wx, wy) = (((sx - fx) * 256.0) as u32, ((sy - fy) * 256.0) as u32);
                // Clamped neighbours: outside the frame the edge pixel repeats.
                let xa = (fx as i64).clamp(0, fw - 1) as usize * 3;
                let xb = (fx as i64 + 1).clamp(0, fw - 1) as usize * 3;
                let ya = (fy as i64).clamp(0, fh - 1) as usize * stride;
                let yb = (fy as i64 + 1).clamp(0, fh - 1) as usize * stride;
                for c in 0..3 {
                    let top = u32::from(src[ya + xa + c]) * (256 - wx) + u32::from(src[ya + xb + c]) * wx;
                    let bottom = u32::from(src[yb + xa + c]) * (256 - wx) + u32::from(src[yb + xb + c]) * wx;
                    px[c] = ((top * (256 - wy) + bottom * wy + (1 << 15)) >> 16) as u8;
                }
            }
        }
    };
    std::thread::scope(|s| {
        for (i, chunk) in out.chunks_mut(rows_per * row_len).enumerate() {
            let job = &band;
            s.spawn(move || job(i * rows_per, chunk));
        }
    });
    RgbImage::from_raw(w, h, out).ok_or_else(|| PipelineError::NoDocument("输出尺寸无效 / bad output size".into()))
}

/// Integer-factor box average of Rec. 601 luma. One pass over the frame, in parallel bands.
pub fn luma_downscale(frame: &RgbImage, factor: u32) -> image::GrayImage {
    let factor = factor.max(1);
    let (fw, fh) = frame.dimensions();
    let (w, h) = ((fw / factor).max(1), (fh / factor).max(1));
    let mut out = vec![0u8; w as usize * h as usize];
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let rows_per = (h as usize).div_ceil(threads).max(1);
    let raw = frame.as_raw();
    let stride = fw as usize * 3;
    let f = factor as usize;
    // Plain index loops: this also runs in unoptimised test builds, where iterator adapters cost
    // a call per pixel.
    let scope_rows = |first: usize, dst: &mut [u8]| {
        let w = w as usize;
        let mut acc = vec![0u32; w];
        let acc = acc.as_mut_slice();
        let div = (f * f * 256) as u32;
        for r in 0..dst.len() / w {
            acc.fill(0);
            let y0 = (first + r) * f;
            for y in y0..(y0 + f).min(fh as usize) {
                let row = &raw[y * stride..y * stride + w * f * 3];
                for (x, a) in acc.iter_mut().enumerate() {
                    let mut i = x * f * 3;
                    let end = i + f * 3;
                    let mut sum = 0u32;
                    while i < end {
                        sum += 77 * u32::from(row[i]) + 150 * u32::from(row[i + 1]) + 29 * u32::from(row[i + 2]);
                        i += 3;
                    }
                    *a += sum;
                }
            }
            let line = &mut dst[r * w..r * w + w];
            for x in 0..w {
                line[x] = ((acc[x] + div / 2) / div).min(255) as u8;
            }
        }
    };
    std::thread::scope(|s| {
        for (i, chunk) in out.chunks_mut(rows_per * w as usize).enumerate() {
            let job = &scope_rows;
            s.spawn(move || job(i * rows_per, chunk));
        }
    });
    image::GrayImage::from_raw(w, h, out).unwrap_or_else(|| image::GrayImage::new(w, h))
}
