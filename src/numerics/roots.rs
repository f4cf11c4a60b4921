//! Root finding: bisection of an increasing function, Brent's method, and the boundary of a
//! monotone condition.

/// Bisection for an increasing function with f(lo) < 0 <= f(hi); relative tolerance `rel_tol`.
pub fn bisect(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64, rel_tol: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= rel_tol * hi.abs().max(1e-300) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Brent's method (zeroin) on [a, b] to an absolute tolerance of about `tol` in x; `None` when
/// f(a), f(b) have the same sign or are NaN.
pub fn brent(mut f: impl FnMut(f64) -> f64, a: f64, b: f64, tol: f64) -> Option<f64> {
    let (mut a, mut b) = (a, b);
    let (mut fa, mut fb) = (f(a), f(b));
    if fa.is_nan() || fb.is_nan() {
        return None;
    }
    if fa == 0.0 {
        return Some(a);
    }
    if fb == 0.0 {
        return Some(b);
    }
    if (fa > 0.0) == (fb > 0.0) {
        return None;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b);
        if fb.is_nan() {
            return None;
        }
    }
    Some(b)
}

/// The boundary of a condition that holds at `lo` and fails at `hi` (and changes once in
/// between): `iterations` halvings of [lo, hi], returning the last point where it held.
pub fn last_holding(
    mut lo: f64,
    mut hi: f64,
    iterations: usize,
    holds: impl Fn(f64) -> bool,
) -> f64 {
    for _ in 0..iterations {
        let mid = 0.5 * (lo + hi);
        if holds(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sqrt(2) = 1.4142135623730951 (IEEE double), the root of x^2 - 2 on [0, 2].
    #[test]
    fn each_finder_finds_sqrt_two() {
        let root = std::f64::consts::SQRT_2;
        let b = bisect(|x| x * x - 2.0, 0.0, 2.0, 1e-14);
        assert!((b - root).abs() < 1e-13, "{b}");
        let z = brent(|x| x * x - 2.0, 0.0, 2.0, 1e-12).unwrap();
        assert!((z - root).abs() < 1e-12, "{z}");
        assert_eq!(brent(|x| x * x + 1.0, 0.0, 2.0, 1e-12), None);
        let l = last_holding(0.0, 2.0, 60, |x| x * x <= 2.0);
        assert!(l <= root && root - l < 1e-15, "{l}");
    }
}
