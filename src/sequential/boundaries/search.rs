//! The boundary searches: spending, classical and Haybittle-Peto critical values, each found
//! by Brent's method on the crossing probabilities of the recursion.

use super::recursion::*;
use super::*;

/// Sequential search of spending bounds; `cum(t)` is the cumulative (both-sides) alpha to spend.
pub(super) fn spending_bounds(
    t: &[f64],
    alpha: f64,
    sided: Sided,
    cum: impl Fn(f64) -> f64,
) -> Result<Vec<f64>, BoundaryError> {
    let k_max = t.len();
    let mut bounds = Vec::with_capacity(k_max);
    let mut state: Option<Stage> = None;
    let mut spent = 0.0;
    for k in 0..k_max {
        let target = if k + 1 == k_max { alpha } else { cum(t[k]) } - spent;
        let step = Step::new(t, k, 0.0);
        let prob = |c: f64| match sided {
            Sided::Two => {
                let (u, l) = step.exits(state.as_ref(), -c, c);
                u + l
            }
            Sided::One => step.exits(state.as_ref(), f64::NEG_INFINITY, c).0,
        };
        let p_cap = prob(BOUNDARY_CAP);
        let c = if target.is_nan() || target <= p_cap {
            // Increment too small (or zero/negative): the exact bound lies beyond the cap.
            BOUNDARY_CAP
        } else {
            let lo = match sided {
                Sided::Two => 0.0,
                Sided::One => -BOUNDARY_CAP,
            };
            brent(|c| prob(c) - target, lo, BOUNDARY_CAP, ROOT_TOL).ok_or(
                BoundaryError::RootNotBracketed("the critical value of a spending design"),
            )?
        };
        spent += prob(c);
        bounds.push(c);
        if k + 1 < k_max {
            let (a, b) = side_bounds(sided, c);
            state = Some(step.advance(state.as_ref(), a, b));
        }
    }
    Ok(bounds)
}

/// Classical designs: c_k = C * shape_k with C such that the overall H0 crossing probability is alpha.
pub(super) fn classical_bounds(
    t: &[f64],
    alpha: f64,
    sided: Sided,
    shape: &[f64],
) -> Result<Vec<f64>, BoundaryError> {
    let total = |cst: f64| -> f64 {
        let c: Vec<f64> = shape.iter().map(|s| cst * s).collect();
        h0_crossing(t, &c, sided).iter().sum()
    };
    let cst = brent(|x| total(x) - alpha, 0.0, SEARCH_LIMIT, ROOT_TOL).ok_or(
        BoundaryError::RootNotBracketed("the constant of a classical design"),
    )?;
    Ok(shape.iter().map(|s| cst * s).collect())
}

/// Haybittle-Peto: fixed interim bounds, final bound solved so the overall level is exactly alpha.
pub(super) fn haybittle_peto_bounds(
    t: &[f64],
    alpha: f64,
    sided: Sided,
    interim_z: f64,
) -> Result<Vec<f64>, BoundaryError> {
    if !interim_z.is_finite() || interim_z <= 0.0 {
        return Err(BoundaryError::InvalidInterimZ(interim_z));
    }
    let k_max = t.len();
    let mut state: Option<Stage> = None;
    let mut spent = 0.0;
    for k in 0..k_max - 1 {
        let step = Step::new(t, k, 0.0);
        let (a, b) = side_bounds(sided, interim_z);
        let (u, l) = step.exits(state.as_ref(), a, b);
        spent += u + l;
        state = Some(step.advance(state.as_ref(), a, b));
    }
    if spent >= alpha {
        return Err(BoundaryError::HaybittlePetoExhausted {
            interim_z,
            spent,
            alpha,
        });
    }
    let step = Step::new(t, k_max - 1, 0.0);
    let target = alpha - spent;
    let lo = match sided {
        Sided::Two => 0.0,
        Sided::One => -SEARCH_LIMIT,
    };
    let last = brent(
        |c| {
            let (a, b) = side_bounds(sided, c);
            let (u, l) = step.exits(state.as_ref(), a, b);
            u + l - target
        },
        lo,
        SEARCH_LIMIT,
        ROOT_TOL,
    )
    .ok_or(BoundaryError::RootNotBracketed(
        "the final critical value of a Haybittle-Peto design",
    ))?;
    let mut bounds = vec![interim_z; k_max - 1];
    bounds.push(last);
    Ok(bounds)
}

/// (lower, upper) continuation bounds for a critical value.
pub(super) fn side_bounds(sided: Sided, c: f64) -> (f64, f64) {
    match sided {
        Sided::Two => (-c, c),
        Sided::One => (f64::NEG_INFINITY, c),
    }
}

/// Per-look H0 crossing probabilities (both sides for `Sided::Two`) of valid bounds.
pub(super) fn h0_crossing(t: &[f64], c: &[f64], sided: Sided) -> Vec<f64> {
    let mut state: Option<Stage> = None;
    let mut out = Vec::with_capacity(t.len());
    for (k, &ck) in c.iter().enumerate() {
        let step = Step::new(t, k, 0.0);
        let (a, b) = side_bounds(sided, ck);
        let (u, l) = step.exits(state.as_ref(), a, b);
        out.push(u + l);
        if k + 1 < t.len() {
            state = Some(step.advance(state.as_ref(), a, b));
        }
    }
    out
}
