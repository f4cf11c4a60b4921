//! Recursive numerical integration of the group-sequential test statistics (Jennison &
//! Turnbull 2000, ch. 19): the sub-density of Z_k on the continuation region, look by look.

use super::*;

/// Sub-density of Z_k on the continuation region at a look, on the integration grid:
/// `wh[i] = weight_i * h_k(z_i)`.
pub(super) struct Stage {
    pub(super) z: Vec<f64>,
    pub(super) wh: Vec<f64>,
}

/// Transition from look k-1 (if any) to look k.
pub(super) struct Step {
    pub(super) first: bool,
    /// sqrt(t_{k-1})
    pub(super) s_prev: f64,
    /// sqrt(t_k)
    pub(super) s_k: f64,
    /// sqrt(t_k - t_{k-1})
    pub(super) sd: f64,
    /// drift * (t_k - t_{k-1})
    pub(super) shift: f64,
    /// mean of Z_k: drift * sqrt(t_k)
    pub(super) mean: f64,
    /// Grid parameter for this look's sub-density (depends on the gap to the next look).
    pub(super) r: usize,
}

impl Step {
    pub(super) fn new(t: &[f64], k: usize, drift: f64) -> Self {
        let t_prev = if k == 0 { 0.0 } else { t[k - 1] };
        let delta = t[k] - t_prev;
        // Width (in z_k) of the kernel of the step to look k + 1; at least 16 panels of the
        // central grid spacing 1.5 / r per kernel sd.
        let r = match t.get(k + 1) {
            Some(&t_next) => {
                let width = ((t_next - t[k]) / t[k]).sqrt();
                let need = (16.0 * 1.5 / width).ceil();
                if need.is_finite() && need > GRID_R as f64 {
                    (need.min(GRID_R_MAX as f64)) as usize
                } else {
                    GRID_R
                }
            }
            None => GRID_R,
        };
        Step {
            first: k == 0,
            s_prev: t_prev.sqrt(),
            s_k: t[k].sqrt(),
            sd: delta.sqrt(),
            shift: drift * delta,
            mean: drift * t[k].sqrt(),
            r,
        }
    }

    /// Standardised increment `(z * sqrt(t_k) - z_prev * sqrt(t_{k-1}) - drift * delta) / sqrt(delta)`.
    pub(super) fn standardise(&self, z: f64, z_prev: f64) -> f64 {
        if z.is_infinite() {
            return z;
        }
        (z * self.s_k - z_prev * self.s_prev - self.shift) / self.sd
    }

    /// Probabilities of first exit above `b` and below `a` at this look.
    pub(super) fn exits(&self, prev: Option<&Stage>, a: f64, b: f64) -> (f64, f64) {
        match prev {
            None => {
                if self.first {
                    (norm_sf(b - self.mean), norm_cdf(a - self.mean))
                } else {
                    (0.0, 0.0)
                }
            }
            Some(st) => {
                let mut up = 0.0;
                let mut lo = 0.0;
                for (&z, &wh) in st.z.iter().zip(&st.wh) {
                    up += wh * norm_sf(self.standardise(b, z));
                    lo += wh * norm_cdf(self.standardise(a, z));
                }
                (up, lo)
            }
        }
    }

    /// Sub-density of Z_k on (a, b) on this look's grid.
    pub(super) fn advance(&self, prev: Option<&Stage>, a: f64, b: f64) -> Stage {
        let (z, w) = grid(self.mean, a, b, self.r);
        let wh = match prev {
            None if self.first => z
                .iter()
                .zip(&w)
                .map(|(&x, &wi)| wi * norm_pdf(x - self.mean))
                .collect(),
            None => vec![0.0; z.len()],
            Some(st) => {
                let scale = self.s_k / self.sd;
                // Only previous points within KERNEL_CUTOFF kernel sds contribute (pdf < 1e-17
                // beyond); the previous grid is sorted, so find them by binary search.
                let reach = KERNEL_CUTOFF * self.sd;
                z.iter()
                    .zip(&w)
                    .map(|(&x, &wi)| {
                        let centre = x * self.s_k - self.shift;
                        let lo_z = (centre - reach) / self.s_prev;
                        let hi_z = (centre + reach) / self.s_prev;
                        let lo = st.z.partition_point(|&zp| zp < lo_z);
                        let hi = st.z.partition_point(|&zp| zp <= hi_z);
                        let h: f64 = st.z[lo..hi.max(lo)]
                            .iter()
                            .zip(&st.wh[lo..hi.max(lo)])
                            .map(|(&zp, &whp)| whp * norm_pdf(self.standardise(x, zp)))
                            .sum();
                        wi * scale * h
                    })
                    .collect()
            }
        };
        Stage { z, wh }
    }
}

/// Jennison & Turnbull grid for a density centred at `mu` (unit sd) restricted to `[a, b]`, with
/// Simpson weights: points and weights. Empty when the region has no width inside the grid range.
pub(super) fn grid(mu: f64, a: f64, b: f64, r: usize) -> (Vec<f64>, Vec<f64>) {
    let rf = r as f64;
    let mut pts: Vec<f64> = Vec::with_capacity(6 * r);
    for i in 1..6 * r {
        let fi = i as f64;
        let x = if i < r {
            -3.0 - 4.0 * (rf / fi).ln()
        } else if i <= 5 * r {
            -3.0 + 3.0 * (fi - rf) / (2.0 * rf)
        } else {
            3.0 + 4.0 * (rf / (6.0 * rf - fi)).ln()
        };
        let x = (mu + x).max(a).min(b);
        match pts.last() {
            Some(&p) if x <= p => {}
            _ => pts.push(x),
        }
    }
    if pts.len() < 2 {
        return (Vec::new(), Vec::new());
    }
    let m = 2 * pts.len() - 1;
    let mut z = Vec::with_capacity(m);
    let mut w = vec![0.0; m];
    for (j, pair) in pts.windows(2).enumerate() {
        let len = pair[1] - pair[0];
        z.push(pair[0]);
        z.push(0.5 * (pair[0] + pair[1]));
        w[2 * j] += len / 6.0;
        w[2 * j + 1] += 4.0 * len / 6.0;
        w[2 * j + 2] += len / 6.0;
    }
    z.push(pts[pts.len() - 1]);
    (z, w)
}
