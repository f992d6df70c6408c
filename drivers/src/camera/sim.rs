//! A simulated document camera: synthetic photos of an A4 page lying on a cluttered counter, with
//! the page's true corners, for testing the pipeline without hardware.
//!
//! The page (paper white, a black marker at its top-left, a title bar, lines of "words", a
//! signature line and a red stamp) is placed by a projective transform: turned by up to
//! `max_rotation_deg`, corners jittered by up to `max_tilt` of its long side (a camera not
//! quite square to the counter), its long side `scale` × the frame's short side, fully inside the
//! frame. The counter is a gradient with coloured rectangles and discs, and everything gets
//! sensor-like noise. The same seed gives the same frames.

use std::f32::consts::SQRT_2;

use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::Projection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Camera, CameraError, DeviceInfo};

/// Page coordinate system: 1000 units wide, A4 tall.
const PAGE_W: f32 = 1000.0;
const PAGE_H: f32 = 1000.0 * SQRT_2;
/// Where the orientation marker sits on the page (page units, from the top-left corner).
pub const MARKER: (f32, f32, f32, f32) = (60.0, 60.0, 150.0, 150.0);

/// What the simulated camera produces.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    pub width: u32,
    pub height: u32,
    pub seed: u64,
    /// Put a page in the frame (false: counter only).
    pub document: bool,
    /// Page long side as a fraction of the frame's short side, drawn uniformly from this range.
    /// (At 0.45 an A4 page covers 10.7 % of a 4:3 frame, the pipeline's smallest document.)
    pub scale: (f32, f32),
    pub max_rotation_deg: f32,
    /// Corner jitter as a fraction of the page's long side.
    pub max_tilt: f32,
    /// Uniform noise amplitude per channel.
    pub noise: u8,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            width: 1200,
            height: 900,
            seed: 1,
            document: true,
            scale: (0.5, 0.8),
            max_rotation_deg: 30.0,
            max_tilt: 0.06,
            noise: 8,
        }
    }
}

/// Where the page lies in the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Page centre in frame pixels.
    pub center: (f32, f32),
    /// Page long side in pixels (before tilt).
    pub long_side: f32,
    /// Clockwise on screen.
    pub rotation_deg: f32,
    /// Offsets of TL, TR, BR, BL as fractions of the long side.
    pub tilt: [(f32, f32); 4],
}

impl Placement {
    /// The page's corners in the frame, TL, TR, BR, BL (pixel-centre coordinates).
    pub fn corners(&self) -> [(f32, f32); 4] {
        let (l, s) = (self.long_side, self.long_side / SQRT_2);
        let (sin, cos) = self.rotation_deg.to_radians().sin_cos();
        let rel = [
            (-s / 2.0, -l / 2.0),
            (s / 2.0, -l / 2.0),
            (s / 2.0, l / 2.0),
            (-s / 2.0, l / 2.0),
        ];
        let mut out = [(0.0, 0.0); 4];
        for ((o, (x, y)), (tx, ty)) in out.iter_mut().zip(rel).zip(self.tilt) {
            *o = (
                self.center.0 + x * cos - y * sin + tx * l,
                self.center.1 + x * sin + y * cos + ty * l,
            );
        }
        out
    }
}

/// One synthetic frame and, if it shows a page, the page's true corners (TL, TR, BR, BL).
#[derive(Debug, Clone)]
pub struct SimFrame {
    pub image: RgbImage,
    pub corners: Option<[(f32, f32); 4]>,
}

/// A camera that photographs synthetic documents.
#[derive(Debug)]
pub struct SimCamera {
    config: SimConfig,
    info: DeviceInfo,
    rng: StdRng,
}

impl SimCamera {
    pub fn new(config: SimConfig) -> Self {
        let info = DeviceInfo {
            path: "sim".into(),
            name: "模拟高拍仪 / simulated document camera".into(),
            driver: "sim".into(),
            width: config.width,
            height: config.height,
            format: "RGB3".into(),
        };
        let rng = StdRng::seed_from_u64(config.seed);
        Self { config, info, rng }
    }

    /// The next frame: a random placement, or the counter alone if `document` is off.
    pub fn next_frame(&mut self) -> SimFrame {
        if self.config.document {
            let placement = self.random_placement();
            self.frame_with(Some(&placement))
        } else {
            self.frame_with(None)
        }
    }

    /// A frame with the page exactly where `placement` says (random counter and page content).
    pub fn frame_with(&mut self, placement: Option<&Placement>) -> SimFrame {
        let (w, h) = (self.config.width.max(1), self.config.height.max(1));
        let mut image = RgbImage::new(w, h);
        self.draw_counter(&mut image);
        let mut corners = None;
        if let Some(p) = placement {
            let quad = p.corners();
            let page = [(0.0, 0.0), (PAGE_W, 0.0), (PAGE_W, PAGE_H), (0.0, PAGE_H)];
            if let Some(to_page) = Projection::from_control_points(quad, page) {
                let layout = Layout::random(&mut self.rng);
                draw_page(&mut image, &quad, &to_page, &layout);
                corners = Some(quad);
            }
        }
        add_noise(&mut image, self.config.noise, self.rng.r#gen());
        SimFrame { image, corners }
    }

    /// A random placement fully inside the frame (a 2 % margin), shrunk until it fits.
    pub fn random_placement(&mut self) -> Placement {
        let c = &self.config;
        let (w, h) = (c.width as f32, c.height as f32);
        let (lo, hi) = (c.scale.0.min(c.scale.1), c.scale.0.max(c.scale.1));
        let mut long_side = self.rng.gen_range(lo..=hi.max(lo + f32::EPSILON)) * w.min(h);
        let rot = c.max_rotation_deg.abs();
        let rotation_deg = self.rng.gen_range(-rot..=rot);
        let t = c.max_tilt.abs();
        let mut tilt = [(0.0, 0.0); 4];
        for o in &mut tilt {
            *o = (self.rng.gen_range(-t..=t), self.rng.gen_range(-t..=t));
        }
        let margin = 0.02 * w.min(h);
        for _ in 0..60 {
            let probe = Placement {
                center: (0.0, 0.0),
                long_side,
                rotation_deg,
                tilt,
            };
            let q = probe.corners();
            let (min_x, max_x) = q
                .iter()
                .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
            let (min_y, max_y) = q
                .iter()
                .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
            let (cx0, cx1) = (margin - min_x, w - 1.0 - margin - max_x);
            let (cy0, cy1) = (margin - min_y, h - 1.0 - margin - max_y);
            if cx0 <= cx1 && cy0 <= cy1 {
                let center = (self.rng.gen_range(cx0..=cx1), self.rng.gen_range(cy0..=cy1));
                return Placement { center, ..probe };
            }
            long_side *= 0.95;
        }
        Placement {
            center: (w / 2.0, h / 2.0),
            long_side: 0.3 * w.min(h),
            rotation_deg: 0.0,
            tilt: [(0.0, 0.0); 4],
        }
    }

    /// Gradient, then rectangles and discs each under 7 % of the frame: a counter with forms,
    /// a pen tray, a phone. Kept darker than paper, as the pad under a document camera is.
    fn draw_counter(&mut self, img: &mut RgbImage) {
        let (w, h) = img.dimensions();
        let c0 = self.dark_colour(160);
        let c1 = self.dark_colour(160);
        let angle: f32 = self.rng.gen_range(0.0..std::f32::consts::TAU);
        let (dx, dy) = (angle.cos(), angle.sin());
        let span = (w as f32 * dx.abs() + h as f32 * dy.abs()).max(1.0);
        let origin = if dx < 0.0 { -(w as f32) * dx } else { 0.0 } + if dy < 0.0 { -(h as f32) * dy } else { 0.0 };
        // Fixed-point increments along each row (this also runs in unoptimised test builds).
        let buf: &mut [u8] = img.as_mut();
        let row_len = w as usize * 3;
        for y in 0..h as usize {
            let t0 = (y as f32 * dy + origin) / span;
            let step = dx / span;
            let mut col = [0i32; 3];
            let mut inc = [0i32; 3];
            for i in 0..3 {
                let (a, b) = (f32::from(c0[i]), f32::from(c1[i]));
                col[i] = ((a + (b - a) * t0) * 65536.0) as i32;
                inc[i] = ((b - a) * step * 65536.0) as i32;
            }
            let row = &mut buf[y * row_len..(y + 1) * row_len];
            let mut i = 0;
            while i < row_len {
                row[i] = (col[0] >> 16).clamp(0, 255) as u8;
                row[i + 1] = (col[1] >> 16).clamp(0, 255) as u8;
                row[i + 2] = (col[2] >> 16).clamp(0, 255) as u8;
                col[0] += inc[0];
                col[1] += inc[1];
                col[2] += inc[2];
                i += 3;
            }
        }
        let shapes = self.rng.gen_range(6..=14);
        for _ in 0..shapes {
            let colour = Rgb(self.dark_colour(185));
            let rw = self.rng.gen_range(0.04..0.26) * w as f32;
            let rh = self.rng.gen_range(0.04..0.26) * h as f32;
            let x0 = self.rng.gen_range(-0.1..1.0) * w as f32;
            let y0 = self.rng.gen_range(-0.1..1.0) * h as f32;
            let disc = self.rng.gen_bool(0.3);
            let (xa, xb) = (x0.max(0.0) as u32, ((x0 + rw) as u32).min(w));
            let (ya, yb) = (y0.max(0.0) as u32, ((y0 + rh) as u32).min(h));
            let (cx, cy, r2) = (x0 + rw / 2.0, y0 + rh / 2.0, (rw.min(rh) / 2.0).powi(2));
            for y in ya..yb {
                for x in xa..xb {
                    if !disc || (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2) <= r2 {
                        img.put_pixel(x, y, colour);
                    }
                }
            }
        }
    }

    /// A random colour with Rec. 601 luma at most `max_luma`.
    fn dark_colour(&mut self, max_luma: u32) -> [u8; 3] {
        loop {
            let c: [u8; 3] = [self.rng.r#gen(), self.rng.r#gen(), self.rng.r#gen()];
            let luma = (77 * u32::from(c[0]) + 150 * u32::from(c[1]) + 29 * u32::from(c[2])) >> 8;
            if luma <= max_luma {
                return c;
            }
        }
    }
}

impl Camera for SimCamera {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn capture(&mut self) -> Result<RgbImage, CameraError> {
        Ok(self.next_frame().image)
    }
}

/// Text lines of one page: per line its top (page units) and word spans.
struct Layout {
    lines: Vec<(f32, Vec<(f32, f32)>)>,
    stamp: (f32, f32),
}

const LINE_TOP: f32 = 230.0;
const LINE_PITCH: f32 = 42.0;
const LINE_HEIGHT: f32 = 16.0;

impl Layout {
    fn random(rng: &mut StdRng) -> Self {
        let mut lines = Vec::new();
        let mut top = LINE_TOP;
        while top < 1150.0 {
            let mut words = Vec::new();
            let end: f32 = if rng.gen_bool(0.2) {
                rng.gen_range(400.0..880.0)
            } else {
                900.0
            };
            let mut u = if rng.gen_bool(0.15) { 160.0 } else { 100.0 };
            while u < end {
                let len = rng.gen_range(20.0..110.0);
                words.push((u, (u + len).min(end)));
                u += len + rng.gen_range(10.0..22.0);
            }
            lines.push((top, words));
            top += LINE_PITCH;
        }
        let stamp = (rng.gen_range(620.0..820.0), rng.gen_range(1200.0..1290.0));
        Self { lines, stamp }
    }

    /// The page's colour at page coordinates (u, v), before lighting. Plain comparisons and index
    /// loops: test builds of this crate are unoptimised, where `contains` and iterators are calls.
    #[allow(clippy::manual_range_contains, clippy::needless_range_loop)]
    fn colour(&self, u: f32, v: f32) -> [u8; 3] {
        const INK: [u8; 3] = [30, 30, 36];
        const PAPER: [u8; 3] = [243, 241, 235];
        let (ds, dv) = (u - self.stamp.0, v - self.stamp.1);
        let r = (ds * ds + dv * dv).sqrt();
        if (r >= 72.0 && r < 86.0) || r < 22.0 {
            return [205, 40, 44];
        }
        if u >= MARKER.0 && u < MARKER.2 && v >= MARKER.1 && v < MARKER.3 {
            return [15, 15, 15];
        }
        if v >= 95.0 && v < 130.0 && u >= 300.0 && u < 700.0 {
            return INK;
        }
        if v >= 1300.0 && v < 1304.0 && u >= 120.0 && u < 420.0 {
            return INK;
        }
        if v >= LINE_TOP {
            let i = ((v - LINE_TOP) / LINE_PITCH) as usize;
            if i < self.lines.len() && v < self.lines[i].0 + LINE_HEIGHT {
                let words = self.lines[i].1.as_slice();
                for k in 0..words.len() {
                    if u >= words[k].0 && u < words[k].1 {
                        return INK;
                    }
                }
            }
        }
        PAPER
    }
}

#[allow(clippy::manual_range_contains)] // see `Layout::colour`
fn draw_page(img: &mut RgbImage, quad: &[(f32, f32); 4], to_page: &Projection, layout: &Layout) {
    let (w, h) = img.dimensions();
    let min_x = quad.iter().map(|p| p.0).fold(f32::MAX, f32::min).floor().max(0.0) as u32;
    let max_x = (quad.iter().map(|p| p.0).fold(f32::MIN, f32::max).ceil().max(0.0) as u32).min(w - 1);
    let min_y = quad.iter().map(|p| p.1).fold(f32::MAX, f32::min).floor().max(0.0) as u32;
    let max_y = (quad.iter().map(|p| p.1).fold(f32::MIN, f32::max).ceil().max(0.0) as u32).min(h - 1);
    let row_len = w as usize * 3;
    let buf: &mut [u8] = img.as_mut();
    for y in min_y..=max_y {
        for x in min_x..=max_x {
            let (u, v) = *to_page * (x as f32, y as f32);
            if u >= 0.0 && u < PAGE_W && v >= 0.0 && v < PAGE_H {
                // Light falls off a little towards the page's bottom-right.
                let light = 1.0 - 0.06 * (u / PAGE_W + v / PAGE_H) / 2.0;
                let c = layout.colour(u, v);
                let i = y as usize * row_len + x as usize * 3;
                buf[i] = (f32::from(c[0]) * light) as u8;
                buf[i + 1] = (f32::from(c[1]) * light) as u8;
                buf[i + 2] = (f32::from(c[2]) * light) as u8;
            }
        }
    }
}

/// Uniform noise in ±`amp` per channel (xorshift: the RNG would dominate the frame time).
#[allow(clippy::needless_range_loop)] // see `Layout::colour`
fn add_noise(img: &mut RgbImage, amp: u8, seed: u32) {
    if amp == 0 {
        return;
    }
    let mut s = seed | 1;
    let span = 2 * u32::from(amp) + 1;
    let buf: &mut [u8] = img.as_mut();
    for i in 0..buf.len() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        let n = (s % span) as i32 - i32::from(amp);
        buf[i] = (i32::from(buf[i]) + n).clamp(0, 255) as u8;
    }
}
