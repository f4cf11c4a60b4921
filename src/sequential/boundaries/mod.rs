//! Group-sequential efficacy boundaries on the z scale: alpha-spending and classical designs,
//! and the numerically exact crossing probabilities of the canonical joint distribution of the
//! sequential z statistics.
//!
//! # Model
//!
//! At looks `k = 1..K` with information rates `0 < t_1 < ... < t_K = 1` the z statistics follow
//! the canonical joint distribution `Z_k ~ N(drift * sqrt(t_k), 1)`,
//! `Cov(Z_j, Z_k) = sqrt(t_j / t_k)` for `j <= k`. A design rejects H0 at the first look where
//! `Z_k >= c_k` (one-sided) or `|Z_k| >= c_k` (two-sided, symmetric bounds).
//!
//! # Method
//!
//! Crossing probabilities come from the recursive numerical integration of Armitage, McPherson
//! and Rowe (1969) in the form of Jennison & Turnbull (2000), *Group Sequential Methods with
//! Applications to Clinical Trials*, chapter 19: the sub-density of `Z_k` on the continuation
//! region is carried from look to look on a grid of at most `12r - 1` points concentrated around
//! the mean, with Simpson weights. `r` is [`GRID_R`], raised (up to [`GRID_R_MAX`]) at a look
//! closely followed by the next one, so that the grid resolves the narrow look-to-look kernel.
//! Boundaries are found one look at a time (alpha spending, and the final look of
//! Haybittle-Peto) or through the single constant `C` (classical O'Brien-Fleming and Pocock),
//! with Brent's root finder. Against rpact 3.3.4 the critical values agree to about 2e-8 in z
//! (see the tests).

use crate::numerics::{brent, norm_cdf, norm_pdf, norm_sf, normal_upper_quantile};

/// Grid parameter `r` of Jennison & Turnbull (2000, ch. 19); the grid has at most `12r - 1`
/// points. The error of a crossing probability falls as `r^-4`: measured here about 3e-7 at
/// `r = 16` (J&T's suggestion), 2e-8 at 32 and 1e-9 at 64.
pub const GRID_R: usize = 64;

/// Largest grid parameter used for closely spaced looks. The grid keeps at least 16 Simpson panels
/// (central width 1.5 / r) per standard deviation `sqrt((t_{k+1} - t_k) / t_k)` of the look-to-look
/// kernel while `r <= GRID_R_MAX`, i.e. for `(t_{k+1} - t_k) / t_k >= (24 / 512)^2 = 2.2e-3`
/// (tested to 1e-8 down to 1e-3); closer looks are still computed, with a coarser resolution.
pub const GRID_R_MAX: usize = 512;

/// Largest critical value a spending design assigns to a look. When a look's alpha increment is so
/// small (or zero) that the exact bound would lie beyond this value, the bound is set to this cap and
/// the (tiny) probability actually spent at the cap is what `cumulative_alpha` reports.
pub const BOUNDARY_CAP: f64 = 8.0;

/// Largest number of looks accepted by [`compute_boundaries`] and [`try_crossing_probabilities`].
pub const MAX_LOOKS: usize = 100;

/// Search interval half-width (z scale) for the constants of classical and Haybittle-Peto designs.
const SEARCH_LIMIT: f64 = 40.0;

/// Kernel terms further than this many standard deviations away are dropped (pdf(9) = 1e-18).
const KERNEL_CUTOFF: f64 = 9.0;

/// Absolute tolerance of the root finder (z scale).
const ROOT_TOL: f64 = 1e-12;

/// Tolerance for the last information rate being 1.
const LAST_RATE_TOL: f64 = 1e-9;

/// One- or two-sided test (spelled `1` or `2`, as on the command line `--sided 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sided {
    /// Reject at look k when `Z_k >= c_k`.
    One,
    /// Reject at look k when `|Z_k| >= c_k` (symmetric bounds).
    Two,
}

impl std::str::FromStr for Sided {
    type Err = String;

    fn from_str(s: &str) -> Result<Sided, String> {
        match s {
            "1" => Ok(Sided::One),
            "2" => Ok(Sided::Two),
            _ => Err(format!("{s:?} is not a number of sides: use 1 or 2")),
        }
    }
}

impl Sided {
    /// "one-sided" or "two-sided", as messages and reports say it.
    pub fn label(self) -> &'static str {
        match self {
            Sided::One => "one-sided",
            Sided::Two => "two-sided",
        }
    }
}

/// Alpha-spending functions `f(t; a)`, with `f(0) = 0` and `f(1) = a`.
#[derive(Debug, Clone, PartialEq)]
pub enum SpendingFunction {
    /// Lan-DeMets O'Brien-Fleming type: a(t) = 2 - 2*Phi(z_{1-a/2}/sqrt(t))
    ObrienFleming,
    /// Lan-DeMets Pocock type: a(t) = a*ln(1+(e-1)t)
    Pocock,
    /// Hwang-Shih-DeCani: a*(1-exp(-gamma t))/(1-exp(-gamma)), gamma != 0 (gamma = 0 is linear a*t)
    HwangShihDeCani {
        /// Shape parameter; any finite value (negative values are more conservative early).
        gamma: f64,
    },
    /// Kim-DeMets power family a*t^rho, rho > 0
    KimDeMets {
        /// Power, finite and > 0.
        rho: f64,
    },
}

/// How the critical values are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundaryKind {
    /// Alpha spending. A one-sided design spends `alpha` with the function. A two-sided design
    /// spends `alpha/2` per side with the one-sided function, i.e. the symmetric bounds are chosen so
    /// that the probability (both sides together) of first crossing at look k equals
    /// `2 * [f(t_k; alpha/2) - f(t_{k-1}; alpha/2)]` (rpact `sided = 2`, gsDesign `test.type = 2`).
    Spending(SpendingFunction),
    /// The other convention, offered only as a named option: the Lan-DeMets O'Brien-Fleming function
    /// applied to the *total* alpha, `F(t) = 2 - 2*Phi(z_{1-alpha/2} / sqrt(t))`, `F(1) = alpha`.
    /// For `Sided::Two` the symmetric bounds are chosen so that the probability (both sides
    /// together) of first crossing at look k equals `F(t_k) - F(t_{k-1})`; at two equally spaced
    /// looks with alpha = 0.05 this gives 2.7718, 1.9793 (against 2.9626, 1.9686 for
    /// `Spending(ObrienFleming)`). For `Sided::One` the function is exactly the one-sided
    /// Lan-DeMets O'Brien-Fleming function, so this equals `Spending(SpendingFunction::ObrienFleming)`.
    ObrienFlemingTotalAlpha,
    /// Classical O'Brien-Fleming: c_k = C/sqrt(t_k), C chosen so the overall level is exactly alpha.
    ObrienFlemingClassical,
    /// Classical Pocock: c_k = C, C chosen so the overall level is exactly alpha.
    PocockClassical,
    /// Haybittle-Peto: z = interim_z at every interim look; final adjusted so the overall alpha is exact
    HaybittlePeto {
        /// Critical value at every interim look (rpact's default is 3), finite and > 0.
        interim_z: f64,
    },
    /// User-given z values (one per look); nominal levels and alpha spent are computed, not adjusted.
    /// Each value must be > 0; `f64::INFINITY` means "no efficacy stop at this look".
    User(Vec<f64>),
}

/// An efficacy boundary family by name, without its parameter: the one list of names that a
/// config's `sequential.efficacy` and the `boundaries` command choose from. Its spelling
/// (serde, [`std::str::FromStr`]) is the snake_case [`BoundaryFamily::name`];
/// [`BoundaryFamily::with`] adds the parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryFamily {
    /// Lan-DeMets O'Brien-Fleming-type spending.
    ObrienFleming,
    /// Lan-DeMets Pocock-type spending.
    Pocock,
    /// Hwang-Shih-DeCani spending (needs gamma).
    HwangShihDecani,
    /// Kim-DeMets power spending (needs rho).
    KimDemets,
    /// O'Brien-Fleming-type spending of the total two-sided alpha.
    ObrienFlemingTotalAlpha,
    /// Classical O'Brien-Fleming.
    ClassicalObrienFleming,
    /// Classical Pocock.
    ClassicalPocock,
    /// Haybittle-Peto (interim z, default 3).
    HaybittlePeto,
}

impl std::str::FromStr for BoundaryFamily {
    type Err = String;

    fn from_str(s: &str) -> Result<BoundaryFamily, String> {
        BoundaryFamily::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = BoundaryFamily::ALL.iter().map(|f| f.name()).collect();
            format!(
                "{s:?} is not a boundary family; the families are {}",
                names.join(", ")
            )
        })
    }
}

/// The one parameter a boundary family takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryParameter {
    /// Hwang-Shih-DeCani gamma (required).
    Gamma,
    /// Kim-DeMets rho (required).
    Rho,
    /// Haybittle-Peto interim z (optional, default 3).
    InterimZ,
}

impl BoundaryParameter {
    /// The parameter's name in a config (`sequential.efficacy.<name>`).
    pub fn name(self) -> &'static str {
        match self {
            BoundaryParameter::Gamma => "gamma",
            BoundaryParameter::Rho => "rho",
            BoundaryParameter::InterimZ => "interim_z",
        }
    }
}

/// Rpact's default Haybittle-Peto interim critical value.
pub const HAYBITTLE_PETO_DEFAULT_Z: f64 = 3.0;

impl BoundaryFamily {
    /// Every family, in the order help texts and messages list them.
    pub const ALL: [BoundaryFamily; 8] = [
        BoundaryFamily::ObrienFleming,
        BoundaryFamily::Pocock,
        BoundaryFamily::HwangShihDecani,
        BoundaryFamily::KimDemets,
        BoundaryFamily::ObrienFlemingTotalAlpha,
        BoundaryFamily::ClassicalObrienFleming,
        BoundaryFamily::ClassicalPocock,
        BoundaryFamily::HaybittlePeto,
    ];

    /// The family of that snake_case name.
    pub fn from_name(name: &str) -> Option<BoundaryFamily> {
        BoundaryFamily::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The family's snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            BoundaryFamily::ObrienFleming => "obrien_fleming",
            BoundaryFamily::Pocock => "pocock",
            BoundaryFamily::HwangShihDecani => "hwang_shih_decani",
            BoundaryFamily::KimDemets => "kim_demets",
            BoundaryFamily::ObrienFlemingTotalAlpha => "obrien_fleming_total_alpha",
            BoundaryFamily::ClassicalObrienFleming => "classical_obrien_fleming",
            BoundaryFamily::ClassicalPocock => "classical_pocock",
            BoundaryFamily::HaybittlePeto => "haybittle_peto",
        }
    }

    /// Whether the family is a classical boundary of a fixed shape (O'Brien-Fleming, Pocock,
    /// Haybittle-Peto) rather than an alpha-spending function.
    pub fn is_classical(self) -> bool {
        matches!(
            self,
            BoundaryFamily::ClassicalObrienFleming
                | BoundaryFamily::ClassicalPocock
                | BoundaryFamily::HaybittlePeto
        )
    }

    /// The parameter the family takes, if any.
    pub fn parameter(self) -> Option<BoundaryParameter> {
        match self {
            BoundaryFamily::HwangShihDecani => Some(BoundaryParameter::Gamma),
            BoundaryFamily::KimDemets => Some(BoundaryParameter::Rho),
            BoundaryFamily::HaybittlePeto => Some(BoundaryParameter::InterimZ),
            _ => None,
        }
    }

    /// The boundary with its parameter (`None` when a required one is missing: gamma or
    /// rho). The Haybittle-Peto interim z defaults to [`HAYBITTLE_PETO_DEFAULT_Z`]; the
    /// values themselves are checked by [`compute_boundaries`].
    pub fn with(self, parameter: Option<f64>) -> Option<BoundaryKind> {
        Some(match self {
            BoundaryFamily::ObrienFleming => {
                BoundaryKind::Spending(SpendingFunction::ObrienFleming)
            }
            BoundaryFamily::Pocock => BoundaryKind::Spending(SpendingFunction::Pocock),
            BoundaryFamily::HwangShihDecani => {
                BoundaryKind::Spending(SpendingFunction::HwangShihDeCani { gamma: parameter? })
            }
            BoundaryFamily::KimDemets => {
                BoundaryKind::Spending(SpendingFunction::KimDeMets { rho: parameter? })
            }
            BoundaryFamily::ObrienFlemingTotalAlpha => BoundaryKind::ObrienFlemingTotalAlpha,
            BoundaryFamily::ClassicalObrienFleming => BoundaryKind::ObrienFlemingClassical,
            BoundaryFamily::ClassicalPocock => BoundaryKind::PocockClassical,
            BoundaryFamily::HaybittlePeto => BoundaryKind::HaybittlePeto {
                interim_z: parameter.unwrap_or(HAYBITTLE_PETO_DEFAULT_Z),
            },
        })
    }
}

impl BoundaryKind {
    /// The named family, or `None` for user-given z values.
    pub fn family(&self) -> Option<BoundaryFamily> {
        Some(match self {
            BoundaryKind::Spending(SpendingFunction::ObrienFleming) => {
                BoundaryFamily::ObrienFleming
            }
            BoundaryKind::Spending(SpendingFunction::Pocock) => BoundaryFamily::Pocock,
            BoundaryKind::Spending(SpendingFunction::HwangShihDeCani { .. }) => {
                BoundaryFamily::HwangShihDecani
            }
            BoundaryKind::Spending(SpendingFunction::KimDeMets { .. }) => BoundaryFamily::KimDemets,
            BoundaryKind::ObrienFlemingTotalAlpha => BoundaryFamily::ObrienFlemingTotalAlpha,
            BoundaryKind::ObrienFlemingClassical => BoundaryFamily::ClassicalObrienFleming,
            BoundaryKind::PocockClassical => BoundaryFamily::ClassicalPocock,
            BoundaryKind::HaybittlePeto { .. } => BoundaryFamily::HaybittlePeto,
            BoundaryKind::User(_) => return None,
        })
    }
}

impl BoundaryKind {
    /// How the critical values of this family are chosen, and what the nominal level means, in
    /// one sentence per point (the `boundaries` command prints it above the table).
    pub fn convention(&self, sided: Sided) -> String {
        let how = match (self, sided) {
            (BoundaryKind::Spending(_), Sided::Two) => "spending function: alpha/2 is spent per side with the one-sided function (rpact sided = 2, gsDesign test.type = 2)".to_string(),
            (BoundaryKind::Spending(_), Sided::One) => "spending function: alpha is spent with the one-sided function".to_string(),
            (BoundaryKind::ObrienFlemingTotalAlpha, Sided::Two) => "O'Brien-Fleming-type spending of the total alpha, F(t) = 2 - 2 Phi(z_(1-alpha/2) / sqrt(t)), by both sides together (not alpha/2 per side)".to_string(),
            (BoundaryKind::ObrienFlemingTotalAlpha, Sided::One) => "O'Brien-Fleming-type spending of alpha with the one-sided function (the same bounds as obrien_fleming)".to_string(),
            (BoundaryKind::ObrienFlemingClassical, _) => "classical O'Brien-Fleming, no spending function: c_k = C / sqrt(t_k), with C chosen so that the overall level is exactly alpha".to_string(),
            (BoundaryKind::PocockClassical, _) => "classical Pocock, no spending function: c_k = C at every look, with C chosen so that the overall level is exactly alpha".to_string(),
            (BoundaryKind::HaybittlePeto { interim_z }, _) => format!("Haybittle-Peto, no spending function: c_k = {interim_z} at every interim look, the final critical value chosen so that the overall level is exactly alpha"),
            (BoundaryKind::User(_), _) => "user-given critical values: the alpha they spend is computed, not adjusted".to_string(),
        };
        match sided {
            Sided::Two => {
                format!("Two-sided symmetric boundaries; {how}. Nominal level = 2(1 - Phi(c_k)).")
            }
            Sided::One => {
                format!("One-sided upper boundaries; {how}. Nominal level = 1 - Phi(c_k).")
            }
        }
    }
}

/// Critical values of a group-sequential design and what they spend under H0.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundaries {
    /// Information rates `t_k` of the looks, as given.
    pub information_rates: Vec<f64>,
    /// c_k: reject at look k when |Z_k| >= c_k (two-sided) or Z_k >= c_k (one-sided).
    pub critical_z: Vec<f64>,
    /// Probability under H0 of crossing at or before look k (both sides for `Sided::Two`).
    pub cumulative_alpha: Vec<f64>,
    /// Nominal level of each look: 2(1-Phi(c_k)) for `Sided::Two`, 1-Phi(c_k) for `Sided::One`.
    pub nominal_level: Vec<f64>,
    /// The design's overall alpha, as requested (for `BoundaryKind::User` the alpha actually spent
    /// is the last entry of `cumulative_alpha`).
    pub alpha: f64,
    /// One- or two-sided.
    pub sided: Sided,
}

/// First-crossing probabilities at each look.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossingProbabilities {
    /// Probability of first leaving the continuation region above the upper bound at look k.
    pub upper: Vec<f64>,
    /// Probability of first leaving the continuation region below the lower bound at look k
    /// (all zero when there is no lower bound).
    pub lower: Vec<f64>,
}

/// Invalid design input, or a numerical failure.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum BoundaryError {
    /// No looks.
    #[error("at least one information rate (look) is required")]
    NoLooks,
    /// More looks than [`MAX_LOOKS`].
    #[error("{0} looks requested; at most {MAX_LOOKS} are supported")]
    TooManyLooks(usize),
    /// Information rates not strictly increasing in (0, 1] ending at 1.
    #[error(
        "information rates must be finite, strictly increasing, in (0, 1], with the last equal to 1; got {0:?}"
    )]
    InvalidInformationRates(Vec<f64>),
    /// Information values for crossing probabilities not positive and strictly increasing.
    #[error("information rates must be finite, positive and strictly increasing; got {0:?}")]
    InvalidInformation(Vec<f64>),
    /// Alpha outside (0, 1) (two-sided) or (0, 0.5) (one-sided).
    #[error(
        "alpha must lie in (0, 1) for a two-sided design and in (0, 0.5) for a one-sided design; got {alpha} for a {} design", sided.label()
    )]
    InvalidAlpha {
        /// The alpha given.
        alpha: f64,
        /// The sidedness given.
        sided: Sided,
    },
    /// Hwang-Shih-DeCani gamma not finite.
    #[error("Hwang-Shih-DeCani gamma must be a finite number; got {0}")]
    InvalidGamma(f64),
    /// Kim-DeMets rho not finite and positive.
    #[error("Kim-DeMets rho must be finite and > 0; got {0}")]
    InvalidRho(f64),
    /// Haybittle-Peto interim bound not finite and positive.
    #[error("Haybittle-Peto interim z must be finite and > 0; got {0}")]
    InvalidInterimZ(f64),
    /// The Haybittle-Peto interim looks alone already spend all of alpha.
    #[error(
        "Haybittle-Peto interim bound {interim_z} already spends {spent} under H0 at the interim looks, not less than alpha = {alpha}"
    )]
    HaybittlePetoExhausted {
        /// Interim critical value.
        interim_z: f64,
        /// Probability spent at the interim looks.
        spent: f64,
        /// The design's alpha.
        alpha: f64,
    },
    /// User critical values: wrong count.
    #[error(
        "{given} user critical values given for {looks} looks; exactly one per look is required"
    )]
    UserLengthMismatch {
        /// Number of values given.
        given: usize,
        /// Number of looks.
        looks: usize,
    },
    /// User critical value not > 0 (or NaN).
    #[error("user critical value at look {look} must be > 0; got {value}")]
    InvalidUserBoundary {
        /// Look (1-based).
        look: usize,
        /// The value given.
        value: f64,
    },
    /// Bound vector of the wrong length for crossing probabilities.
    #[error("{which} bounds: {given} values given for {looks} looks")]
    BoundLengthMismatch {
        /// "upper" or "lower".
        which: &'static str,
        /// Number of values given.
        given: usize,
        /// Number of looks.
        looks: usize,
    },
    /// NaN bound, or lower bound above the upper bound.
    #[error(
        "invalid bounds at look {look}: lower {lower}, upper {upper} (need lower <= upper, no NaN)"
    )]
    InvalidBounds {
        /// Look (1-based).
        look: usize,
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
    },
    /// Non-finite drift.
    #[error("drift must be finite; got {0}")]
    InvalidDrift(f64),
    /// The root finder found no sign change.
    #[error(
        "root not bracketed while solving for {0} (looks closer than about 0.2% of information apart, combined with an extreme alpha, can cause this)"
    )]
    RootNotBracketed(&'static str),
}

/// Critical values, cumulative alpha and nominal levels of a group-sequential design.
///
/// `information_rates` must be finite, strictly increasing, in (0, 1], with the last equal to 1
/// (within 1e-9); `alpha` in (0, 1) for `Sided::Two`, (0, 0.5) for `Sided::One`.
pub fn compute_boundaries(
    information_rates: &[f64],
    alpha: f64,
    sided: Sided,
    kind: &BoundaryKind,
) -> Result<Boundaries, BoundaryError> {
    validate_rates(information_rates)?;
    let alpha_ok = match sided {
        Sided::Two => alpha > 0.0 && alpha < 1.0,
        Sided::One => alpha > 0.0 && alpha < 0.5,
    };
    if !alpha_ok {
        return Err(BoundaryError::InvalidAlpha { alpha, sided });
    }
    let t = information_rates;
    let critical_z = match kind {
        BoundaryKind::Spending(f) => {
            validate_spending(f)?;
            let (side_alpha, sides) = match sided {
                Sided::Two => (alpha / 2.0, 2.0),
                Sided::One => (alpha, 1.0),
            };
            spending_bounds(t, alpha, sided, |x| sides * spend(f, x, side_alpha))?
        }
        BoundaryKind::ObrienFlemingTotalAlpha => spending_bounds(t, alpha, sided, |x| {
            spend(&SpendingFunction::ObrienFleming, x, alpha)
        })?,
        BoundaryKind::ObrienFlemingClassical => {
            let shape: Vec<f64> = t.iter().map(|x| 1.0 / x.sqrt()).collect();
            classical_bounds(t, alpha, sided, &shape)?
        }
        BoundaryKind::PocockClassical => classical_bounds(t, alpha, sided, &vec![1.0; t.len()])?,
        BoundaryKind::HaybittlePeto { interim_z } => {
            haybittle_peto_bounds(t, alpha, sided, *interim_z)?
        }
        BoundaryKind::User(z) => {
            if z.len() != t.len() {
                return Err(BoundaryError::UserLengthMismatch {
                    given: z.len(),
                    looks: t.len(),
                });
            }
            for (k, &v) in z.iter().enumerate() {
                if v.is_nan() || v <= 0.0 {
                    return Err(BoundaryError::InvalidUserBoundary {
                        look: k + 1,
                        value: v,
                    });
                }
            }
            z.clone()
        }
    };
    let per_look = h0_crossing(t, &critical_z, sided);
    let mut cumulative_alpha = Vec::with_capacity(t.len());
    let mut acc = 0.0;
    for p in per_look {
        acc += p;
        cumulative_alpha.push(acc);
    }
    let nominal_level = critical_z
        .iter()
        .map(|&c| match sided {
            Sided::Two => 2.0 * norm_sf(c),
            Sided::One => norm_sf(c),
        })
        .collect();
    Ok(Boundaries {
        information_rates: t.to_vec(),
        critical_z,
        cumulative_alpha,
        nominal_level,
        alpha,
        sided,
    })
}

/// Probability of first crossing at each look for the canonical joint distribution Z_k ~ N(drift*sqrt(t_k), 1),
/// Cov(Z_j,Z_k)=sqrt(t_j/t_k); `upper[k]` efficacy bound; `lower` optional lower continuation bound per look (None = -inf; for a
/// two-sided symmetric design pass lower = -upper and count crossings of either side -> return both vectors).
///
/// The information values need only be positive and strictly increasing (they are the variances of
/// the score statistics in units where `drift` is the standardised effect); bounds may be infinite.
/// This function never panics: on invalid input (see [`try_crossing_probabilities`], which reports
/// the reason) it returns vectors of `NaN`, one per information value.
pub fn crossing_probabilities(
    information_rates: &[f64],
    upper: &[f64],
    lower: Option<&[f64]>,
    drift: f64,
) -> CrossingProbabilities {
    try_crossing_probabilities(information_rates, upper, lower, drift).unwrap_or_else(|_| {
        CrossingProbabilities {
            upper: vec![f64::NAN; information_rates.len()],
            lower: vec![f64::NAN; information_rates.len()],
        }
    })
}

/// [`crossing_probabilities`] with the reason for invalid input reported as an error.
pub fn try_crossing_probabilities(
    information_rates: &[f64],
    upper: &[f64],
    lower: Option<&[f64]>,
    drift: f64,
) -> Result<CrossingProbabilities, BoundaryError> {
    let t = information_rates;
    if t.is_empty() {
        return Err(BoundaryError::NoLooks);
    }
    if t.len() > MAX_LOOKS {
        return Err(BoundaryError::TooManyLooks(t.len()));
    }
    let increasing = t.windows(2).all(|w| w[1] > w[0]);
    if t.iter().any(|x| !x.is_finite()) || t[0] <= 0.0 || !increasing {
        return Err(BoundaryError::InvalidInformation(t.to_vec()));
    }
    if !drift.is_finite() {
        return Err(BoundaryError::InvalidDrift(drift));
    }
    if upper.len() != t.len() {
        return Err(BoundaryError::BoundLengthMismatch {
            which: "upper",
            given: upper.len(),
            looks: t.len(),
        });
    }
    if let Some(l) = lower {
        if l.len() != t.len() {
            return Err(BoundaryError::BoundLengthMismatch {
                which: "lower",
                given: l.len(),
                looks: t.len(),
            });
        }
    }
    let lower_at = |k: usize| lower.map_or(f64::NEG_INFINITY, |l| l[k]);
    for (k, &b) in upper.iter().enumerate() {
        let a = lower_at(k);
        if a.is_nan() || b.is_nan() || a > b {
            return Err(BoundaryError::InvalidBounds {
                look: k + 1,
                lower: a,
                upper: b,
            });
        }
    }
    let mut state: Option<Stage> = None;
    let mut up = Vec::with_capacity(t.len());
    let mut lo = Vec::with_capacity(t.len());
    for (k, &b) in upper.iter().enumerate() {
        let a = lower_at(k);
        let step = Step::new(t, k, drift);
        let (pu, pl) = step.exits(state.as_ref(), a, b);
        up.push(pu);
        lo.push(pl);
        if k + 1 < t.len() {
            state = Some(step.advance(state.as_ref(), a, b));
        }
    }
    Ok(CrossingProbabilities {
        upper: up,
        lower: lo,
    })
}

// ---------------------------------------------------------------------------------------------
// Validation and spending functions

fn validate_rates(t: &[f64]) -> Result<(), BoundaryError> {
    if t.is_empty() {
        return Err(BoundaryError::NoLooks);
    }
    if t.len() > MAX_LOOKS {
        return Err(BoundaryError::TooManyLooks(t.len()));
    }
    let ok = t.iter().all(|x| x.is_finite())
        && t[0] > 0.0
        && t.windows(2).all(|w| w[1] > w[0])
        && (t[t.len() - 1] - 1.0).abs() <= LAST_RATE_TOL;
    if ok {
        Ok(())
    } else {
        Err(BoundaryError::InvalidInformationRates(t.to_vec()))
    }
}

fn validate_spending(f: &SpendingFunction) -> Result<(), BoundaryError> {
    match *f {
        SpendingFunction::HwangShihDeCani { gamma } if !gamma.is_finite() => {
            Err(BoundaryError::InvalidGamma(gamma))
        }
        SpendingFunction::KimDeMets { rho } if !rho.is_finite() || rho <= 0.0 => {
            Err(BoundaryError::InvalidRho(rho))
        }
        _ => Ok(()),
    }
}

/// Cumulative alpha `f(t; a)` spent by time `t` in [0, 1] (clamped).
fn spend(f: &SpendingFunction, t: f64, a: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    if t <= 0.0 {
        return 0.0;
    }
    if t >= 1.0 {
        return a;
    }
    match *f {
        SpendingFunction::ObrienFleming => 2.0 * norm_sf(normal_upper_quantile(a / 2.0) / t.sqrt()),
        SpendingFunction::Pocock => a * (1.0 + (std::f64::consts::E - 1.0) * t).ln(),
        SpendingFunction::HwangShihDeCani { gamma } => {
            if gamma.abs() < 1e-10 {
                a * t
            } else if gamma > 0.0 {
                a * ((-gamma * t).exp_m1() / (-gamma).exp_m1())
            } else {
                // gamma < 0: rewrite (e^{-g t} - 1)/(e^{-g} - 1) = e^{-g (t - 1)} (1 - e^{g t})/(1 - e^{g})
                // so that no term overflows for large |gamma|.
                a * (-gamma * (t - 1.0)).exp() * ((gamma * t).exp_m1() / gamma.exp_m1())
            }
        }
        SpendingFunction::KimDeMets { rho } => a * t.powf(rho),
    }
}

mod recursion;
mod search;

use recursion::{Stage, Step};
use search::{classical_bounds, h0_crossing, haybittle_peto_bounds, spending_bounds};

#[cfg(test)]
mod against_rpact;
#[cfg(test)]
mod tests;
