//! What `boundaries` is asked for: the looks, alpha, sidedness and boundary family of a
//! boundary table, checked before anything is computed. The command line and the R and Python
//! packages share these checks; each names the parameters as its users write them
//! ([`BoundaryLabels`]).

use crate::config;
use crate::error::Error;
use crate::sequential::boundaries::{
    compute_boundaries, Boundaries, BoundaryFamily, BoundaryKind, BoundaryParameter, Sided,
};

/// What the caller calls the parameters of a boundary request, in error messages: by default
/// their names (`looks`, `spending`, ...); the command line gives its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundaryLabels {
    /// The looks (information fractions or enrollment counts).
    pub looks: &'static str,
    /// The boundary family.
    pub spending: &'static str,
    /// The overall alpha.
    pub alpha: &'static str,
    /// One- or two-sided.
    pub sided: &'static str,
    /// Hwang-Shih-DeCani's gamma.
    pub gamma: &'static str,
    /// Kim-DeMets' rho.
    pub rho: &'static str,
    /// The interim z of the classical families that take one.
    pub interim_z: &'static str,
}

impl Default for BoundaryLabels {
    fn default() -> BoundaryLabels {
        BoundaryLabels {
            looks: "looks",
            spending: "spending",
            alpha: "alpha",
            sided: "sided",
            gamma: "gamma",
            rho: "rho",
            interim_z: "interim_z",
        }
    }
}

/// The most looks `boundaries` computes (the recursive integration grows with every look).
pub const MAX_BOUNDARY_LOOKS: usize = 100;

/// What `boundaries` is asked for, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryRequest {
    /// Information rates of the looks, ending at 1.
    pub rates: Vec<f64>,
    /// Overall alpha.
    pub alpha: f64,
    /// One- or two-sided.
    pub sided: Sided,
    /// The boundary family with its parameter.
    pub kind: BoundaryKind,
}

/// Checks the `boundaries` options: looks that are fractions ending at 1 or whole enrollment
/// counts (never silently rescaled fractions), and the gamma, rho and interim z only for the
/// family that uses them. Errors name each parameter as `labels` say.
#[allow(clippy::too_many_arguments)]
pub fn request(
    labels: &BoundaryLabels,
    looks: &[f64],
    spending: BoundaryFamily,
    alpha: f64,
    sided: Sided,
    gamma: Option<f64>,
    rho: Option<f64>,
    interim_z: Option<f64>,
) -> Result<BoundaryRequest, Error> {
    let usage = |msg: String| Error::Usage(config::tidy_numbers(&format!("boundaries: {msg}")));
    let shown = looks
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",");
    if looks.is_empty() || looks.len() > MAX_BOUNDARY_LOOKS {
        return Err(usage(format!(
            "{} {shown}: give from 1 to {MAX_BOUNDARY_LOOKS} looks",
            labels.looks
        )));
    }
    if let Some(x) = looks.iter().find(|x| !(x.is_finite() && **x > 0.0)) {
        return Err(usage(format!(
            "{} {shown}: {x} is not a positive number",
            labels.looks
        )));
    }
    if looks.windows(2).any(|w| w[0] >= w[1]) {
        return Err(usage(format!(
            "{} {shown}: looks must be strictly increasing",
            labels.looks
        )));
    }
    let alpha_range = match sided {
        Sided::Two => (1.0, format!("(0, 1) with {} 2", labels.sided)),
        Sided::One => (0.5, format!("(0, 0.5) with {} 1", labels.sided)),
    };
    if !(alpha > 0.0 && alpha < alpha_range.0) {
        return Err(usage(format!(
            "{} {alpha}: the overall alpha must lie in {}, e.g. {} 0.05",
            labels.alpha, alpha_range.1, labels.alpha
        )));
    }
    let last = looks[looks.len() - 1];
    let rates: Vec<f64> = if looks.iter().all(|&x| x <= 1.0) {
        if last != 1.0 {
            return Err(usage(format!(
                "{looks} {shown}: information fractions must end at 1 (the final analysis), e.g. {looks} 0.5,1; or give enrollment counts, e.g. {looks} 15,30",
                looks = labels.looks
            )));
        }
        looks.to_vec()
    } else if looks.iter().all(|&x| x.fract() == 0.0) {
        looks.iter().map(|x| x / last).collect()
    } else {
        return Err(usage(format!(
            "{} {shown}: give either information fractions in (0, 1] ending at 1 or whole enrollment counts, not a mix",
            labels.looks
        )));
    };
    let uses = spending.parameter();
    let name = spending.name();
    for (flag, parameter, v) in [
        (labels.gamma, BoundaryParameter::Gamma, gamma),
        (labels.rho, BoundaryParameter::Rho, rho),
        (labels.interim_z, BoundaryParameter::InterimZ, interim_z),
    ] {
        if let Some(v) = v.filter(|_| uses != Some(parameter)) {
            let family = BoundaryFamily::ALL
                .iter()
                .find(|f| f.parameter() == Some(parameter))
                .map_or("", |f| f.name());
            return Err(usage(format!(
                "{flag} {v} applies only to {spending} {family}; {spending} {name} does not use it",
                spending = labels.spending
            )));
        }
    }
    let value = match uses {
        Some(BoundaryParameter::Gamma) => gamma,
        Some(BoundaryParameter::Rho) => rho,
        Some(BoundaryParameter::InterimZ) => interim_z,
        None => None,
    };
    let kind = spending.with(value).ok_or_else(|| {
        usage(match uses {
            Some(BoundaryParameter::Rho) => {
                format!(
                    "{} kim_demets needs {rho}, e.g. {rho} 3",
                    labels.spending,
                    rho = labels.rho
                )
            }
            _ => format!(
                "{} hwang_shih_decani needs {gamma}, e.g. {gamma} -4",
                labels.spending,
                gamma = labels.gamma
            ),
        })
    })?;
    Ok(BoundaryRequest {
        rates,
        alpha,
        sided,
        kind,
    })
}

impl BoundaryRequest {
    /// The computed table `b` of this request with the family's name `spending`, as
    /// `boundaries --json` prints it and the R and Python packages return it.
    pub fn json(&self, spending: &str, b: &Boundaries) -> serde_json::Value {
        serde_json::json!({
            "spending": spending,
            "alpha": self.alpha,
            "sided": if self.sided == Sided::Two { 2 } else { 1 },
            "convention": self.kind.convention(self.sided),
            "information_rates": b.information_rates,
            "critical_z": b.critical_z,
            "nominal_level": b.nominal_level,
            "cumulative_alpha": b.cumulative_alpha,
        })
    }

    /// Computes the boundaries.
    pub fn compute(&self) -> Result<Boundaries, Error> {
        compute_boundaries(&self.rates, self.alpha, self.sided, &self.kind)
            .map_err(|e| Error::Usage(config::tidy_numbers(&format!("boundaries: {e}"))))
    }
}
