//! YUYV (YUY2, 4:2:2) to RGB: what UVC cameras send when they do not compress.

use image::RgbImage;

/// Converts one YUYV frame (`Y0 U Y1 V` per pixel pair, BT.601 limited range as UVC sends it).
/// `stride` is bytes per row (V4L2 `bytesperline`, at least `2 × width`; drivers pad rows).
/// `None` if the buffer is shorter than the frame or the width is odd (YUYV pairs pixels).
pub fn yuyv_to_rgb(data: &[u8], width: u32, height: u32, stride: usize) -> Option<RgbImage> {
    let w = width as usize;
    let h = height as usize;
    if w & 1 != 0 || stride < w * 2 {
        return None;
    }
    // The last row need not carry its padding.
    let needed = if h == 0 { 0 } else { stride * (h - 1) + w * 2 };
    if data.len() < needed {
        return None;
    }
    let mut out = vec![0u8; w * h * 3];
    for (y, dst) in out.chunks_exact_mut(w * 3).enumerate() {
        let row = &data[y * stride..y * stride + w * 2];
        for (src, px) in row.chunks_exact(4).zip(dst.chunks_exact_mut(6)) {
            let (u, v) = (i32::from(src[1]) - 128, i32::from(src[3]) - 128);
            let (left, right) = px.split_at_mut(3);
            convert(src[0], u, v, left);
            convert(src[2], u, v, right);
        }
    }
    RgbImage::from_raw(width, height, out)
}

/// Fixed-point BT.601: R = 1.164(Y−16) + 1.596V, G = 1.164(Y−16) − 0.391U − 0.813V, B = 1.164(Y−16) + 2.018U.
fn convert(y: u8, u: i32, v: i32, px: &mut [u8]) {
    let c = 298 * (i32::from(y) - 16) + 128;
    let clamp = |x: i32| (x >> 8).clamp(0, 255) as u8;
    px[0] = clamp(c + 409 * v);
    px[1] = clamp(c - 100 * u - 208 * v);
    px[2] = clamp(c + 516 * u);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn grey_white_black_and_red() {
        // Black (16), white (235), mid grey at neutral chroma; then pure red (Y=81, U=90, V=240).
        let data = [16, 128, 235, 128, 126, 128, 126, 128, 81, 90, 81, 240];
        let img = yuyv_to_rgb(&data, 6, 1, 12).unwrap();
        assert_eq!(img.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(img.get_pixel(1, 0).0, [255, 255, 255]);
        assert_eq!(img.get_pixel(2, 0).0, [128, 128, 128]);
        let red = img.get_pixel(4, 0).0;
        assert!(red[0] > 250 && red[1] < 5 && red[2] < 5, "{red:?}");
    }

    #[test]
    fn padded_rows_and_short_buffers() {
        let mut data = vec![0u8; 8 * 2 - 4]; // two rows of 2 px, stride 8, last row unpadded
        data[0] = 235;
        data[8] = 235;
        assert!(yuyv_to_rgb(&data, 2, 2, 8).is_some());
        assert!(yuyv_to_rgb(&data[..11], 2, 2, 8).is_none());
        assert!(yuyv_to_rgb(&data, 3, 1, 8).is_none());
        assert!(yuyv_to_rgb(&data, 2, 1, 3).is_none());
    }
}
