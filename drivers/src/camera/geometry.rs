//! Quadrilateral fitting for the page outline: polygon simplification of a contour's convex hull,
//! side lines refitted to the contour by least squares, corner ordering.

use imageproc::geometry::{approximate_polygon_dp, arc_length};
use imageproc::point::Point;

pub type Pt = (f32, f32);

/// Douglas–Peucker tolerances tried in turn, as fractions of the hull's perimeter. 2 % is the usual
/// value; the larger ones absorb a dog-eared or slightly curled corner that leaves a fifth vertex.
const EPSILONS: [f64; 4] = [0.02, 0.03, 0.045, 0.06];

/// Fits four corners to a closed contour via its convex hull (the hull ignores dents where text or a
/// finger touches the page edge). Corners are then refined by intersecting lines fitted to the
/// contour points along each side, which is sub-pixel where the hull's vertices are not.
pub fn fit_quad(contour: &[Point<i32>], hull: &[Point<i32>]) -> Option<[Pt; 4]> {
    if hull.len() < 4 {
        return None;
    }
    // Start at a vertex, or the start point survives as a fifth corner in the middle of a side;
    // the hull point farthest from the centroid is always a corner.
    let n = hull.len() as f64;
    let cx = hull.iter().map(|p| f64::from(p.x)).sum::<f64>() / n;
    let cy = hull.iter().map(|p| f64::from(p.y)).sum::<f64>() / n;
    let start = (0..hull.len())
        .max_by(|&a, &b| {
            let da = (f64::from(hull[a].x) - cx).hypot(f64::from(hull[a].y) - cy);
            let db = (f64::from(hull[b].x) - cx).hypot(f64::from(hull[b].y) - cy);
            da.total_cmp(&db)
        })
        .unwrap_or(0);
    let curve: Vec<Point<i32>> = hull[start..].iter().chain(&hull[..start]).copied().collect();
    // DP needs two distinct end points: split the closed hull at the vertex farthest from the
    // start (the opposite corner) and simplify both chains.
    let d0 = |p: &Point<i32>| (f64::from(p.x - curve[0].x)).hypot(f64::from(p.y - curve[0].y));
    let far = (1..curve.len())
        .max_by(|&a, &b| d0(&curve[a]).total_cmp(&d0(&curve[b])))
        .unwrap_or(1);
    let mut second: Vec<Point<i32>> = curve[far..].to_vec();
    second.push(curve[0]);
    let perimeter = arc_length(hull, true);
    if perimeter <= 0.0 || far < 1 {
        return None;
    }
    let corners = EPSILONS.iter().find_map(|frac| {
        let eps = perimeter * frac;
        let mut poly = approximate_polygon_dp(&curve[..=far], eps, false);
        poly.pop(); // the far vertex, first of the second chain
        poly.extend(approximate_polygon_dp(&second, eps, false));
        poly.pop(); // the closing copy of the start point
        (poly.len() == 4).then(|| {
            let mut q = [(0.0, 0.0); 4];
            for (c, p) in q.iter_mut().zip(&poly) {
                *c = (p.x as f32, p.y as f32);
            }
            q
        })
    })?;
    Some(refine(contour, corners))
}

/// Intersects neighbouring side lines fitted to the contour points near each side. Keeps a DP
/// corner where a side has too few points or the refit moves it implausibly far.
fn refine(contour: &[Point<i32>], q: [Pt; 4]) -> [Pt; 4] {
    let lines: Vec<Option<Line>> = (0..4).map(|i| fit_side(contour, q[i], q[(i + 1) % 4])).collect();
    let mut out = q;
    for i in 0..4 {
        let prev = lines[(i + 3) % 4];
        let next = lines[i];
        if let (Some(a), Some(b)) = (prev, next)
            && let Some(p) = a.intersect(&b)
        {
            let side = dist(q[i], q[(i + 1) % 4]).min(dist(q[i], q[(i + 3) % 4]));
            if dist(p, q[i]) < 0.1 * side {
                out[i] = p;
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct Line {
    point: Pt,
    dir: Pt,
}

impl Line {
    fn intersect(&self, other: &Line) -> Option<Pt> {
        let cross = self.dir.0 * other.dir.1 - self.dir.1 * other.dir.0;
        if cross.abs() < 1e-3 {
            return None;
        }
        let (dx, dy) = (other.point.0 - self.point.0, other.point.1 - self.point.1);
        let t = (dx * other.dir.1 - dy * other.dir.0) / cross;
        Some((self.point.0 + t * self.dir.0, self.point.1 + t * self.dir.1))
    }
}

/// Total least squares line through the contour points lying near the middle of side `a`→`b`
/// (the ends are left out: corners are rounded by blur and edge dilation).
fn fit_side(contour: &[Point<i32>], a: Pt, b: Pt) -> Option<Line> {
    let len = dist(a, b);
    if len < 4.0 {
        return None;
    }
    let (ux, uy) = ((b.0 - a.0) / len, (b.1 - a.1) / len);
    let tol = 2.5f32.max(0.01 * len);
    let near: Vec<Pt> = contour
        .iter()
        .map(|p| (p.x as f32, p.y as f32))
        .filter(|&(x, y)| {
            let (rx, ry) = (x - a.0, y - a.1);
            let t = (rx * ux + ry * uy) / len;
            let d = (rx * uy - ry * ux).abs();
            (0.15..=0.85).contains(&t) && d <= tol
        })
        .collect();
    if near.len() < 5 {
        return None;
    }
    let n = near.len() as f32;
    let mx = near.iter().map(|p| p.0).sum::<f32>() / n;
    let my = near.iter().map(|p| p.1).sum::<f32>() / n;
    let (mut sxx, mut sxy, mut syy) = (0.0f32, 0.0f32, 0.0f32);
    for &(x, y) in &near {
        let (dx, dy) = (x - mx, y - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    // Principal axis of the 2×2 covariance.
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    Some(Line {
        point: (mx, my),
        dir: (angle.cos(), angle.sin()),
    })
}

pub fn dist(a: Pt, b: Pt) -> f32 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// Signed shoelace area; positive for TL→TR→BR→BL in image coordinates (y down).
pub fn signed_area(q: &[Pt]) -> f32 {
    let n = q.len();
    0.5 * (0..n)
        .map(|i| {
            let (a, b) = (q[i], q[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum::<f32>()
}

/// True if the four corners form a convex quadrilateral (either winding).
pub fn is_convex(q: &[Pt; 4]) -> bool {
    let signs: Vec<f32> = (0..4)
        .map(|i| {
            let (a, b, c) = (q[i], q[(i + 1) % 4], q[(i + 2) % 4]);
            (b.0 - a.0) * (c.1 - b.1) - (b.1 - a.1) * (c.0 - b.0)
        })
        .collect();
    signs.iter().all(|&s| s > 0.0) || signs.iter().all(|&s| s < 0.0)
}

/// Orders corners TL, TR, BR, BL: clockwise on screen, starting with the corner whose outgoing side
/// is closest to pointing right. A page turned by less than 45° therefore comes out upright.
pub fn order_corners(mut q: [Pt; 4]) -> [Pt; 4] {
    if signed_area(&q) < 0.0 {
        q.reverse();
    }
    let start = (0..4)
        .min_by(|&a, &b| {
            let angle = |i: usize| {
                let (p, n) = (q[i], q[(i + 1) % 4]);
                (n.1 - p.1).atan2(n.0 - p.0).abs()
            };
            angle(a).total_cmp(&angle(b))
        })
        .unwrap_or(0);
    [q[start], q[(start + 1) % 4], q[(start + 2) % 4], q[(start + 3) % 4]]
}

/// Moves every side of an ordered (TL, TR, BR, BL) quadrilateral outward by `d`.
pub fn offset_quad(q: &[Pt; 4], d: f32) -> [Pt; 4] {
    let side = |i: usize| {
        let (a, b) = (q[i], q[(i + 1) % 4]);
        let len = dist(a, b).max(f32::EPSILON);
        let dir = ((b.0 - a.0) / len, (b.1 - a.1) / len);
        // Clockwise on screen (y down): outward is the direction turned a quarter anticlockwise.
        let n = (dir.1, -dir.0);
        Line {
            point: (a.0 + d * n.0, a.1 + d * n.1),
            dir,
        }
    };
    let mut out = *q;
    for (i, o) in out.iter_mut().enumerate() {
        if let Some(p) = side((i + 3) % 4).intersect(&side(i)) {
            *o = p;
        }
    }
    out
}

/// Fraction of `points` within `tol` of the quadrilateral's outline: near 1 for the page's own
/// outline, low for a blob of merged edges whose hull only happens to be four-sided.
pub fn outline_support(points: &[Point<i32>], q: &[Pt; 4], tol: f32) -> f32 {
    if points.is_empty() {
        return 0.0;
    }
    let on = points
        .iter()
        .filter(|p| {
            let p = (p.x as f32, p.y as f32);
            (0..4).any(|i| segment_dist(p, q[i], q[(i + 1) % 4]) <= tol)
        })
        .count();
    on as f32 / points.len() as f32
}

fn segment_dist(p: Pt, a: Pt, b: Pt) -> f32 {
    let (vx, vy) = (b.0 - a.0, b.1 - a.1);
    let len2 = vx * vx + vy * vy;
    if len2 <= f32::EPSILON {
        return dist(p, a);
    }
    let t = (((p.0 - a.0) * vx + (p.1 - a.1) * vy) / len2).clamp(0.0, 1.0);
    dist(p, (a.0 + t * vx, a.1 + t * vy))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn orders_a_tilted_quad() {
        // A page turned by 30° clockwise, given in an arbitrary order and winding.
        let q = [(130.0, 30.0), (40.0, 180.0), (210.0, 280.0), (300.0, 120.0)];
        let o = order_corners(q);
        assert_eq!(o, [(130.0, 30.0), (300.0, 120.0), (210.0, 280.0), (40.0, 180.0)]);
        let o = order_corners([q[3], q[2], q[1], q[0]]);
        assert_eq!(o[0], (130.0, 30.0));
        assert!(is_convex(&o));
        assert!(signed_area(&o) > 0.0);
    }

    #[test]
    fn quad_from_a_square_outline() {
        let mut pts = Vec::new();
        for i in 0..100 {
            pts.push(Point::new(10 + i, 10));
        }
        for i in 0..100 {
            pts.push(Point::new(110, 10 + i));
        }
        for i in 0..100 {
            pts.push(Point::new(110 - i, 110));
        }
        for i in 0..100 {
            pts.push(Point::new(10, 110 - i));
        }
        let hull = imageproc::geometry::convex_hull(pts.clone());
        let q = fit_quad(&pts, &hull).map(order_corners).unwrap();
        let want = [(10.0, 10.0), (110.0, 10.0), (110.0, 110.0), (10.0, 110.0)];
        assert!(q.iter().zip(want).all(|(a, b)| dist(*a, b) < 0.01), "{q:?}");
        assert!(outline_support(&pts, &q, 1.0) > 0.99);
        // Moved out by 2 on every side.
        let o = offset_quad(&q, 2.0);
        let want = [(8.0, 8.0), (112.0, 8.0), (112.0, 112.0), (8.0, 112.0)];
        assert!(o.iter().zip(want).all(|(a, b)| dist(*a, b) < 0.01), "{o:?}");
    }
}
