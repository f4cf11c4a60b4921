//! Adaptive Gauss-Kronrod (7-15) quadrature to an absolute error of about 1e-13.

/// Absolute error target of the quadrature.
const QUAD_TOL: f64 = 1e-13;

// Gauss-Kronrod 7-15 nodes (non-negative half) and weights.
const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
// Gauss weights for the nodes XGK[1], XGK[3], XGK[5], XGK[7].
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

/// One Gauss-Kronrod 7-15 panel: (Kronrod estimate, |Kronrod - Gauss|).
fn gk15(f: &impl Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let fc = f(c);
    let mut k = WGK[7] * fc;
    let mut g = WG[3] * fc;
    for i in 0..7 {
        let s = f(c - h * XGK[i]) + f(c + h * XGK[i]);
        k += WGK[i] * s;
        if i % 2 == 1 {
            g += WG[i / 2] * s;
        }
    }
    (k * h, ((k - g) * h).abs())
}

/// Adaptive Gauss-Kronrod integration of `f` over [a, b], starting from `pieces` equal panels.
pub fn integrate(f: &impl Fn(f64) -> f64, a: f64, b: f64, pieces: usize) -> f64 {
    const MAX_PANELS: usize = 20_000;
    let width = b - a;
    let mut stack: Vec<(f64, f64, usize)> = (0..pieces)
        .map(|i| {
            let lo = a + width * i as f64 / pieces as f64;
            let hi = a + width * (i + 1) as f64 / pieces as f64;
            (lo, hi, 0)
        })
        .collect();
    let mut total = 0.0;
    let mut panels = 0;
    while let Some((lo, hi, depth)) = stack.pop() {
        let (val, err) = gk15(f, lo, hi);
        panels += 1;
        let local_tol = QUAD_TOL * ((hi - lo) / width).max(1e-3);
        if err <= local_tol || depth >= 40 || panels >= MAX_PANELS {
            total += val;
        } else {
            let mid = 0.5 * (lo + hi);
            stack.push((lo, mid, depth + 1));
            stack.push((mid, hi, depth + 1));
        }
    }
    total
}
