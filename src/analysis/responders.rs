//! The seed trial's primary analysis: the paired t test restricted to participants who
//! responded under the reference condition. Selecting on the observed response under R
//! conditions on noise in R, which can inflate the rejection rate under the null; the tool
//! exists partly to quantify that, so the selection is reproduced, not corrected.

use super::paired_t::paired_t;
use super::{AnalysisSpec, Estimand, LookData, Needs, Scope};

/// `responders_paired`: paired t among reference responders.
pub static SPEC: AnalysisSpec = AnalysisSpec {
    name: "responders_paired",
    title: "paired t test among participants who responded under the reference",
    needs: Needs {
        responder_differences: true,
        ..Needs::NONE
    },
    scope: Scope::PairedContrast,
    needs_response: true,
    t_based: true,
    diagnostic: false,
    estimand: Estimand::NoClosedForm,
    estimate: |data: &mut LookData| paired_t(&data.responder_differences),
};
